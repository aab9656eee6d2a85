"""The portal on PostgreSQL: several servers (here several ``Database`` objects, each with a
DuckDB and connections of its own, as separate processes have) share one PostgreSQL database
through DuckDB's postgres extension, and writes are as safe as on the DuckDB file."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from models.access import Role
from models.actions import plan, workflow
from models.db import (
    Database,
    DuplicateRecordError,
    WriteConflictError,
    insert_with_new_id,
    list_migrations,
    open_database,
)
from models.errors import InputError, StaleRecordError
from models.postgres import PostgresDatabase, in_store_terms, translate_ddl
from models.settings import SettingsError, load_settings
from tests.conftest import add_person
from tests.postgres_support import PostgresServer
from tests.test_actions import action_data

pytestmark = pytest.mark.postgres

OpenServer = Callable[..., PostgresDatabase]


@pytest.fixture
def servers(tmp_path: Path, postgres_server: PostgresServer) -> Iterator[Callable[[str], PostgresDatabase]]:
    """``servers(url)`` → one more portal server on that PostgreSQL database; all closed after."""
    opened: list[PostgresDatabase] = []

    def open_server(url: str, **options: Any) -> PostgresDatabase:
        folder = tmp_path / f"server-{len(opened) + 1}"
        folder.mkdir()
        database = open_database(folder / "portal.duckdb", url=url)
        for name, value in options.items():
            setattr(database, name, value)
        opened.append(database)
        return database

    yield open_server
    for database in opened:
        database.close()


@pytest.fixture
def shared_url(postgres_server: PostgresServer) -> str:
    """A migrated PostgreSQL database of this test's own."""
    return postgres_server.new_database(migrated=True)


def _at_once(*work: Callable[[], Any]) -> list[Any]:
    """Run each function in a thread of its own, released together; their results or errors."""
    start = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = work[index]()
        except Exception as error:  # noqa: BLE001 - the test looks at it
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_servers_starting_at_once_apply_each_migration_once(postgres_server: PostgresServer, servers) -> None:
    url = postgres_server.new_database()
    first, second = servers(url), servers(url)

    applied = _at_once(first.start_up, second.start_up)

    assert not any(isinstance(result, Exception) for result in applied), applied
    every_migration = [path.name for _version, _name, path in list_migrations()]
    assert sorted(applied[0] + applied[1]) == every_migration  # each applied by one server, none twice
    recorded = first.query("SELECT version, count(*) AS times FROM schema_migrations GROUP BY version")
    assert {row["version"] for row in recorded} == {version for version, _name, _path in list_migrations()}
    assert {row["times"] for row in recorded} == {1}
    assert second.scalar("SELECT count(*) FROM kpis WHERE code = 'csat'") == 1  # its rows once too
    assert servers(url).migrate() == []  # a third server finds nothing to do


def test_migrations_move_the_versions_of_what_they_change_as_on_the_duckdb_file(
    tmp_path: Path, postgres_server: PostgresServer, servers
) -> None:
    on_postgres = servers(postgres_server.new_database())
    on_postgres.start_up()
    on_file = Database(tmp_path / "portal.duckdb")
    on_file.start_up()

    def versions(database: Database) -> dict[str, int]:
        rows = database.query("SELECT table_name, sum(version) AS version FROM data_versions GROUP BY table_name")
        return {row["table_name"]: int(row["version"]) for row in rows}  # on PostgreSQL, a row per server

    try:
        # the accounts' language column (0022), the complaints' new key type (0024)…: a figure
        # cached before a migration changed its table is not taken for a current one
        assert {"accounts", "complaints", "schema_migrations"} <= versions(on_postgres).keys()
        assert versions(on_postgres) == versions(on_file)
    finally:
        on_file.close()


def test_what_one_server_writes_the_other_reads(shared_url: str, servers) -> None:
    writer, reader = servers(shared_url), servers(shared_url)

    person = add_person(writer, Role.HR, full_name="Ana Nowak")

    assert reader.query_one("SELECT full_name FROM employees WHERE id = ?", [person.employee_id]) == {
        "full_name": "Ana Nowak"
    }


def test_a_reader_thread_uses_the_shared_database(shared_url: str, servers) -> None:
    database = servers(shared_url)
    add_person(database, Role.HR, full_name="Bo Berg")

    counted = _at_once(lambda: database.scalar("SELECT count(*) FROM employees WHERE full_name = 'Bo Berg'"))

    assert counted == [1]


