"""The audit log: each write leaves who, when, what, and the record before and after."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models import audit
from models.access import PermissionDeniedError, Role
from models.people import directory


def test_an_update_records_actor_entity_and_before_after(db, make_user):
    hr = make_user(Role.HR, full_name="Hanna HR")
    person = directory.get_employee(db, make_user(full_name="Old Name").employee_id)
    directory.update_employee(
        db,
        hr,
        person.id,
        {"employee_number": person.employee_number, "full_name": "New Name", "email": person.email},
        expected_version=person.version,
    )
    entry = db.query_one(
        "SELECT * FROM audit_log WHERE entity = 'employee' AND action = 'update' ORDER BY id DESC LIMIT 1"
    )
    assert entry["actor_name"] == "Hanna HR" and entry["actor_id"] == hr.employee_id
    assert entry["entity_id"] == str(person.id)
    assert '"full_name": "Old Name"' in entry["before_json"]
    assert '"full_name": "New Name"' in entry["after_json"]
    assert entry["occurred_at"] is not None


def test_a_refused_write_leaves_no_audit_entry(db, make_user):
    agent = make_user()
    before = db.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(PermissionDeniedError):
        directory.create_team(db, agent, "Sneaky team", None)
    assert db.scalar("SELECT count(*) FROM audit_log") == before


def test_search_filters_by_entity_actor_and_date(db, make_user):
    admin = make_user(Role.ADMIN, Role.HR)
    hr = make_user(Role.HR)
    directory.create_team(db, admin, "Team by admin", None)
    directory.create_site(db, hr, "Site by HR")
    teams = audit.search(db, admin, entity="team")
    assert [e.after["name"] for e in teams] == ["Team by admin"]
    by_hr = audit.search(db, admin, actor_id=hr.employee_id)
    assert {e.entity for e in by_hr} == {"site"}
    assert audit.search(db, admin, since=date.today() + timedelta(days=1)) == []
    assert len(audit.search(db, admin, since=date.today(), until=date.today())) >= 2


def test_only_admins_read_the_audit_log(db, make_user):
    with pytest.raises(PermissionDeniedError):
        audit.search(db, make_user(Role.LEADERSHIP, Role.HR))


def test_values_that_json_cannot_hold_are_still_recorded(db):
    db.write(lambda c: audit.record(c, None, "thing", 1, "create", after={"when": date(2026, 1, 2), "s": {2, 1}}))
    assert db.scalar("SELECT after_json FROM audit_log WHERE entity = 'thing'") == '{"s": [1, 2], "when": "2026-01-02"}'


def test_the_audit_log_reads_a_change_as_the_fields_it_changed():
    before = {"status": "in_progress", "title": "Call back within a day", "due_date": "2026-03-01", "version": 2}
    after = {"status": "done", "title": "Call back within a day", "due_date": "2026-03-01", "version": 3}
    assert audit.changed_fields(before, after) == ["Status: in progress → done", "Version: 2 → 3"]


def test_a_created_record_lists_its_fields_in_words_with_times_to_the_minute():
    lines = audit.changed_fields(None, {"giver_id": 29, "given_at": "2026-11-28T16:14:00", "hidden_reason": None})
    assert lines == ["Giver ID: 29", "Given at: 2026-11-28 16:14", "Hidden reason: —"]
    assert audit.code_label("kudos_received") == "Kudos received"
