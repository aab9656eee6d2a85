"""People: sites, teams, employees, their roles and accounts."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import BaseModel, Field, field_validator

from models import areas, audit
from models.access import ROLE_WORDS, CurrentUser, Permission, Role, require
from models.db import insert_with_new_id, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _
from models.inputs import InputRecord, entered_text
from models.paging import PICKER_SIZE, like_pattern, matches_any, rows_with_total

if TYPE_CHECKING:
    from collections.abc import Sequence

    from models.db import Database, Reader


# An address as mail systems and spreadsheets take it safely: the name starts with a letter,
# digit or underscore (never a formula's '=', '+', '-' or '@') and has no leading, trailing or
# doubled dot; the domain is dot-separated labels of letters, digits and inner hyphens, ending
# in a top-level domain of two characters or more.
EMAIL_PATTERN = re.compile(
    r"[A-Za-z0-9_][A-Za-z0-9_%+'-]*(?:\.[A-Za-z0-9_%+'-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]"
)
EMAIL_LOCAL_MAX_LENGTH = 64
EARLIEST_HIRE_DATE = date(1900, 1, 1)
EMPLOYEE_NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")


class EmployeeInput(InputRecord):
    """What HR enters for a person; every field is checked before anything is stored."""

    employee_number: str = Field(title=N_("Employee number"), min_length=1, max_length=20)
    full_name: str = Field(title=N_("Name"), min_length=1, max_length=120)
    email: str = Field(title=N_("Email"), min_length=3, max_length=254)
    team_id: int | None = Field(default=None, title=N_("Team"))
    site_id: int | None = Field(default=None, title=N_("Site"))
    manager_id: int | None = Field(default=None, title=N_("Manager"))
    hire_date: date | None = Field(default=None, title=N_("Hire date"))

    @field_validator("employee_number")
    @classmethod
    def _number_shape(cls, value: str) -> str:
        if not EMPLOYEE_NUMBER_PATTERN.match(value):
            raise ValueError(_("use letters, digits, '-' or '_' (at most 20), starting with a letter or digit"))
        return value

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str) -> str:
        if not EMAIL_PATTERN.fullmatch(value) or len(value.split("@")[0]) > EMAIL_LOCAL_MAX_LENGTH:
            raise ValueError(_("is not an email address (name@example.com)"))
        return value.lower()

    @field_validator("hire_date")
    @classmethod
    def _hire_date_in_range(cls, value: date | None) -> date | None:
        if value and value > date.today():
            raise ValueError(_("cannot be in the future"))
        if value and value < EARLIEST_HIRE_DATE:
            raise ValueError(_("cannot be before {day}", day=f"{EARLIEST_HIRE_DATE:%Y-%m-%d}"))
        return value


class Employee(BaseModel):
    id: int
    employee_number: str
    full_name: str
    email: str
    team_id: int | None
    team_name: str | None
    site_id: int | None
    site_name: str | None
    manager_id: int | None
    manager_name: str | None
    hire_date: date | None
    active: bool
    version: int
    roles: list[str]
    username: str | None


# -- organisation --------------------------------------------------------------------
def list_sites(db: Database) -> list[dict[str, Any]]:
    return db.query(
        "SELECT s.id, s.name, s.city,"
        " (SELECT count(*) FROM employees e WHERE e.site_id = s.id AND e.active) AS members"
        " FROM sites s ORDER BY s.name"
    )


def list_teams(db: Database) -> list[dict[str, Any]]:
    return db.query(
        "SELECT t.id, t.name, t.site_id, s.name AS site_name,"
        " (SELECT count(*) FROM employees e WHERE e.team_id = t.id AND e.active) AS members"
        " FROM teams t LEFT JOIN sites s ON s.id = t.site_id ORDER BY t.name"
    )


def create_site(db: Database, actor: CurrentUser, name: str, city: str | None = None) -> int:
    require(actor, Permission.PEOPLE_MANAGE)
    name, city = entered_text(name), entered_text(city) or None
    if not name or len(name) > 80:
        raise InputError.single(_("Site name"), _("enter 1 to 80 characters"))

    def create(connection: duckdb.DuckDBPyConnection):
        if connection.execute("SELECT 1 FROM sites WHERE lower(name) = lower(?)", [name]).fetchone():
            raise InputError.single(_("Site name"), _("a site called {name} exists already", name=repr(name)))
        site_id = insert_with_new_id(
            connection, "sites", "INSERT INTO sites (id, name, city) VALUES (?, ?, ?)", [name, city]
        )
        audit.record(connection, actor, "site", site_id, "create", after={"name": name, "city": city})
        return site_id

    return db.write(create)


def create_team(db: Database, actor: CurrentUser, name: str, site_id: int | None) -> int:
    require(actor, Permission.PEOPLE_MANAGE)
    name = entered_text(name)
    if not name or len(name) > 80:
        raise InputError.single(_("Team name"), _("enter 1 to 80 characters"))

    def create(connection: duckdb.DuckDBPyConnection):
        if connection.execute("SELECT 1 FROM teams WHERE lower(name) = lower(?)", [name]).fetchone():
            raise InputError.single(_("Team name"), _("a team called {name} exists already", name=repr(name)))
        if site_id is not None and not connection.execute("SELECT 1 FROM sites WHERE id = ?", [site_id]).fetchone():
            raise InputError.single(_("Site"), _("no such site"))
        team_id = insert_with_new_id(
            connection, "teams", "INSERT INTO teams (id, name, site_id) VALUES (?, ?, ?)", [name, site_id]
        )
        audit.record(connection, actor, "team", team_id, "create", after={"name": name, "site_id": site_id})
        return team_id

    return db.write(create)


# -- employees -----------------------------------------------------------------------
_EMPLOYEE_SQL = """
    SELECT e.id, e.employee_number, e.full_name, e.email, e.team_id, t.name AS team_name,
           e.site_id, s.name AS site_name, e.manager_id, m.full_name AS manager_name,
           e.hire_date, e.active, e.version, a.username,
           coalesce((SELECT list(r.role ORDER BY r.role) FROM employee_roles r WHERE r.employee_id = e.id),
                    []) AS roles
    FROM employees e
    LEFT JOIN teams t ON t.id = e.team_id
    LEFT JOIN sites s ON s.id = e.site_id
    LEFT JOIN employees m ON m.id = e.manager_id
    LEFT JOIN accounts a ON a.employee_id = e.id
