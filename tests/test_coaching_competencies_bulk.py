"""Coaching sessions, assessments, appeals and acknowledgements written in bulk (the demo's
history of a large organisation) leave the very records writing them one at a time leaves:
the same rows, audit entries and messages, under the same rules."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from models.access import PermissionDeniedError, Role
from models.coaching import sessions
from models.competencies import appeals, assessments, framework
from models.db import Database, insert_row
from models.errors import InputError
from tests.conftest import add_person

TODAY = date(2025, 6, 16)
INTRODUCED = datetime(2025, 1, 6, 8)  # the framework's introduction: assessments before it are checklist ones


@pytest.fixture
def two_databases(tmp_path, database_templates):
    """Two fresh databases holding the same people: one written one at a time, one in bulk."""
    opened = []
    for name in ("one-at-a-time", "in-bulk"):
        path = tmp_path / name / "portal.duckdb"
        path.parent.mkdir()
        database_templates.new_migrated(path)
        opened.append(database_templates.open(path))
    yield [(database, _people(database)) for database in opened]
    for database in opened:
        database_templates.discard(database)


def _people(db: Database) -> dict:
    red, blue = (db.write(lambda c, name=name: insert_row(c, "teams", {"name": name})) for name in ("Red", "Blue"))
    people = {"red": red, "blue": blue}
    for key, roles, team in (
        ("lead", (Role.TEAM_LEAD,), red),
        ("ann", (), red),
        ("bob", (), red),
        ("other_lead", (Role.TEAM_LEAD,), blue),
        ("cat", (), blue),
        ("hr", (Role.HR,), None),
    ):
        people[key] = add_person(db, *roles, team_id=team, full_name=f"{key.title()} Person", username=key)
    framework.introduce_framework(db, INTRODUCED)
    return people


def _table(db: Database, sql: str) -> list[tuple]:
    return [tuple(row.values()) for row in db.query(sql)]


def _records(db: Database) -> dict[str, list[tuple]]:
    """Everything the writes leave, ids included."""
    return {
        "sessions": _table(db, "SELECT * FROM coaching_sessions ORDER BY id"),
        "assessments": _table(db, "SELECT * FROM assessments ORDER BY id"),
        "appeals": _table(db, "SELECT * FROM assessment_appeals ORDER BY id"),
        "audit": _table(
            db,
            "SELECT occurred_at, actor_id, actor_name, entity, entity_id, action, before_json, after_json"
            " FROM audit_log WHERE entity IN ('coaching_session', 'assessment') ORDER BY ALL",
        ),
        "inbox": _table(
            db,
            "SELECT recipient_id, kind, subject, body, link, record_key, created_at FROM inbox_messages ORDER BY ALL",
        ),
    }


def _session(person, day: date, **changes) -> dict:
    return {
        "employee_id": person.employee_id,
        "coached_on": day,
        "kind": "integrated",
        "minutes": 10,
        "shared_notes": f"Summarise the next step before closing ({day:%d %b}).",
        "private_notes": "Seems tired this week.",
        "follow_up": "Listen back to two calls.",
        "follow_up_due": day + timedelta(days=7),
        **changes,
    }


def _coaching(p: dict) -> tuple[list, list, list]:
    """Three leads' logs (HR coaching anyone), the acknowledgements of two people and the
    follow-ups marked done by a coach and by a person coached."""
    day = TODAY - timedelta(days=30)
    logs = [
        (p["lead"], [_session(p["ann"], day), _session(p["bob"], day, kind="scheduled", minutes=45)], _at(day, 17)),
        (p["other_lead"], [_session(p["cat"], day, private_notes=None, follow_up=None, follow_up_due=None)], _at(day)),
        (p["hr"], [_session(p["ann"], day + timedelta(days=1))], _at(day + timedelta(days=1))),
        (p["lead"], [_session(p["ann"], day + timedelta(days=2))], _at(day + timedelta(days=2))),
    ]
    done = [(p["lead"], [1, 2], _at(TODAY, 16)), (p["ann"], [4], _at(TODAY, 17))]
    return logs, [(p["ann"], [1, 4, 5], _at(TODAY, 9)), (p["cat"], [3], _at(TODAY, 11))], done


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour))


def test_coaching_in_bulk_leaves_the_records_of_one_call_at_a_time(two_databases):
    (by_hand, p), (in_bulk, q) = two_databases
    logs, answers, done = _coaching(p)
    for coach, records, at in logs:
        sessions.record_sessions(by_hand, coach, records, at=at)
    for person, ids, at in answers:
        sessions.acknowledge_sessions(by_hand, person, ids, at=at)
    for person, ids, at in done:
        sessions.complete_follow_ups(by_hand, person, ids, at=at)
    logs, answers, done = _coaching(q)
    assert sessions.record_sessions_in_bulk(in_bulk, logs) == [[1, 2], [3], [4], [5]]
    sessions.acknowledge_sessions_in_bulk(in_bulk, answers)
    sessions.complete_follow_ups_in_bulk(in_bulk, done)
    assert _records(in_bulk) == _records(by_hand)
    assert len(_records(in_bulk)["inbox"]) == 5  # each person coached is told of each session
    acknowledged = in_bulk.query("SELECT id FROM coaching_sessions WHERE acknowledged_at IS NOT NULL ORDER BY id")
    assert [row["id"] for row in acknowledged] == [1, 3, 4, 5]
    closed = in_bulk.query("SELECT id FROM coaching_sessions WHERE follow_up_done_at IS NOT NULL ORDER BY id")
    assert [row["id"] for row in closed] == [1, 2, 4]


def test_coaching_in_bulk_refusing_one_batch_stores_nothing(two_databases):
    _, (db, p) = two_databases
    day = TODAY - timedelta(days=3)
    good = (p["lead"], [_session(p["ann"], day)], _at(day))
    with pytest.raises(InputError, match="own team"):
        sessions.record_sessions_in_bulk(db, [good, (p["lead"], [_session(p["cat"], day)], _at(day))])
    with pytest.raises(InputError, match="themselves"):
        sessions.record_sessions_in_bulk(db, [good, (p["other_lead"], [_session(p["other_lead"], day)], _at(day))])
    with pytest.raises(PermissionDeniedError):
        sessions.record_sessions_in_bulk(db, [good, (p["ann"], [_session(p["bob"], day)], _at(day))])
    with pytest.raises(InputError, match="Follow-up due"):
        sessions.record_sessions_in_bulk(
            db, [good, (p["lead"], [_session(p["ann"], day, follow_up_due=None)], _at(day))]
        )
    assert db.scalar("SELECT count(*) FROM coaching_sessions") == 0
    assert db.scalar("SELECT count(*) FROM inbox_messages") == 0
    [[first], [second]] = sessions.record_sessions_in_bulk(
        db, [good, (p["other_lead"], [_session(p["cat"], day)], _at(day))]
    )
    with pytest.raises(InputError, match="only the person coached"):
        sessions.acknowledge_sessions_in_bulk(db, [(p["ann"], [first], _at(TODAY)), (p["ann"], [second], _at(TODAY))])
    sessions.acknowledge_sessions_in_bulk(db, [(p["ann"], [first], _at(TODAY))])
    with pytest.raises(InputError, match="acknowledged already"):
        sessions.acknowledge_sessions_in_bulk(db, [(p["cat"], [second], _at(TODAY)), (p["ann"], [first], _at(TODAY))])
    assert db.scalar("SELECT count(*) FROM coaching_sessions WHERE acknowledged_at IS NOT NULL") == 1
    with pytest.raises(InputError, match="coach or the person coached"):
        sessions.complete_follow_ups_in_bulk(db, [(p["ann"], [first], _at(TODAY)), (p["bob"], [second], _at(TODAY))])
    sessions.complete_follow_ups_in_bulk(db, [(p["other_lead"], [second], _at(TODAY))])
    with pytest.raises(InputError, match="marked done already"):
        sessions.complete_follow_ups_in_bulk(db, [(p["ann"], [first], _at(TODAY)), (p["cat"], [second], _at(TODAY))])
    assert db.scalar("SELECT count(*) FROM coaching_sessions WHERE follow_up_done_at IS NOT NULL") == 1


def _assessment(person, code_id: int, day: date, level: int) -> dict:
    return {
        "employee_id": person.employee_id,
        "competency_id": code_id,
        "assessed_on": day,
        "level": level,
        "evidence": f"Two calls of {day:%d %b} reviewed: acknowledged the worry before solving.",
    }


def _rounds(db: Database, p: dict) -> tuple[list, list, list]:
    """Two rounds of two teams (the first before the framework), appeals upheld, rejected and
    waiting, and acknowledgements of what is left open."""
    empathy, clarity = (c.id for c in framework.competencies(db)[:2])
    before, after = INTRODUCED.date() - timedelta(days=20), TODAY - timedelta(days=10)
    rounds = [
        (
            p["lead"],
            [_assessment(p["ann"], empathy, before, 2), _assessment(p["bob"], clarity, before, 3)],
            _at(before),
        ),
        (p["other_lead"], [_assessment(p["cat"], empathy, before, 1)], _at(before, 17)),
        (p["lead"], [_assessment(p["ann"], empathy, after, 3), _assessment(p["bob"], empathy, after, 4)], _at(after)),
        (p["other_lead"], [_assessment(p["cat"], clarity, after, 2)], _at(after, 17)),
    ]
    upheld = appeals.Resolution(p["hr"], "upheld", "The second call shows level three clearly.", 3, _at(before, 15))
    rejected = appeals.Resolution(p["lead"], "rejected", "The evidence supports the level given.", None, _at(after, 16))
    appealed = [
        appeals.Appeal(p["ann"], 1, "My call on the second day was not considered.", _at(before, 12), upheld),
        appeals.Appeal(p["cat"], 6, "The customer thanked me for the explanation.", _at(after, 12), rejected),
        appeals.Appeal(p["bob"], 2, "I handled the escalation on my own that week.", _at(before, 13)),
    ]
    return rounds, appealed, [(p["bob"], [5], _at(TODAY)), (p["ann"], [4], _at(TODAY, 11))]


def test_assessments_in_bulk_leave_the_records_of_one_call_at_a_time(two_databases):
    (by_hand, p), (in_bulk, q) = two_databases
    rounds, appealed, answers = _rounds(by_hand, p)
    for lead, rows, at in rounds:
        assessments.record_team_assessments(by_hand, lead, rows, at=at)
    for appeal in appealed:
        appeals.appeal(by_hand, appeal.actor, appeal.assessment_id, appeal.reason, None, at=appeal.at)
    for appeal in appealed:
        done = appeal.resolution
        if done is not None:
            appeals.resolve_appeal(
                by_hand, done.actor, appeal.assessment_id, done.outcome, done.note, None,
                new_level=done.new_level, at=done.at,
            )  # fmt: skip
    for person, ids, at in answers:
        appeals.acknowledge_many(by_hand, person, ids, at=at)
    rounds, appealed, answers = _rounds(in_bulk, q)
    assert assessments.record_assessments_in_bulk(in_bulk, rounds) == [[1, 2], [3], [4, 5], [6]]
    assert appeals.appeal_in_bulk(in_bulk, appealed) == [1, 2, 3]
    assert appeals.acknowledge_in_bulk(in_bulk, answers) == 2
    records = _records(in_bulk)
    assert records == _records(by_hand)
    methods = in_bulk.query("SELECT method, descriptor_id IS NOT NULL AS described FROM assessments ORDER BY id")
    assert [(row["method"], row["described"]) for row in methods] == [("checklist", False)] * 3 + [
        ("framework", True)
    ] * 3
    statuses = in_bulk.query("SELECT status FROM assessments ORDER BY id")
    assert [row["status"] for row in statuses] == [
        "upheld", "appealed", "open", "acknowledged", "acknowledged", "appeal_rejected",
    ]  # fmt: skip
    kinds = [row[1] for row in records["inbox"]]
    assert kinds.count("assessment") == 6 and kinds.count("appeal_resolved") == 2


def test_assessments_in_bulk_refuse_as_one_call_would_and_store_nothing(two_databases):
    _, (db, p) = two_databases
    rounds, _, _ = _rounds(db, p)
    outsider = (p["lead"], [_assessment(p["cat"], rounds[0][1][0]["competency_id"], TODAY, 2)], _at(TODAY))
    with pytest.raises(PermissionDeniedError):
        assessments.record_assessments_in_bulk(db, [*rounds, outsider])
    with pytest.raises(PermissionDeniedError):
        assessments.record_assessments_in_bulk(db, [*rounds, (p["ann"], rounds[0][1][1:], _at(TODAY))])
    assert db.scalar("SELECT count(*) FROM assessments") == 0
    assessments.record_assessments_in_bulk(db, rounds)
    someone_elses = appeals.Appeal(p["bob"], 1, "This is not my assessment at all.", _at(TODAY))
    with pytest.raises(PermissionDeniedError):
        appeals.appeal_in_bulk(
            db, [appeals.Appeal(p["cat"], 3, "The customer thanked me twice.", _at(TODAY)), someone_elses]
        )
    own_review = appeals.Resolution(p["lead"], "rejected", "The evidence supports the level.", None, _at(TODAY))
    with pytest.raises(PermissionDeniedError):  # the lead who made the assessment does not resolve its appeal
        appeals.appeal_in_bulk(db, [appeals.Appeal(p["ann"], 1, "My second call was missed.", _at(TODAY), own_review)])
    assert db.scalar("SELECT count(*) FROM assessment_appeals") == 0
    assert db.scalar("SELECT count(*) FROM assessments WHERE status <> 'open'") == 0
    with pytest.raises(PermissionDeniedError):
        appeals.acknowledge_in_bulk(db, [(p["ann"], [1], _at(TODAY)), (p["ann"], [3], _at(TODAY))])
    assert appeals.acknowledge_in_bulk(db, [(p["ann"], [1], _at(TODAY))]) == 1
    with pytest.raises(InputError, match="answered already"):
        appeals.appeal_in_bulk(db, [appeals.Appeal(p["ann"], 1, "My second call was missed.", _at(TODAY))])