def test_a_duplicate_key_is_the_portals_input_error_and_nothing_is_stored(shared_url: str, servers) -> None:
    database = servers(shared_url)

    def add_kpis(connection: duckdb.DuckDBPyConnection) -> None:
        connection.execute(
            "INSERT INTO kpis (code, name, unit, direction, created_at)"
            " VALUES ('first_reply', 'First reply within an hour', '%', 'higher', now())"
        )
        connection.execute(
            "INSERT INTO kpis (code, name, unit, direction, created_at) VALUES ('csat', 'Satisfaction again', '%',"
            " 'higher', now())"
        )

    with pytest.raises(DuplicateRecordError) as refused:
        database.write(add_kpis)

    assert isinstance(refused.value, InputError)
    assert "exists already" in str(refused.value) and "csat" in str(refused.value)
    assert database.scalar("SELECT count(*) FROM kpis WHERE code = 'first_reply'") == 0  # the whole write rolled back


def test_two_servers_saving_the_same_action_one_wins_the_other_hears_who(shared_url: str, servers) -> None:
    first, second = servers(shared_url), servers(shared_url)
    lena = add_person(first, Role.LEADERSHIP, full_name="Lena Leader")
    omar = add_person(first, Role.LEADERSHIP, full_name="Omar Owner")
    action_id = workflow.create_action(first, lena, action_data(lena.employee_id))
    opened_version = plan.get_action(second, action_id).version

    def save(database: PostgresDatabase, actor, title: str) -> Callable[[], Any]:
        data = action_data(lena.employee_id, title=title)
        return lambda: workflow.update_action(database, actor, action_id, data, opened_version)

    results = _at_once(save(first, lena, "Lena's title"), save(second, omar, "Omar's title"))

    refused = [result for result in results if isinstance(result, StaleRecordError)]
    saved = [result for result in results if not isinstance(result, Exception)]
    assert len(saved) == 1 and len(refused) == 1, results
    winner = "Lena Leader" if isinstance(results[1], StaleRecordError) else "Omar Owner"
    assert f"Changed by {winner} at " in str(refused[0])
    action = plan.get_action(first, action_id)
    assert action.title == ("Lena's title" if winner == "Lena Leader" else "Omar's title")
    assert action.version == opened_version + 1


def test_concurrent_inserts_from_two_servers_lose_nothing(shared_url: str, servers) -> None:
    first, second = servers(shared_url), servers(shared_url)
    per_server = 40

    def insert_many(database: PostgresDatabase, prefix: str) -> list[int]:
        return [
            database.write(
                lambda connection, number=number: insert_with_new_id(
                    connection,
                    "sites",
                    "INSERT INTO sites (id, name) VALUES (?, ?)",
                    [f"{prefix} {number}"],
                )
            )
            for number in range(per_server)
        ]

    ids = _at_once(lambda: insert_many(first, "North"), lambda: insert_many(second, "South"))

    assert not any(isinstance(result, Exception) for result in ids), ids
    assert len(set(ids[0]) | set(ids[1])) == 2 * per_server
    assert second.scalar("SELECT count(*) FROM sites") == 2 * per_server


def test_two_servers_writing_one_table_at_once_move_its_version_without_a_conflict(shared_url: str, servers) -> None:
    # every write moves the versions of what it changes (and adds to audit_log): in one row per
    # table, any two servers writing the same table would collide there and one would be retried
    first, second = servers(shared_url, max_write_attempts=1), servers(shared_url, max_write_attempts=1)
    before = first.data_versions(["sites"])[0]

    def add_site(connection: duckdb.DuckDBPyConnection, name: str) -> int:
        return insert_with_new_id(connection, "sites", "INSERT INTO sites (id, name) VALUES (?, ?)", [name])

    def north_while_south_commits(connection: duckdb.DuckDBPyConnection) -> int:
        site = add_site(connection, "North")  # this transaction's snapshot is taken here
        second.write(lambda other: add_site(other, "South"))
        return site

    first.write(north_while_south_commits)  # one attempt only: a conflict would raise

    assert second.scalar("SELECT count(*) FROM sites") == 2
    assert first.data_versions(["sites"]) == second.data_versions(["sites"]) == (before + 2,)


def test_a_starting_server_folds_the_version_rows_of_others_and_every_sum_stays(shared_url: str, servers) -> None:
    first, second = servers(shared_url), servers(shared_url)
    for database, name in ((first, "North"), (second, "South"), (first, "East")):
        database.write(
            lambda connection, name=name: insert_with_new_id(
                connection, "sites", "INSERT INTO sites (id, name) VALUES (?, ?)", [name]
            )
        )
    sums = first.data_versions(["sites", "audit_log", "schema_migrations"])
    assert first.scalar("SELECT count(*) FROM data_versions WHERE table_name = 'sites'") >= 2

    third = servers(shared_url)
    third.start_up()

    assert third.data_versions(["sites", "audit_log", "schema_migrations"]) == sums
    assert third.scalar("SELECT count(*) FROM data_versions WHERE table_name = 'sites'") == 1
    first.write(lambda connection: connection.execute("UPDATE sites SET name = 'West' WHERE name = 'East'"))
    assert third.data_versions(["sites"]) == (sums[0] + 1,)  # the first server goes on in a row of its own


