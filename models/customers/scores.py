"""The customer KPIs the portal computes from the survey answers, per month, channel and team:

- **NPS** = % promoters (9-10) − % detractors (0-6) among the NPS answers, from −100 to +100;
  a month of passives only (7-8) scores 0.
- **CSAT** = the share of CSAT answers of 4 or 5 on the 1-5 scale, in %.
- **CES** = the mean customer effort score on the 1-7 scale (lower is better).

A group (month, channel, team) without answers of a survey type has no value for it, never 0.
Anyone with the complaint aggregates may read the scores; comments are in ``comments``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

import pandas as pd

from models.access import CurrentUser, Permission, require
from models.cache import cached_aggregate
from models.customers.survey_fields import TYPES_BY_CODE
from models.i18n import N_

if TYPE_CHECKING:
    from models.db import Database, Reader

SurveyTypeCode = Literal["nps", "csat", "ces"]
Grouping = Literal["month", "channel", "team"]
NO_TEAM = N_("No team (unit not matched)")  # translated where shown

DEFINITIONS = {
    "nps": N_("NPS = % promoters (9–10) − % detractors (0–6) among the NPS answers (−100 to +100)."),
    "csat": N_("CSAT = share of CSAT answers of 4 or 5 on the 1–5 scale (%)."),
    "ces": N_("CES = mean customer effort score on the 1–7 scale (1 = very easy; lower is better)."),
}

_VALUE_SQL = {
    "nps": "round(100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(*), 1)",
    "csat": "round(100.0 * count(*) FILTER (WHERE score >= 4) / count(*), 1)",
    "ces": "round(avg(score), 2)",
}
_GROUP_SQL = {
    "month": "a.answered_month",
    "channel": "a.channel",
    "team": f"coalesce(t.name, '{NO_TEAM}')",
}


@dataclass(frozen=True)
class ScoreFilter:
    """Which answers count: a period (inclusive days), a channel, a team."""

    date_from: date | None = None
    date_to: date | None = None
    channel: str | None = None
    team_id: int | None = None

    def where(self, survey_type: str) -> tuple[str, list[object]]:
        conditions, params = ["a.survey_type = ?"], [survey_type]
        for sql, value in (
            ("a.answered_on >= ?", self.date_from),
            ("a.answered_on <= ?", self.date_to),
            ("a.channel = ?", self.channel),
            ("a.team_id = ?", self.team_id),
        ):
            if value is not None:
                conditions.append(sql)
                params.append(value)
        return "WHERE " + " AND ".join(conditions), params


def _checked_type(survey_type: str) -> str:
    if survey_type not in TYPES_BY_CODE:
        raise ValueError(f"not a survey type: {survey_type!r}")
    return survey_type


# what every score reads: the answers, and the teams they name
_SCORE_TABLES = ("customer_survey_answers", "teams")


@cached_aggregate(tables=_SCORE_TABLES)
def score_table(
    db: Reader, survey_type: SurveyTypeCode, by: tuple[Grouping, ...], answers: ScoreFilter | None = None
) -> pd.DataFrame:
    """The KPI of ``survey_type`` per group of ``by`` (month, channel, team, in that order of
    columns), with the number of answers and, for NPS, the promoters, passives and detractors.
    Groups without answers are absent. No permission check: callers check (see ``scores``)."""
    code = _checked_type(survey_type)
    where, params = (answers or ScoreFilter()).where(code)
    columns = [f"{_GROUP_SQL[name]} AS {name}" for name in by]
    counts = (
        ", count(*) FILTER (WHERE score >= 9) AS promoters, count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS passives,"
        " count(*) FILTER (WHERE score <= 6) AS detractors"
        if code == "nps"
        else ""
    )
    group = f" GROUP BY {', '.join(str(i) for i in range(1, len(by) + 1))} ORDER BY {', '.join(by)}" if by else ""
    return db.frame(
        f"SELECT {', '.join([*columns, ''])}count(*) AS answers{counts}, {_VALUE_SQL[code]} AS value"
        f" FROM customer_survey_answers a LEFT JOIN teams t ON t.id = a.team_id {where}{group}",
        params,
    )


def scores(
    db: Database,
    actor: CurrentUser,
    survey_type: SurveyTypeCode,
    by: tuple[Grouping, ...],
    answers: ScoreFilter | None = None,
) -> pd.DataFrame:
    """``score_table`` for a person allowed to see complaint aggregates (every employee)."""
    require(actor, Permission.COMPLAINTS_AGGREGATES)
    return score_table(db, survey_type, by, answers)


def filter_choices(db: Database, actor: CurrentUser) -> dict[str, object]:
    """The channels and teams the answers name, and the first and last answer day."""
    require(actor, Permission.COMPLAINTS_AGGREGATES)
    span = db.query_one("SELECT min(answered_on) AS first, max(answered_on) AS last FROM customer_survey_answers")
    return {
        "channels": [r["channel"] for r in db.query("SELECT DISTINCT channel FROM customer_survey_answers ORDER BY 1")],
        "teams": db.query(
            "SELECT t.id, t.name FROM teams t WHERE t.id IN (SELECT DISTINCT team_id FROM customer_survey_answers)"
            " ORDER BY t.name"
        ),
        "first": span["first"] if span else None,
        "last": span["last"] if span else None,
    }


# -- the computed KPIs (models.areas) -------------------------------------------------------------
def _monthly(db: Database, survey_type: SurveyTypeCode, start: date, end: date) -> list[tuple[date, float]]:
    """The organisation's KPI at the end of each complete month from ``start``'s month whose
    last day is on or before ``end``, for the months that have answers."""
    last_complete = end if (end + timedelta(days=1)).day == 1 else end.replace(day=1) - timedelta(days=1)
    answers = ScoreFilter(date_from=start.replace(day=1), date_to=last_complete)
    if answers.date_from > last_complete:
        return []
    frame = score_table(db, survey_type, ("month",), answers)
    return [(_month_end(month), float(value)) for month, value in zip(frame["month"], frame["value"], strict=True)]


def _month_end(day: date | pd.Timestamp) -> date:
    first = pd.Timestamp(day).date().replace(day=1)
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1) - timedelta(days=1)


def nps_kpi(db: Database, start: date, end: date) -> list[tuple[date, float]]:
    """The NPS KPI: the organisation's NPS per complete month."""
    return _monthly(db, "nps", start, end)


