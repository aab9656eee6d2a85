"""Assessments: a team lead rates a person of their own team in a competency against the
framework's descriptors, with the evidence, optionally from a coaching session; the person
sees their own. The current level of a person in a competency is the latest assessment's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Annotated, Any

import duckdb
import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, Field, ValidationInfo, field_validator

from models import audit
from models.access import CurrentUser, Permission, require
from models.competencies import framework, scope
from models.competencies.levels import LEVEL_NAMES, level_name
from models.db import ConnectionReader, Reader, insert_row, next_ids, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _
from models.inbox import messages as inbox
from models.inputs import InputRecord

if TYPE_CHECKING:
    from models.db import Database

EVIDENCE_MIN = 10
EVIDENCE_MAX = 2000
STATUS_LABELS = {
    "open": N_("Waiting for acknowledgement"),
    "acknowledged": N_("Acknowledged"),
    "appealed": N_("Appealed"),
    "upheld": N_("Appeal upheld"),
    "appeal_rejected": N_("Appeal rejected"),
}
METHOD_LABELS = {
    "framework": N_("Framework"),
    "checklist": N_("Checklist (before the framework)"),
}
APPEAL_OUTCOME_LABELS = {"upheld": N_("Appeal upheld"), "rejected": N_("Appeal rejected")}


class AssessmentInput(InputRecord):
    employee_id: int = Field(title=N_("Person"))
    competency_id: int = Field(title=N_("Competency"))
    assessed_on: date = Field(title=N_("Date"))
    level: int = Field(ge=1, le=4, title=N_("Level"))
    evidence: Annotated[str, Field(min_length=EVIDENCE_MIN, max_length=EVIDENCE_MAX, title=N_("Evidence"))]
    coaching_session_id: int | None = Field(default=None, title=N_("Coaching session"))

    @field_validator("assessed_on")
    @classmethod
    def _not_in_future(cls, value: date, info: ValidationInfo) -> date:
        today = (info.context or {}).get("today") or date.today()
        if value > today:
            raise ValueError(_("the date cannot be in the future"))
        return value


class Assessment(BaseModel):
    id: int
    employee_id: int
    employee_name: str
    team_id: int | None
    competency_id: int
    competency_name: str
    assessed_on: date
    level: int
    current_level: int
    descriptor_id: int | None
    descriptor: str | None
    descriptor_version: int | None
    method: str
    evidence: str
    coaching_session_id: int | None
    assessor_id: int
    assessor_name: str
    status: str
    acknowledged_at: datetime | None
    level_after_appeal: int | None
    version: int
    appeal_reason: str | None = None
    appeal_outcome: str | None = None
    appeal_note: str | None = None
    appeal_resolved_by: str | None = None

    @property
    def level_label(self) -> str:
        return level_name(self.level)

    @property
    def status_label(self) -> str:
        return _(STATUS_LABELS[self.status]) if self.status in STATUS_LABELS else self.status

    @property
    def method_label(self) -> str:
        return _(METHOD_LABELS[self.method]) if self.method in METHOD_LABELS else self.method


EFFECTIVE_LEVEL = "CASE WHEN a.status = 'upheld' THEN a.level_after_appeal ELSE a.level END"

ASSESSMENT_SQL = f"""
    SELECT a.id, a.employee_id, p.full_name AS employee_name, p.team_id, a.competency_id,
           c.name AS competency_name, a.assessed_on, a.level, {EFFECTIVE_LEVEL} AS current_level,
           a.descriptor_id, d.descriptor, d.version AS descriptor_version, a.method, a.evidence,
           a.coaching_session_id, a.assessor_id, s.full_name AS assessor_name, a.status,
           a.acknowledged_at, a.level_after_appeal, a.version,
           ap.reason AS appeal_reason, ap.outcome AS appeal_outcome, ap.resolution_note AS appeal_note,
           r.full_name AS appeal_resolved_by
    FROM assessments a
    JOIN employees p ON p.id = a.employee_id
    JOIN competencies c ON c.id = a.competency_id
    JOIN employees s ON s.id = a.assessor_id
    LEFT JOIN competency_descriptors d ON d.id = a.descriptor_id
    LEFT JOIN (SELECT * FROM assessment_appeals
               QUALIFY row_number() OVER (PARTITION BY assessment_id ORDER BY appealed_at DESC, id DESC) = 1) ap
           ON ap.assessment_id = a.id
    LEFT JOIN employees r ON r.id = ap.resolved_by
