"""The HR CSV import: people created or updated from a file, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.access import PermissionDeniedError, Role
from models.auth import load_user
from models.people import directory, hr_csv, hr_import

HEADER = "employee_number,full_name,email,team,site,manager_number,hire_date,roles"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def counts(db) -> tuple[int, int, int, int, int]:
    return (
        db.scalar("SELECT count(*) FROM employees"),
        db.scalar("SELECT count(*) FROM teams"),
        db.scalar("SELECT count(*) FROM sites"),
        db.scalar("SELECT count(*) FROM employee_roles"),
        db.scalar("SELECT count(*) FROM audit_log"),
    )


def errors_of(report: hr_import.ImportReport) -> list[tuple[int | None, str | None]]:
    return [(problem.row, problem.column) for problem in report.errors]


def by_number(db, hr, number: str) -> directory.Employee:
    matches = directory.directory(db, hr, search=number, include_inactive=True)
    (found,) = [person for person in matches if person.employee_number == number]
    return found


@pytest.fixture
def hr(make_user):
    return make_user(Role.HR)


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


# -- happy path ---------------------------------------------------------------------------
def test_import_creates_people_with_teams_sites_and_a_manager_defined_later(db, hr):
    report = hr_import.import_people_csv(
        db,
        hr,
        csv_bytes(
            "E2,Alan Turing,Alan.Turing@Example.org,Harbour,Sydney,E1,2025/7/14,agent",
            "E1,Ada Lovelace,ada@example.org,Harbour,Sydney,,2023-02-01,",
        ),
    )
    assert report.imported and report.errors == []
    assert (report.created, report.teams_created, report.sites_created) == (["E2", "E1"], ["Harbour"], ["Sydney"])

    alan = by_number(db, hr, "E2")
    assert (alan.full_name, alan.email, alan.team_name, alan.site_name) == (
        "Alan Turing",
        "alan.turing@example.org",
        "Harbour",
        "Sydney",
    )
    assert (alan.manager_name, str(alan.hire_date)) == ("Ada Lovelace", "2025-07-14")


def test_import_writes_one_audit_entry_per_person_and_a_summary(db, hr):
    hr_import.import_people_csv(db, hr, hr_csv.import_template_csv())
    rows = db.query("SELECT entity, action, actor_id FROM audit_log WHERE actor_id = ? ORDER BY id", [hr.employee_id])
    assert [(r["entity"], r["action"]) for r in rows] == [
        ("site", "create"),
        ("team", "create"),
        ("employee", "create"),
        ("employee", "create"),
        ("employee_import", "import"),
    ]


def test_the_template_file_matches_the_download_and_imports_cleanly(db, hr):
    sample = Path(__file__).resolve().parents[1] / "data" / "people_import_template.csv"
    assert sample.read_bytes() == hr_csv.import_template_csv()
    report = hr_import.import_people_csv(db, hr, sample.read_bytes())
    assert report.imported and len(report.created) == 2


def test_reimport_updates_instead_of_duplicating(db, hr):
    hr_import.import_people_csv(db, hr, hr_csv.import_template_csv())
    before = counts(db)[0]

    again = hr_import.import_people_csv(db, hr, hr_csv.import_template_csv())
    assert (again.created, again.updated, again.unchanged) == ([], [], ["E1001", "E1002"])

    changed = hr_import.import_people_csv(
        db, hr, csv_bytes("E1002,Alan M. Turing,alan.turing@example.org,Bletchley,,,,", header=HEADER)
    )
    assert (changed.created, changed.updated) == ([], ["E1002"])
    assert counts(db)[0] == before
    alan = by_number(db, hr, "E1002")
    assert (alan.full_name, alan.team_name, alan.version) == ("Alan M. Turing", "Bletchley", 2)
    # cells left empty keep what was stored
    assert (alan.site_name, alan.manager_name, str(alan.hire_date)) == ("Sydney", "Ada Lovelace", "2025-07-14")


def test_an_update_may_give_only_some_columns(db, hr, make_user):
    person = make_user(full_name="Old Name")
    number = db.scalar("SELECT employee_number FROM employees WHERE id = ?", [person.employee_id])
    report = hr_import.import_people_csv(db, hr, csv_bytes(f"{number},New Name", header="employee_number,name"))
    assert report.updated == [number]
    assert load_user(db, employee_id=person.employee_id).full_name == "New Name"


def test_team_and_site_names_match_whatever_their_case(db, hr):
    hr_import.import_people_csv(db, hr, hr_csv.import_template_csv())
    report = hr_import.import_people_csv(
        db, hr, csv_bytes("E3,Grace Hopper,grace@example.org,HARBOUR team,sydney,E1001,,agent")
    )
    assert (report.teams_created, report.sites_created) == ([], [])
    assert by_number(db, hr, "E3").team_name == "Harbour Team"


def test_semicolon_files_with_a_bom_and_crlf_import(db, admin):
    data = "\ufeffemployee_number;name;email;roles\r\nE5;Joan Clarke;joan@example.org;moderator, team lead\r\n"
    report = hr_import.import_people_csv(db, admin, data.encode("utf-8"))
    assert report.created == ["E5"]
    joan = by_number(db, admin, "E5")
    assert joan.roles == ["moderator", "team_lead"]


# -- roles --------------------------------------------------------------------------------
def test_admin_imports_roles(db, admin):
    report = hr_import.import_people_csv(
        db, admin, csv_bytes("E7,Lead Person,lead@example.org,,,,,team_lead;moderator")
    )
    assert report.imported
    assert by_number(db, admin, "E7").roles == ["moderator", "team_lead"]


def test_hr_may_not_assign_roles_through_the_import(db, hr):
    before = counts(db)
    report = hr_import.import_people_csv(db, hr, csv_bytes("E7,Lead Person,lead@example.org,,,,,leadership"))
    assert errors_of(report) == [(2, "roles")]
    assert "administrator" in report.errors[0].reason
    assert counts(db) == before


def test_hr_may_reimport_roles_unchanged(db, hr, admin):
    hr_import.import_people_csv(db, admin, csv_bytes("E7,Lead Person,lead@example.org,,,,,team_lead"))
    report = hr_import.import_people_csv(db, hr, csv_bytes("E7,Lead Person,lead@example.org,,,,,team_lead"))
    assert report.imported and report.unchanged == ["E7"]


def test_hr_may_not_change_an_administrators_email_through_the_import(db, hr, admin):
    hr_import.import_people_csv(db, admin, csv_bytes("E7,Ada Admin,ada@example.org,,,,,admin"))
    before = counts(db)
    report = hr_import.import_people_csv(db, hr, csv_bytes("E7,,hr-elsewhere@example.org,,,,,"))
    assert errors_of(report) == [(2, "email")]
    assert "Ada Admin holds a role you do not hold (admin)" in report.errors[0].reason
    assert counts(db) == before
    renamed = hr_import.import_people_csv(db, hr, csv_bytes("E7,Ada Renamed,ada@example.org,,,,,"))
    assert renamed.updated == ["E7"]
    moved = hr_import.import_people_csv(db, admin, csv_bytes("E7,,it@example.org,,,,,"))
    assert moved.updated == ["E7"] and by_number(db, admin, "E7").email == "it@example.org"


def test_admin_removes_roles_by_listing_only_agent(db, admin):
    hr_import.import_people_csv(db, admin, csv_bytes("E7,Lead Person,lead@example.org,,,,,team_lead"))
    report = hr_import.import_people_csv(db, admin, csv_bytes("E7,,,,,,,agent"))
    assert report.updated == ["E7"]
    assert by_number(db, admin, "E7").roles == []


# -- each kind of bad row is named with its row and column --------------------------------
@pytest.mark.parametrize(
    ("row", "column", "reason_part"),
    [
        (",No Number,nn@example.org,,,,,", "employee_number", "required"),
        ("E1,,nn@example.org,,,,,", "full_name", "required"),
        ("E1,No Email,,,,,,", "email", "required"),
        ("E1,Bad Email,not-an-email,,,,,", "email", "email address"),
        ("E1 X,Spaced Number,sn@example.org,,,,,", "employee_number", "letters, digits"),
        ("E1," + "x" * 121 + ",long@example.org,,,,,", "full_name", "at most 120"),
        ("E1,Long Team,lt@example.org," + "t" * 81 + ",,,,", "team", "at most 80"),
        ("E1,Bad Date,bd@example.org,,,,14/07/2025,", "hire_date", "YYYY-MM-DD"),
        ("E1,No Such Day,nd@example.org,,,,2025-02-30,", "hire_date", "not a real date"),
        ("E1,Future,fu@example.org,,,,2999-01-01,", "hire_date", "future"),
        ("E1,Too Early,te@example.org,,,,1899-12-31,", "hire_date", "before 1900-01-01"),
        ("E1,Formula Email,=a@example.org,,,,,", "email", "email address"),
        ("E1,Plus Email,+a@example.org,,,,,", "email", "email address"),
        ("E1,Dotted Email,a..b@example.org,,,,,", "email", "email address"),
        ("E1,No Domain,a@example,,,,,", "email", "email address"),
        ("E1,Unknown Role,ur@example.org,,,,,wizard", "roles", "unknown role 'wizard'"),
        ("E1,No Boss,nb@example.org,,,E404,,", "manager_number", "no employee E404"),
        ("E1,Own Boss,ob@example.org,,,E1,,", "manager_number", "cannot manage themselves"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_stored(db, hr, row, column, reason_part):
    good = "E0,Good Person,good@example.org,Harbour,Sydney,,2024-01-01,"
    before = counts(db)
    report = hr_import.import_people_csv(db, hr, csv_bytes(good, row))
    assert not report.imported
    assert errors_of(report) == [(3, column)]
    assert reason_part in report.errors[0].reason
    assert counts(db) == before


def test_duplicates_within_the_file_name_the_earlier_row(db, hr):
    report = hr_import.import_people_csv(
        db,
        hr,
        csv_bytes(
            "E1,One,one@example.org,,,,,",
            "E2,Two,ONE@example.org,,,,,",
            "E1,Again,again@example.org,,,,,",
        ),
    )
    assert [(p.row, p.column, p.reason) for p in report.errors] == [
        (3, "email", "one@example.org is also on row 2"),
        (4, "employee_number", "E1 is also on row 2"),
    ]


def test_an_email_of_another_existing_person_is_refused(db, hr, make_user):
    existing = make_user()
    report = hr_import.import_people_csv(db, hr, csv_bytes(f"E1,Copycat,{existing.email},,,,,"))
    assert errors_of(report) == [(2, "email")]
    assert "already used by employee" in report.errors[0].reason


def test_a_manager_loop_is_refused_on_every_row_in_it(db, hr):
    report = hr_import.import_people_csv(
        db,
        hr,
        csv_bytes(
            "E1,One,one@example.org,,,E2,,",
            "E2,Two,two@example.org,,,E3,,",
            "E3,Three,three@example.org,,,E1,,",
        ),
    )
    assert errors_of(report) == [(2, "manager_number"), (3, "manager_number"), (4, "manager_number")]
    assert "E1 → E2 → E3 → E1" in report.errors[0].reason


def test_an_inactive_manager_is_refused(db, hr, make_user):
    boss = make_user()
    directory.set_active(db, hr, boss.employee_id, False)
    boss_number = db.scalar("SELECT employee_number FROM employees WHERE id = ?", [boss.employee_id])
    report = hr_import.import_people_csv(db, hr, csv_bytes(f"E1,One,one@example.org,,,{boss_number},,"))
    assert errors_of(report) == [(2, "manager_number")]
    assert "inactive" in report.errors[0].reason


def test_a_stored_manager_who_left_does_not_block_updating_their_reports(db, hr):
    hr_import.import_people_csv(db, hr, hr_csv.import_template_csv())
    directory.set_active(db, hr, by_number(db, hr, "E1001").id, False)
    report = hr_import.import_people_csv(db, hr, csv_bytes("E1002,Alan M. Turing", header="employee_number,name"))
    assert report.imported and report.updated == ["E1002"]


def test_errors_use_the_column_heading_of_the_file(db, hr):
    report = hr_import.import_people_csv(db, hr, csv_bytes("E1,,x@example.org", header="Employee Number,Name,Email"))
    assert errors_of(report) == [(2, "Name")]


def test_row_numbers_count_blank_lines_as_a_spreadsheet_does(db, hr):
    data = csv_bytes("E1,One,one@example.org,,,,,", "", "E2,Two,bad,,,,,")
    assert errors_of(hr_import.import_people_csv(db, hr, data)) == [(4, "email")]


def test_columns_without_a_heading_are_ignored(db, hr):
    report = hr_import.import_people_csv(db, hr, b"employee_number,name,email,,\nE1,Ada,ada@example.org,,\n")
    assert report.created == ["E1"]


def test_a_row_with_too_many_values_is_refused(db, hr):
    report = hr_import.import_people_csv(db, hr, csv_bytes("E1,One,one@example.org", header="employee_number,name"))
    assert [(p.row, p.reason) for p in report.errors] == [(2, "the row has 3 values but the header has 2 columns")]


def test_all_or_nothing_one_bad_row_among_many_stores_nothing(db, hr):
    rows = [f"N{i},Person {i},p{i}@example.org,Team {i % 3},Site {i % 2},,2020-01-01," for i in range(200)]
    rows[150] = "N150,Person 150,broken-email,,,,,"
    before = counts(db)
    report = hr_import.import_people_csv(db, hr, csv_bytes(*rows))
    assert errors_of(report) == [(152, "email")]
    assert (report.created, report.teams_created) == ([], [])
    assert counts(db) == before


# -- whole-file problems ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "reason_part"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (HEADER.encode() + b"\n", "no people"),
        (b"full_name,email\nAda,ada@example.org\n", "no 'employee_number' column"),
        (b"employee_number,emial\nE1,x@example.org\n", "Unknown column 'emial'"),
        (b"employee_number,name,full_name\nE1,A,B\n", "appears twice"),
        (HEADER.encode() + b"\nE1,Jos\xe9,jose@example.org,,,,,\n", "not UTF-8"),
    ],
)
def test_unreadable_files_get_a_clear_message_and_store_nothing(db, hr, data, reason_part):
    before = counts(db)
    report = hr_import.import_people_csv(db, hr, data)
    assert [problem.row for problem in report.errors] == [None]
    assert reason_part in report.errors[0].reason
    assert counts(db) == before


def test_a_file_above_the_row_limit_is_refused(db, hr, monkeypatch):
    monkeypatch.setattr(hr_csv, "IMPORT_MAX_ROWS", 3)
    rows = [f"N{i},Person {i},p{i}@example.org,,,,," for i in range(4)]
    report = hr_import.import_people_csv(db, hr, csv_bytes(*rows))
    assert "more than 3 people" in report.errors[0].reason
    assert report.created == []


def test_only_people_managers_may_import(db, make_user):
    with pytest.raises(PermissionDeniedError):
        hr_import.import_people_csv(db, make_user(Role.LEADERSHIP), hr_csv.import_template_csv())


def test_preview_shows_the_first_rows_under_the_files_headings(db):
    rows, problem = hr_csv.preview_people_csv(hr_csv.import_template_csv(), limit=1)
    assert problem is None
    assert rows == [
        {
            "row": "2",
            "employee_number": "E1001",
            "full_name": "Ada Lovelace",
            "email": "ada.lovelace@example.org",
            "team": "Harbour Team",
            "site": "Sydney",
            "manager_number": "",
            "hire_date": "2023-02-01",
            "roles": "agent",
        }
    ]
    assert hr_csv.preview_people_csv(b"\xff\xfe\x00")[1].startswith("The file is not UTF-8")


def test_one_upload_reports_every_problem_of_a_row(db, make_user):
    hr = make_user(Role.HR)
    data = b"employee_number,full_name,email,manager_number,hire_date,roles\nE1,,ada.bad,E9999,2020-13-45,wizard\n"
    report = hr_import.import_people_csv(db, hr, data)
    columns = {problem.column for problem in report.errors if problem.row == 2}
    assert columns >= {"full_name", "email", "manager_number", "hire_date", "roles"}
    assert db.scalar("SELECT count(*) FROM employees WHERE employee_number = 'E1'") == 0
