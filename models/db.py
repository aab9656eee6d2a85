"""The database: one DuckDB file, reads on per-thread connections, writes through
one writer, numbered migrations applied at start-up."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import duckdb

from models.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

T = TypeVar("T")


class WriteConflictError(RuntimeError):
    """Someone else kept changing the same record; the write was not applied."""

    def __init__(self, attempts: int):
        super().__init__(
            f"The change could not be saved: the same record was being changed by someone "
            f"else ({attempts} attempts). Nothing was lost — please try again."
        )
        self.attempts = attempts


Params = Sequence[Any] | dict[str, Any] | None


class Reader(Protocol):
    """The one read interface of the store: ``Database`` outside a write, ``ConnectionReader``
    over an open write connection. Domain queries take a ``Reader``."""

    def query(self, sql: str, params: Params = None) -> list[dict[str, Any]]: ...

    def query_one(self, sql: str, params: Params = None) -> dict[str, Any] | None: ...

    def scalar(self, sql: str, params: Params = None) -> Any: ...

    def frame(self, sql: str, params: Params = None) -> pd.DataFrame: ...


class DuplicateRecordError(InputError):
    """The store refused a row that would repeat a unique key; nothing was stored."""

    def __init__(self, detail: str):
        super().__init__([("Record", f"it exists already ({detail})")])


def portal_error(error: duckdb.Error) -> Exception:
    """A store error in the portal's terms, or the error itself when it has none: the one
    place where database errors are mapped, so that another store maps its own here."""
    if isinstance(error, duckdb.ConstraintException):
        detail = str(error).split("\n")[0]
        return DuplicateRecordError(detail.removeprefix("Constraint Error: ")[:200])
    return error


# -- private files -------------------------------------------------------------------
# The database, its write-ahead log, backups and the signing key hold personal data and
# secrets: they are readable by their owner only. DuckDB creates its files (the database,
# the WAL each time it is started afresh, the files of EXPORT DATABASE) with the process's
# umask, so opening a database makes every file the process creates from then on private.
PRIVATE_UMASK = 0o077
PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def keep_files_private() -> None:
    """From now on this process creates files and folders readable by their owner only
    (an umask already stricter than that stays as strict)."""
    previous = os.umask(PRIVATE_UMASK)
    if previous & ~PRIVATE_UMASK:
        os.umask(previous | PRIVATE_UMASK)


def make_private(path: Path) -> None:
    """Take group and other access off a file or folder this process's user owns (one made
    before files were kept private); anything else is left as it is."""
    with contextlib.suppress(OSError):
        info = path.stat()
        owner = getattr(os, "getuid", lambda: info.st_uid)()
        if info.st_uid == owner and info.st_mode & PRIVATE_UMASK:
            path.chmod(stat.S_IMODE(info.st_mode) & ~PRIVATE_UMASK)


def private_folder(path: Path) -> Path:
    """``path`` as a folder readable by its owner only, created with its parents if missing."""
    keep_files_private()
    path.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
    make_private(path)
    return path


def wal_path(path: Path) -> Path:
    """The write-ahead log DuckDB keeps beside a database file."""
    return path.with_name(path.name + ".wal")


def utc_now() -> datetime:
    """Current time in UTC without tzinfo, as DuckDB TIMESTAMP columns hold it."""
    return datetime.now(UTC).replace(tzinfo=None)


class Database:
    """A DuckDB file opened once per process.

    Readers get a connection of their own per thread; writers queue on one lock and
    run inside a transaction that is retried when DuckDB reports an update conflict.
    """

    def __init__(self, path: Path | str, *, max_write_attempts: int = 5, retry_delay: float = 0.05):
        self.path = Path(path)
        in_memory = str(path) == ":memory:"
        if not in_memory:
            private_folder(self.path.parent)  # it also holds the signing key and the backups
        self._root = duckdb.connect(str(path))
        if not in_memory:
            make_private(self.path)
            make_private(wal_path(self.path))
        self._writer = self._root.cursor()
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self.max_write_attempts = max_write_attempts
        self.retry_delay = retry_delay

    # -- reading -----------------------------------------------------------------
    def reader(self) -> duckdb.DuckDBPyConnection:
        """This thread's read connection (inside a write, the writer's own)."""
        if getattr(self._local, "writing", False):
            return self._writer
        connection = getattr(self._local, "reader", None)
        if connection is None:
            connection = self._root.cursor()
            self._local.reader = connection
        return connection

    def query(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        """Rows of a query as dictionaries keyed by column name."""
        return ConnectionReader(self.reader()).query(sql, params)

    def query_one(self, sql: str, params: Params = None) -> dict[str, Any] | None:
        return ConnectionReader(self.reader()).query_one(sql, params)

    def scalar(self, sql: str, params: Params = None) -> Any:
        return ConnectionReader(self.reader()).scalar(sql, params)

    def frame(self, sql: str, params: Params = None) -> pd.DataFrame:
        """A (small, already aggregated) result as a pandas DataFrame for display."""
        return ConnectionReader(self.reader()).frame(sql, params)

    # -- writing -----------------------------------------------------------------
    def write(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run ``work(connection)`` in one transaction through the single writer.

        An update conflict rolls back and retries a bounded number of times; when the
        attempts run out the caller gets ``WriteConflictError`` and nothing is stored.
        A write started inside another write joins the outer transaction.
        """
        with self._write_lock:
            if getattr(self._local, "writing", False):
                return work(self._writer)
            for attempt in range(1, self.max_write_attempts + 1):
                self._local.writing = True
                try:
                    self._writer.execute("BEGIN TRANSACTION")
                    result = work(self._writer)
                    self._writer.execute("COMMIT")
                    return result
                except duckdb.TransactionException:
                    self._rollback()
                    if attempt == self.max_write_attempts:
                        raise WriteConflictError(attempt) from None
                    time.sleep(self.retry_delay * attempt)
                except duckdb.ConstraintException as error:
                    self._rollback()
                    raise portal_error(error) from error
                except BaseException:
                    self._rollback()
                    raise
                finally:
                    self._local.writing = False
        raise AssertionError("unreachable")  # pragma: no cover

    def _rollback(self) -> None:
        with contextlib.suppress(duckdb.Error):  # DuckDB may have aborted it already
            self._writer.execute("ROLLBACK")

    @contextmanager
    def exclusive(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The writer connection outside a transaction, for statements such as EXPORT."""
        with self._write_lock:
            yield self._writer

    # -- schema ------------------------------------------------------------------
    def migrate(self, directory: Path = MIGRATIONS_DIR) -> list[str]:
        """Apply the numbered migrations not yet recorded; return the names applied.

        Each applied migration is recorded with the checksum of its file; a start against a
        database whose applied migration file has changed since stops with
        ``MigrationChangedError`` naming the file, before anything is applied."""
        with self._write_lock:
            self._writer.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL,"
                " checksum VARCHAR)"
            )
            # databases made before checksums were recorded take them from the files once
            self._writer.execute("ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum VARCHAR")
            migrations = list_migrations(directory)
            recorded = dict(self._writer.execute("SELECT version, checksum FROM schema_migrations").fetchall())
            for version, _name, path in migrations:
                if version in recorded and recorded[version] is not None and recorded[version] != checksum(path):
                    raise MigrationChangedError(path)
            applied: list[str] = []
            for version, name, path in migrations:
                if version in recorded:
                    if recorded[version] is None:
                        self.write(
                            lambda c, v=version, p=path: c.execute(
                                "UPDATE schema_migrations SET checksum = ? WHERE version = ?", [checksum(p), v]
                            )
                        )
                    continue
                sql = path.read_text(encoding="utf-8")

                def apply(
                    connection: duckdb.DuckDBPyConnection,
                    sql: str = sql,
                    version: int = version,
                    name: str = name,
                    path: Path = path,
                ) -> None:
                    connection.execute(sql)
                    connection.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)",
                        [version, name, utc_now(), checksum(path)],
                    )

                self.write(apply)
                applied.append(path.name)
            return applied

    def start_up(self) -> list[str]:
        """What every process that opens the file does first: apply the migrations, then run
        the areas' checks on open (``models.areas``, imported by name because the areas build
        on this module). Returns the names of the migrations applied."""
        applied = self.migrate()
        importlib.import_module("models.areas").on_open(self)
        return applied

    def close(self) -> None:
        self._root.close()


class MigrationChangedError(RuntimeError):
    """A migration already applied to this database has been edited since: the portal does
    not start, because the database no longer matches what the files describe."""

    def __init__(self, path: Path):
        super().__init__(
            f"The migration {path.name} was changed after it was applied to this database. "
            "Restore the file as it was and add the change as a new numbered migration."
        )
        self.path = path


def checksum(path: Path) -> str:
    """SHA-256 of a migration file, with line ends normalised (a checkout's CRLF is no change)."""
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def list_migrations(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, str, Path]]:
    """Migrations in the folder, ordered by number; a repeated number is an error.

    Numbers are reserved per area in advance, so a branch may lack a lower number that
    another area owns; the missing one is applied when it arrives (each is recorded)."""
    found = []
    seen: dict[int, Path] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise ValueError(f"Migration file name {path.name!r} is not NNNN_name.sql")
        version = int(match.group(1))
        if version in seen:
            raise ValueError(f"Migrations {seen[version].name} and {path.name} share the number {version:04d}")
        seen[version] = path
        found.append((version, match.group(2), path))
    return found


