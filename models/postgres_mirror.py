"""Analyses stay fast on PostgreSQL: each server keeps a copy of the large tables the complaint
and survey analyses read, in an in-memory DuckDB catalog of its own (``mirror``), and brings it
up to date before every analysis that reads them, so each figure equals the one computed from
PostgreSQL at that moment.

How a copy stays exact, table by table (``MIRRORED``):

- ``data_versions`` (``models.db``) moves a table's version with every write to it, in the
  writing transaction; PostgreSQL's triggers (migration 0026's twin) also move
  ``<table>:rewritten`` when a statement updates or deletes rows of it.
- When neither moved since the copy was taken, the copy is used as it is.
- When only the version moved, the rows were appended: the rows whose id is above the copy's
  largest are added. Ids come from the table's sequence in the writing transaction, and writers
  of one table are serialised by its version row (a second concurrent writer fails to move it
  and is retried), so a row committed later always has a larger id than every row copied.
- When ``<table>:rewritten`` moved (or a table has no growing id), the table is copied again.

The marks are read before the rows, in the same transaction: a write that lands in between is
copied or seen next time, never missed, and the copier leaves no PostgreSQL transaction open.

The analysis SQL stays the same text on both stores: an analysis reader resolves the copied
tables in ``mirror`` first and every other table in PostgreSQL (``search_path``). On the DuckDB
file nothing of this exists.

What it relies on: rows of a copied table are written through ``Database.write`` (a change made
outside a transaction moves the version apart from the rows, and an append could then be taken
for complete while an older id was still to commit); a column added by a migration reaches the
copy when its server restarts (an append that no longer fits takes the table again).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from models.db import StoreUnavailableError

if TYPE_CHECKING:
    from models.db import Database

MIRROR_CATALOG = "mirror"
COPY_ATTEMPTS = 4
STOP_WAIT = 30.0  # seconds a closing server waits for an interrupted copy to end
_log = logging.getLogger(__name__)
REWRITTEN = ":rewritten"


@dataclass(frozen=True)
class MirroredTable:
    """A table copied for the analyses: ``growing_id`` names the column whose new rows only ever
    take larger values (None: copied again on every change); ``left_out`` the columns no cached
    analysis reads (a query that names one on the copy fails, loudly)."""

    name: str
    growing_id: str | None = "id"
    left_out: tuple[str, ...] = ()


MIRRORED: tuple[MirroredTable, ...] = (
    MirroredTable("complaints", left_out=("narrative",)),  # the drill-down reads narratives in PostgreSQL
    MirroredTable("customer_survey_answers"),
    MirroredTable("survey_answers", growing_id=None),  # random ids; a survey's answers arrive at once
)
MIRRORED_BY_NAME = {table.name: table for table in MIRRORED}


@dataclass(frozen=True)
class CopyMarks:
    """What a copy was taken at: the table's version, its rewrites and its largest id."""

    version: int
    rewritten: int
    largest_id: int | None = None


