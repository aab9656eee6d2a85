"""Required levels: per competency and role, optionally per team. A team's own requirement
for a role wins over the role's general one; a person holding several roles is held to the
highest of them, and everyone holds the agent role."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import duckdb
from pydantic import BaseModel

from models import audit
from models.access import CurrentUser, Permission, Role, require
from models.competencies.levels import Level, level_name
from models.db import ConnectionReader, Reader, insert_row, utc_now
from models.errors import InputError
from models.i18n import _

if TYPE_CHECKING:
    from models.db import Database

# The portal's default requirements, saved with the framework when a database is first opened.
# Agents: proficient in the four behaviours customers notice on every call (listening, empathy,
# clear and positive language) and in patience; developing in the rest. Team leads coach, so
# they are held to expert in what coaching rests on (listening, clear communication, emotional
# intelligence and ownership) and proficient in everything else.
DEFAULT_REQUIREMENTS: dict[Role, dict[str, int]] = {
    Role.AGENT: {
        "ACTIVE_LISTENING": 3,
        "EMPATHY": 3,
        "CLEAR_COMMUNICATION": 3,
        "POSITIVE_LANGUAGE": 3,
        "PATIENCE": 3,
        "ATTENTIVENESS": 2,
        "PROBLEM_SOLVING": 2,
        "POSITIVE_ATTITUDE": 2,
        "ADAPTABILITY": 2,
        "TIME_MANAGEMENT": 2,
        "EMOTIONAL_INTELLIGENCE": 2,
        "OWNERSHIP": 2,
    },
    Role.TEAM_LEAD: {
        "ACTIVE_LISTENING": 4,
        "CLEAR_COMMUNICATION": 4,
        "EMOTIONAL_INTELLIGENCE": 4,
        "OWNERSHIP": 4,
        "EMPATHY": 3,
        "POSITIVE_LANGUAGE": 3,
        "PATIENCE": 3,
        "ATTENTIVENESS": 3,
        "PROBLEM_SOLVING": 3,
        "POSITIVE_ATTITUDE": 3,
        "ADAPTABILITY": 3,
        "TIME_MANAGEMENT": 3,
    },
}


class Requirement(BaseModel):
    id: int
    competency_id: int
    competency_name: str
    role: str
    team_id: int | None
    team_name: str | None
    level: int
    level_name: str
    set_by_name: str | None
    set_at: datetime


def install_default_requirements(connection: duckdb.DuckDBPyConnection, *, at: datetime) -> int:
    """The default requirements of each competency that has no requirement at all yet."""
    open_codes = dict(
        connection.execute(
            "SELECT code, id FROM competencies c WHERE NOT EXISTS"
            " (SELECT 1 FROM competency_requirements r WHERE r.competency_id = c.id)"
        ).fetchall()
    )
    saved = 0
    for role, levels in DEFAULT_REQUIREMENTS.items():
        for code, level in levels.items():
            if code in open_codes:
                values = {"competency_id": open_codes[code], "role": role.value, "team_id": None, "level": level}
                row_id = insert_row(connection, "competency_requirements", {**values, "set_at": at})
                audit.record(connection, None, "competency_requirement", row_id, "create", after=values, at=at)
                saved += 1
    return saved


def ensure_default_requirements(db: Database, *, at: datetime | None = None) -> int:
    """Save the default requirements of competencies that have none (nothing the second time)."""
    return db.write(lambda connection: install_default_requirements(connection, at=at or utc_now()))


_CURRENT_SQL = """
    SELECT r.id, r.competency_id, c.name AS competency_name, r.role, r.team_id, t.name AS team_name,
           r.level, r.set_at, e.full_name AS set_by_name
    FROM competency_requirements r
    JOIN competencies c ON c.id = r.competency_id
    LEFT JOIN teams t ON t.id = r.team_id
    LEFT JOIN employees e ON e.id = r.set_by
    QUALIFY row_number() OVER (PARTITION BY r.competency_id, r.role, r.team_id ORDER BY r.set_at DESC, r.id DESC) = 1
"""


def requirements(db: Reader) -> list[Requirement]:
    """The requirements in force (the latest set per competency, role and team), level 0
    meaning a team's own "Nothing required"."""
    rows = db.query(f"SELECT * FROM ({_CURRENT_SQL}) ORDER BY competency_name, role, team_name NULLS FIRST")
    return [
        Requirement(**row, level_name=level_name(row["level"]) if row["level"] else _("Nothing required"))
        for row in rows
    ]


def set_requirement(
    db: Database,
    actor: CurrentUser,
    competency_id: int,
    role: Role | str,
    level: int,
    *,
    team_id: int | None = None,
    at: datetime | None = None,
) -> int:
    """HR sets the level a role requires in a competency — for every team, or for one team
    (which then wins over the general one). Level 0 for a team: that team requires nothing."""
    require(actor, Permission.COMPETENCIES_MANAGE)
    try:
        role = Role(role)
    except ValueError:
        raise InputError.single(_("Role"), _("choose one of the portal's roles")) from None
    allowed = {int(item) for item in Level} | ({0} if team_id is not None else set())
    if level not in allowed:
        raise InputError.single(_("Required level"), _("choose novice, developing, proficient or expert"))

    def save(connection: duckdb.DuckDBPyConnection) -> int:
        now = at or utc_now()
        reader = ConnectionReader(connection)
        if not reader.scalar("SELECT count(*) FROM competencies WHERE id = ?", [competency_id]):
            raise InputError.single(_("Competency"), _("no such competency"))
        if team_id is not None and not reader.scalar("SELECT count(*) FROM teams WHERE id = ?", [team_id]):
            raise InputError.single(_("Team"), _("no such team"))
        values = {"competency_id": competency_id, "role": role.value, "team_id": team_id, "level": level}
        row_id = insert_row(
            connection, "competency_requirements", {**values, "set_by": actor.employee_id, "set_at": now}
        )
        audit.record(connection, actor, "competency_requirement", row_id, "set", after=values, at=now)
        return row_id

    return db.write(save)


REQUIRED_LEVELS_SQL = f"""
    WITH current AS ({_CURRENT_SQL}),
    person_roles AS (
        SELECT e.id AS employee_id, e.team_id, 'agent' AS role FROM employees e
        UNION SELECT r.employee_id, e.team_id, r.role FROM employee_roles r JOIN employees e ON e.id = r.employee_id
    ),
    by_role AS (
        SELECT p.employee_id, c.id AS competency_id, coalesce(own.level, general.level) AS level
        FROM person_roles p CROSS JOIN competencies c
        LEFT JOIN current own ON own.competency_id = c.id AND own.role = p.role AND own.team_id = p.team_id
        LEFT JOIN current general
               ON general.competency_id = c.id AND general.role = p.role AND general.team_id IS NULL
    )
    SELECT employee_id, competency_id, max(level) AS required_level FROM by_role
    WHERE level > 0 GROUP BY employee_id, competency_id
"""
"""Per person and competency, the required level (rule 3); rows only where something is required."""


def required_level(db: Reader, employee_id: int, competency_id: int) -> int | None:
    """The level a person is required to reach in a competency (None: nothing required)."""
    return db.scalar(
        f"SELECT required_level FROM ({REQUIRED_LEVELS_SQL}) WHERE employee_id = ? AND competency_id = ?",  # noqa: S608
        [employee_id, competency_id],
    )
