"""The HR CSV import: people created or updated from a file, all or nothing, with a
report of every problem by row and column; the template HR starts from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
from pydantic import BaseModel, Field

from models import areas, audit
from models.access import CurrentUser, Permission, require
from models.db import insert_with_new_id, next_ids, utc_now
from models.i18n import _
from models.people.hr_checks import _check_across_rows, _load_people_for_import, _plan_row, _PlannedRow
from models.people.hr_csv import ImportProblem, _FileRefused, _parse_csv

if TYPE_CHECKING:
    from models.db import Database


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
                        reason=_("no employee {number} in this file or in the portal", number=manager),
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
    fresh_ids = next_ids(connection, "employees", len(new_rows))
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
    moved, promoted = [], []  # people who changed team, people who gained a role
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
        if "team" in before and row.team:
            moved.append(row.existing["id"])
        if set(row.roles) - set(row.existing["roles"]):
            promoted.append(row.existing["id"])
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
    areas.people_changed(connection, [employee_id[row.employee_number] for row in new_rows], reason="joined", at=now)
    areas.people_changed(connection, moved, reason="team_changed", at=now)
    areas.people_changed(connection, promoted, reason="role_gained", at=now)


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
