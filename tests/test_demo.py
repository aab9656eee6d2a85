"""The demo organisation: realistic, complete and identical for the same seed."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import models
from models import auth, demo, seeding
from models.access import Role
from models.db import Database

TODAY = date(2026, 11, 25)


def seeded(tmp_path, name: str, seed: int = 7, scale: float = 1.0) -> Database:
    """A demo organisation seeded afresh into its own file."""
    database = Database(tmp_path / f"{name}.duckdb")
    database.migrate()
    demo.seed(database, seed=seed, scale=scale, today=TODAY)
    return database


def demo_copy(seeded_db, seed: int = 7, scale: float = 1.0) -> Database:
    """A copy of the demo organisation the session seeded once for this seed and scale."""
    database, _ = seeded_db(seed=seed, scale=scale, today=TODAY)
    return database


def snapshot(database: Database) -> list[tuple]:
    return (
        database.reader()
        .execute(
            "SELECT e.employee_number, e.full_name, e.email, t.name, s.name, m.employee_number, e.hire_date,"
            " (SELECT string_agg(role, ',' ORDER BY role) FROM employee_roles r WHERE r.employee_id = e.id)"
            " FROM employees e LEFT JOIN teams t ON t.id = e.team_id LEFT JOIN sites s ON s.id = e.site_id"
            " LEFT JOIN employees m ON m.id = e.manager_id ORDER BY e.employee_number"
        )
        .fetchall()
    )


def test_scale_one_is_about_150_agents_in_10_teams_at_2_sites(seeded_db):
    database = demo_copy(seeded_db)
    counts = database.query_one(
        "SELECT (SELECT count(*) FROM teams) AS teams, (SELECT count(*) FROM sites) AS sites,"
        " (SELECT count(*) FROM employees e WHERE NOT EXISTS (SELECT 1 FROM employee_roles r"
        "   WHERE r.employee_id = e.id AND r.role <> 'moderator')) AS agents"
    )
    assert counts["teams"] == 10 and counts["sites"] == 2
    assert 140 <= counts["agents"] <= 160


def test_every_agent_has_a_team_and_a_manager_who_leads_it(seeded_db):
    database = demo_copy(seeded_db)
    orphans = database.scalar(
        "SELECT count(*) FROM employees e LEFT JOIN employees m ON m.id = e.manager_id"
        " WHERE e.team_id IS NOT NULL AND (m.id IS NULL OR"
        "  NOT (m.team_id = e.team_id OR EXISTS (SELECT 1 FROM employee_roles r WHERE r.employee_id = m.id"
        "   AND r.role = 'leadership')))"
    )
    assert orphans == 0


def test_the_same_seed_builds_the_same_organisation(tmp_path, seeded_db):
    # the session's copy was seeded by a run of its own: two runs are compared
    assert snapshot(seeded(tmp_path, "a", seed=11)) == snapshot(demo_copy(seeded_db, seed=11))
    assert snapshot(demo_copy(seeded_db, seed=11)) != snapshot(demo_copy(seeded_db, seed=12))


def test_there_is_one_demo_login_per_role(seeded_db):
    database = demo_copy(seeded_db)
    for role, username in seeding.DEMO_LOGINS.items():
        user = auth.sign_in(database, username, seeding.DEMO_PASSWORD)
        assert role in user.roles, username


def test_the_demo_agent_holds_no_role_beyond_agent(seeded_db):
    database = demo_copy(seeded_db)
    assert auth.sign_in(database, "agent", seeding.DEMO_PASSWORD).roles == {Role.AGENT}


def test_seeding_twice_changes_nothing(seeded_db):
    database = demo_copy(seeded_db)
    before = snapshot(database)
    assert demo.seed(database, seed=99, today=TODAY) is None
    assert snapshot(database) == before


def test_scale_grows_the_organisation(seeded_db):
    small = demo_copy(seeded_db, scale=0.5)
    large = demo_copy(seeded_db, scale=3)
    assert small.scalar("SELECT count(*) FROM teams") == 5
    assert large.scalar("SELECT count(*) FROM teams") == 30
    assert large.scalar("SELECT count(DISTINCT email) FROM employees") == large.scalar("SELECT count(*) FROM employees")


def test_progress_is_reported_while_seeding(tmp_path):
    database = Database(tmp_path / "p.duckdb")
    database.migrate()
    shares = []
    demo.seed(database, today=TODAY, progress=lambda share, text: shares.append(share))
    assert shares[-1] == 1.0 and len(shares) >= 3 and shares == sorted(shares)


# -- the demo is built through the domain ---------------------------------------------
AREA_TABLES = {  # the tables an area's demo step may fill in bulk: its own
    "people": {"sites", "teams", "employees", "employee_roles", "accounts"},
    "complaints": {"complaints", "complaint_imports", "demo_complaints"},
    "customers": {"customer_survey_answers", "customer_survey_imports"},  # two years of answers, as one import
}
RAW_WRITE = re.compile(
    r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE|ALTER\s+TABLE"
    r"|CREATE\s+(?:OR\s+REPLACE\s+)?TABLE)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?([{\w.]+)"
)
HELPER_WRITE = re.compile(r"\b(?:insert_row|insert_with_new_id|next_id)\(\s*\w+\s*,\s*[\"']?([{\w]+)")


def demo_modules() -> list[Path]:
    return sorted(Path(models.__file__).parent.glob("*/demo*.py"))


def test_demo_steps_write_only_their_own_area_tables_raw():
    """Everything else goes through the domain's functions, so a rule changed there shows in the demo."""
    assert {path.parent.name for path in demo_modules()} >= {"people", "strategy", "complaints", "speakup"}
    for path in demo_modules():
        source = path.read_text(encoding="utf-8")
        written = {match.group(1) for pattern in (RAW_WRITE, HELPER_WRITE) for match in pattern.finditer(source)}
        foreign = written - AREA_TABLES.get(path.parent.name, set())
        assert not foreign, f"{path.parent.name}/{path.name} writes {sorted(foreign)} without the domain"
        for probe in ("RETURNING", "information_schema", "duckdb.Error"):
            assert probe not in source, f"{path.parent.name}/{path.name} uses {probe}"


