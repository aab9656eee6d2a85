"""Assignments (rules 2 and 3 of ``models.training``): HR's bulk assignment with the people it
skipped and why, assignment by rule when people join, change team or gain a role, refreshers
before a completion expires, and cancelling with who and why kept.

One open assignment per person and course holds inside every write: each open assignment also
has a row in ``training_open_assignments`` keyed by person and course, so of two writers that
assign the same course to the same person at once only one commits; the other is retried by
``Database.write`` and then finds the assignment already there."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
from pydantic import BaseModel, Field

from models import audit
from models.access import CurrentUser, Permission, PermissionDeniedError, Role, require
from models.db import next_ids, utc_now
from models.errors import InputError
from models.i18n import N_, _
from models.inbox import messages as inbox
from models.inputs import entered_text
from models.paging import rows_with_total
from models.training.mandatory import MANDATORY_PAIRS_SQL

if TYPE_CHECKING:
    from models.db import Database, Reader

REFRESHER_NOTICE_DAYS = 30
CANCEL_REASON_MAX_LENGTH = 500
REASON_LABELS = {
    "bulk": N_("Assigned by HR"),
    "joined": N_("Joined"),
    "team_changed": N_("Changed team"),
    "role_gained": N_("Gained a role"),
    "refresher": N_("Refresher"),
    "preparation": N_("Speak-Up preparation"),
    "made_mandatory": N_("Course made mandatory"),
}
MADE_MANDATORY = "made_mandatory"
STATUS_LABELS = {"open": N_("Open"), "completed": N_("Completed"), "cancelled": N_("Cancelled")}  # shown with _()

_HOLDS_OPEN = (
    "EXISTS (SELECT 1 FROM training_assignments a WHERE a.employee_id = {p}.employee_id"
    " AND a.course_id = {p}.course_id AND a.status = 'open')"
)
_HOLDS_VALID = (
    "EXISTS (SELECT 1 FROM training_completions v WHERE v.employee_id = {p}.employee_id"
    " AND v.course_id = {p}.course_id AND v.passed AND v.completed_on <= {day}"
    " AND (v.expires_on IS NULL OR v.expires_on > {day}))"
)


class SkippedPerson(BaseModel):
    employee_id: int
    full_name: str | None
    reason: str


class AssignmentResult(BaseModel):
    """What a bulk assignment did: the assignments made and everyone it skipped, with why."""

    course_id: int
    assignment_ids: list[int] = Field(default_factory=list)
    skipped: list[SkippedPerson] = Field(default_factory=list)

    @property
    def assigned(self) -> int:
        return len(self.assignment_ids)

    def skipped_count(self, reason: str) -> int:
        return sum(1 for person in self.skipped if person.reason == reason)


SKIP_OPEN = N_("already holds an open assignment of this course")  # stored in English, shown with _()
SKIP_VALID = N_("already holds a valid completion of this course")
SKIP_INACTIVE = N_("is not an active employee")


# -- the constraint of rule 2 ------------------------------------------------------------------
def _insert_assignments(connection: duckdb.DuckDBPyConnection, rows: pa.Table, at: datetime) -> list[int]:
    """Store new open assignments (columns employee_id, course_id, assigned_on, due_on,
    mandatory, reason, assigned_by) with their open-assignment keys; returns their ids."""
    if rows.num_rows == 0:
        return []
    ids = next_ids(connection, "training_assignments", rows.num_rows)
    table = rows.append_column("id", pa.array(ids, pa.int32()))
    connection.register("new_training_assignments", table)
    try:
        connection.execute(
            "INSERT INTO training_assignments (id, employee_id, course_id, assigned_on, due_on, mandatory, reason,"
            " assigned_by, status, created_at, updated_at) SELECT id, employee_id, course_id, assigned_on, due_on,"
            " mandatory, reason, assigned_by, 'open', ?, ? FROM new_training_assignments",
            [at, at],
        )
        try:
            connection.execute(
                "INSERT INTO training_open_assignments SELECT employee_id, course_id, id FROM new_training_assignments"
            )
        except duckdb.ConstraintException as clash:
            # another writer committed an open assignment of one of these pairs after this write
            # began: a conflict like any other, so the write is retried and then sees it
            raise duckdb.TransactionException(f"open assignment committed meanwhile: {clash}") from clash
        _tell_assigned(connection, at)
    finally:
        connection.unregister("new_training_assignments")
    return ids


def _tell_assigned(connection: duckdb.DuckDBPyConnection, at: datetime) -> None:
    """Each person is told of each course assigned to them (not the one who assigned it to
    themselves), read in one statement from the assignments just stored."""
    rows = connection.execute(
        "SELECT n.id, n.employee_id, n.due_on, n.reason, c.code, c.title FROM new_training_assignments n"
        " JOIN courses c ON c.id = n.course_id WHERE n.employee_id IS DISTINCT FROM n.assigned_by ORDER BY n.id"
    ).fetchall()
    notices = [
        inbox.Notice(
            employee_id,
            inbox.text(N_("Course assigned: {title}"), title=inbox.Course(code, title)),
            inbox.text(
                N_("{title} ({code}) is assigned to you ({reason}), due {day}."),
                title=inbox.Course(code, title),
                code=code,
                reason=inbox.word(REASON_LABELS.get(reason, reason), lower=True),
                day=due_on,
            ),
            "my-training",
            f"assignment:{assignment_id}",
        )
        for assignment_id, employee_id, due_on, reason, code, title in rows
    ]
    inbox.notify_each(connection, "course_assigned", notices, at)


def tell_overdue(connection: duckdb.DuckDBPyConnection, *, today: date, at: datetime) -> int:
    """Each open assignment past its due date is told to its person once (calendar work: the
    inbox keeps it to once per assignment); returns how many were told now."""
    rows = connection.execute(
        "SELECT a.id, a.employee_id, a.due_on, c.code, c.title FROM training_assignments a"
        " JOIN courses c ON c.id = a.course_id WHERE a.status = 'open' AND a.due_on < ? ORDER BY a.id",
        [today],
    ).fetchall()
    notices = [
        inbox.Notice(
            employee_id,
            inbox.text(N_("Course overdue: {title}"), title=inbox.Course(code, title)),
            inbox.text(
                N_("{title} ({code}) was due on {day} and is not completed yet."),
                title=inbox.Course(code, title),
                code=code,
                day=due_on,
            ),
            "my-training",
            f"assignment:{assignment_id}",
        )
        for assignment_id, employee_id, due_on, code, title in rows
    ]
    return inbox.notify_each(connection, "course_overdue", notices, at)


def refresh_open_keys(connection: duckdb.DuckDBPyConnection, pairs_table: str) -> None:
    """Bring the open-assignment keys of the (employee_id, course_id) pairs in ``pairs_table``
    in line with their assignments' status, after statuses changed."""
    connection.execute(
        "DELETE FROM training_open_assignments k WHERE (k.employee_id, k.course_id) IN"  # noqa: S608 - our name
        f" (SELECT employee_id, course_id FROM {pairs_table}) AND NOT EXISTS (SELECT 1 FROM training_assignments a"
        " WHERE a.id = k.assignment_id AND a.status = 'open')"
    )
    connection.execute(
        "INSERT INTO training_open_assignments SELECT a.employee_id, a.course_id, a.id FROM training_assignments a"  # noqa: S608
        " WHERE a.status = 'open' AND (a.employee_id, a.course_id) IN"
        f" (SELECT employee_id, course_id FROM {pairs_table})"
        " AND NOT EXISTS (SELECT 1 FROM training_open_assignments k WHERE k.assignment_id = a.id)"
    )