"""


def get_employee(db: Database, employee_id: int) -> Employee | None:
    row = db.query_one(_EMPLOYEE_SQL + " WHERE e.id = ?", [employee_id])
    return Employee(**row) if row else None


def _directory_where(search: str, team_id: int | None, include_inactive: bool) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if not include_inactive:
        clauses.append("e.active")
    if team_id is not None:
        clauses.append("e.team_id = ?")
        params.append(team_id)
    pattern = like_pattern(search)
    if pattern:
        clauses.append(matches_any(["e.full_name", "e.email", "e.employee_number"]))
        params.extend([pattern] * 3)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def directory(
    db: Database,
    actor: CurrentUser,
    *,
    search: str = "",
    team_id: int | None = None,
    include_inactive: bool = False,
    offset: int = 0,
    limit: int = 1000,
) -> list[Employee]:
    """A page of the people directory by name (HR, leadership and admin), matching ``search`` in
    name, email or employee number; ``directory_count`` gives the total."""
    require(actor, Permission.PEOPLE_READ)
    where, params = _directory_where(search, team_id, include_inactive)
    rows = db.query(
        _EMPLOYEE_SQL + where + " ORDER BY e.full_name, e.employee_number LIMIT ? OFFSET ?", [*params, limit, offset]
    )
    return [Employee(**row) for row in rows]


def directory_count(
    db: Database, actor: CurrentUser, *, search: str = "", team_id: int | None = None, include_inactive: bool = False
) -> int:
    """How many people ``directory`` pages through for the same search."""
    require(actor, Permission.PEOPLE_READ)
    where, params = _directory_where(search, team_id, include_inactive)
    return db.scalar("SELECT count(*) FROM employees e" + where, params)


def person_choices(db: Database, actor: CurrentUser, *, include_inactive: bool = False) -> list[dict[str, Any]]:
    """Id, name, number and status of people, for pickers such as the manager or the person to edit."""
    require(actor, Permission.PEOPLE_READ)
    where = "" if include_inactive else " WHERE active"
    return db.query(
        "SELECT id, employee_number, full_name, active FROM employees" + where + " ORDER BY full_name, employee_number"
    )


def find_people(
    db: Database, actor: CurrentUser, search: str = "", *, include_inactive: bool = False, limit: int = PICKER_SIZE
) -> tuple[list[dict[str, Any]], int]:
    """For a searchable picker: the first ``limit`` people (id, name, number, status) by name
    matching ``search`` in name, email or employee number, and how many match."""
    require(actor, Permission.PEOPLE_READ)
    where, params = _directory_where(search, None, include_inactive)
    return rows_with_total(
        db,
        "SELECT e.id, e.employee_number, e.full_name, e.active FROM employees e" + where,
        params,
        order_by="full_name, employee_number",
        limit=limit,
    )


def people_matching(
    db: Reader,
    search: str = "",
    *,
    among: str = "e.active",
    params: Sequence[Any] = (),
    limit: int = PICKER_SIZE,
    keep: Sequence[int | None] = (),
) -> tuple[list[dict[str, Any]], int]:
    """For a picker over people: the first ``limit`` by name (id, full_name, employee_number,
    team_id, team_name) of those ``among`` (a condition on ``employees e``, fixed text of the
    caller, who checks who may pick whom) matching ``search`` in name, email or employee number,
    and how many match. Those of ``keep`` (already chosen) who are ``among`` come first whatever
    the search, so a choice made stays on offer while another search is typed."""
    condition, values = among, list(params)
    kept = [person for person in keep if person is not None]
    pattern = like_pattern(search)
    if pattern:
        condition += " AND (" + matches_any(["e.full_name", "e.email", "e.employee_number"])
        values += [pattern] * 3
        if kept:
            condition += " OR list_contains(?::BIGINT[], e.id)"
            values.append(kept)
        condition += ")"
    return rows_with_total(
        db,
        "SELECT e.id, e.full_name, e.employee_number, e.team_id, t.name AS team_name"
        f" FROM employees e LEFT JOIN teams t ON t.id = e.team_id WHERE {condition}",  # noqa: S608 - caller's text
        values,
        order_by="list_contains(?::BIGINT[], id) DESC, full_name, employee_number, id",
        order_params=[kept],
        limit=limit,
    )


def find_active_people(
    db: Database, actor: CurrentUser, search: str = "", *, keep: Sequence[int | None] = ()
) -> tuple[list[dict[str, Any]], int]:
    """``person_choices`` searched: for a picker of any active person (a standard's owner, a
    trainer, the person of a training record), the first matches and how many match."""
    require(actor, Permission.PEOPLE_READ)
    return people_matching(db, search, keep=keep)


def _check_references(connection: duckdb.DuckDBPyConnection, record: EmployeeInput, employee_id: int | None) -> None:
    problems = []
    clash = connection.execute(
        "SELECT employee_number FROM employees WHERE lower(email) = ? AND id IS DISTINCT FROM ?",
        [record.email, employee_id],
    ).fetchone()
    if clash:
        problems.append(
            (_("Email"), _("{email} is already used by employee {number}", email=record.email, number=clash[0]))
        )
    clash = connection.execute(
        "SELECT full_name FROM employees WHERE employee_number = ? AND id IS DISTINCT FROM ?",
        [record.employee_number, employee_id],
    ).fetchone()
    if clash:
        problems.append(
            (
                _("Employee number"),
                _("{number} already belongs to {name}", number=record.employee_number, name=clash[0]),
            )
        )
    if (
        record.team_id is not None
        and not connection.execute("SELECT 1 FROM teams WHERE id = ?", [record.team_id]).fetchone()
    ):
        problems.append((_("Team"), _("no such team")))
    if (
        record.site_id is not None
        and not connection.execute("SELECT 1 FROM sites WHERE id = ?", [record.site_id]).fetchone()
    ):
        problems.append((_("Site"), _("no such site")))
    if record.manager_id is not None:
        if record.manager_id == employee_id:
            problems.append((_("Manager"), _("a person cannot manage themselves")))
        elif not connection.execute("SELECT 1 FROM employees WHERE id = ? AND active", [record.manager_id]).fetchone():
            problems.append((_("Manager"), _("no such active employee")))
    if problems:
        raise InputError(problems)


def insert_employee(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    record: EmployeeInput,
    roles: set[Role] | frozenset[Role] = frozenset(),
) -> int:
    """Insert a validated employee inside an open write (used by imports and the demo)."""
    now = utc_now()
    employee_id = insert_with_new_id(
        connection,
        "employees",
        "INSERT INTO employees (id, employee_number, full_name, email, team_id, site_id, "
        "manager_id, hire_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            record.employee_number,
            record.full_name,
            record.email,
            record.team_id,
            record.site_id,
            record.manager_id,
            record.hire_date,
            now,
            now,
        ],
    )
    for role in sorted(set(roles) - {Role.AGENT}):
        connection.execute("INSERT INTO employee_roles VALUES (?, ?, ?)", [employee_id, role.value, now])
    audit.record(
        connection,
        actor,
        "employee",
        employee_id,
        "create",
        after={**record.model_dump(), "roles": sorted(r.value for r in roles)},
    )
    return employee_id


def create_employee(
    db: Database, actor: CurrentUser, data: dict[str, Any], roles: set[Role] | frozenset[Role] = frozenset()
) -> int:
    """Add a person; roles beyond agent need the role-assigning permission."""
    require(actor, Permission.PEOPLE_MANAGE)
    if set(roles) - {Role.AGENT}:
        require(actor, Permission.ROLES_ASSIGN)
    record = validate(EmployeeInput, data)

    def create(connection: duckdb.DuckDBPyConnection):
        _check_references(connection, record, None)
        employee_id = insert_employee(connection, actor, record, roles)
        areas.people_changed(connection, [employee_id], reason="joined", at=utc_now())
        return employee_id

    return db.write(create)


def roles_beyond(actor: CurrentUser, roles: Sequence[Role | str]) -> list[Role]:
    """The roles among ``roles`` that ``actor`` may not stand in for: none for someone who
    manages accounts, otherwise those beyond agent the actor does not hold."""
    if actor.can(Permission.USERS_MANAGE):
        return []
    return sorted({Role(role) for role in roles} - {Role.AGENT} - actor.roles)


def _role_words(roles: Sequence[Role]) -> str:
    return ", ".join(_(ROLE_WORDS[role]) for role in roles)


def email_guarded(name: str, roles: Sequence[Role]) -> str:
    """Why the email of a person holding ``roles`` (``roles_beyond``) is not the actor's to change."""
    return _(
        "{name} holds a role you do not hold ({roles}), and their email signs them in: only an administrator"
        " may change it",
        name=name,
        roles=_role_words(roles),
    )


