"""The database: one DuckDB file, reads on per-thread connections, writes through
one writer, numbered migrations applied at start-up."""

from __future__ import annotations

import contextlib
import re
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
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._root = duckdb.connect(str(path))
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
        """Apply the numbered migrations not yet recorded; return the names applied."""
        with self._write_lock:
            self._writer.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
            done = {row[0] for row in self._writer.execute("SELECT version FROM schema_migrations").fetchall()}
            applied: list[str] = []
            for version, name, path in list_migrations(directory):
                if version in done:
                    continue
                sql = path.read_text(encoding="utf-8")

                def apply(connection, sql=sql, version=version, name=name):
                    connection.execute(sql)
                    connection.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, utc_now()])

                self.write(apply)
                applied.append(path.name)
            return applied

    def close(self) -> None:
        self._root.close()


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
    """The process-wide database for a file, opened and migrated on first use."""
    key = Path(path).resolve()
    with _databases_lock:
        database = _databases.get(key)
        if database is None:
            database = Database(key)
            database.migrate()
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
    sequence = _SEQUENCES.get(table, f"seq_{table}")
    return int(connection.execute(f"SELECT nextval('{sequence}')").fetchone()[0])


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
