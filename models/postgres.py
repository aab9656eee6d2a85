"""The store on PostgreSQL: several portal servers share one PostgreSQL database through
DuckDB's postgres extension; the domain's SQL still runs in DuckDB, on PostgreSQL's tables.

``models.db.open_database`` makes a ``PostgresDatabase`` when ``PORTAL_DATABASE_URL`` is set;
nothing else in the portal knows which store it runs on. What differs from the DuckDB file,
all of it here:

- **The extension** loads offline from the pip package ``duckdb-extension-postgres``: it is
  installed once into a folder of this user's own and loaded from there.
- **Every connection** — the writer and each thread's reader — says ``USE pg``: DuckDB keeps
  the database in use per connection.
- **DDL** runs natively in PostgreSQL (``postgres_execute``): the numbered migrations are
  translated by the rules in ``TRANSLATIONS`` (one place), or replaced by a native twin in
  ``migrations/postgres/`` where a rule cannot say it. Sequences and ``nextval`` defaults are
  PostgreSQL's own, so ids are taken from them natively (``_take_ids``).
- **Migrations** are serialised across servers by a PostgreSQL advisory lock, so two servers
  starting at once apply each migration once.
- **Errors** arrive as plain ``duckdb.Error`` with PostgreSQL's text: a serialization failure
  or a deadlock becomes ``duckdb.TransactionException`` (retried, then ``WriteConflictError``),
  a violated constraint ``duckdb.ConstraintException`` (the portal's input error), exactly as
  the DuckDB file reports them.
- **Reads** run each in a transaction of its own, committed as soon as the result is taken, so
  no connection stays "idle in transaction" after a page; a read or write whose connection was
  lost (a restore with ``--force``, a restarting server) runs again a bounded number of times,
  then says plainly that the database could not be reached (``StoreUnavailableError``).
- **Analyses** of the large tables (complaints, survey answers) read a copy each server keeps
  in DuckDB and brings up to date before each cached analysis (``models.postgres_mirror``),
  taken first in the background once the server has started (``warm_up``).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import duckdb

from models.db import (
    MIGRATIONS_DIR,
    VERSIONS_TABLE,
    ConnectionReader,
    Database,
    DuplicateRecordError,
    StoreUnavailableError,
    T,
    changed_tables,
    check_unchanged,
    checksum,
    list_migrations,
    private_folder,
    utc_now,
)
from models.postgres_mirror import MIRRORED_BY_NAME, AnalysisMirror

ATTACHED_AS = "pg"
EXTENSION_PACKAGE = "duckdb_extension_postgres"
NATIVE_TWINS_DIR = MIGRATIONS_DIR / "postgres"
# advisory lock key of "the portal's migrations" (any constant no other lock of the database uses)
MIGRATION_LOCK = 0x5C_0D_B0_01
ON_OPEN_ATTEMPTS = 3
READ_ATTEMPTS = 4  # a read whose connection was lost: the pool reconnects, the read runs again

# -- the extension ---------------------------------------------------------------------------
_install_lock = threading.Lock()
_installed_in: set[Path] = set()


def extension_file() -> Path:
    """The postgres extension shipped by the pip package for this DuckDB version."""
    spec = importlib.util.find_spec(EXTENSION_PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(
            f"PORTAL_DATABASE_URL needs the pip package duckdb-extension-postgres=={duckdb.__version__}"
            " (requirements.txt): install the requirements again."
        )
    path = Path(spec.origin).parent / "extensions" / f"v{duckdb.__version__}" / "postgres.duckdb_extension"
    if not path.is_file():
        raise RuntimeError(f"duckdb-extension-postgres does not ship DuckDB {duckdb.__version__}'s extension")
    return path


def extension_directory() -> Path:
    """Where DuckDB keeps the installed extension: a folder of this user's own, not the shared
    ~/.duckdb (nothing is ever downloaded into it)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "service-culture-portal" / "duckdb-extensions"


