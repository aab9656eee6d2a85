"""Storage: migrations, the single writer, conflict retries, rollback."""

from __future__ import annotations

import threading
import time

import duckdb
import pytest

from models.db import Database, MigrationChangedError, WriteConflictError, checksum, list_migrations


def test_a_second_start_applies_no_migration(tmp_path):
    first = Database(tmp_path / "p.duckdb")
    applied = first.migrate()
    assert applied == [path.name for _, _, path in list_migrations()]
    first.close()
    again = Database(tmp_path / "p.duckdb")
    assert again.migrate() == []
    recorded = again.query("SELECT version, name FROM schema_migrations ORDER BY version")
    assert [row["version"] for row in recorded] == [version for version, _, _ in list_migrations()]
    again.close()


def test_a_failing_migration_leaves_nothing_behind(tmp_path):
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_good.sql").write_text("CREATE TABLE good (id INTEGER);")
    (folder / "0002_bad.sql").write_text("CREATE TABLE half (id INTEGER); SELECT no_such_function();")
    database = Database(tmp_path / "p.duckdb")
    with pytest.raises(duckdb.Error):
        database.migrate(folder)
    tables = {row["table_name"] for row in database.query("SELECT table_name FROM information_schema.tables")}
    assert "good" in tables and "half" not in tables
    assert database.scalar("SELECT max(version) FROM schema_migrations") == 1
    database.close()


def test_each_applied_migration_is_recorded_with_the_checksum_of_its_file(tmp_path):
    database = Database(tmp_path / "p.duckdb")
    database.migrate()
    recorded = dict(database.reader().execute("SELECT version, checksum FROM schema_migrations").fetchall())
    assert recorded == {version: checksum(path) for version, _, path in list_migrations()}
    database.close()


def test_a_start_after_an_applied_migration_was_edited_stops_naming_the_file(tmp_path):
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_people.sql").write_text("CREATE TABLE people (id INTEGER);")
    database = Database(tmp_path / "p.duckdb")
    database.migrate(folder)
    database.close()
    (folder / "0001_people.sql").write_text("CREATE TABLE people (id INTEGER, name VARCHAR);")
    (folder / "0002_teams.sql").write_text("CREATE TABLE teams (id INTEGER);")
    again = Database(tmp_path / "p.duckdb")
    with pytest.raises(MigrationChangedError, match=r"0001_people\.sql was changed after it was applied"):
        again.migrate(folder)
    tables = {row["table_name"] for row in again.query("SELECT table_name FROM information_schema.tables")}
    assert "teams" not in tables  # nothing further is applied
    again.close()


def test_line_endings_of_a_checkout_are_not_a_change(tmp_path):
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_people.sql").write_bytes(b"CREATE TABLE people (id INTEGER);\n")
    database = Database(tmp_path / "p.duckdb")
    database.migrate(folder)
    (folder / "0001_people.sql").write_bytes(b"CREATE TABLE people (id INTEGER);\r\n")
    assert database.migrate(folder) == []
    database.close()


def test_a_database_from_before_checksums_takes_them_from_the_files_once(tmp_path):
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_people.sql").write_text("CREATE TABLE people (id INTEGER);")
    database = Database(tmp_path / "p.duckdb")
    database.write(
        lambda c: c.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMP NOT NULL); CREATE TABLE people (id INTEGER);"
            " INSERT INTO schema_migrations VALUES (1, 'people', now()::TIMESTAMP)"
        )
    )
    assert database.migrate(folder) == []
    assert database.scalar("SELECT checksum FROM schema_migrations") == checksum(folder / "0001_people.sql")
    (folder / "0001_people.sql").write_text("CREATE TABLE people (id BIGINT);")
    with pytest.raises(MigrationChangedError):
        database.migrate(folder)
    database.close()


def test_migration_numbers_may_not_repeat(tmp_path):
    """Numbers are reserved per area, so a gap is allowed; two files with one number are not."""
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    (tmp_path / "0003_c.sql").write_text("SELECT 1;")
    assert [version for version, _, _ in list_migrations(tmp_path)] == [1, 3]
    (tmp_path / "0003_d.sql").write_text("SELECT 1;")
    with pytest.raises(ValueError, match="0003"):
        list_migrations(tmp_path)


def test_a_write_that_fails_stores_nothing(db):
    def half_then_fail(connection):
        connection.execute("INSERT INTO portal_meta VALUES ('k', 'v')")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        db.write(half_then_fail)
    assert db.scalar("SELECT count(*) FROM portal_meta") == 0