def test_concurrent_changes_of_one_row_are_retried_and_none_is_lost(shared_url: str, servers) -> None:
    first, second = servers(shared_url, max_write_attempts=50), servers(shared_url, max_write_attempts=50)
    site_id = first.write(
        lambda connection: insert_with_new_id(connection, "sites", "INSERT INTO sites (id, name) VALUES (?, ?)", ["0"])
    )
    rounds = 15

    def bump(database: PostgresDatabase) -> None:
        def add_one(connection: duckdb.DuckDBPyConnection) -> None:
            (count,) = connection.execute("SELECT name FROM sites WHERE id = ?", [site_id]).fetchone()
            connection.execute("UPDATE sites SET name = ? WHERE id = ?", [str(int(count) + 1), site_id])

        for _ in range(rounds):
            database.write(add_one)

    results = _at_once(lambda: bump(first), lambda: bump(second))

    assert results == [None, None]
    assert first.scalar("SELECT name FROM sites WHERE id = ?", [site_id]) == str(2 * rounds)


def test_a_conflict_that_outlasts_the_attempts_is_the_portals_conflict_message(shared_url: str, servers) -> None:
    first, second = servers(shared_url, max_write_attempts=2, retry_delay=0), servers(shared_url)
    site_id = first.write(
        lambda connection: insert_with_new_id(connection, "sites", "INSERT INTO sites (id, name) VALUES (?, ?)", ["a"])
    )

    def rename_after_the_other_did(connection: duckdb.DuckDBPyConnection) -> None:
        connection.execute("SELECT name FROM sites WHERE id = ?", [site_id]).fetchall()  # the snapshot
        second.write(lambda other: other.execute("UPDATE sites SET name = name || '+' WHERE id = ?", [site_id]))
        connection.execute("UPDATE sites SET name = 'mine' WHERE id = ?", [site_id])

    with pytest.raises(WriteConflictError, match="could not be saved"):
        first.write(rename_after_the_other_did)

    assert first.scalar("SELECT name FROM sites WHERE id = ?", [site_id]) == "a++"  # the other's two saves only


def test_postgresql_errors_are_told_in_duckdbs_terms() -> None:
    conflict = duckdb.Error(
        'Failed to execute query "UPDATE …": ERROR:  could not serialize access due to concurrent update'
    )
    deadlock = duckdb.Error("Failed to execute query: ERROR:  deadlock detected\nDETAIL:  Process 1 waits")
    duplicate = duckdb.Error(
        'Failed to copy data: ERROR:  duplicate key value violates unique constraint "kpis_code_key"\n'
        "DETAIL:  Key (code)=(csat) already exists.\nCONTEXT:  COPY kpis, line 1"
    )
    missing = duckdb.Error('Failed to copy data: ERROR:  null value in column "name" of relation "sites" violates')

    assert isinstance(in_store_terms(conflict), duckdb.TransactionException)
    assert isinstance(in_store_terms(deadlock), duckdb.TransactionException)
    assert str(in_store_terms(duplicate)) == 'Duplicate key "code: csat" violates unique constraint'
    assert isinstance(in_store_terms(missing), duckdb.ConstraintException)
    assert in_store_terms(duckdb.Error("ERROR:  relation does not exist")) is None


def test_migrations_are_translated_by_the_rules_in_one_place() -> None:
    sql = "CREATE TABLE t (k UHUGEINT NOT NULL, share DOUBLE, x DOUBLE PRECISION, sealed BLOB)"

    assert (
        translate_ddl(sql)
        == "CREATE TABLE t (k TEXT NOT NULL, share DOUBLE PRECISION, x DOUBLE PRECISION, sealed BYTEA)"
    )


def test_without_a_database_url_the_portal_stays_on_its_duckdb_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    settings = load_settings(db_path=tmp_path / "portal.duckdb")

    database = open_database(settings.db_path, url=settings.database_url)

    assert settings.database_url is None
    assert type(database) is Database and database.path == tmp_path / "portal.duckdb"
    database.close()


def test_a_database_url_that_is_not_postgresql_is_refused_by_name() -> None:
    with pytest.raises(SettingsError, match="PORTAL_DATABASE_URL"):
        load_settings(database_url="mysql://portal@127.0.0.1/portal")
