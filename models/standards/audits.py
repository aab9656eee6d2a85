"""Audit checklists and mystery-shopper audits (rules 2 and 4 of ``models.standards``):
analysts build checklists from the standards and record audits; who reads an audit is
decided here, once, as an SQL condition."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import pyarrow as pa
from pydantic import Field, field_validator

from models import audit
from models.access import CurrentUser, Permission, PermissionDeniedError, Role, require
from models.db import insert_row, next_ids, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _
from models.inputs import InputRecord, not_in_future
from models.people.directory import people_matching

if TYPE_CHECKING:
    from models.db import Database

Scale = Literal["pass_fail", "score"]
SCALE_LABELS = {"pass_fail": N_("Pass / fail"), "score": N_("Score 1–5")}  # shown with _()
COMPLYING_SCORE = 4  # a scored item complies at 4 or 5
NOTES_MAX = 2000


# -- who reads what -----------------------------------------------------------------------
@dataclass(frozen=True)
class AuditScope:
    """The audits ``actor`` may read (rule 4): everyone's, or a team's and/or their own."""

    everyone: bool = False
    team_level: bool = False  # audits naming no agent, of every team (analysts)
    lead_of_team: int | None = None
    employee_id: int | None = None

    def condition(self, audit_alias: str = "a", agent_alias: str = "ag") -> tuple[str, list[Any]]:
        """A condition on a mystery_audits row and the employees row of its agent."""
        if self.everyone:
            return "TRUE", []
        clauses = [f"{audit_alias}.agent_id = ?"]
        params: list[Any] = [self.employee_id]
        if self.team_level:
            clauses.append(f"{audit_alias}.agent_id IS NULL")
        if self.lead_of_team is not None:
            clauses.append(
                f"({audit_alias}.agent_id IS NULL AND {audit_alias}.team_id = ?) OR {agent_alias}.team_id = ?"
            )
            params += [self.lead_of_team, self.lead_of_team]
        return "(" + " OR ".join(f"({clause})" for clause in clauses) + ")", params


def reads_every_audit(actor: CurrentUser) -> bool:
    """HR and leadership read every audit."""
    return actor.has_role(Role.HR) or actor.can(Permission.DASHBOARDS_ALL)


def audit_scope(actor: CurrentUser) -> AuditScope:
    if reads_every_audit(actor):
        return AuditScope(everyone=True)
    return AuditScope(
        team_level=actor.can(Permission.SERVICE_AUDITS_RECORD),
        lead_of_team=actor.team_id if actor.can(Permission.TEAM_COACHING) else None,
        employee_id=actor.employee_id,
    )


def reads_compliance(actor: CurrentUser) -> bool:
    """Analysts, team leads, HR and leadership read compliance per standard, team and month."""
    return (
        reads_every_audit(actor) or actor.can(Permission.SERVICE_AUDITS_RECORD) or actor.can(Permission.TEAM_COACHING)
    )


def require_compliance_reader(actor: CurrentUser) -> None:
    if not reads_compliance(actor):
        raise PermissionDeniedError(actor, Permission.SERVICE_AUDITS_RECORD)


# -- checklists ---------------------------------------------------------------------------
class ChecklistInput(InputRecord):
    name: str = Field(title=N_("Checklist name"), min_length=3, max_length=100)
    items: list[tuple[int, Scale]] = Field(title=N_("Standards checked"), min_length=1, max_length=30)

    @field_validator("items")
    @classmethod
    def _once_each(cls, value: list[tuple[int, Scale]]) -> list[tuple[int, Scale]]:
        standards = [standard_id for standard_id, _ in value]
        if len(set(standards)) != len(standards):
            raise ValueError(_("check each standard once"))
        return value


def create_checklist(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """A checklist of current standards, each checked pass/fail or scored 1–5; returns its id."""
    require(actor, Permission.SERVICE_AUDITS_RECORD)
    record = validate(ChecklistInput, data)
    now = at or utc_now()

    def create(connection: duckdb.DuckDBPyConnection) -> int:
        ids = [standard_id for standard_id, _ in record.items]
        current = {
            row[0]
            for row in connection.execute(
                "SELECT id FROM service_standards WHERE active AND list_contains(?, id)", [ids]
            ).fetchall()
        }
        if set(ids) - current:
            raise InputError.single(_("Standards checked"), _("choose current standards only"))
        if connection.execute("SELECT 1 FROM audit_checklists WHERE name = ?", [record.name]).fetchone():
            raise InputError.single(_("Checklist name"), _("another checklist has this name"))
        checklist_id = insert_row(
            connection, "audit_checklists", {"name": record.name, "created_by": actor.employee_id, "created_at": now}
        )
        connection.executemany(
            "INSERT INTO audit_checklist_items (checklist_id, position, standard_id, scale) VALUES (?, ?, ?, ?)",
            [[checklist_id, position, sid, scale] for position, (sid, scale) in enumerate(record.items, start=1)],
        )
        audit.record(connection, actor, "audit_checklist", checklist_id, "create", after=record.model_dump(), at=now)
        return checklist_id

    return db.write(create)


def checklists(db: Database) -> list[dict[str, Any]]:
    """Every checklist with its items in order (standard code, title, current version, scale)."""
    return db.query(
        "SELECT c.id, c.name, list({'standard_id': s.id, 'code': s.code, 'title': s.title, 'version': s.version,"
        " 'scale': i.scale} ORDER BY i.position) AS items"
        " FROM audit_checklists c JOIN audit_checklist_items i ON i.checklist_id = c.id"
        " JOIN service_standards s ON s.id = i.standard_id GROUP BY c.id, c.name ORDER BY c.name"
    )


# -- audits -------------------------------------------------------------------------------
class AuditInput(InputRecord):
    """One mystery-shopper audit as recorded or imported; results by standard id: True/False
    for a pass/fail item, 1–5 for a scored one; an item left out was not checked."""

    checklist_id: int = Field(title=N_("Checklist"))
    audited_on: date = Field(title=N_("Date"))
    channel: str = Field(title=N_("Channel"), min_length=1, max_length=60)
    team_id: int = Field(title=N_("Team"))
    agent_id: int | None = Field(default=None, title=N_("Agent"))
    results: dict[int, bool | int] = Field(title=N_("Results"))
    notes: str | None = Field(default=None, title=N_("Notes"), max_length=NOTES_MAX)
    external_id: str | None = Field(default=None, title=N_("Audit ID"), max_length=100)

    _not_future = field_validator("audited_on")(not_in_future)

    @field_validator("notes", "external_id", mode="after")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None


def checked_results(items: Sequence[dict[str, Any]], results: dict[int, bool | int]) -> list[dict[str, Any]]:
    """The audit's results against its checklist: each standard's scale, score and whether it
    complied; ``InputError`` naming the standard when a result does not fit its scale."""
    by_standard = {item["standard_id"]: item for item in items}
    checked = []
    for standard_id, value in results.items():
        item = by_standard.get(standard_id)
        if item is None:
            raise InputError.single(_("Results"), _("a result names a standard the checklist does not hold"))
        if item["scale"] == "pass_fail":
            if not isinstance(value, bool):
                raise InputError.single(item["code"], _("give pass or fail"))
            checked.append({**item, "score": None, "complies": value})
        else:
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                raise InputError.single(item["code"], _("give a score from 1 to 5"))
            checked.append({**item, "score": value, "complies": value >= COMPLYING_SCORE})
    if not checked:
        raise InputError.single(_("Results"), _("give the result of at least one standard"))
    return checked


def dedup_key(record: AuditInput) -> str:
    """What makes two audits the same: the shopper's audit id when given, else day, channel,
    team, agent, checklist, results and notes."""
    if record.external_id is not None:
        return hashlib.sha256(json.dumps(["audit id", record.external_id]).encode()).hexdigest()
    content = [
        record.audited_on.isoformat(),
        record.channel.lower(),
        record.team_id,
        record.agent_id,
        record.checklist_id,
        sorted((int(key), int(value)) for key, value in record.results.items()),
        record.notes or "",
    ]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def _checklist_items(connection: duckdb.DuckDBPyConnection, checklist_id: int) -> list[dict[str, Any]]:
    cursor = connection.execute(
        "SELECT i.standard_id, s.code, s.version, i.scale FROM audit_checklist_items i"
        " JOIN service_standards s ON s.id = i.standard_id WHERE i.checklist_id = ? ORDER BY i.position",
        [checklist_id],
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _check_people(connection: duckdb.DuckDBPyConnection, record: AuditInput) -> None:
    if connection.execute("SELECT 1 FROM teams WHERE id = ?", [record.team_id]).fetchone() is None:
        raise InputError.single(_("Team"), _("no such team"))
    if record.agent_id is not None:
        row = connection.execute("SELECT team_id FROM employees WHERE id = ?", [record.agent_id]).fetchone()
        if row is None:
            raise InputError.single(_("Agent"), _("no such person"))


def store_audits(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser,
    records: Sequence[AuditInput],
    *,
    source: str,
    at: datetime,
    import_id: int | None = None,
) -> tuple[list[int], int]:
    """Store checked audits inside the caller's write, skipping any already stored (same
    dedup key, in the portal or earlier in ``records``); returns the new ids and the
    number of duplicates."""
    require(actor, Permission.SERVICE_AUDITS_RECORD)
    keys = [dedup_key(record) for record in records]
    known = {
        row[0]
        for row in connection.execute(
            "SELECT dedup_key FROM mystery_audits WHERE list_contains(?, dedup_key)", [keys]
        ).fetchall()
    }
    fresh: list[tuple[str, AuditInput]] = []
    for key, record in zip(keys, records, strict=True):
        if key not in known:
            known.add(key)
            fresh.append((key, record))
    items_of: dict[int, list[dict[str, Any]]] = {}
    audits, results, entries = [], [], []
    for audit_id, (key, record) in zip(next_ids(connection, "mystery_audits", len(fresh)), fresh, strict=True):
        if record.checklist_id not in items_of:
            items_of[record.checklist_id] = _checklist_items(connection, record.checklist_id)
        if not items_of[record.checklist_id]:
            raise InputError.single(_("Checklist"), _("no such checklist"))
        checked = checked_results(items_of[record.checklist_id], record.results)
        _check_people(connection, record)
        audits.append(
            [audit_id, record.checklist_id, record.audited_on, record.channel, record.team_id, record.agent_id]
            + [record.notes, source, key, actor.employee_id, at, record.external_id, import_id]
        )
        results += [
            [audit_id, item["standard_id"], item["version"], item["scale"], item["score"], item["complies"]]
            for item in checked
        ]
        entries.append(("mystery_audit", audit_id, "create", None, record.model_dump(mode="json")))
    if audits:
        _insert_many(connection, audits, results)
        audit.record_many(connection, actor, entries, at=at)
    return [row[0] for row in audits], len(records) - len(fresh)


def _insert_many(connection: duckdb.DuckDBPyConnection, audits: list[list[Any]], results: list[list[Any]]) -> None:
    audit_columns = ["id", "checklist_id", "audited_on", "channel", "team_id", "agent_id", "notes", "source"]
    audit_columns += ["dedup_key", "recorded_by", "recorded_at", "external_id", "import_id"]
    result_columns = ["audit_id", "standard_id", "standard_version", "scale", "score", "complies"]
    new_audits = pa.Table.from_pylist([dict(zip(audit_columns, row, strict=True)) for row in audits])
    new_results = pa.Table.from_pylist([dict(zip(result_columns, row, strict=True)) for row in results])
    connection.register("new_mystery_audits", new_audits)
    connection.register("new_mystery_results", new_results)
    try:
        connection.execute(
            f"INSERT INTO mystery_audits ({', '.join(audit_columns)}) SELECT * FROM new_mystery_audits"  # noqa: S608
        )
        connection.execute(
            f"INSERT INTO mystery_audit_results ({', '.join(result_columns)})"  # noqa: S608
            " SELECT * FROM new_mystery_results"
        )
    finally:
        connection.unregister("new_mystery_audits")
        connection.unregister("new_mystery_results")


def record_audit(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """Record one audit by hand; returns its id (the same audit recorded twice is refused)."""
    require(actor, Permission.SERVICE_AUDITS_RECORD)
    now = at or utc_now()
    record = validate(AuditInput, data, context={"today": now.date()})

    def store(connection: duckdb.DuckDBPyConnection) -> int:
        ids, duplicates = store_audits(connection, actor, [record], source="hand", at=now)
        if duplicates:
            raise InputError.single(_("Audit"), _("this audit is recorded already"))
        return ids[0]

    return db.write(store)


_AUDITS_SQL = """
    SELECT a.id, a.audited_on, a.channel, t.name AS team, a.team_id, a.agent_id, ag.full_name AS agent,
           c.name AS checklist, count(r.standard_id) AS checks, count(*) FILTER (WHERE r.complies) AS complied,
           a.notes, a.source
    FROM mystery_audits a
    JOIN audit_checklists c ON c.id = a.checklist_id
    LEFT JOIN teams t ON t.id = a.team_id
    LEFT JOIN employees ag ON ag.id = a.agent_id
    LEFT JOIN mystery_audit_results r ON r.audit_id = a.id
