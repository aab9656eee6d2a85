"""Changing the action plan: creating actions (also from other areas, inside their own
write), edits with the version check, status changes and the updates log."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import duckdb

from models import audit
from models.access import CurrentUser, Permission, PermissionDeniedError, require
from models.actions.plan import (
    NOTE_MAX,
    ORIGIN_LABELS,
    STATUS_LABELS,
    STATUSES,
    TRANSITIONS,
    ActionInput,
    allowed_next,
    can_change,
    label,
)
from models.db import insert_with_new_id, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _, ngettext
from models.inputs import entered_text

if TYPE_CHECKING:
    from models.db import Database


SAY_WHY = {  # a blocked or cancelled action says why; shown with _()
    "blocked": N_("say why the action is blocked"),
    "cancelled": N_("say why the action is cancelled"),
}


def note_too_long() -> str:
    """The refusal of a note, update or reason longer than ``NOTE_MAX``, in the current language."""
    return ngettext("use at most {n} character", "use at most {n} characters", NOTE_MAX)


# -- writing -------------------------------------------------------------------------
def _check_references(connection: duckdb.DuckDBPyConnection, record: ActionInput) -> None:
    problems = []
    if not connection.execute("SELECT 1 FROM employees WHERE id = ? AND active", [record.owner_id]).fetchone():
        problems.append((_("Owner"), _("no such active employee")))
    checks = (
        (N_("Team"), "teams", record.team_id, N_("no such team")),
        (N_("Goal"), "goals", record.goal_id, N_("no such goal")),
        (N_("KPI"), "kpis", record.kpi_id, N_("no such KPI")),
    )
    for field, table, value, missing in checks:
        if value is not None and not connection.execute(f"SELECT 1 FROM {table} WHERE id = ?", [value]).fetchone():
            problems.append((_(field), _(missing)))
    if problems:
        raise InputError(problems)


def _log(
    connection: duckdb.DuckDBPyConnection,
    action_id: int,
    author: CurrentUser | None,
    kind: str,
    note: str = "",
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    progress_pct: int | None = None,
    posted_at: datetime | None = None,
) -> None:
    connection.execute(
        "INSERT INTO action_updates (action_id, author_id, posted_at, kind, from_status, to_status, progress_pct, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            action_id,
            author.employee_id if author else None,
            posted_at or utc_now(),
            kind,
            from_status,
            to_status,
            progress_pct,
            note,
        ],
    )


def insert_action(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    record: ActionInput,
    *,
    at: datetime | None = None,
) -> int:
    """Store a validated action inside an already-open write; the caller checks permission.

    Used by ``create_action`` and by the Speak-Up green light. Records the audit entry and
    the first line of the updates log, dated ``at`` (default now)."""
    _check_references(connection, record)
    now = at or utc_now()
    actor_id = actor.employee_id if actor else None
    action_id = insert_with_new_id(
        connection,
        "actions",
        "INSERT INTO actions (id, title, description, action_type, origin, goal_id, finding_id, "
        "idea_id, owner_id, team_id, start_date, due_date, priority, kpi_id, expected_effect, "
        "created_by, created_at, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?)",
        [
            record.title,
            record.description,
            record.action_type,
            record.origin,
            record.goal_id,
            record.finding_id,
            record.idea_id,
            record.owner_id,
            record.team_id,
            record.start_date,
            record.due_date,
            record.priority,
            record.kpi_id,
            record.expected_effect,
            actor_id,
            now,
            actor_id,
            now,
        ],
    )
    origin = ORIGIN_LABELS[record.origin].lower()
    note = f"Action created (origin: {origin})"
    _log(connection, action_id, actor, "created", note, to_status="planned", posted_at=now)
    audit.record(connection, actor, "action", action_id, "create", after=record.model_dump(), at=now)
    return action_id


def create_action(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """Leadership adds an action to the plan (``at``, default now)."""
    require(actor, Permission.ACTIONS_MANAGE)
    record = validate(ActionInput, data)
    return db.write(lambda connection: insert_action(connection, actor, record, at=at))


def _load_for_change(
    connection: duckdb.DuckDBPyConnection, actor: CurrentUser, action_id: int, expected_version: int | None
) -> dict[str, Any]:
    """The action's row, after checking the actor may change it and nobody saved it meanwhile."""
    before = audit.row_as_dict(connection, "actions", "id", action_id)
    if before is None:
        raise InputError.single(_("Action"), _("no such action"))
    if not can_change(actor, before):
        raise PermissionDeniedError(actor, Permission.ACTIONS_MANAGE)
    audit.check_not_stale(connection, "action", before, expected_version, "action")
    return before


def _field_titles(names: list[str]) -> str:
    """ "title, due date": the changed fields as the form names them."""
    return ", ".join((ActionInput.model_fields[name].title or name).lower() for name in names)