def _roles_of(connection: duckdb.DuckDBPyConnection, employee_id: int) -> list[str]:
    rows = connection.execute("SELECT role FROM employee_roles WHERE employee_id = ?", [employee_id]).fetchall()
    return [row[0] for row in rows]


def update_employee(
    db: Database, actor: CurrentUser, employee_id: int, data: dict[str, Any], expected_version: int
) -> None:
    """Change a person's details; refused when someone saved them since they were opened. The
    email of someone holding a role the actor does not hold is left to administrators: it signs
    them in (single sign-on), so changing it could hand their account to someone else."""
    require(actor, Permission.PEOPLE_MANAGE)
    record = validate(EmployeeInput, data)

    def update(connection: duckdb.DuckDBPyConnection):
        before = audit.row_as_dict(connection, "employees", "id", employee_id)
        if before is None:
            raise InputError.single(_("Employee"), _("no such employee"))
        audit.check_not_stale(connection, "employee", before, expected_version, "record")
        if record.email != before["email"].lower() and (
            beyond := roles_beyond(actor, _roles_of(connection, employee_id))
        ):
            raise InputError.single(_("Email"), email_guarded(before["full_name"], beyond))
        _check_references(connection, record, employee_id)
        connection.execute(
            "UPDATE employees SET employee_number = ?, full_name = ?, email = ?, team_id = ?, site_id = ?,"
            " manager_id = ?, hire_date = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [
                record.employee_number,
                record.full_name,
                record.email,
                record.team_id,
                record.site_id,
                record.manager_id,
                record.hire_date,
                utc_now(),
                employee_id,
            ],
        )
        after = audit.row_as_dict(connection, "employees", "id", employee_id)
        audit.record(connection, actor, "employee", employee_id, "update", before, after)
        if after["team_id"] is not None and after["team_id"] != before["team_id"]:
            areas.people_changed(connection, [employee_id], reason="team_changed", at=utc_now())

    db.write(update)


