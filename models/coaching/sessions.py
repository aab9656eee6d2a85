"""The coaching log's writes: a session recorded and edited by its coach, acknowledged by the
person coached, its follow-up marked done. Rules 1, 2 and 4 of ``models.coaching``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import pyarrow as pa
from pydantic import Field, field_validator

from models import audit
from models.access import CurrentUser, Permission, Role, require
from models.db import next_ids, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _
from models.inbox import messages as inbox
from models.inputs import InputRecord, not_in_future

if TYPE_CHECKING:
    from models.db import Database

NOTES_MAX = 4000
FOLLOW_UP_MAX = 500
MINUTES_MAX = 480  # a working day
SHARED_FIELDS = ("coached_on", "kind", "minutes", "competency_id", "shared_notes", "follow_up", "follow_up_due")


class SessionInput(InputRecord):
    """What a coach enters for a session; every field is checked before anything is stored."""

    employee_id: int = Field(title=N_("Person coached"))
    coached_on: date = Field(title=N_("Date"))
    kind: Literal["integrated", "scheduled"] = Field(title=N_("Type"))
    minutes: int = Field(title=N_("Minutes"), gt=0, le=MINUTES_MAX)
    competency_id: int | None = Field(default=None, title=N_("Competency focus"))
    shared_notes: str = Field(title=N_("Notes shared with the person"), min_length=1, max_length=NOTES_MAX)
    private_notes: str | None = Field(default=None, title=N_("Private notes"), max_length=NOTES_MAX)
    follow_up: str | None = Field(default=None, title=N_("Follow-up action"), max_length=FOLLOW_UP_MAX)
    follow_up_due: date | None = Field(default=None, title=N_("Follow-up due"))

    @field_validator("private_notes", "follow_up", mode="after")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    _not_future = field_validator("coached_on")(not_in_future)


def _follow_up_checked(record: SessionInput) -> SessionInput:
    """A follow-up action and its due date come together, due on or after the session."""
    if record.follow_up and record.follow_up_due is None:
        raise InputError.single(_("Follow-up due"), _("give the day the follow-up action is due"))
    if record.follow_up_due is not None and not record.follow_up:
        raise InputError.single(_("Follow-up action"), _("describe the action that is due on that day"))
    if record.follow_up_due is not None and record.follow_up_due < record.coached_on:
        raise InputError.single(_("Follow-up due"), _("cannot be before the session"))
    return record


def _for_audit(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """A session as the audit log keeps it: private notes are for their author and HR, so the
    log says only whether there were any."""
    if row is None:
        return None
    return {**row, "private_notes": "(private)" if row.get("private_notes") else None}


def _checked(data: dict[str, Any] | SessionInput, now: datetime) -> SessionInput:
    if isinstance(data, SessionInput):
        data = data.model_dump()
    return _follow_up_checked(validate(SessionInput, data, context={"today": now.date()}))


def _require_coach(actor: CurrentUser) -> None:
    """HR records for anyone; anyone else needs the team lead's coaching permission."""
    require(actor, Permission.COMPETENCIES_MANAGE if actor.has_role(Role.HR) else Permission.TEAM_COACHING)


def _check_people(connection: duckdb.DuckDBPyConnection, actor: CurrentUser, people: set[int]) -> None:
    """Each person exists, is active, is not the coach, and is of the lead's own team (HR: any team)."""
    found = dict(
        connection.execute(
            "SELECT id, team_id FROM employees WHERE active AND list_contains(?, id)", [sorted(people)]
        ).fetchall()
    )
    _check_found(found, actor, people)


def _check_found(found: dict[int, int | None], actor: CurrentUser, people: set[int]) -> None:
    """The checks of ``_check_people`` on the active people found (id: team)."""
    for employee_id in sorted(people):
        if employee_id not in found:
            raise InputError.single(_("Person coached"), _("no active person with id {id}", id=employee_id))
        if employee_id == actor.employee_id:
            raise InputError.single(_("Person coached"), _("a coach does not log a session with themselves"))
        if not actor.has_role(Role.HR) and (actor.team_id is None or found[employee_id] != actor.team_id):
            raise InputError.single(_("Person coached"), _("team leads log coaching for people of their own team only"))