def test_writes_from_many_threads_are_all_kept(db):
    def add(index):
        db.write(lambda c: c.execute("INSERT INTO portal_meta VALUES (?, 'x')", [f"key{index}"]))

    threads = [threading.Thread(target=add, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert db.scalar("SELECT count(*) FROM portal_meta") == 40


def test_an_update_conflict_is_retried_until_it_succeeds(db):
    db.write(lambda c: c.execute("INSERT INTO portal_meta VALUES ('counter', '0')"))
    other = db._prepared(db._root.cursor())  # another connection holding an open change to the same row
    other.execute("BEGIN TRANSACTION")
    other.execute("UPDATE portal_meta SET value = 'other' WHERE key = 'counter'")
    attempts = []

    def update(connection):
        attempts.append(1)
        connection.execute("UPDATE portal_meta SET value = 'mine' WHERE key = 'counter'")

    releaser = threading.Timer(0.08, lambda: other.execute("COMMIT"))
    releaser.start()
    db.write(update)
    releaser.join()
    assert len(attempts) >= 2  # the first attempt met the conflict
    assert db.scalar("SELECT value FROM portal_meta WHERE key = 'counter'") == "mine"


@pytest.mark.duckdb_file_only(
    reason="DuckDB refuses a write that meets an open change at once, PostgreSQL waits for the other"
    " transaction to end; test_postgres_store has the conflict that outlasts the attempts on PostgreSQL"
)
def test_a_conflict_that_never_clears_is_reported_and_nothing_is_lost(db):
    db.write(lambda c: c.execute("INSERT INTO portal_meta VALUES ('counter', 'original')"))
    other = db._prepared(db._root.cursor())
    other.execute("BEGIN TRANSACTION")
    other.execute("UPDATE portal_meta SET value = 'held' WHERE key = 'counter'")
    db.retry_delay = 0.001
    with pytest.raises(WriteConflictError, match="try again"):
        db.write(lambda c: c.execute("UPDATE portal_meta SET value = 'mine' WHERE key = 'counter'"))
    other.execute("COMMIT")
    assert db.scalar("SELECT value FROM portal_meta WHERE key = 'counter'") == "held"


def test_a_nested_write_joins_the_outer_transaction(db):
    def outer(connection):
        connection.execute("INSERT INTO portal_meta VALUES ('a', '1')")
        db.write(lambda inner: inner.execute("INSERT INTO portal_meta VALUES ('b', '2')"))
        raise RuntimeError("undo both")

    with pytest.raises(RuntimeError):
        db.write(outer)
    assert db.scalar("SELECT count(*) FROM portal_meta") == 0


def test_readers_on_other_threads_see_committed_writes(db):
    db.write(lambda c: c.execute("INSERT INTO portal_meta VALUES ('seen', 'yes')"))
    seen = []
    reader = threading.Thread(target=lambda: seen.append(db.scalar("SELECT value FROM portal_meta")))
    reader.start()
    reader.join()
    assert seen == ["yes"]


def test_a_reader_does_not_wait_for_a_slow_writer(db):
    started = threading.Event()

    def slow(connection):
        connection.execute("INSERT INTO portal_meta VALUES ('slow', '1')")
        started.set()
        time.sleep(0.3)

    writer = threading.Thread(target=db.write, args=(slow,))
    writer.start()
    started.wait()
    assert db.scalar("SELECT count(*) FROM portal_meta") == 0  # uncommitted work is invisible
    writer.join()
    assert db.scalar("SELECT count(*) FROM portal_meta") == 1


def test_a_repeated_unique_key_is_refused_as_an_input_error_and_stores_nothing(tmp_path):
    from models.db import DuplicateRecordError
    from models.errors import InputError

    database = Database(tmp_path / "p.duckdb")
    database.migrate()
    database.write(lambda c: c.execute("INSERT INTO sites (id, name) VALUES (1, 'Harbour')"))

    def twice(connection):
        connection.execute("INSERT INTO sites (id, name) VALUES (2, 'River')")
        connection.execute("INSERT INTO sites (id, name) VALUES (1, 'Again')")

    with pytest.raises(DuplicateRecordError) as refused:
        database.write(twice)
    assert isinstance(refused.value, InputError) and refused.value.problems[0][0] == "Record"
    assert database.scalar("SELECT string_agg(name, ',' ORDER BY id) FROM sites") == "Harbour"
    database.close()


def test_new_ids_come_from_the_table_sequence(tmp_path):
    from models.db import insert_row, insert_with_new_id

    database = Database(tmp_path / "p.duckdb")
    database.migrate()
    first = database.write(lambda c: insert_row(c, "sites", {"name": "Harbour", "city": "Sydney"}))
    second = database.write(
        lambda c: insert_with_new_id(c, "sites", "INSERT INTO sites (id, name) VALUES (?, ?)", ["River"])
    )
    third = database.write(
        lambda c: c.execute("INSERT INTO sites (name) VALUES ('Default') RETURNING id").fetchone()[0]
    )
    assert second == first + 1 and third == second + 1  # one sequence, whichever way the row came in
    with pytest.raises(ValueError, match="not a table or column name"):
        database.write(lambda c: insert_row(c, "sites; DROP TABLE sites", {"name": "x"}))
    database.close()
