"""Training compliance on a large organisation: 5,000 people in 50 teams, 24 courses and about
300,000 training records (assignments and completions over two years), made straight in the
schema. Times each compliance view and the KPI series. ``python -m bench.bench_training_compliance``."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from models.access import CurrentUser, Role
from models.db import Database
from models.training import compliance, kpis

PEOPLE, TEAMS, COURSES, RUNS = 5_000, 50, 24, 5
TODAY = date.today()


def build(db: Database) -> int:
    """Fill the organisation; return the number of training records."""
    start = TODAY - timedelta(days=730)

    def fill(connection):
        connection.execute("INSERT INTO teams (id, name) SELECT t, 'Team ' || t FROM range(1, ?) r(t)", [TEAMS + 1])
        connection.execute(
            "INSERT INTO employees (id, employee_number, full_name, email, team_id, hire_date, created_at, updated_at)"
            " SELECT p, 'E' || p, 'Person ' || p, 'p' || p || '@example.org', 1 + p % ?, ?::DATE - (p % 900)::INTEGER,"
            " now(), now() FROM range(1, ?) r(p)",
            [TEAMS, TODAY, PEOPLE + 1],
        )
        connection.execute(
            "INSERT INTO courses (id, code, title, description, format, hours, due_within_days, refresher_months,"
            " created_at, updated_at) SELECT c, 'C' || c, 'Course ' || c, 'A course', 'e_learning', 1, 30,"
            " CASE WHEN c % 2 = 0 THEN 12 END, now(), now() FROM range(1, ?) r(c)",
            [COURSES + 1],
        )
        # each person gets each course about 1.5 times over two years; most complete, some late
        connection.execute(
            "INSERT INTO training_assignments (id, employee_id, course_id, assigned_on, due_on, mandatory, reason,"
            " status, created_at, updated_at)"
            " SELECT row_number() OVER (), p, c, ?::DATE + ((p * 7 + c * 13 + k * 365) % 700)::INTEGER,"
            " ?::DATE + ((p * 7 + c * 13 + k * 365) % 700)::INTEGER + 30, c <= 16, 'bulk', 'open', now(), now()"
            " FROM range(1, ?) a(p), range(1, ?) b(c), range(0, 2) d(k) WHERE (p + c + k) % 2 = 0",
            [start, start, PEOPLE + 1, COURSES + 1],
        )
        connection.execute(
            "INSERT INTO training_completions (id, employee_id, course_id, completed_on, score, passed, expires_on,"
            " source, recorded_at)"
            " SELECT a.id, a.employee_id, a.course_id, a.due_on - 20 + (a.id % 35)::INTEGER, 80, TRUE,"
            " CASE WHEN co.refresher_months IS NOT NULL"
            " THEN CAST(a.due_on - 20 + (a.id % 35)::INTEGER + INTERVAL 12 MONTH AS DATE) END, 'import', now()"
            " FROM training_assignments a JOIN courses co ON co.id = a.course_id"
            " WHERE a.id % 10 <> 0 AND a.due_on - 20 + (a.id % 35)::INTEGER <= ?",
            [TODAY],
        )
        connection.execute(
            "UPDATE training_assignments a SET status = 'completed', completion_id = c.id"
            " FROM training_completions c WHERE c.id = a.id"
        )
        return connection.execute(
            "SELECT (SELECT count(*) FROM training_assignments) + (SELECT count(*) FROM training_completions)"
        ).fetchone()[0]

    return db.write(fill)


def timed(label: str, work) -> None:
    work()  # warm
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    print(f"  {label:<28} median {statistics.median(times) * 1000:7.1f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "bench.duckdb")
        db.migrate()
        records = build(db)
        hr = CurrentUser(employee_id=1, account_id=None, full_name="HR", email="", roles=frozenset({Role.HR}))
        lead = CurrentUser(
            employee_id=2, account_id=None, full_name="Lead", email="", team_id=3, roles=frozenset({Role.TEAM_LEAD})
        )
        print(f"Training compliance: {PEOPLE:,} people, {records:,} training records")
        timed("group compliance (all)", lambda: compliance.group_compliance(db, hr, on=TODAY))
        timed("heat map (all)", lambda: compliance.heat_map(db, hr, on=TODAY))
        timed("heat map (a team lead)", lambda: compliance.heat_map(db, lead, on=TODAY))
        timed("team summary", lambda: compliance.team_summary(db, hr, on=TODAY))
        timed("overdue list", lambda: compliance.overdue_list(db, hr, on=TODAY))
        timed("expiring list", lambda: compliance.expiring_list(db, hr, on=TODAY))
        timed("transcript", lambda: compliance.transcript(db, hr, 17, on=TODAY))
        timed("KPI, 24 months", lambda: kpis.training_compliance(db, TODAY - timedelta(days=730), TODAY))
        db.close()


if __name__ == "__main__":
    main()