"""


def _audits_where(actor: CurrentUser, start: date | None, end: date | None) -> tuple[str, list[Any]]:
    """The audits ``actor`` may read (rule 4) in the period, as a WHERE clause and its parameters."""
    condition, params = audit_scope(actor).condition()
    clauses = [condition]
    if start:
        clauses.append("a.audited_on >= ?")
        params.append(start)
    if end:
        clauses.append("a.audited_on <= ?")
        params.append(end)
    return " WHERE " + " AND ".join(clauses), params


def list_audits(
    db: Database,
    actor: CurrentUser,
    *,
    start: date | None = None,
    end: date | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The audits ``actor`` may read (rule 4), newest first: ``limit`` of them from ``offset``
    (None: all); ``count_audits`` gives how many there are."""
    where, params = _audits_where(actor, start, end)
    return db.query(
        _AUDITS_SQL + where + " GROUP BY ALL ORDER BY a.audited_on DESC, a.id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )


def count_audits(db: Database, actor: CurrentUser, *, start: date | None = None, end: date | None = None) -> int:
    """How many audits ``list_audits`` pages through for the same period."""
    where, params = _audits_where(actor, start, end)
    return int(
        db.scalar("SELECT count(*) FROM mystery_audits a LEFT JOIN employees ag ON ag.id = a.agent_id" + where, params)
    )


def get_audit(db: Database, actor: CurrentUser, audit_id: int) -> dict[str, Any]:
    """One audit with its results; refused when ``actor`` may not read it (rule 4)."""
    condition, params = audit_scope(actor).condition()
    row = db.query_one(_AUDITS_SQL + " WHERE a.id = ? AND " + condition + " GROUP BY ALL", [audit_id, *params])
    if row is None:
        if db.scalar("SELECT 1 FROM mystery_audits WHERE id = ?", [audit_id]):
            raise PermissionDeniedError(actor, Permission.DASHBOARDS_ALL)
        raise InputError.single(_("Audit"), _("no such audit"))
    row["results"] = db.query(
        "SELECT s.code, s.title, r.scale, r.score, r.complies FROM mystery_audit_results r"
        " JOIN service_standards s ON s.id = r.standard_id WHERE r.audit_id = ? ORDER BY s.code",
        [audit_id],
    )
    return row


def audit_choices(db: Database, actor: CurrentUser) -> dict[str, list[dict[str, Any]]]:
    """The teams to choose from when recording an audit (agents are found with ``find_agents``)."""
    require(actor, Permission.SERVICE_AUDITS_RECORD)
    return {"teams": db.query("SELECT id, name FROM teams ORDER BY name")}


def find_agents(db: Database, actor: CurrentUser, search: str = "") -> tuple[list[dict[str, Any]], int]:
    """The first active people in a team matching ``search`` (the agent of an audit recorded by
    hand), and how many match."""
    require(actor, Permission.SERVICE_AUDITS_RECORD)
    return people_matching(db, search, among="e.active AND e.team_id IS NOT NULL")
