"""A person's own next steps on a day: training due, coaching and assessments waiting for
them, kudos received and a survey to answer — each read through its area's own function."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from models.access import CurrentUser
from models.coaching import log
from models.coaching.log import CoachingSession
from models.competencies import assessments
from models.competencies.assessments import Assessment
from models.engagement import surveys
from models.engagement.surveys import Survey
from models.recognition import kudos
from models.recognition.kudos import Kudos
from models.training import compliance
from models.training.compliance import MyTraining

if TYPE_CHECKING:
    from models.db import Database

WAITING_FOR_ACKNOWLEDGEMENT = "open"  # an assessment's status until its person acknowledges or appeals it


def my_training(db: Database, user: CurrentUser, as_of: date) -> MyTraining:
    """The person's overdue, due and expiring training on ``as_of``."""
    return compliance.my_training(db, user, on=as_of)


@dataclass(frozen=True)
class MyDevelopment:
    overdue_follow_ups: list[CoachingSession]  # the reader's own (a lead's: their team's too)
    sessions_to_acknowledge: int
    assessments_to_acknowledge: list[Assessment]


def my_development(db: Database, user: CurrentUser, as_of: date) -> MyDevelopment:
    """Coaching follow-ups past due, and coaching sessions and assessments the person has yet to acknowledge."""
    own = assessments.assessments_of(db, user, user.employee_id)
    return MyDevelopment(
        overdue_follow_ups=log.overdue_follow_ups(db, user, as_of),
        sessions_to_acknowledge=log.unacknowledged_count(db, user),
        assessments_to_acknowledge=[item for item in own if item.status == WAITING_FOR_ACKNOWLEDGEMENT],
    )


@dataclass(frozen=True)
class MyKudos:
    received: list[Kudos]  # newest first
    this_month: int

    @property
    def latest(self) -> Kudos | None:
        return self.received[0] if self.received else None


def my_kudos(db: Database, user: CurrentUser, as_of: date) -> MyKudos:
    """The kudos that reached the person (theirs or their team's), and how many in ``as_of``'s month."""
    received = kudos.kudos_received(db, user, user.employee_id)
    month = (as_of.year, as_of.month)
    return MyKudos(
        received=received,
        this_month=sum(1 for item in received if (item.given_at.year, item.given_at.month) == month),
    )


def surveys_to_answer(db: Database, user: CurrentUser, as_of: date) -> list[Survey]:
    """The open surveys that ask this person and that they have not answered yet."""
    return [survey for survey, answered in surveys.surveys_to_answer(db, user, today=as_of) if not answered]
