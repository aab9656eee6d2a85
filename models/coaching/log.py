"""Reading the coaching log: sessions as each reader may see them (rule 3 of
``models.coaching``), overdue follow-ups, and the choices a coach picks from."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from models.access import CurrentUser, Permission, Role, require
from models.coaching.scope import may_read, refuse_reading, scope_of, sees_private_notes
from models.people.directory import people_matching

if TYPE_CHECKING:
    from models.db import Reader


class CoachingSession(BaseModel):
    """A session as one reader sees it: ``private_notes`` is None unless they may read it."""

    id: int
    coached_on: date
    coach_id: int
    coach_name: str
    employee_id: int
    employee_name: str
    team_id: int | None
    team_name: str | None
    kind: str
    minutes: int
    competency_id: int | None
    competency_name: str | None
    shared_notes: str
    private_notes: str | None
    follow_up: str | None
    follow_up_due: date | None
    follow_up_done_at: datetime | None
    acknowledged_at: datetime | None
    version: int

    def follow_up_overdue(self, today: date) -> bool:
        """The follow-up's due date has passed and it is not done."""
        return self.follow_up_due is not None and self.follow_up_done_at is None and self.follow_up_due < today


_SELECT = """
    SELECT s.id, s.coached_on, s.coach_id, c.full_name AS coach_name, s.employee_id, e.full_name AS employee_name,
           e.team_id, t.name AS team_name, s.kind, s.minutes, s.competency_id, k.name AS competency_name,
           s.shared_notes, s.private_notes, s.follow_up, s.follow_up_due, s.follow_up_done_at, s.acknowledged_at,
           s.version
    FROM coaching_sessions s
    JOIN employees e ON e.id = s.employee_id
    JOIN employees c ON c.id = s.coach_id
    LEFT JOIN teams t ON t.id = e.team_id
    LEFT JOIN competencies k ON k.id = s.competency_id
"""


def _as_seen_by(actor: CurrentUser, row: dict[str, Any]) -> CoachingSession:
    if not sees_private_notes(actor, row["coach_id"]):
        row = {**row, "private_notes": None}
    return CoachingSession(**row)


def _people_condition(db: Reader, actor: CurrentUser, employee_id: int | None) -> tuple[str, list[Any]]:
    """The reader's scope, narrowed to one person when asked; another person's coaching
    outside the scope is refused, not returned empty."""
    if employee_id is None:
        return scope_of(actor).condition()
    team_id = db.scalar("SELECT team_id FROM employees WHERE id = ?", [employee_id])
    if not may_read(actor, employee_id, team_id):
        raise refuse_reading(actor)
    return "e.id = ?", [employee_id]


def _sessions_where(
    db: Reader, actor: CurrentUser, employee_id: int | None, since: date | None
) -> tuple[str, list[Any]]:
    require(actor, Permission.OWN_RECORDS_READ)
    condition, params = _people_condition(db, actor, employee_id)
    if since is not None:
        condition += " AND s.coached_on >= ?"
        params = [*params, since]
    return condition, params


