"""The database: one DuckDB file, reads on per-thread connections, writes through
one writer, numbered migrations applied at start-up.

Two things the rest of the portal can lean on:

**Counting statements.** Every statement run through the seam — ``Database.query``,
``query_one``, ``scalar``, ``frame``, a ``ConnectionReader``, ``.execute``, ``.executemany``,
``.sql`` and ``.append`` on the connection a write function receives or on ``db.reader()`` —
is counted while a counter is open::

    with counting() as counter:            # or db.counting(); statements of this thread
        render_the_page(db)
    counter.statements                     # how many statements ran
    counter.queries                        # their SQL text, in order

``counting(all_threads=True)`` counts the statements of every thread of the process instead:
Streamlit's ``AppTest`` runs the page script in a thread of its own, so a page benchmark
counts with it (and runs nothing else meanwhile). Counters count the statements the code
asks for; the transaction control and version bumps the seam adds are not counted, and
``executemany`` counts once. With no counter open the cost is one attribute look-up.

**Data versions.** ``data_versions`` holds a version per table. Every statement run through
``Database.write`` that changes a table (INSERT, INSERT OR REPLACE, UPDATE, DELETE, MERGE,
COPY … FROM, CREATE TABLE [AS] but not TEMP, ALTER, DROP, TRUNCATE, ``.append``) moves that table's
version by one in the same transaction, just before COMMIT; a rolled-back write moves
nothing. A change made outside a transaction (``exclusive()``, a reader connection) moves the
version both before and after the statement, so no figure computed meanwhile is remembered
under the new version. IMPORT DATABASE and a restore move every table. ``data_versions(tables)``
reads the versions in one query; ``models.cache`` keys cached aggregates by them. Changes
made through a relation object (``rel.insert_into``) or a connection the seam did not hand
out are not seen: write through ``Database.write``.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import itertools
import logging
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
from models.i18n import _, ngettext

if TYPE_CHECKING:
    import pandas as pd

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

T = TypeVar("T")
logger = logging.getLogger(__name__)


class WriteConflictError(RuntimeError):
    """Someone else kept changing the same record; the write was not applied."""

    def __init__(self, attempts: int):
        super().__init__(
            ngettext(
                "The change could not be saved: the same record was being changed by someone "
                "else ({n} attempt). Nothing was lost — please try again.",
                "The change could not be saved: the same record was being changed by someone "
                "else ({n} attempts). Nothing was lost — please try again.",
                attempts,
            )
        )
        self.attempts = attempts


class StoreUnavailableError(WriteConflictError):
    """The database could not be reached for a bounded number of attempts (a restart, a restore
    that ended this server's connections): said plainly wherever a refused write is said (hence
    a ``WriteConflictError``), with nothing of the store's own message (it may name the server
    and its password). ``maybe_saved``: the connection was lost while a change was committing."""

    def __init__(self, attempts: int, *, maybe_saved: bool = False):
        if maybe_saved:
            message = _(
                "The database stopped answering while the change was being saved: it may or may not have"
                " been saved. Please check, and try again if it is missing."
            )
        else:
            message = ngettext(
                "The database could not be reached ({n} attempt). Nothing was changed — please try again in a moment.",
                "The database could not be reached ({n} attempts). Nothing was changed — please try again in a moment.",
                attempts,
            )
        RuntimeError.__init__(self, message)
        self.attempts = attempts
        self.maybe_saved = maybe_saved


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
        super().__init__([(_("Record"), _("it exists already ({detail})", detail=detail))])


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


# -- counting statements ---------------------------------------------------------------
class StatementCounter:
    """How many statements ran while it was open, and their SQL text."""

    def __init__(self) -> None:
        self.statements = 0
        self.queries: list[str] = []

    def _add(self, sql: str) -> None:
        self.statements += 1
        self.queries.append(sql)


_thread_counters = threading.local()
_process_counters: list[StatementCounter] = []
_counters_lock = threading.Lock()


def _count(query: object) -> None:
    active = getattr(_thread_counters, "active", None)
    if active or _process_counters:
        sql = query if isinstance(query, str) else repr(query)
        for counter in active or ():
            counter._add(sql)
        if _process_counters:
            with _counters_lock:
                for counter in _process_counters:
                    counter._add(sql)


@contextmanager
def counting(*, all_threads: bool = False) -> Iterator[StatementCounter]:
    """Count the statements run through any ``Database`` of this process: those of this
    thread, or with ``all_threads`` those of every thread (a page run by ``AppTest``)."""
    counter = StatementCounter()
    if all_threads:
        with _counters_lock:
            _process_counters.append(counter)
        try:
            yield counter
        finally:
            with _counters_lock:
                _process_counters.remove(counter)
        return
    active = getattr(_thread_counters, "active", None)
    if active is None:
        active = _thread_counters.active = []
    active.append(counter)
    try:
        yield counter
    finally:
        active.remove(counter)


# -- which tables a statement changes ------------------------------------------------------
EVERY_TABLE = "*"
VERSIONS_TABLE = "data_versions"
_NAME = r'((?:"[^"]+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"[^"]+"|[A-Za-z_][\w$]*))*)'
_CHANGED_TABLE = re.compile(
    r"\b(?:INSERT\s+(?:OR\s+(?:REPLACE|IGNORE)\s+)?INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO|TRUNCATE(?:\s+TABLE)?"
    r"|CREATE\s+(?:OR\s+REPLACE\s+)?TABLE(?:\s+IF\s+NOT\s+EXISTS)?"  # a TEMP table is the connection's own
    r"|DROP\s+TABLE(?:\s+IF\s+EXISTS)?|ALTER\s+TABLE(?:\s+IF\s+EXISTS)?)\s+" + _NAME,
    re.IGNORECASE,
)
_COPIED_INTO = re.compile(r"\bCOPY\s+" + _NAME + r"\s*(?:\([^)]*\))?\s*FROM\b", re.IGNORECASE)
_IMPORT_DATABASE = re.compile(r"\bIMPORT\s+DATABASE\b", re.IGNORECASE)
_MAY_CHANGE = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE|TRUNCATE|CREATE|DROP|ALTER|COPY|IMPORT)\b", re.IGNORECASE)
_QUOTED_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)
_NOT_A_TABLE = {"set", "of", "on"}  # ON CONFLICT DO UPDATE SET; a trigger's AFTER UPDATE ON …


def changed_tables(sql: str) -> set[str]:
    """The tables a statement (or a script of statements) changes, lower case, without schema;
    ``{EVERY_TABLE}`` for IMPORT DATABASE. Errs on the side of naming too many."""
    if not _MAY_CHANGE.search(sql):
        return set()
    text = _QUOTED_OR_COMMENT.sub(" ", sql)
    if _IMPORT_DATABASE.search(text):
        return {EVERY_TABLE}
    tables = set()
    for match in (*_CHANGED_TABLE.finditer(text), *_COPIED_INTO.finditer(text)):
        name = re.split(r"\s*\.\s*", match.group(1))[-1].strip('"').lower()
        if name not in _NOT_A_TABLE:
            tables.add(name)
    tables.discard(VERSIONS_TABLE)
    return tables


# the portal's own tables: those of the database and schema in use (``main`` of the DuckDB file,
# ``public`` of PostgreSQL), never a temporary table or another attached database's
_OWN_SCHEMA = "database_name = current_database() AND schema_name = current_schema()"


def _versions_exist(connection: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        connection.execute(
            f"SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND {_OWN_SCHEMA}", [VERSIONS_TABLE]
        ).fetchone()[0]
    )


def bump_versions(
    connection: duckdb.DuckDBPyConnection,
    tables: set[str] | frozenset[str],
    *,
    table_exists: bool = False,
    store: Database | None = None,
) -> None:
    """Move the version of each of ``tables`` (every table for ``EVERY_TABLE``) by one, on
    ``connection`` of ``store`` (None: a DuckDB file), in whatever transaction it is in. Nothing
    when there is no version table yet (``table_exists``: the caller knows there is one)."""
    if not tables or not (table_exists or _versions_exist(connection)):
        return
    if EVERY_TABLE in tables:
        names = [
            row[0]
            for row in connection.execute(
                f"SELECT table_name FROM duckdb_tables() WHERE {_OWN_SCHEMA} AND NOT temporary"
            ).fetchall()
        ]
        tables = {name.lower() for name in names} | (set(tables) - {EVERY_TABLE})
    tables = sorted(set(tables) - {VERSIONS_TABLE})
    if tables:
        (store or Database)._move_versions(connection, tables)


class WatchedConnection:
    """A DuckDB connection as the seam hands it out: every statement is counted, and the
    tables it changes have their versions moved. Everything else is the connection's own."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, database: Database, *, writer: bool):
        self._connection = connection
        self._database = database
        self._writer = writer

    def _run(self, method: Callable[..., Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        _count(query)
        tables = changed_tables(query) if isinstance(query, str) else set()
        try:
            result = (
                self._changing(tables, method, query, *args, **kwargs) if tables else method(query, *args, **kwargs)
            )
        except duckdb.Error as error:
            self._database._raise_in_store_terms(error)
            raise
        return self if result is self._connection else result

    def _changing(self, tables: set[str], method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        database = self._database
        if self._writer and database.in_write():
            result = method(*args, **kwargs)
            database._changed.update(tables)
            return result
        with database._write_lock:  # outside a transaction: before and after, see the module's note
            bump_versions(self._connection, tables, store=database)
            result = method(*args, **kwargs)
            bump_versions(self._connection, tables, store=database)
            return result

    def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        return self._run(self._connection.execute, query, *args, **kwargs)

    def executemany(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        return self._run(self._connection.executemany, query, *args, **kwargs)

    def sql(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        return self._run(self._connection.sql, query, *args, **kwargs)

    def query(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        return self._run(self._connection.query, query, *args, **kwargs)

    def append(self, table_name: str, df: Any, *args: Any, **kwargs: Any) -> Any:
        _count(f"APPEND {table_name}")
        table = table_name.split(".")[-1].strip('"').lower()
        try:
            result = self._changing({table}, self._connection.append, table_name, df, *args, **kwargs)
        except duckdb.Error as error:
            self._database._raise_in_store_terms(error)
            raise
        return self if result is self._connection else result

    def cursor(self) -> WatchedConnection:
        return WatchedConnection(self._database._prepared(self._connection.cursor()), self._database, writer=False)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __enter__(self) -> WatchedConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class Database:
    """A DuckDB file opened once per process.

    Readers get a connection of their own per thread; writers queue on one lock and
    run inside a transaction that is retried when DuckDB reports an update conflict.

    Another store (``models.postgres``) is a subclass that overrides the few methods marked
    "store" below; nothing outside this seam knows which store it runs on.
    """

    def __init__(self, path: Path | str, *, max_write_attempts: int = 5, retry_delay: float = 0.05):
        self.path = Path(path)
        self._generation = 0  # moved each time the database is opened again (``_reopened_after``)
        self._connect()
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._changed: set[str] = set()  # tables the open write transaction changed
        self._versions_kept = False  # the version table exists (it is never dropped)
        self.cache_token = next(_database_tokens)  # no two databases of a process share one
        self.max_write_attempts = max_write_attempts
        self.retry_delay = retry_delay

    def _connect(self) -> None:
        self._root = self._open()
        self._writer_connection = self._prepared(self._root.cursor())
        self._writer = WatchedConnection(self._writer_connection, self, writer=True)

    def _reopened_after(self, error: duckdb.Error, generation: int) -> bool:
        """Whether the database was opened again since ``generation`` because of ``error`` (or
        of the same error met by another thread): DuckDB invalidates a database after a fatal
        error (a checkpoint that could not be written…) and refuses every statement until it is
        opened again. Reopened once per invalidation: all connections are closed (a thread's
        statement under way then fails and is tried again) and new ones made; figures remembered
        under the old opening are not served again (a new ``cache_token``)."""
        with self._write_lock:
            if self._generation != generation:
                return True  # another thread opened it again meanwhile
            if not isinstance(error, duckdb.FatalException):
                return False
            with contextlib.suppress(duckdb.Error):
                self._root.close()  # closes every cursor of it, and the invalidated database
            self._connect()
            self._generation += 1
            self.cache_token = next(_database_tokens)
            self._reopened()
            return True

    def _reopened(self) -> None:
        """Store: what else is remade once the database was opened again (here nothing)."""

    # -- the store ----------------------------------------------------------------
    def _open(self) -> duckdb.DuckDBPyConnection:
        """Store: the process's root connection (here the DuckDB file, made private)."""
        in_memory = str(self.path) == ":memory:"
        if not in_memory:
            private_folder(self.path.parent)  # it also holds the signing key and the backups
        try:
            root = duckdb.connect(str(self.path))
        except duckdb.Error as error:
            if in_memory or not _log_unreplayable_on_open(error):
                raise
            replay_log_attached(self.path)
            root = duckdb.connect(str(self.path))
        if not in_memory:
            make_private(self.path)
            make_private(wal_path(self.path))
        return root

    def _prepared(self, connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        """Store: a new cursor of the root connection made ready to use (here as it is)."""
        return connection

    def _raise_in_store_terms(self, error: duckdb.Error) -> None:
        """Store: raise ``error`` as the DuckDB exception the rest of the seam handles
        (``TransactionException``: retry; ``ConstraintException``: input error) when the store
        reports it otherwise; return to let the caller re-raise it as it is (here always)."""

    @staticmethod
    def _move_versions(connection: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
        """Store: move each table's version by one (a first change inserts it at 1)."""
        connection.execute(
            f"INSERT INTO {VERSIONS_TABLE} (table_name, version) SELECT unnest(?::VARCHAR[]), 1"
            f" ON CONFLICT (table_name) DO UPDATE SET version = {VERSIONS_TABLE}.version + 1",
            [tables],
        )

    def _take_ids(self, connection: duckdb.DuckDBPyConnection, sequence: str, count: int) -> list[int]:
        """Store: ``count`` values of ``sequence`` in ascending order."""
        return _sequence_values(connection, sequence, count)

    def _connection_lost(self, error: duckdb.Error) -> bool:
        """Store: whether ``error`` says the connection to the database was lost or could not be
        made, so that the statement never ran to its end and may be tried again (here never)."""
        return False

    def _read(self, read: Callable[[ConnectionReader], T]) -> T:
        """Store: one read of ``query``/``query_one``/``scalar``/``frame`` on this thread's reader
        (here as it is: a result left half-fetched holds nothing another process waits for),
        once more on a database opened again after a fatal error."""
        generation = self._generation
        try:
            return read(ConnectionReader(self.reader()))
        except (duckdb.FatalException, duckdb.ConnectionException) as error:
            if self.in_write() or not self._reopened_after(error, generation):
                raise
        return read(ConnectionReader(self.reader()))

    # -- reading -----------------------------------------------------------------
    def reader(self) -> duckdb.DuckDBPyConnection:
        """This thread's read connection (inside a write, the writer's own)."""
        if getattr(self._local, "writing", False):
            return self._writer
        connection = getattr(self._local, "reader", None)
        if connection is None or self._local.generation != self._generation:
            connection = WatchedConnection(self._prepared(self._root.cursor()), self, writer=False)
            self._local.reader, self._local.generation = connection, self._generation
        return connection

    @contextmanager
    def reading_for_analysis(self, tables: Sequence[str]) -> Iterator[None]:
        """Store: within, this thread's reads of ``tables`` (a cached analysis) come from where the
        store answers analyses fastest, exactly as fresh (here the file itself: nothing changes)."""
        yield

    def in_write(self) -> bool:
        """Whether this thread is inside a write transaction (reads see its uncommitted work)."""
        return getattr(self._local, "writing", False)

    def data_versions(self, tables: Sequence[str]) -> tuple[int, ...] | None:
        """The version of each table, in order (0: never changed since versions were kept), in
        one query; None before the version table exists."""
        try:
            rows = self.query(
                # a table's rows (one on the DuckDB file, one per server on PostgreSQL) add up
                f"SELECT table_name, sum(version) AS version FROM {VERSIONS_TABLE}"
                " WHERE list_contains(?, table_name) GROUP BY table_name",
                [[table.lower() for table in tables]],
            )
        except duckdb.CatalogException:
            return None
        found = {row["table_name"]: row["version"] for row in rows}
        return tuple(int(found.get(table.lower(), 0)) for table in tables)

    def counting(self, *, all_threads: bool = False) -> contextlib.AbstractContextManager[StatementCounter]:
        """``counting`` of this module (statements of every database of the process)."""
        return counting(all_threads=all_threads)

    def query(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        """Rows of a query as dictionaries keyed by column name."""
        return self._read(lambda reader: reader.query(sql, params))

    def query_one(self, sql: str, params: Params = None) -> dict[str, Any] | None:
        return self._read(lambda reader: reader.query_one(sql, params))

    def scalar(self, sql: str, params: Params = None) -> Any:
        return self._read(lambda reader: reader.scalar(sql, params))

    def frame(self, sql: str, params: Params = None) -> pd.DataFrame:
        """A (small, already aggregated) result as a pandas DataFrame for display."""
        return self._read(lambda reader: reader.frame(sql, params))

    # -- writing -----------------------------------------------------------------
    def write(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run ``work(connection)`` in one transaction through the single writer.

        An update conflict rolls back and retries a bounded number of times; when the
        attempts run out the caller gets ``WriteConflictError`` and nothing is stored. A
        connection to the store lost before the commit is retried alike (``StoreUnavailableError``
        when the attempts run out), and so, once, is a write that met a fatal error, on the
        database opened again (``_reopened_after``); during the commit neither is, since the
        change may have been saved. A write started inside another write joins the outer
        transaction.
        """
        with self._write_lock:
            if getattr(self._local, "writing", False):
                return work(self._writer)
            reopened = False
            for attempt in range(1, self.max_write_attempts + 1):
                self._local.writing = True
                self._changed = set()
                committing = False
                generation = self._generation
                try:
                    self._writer_connection.execute("BEGIN TRANSACTION")
                    result = work(self._writer)
                    self._move_changed_versions()
                    committing = True
                    self._commit()
                    return result
                except duckdb.TransactionException:
                    self._rollback()
                    if attempt == self.max_write_attempts:
                        raise WriteConflictError(attempt) from None
                    time.sleep(self.retry_delay * attempt)
                except duckdb.ConstraintException as error:
                    self._rollback()
                    raise portal_error(error) from error
                except duckdb.Error as error:
                    # a lost connection, or a database opened again (once) after a fatal error
                    reopening = not reopened and self._reopened_after(error, generation)
                    if not reopening:
                        self._rollback()
                        if not self._connection_lost(error):
                            raise
                    if committing or attempt == self.max_write_attempts:  # committing: it may be saved
                        raise StoreUnavailableError(attempt, maybe_saved=committing) from error
                    reopened = reopened or reopening
                    time.sleep(0 if reopening else self.retry_delay * attempt)
                except BaseException:
                    self._rollback()
                    raise
                finally:
                    self._local.writing = False
                    self._changed = set()
        raise AssertionError("unreachable")  # pragma: no cover

    def _move_changed_versions(self) -> None:
        """Move the versions of the tables the transaction changed, just before it commits."""
        try:
            if self._changed:
                self._versions_kept = self._versions_kept or _versions_exist(self._writer_connection)
                bump_versions(self._writer_connection, self._changed, table_exists=self._versions_kept, store=self)
        except duckdb.Error as error:
            self._raise_in_store_terms(error)
            raise

    def _commit(self) -> None:
        try:
            self._writer_connection.execute("COMMIT")
        except duckdb.Error as error:
            self._raise_in_store_terms(error)
            raise

    def _rollback(self) -> None:
        with contextlib.suppress(duckdb.Error):  # DuckDB may have aborted it already
            self._writer_connection.execute("ROLLBACK")

    @contextmanager
    def exclusive(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The writer connection outside a transaction, for statements such as EXPORT (a change
        made on it moves its tables' versions before and after the statement)."""
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
            check_unchanged(migrations, recorded)
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
            if applied:
                self._after_migrations()
            return applied

    def _after_migrations(self) -> None:
        """Store: make the migrations just applied durable beyond the log. DuckDB 1.5.5 cannot
        replay, on opening, a log holding an ALTER TABLE of a table with a ``nextval`` default
        (``replay_log_attached`` is the way back), so the file is checkpointed at once — unless
        another transaction of this process is writing, which the checkpoint would have to end:
        then the log stays, and opening replays it the other way."""
        try:
            self._writer.execute("CHECKPOINT")
        except duckdb.TransactionException:
            logger.info("Migrations applied; the checkpoint waits for other writes to end")

    def start_up(self) -> list[str]:
        """What every process that opens the file does first: apply the migrations, then run
        the areas' checks on open (``models.areas``, imported by name because the areas build
        on this module). Returns the names of the migrations applied."""
        applied = self.migrate()
        importlib.import_module("models.areas").on_open(self)
        return applied

    def warm_up(self) -> None:
        """Store: what a serving process prepares in the background once started up, without
        keeping the first page waiting (here nothing)."""

    def close(self) -> None:
        self._root.close()


class MigrationChangedError(RuntimeError):
    """A migration already applied to this database has been edited since: the portal does
    not start, because the database no longer matches what the files describe."""

    def __init__(self, path: Path):
        super().__init__(
            _(
                "The migration {file} was changed after it was applied to this database. "
                "Restore the file as it was and add the change as a new numbered migration.",
                file=path.name,
            )
        )
        self.path = path


def check_unchanged(migrations: list[tuple[int, str, Path]], recorded: dict[int, str | None]) -> None:
    """Stop with ``MigrationChangedError`` when an applied migration's file no longer has the
    checksum recorded when it was applied."""
    for version, _name, path in migrations:
        if version in recorded and recorded[version] is not None and recorded[version] != checksum(path):
            raise MigrationChangedError(path)


def checksum(path: Path) -> str:
    """SHA-256 of a migration file, with line ends normalised (a checkout's CRLF is no change)."""
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def _log_unreplayable_on_open(error: duckdb.Error) -> bool:
    """Whether opening failed on replaying the write-ahead log with the binder looking for a
    default database that is not set yet while the file is being opened (DuckDB 1.5.5)."""
    message = str(error)
    return "replaying WAL" in message and "GetDefaultDatabase" in message


def replay_log_attached(path: Path) -> None:
    """Replay the write-ahead log beside the file at ``path`` and checkpoint it into the file,
    with the file attached to an in-memory database under the name it has when opened itself.

    DuckDB 1.5.5 replays the log while the file it opens is not yet the default database, and
    an entry that binds a column default (an ALTER TABLE of a table whose id defaults to
    ``nextval``) then fails, leaving the file unopenable; attached to another database, the
    same log replays in full. Every committed change in the log is kept."""
    logger.warning("The database's log could not be replayed on opening; replaying it attached instead")
    helper = duckdb.connect()
    try:
        name = '"' + path.stem.replace('"', '""') + '"'
        helper.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS {name}")
        helper.execute(f"CHECKPOINT {name}")
    finally:
        helper.close()


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


_database_tokens = itertools.count(1)
_databases: dict[Path | str, Database] = {}
_databases_lock = threading.Lock()


def open_database(path: Path | str, *, url: str | None = None) -> Database:
    """The DuckDB file at ``path``, or with ``url`` (``postgresql://…``) that PostgreSQL
    database, whose server keeps only its own files (keys, backups) beside ``path``; not yet
    migrated (``start_up``)."""
    if url:
        return importlib.import_module("models.postgres").PostgresDatabase(url, path)
    return Database(path)


def get_database(path: Path | str, *, url: str | None = None) -> Database:
    """The process-wide database (``open_database``), opened, migrated and checked on first use,
    then warmed up in the background (``Database.warm_up``)."""
    key = url or Path(path).resolve()
    with _databases_lock:
        database = _databases.get(key)
        if database is None:
            database = open_database(key if not url else path, url=url)
            database.start_up()
            database.warm_up()
            _databases[key] = database
        return database


def forget_database(path: Path | str, *, url: str | None = None) -> None:
    """Close and drop the process-wide database for a file or URL (tests, restore)."""
    key = url or Path(path).resolve()
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
    if not _IDENTIFIER.match(sequence):
        raise ValueError(f"not a sequence name: {sequence!r}")
    if isinstance(connection, WatchedConnection):
        return connection._database._take_ids(connection, sequence, count)
    return _sequence_values(connection, sequence, count)


def _sequence_values(connection: duckdb.DuckDBPyConnection, sequence: str, count: int) -> list[int]:
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
        self._counted = isinstance(connection, WatchedConnection)  # else counted here

    def _execute(self, sql: str, params: Params) -> duckdb.DuckDBPyConnection:
        if not self._counted:
            _count(sql)
        return self.connection.execute(sql, params or [])

    def query(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        cursor = self._execute(sql, params)
        names = [column[0] for column in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def query_one(self, sql: str, params: Params = None) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Params = None) -> Any:
        row = self._execute(sql, params).fetchone()
        return row[0] if row else None

    def frame(self, sql: str, params: Params = None) -> pd.DataFrame:
        return self._execute(sql, params).df()