# -- HR's bulk assignment ------------------------------------------------------------------------
def people_in(
    db: Reader,
    *,
    team_id: int | None = None,
    site_id: int | None = None,
    role: Role | str | None = None,
) -> list[int]:
    """The active people of a team, a site or a role (everyone holds the agent role)."""
    clauses, params = ["e.active"], []
    if team_id is not None:
        clauses.append("e.team_id = ?")
        params.append(team_id)
    if site_id is not None:
        clauses.append("(e.site_id = ? OR e.team_id IN (SELECT id FROM teams WHERE site_id = ?))")
        params += [site_id, site_id]
    if role is not None and Role(role) != Role.AGENT:
        clauses.append("e.id IN (SELECT employee_id FROM employee_roles WHERE role = ?)")
        params.append(Role(role).value)
    rows = db.query(f"SELECT e.id FROM employees e WHERE {' AND '.join(clauses)} ORDER BY e.id", params)  # noqa: S608
    return [row["id"] for row in rows]


def _active_course(connection: duckdb.DuckDBPyConnection, course_id: int) -> dict[str, Any]:
    course = audit.row_as_dict(connection, "courses", "id", course_id)
    if course is None:
        raise InputError.single(_("Course"), _("no such course"))
    if not course["active"]:
        raise InputError.single(_("Course"), _("“{title}” is retired and cannot be assigned", title=course["title"]))
    return course


