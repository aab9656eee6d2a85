"""What team leads and HR look after, on a day: coaching this month, assessments and skill
gaps, a team's ideas, recognition this month and the ideas waiting for moderation — each
read through its area's own function and scoped as that area scopes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from models.access import CurrentUser, Permission, require
from models.coaching import report
from models.competencies import appeals, assessments, matrix, scope
from models.competencies.assessments import Assessment
from models.figures import share
from models.home.personal import WAITING_FOR_ACKNOWLEDGEMENT
from models.recognition import export, leaderboard
from models.speakup import board, cycles, moderation
from models.speakup.cycles import Cycle
from models.speakup.ideas import Idea

if TYPE_CHECKING:
    from models.db import Database

BELOW_REQUIREMENT = ("below_2", "below_1")  # the skills matrix's categories of an assessed gap
NOT_ASSESSED = "not_assessed"


# -- coaching -------------------------------------------------------------------------------
@dataclass(frozen=True)
class CoachingMix:
    month_start: date
    by_team: pd.DataFrame  # coaching.report.integrated_share for the month: team, sessions, integrated…

    @property
    def sessions(self) -> int:
        return int(self.by_team["sessions"].sum()) if len(self.by_team) else 0

    @property
    def integrated(self) -> int:
        return int(self.by_team["integrated_sessions"].sum()) if len(self.by_team) else 0

    @property
    def integrated_share(self) -> float | None:
        """Integrated sessions ÷ sessions (%), as the coaching report defines it, over the teams read."""
        return share(self.integrated, self.sessions)


def coaching_mix(db: Database, user: CurrentUser, as_of: date) -> CoachingMix:
    """Coaching sessions of ``as_of``'s month up to ``as_of``: integrated and scheduled, per team
    (a team lead's own team; every team for HR and leadership)."""
    month_start = as_of.replace(day=1)
    return CoachingMix(month_start=month_start, by_team=report.integrated_share(db, user, month_start, as_of))


# -- assessments and gaps -------------------------------------------------------------------
@dataclass(frozen=True)
class SkillsAtAGlance:
    team_id: int | None  # None: the whole organisation
    cells: pd.Series  # the skills matrix's cells per category (below_2, below_1, not_assessed, meets, …)
    gaps: pd.DataFrame  # per competency: people below requirement, the most first
    appeals_to_resolve: list[Assessment]
    awaiting_acknowledgement: list[Assessment]  # the team's assessments their people have yet to acknowledge

    @property
    def below_requirement(self) -> int:
        return int(sum(self.cells.get(category, 0) for category in BELOW_REQUIREMENT))

    @property
    def not_assessed(self) -> int:
        return int(self.cells.get(NOT_ASSESSED, 0))


def skills_at_a_glance(db: Database, user: CurrentUser, as_of: date) -> SkillsAtAGlance:
    """Gaps against required levels and the assessments waiting on someone: a team lead's team,
    the organisation for HR and leadership (as the skills matrix shows them)."""
    require(user, Permission.SKILLS_MATRIX)
    team_id = None if scope.sees_everyone(user) else user.team_id
    frame = matrix.skills_matrix(db, user, team_id=team_id)
    cells = frame["category"].value_counts() if len(frame) else pd.Series(dtype="int64")
    resolves = user.can(Permission.COMPETENCIES_MANAGE) or user.can(Permission.TEAM_ASSESSMENTS)
    return SkillsAtAGlance(
        team_id=team_id,
        cells=cells,
        gaps=matrix.gaps_in(db, frame),
        appeals_to_resolve=appeals.appeals_queue(db, user) if resolves else [],
        awaiting_acknowledgement=[
            item
            for item in assessments.visible_assessments(db, user, team_id=team_id)
            if item.status == WAITING_FOR_ACKNOWLEDGEMENT and item.employee_id != user.employee_id
        ],
    )


# -- a team's ideas -------------------------------------------------------------------------
@dataclass(frozen=True)
class TeamIdeas:
    ideas: list[Idea]  # posted ideas of the team, newest first
    cycle: Cycle | None  # the current cycle

    @property
    def in_current_cycle(self) -> list[Idea]:
        return [idea for idea in self.ideas if self.cycle is not None and idea.cycle_id == self.cycle.id]

    @property
    def green_lit(self) -> list[Idea]:
        """Ideas green-lit, in implementation or implemented."""
        return [idea for idea in self.ideas if idea.status in ("green_lit", "in_implementation", "implemented")]


def team_ideas(db: Database, user: CurrentUser, as_of: date) -> TeamIdeas:
    """The ideas the reader's team posted (as the idea board lists them by team)."""
    return TeamIdeas(ideas=board.board(db, team_id=user.team_id), cycle=cycles.current_cycle(db))


# -- recognition ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RecognitionThisPeriod:
    period_label: str
    people_taking_part: int  # people who received or gave kudos or had an idea green-lit
    kudos: int  # kudos given in the period and shown (not hidden)
    badges: int  # badges awarded in the period and not withdrawn


def recognition_this_period(
    db: Database, user: CurrentUser, as_of: date, period: str = "month"
) -> RecognitionThisPeriod:
    """Recognition in the month (or quarter, year) holding ``as_of``, as HR's export counts it."""
    rows = export.recognition_export(db, user, period, as_of)
    shown = rows[~rows["hidden"]] if len(rows) else rows
    board_of_period = leaderboard.leaderboard(db, user, period, as_of)
    return RecognitionThisPeriod(
        period_label=board_of_period.period_label,
        people_taking_part=board_of_period.people_counted,
        kudos=int((shown["kind"] == "kudos").sum()) if len(shown) else 0,
        badges=int((shown["kind"] == "badge").sum()) if len(shown) else 0,
    )


# -- moderation -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ModerationAtAGlance:
    cycle: Cycle | None
    queued: int  # submitted, sent back or shortlisted ideas of the current cycle


def moderation_at_a_glance(db: Database, user: CurrentUser, as_of: date) -> ModerationAtAGlance:
    """The current cycle and how many of its ideas moderators look after (counted, not listed)."""
    require(user, Permission.IDEAS_MODERATE)
    cycle = cycles.current_cycle(db)
    return ModerationAtAGlance(cycle=cycle, queued=moderation.queue_totals(db, cycle.id)["queued"] if cycle else 0)
