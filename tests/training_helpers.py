"""What the training tests share: a person added the way HR adds one, course lookups by code, and
training records written straight into the schema, so the compliance rules can be tested on small
crafted data sets with exact dates."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time

from models.access import CurrentUser
from models.db import Database, insert_row
from models.people import directory
from models.training.courses import course_by_code

_numbers = itertools.count(1)
_codes = itertools.count(1)
CREATED = datetime(2020, 1, 1, 9)


def join(db: Database, hr: CurrentUser, *, team_id: int | None = None, hire_date: date | None = None) -> int:
    """A new person added through the directory, as HR does (the training rules run)."""
    number = next(_numbers)
    return directory.create_employee(
        db,
        hr,
        {
            "employee_number": f"J{number:05d}",
            "full_name": f"Joiner {number}",
            "email": f"joiner{number}@example.org",
            "team_id": team_id,
            "hire_date": hire_date or date(2020, 1, 6),
        },
    )


def course_id(db: Database, code: str) -> int:
    course = course_by_code(db, code)
    assert course is not None, code
    return course.id


def open_courses(db: Database, employee_id: int) -> list[str]:
    """Codes of the courses a person holds open assignments of."""
    rows = db.query(
        "SELECT c.code FROM training_assignments a JOIN courses c ON c.id = a.course_id"
        " WHERE a.employee_id = ? AND a.status = 'open' ORDER BY c.code",
        [employee_id],
    )
    return [row["code"] for row in rows]


def add_course(
    db: Database, *, refresher_months: int | None = None, title: str | None = None, due_within_days: int = 30
) -> int:
    number = next(_codes)

    def insert(connection):
        return insert_row(
            connection,
            "courses",
            {
                "code": f"TEST-{number:03d}",
                "title": title or f"Test course {number}",
                "description": "A course of the test data set.",
                "format": "e_learning",
                "hours": 1,
                "due_within_days": due_within_days,
                "refresher_months": refresher_months,
                "created_at": CREATED,
                "updated_at": CREATED,
            },
        )

    return db.write(insert)


def assign(
    db: Database,
    employee_id: int,
    course_id: int,
    *,
    assigned_on: date,
    due_on: date,
    mandatory: bool = True,
    reason: str = "bulk",
) -> int:
    def insert(connection):
        return insert_row(
            connection,
            "training_assignments",
            {
                "employee_id": employee_id,
                "course_id": course_id,
                "assigned_on": assigned_on,
                "due_on": due_on,
                "mandatory": mandatory,
                "reason": reason,
                "created_at": CREATED,
                "updated_at": CREATED,
            },
        )

    return db.write(insert)


def complete(
    db: Database,
    employee_id: int,
    course_id: int,
    completed_on: date,
    *,
    closes: int | None = None,
    passed: bool = True,
    score: float | None = 90,
) -> int:
    """A completion (expiring after the course's refresher months), closing assignment ``closes``."""

    def insert(connection):
        months = connection.execute("SELECT refresher_months FROM courses WHERE id = ?", [course_id]).fetchone()[0]
        expires_on = None
        if months is not None:
            expires_on = connection.execute(
                "SELECT CAST(?::DATE + to_months(?) AS DATE)", [completed_on, months]
            ).fetchone()[0]
        completion_id = insert_row(
            connection,
            "training_completions",
            {
                "employee_id": employee_id,
                "course_id": course_id,
                "completed_on": completed_on,
                "score": score,
                "passed": passed,
                "expires_on": expires_on,
                "source": "manual",
                "recorded_at": CREATED,
            },
        )
        if closes is not None:
            connection.execute(
                "UPDATE training_assignments SET status = 'completed', completion_id = ? WHERE id = ?",
                [completion_id, closes],
            )
        return completion_id

    return db.write(insert)


def cancel(db: Database, assignment_id: int, on: date) -> None:
    db.write(
        lambda connection: connection.execute(
            "UPDATE training_assignments SET status = 'cancelled', cancelled_at = ?, cancel_reason = 'not needed'"
            " WHERE id = ?",
            [datetime.combine(on, time(12)), assignment_id],
        )
    )


def set_employment(db: Database, employee_id: int, *, hired: date | None = None, left: date | None = None) -> None:
    db.write(
        lambda connection: connection.execute(
            "UPDATE employees SET hire_date = coalesce(?, hire_date), active = ? IS NULL,"
            " deactivated_at = CAST(? AS TIMESTAMP) WHERE id = ?",
            [hired, left, left, employee_id],
        )
    )