def test_the_raw_write_check_catches_a_raw_write():
    samples = (
        'connection.execute("UPDATE ideas SET status = ? WHERE id = ?", [status, idea_id])',
        'connection.execute(\n    "INSERT INTO idea_decisions (idea_id, outcome) VALUES (?, ?)", values)',
        'connection.execute(f"INSERT INTO {table} ({columns}) SELECT * FROM demo_rows")',
        'insert_row(connection, "findings", {"title": title})',
    )
    for sample in samples:
        assert RAW_WRITE.search(sample) or HELPER_WRITE.search(sample), sample


def test_the_demo_peoples_records_date_from_their_hiring_not_from_the_seeding(seeded_db):
    database, _ = seeded_db()
    dated = database.query_one(
        "SELECT count(*) AS people, count(*) FILTER (WHERE updated_at::DATE = hire_date) AS from_hiring FROM employees"
    )
    assert dated["people"] > 100 and dated["from_hiring"] == dated["people"]


def test_the_demos_records_date_from_its_history_not_from_the_seeding(seeded_db):
    database, organisation = seeded_db()
    today = organisation.today
    late_logins = database.scalar(
        "SELECT count(*) FROM accounts a JOIN employees e ON e.id = a.employee_id"
        " WHERE a.created_at > e.hire_date + INTERVAL 1 DAY OR a.password_changed_at > e.hire_date + INTERVAL 1 DAY"
    )
    late_roles = database.scalar(
        "SELECT count(*) FROM employee_roles r JOIN employees e ON e.id = r.employee_id"
        " WHERE r.granted_at > e.hire_date + INTERVAL 1 DAY"
    )
    assert database.scalar("SELECT count(*) FROM accounts") > 100 and late_logins == 0 and late_roles == 0
    catalogue = {  # loaded with the portal, in use since the demo's set-up
        "competencies": "SELECT count(*) FROM competencies WHERE greatest(created_at, updated_at)::DATE >= $day",
        "courses": "SELECT count(*) FROM courses WHERE greatest(created_at, updated_at)::DATE >= $day AND version = 1",
        "course versions": "SELECT count(*) FROM course_versions WHERE changed_at::DATE >= $day AND version = 1",
        "kpis": "SELECT count(*) FROM kpis WHERE created_at::DATE >= $day",
    }
    for name, sql in catalogue.items():
        assert database.scalar(sql, {"day": today}) == 0, name
    assert database.scalar("SELECT count(*) FROM courses") > 10 and database.scalar("SELECT count(*) FROM kpis") > 20
    logged_late = database.scalar(
        "SELECT count(*) FROM coaching_sessions WHERE coached_on < $day"
        " AND greatest(created_at, updated_at)::DATE >= $day",
        {"day": today},
    )
    assert database.scalar("SELECT count(*) FROM coaching_sessions") > 1000 and logged_late == 0