def csat_kpi(db: Database, start: date, end: date) -> list[tuple[date, float]]:
    """The CSAT KPI: the organisation's share of satisfied answers (4-5 of 5) per complete month."""
    return _monthly(db, "csat", start, end)


def ces_kpi(db: Database, start: date, end: date) -> list[tuple[date, float]]:
    """The CES KPI: the organisation's mean effort score per complete month."""
    return _monthly(db, "ces", start, end)


_SPLIT_KEY_SQL = {"channel": "a.channel", "team": "a.team_id", "site": "t.site_id"}


def split_kpi(survey_type: SurveyTypeCode) -> Callable[[Reader, date, date, str], list[tuple[date, str | int, float]]]:
    """The KPI of ``survey_type`` per channel (key: the channel as the answers name it), team or
    site (key: its id; an answer counts for its team's site) and complete month. Answers whose
    unit matched no team count for their channel only."""
    code = _checked_type(survey_type)

    def compute(db: Reader, start: date, end: date, by: str) -> list[tuple[date, str | int, float]]:
        if by not in _SPLIT_KEY_SQL:
            raise ValueError(f"the customer KPIs are not computed per {by}")
        last_complete = end if (end + timedelta(days=1)).day == 1 else end.replace(day=1) - timedelta(days=1)
        first = start.replace(day=1)
        if first > last_complete:
            return []
        return _split_values(db, code, first, last_complete, by)

    return compute


@cached_aggregate(tables=_SCORE_TABLES)
def _split_values(db: Reader, code: str, first: date, last: date, by: str) -> list[tuple[date, str | int, float]]:
    """The KPI of ``code`` per ``by`` and complete month from ``first`` to ``last`` (``split_kpi``)."""
    key = _SPLIT_KEY_SQL[by]
    rows = db.query(
        f"SELECT last_day(a.answered_month) AS month, {key} AS key, {_VALUE_SQL[code]} AS value"
        " FROM customer_survey_answers a LEFT JOIN teams t ON t.id = a.team_id"
        f" WHERE a.survey_type = ? AND a.answered_on BETWEEN ? AND ? AND {key} IS NOT NULL"
        " GROUP BY ALL ORDER BY 1, 2",  # noqa: S608 - the key is fixed text
        [code, first, last],
    )
    return [(row["month"], row["key"], float(row["value"])) for row in rows]
