"""A throwaway PostgreSQL server for the tests of the PostgreSQL store: started in a data
folder of its own under the test run's temporary folder, on 127.0.0.1 only, and stopped
after the tests (``scripts/ensure-postgres`` installs Debian's PostgreSQL 15 when missing).

PostgreSQL refuses to run as root; as root the server runs in a user namespace of its own
under the postgres user's id, so its files stay the test run's (root's) and need no other
permission."""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.pg_move import copy_rows
from models.postgres import PostgresDatabase
from scripts.cluster import as_postgres_user

POSTGRES_BIN = Path(os.environ.get("PORTAL_TEST_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
USER = "portal"
TEMPLATE = "portal_migrated"
_names = itertools.count(1)


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

    def new_database(self, *, migrated: bool = False, template: str | None = None) -> str:
        """The URL of a new empty database, or with ``migrated`` one holding the migrated schema
        (a copy of a template migrated once per run), or a copy of another ``template`` database
        (PostgreSQL copies it at file level; nobody may be connected to it meanwhile)."""
        name = f"test_{os.getpid()}_{next(_names)}"
        if migrated:
            template = self.migrated_template()
        self.sql(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return self.url(name)

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


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """This test process's PostgreSQL server, started on first use and stopped at the end."""
    server = PostgresServer(tmp_path_factory.mktemp("postgres"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
