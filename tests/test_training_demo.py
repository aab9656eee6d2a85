"""The training demo: the same seed gives the same two years of training, row for row and id
for id, whether the portal seeds it as it starts or the tests build it; the organisation's
own modules come round again as their certificates expire, every monthly LMS batch is audited
and the one-open-assignment rule holds throughout."""

from __future__ import annotations

import io
import threading
from datetime import date, timedelta

from models import areas, auth, demo
from models.access import Role
from models.db import Database, get_database
from models.settings import get_settings
from models.training import lms_import
from ui import startup

TODAY = date(2026, 11, 25)


def training_history(database: Database) -> list[tuple]:
    assignments = database.reader().execute(
        "SELECT e.employee_number, c.code, a.assigned_on, a.due_on, a.status, a.reason"
        " FROM training_assignments a JOIN employees e ON e.id = a.employee_id JOIN courses c ON c.id = a.course_id"
        " ORDER BY ALL"
    )
    completions = database.reader().execute(
        "SELECT e.employee_number, c.code, t.completed_on, t.score, t.passed"
        " FROM training_completions t JOIN employees e ON e.id = t.employee_id JOIN courses c ON c.id = t.course_id"
        " ORDER BY ALL"
    )
    return assignments.fetchall() + completions.fetchall()


def training_rows(database: Database) -> tuple[list[tuple], list[tuple]]:
    """Every assignment and completion by id, with the completion that closed each assignment:
    what the compliance pages read."""
    reader = database.reader()
    assignments = reader.execute(
        "SELECT a.id, e.employee_number, c.code, a.assigned_on, a.due_on, a.mandatory, a.reason, a.status,"
        " a.completion_id, CAST(a.cancelled_at AS DATE), a.cancel_reason"
        " FROM training_assignments a JOIN employees e ON e.id = a.employee_id JOIN courses c ON c.id = a.course_id"
        " ORDER BY a.id"
    ).fetchall()
    completions = reader.execute(
        "SELECT t.id, e.employee_number, c.code, t.completed_on, t.score, t.passed, t.expires_on, t.source,"
        " t.import_id FROM training_completions t JOIN employees e ON e.id = t.employee_id"
        " JOIN courses c ON c.id = t.course_id ORDER BY t.id"
    ).fetchall()
    return assignments, completions


def seed_people_and_training(database: Database, seed: int) -> None:
    steps = [(name, step) for name, step in areas.demo_steps() if name in ("people", "training")]
    demo.seed(database, seed=seed, scale=0.5, today=TODAY, steps=steps)


def test_the_same_seed_gives_the_same_training_history(db, tmp_path, database_templates):
    database_templates.new_migrated(tmp_path / "other.duckdb")
    other = database_templates.open(tmp_path / "other.duckdb")
    try:
        seed_people_and_training(db, seed=5)
        seed_people_and_training(other, seed=5)
        history = training_history(db)
        assert len(history) > 2000
        assert history == training_history(other)
        assert training_rows(db) == training_rows(other)  # the same ids, and each closed by the same completion
    finally:
        database_templates.discard(other)


def test_the_demo_the_portal_seeds_as_it_starts_is_the_one_the_tests_copy(portal_env, monkeypatch, seeded_db):
    """The browser tests check a served portal's figures against a copy of the demo: both must
    hold the same training, id for id, for the same seed, scale and day."""
    monkeypatch.setenv("PORTAL_DEMO_MODE", "true")
    monkeypatch.setenv("PORTAL_DEMO_SCALE", "0.2")
    monkeypatch.setattr(startup, "_prepared", threading.Event())
    get_settings.cache_clear()
    startup.prepare_portal(io.StringIO())
    served = get_database(portal_env)
    copy, _ = seeded_db(seed=get_settings().demo_seed, scale=0.2)

    assignments, completions = training_rows(served)
    assert len(assignments) > 500 and len(completions) > 500
    assert any(row[8] is not None for row in assignments)  # assignments closed by completions are compared too
    assert (assignments, completions) == training_rows(copy)


def test_the_organisation_modules_come_round_again_and_people_have_years_of_records(seeded_db):
    database, org = seeded_db()
    start = org.today - timedelta(days=720)
    records = database.scalar(
        "SELECT (SELECT count(*) FROM training_assignments) + (SELECT count(*) FROM training_completions)"
    )
    assert records / len(org.employees) > 40
    passes = database.scalar(
        "SELECT avg(n) FROM (SELECT e.id, count(t.id) AS n FROM employees e"
        " LEFT JOIN training_completions t ON t.employee_id = e.id AND t.passed"
        "  AND t.course_id = (SELECT id FROM courses WHERE code = 'HV-PRODUCT-UPDATE')"
        " WHERE e.hire_date <= ? GROUP BY e.id)",
        [start],
    )
    assert passes > 4  # a quarterly module over two years: most people passed it in most quarters


def test_every_monthly_batch_is_audited_and_no_one_holds_a_course_open_twice(seeded_db):
    database, _ = seeded_db()
    batches = database.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'import'"
        " AND entity IN ('training_completions', 'training_import')"
    )
    assert batches >= 20
    twice = database.scalar(
        "SELECT count(*) FROM (SELECT employee_id, course_id FROM training_assignments WHERE status = 'open'"
        " GROUP BY ALL HAVING count(*) > 1)"
    )
    keys_out_of_line = database.scalar(
        "SELECT count(*) FROM training_assignments a FULL JOIN training_open_assignments k ON k.assignment_id = a.id"
        " WHERE (a.status = 'open') IS DISTINCT FROM (k.assignment_id IS NOT NULL)"
    )
    assert (twice, keys_out_of_line) == (0, 0)


def test_hr_finds_the_last_months_lms_exports_among_the_recent_imports_with_their_completions(seeded_db):
    database, org = seeded_db()
    hr = auth.load_user(database, employee_id=org.logins[Role.HR])
    batches = lms_import.recent_imports(database, hr)
    assert len(batches) == 2
    assert set(batches["status"]) == {"completed"} and set(batches["imported_by"]) == {hr.full_name}
    assert all(name.startswith("lms-completions-") and name.endswith(".csv") for name in batches["file_name"])
    for batch in batches.itertuples():
        stored = database.query_one(
            "SELECT count(*) AS n, max(completed_on) AS last_day, bool_and(recorded_at = ?) AS same_time"
            " FROM training_completions WHERE import_id = ?",
            [batch.started_at, batch.id],
        )
        assert stored["n"] == batch.rows_imported == batch.rows_read > 0
        assert stored["last_day"] <= batch.started_at.date() < org.today and stored["same_time"]
