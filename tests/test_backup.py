"""Backups and restore: a real round trip through Parquet files."""

from __future__ import annotations

import json
from datetime import timedelta

import duckdb
import pytest

from models import audit, backup
from models.access import PermissionDeniedError, Role
from models.auth import load_user
from models.db import Database, utc_now
from models.people.directory import EmployeeInput, create_employee, insert_employee

pytestmark = pytest.mark.duckdb_file_only(
    reason="backup and restore of the DuckDB file (EXPORT DATABASE, a restore into the file)"
)

TABLES = ("sites", "teams", "employees", "employee_roles", "accounts", "portal_meta", "schema_migrations")


def snapshot(database: Database) -> dict[str, list[tuple]]:
    """Every row of the people tables, in a stable order."""
    return {
        table: database.reader().execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()  # noqa: S608
        for table in TABLES
    }


@pytest.fixture
def seeded(seeded_db):
    """A demo organisation in its own file, with its administrator."""
    database, organisation = seeded_db(seed=7, scale=0.2)
    return database, load_user(database, employee_id=organisation.logins[Role.ADMIN])


def test_restore_brings_back_exactly_the_backed_up_data_and_new_rows_get_fresh_ids(seeded, tmp_path):
    database, admin = seeded
    before = snapshot(database)
    folder = backup.backup(database, admin, tmp_path / "backups")

    hr = load_user(database, employee_id=database.scalar("SELECT employee_id FROM employee_roles WHERE role = 'hr'"))
    create_employee(database, admin, {"employee_number": "LATE-1", "full_name": "Late Joiner", "email": "l@x.org"})
    database.write(lambda c: c.execute("DELETE FROM accounts WHERE employee_id = ?", [hr.employee_id]))
    assert snapshot(database) != before
    database.close()

    kept = backup.restore(database.path, folder)

    restored = Database(database.path)
    try:
        assert restored.migrate() == []
        assert snapshot(restored) == before
        new_id = restored.write(
            lambda c: insert_employee(
                c, admin, EmployeeInput(employee_number="NEW-1", full_name="New Person", email="new@x.org")
            )
        )
        assert new_id > max(row[0] for row in before["employees"])
        site_id = restored.write(
            lambda c: c.execute("INSERT INTO sites (name) VALUES ('Third') RETURNING id").fetchone()
        )
        assert site_id[0] > max(row[0] for row in before["sites"])
    finally:
        restored.close()
    old = duckdb.connect(str(kept), read_only=True)
    try:  # the replaced database is kept, with the change made after the backup
        assert old.execute("SELECT count(*) FROM employees WHERE employee_number = 'LATE-1'").fetchone()[0] == 1
    finally:
        old.close()


def test_restore_moves_sequences_past_ids_beyond_where_the_backup_says_they_stood(db, make_user, tmp_path):
    admin = make_user(Role.ADMIN)
    db.write(lambda c: c.execute("INSERT INTO sites (id, name) VALUES (500, 'Far away')"))
    folder = backup.backup(db, admin, tmp_path / "backups")
    db.close()
    backup.restore(tmp_path / "portal.duckdb", folder)
    restored = Database(tmp_path / "portal.duckdb")
    try:
        new_id = restored.write(lambda c: c.execute("INSERT INTO sites (name) VALUES ('Next') RETURNING id").fetchone())
        assert new_id[0] > 500
    finally:
        restored.close()


def test_restore_ends_every_sign_in_session(db, make_user, tmp_path):
    from models import auth

    admin = make_user(Role.ADMIN, username="keeper")
    session = auth.redeem_grant(db, auth.issue_grant(db, admin), timedelta(hours=1))
    assert auth.session_user(db, session) is not None
    folder = backup.backup(db, admin, tmp_path / "backups")
    db.close()
    backup.restore(tmp_path / "portal.duckdb", folder)
    restored = Database(tmp_path / "portal.duckdb")
    try:
        assert auth.session_user(restored, session) is None
        assert restored.scalar("SELECT count(*) FROM accounts WHERE username = 'keeper'") == 1
    finally:
        restored.close()


