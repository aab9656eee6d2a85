"""Moving a portal from its DuckDB file onto PostgreSQL (``python -m models.admin
move-to-postgres``): the same rows and figures after the move, new ids that collide with none,
and refusals that change nothing."""

from __future__ import annotations

import hashlib
import io
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from models import admin, pg_move
from models.auth import load_user
from models.complaints import analysis
from models.complaints.analysis import ComplaintFilter
from models.db import Database, list_migrations
from models.engagement import results as engagement
from models.engagement import sealing
from models.postgres import PostgresDatabase, connect_with_extension, sql_literal
from models.speakup import judging
from scripts.cluster import Cluster, free_port
from tests.postgres_support import PostgresServer

pytestmark = pytest.mark.postgres

TODAY = date(2026, 11, 25)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(connection: duckdb.DuckDBPyConnection, database: str, schema: str, table: str, columns: list[str]) -> list:
    listed = ", ".join(f'"{name}"' for name in columns)
    return connection.execute(f'SELECT {listed} FROM {database}.{schema}."{table}" ORDER BY ALL').fetchall()


def _tables_and_columns(connection: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for table, column in connection.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'file' AND schema_name = 'main'"
        " ORDER BY table_name, column_index"
    ).fetchall():
        found.setdefault(table, []).append(column)
    return found


