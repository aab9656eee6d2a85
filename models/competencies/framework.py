"""The framework: four behaviour descriptors per competency, versioned. The default wording
ships in ``default_framework.json`` and is saved the first time a database is opened; HR
edits a descriptor by saving a new version, so every assessment keeps the words it was
made against."""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import duckdb
from pydantic import BaseModel, Field

from models import audit
from models.access import CurrentUser, Permission, require
from models.competencies.levels import Level
from models.db import ConnectionReader, Reader, insert_row, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _, current_language
from models.inputs import InputRecord

if TYPE_CHECKING:
    from models.db import Database

DEFAULT_FRAMEWORK = Path(__file__).resolve().with_name("default_framework.json")
# The default framework in the portal's other languages, keyed by the competency's stable code:
# {language: {code: {"name", "description", "levels": [level 1 … level 4]}}}.
DEFAULT_TRANSLATIONS = Path(__file__).resolve().with_name("default_framework_translations.json")
# Where the default competencies' English names and descriptions ship (with the course catalogue).
DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "training" / "default_catalogue.json"
DESCRIPTOR_MIN = 20
DESCRIPTOR_MAX = 1000


@cache
def default_framework() -> dict[str, tuple[str, ...]]:
    """The shipped wording: competency code → the descriptors of levels 1 to 4."""
    raw = json.loads(DEFAULT_FRAMEWORK.read_text(encoding="utf-8"))
    return {code: tuple(texts) for code, texts in raw.items()}


@cache
def default_translations() -> dict[str, dict[str, dict[str, Any]]]:
    return json.loads(DEFAULT_TRANSLATIONS.read_text(encoding="utf-8"))


@cache
def _shipped_competencies() -> dict[str, dict[str, str]]:
    raw = json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    return {item["code"]: item for item in raw["competencies"]}


def _translated(code: str, field: str) -> Any:
    return default_translations().get(current_language(), {}).get(code, {}).get(field)


def shown_name(competency: Competency) -> str:
    """A competency's name in the current language when it is the default framework's, as
    shipped; a competency HR created or renamed is shown as entered."""
    return shown_competency_name(competency.code, competency.name)


def shown_competency_name(code: str, name: str) -> str:
    """``shown_name`` of a competency read as its code and name (a row of a table)."""
    shipped = _shipped_competencies().get(code)
    if shipped is not None and name == shipped["name"]:
        return _translated(code, "name") or name
    return name


def shown_description(competency: Competency) -> str:
    """A competency's description in the current language when it is the shipped one."""
    shipped = _shipped_competencies().get(competency.code)
    if shipped is not None and competency.description == shipped["description"]:
        return _translated(competency.code, "description") or competency.description
    return competency.description


def shown_descriptor(code: str, descriptor: Descriptor) -> str:
    """A level's wording in the current language when it is the default framework's, as shipped;
    a rewording HR saved is shown as entered."""
    shipped = default_framework().get(code, ())
    level = descriptor.level - 1
    if 0 <= level < len(shipped) and descriptor.descriptor == shipped[level]:
        levels = _translated(code, "levels") or ()
        if level < len(levels):
            return levels[level]
    return descriptor.descriptor


class Competency(BaseModel):
    id: int
    code: str
    name: str
    description: str


class Descriptor(BaseModel):
    id: int
    competency_id: int
    level: int
    version: int
    descriptor: str
    created_by: int | None
    created_by_name: str | None = None
    created_at: datetime
    replaced_at: datetime | None


class DescriptorInput(InputRecord):
    descriptor: Annotated[str, Field(min_length=DESCRIPTOR_MIN, max_length=DESCRIPTOR_MAX, title=N_("Descriptor"))]


def competencies(db: Reader) -> list[Competency]:
    """The active competencies of the catalogue, by name."""
    rows = db.query("SELECT id, code, name, description FROM competencies WHERE active ORDER BY name")
    return [Competency(**row) for row in rows]


_DESCRIPTOR_SQL = (
    "SELECT d.*, e.full_name AS created_by_name FROM competency_descriptors d"
    " LEFT JOIN employees e ON e.id = d.created_by"
)


def current_descriptors(db: Reader, competency_id: int | None = None) -> list[Descriptor]:
    """The descriptors in force now, by competency and level (everyone reads the framework)."""
    where, params = " WHERE d.replaced_at IS NULL", []
    if competency_id is not None:
        where += " AND d.competency_id = ?"
        params.append(competency_id)
    rows = db.query(_DESCRIPTOR_SQL + where + " ORDER BY d.competency_id, d.level", params)
    return [Descriptor(**row) for row in rows]


def descriptor_history(db: Reader, competency_id: int) -> list[Descriptor]:
    """Every saved wording of a competency's levels, newest version first within each level."""
    rows = db.query(_DESCRIPTOR_SQL + " WHERE d.competency_id = ? ORDER BY d.level, d.version DESC", [competency_id])
    return [Descriptor(**row) for row in rows]