def test_backup_needs_the_backups_permission(db, make_user, tmp_path):
    for role in (Role.HR, Role.LEADERSHIP, Role.AGENT):
        with pytest.raises(PermissionDeniedError):
            backup.backup(db, make_user(role), tmp_path / "backups")
    with pytest.raises(PermissionDeniedError):
        backup.backup(db, None, tmp_path / "backups")  # nobody, unless the system says so
    assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())


def test_backup_is_audited_with_who_made_it(db, make_user, tmp_path):
    admin = make_user(Role.ADMIN, full_name="Barbara Liskov")
    folder = backup.backup(db, admin, tmp_path / "backups")
    backup.backup(db, None, tmp_path / "backups", system=True)
    entries = audit.search(db, admin, entity="backup")
    assert [(e.actor_name, e.action) for e in entries] == [(None, "create"), ("Barbara Liskov", "create")]
    assert entries[1].entity_id == folder.name
    assert entries[0].after["via"] == "command line"


def test_backups_are_listed_newest_first_and_unfinished_ones_are_ignored(db, make_user, tmp_path):
    admin = make_user(Role.ADMIN)
    first = backup.backup(db, admin, tmp_path / "backups")
    second = backup.backup(db, admin, tmp_path / "backups")
    (tmp_path / "backups" / "portal-19990101-000000").mkdir()  # no manifest: an interrupted export
    listed = backup.list_backups(admin, tmp_path / "backups")
    assert [info.name for info in listed] == [second.name, first.name]
    assert listed[0].tables["accounts"] == 1
    with pytest.raises(PermissionDeniedError):
        backup.list_backups(make_user(Role.HR), tmp_path / "backups")


def test_a_damaged_backup_is_refused_and_the_database_is_untouched(db, make_user, tmp_path):
    admin = make_user(Role.ADMIN)
    folder = backup.backup(db, admin, tmp_path / "backups")
    manifest = json.loads((folder / backup.MANIFEST).read_text())
    manifest["tables"]["accounts"] = 99
    (folder / backup.MANIFEST).write_text(json.dumps(manifest))
    db.write(lambda c: c.execute("INSERT INTO sites (name) VALUES ('After the backup')"))
    db.close()

    with pytest.raises(backup.BackupError, match="accounts"):
        backup.restore(tmp_path / "portal.duckdb", folder)

    database = Database(tmp_path / "portal.duckdb")
    try:
        assert database.scalar("SELECT count(*) FROM sites WHERE name = 'After the backup'") == 1
    finally:
        database.close()
    leftovers = [p.name for p in tmp_path.iterdir() if "restoring" in p.name or "before-restore" in p.name]
    assert leftovers == []


def test_a_folder_that_is_not_a_backup_is_refused(db, tmp_path):
    (tmp_path / "holiday-photos").mkdir()
    db.close()
    with pytest.raises(backup.BackupError, match="not a finished portal backup"):
        backup.restore(tmp_path / "portal.duckdb", tmp_path / "holiday-photos")


def test_restore_refuses_while_another_process_holds_the_database(db, make_user, tmp_path):
    import subprocess
    import sys

    folder = backup.backup(db, make_user(Role.ADMIN), tmp_path / "backups")
    db.close()
    holder = subprocess.Popen(  # noqa: S603 - our own interpreter, a fixed script
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True); time.sleep(30)",
            str(tmp_path / "portal.duckdb"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(backup.PortalRunningError, match="stop it first"):
            backup.restore(tmp_path / "portal.duckdb", folder)
    finally:
        holder.kill()
        holder.wait()


def test_restore_into_a_missing_file_creates_it(db, make_user, tmp_path):
    folder = backup.backup(db, make_user(Role.ADMIN, username="solo"), tmp_path / "backups")
    target = tmp_path / "elsewhere" / "portal.duckdb"
    target.parent.mkdir()
    assert backup.restore(target, folder) is None
    restored = Database(target)
    try:
        assert restored.scalar("SELECT username FROM accounts") == "solo"
        assert restored.scalar("SELECT max(occurred_at) FROM audit_log") <= utc_now()
        assert restored.scalar("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == "restore"
    finally:
        restored.close()
