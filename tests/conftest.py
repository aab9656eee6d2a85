"""Shared fixtures: a fresh database per test, people with given roles, and a clean
settings/database state for page tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from models import db as db_module
from models.access import CurrentUser, Role
from models.auth import hash_password, load_user
from models.db import Database
from models.people.accounts import insert_account
from models.people.directory import EmployeeInput, insert_employee
from models.settings import get_settings

TEST_PASSWORD = "test-password-123"
_TEST_HASH = hash_password(TEST_PASSWORD)  # hashed once: argon2 is slow on purpose
_counter = itertools.count(1)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "portal.duckdb")
    database.migrate()
    yield database
    database.close()


MakeUser = Callable[..., CurrentUser]


def add_person(
    database: Database,
    *roles: Role,
    team_id: int | None = None,
    manager_id: int | None = None,
    username: str | None = None,
    full_name: str | None = None,
) -> CurrentUser:
    """Insert an employee with an account and the given roles, straight into the database."""
    number = next(_counter)
    record = EmployeeInput(
        employee_number=f"T{number:05d}",
        full_name=full_name or f"Person {number}",
        email=f"person{number}@example.org",
        team_id=team_id,
        manager_id=manager_id,
    )

    def insert(connection):
        employee_id = insert_employee(connection, None, record, set(roles))
        insert_account(connection, None, employee_id, username or f"user{number}", _TEST_HASH)
        return employee_id

    employee_id = database.write(insert)
    user = load_user(database, employee_id=employee_id)
    assert user is not None
    return user


@pytest.fixture
def make_user(db: Database) -> MakeUser:
    """``make_user(Role.HR, team_id=…)`` → a signed-in-able person holding those roles."""
    return lambda *roles, **kwargs: add_person(db, *roles, **kwargs)


@pytest.fixture
def portal_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the portal at a fresh database file and reset cached settings and databases."""
    db_path = tmp_path / "portal.duckdb"
    monkeypatch.setenv("PORTAL_DB_PATH", str(db_path))
    monkeypatch.setenv("PORTAL_DEMO_MODE", "false")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x" * 40)
    get_settings.cache_clear()
    yield db_path
    db_module.forget_database(db_path)
    get_settings.cache_clear()
