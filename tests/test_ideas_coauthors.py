"""Co-authors of an idea: a co-author who edits keeps their place, and only the author changes
who the co-authors are."""

from __future__ import annotations

import pytest

from models.access import Role
from models.errors import InputError
from models.speakup import board, ideas
from tests.speakup_helpers import idea_data, open_cycle


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
