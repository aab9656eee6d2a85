"""Speak-Up Day preparation (SPEC §5): coaching sessions of the preparation courses, held
between a cycle's shortlist and its day, to which the authors and co-authors of the
shortlisted ideas are invited; their attendance, and who is prepared.

The rules, stated once:

1. **Window.** HR or leadership schedules a session for a cycle that has a shortlist and has
   not reached its day: the cycle is open or in review, at least one of its ideas was
   shortlisted, and the session starts after it is scheduled, on or after the day of the
   first shortlisting and before Speak-Up Day.
2. **Invited automatically.** Every author and co-author of a shortlisted idea is invited to
   each of the cycle's sessions that has not started — when a session is scheduled and when
   an idea is shortlisted later. An idea taken off the shortlist withdraws its authors'
   invitations not attended (kept, with why), unless another shortlisted idea of theirs
   earns them.
3. **Attendance** is recorded, once the session has started, by its trainer, HR or
   leadership. Attending completes the session's course on the session's day (a completion
   with source ``session``), so it shows in the person's transcript; a recorded attendance
   is therefore not taken back here.
4. **Prepared** = attended at least one session of each preparation course scheduled for the
   cycle (nobody is prepared while no session is scheduled)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import Field

from models import audit
from models.access import CurrentUser, Permission, PermissionDeniedError, require
from models.db import ConnectionReader, Reader, insert_row, next_ids, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _, current_language, format_date, format_datetime
from models.inputs import InputRecord
from models.speakup.cycles import Cycle, get_cycle
from models.training.completions import CompletionInput, store_completions

if TYPE_CHECKING:
    from models.db import Database

PREPARATION_COURSES = ("SU-BUSINESS-CASE", "SU-PRESENTING", "SU-PROJECT-PLAN")
SCHEDULING_PHASES = ("open", "review")
ON_SHORTLIST = ("shortlisted", "scored", "green_lit", "not_selected", "in_implementation", "implemented")
PREPARED_RULE = N_(
    "Prepared means: attended at least one session of each preparation course scheduled for the cycle. "
    "Nobody is prepared while no session is scheduled."
)
INVITATION = "speakup_prep_invitation"


class SessionInput(InputRecord):
    course_id: int = Field(title=N_("Course"))
    starts_at: datetime = Field(title=N_("Starts at"))
    minutes: int = Field(90, title=N_("Minutes"), ge=15, le=480)
    place: str = Field(title=N_("Place"), min_length=2, max_length=120)
    trainer_id: int = Field(title=N_("Trainer"))
    capacity: int = Field(12, title=N_("Capacity"), ge=1, le=200)


# -- who may -------------------------------------------------------------------------
def may_manage(user: CurrentUser | None) -> bool:
    """HR (training) and leadership (Speak-Up) schedule sessions and see every invitation."""
    return user is not None and (user.can(Permission.TRAINING_MANAGE) or user.can(Permission.SPEAKUP_MANAGE))


def require_manager(actor: CurrentUser | None) -> None:
    """Refuse unless the actor is HR or leadership."""
    if actor is not None and actor.can(Permission.TRAINING_MANAGE):
        return
    require(actor, Permission.SPEAKUP_MANAGE)


def is_prepared(required_courses: set[int], attended_courses: set[int]) -> bool:
    """The prepared rule: every course scheduled for the cycle attended at least once."""
    return bool(required_courses) and required_courses <= attended_courses


# -- scheduling ----------------------------------------------------------------------
def preparation_courses(source: Reader) -> list[dict[str, Any]]:
    """The active courses a preparation session may be a session of."""
    return source.query(
        "SELECT id, code, title FROM courses WHERE active AND list_contains(?, code) ORDER BY code",
        [list(PREPARATION_COURSES)],
    )


def shortlist_started(source: Reader, cycle_id: int) -> datetime | None:
    """When the first idea of the cycle was shortlisted: the preparation window opens."""
    return source.scalar(
        "SELECT min(changed_at) FROM idea_status_history WHERE cycle_id = ? AND to_status = 'shortlisted'",
        [cycle_id],
    )


def _window_problems(source: Reader, cycle: Cycle, starts_at: datetime, now: datetime) -> list[tuple[str, str]]:
    if cycle.phase not in SCHEDULING_PHASES:
        return [
            (
                _("Cycle"),
                _(
                    "{cycle} is {phase}; preparation sessions are scheduled between the shortlist and Speak-Up Day",
                    cycle=cycle.name,
                    phase=cycle.phase_label.lower(),
                ),
            )
        ]
    opened = shortlist_started(source, cycle.id)
    if opened is None:
        return [
            (
                _("Cycle"),
                _(
                    "no idea of {cycle} is shortlisted yet; sessions are scheduled once it has a shortlist",
                    cycle=cycle.name,
                ),
            )
        ]
    problems = []
    if starts_at <= now:
        problems.append((_("Starts at"), _("choose a time that has not passed")))
    if starts_at.date() < opened.date():
        problems.append(
            (_("Starts at"), _("choose a day on or after the first shortlisting ({day})", day=_day(opened)))
        )
    if starts_at.date() >= cycle.speakup_day:
        problems.append((_("Starts at"), _("choose a day before Speak-Up Day ({day})", day=_day(cycle.speakup_day))))
    return problems


def _day(value: date | datetime) -> str:
    """A day in a refusal: "05 Mar 2026" in English, the language's own form otherwise."""
    return f"{value:%d %b %Y}" if current_language() == "en" else format_date(value, "dd MMM y")


