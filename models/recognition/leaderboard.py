"""The leaderboard (rule 6 of ``models.recognition``): per month, quarter or year and for
everyone or one team, who received and gave kudos and had ideas green-lit — never ranking
fewer than ``MIN_RANKED`` people."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from models.access import CurrentUser, Permission, require
from models.i18n import N_, _, format_date, ngettext

if TYPE_CHECKING:
    from models.db import Reader

Period = Literal["month", "quarter", "year"]
PERIODS: dict[str, str] = {"month": N_("Month"), "quarter": N_("Quarter"), "year": N_("Year")}  # translated where shown
MIN_RANKED = 3


def period_bounds(period: str, on: date) -> tuple[date, date, str]:
    """The calendar month, quarter or year holding ``on``: first day, the day after its last,
    and its name in the current language ("March 2026", "2026 Q1", "2026")."""
    if period == "month":
        start = on.replace(day=1)
        return start, _add_months(start, 1), format_date(start, "LLLL y")
    if period == "quarter":
        start = date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
        return start, _add_months(start, 3), _("{year} Q{quarter}", year=on.year, quarter=(on.month - 1) // 3 + 1)
    if period == "year":
        return date(on.year, 1, 1), date(on.year + 1, 1, 1), str(on.year)
    raise ValueError(f"unknown period {period!r}")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class Leaderboard(BaseModel):
    period_label: str
    team_name: str | None
    people_counted: int  # people with at least one kudos or green-lit idea in the period
    rows: list[dict[str, Any]]  # empty when fewer than MIN_RANKED people are counted
    message: str | None = None

    @property
    def ranked(self) -> bool:
        return bool(self.rows)


_BOARD_SQL = """
    WITH people AS (
        SELECT e.id, e.full_name, t.name AS team FROM employees e LEFT JOIN teams t ON t.id = e.team_id
        WHERE e.active AND (CAST($team AS INTEGER) IS NULL OR e.team_id = $team)
    ), visible AS (
        SELECT * FROM kudos WHERE hidden_at IS NULL AND given_at >= $start AND given_at < $end
    ), received AS (
        SELECT r.employee_id AS id, count(*) AS n FROM visible k JOIN kudos_recipients r ON r.kudos_id = k.id GROUP BY 1
    ), given AS (
        SELECT giver_id AS id, count(*) AS n FROM visible GROUP BY 1
    ), in_force AS (
        SELECT idea_id, outcome, decided_at, row_number() OVER (PARTITION BY idea_id ORDER BY id DESC) AS nth
        FROM idea_decisions
    ), green AS (
        SELECT a.employee_id AS id, count(DISTINCT d.idea_id) AS n FROM in_force d
        JOIN (SELECT id AS idea_id, author_id AS employee_id FROM ideas
              UNION SELECT idea_id, employee_id FROM idea_coauthors) a ON a.idea_id = d.idea_id
        WHERE d.nth = 1 AND d.outcome = 'green_lit' AND d.decided_at >= $start AND d.decided_at < $end GROUP BY 1
    )
    SELECT p.id AS employee_id, p.full_name AS person, p.team, coalesce(r.n, 0) AS kudos_received,
           coalesce(g.n, 0) AS kudos_given, coalesce(i.n, 0) AS ideas_green_lit
    FROM people p LEFT JOIN received r ON r.id = p.id LEFT JOIN given g ON g.id = p.id LEFT JOIN green i ON i.id = p.id
    WHERE coalesce(r.n, 0) + coalesce(g.n, 0) + coalesce(i.n, 0) > 0
    ORDER BY kudos_received DESC, ideas_green_lit DESC, kudos_given DESC, person, employee_id
"""


def leaderboard(
    db: Reader, viewer: CurrentUser, period: str, on: date, *, team_id: int | None = None, limit: int = 20
) -> Leaderboard:
    """The leaderboard of the period holding ``on`` (everyone, or one team): the top
    ``limit`` by kudos received, then ideas green-lit, then kudos given; no ranking at all
    when fewer than ``MIN_RANKED`` people took part."""
    require(viewer, Permission.KUDOS_GIVE)
    start, end, label = period_bounds(period, on)
    team_name = db.scalar("SELECT name FROM teams WHERE id = ?", [team_id]) if team_id is not None else None
    rows = db.query(_BOARD_SQL, {"team": team_id, "start": start, "end": end})
    board = Leaderboard(period_label=label, team_name=team_name, people_counted=len(rows), rows=[])
    if len(rows) < MIN_RANKED:
        if team_name:
            board.message = ngettext(
                "Fewer than {n} person in {team} received or gave kudos or had an idea green-lit in {period}:"
                " the leaderboard ranks no fewer than {n} person.",
                "Fewer than {n} people in {team} received or gave kudos or had an idea green-lit in {period}:"
                " the leaderboard ranks no fewer than {n} people.",
                MIN_RANKED,
                team=team_name,
                period=label,
            )
        else:
            board.message = ngettext(
                "Fewer than {n} person received or gave kudos or had an idea green-lit in {period}:"
                " the leaderboard ranks no fewer than {n} person.",
                "Fewer than {n} people received or gave kudos or had an idea green-lit in {period}:"
                " the leaderboard ranks no fewer than {n} people.",
                MIN_RANKED,
                period=label,
            )
        return board
    rank = 0
    for position, row in enumerate(rows[:limit], start=1):
        previous = rows[position - 2] if position > 1 else None
        same = previous is not None and _score(previous) == _score(row)
        rank = rank if same else position
        board.rows.append({"rank": rank, **row})
    return board


def _score(row: dict[str, Any]) -> tuple[int, int, int]:
    return row["kudos_received"], row["ideas_green_lit"], row["kudos_given"]
