"""Speak-Up Day preparation in the demo: HR schedules a session of each preparation course
between the shortlist and the day, the shortlisted ideas' authors are invited by the rule,
the trainers record who came (most did), and leadership sets the running order and the
judges present the day before. Part of the Speak-Up demo step (``models.speakup.demo``);
every change goes through the preparation domain, dated with its ``at``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from models.access import Role
from models.seeding import demo_texts
from models.speakup import day_plan, preparation
from models.speakup import preparation_views as views

if TYPE_CHECKING:
    from models.access import CurrentUser
    from models.db import Database
    from models.seeding import DemoOrganisation

SESSION_MINUTES = 90
SESSION_CAPACITY = 12
ATTENDANCE = (True,) * 17 + (False,) * 2 + (None,)  # most come; a few miss one; one not recorded


def _hr(org: DemoOrganisation, fallback: CurrentUser) -> CurrentUser:
    return org.user(org.logins[Role.HR]) if Role.HR in org.logins else fallback


def schedule_sessions(
    db: Database, org: DemoOrganisation, leader: CurrentUser, cycle_id: int, first_day: date, *, at: datetime
) -> list[tuple[int, CurrentUser, datetime]]:
    """One evening session of each preparation course, two days apart from ``first_day``,
    scheduled by HR ``at``; returns each session with its trainer and start."""
    rng, texts = org.rng, demo_texts("speakup")
    trainers = org.with_role(Role.HR) or [org.person(leader.employee_id)]
    scheduled = []
    for number, course in enumerate(preparation.preparation_courses(db)):
        trainer = org.user(rng.choice(trainers)["id"])
        starts = datetime.combine(first_day + timedelta(days=2 * number), time(17, 30))
        data = {
            "course_id": course["id"],
            "starts_at": starts,
            "minutes": SESSION_MINUTES,
            "place": rng.choice(texts["preparation_places"]),
            "trainer_id": trainer.employee_id,
            "capacity": SESSION_CAPACITY,
        }
        session_id = preparation.schedule_session(db, _hr(org, leader), cycle_id, data, at=at)
        scheduled.append((session_id, trainer, starts))
    return scheduled


def past_preparation(
    db: Database, org: DemoOrganisation, leader: CurrentUser, judges: list[dict[str, Any]], cycle_id: int, day: date
) -> None:
    """A past cycle's preparation: sessions in the fortnight before the day with attendance,
    then the running order and the judges present, set the day before."""
    rng = org.rng
    sessions = schedule_sessions(
        db, org, leader, cycle_id, day - timedelta(days=8), at=datetime.combine(day - timedelta(days=10), time(9))
    )
    for session_id, trainer, starts in sessions:
        after = starts + timedelta(minutes=SESSION_MINUTES + 10)
        attendance = {row["id"]: rng.choice(ATTENDANCE) for row in views.session_invitations(db, trainer, session_id)}
        recorded = {invitation: attended for invitation, attended in attendance.items() if attended is not None}
        preparation.record_session_attendance(db, trainer, recorded, at=after)
    eve = day - timedelta(days=1)
    shortlist = list(day_plan.shortlisted_ideas(db, cycle_id).items())
    rng.shuffle(shortlist)
    order = [
        {"position": position, "idea_id": idea_id, "presenter_id": rng.choice(sorted(idea["authors"]))}
        for position, (idea_id, idea) in enumerate(shortlist, start=1)
    ]
    day_plan.set_running_order(db, leader, cycle_id, order, at=datetime.combine(eve, time(15)))
    present = [judge["id"] for judge in judges]
    if len(present) > 3:  # one judge is away on the day
        present.remove(rng.choice(present))
    day_plan.set_judges_present(db, leader, cycle_id, present, at=datetime.combine(eve, time(15, 30)))


def current_preparation(
    db: Database, org: DemoOrganisation, leader: CurrentUser, cycle_id: int, submissions_close: date
) -> None:
    """The current cycle has a shortlist: its sessions are scheduled for after submissions close."""
    at = datetime.combine(org.today, time(8, 30))
    schedule_sessions(db, org, leader, cycle_id, submissions_close + timedelta(days=1), at=at)