def _require_may_assign(db: Database, actor: CurrentUser, employee_ids: Sequence[int]) -> None:
    """HR assigns to anyone; a team lead only to people whose team is the lead's own."""
    if actor.can(Permission.TRAINING_MANAGE):
        return
    require(actor, Permission.TEAM_TRAINING_ASSIGN)
    teams = {
        row["team_id"]
        for row in db.query(
            "SELECT team_id FROM employees WHERE id IN (SELECT unnest(?::INTEGER[]))", [list(employee_ids)]
        )
    }
    if actor.team_id is None or teams - {actor.team_id}:
        raise PermissionDeniedError(actor, Permission.TRAINING_MANAGE)


def assign_courses(
    db: Database,
    actor: CurrentUser,
    course_id: int,
    employee_ids: Sequence[int],
    *,
    due_on: date | None,
    at: datetime | None = None,
) -> AssignmentResult:
    """HR assigns a course to many people at once, a team lead to people of their own team,
    due on ``due_on`` (by default the course's due-within days from today). People who hold an
    open assignment or a valid completion of the course, or are not active employees, are
    skipped and reported with the reason."""
    _require_may_assign(db, actor, employee_ids)
    when = at or utc_now()
    today = when.date()
    if due_on is not None and due_on < today:
        raise InputError.single(_("Due date"), _("cannot be before today"))
    if not employee_ids:
        raise InputError.single(_("People"), _("choose at least one person"))

    def assign(connection: duckdb.DuckDBPyConnection) -> AssignmentResult:
        course = _active_course(connection, course_id)
        due = due_on or today + timedelta(days=course["due_within_days"])
        people = connection.execute(
            "WITH wanted AS (SELECT DISTINCT unnest(?::INTEGER[]) AS employee_id, ?::INTEGER AS course_id)"  # noqa: S608
            " SELECT w.employee_id, e.full_name, coalesce(e.active, FALSE) AS active,"
            f" {_HOLDS_OPEN.format(p='w')} AS has_open, {_HOLDS_VALID.format(p='w', day='?::DATE')} AS has_valid,"
            " (w.employee_id, w.course_id) IN"
            f" (SELECT employee_id, course_id FROM ({MANDATORY_PAIRS_SQL})) AS mandatory"
            " FROM wanted w LEFT JOIN employees e ON e.id = w.employee_id ORDER BY w.employee_id",
            [list(employee_ids), course_id, today, today],
        ).fetchall()
        result = AssignmentResult(course_id=course_id)
        new_rows = []
        for employee_id, name, active, has_open, has_valid, mandatory in people:
            reason = SKIP_INACTIVE if not active else SKIP_OPEN if has_open else SKIP_VALID if has_valid else None
            if reason:
                result.skipped.append(SkippedPerson(employee_id=employee_id, full_name=name, reason=reason))
                continue
            new_rows.append(
                {
                    "employee_id": employee_id,
                    "course_id": course_id,
                    "assigned_on": today,
                    "due_on": due,
                    "mandatory": bool(mandatory),
                    "reason": "bulk",
                    "assigned_by": actor.employee_id,
                }
            )
        result.assignment_ids = _insert_assignments(connection, _rows_table(new_rows), when)
        audit.record(
            connection,
            actor,
            "training_assignments",
            course_id,
            "assign",
            None,
            {
                "course_id": course_id,
                "due_on": due,
                "reason": "bulk",
                "assignment_ids": result.assignment_ids,
                "skipped": [person.model_dump() for person in result.skipped],
            },
            at=when,
        )
        return result

    return db.write(assign)


