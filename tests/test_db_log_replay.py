"""A process that dies before its changes reach the file leaves them in the write-ahead log;
the next opening replays the log. DuckDB 1.5.5 cannot replay, on opening, a log holding an
ALTER TABLE of a table whose id defaults to ``nextval`` — the file would not open again. The
store checkpoints right after migrating and, should such a log be there anyway, replays it
another way: nothing committed is lost and the file opens."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from models.db import Database, list_migrations, wal_path
from tests.conftest import discard

pytestmark = pytest.mark.duckdb_file_only(reason="the DuckDB file's own write-ahead log")

PROJECT = Path(__file__).resolve().parents[1]


def die_after(code: str) -> None:
    """Run ``code`` in a process that then ends at once, as kill -9 would, closing nothing."""
    script = textwrap.dedent(code) + "\nimport os\nos._exit(0)\n"
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT, check=True)


def test_a_process_killed_right_after_migrating_a_new_database_leaves_one_that_opens(tmp_path):
    path = tmp_path / "portal.duckdb"
    die_after(f"from pathlib import Path\nfrom models.db import Database\nDatabase(Path({str(path)!r})).migrate()")
    database = Database(path)
    try:
        assert database.scalar("SELECT count(*) FROM schema_migrations") == len(list_migrations())
    finally:
        discard(database)


def test_a_log_duckdb_cannot_replay_on_opening_is_replayed_and_nothing_committed_is_lost(tmp_path):
    path = tmp_path / "portal.duckdb"
    die_after(
        f"""
        import duckdb
        connection = duckdb.connect({str(path)!r})
        connection.execute("CREATE SEQUENCE notes_seq START 100")
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY DEFAULT nextval('notes_seq'), body VARCHAR)")
        connection.execute("INSERT INTO notes (body) VALUES ('checkpointed')")
        connection.execute("CHECKPOINT")
        connection.execute("ALTER TABLE notes ADD COLUMN author VARCHAR")
        connection.execute("INSERT INTO notes (body, author) VALUES ('only in the log', 'ada')")
        """
    )
    assert wal_path(path).exists()
    with pytest.raises(duckdb.Error, match="replaying WAL"):  # DuckDB alone cannot open it
        duckdb.connect(str(path)).close()

    database = Database(path)
    try:
        assert database.query("SELECT id, body, author FROM notes ORDER BY id") == [
            {"id": 100, "body": "checkpointed", "author": None},
            {"id": 101, "body": "only in the log", "author": "ada"},
        ]
        database.write(lambda c: c.execute("INSERT INTO notes (body) VALUES ('after')"))
        assert database.scalar("SELECT max(id) FROM notes") == 102  # the sequence went on
    finally:
        discard(database)
