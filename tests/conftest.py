"""Shared fixtures: a fresh database per test, the demo organisation seeded once per
session and copied for each test, people with given roles, and a clean settings/database
state for page tests."""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

from models import auth, cache, demo, seeding
from models import db as db_module
from models.access import CurrentUser, Role
from models.auth import hash_password, load_user
from models.db import Database, make_private
from models.engagement import sealing
from models.people.accounts import insert_account
from models.people.directory import EmployeeInput, insert_employee
from models.settings import get_settings
from tests.postgres_support import postgres_server  # noqa: F401 - a fixture of every test module

# argon2 is slow on purpose (about 0.1 s a hash or a check here): tests hash with argon2id at the
# cheapest parameters argon2-cffi offers for tests; test_auth checks the portal's own hasher.
PORTAL_HASHER = auth._hasher
auth._hasher = PasswordHasher.from_parameters(CHEAPEST)
auth._DUMMY_HASH = auth._hasher.hash("a password nobody has")

# every cached aggregate computed in a test checks that it reads only the tables it declares
cache.verify_reads = True

TEST_PASSWORD = "test-password-123"
_TEST_HASH = hash_password(TEST_PASSWORD)  # hashed once
_counter = itertools.count(1)


class DatabaseTemplates:
    """Database files built once per test session and copied for each test.

    Migrating or seeding a file costs far more than copying it, and a copy keeps every
    test on a database of its own. xdist's workers share the folder: the first to need a
    file builds it holding a lock on it, the others wait for the lock and then copy."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._results: dict[str, bytes] = {}  # what building each file returned, pickled

    def _built(self, name: str, build: Callable[[Path], object]) -> tuple[Path, object]:
        """The file ``name`` (built by ``build(path)`` unless it exists) and a copy of what building returned."""
        path = self.folder / f"{name}.duckdb"
        if name not in self._results:
            with (self.folder / f"{name}.lock").open("w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # released when the lock file closes
                result_file = self.folder / f"{name}.pickle"
                if not result_file.exists():
                    building = self.folder / f"{name}.building"
                    for leftover in (building, building.with_name(f"{building.name}.wal")):
                        leftover.unlink(missing_ok=True)  # what a failed attempt left
                    result = build(building)
                    building.replace(path)
                    result_file.write_bytes(pickle.dumps(result))
                self._results[name] = result_file.read_bytes()
        return path, pickle.loads(self._results[name])  # noqa: S301 - written by this run, above

    def migrated(self) -> Path:
        """A file holding the schema and what opening it adds (the default training catalogue)."""

        def build(path: Path) -> None:
            database = Database(path)
            database.start_up()
            database.close()  # closing checkpoints: the file alone is the whole database

        return self._built("migrated", build)[0]

    def copy_demo(
        self, target: Path, *, seed: int = 2026, scale: float = 1.0, today: date | None = None
    ) -> seeding.DemoOrganisation:
        """Copy the demo organisation for this seed, scale and day (None: today) to ``target``;
        return what seeding it created (a copy of its own)."""
        today = today or date.today()

        def build(path: Path) -> seeding.DemoOrganisation:
            shutil.copyfile(self.migrated(), path)
            database = Database(path)
            organisation = demo.seed(database, seed=seed, scale=scale, today=today)
            database.close()
            return organisation

        path, organisation = self._built(f"demo-{seed}-{scale}-{today.isoformat()}", build)
        shutil.copyfile(path, target)
        self._copy_survey_key(target.parent)
        return organisation

    def _copy_survey_key(self, folder: Path) -> None:
        """The demo's open survey holds sealed answers: its key goes with the copy, as it stays
        beside the database that sealed them. A folder that already holds a key of its own
        keeps it (the copy's sealed answers then read as a backup restored elsewhere would)."""
        key, copy = self.folder / sealing.KEY_FILE_NAME, folder / sealing.KEY_FILE_NAME
        if key.exists() and not copy.exists():
            shutil.copyfile(key, copy)
            make_private(copy)


def skip_final_checkpoint(database: Database) -> None:
    """Closing will not checkpoint the database: its file is thrown away with the test."""
    with contextlib.suppress(duckdb.Error), database.exclusive() as connection:  # the test may have closed it
        connection.execute("PRAGMA disable_checkpoint_on_shutdown")


def discard(database: Database) -> None:
    """Close a test's database without the checkpoint that closing makes."""
    skip_final_checkpoint(database)
    database.close()


@pytest.fixture(autouse=True)
def temporary_files_in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Temporary folders the code under test makes (and may leave, as an upload not closed
    does) sit in the test's own folder and go with it."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> DatabaseTemplates:
    run_folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # a worker's folder sits in the run's, which all workers share
        run_folder = run_folder.parent
    folder = run_folder / "templates"
    folder.mkdir(exist_ok=True)
    return DatabaseTemplates(folder)


@pytest.fixture
def db(tmp_path: Path, database_templates: DatabaseTemplates) -> Iterator[Database]:
    """A fresh, migrated, empty database of this test's own."""
    path = tmp_path / "portal.duckdb"
    shutil.copyfile(database_templates.migrated(), path)
    database = Database(path)
    yield database
    discard(database)


SeededDb = Callable[..., tuple[Database, seeding.DemoOrganisation]]


@pytest.fixture
def seeded_db(tmp_path: Path, database_templates: DatabaseTemplates) -> Iterator[SeededDb]:
    """``seeded_db(seed=2026, scale=1.0, today=None)`` → a copy of the demo organisation of its
    own, as ``demo.seed`` builds it on an empty database (``today=None`` is today), and the
    ``DemoOrganisation`` that seeding returned. Each call gives a new file."""
    opened: list[Database] = []

    def open_copy(*, seed: int = 2026, scale: float = 1.0, today: date | None = None):
        path = tmp_path / f"demo-{len(opened) + 1}" / "portal.duckdb"  # a folder each: each its survey key
        path.parent.mkdir()
        organisation = database_templates.copy_demo(path, seed=seed, scale=scale, today=today)
        opened.append(Database(path))
        return opened[-1], organisation

    yield open_copy
    for database in opened:
        discard(database)


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
def portal_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_templates: DatabaseTemplates
) -> Iterator[Path]:
    """Point the portal at a fresh, migrated, empty database file and reset cached settings
    and databases."""
    db_path = tmp_path / "portal.duckdb"
    shutil.copyfile(database_templates.migrated(), db_path)
    monkeypatch.setenv("PORTAL_DB_PATH", str(db_path))
    monkeypatch.setenv("PORTAL_DEMO_MODE", "false")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x" * 40)
    get_settings.cache_clear()
    yield db_path
    opened = db_module._databases.get(db_path.resolve())
    if opened is not None:
        skip_final_checkpoint(opened)
    db_module.forget_database(db_path)
    get_settings.cache_clear()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under xdist (--dist loadgroup) the browser tests share one worker, one after another:
    each starts a portal and drives Chromium, and two at once would crowd two cores."""
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.xdist_group("browser"))