"""

CURRENT_LEVELS_SQL = f"""
    SELECT a.employee_id, a.competency_id, {EFFECTIVE_LEVEL} AS current_level, a.assessed_on
    FROM assessments a
    QUALIFY row_number() OVER (PARTITION BY a.employee_id, a.competency_id ORDER BY a.assessed_on DESC, a.id DESC) = 1
"""
"""Per person and competency, the current level (rule 5) and the date it was assessed."""


def _method_and_descriptor(reader: Reader, competency_id: int, level: int, assessed_on: date, at: datetime):
    introduced = framework.introduction_date(reader)
    if introduced is None or assessed_on < introduced:
        return "checklist", None
    return "framework", framework.descriptor_in_force(reader, competency_id, level, at)


def _check_person(reader: Reader, actor: CurrentUser, employee_id: int) -> None:
    person = scope.team_of(reader, employee_id)
    if person is None or not person["active"]:
        raise InputError.single(_("Person"), _("no such active person"))
    if employee_id == actor.employee_id:
        raise InputError.single(_("Person"), _("a team lead does not assess themselves"))
    if not scope.leads_team(actor, person["team_id"]):
        raise scope.NotYourTeamError(actor, _("{name}'s assessments", name=person["full_name"]))


def _check_session(reader: Reader, record: AssessmentInput) -> None:
    if record.coaching_session_id is None:
        return
    session = reader.query_one(
        "SELECT employee_id, coached_on FROM coaching_sessions WHERE id = ?", [record.coaching_session_id]
    )
    if session is None or session["employee_id"] != record.employee_id:
        raise InputError.single(_("Coaching session"), _("choose a coaching session of the same person"))
    if session["coached_on"] > record.assessed_on:
        raise InputError.single(_("Coaching session"), _("the session took place after the assessment's date"))


def record_assessment(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """A team lead assesses a person of their own team (rule 4); the assessment keeps the
    descriptor in force, or is a checklist assessment when dated before the framework."""
    require(actor, Permission.TEAM_ASSESSMENTS)
    now = at or utc_now()
    record = validate(AssessmentInput, data, {"today": now.date()})

    def save(connection: duckdb.DuckDBPyConnection) -> int:
        reader = ConnectionReader(connection)
        _check_person(reader, actor, record.employee_id)
        if not reader.scalar("SELECT count(*) FROM competencies WHERE id = ? AND active", [record.competency_id]):
            raise InputError.single(_("Competency"), _("no such competency"))
        _check_session(reader, record)
        method, descriptor_id = _method_and_descriptor(
            reader, record.competency_id, record.level, record.assessed_on, now
        )
        values = {
            **record.model_dump(),
            "descriptor_id": descriptor_id,
            "method": method,
            "assessor_id": actor.employee_id,
        }
        assessment_id = insert_row(
            connection, "assessments", {**values, "status": "open", "created_at": now, "updated_at": now}
        )
        audit.record(connection, actor, "assessment", assessment_id, "create", after=values, at=now)
        _tell_assessed(connection, actor, [assessment_id], now)
        return assessment_id

    return db.write(save)


def record_team_assessments(
    db: Database, actor: CurrentUser, rows: list[dict[str, Any]], *, at: datetime | None = None
) -> list[int]:
    """Many assessments of the lead's own team at once (a review round), each as
    ``record_assessment`` would store it, in one set-based write."""
    require(actor, Permission.TEAM_ASSESSMENTS)
    now = at or utc_now()
    records = [validate(AssessmentInput, row, {"today": now.date()}) for row in rows]
    if not records:
        return []

    def save(connection: duckdb.DuckDBPyConnection) -> list[int]:
        reader = ConnectionReader(connection)
        ids = sorted({record.employee_id for record in records})
        outside = reader.scalar(
            "SELECT count(*) FROM employees WHERE id IN (SELECT unnest(?)) AND (team_id IS DISTINCT FROM ? OR id = ?)",
            [ids, actor.team_id, actor.employee_id],
        )
        if (
            outside
            or actor.team_id is None
            or len(ids)
            != reader.scalar("SELECT count(*) FROM employees WHERE id IN (SELECT unnest(?)) AND active", [ids])
        ):
            raise scope.NotYourTeamError(actor, _("the assessments of people outside your team"))
        new_ids = next_ids(connection, "assessments", len(records))
        frame = pd.DataFrame([{**r.model_dump(), "id": i} for i, r in zip(new_ids, records, strict=True)])
        introduced = framework.introduction_date(reader) or date.max
        connection.register("new_assessments", frame)
        try:
            connection.execute(
                "INSERT INTO assessments (id, employee_id, competency_id, assessed_on, level, descriptor_id, method,"
                " evidence, coaching_session_id, assessor_id, status, created_at, updated_at)"
                " SELECT n.id, n.employee_id, n.competency_id, n.assessed_on::DATE, n.level,"
                "  CASE WHEN n.assessed_on::DATE >= ? THEN d.id END,"
                "  CASE WHEN n.assessed_on::DATE >= ? THEN 'framework' ELSE 'checklist' END,"
                "  n.evidence, n.coaching_session_id::INTEGER, ?, 'open', ?, ?"
                " FROM new_assessments n LEFT JOIN competency_descriptors d ON d.competency_id = n.competency_id"
                "  AND d.level = n.level AND d.created_at <= ? AND (d.replaced_at IS NULL OR d.replaced_at > ?)",
                [introduced, introduced, actor.employee_id, now, now, now, now],
            )
        finally:
            connection.unregister("new_assessments")
        audit.record_many(
            connection,
            actor,
            [("assessment", i, "create", None, r.model_dump()) for i, r in zip(new_ids, records, strict=True)],
            at=now,
        )
        _tell_assessed(connection, actor, new_ids, now)
        return new_ids

    return db.write(save)


def _tell_assessed(
    connection: duckdb.DuckDBPyConnection, actor: CurrentUser, assessment_ids: list[int], now: datetime
) -> None:
    """Each person assessed is told of the assessment waiting for their acknowledgement (or appeal)."""
    rows = connection.execute(
        "SELECT a.id, a.employee_id, a.level, a.assessed_on, c.code, c.name FROM assessments a"
        " JOIN competencies c ON c.id = a.competency_id WHERE a.id IN (SELECT unnest(?::INTEGER[])) ORDER BY a.id",
        [assessment_ids],
    ).fetchall()
    notices = [
        _assessment_notice(actor, employee_id, inbox.Competency(code, name), level, assessed_on)
        for _assessment_id, employee_id, level, assessed_on, code, name in rows
    ]
    inbox.notify_each(connection, "assessment", notices, now, actor=actor)


def record_assessments_in_bulk(
    db: Database, batches: Sequence[tuple[CurrentUser, list[dict[str, Any]], datetime]]
) -> list[list[int]]:
    """Many leads' assessments in one write, each batch (lead, assessments, recorded at) as
    ``record_team_assessments`` would store it: the same checks, descriptors in force then,
    audit entries and messages to the people assessed; all of them or, when one is refused,
    none. Returns each batch's ids, in order (the demo's review rounds)."""
    checked = []
    for lead, rows, at in batches:
        require(lead, Permission.TEAM_ASSESSMENTS)
        checked.append((lead, [validate(AssessmentInput, row, {"today": at.date()}) for row in rows], at))
    total = sum(len(records) for _, records, _ in checked)
    if not total:
        return [[] for _ in batches]

    def save(connection: duckdb.DuckDBPyConnection) -> list[list[int]]:
        reader = ConnectionReader(connection)
        people = sorted({record.employee_id for _, records, _ in checked for record in records})
        teams = {
            row[0]: row[1]
            for row in connection.execute(
                "SELECT id, team_id FROM employees WHERE id IN (SELECT unnest(?::INTEGER[])) AND active", [people]
            ).fetchall()
        }
        for lead, records, _at in checked:
            ids = {record.employee_id for record in records}
            if lead.team_id is None or any(
                i not in teams or teams[i] != lead.team_id or i == lead.employee_id for i in ids
            ):
                raise scope.NotYourTeamError(lead, _("the assessments of people outside your team"))
        ids = iter(next_ids(connection, "assessments", total))
        rows, entries, result = [], [], []
        for lead, records, at in checked:
            batch_ids = [next(ids) for _ in records]
            for assessment_id, record in zip(batch_ids, records, strict=True):
                rows.append({**record.model_dump(), "id": assessment_id, "assessor_id": lead.employee_id, "at": at})
                entries.append((at, lead, "assessment", assessment_id, "create", None, record.model_dump()))
            result.append(batch_ids)
        introduced = framework.introduction_date(reader) or date.max
        table = pa.Table.from_pylist(
            rows,
            pa.schema(
                [
                    ("employee_id", pa.int32()), ("competency_id", pa.int32()), ("assessed_on", pa.date32()),
                    ("level", pa.int32()), ("evidence", pa.string()), ("coaching_session_id", pa.int32()),
                    ("id", pa.int32()), ("assessor_id", pa.int32()), ("at", pa.timestamp("us")),
                ]
            ),
        )  # fmt: skip
        connection.register("bulk_assessments", table)
        try:
            connection.execute(
                "INSERT INTO assessments (id, employee_id, competency_id, assessed_on, level, descriptor_id, method,"
                " evidence, coaching_session_id, assessor_id, status, created_at, updated_at)"
                " SELECT n.id, n.employee_id, n.competency_id, n.assessed_on, n.level,"
                "  CASE WHEN n.assessed_on >= ? THEN d.id END,"
                "  CASE WHEN n.assessed_on >= ? THEN 'framework' ELSE 'checklist' END,"
                "  n.evidence, n.coaching_session_id, n.assessor_id, 'open', n.at, n.at"
                " FROM bulk_assessments n LEFT JOIN competency_descriptors d ON d.competency_id = n.competency_id"
                "  AND d.level = n.level AND d.created_at <= n.at AND (d.replaced_at IS NULL OR d.replaced_at > n.at)"
                " ORDER BY n.id",
                [introduced, introduced],
            )
        finally:
            connection.unregister("bulk_assessments")
        audit.record_each(connection, entries)
        names = {row[0]: inbox.Competency(row[1], row[2]) for row in connection.execute(
            "SELECT id, code, name FROM competencies").fetchall()}  # fmt: skip
        notices = [
            _assessment_notice(lead, record.employee_id, names[record.competency_id], record.level,
                               record.assessed_on, at)
            for lead, records, at in checked
            for record in records
        ]  # fmt: skip
        # no lead is among the people they assess (checked above), so no message goes to its author
        inbox.notify_each(connection, "assessment", notices, max(at for _, _, at in checked))
        return result

    return db.write(save)


def _assessment_notice(
    actor: CurrentUser,
    employee_id: int,
    competency: inbox.Competency,
    level: int,
    assessed_on: date,
    at: datetime | None = None,
) -> inbox.Notice:
    return inbox.Notice(
        employee_id,
        inbox.text(N_("Assessment to acknowledge: {competency}"), competency=competency),
        inbox.text(
            N_(
                "{name} assessed your {competency} as {level} on {day}. "
                "Read the evidence, then acknowledge the assessment or appeal it."
            ),
            name=actor.full_name,
            competency=competency,
            level=inbox.word(LEVEL_NAMES[level]),
            day=assessed_on,
        ),
        "assessments",
        created_at=at,
    )


def get_assessment(db: Reader, actor: CurrentUser, assessment_id: int) -> Assessment:
    """One assessment, to whoever may read it (rule 7; a reviewer of its appeal too)."""
    row = db.query_one(ASSESSMENT_SQL + " WHERE a.id = ?", [assessment_id])
    if row is None:
        raise InputError.single(_("Assessment"), _("no such assessment"))
    reviewing = row["status"] == "appealed" and _may_review(actor, row["assessor_id"], row["employee_id"])
    if not (scope.may_read(actor, row["employee_id"], row["team_id"]) or reviewing):
        raise scope.NotYourTeamError(actor, _("this assessment"))
    return Assessment(**row)


def _may_review(actor: CurrentUser, assessor_id: int, employee_id: int) -> bool:
    """HR, or a team lead who did not make the assessment, resolves its appeal (rule 6); never
    the person assessed, whatever their roles."""
    if actor.employee_id == employee_id:
        return False
    if actor.can(Permission.COMPETENCIES_MANAGE):
        return True
    return actor.can(Permission.TEAM_ASSESSMENTS) and actor.employee_id != assessor_id


def assessments_of(db: Reader, actor: CurrentUser, employee_id: int) -> list[Assessment]:
    """A person's assessments, newest first, to the person, their team lead, HR and leadership."""
    scope.require_read(db, actor, employee_id)
    rows = db.query(ASSESSMENT_SQL + " WHERE a.employee_id = ? ORDER BY a.assessed_on DESC, a.id DESC", [employee_id])
    return [Assessment(**row) for row in rows]