def get_descriptor(db: Reader, descriptor_id: int) -> Descriptor | None:
    row = db.query_one(_DESCRIPTOR_SQL + " WHERE d.id = ?", [descriptor_id])
    return Descriptor(**row) if row else None


def introduction_date(db: Reader) -> date | None:
    """The day the framework was introduced: when its first descriptors were saved."""
    first = db.scalar("SELECT min(created_at) FROM competency_descriptors")
    return first.date() if first is not None else None


def descriptor_in_force(db: Reader, competency_id: int, level: int, at: datetime) -> int | None:
    """The id of the descriptor of a level that was current at ``at`` (None before the framework)."""
    return db.scalar(
        "SELECT id FROM competency_descriptors WHERE competency_id = ? AND level = ? AND created_at <= ?"
        " AND (replaced_at IS NULL OR replaced_at > ?) ORDER BY version DESC LIMIT 1",
        [competency_id, level, at, at],
    )


def install_default_framework(connection: duckdb.DuckDBPyConnection, *, at: datetime) -> int:
    """Save the shipped descriptors of every catalogue competency that has none yet."""
    wording = default_framework()
    missing = ConnectionReader(connection).query(
        "SELECT c.id, c.code FROM competencies c WHERE NOT EXISTS"
        " (SELECT 1 FROM competency_descriptors d WHERE d.competency_id = c.id) ORDER BY c.id"
    )
    saved = 0
    for competency in missing:
        for level, text in zip(Level, wording.get(competency["code"], ()), strict=False):
            values = {"competency_id": competency["id"], "level": int(level), "version": 1, "descriptor": text}
            descriptor_id = insert_row(connection, "competency_descriptors", {**values, "created_at": at})
            audit.record(connection, None, "competency_descriptor", descriptor_id, "create", after=values, at=at)
            saved += 1
    return saved


def ensure_default_framework(db: Database, *, at: datetime | None = None) -> int:
    """Save the default descriptors of the catalogue's competencies that have none (run each
    time the database is opened, after the catalogue exists; saves nothing the second time).
    Returns how many descriptors were saved."""
    return db.write(lambda connection: install_default_framework(connection, at=at or utc_now()))


def introduce_framework(db: Database, at: datetime) -> None:
    """The default framework as introduced at ``at``: saved then when missing; when it was
    saved later but nothing was yet assessed or reworded, its introduction moves back to
    ``at`` (an organisation that used the framework before the portal, or the demo)."""

    def introduce(connection: duckdb.DuckDBPyConnection) -> None:
        install_default_framework(connection, at=at)
        reader = ConnectionReader(connection)
        untouched = not reader.scalar("SELECT count(*) FROM assessments") and not reader.scalar(
            "SELECT count(*) FROM competency_descriptors WHERE version > 1"
        )
        first = introduction_date(reader)
        if untouched and first is not None and first > at.date():
            connection.execute("UPDATE competency_descriptors SET created_at = ?", [at])
            audit.record(connection, None, "competency_framework", None, "introduced", after={"at": at}, at=at)

    db.write(introduce)


def edit_descriptor(
    db: Database,
    actor: CurrentUser,
    competency_id: int,
    level: int,
    descriptor: str,
    expected_version: int | None,
    *,
    at: datetime | None = None,
) -> int:
    """HR rewords one level: a new version becomes current and the old one is dated
    ``replaced_at``. A save on a version someone else replaced since is refused as stale."""
    require(actor, Permission.COMPETENCIES_MANAGE)
    record = validate(DescriptorInput, {"descriptor": descriptor})
    if level not in {int(item) for item in Level}:
        raise InputError.single(_("Level"), _("choose novice, developing, proficient or expert"))

    def save(connection: duckdb.DuckDBPyConnection) -> int:
        now = at or utc_now()
        current = ConnectionReader(connection).query_one(
            "SELECT * FROM competency_descriptors WHERE competency_id = ? AND level = ? AND replaced_at IS NULL",
            [competency_id, level],
        )
        if current is None:
            raise InputError.single(_("Competency"), _("no such competency level in the framework"))
        audit.check_not_stale(connection, "competency_descriptor", current, expected_version, "descriptor")
        if current["descriptor"] == record.descriptor:
            raise InputError.single(_("Descriptor"), _("this is the wording already in force"))
        connection.execute("UPDATE competency_descriptors SET replaced_at = ? WHERE id = ?", [now, current["id"]])
        values: dict[str, Any] = {
            "competency_id": competency_id,
            "level": level,
            "version": current["version"] + 1,
            "descriptor": record.descriptor,
            "created_by": actor.employee_id,
        }
        new_id = insert_row(connection, "competency_descriptors", {**values, "created_at": now})
        audit.record(
            connection,
            actor,
            "competency_descriptor",
            new_id,
            "new_version",
            before={"id": current["id"], "version": current["version"], "descriptor": current["descriptor"]},
            after=values,
            at=now,
        )
        return new_id

    return db.write(save)
