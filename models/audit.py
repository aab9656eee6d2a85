"""The audit log: who changed what, when, with the record before and after."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import BaseModel

from models.audit_labels import ENTITY_LABELS, ValueTables, action_labels, field_label, value_label
from models.db import utc_now
from models.errors import StaleRecordError
from models.i18n import _

if TYPE_CHECKING:
    from models.access import CurrentUser
    from models.db import Database


class AuditEntry(BaseModel):
    id: int
    occurred_at: datetime
    actor_id: int | None
    actor_name: str | None
    entity: str
    entity_id: str | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def entity_label(self) -> str:
        return entity_label(self.entity)

    @property
    def action_label(self) -> str:
        return action_labels().get(self.action) or code_label(self.action)

    @property
    def changes(self) -> list[str]:
        return changed_fields(self.before, self.after, self.entity)

    def changes_in_words(self, values: ValueTables) -> list[str]:
        """The changed fields with the stored codes in the areas' words (``ui.audit_values``)."""
        return changed_fields(self.before, self.after, self.entity, values)


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, BaseModel):
        return value.model_dump()
    return str(value)


_CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?")
_ACRONYMS = {"id": "ID", "kpi": "KPI", "nps": "NPS", "enps": "eNPS", "csat": "CSAT", "ces": "CES", "sso": "SSO"}


def code_label(code: str) -> str:
    """An internal code in words, for a reader: ``kudos_received`` → "Kudos received",
    ``employee_id`` → "Employee ID"."""
    words = [_ACRONYMS.get(word, word) for word in code.strip().split("_") if word]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def entity_label(code: str) -> str:
    """A kind of audited record in the reader's language ("Inbox message"), its code in words
    when the catalogue does not name it."""
    return _(ENTITY_LABELS[code]) if code in ENTITY_LABELS else code_label(code)


def _field_text(code: str) -> str:
    return field_label(code) or code_label(code)


def _value_text(value: Any, entity: str | None = None, field: str = "", values: ValueTables | None = None) -> str:
    """A stored value as a reader reads it: codes in the reader's words where the area names
    them, else in English words; times to the minute, a dash for none."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        return ", ".join(_value_text(item, entity, field, values) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{_field_text(key)} {_value_text(item, entity, key, values)}" for key, item in value.items())
    text = str(value)
    if (words := value_label(values or {}, entity, field, text)) is not None:
        return words
    if _CODE.fullmatch(text):
        return code_label(text).lower()
    return _TIMESTAMP.sub(r"\1 \2", text)


def changed_fields(
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    entity: str | None = None,
    values: ValueTables | None = None,
) -> list[str]:
    """What a change did, one field a line in the reader's language: "Status: planned → done"
    for a field it changed, "Status: done" for a field of a record it created or removed (the
    values as stored: a code reads in English words)."""
    before, after = before or {}, after or {}
    lines = []
    for key in [*before, *(key for key in after if key not in before)]:
        if key in before and key in after:
            if before[key] != after[key]:
                shown = (_value_text(before[key], entity, key, values), _value_text(after[key], entity, key, values))
                lines.append(f"{_field_text(key)}: {shown[0]} → {shown[1]}")
        else:
            lines.append(f"{_field_text(key)}: {_value_text(before.get(key, after.get(key)), entity, key, values)}")
    return lines


def to_json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, default=_json_default, sort_keys=True)


def record(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    entity: str,
    entity_id: Any,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> None:
    """Store one audit entry inside the caller's write transaction, dated ``at`` (default now)."""
    connection.execute(
        "INSERT INTO audit_log (occurred_at, actor_id, actor_name, entity, entity_id, action, before_json, after_json)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            at or utc_now(),
            actor.employee_id if actor else None,
            actor.full_name if actor else None,
            entity,
            None if entity_id is None else str(entity_id),
            action,
            to_json(before),
            to_json(after),
        ],
    )


def record_many(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    entries: list[tuple[str, Any, str, dict[str, Any] | None, dict[str, Any] | None]],
    *,
    at: datetime | None = None,
) -> None:
    """Store many audit entries (entity, id, action, before, after) of one actor in one
    statement, for imports, dated ``at`` (default now)."""
    now = at or utc_now()
    record_each(connection, [(now, actor, *entry) for entry in entries])


def record_each(
    connection: duckdb.DuckDBPyConnection,
    entries: list[tuple[datetime, CurrentUser | None, str, Any, str, dict[str, Any] | None, dict[str, Any] | None]],
) -> None:
    """Store many audit entries in one statement, each with its own moment and actor
    (at, actor, entity, id, action, before, after): what many people did at their own times,
    recorded at once (the demo's large organisation)."""
    if not entries:
        return
    import pyarrow as pa

    table = pa.table(
        {
            "occurred_at": pa.array([at for at, *_ in entries], pa.timestamp("us")),
            "actor_id": pa.array([actor.employee_id if actor else None for _, actor, *_ in entries], pa.int64()),
            "actor_name": pa.array([actor.full_name if actor else None for _, actor, *_ in entries], pa.string()),
            "entity": [entity for _, _, entity, *_ in entries],
            "entity_id": [None if entity_id is None else str(entity_id) for _, _, _, entity_id, *_ in entries],
            "action": [action for *_, action, _, _ in entries],
            "before_json": pa.array([to_json(before) for *_, before, _ in entries], pa.string()),
            "after_json": pa.array([to_json(after) for *_, after in entries], pa.string()),
        }
    )
    connection.register("audit_entries_each", table)
    try:
        connection.execute(
            "INSERT INTO audit_log (occurred_at, actor_id, actor_name, entity, entity_id, action, before_json,"
            " after_json) SELECT * FROM audit_entries_each"
        )
    finally:
        connection.unregister("audit_entries_each")


