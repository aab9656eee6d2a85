"""KPIs the complaints area computes for goals: monthly complaint volume and the
repeat-complaint rate, over complete months only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from models.cache import cached_aggregate

if TYPE_CHECKING:
    from models.db import Database


def _month_after(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def complete_complaint_months(db: Database, start: date, end: date) -> tuple[date, date] | None:
    """[first, stop): the months from ``start``'s month on whose whole calendar span the
    complaints cover (from the first complaint received to the last) and that ended
    before ``end``'s month. A partial first or last month would plot a fraction of a
    month beside whole ones. None when no month qualifies."""
    covered = db.query_one("SELECT min(received_date) AS first, max(received_date) AS last FROM complaints")
    if not covered or covered["first"] is None:
        return None
    first_covered = covered["first"] if covered["first"].day == 1 else _month_after(covered["first"])
    first = max(first_covered, start.replace(day=1))
    # a month lies within the covered range when it ends on or before the last complaint's day
    stop = min(end.replace(day=1), (covered["last"] + timedelta(days=1)).replace(day=1))
    return (first, stop) if first < stop else None


@cached_aggregate(tables=("complaints",))
def complaint_volume(db: Database, start: date, end: date) -> list[tuple[date, float]]:
    """Complaints received per complete calendar month."""
    months = complete_complaint_months(db, start, end)
    if months is None:
        return []
    rows = db.query(
        "SELECT last_day(date_trunc('month', received_date)) AS month, count(*) AS complaints FROM complaints"
        " WHERE received_date >= ? AND received_date < ? GROUP BY 1 ORDER BY 1",
        list(months),
    )
    return [(row["month"], float(row["complaints"])) for row in rows]


@cached_aggregate(tables=("complaints",))
def repeat_complaint_rate(db: Database, start: date, end: date, repeat_days: int = 30) -> list[tuple[date, float]]:
    """% of a complete month's complaints (with a customer id) whose customer complained in
    the same category within the previous ``repeat_days`` days."""
    months = complete_complaint_months(db, start, end)
    if months is None:
        return []
    first, stop = months
    # every stored complaint keeps the days since the same customer's previous complaint in
    # the same category, looked up over all complaints (``importer.refresh_repeat_gaps``)
    rows = db.query(
        "SELECT last_day(date_trunc('month', received_date)) AS month,"
        " 100.0 * count(*) FILTER (WHERE days_since_previous <= ?) / count(*) AS rate"
        " FROM complaints WHERE customer_id IS NOT NULL AND received_date >= ? AND received_date < ?"
        " GROUP BY 1 ORDER BY 1",
        [repeat_days, first, stop],
    )
    return [(row["month"], round(float(row["rate"]), 2)) for row in rows]