def _check_competencies(connection: duckdb.DuckDBPyConnection, competencies: set[int]) -> None:
    if not competencies:
        return
    active = {
        row[0]
        for row in connection.execute(
            "SELECT id FROM competencies WHERE active AND list_contains(?, id)", [sorted(competencies)]
        ).fetchall()
    }
    if competencies - active:
        raise InputError.single(_("Competency focus"), _("choose a competency of the catalogue"))


def record_sessions(
    db: Database, actor: CurrentUser, data: Sequence[dict[str, Any] | SessionInput], *, at: datetime | None = None
) -> list[int]:
    """Record several sessions coached by ``actor`` in one write, recorded ``at`` (default now):
    all of them or, when one is refused, none. Returns their ids in the given order."""
    _require_coach(actor)
    now = at or utc_now()
    records = [_checked(item, now) for item in data]
    if not records:
        return []

    def store(connection: duckdb.DuckDBPyConnection) -> list[int]:
        _check_people(connection, actor, {record.employee_id for record in records})
        _check_competencies(connection, {r.competency_id for r in records if r.competency_id is not None})
        ids = next_ids(connection, "coaching_sessions", len(records))
        rows = [{"id": session_id, **record.model_dump()} for session_id, record in zip(ids, records, strict=True)]
        connection.register("new_sessions", pa.Table.from_pylist(rows))
        try:
            connection.execute(
                "INSERT INTO coaching_sessions (id, coached_on, coach_id, employee_id, kind, minutes, competency_id,"
                " shared_notes, private_notes, follow_up, follow_up_due, created_at, updated_at)"
                " SELECT id, coached_on, ?, employee_id, kind, minutes, competency_id, shared_notes, private_notes,"
                " follow_up, follow_up_due, ?, ? FROM new_sessions",
                [actor.employee_id, now, now],
            )
        finally:
            connection.unregister("new_sessions")
        audit.record_many(
            connection,
            actor,
            [("coaching_session", row["id"], "create", None, _for_audit(row)) for row in rows],
            at=now,
        )
        _tell_coached(connection, actor, records, now)
        return ids

    return db.write(store)


def _tell_coached(
    connection: duckdb.DuckDBPyConnection, actor: CurrentUser, records: Sequence[SessionInput], now: datetime
) -> None:
    """Each person coached is told of the note shared with them, to acknowledge; the private
    notes stay with their author and HR."""
    notices = [_coaching_note(actor, record) for record in records]
    inbox.notify_each(connection, "coaching_note", notices, now, actor=actor)


def _coaching_note(actor: CurrentUser, record: SessionInput, at: datetime | None = None) -> inbox.Notice:
    """The note telling the person coached of a session's shared part."""
    if record.follow_up and record.follow_up_due:
        body = N_("Your coaching session of {day}: {notes}\n\nFollow-up: {follow_up} (due {due})")
    elif record.follow_up:
        body = N_("Your coaching session of {day}: {notes}\n\nFollow-up: {follow_up}")
    else:
        body = N_("Your coaching session of {day}: {notes}")
    return inbox.Notice(
        record.employee_id,
        inbox.text(N_("Coaching note from {name} to acknowledge"), name=actor.full_name),
        inbox.text(body, day=record.coached_on, notes=record.shared_notes, follow_up=record.follow_up,
                   due=record.follow_up_due),
        "coaching",
        created_at=at,
    )  # fmt: skip


def record_session(
    db: Database, actor: CurrentUser, data: dict[str, Any] | SessionInput, *, at: datetime | None = None
) -> int:
    """Record one coaching session with ``actor`` as its coach; returns its id."""
    return record_sessions(db, actor, [data], at=at)[0]


def _session_row(connection: duckdb.DuckDBPyConnection, session_id: int) -> dict[str, Any]:
    row = audit.row_as_dict(connection, "coaching_sessions", "id", session_id)
    if row is None:
        raise InputError.single(_("Coaching session"), _("no session #{id}", id=session_id))
    return row


