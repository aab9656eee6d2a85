"""The programme at a glance on a day: each figure read through the function of the area that
owns it, scoped and permission-checked as that area does. Reports reuse these with their own
``as_of`` day."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from models.access import CurrentUser, Permission, require
from models.actions import plan
from models.actions.plan import Action
from models.complaints import analysis
from models.complaints.analysis import ComplaintFilter
from models.customers import scores
from models.customers.scores import ScoreFilter
from models.engagement import answers, results, surveys
from models.engagement.results import TrendPoint
from models.figures import share
from models.i18n import N_
from models.speakup import board, cycle_report, cycles
from models.speakup.cycles import Cycle
from models.speakup.ideas import Idea
from models.standards import compliance as standards_compliance
from models.strategy import goals
from models.strategy.goals import STATUS_ORDER, Goal
from models.training import compliance as training_compliance
from models.training.compliance import Compliance

if TYPE_CHECKING:
    from models.db import Database

RECENT_DAYS = 90  # "current" figures (vital few, customer scores, standards) cover the last 90 days
TREND_MONTHS = 12
OVERDUE_SHOWN = 5  # the longest overdue training a summary lists


def recent_period(as_of: date, days: int = RECENT_DAYS) -> tuple[date, date]:
    """The ``days`` days up to and including ``as_of``."""
    return as_of - timedelta(days=days - 1), as_of


def trend_start(as_of: date, months: int = TREND_MONTHS) -> date:
    """The first day of the month ``months - 1`` months before ``as_of``'s: a trend of ``months`` months."""
    index = as_of.year * 12 + as_of.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


# -- goals ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class GoalsAtAGlance:
    counts: dict[str, int]  # status -> goals, every status of STATUS_ORDER
    goals: list[Goal]  # every active goal with its status, the worst first


def goals_at_a_glance(db: Database, user: CurrentUser, as_of: date) -> GoalsAtAGlance:
    """Every active goal's computed status and reason on ``as_of``, the worst first."""
    require(user, Permission.STRATEGY_READ)
    listed = goals.list_goals(db, today=as_of)
    counted = Counter(goal.status.status for goal in listed if goal.status is not None)
    rank = {status: position for position, status in enumerate(STATUS_ORDER)}
    worst_first = sorted(listed, key=lambda goal: rank[goal.status.status] if goal.status else len(rank))
    return GoalsAtAGlance(counts={status: counted.get(status, 0) for status in STATUS_ORDER}, goals=worst_first)


# -- complaints -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ComplaintsAtAGlance:
    period: tuple[date, date]  # the recent period of the count and the vital few
    complaints: int  # in the recent period
    volume: pd.DataFrame  # month, complaints: the trend
    vital_few: list[str]  # the categories making up 80 % of the recent period's complaints
    tied_at_the_line: list[str]


def complaints_at_a_glance(db: Database, user: CurrentUser, as_of: date) -> ComplaintsAtAGlance:
    """Complaint volume per month over a year, and the recent period's count and vital few."""
    first, last = recent_period(as_of)
    recent = ComplaintFilter(date_from=first, date_to=last)
    volume = analysis.volume_by_month(db, user, ComplaintFilter(date_from=trend_start(as_of), date_to=as_of))
    pareto = analysis.pareto(db, user, recent)
    return ComplaintsAtAGlance(
        period=(first, last),
        complaints=int(analysis.summary(db, user, recent).get("complaints") or 0),
        volume=volume,
        vital_few=analysis.vital_few(pareto),
        tied_at_the_line=analysis.tied_at_the_line(pareto),
    )


# -- action plan ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ActionsAtAGlance:
    summary: dict[str, int]  # plan.plan_summary: total, per status, overdue
    overdue: list[Action]  # the overdue actions, the most pressing first

    @property
    def active(self) -> int:
        """Actions not cancelled: the plan progress is measured against."""
        return self.summary["total"] - self.summary["cancelled"]


def actions_at_a_glance(db: Database, user: CurrentUser, as_of: date) -> ActionsAtAGlance:
    require(user, Permission.STRATEGY_READ)
    return ActionsAtAGlance(summary=plan.plan_summary(db, as_of), overdue=plan.list_actions(db, overdue_on=as_of))


# -- Speak-Up -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpeakUpAtAGlance:
    cycle: Cycle | None  # the cycle people are working on, else the latest
    open_for_ideas: bool
    days_left: int | None  # days to the submission deadline while open for ideas
    my_ideas: list[Idea]
    funnel: pd.DataFrame | None  # stage, ideas — for readers of every dashboard

    @property
    def next_opening(self) -> date | None:
        """When ideas can next be brought: a planned cycle's opening day."""
        if self.cycle is not None and self.cycle.phase == "planned":
            return self.cycle.submission_opens
        return None


