"""The KPI the training area computes for goals: compliance of the whole organisation as of
each complete month's end (rule 7 of ``models.training``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from models.cache import cached_aggregate
from models.training.compliance import EMPLOYED_ON_R, NEVER

if TYPE_CHECKING:
    from models.db import Database


@cached_aggregate(tables=("training_assignments", "training_completions", "employees"))
def training_compliance(db: Database, start: date, end: date) -> list[tuple[date, float]]:
    """Compliance of the whole organisation (rule 7) as of the last day of every complete
    month from ``start``'s month to before ``end``'s month; months with nothing due are left out."""
    first, stop = start.replace(day=1), end.replace(day=1)
    if first >= stop:
        return []
    rows = db.query(
        f"""
        WITH months AS (
            SELECT CAST(last_day(CAST(m AS DATE)) AS DATE) AS r
            FROM range(CAST($first AS TIMESTAMP), CAST($stop AS TIMESTAMP), INTERVAL 1 MONTH) AS months(m)
        ), counted AS (
            SELECT m.r, a.employee_id, a.course_id, done.completed_on <= a.due_on AS on_time
            FROM months m
            JOIN training_assignments a ON a.mandatory AND a.due_on <= m.r AND a.assigned_on <= m.r
            JOIN employees e ON e.id = a.employee_id
            LEFT JOIN training_completions done ON done.id = a.completion_id
            WHERE NOT (a.status = 'cancelled' AND CAST(a.cancelled_at AS DATE) <= m.r)
              AND {EMPLOYED_ON_R.replace("$r", "m.r")}
        ), valid AS (
            SELECT DISTINCT k.r, k.employee_id, k.course_id
            FROM (SELECT DISTINCT r, employee_id, course_id FROM counted WHERE on_time) k
            JOIN training_completions c ON c.employee_id = k.employee_id AND c.course_id = k.course_id
            WHERE c.passed AND c.completed_on <= k.r AND coalesce(c.expires_on, {NEVER}) > k.r
        )
        SELECT k.r AS month_end,
            round(100.0 * count(*) FILTER (WHERE k.on_time AND v.r IS NOT NULL) / count(*), 1) AS compliance
        FROM counted k
        LEFT JOIN valid v ON v.r = k.r AND v.employee_id = k.employee_id AND v.course_id = k.course_id
        GROUP BY k.r ORDER BY k.r
        """,
        {"first": first, "stop": stop},
    )
    return [(row["month_end"], float(row["compliance"])) for row in rows]