def _visible_where(actor: CurrentUser, team_id: int | None, since: date | None) -> tuple[str, list[Any]]:
    if team_id is not None:
        scope.require_team_read(actor, team_id)
    clause, params = scope.people_clause(actor, "p")
    if team_id is not None:
        clause += " AND p.team_id = ?"
        params.append(team_id)
    if since is not None:
        clause += " AND a.assessed_on >= ?"
        params.append(since)
    return clause, params


def visible_assessments(
    db: Reader,
    actor: CurrentUser,
    *,
    team_id: int | None = None,
    since: date | None = None,
    offset: int = 0,
    limit: int | None = 2000,
) -> list[Assessment]:
    """The assessments the actor may read, newest first: a team's, or all they may see;
    ``limit`` of them from ``offset`` (None: all), and ``count_visible_assessments`` says how many."""
    clause, params = _visible_where(actor, team_id, since)
    rows = db.query(
        ASSESSMENT_SQL + f" WHERE {clause} ORDER BY a.assessed_on DESC, a.id DESC LIMIT ? OFFSET ?",  # noqa: S608
        [*params, limit, offset],
    )
    return [Assessment(**row) for row in rows]


def count_visible_assessments(
    db: Reader, actor: CurrentUser, *, team_id: int | None = None, since: date | None = None
) -> int:
    """How many assessments ``visible_assessments`` pages through for the same team and period."""
    clause, params = _visible_where(actor, team_id, since)
    return int(
        db.scalar(
            f"SELECT count(*) FROM assessments a JOIN employees p ON p.id = a.employee_id WHERE {clause}",  # noqa: S608
            params,
        )
    )


def assessable_people(db: Reader, actor: CurrentUser) -> list[dict[str, Any]]:
    """The people a team lead may assess: the active members of their team but themselves."""
    require(actor, Permission.TEAM_ASSESSMENTS)
    return db.query(
        "SELECT id, full_name, employee_number FROM employees WHERE team_id = ? AND active AND id <> ?"
        " ORDER BY full_name",
        [actor.team_id, actor.employee_id],
    )


def sessions_for(db: Reader, actor: CurrentUser, employee_id: int) -> list[dict[str, Any]]:
    """The coaching sessions of a person an assessment may refer to (their lead's choice)."""
    scope.require_read(db, actor, employee_id)
    return db.query(
        "SELECT id, coached_on, kind, competency_id FROM coaching_sessions WHERE employee_id = ?"
        " ORDER BY coached_on DESC, id DESC LIMIT 50",
        [employee_id],
    )


def at_start_of(day: date) -> datetime:
    """A day as the time a write on it is dated (the demo dates its calls this way)."""
    return datetime.combine(day, time(9))