def speakup_at_a_glance(db: Database, user: CurrentUser, as_of: date) -> SpeakUpAtAGlance:
    """The current cycle with its days left, the person's ideas and (leadership) its funnel."""
    cycle = cycles.current_cycle(db)
    open_for_ideas = cycle is not None and cycle.accepts_submissions(as_of)
    funnel = None
    if cycle is not None and cycle.phase != "planned" and user.can(Permission.DASHBOARDS_ALL):
        funnel = cycle_report.funnel(db, user, cycle.id)
    return SpeakUpAtAGlance(
        cycle=cycle,
        open_for_ideas=open_for_ideas,
        days_left=(cycle.submission_closes - as_of).days if cycle is not None and open_for_ideas else None,
        my_ideas=board.my_ideas(db, user),
        funnel=funnel,
    )


# -- training -------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainingAtAGlance:
    everyone: bool  # the organisation (HR, leadership), else the reader's team
    compliance: Compliance
    overdue: pd.DataFrame  # person, team, course, due on, days overdue — the OVERDUE_SHOWN longest overdue


def training_at_a_glance(db: Database, user: CurrentUser, as_of: date) -> TrainingAtAGlance:
    """Mandatory-training compliance, overdue and expiring of the people the reader sees."""
    return TrainingAtAGlance(
        everyone=training_compliance.scope_of(user).everyone,
        compliance=training_compliance.group_compliance(db, user, on=as_of),
        overdue=training_compliance.overdue_list(db, user, on=as_of, longest=OVERDUE_SHOWN),
    )


# -- engagement -----------------------------------------------------------------------------
@dataclass(frozen=True)
class EngagementAtAGlance:
    trend: list[TrendPoint]  # eNPS of each closed survey, oldest first
    participation: tuple[int, int] | None  # answered, asked in the latest closed survey (survey managers)

    @property
    def latest(self) -> TrendPoint | None:
        return self.trend[-1] if self.trend else None


def engagement_at_a_glance(db: Database, user: CurrentUser, as_of: date) -> EngagementAtAGlance:
    trend = results.enps_trend(db, user, today=as_of)
    participation = None
    if trend and user.can(Permission.SURVEYS_MANAGE):
        survey = surveys.get_survey(db, trend[-1].survey_id)
        participation = answers.participation(db, survey) if survey is not None else None
    return EngagementAtAGlance(trend=trend, participation=participation)


# -- customers ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomersAtAGlance:
    period: tuple[date, date]
    nps: pd.DataFrame  # answers, value: the whole period (one row, none without answers)
    csat: pd.DataFrame
    by_channel: pd.DataFrame  # channel, measure ("NPS", "CSAT (%)"), value, answers


def customers_at_a_glance(db: Database, user: CurrentUser, as_of: date) -> CustomersAtAGlance:
    """Customer NPS and CSAT over the recent period, overall and by channel."""
    first, last = recent_period(as_of)
    answered = ScoreFilter(date_from=first, date_to=last)
    parts = []
    for code, measure in (("nps", N_("NPS")), ("csat", N_("CSAT (%)"))):  # shown with _()
        frame = scores.scores(db, user, code, ("channel",), answered)[["channel", "answers", "value"]]
        if len(frame):
            parts.append(frame.assign(measure=measure))
    return CustomersAtAGlance(
        period=(first, last),
        nps=scores.scores(db, user, "nps", (), answered),
        csat=scores.scores(db, user, "csat", (), answered),
        by_channel=(
            pd.concat(parts, ignore_index=True)
            if parts
            else pd.DataFrame(columns=["channel", "measure", "value", "answers"])
        ),
    )


# -- service standards ----------------------------------------------------------------------
@dataclass(frozen=True)
class StandardsAtAGlance:
    period: tuple[date, date]
    by_standard: pd.DataFrame  # standard, checks, failed, compliance (%) — the lowest first
    failing: list[dict[str, Any]]  # standards failed in REPEATED_FAILURES or more audits of the period

    @property
    def checks(self) -> int:
        return int(self.by_standard["checks"].sum()) if len(self.by_standard) else 0

    @property
    def compliance(self) -> float | None:
        """Checks that complied ÷ checks made over every standard of the period (%)."""
        if not self.checks:
            return None
        return share(self.checks - int(self.by_standard["failed"].sum()), self.checks)


def standards_at_a_glance(db: Database, user: CurrentUser, as_of: date) -> StandardsAtAGlance:
    first, last = recent_period(as_of)
    return StandardsAtAGlance(
        period=(first, last),
        by_standard=standards_compliance.compliance_by_standard(db, user, first, last),
        failing=standards_compliance.failing_standards(db, user, first, last),
    )
