"""The checks of an HR CSV import, row by row and across rows (managers, duplicates, loops)."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import BaseModel, ValidationError

from models.access import CurrentUser, Permission, Role
from models.errors import plain_message
from models.i18n import _
from models.people.directory import EmployeeInput, email_guarded, roles_beyond
from models.people.hr_csv import _DATE_PATTERN, _ROLE_SEPARATORS, ORG_NAME_MAX_LENGTH, ImportProblem

if TYPE_CHECKING:
    pass


class _PlannedRow(BaseModel):
    """One valid row: what the person will look like after the import."""

    row: int
    employee_number: str
    full_name: str
    email: str
    team: str | None
    site: str | None
    manager_number: str | None
    hire_date: date | None
    manager_given: bool  # the file names the manager (rather than keeping the stored one)
    roles: frozenset[Role]  # beyond agent
    existing: dict[str, Any] | None = None


def _parse_date(text: str) -> date:
    match = _DATE_PATTERN.match(text)
    if not match:
        raise ValueError(_("'{text}' is not a date; use YYYY-MM-DD, for example 2024-03-15", text=text))
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError(_("'{text}' is not a real date", text=text)) from None


def _parse_roles(text: str) -> frozenset[Role]:
    roles = set()
    for token in _ROLE_SEPARATORS.split(text):
        name = re.sub(r"[\s\-]+", "_", token.strip().lower())
        if not name:
            continue
        try:
            roles.add(Role(name))
        except ValueError:
            known = ", ".join(role.value for role in Role)
            raise ValueError(_("unknown role '{role}'; use {known}", role=token.strip(), known=known)) from None
    return frozenset(roles - {Role.AGENT})


def _load_people_for_import(connection: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    cursor = connection.execute(
        "SELECT e.id, e.employee_number, e.full_name, e.email, t.name AS team, s.name AS site,"
        " m.employee_number AS manager_number, e.hire_date, e.active,"
        " coalesce((SELECT list(r.role) FROM employee_roles r WHERE r.employee_id = e.id), []) AS roles"
        " FROM employees e LEFT JOIN teams t ON t.id = e.team_id LEFT JOIN sites s ON s.id = e.site_id"
        " LEFT JOIN employees m ON m.id = e.manager_id"
    )
    names = [column[0] for column in cursor.description]
    people = {}
    for values in cursor.fetchall():
        person = dict(zip(names, values, strict=True))
        person["roles"] = frozenset(Role(role) for role in person["roles"]) - {Role.AGENT}
        people[person["employee_number"]] = person
    return people


class _RowCheck:
    """One row's cells and the problems found in them, by the heading the file used."""

    def __init__(self, row_number: int, cells: dict[str, str], headings: dict[str, str]):
        self.row_number, self.cells, self.headings = row_number, cells, headings
        self.problems: list[ImportProblem] = []

    def problem(self, column: str, reason: str) -> None:
        self.problems.append(
            ImportProblem(row=self.row_number, column=self.headings.get(column, column), reason=reason)
        )

    def given(self, column: str) -> str | None:
        return self.cells.get(column) or None


def _row_values(check: _RowCheck, base: dict[str, Any]) -> dict[str, Any]:
    """The person's fields after this row, each problem of the plain fields noted."""
    values: dict[str, Any] = {
        "employee_number": check.cells["employee_number"],
        "full_name": check.given("full_name") or base.get("full_name"),
        "email": check.given("email") or base.get("email"),
        "hire_date": base.get("hire_date"),
    }
    if not values["employee_number"]:
        check.problem("employee_number", _("is required"))
    for column in ("full_name", "email"):
        if values[column] is None:
            check.problem(column, _("is required for a new employee"))
    if check.given("manager_number") == values["employee_number"]:
        check.problem("manager_number", _("a person cannot manage themselves"))
    if check.given("hire_date"):
        try:
            values["hire_date"] = _parse_date(check.cells["hire_date"])
        except ValueError as error:
            check.problem("hire_date", str(error))
    for column in ("team", "site"):
        if check.given(column) and len(check.cells[column]) > ORG_NAME_MAX_LENGTH:
            check.problem(column, _("use at most {count} characters", count=ORG_NAME_MAX_LENGTH))
    return values


def _row_roles(
    check: _RowCheck, base: dict[str, Any], existing: dict[str, Any] | None, actor: CurrentUser
) -> frozenset[Role]:
    """The roles after this row: only an administrator changes them, never their own admin role."""
    stored = base.get("roles", frozenset())
    if not check.given("roles"):
        return stored
    try:
        roles = _parse_roles(check.cells["roles"])
    except ValueError as error:
        check.problem("roles", str(error))
        return stored
    if roles != stored and not actor.can(Permission.ROLES_ASSIGN):
        check.problem("roles", _("only an administrator may assign or change roles (agent needs no permission)"))
    elif existing and existing["id"] == actor.employee_id and Role.ADMIN in stored - roles:
        check.problem("roles", _("you cannot remove your own administrator role"))
    return roles


