"""The action plan as it stood on a past day, read from the updates log: which actions were
open and overdue then, and which were done within a period (for reports of past quarters)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from models.actions.plan import OPEN_STATUSES
from models.i18n import N_

if TYPE_CHECKING:
    from models.db import Reader

PERIOD_DEFINITIONS = {  # marked for the catalogue; shown with _()
    "created": N_("Actions created within the period."),
    "done": N_("Actions whose completion date falls within the period."),
    "open": N_("Actions planned, in progress or blocked on the period's last day, by the updates log."),
    "overdue": N_("Actions open on the period's last day whose due date had passed by then."),
}

_STATUS_ON_SQL = """
    WITH last_change AS (
        SELECT action_id, arg_max(to_status, (posted_at, id)) AS status
        FROM action_updates
        WHERE to_status IS NOT NULL AND kind IN ('created', 'status') AND posted_at < $after
        GROUP BY action_id
    )
    SELECT a.id, a.due_date, a.completed_on, a.created_at,
           CASE WHEN a.completed_on <= $day THEN 'done' ELSE coalesce(c.status, 'planned') END AS status
    FROM actions a LEFT JOIN last_change c ON c.action_id = a.id
    WHERE a.created_at < $after
"""


def period_summary(db: Reader, start: date, end: date) -> dict[str, int]:
    """Counts for a period from ``start`` to ``end`` (both included): actions created and done
    within it, and open and overdue on ``end`` as the updates log had them that day."""
    row = db.query_one(
        f"""
        WITH on_day AS ({_STATUS_ON_SQL})
        SELECT count(*) FILTER (WHERE created_at >= $start) AS created,
               (SELECT count(*) FROM actions WHERE completed_on BETWEEN $start AND $day) AS done,
               count(*) FILTER (WHERE list_contains($open, status)) AS open,
               count(*) FILTER (WHERE list_contains($open, status) AND due_date < $day) AS overdue
        FROM on_day
        """,
        {"start": start, "day": end, "after": end + timedelta(days=1), "open": list(OPEN_STATUSES)},
    )
    return {key: int(value or 0) for key, value in (row or {}).items()}