_databases: dict[Path, Database] = {}
_databases_lock = threading.Lock()


def get_database(path: Path | str) -> Database:
    """The process-wide database for a file, opened, migrated and checked on first use."""
    key = Path(path).resolve()
    with _databases_lock:
        database = _databases.get(key)
        if database is None:
            database = Database(key)
            database.start_up()
            _databases[key] = database
        return database


def forget_database(path: Path | str) -> None:
    """Close and drop the process-wide database for a file (tests, restore)."""
    key = Path(path).resolve()
    with _databases_lock:
        database = _databases.pop(key, None)
    if database is not None:
        database.close()


# Ids come from each table's sequence, taken before the insert (no RETURNING), so every
# store behind this seam can give them the same way.
_SEQUENCES = {
    "kpi_measurements": "seq_measurements",
    "strategic_priorities": "seq_priorities",
    "audit_log": "seq_audit",
}
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def next_id(connection: duckdb.DuckDBPyConnection, table: str) -> int:
    """A new id for a row of ``table``, from the table's own sequence."""
    return next_ids(connection, table, 1)[0]


def next_ids(connection: duckdb.DuckDBPyConnection, table: str, count: int) -> list[int]:
    """``count`` new ids for rows of ``table`` in one statement, in ascending order (bulk inserts)."""
    sequence = _SEQUENCES.get(table, f"seq_{table}")
    rows = connection.execute(f"SELECT nextval('{sequence}') AS id FROM range(?) ORDER BY id", [count]).fetchall()
    return [int(row[0]) for row in rows]