def set_active(db: Database, actor: CurrentUser, employee_id: int, active: bool) -> None:
    """Deactivate (or reactivate) a person; their history stays, they can no longer sign in.
    Someone holding a role the actor does not hold is deactivated or reactivated by administrators only."""
    require(actor, Permission.PEOPLE_MANAGE)
    if not active and employee_id == actor.employee_id:
        raise InputError.single(_("Active"), _("you cannot deactivate yourself"))

    def change(connection: duckdb.DuckDBPyConnection):
        before = audit.row_as_dict(connection, "employees", "id", employee_id)
        if before is None:
            raise InputError.single(_("Employee"), _("no such employee"))
        if before["active"] != active and (beyond := roles_beyond(actor, _roles_of(connection, employee_id))):
            raise InputError.single(
                _("Active"),
                _(
                    "{name} holds a role you do not hold ({roles}): only an administrator may deactivate or"
                    " reactivate them",
                    name=before["full_name"],
                    roles=_role_words(beyond),
                ),
            )
        connection.execute(
            "UPDATE employees SET active = ?, deactivated_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [active, None if active else utc_now(), utc_now(), employee_id],
        )
        if not active:
            connection.execute(
                "UPDATE sign_in_tokens SET used_at = ? WHERE used_at IS NULL AND account_id IN"
                " (SELECT id FROM accounts WHERE employee_id = ?)",
                [utc_now(), employee_id],
            )
        after = audit.row_as_dict(connection, "employees", "id", employee_id)
        audit.record(
            connection, actor, "employee", employee_id, "reactivate" if active else "deactivate", before, after
        )
        if active and not before["active"]:  # coming back is joining again (rule 3 of models.training)
            areas.people_changed(connection, [employee_id], reason="joined", at=utc_now())

    db.write(change)


