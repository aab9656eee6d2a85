"""The LMS import of completions: column mapping, per-row report, both modes, duplicates,
files by email or employee number, CSV and XLSX, hostile values, historic dates closing the
assignments open at the time, interrupted batches and permissions."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from models import areas
from models.access import PermissionDeniedError, Role
from models.db import Database, insert_with_new_id, utc_now
from models.errors import InputError
from models.training import lms_import
from models.training.lms_fields import suggest_mapping, template_csv
from models.training.lms_import import ImportMode, LmsImportRejectedError

HEADER = ["Employee number", "Email", "Course code", "Completed at", "Score", "Passed"]
TODAY = utc_now().date()


def add_course(db: Database, code: str) -> int:
    """A course straight into the catalogue (the import only needs its code)."""
    now = utc_now()
    return db.write(
        lambda c: insert_with_new_id(
            c,
            "courses",
            "INSERT INTO courses (id, code, title, description, format, hours, due_within_days, created_at,"
            " updated_at) VALUES (?, ?, ?, 'A course for the import tests.', 'e_learning', 1, 30, ?, ?)",
            [code, f"Course {code}", now, now],
        )
    )


def add_assignment(db: Database, employee_id: int, course_id: int, assigned_on: date, due_on: date) -> int:
    now = utc_now()
    return db.write(
        lambda c: insert_with_new_id(
            c,
            "training_assignments",
            "INSERT INTO training_assignments (id, employee_id, course_id, assigned_on, due_on, mandatory, reason,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, true, 'bulk', ?, ?)",
            [employee_id, course_id, assigned_on, due_on, now, now],
        )
    )


def set_hire_date(db: Database, employee_id: int, hired: date) -> None:
    db.write(lambda c: c.execute("UPDATE employees SET hire_date = ? WHERE id = ?", [hired, employee_id]))


def number_of(db: Database, employee_id: int) -> str:
    return db.scalar("SELECT employee_number FROM employees WHERE id = ?", [employee_id])


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run_import(db, actor, path: Path, mode=ImportMode.VALID_ROWS, **options):
    source = lms_import.open_export(path)
    try:
        mapping = suggest_mapping(source.columns)
        return lms_import.import_completions(db, actor, source, mapping, mode, **options)
    finally:
        source.close()


def completions(db: Database) -> list[tuple]:
    return db.query(
        "SELECT employee_id, course_id, completed_on, score, passed, source FROM training_completions"
        " ORDER BY employee_id, completed_on"
    )


@pytest.fixture
def org(db, make_user):
    hr = make_user(Role.HR)
    ann = make_user(Role.AGENT)
    bob = make_user(Role.AGENT)
    course = add_course(db, "LMS-LISTEN")
    return hr, ann, bob, course


def test_every_problem_of_a_row_is_named_with_its_row_number_and_column(db, org, tmp_path):
    hr, ann, bob, course = org
    set_hire_date(db, bob.employee_id, date(2022, 6, 1))
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    rows = [
        [number_of(db, ann.employee_id), "", "LMS-LISTEN", "2024-03-05", "91", "Yes"],  # 1: fine
        ["X-404", "", "LMS-LISTEN", "2024-03-05", "", ""],  # 2: unknown person by number
        ["", "nobody@example.org", "LMS-LISTEN", "2024-03-05", "", ""],  # 3: unknown person by email
        [number_of(db, ann.employee_id), "", "NO-SUCH-COURSE", "2024-03-05", "", ""],  # 4: unknown course
        [number_of(db, ann.employee_id), "", "LMS-LISTEN", tomorrow, "", ""],  # 5: in the future
        [number_of(db, bob.employee_id), "", "LMS-LISTEN", "2021-01-04", "", ""],  # 6: before hire
        [number_of(db, ann.employee_id), "", "LMS-LISTEN", "2024-03-06", "150", ""],  # 7: score out of range
        [number_of(db, ann.employee_id), "", "LMS-LISTEN", "2024-03-07", "ninety", ""],  # 8: score unreadable
        [number_of(db, ann.employee_id), "", "LMS-LISTEN", "2024-03-08", "", "maybe"],  # 9: passed unreadable
        [number_of(db, ann.employee_id), "", "LMS-LISTEN", "", "", ""],  # 10: date missing
        [number_of(db, ann.employee_id), "", "LMS-LISTEN", "not a date", "", ""],  # 11: date unreadable
        [number_of(db, ann.employee_id), "", "", "2024-03-09", "", ""],  # 12: course missing
        ["", "", "LMS-LISTEN", "2024-03-09", "", ""],  # 13: person missing
        [number_of(db, ann.employee_id), bob.email, "LMS-LISTEN", "2024-03-10", "", ""],  # 14: two people
    ]
    report = run_import(db, hr, write_csv(tmp_path / "lms.csv", rows))
    problems = {r.record: (r.column, r.reason) for r in report.rejections}
    assert report.imported == 1 and report.rejected_rows == 13
    expected = {
        2: ("Employee number", "unknown person"),
        3: ("Email", "unknown person"),
        4: ("Course code", "unknown course"),
        5: ("Completed at", "in the future"),
        6: ("Completed at", "before the person's hire date (2022-06-01)"),
        7: ("Score", "out of range"),
        8: ("Score", "not a number"),
        9: ("Passed", "use Yes or No"),
        10: ("Completed at", "missing"),
        11: ("Completed at", "not a date"),
        12: ("Course code", "missing"),
        13: ("Employee number / Email", "missing"),
        14: ("Employee number / Email", "two different people"),
    }
    for row, (column, reason) in expected.items():
        assert problems[row][0] == column, row
        assert reason in problems[row][1], row
    assert 1 not in problems
    assert report.rejections_frame().columns.tolist() == ["row", "column", "reason", "value"]


def test_all_or_nothing_stores_nothing_when_a_row_is_invalid(db, org, tmp_path):
    hr, ann, _, _ = org
    rows = [
        [number_of(db, ann.employee_id), "", "LMS-LISTEN", "2024-03-05", "91", "Yes"],
        [number_of(db, ann.employee_id), "", "LMS-LISTEN", "2024-03-06", "101", "Yes"],
    ]
    with pytest.raises(LmsImportRejectedError) as refused:
        run_import(db, hr, write_csv(tmp_path / "lms.csv", rows), ImportMode.ALL_OR_NOTHING)
    assert "1 of 2 rows are invalid; nothing was imported" in str(refused.value)
    assert "row 2, Score" in str(refused.value)
    assert refused.value.report.rejections[0].record == 2
    assert completions(db) == []
    assert db.scalar("SELECT count(*) FROM training_imports") == 0


def test_valid_rows_mode_stores_the_valid_rows_and_records_the_batch(db, org, tmp_path):
    hr, ann, bob, course = org
    rows = [
        [number_of(db, ann.employee_id), "", "lms-listen", "2024-03-05", "91", "Yes"],
        [number_of(db, bob.employee_id), "", "LMS-LISTEN", "2024-03-06", "101", "Yes"],
    ]
    report = run_import(db, hr, write_csv(tmp_path / "lms.csv", rows))
    assert (report.imported, report.rejected_rows, report.stored) == (1, 1, True)
    stored = completions(db)
    assert [(r["employee_id"], r["course_id"], r["completed_on"], float(r["score"])) for r in stored] == [
        (ann.employee_id, course, date(2024, 3, 5), 91.0)
    ]
    assert stored[0]["source"] == "import"
    batch = db.query_one("SELECT * FROM training_imports WHERE id = ?", [report.import_id])
    assert (batch["status"], batch["rows_read"], batch["rows_imported"], batch["rows_rejected"]) == (
        "completed",
        2,
        1,
        1,
    )
    entry = db.query_one("SELECT actor_id, action FROM audit_log WHERE entity = 'training_import'")
    assert entry == {"actor_id": hr.employee_id, "action": "import"}


def test_importing_the_same_file_again_adds_nothing_and_counts_duplicates(db, org, tmp_path):
    hr, ann, bob, _ = org
    rows = [
        [number_of(db, ann.employee_id), "", "LMS-LISTEN", "2024-03-05", "91", "Yes"],
        [number_of(db, bob.employee_id), "", "LMS-LISTEN", "2024-03-06 09:15", "", ""],
        [number_of(db, bob.employee_id), "", "LMS-LISTEN", "2024-03-06 17:40", "", ""],  # same person, course, day
    ]
    path = write_csv(tmp_path / "lms.csv", rows)
    first = run_import(db, hr, path)
    assert (first.imported, first.repeated_in_file, first.already_present) == (2, 1, 0)
    again = run_import(db, hr, path)
    assert (again.imported, again.duplicates, again.rows_read) == (0, 3, 3)
    assert again.already_present == 2
    assert len(completions(db)) == 2


def test_a_person_is_found_by_employee_number_or_by_email_alike(db, org, tmp_path):
    hr, ann, _, _ = org
    by_number = write_csv(
        tmp_path / "numbers.csv",
        [[number_of(db, ann.employee_id), "LMS-LISTEN", "2024-03-05"]],
        ["User ID", "Course ID", "Completion Date"],
    )
    by_email = write_csv(
        tmp_path / "emails.csv",
        [[ann.email.upper(), "LMS-LISTEN", "05/03/2024"]],
        ["Email Address", "Course ID", "Completed On"],
    )
    assert run_import(db, hr, by_number).imported == 1
    second = run_import(db, hr, by_email, date_order="DMY")
    assert (second.imported, second.already_present) == (0, 1)
    assert [r["employee_id"] for r in completions(db)] == [ann.employee_id]


def test_an_xlsx_export_with_date_cells_and_a_status_column_imports(db, org, tmp_path):
    hr, ann, bob, _ = org
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Learning report", None])
    sheet.append(["Employee ID", "Course ID", "Completion Date", "Score", "Status"])
    sheet.append([number_of(db, ann.employee_id), "LMS-LISTEN", datetime(2023, 11, 2, 14, 5), 88, "Passed"])
    sheet.append([number_of(db, bob.employee_id), "LMS-LISTEN", datetime(2023, 11, 3), 40.5, "Failed"])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    report = run_import(db, hr, path)
    assert report.imported == 2
    stored = {r["employee_id"]: (r["completed_on"], r["passed"]) for r in completions(db)}
    assert stored == {ann.employee_id: (date(2023, 11, 2), True), bob.employee_id: (date(2023, 11, 3), False)}


def test_a_score_shown_as_a_percentage_in_a_workbook_imports_as_the_percentage_shown(db, org, tmp_path):
    hr, ann, bob, _ = org
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Employee number", "Course", "Completed on", "Score"])
    sheet.append([number_of(db, ann.employee_id), "LMS-LISTEN", "2024-03-05", 0.92])
    sheet.append([number_of(db, bob.employee_id), "LMS-LISTEN", "2024-03-05", 0.795])
    sheet["D2"].number_format = "0%"
    sheet["D3"].number_format = "0.0%"
    path = tmp_path / "scores.xlsx"
    workbook.save(path)
    report = run_import(db, hr, path)
    assert report.imported == 2
    stored = {r["employee_id"]: (r["score"], r["passed"]) for r in completions(db)}
    assert stored == {ann.employee_id: (92, True), bob.employee_id: (79.5, False)}  # the pass mark is 80


def test_passed_is_derived_from_the_score_and_the_pass_mark_when_the_file_does_not_say(db, org, tmp_path):
    hr, ann, bob, _ = org
    carol_course = add_course(db, "LMS-EMPATHY")
    rows = [
        [number_of(db, ann.employee_id), "LMS-LISTEN", "2024-03-05", "79.5"],
        [number_of(db, bob.employee_id), "LMS-LISTEN", "2024-03-05", "80%"],
        [number_of(db, ann.employee_id), "LMS-EMPATHY", "2024-03-05", ""],
    ]
    run_import(db, hr, write_csv(tmp_path / "scores.csv", rows, ["Employee number", "Course", "Completed on", "Score"]))
    passed = {(r["employee_id"], r["course_id"]): r["passed"] for r in completions(db)}
    assert passed[(ann.employee_id, org[3])] is False  # below the pass mark of 80
    assert passed[(bob.employee_id, org[3])] is True
    assert passed[(ann.employee_id, carol_course)] is True  # no score: completed is passed


def test_a_pass_mark_outside_0_to_100_is_refused(db, org, tmp_path):
    hr, ann, _, _ = org
    path = write_csv(tmp_path / "lms.csv", [[number_of(db, ann.employee_id), "", "LMS-LISTEN", "2024-03-05", "", ""]])
    with pytest.raises(InputError) as refused:
        run_import(db, hr, path, pass_mark=120)
    assert refused.value.problems[0][0] == "Pass mark"


def test_day_first_dates_are_read_in_the_order_their_values_fit_and_a_tie_must_be_chosen(db, org, tmp_path):
    hr, ann, bob, _ = org
    day_first = [
        [number_of(db, ann.employee_id), "", "LMS-LISTEN", "29/03/2024", "", ""],
        [number_of(db, bob.employee_id), "", "LMS-LISTEN", "04/03/2024", "", ""],
    ]
    source = lms_import.open_export(write_csv(tmp_path / "dmy.csv", day_first))
    guess = lms_import.date_order_guess(source, suggest_mapping(source.columns))
    assert guess.order == "DMY" and "day/month/year" in guess.describe()
    source.close()
    run_import(db, hr, tmp_path / "dmy.csv")
    assert {r["completed_on"] for r in completions(db)} == {date(2024, 3, 29), date(2024, 3, 4)}

    tied = write_csv(tmp_path / "tied.csv", [[number_of(db, ann.employee_id), "", "LMS-LISTEN", "05/06/2023", "", ""]])
    with pytest.raises(InputError) as refused:
        run_import(db, hr, tied)
    assert refused.value.problems[0][0] == "Completed at"
    assert run_import(db, hr, tied, date_order="MDY").imported == 1
    assert date(2023, 5, 6) in {r["completed_on"] for r in completions(db)}


def test_hostile_values_are_rejected_rows_with_reasons_and_never_a_traceback(db, org, tmp_path):
    hr, ann, _, _ = org
    number = number_of(db, ann.employee_id)
    rows = [
        [number, "", '=HYPERLINK("http://evil.example","x")', "2024-03-05", "", ""],
        [number, "", "LMS-LISTEN", "2024-03-05", "1e309", ""],
        [number, "", "LMS-LISTEN", "2024-03-06", "9" * 400, ""],
        [number, "", "LMS-LISTEN", "2024-03-07", "nan", ""],
        [number, "", "LMS-LISTEN", "9999-99-99", "", ""],
        [number + "\x07", "", "LMS-LISTEN\x1b", "2024-03-08", "", ""],  # control characters are removed
    ]
    report = run_import(db, hr, write_csv(tmp_path / "hostile.csv", rows))
    problems = {r.record: (r.column, r.reason, r.value) for r in report.rejections}
    assert problems[1][:2] == ("Course code", "unknown course: no course has this code")
    assert problems[1][2].startswith("=HYPERLINK")
    assert all(problems[row][0] == "Score" for row in (2, 3, 4))
    assert problems[5][0] == "Completed at"
    assert report.imported == 1 and 6 not in problems


@pytest.mark.parametrize(
    ("content", "field", "words"),
    [
        (b"", "File", "empty"),
        (",".join(HEADER).encode() + b"\n", "File", "no completions"),
        (b"Name,Colour\nAnn,blue\n", "File", "none of its columns can be used"),
        (b"Course code,Completed at\nLMS-LISTEN,2024-03-05\n", "Employee number or email", "required"),
        (b"\x00\x01binary", "File", "NUL"),
    ],
)
def test_files_that_cannot_be_imported_are_refused_naming_the_problem(db, org, tmp_path, content, field, words):
    hr = org[0]
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as refused:
        run_import(db, hr, path)
    assert refused.value.problems[0][0] == field
    assert words in refused.value.problems[0][1]
    assert completions(db) == []


def test_a_historic_completion_closes_the_assignment_open_at_its_date_and_not_a_later_one(db, org, make_user, tmp_path):
    hr, ann, bob, course = org
    carol = make_user(Role.AGENT)
    open_then = add_assignment(db, ann.employee_id, course, date(2019, 1, 10), date(2019, 2, 10))
    made_after = add_assignment(db, bob.employee_id, course, date(2023, 1, 10), date(2023, 2, 10))
    cancelled_later = add_assignment(db, carol.employee_id, course, date(2019, 1, 10), date(2019, 2, 10))
    db.write(
        lambda c: c.execute(
            "UPDATE training_assignments SET status = 'cancelled', cancelled_at = TIMESTAMP '2019-06-01 10:00'"
            " WHERE id = ?",
            [cancelled_later],
        )
    )
    rows = [
        [number_of(db, ann.employee_id), "", "LMS-LISTEN", "2019-03-05", "90", "Yes"],
        [number_of(db, bob.employee_id), "", "LMS-LISTEN", "2019-03-05", "90", "Yes"],
        [number_of(db, carol.employee_id), "", "LMS-LISTEN", "2019-03-05", "90", "Yes"],
    ]
    run_import(db, hr, write_csv(tmp_path / "history.csv", rows))
    status = {
        row["id"]: (row["status"], row["completion_id"] is not None)
        for row in db.query("SELECT id, status, completion_id FROM training_assignments")
    }
    assert status[open_then] == ("completed", True)
    assert status[made_after] == ("open", False)
    assert status[cancelled_later] == ("completed", True)  # it was open on the day it was completed
    assert {r["completed_on"] for r in completions(db)} == {date(2019, 3, 5)}


def test_a_batch_left_running_by_a_killed_import_is_removed_with_its_completions_on_open(db, org, tmp_path):
    hr, ann, _, course = org
    kept = run_import(
        db,
        hr,
        write_csv(tmp_path / "ok.csv", [[number_of(db, ann.employee_id), "", "LMS-LISTEN", "2024-01-05", "", ""]]),
    )
    now = utc_now()

    def killed(connection):  # what a process killed while committing can leave: the batch and some rows
        connection.execute(
            "INSERT INTO training_imports (id, file_name, file_sha256, mode, status, started_at)"
            " VALUES (99, 'cut-short.csv', 'x', 'valid_rows', 'running', ?)",
            [now],
        )
        connection.execute(
            "INSERT INTO training_completions (employee_id, course_id, completed_on, passed, source, import_id,"
            " recorded_at) VALUES (?, ?, DATE '2024-02-01', true, 'import', 99, ?)",
            [ann.employee_id, course, now],
        )

    db.write(killed)
    areas.on_open(db)
    assert db.scalar("SELECT count(*) FROM training_imports WHERE id = 99") == 0
    assert [r["completed_on"] for r in completions(db)] == [date(2024, 1, 5)]
    assert db.scalar("SELECT status FROM training_imports WHERE id = ?", [kept.import_id]) == "completed"
    removal = db.query_one("SELECT entity_id, action FROM audit_log WHERE action = 'remove_incomplete'")
    assert removal == {"entity_id": "99", "action": "remove_incomplete"}
    assert lms_import.remove_interrupted_imports(db) == []


def test_a_failure_while_storing_marks_the_batch_failed_and_keeps_nothing(db, org, tmp_path, monkeypatch):
    hr, ann, _, _ = org

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(lms_import, "store_completions", broken)
    path = write_csv(tmp_path / "lms.csv", [[number_of(db, ann.employee_id), "", "LMS-LISTEN", "2024-03-05", "", ""]])
    with pytest.raises(RuntimeError):
        run_import(db, hr, path)
    assert db.scalar("SELECT status FROM training_imports") == "failed"
    assert completions(db) == []


def test_only_hr_may_import_or_preview(db, org, tmp_path):
    _, ann, _, _ = org
    path = write_csv(tmp_path / "lms.csv", [[number_of(db, ann.employee_id), "", "LMS-LISTEN", "2024-03-05", "", ""]])
    with pytest.raises(PermissionDeniedError):
        run_import(db, ann, path)
    source = lms_import.open_export(path)
    with pytest.raises(PermissionDeniedError):
        lms_import.preview(db, ann, source, suggest_mapping(source.columns))
    source.close()
    assert completions(db) == [] and db.scalar("SELECT count(*) FROM training_imports") == 0


def test_the_preview_names_the_person_and_the_problem_of_each_row(db, org, tmp_path):
    hr, ann, _, _ = org
    rows = [
        [number_of(db, ann.employee_id), "", "LMS-LISTEN", "2024-03-05", "70", ""],
        ["X-404", "", "LMS-LISTEN", "2024-03-05", "", ""],
    ]
    source = lms_import.open_export(write_csv(tmp_path / "lms.csv", rows))
    frame = lms_import.preview(db, hr, source, suggest_mapping(source.columns))
    source.close()
    assert frame["person"].tolist()[0] == ann.full_name
    assert not frame["passed"].tolist()[0]  # 70 is below the pass mark
    assert frame["problem"].tolist()[0] == ""
    assert "unknown person" in frame["problem"].tolist()[1]
    assert completions(db) == []


def test_the_template_imports_once_its_people_and_courses_exist(db, org, tmp_path):
    hr = org[0]
    path = tmp_path / "template.csv"
    path.write_bytes(template_csv())
    source = lms_import.open_export(path)
    assert set(suggest_mapping(source.columns)) == {
        "employee_number",
        "email",
        "course_code",
        "completed_at",
        "score",
        "passed",
    }
    source.close()
    report = run_import(db, hr, path)
    assert report.rows_read == 2 and {r.column for r in report.rejections} >= {"Employee number", "Email"}