_ROW_SCHEMA = pa.schema(
    [
        ("employee_id", pa.int32()),
        ("course_id", pa.int32()),
        ("assigned_on", pa.date32()),
        ("due_on", pa.date32()),
        ("mandatory", pa.bool_()),
        ("reason", pa.string()),
        ("assigned_by", pa.int32()),
    ]
)


def _rows_table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=_ROW_SCHEMA)


# -- by rule ---------------------------------------------------------------------------------------
def _assign_by_rule(
    connection: duckdb.DuckDBPyConnection, condition: str, params: list[Any], *, reason: str, today: date, at: datetime
) -> list[int]:
    """Rule 3 for the (person, course) pairs of rule 1 that meet ``condition`` (on ``m``): assign
    each that the person holds neither an open assignment nor a valid completion of, due after
    the course's due-within days; returns the new assignments' ids."""
    rows = connection.execute(
        "SELECT m.employee_id::INTEGER AS employee_id, m.course_id::INTEGER AS course_id,"  # noqa: S608
        " ?::DATE AS assigned_on, (?::DATE + c.due_within_days)::DATE AS due_on, TRUE AS mandatory,"
        " ?::VARCHAR AS reason, NULL::INTEGER AS assigned_by"
        f" FROM ({MANDATORY_PAIRS_SQL}) m JOIN courses c ON c.id = m.course_id"
        f" WHERE {condition}"
        f" AND NOT {_HOLDS_OPEN.format(p='m')} AND NOT {_HOLDS_VALID.format(p='m', day='?::DATE')}"
        " ORDER BY m.employee_id, m.course_id",
        [today, today, reason, *params, today, today],
    ).to_arrow_table()
    return _insert_assignments(connection, rows, at)


def apply_assignment_rules(
    connection: duckdb.DuckDBPyConnection,
    employee_ids: Sequence[int],
    *,
    reason: str,
    today: date,
    at: datetime,
) -> int:
    """Rule 3: assign these people every course mandatory for them that they hold neither an
    open assignment nor a valid completion of, due after the course's due-within days.
    Runs inside the caller's write; returns how many assignments were made."""
    if not employee_ids:
        return 0
    ids = _assign_by_rule(
        connection,
        "m.employee_id IN (SELECT unnest(?::INTEGER[]))",
        [list(employee_ids)],
        reason=reason,
        today=today,
        at=at,
    )
    if ids:
        audit.record(
            connection,
            None,
            "training_assignments",
            None,
            "assign_by_rule",
            None,
            {"reason": reason, "employee_ids": sorted(set(employee_ids)), "assignment_ids": ids},
            at=at,
        )
    return len(ids)


def people_a_course_applies_to(connection: duckdb.DuckDBPyConnection, course_id: int) -> list[int]:
    """The active people an active course is mandatory for (rule 1); nobody for a retired course."""
    rows = connection.execute(
        f"SELECT employee_id FROM ({MANDATORY_PAIRS_SQL}) WHERE course_id = ? ORDER BY employee_id",  # noqa: S608
        [course_id],
    ).fetchall()
    return [row[0] for row in rows]