def update_session(
    db: Database,
    actor: CurrentUser,
    session_id: int,
    data: dict[str, Any] | SessionInput,
    expected_version: int | None,
    *,
    at: datetime | None = None,
) -> None:
    """Change a session; only its author may, and a save on a version someone saved since the
    form was opened is refused. A change to the shared part asks for a new acknowledgement."""
    _require_coach(actor)
    now = at or utc_now()
    record = _checked(data, now)

    def update(connection: duckdb.DuckDBPyConnection) -> None:
        before = _session_row(connection, session_id)
        if before["coach_id"] != actor.employee_id:
            raise InputError.single(_("Coaching session"), _("only the coach who recorded it may change it"))
        audit.check_not_stale(connection, "coaching_session", before, expected_version, "coaching session")
        if record.employee_id != before["employee_id"]:
            raise InputError.single(_("Person coached"), _("a session stays with the person it was recorded for"))
        _check_competencies(connection, {record.competency_id} if record.competency_id is not None else set())
        shared_changed = any(getattr(record, name) != before[name] for name in SHARED_FIELDS)
        connection.execute(
            "UPDATE coaching_sessions SET coached_on = ?, kind = ?, minutes = ?, competency_id = ?, shared_notes = ?,"
            " private_notes = ?, follow_up = ?, follow_up_due = ?,"
            " acknowledged_at = CASE WHEN ? THEN NULL ELSE acknowledged_at END,"
            " updated_at = ?, version = version + 1 WHERE id = ?",
            [
                record.coached_on,
                record.kind,
                record.minutes,
                record.competency_id,
                record.shared_notes,
                record.private_notes,
                record.follow_up,
                record.follow_up_due,
                shared_changed,
                now,
                session_id,
            ],
        )
        after = audit.row_as_dict(connection, "coaching_sessions", "id", session_id)
        audit.record(
            connection, actor, "coaching_session", session_id, "update", _for_audit(before), _for_audit(after), at=now
        )

    db.write(update)


def acknowledge_sessions(
    db: Database, actor: CurrentUser, session_ids: Sequence[int], *, at: datetime | None = None
) -> None:
    """The person coached acknowledges the shared part of their sessions, each once."""
    require(actor, Permission.OWN_RECORDS_READ)
    now = at or utc_now()
    wanted = sorted(set(session_ids))
    if not wanted:
        return

    def acknowledge(connection: duckdb.DuckDBPyConnection) -> None:
        rows = connection.execute(
            "SELECT id, employee_id, acknowledged_at FROM coaching_sessions WHERE list_contains(?, id)", [wanted]
        ).fetchall()
        if len(rows) != len(wanted) or any(row[1] != actor.employee_id for row in rows):
            raise InputError.single(_("Coaching session"), _("only the person coached acknowledges a session"))
        if any(row[2] is not None for row in rows):
            raise InputError.single(_("Coaching session"), _("this session is acknowledged already"))
        connection.execute("UPDATE coaching_sessions SET acknowledged_at = ? WHERE list_contains(?, id)", [now, wanted])
        audit.record_many(
            connection,
            actor,
            [("coaching_session", session_id, "acknowledge", None, {"acknowledged_at": now}) for session_id in wanted],
            at=now,
        )

    db.write(acknowledge)


def acknowledge_session(db: Database, actor: CurrentUser, session_id: int, *, at: datetime | None = None) -> None:
    """The person coached acknowledges one session."""
    acknowledge_sessions(db, actor, [session_id], at=at)