def connect_with_extension() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the postgres extension loaded, installed from the pip package
    on first use in this process."""
    directory = extension_directory()
    connection = duckdb.connect(
        config={
            "extension_directory": str(directory),
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        }
    )
    with _install_lock:
        if directory not in _installed_in:
            private_folder(directory)
            connection.execute(f"INSTALL {sql_literal(str(extension_file()))}")
            _installed_in.add(directory)
    connection.execute("LOAD postgres")
    return connection


def _rolled_back(connection: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):  # DuckDB may have ended it already
        connection.execute("ROLLBACK")


def sql_literal(text: str) -> str:
    """``text`` as a DuckDB (and PostgreSQL) string literal."""
    return "'" + text.replace("'", "''") + "'"


def native_rows(connection: duckdb.DuckDBPyConnection, sql: str, catalog: str = ATTACHED_AS) -> list[tuple]:
    """The rows of ``sql`` (one query) run in PostgreSQL itself, on the database attached as
    ``catalog``, in the connection's transaction: what DuckDB's catalogue of it does not see."""
    return connection.execute(f"SELECT * FROM postgres_query('{catalog}', {sql_literal(sql)})").fetchall()


def run_natively(connection: duckdb.DuckDBPyConnection, sql: str, catalog: str = ATTACHED_AS) -> None:
    """Run ``sql`` (one or more statements) in PostgreSQL itself, on the database attached as
    ``catalog``, in the connection's transaction."""
    connection.execute(f"CALL postgres_execute('{catalog}', {sql_literal(sql)})")


def _text_array(values: Sequence[str]) -> str:
    """``values`` as a PostgreSQL text array literal."""
    return "ARRAY[" + ", ".join(sql_literal(value) for value in values) + "]::TEXT[]"


# -- DDL: the one place where the numbered migrations are translated for PostgreSQL ----------
# (pattern, replacement, why); applied in order to every migration without a native twin.
TRANSLATIONS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(r"\bUHUGEINT\b", re.IGNORECASE),
        "TEXT",
        "PostgreSQL has no unsigned 128-bit integer, and NUMERIC(39) reads back through the extension as"
        " DOUBLE: text keeps every digit, and DuckDB compares it with a UHUGEINT exactly",
    ),
    (re.compile(r"\bDOUBLE\b(?!\s+PRECISION)", re.IGNORECASE), "DOUBLE PRECISION", "PostgreSQL's name"),
    (re.compile(r"\bBLOB\b", re.IGNORECASE), "BYTEA", "PostgreSQL's name"),
)


def translate_ddl(sql: str) -> str:
    """A migration written for DuckDB as PostgreSQL runs it (``TRANSLATIONS``)."""
    for pattern, replacement, _why in TRANSLATIONS:
        sql = pattern.sub(replacement, sql)
    return sql


def migration_sql(path: Path) -> str:
    """What PostgreSQL runs for a numbered migration: its native twin when there is one, else
    the file translated."""
    twin = NATIVE_TWINS_DIR / path.name
    if twin.is_file():
        return twin.read_text(encoding="utf-8")
    return translate_ddl(path.read_text(encoding="utf-8"))


# -- errors ----------------------------------------------------------------------------------
# PostgreSQL's messages (the extension passes neither SQLSTATE nor class): 40001, 40P01
_CONFLICT = re.compile(r"could not serialize access|deadlock detected", re.IGNORECASE)
# 23505 unique_violation, with its DETAIL "Key (name)=(value) already exists."
_DUPLICATE = re.compile(r'duplicate key value violates unique constraint "([^"]+)"', re.IGNORECASE)
_DUPLICATE_KEY = re.compile(r"Key \((.*?)\)=\((.*?)\) already exists", re.DOTALL)
# 23502, 23514, 23503: the other integrity violations DuckDB reports as ConstraintException
_VIOLATION = re.compile(
    r"violates (?:not-null|check|foreign key|exclusion) constraint|null value in column", re.IGNORECASE
)