def assign_course_by_rule(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    course_id: int,
    *,
    covered_before: Sequence[int],
    at: datetime,
) -> int:
    """Rule 3 when a course becomes mandatory for more people (HR adds roles or teams to it, or
    brings it back): everyone employed it now applies to, beyond ``covered_before``, is assigned
    it unless they hold an open assignment or a valid completion of it. Runs inside HR's write;
    audited as theirs. Returns how many assignments were made."""
    today = at.date()
    ids = _assign_by_rule(
        connection,
        "m.course_id = ? AND m.employee_id NOT IN (SELECT unnest(?::INTEGER[]))"
        " AND m.employee_id IN (SELECT id FROM employees WHERE hire_date IS NULL OR hire_date <= ?::DATE)",
        [course_id, list(covered_before), today],
        reason=MADE_MANDATORY,
        today=today,
        at=at,
    )
    if ids:
        audit.record(
            connection,
            actor,
            "training_assignments",
            None,
            "assign_by_rule",
            None,
            {"reason": MADE_MANDATORY, "course_id": course_id, "assignment_ids": ids},
            at=at,
        )
    return len(ids)


def on_people_changed(
    connection: duckdb.DuckDBPyConnection, employee_ids: Sequence[int], reason: str, at: datetime
) -> None:
    """The training area's answer when people join, change team or gain a role (the hook of
    ``models.areas``): the courses now mandatory for them are assigned."""
    apply_assignment_rules(connection, employee_ids, reason=reason, today=at.date(), at=at)


def assign_due_refreshers(connection: duckdb.DuckDBPyConnection, *, today: date, at: datetime) -> int:
    """Rule 3's refresher: 30 days before a person's latest passed completion of a mandatory
    course expires, assign the course again, due the day it expires — unless they hold an open
    assignment of it or were assigned it since that completion. Returns how many were made."""
    rows = connection.execute(
        "WITH latest AS (SELECT employee_id, course_id, max(completed_on) AS completed_on,"  # noqa: S608
        " arg_max(expires_on, completed_on) AS expires_on FROM training_completions WHERE passed GROUP BY ALL)"
        " SELECT l.employee_id::INTEGER AS employee_id, l.course_id::INTEGER AS course_id,"
        " ?::DATE AS assigned_on, l.expires_on AS due_on, TRUE AS mandatory, 'refresher' AS reason,"
        " NULL::INTEGER AS assigned_by"
        f" FROM latest l JOIN ({MANDATORY_PAIRS_SQL}) m USING (employee_id, course_id)"
        " JOIN courses c ON c.id = l.course_id AND c.refresher_months IS NOT NULL"
        " WHERE l.expires_on IS NOT NULL AND l.expires_on - ? <= ?::DATE"
        " AND NOT EXISTS (SELECT 1 FROM training_assignments a WHERE a.employee_id = l.employee_id"
        " AND a.course_id = l.course_id AND (a.status = 'open' OR a.assigned_on > l.completed_on))"
        " ORDER BY l.employee_id, l.course_id",
        [today, REFRESHER_NOTICE_DAYS, today],
    ).to_arrow_table()
    ids = _insert_assignments(connection, rows, at)
    if ids:
        audit.record(
            connection,
            None,
            "training_assignments",
            None,
            "assign_refreshers",
            None,
            {"reason": "refresher", "assignment_ids": ids},
            at=at,
        )
    return len(ids)


def assign_refreshers_on_open(db: Database) -> None:
    """At each open of the database: the refreshers that have come due since the last one."""
    now = utc_now()
    db.write(lambda connection: assign_due_refreshers(connection, today=now.date(), at=now))


