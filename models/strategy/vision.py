"""The vision (versioned) and the strategic priorities goals belong to."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import BaseModel, Field

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import insert_with_new_id, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _
from models.inputs import InputRecord

if TYPE_CHECKING:
    from models.db import Database


# -- vision --------------------------------------------------------------------------
class VisionVersion(BaseModel):
    id: int
    statement: str
    effective_date: date
    author_id: int | None
    author_name: str | None
    created_at: datetime


class VisionInput(InputRecord):
    statement: str = Field(title=N_("Vision statement"), min_length=10, max_length=2000)
    effective_date: date = Field(default_factory=date.today, title=N_("Effective date"))


_VISION_SQL = (
    "SELECT v.id, v.statement, v.effective_date, v.author_id, e.full_name AS author_name, v.created_at"
    " FROM vision_versions v LEFT JOIN employees e ON e.id = v.author_id"
)


def current_vision(db: Database, today: date | None = None) -> VisionVersion | None:
    """The vision in force: the latest version whose effective date has come."""
    row = db.query_one(
        _VISION_SQL + " WHERE v.effective_date <= ? ORDER BY v.effective_date DESC, v.id DESC LIMIT 1",
        [today or date.today()],
    )
    return VisionVersion(**row) if row else None


def vision_history(db: Database) -> list[VisionVersion]:
    """Every version ever written, newest first."""
    return [VisionVersion(**row) for row in db.query(_VISION_SQL + " ORDER BY v.effective_date DESC, v.id DESC")]


def revise_vision(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """Leadership writes a new version of the vision (``at``, default now); earlier versions are kept."""
    require(actor, Permission.STRATEGY_MANAGE)
    record = validate(VisionInput, data)

    def revise(connection: duckdb.DuckDBPyConnection):
        version_id = insert_with_new_id(
            connection,
            "vision_versions",
            "INSERT INTO vision_versions (id, statement, effective_date, author_id, created_at) VALUES (?, ?, ?, ?, ?)",
            [record.statement, record.effective_date, actor.employee_id, at or utc_now()],
        )
        audit.record(connection, actor, "vision", version_id, "revise", after=record.model_dump(), at=at)
        return version_id

    return db.write(revise)


# -- strategic priorities ------------------------------------------------------------
class PriorityInput(InputRecord):
    title: str = Field(title=N_("Title"), min_length=3, max_length=120)
    description: str = Field(default="", title=N_("Description"), max_length=1000)
    position: int = Field(default=1, title=N_("Position"), ge=1, le=99)


class Priority(BaseModel):
    id: int
    title: str
    description: str
    position: int
    goals: int


def list_priorities(db: Database) -> list[Priority]:
    """The active pillars in their order, with how many goals hang under each."""
    rows = db.query(
        "SELECT p.id, p.title, p.description, p.position,"
        " (SELECT count(*) FROM goals g WHERE g.priority_id = p.id AND g.active) AS goals"
        " FROM strategic_priorities p WHERE p.active ORDER BY p.position, p.title"
    )
    return [Priority(**row) for row in rows]


def _title_clash(connection: duckdb.DuckDBPyConnection, title: str, priority_id: int | None) -> None:
    if connection.execute(
        "SELECT 1 FROM strategic_priorities WHERE lower(title) = lower(?) AND id IS DISTINCT FROM ?",
        [title, priority_id],
    ).fetchone():
        raise InputError.single(_("Title"), _("a priority called '{title}' exists already", title=title))


def create_priority(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """A new strategic priority (``at``, default now)."""
    require(actor, Permission.STRATEGY_MANAGE)
    record = validate(PriorityInput, data)

    def create(connection: duckdb.DuckDBPyConnection):
        _title_clash(connection, record.title, None)
        now = at or utc_now()
        priority_id = insert_with_new_id(
            connection,
            "strategic_priorities",
            "INSERT INTO strategic_priorities (id, title, description, position, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [record.title, record.description, record.position, now, now],
        )
        audit.record(connection, actor, "priority", priority_id, "create", after=record.model_dump(), at=now)
        return priority_id

    return db.write(create)


def update_priority(
    db: Database, actor: CurrentUser, priority_id: int, data: dict[str, Any], *, at: datetime | None = None
) -> None:
    require(actor, Permission.STRATEGY_MANAGE)
    record = validate(PriorityInput, data)

    def update(connection: duckdb.DuckDBPyConnection):
        before = audit.row_as_dict(connection, "strategic_priorities", "id", priority_id)
        if before is None:
            raise InputError.single(_("Priority"), _("no such priority"))
        _title_clash(connection, record.title, priority_id)
        connection.execute(
            "UPDATE strategic_priorities SET title = ?, description = ?, position = ?, updated_at = ? WHERE id = ?",
            [record.title, record.description, record.position, at or utc_now(), priority_id],
        )
        after = audit.row_as_dict(connection, "strategic_priorities", "id", priority_id)
        audit.record(connection, actor, "priority", priority_id, "update", before, after)

    db.write(update)
