"""A throwaway PostgreSQL server for the tests of the PostgreSQL store: started in a data
folder of its own under the test run's temporary folder, on 127.0.0.1 only, and stopped
after the tests (``scripts/ensure-postgres`` installs Debian's PostgreSQL 15 when missing).

PostgreSQL refuses to run as root; as root the server runs in a user namespace of its own
under the postgres user's id, so its files stay the test run's (root's) and need no other
permission."""

from __future__ import annotations

import collections
import contextlib
import itertools
import os
import queue
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from models import postgres as postgres_store
from models.pg_move import copy_rows
from models.postgres import PostgresDatabase, connect_with_extension
from scripts.cluster import as_postgres_user

POSTGRES_BIN = Path(os.environ.get("PORTAL_TEST_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
USER = "portal"
TEMPLATE = "portal_migrated"
# copies of a template made ahead, while the tests run: a test takes one ready instead of waiting
SPARE_COPIES = 1
_names = itertools.count(1)


def psql_rows(url: str, sql: str) -> list[list[str]]:
    """Rows of ``sql`` run by ``psql`` on a connection of its own (outside the portal's store)."""
    done = subprocess.run(  # noqa: S603
        [str(POSTGRES_BIN / "psql"), "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return [line.split("\t") for line in done.stdout.splitlines() if line]


def _as_server_user() -> list[str]:
    """The prefix that runs a PostgreSQL program as a user PostgreSQL accepts (the cluster's)."""
    try:
        return as_postgres_user()
    except RuntimeError as missing:
        pytest.skip(str(missing))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """One PostgreSQL server of the test run; ``new_database()`` gives each test its own."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = _free_port()
        self._prefix = _as_server_user()
        self._template_ready = False
        self._dropping: list[subprocess.Popen] = []  # databases being dropped meanwhile
        self._spares = SpareCopies(self)

    def _run(self, *command: str) -> None:
        subprocess.run([*self._prefix, *command], check=True, capture_output=True, cwd=self.folder, timeout=120)

    def start(self) -> None:
        if not (POSTGRES_BIN / "initdb").is_file():
            pytest.fail(f"PostgreSQL 15 is not installed ({POSTGRES_BIN}): run scripts/ensure-postgres")
        self._run(
            str(POSTGRES_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories=''"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(POSTGRES_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        self._spares.stop()
        for drop in self._dropping:
            with contextlib.suppress(subprocess.SubprocessError):
                drop.wait(timeout=60)
        with contextlib.suppress(subprocess.SubprocessError):
            self._run(str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, name: str) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{name}"

    def _psql(self, statement: str, database: str = "postgres") -> list[str]:
        return [
            str(POSTGRES_BIN / "psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            self.url(database),
            "-c",
            statement,
        ]

    def sql(self, statement: str, database: str = "postgres") -> None:
        """Run a statement that may not run in a transaction (CREATE DATABASE)."""
        subprocess.run(self._psql(statement, database), check=True, capture_output=True, timeout=120)

    def new_database(self, *, migrated: bool = False, template: str | None = None, name: str | None = None) -> str:
        """The URL of a new empty database, or with ``migrated`` one holding the migrated schema
        (a copy of a template migrated once per run), or a copy of another ``template`` database
        (PostgreSQL copies it at file level; nobody may be connected to it meanwhile), named
        ``name`` if given (no database may have that name). A copy is one made ahead when there
        is one ready (each is handed out once: no test sees another's rows); the next is ordered."""
        if migrated:
            template = self.migrated_template()
        if template is None:
            made = new_name()
            self.sql(f"CREATE DATABASE {made}")
        else:
            made = self._spares.take(template) or self.copy(template)
            self._spares.order(template)
        if name is not None and name != made:
            self.sql(f"ALTER DATABASE {made} RENAME TO {name}")
            made = name
        return self.url(made)

    def copy(self, template: str, name: str | None = None) -> str:
        """Copy ``template`` to a new database (``name``, or a new one) and return its name.

        FILE_COPY copies the template's files as they are; WAL_LOG, PostgreSQL 15's default,
        writes every block of the copy to the WAL too, which costs more for a test's small
        database (the server keeps no WAL worth the cost: it is thrown away)."""
        name = name or new_name()
        self.sql(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        return name

    def migrated_template(self) -> str:
        """The name of the database holding the migrated schema, migrated on first use."""
        if not self._template_ready:
            self.sql(f"CREATE DATABASE {TEMPLATE}")
            template = PostgresDatabase(self.url(TEMPLATE), self.folder / "template" / "portal.duckdb")
            template.start_up()
            template.close()  # a template is copied only while nobody is connected to it
            self._template_ready = True
        return TEMPLATE

    def load_duckdb_file(self, url: str, path: Path) -> None:
        """Replace the rows of the migrated database at ``url`` with those of the DuckDB file at
        ``path`` (migrated alike), table for table, and its sequences' positions, in one
        transaction; the migrations' own record stays."""
        copy_rows(url, path, check_empty=False)  # the template holds what opening it adds

    def drop_database(self, url: str, *, wait: bool = True) -> None:
        """Drop a database of this server (a test's, when the test is done), whoever is still
        connected to it; without ``wait`` while the next test runs (``stop`` waits for it)."""
        name = url.rsplit("/", 1)[-1]
        statement = f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        if wait:
            self.sql(statement)
            return
        self._dropping = [drop for drop in self._dropping if drop.poll() is None]
        self._dropping.append(subprocess.Popen(self._psql(statement), stdout=subprocess.DEVNULL))


def new_name() -> str:
    """A database name no other database of this run has (test processes share nothing)."""
    return f"test_{os.getpid()}_{next(_names)}"


class SpareCopies:
    """Copies of templates made ahead by a thread of their own while the tests run: a test's
    ``CREATE DATABASE … TEMPLATE`` then costs it nothing but taking one. Each copy is made
    fresh from the template and handed out once. A template gets spares once a test has asked
    for a copy of it, and one more each time a spare is taken."""

    def __init__(self, server: PostgresServer):
        self.server = server
        self._orders: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._changed = threading.Condition()
        self._ready: dict[str, list[str]] = collections.defaultdict(list)  # template: copies made
        self._making: collections.Counter[str] = collections.Counter()  # template: copies ordered
        self._thread: threading.Thread | None = None

    def order(self, template: str) -> None:
        """Have copies of ``template`` made until ``SPARE_COPIES`` are ready or being made."""
        with self._changed:
            wanted = SPARE_COPIES - len(self._ready[template]) - self._making[template]
            if wanted <= 0:
                return
            self._making[template] += wanted
            if self._thread is None:
                self._thread = threading.Thread(target=self._make, name="spare-databases", daemon=True)
                self._thread.start()
        for _ in range(wanted):
            self._orders.put(template)

    def take(self, template: str) -> str | None:
        """The name of a copy of ``template`` made ahead, waiting a while for one being made;
        None: none ready (the caller makes its own)."""
        with self._changed:
            self._changed.wait_for(lambda: self._ready[template] or not self._making[template], timeout=60)
            return self._ready[template].pop(0) if self._ready[template] else None

    def _make(self) -> None:
        while (template := self._orders.get()) is not None:
            try:
                name = self.server.copy(template)
            except Exception:  # noqa: BLE001 - psql failed or could not start: a test that asks makes its own copy
                name = None
            with self._changed:
                self._making[template] -= 1
                if name is not None:
                    self._ready[template].append(name)
                self._changed.notify_all()

    def stop(self) -> None:
        """Stop making copies (those made go with the server)."""
        if self._thread is not None:
            self._orders.put(None)
            self._thread.join(timeout=120)


class LoadedExtensions:
    """In-memory DuckDBs with the postgres extension loaded, made ahead by a thread of their
    own: loading the extension is most of what opening a PostgreSQL database costs a test,
    and each opening still gets a DuckDB nobody used (``models.postgres.connect_with_extension``)."""

    def __init__(self, ahead: int = 2):
        self._ready: queue.Queue[duckdb.DuckDBPyConnection] = queue.Queue()
        self._orders: queue.SimpleQueue[bool] = queue.SimpleQueue()
        for _ in range(ahead):
            self._orders.put(True)
        threading.Thread(target=self._make, name="loaded-extensions", daemon=True).start()

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB with the extension loaded: one made ahead, or a new one when none is ready."""
        try:
            connection = self._ready.get_nowait()
        except queue.Empty:
            connection = connect_with_extension()
        self._orders.put(True)
        return connection

    def _make(self) -> None:
        while self._orders.get():
            with contextlib.suppress(Exception):  # an opening that finds none ready loads its own
                self._ready.put(connect_with_extension())


def load_extensions_ahead() -> None:
    """Every opening of a PostgreSQL database in this test process takes a DuckDB made ahead."""
    if postgres_store.connect_with_extension is connect_with_extension:
        postgres_store.connect_with_extension = LoadedExtensions().connect


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """This test process's PostgreSQL server, started on first use and stopped at the end."""
    server = PostgresServer(tmp_path_factory.mktemp("postgres"))
    server.start()
    load_extensions_ahead()
    try:
        yield server
    finally:
        server.stop()
