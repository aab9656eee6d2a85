"""Shared fixtures: a fresh database per test, the demo organisation seeded once per
session and copied for each test, people with given roles, and a clean settings/database
state for page tests.

**The store under test.** By default every database the fixtures hand out is a DuckDB file.
With ``--store postgres`` (or ``PORTAL_TEST_STORE=postgres``) they are PostgreSQL databases on
one throwaway server per test process (``tests/postgres_support.py``): each test gets a database
of its own, a file-level copy (``CREATE DATABASE … TEMPLATE``) of one migrated or seeded once,
dropped after the test. The path a fixture gives stays this server's own folder (survey key,
backups); ``database_templates.open(path)`` and ``get_database(path)`` open the database the
store keeps for it. Tests that use no store fixture are store-independent and run on the
DuckDB store only; ``@pytest.mark.duckdb_file_only(reason=…)`` says a test is about the DuckDB
file itself (its path, WAL, checkpoints, a copy of the file).
"""

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
from typing import Any

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
from models.postgres import PostgresDatabase
from models.settings import get_settings
from tests.postgres_support import PostgresServer, postgres_server  # noqa: F401 - a fixture of every test module

DUCKDB_STORE, POSTGRES_STORE = "duckdb", "postgres"
STORE_VARIABLE = "PORTAL_TEST_STORE"
# the fixtures through which a test reaches a database: a test that uses none runs on one store only
STORE_FIXTURES = {"database_templates"}

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

    def new_migrated(self, target: Path) -> None:
        """A migrated, empty database of its own at ``target`` (not opened)."""
        shutil.copyfile(self.migrated(), target)

    def url(self, target: Path) -> str | None:
        """The PostgreSQL URL of the database kept for ``target``; None: the file is the database."""
        return None

    def open(self, target: Path, **options: Any) -> Database:
        """The database made at ``target`` (``new_migrated``, ``copy_demo``), opened."""
        return Database(target, **options)

    def discard(self, database: Database) -> None:
        """Close a test's database and throw it away (here: without the checkpoint closing makes)."""
        discard(database)

    def release(self, target: Path) -> None:
        """Throw away the database kept for ``target`` once nothing has it open (a file goes with
        the test's folder)."""

    def copy_demo(
        self, target: Path, *, seed: int = 2026, scale: float = 1.0, today: date | None = None
    ) -> seeding.DemoOrganisation:
        """Copy the demo organisation for this seed, scale and day (None: today) to ``target``;
        return what seeding it created (a copy of its own)."""
        path, organisation = self.demo_file(seed=seed, scale=scale, today=today or date.today())
        shutil.copyfile(path, target)
        self._copy_survey_key(target.parent)
        return organisation

    def demo_file(self, *, seed: int, scale: float, today: date) -> tuple[Path, seeding.DemoOrganisation]:
        """The DuckDB file of the demo organisation for this seed, scale and day, seeded once per
        test run, and a copy of what seeding it returned."""

        def build(path: Path) -> seeding.DemoOrganisation:
            shutil.copyfile(self.migrated(), path)
            database = Database(path)
            organisation = demo.seed(database, seed=seed, scale=scale, today=today)
            database.close()
            return organisation

        return self._built(f"demo-{seed}-{scale}-{today.isoformat()}", build)

    def _copy_survey_key(self, folder: Path) -> None:
        """The demo's open survey holds sealed answers: its key goes with the copy, as it stays
        beside the database that sealed them. A folder that already holds a key of its own
        keeps it (the copy's sealed answers then read as a backup restored elsewhere would)."""
        key, copy = self.folder / sealing.KEY_FILE_NAME, folder / sealing.KEY_FILE_NAME
        if key.exists() and not copy.exists():
            shutil.copyfile(key, copy)
            make_private(copy)


