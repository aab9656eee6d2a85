"""The demo organisation: a realistic contact centre built from a seed and a scale.

Scale 1 is about 150 agents in 10 teams at 2 sites, with leaders, HR, analysts, an
administrator, moderators and one demo login per role. The same seed gives the same
organisation; a large scale builds the benchmark organisation. Each area of the portal
adds its own demo data as a step in ``STEPS``."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import pyarrow as pa

from models import audit
from models.auth import Role, hash_password
from models.complaints_demo import complaints_step
from models.db import Database, utc_now
from models.strategy_demo import computed_goals_step, strategy_step

DEMO_PASSWORD = "speakup-demo"  # noqa: S105 - documented demo password, demo mode only
AGENTS_PER_TEAM = 15
TEAMS_PER_SCALE = 10
DEMO_TODAY = None  # the demo is dated relative to the day it is seeded

DEMO_LOGINS = {
    Role.AGENT: "agent",
    Role.MODERATOR: "moderator",
    Role.TEAM_LEAD: "teamlead",
    Role.ANALYST: "analyst",
    Role.HR: "hr",
    Role.LEADERSHIP: "leader",
    Role.ADMIN: "admin",
}

FIRST_NAMES = [
    "Aisha",
    "Alex",
    "Amelia",
    "Ana",
    "Arjun",
    "Ben",
    "Carla",
    "Chen",
    "Chloe",
    "Daniel",
    "Diego",
    "Emily",
    "Ethan",
    "Fatima",
    "Finn",
    "Grace",
    "Hana",
    "Harper",
    "Isaac",
    "Isla",
    "Jack",
    "Jade",
    "James",
    "Jia",
    "Joel",
    "Kai",
    "Kate",
    "Liam",
    "Lily",
    "Lucas",
    "Maya",
    "Mia",
    "Mohammed",
    "Noah",
    "Nora",
    "Oliver",
    "Olivia",
    "Omar",
    "Priya",
    "Rafael",
    "Rosa",
    "Ruby",
    "Sam",
    "Sara",
    "Sofia",
    "Tariq",
    "Theo",
    "Tom",
    "Vanessa",
    "William",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Ahmed",
    "Anderson",
    "Bui",
    "Campbell",
    "Chen",
    "Clarke",
    "Costa",
    "Davies",
    "Dubois",
    "Evans",
    "Fernandes",
    "Garcia",
    "Gupta",
    "Hall",
    "Hughes",
    "Ibrahim",
    "Ito",
    "Jensen",
    "Kaur",
    "Kelly",
    "Kim",
    "Kowalski",
    "Lee",
    "Lopez",
    "Martin",
    "Mendoza",
    "Murphy",
    "Nguyen",
    "Novak",
    "O'Brien",
    "Okafor",
    "Patel",
    "Reyes",
    "Rossi",
    "Santos",
    "Schmidt",
    "Shah",
    "Silva",
    "Singh",
    "Smith",
    "Tan",
    "Taylor",
    "Thompson",
    "Walker",
    "Wang",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wright",
    "Young",
    "Zhang",
]
SITES = (("Harbour Street", "Sydney"), ("Riverside", "Brisbane"))
TEAM_NAMES = (
    "Cards & Payments",
    "Home Loans",
    "Everyday Banking",
    "Collections Care",
    "Digital Support",
    "Business Banking",
    "Retention",
    "Complaints Resolution",
    "Onboarding",
    "Wealth & Insurance",
)


@dataclass
class DemoOrganisation:
    """What the people step created, for the steps of later areas to build on."""

    rng: random.Random
    scale: float
    today: date
    site_ids: list[int] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)
    employees: list[dict] = field(default_factory=list)  # id, team_id, roles, manager_id, login
    logins: dict[Role, int] = field(default_factory=dict)  # role -> employee id of its demo login

    def with_role(self, role: Role) -> list[dict]:
        return [person for person in self.employees if role in person["roles"]]


Progress = Callable[[float, str], None]
Step = Callable[[duckdb.DuckDBPyConnection, DemoOrganisation, Progress], None]


def _team_name(index: int) -> str:
    base = TEAM_NAMES[index % len(TEAM_NAMES)]
    return base if index < len(TEAM_NAMES) else f"{base} {index // len(TEAM_NAMES) + 1}"


def people_step(connection: duckdb.DuckDBPyConnection, org: DemoOrganisation, progress: Progress) -> None:
    """Sites, teams, people with managers and roles, and an account for everyone."""
    rng = org.rng
    team_count = max(1, round(TEAMS_PER_SCALE * org.scale))
    for name, city in SITES:
        org.site_ids.append(
            connection.execute("INSERT INTO sites (name, city) VALUES (?, ?) RETURNING id", [name, city]).fetchone()[0]
        )
    for index in range(team_count):
        org.team_ids.append(
            connection.execute(
                "INSERT INTO teams (name, site_id) VALUES (?, ?) RETURNING id",
                [_team_name(index), org.site_ids[index % len(org.site_ids)]],
            ).fetchone()[0]
        )

    rows: list[dict] = []
    used_emails: set[str] = set()

    def person(
        roles: set[Role], team_id: int | None, site_id: int | None, manager: int | None, years: tuple[int, int]
    ) -> dict:
        number = len(rows) + 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
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
    ids = [
        r[0]
        for r in connection.execute("SELECT nextval('seq_employees') FROM range(?) ORDER BY 1", [len(rows)]).fetchall()
    ]
    for row in rows:
        row["id"] = ids[row["id"] - 1]
        row["manager_id"] = ids[row["manager_id"] - 1] if row["manager_id"] else None

    progress(0.2, f"Adding {len(rows)} people…")
    now = utc_now()
    columns = ["id", "employee_number", "full_name", "email", "team_id", "site_id", "manager_id", "hire_date"]
    table = pa.table({name: [row[name] for row in rows] for name in columns})
    connection.register("demo_employees", table)
    connection.execute(
        "INSERT INTO employees (id, employee_number, full_name, email, team_id, site_id, manager_id, hire_date,"
        " created_at, updated_at) SELECT *, ?, ? FROM demo_employees",
        [now, now],
    )
    connection.unregister("demo_employees")

    role_rows = [(row["id"], role.value) for row in rows for role in sorted(row["roles"]) if role != Role.AGENT]
    connection.register(
        "demo_roles", pa.table({"employee_id": [r[0] for r in role_rows], "role": [r[1] for r in role_rows]})
    )
    connection.execute("INSERT INTO employee_roles SELECT employee_id, role, ? FROM demo_roles", [now])
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
        " SELECT employee_id, username, ?, ?, ? FROM demo_accounts",
        [password_hash, now, now],
    )
    connection.unregister("demo_accounts")
    org.employees = [
        {
            key: row[key]
            for key in ("id", "team_id", "site_id", "manager_id", "roles", "login", "full_name", "hire_date")
        }
        for row in rows
    ]


STEPS: list[tuple[str, Step]] = [
    ("people", people_step),
    ("strategy", strategy_step),
    ("complaints", complaints_step),
    ("goals on computed KPIs", computed_goals_step),  # read off the complaints just seeded
]


def is_seeded(db: Database) -> bool:
    """True once the database holds people (the demo's or anyone's): nothing to seed."""
    return db.scalar("SELECT count(*) FROM employees") > 0


def seed(
    db: Database, *, seed: int = 2026, scale: float = 1.0, today: date | None = None, progress: Progress | None = None
) -> DemoOrganisation | None:
    """Fill an empty database with the demo organisation, in one transaction.

    Returns None when the database already holds people (nothing is changed)."""
    report = progress or (lambda share, text: None)
    org = DemoOrganisation(rng=random.Random(seed), scale=scale, today=today or date.today())

    def build(connection):
        if connection.execute("SELECT count(*) FROM employees").fetchone()[0]:
            return None
        for index, (name, step) in enumerate(STEPS):
            report(index / len(STEPS), f"Seeding {name}…")
            step(connection, org, lambda share, text, i=index: report((i + share) / len(STEPS), text))
        connection.execute("INSERT INTO portal_meta VALUES ('demo_seed', ?)", [f"seed={seed} scale={scale}"])
        audit.record(connection, None, "demo", seed, "seed", after={"scale": scale, "employees": len(org.employees)})
        return org

    result = db.write(build)
    report(1.0, "Demo organisation ready.")
    return result


# Areas register their demo steps after the people they build on.
from models.speakup_demo import speakup_step  # noqa: E402

STEPS.append(("speakup", speakup_step))
