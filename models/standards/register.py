"""The register of service standards (rule 1 of ``models.standards``): leadership adds and
edits them, every save is a kept version, everyone reads the current ones."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import BaseModel, Field, field_validator

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import insert_row, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _
from models.inputs import InputRecord

if TYPE_CHECKING:
    from models.db import Database

CHANNELS = ("Phone", "Email", "Chat", "Web form", "Branch", "Social media")  # stored as written here
_CHANNEL_WORDS = (N_("Phone"), N_("Email"), N_("Chat"), N_("Web form"), N_("Branch"), N_("Social media"))


def channel_label(channel: str) -> str:
    """A channel in the reader's language (a channel the register does not know is shown as stored)."""
    return _(channel) if channel in CHANNELS else channel


EXPECTATION_MAX = 2000


class StandardInput(InputRecord):
    """What leadership enters for a service standard."""

    code: str = Field(title=N_("Code"), min_length=2, max_length=20, pattern=r"^[A-Za-z0-9_-]+$")
    title: str = Field(title=N_("Title"), min_length=3, max_length=150)
    expectation: str = Field(title=N_("What is expected"), min_length=1, max_length=EXPECTATION_MAX)
    measurable_target: str | None = Field(default=None, title=N_("Measurable target"), max_length=200)
    channels: list[str] = Field(default_factory=list, title=N_("Channels"))
    owner_id: int = Field(title=N_("Owner"))
    active: bool = Field(default=True, title=N_("Current"))

    @field_validator("code")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("measurable_target", mode="after")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, value: list[str]) -> list[str]:
        unknown = [channel for channel in value if channel not in CHANNELS]
        if unknown:
            raise ValueError(
                _(
                    "choose from {channels} (not {unknown})",
                    channels=", ".join(map(channel_label, CHANNELS)),
                    unknown=", ".join(unknown),
                )
            )
        return sorted(set(value), key=CHANNELS.index)


class Standard(BaseModel):
    id: int
    code: str
    title: str
    expectation: str
    measurable_target: str | None
    channels: list[str]
    owner_id: int
    owner_name: str | None
    active: bool
    updated_at: datetime
    version: int


def save_version(
    connection: duckdb.DuckDBPyConnection, table: str, key: str, row: dict[str, Any], actor: CurrentUser, at: datetime
) -> None:
    """Keep a saved version of a register's record as it now is (``table`` and ``key`` are ours)."""
    connection.execute(
        f"INSERT INTO {table} ({key}, version, snapshot_json, changed_by, changed_at) VALUES (?, ?, ?, ?, ?)",  # noqa: S608
        [row["id"], row["version"], audit.to_json(row), actor.employee_id, at],
    )


def _owner_exists(connection: duckdb.DuckDBPyConnection, owner_id: int) -> None:
    if connection.execute("SELECT 1 FROM employees WHERE id = ? AND active", [owner_id]).fetchone() is None:
        raise InputError.single(_("Owner"), _("choose an active person"))


def _code_free(connection: duckdb.DuckDBPyConnection, code: str, standard_id: int | None) -> None:
    taken = connection.execute(
        "SELECT id FROM service_standards WHERE code = ? AND id IS DISTINCT FROM ?", [code, standard_id]
    ).fetchone()
    if taken:
        raise InputError.single(_("Code"), _("{code} is the code of another standard", code=code))


def add_standard(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """Add a standard to the register (version 1); returns its id."""
    require(actor, Permission.STRATEGY_MANAGE)
    record = validate(StandardInput, data)
    now = at or utc_now()

    def add(connection: duckdb.DuckDBPyConnection) -> int:
        _owner_exists(connection, record.owner_id)
        _code_free(connection, record.code, None)
        standard_id = insert_row(
            connection, "service_standards", {**record.model_dump(), "created_at": now, "updated_at": now}
        )
        row = audit.row_as_dict(connection, "service_standards", "id", standard_id) or {}
        save_version(connection, "service_standard_versions", "standard_id", row, actor, now)
        audit.record(connection, actor, "service_standard", standard_id, "create", after=row, at=now)
        return standard_id

    return db.write(add)


def update_standard(
    db: Database,
    actor: CurrentUser,
    standard_id: int,
    data: dict[str, Any],
    expected_version: int | None,
    *,
    at: datetime | None = None,
) -> None:
    """Save a new version of a standard (retiring it when ``active`` is false); a save on a
    version someone else saved since is refused."""
    require(actor, Permission.STRATEGY_MANAGE)
    record = validate(StandardInput, data)
    now = at or utc_now()

    def update(connection: duckdb.DuckDBPyConnection) -> None:
        before = audit.row_as_dict(connection, "service_standards", "id", standard_id)
        if before is None:
            raise InputError.single(_("Standard"), _("no such standard"))
        audit.check_not_stale(connection, "service_standard", before, expected_version, "standard")
        _owner_exists(connection, record.owner_id)
        _code_free(connection, record.code, standard_id)
        connection.execute(
            "UPDATE service_standards SET code = ?, title = ?, expectation = ?, measurable_target = ?, channels = ?,"
            " owner_id = ?, active = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [*record.model_dump().values(), now, standard_id],
        )
        after = audit.row_as_dict(connection, "service_standards", "id", standard_id) or {}
        save_version(connection, "service_standard_versions", "standard_id", after, actor, now)
        audit.record(connection, actor, "service_standard", standard_id, "update", before, after, at=now)

    db.write(update)


_STANDARD_SQL = (
    "SELECT s.*, e.full_name AS owner_name FROM service_standards s LEFT JOIN employees e ON e.id = s.owner_id"
)


def list_standards(db: Database, actor: CurrentUser, *, include_retired: bool = False) -> list[Standard]:
    """The register, by code: the current standards (and the retired ones when asked) — for everyone."""
    require(actor, Permission.STRATEGY_READ)
    where = "" if include_retired else " WHERE s.active"
    rows = db.query(_STANDARD_SQL + where + " ORDER BY s.code")
    return [Standard(**{key: row[key] for key in Standard.model_fields}) for row in rows]


def get_standard(db: Database, actor: CurrentUser, standard_id: int) -> Standard | None:
    require(actor, Permission.STRATEGY_READ)
    row = db.query_one(_STANDARD_SQL + " WHERE s.id = ?", [standard_id])
    return Standard(**{key: row[key] for key in Standard.model_fields}) if row else None


def standard_history(db: Database, actor: CurrentUser, standard_id: int) -> list[dict[str, Any]]:
    """Every saved version of a standard, newest first, as it was saved."""
    require(actor, Permission.STRATEGY_READ)
    rows = db.query(
        "SELECT v.version, v.changed_at, e.full_name AS changed_by, v.snapshot_json"
        " FROM service_standard_versions v LEFT JOIN employees e ON e.id = v.changed_by"
        " WHERE v.standard_id = ? ORDER BY v.version DESC",
        [standard_id],
    )
    history = []
    for row in rows:
        snapshot = json.loads(row.pop("snapshot_json"))
        history.append(
            {
                **row,
                **{key: snapshot.get(key) for key in ("title", "expectation", "measurable_target", "channels")},
                "current": snapshot.get("active"),
            }
        )
    return history