class PostgresTemplates(DatabaseTemplates):
    """The same templates as PostgreSQL databases on this test process's server: a test's
    database is ``CREATE DATABASE … TEMPLATE`` of one migrated (or seeded) once, which PostgreSQL
    copies at file level. The path a test is given stays the folder of this server's own files;
    the database kept for it is found by ``url``."""

    def __init__(self, folder: Path, server: PostgresServer):
        super().__init__(folder)
        self.server = server
        self._urls: dict[Path, str] = {}
        self._demos: set[str] = set()  # the names of the demo templates of this server

    def _make(self, target: Path, template: str) -> None:
        """A copy of ``template`` kept for ``target``; a copy over an earlier one replaces it under
        the same name, as copying over a file keeps its path (settings may name it already)."""
        url = self.url(target)
        if url is None:
            self._urls[Path(target).resolve()] = self.server.new_database(template=template)
            return
        self.server.drop_database(url)
        self.server.new_database(template=template, name=url.rsplit("/", 1)[-1])

    def url(self, target: Path) -> str | None:
        return self._urls.get(Path(target).resolve())

    def new_migrated(self, target: Path) -> None:
        self._make(target, self.server.migrated_template())

    def open(self, target: Path, **options: Any) -> Database:
        url = self.url(target)
        if url is None:
            raise LookupError(f"no database was made for {target.name}: new_migrated or copy_demo first")
        return PostgresDatabase(url, target, **options)

    def discard(self, database: Database) -> None:
        database.close()
        self.release(database.path)

    def release(self, target: Path) -> None:
        url = self._urls.pop(Path(target).resolve(), None)
        if url is not None:
            self.server.drop_database(url, wait=False)

    def copy_demo(
        self, target: Path, *, seed: int = 2026, scale: float = 1.0, today: date | None = None
    ) -> seeding.DemoOrganisation:
        """The demo organisation seeded once (on the DuckDB file all test processes share)
        and loaded row for row into a template database of this server, copied for ``target``:
        seeding through the extension takes minutes, and test_postgres_demo shows that it gives
        the same rows."""
        today = today or date.today()
        name = f"demo_{seed}_{str(scale).replace('.', '_')}_{today:%Y%m%d}"
        file, organisation = self.demo_file(seed=seed, scale=scale, today=today)
        if name not in self._demos:
            url = self.server.new_database(migrated=True)
            self.server.load_duckdb_file(url, file)
            self.server.sql(f"ALTER DATABASE {url.rsplit('/', 1)[-1]} RENAME TO {name}")
            self._demos.add(name)
        self._make(target, name)
        self._copy_survey_key(target.parent)
        return organisation


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
def database_templates(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> DatabaseTemplates:
    run_folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # a worker's folder sits in the run's, which all workers share
        run_folder = run_folder.parent
    folder = run_folder / "templates"
    folder.mkdir(exist_ok=True)
    global _templates
    if store_under_test() == POSTGRES_STORE:
        _templates = PostgresTemplates(folder, request.getfixturevalue("postgres_server"))
    else:
        _templates = DatabaseTemplates(folder)
    return _templates


@pytest.fixture
def db(tmp_path: Path, database_templates: DatabaseTemplates) -> Iterator[Database]:
    """A fresh, migrated, empty database of this test's own."""
    path = tmp_path / "portal.duckdb"
    database_templates.new_migrated(path)
    database = database_templates.open(path)
    yield database
    database_templates.discard(database)


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
        opened.append(database_templates.open(path))
        return opened[-1], organisation

    yield open_copy
    for database in opened:
        database_templates.discard(database)


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
    """Point the portal at a fresh, migrated, empty database and reset cached settings and
    databases; the path is the database file's (on PostgreSQL: the folder of the server's own
    files, ``get_database(path)`` opens the database kept for it)."""
    db_path = tmp_path / "portal.duckdb"
    database_templates.new_migrated(db_path)
    point_the_portal_at(monkeypatch, database_templates, db_path)
    yield db_path
    close_the_portals_database(database_templates, db_path)


def point_the_portal_at(patch: pytest.MonkeyPatch, templates: DatabaseTemplates, db_path: Path) -> None:
    """The portal's settings name the database made at ``db_path`` (not in demo mode)."""
    patch.setenv("PORTAL_DB_PATH", str(db_path))
    url = templates.url(db_path)
    if url is None:
        patch.delenv("PORTAL_DATABASE_URL", raising=False)
    else:
        patch.setenv("PORTAL_DATABASE_URL", url)
    patch.setenv("PORTAL_DEMO_MODE", "false")
    patch.setenv("PORTAL_SECRET_KEY", "x" * 40)
    get_settings.cache_clear()


def close_the_portals_database(templates: DatabaseTemplates, db_path: Path) -> None:
    """Close the database the portal opened at ``db_path`` and throw it away."""
    url = templates.url(db_path)
    opened = db_module._databases.get(url or db_path.resolve())
    if opened is not None:
        skip_final_checkpoint(opened)
    db_module.forget_database(db_path, url=url)
    templates.release(db_path)
    get_settings.cache_clear()


# -- the store under test ------------------------------------------------------------------------
_templates: DatabaseTemplates | None = None  # this process's, once a test asked for them


def store_under_test() -> str:
    """``duckdb`` (the default) or ``postgres``: the store the fixtures hand out databases on."""
    return os.environ.get(STORE_VARIABLE) or DUCKDB_STORE


def open_kept(path: Path) -> Database:
    """A new opening of the database the test store made for ``path`` (as another process, a
    restarted portal or the command line opens it): the file, or the PostgreSQL database kept for it."""
    url = _kept_url(path, None)
    return PostgresDatabase(url, path) if url else Database(path)


def _kept_url(path: Path | str, url: str | None) -> str | None:
    if url is None and _templates is not None and str(path) != ":memory:":
        return _templates.url(Path(path))
    return url


_get_database, _forget_database = db_module.get_database, db_module.forget_database


def _get_store_database(path: Path | str, *, url: str | None = None) -> Database:
    """``models.db.get_database``; for a path the test store made, the database kept for it."""
    return _get_database(path, url=_kept_url(path, url))


def _forget_store_database(path: Path | str, *, url: str | None = None) -> None:
    """``models.db.forget_database``; for a path the test store made, the database kept for it."""
    _forget_database(path, url=_kept_url(path, url))


# test modules import these after this file: a test that asks for the portal's database by its
# path (``get_database(portal_env)``) gets the one the portal's settings name, on either store
db_module.get_database, db_module.forget_database = _get_store_database, _forget_store_database


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store",
        choices=(DUCKDB_STORE, POSTGRES_STORE),
        default=None,
        help=f"the store the tests' databases are on (default: ${STORE_VARIABLE} or duckdb); on postgres,"
        " tests that use no store fixture and tests of the PostgreSQL store itself are deselected",
    )