def insert_with_new_id(connection: duckdb.DuckDBPyConnection, table: str, sql: str, params: Sequence[Any]) -> int:
    """Run an INSERT whose first column and first parameter are ``id`` with a new id from
    ``next_id``; returns the id."""
    row_id = next_id(connection, table)
    connection.execute(sql, [row_id, *params])
    return row_id


def insert_row(connection: duckdb.DuckDBPyConnection, table: str, values: dict[str, Any]) -> int:
    """Insert one row with a new id from ``next_id``; returns the id."""
    for name in (table, *values):
        if not _IDENTIFIER.match(name):
            raise ValueError(f"not a table or column name: {name!r}")
    row_id = next_id(connection, table)
    columns = ", ".join(["id", *values])
    marks = ", ".join("?" for _ in range(len(values) + 1))
    connection.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", [row_id, *values.values()])
    return row_id


class ConnectionReader:
    """The read methods of ``Database`` over an open write connection (demo steps, imports)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection):
        self.connection = connection

    def query(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        cursor = self.connection.execute(sql, params or [])
        names = [column[0] for column in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def query_one(self, sql: str, params: Params = None) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Params = None) -> Any:
        row = self.connection.execute(sql, params or []).fetchone()
        return row[0] if row else None

    def frame(self, sql: str, params: Params = None) -> pd.DataFrame:
        return self.connection.execute(sql, params or []).df()