# libpq's and PostgreSQL's words for a connection that broke or could not be made (a server
# restarting, a restore that ended the other sessions, a network gone)
_CONNECTION_LOST = re.compile(
    r"server closed the connection unexpectedly|terminating connection due to|no connection to the server"
    r"|could not (?:receive data from|send data to|connect to) server|Unable to connect to Postgres"
    r"|connection to server .* failed|SSL SYSCALL error|SSL connection has been closed unexpectedly"
    r"|the database system is (?:shutting down|starting up|in recovery mode)|connection (?:is|was|already) closed",
    re.IGNORECASE,
)


def connection_lost(error: duckdb.Error) -> bool:
    """Whether PostgreSQL's connection broke or could not be made: the statement did not run to
    its end (PostgreSQL rolls back the transaction of a lost connection) and may run again."""
    return bool(_CONNECTION_LOST.search(str(error)))


def postgres_message(error: duckdb.Error) -> str:
    """PostgreSQL's own first line of an error, without the extension's wrapping (the failing
    query, COPY's row context)."""
    text = str(error)
    text = text.split("ERROR:", 1)[1] if "ERROR:" in text else text
    return text.strip().split("\n")[0].strip()


def in_store_terms(error: duckdb.Error) -> duckdb.Error | None:
    """The DuckDB exception the portal handles for an error PostgreSQL reported, or None when it
    is none of those."""
    if isinstance(error, (duckdb.TransactionException, duckdb.ConstraintException)):
        return None
    text = str(error)
    if _CONFLICT.search(text):
        return duckdb.TransactionException(f"Conflict on PostgreSQL: {postgres_message(error)}")
    duplicate = _DUPLICATE.search(text)
    if duplicate:
        key = _DUPLICATE_KEY.search(text)
        what = f"{key.group(1)}: {key.group(2)}" if key else duplicate.group(1)
        return duckdb.ConstraintException(f'Duplicate key "{what}" violates unique constraint')
    if _VIOLATION.search(text):
        return duckdb.ConstraintException(postgres_message(error))
    return None