def pytest_configure(config: pytest.Config) -> None:
    store = config.getoption("--store")
    if store:
        os.environ[STORE_VARIABLE] = store  # xdist's workers and the portals the tests start see it
    if store_under_test() not in (DUCKDB_STORE, POSTGRES_STORE):
        raise pytest.UsageError(f"{STORE_VARIABLE} is {store_under_test()!r}: duckdb or postgres")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist (--dist loadgroup) the browser tests share one worker, one after another:
    each starts a portal and drives Chromium, and two at once would crowd two cores.

    On PostgreSQL the tests that reach no store fixture (nothing of theirs depends on the
    store), and those of the PostgreSQL store itself (they compare it with the DuckDB file),
    are deselected: they ran on the DuckDB store; those about the DuckDB file itself skip."""
    on_postgres = store_under_test() == POSTGRES_STORE
    kept, deselected = [], []
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.xdist_group("browser"))
        if on_postgres and (
            item.get_closest_marker("postgres") or not STORE_FIXTURES & set(getattr(item, "fixturenames", ()))
        ):
            deselected.append(item)
            continue
        file_only = item.get_closest_marker("duckdb_file_only")
        if on_postgres and file_only:
            item.add_marker(pytest.mark.skip(reason="DuckDB file only: " + file_only.kwargs.get("reason", "")))
        kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