def complete_follow_ups(
    db: Database, actor: CurrentUser, session_ids: Sequence[int], *, at: datetime | None = None
) -> None:
    """Mark sessions' follow-up actions done: for each, the coach or the person coached may."""
    require(actor, Permission.OWN_RECORDS_READ)
    now = at or utc_now()
    wanted = sorted(set(session_ids))
    if not wanted:
        return

    def complete(connection: duckdb.DuckDBPyConnection) -> None:
        rows = connection.execute(
            "SELECT id, coach_id, employee_id, follow_up, follow_up_done_at FROM coaching_sessions"
            " WHERE list_contains(?, id)",
            [wanted],
        ).fetchall()
        if len(rows) != len(wanted):
            raise InputError.single(_("Coaching session"), _("no such session"))
        for _id, coach_id, employee_id, follow_up, done_at in rows:
            if actor.employee_id not in (coach_id, employee_id):
                raise InputError.single(_("Follow-up"), _("only the coach or the person coached marks it done"))
            if follow_up is None:
                raise InputError.single(_("Follow-up"), _("this session has no follow-up action"))
            if done_at is not None:
                raise InputError.single(_("Follow-up"), _("it is marked done already"))
        connection.execute(
            "UPDATE coaching_sessions SET follow_up_done_at = ? WHERE list_contains(?, id)", [now, wanted]
        )
        audit.record_many(
            connection,
            actor,
            [
                ("coaching_session", session_id, "follow_up_done", None, {"follow_up_done_at": now})
                for session_id in wanted
            ],
            at=now,
        )

    db.write(complete)


def complete_follow_up(db: Database, actor: CurrentUser, session_id: int, *, at: datetime | None = None) -> None:
    """Mark one session's follow-up action done (the coach or the person coached)."""
    complete_follow_ups(db, actor, [session_id], at=at)


# -- many coaches' writes at once (the demo's large organisation) --------------------------------
def record_sessions_in_bulk(
    db: Database, batches: Sequence[tuple[CurrentUser, Sequence[dict[str, Any] | SessionInput], datetime]]
) -> list[list[int]]:
    """Record many coaches' sessions in one write, each batch (coach, sessions, recorded at) as
    ``record_sessions`` would store it: the same checks, audit entries and notes to the people
    coached, all of them or, when one is refused, none. Returns each batch's ids, in order."""
    checked = []
    for coach, data, at in batches:
        _require_coach(coach)
        checked.append((coach, [_checked(item, at) for item in data], at))
    total = sum(len(records) for _, records, _ in checked)
    if not total:
        return [[] for _ in batches]

    def store(connection: duckdb.DuckDBPyConnection) -> list[list[int]]:
        people = {record.employee_id for _, records, _ in checked for record in records}
        found = dict(
            connection.execute(
                "SELECT id, team_id FROM employees WHERE active AND list_contains(?, id)", [sorted(people)]
            ).fetchall()
        )
        for coach, records, _at in checked:
            _check_found(found, coach, {record.employee_id for record in records})
        _check_competencies(
            connection, {r.competency_id for _, records, _ in checked for r in records if r.competency_id is not None}
        )
        ids = iter(next_ids(connection, "coaching_sessions", total))
        rows, audits, notices, result = [], [], [], []
        for coach, records, at in checked:
            batch_ids = []
            for record in records:
                row = {"id": next(ids), **record.model_dump()}
                batch_ids.append(row["id"])
                rows.append({**row, "coach_id": coach.employee_id, "created_at": at})
                audits.append((at, coach, "coaching_session", row["id"], "create", None, _for_audit(row)))
                notices.append(_coaching_note(coach, record, at))
            result.append(batch_ids)
        connection.register("new_sessions", pa.Table.from_pylist(rows))
        try:
            connection.execute(
                "INSERT INTO coaching_sessions (id, coached_on, coach_id, employee_id, kind, minutes, competency_id,"
                " shared_notes, private_notes, follow_up, follow_up_due, created_at, updated_at)"
                " SELECT id, coached_on, coach_id, employee_id, kind, minutes, competency_id, shared_notes,"
                " private_notes, follow_up, follow_up_due, created_at, created_at FROM new_sessions ORDER BY id"
            )
        finally:
            connection.unregister("new_sessions")
        audit.record_each(connection, audits)
        # no coach is among the people they coach (checked above), so no note goes to its author
        inbox.notify_each(connection, "coaching_note", notices, max(at for _, _, at in checked))
        return result

    return db.write(store)


