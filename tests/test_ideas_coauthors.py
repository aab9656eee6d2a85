"""Co-authors of an idea: a co-author who edits keeps their place, only the author changes who
the co-authors are, and nobody supports an idea they co-wrote."""

from __future__ import annotations

import pytest

from models.access import Role
from models.errors import InputError
from models.speakup import board, cycles, ideas, moderation
from tests.speakup_helpers import count, idea_data, open_cycle, submitted_idea


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADERSHIP)


@pytest.fixture
def cycle_id(db, leader):
    return open_cycle(db, leader)


def co_author_ids(db, idea_id: int) -> list[int]:
    return [person["employee_id"] for person in ideas.get_idea(db, idea_id).co_authors]


# -- a co-author editing -------------------------------------------------------------
def test_a_co_author_who_edits_a_draft_stays_a_co_author(db, make_user, cycle_id):
    author, co_author = make_user(Role.AGENT), make_user(Role.AGENT)
    idea_id = ideas.save_draft(db, author, idea_data(co_author_ids=[co_author.employee_id]))

    ideas.save_draft(
        db,
        co_author,
        idea_data(title="Callbacks at peak, with reminders", co_author_ids=[co_author.employee_id]),
        idea_id,
    )

    assert ideas.get_idea(db, idea_id).title == "Callbacks at peak, with reminders"
    assert co_author_ids(db, idea_id) == [co_author.employee_id]
    assert [idea.id for idea in board.my_ideas(db, co_author)] == [idea_id]


@pytest.mark.parametrize("listed", ["nobody", "the author", "someone else"])
def test_only_the_author_changes_the_co_authors(db, make_user, cycle_id, listed):
    author = make_user(Role.AGENT, full_name="Ava Author")
    co_author, other = make_user(Role.AGENT), make_user(Role.AGENT)
    idea_id = ideas.save_draft(db, author, idea_data(co_author_ids=[co_author.employee_id]))
    changed = {"nobody": [], "the author": [author.employee_id], "someone else": [other.employee_id]}[listed]

    with pytest.raises(InputError) as refusal:
        ideas.save_draft(db, co_author, idea_data(title="A co-author's rewrite", co_author_ids=changed), idea_id)

    assert refusal.value.problems == [("Co-authors", "only the idea's author, Ava Author, changes its co-authors")]
    kept = ideas.get_idea(db, idea_id)
    assert (kept.title, co_author_ids(db, idea_id)) == (idea_data()["title"], [co_author.employee_id])


def test_the_author_changes_the_co_authors_but_never_lists_himself(db, make_user, cycle_id):
    author, first, second = make_user(Role.AGENT), make_user(Role.AGENT), make_user(Role.AGENT)
    idea_id = ideas.save_draft(db, author, idea_data(co_author_ids=[first.employee_id]))
    ideas.save_draft(db, author, idea_data(co_author_ids=[second.employee_id]), idea_id)
    assert co_author_ids(db, idea_id) == [second.employee_id]
    with pytest.raises(InputError, match="you are the author already"):
        ideas.save_draft(db, author, idea_data(co_author_ids=[second.employee_id, author.employee_id]), idea_id)
    assert co_author_ids(db, idea_id) == [second.employee_id]


# -- supports of people who become co-authors ----------------------------------------
def sent_back_with_a_supporter(db, make_user, leader, cycle_id):
    """An agent's idea that employee ``fan`` supports, sent back by the moderators."""
    author = make_user(Role.AGENT)
    fan = make_user(Role.AGENT, full_name="Fay Supporter")
    moderator = make_user(Role.MODERATOR)
    idea_id = submitted_idea(db, author)
    board.support_idea(db, fan, idea_id)
    cycles.advance_phase(db, leader, cycle_id)  # review
    moderation.send_back(db, moderator, idea_id, "Add the cost of the IVR change")
    return author, fan, idea_id


def test_a_supporter_who_becomes_a_co_author_no_longer_supports_the_idea(db, make_user, leader, cycle_id):
    author, fan, idea_id = sent_back_with_a_supporter(db, make_user, leader, cycle_id)

    ideas.save_and_submit(db, author, idea_data(co_author_ids=[fan.employee_id]), idea_id)

    idea = ideas.get_idea(db, idea_id)
    assert (idea.status, idea.supporters) == ("submitted", 0)
    assert board.board(db)[0].supporters == 0
    assert count(db, "SELECT count(*) FROM idea_supports WHERE idea_id = ?", [idea_id]) == 0


def test_the_author_is_told_whose_support_was_withdrawn_and_it_is_audited(db, make_user, leader, cycle_id):
    author, fan, idea_id = sent_back_with_a_supporter(db, make_user, leader, cycle_id)

    saved = ideas.save_idea(db, author, idea_data(co_author_ids=[fan.employee_id]), idea_id)

    assert (saved.idea_id, saved.supports_withdrawn) == (idea_id, ["Fay Supporter"])
    audited = db.query_one(
        "SELECT actor_id, action, before_json, after_json FROM audit_log"
        " WHERE entity = 'idea_support' AND entity_id = ? ORDER BY id DESC LIMIT 1",
        [str(idea_id)],
    )
    assert (audited["actor_id"], audited["action"]) == (author.employee_id, "unsupport")
    assert str(fan.employee_id) in audited["before_json"] and "co-author" in audited["after_json"]
    again = ideas.save_idea(db, author, idea_data(co_author_ids=[fan.employee_id]), idea_id)
    assert again.supports_withdrawn == []  # told once, when it happened


def test_a_refused_save_keeps_the_support(db, make_user, leader, cycle_id):
    author, fan, idea_id = sent_back_with_a_supporter(db, make_user, leader, cycle_id)
    with pytest.raises(InputError, match="Proposed change"):
        ideas.save_and_submit(db, author, idea_data(co_author_ids=[fan.employee_id], proposed_change="short"), idea_id)
    assert ideas.get_idea(db, idea_id).supporters == 1
    assert co_author_ids(db, idea_id) == []
