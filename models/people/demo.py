"""The people of the demo organisation: sites, teams, people with managers and roles, and
an account for everyone (one named demo login per role). The names come from
``data/demo/people.json``; the same seed gives the same people."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pyarrow as pa

from models.access import Role
from models.auth import hash_password
from models.db import Database, insert_row, next_ids
from models.seeding import DEMO_LOGINS, DEMO_PASSWORD, DemoOrganisation, Progress, demo_texts, volumes

AGENTS_PER_TEAM = 15


def _team_name(index: int) -> str:
    names = demo_texts("people")["team_names"]
    base = names[index % len(names)]
    return base if index < len(names) else f"{base} {index // len(names) + 1}"


def people_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    """Sites, teams, people with managers and roles, and an account for everyone, written in
    bulk into the people area's own tables (thousands of people at a large scale)."""
    db.write(lambda connection: _add_people(connection, org, progress))


def _add_people(connection: duckdb.DuckDBPyConnection, org: DemoOrganisation, progress: Progress) -> None:
    rng = org.rng
    team_count = volumes(org.scale).teams
    texts = demo_texts("people")
    for site in texts["sites"]:
        org.site_ids.append(insert_row(connection, "sites", {"name": site["name"], "city": site["city"]}))
    for index in range(team_count):
        site_id = org.site_ids[index % len(org.site_ids)]
        org.team_ids.append(insert_row(connection, "teams", {"name": _team_name(index), "site_id": site_id}))

    rows: list[dict] = []
    used_emails: set[str] = set()

    def person(
        roles: set[Role], team_id: int | None, site_id: int | None, manager: int | None, years: tuple[int, int]
    ) -> dict:
        number = len(rows) + 1
        first, last = rng.choice(texts["first_names"]), rng.choice(texts["last_names"])
        local = f"{first}.{last}".lower().replace("'", "")
        email = f"{local}@harbourview.example"
        if email in used_emails:
            email = f"{local}{number}@harbourview.example"
        used_emails.add(email)
        row = {
            "id": number,
            "employee_number": f"E{number:05d}",
            "full_name": f"{first} {last}",
            "email": email,
            "team_id": team_id,
            "site_id": site_id,
            "manager_id": manager,
            "hire_date": org.today - timedelta(days=rng.randint(years[0] * 365, years[1] * 365)),
            "roles": roles,
            "login": email.split("@")[0],
        }
        rows.append(row)
        return row

    head = person({Role.LEADERSHIP}, None, org.site_ids[0], None, (8, 15))
    site_heads = [person({Role.LEADERSHIP}, None, site_id, head["id"], (5, 12)) for site_id in org.site_ids]
    person({Role.LEADERSHIP}, None, org.site_ids[0], head["id"], (3, 10))  # head of customer experience
    hr_people = [person({Role.HR}, None, org.site_ids[i % 2], head["id"], (2, 9)) for i in range(3)]
    analysts = [person({Role.ANALYST}, None, org.site_ids[i % 2], head["id"], (1, 7)) for i in range(3)]
    admin = person({Role.ADMIN}, None, org.site_ids[0], head["id"], (2, 6))
    for index, team_id in enumerate(org.team_ids):
        site_index = index % len(org.site_ids)
        lead = person({Role.TEAM_LEAD}, team_id, org.site_ids[site_index], site_heads[site_index]["id"], (3, 10))
        for _ in range(AGENTS_PER_TEAM):
            person({Role.AGENT}, team_id, org.site_ids[site_index], lead["id"], (0, 8))
        if index % 5 == 0 or rng.random() < 0.3:
            # an experienced agent of the team champions ideas as a moderator
            veteran = max(
                (r for r in rows if r["team_id"] == team_id and r["roles"] == {Role.AGENT}),
                key=lambda r: org.today - r["hire_date"],
            )
            veteran["roles"] = {Role.AGENT, Role.MODERATOR}
    # take the ids from the sequence so later inserts stay unique
    ids = next_ids(connection, "employees", len(rows))
    for row in rows:
        row["id"] = ids[row["id"] - 1]
        row["manager_id"] = ids[row["manager_id"] - 1] if row["manager_id"] else None

    progress(0.2, f"Adding {len(rows)} people…")
    columns = ["id", "employee_number", "full_name", "email", "team_id", "site_id", "manager_id", "hire_date"]
    table = pa.table({name: [row[name] for row in rows] for name in columns})
    connection.register("demo_employees", table)
    connection.execute(  # each record dates from its person's first morning, as the demo's history has it
        "INSERT INTO employees (id, employee_number, full_name, email, team_id, site_id, manager_id, hire_date,"
        " created_at, updated_at) SELECT *, hire_date + INTERVAL 9 HOUR, hire_date + INTERVAL 9 HOUR"
        " FROM demo_employees"
    )
    connection.unregister("demo_employees")

    role_rows = [(row["id"], role.value) for row in rows for role in sorted(row["roles"]) if role != Role.AGENT]
    connection.register(
        "demo_roles", pa.table({"employee_id": [r[0] for r in role_rows], "role": [r[1] for r in role_rows]})
    )
    connection.execute(  # granted on the person's first morning, as the account was created
        "INSERT INTO employee_roles SELECT r.employee_id, r.role, e.hire_date + INTERVAL 9 HOUR"
        " FROM demo_roles r JOIN employees e ON e.id = r.employee_id"
    )
    connection.unregister("demo_roles")

    # one demo login per role: a named account for each, the rest sign in by email
    demo_people = {
        Role.AGENT: next(r for r in rows if r["roles"] == {Role.AGENT}),
        Role.MODERATOR: next(r for r in rows if Role.MODERATOR in r["roles"]),
        Role.TEAM_LEAD: next(r for r in rows if Role.TEAM_LEAD in r["roles"]),
        Role.ANALYST: analysts[0],
        Role.HR: hr_people[0],
        Role.LEADERSHIP: head,
        Role.ADMIN: admin,
    }
    for role, row in demo_people.items():
        row["login"] = DEMO_LOGINS[role]
        org.logins[role] = row["id"]
    progress(0.35, "Creating accounts…")
    password_hash = hash_password(DEMO_PASSWORD)  # one hash shared by the demo accounts
    connection.register(
        "demo_accounts", pa.table({"employee_id": [r["id"] for r in rows], "username": [r["login"] for r in rows]})
    )
    connection.execute(
        "INSERT INTO accounts (employee_id, username, password_hash, password_changed_at, created_at)"
        " SELECT a.employee_id, a.username, ?, e.hire_date + INTERVAL 9 HOUR, e.hire_date + INTERVAL 9 HOUR"
        " FROM demo_accounts a JOIN employees e ON e.id = a.employee_id",
        [password_hash],
    )
    connection.unregister("demo_accounts")
    org.employees = [
        {
            key: row[key]
            for key in ("id", "team_id", "site_id", "manager_id", "roles", "login", "full_name", "email", "hire_date")
        }
        for row in rows
    ]
