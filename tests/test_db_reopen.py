"""The DuckDB file after a fatal error: DuckDB invalidates the database and refuses every later
statement until it is opened again, so the store opens the file again once and goes on serving.

The fatal error is a real one: a checkpoint that cannot write the file (the process may write no
file past a small size for a moment, as a full disk would refuse it)."""

from __future__ import annotations

import contextlib
import resource
import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from models.db import Database

FILE_SIZE_LIMIT = 100_000  # bytes: below the database file's size, above its write-ahead log's


@contextlib.contextmanager
def files_cannot_grow_past(limit: int) -> Iterator[None]:
    """Writes past ``limit`` bytes into any file fail ("File too large"), as on a full disk."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails instead of the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


@pytest.fixture
def invalidated(tmp_path: Path) -> Iterator[Database]:
    """A DuckDB file whose database DuckDB has invalidated after a checkpoint failed."""
    database = Database(tmp_path / "portal.duckdb")
    database.write(lambda c: c.execute("CREATE TABLE sites AS SELECT range AS id FROM range(5000)"))
    invalidate(database)
    try:
        yield database
    finally:
        database.close()


def invalidate(database: Database) -> None:
    """A row committed into the write-ahead log, then a checkpoint that cannot write the file."""
    with database.exclusive() as connection:
        connection.execute("CHECKPOINT")
    database.write(lambda c: c.execute("INSERT INTO sites VALUES (5000)"))  # into the write-ahead log
    with (
        files_cannot_grow_past(FILE_SIZE_LIMIT),
        pytest.raises(duckdb.FatalException),
        database.exclusive() as connection,
    ):
        connection.execute("CHECKPOINT")
    with pytest.raises(duckdb.FatalException, match="invalidated"):
        database._root.execute("SELECT 1")


def test_after_a_fatal_error_the_next_read_opens_the_file_again_and_sees_every_committed_row(invalidated):
    assert invalidated.scalar("SELECT count(*) FROM sites") == 5001
    assert invalidated.scalar("SELECT count(*) FROM sites WHERE id = 5000") == 1


def test_a_thread_that_read_before_the_fatal_error_reads_again_after(tmp_path):
    database = Database(tmp_path / "portal.duckdb")
    try:
        with ThreadPoolExecutor(max_workers=1) as page_thread:  # its reader connection is its own
            database.write(lambda c: c.execute("CREATE TABLE sites AS SELECT range AS id FROM range(5000)"))
            assert page_thread.submit(database.scalar, "SELECT count(*) FROM sites").result() == 5000
            invalidate(database)
            assert database.scalar("SELECT count(*) FROM sites") == 5001  # opened again here
            assert page_thread.submit(database.scalar, "SELECT count(*) FROM sites").result() == 5001
    finally:
        database.close()


def test_after_a_fatal_error_the_next_write_opens_the_file_again_and_is_saved_once(invalidated):
    invalidated.write(lambda c: c.execute("INSERT INTO sites VALUES (6000)"))
    assert invalidated.scalar("SELECT count(*) FROM sites WHERE id = 6000") == 1
