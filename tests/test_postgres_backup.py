"""Backup and restore of the portal on PostgreSQL from the admin command line: pg_dump into a
dated folder with the manifest the DuckDB backups have, and a restore that gives the backed-up
figures back in one transaction, refuses a tampered, foreign or mismatched backup without
changing anything, and never shows the password to other users of the machine."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from models import backup, pg_backup
from models.access import PermissionDeniedError, Role
from models.admin import main
from models.auth import load_user
from models.complaints import analysis
from models.complaints.analysis import ComplaintFilter
from models.db import Database, list_migrations, open_database
from models.people.directory import create_employee
from models.postgres import PostgresDatabase
from models.settings import get_settings
from tests.complaints_support import complaint, import_rows
from tests.conftest import add_person
from tests.postgres_support import PostgresServer, psql_rows

pytestmark = pytest.mark.postgres

PASSWORD = "not-on-any-command-line-7"


def run(*argv: str, answer: str = "restore") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, confirm=lambda prompt: answer)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def on_postgres(tmp_path: Path, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The command line pointed at a migrated PostgreSQL database of this test's own; the URL
    carries a password (the test server trusts loopback, so any password is accepted)."""
    url = postgres_server.new_database(migrated=True).replace("portal@", f"portal:{PASSWORD}@")
    monkeypatch.setenv("PORTAL_DATABASE_URL", url)
    monkeypatch.setenv("PORTAL_DB_PATH", str(tmp_path / "server" / "portal.duckdb"))
    monkeypatch.setenv("PORTAL_DEMO_MODE", "false")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x" * 40)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def portal(url: str, folder: Path) -> Database:
    database = open_database(folder / "portal.duckdb", url=url)
    database.start_up()
    return database


def people(database: Database) -> dict[str, list[tuple]]:
    return {
        table: database.reader().execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()  # noqa: S608
        for table in ("sites", "teams", "employees", "employee_roles", "accounts")
    }


def copy_demo(source: Database, target: Database) -> None:
    """The demo organisation of a DuckDB file, copied table by table into a migrated PostgreSQL
    database (seeding it there takes minutes); ids are taken from far past every copied row."""
    names = [
        row[0]
        for row in source.reader()
        .execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1")
        .fetchall()
        if row[0] != "schema_migrations"
    ]

    def copy(connection):
        target.execute_natively(connection, "TRUNCATE " + ", ".join(names))
        for name in names:
            rows = source.reader().execute(f"SELECT * FROM {name}").arrow()  # noqa: S608 - catalogue names
            connection.register("copied", rows)
            connection.execute(f"INSERT INTO {name} BY NAME SELECT * FROM copied")  # noqa: S608
            connection.unregister("copied")
        target.execute_natively(
            connection,
            "SELECT setval(format('%I', sequencename), 1000000) FROM pg_sequences WHERE schemaname = 'public'",
        )

    target.write(copy)


def backed_up(out: str) -> Path:
    return Path(out.strip().splitlines()[-1].split(" to ")[-1])


