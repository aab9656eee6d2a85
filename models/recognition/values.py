"""The company values HR keeps: with the competencies of the framework, what a kudos may be
tagged with (rule 1 of ``models.recognition``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import duckdb
from pydantic import BaseModel, Field

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import ConnectionReader, insert_row, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _
from models.inputs import InputRecord

if TYPE_CHECKING:
    from models.db import Database, Reader

NAME_MAX = 60
DESCRIPTION_MAX = 300


class ValueInput(InputRecord):
    name: str = Field(title=N_("Value"), min_length=2, max_length=NAME_MAX)
    description: str = Field(default="", title=N_("What it means"), max_length=DESCRIPTION_MAX)


class CompanyValue(BaseModel):
    id: int
    name: str
    description: str
    active: bool


def company_values(db: Reader, *, include_retired: bool = False) -> list[CompanyValue]:
    """The company values, by name; retired ones only when asked (HR's list)."""
    where = "" if include_retired else " WHERE active"
    rows = db.query(f"SELECT id, name, description, active FROM company_values{where} ORDER BY name")
    return [CompanyValue(**row) for row in rows]


def add_value(db: Database, actor: CurrentUser, name: str, description: str = "", *, at: datetime | None = None) -> int:
    """HR adds a company value kudos may be tagged with; names are unique, whatever their case."""
    require(actor, Permission.RECOGNITION_MANAGE)
    record = validate(ValueInput, {"name": name, "description": description})

    def store(connection: duckdb.DuckDBPyConnection) -> int:
        if ConnectionReader(connection).scalar(
            "SELECT count(*) FROM company_values WHERE lower(name) = lower(?)", [record.name]
        ):
            raise InputError.single(_("Value"), _("“{name}” is on the list already", name=record.name))
        value_id = insert_row(
            connection, "company_values", {**record.model_dump(), "active": True, "created_at": at or utc_now()}
        )
        audit.record(connection, actor, "company_value", value_id, "create", None, record.model_dump(), at=at)
        return value_id

    return db.write(store)


def set_value_active(
    db: Database, actor: CurrentUser, value_id: int, active: bool, *, at: datetime | None = None
) -> None:
    """HR retires a value (kudos tagged with it keep their tag) or brings it back."""
    require(actor, Permission.RECOGNITION_MANAGE)

    def store(connection: duckdb.DuckDBPyConnection) -> None:
        row = ConnectionReader(connection).query_one("SELECT name, active FROM company_values WHERE id = ?", [value_id])
        if row is None:
            raise InputError.single(_("Value"), _("no such value"))
        connection.execute("UPDATE company_values SET active = ? WHERE id = ?", [active, value_id])
        audit.record(connection, actor, "company_value", value_id, "retire" if not active else "restore",
                     row, {"name": row["name"], "active": active}, at=at)  # fmt: skip

    db.write(store)
