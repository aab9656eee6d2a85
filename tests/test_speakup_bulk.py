"""Ideas posted, supported, commented on and declined in bulk (the large demo organisation's
crowd of ideas) leave the same records as the one-at-a-time domain functions, under the same rules."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from models.access import PermissionDeniedError, Role
from models.errors import InputError
from models.speakup import board, bulk, ideas, moderation
from tests.speakup_helpers import count, idea_data, open_cycle

DAY = date.today() - timedelta(days=2)


def at(hour: int, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour))


@pytest.fixture
def people(make_user):
    leader = make_user(Role.LEADERSHIP)
    return {
        "leader": leader,
        "moderator": make_user(Role.MODERATOR),
        "author": make_user(Role.AGENT),
        "fan": make_user(Role.AGENT),
        "critic": make_user(Role.AGENT),
    }


@pytest.fixture
def cycle_id(db, people):
    return open_cycle(db, people["leader"])


def post_one_at_a_time(db, people, title: str) -> int:
    author = people["author"]
    idea_id = ideas.save_draft(db, author, idea_data(title), at=at(9))
    ideas.submit_idea(db, author, idea_id, at=at(10))
    board.support_idea(db, people["fan"], idea_id, at=at(11))
    board.add_comment(db, people["critic"], idea_id, "Worth a pilot at one site.", at=at(12))
    board.add_comment(db, author, idea_id, "Thank you, happy to run it.", at=at(13))
    return idea_id


def a_post(people, title: str) -> bulk.Post:
    return bulk.Post(
        author=people["author"],
        data=idea_data(title),
        created_at=at(9),
        posted_at=at(10),
        supporters=[(people["fan"], at(11))],
        comments=[(people["critic"], "Worth a pilot at one site.", at(12)),
                  (people["author"], "Thank you, happy to run it.", at(13))],
    )  # fmt: skip


def records_of(db, idea_id: int, title: str) -> dict:
    """Everything a posted idea leaves, without its ids."""
    comment_ids = [str(row["id"]) for row in db.query("SELECT id FROM idea_comments WHERE idea_id = ?", [idea_id])]
    audit = db.query(
        "SELECT occurred_at, actor_id, actor_name, entity, action, before_json, after_json FROM audit_log"
        " WHERE (entity IN ('idea', 'idea_support') AND entity_id = ?)"
        "  OR (entity = 'idea_comment' AND list_contains(?, entity_id)) ORDER BY occurred_at, entity, action",
        [str(idea_id), comment_ids],
    )
    for entry in audit:
        entry["after_json"] = (entry["after_json"] or "").replace(f'"idea_id": {idea_id}', '"idea_id": ID')
        entry["after_json"] = entry["after_json"].replace(title, "TITLE")
    return {
        "idea": db.query_one(
            "SELECT author_id, team_id, problem, proposed_change, annual_savings, effort_days, status, submitted_at,"
            " created_at, updated_at FROM ideas WHERE id = ?",
            [idea_id],
        ),
        "plan": db.query("SELECT position, title, due_date FROM idea_milestones WHERE idea_id = ?", [idea_id]),
        "history": db.query(
            "SELECT from_status, to_status, note, changed_by, changed_at FROM idea_status_history"
            " WHERE idea_id = ? ORDER BY changed_at",
            [idea_id],
        ),
        "supports": db.query("SELECT employee_id, supported_at FROM idea_supports WHERE idea_id = ?", [idea_id]),
        "comments": db.query(
            "SELECT author_id, body, created_at, hidden FROM idea_comments WHERE idea_id = ? ORDER BY created_at",
            [idea_id],
        ),
        "audit": audit,
        "messages": db.query(
            "SELECT recipient_id, kind, replace(subject, ?, 'TITLE') AS subject, replace(body, ?, 'TITLE') AS body,"
            " link, created_at FROM inbox_messages WHERE contains(subject, ?) ORDER BY created_at, kind",
            [title, title, title],
        ),
    }


def test_an_idea_posted_in_bulk_leaves_what_posting_it_one_step_at_a_time_leaves(db, people, cycle_id):
    one = post_one_at_a_time(db, people, "Callbacks at peak")
    [many] = bulk.post_ideas_in_bulk(db, cycle_id, [a_post(people, "Callbacks at lunch")])
    expected, posted = records_of(db, one, "Callbacks at peak"), records_of(db, many, "Callbacks at lunch")
    assert expected["messages"] and expected["audit"] and expected["comments"]  # something was compared
    assert posted == expected
    assert board.supports(db, people["fan"], [many]) == {many}


def test_one_broken_post_stores_none_of_the_batch(db, people, cycle_id):
    own_support = a_post(people, "Supported by its author")
    own_support.supporters.append((people["author"], at(11)))
    with pytest.raises(InputError, match="idea 2"):
        bulk.post_ideas_in_bulk(db, cycle_id, [a_post(people, "A fine idea"), own_support])
    late = a_post(people, "Posted after the window")
    late.posted_at = late.created_at = datetime.combine(date.today() + timedelta(days=60), time(9))
    late.supporters, late.comments = [], []
    with pytest.raises(InputError, match="does not accept submissions"):
        bulk.post_ideas_in_bulk(db, cycle_id, [late])
    assert count(db, "SELECT count(*) FROM ideas") == 0
    assert count(db, "SELECT count(*) FROM audit_log WHERE entity IN ('idea', 'idea_support', 'idea_comment')") == 0


def test_declining_in_bulk_is_declining_each(db, people, cycle_id):
    posts = [a_post(people, f"Idea {n}") for n in (1, 2, 3, 4)]
    first, second, third, fourth = bulk.post_ideas_in_bulk(db, cycle_id, posts)
    moderation.decline(db, people["moderator"], first, "Out of scope this quarter.", at=at(15))
    bulk.decline_in_bulk(db, people["moderator"], [second], "Out of scope this quarter.", [at(15)])
    expected, declined = records_of(db, first, "Idea 1"), records_of(db, second, "Idea 2")
    assert declined == expected and declined["idea"]["status"] == "declined"
    with pytest.raises(PermissionDeniedError):
        bulk.decline_in_bulk(db, people["author"], [third], "No.", [at(15)])
    moderation.shortlist(db, people["moderator"], third, at=at(16))
    with pytest.raises(InputError, match=f"idea {third}"):
        bulk.decline_in_bulk(db, people["moderator"], [fourth, third], "Out of scope.", [at(17), at(17)])
    assert [ideas.get_idea(db, n).status for n in (third, fourth)] == ["shortlisted", "submitted"]