class AnalysisMirror:
    """One server's copies of ``MIRRORED`` beside PostgreSQL (attached as ``attached_as``) in
    ``root``'s DuckDB, and the analysis reader connections that read them."""

    def __init__(self, database: Database, root: duckdb.DuckDBPyConnection, attached_as: str):
        self._database = database
        self._attached_as = attached_as
        root.execute(f"ATTACH ':memory:' AS {MIRROR_CATALOG}")  # compressed, appends took 7 times as long
        self._copier = root.cursor()
        self._copier.execute(f"USE {attached_as}")
        self._root = root
        self._lock = threading.Lock()  # one copy at a time; readers never wait on it
        self._marks: dict[str, CopyMarks] = {}
        self._local = threading.local()
        self._stopping = threading.Event()
        self._warming: threading.Thread | None = None
        self.copies_taken = 0  # whole tables copied (tests, benchmark)
        self.appends = 0

    # -- reading ----------------------------------------------------------------------------
    def search_path(self) -> str:
        return f"{MIRROR_CATALOG}.main,{self._attached_as}.public"

    def reader(self) -> duckdb.DuckDBPyConnection | None:
        """This thread's analysis reader while an analysis of copied tables runs, else None."""
        if not getattr(self._local, "depth", 0):
            return None
        connection = getattr(self._local, "reader", None)
        if connection is None:
            from models.db import WatchedConnection

            cursor = self._root.cursor()
            cursor.execute(f"USE {self._attached_as}")
            cursor.execute(f"SET search_path = '{self.search_path()}'")
            connection = self._local.reader = WatchedConnection(cursor, self._database, writer=False)
        return connection

    @contextmanager
    def reading(self, tables: Sequence[str]) -> Iterator[None]:
        """Within, this thread's reads go to the analysis reader, with the copies of ``tables``
        brought up to date first; tables not copied are read as they are. Each statement reads
        as of its own start, as the other readers do (an analysis nested in another brings its
        own tables up to date and is keyed by versions read outside any transaction)."""
        copied = [
            MIRRORED_BY_NAME[name] for name in dict.fromkeys(t.lower() for t in tables) if name in MIRRORED_BY_NAME
        ]
        if not copied:
            yield
            return
        self.bring_up_to_date(copied)
        self._local.depth = getattr(self._local, "depth", 0) + 1
        try:
            yield
        finally:
            self._local.depth -= 1

    # -- warming up ---------------------------------------------------------------------------
    def warm_up(self) -> threading.Thread:
        """Take the copies in a thread of its own, so that a server's first analyst after a
        start does not wait for them (an analysis meanwhile waits for the copy under way, then
        finds it current). A failure is logged, not raised: the next analysis copies itself."""
        self._warming = threading.Thread(target=self._warm, name="analysis-copy-warm-up", daemon=True)
        self._warming.start()
        return self._warming

    def _warm(self) -> None:
        try:
            self.bring_up_to_date()
        except Exception as error:  # noqa: BLE001 - a background task: said in the log, never raised
            if not self._stopping.is_set():
                _log.warning("The analysis copy was not taken ahead (%s); the first analysis takes it.", error)

    def stop(self) -> None:
        """End the warm-up (a copy under way is interrupted) before the connections close."""
        self._stopping.set()
        warming = self._warming
        waited = 0.0
        while warming is not None and warming.is_alive() and waited < STOP_WAIT:
            with contextlib.suppress(duckdb.Error):
                self._copier.interrupt()  # again, should the statement have begun after the last
            warming.join(timeout=0.2)
            waited += 0.2

    # -- keeping the copies -----------------------------------------------------------------
    def bring_up_to_date(self, tables: Sequence[MirroredTable] = MIRRORED) -> None:
        """Make each copy equal its table in PostgreSQL as of now (``MirroredTable``), in one
        transaction: a reader sees the copies before or after, never half of it. A copy whose
        connection to PostgreSQL was lost is tried again a bounded number of times."""
        with self._lock:
            taken_again = False
            for attempt in range(1, COPY_ATTEMPTS + 1):
                if self._stopping.is_set():
                    raise RuntimeError("the server is closing: no copy is taken")
                try:
                    self._bring_up_to_date(tables)
                    return
                except duckdb.Error as error:
                    if self._stopping.is_set():
                        raise
                    if self._database._connection_lost(error):
                        if attempt == COPY_ATTEMPTS:
                            raise StoreUnavailableError(attempt) from error
                        time.sleep(self._database.retry_delay * attempt)
                    elif taken_again:
                        raise
                    else:  # an append that no longer fits the copy (a column changed): take them again
                        taken_again = True
                        for table in tables:
                            self._marks.pop(table.name, None)
            raise StoreUnavailableError(COPY_ATTEMPTS)  # the last attempt found the copy no longer fitting

    def _bring_up_to_date(self, tables: Sequence[MirroredTable]) -> None:
        taken_now: dict[str, CopyMarks] = {}
        whole = appended = 0
        self._copier.execute("BEGIN TRANSACTION")
        try:
            now = self._read_marks(tables)
            for table in tables:
                taken = self._marks.get(table.name)
                version, rewritten = now[table.name]
                if taken is not None and (taken.version, taken.rewritten) == (version, rewritten):
                    continue
                if taken is None or taken.rewritten != rewritten or taken.largest_id is None:
                    self._copy_whole(table)
                    whole += 1
                else:
                    self._append_new(table, taken.largest_id)
                    appended += 1
                taken_now[table.name] = CopyMarks(version, rewritten, self._largest_id(table))
            self._copier.execute("COMMIT")
        except BaseException:
            _rolled_back(self._copier)
            raise
        self._marks.update(taken_now)
        self.copies_taken += whole
        self.appends += appended

    def _read_marks(self, tables: Sequence[MirroredTable]) -> dict[str, tuple[int, int]]:
        names = [table.name for table in tables]
        rows = self._copier.execute(
            "SELECT table_name, sum(version) FROM data_versions WHERE list_contains(?, table_name) GROUP BY table_name",
            [names + [name + REWRITTEN for name in names]],
        ).fetchall()
        found = dict(rows)
        return {name: (int(found.get(name, 0)), int(found.get(name + REWRITTEN, 0))) for name in names}

    def _columns(self, table: MirroredTable) -> str:
        names = [
            row[0]
            for row in self._copier.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'public'"
                " AND table_name = ? ORDER BY column_index",
                [self._attached_as, table.name],
            ).fetchall()
            if row[0] not in table.left_out
        ]
        return ", ".join(f'"{name}"' for name in names)

    def _source(self, table: MirroredTable) -> str:
        return f"{self._attached_as}.public.{table.name}"

    def _copy(self, table: MirroredTable) -> str:
        return f"{MIRROR_CATALOG}.main.{table.name}"

    def _largest_id(self, table: MirroredTable) -> int | None:
        if table.growing_id is None:
            return None
        return self._copier.execute(f'SELECT max("{table.growing_id}") FROM {self._copy(table)}').fetchone()[0]

    def _copy_whole(self, table: MirroredTable) -> None:
        columns = self._columns(table)
        self._copier.execute(
            f"CREATE OR REPLACE TABLE {self._copy(table)} AS SELECT {columns} FROM {self._source(table)}"
        )

    def _append_new(self, table: MirroredTable, largest_id: int) -> None:
        """Add the rows appended since the copy was taken (those above its largest id)."""
        self._copier.execute(
            f"INSERT INTO {self._copy(table)} SELECT {self._columns(table)} FROM {self._source(table)}"
            f' WHERE "{table.growing_id}" > ?',
            [largest_id],
        )


def _rolled_back(connection: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):  # DuckDB may have ended it already
        connection.execute("ROLLBACK")
