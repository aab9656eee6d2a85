"""Service standards, mystery audits and their compliance, and the finding made from a
standard failing repeatedly (models/standards, rules 1–4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.access import PermissionDeniedError, Role
from models.complaints import findings
from models.db import insert_row
from models.errors import InputError, StaleRecordError
from models.standards import audit_import, audits, compliance, register
from tests.conftest import add_person

TODAY = date.today()
MONTH_AGO = TODAY - timedelta(days=30)


@pytest.fixture
def org(db):
    red = db.write(lambda c: insert_row(c, "teams", {"name": "Red"}))
    blue = db.write(lambda c: insert_row(c, "teams", {"name": "Blue"}))
    people = {
        "db": db,
        "red": red,
        "blue": blue,
        "leader": add_person(db, Role.LEADERSHIP),
        "analyst": add_person(db, Role.ANALYST),
        "hr": add_person(db, Role.HR),
        "red_lead": add_person(db, Role.TEAM_LEAD, team_id=red),
        "blue_lead": add_person(db, Role.TEAM_LEAD, team_id=blue),
        "ann": add_person(db, team_id=red, full_name="Ann Agent"),
        "bob": add_person(db, team_id=red, full_name="Bob Agent"),
    }
    leader = people["leader"]
    people["email"] = register.add_standard(
        db,
        leader,
        {
            "code": "EMAIL-1H",
            "title": "Acknowledge an email within an hour",
            "expectation": "Every customer email gets a personal acknowledgement within one working hour.",
            "measurable_target": "95 % within 60 minutes",
            "channels": ["Email"],
            "owner_id": leader.employee_id,
        },
    )
    people["callback"] = register.add_standard(
        db,
        leader,
        {
            "code": "XFER-CB",
            "title": "After a transfer, the first rep calls back",
            "expectation": "If you transfer the customer, you call them back to check it was solved.",
            "channels": ["Phone"],
            "owner_id": leader.employee_id,
        },
    )
    people["checklist"] = audits.create_checklist(
        db,
        people["analyst"],
        {"name": "Monthly mystery call", "items": [(people["email"], "pass_fail"), (people["callback"], "score")]},
    )
    return people


def _audit(org, *, email: bool, callback: int, team: str = "red", agent: str | None = None, day: date = MONTH_AGO):
    return audits.record_audit(
        org["db"],
        org["analyst"],
        {
            "checklist_id": org["checklist"],
            "audited_on": day,
            "channel": "Phone",
            "team_id": org[team],
            "agent_id": org[agent].employee_id if agent else None,
            "results": {org["email"]: email, org["callback"]: callback},
            "notes": f"Audit {email} {callback} {team} {agent} {day}",
        },
    )


def test_everyone_reads_the_register_and_only_leadership_edits_it(org):
    agent = org["ann"]
    assert [s.code for s in register.list_standards(org["db"], agent)] == ["EMAIL-1H", "XFER-CB"]
    with pytest.raises(PermissionDeniedError):
        register.add_standard(org["db"], agent, {"code": "X1", "title": "Mine", "expectation": "x", "owner_id": 1})
    with pytest.raises(PermissionDeniedError):
        register.update_standard(org["db"], org["analyst"], org["email"], {}, 1)


def test_an_edit_is_a_new_version_and_the_old_one_is_kept(org):
    db, leader = org["db"], org["leader"]
    standard = register.get_standard(db, leader, org["email"])
    data = standard.model_dump(include=set(register.StandardInput.model_fields))
    register.update_standard(db, leader, standard.id, {**data, "measurable_target": "98 % within 60 minutes"}, 1)
    history = register.standard_history(db, org["ann"], standard.id)
    assert [(h["version"], h["measurable_target"]) for h in history] == [
        (2, "98 % within 60 minutes"),
        (1, "95 % within 60 minutes"),
    ]
    with pytest.raises(StaleRecordError):
        register.update_standard(db, leader, standard.id, {**data, "title": "Someone else's edit"}, 1)
    register.update_standard(db, leader, standard.id, {**data, "active": False}, 2)
    assert [s.code for s in register.list_standards(db, org["ann"])] == ["XFER-CB"]


def test_bad_standard_input_names_the_field(org):
    with pytest.raises(InputError) as error:
        register.add_standard(
            org["db"],
            org["leader"],
            {"code": "EMAIL-1H", "title": "Dup", "expectation": "x", "channels": ["Fax"], "owner_id": 1},
        )
    assert "Channels" in str(error.value)


def test_compliance_counts_the_checks_that_complied_per_standard_team_and_month(org):
    _audit(org, email=True, callback=5)
    _audit(org, email=False, callback=4)
    _audit(org, email=False, callback=2)
    _audit(org, email=True, callback=3, team="blue")
    frame = compliance.compliance(org["db"], org["leader"], MONTH_AGO - timedelta(days=1), TODAY)
    cells = {
        (row["code"], row["team"]): (row["checks"], row["complied"], row["compliance"]) for _, row in frame.iterrows()
    }
    assert cells[("EMAIL-1H", "Red")] == (3, 1, 33.3)
    assert cells[("XFER-CB", "Red")] == (3, 2, 66.7)  # a score of 4 or 5 complies
    assert cells[("XFER-CB", "Blue")] == (1, 0, 0.0)


def test_a_standard_failing_repeatedly_becomes_a_finding_with_its_audits_as_evidence(org):
    failed = [_audit(org, email=False, callback=5, day=MONTH_AGO - timedelta(days=n)) for n in range(3)]
    _audit(org, email=True, callback=5)
    start = MONTH_AGO - timedelta(days=60)
    failing = compliance.failing_standards(org["db"], org["analyst"], start, TODAY)
    assert [row["code"] for row in failing] == ["EMAIL-1H"]
    finding_id = compliance.finding_from_standard(org["db"], org["analyst"], org["email"], start, TODAY)
    finding = findings.get_finding(org["db"], org["analyst"], finding_id)
    assert "EMAIL-1H" in finding.title
    assert finding.snapshot["mystery_audits"]["failed"] == 3
    evidence = compliance.finding_evidence(org["db"], org["analyst"], finding_id)
    assert len(evidence) == 3 and not evidence["complies"].any()
    assert sorted(finding.snapshot["mystery_audits"]["audits"]) == sorted(failed)
    with pytest.raises(InputError):  # passing standard: nothing to make a finding of
        compliance.finding_from_standard(org["db"], org["analyst"], org["callback"], start, TODAY)


def test_only_analysts_make_a_finding_from_a_standard(org):
    for days in range(3):
        _audit(org, email=False, callback=5, day=MONTH_AGO - timedelta(days=days))
    with pytest.raises(PermissionDeniedError):
        compliance.finding_from_standard(org["db"], org["leader"], org["email"], MONTH_AGO, TODAY)


def test_an_audit_of_a_named_agent_is_seen_by_them_their_lead_hr_and_leadership_only(org):
    audit_id = _audit(org, email=True, callback=5, agent="ann")
    for reader in ("ann", "red_lead", "hr", "leader"):
        assert audits.get_audit(org["db"], org[reader], audit_id)["agent"] == "Ann Agent"
        assert audit_id in [row["id"] for row in audits.list_audits(org["db"], org[reader])]
    for outsider in ("bob", "blue_lead", "analyst"):
        with pytest.raises(PermissionDeniedError):
            audits.get_audit(org["db"], org[outsider], audit_id)
        assert audit_id not in [row["id"] for row in audits.list_audits(org["db"], org[outsider])]


def test_a_team_audit_is_seen_by_analysts_and_that_teams_lead_not_by_agents(org):
    audit_id = _audit(org, email=True, callback=5)
    assert audits.get_audit(org["db"], org["analyst"], audit_id)["team"] == "Red"
    assert audits.get_audit(org["db"], org["red_lead"], audit_id)["team"] == "Red"
    for outsider in ("ann", "blue_lead"):
        with pytest.raises(PermissionDeniedError):
            audits.get_audit(org["db"], org[outsider], audit_id)


def test_agents_do_not_read_compliance_and_do_not_record_audits(org):
    with pytest.raises(PermissionDeniedError):
        compliance.compliance(org["db"], org["ann"], MONTH_AGO, TODAY)
    with pytest.raises(PermissionDeniedError):
        audits.record_audit(org["db"], org["leader"], {})
    with pytest.raises(PermissionDeniedError):
        audits.create_checklist(org["db"], org["red_lead"], {"name": "Mine", "items": [(org["email"], "score")]})


def test_a_result_that_does_not_fit_its_scale_is_refused_naming_the_standard(org):
    with pytest.raises(InputError) as error:
        audits.record_audit(
            org["db"],
            org["analyst"],
            {
                "checklist_id": org["checklist"],
                "audited_on": MONTH_AGO,
                "channel": "Phone",
                "team_id": org["red"],
                "results": {org["callback"]: 7},
            },
        )
    assert error.value.problems == [("XFER-CB", "give a score from 1 to 5")]
    assert org["db"].scalar("SELECT count(*) FROM mystery_audits") == 0


def test_every_audit_write_is_in_the_audit_log(org):
    audit_id = _audit(org, email=True, callback=5)
    entities = {row["entity"] for row in org["db"].query("SELECT entity FROM audit_log WHERE action = 'create'")}
    assert {"service_standard", "audit_checklist", "mystery_audit"} <= entities
    assert (
        org["db"].scalar(
            "SELECT count(*) FROM audit_log WHERE entity = 'mystery_audit' AND entity_id = ?", [str(audit_id)]
        )
        == 1
    )


# -- the CSV import ---------------------------------------------------------------------------
def _csv(*rows: str) -> str:
    return "date,channel,team,agent,notes,EMAIL-1H,XFER-CB\n" + "\n".join(rows) + "\n"


def test_an_import_stores_every_row_and_adds_nothing_twice(org):
    ann_number = org["db"].scalar("SELECT employee_number FROM employees WHERE id = ?", [org["ann"].employee_id])
    day = MONTH_AGO.isoformat()
    content = _csv(f"{day},Phone,Red,{ann_number},Fine,pass,5", f"{day},Email,Blue,,Slow,fail,")
    report = audit_import.import_audits(org["db"], org["analyst"], org["checklist"], content)
    assert (report.imported, report.duplicates, report.rejected) == (2, 0, [])
    again = audit_import.import_audits(org["db"], org["analyst"], org["checklist"], content)
    assert (again.imported, again.duplicates) == (0, 2)
    assert org["db"].scalar("SELECT count(*) FROM mystery_audits") == 2
    assert org["db"].scalar("SELECT count(*) FROM mystery_audit_results") == 3  # an empty cell: not checked


def test_an_import_with_a_bad_row_stores_nothing_and_names_row_column_and_reason(org):
    day = MONTH_AGO.isoformat()
    content = _csv(
        f"{day},Phone,Red,,ok,pass,5",
        f"{day},Phone,Green,,ok,pass,5",
        f"{day},Phone,Red,nobody@example.org,ok,pass,5",
        f"{day},Phone,Red,,ok,maybe,5",
        f"{day},Phone,Red,,ok,pass,9",
        f"{(TODAY + timedelta(days=3)).isoformat()},Phone,Red,,ok,pass,5",
    )
    report = audit_import.import_audits(org["db"], org["analyst"], org["checklist"], content)
    assert report.imported == 0
    assert [(row, column) for row, column, _ in report.rejected] == [
        (3, "team"),
        (4, "agent"),
        (5, "EMAIL-1H"),
        (6, "XFER-CB"),
        (7, "date"),
    ]
    assert org["db"].scalar("SELECT count(*) FROM mystery_audits") == 0


def test_an_import_without_the_needed_columns_is_refused(org):
    with pytest.raises(InputError) as error:
        audit_import.import_audits(org["db"], org["analyst"], org["checklist"], "day,team\n2024-01-01,Red\n")
    assert "channel" in str(error.value)
    with pytest.raises(PermissionDeniedError):
        audit_import.import_audits(org["db"], org["red_lead"], org["checklist"], _csv())