def update_action(
    db: Database,
    actor: CurrentUser,
    action_id: int,
    data: dict[str, Any],
    expected_version: int,
    *,
    at: datetime | None = None,
) -> list[str]:
    """Change an action's details; refused when someone saved it since it was opened.
    Returns the fields that changed; a save without changes stores nothing, so the
    version stays and other open copies do not turn stale for nothing.

    An owner who is not leadership may change their action but not hand it to someone else."""
    record = validate(ActionInput, data)

    def update(connection: duckdb.DuckDBPyConnection):
        before = _load_for_change(connection, actor, action_id, expected_version)
        changed = sorted(key for key, value in record.model_dump().items() if before[key] != value)
        if not changed:
            return []
        if record.owner_id != before["owner_id"]:
            require(actor, Permission.ACTIONS_MANAGE)
        _check_references(connection, record)
        connection.execute(
            "UPDATE actions SET title = ?, description = ?, action_type = ?, origin = ?, goal_id = ?, finding_id = ?,"
            " idea_id = ?, owner_id = ?, team_id = ?, start_date = ?, due_date = ?, priority = ?, kpi_id = ?,"
            " expected_effect = ?, updated_by = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [
                record.title,
                record.description,
                record.action_type,
                record.origin,
                record.goal_id,
                record.finding_id,
                record.idea_id,
                record.owner_id,
                record.team_id,
                record.start_date,
                record.due_date,
                record.priority,
                record.kpi_id,
                record.expected_effect,
                actor.employee_id,
                at or utc_now(),
                action_id,
            ],
        )
        after = audit.row_as_dict(connection, "actions", "id", action_id)
        _log(connection, action_id, actor, "edit", "Changed " + _field_titles(changed))
        audit.record(connection, actor, "action", action_id, "update", before, after)
        return changed

    return db.write(update)


def change_status(
    db: Database,
    actor: CurrentUser,
    action_id: int,
    new_status: str,
    expected_version: int | None,
    *,
    note: str = "",
    on: date | None = None,
    at: datetime | None = None,
) -> None:
    """Move an action along its workflow; only the allowed transitions are accepted. Refused
    when the action changed since the caller opened ``expected_version`` (None: the caller
    holds no open copy, as with ``post_update``).

    Done sets progress to 100 % and the completion date (``on``, default the day of ``at``,
    which dates the change and defaults to now)."""
    if new_status not in STATUSES:
        raise InputError.single(_("Status"), _("unknown status {status}", status=repr(new_status)))
    note = entered_text(note)
    if new_status in ("blocked", "cancelled") and not note:
        raise InputError.single(_("Note"), _(SAY_WHY[new_status]))
    now = at or utc_now()
    today = at.date() if at else date.today()
    completed_on = on or today

    def change(connection: duckdb.DuckDBPyConnection):
        before = _load_for_change(connection, actor, action_id, expected_version)
        if new_status not in TRANSITIONS[before["status"]]:
            allowed = ", ".join(label(STATUS_LABELS, s) for s in allowed_next(before["status"])) or _(
                "none (it is final)"
            )
            raise InputError.single(
                _("Status"),
                _(
                    "an action that is {current} cannot become {new}; allowed: {allowed}",
                    current=label(STATUS_LABELS, before["status"]).lower(),
                    new=label(STATUS_LABELS, new_status).lower(),
                    allowed=allowed,
                ),
            )
        if new_status == "done" and completed_on < before["start_date"]:
            raise InputError.single(_("Completion date"), _("is before the action's start date"))
        if new_status == "done" and completed_on > today:
            raise InputError.single(_("Completion date"), _("cannot be in the future"))
        connection.execute(
            "UPDATE actions SET status = ?, completed_on = ?, progress_pct = ?, updated_by = ?, updated_at = ?,"
            " version = version + 1 WHERE id = ?",
            [
                new_status,
                completed_on if new_status == "done" else None,
                100 if new_status == "done" else before["progress_pct"],
                actor.employee_id,
                now,
                action_id,
            ],
        )
        _log(
            connection,
            action_id,
            actor,
            "status",
            note,
            from_status=before["status"],
            to_status=new_status,
            posted_at=now,
        )
        after = audit.row_as_dict(connection, "actions", "id", action_id)
        audit.record(connection, actor, "action", action_id, "status", before, after, at=now)

    db.write(change)


def post_update(
    db: Database,
    actor: CurrentUser,
    action_id: int,
    note: str,
    *,
    progress_pct: int | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> None:
    """Add a line to the updates log (``at``, default now), optionally with the new progress %."""
    note = entered_text(note)
    problems = []
    if not note and progress_pct is None:
        problems.append((_("Note"), _("write what happened")))
    if len(note) > NOTE_MAX:
        problems.append((_("Note"), note_too_long()))
    if progress_pct is not None and not 0 <= progress_pct <= 100:
        problems.append((_("Progress"), _("must be between 0 and 100 %")))
    if problems:
        raise InputError(problems)

    def post(connection: duckdb.DuckDBPyConnection):
        now = at or utc_now()
        before = _load_for_change(connection, actor, action_id, expected_version)
        if progress_pct is not None and progress_pct != before["progress_pct"]:
            if before["status"] in ("done", "cancelled"):
                raise InputError.single(_("Progress"), _("a finished action's progress cannot change"))
            connection.execute(
                "UPDATE actions SET progress_pct = ?, updated_by = ?, updated_at = ?, version = version + 1"
                " WHERE id = ?",
                [progress_pct, actor.employee_id, now, action_id],
            )
            _log(connection, action_id, actor, "progress", note, progress_pct=progress_pct, posted_at=now)
        else:
            _log(connection, action_id, actor, "note", note, posted_at=now)
        audit.record(
            connection,
            actor,
            "action_update",
            action_id,
            "post",
            after={"note": note, "progress_pct": progress_pct},
            at=now,
        )

    db.write(post)