def _check_record(check: _RowCheck, values: dict[str, Any]) -> None:
    """Check every given field with the employee record's own rules, standing in harmless
    values for the missing ones, so one upload reports all of a row's problems."""
    stand_ins = {"employee_number": "X", "full_name": "X", "email": "x@example.org"}
    checked = {key: values[key] or stand_ins.get(key) for key in values}
    try:
        record = EmployeeInput.model_validate(checked)
    except ValidationError as error:
        for issue in error.errors():
            column = str(issue["loc"][0]) if issue["loc"] else ""
            if values.get(column) is not None:
                check.problem(column, plain_message(issue))
        return
    if values["employee_number"] and values["full_name"] and values["email"]:
        values.update(employee_number=record.employee_number, full_name=record.full_name, email=record.email)


def _check_email_change(
    check: _RowCheck, values: dict[str, Any], existing: dict[str, Any] | None, actor: CurrentUser
) -> None:
    """The email of someone holding a role the actor does not hold signs them in: an
    administrator's to change (as in ``directory.update_employee``)."""
    if existing is None or not check.given("email") or values["email"].lower() == existing["email"].lower():
        return
    if beyond := roles_beyond(actor, existing["roles"]):
        check.problem("email", email_guarded(existing["full_name"], beyond))


def _plan_row(
    row_number: int,
    cells: dict[str, str],
    headings: dict[str, str],
    existing: dict[str, Any] | None,
    actor: CurrentUser,
) -> tuple[_PlannedRow | None, list[ImportProblem]]:
    """Check one row on its own; merge it with the stored person when the number exists."""
    check = _RowCheck(row_number, cells, headings)
    base = existing or {}
    values = _row_values(check, base)
    roles = _row_roles(check, base, existing, actor)
    _check_record(check, values)
    _check_email_change(check, values, existing, actor)
    if check.problems:
        return None, check.problems
    planned = _PlannedRow(
        row=row_number,
        **values,
        team=check.given("team") or base.get("team"),
        site=check.given("site") or base.get("site"),
        manager_number=check.given("manager_number") or base.get("manager_number"),
        manager_given=bool(check.given("manager_number")),
        roles=roles,
        existing=existing,
    )
    return planned, []


def _managers_in_loops(manager_of: dict[str, str | None]) -> dict[str, list[str]]:
    """Employee numbers whose manager chain comes back to them, with the loop they are in."""
    finished: set[str] = set()
    loops: dict[str, list[str]] = {}
    for start in manager_of:
        path: list[str] = []
        position: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in finished and node not in position:
            position[node] = len(path)
            path.append(node)
            node = manager_of.get(node)
        if node is not None and node in position:
            loop = path[position[node] :]
            for member in loop:
                loops[member] = loop
        finished.update(path)
    return loops


def _manager_problem(
    row: _PlannedRow, people: dict[str, dict[str, Any]], file_numbers: set[str], number_row: dict[str, int]
) -> str | None:
    """What is wrong with the manager a row names, if anything ("" when the manager's own row
    is invalid and reported already)."""
    manager = row.manager_number
    if not row.manager_given or manager in number_row:
        return None
    if manager in file_numbers and manager not in people:
        return ""
    if manager not in people:
        return _("no employee {number} in this file or in the portal", number=manager)
    if not people[manager]["active"]:
        return _("{number} ({name}) is inactive", number=manager, name=people[manager]["full_name"])
    return None


def _check_across_rows(
    planned: list[_PlannedRow], people: dict[str, dict[str, Any]], file_numbers: set[str], headings: dict[str, str]
) -> list[ImportProblem]:
    """Rules that need every row at once: unique numbers and emails, managers that exist, no loops."""
    problems: list[ImportProblem] = []

    def problem(row: _PlannedRow, column: str, reason: str) -> None:
        problems.append(ImportProblem(row=row.row, column=headings.get(column, column), reason=reason))

    email_owner = {person["email"].lower(): number for number, person in people.items()}
    email_row: dict[str, int] = {}
    number_row: dict[str, int] = {}
    unique_rows: list[_PlannedRow] = []
    for row in planned:
        if row.employee_number in number_row:
            problem(
                row,
                "employee_number",
                _("{value} is also on row {row}", value=row.employee_number, row=number_row[row.employee_number]),
            )
            continue
        number_row[row.employee_number] = row.row
        unique_rows.append(row)
        owner = email_owner.get(row.email)
        if row.email in email_row:
            problem(row, "email", _("{value} is also on row {row}", value=row.email, row=email_row[row.email]))
        elif owner is not None and owner != row.employee_number:
            problem(row, "email", _("{email} is already used by employee {number}", email=row.email, number=owner))
        email_row.setdefault(row.email, row.row)

    manager_of = {number: person["manager_number"] for number, person in people.items()}
    for row in unique_rows:
        reason = _manager_problem(row, people, file_numbers, number_row)
        manager_of[row.employee_number] = None if reason else row.manager_number  # bad ones stay out
        if reason:
            problem(row, "manager_number", reason)
    loops = _managers_in_loops(manager_of)
    for row in unique_rows:
        if row.employee_number in loops and row.manager_given:
            chain = " → ".join([*loops[row.employee_number], loops[row.employee_number][0]])
            problem(row, "manager_number", _("managers would form a loop: {chain}", chain=chain))
    return problems
