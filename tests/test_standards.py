"""Service standards, mystery audits and their compliance, and the finding made from a
standard failing repeatedly (models/standards, rules 1–4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.access import PermissionDeniedError, Role
from models.complaints import findings
from models.complaints.dates import DateOrder
from models.complaints.importer import ImportMode
from models.db import insert_row
from models.errors import InputError, StaleRecordError
from models.standards import audit_fields, audit_import, audits, compliance, register
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


# -- the file import -------------------------------------------------------------------------
HEADER = "Audit ID,Date,Channel,Team,Agent,Standard,Result,Notes"


def _file(*rows: str, header: str = HEADER):
    return audit_import.open_upload(("\n".join([header, *rows]) + "\n").encode(), "audits.csv")


def _import(org, source, mode=ImportMode.ALL_OR_NOTHING, **options):
    mapping = audit_fields.suggest_mapping(source.columns)
    return audit_import.import_audits(org["db"], org["analyst"], org["checklist"], source, mapping, mode, **options)


def _number(org, person: str) -> str:
    return org["db"].scalar("SELECT employee_number FROM employees WHERE id = ?", [org[person].employee_id])


def test_an_import_stores_each_audit_once_and_a_second_import_adds_nothing(org):
    day = MONTH_AGO.isoformat()
    rows = (
        f"MS-1,{day},Phone,Red,{_number(org, 'ann')},EMAIL-1H,pass,Polite",
        f"MS-1,{day},Phone,Red,{_number(org, 'ann')},XFER-CB,2,No call back",
        f",{day},Email,Blue,,Acknowledge an email within an hour,fail,",  # no Audit ID; standard by title
    )
    report = _import(org, _file(*rows))
    assert (report.imported, report.already_present, report.rejected_rows, report.audits_in_file) == (2, 0, 0, 2)
    again = _import(org, _file(*rows))
    assert (again.imported, again.already_present) == (0, 2)
    assert org["db"].scalar("SELECT count(*) FROM mystery_audits") == 2
    assert org["db"].scalar("SELECT count(*) FROM mystery_audit_results") == 3
    opened = audits.get_audit(org["db"], org["ann"], audits.list_audits(org["db"], org["ann"])[0]["id"])
    assert {(r["code"], r["complies"]) for r in opened["results"]} == {("EMAIL-1H", True), ("XFER-CB", False)}


def test_an_audit_id_already_imported_is_a_duplicate_even_with_other_notes(org):
    day = MONTH_AGO.isoformat()
    _import(org, _file(f"MS-7,{day},Phone,Red,,EMAIL-1H,pass,first"))
    report = _import(org, _file(f"MS-7,{day},Phone,Red,,EMAIL-1H,pass,edited later"))
    assert (report.imported, report.already_present) == (0, 1)


def test_a_row_repeated_in_the_file_counts_once(org):
    row = f",{MONTH_AGO.isoformat()},Phone,Red,,EMAIL-1H,pass,same"
    report = _import(org, _file(row, row))
    assert (report.imported, report.repeated_in_file, report.rejected_rows) == (1, 1, 0)


def test_each_bad_row_is_named_by_row_column_and_reason_and_nothing_is_stored(org):
    day = MONTH_AGO.isoformat()
    source = _file(
        f"A1,{day},Phone,Red,,EMAIL-1H,pass,ok",
        f"A2,{day},Phone,Green,,EMAIL-1H,pass,ok",
        f"A3,{day},Phone,Red,nobody@example.org,EMAIL-1H,pass,ok",
        f"A4,{day},Phone,Red,,NO-SUCH,pass,ok",
        f"A5,{day},Phone,Red,,EMAIL-1H,maybe,ok",
        f"A6,{day},Phone,Red,,XFER-CB,9,ok",
        f"A7,{(TODAY + timedelta(days=3)).isoformat()},Phone,Red,,EMAIL-1H,pass,ok",
    )
    with pytest.raises(audit_import.AuditImportRejectedError) as refused:
        _import(org, source)
    report = refused.value.report
    problems = {(r.record, r.column): r.reason for r in report.rejections}
    assert list(problems) == [(2, "Team"), (3, "Agent"), (4, "Standard"), (5, "Result"), (6, "Result"), (7, "Date")]
    assert "unknown team" in problems[(2, "Team")]
    assert "unknown agent" in problems[(3, "Agent")]
    assert "unknown standard" in problems[(4, "Standard")]
    assert "pass or fail" in problems[(5, "Result")] and "1 to 5" in problems[(6, "Result")]
    assert "future" in problems[(7, "Date")]
    assert report.rejected_rows == 6 and not report.stored
    assert org["db"].scalar("SELECT count(*) FROM mystery_audits") == 0


def test_valid_rows_mode_stores_whole_valid_audits_and_lists_the_rest(org):
    day = MONTH_AGO.isoformat()
    source = _file(
        f"B1,{day},Phone,Red,,EMAIL-1H,pass,ok",
        f"B2,{day},Phone,Red,,EMAIL-1H,pass,ok",
        f"B2,{day},Phone,Red,,XFER-CB,7,ok",
    )
    report = _import(org, source, ImportMode.VALID_ROWS)
    assert (report.imported, report.rejected_rows) == (1, 2)
    assert [(r.record, r.column) for r in report.rejections] == [(2, "Row"), (3, "Result")]
    assert org["db"].scalar("SELECT list(external_id) FROM mystery_audits") == ["B1"]


def test_rows_of_one_audit_id_that_disagree_are_rejected(org):
    day, other = MONTH_AGO.isoformat(), (MONTH_AGO - timedelta(days=1)).isoformat()
    source = _file(f"C1,{day},Phone,Red,,EMAIL-1H,pass,", f"C1,{other},Phone,Red,,XFER-CB,4,")
    report = _import(org, source, ImportMode.VALID_ROWS)
    assert report.imported == 0
    assert {r.column for r in report.rejections} == {"Audit ID"}


def test_day_first_dates_are_read_in_the_order_chosen(org):
    source = _file("D1,03/04/2025,Phone,Red,,EMAIL-1H,pass,", "D2,25/04/2025,Phone,Red,,EMAIL-1H,fail,")
    mapping = audit_fields.suggest_mapping(source.columns)
    assert audit_import.date_order_guess(source, mapping).order == DateOrder.DMY
    _import(org, source, date_order=DateOrder.DMY)
    assert org["db"].scalar("SELECT list(audited_on ORDER BY audited_on) FROM mystery_audits") == [
        date(2025, 4, 3),
        date(2025, 4, 25),
    ]


def test_a_shoppers_own_column_names_are_mapped_and_previewed(org):
    header = "Visit ID,Visit date,Touchpoint,Unit,Employee,Question,Outcome,Remarks"
    source = _file(f"E1,{MONTH_AGO.isoformat()},Chat,Blue,,XFER-CB,5,fine", header=header)
    mapping = audit_fields.suggest_mapping(source.columns)
    assert set(mapping) == {field.key for field in audit_fields.AUDIT_FIELDS}
    frame = audit_import.preview(org["db"], org["analyst"], org["checklist"], source, mapping)
    assert frame.loc[0, ["team", "standard", "result", "problem"]].tolist() == ["Blue", "XFER-CB", "5", ""]


def test_an_unusable_mapping_names_the_missing_field(org):
    source = _file(f"{MONTH_AGO.isoformat()},Red", header="day,team")
    with pytest.raises(InputError) as error:
        audit_import.import_audits(org["db"], org["analyst"], org["checklist"], source, {"team": "team"})
    assert {field for field, _ in error.value.problems} >= {"Date", "Channel", "Standard", "Result"}


def test_only_analysts_import_audits(org):
    source = _file(f"F1,{MONTH_AGO.isoformat()},Phone,Red,,EMAIL-1H,pass,")
    mapping = audit_fields.suggest_mapping(source.columns)
    for person in ("red_lead", "ann"):
        with pytest.raises(PermissionDeniedError):
            audit_import.import_audits(org["db"], org[person], org["checklist"], source, mapping)
        with pytest.raises(PermissionDeniedError):
            audit_import.preview(org["db"], org[person], org["checklist"], source, mapping)
        with pytest.raises(PermissionDeniedError):
            audit_import.recent_imports(org["db"], org[person])
    assert org["db"].scalar("SELECT count(*) FROM mystery_audits") == 0


def test_imported_audits_count_in_compliance_and_the_import_is_audited(org):
    day = MONTH_AGO.isoformat()
    _import(org, _file(f"G1,{day},Phone,Red,,EMAIL-1H,fail,", f"G2,{day},Phone,Red,,EMAIL-1H,pass,"))
    frame = compliance.compliance(org["db"], org["analyst"], MONTH_AGO, TODAY)
    row = frame[frame["code"] == "EMAIL-1H"].iloc[0]
    assert (row["checks"], row["complied"], row["compliance"]) == (2, 1, 50.0)
    assert org["db"].scalar("SELECT count(*) FROM audit_log WHERE entity = 'mystery_audit_import'") == 1