# -- the database ------------------------------------------------------------------------------
class PostgresDatabase(Database):
    """The portal's database in PostgreSQL at ``url``; ``path`` is where this server keeps its
    own files (the survey key, backups), as the DuckDB file's folder does."""

    def __init__(self, url: str, path: Path | str, **options: object):
        self.url = url
        # the name under which this server moves the versions of what it writes (migration 0027)
        self.server_name = secrets.token_hex(8)
        self._versions_by_server: bool | None = None  # asked once, and again after a migration
        super().__init__(path, **options)  # type: ignore[arg-type]
        self.analysis_mirror = AnalysisMirror(self, self._root, ATTACHED_AS)

    def reader(self) -> duckdb.DuckDBPyConnection:
        """Inside a cached analysis of copied tables, the reader of ``models.postgres_mirror``."""
        analysing = None if self.in_write() else self.analysis_mirror.reader()
        return super().reader() if analysing is None else analysing

    def reading_for_analysis(self, tables: Sequence[str]) -> AbstractContextManager[None]:
        return self.analysis_mirror.reading(tables)

    def _connection_lost(self, error: duckdb.Error) -> bool:
        return connection_lost(error)

    def _read(self, read: Callable[[ConnectionReader], T]) -> T:
        """Each read in a transaction of its own, committed as soon as its result is taken: the
        extension's PostgreSQL transaction would otherwise stay open ("idle in transaction",
        holding its snapshot and locks against migrations, VACUUM and restores) until this
        thread's next statement whenever a result is not fetched to its end (``scalar``). A read
        whose connection was lost (its pool reconnects) is tried again a bounded number of times."""
        if self.in_write():
            return super()._read(read)
        reopened = False
        for attempt in range(1, READ_ATTEMPTS + 1):
            generation = self._generation
            reader = self.reader()
            control = getattr(reader, "_connection", reader)  # transaction control is not counted
            try:
                control.execute("BEGIN TRANSACTION")
                try:
                    result = read(ConnectionReader(reader))
                    control.execute("COMMIT")
                except BaseException:
                    _rolled_back(control)
                    raise
                return result
            except duckdb.Error as error:
                if not reopened and isinstance(error, (duckdb.FatalException, duckdb.ConnectionException)):
                    if not self._reopened_after(error, generation):
                        raise
                    reopened = True
                    continue
                if not connection_lost(error):
                    raise
                if attempt == READ_ATTEMPTS:
                    raise StoreUnavailableError(attempt) from error
                time.sleep(self.retry_delay * attempt)
        raise StoreUnavailableError(READ_ATTEMPTS)  # the last attempt opened the database again

    def _open(self) -> duckdb.DuckDBPyConnection:
        root = connect_with_extension()
        root.execute(f"ATTACH {sql_literal(self.url)} AS {ATTACHED_AS} (TYPE postgres)")
        return self._prepared(root)

    def _prepared(self, connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        connection.execute(f"USE {ATTACHED_AS}")
        return connection

    def _raise_in_store_terms(self, error: duckdb.Error) -> None:
        translated = in_store_terms(error)
        if translated is not None:
            raise translated from error

    def _move_versions(self, connection: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
        """Natively (the extension's ON CONFLICT is not PostgreSQL's, and two servers changing a
        table for the first time at once would both insert its row), in this server's own rows:
        two servers writing one table update different rows. The copied tables' versions stay
        in the shared row, which keeps their writers serialised (``models.postgres_mirror``)."""
        if self._versions_by_server is None:
            self._versions_by_server = self._has_server_column(connection)
        if self._versions_by_server:
            servers = ["" if name in MIRRORED_BY_NAME else self.server_name for name in tables]
            native = (
                f"INSERT INTO {VERSIONS_TABLE} (table_name, server, version)"
                f" SELECT unnest({_text_array(tables)}), unnest({_text_array(servers)}), 1"
                f" ON CONFLICT (table_name, server) DO UPDATE SET version = {VERSIONS_TABLE}.version + 1"
            )
        else:  # before migration 0027: one row per table
            native = (
                f"INSERT INTO {VERSIONS_TABLE} (table_name, version) SELECT unnest({_text_array(tables)}), 1"
                f" ON CONFLICT (table_name) DO UPDATE SET version = {VERSIONS_TABLE}.version + 1"
            )
        self.execute_natively(connection, native)

    def _has_server_column(self, connection: duckdb.DuckDBPyConnection) -> bool:
        native = (
            "SELECT count(*) AS found FROM information_schema.columns WHERE table_schema = current_schema()"
            f" AND table_name = {sql_literal(VERSIONS_TABLE)} AND column_name = 'server'"
        )
        return bool(self.query_natively(connection, native)[0][0])

    def fold_versions(self) -> None:
        """Fold the version rows of every other server into the shared rows, keeping each
        table's sum: what a server that stopped left behind does not pile up. A server still
        running goes on in a new row of its own; its sum, and every other, only grows."""
        native = (
            f"WITH folded AS (DELETE FROM {VERSIONS_TABLE} WHERE server NOT IN ('', {sql_literal(self.server_name)})"
            " RETURNING table_name, version)"
            f" INSERT INTO {VERSIONS_TABLE} (table_name, server, version)"
            " SELECT table_name, '', sum(version) FROM folded GROUP BY table_name"
            f" ON CONFLICT (table_name, server) DO UPDATE SET version = {VERSIONS_TABLE}.version + excluded.version"
        )
        if self._versions_by_server or self._has_server_column(self._writer):
            self.write(lambda connection: self.execute_natively(connection, native))

    def _take_ids(self, connection: duckdb.DuckDBPyConnection, sequence: str, count: int) -> list[int]:
        # DuckDB does not see PostgreSQL's sequences: nextval runs there (sequence is checked
        # to be a plain name by next_ids; count is an int)
        native = f"SELECT nextval('{sequence}') AS id FROM generate_series(1, {int(count)}) ORDER BY id"
        return sorted(int(row[0]) for row in self.query_natively(connection, native))

    @staticmethod
    def query_natively(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
        """The rows of ``sql`` (one query) run in PostgreSQL itself, in the connection's
        transaction: what DuckDB's catalogue of the attached database does not see."""
        return native_rows(connection, sql)

    def execute_natively(self, connection: duckdb.DuckDBPyConnection, sql: str) -> None:
        """Run ``sql`` (one or more statements) in PostgreSQL itself, in the connection's
        transaction."""
        run_natively(connection, sql)

    def _versions_table_made(self, connection: duckdb.DuckDBPyConnection) -> bool:
        """Whether PostgreSQL holds the version table, asked natively: DuckDB's cached catalogue of
        the attached database does not see a table a migration made until the cache is cleared,
        and the versions of what the later migrations change would not move."""
        native = f"SELECT to_regclass({sql_literal(VERSIONS_TABLE)}) IS NOT NULL AS made"
        return bool(self.query_natively(connection, native)[0][0])

    def _hold_migration_lock(self, connection: duckdb.DuckDBPyConnection) -> None:
        """Wait for the migration lock, held until this transaction ends. The transaction reads
        committed data statement by statement, so after the wait it sees what the server that
        held the lock committed (a repeatable-read snapshot would predate it)."""
        self.execute_natively(connection, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        self.query_natively(connection, f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK}) AS held")

    def migrate(self, directory: Path = MIGRATIONS_DIR) -> list[str]:
        """The numbered migrations not yet recorded, applied in PostgreSQL (``migration_sql``)
        each in a transaction of its own under the migration lock, and recorded with the
        checksum of the numbered file; returns the names this server applied."""
        with self._write_lock:

            def create_record_table(connection: duckdb.DuckDBPyConnection) -> None:
                self._hold_migration_lock(connection)
                self.execute_natively(
                    connection,
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                    " name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL, checksum TEXT)",
                )

            self.write(create_record_table)
            migrations = list_migrations(directory)
            recorded = dict(self._writer.execute("SELECT version, checksum FROM schema_migrations").fetchall())
            check_unchanged(migrations, recorded)
            applied: list[str] = []
            for version, name, path in migrations:
                if version in recorded:
                    continue

                def apply(
                    connection: duckdb.DuckDBPyConnection, version: int = version, name: str = name, path: Path = path
                ) -> bool:
                    self._hold_migration_lock(connection)
                    self._versions_by_server = None  # another server may have changed the version table
                    if connection.execute(
                        "SELECT count(*) FROM schema_migrations WHERE version = ?", [version]
                    ).fetchone()[0]:
                        return False  # another server applied it while this one waited
                    sql = migration_sql(path)
                    self.execute_natively(connection, sql)
                    self._versions_by_server = None  # the version table may have changed
                    self._changed.update(changed_tables(sql))
                    self._versions_kept = self._versions_kept or self._versions_table_made(connection)
                    connection.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)",
                        [version, name, utc_now(), checksum(path)],
                    )
                    return True

                if self.write(apply):
                    applied.append(path.name)
            self._writer.execute("CALL pg_clear_cache()")  # tables another server created meanwhile
            self._versions_by_server = None
            return applied

    def warm_up(self) -> None:
        """The analysis copies taken in the background (``AnalysisMirror.warm_up``)."""
        self.analysis_mirror.warm_up()

    def close(self) -> None:
        self.analysis_mirror.stop()
        super().close()

    def _reopened(self) -> None:
        """The copies lived in the DuckDB opened again: they are taken anew, in the new one."""
        self.analysis_mirror.stop()
        self.analysis_mirror = AnalysisMirror(self, self._root, ATTACHED_AS)

    def start_up(self) -> list[str]:
        """As on the DuckDB file; the areas' checks on open add what is missing (the default
        training catalogue…), so when another server starting at the same moment added it
        first, this one's insert is refused as a duplicate and rolled back, and the checks run
        again and find it there."""
        applied = self.migrate()
        self.fold_versions()
        on_open = importlib.import_module("models.areas").on_open
        for attempt in range(1, ON_OPEN_ATTEMPTS + 1):
            try:
                on_open(self)
                break
            except DuplicateRecordError:
                if attempt == ON_OPEN_ATTEMPTS:
                    raise
        return applied