def _move(file: Path, url: str | None, monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[int, str, str]:
    """Run the command as a person would; exit code, what it printed and what it refused."""
    if url is None:
        monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("PORTAL_DATABASE_URL", url)
    monkeypatch.setenv("PORTAL_DEFAULT_LANGUAGE", "en")
    out, err = io.StringIO(), io.StringIO()
    code = admin.main(["--db", str(file), "move-to-postgres", *extra], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def demo_file(tmp_path: Path, database_templates) -> Path:
    """A copy of the scale-1 demo's DuckDB file, its survey key beside it, in a folder of its own."""
    path, _organisation = database_templates.demo_file(seed=2026, scale=1.0, today=TODAY)
    folder = tmp_path / "old-server"
    folder.mkdir()
    shutil.copyfile(path, folder / "portal.duckdb")
    key = path.parent / sealing.KEY_FILE_NAME
    if key.exists():
        shutil.copyfile(key, folder / sealing.KEY_FILE_NAME)
    return folder / "portal.duckdb"


def test_the_moved_demo_has_every_row_and_shows_the_same_figures(
    tmp_path: Path, postgres_server: PostgresServer, demo_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_server.new_database()
    before = _sha256(demo_file)
    servers = tmp_path / "servers"

    code, printed, refused = _move(demo_file, url, monkeypatch, "--servers-folder", str(servers))

    assert (code, refused) == (0, "")
    assert "complaints: " in printed and "every table's row count matches the file" in printed
    assert _sha256(demo_file) == before  # the file was only read
    assert (servers / sealing.KEY_FILE_NAME).read_bytes() == (demo_file.parent / sealing.KEY_FILE_NAME).read_bytes()

    connection = connect_with_extension()
    try:
        connection.execute(f"ATTACH {sql_literal(str(demo_file))} AS file (READ_ONLY)")
        connection.execute(f"ATTACH {sql_literal(url)} AS pg (TYPE postgres, READ_ONLY)")
        tables = _tables_and_columns(connection)
        assert len(tables) > 50
        for table, columns in tables.items():
            on_file, on_postgres = (
                _rows(connection, "file", "main", table, columns),
                _rows(connection, "pg", "public", table, columns),
            )
            if table == "audit_log":  # one entry more: the move itself
                moved = [row for row in on_postgres if row[columns.index("action")] == "move_to_postgres"]
                assert len(moved) == 1
                on_postgres.remove(moved[0])
            if table == "data_versions":  # the file's versions; the audit log's moved by the move's entry
                on_file = [(name, version + (name == "audit_log")) for name, version in on_file]
            if table == "schema_migrations":  # the target's own record, of the same migrations
                assert [row[0] for row in on_postgres] == [version for version, _, _ in list_migrations()]
                continue
            assert on_postgres == on_file, table
    finally:
        connection.close()

    on_file = Database(demo_file)  # figures read from the copy; it is thrown away with the test
    on_postgres = PostgresDatabase(url, servers / "portal.duckdb")
    try:
        analyst = "SELECT min(employee_id) FROM employee_roles WHERE role = 'analyst'"
        hr = "SELECT min(employee_id) FROM employee_roles WHERE role = 'hr'"
        everything = ComplaintFilter()
        figures = []
        for database in (on_file, on_postgres):
            reader = load_user(database, employee_id=database.scalar(analyst))
            people = load_user(database, employee_id=database.scalar(hr))
            cycles = [row["id"] for row in database.query("SELECT id FROM idea_cycles ORDER BY id")]
            figures.append(
                {
                    "complaints": analysis.summary(database, reader, everything),
                    "pareto": analysis.pareto(database, reader, everything).to_dict("records"),
                    "speak_up": {cycle: judging.results(database, cycle) for cycle in cycles},
                    "enps": engagement.enps_trend(database, people, today=TODAY),
                }
            )
        assert figures[0]["complaints"]["complaints"] > 0 and figures[0]["enps"]
        assert any(figures[0]["speak_up"].values())
        assert figures[1] == figures[0]
    finally:
        on_postgres.close()
        on_file.close()


def test_after_the_move_a_new_id_from_every_sequence_is_new(
    tmp_path: Path, postgres_server: PostgresServer, demo_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_server.new_database()
    assert _move(demo_file, url, monkeypatch)[0] == 0
    moved = PostgresDatabase(url, tmp_path / "server" / "portal.duckdb")
    try:
        defaults = moved.query_natively(
            moved.reader(),
            "SELECT table_name::text, column_name::text, substring(column_default from 'nextval\\(''(\\w+)''')"
            " FROM information_schema.columns WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'",
        )
        assert len(defaults) > 20
        for table, column, sequence in defaults:
            highest = moved.query_natively(moved.reader(), f'SELECT coalesce(max("{column}"), 0) FROM "{table}"')[0][0]
            new = moved.write(lambda connection, sequence=sequence: moved._take_ids(connection, sequence, 1))[0]
            assert new > highest, f"{sequence} gives {new}, {table}.{column} holds {highest}"
    finally:
        moved.close()


def _target_state(url: str) -> dict[str, int]:
    """Each table of the database and its row count, and the audit log's last id."""
    connection = connect_with_extension()
    try:
        connection.execute(f"ATTACH {sql_literal(url)} AS target (TYPE postgres, READ_ONLY)")
        counted = pg_move.target_rows(connection)
        if "audit_log" in counted:
            counted["last audit entry"] = connection.execute("SELECT max(id) FROM target.public.audit_log").fetchone()[
                0
            ]
        return counted
    finally:
        connection.close()


def test_a_database_already_holding_a_portal_is_refused_and_kept(
    postgres_server: PostgresServer, demo_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_server.new_database()
    assert _move(demo_file, url, monkeypatch)[0] == 0
    held = _target_state(url)

    code, _printed, refused = _move(demo_file, url, monkeypatch)

    assert code == 1
    assert "the target database is not empty: it holds rows in" in refused and "accounts (" in refused
    assert _target_state(url) == held


def test_a_database_holding_only_the_migrations_is_taken(
    postgres_server: PostgresServer, demo_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = postgres_server.new_database()
    migrated_only = PostgresDatabase(url, tmp_path / "server" / "portal.duckdb")
    migrated_only.migrate()  # the standard KPIs and product groups are there: the migrations put them
    migrated_only.close()

    code, _printed, refused = _move(demo_file, url, monkeypatch)

    assert (code, refused) == (0, "")


def test_a_file_from_a_newer_portal_is_refused_and_nothing_changes(
    postgres_server: PostgresServer, demo_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newer = duckdb.connect(str(demo_file))
    newer.execute("INSERT INTO schema_migrations VALUES (9999, 'from_the_future', now(), NULL)")
    newer.close()
    before = _sha256(demo_file)
    url = postgres_server.new_database()

    code, _printed, refused = _move(demo_file, url, monkeypatch)

    assert code == 1
    assert "comes from a newer portal (its migration 9999 is unknown here)" in refused
    assert _target_state(url) == {}  # not even migrated
    assert _sha256(demo_file) == before


def test_without_a_database_url_the_command_says_what_it_needs(
    demo_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _sha256(demo_file)

    code, _printed, refused = _move(demo_file, None, monkeypatch)

    assert code == 1
    assert "move-to-postgres needs PORTAL_DATABASE_URL" in refused
    assert _sha256(demo_file) == before


def test_a_cluster_started_from_a_file_gets_its_portal_once(tmp_path: Path, demo_file: Path) -> None:
    (demo_file.parent / ".secret_key").write_text("the old server's signing key\n")
    cluster = Cluster(tmp_path / "cluster", postgres_port=free_port(), move_from=demo_file)
    said: list[str] = []
    try:
        cluster.postgres.start()
        cluster.move_in(demo_file, said.append)
        people = _target_state(cluster.postgres.url_with_password())["employees"]
        cluster.move_in(demo_file, said.append)  # the next start finds the portal there

        assert people == Database(demo_file).scalar("SELECT count(*) FROM employees") > 0
        assert _target_state(cluster.postgres.url_with_password())["employees"] == people
        assert any("already holds a portal" in line for line in said)
        assert cluster.secret_key() == "the old server's signing key"  # sign-ins stay good
        key = cluster.folder / "servers" / sealing.KEY_FILE_NAME
        assert key.read_bytes() == (demo_file.parent / sealing.KEY_FILE_NAME).read_bytes()
    finally:
        cluster.postgres.stop()


def test_a_file_from_an_older_portal_is_moved_from_a_migrated_copy_and_stays_as_it_was(
    tmp_path: Path, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    older_migrations = tmp_path / "older-migrations"
    older_migrations.mkdir()
    for version, _name, path in list_migrations():
        if version <= 22:  # a portal of before the dedup keys became UUIDs
            shutil.copyfile(path, older_migrations / path.name)
    older = tmp_path / "old-server" / "portal.duckdb"
    database = Database(older)
    database.migrate(older_migrations)
    database.write(lambda connection: connection.execute("INSERT INTO sites (id, name) VALUES (7, 'North')"))
    database.close()
    before = _sha256(older)
    url = postgres_server.new_database()

    code, printed, refused = _move(older, url, monkeypatch)

    assert (code, refused) == (0, "")
    assert "comes from an older portal: migrating a copy of it" in printed
    assert _sha256(older) == before
    moved = _target_state(url)
    assert moved["schema_migrations"] == len(list_migrations()) and moved["sites"] == 1


def test_a_database_holding_tables_of_something_else_is_refused_and_kept(
    postgres_server: PostgresServer, demo_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_server.new_database()
    postgres_server.sql("CREATE TABLE invoices (id integer)", url.rsplit("/", 1)[-1])

    code, _printed, refused = _move(demo_file, url, monkeypatch)

    assert code == 1
    assert "holds a table the portal never makes ('invoices')" in refused
    assert _target_state(url) == {"invoices": 0}
