"""The coaching report (rule 5 of ``models.coaching``): each team's share of integrated
coaching per month, beside the same team's movement in assessed levels over the same months,
so the integrated-versus-scheduled effect can be read from the organisation's own data."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from models.access import CurrentUser, Permission, require
from models.cache import cached_aggregate
from models.coaching.scope import Scope, leads_team, reads_everyone
from models.customers import scores
from models.i18n import N_
from models.strategy import kpis

if TYPE_CHECKING:
    from models.db import Reader

MOVEMENT_DEFINITION = N_(  # shown with _()
    "Level movement in a month: for every person of the team and every competency they had an assessed level "
    "in at the end of both that month and the month before, the current level at the month's end minus the "
    "current level at the previous month's end; the team's figure is the mean of these changes. The current "
    "level on a day is the level of the latest assessment of that competency made on or before that day "
    "(the level granted on appeal, when an appeal was upheld). A person counts for their current team."
)


def report_scope(actor: CurrentUser) -> Scope:
    """The teams whose report ``actor`` reads: every team for HR and leadership, their own as a
    team lead; anyone else is refused."""
    if reads_everyone(actor):
        return Scope(everyone=True)
    require(actor, Permission.TEAM_COACHING)
    team_id = leads_team(actor)
    return Scope(team_id=team_id if team_id is not None else -1)


def integrated_share(db: Reader, actor: CurrentUser, start: date, end: date) -> pd.DataFrame:
    """Per team and month (the month's last day) from ``start`` to ``end``: sessions, integrated
    sessions and their share (%), minutes, integrated minutes and their share (%)."""
    return _integrated_share(db, report_scope(actor), start, end)


# The report's figures are remembered per scope of their reader and period (``models.cache``):
# the permission check runs in the public functions, on every call.
_reads_sessions = cached_aggregate(tables=("coaching_sessions", "employees", "teams"))
_reads_assessments = cached_aggregate(tables=("assessments", "employees", "teams"))


@_reads_sessions
def _integrated_share(db: Reader, scope: Scope, start: date, end: date) -> pd.DataFrame:
    condition, params = scope.condition()
    return db.frame(
        f"""
        SELECT e.team_id, t.name AS team, last_day(s.coached_on) AS month,
               count(*) AS sessions,
               count(*) FILTER (WHERE s.kind = 'integrated') AS integrated_sessions,
               round(100.0 * count(*) FILTER (WHERE s.kind = 'integrated') / count(*), 1) AS integrated_share,
               sum(s.minutes) AS minutes,
               coalesce(sum(s.minutes) FILTER (WHERE s.kind = 'integrated'), 0) AS integrated_minutes,
               round(100.0 * coalesce(sum(s.minutes) FILTER (WHERE s.kind = 'integrated'), 0) / sum(s.minutes), 1)
                   AS integrated_minutes_share
        FROM coaching_sessions s
        JOIN employees e ON e.id = s.employee_id
        JOIN teams t ON t.id = e.team_id
        WHERE {condition} AND s.coached_on BETWEEN ? AND ?
        GROUP BY ALL
        ORDER BY team, month
        """,  # noqa: S608 - the condition is fixed text
        [*params, start, end],
    )


def level_movement(db: Reader, actor: CurrentUser, start: date, end: date) -> pd.DataFrame:
    """Per team and month from ``start``'s month to ``end``'s: the person-competencies counted and
    the mean change of their current level over the month (``MOVEMENT_DEFINITION``)."""
    return _level_movement(db, report_scope(actor), start, end)


@_reads_assessments
def _level_movement(db: Reader, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """A person-competency counts in a month once it was assessed before the month began (it then
    has a level at both month ends); its change is nonzero only in a month it was assessed in, so
    the changes are summed over the months with assessments, never over every person and month."""
    condition, params = scope.condition()
    return db.frame(
        f"""
        WITH months AS (
            SELECT last_day(m)::DATE AS month
            FROM generate_series(date_trunc('month', ?::DATE), date_trunc('month', ?::DATE), INTERVAL 1 MONTH) g(m)
        ),
        team_people AS (
            SELECT e.id AS employee_id, e.team_id, t.name AS team
            FROM employees e JOIN teams t ON t.id = e.team_id WHERE {condition}
        ),
        daily AS (  -- one level per person, competency and day: the last assessment recorded that day
            SELECT a.employee_id, a.competency_id, a.assessed_on,
                   arg_max(CASE WHEN a.status = 'upheld' THEN coalesce(a.level_after_appeal, a.level)
                                ELSE a.level END, a.id) AS level
            FROM assessments a JOIN team_people p ON p.employee_id = a.employee_id
            GROUP BY ALL
        ),
        month_ends AS (  -- the level at the end of each month the person-competency was assessed in
            SELECT employee_id, competency_id, last_day(assessed_on) AS month, arg_max(level, assessed_on) AS level_end
            FROM daily
            GROUP BY ALL
        ),
        changes AS (  -- against the end of the month before, the level of the last assessed month
            SELECT employee_id, month,
                   level_end - lag(level_end) OVER (PARTITION BY employee_id, competency_id ORDER BY month) AS change
            FROM month_ends
        ),
        first_assessed AS (
            SELECT p.team_id, p.team, f.first_month, count(*) AS pairs
            FROM (SELECT employee_id, competency_id, min(month) AS first_month FROM month_ends GROUP BY ALL) f
            JOIN team_people p ON p.employee_id = f.employee_id
            GROUP BY ALL
        ),
        counted AS (
            SELECT f.team_id, f.team, m.month, sum(f.pairs)::BIGINT AS person_competencies
            FROM first_assessed f JOIN months m ON f.first_month < m.month
            GROUP BY ALL
        ),
        moved AS (
            SELECT p.team_id, c.month, sum(c.change) AS total_change
            FROM changes c JOIN team_people p ON p.employee_id = c.employee_id
            WHERE c.change IS NOT NULL AND c.month IN (SELECT month FROM months)
            GROUP BY ALL
        )
        SELECT c.team_id, c.team, c.month, c.person_competencies,
               round(coalesce(m.total_change, 0)::DOUBLE / c.person_competencies, 3) AS level_movement
        FROM counted c LEFT JOIN moved m ON m.team_id = c.team_id AND m.month = c.month
        ORDER BY c.team, c.month
        """,  # noqa: S608 - the condition is fixed text
        [start, end, *params],
    )


def team_months(db: Reader, actor: CurrentUser, start: date, end: date) -> pd.DataFrame:
    """The report's table: per team and month, the coaching figures beside the level movement
    (a month with sessions but no assessments, or the other way round, keeps its row)."""
    share = integrated_share(db, actor, start, end)
    movement = level_movement(db, actor, start, end)
    share["month"] = pd.to_datetime(share["month"])
    movement["month"] = pd.to_datetime(movement["month"])
    merged = share.merge(movement, on=["team_id", "team", "month"], how="outer")
    for column in ("sessions", "integrated_sessions", "minutes", "integrated_minutes", "person_competencies"):
        merged[column] = merged[column].fillna(0).astype("int64")
    return merged.sort_values(["team", "month"]).reset_index(drop=True)


def team_summary(db: Reader, actor: CurrentUser, start: date, end: date) -> pd.DataFrame:
    """Per team over the whole period: sessions, integrated share of sessions and of minutes (%),
    and the mean monthly level movement, for the chart of one against the other."""
    scope = report_scope(actor)
    coaching = _team_coaching(db, scope, start, end)
    movement = _level_movement(db, scope, start, end)
    monthly = (
        movement.groupby(["team_id", "team"], as_index=False)["level_movement"]
        .mean()
        .rename(columns={"level_movement": "mean_monthly_level_movement"})
    )
    summary = coaching.merge(monthly, on=["team_id", "team"], how="left")
    summary["mean_monthly_level_movement"] = summary["mean_monthly_level_movement"].round(3)
    return summary.sort_values("team").reset_index(drop=True)


@_reads_sessions
def _team_coaching(db: Reader, scope: Scope, start: date, end: date) -> pd.DataFrame:
    condition, params = scope.condition()
    return db.frame(
        f"""
        SELECT e.team_id, t.name AS team, count(*) AS sessions,
               round(100.0 * count(*) FILTER (WHERE s.kind = 'integrated') / count(*), 1) AS integrated_share,
               round(100.0 * coalesce(sum(s.minutes) FILTER (WHERE s.kind = 'integrated'), 0) / sum(s.minutes), 1)
                   AS integrated_minutes_share
        FROM coaching_sessions s JOIN employees e ON e.id = s.employee_id JOIN teams t ON t.id = e.team_id
        WHERE {condition} AND s.coached_on BETWEEN ? AND ?
        GROUP BY ALL
        """,  # noqa: S608 - the condition is fixed text
        [*params, start, end],
    )


QUALITY_KPI = "quality_score"
PRODUCTIVITY_KPI = "contacts_per_hour"
TEAM_KPI_DEFINITION = N_(  # shown with _()
    "Quality score and contacts per hour: the mean of the team's own monthly values in the period (values "
    "recorded for the team, not for one of its channels); against average: how far the team is above (+) or "
    "below (−) the mean of every team's figure, in %. CSAT: the share of the team's survey answers of 4 or 5."
)


def team_kpis(db: Reader, actor: CurrentUser, start: date, end: date) -> pd.DataFrame:
    """Per team over the period: the integrated share of its coaching beside its quality and
    productivity KPIs (``TEAM_KPI_DEFINITION``) and its CSAT, so the claim that integrated
    coaching goes with better results can be read from the organisation's own figures."""
    summary = team_summary(db, actor, start, end)[["team_id", "team", "sessions", "integrated_share"]]
    means = pd.DataFrame(
        kpis.team_means(db, [QUALITY_KPI, PRODUCTIVITY_KPI], start, end),
        columns=["team_id", "code", "mean", "values"],
    )
    table = summary
    for code in (QUALITY_KPI, PRODUCTIVITY_KPI):
        of_kpi = means[means["code"] == code][["team_id", "mean"]]
        average = of_kpi["mean"].mean()
        column = of_kpi.rename(columns={"mean": code})
        column[f"{code}_vs_average"] = (100.0 * (column[code] / average - 1)).round(1) if average else None
        column[code] = column[code].round(2)
        table = table.merge(column, on="team_id", how="left")
    csat = scores.score_table(db, "csat", ("team",), scores.ScoreFilter(date_from=start, date_to=end))
    table = table.merge(csat[["team", "value"]].rename(columns={"value": "csat"}), on="team", how="left")
    return table.sort_values("integrated_share", ascending=False).reset_index(drop=True)
