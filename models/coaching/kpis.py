"""The KPI the coaching area computes for goals: the organisation's share of integrated
coaching, per complete month."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from models.cache import cached_aggregate

if TYPE_CHECKING:
    from models.db import Database


@cached_aggregate(tables=("coaching_sessions",))
def integrated_coaching_share(db: Database, start: date, end: date) -> list[tuple[date, float]]:
    """% of the sessions held in each complete calendar month from ``start``'s month (those
    that ended before ``end``'s month) that were integrated; months without sessions are left out."""
    rows = db.query(
        "SELECT last_day(coached_on) AS month,"
        " 100.0 * count(*) FILTER (WHERE kind = 'integrated') / count(*) AS share"
        " FROM coaching_sessions WHERE coached_on >= date_trunc('month', ?::DATE)"
        " AND coached_on < date_trunc('month', ?::DATE) GROUP BY 1 ORDER BY 1",
        [start, end],
    )
    return [(row["month"], round(float(row["share"]), 2)) for row in rows]