def row_as_dict(connection: duckdb.DuckDBPyConnection, table: str, key: str, value: Any) -> dict[str, Any] | None:
    """One row of ``table`` as a dict, for the before/after of an audit entry."""
    cursor = connection.execute(f"SELECT * FROM {table} WHERE {key} = ?", [value])  # noqa: S608 - names are ours
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([column[0] for column in cursor.description], row, strict=True))


def last_change(
    connection: duckdb.DuckDBPyConnection, entity: str, row: dict[str, Any]
) -> tuple[str | None, datetime | None]:
    """Who last saved ``row`` and when: its ``updated_by`` where the table keeps one, otherwise
    the latest audit entry of the record (``entity`` as the audit log names it)."""
    if row.get("updated_by") is not None:
        name = connection.execute("SELECT full_name FROM employees WHERE id = ?", [row["updated_by"]]).fetchone()
        return (name[0] if name else None), row.get("updated_at")
    entry = connection.execute(
        "SELECT actor_name, occurred_at FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id DESC LIMIT 1",
        [entity, str(row["id"])],
    ).fetchone()
    return (entry[0], entry[1]) if entry else (None, row.get("updated_at"))


def check_not_stale(
    connection: duckdb.DuckDBPyConnection, entity: str, row: dict[str, Any], expected_version: int | None, noun: str
) -> None:
    """The one stale-record check of every versioned record: refuse the save (``StaleRecordError``,
    naming who saved it and when) when ``row`` moved past the version the editor opened.
    ``expected_version=None`` means the caller did not open a form, so nothing can be stale."""
    if expected_version is None or row["version"] == expected_version:
        return
    changed_by, changed_at = last_change(connection, entity, row)
    raise StaleRecordError(noun, changed_by, changed_at)


def _search_where(
    entity: str | None, actor_id: int | None, since: date | None, until: date | None
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if entity:
        clauses.append("entity = ?")
        params.append(entity)
    if actor_id is not None:
        clauses.append("actor_id = ?")
        params.append(actor_id)
    if since:
        clauses.append("occurred_at >= ?")
        params.append(datetime.combine(since, time.min))
    if until:
        clauses.append("occurred_at < ? + INTERVAL 1 DAY")
        params.append(datetime.combine(until, time.min))
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def search(
    db: Database,
    actor: CurrentUser,
    *,
    entity: str | None = None,
    actor_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Audit entries newest first, filtered by entity, actor and date range: ``limit`` of them
    from ``offset`` (None: all); ``count`` gives the total."""
    from models.access import Permission, require

    require(actor, Permission.AUDIT_READ)
    where, params = _search_where(entity, actor_id, since, until)
    rows = db.query(
        f"SELECT * FROM audit_log {where} ORDER BY id DESC LIMIT ? OFFSET ?",  # noqa: S608 - clauses are fixed text
        [*params, limit, offset],
    )
    return [
        AuditEntry(
            **{
                key: row[key]
                for key in ("id", "occurred_at", "actor_id", "actor_name", "entity", "entity_id", "action")
            },
            before=json.loads(row["before_json"]) if row["before_json"] else None,
            after=json.loads(row["after_json"]) if row["after_json"] else None,
        )
        for row in rows
    ]


def count(
    db: Database,
    actor: CurrentUser,
    *,
    entity: str | None = None,
    actor_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> int:
    """How many entries ``search`` pages through for the same filters."""
    from models.access import Permission, require

    require(actor, Permission.AUDIT_READ)
    where, params = _search_where(entity, actor_id, since, until)
    return db.scalar(f"SELECT count(*) FROM audit_log {where}", params)  # noqa: S608 - clauses are fixed text


def entities(db: Database) -> list[str]:
    return [row["entity"] for row in db.query("SELECT DISTINCT entity FROM audit_log ORDER BY entity")]


def find_actors(db: Database, search: str = "", *, limit: int = 50) -> tuple[list[dict[str, Any]], int]:
    """For the actor picker: the first ``limit`` people by name who made an audited change,
    with a name matching ``search``, and how many match."""
    from models.paging import like_pattern, matches_any, rows_with_total

    pattern = like_pattern(search)
    where = "WHERE actor_id IS NOT NULL" + (" AND " + matches_any(["actor_name"]) if pattern else "")
    return rows_with_total(
        db,
        f"SELECT actor_id, min(actor_name) AS actor_name FROM audit_log {where} GROUP BY actor_id",  # noqa: S608
        [pattern] if pattern else [],
        order_by="actor_name, actor_id",
        limit=limit,
    )