def sessions(
    db: Reader,
    actor: CurrentUser,
    *,
    employee_id: int | None = None,
    since: date | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[CoachingSession]:
    """Sessions newest first: of one person when ``employee_id`` is given, otherwise of every
    person the reader may read (their own, their team's, or everyone's); ``limit`` of them from
    ``offset`` (None: all), and ``count_sessions`` says how many there are."""
    condition, params = _sessions_where(db, actor, employee_id, since)
    rows = db.query(
        f"{_SELECT} WHERE {condition} ORDER BY s.coached_on DESC, s.id DESC LIMIT ? OFFSET ?",  # noqa: S608
        [*params, limit, offset],
    )
    return [_as_seen_by(actor, row) for row in rows]


def count_sessions(db: Reader, actor: CurrentUser, *, employee_id: int | None = None, since: date | None = None) -> int:
    """How many sessions ``sessions`` pages through for the same person and period."""
    condition, params = _sessions_where(db, actor, employee_id, since)
    return int(
        db.scalar(
            "SELECT count(*) FROM coaching_sessions s JOIN employees e ON e.id = s.employee_id"  # noqa: S608
            f" WHERE {condition}",
            params,
        )
    )


def my_sessions(db: Reader, actor: CurrentUser, *, offset: int = 0, limit: int | None = None) -> list[CoachingSession]:
    """The sessions in which ``actor`` was coached, newest first (``limit`` from ``offset``)."""
    return sessions(db, actor, employee_id=actor.employee_id, offset=offset, limit=limit)


def count_my_sessions(db: Reader, actor: CurrentUser) -> int:
    """How many sessions ``actor`` was coached in."""
    return count_sessions(db, actor, employee_id=actor.employee_id)


def session(db: Reader, actor: CurrentUser, session_id: int) -> CoachingSession:
    """One session, refused when it is another person's coaching outside the reader's scope."""
    require(actor, Permission.OWN_RECORDS_READ)
    row = db.query_one(f"{_SELECT} WHERE s.id = ?", [session_id])  # noqa: S608 - fixed text
    if row is None or not (may_read(actor, row["employee_id"], row["team_id"]) or row["coach_id"] == actor.employee_id):
        raise refuse_reading(actor)
    return _as_seen_by(actor, row)


def overdue_follow_ups(db: Reader, actor: CurrentUser, today: date | None = None) -> list[CoachingSession]:
    """Sessions whose follow-up was due before ``today`` and is not done, oldest due first:
    the reader's own, their team's as its lead, everyone's for HR and leadership."""
    require(actor, Permission.OWN_RECORDS_READ)
    condition, params = scope_of(actor).condition()
    rows = db.query(
        f"{_SELECT} WHERE {condition} AND s.follow_up_due < ? AND s.follow_up_done_at IS NULL"  # noqa: S608
        " ORDER BY s.follow_up_due, s.id",
        [*params, today or date.today()],
    )
    return [_as_seen_by(actor, row) for row in rows]


def unacknowledged_count(db: Reader, actor: CurrentUser) -> int:
    """How many of ``actor``'s own sessions wait for their acknowledgement."""
    return int(
        db.scalar(
            "SELECT count(*) FROM coaching_sessions WHERE employee_id = ? AND acknowledged_at IS NULL",
            [actor.employee_id],
        )
    )


def _coachable(actor: CurrentUser) -> tuple[str, list[Any]] | None:
    """Whom ``actor`` may log coaching for, as a condition on ``employees e``: their own team's
    active people as its lead, every active person for HR; None: nobody."""
    if actor.has_role(Role.HR):
        condition, params = "TRUE", []
    elif actor.can(Permission.TEAM_COACHING) and actor.team_id is not None:
        condition, params = "e.team_id = ?", [actor.team_id]
    else:
        return None
    return f"e.active AND e.id <> ? AND {condition}", [actor.employee_id, *params]


def coachable_people(db: Reader, actor: CurrentUser) -> list[dict[str, Any]]:
    """The people ``actor`` may log coaching for (id, full_name, team_name), by name."""
    among = _coachable(actor)
    if among is None:
        return []
    return db.query(
        "SELECT e.id, e.full_name, t.name AS team_name FROM employees e LEFT JOIN teams t ON t.id = e.team_id"
        f" WHERE {among[0]} ORDER BY e.full_name, e.id",  # noqa: S608 - fixed text
        among[1],
    )


def find_coachable(db: Reader, actor: CurrentUser, search: str = "") -> tuple[list[dict[str, Any]], int]:
    """For the picker of the person coached: the first of ``coachable_people`` matching
    ``search`` (name, email or employee number), and how many match."""
    among = _coachable(actor)
    if among is None:
        return [], 0
    return people_matching(db, search, among=among[0], params=among[1])


def competency_choices(db: Reader) -> list[dict[str, Any]]:
    """The active competencies of the catalogue (id, name), for a session's focus."""
    return db.query("SELECT id, name FROM competencies WHERE active ORDER BY name")
