"""The KPIs the portal computes from the people data, per complete month, for the organisation
and per team or site (the person's team and site; a leaver's as they were when they left):

- **Attrition** = leavers in the 12 months to the month's end ÷ the average headcount at the
  ends of those 12 months, in %. A person counts from their hire date and up to (not on) the
  day they were deactivated; a month whose average headcount is 0 has no value.
- **Early attrition** = of the people who left in those 12 months, the share who left within
  90 days of their hire date, in %. A month without leavers in its 12 months has no value.

A leaver is a person deactivated in the directory; the day of leaving is the day of deactivation."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from models.cache import cached_aggregate
from models.i18n import N_

if TYPE_CHECKING:
    from models.db import Reader

WINDOW_MONTHS = 12
EARLY_DAYS = 90
PeopleDimension = Literal["organisation", "team", "site"]

# how each is computed, in words (translated where shown, with ``days=EARLY_DAYS``)
DEFINITIONS = {
    "attrition": N_(
        "Attrition = people who left in the 12 months to the month's end ÷ the average headcount at the ends of "
        "those 12 months (%). A person counts from their hire date until the day they were deactivated."
    ),
    "early_attrition": N_(
        "Early attrition = of the people who left in the 12 months to the month's end, the share who left within "
        "{days} days of their hire date (%). No leavers in those months: no value."
    ),
}

_KEY_SQL = {"organisation": "0", "team": "p.team_id", "site": "p.site_id"}


@cached_aggregate(tables=("employees",))
def turnover(db: Reader, start: date, end: date, by: PeopleDimension = "organisation") -> list[dict]:
    """Per complete month from ``start``'s month to ``end`` and per key of ``by`` (a team or site
    id; 0 for the organisation): the average headcount over the 12 months, the leavers and the
    early leavers of those months. People without a team (or site) count for no team (site)."""
    key = _KEY_SQL[by]
    return db.query(
        f"""
        WITH months AS (
            SELECT last_day(m)::DATE AS month_end
            FROM generate_series(date_trunc('month', ?::DATE), date_trunc('month', ?::DATE), INTERVAL 1 MONTH) g(m)
            WHERE last_day(m)::DATE <= ?::DATE
        ),
        counted_on AS (
            SELECT month_end, last_day(month_end - to_months(k))::DATE AS day
            FROM months CROSS JOIN range({WINDOW_MONTHS}) r(k)
        ),
        people AS (
            SELECT id, team_id, site_id, coalesce(hire_date, created_at::DATE) AS joined,
                   CASE WHEN NOT active THEN deactivated_at::DATE END AS left_on
            FROM employees
        ),
        headcount AS (
            SELECT c.month_end, {key} AS key,
                   count(*) FILTER (WHERE p.joined <= c.day AND (p.left_on IS NULL OR p.left_on > c.day))
                       / {WINDOW_MONTHS}.0 AS average_headcount
            FROM counted_on c CROSS JOIN people p
            WHERE {key} IS NOT NULL
            GROUP BY ALL
        ),
        leavers AS (
            SELECT m.month_end, {key} AS key, count(*) AS leavers,
                   count(*) FILTER (WHERE p.left_on - p.joined <= {EARLY_DAYS}) AS early_leavers
            FROM months m JOIN people p
              ON p.left_on > (m.month_end - to_months({WINDOW_MONTHS}))::DATE AND p.left_on <= m.month_end
            WHERE {key} IS NOT NULL
            GROUP BY ALL
        )
        SELECT h.month_end, h.key, h.average_headcount,
               coalesce(l.leavers, 0) AS leavers, coalesce(l.early_leavers, 0) AS early_leavers
        FROM headcount h LEFT JOIN leavers l ON l.month_end = h.month_end AND l.key = h.key
        ORDER BY h.month_end, h.key
        """,  # noqa: S608 - the key is fixed text
        [start, end, end],
    )


def _attrition_rows(db: Reader, start: date, end: date, by: PeopleDimension) -> list[tuple[date, int, float]]:
    return [
        (row["month_end"], row["key"], round(100.0 * row["leavers"] / row["average_headcount"], 2))
        for row in turnover(db, start, end, by)
        if row["average_headcount"] > 0
    ]


def _early_rows(db: Reader, start: date, end: date, by: PeopleDimension) -> list[tuple[date, int, float]]:
    return [
        (row["month_end"], row["key"], round(100.0 * row["early_leavers"] / row["leavers"], 2))
        for row in turnover(db, start, end, by)
        if row["leavers"] > 0
    ]


def attrition(db: Reader, start: date, end: date) -> list[tuple[date, float]]:
    """The attrition KPI of the organisation per complete month (``DEFINITIONS``)."""
    return [(month, value) for month, _, value in _attrition_rows(db, start, end, "organisation")]


def early_attrition(db: Reader, start: date, end: date) -> list[tuple[date, float]]:
    """The early-attrition KPI of the organisation per complete month (``DEFINITIONS``)."""
    return [(month, value) for month, _, value in _early_rows(db, start, end, "organisation")]


def attrition_by(db: Reader, start: date, end: date, by: str) -> list[tuple[date, int, float]]:
    """Attrition per team or site (``by``) and complete month: ``(month_end, id, value)``."""
    return _attrition_rows(db, start, end, _people_dimension(by))


def early_attrition_by(db: Reader, start: date, end: date, by: str) -> list[tuple[date, int, float]]:
    """Early attrition per team or site (``by``) and complete month: ``(month_end, id, value)``."""
    return _early_rows(db, start, end, _people_dimension(by))


def _people_dimension(by: str) -> PeopleDimension:
    if by not in ("team", "site"):
        raise ValueError(f"the people KPIs are not computed per {by}")
    return by  # type: ignore[return-value]