def _people_problems(source: Reader, session: SessionInput) -> list[tuple[str, str]]:
    problems = []
    if session.course_id not in {course["id"] for course in preparation_courses(source)}:
        problems.append(
            (
                _("Course"),
                _("choose one of the preparation courses ({codes})", codes=", ".join(PREPARATION_COURSES)),
            )
        )
    if not source.query_one("SELECT 1 FROM employees WHERE id = ? AND active", [session.trainer_id]):
        problems.append((_("Trainer"), _("choose an active employee")))
    return problems


def schedule_session(
    db: Database, actor: CurrentUser, cycle_id: int, data: dict[str, Any], *, at: datetime | None = None
) -> int:
    """HR or leadership schedules a preparation session for a cycle (``at``, default now);
    the shortlisted ideas' authors are invited to it at once. Returns the session's id."""
    require_manager(actor)
    session = validate(SessionInput, data)
    now = at or utc_now()

    def schedule(connection: duckdb.DuckDBPyConnection) -> int:
        reader = ConnectionReader(connection)
        cycle = get_cycle(reader, cycle_id)
        if cycle is None:
            raise InputError.single(_("Cycle"), _("no such cycle"))
        problems = _window_problems(reader, cycle, session.starts_at, now) + _people_problems(reader, session)
        if problems:
            raise InputError(problems)
        values = {**session.model_dump(), "cycle_id": cycle_id, "scheduled_by": actor.employee_id, "scheduled_at": now}
        session_id = insert_row(connection, "speakup_prep_sessions", values)
        audit.record(connection, actor, "speakup_prep_session", session_id, "schedule", after=values, at=now)
        invite_shortlisted(connection, actor, cycle_id, at=now, session_id=session_id)
        return session_id

    return db.write(schedule)


# -- invitations ---------------------------------------------------------------------
def _shortlisted_authors(source: Reader, cycle_id: int, idea_id: int | None = None) -> dict[int, int]:
    """Each author or co-author of the cycle's shortlisted ideas (or of one of them), with the
    first idea that earns them an invitation."""
    rows = source.query(
        "SELECT employee_id, min(idea_id) AS idea_id FROM ("
        " SELECT i.author_id AS employee_id, i.id AS idea_id FROM ideas i"
        "  WHERE i.cycle_id = $cycle AND i.status = 'shortlisted' AND ($idea IS NULL OR i.id = $idea)"
        " UNION ALL SELECT c.employee_id, i.id FROM ideas i JOIN idea_coauthors c ON c.idea_id = i.id"
        "  WHERE i.cycle_id = $cycle AND i.status = 'shortlisted' AND ($idea IS NULL OR i.id = $idea)"
        ") GROUP BY employee_id ORDER BY employee_id",
        {"cycle": cycle_id, "idea": idea_id},
    )
    return {row["employee_id"]: row["idea_id"] for row in rows}