def test_backup_then_change_then_restore_gives_the_backed_up_figures_back(on_postgres, tmp_path, seeded_db):
    database = portal(on_postgres, tmp_path / "server")
    try:
        copy_demo(seeded_db(seed=7, scale=0.2)[0], database)
        analyst = load_user(
            database, employee_id=database.scalar("SELECT min(employee_id) FROM employee_roles WHERE role = 'analyst'")
        )
        admin = load_user(
            database, employee_id=database.scalar("SELECT min(employee_id) FROM employee_roles WHERE role = 'admin'")
        )
        figures = analysis.summary(database, analyst, ComplaintFilter())
        before = people(database)
    finally:
        database.close()

    code, out, err = run("backup")
    assert code == 0, err
    folder = backed_up(out)
    manifest = json.loads((folder / "backup.json").read_text())
    assert manifest["store"] == "postgresql" and manifest["tables"]["employees"] == len(before["employees"])
    assert PASSWORD not in (folder / "backup.json").read_text() and "127.0.0.1" not in json.dumps(manifest)

    database = portal(on_postgres, tmp_path / "server")
    try:
        create_employee(database, admin, {"employee_number": "LATE-1", "full_name": "Late Joiner", "email": "l@x.org"})
        database.write(lambda c: c.execute("DELETE FROM complaints WHERE id IN (SELECT id FROM complaints LIMIT 5)"))
        assert analysis.summary(database, analyst, ComplaintFilter()) != figures
    finally:
        database.close()

    code, out, err = run("restore", str(folder))
    assert code == 0, err
    assert "previous database is kept as" in out

    database = portal(on_postgres, tmp_path / "server-after")
    try:
        assert analysis.summary(database, analyst, ComplaintFilter()) == figures
        assert people(database) == before
        assert database.scalar("SELECT count(*) FROM sign_in_tokens WHERE used_at IS NULL") == 0
        assert database.scalar("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == "restore"
        new_id = create_employee(
            database, admin, {"employee_number": "NEW-1", "full_name": "New Person", "email": "n@x.org"}
        )
        assert new_id > max(row[0] for row in before["employees"])  # ids go on from where they stood
    finally:
        database.close()
    kept = backup.read_backup(next(folder.parent.glob("before-restore-*")))
    assert kept.store == "postgresql" and kept.tables["employees"] == len(before["employees"]) + 1


@pytest.fixture
def saved(on_postgres, tmp_path) -> tuple[Path, str]:
    """A backup of a small portal (one administrator), then a site added after it."""
    database = portal(on_postgres, tmp_path / "server")
    try:
        add_person(database, Role.ADMIN, username="ada")
    finally:
        database.close()
    code, out, err = run("backup", "--to", str(tmp_path / "saved"))
    assert code == 0, err
    database = portal(on_postgres, tmp_path / "server")
    try:
        database.write(lambda c: c.execute("INSERT INTO sites (id, name) VALUES (900, 'After the backup')"))
    finally:
        database.close()
    return backed_up(out), on_postgres


def site_after_backup_is_there(url: str, folder: Path) -> bool:
    database = portal(url, folder)
    try:
        return database.scalar("SELECT count(*) FROM sites WHERE name = 'After the backup'") == 1
    finally:
        database.close()


def test_an_archive_changed_after_the_backup_is_refused_and_nothing_changes(saved, tmp_path):
    folder, url = saved
    with (folder / "portal.dump").open("r+b") as archive:
        archive.seek(-40, 2)
        archive.write(b"\0" * 8)
    code, _, err = run("restore", str(folder))
    assert code == 1
    assert "checksum differs" in err and "Nothing was restored" in err
    assert site_after_backup_is_there(url, tmp_path / "check")
    assert not list(folder.parent.glob("before-restore-*"))


def test_a_manifest_changed_after_the_backup_is_refused_and_nothing_changes(saved, tmp_path):
    folder, url = saved
    manifest = json.loads((folder / "backup.json").read_text())
    manifest["tables"]["accounts"] = 99
    (folder / "backup.json").write_text(json.dumps(manifest))
    code, _, err = run("restore", str(folder))
    assert code == 1
    assert "table accounts has 1 rows, its manifest recorded 99" in err
    assert site_after_backup_is_there(url, tmp_path / "check")
    assert not list((tmp_path / "server" / "backups").glob("*before-restore-*"))  # nor a copy of it kept


def test_an_archive_holding_more_than_a_portal_backup_is_refused(saved, tmp_path, postgres_server):
    """A dump that also creates a function (here one of another database, checksum and all made
    to match) is refused before anything runs."""
    folder, url = saved
    other = postgres_server.new_database(migrated=True)
    postgres_server.sql(
        "CREATE FUNCTION public.touch() RETURNS int LANGUAGE sql AS 'SELECT 1'", other.rsplit("/", 1)[-1]
    )
    tools = pg_backup.programs_for(15)
    subprocess.run(  # noqa: S603
        [str(tools / "pg_dump"), "-Fc", "-n", "public", f"--file={folder / 'portal.dump'}", f"--dbname={other}"],
        check=True,
    )
    manifest = json.loads((folder / "backup.json").read_text())
    manifest["sha256"] = pg_backup._sha256(folder / "portal.dump")
    (folder / "backup.json").write_text(json.dumps(manifest))
    code, _, err = run("restore", str(folder))
    assert code == 1
    assert "FUNCTION public touch" in err and "Nothing was restored" in err
    assert site_after_backup_is_there(url, tmp_path / "check")


def test_a_dump_of_another_database_is_not_a_portal_backup(saved, tmp_path, postgres_server):
    folder, url = saved
    stranger = postgres_server.new_database()
    postgres_server.sql("CREATE TABLE public.holiday_photos (id int)", stranger.rsplit("/", 1)[-1])
    tools = pg_backup.programs_for(15)
    subprocess.run(  # noqa: S603
        [str(tools / "pg_dump"), "-Fc", "-n", "public", f"--file={folder / 'portal.dump'}", f"--dbname={stranger}"],
        check=True,
    )
    manifest = json.loads((folder / "backup.json").read_text())
    manifest["sha256"] = pg_backup._sha256(folder / "portal.dump")
    (folder / "backup.json").write_text(json.dumps(manifest))
    code, _, err = run("restore", str(folder))
    assert code == 1
    assert "does not hold a portal database" in err
    (folder / "backup.json").unlink()  # and without a manifest it is not a backup at all
    code, _, err = run("restore", str(folder))
    assert code == 1 and "not a finished portal backup" in err
    assert site_after_backup_is_there(url, tmp_path / "check")


def test_a_backup_of_the_duckdb_file_is_not_restored_into_postgresql(saved, tmp_path, db, make_user):
    _folder, url = saved
    file_backup = backup.backup(db, make_user(Role.ADMIN), tmp_path / "file-backups")
    code, _, err = run("restore", str(file_backup))
    assert code == 1 and "backup of a DuckDB file" in err
    assert site_after_backup_is_there(url, tmp_path / "check")


def test_restore_refuses_while_a_portal_server_is_connected_unless_forced(saved, tmp_path):
    folder, url = saved
    running = portal(url, tmp_path / "running")
    try:
        sites_before = running.scalar("SELECT count(*) FROM sites")
        code, _, err = run("restore", str(folder))
        assert code == 1
        assert "other session" in err and "--force" in err
        assert site_after_backup_is_there(url, tmp_path / "check")

        code, out, err = run("restore", str(folder), "--force")
        assert code == 0, err
        assert "Restored" in out
        # the running server, its session ended, reads the restored rows without a restart
        assert running.scalar("SELECT count(*) FROM sites") == sites_before - 1
    finally:
        running.close()
    assert not site_after_backup_is_there(url, tmp_path / "check-after")


def test_the_password_is_on_no_command_line_and_in_no_file_left_behind(saved, tmp_path, monkeypatch):
    folder, _url = saved
    seen: list[tuple[list[str], dict[str, str]]] = []
    real_run = subprocess.run

    def watched(command, *args, **kwargs):
        passfile = (kwargs.get("env") or {}).get("PGPASSFILE")
        seen.append((list(command), Path(passfile).read_text() if passfile else ""))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(pg_backup.subprocess, "run", watched)
    assert run("backup", "--to", str(tmp_path / "again"))[0] == 0
    assert run("restore", str(folder))[0] == 0
    assert {Path(command[0]).name for command, _ in seen} >= {"pg_dump", "pg_restore", "psql"}
    for command, passfile in seen:
        assert not any(PASSWORD in part for part in command)
        if any(part == "-d" or part.startswith("--dbname=") for part in command):
            assert PASSWORD in passfile  # the programs that connect get it from their password file
    written = [path for path in tmp_path.rglob("*") if path.is_file() and path.suffix != ".dump"]
    assert not [path for path in written if PASSWORD in path.read_text(errors="ignore")]
    assert not list(Path(pg_backup.tempfile.gettempdir()).glob("portal-pgpass-*"))


def test_a_backup_taken_while_another_server_writes_restores_with_the_counts_it_recorded(on_postgres, tmp_path):
    """The manifest's counts and the dump read one snapshot, so rows another server adds during
    the backup are in neither, and the restore's count check passes."""
    writing = portal(on_postgres, tmp_path / "writer")
    stop, added = threading.Event(), []

    def keep_adding() -> None:
        while not stop.is_set():
            number = len(added) + 1
            writing.write(lambda c, n=number: c.execute("INSERT INTO sites (id, name) VALUES (?, ?)", [n, f"S{n}"]))
            added.append(number)

    writer = threading.Thread(target=keep_adding)
    writer.start()
    try:
        while len(added) < 5:
            time.sleep(0.05)
        code, out, err = run("backup")
    finally:
        stop.set()
        writer.join()
        writing.close()
    assert code == 0, err
    folder = backed_up(out)
    recorded = backup.read_backup(folder).tables["sites"]
    assert 5 <= recorded < len(added)

    code, _, err = run("restore", str(folder))
    assert code == 0, err
    database = portal(on_postgres, tmp_path / "after")
    try:
        assert database.scalar("SELECT count(*) FROM sites") == recorded
    finally:
        database.close()


def test_the_backups_page_backs_up_postgresql_as_the_admin_audited_and_refuses_others(on_postgres, tmp_path):
    database = portal(on_postgres, tmp_path / "server")
    try:
        admin = add_person(database, Role.ADMIN, full_name="Ada Admin")
        with pytest.raises(PermissionDeniedError):
            backup.backup(database, add_person(database, Role.HR), tmp_path / "page-backups")
        assert not (tmp_path / "page-backups").exists() or not list((tmp_path / "page-backups").iterdir())

        folder = backup.backup(database, admin, tmp_path / "page-backups")
        entry = database.query_one("SELECT actor_name, entity_id, after_json FROM audit_log ORDER BY id DESC LIMIT 1")
        assert entry["actor_name"] == "Ada Admin" and entry["entity_id"] == folder.name
        assert json.loads(entry["after_json"])["store"] == "postgresql"
        assert [info.name for info in backup.list_backups(admin, tmp_path / "page-backups")] == [folder.name]
        assert backup.read_backup(folder).created_by == "Ada Admin"
    finally:
        database.close()


def versions(database: Database) -> dict[str, int]:
    """Each table's data version: the sum of its rows (one per server on PostgreSQL)."""
    rows = database.query("SELECT table_name, sum(version) AS version FROM data_versions GROUP BY table_name")
    return {row["table_name"]: int(row["version"]) for row in rows}


def test_after_a_restore_rewrites_are_counted_and_every_version_is_past_the_old_sum(on_postgres, tmp_path):
    """Functions and triggers never come from a backup: the restore makes the portal's again, so
    the servers' copies of complaints still see rewrites; and every version, summed over the
    servers' rows, moves past where it stood, so no server keeps a figure from before."""
    database = portal(on_postgres, tmp_path / "server")
    try:
        analyst = add_person(database, Role.ANALYST)
        import_rows(database, analyst, tmp_path, [complaint("2025-01-05", "Fees"), complaint("2025-01-20", "Cards")])
    finally:
        database.close()
    code, out, err = run("backup")
    assert code == 0, err
    database = portal(on_postgres, tmp_path / "server")
    try:
        database.write(lambda c: c.execute("DELETE FROM complaints WHERE category = 'Cards'"))
        database.write(
            lambda c: database.execute_natively(
                c, "INSERT INTO data_versions (table_name, server, version) VALUES ('sites', 'another-server', 40)"
            )
        )
        before = versions(database)
    finally:
        database.close()
    assert before["complaints:rewritten"] >= 1 and before["sites"] >= 40

    code, _, err = run("restore", str(backed_up(out)))
    assert code == 0, err

    database = portal(on_postgres, tmp_path / "after")
    try:
        after = versions(database)
        assert {name for name, version in before.items() if after.get(name, 0) <= version} == set()
        assert database.scalar("SELECT count(*) FROM complaints") == 2
        rewritten = after["complaints:rewritten"]
        database.write(lambda c: c.execute("UPDATE complaints SET category = 'Delays' WHERE category = 'Fees'"))
        assert versions(database)["complaints:rewritten"] == rewritten + 1
        database.write(lambda c: c.execute("UPDATE complaints SET category = 'Delays' WHERE category = 'None'"))
        assert versions(database)["complaints:rewritten"] == rewritten + 1  # no row changed: nothing counted
    finally:
        database.close()


def test_a_backup_from_before_versions_per_server_restores_and_the_portal_moves_on(
    on_postgres, tmp_path, postgres_server
):
    """A backup of migration level 26 (one version row per table, no server column) replaces a
    database of level 27: its triggers are made as level 26 made them, every version moves past
    the old sum, and the next start migrates it to 27 with the rewrites still counted."""
    earlier = tmp_path / "migrations-to-26"
    earlier.mkdir()
    for version, _name, path in list_migrations():
        if version <= 26:
            shutil.copy(path, earlier / path.name)
    old = PostgresDatabase(postgres_server.new_database(), tmp_path / "old" / "portal.duckdb")
    try:
        old.migrate(earlier)
        old.write(
            lambda c: old.execute_natively(
                c, "INSERT INTO data_versions VALUES ('complaints:rewritten', 500), ('sites', 3)"
            )
        )
        folder = pg_backup.dump(old, tmp_path / "saved", "portal-level-26", "test")
    finally:
        old.close()
    database = portal(on_postgres, tmp_path / "server")
    try:
        add_person(database, Role.ADMIN, username="ada")
        database.write(
            lambda c: database.execute_natively(
                c, "CREATE FUNCTION public.left_over() RETURNS int LANGUAGE sql AS 'SELECT 1'"
            )
        )
        before = versions(database)
    finally:
        database.close()

    code, _, err = run("restore", str(folder))
    assert code == 0, err
    url = on_postgres.replace(f":{PASSWORD}@", "@")
    assert psql_rows(url, "SELECT max(version) FROM schema_migrations") == [["26"]]
    assert psql_rows(url, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'complaints_%'") == [["3"]]
    assert psql_rows(url, "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace") == [
        ["count_rewrite"]
    ]  # the database's own functions went with its tables; the backup's level made its own again
    restored = dict(psql_rows(url, "SELECT table_name, version FROM data_versions"))
    assert int(restored["complaints:rewritten"]) == 501
    assert {name for name, version in before.items() if int(restored.get(name, 0)) <= version} == set()

    database = portal(on_postgres, tmp_path / "after")
    try:
        assert database.scalar("SELECT max(version) FROM schema_migrations") == list_migrations()[-1][0]  # the latest
        rewritten = versions(database)["complaints:rewritten"]
        database.write(lambda c: database.execute_natively(c, "TRUNCATE complaints"))  # counted even when empty
        assert versions(database)["complaints:rewritten"] == rewritten + 1
    finally:
        database.close()
