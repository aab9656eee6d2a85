"""What the training tests share: a person added the way HR adds one, course lookups by code."""

from __future__ import annotations

import itertools
from datetime import date

from models.access import CurrentUser
from models.db import Database
from models.people import directory
from models.training.courses import course_by_code

_numbers = itertools.count(1)


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