def invite_shortlisted(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    cycle_id: int,
    *,
    at: datetime | None = None,
    session_id: int | None = None,
    idea_id: int | None = None,
) -> int:
    """Inside an open write: invite the shortlisted ideas' authors (of one idea, when given) to
    the cycle's sessions that have not started (one session, when given). Audited; returns
    how many invitations were made or renewed."""
    now = at or utc_now()
    reader = ConnectionReader(connection)
    sessions = [
        row["id"]
        for row in reader.query(
            "SELECT id FROM speakup_prep_sessions WHERE cycle_id = ? AND starts_at > ? AND (? IS NULL OR id = ?)"
            " ORDER BY starts_at, id",
            [cycle_id, now, session_id, session_id],
        )
    ]
    authors = _shortlisted_authors(reader, cycle_id, idea_id)
    if not sessions or not authors:
        return 0
    existing = {
        (row["session_id"], row["employee_id"]): row
        for row in reader.query(
            "SELECT id, session_id, employee_id, withdrawn_at FROM speakup_prep_invitations"
            " WHERE list_contains(?, session_id)",
            [sessions],
        )
    }
    new = [(s, person) for s in sessions for person in authors if (s, person) not in existing]
    renewed = [
        existing[(s, p)]["id"] for s in sessions for p in authors if existing.get((s, p), {}).get("withdrawn_at")
    ]
    ids = next_ids(connection, "speakup_prep_invitations", len(new)) if new else []
    rows = [(i, s, person, authors[person], now) for i, (s, person) in zip(ids, new, strict=True)]
    if rows:
        connection.executemany(
            "INSERT INTO speakup_prep_invitations (id, session_id, employee_id, idea_id, invited_at)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )
    for invitation_id in renewed:
        person = reader.scalar("SELECT employee_id FROM speakup_prep_invitations WHERE id = ?", [invitation_id])
        connection.execute(
            "UPDATE speakup_prep_invitations SET withdrawn_at = NULL, withdrawn_reason = NULL, idea_id = ?,"
            " invited_at = ? WHERE id = ?",
            [authors[person], now, invitation_id],
        )
    entries = [
        (INVITATION, i, "invite", None, {"session_id": s, "employee_id": p, "idea_id": idea})
        for i, s, p, idea, _ in rows
    ]
    entries += [(INVITATION, i, "renew", {"withdrawn": True}, {"withdrawn": False}) for i in renewed]
    audit.record_many(connection, actor, entries, at=now)
    return len(entries)


def withdraw_invitations(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    idea_id: int,
    reason: str,
    *,
    at: datetime | None = None,
) -> int:
    """Inside an open write, after an idea has left the shortlist: its authors' invitations not
    attended pass to another shortlisted idea of theirs, or are withdrawn with ``reason``.
    Audited; returns how many were withdrawn."""
    now = at or utc_now()
    reader = ConnectionReader(connection)
    cycle_id = reader.scalar("SELECT cycle_id FROM ideas WHERE id = ?", [idea_id])
    still_earned = _shortlisted_authors(reader, cycle_id)
    invitations = reader.query(
        "SELECT id, employee_id FROM speakup_prep_invitations"
        " WHERE idea_id = ? AND withdrawn_at IS NULL AND attended IS DISTINCT FROM TRUE",
        [idea_id],
    )
    withdrawn = 0
    for invitation in invitations:
        other = still_earned.get(invitation["employee_id"])
        if other is not None:
            connection.execute(
                "UPDATE speakup_prep_invitations SET idea_id = ? WHERE id = ?", [other, invitation["id"]]
            )
            audit.record(
                connection,
                actor,
                INVITATION,
                invitation["id"],
                "transfer",
                {"idea_id": idea_id},
                {"idea_id": other},
                at=now,
            )
            continue
        connection.execute(
            "UPDATE speakup_prep_invitations SET withdrawn_at = ?, withdrawn_reason = ? WHERE id = ?",
            [now, reason, invitation["id"]],
        )
        audit.record(
            connection,
            actor,
            INVITATION,
            invitation["id"],
            "withdraw",
            {"withdrawn": False},
            {"reason": reason},
            at=now,
        )
        withdrawn += 1
    return withdrawn


# -- attendance ----------------------------------------------------------------------
def _record(
    connection: duckdb.DuckDBPyConnection, actor: CurrentUser, invitation_id: int, attended: bool | None, now: datetime
) -> CompletionInput | None:
    """Record one attendance; returns the completion attending earns, for the caller to store."""
    row = ConnectionReader(connection).query_one(
        "SELECT v.*, s.trainer_id, s.course_id, s.starts_at FROM speakup_prep_invitations v"
        " JOIN speakup_prep_sessions s ON s.id = v.session_id WHERE v.id = ?",
        [invitation_id],
    )
    if row is None:
        raise InputError.single(_("Invitation"), _("no such invitation"))
    if row["trainer_id"] != actor.employee_id:
        require_manager(actor)
    if row["withdrawn_at"] is not None:
        raise InputError.single(_("Attendance"), _("this invitation was withdrawn; there is no attendance to record"))
    if now < row["starts_at"]:
        starts = row["starts_at"]
        raise InputError.single(
            _("Attendance"),
            _(
                "the session starts {when}; record attendance once it has begun",
                when=f"{starts:%d %b %Y %H:%M}"
                if current_language() == "en"
                else format_datetime(starts, "dd MMM y HH:mm"),
            ),
        )
    if row["attended"] is True and attended is not True:
        raise InputError.single(
            _("Attendance"),
            _("attending was recorded and completed the course in the person's transcript; HR corrects the transcript"),
        )
    if row["attended"] is attended:
        return None
    connection.execute(
        "UPDATE speakup_prep_invitations SET attended = ?, recorded_by = ?, recorded_at = ? WHERE id = ?",
        [attended, actor.employee_id, now, invitation_id],
    )
    audit.record(
        connection,
        actor,
        INVITATION,
        invitation_id,
        "attendance",
        {"attended": row["attended"]},
        {"attended": attended},
        at=now,
    )
    if not attended:
        return None
    return CompletionInput(
        employee_id=row["employee_id"], course_id=row["course_id"], completed_on=row["starts_at"].date(), passed=True
    )


def _store(
    connection: duckdb.DuckDBPyConnection, actor: CurrentUser, completions: list[CompletionInput], now: datetime
) -> None:
    """The completions attending earned, in one store: they show in each person's transcript."""
    store_completions(connection, completions, source="session", import_id=None, recorded_by=actor.employee_id, at=now)


def record_attendance(
    db: Database, actor: CurrentUser, invitation_id: int, attended: bool | None, *, at: datetime | None = None
) -> None:
    """The session's trainer, HR or leadership records whether an invited person attended
    (``None``: not known); attending completes the session's course on its day."""
    if actor is None:
        raise PermissionDeniedError(actor, Permission.SPEAKUP_MANAGE)
    now = at or utc_now()

    def record(connection: duckdb.DuckDBPyConnection) -> None:
        completion = _record(connection, actor, invitation_id, attended, now)
        _store(connection, actor, [completion] if completion else [], now)

    db.write(record)


def record_session_attendance(
    db: Database, actor: CurrentUser, attendance: dict[int, bool | None], *, at: datetime | None = None
) -> None:
    """Several invitations' attendance in one write: all stored or none."""
    if actor is None:
        raise PermissionDeniedError(actor, Permission.SPEAKUP_MANAGE)
    now = at or utc_now()

    def record_all(connection: duckdb.DuckDBPyConnection) -> None:
        earned = [
            _record(connection, actor, invitation_id, attended, now) for invitation_id, attended in attendance.items()
        ]
        _store(connection, actor, [completion for completion in earned if completion], now)

    db.write(record_all)