def set_roles(db: Database, actor: CurrentUser, employee_id: int, roles: set[Role] | frozenset[Role]) -> None:
    """Replace the roles a person holds (agent is implicit for everyone)."""
    require(actor, Permission.ROLES_ASSIGN)
    wanted = sorted({Role(r) for r in roles} - {Role.AGENT})
    if employee_id == actor.employee_id and Role.ADMIN not in wanted:
        raise InputError.single(_("Roles"), _("you cannot remove your own administrator role"))

    def change(connection: duckdb.DuckDBPyConnection):
        if not connection.execute("SELECT 1 FROM employees WHERE id = ?", [employee_id]).fetchone():
            raise InputError.single(_("Employee"), _("no such employee"))
        before = [
            r[0]
            for r in connection.execute(
                "SELECT role FROM employee_roles WHERE employee_id = ? ORDER BY role", [employee_id]
            ).fetchall()
        ]
        connection.execute("DELETE FROM employee_roles WHERE employee_id = ?", [employee_id])
        for role in wanted:
            connection.execute("INSERT INTO employee_roles VALUES (?, ?, ?)", [employee_id, role.value, utc_now()])
        audit.record(
            connection,
            actor,
            "employee_roles",
            employee_id,
            "set",
            {"roles": before},
            {"roles": [r.value for r in wanted]},
        )
        if {role.value for role in wanted} - set(before):
            areas.people_changed(connection, [employee_id], reason="role_gained", at=utc_now())

    db.write(change)


def team_of(db: Database, team_id: int) -> list[dict[str, Any]]:
    return db.query(
        "SELECT id, employee_number, full_name FROM employees WHERE team_id = ? AND active ORDER BY full_name",
        [team_id],
    )


def organisation_summary(db: Database) -> dict[str, int]:
    """Head-counts for the home page."""
    row = db.query_one(
        "SELECT (SELECT count(*) FROM employees WHERE active) AS active_people,"
        " (SELECT count(*) FROM teams WHERE active) AS teams,"
        " (SELECT count(*) FROM sites) AS sites,"
        " (SELECT count(*) FROM accounts) AS accounts"
    )
    return row or {}