def acknowledge_sessions_in_bulk(db: Database, batches: Sequence[tuple[CurrentUser, Sequence[int], datetime]]) -> None:
    """Many people acknowledge their sessions in one write, each batch (person, sessions,
    acknowledged at) as ``acknowledge_sessions`` would: only their own, each once."""
    wanted, every = _batched(batches, _("Coaching session"), _("this session is acknowledged already"))
    if not every:
        return

    def acknowledge(connection: duckdb.DuckDBPyConnection) -> None:
        rows = {
            row[0]: row[1:]
            for row in connection.execute(
                "SELECT id, employee_id, acknowledged_at FROM coaching_sessions WHERE list_contains(?, id)", [every]
            ).fetchall()
        }
        for person, ids, _at in wanted:
            if any(rows.get(i, (None,))[0] != person.employee_id for i in ids):
                raise InputError.single(_("Coaching session"), _("only the person coached acknowledges a session"))
            if any(rows[i][1] is not None for i in ids):
                raise InputError.single(_("Coaching session"), _("this session is acknowledged already"))
        _stamp(connection, "acknowledged_at", "acknowledge", wanted)

    db.write(acknowledge)


def complete_follow_ups_in_bulk(db: Database, batches: Sequence[tuple[CurrentUser, Sequence[int], datetime]]) -> None:
    """Many follow-up actions marked done in one write, each batch (person, sessions, done at)
    as ``complete_follow_ups`` would: by the coach or the person coached, each once."""
    wanted, every = _batched(batches, _("Follow-up"), _("it is marked done already"))
    if not every:
        return

    def complete(connection: duckdb.DuckDBPyConnection) -> None:
        rows = {
            row[0]: row[1:]
            for row in connection.execute(
                "SELECT id, coach_id, employee_id, follow_up, follow_up_done_at FROM coaching_sessions"
                " WHERE list_contains(?, id)",
                [every],
            ).fetchall()
        }
        if len(rows) != len(every):
            raise InputError.single(_("Coaching session"), _("no such session"))
        for person, ids, _at in wanted:
            for coach_id, employee_id, follow_up, done_at in (rows[i] for i in ids):
                if person.employee_id not in (coach_id, employee_id):
                    raise InputError.single(_("Follow-up"), _("only the coach or the person coached marks it done"))
                if follow_up is None:
                    raise InputError.single(_("Follow-up"), _("this session has no follow-up action"))
                if done_at is not None:
                    raise InputError.single(_("Follow-up"), _("it is marked done already"))
        _stamp(connection, "follow_up_done_at", "follow_up_done", wanted)

    db.write(complete)


def _batched(
    batches: Sequence[tuple[CurrentUser, Sequence[int], datetime]], field: str, done_already: str
) -> tuple[list[tuple[CurrentUser, list[int], datetime]], list[int]]:
    """The batches of a bulk stamp checked alike: each person may act on their own records, and
    a session named twice is refused as done already. Returns the non-empty batches and every id."""
    for person, _ids, _at in batches:
        require(person, Permission.OWN_RECORDS_READ)
    wanted = [(person, sorted(set(ids)), at) for person, ids, at in batches if ids]
    every = [session_id for _, ids, _ in wanted for session_id in ids]
    if len(every) != len(set(every)):
        raise InputError.single(field, done_already)
    return wanted, every


def _stamp(
    connection: duckdb.DuckDBPyConnection,
    column: Literal["acknowledged_at", "follow_up_done_at"],
    action: Literal["acknowledge", "follow_up_done"],
    wanted: list[tuple[CurrentUser, list[int], datetime]],
) -> None:
    """Set ``column`` of each batch's sessions to the batch's moment, in one statement, and
    audit each session's ``action`` by the batch's person."""
    ids = [session_id for _, batch, _ in wanted for session_id in batch]
    moments = [at for _, batch, at in wanted for _ in batch]
    connection.register(
        "stamped", pa.table({"id": pa.array(ids, pa.int64()), "at": pa.array(moments, pa.timestamp("us"))})
    )
    try:
        connection.execute(
            f"UPDATE coaching_sessions SET {column} = s.at FROM stamped s WHERE coaching_sessions.id = s.id"  # noqa: S608
        )
    finally:
        connection.unregister("stamped")
    audit.record_each(
        connection,
        [
            (at, person, "coaching_session", session_id, action, None, {column: at})
            for person, ids, at in wanted
            for session_id in ids
        ],
    )
