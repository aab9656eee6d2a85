"""The coaching log: who records, edits, reads, acknowledges and closes follow-ups."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from models.access import PermissionDeniedError, Role
from models.coaching import log, sessions
from models.db import insert_row
from models.errors import InputError, StaleRecordError
from tests.conftest import add_person

TODAY = date(2025, 6, 16)
AT = datetime(2025, 6, 16, 10, 0)


def add_team(db, name: str) -> int:
    return db.write(lambda c: insert_row(c, "teams", {"name": name}))


def add_competency(db, code: str, name: str, *, active: bool = True) -> int:
    """The catalogue's competency of this code (the default catalogue holds the common ones),
    added when missing."""
    found = db.scalar("SELECT id FROM competencies WHERE code = ?", [code])
    if found is not None:
        return found
    return db.write(
        lambda c: insert_row(
            c,
            "competencies",
            {"code": code, "name": name, "description": name, "active": active, "created_at": AT, "updated_at": AT},
        )
    )


@pytest.fixture
def org(db):
    """Two teams, each with a lead and two agents, one HR person and one leader."""
    red, blue = add_team(db, "Red"), add_team(db, "Blue")
    people = {
        "lead": add_person(db, Role.TEAM_LEAD, team_id=red),
        "ann": add_person(db, team_id=red, full_name="Ann Agent"),
        "bob": add_person(db, team_id=red, full_name="Bob Agent"),
        "other_lead": add_person(db, Role.TEAM_LEAD, team_id=blue),
        "cat": add_person(db, team_id=blue, full_name="Cat Agent"),
        "hr": add_person(db, Role.HR),
        "leader": add_person(db, Role.LEADERSHIP),
    }
    people["empathy"] = add_competency(db, "EMPATHY", "Empathy")
    people["red"], people["blue"] = red, blue
    return people


def session_data(employee_id: int, **changes) -> dict:
    data = {
        "employee_id": employee_id,
        "coached_on": TODAY - timedelta(days=2),
        "kind": "integrated",
        "minutes": 10,
        "shared_notes": "Summarise the next step before closing.",
        "private_notes": "Seems tired this week.",
        "follow_up": "Listen back to two calls.",
        "follow_up_due": TODAY + timedelta(days=7),
    }
    return {**data, **changes}


def record(db, coach, employee_id: int, **changes) -> int:
    return sessions.record_session(db, coach, session_data(employee_id, **changes), at=AT)


# -- recording ----------------------------------------------------------------------


def test_a_lead_records_a_session_for_their_team_and_it_is_audited(db, org):
    session_id = record(db, org["lead"], org["ann"].employee_id, competency_id=org["empathy"])
    seen = log.session(db, org["lead"], session_id)
    assert (seen.employee_name, seen.kind, seen.minutes, seen.competency_name) == (
        "Ann Agent",
        "integrated",
        10,
        "Empathy",
    )
    entry = db.query_one("SELECT actor_id, action, after_json FROM audit_log WHERE entity = 'coaching_session'")
    assert (entry["actor_id"], entry["action"]) == (org["lead"].employee_id, "create")
    assert "Seems tired" not in entry["after_json"]  # private notes stay out of the audit log


def test_a_lead_cannot_record_for_another_team(db, org):
    with pytest.raises(InputError, match="own team"):
        record(db, org["other_lead"], org["ann"].employee_id)
    assert db.scalar("SELECT count(*) FROM coaching_sessions") == 0


def test_an_agent_cannot_record_a_session(db, org):
    with pytest.raises(PermissionDeniedError):
        record(db, org["bob"], org["ann"].employee_id)


def test_hr_may_record_for_anyone(db, org):
    session_id = record(db, org["hr"], org["cat"].employee_id)
    assert log.session(db, org["hr"], session_id).employee_id == org["cat"].employee_id


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"coached_on": TODAY + timedelta(days=1)}, "Date"),
        ({"minutes": 0}, "Minutes"),
        ({"kind": "hallway"}, "Type"),
        ({"shared_notes": "  "}, "Notes shared with the person"),
        ({"follow_up_due": None}, "Follow-up due"),
        ({"follow_up": None}, "Follow-up action"),
        ({"follow_up_due": TODAY - timedelta(days=10)}, "Follow-up due"),
        ({"competency_id": 999}, "Competency focus"),
    ],
)
def test_bad_input_is_refused_naming_the_field(db, org, changes, field):
    with pytest.raises(InputError) as refused:
        record(db, org["lead"], org["ann"].employee_id, **changes)
    assert field in [name for name, _ in refused.value.problems]
    assert db.scalar("SELECT count(*) FROM coaching_sessions") == 0


def test_an_inactive_competency_is_not_a_focus(db, org):
    retired = add_competency(db, "OLD", "Old", active=False)
    with pytest.raises(InputError, match="catalogue"):
        record(db, org["lead"], org["ann"].employee_id, competency_id=retired)


def test_a_session_without_follow_up_is_fine(db, org):
    session_id = record(db, org["lead"], org["ann"].employee_id, follow_up=None, follow_up_due=None)
    assert log.session(db, org["lead"], session_id).follow_up is None


# -- editing ------------------------------------------------------------------------


def test_only_the_author_edits_and_a_stale_edit_is_refused(db, org):
    session_id = record(db, org["lead"], org["ann"].employee_id)
    with pytest.raises(InputError, match="only the coach"):
        sessions.update_session(db, org["hr"], session_id, session_data(org["ann"].employee_id), 1)
    sessions.update_session(db, org["lead"], session_id, session_data(org["ann"].employee_id, minutes=12), 1)
    assert log.session(db, org["lead"], session_id).minutes == 12
    with pytest.raises(StaleRecordError):
        sessions.update_session(db, org["lead"], session_id, session_data(org["ann"].employee_id, minutes=14), 1)
    assert log.session(db, org["lead"], session_id).minutes == 12


def test_changing_the_shared_part_asks_for_a_new_acknowledgement(db, org):
    ann = org["ann"]
    session_id = record(db, org["lead"], ann.employee_id)
    sessions.acknowledge_session(db, ann, session_id, at=AT)
    sessions.update_session(db, org["lead"], session_id, session_data(ann.employee_id, private_notes="Better now."), 1)
    assert log.session(db, ann, session_id).acknowledged_at is not None  # private notes are not the person's
    changed = session_data(ann.employee_id, private_notes="Better now.", shared_notes="New advice.")
    sessions.update_session(db, org["lead"], session_id, changed, 2)
    assert log.session(db, ann, session_id).acknowledged_at is None


# -- reading ------------------------------------------------------------------------


def test_the_agent_sees_the_shared_part_of_their_own_sessions_only(db, org):
    session_id = record(db, org["lead"], org["ann"].employee_id)
    record(db, org["lead"], org["bob"].employee_id)
    mine = log.my_sessions(db, org["ann"])
    assert [s.id for s in mine] == [session_id]
    assert mine[0].shared_notes == "Summarise the next step before closing."
    assert mine[0].private_notes is None
    assert log.sessions(db, org["ann"]) == mine  # the widest scope of an agent is themselves


def test_an_agent_reading_another_agents_coaching_is_refused(db, org):
    session_id = record(db, org["lead"], org["bob"].employee_id)
    with pytest.raises(PermissionDeniedError):
        log.session(db, org["ann"], session_id)
    with pytest.raises(PermissionDeniedError):
        log.sessions(db, org["ann"], employee_id=org["bob"].employee_id)


def test_another_lead_neither_reads_the_team_nor_its_private_notes(db, org):
    session_id = record(db, org["lead"], org["ann"].employee_id)
    with pytest.raises(PermissionDeniedError):
        log.session(db, org["other_lead"], session_id)
    assert log.sessions(db, org["other_lead"]) == []


def test_private_notes_reach_their_author_and_hr_only(db, org):
    session_id = record(db, org["lead"], org["ann"].employee_id)
    assert log.session(db, org["lead"], session_id).private_notes == "Seems tired this week."
    assert log.session(db, org["hr"], session_id).private_notes == "Seems tired this week."
    assert log.session(db, org["leader"], session_id).private_notes is None
    assert log.session(db, org["ann"], session_id).private_notes is None


def test_a_lead_reads_their_team_and_hr_and_leadership_everyone(db, org):
    red = record(db, org["lead"], org["ann"].employee_id)
    blue = record(db, org["other_lead"], org["cat"].employee_id)
    assert [s.id for s in log.sessions(db, org["lead"])] == [red]
    assert {s.id for s in log.sessions(db, org["hr"])} == {red, blue}
    assert {s.id for s in log.sessions(db, org["leader"])} == {red, blue}


# -- acknowledgement and follow-ups --------------------------------------------------


def test_the_person_acknowledges_each_session_once(db, org):
    ann = org["ann"]
    session_id = record(db, org["lead"], ann.employee_id)
    assert log.unacknowledged_count(db, ann) == 1
    with pytest.raises(InputError, match="only the person coached"):
        sessions.acknowledge_session(db, org["bob"], session_id)
    with pytest.raises(InputError, match="only the person coached"):
        sessions.acknowledge_session(db, org["lead"], session_id)
    sessions.acknowledge_session(db, ann, session_id, at=AT)
    assert log.session(db, ann, session_id).acknowledged_at == AT
    assert log.unacknowledged_count(db, ann) == 0
    with pytest.raises(InputError, match="already"):
        sessions.acknowledge_session(db, ann, session_id)
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'acknowledge'") == 1


def test_overdue_follow_ups_per_role_and_marking_one_done(db, org):
    due_past = {"coached_on": TODAY - timedelta(days=20), "follow_up_due": TODAY - timedelta(days=3)}
    ann_late = record(db, org["lead"], org["ann"].employee_id, **due_past)
    bob_late = record(db, org["lead"], org["bob"].employee_id, **due_past)
    cat_late = record(db, org["other_lead"], org["cat"].employee_id, **due_past)
    record(db, org["lead"], org["ann"].employee_id)  # due next week: not overdue

    def overdue(user) -> set[int]:
        return {s.id for s in log.overdue_follow_ups(db, user, TODAY)}

    assert overdue(org["lead"]) == {ann_late, bob_late}
    assert overdue(org["ann"]) == {ann_late}
    assert overdue(org["hr"]) == {ann_late, bob_late, cat_late}
    with pytest.raises(InputError, match="coach or the person"):
        sessions.complete_follow_up(db, org["bob"], ann_late)
    sessions.complete_follow_up(db, org["ann"], ann_late, at=AT)
    sessions.complete_follow_up(db, org["lead"], bob_late, at=AT)
    assert overdue(org["lead"]) == set()
    with pytest.raises(InputError, match="already"):
        sessions.complete_follow_up(db, org["lead"], bob_late)


def test_coachable_people_are_the_leads_own_team(db, org):
    names = {p["full_name"] for p in log.coachable_people(db, org["lead"])}
    assert names == {"Ann Agent", "Bob Agent"}
    assert log.coachable_people(db, org["ann"]) == []
    assert "Cat Agent" in {p["full_name"] for p in log.coachable_people(db, org["hr"])}
