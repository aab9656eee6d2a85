"""The HR CSV import: people created or updated from a file, all or nothing, with a
report of every problem by row and column; the template HR starts from."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
from pydantic import BaseModel, Field, ValidationError

from models import audit
from models.access import CurrentUser, Permission, Role, require
from models.db import insert_with_new_id, utc_now
from models.people.directory import EmployeeInput

if TYPE_CHECKING:
    from models.db import Database

IMPORT_MAX_ROWS = 50_000
IMPORT_COLUMNS = ("employee_number", "full_name", "email", "team", "site", "manager_number", "hire_date", "roles")
_COLUMN_ALIASES = {"name": "full_name", "manager": "manager_number"}
ORG_NAME_MAX_LENGTH = 80
_DATE_PATTERN = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_ROLE_SEPARATORS = re.compile(r"[;,]")
_TEMPLATE_ROWS = (
    ("E1001", "Ada Lovelace", "ada.lovelace@example.org", "Harbour Team", "Sydney", "", "2023-02-01", "agent"),
    ("E1002", "Alan Turing", "alan.turing@example.org", "Harbour Team", "Sydney", "E1001", "2025-07-14", "agent"),
)


class ImportProblem(BaseModel):
    """Why an import was refused: the row as numbered in the file (header = row 1), the
    column as headed in the file, and the reason. ``row`` is None for the file as a whole."""

    row: int | None = None
    column: str | None = None
    reason: str


class ImportReport(BaseModel):
    """What an HR CSV import did, or every reason it did nothing."""

    rows: int = 0
    created: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    teams_created: list[str] = Field(default_factory=list)
    sites_created: list[str] = Field(default_factory=list)
    errors: list[ImportProblem] = Field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.errors


class _FileRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class _ParsedFile:
    headings: dict[str, str]  # column -> heading as written in the file
    rows: list[tuple[int, dict[str, str]]]  # (row number in the file, column -> cell)
    broken: list[ImportProblem] = field(default_factory=list)  # rows that do not fit the header


def import_template_csv() -> bytes:
    """An HR CSV with the expected columns and two example people (the second reports to the first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(IMPORT_COLUMNS)
    writer.writerows(_TEMPLATE_ROWS)
    return buffer.getvalue().encode("utf-8")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _FileRefused(
            f"The file is not UTF-8 text (unreadable byte at position {error.start}). "
            "Save it from your spreadsheet as 'CSV UTF-8' and try again."
        ) from None


def _column_key(heading: str) -> str:
    key = re.sub(r"[\s\-]+", "_", heading.strip().lower())
    return _COLUMN_ALIASES.get(key, key)


def _parse_csv(data: bytes) -> _ParsedFile:
    """Read the header and the rows, numbering rows as a spreadsheet shows them."""
    text = _decode(data)
    if not text.strip():
        raise _FileRefused("The file is empty. Start from the template: a header row, then one row per person.")
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        headings: dict[str, str] = {}
        keys = [_column_key(heading) for heading in header]  # an empty heading marks a column to ignore
        for heading, key in zip(header, keys, strict=True):
            if not key:
                continue
            if key not in IMPORT_COLUMNS:
                raise _FileRefused(
                    f"Unknown column {heading.strip()!r}. Expected columns: {', '.join(IMPORT_COLUMNS)}."
                )
            if key in headings:
                raise _FileRefused(f"Column {heading.strip()!r} appears twice in the header.")
            headings[key] = heading.strip()
        if "employee_number" not in headings:
            raise _FileRefused("The header has no 'employee_number' column; every row needs one.")
        parsed = _ParsedFile(headings=headings, rows=[])
        for row_number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(parsed.rows) + len(parsed.broken) >= IMPORT_MAX_ROWS:
                raise _FileRefused(f"The file has more than {IMPORT_MAX_ROWS:,} people; split it into smaller files.")
            if len(cells) != len(keys):
                reason = f"the row has {len(cells)} values but the header has {len(keys)} columns"
                parsed.broken.append(ImportProblem(row=row_number, reason=reason))
                continue
            parsed.rows.append((row_number, {key: cell.strip() for key, cell in zip(keys, cells, strict=True) if key}))
    except csv.Error as error:
        raise _FileRefused(f"The file is not a readable CSV (row {reader.line_num}): {error}.") from None
    if not parsed.rows and not parsed.broken:
        raise _FileRefused("The file has a header but no people.")
    return parsed


def preview_people_csv(data: bytes, limit: int = 10) -> tuple[list[dict[str, str]], str | None]:
    """The first rows of an HR CSV as the file heads them, or why the file cannot be read."""
    try:
        parsed = _parse_csv(data)
    except _FileRefused as refused:
        return [], refused.reason
    headings = parsed.headings
    preview = [
        {"row": str(number), **{headings[key]: cells.get(key, "") for key in headings}}
        for number, cells in parsed.rows[:limit]
    ]
    return preview, None


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
        raise ValueError(f"{text!r} is not a date; use YYYY-MM-DD, for example 2024-03-15")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None


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
            raise ValueError(f"unknown role {token.strip()!r}; use {known}") from None
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


def _plan_row(
    row_number: int,
    cells: dict[str, str],
    headings: dict[str, str],
    existing: dict[str, Any] | None,
    actor: CurrentUser,
) -> tuple[_PlannedRow | None, list[ImportProblem]]:
    """Check one row on its own; merge it with the stored person when the number exists."""
    problems: list[ImportProblem] = []

    def problem(column: str, reason: str) -> None:
        problems.append(ImportProblem(row=row_number, column=headings.get(column, column), reason=reason))

    def given(column: str) -> str | None:
        return cells.get(column) or None

    base = existing or {}
    values: dict[str, Any] = {
        "employee_number": cells["employee_number"],
        "full_name": given("full_name") or base.get("full_name"),
        "email": given("email") or base.get("email"),
        "hire_date": base.get("hire_date"),
    }
    if not values["employee_number"]:
        problem("employee_number", "is required")
    for column in ("full_name", "email"):
        if values[column] is None:
            problem(column, "is required for a new employee")
    if given("manager_number") == values["employee_number"]:
        problem("manager_number", "a person cannot manage themselves")
    if given("hire_date"):
        try:
            values["hire_date"] = _parse_date(cells["hire_date"])
        except ValueError as error:
            problem("hire_date", str(error))
    for column in ("team", "site"):
        if given(column) and len(cells[column]) > ORG_NAME_MAX_LENGTH:
            problem(column, f"use at most {ORG_NAME_MAX_LENGTH} characters")
    roles = base.get("roles", frozenset())
    if given("roles"):
        try:
            roles = _parse_roles(cells["roles"])
        except ValueError as error:
            problem("roles", str(error))
        else:
            if roles != base.get("roles", frozenset()) and not actor.can(Permission.ROLES_ASSIGN):
                problem("roles", "only an administrator may assign or change roles (agent needs no permission)")
            elif existing and existing["id"] == actor.employee_id and Role.ADMIN in base["roles"] - roles:
                problem("roles", "you cannot remove your own administrator role")
    # check every given field, standing in harmless values for the missing ones, so one
    # upload reports all of a row's problems
    stand_ins = {"employee_number": "X", "full_name": "X", "email": "x@example.org"}
    checked = {key: values[key] or stand_ins.get(key) for key in values}
    try:
        record = EmployeeInput.model_validate(checked)
    except ValidationError as error:
        for issue in error.errors():
            column = str(issue["loc"][0]) if issue["loc"] else ""
            if values.get(column) is not None:
                problem(column, issue["msg"].removeprefix("Value error, "))
    else:
        if values["employee_number"] and values["full_name"] and values["email"]:
            values.update(employee_number=record.employee_number, full_name=record.full_name, email=record.email)
    if problems:
        return None, problems
    planned = _PlannedRow(
        row=row_number,
        **values,
        team=given("team") or base.get("team"),
        site=given("site") or base.get("site"),
        manager_number=given("manager_number") or base.get("manager_number"),
        manager_given=bool(given("manager_number")),
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
            problem(row, "employee_number", f"{row.employee_number} is also on row {number_row[row.employee_number]}")
            continue
        number_row[row.employee_number] = row.row
        unique_rows.append(row)
        owner = email_owner.get(row.email)
        if row.email in email_row:
            problem(row, "email", f"{row.email} is also on row {email_row[row.email]}")
        elif owner is not None and owner != row.employee_number:
            problem(row, "email", f"{row.email} is already used by employee {owner}")
        email_row.setdefault(row.email, row.row)

    manager_of = {number: person["manager_number"] for number, person in people.items()}
    for row in unique_rows:
        manager = row.manager_number
        manager_of[row.employee_number] = manager
        if not row.manager_given or manager in number_row:
            continue
        if manager in file_numbers and manager not in people:
            continue  # the manager's own row is invalid and reported already
        if manager not in people:
            problem(row, "manager_number", f"no employee {manager} in this file or in the portal")
        elif not people[manager]["active"]:
            problem(row, "manager_number", f"{manager} ({people[manager]['full_name']}) is inactive")
        else:
            continue
        manager_of[row.employee_number] = None  # leave the bad reference out of the loop check
    loops = _managers_in_loops(manager_of)
    for row in unique_rows:
        if row.employee_number in loops and row.manager_given:
            chain = " → ".join([*loops[row.employee_number], loops[row.employee_number][0]])
            problem(row, "manager_number", f"managers would form a loop: {chain}")
    return problems


def import_people_csv(db: Database, actor: CurrentUser, data: bytes) -> ImportReport:
    """Create or update people from an HR CSV, all or nothing.

    A known employee number updates that person (only the cells filled in); a new one
    creates them. Missing teams and sites are created. When any row is invalid nothing
    is stored and the report lists every problem with its row and column.
    """
    require(actor, Permission.PEOPLE_MANAGE)
    try:
        parsed = _parse_csv(data)
    except _FileRefused as refused:
        return ImportReport(errors=[ImportProblem(reason=refused.reason)])

    def run(connection: duckdb.DuckDBPyConnection) -> ImportReport:
        report = ImportReport(rows=len(parsed.rows) + len(parsed.broken), errors=list(parsed.broken))
        people = _load_people_for_import(connection)
        planned: list[_PlannedRow] = []
        file_numbers = {cells["employee_number"] for _, cells in parsed.rows}
        for row_number, cells in parsed.rows:
            row, problems = _plan_row(row_number, cells, parsed.headings, people.get(cells["employee_number"]), actor)
            report.errors.extend(problems)
            if row is not None:
                planned.append(row)
            elif (manager := cells.get("manager_number")) and manager not in file_numbers and manager not in people:
                # a row refused for other reasons still learns that its manager is unknown
                report.errors.append(
                    ImportProblem(
                        row=row_number,
                        column=parsed.headings.get("manager_number", "manager_number"),
                        reason=f"no employee {manager} in this file or in the portal",
                    )
                )
        report.errors.extend(_check_across_rows(planned, people, file_numbers, parsed.headings))
        if report.errors:
            report.errors.sort(key=lambda problem: problem.row or 0)
            return report
        _store_import(connection, actor, planned, people, report)
        return report

    return db.write(run)


def _ensure_organisation(
    connection: duckdb.DuckDBPyConnection, actor: CurrentUser, planned: list[_PlannedRow], report: ImportReport
) -> tuple[dict[str, int], dict[str, int]]:
    """Ids of every team and site the rows name (by lower-case name), creating the missing ones.

    Names match whatever their case; each row is given the stored spelling."""
    sites = {
        name.lower(): (site_id, name) for site_id, name in connection.execute("SELECT id, name FROM sites").fetchall()
    }
    teams = {
        name.lower(): (team_id, name) for team_id, name in connection.execute("SELECT id, name FROM teams").fetchall()
    }
    entries = []
    for row in planned:
        if row.site and row.site.lower() not in sites:
            site_id = insert_with_new_id(connection, "sites", "INSERT INTO sites (id, name) VALUES (?, ?)", [row.site])
            sites[row.site.lower()] = (site_id, row.site)
            report.sites_created.append(row.site)
            entries.append(("site", site_id, "create", None, {"name": row.site, "city": None}))
        if row.site:
            row.site = sites[row.site.lower()][1]
    for row in planned:
        if row.team and row.team.lower() not in teams:
            site_id = sites[row.site.lower()][0] if row.site else None
            team_id = insert_with_new_id(
                connection, "teams", "INSERT INTO teams (id, name, site_id) VALUES (?, ?, ?)", [row.team, site_id]
            )
            teams[row.team.lower()] = (team_id, row.team)
            report.teams_created.append(row.team)
            entries.append(("team", team_id, "create", None, {"name": row.team, "site_id": site_id}))
        if row.team:
            row.team = teams[row.team.lower()][1]
    audit.record_many(connection, actor, entries)
    return {key: value[0] for key, value in teams.items()}, {key: value[0] for key, value in sites.items()}


_IMPORTED_FIELDS = ("employee_number", "full_name", "email", "team", "site", "manager_number", "hire_date")


def _store_import(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser,
    planned: list[_PlannedRow],
    people: dict[str, dict[str, Any]],
    report: ImportReport,
) -> None:
    """Write the checked rows in bulk: new people, changed people, their roles and the audit trail."""
    team_ids, site_ids = _ensure_organisation(connection, actor, planned, report)
    new_rows = [row for row in planned if row.existing is None]
    fresh_ids = [
        value
        for (value,) in connection.execute(
            "SELECT nextval('seq_employees') FROM range(?) ORDER BY 1", [len(new_rows)]
        ).fetchall()
    ]
    employee_id = {number: person["id"] for number, person in people.items()}
    employee_id.update({row.employee_number: new_id for row, new_id in zip(new_rows, fresh_ids, strict=True)})

    def stored(row: _PlannedRow) -> dict[str, Any]:
        return {
            "id": employee_id[row.employee_number],
            "employee_number": row.employee_number,
            "full_name": row.full_name,
            "email": row.email,
            "team_id": team_ids[row.team.lower()] if row.team else None,
            "site_id": site_ids[row.site.lower()] if row.site else None,
            "manager_id": employee_id[row.manager_number] if row.manager_number else None,
            "hire_date": row.hire_date,
        }

    inserts, updates, role_changes, entries = [], [], [], []
    for row in planned:
        if row.existing is None:
            inserts.append(stored(row))
            role_changes.append((employee_id[row.employee_number], row.roles))
            entries.append(
                (
                    "employee",
                    employee_id[row.employee_number],
                    "create",
                    None,
                    {**stored(row), "roles": sorted(role.value for role in row.roles)},
                )
            )
            report.created.append(row.employee_number)
            continue
        before = {name: row.existing[name] for name in _IMPORTED_FIELDS if row.existing[name] != getattr(row, name)}
        after = {name: getattr(row, name) for name in before}
        if row.roles != row.existing["roles"]:
            before["roles"] = sorted(role.value for role in row.existing["roles"])
            after["roles"] = sorted(role.value for role in row.roles)
            role_changes.append((row.existing["id"], row.roles))
        if not after:
            report.unchanged.append(row.employee_number)
            continue
        if set(after) - {"roles"}:
            updates.append(stored(row))
        entries.append(("employee", row.existing["id"], "update", before, after))
        report.updated.append(row.employee_number)

    now = utc_now()
    _bulk(
        connection,
        "import_new_people",
        inserts,
        "INSERT INTO employees (id, employee_number, full_name, email, team_id, site_id, manager_id, hire_date,"
        " created_at, updated_at) SELECT *, ?, ? FROM import_new_people",
        [now, now],
    )
    _bulk(
        connection,
        "import_changed_people",
        updates,
        "UPDATE employees SET employee_number = c.employee_number, full_name = c.full_name, email = c.email,"
        " team_id = c.team_id, site_id = c.site_id, manager_id = c.manager_id, hire_date = c.hire_date,"
        " updated_at = ?, version = version + 1 FROM import_changed_people c WHERE employees.id = c.id",
        [now],
    )
    if role_changes:
        changed_ids = [{"employee_id": person_id} for person_id, _ in role_changes]
        _bulk(
            connection,
            "import_role_people",
            changed_ids,
            "DELETE FROM employee_roles WHERE employee_id IN (SELECT employee_id FROM import_role_people)",
            [],
        )
        grants = [{"employee_id": person_id, "role": role.value} for person_id, roles in role_changes for role in roles]
        _bulk(
            connection,
            "import_role_grants",
            grants,
            "INSERT INTO employee_roles SELECT employee_id, role, ? FROM import_role_grants",
            [now],
        )
    entries.append(
        (
            "employee_import",
            None,
            "import",
            None,
            {
                "rows": report.rows,
                "created": len(report.created),
                "updated": len(report.updated),
                "unchanged": len(report.unchanged),
                "teams_created": report.teams_created,
                "sites_created": report.sites_created,
            },
        )
    )
    audit.record_many(connection, actor, entries)


def _bulk(
    connection: duckdb.DuckDBPyConnection, name: str, rows: list[dict[str, Any]], sql: str, params: list[Any]
) -> None:
    """Run one statement over many rows registered as a table called ``name``."""
    if not rows:
        return
    connection.register(name, pa.Table.from_pylist(rows))
    try:
        connection.execute(sql, params)
    finally:
        connection.unregister(name)
