"""What happens to a demo cycle's green-lit ideas after Speak-Up Day: the action owner
starts the linked action, reports progress, finishes it, and records the benefit reviews
at 30, 90 and 180 days — each on its own day, never later than the organisation's today.

Part of the Speak-Up demo step (``models.speakup.demo``); every change goes through the
action plan's and the Speak-Up domain's own functions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from random import Random
from typing import TYPE_CHECKING, Any

from models.actions import workflow
from models.speakup import benefits, ideas

if TYPE_CHECKING:
    from models.db import Database
    from models.seeding import DemoOrganisation


def at_time(day: date, rng: Random) -> datetime:
    """A moment in the working hours of ``day``."""
    return datetime.combine(day, time(9 + rng.randint(0, 8), rng.randint(0, 59)))


def moment_between(rng: Random, start: datetime, end: datetime) -> datetime:
    """A moment from ``start`` to ``end`` (``start`` itself when the span is empty)."""
    minutes = int((end - start).total_seconds() // 60)
    return start + timedelta(minutes=rng.randint(0, minutes)) if minutes > 0 else start


def follow_up(db: Database, org: DemoOrganisation, texts: dict[str, Any], idea_id: int, decided_at: datetime) -> None:
    """The green-lit idea's action and benefit reviews, as far as the time since the day allows."""
    rng, today = org.rng, org.today
    notes = texts["notes"]
    idea = ideas.get_idea(db, idea_id)
    assert idea is not None and idea.action_id is not None and idea.action_owner_id is not None
    owner = org.user(idea.action_owner_id)
    day = decided_at.date()
    reviews = [review_day for review_day in ideas.REVIEW_DAYS if day + timedelta(days=review_day) <= today]
    implemented = len(reviews) >= 2

    started = min(decided_at + timedelta(days=7), datetime.combine(today, time(8)))
    workflow.change_status(db, owner, idea.action_id, "in_progress", None, note=notes["action_started"], at=started)
    pilot_report = min(started + timedelta(days=21), datetime.combine(today, time(8, 30)))
    progress_pct = 60 if implemented else rng.choice((30, 50, 70))
    workflow.post_update(
        db, owner, idea.action_id, notes["action_progress"], progress_pct=progress_pct, at=pilot_report
    )
    if implemented:
        completed_on = day + timedelta(days=reviews[1])
        workflow.change_status(
            db,
            owner,
            idea.action_id,
            "done",
            None,
            note=notes["action_done"],
            on=completed_on,
            at=datetime.combine(completed_on, time(11)),
        )
    achieved = rng.uniform(0.5, 1.1)  # how much of the business case the change delivers
    for review_day in reviews:
        realised = round(float(idea.annual_savings) * achieved * review_day / 365, -2)
        benefits.record_benefit_review(
            db,
            owner,
            idea_id,
            review_day,
            realised,
            notes["benefit_review"],
            implemented=implemented and review_day == reviews[1],
            at=datetime.combine(day + timedelta(days=review_day), time(15)),
        )
