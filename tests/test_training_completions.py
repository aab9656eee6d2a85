"""Completions with their true dates: recording by hand and its refusals, store_completions'
duplicates and expiry, the closing rule at its boundaries, and batches of rows imported at once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pyarrow as pa
import pytest

from models.access import PermissionDeniedError, Role
from models.errors import InputError
from models.people import directory
from models.training import assignments
from models.training.completions import (
    COMPLETION_ROWS,
    CompletionInput,
    import_completion_rows,
    record_completion,
    store_completions,
)
from tests.training_helpers import course_id

ASSIGNED = date(2023, 5, 10)


@pytest.fixture
def hr(make_user):
    return make_user(Role.HR)


@pytest.fixture
def person(make_user):
    return make_user().employee_id  # added without the rules: holds nothing


@pytest.fixture
def patience(db):
    return course_id(db, "CS-PATIENCE")  # no refresher


def assign(db, hr, person, course, *, on: date = ASSIGNED) -> int:
    result = assignments.assign_courses(
        db, hr, course, [person], due_on=None, at=datetime.combine(on, datetime.min.time())
    )
    return result.assignment_ids[0]


def store(db, person, course, day: date, *, passed: bool = True, at: datetime | None = None, hr=None):
    item = CompletionInput(
        employee_id=person, course_id=course, completed_on=day, score=80 if passed else 40, passed=passed
    )
    return db.write(
        lambda c: store_completions(
            c, [item], source="import", import_id=None, recorded_by=None, at=at or datetime(2025, 1, 1)
        )
    )


def state(db, assignment_id: int) -> str:
    return db.scalar("SELECT status FROM training_assignments WHERE id = ?", [assignment_id])


# -- the closing rule at its boundaries ----------------------------------------------------------
def test_a_completion_on_the_day_of_the_assignment_closes_it(db, hr, person, patience):
    made = assign(db, hr, person, patience)
    store(db, person, patience, ASSIGNED)
    assert state(db, made) == "completed"


def test_a_completion_the_day_before_the_assignment_does_not_close_it(db, hr, person, patience):
    made = assign(db, hr, person, patience)
    store(db, person, patience, ASSIGNED - timedelta(days=1))
    assert state(db, made) == "open"


def test_a_failed_attempt_does_not_close_and_the_later_pass_does(db, hr, person, patience):
    made = assign(db, hr, person, patience)
    store(db, person, patience, ASSIGNED + timedelta(days=3), passed=False)
    assert state(db, made) == "open"
    store(db, person, patience, ASSIGNED + timedelta(days=9))
    closing_day = db.scalar(
        "SELECT c.completed_on FROM training_assignments a JOIN training_completions c ON c.id = a.completion_id"
        " WHERE a.id = ?",
        [made],
    )
    assert (state(db, made), closing_day) == ("completed", ASSIGNED + timedelta(days=9))


def test_a_completion_after_the_cancellation_does_not_close_it(db, hr, person, patience):
    made = assign(db, hr, person, patience)
    assignments.cancel_assignment(db, hr, made, "Moved to the back office", at=datetime(2023, 6, 1, 12))
    store(db, person, patience, date(2023, 6, 1))
    assert state(db, made) == "cancelled"


def test_a_completion_before_the_cancellation_imported_later_completes_it(db, hr, person, patience):
    made = assign(db, hr, person, patience)
    assignments.cancel_assignment(db, hr, made, "Thought not done", at=datetime(2023, 6, 1, 12))
    store(db, person, patience, date(2023, 5, 31))
    row = db.query_one("SELECT status, cancel_reason FROM training_assignments WHERE id = ?", [made])
    assert row == {"status": "completed", "cancel_reason": "Thought not done"}


def test_a_historic_import_closes_the_assignment_open_on_its_date_and_no_other(db, hr, person, patience):
    first = assign(db, hr, person, patience, on=date(2022, 1, 10))
    assignments.cancel_assignment(db, hr, first, "Wrong course", at=datetime(2022, 2, 1, 9))
    second = assign(db, hr, person, patience, on=date(2023, 3, 1))

    store(db, person, patience, date(2023, 4, 2), at=datetime(2026, 1, 5))  # imported years later

    assert (state(db, first), state(db, second)) == ("cancelled", "completed")
    assert db.scalar("SELECT count(*) FROM training_open_assignments WHERE employee_id = ?", [person]) == 0
    assert (
        assignments.assign_courses(db, hr, patience, [person], due_on=None).skipped_count(assignments.SKIP_VALID) == 1
    )


# -- store_completions ------------------------------------------------------------------------
def test_storing_the_same_completion_twice_adds_it_once(db, person, patience):
    assert store(db, person, patience, date(2024, 2, 2)).inserted == 1
    again = store(db, person, patience, date(2024, 2, 2))
    assert (again.inserted, again.duplicates) == (0, 1)
    assert db.scalar("SELECT count(*) FROM training_completions WHERE employee_id = ?", [person]) == 1


def test_a_pass_expires_after_the_courses_refresher_months_and_a_fail_never_counts(db, person):
    listening = course_id(db, "CS-ACTIVE-LISTENING")  # 12 months
    store(db, person, listening, date(2024, 2, 29))
    store(db, person, listening, date(2024, 3, 5), passed=False)
    rows = db.query(
        "SELECT completed_on, expires_on FROM training_completions WHERE employee_id = ? ORDER BY completed_on",
        [person],
    )
    assert [r["expires_on"] for r in rows] == [date(2025, 2, 28), None]


def test_a_large_batch_is_stored_in_one_go(db, make_user, patience):
    people = [make_user().employee_id for _ in range(3)]
    items = [
        CompletionInput(
            employee_id=people[i % 3],
            course_id=patience,
            completed_on=date(2020, 1, 1) + timedelta(days=i // 3),
            passed=True,
        )
        for i in range(30_000)
    ]
    stored = db.write(
        lambda c: store_completions(
            c, items, source="import", import_id=None, recorded_by=None, at=datetime(2025, 1, 1)
        )
    )
    assert (stored.inserted, stored.duplicates) == (30_000, 0)


# -- recording by hand -------------------------------------------------------------------------
def test_hr_records_a_completion_with_its_true_date_and_it_is_audited(db, hr, person, patience):
    made = assign(db, hr, person, patience)
    completion = record_completion(
        db,
        hr,
        {"employee_id": person, "course_id": patience, "completed_on": "2023-05-20", "score": 91, "passed": True},
    )
    assert db.scalar("SELECT completed_on FROM training_completions WHERE id = ?", [completion]) == date(2023, 5, 20)
    assert state(db, made) == "completed"
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'training_completion' AND action = 'record'") == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"completed_on": date.today() + timedelta(days=1)}, "Completed on"),
        ({"completed_on": "2009-12-31"}, "Completed on"),  # before the hire date
        ({"score": 101}, "Score"),
        ({"score": -1}, "Score"),
        ({"employee_id": 99_999}, "Person"),
        ({"course_id": 99_999}, "Course"),
    ],
)
def test_a_bad_completion_is_refused_naming_the_field(db, hr, patience, overrides, field):
    person = directory.create_employee(
        db,
        hr,
        {"employee_number": "H1", "full_name": "Hired Later", "email": "h1@example.org", "hire_date": "2010-01-04"},
    )
    data = {"employee_id": person, "course_id": patience, "completed_on": "2023-01-01", "score": 80, "passed": True}
    with pytest.raises(InputError) as refused:
        record_completion(db, hr, {**data, **overrides})
    assert field in {name for name, _ in refused.value.problems}
    assert db.scalar("SELECT count(*) FROM training_completions") == 0


def test_the_same_completion_by_hand_twice_is_refused(db, hr, person, patience):
    data = {"employee_id": person, "course_id": patience, "completed_on": "2023-01-01", "passed": True}
    record_completion(db, hr, data)
    with pytest.raises(InputError, match="already recorded"):
        record_completion(db, hr, data)


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD])
def test_agents_and_team_leads_may_not_record_completions(db, make_user, person, patience, role):
    with pytest.raises(PermissionDeniedError):
        record_completion(
            db,
            make_user(role),
            {"employee_id": person, "course_id": patience, "completed_on": "2023-01-01", "passed": True},
        )
    assert db.scalar("SELECT count(*) FROM training_completions") == 0


# -- a batch of rows ---------------------------------------------------------------------------
def rows(*completions: tuple) -> pa.Table:
    """Completion rows (person, course, day, score, passed) as the batch import takes them."""
    return pa.table(
        dict(zip(COMPLETION_ROWS.names, zip(*completions, strict=True), strict=True)), schema=COMPLETION_ROWS
    )


def test_a_batch_of_rows_is_stored_closes_what_it_closes_and_is_audited_once(db, hr, person, patience):
    made = assign(db, hr, person, patience)
    day = ASSIGNED + timedelta(days=5)
    stored = import_completion_rows(
        db,
        hr,
        rows((person, patience, day - timedelta(days=2), 45.0, False), (person, patience, day, 90.0, True)),
        at=datetime(2024, 1, 1),
    )
    assert (stored.inserted, stored.duplicates) == (2, 0)
    assert state(db, made) == "completed"
    again = import_completion_rows(db, hr, rows((person, patience, day, 90.0, True)), at=datetime(2024, 1, 2))
    assert (again.inserted, again.duplicates) == (0, 1)
    entries = db.query(
        "SELECT actor_id, after_json FROM audit_log WHERE entity = 'training_completions' AND action = 'import'"
    )
    assert [entry["actor_id"] for entry in entries] == [hr.employee_id, hr.employee_id]
    assert db.scalar("SELECT count(*) FROM training_completions WHERE recorded_by = ?", [hr.employee_id]) == 2


def test_a_batch_with_bad_rows_is_refused_naming_fields_and_rows_and_stores_nothing(db, hr, person, patience):
    batch = rows(
        (person, patience, ASSIGNED, 80.0, True),
        (999_999, patience, ASSIGNED, 80.0, True),
        (person, 999_999, ASSIGNED, 80.0, True),
        (person, patience, date(2024, 3, 1), 80.0, True),
        (person, patience, ASSIGNED + timedelta(days=1), 130.0, True),
    )
    with pytest.raises(InputError) as refused:
        import_completion_rows(db, hr, batch, at=datetime(2024, 2, 1))
    assert dict(refused.value.problems) == {
        "Person": "no such employee (row 2)",
        "Course": "no such course (row 3)",
        "Completed on": "cannot be in the future (row 4)",
        "Score": "use 0 to 100 (row 5)",
    }
    assert db.scalar("SELECT count(*) FROM training_completions") == 0


def test_a_batch_counts_the_rows_that_share_a_problem(db, hr, person, patience):
    late = [(person, patience, date(2030, 1, day), 80.0, True) for day in (1, 2, 3)]
    with pytest.raises(InputError) as refused:
        import_completion_rows(db, hr, rows((person, patience, ASSIGNED, 80.0, True), *late), at=datetime(2024, 2, 1))
    assert refused.value.problems == [("Completed on", "cannot be in the future (3 rows, the first row 2)")]


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD])
def test_agents_and_team_leads_may_not_import_a_batch(db, make_user, person, patience, role):
    with pytest.raises(PermissionDeniedError):
        import_completion_rows(
            db, make_user(role), rows((person, patience, ASSIGNED, 80.0, True)), at=datetime(2024, 1, 1)
        )
    assert db.scalar("SELECT count(*) FROM training_completions") == 0


# -- the demo ----------------------------------------------------------------------------------
def test_the_demo_has_two_years_of_training_with_overdue_and_expiring_records(seeded_db):
    database, org = seeded_db()
    today = org.today
    overdue = database.scalar(
        "SELECT count(DISTINCT employee_id) FROM training_assignments WHERE status = 'open' AND due_on < ?", [today]
    )
    expiring = database.scalar(
        "SELECT count(*) FROM training_completions WHERE passed AND expires_on > ? AND expires_on <= ? + 30",
        [today, today],
    )
    first, last = database.query_one(
        "SELECT min(completed_on) AS f, max(completed_on) AS l FROM training_completions"
    ).values()
    assert overdue > 0 and expiring > 0
    assert (last - first).days > 600 and last <= today
    assert database.scalar("SELECT count(*) FROM training_completions WHERE NOT passed") > 0
    on_time = database.query(
        "SELECT e.team_id, avg(CASE WHEN c.completed_on <= a.due_on THEN 1 ELSE 0 END) AS share"
        " FROM training_assignments a JOIN employees e ON e.id = a.employee_id"
        " JOIN training_completions c ON c.id = a.completion_id WHERE e.team_id IS NOT NULL GROUP BY ALL"
    )
    shares = [row["share"] for row in on_time]
    assert max(shares) - min(shares) > 0.15  # some teams clearly better than others
