"""The admin command line, run in-process against a fresh database file."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models import auth
from models.access import Role
from models.admin import main
from models.db import Database
from tests.conftest import open_kept

PROJECT = Path(__file__).resolve().parents[1]
PASSWORD = "correct-horse-battery"


def run(*argv: str, stdin: str = "", passwords: list[str] | None = None, answer: str = "") -> tuple[int, str, str]:
    """Run ``python -m models.admin argv`` in this process; return code, output and errors."""
    out, err = io.StringIO(), io.StringIO()
    typed = iter(passwords or [])
    code = main(
        list(argv),
        stdin=io.StringIO(stdin),
        stdout=out,
        stderr=err,
        ask_password=lambda prompt: next(typed),
        confirm=lambda prompt: answer,
    )
    return code, out.getvalue(), err.getvalue()


def create_admin(username: str = "ada", email: str = "ada@example.org", password: str = PASSWORD):
    return run(
        "create-admin", "--name", "Ada Lovelace", "--email", email, "--username", username, "--password-stdin",
        stdin=password + "\n",
    )  # fmt: skip


def open_db(path: Path) -> Database:
    """The database the command line worked on, opened as another process would."""
    database = open_kept(path)
    database.migrate()
    return database


def test_create_admin_on_an_empty_database_makes_the_first_administrator(portal_env):
    code, out, err = create_admin()
    assert (code, err) == (0, "")
    assert "first administrator" in out
    database = open_db(portal_env)
    try:
        user = auth.sign_in(database, "ada", PASSWORD)
        assert Role.ADMIN in user.roles
    finally:
        database.close()


def test_create_admin_on_a_portal_with_accounts_adds_another_administrator_audited(portal_env):
    assert create_admin()[0] == 0
    code, out, _ = run(
        "create-admin", "--name", "Grace Hopper", "--email", "grace@example.org", "--username", "grace",
        passwords=[PASSWORD, PASSWORD],
    )  # fmt: skip
    assert code == 0 and "Created administrator 'grace'" in out
    database = open_db(portal_env)
    try:
        grace = auth.sign_in(database, "grace", PASSWORD)
        assert Role.ADMIN in grace.roles
        created = database.query(
            "SELECT actor_id, entity, action FROM audit_log"
            " WHERE entity IN ('employee', 'account') AND action = 'create'"
            " ORDER BY id DESC LIMIT 2"
        )
        assert {(row["actor_id"], row["entity"]) for row in created} == {(None, "employee"), (None, "account")}
    finally:
        database.close()


def test_create_admin_refuses_a_taken_username_and_stores_nothing(portal_env):
    assert create_admin()[0] == 0
    code, _, err = create_admin(email="other@example.org")
    assert code == 1
    assert "Username: 'ada' is taken" in err
    database = open_db(portal_env)
    try:
        assert database.scalar("SELECT count(*) FROM employees") == 1
    finally:
        database.close()


def test_create_admin_refuses_a_short_password(portal_env):
    code, _, err = create_admin(password="short")
    assert code == 1
    assert "Password: use at least 10 characters" in err
    database = open_db(portal_env)
    try:
        assert auth.account_count(database) == 0
    finally:
        database.close()


def test_create_admin_refuses_a_mismatched_confirmation(portal_env):
    code, _, err = run(
        "create-admin", "--name", "Ada", "--email", "ada@example.org", "--username", "ada",
        passwords=[PASSWORD, PASSWORD + "x"],
    )  # fmt: skip
    assert code == 1
    assert "the two passwords differ" in err
    database = open_db(portal_env)
    try:
        assert auth.account_count(database) == 0
    finally:
        database.close()


def test_reset_password_sets_the_new_password_and_unlocks_the_account(portal_env):
    assert create_admin()[0] == 0
    database = open_db(portal_env)
    for _ in range(auth.MAX_FAILED_ATTEMPTS):
        with pytest.raises(auth.SignInError):
            auth.sign_in(database, "ada", "a wrong password")
    with pytest.raises(auth.SignInError, match="locked"):
        auth.sign_in(database, "ada", PASSWORD)
    database.close()

    code, out, err = run("reset-password", "--username", "ada", "--password-stdin", stdin="brand-new-password\n")
    assert (code, err) == (0, "")
    assert "unlocked" in out

    database = open_db(portal_env)
    try:
        assert auth.sign_in(database, "ada", "brand-new-password").full_name == "Ada Lovelace"
        with pytest.raises(auth.SignInError):
            auth.sign_in(database, "ada", PASSWORD)
    finally:
        database.close()


def test_reset_password_of_an_unknown_account_is_refused(portal_env):
    assert create_admin()[0] == 0
    code, _, err = run("reset-password", "--username", "nobody", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 1
    assert "no account is called 'nobody'" in err


def test_seed_demo_prints_progress_and_refuses_a_database_with_people(portal_env):
    code, out, _ = run("seed-demo", "--seed", "3", "--scale", "0.2")
    assert code == 0
    assert "Seeding people" in out and "100%" in out
    database = open_db(portal_env)
    try:
        people = database.scalar("SELECT count(*) FROM employees")
        assert people > 20
    finally:
        database.close()
    code, _, err = run("seed-demo")
    assert code == 1
    assert "already holds people" in err


def test_backup_then_restore_from_the_command_line(portal_env, tmp_path):
    assert create_admin()[0] == 0
    code, out, _ = run("backup", "--to", str(tmp_path / "saved"))
    assert code == 0
    folder = Path(out.strip().split(" to ")[-1])
    assert folder.parent == tmp_path / "saved" and (folder / "backup.json").is_file()

    assert create_admin(username="later", email="later@example.org")[0] == 0
    code, _, err = run("restore", str(folder), answer="no")
    assert code == 1 and "cancelled" in err
    code, out, _ = run("restore", str(folder), answer="restore")
    assert code == 0 and "previous database is kept" in out

    database = open_db(portal_env)
    try:
        assert [row["username"] for row in database.query("SELECT username FROM accounts")] == ["ada"]
    finally:
        database.close()


def test_backup_goes_beside_the_database_by_default_and_is_listed(portal_env):
    assert create_admin()[0] == 0
    assert run("backup")[0] == 0
    code, out, _ = run("list-backups")
    assert code == 0
    assert str(portal_env.parent / "backups" / "portal-") in out


def test_a_bad_setting_is_reported_by_name(portal_env, monkeypatch):
    monkeypatch.setenv("PORTAL_ANONYMITY_MIN_GROUP", "2")
    code, _, err = run("backup")
    assert code == 1
    assert "PORTAL_ANONYMITY_MIN_GROUP" in err


@pytest.mark.duckdb_file_only(reason="another process holds the DuckDB file's lock")
def test_a_database_held_by_a_running_portal_is_reported(portal_env):
    holder = subprocess.Popen(  # noqa: S603 - our own interpreter, a fixed script
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True); time.sleep(30)",
            str(portal_env),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        code, _, err = run("backup")
    finally:
        holder.kill()
        holder.wait()
    assert code == 1
    assert "the portal is running; stop it first" in err.lower()


def test_the_module_runs_from_the_command_line(tmp_path):
    env = {**os.environ, "PORTAL_DB_PATH": str(tmp_path / "cli.duckdb"), "PORTAL_DEMO_MODE": "false"}
    shown = subprocess.run(
        [sys.executable, "-m", "models.admin", "--help"], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0
    assert "create-admin" in shown.stdout and "restore" in shown.stdout
    created = subprocess.run(
        [sys.executable, "-m", "models.admin", "create-admin", "--name", "Ada", "--email", "ada@example.org",
         "--username", "ada", "--password-stdin"],
        cwd=PROJECT, env=env, input=PASSWORD + "\n", capture_output=True, text=True,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    database = open_db(tmp_path / "cli.duckdb")
    try:
        assert auth.sign_in(database, "ada", PASSWORD).full_name == "Ada"
    finally:
        database.close()


PEOPLE_CSV = (
    "employee_number,full_name,email,team,site,manager_number,hire_date,roles\n"
    "E1001,Grace Hopper,grace@example.org,Harbour Team,Sydney,,2023-02-01,agent\n"
    "E1002,Alan Turing,alan@example.org,Harbour Team,Sydney,E1001,2025-07-14,agent\n"
)


def test_import_people_runs_as_the_named_person(portal_env, tmp_path):
    assert create_admin()[0] == 0
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(PEOPLE_CSV, encoding="utf-8")
    code, out, err = run("import-people", str(csv_file), "--as", "ada")
    assert (code, err) == (0, "")
    assert "2 people created" in out
    database = open_kept(portal_env)
    try:
        actors = database.query(
            "SELECT DISTINCT e.full_name FROM audit_log a JOIN employees e ON e.id = a.actor_id"
            " WHERE a.entity = 'employee' AND a.action = 'create'"
        )
        imported = database.scalar("SELECT count(*) FROM employees WHERE employee_number IN ('E1001', 'E1002')")
    finally:
        database.close()
    assert [row["full_name"] for row in actors] == ["Ada Lovelace"] and imported == 2


def test_import_people_reports_each_problem_and_fails(portal_env, tmp_path):
    assert create_admin()[0] == 0
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(PEOPLE_CSV.replace("alan@example.org", "not-an-email"), encoding="utf-8")
    code, out, err = run("import-people", str(csv_file), "--as", "ada")
    assert code == 1
    assert "row 3, column email: is not an email address" in out
    assert "nobody was imported" in err
    database = open_kept(portal_env)
    try:
        assert database.scalar("SELECT count(*) FROM employees WHERE employee_number LIKE 'E100%'") == 0
    finally:
        database.close()


def test_import_people_needs_a_known_account(portal_env, tmp_path):
    assert create_admin()[0] == 0
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(PEOPLE_CSV, encoding="utf-8")
    code, _, err = run("import-people", str(csv_file), "--as", "nobody")
    assert code == 1 and "no active account is called 'nobody'" in err


def test_a_backup_folder_that_cannot_be_made_is_reported(portal_env, tmp_path):
    assert create_admin()[0] == 0
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = run("backup", "--to", str(blocker / "backups"))
    assert code == 1 and err.startswith("Error:")
    assert not list(tmp_path.glob("**/portal-*"))


def test_restore_without_a_terminal_asks_for_yes_instead_of_crashing(portal_env, tmp_path, capsys):
    from models import admin

    def no_terminal(prompt):
        raise EOFError

    assert admin.main(["seed-demo", "--scale", "0.1"]) == 0
    assert admin.main(["backup", "--to", str(tmp_path / "b")]) == 0
    folder = next((tmp_path / "b").iterdir())
    code = admin.main(["restore", str(folder)], confirm=no_terminal)
    assert code != 0
    assert "--yes" in capsys.readouterr().err