# -- cancelling ------------------------------------------------------------------------------------
def cancel_assignment(
    db: Database, actor: CurrentUser, assignment_id: int, reason: str, *, at: datetime | None = None
) -> None:
    """HR cancels an open assignment; it stays in history with who cancelled it, when and why."""
    require(actor, Permission.TRAINING_MANAGE)
    why = entered_text(reason)
    if not why:
        raise InputError.single(_("Reason"), _("say why the assignment is cancelled"))
    if len(why) > CANCEL_REASON_MAX_LENGTH:
        raise InputError.single(_("Reason"), _("use at most {count} characters", count=CANCEL_REASON_MAX_LENGTH))
    when = at or utc_now()

    def cancel(connection: duckdb.DuckDBPyConnection) -> None:
        before = audit.row_as_dict(connection, "training_assignments", "id", assignment_id)
        if before is None:
            raise InputError.single(_("Assignment"), _("no such assignment"))
        if before["status"] != "open":
            status = before["status"]
            raise InputError.single(
                _("Assignment"),
                _(
                    "only an open assignment can be cancelled (it is {status})",
                    status=_(STATUS_LABELS[status]).lower() if status in STATUS_LABELS else status,
                ),
            )
        connection.execute(
            "UPDATE training_assignments SET status = 'cancelled', cancelled_at = ?, cancelled_by = ?,"
            " cancel_reason = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [when, actor.employee_id, why, when, assignment_id],
        )
        connection.execute("DELETE FROM training_open_assignments WHERE assignment_id = ?", [assignment_id])
        after = audit.row_as_dict(connection, "training_assignments", "id", assignment_id)
        audit.record(connection, actor, "training_assignment", assignment_id, "cancel", before, after, at=when)

    db.write(cancel)


# -- reading ---------------------------------------------------------------------------------------
ASSIGNMENTS_PAGE_SIZE = 200


def list_assignments(
    db: Reader,
    actor: CurrentUser,
    *,
    status: str | None = None,
    course_id: int | None = None,
    team_id: int | None = None,
    employee_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Assignments for HR's lists, newest first, with the person, course and who cancelled
    (``limit`` of them from ``offset``; None: all)."""
    rows, _ = _assignments(db, actor, status, course_id, team_id, employee_id, limit, offset)
    return rows


def assignments_page(
    db: Reader,
    actor: CurrentUser,
    *,
    page: int = 1,
    page_size: int = ASSIGNMENTS_PAGE_SIZE,
    status: str | None = None,
    course_id: int | None = None,
    team_id: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of ``list_assignments`` (pages count from 1) and how many assignments match in all."""
    return _assignments(db, actor, status, course_id, team_id, None, page_size, (max(page, 1) - 1) * page_size)


def _assignments(
    db: Reader,
    actor: CurrentUser,
    status: str | None,
    course_id: int | None,
    team_id: int | None,
    employee_id: int | None,
    limit: int | None,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    require(actor, Permission.TRAINING_MANAGE)
    clauses, params = ["TRUE"], []
    for column, value in (("a.status", status), ("a.course_id", course_id), ("e.team_id", team_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if employee_id is not None:
        clauses.append("a.employee_id = ?")
        params.append(employee_id)
    return rows_with_total(
        db,
        "SELECT a.id, a.employee_id, e.full_name AS person, t.name AS team, c.code AS course_code,"  # noqa: S608
        " c.title AS course, a.assigned_on, a.due_on, a.mandatory, a.reason, a.status, a.cancel_reason,"
        " x.full_name AS cancelled_by, a.cancelled_at, a.version"
        " FROM training_assignments a JOIN employees e ON e.id = a.employee_id"
        " LEFT JOIN teams t ON t.id = e.team_id JOIN courses c ON c.id = a.course_id"
        " LEFT JOIN employees x ON x.id = a.cancelled_by"
        f" WHERE {' AND '.join(clauses)}",
        params,
        order_by="assigned_on DESC, id DESC",
        limit=limit,
        offset=offset,
    )
