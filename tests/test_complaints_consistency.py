"""The check on open: complaints found without their import's record or audit entry (what a
commit cut short can leave) are removed, with an audit entry; complete imports are kept."""

from __future__ import annotations

import io
import json
from pathlib import Path

from models import admin
from models.access import Role
from models.complaints import consistency
from models.db import Database, forget_database, get_database
from tests.complaints_support import complaint, import_rows
from tests.conftest import add_person


def _portal_with_one_import(path: Path, tmp_path: Path) -> None:
    """A closed database holding one complete import of three complaints (import #1)."""
    database = Database(path)
    try:
        database.migrate()
        analyst = add_person(database, Role.ANALYST)
        rows = [complaint(f"2024-03-0{n}", "Fees", customer_id="C1", external_id=f"K{n}") for n in (1, 2, 3)]
        import_rows(database, analyst, tmp_path, rows)
    finally:
        database.close()


def _stray_complaints(path: Path, import_id: int, sql: str = "") -> None:
    """Copies of the stored complaints under ``import_id``, as a cut log would bring them back."""
    database = Database(path)
    try:
        database.write(
            lambda c: c.execute(
                "INSERT INTO complaints (dedup_key, received_date, received_month, category, customer_id, import_id)"
                " SELECT uuid(), received_date + 1, received_month, category, customer_id, ? FROM complaints",
                [import_id],
            )
        )
        if sql:
            database.write(lambda c: c.execute(sql))
    finally:
        database.close()


def _removals(database: Database) -> list[dict]:
    return database.query(
        "SELECT entity_id, actor_id, before_json, after_json FROM audit_log"
        " WHERE entity = 'complaint_import' AND action = 'remove_incomplete' ORDER BY id"
    )


def test_complaints_whose_import_has_no_record_are_removed_when_the_portal_opens_the_database(tmp_path):
    path = tmp_path / "portal.duckdb"
    _portal_with_one_import(path, tmp_path)
    _stray_complaints(path, import_id=2)
    database = get_database(path)
    try:
        assert database.scalar("SELECT count(*) FROM complaints") == 3
        assert database.scalar("SELECT count(*) FROM complaints WHERE import_id = 1") == 3
        (removal,) = _removals(database)
        assert (removal["entity_id"], removal["actor_id"]) == ("2", None)
        assert json.loads(removal["before_json"]) == {"complaints": 3, "import_record": False, "audit_entry": False}
        assert "interrupted" in json.loads(removal["after_json"])["reason"]
    finally:
        forget_database(path)
    reopened = get_database(path)
    try:
        assert reopened.scalar("SELECT count(*) FROM complaints") == 3 and len(_removals(reopened)) == 1
    finally:
        forget_database(path)


def test_an_import_record_without_its_audit_entry_goes_with_its_complaints(tmp_path):
    path = tmp_path / "portal.duckdb"
    _portal_with_one_import(path, tmp_path)
    _stray_complaints(
        path,
        import_id=2,
        sql="INSERT INTO complaint_imports SELECT * REPLACE (2 AS id) FROM complaint_imports WHERE id = 1",
    )
    database = get_database(path)
    try:
        assert database.query("SELECT id FROM complaint_imports") == [{"id": 1}]
        assert database.scalar("SELECT count(*) FROM complaints") == 3
        (removal,) = _removals(database)
        assert json.loads(removal["before_json"])["import_record"] is True
    finally:
        forget_database(path)


def test_the_admin_command_line_checks_the_database_it_opens(tmp_path):
    path = tmp_path / "portal.duckdb"
    _portal_with_one_import(path, tmp_path)
    _stray_complaints(path, import_id=7)
    out, err = io.StringIO(), io.StringIO()
    code = admin.main(["--db", str(path), "backup", "--to", str(tmp_path / "saved")], stdout=out, stderr=err)
    assert (code, err.getvalue()) == (0, "")
    database = Database(path)
    try:
        assert database.scalar("SELECT count(*) FROM complaints WHERE import_id = 7") == 0
        assert [r["entity_id"] for r in _removals(database)] == ["7"]
    finally:
        database.close()


def test_complete_imports_the_demo_import_and_complaints_without_an_import_are_kept(db, make_user, tmp_path):
    analyst = make_user(Role.ANALYST)
    import_rows(db, analyst, tmp_path, [complaint("2024-03-01", "Fees", external_id="K1")])
    db.write(
        lambda c: c.execute(
            "INSERT INTO complaint_imports (id, file_name, source_format, mapping_json, mode, records_read,"
            " rows_imported, rows_already_present, rows_repeated_in_file, rows_rejected, imported_by, imported_at)"
            " VALUES (50, 'demo complaints', 'demo', '{}', 'all_or_nothing', 1, 1, 0, 0, 0, NULL, now());"
            " INSERT INTO complaints (dedup_key, received_date, received_month, category, import_id)"
            " VALUES (uuid(), DATE '2024-01-01', DATE '2024-01-01', 'Fees', 50),"
            " (uuid(), DATE '2024-01-02', DATE '2024-01-01', 'Fees', NULL)"
        )
    )
    audit_entries = db.scalar("SELECT count(*) FROM audit_log")
    assert consistency.incomplete_imports(db) == []
    assert consistency.remove_incomplete_imports(db) == []
    assert db.scalar("SELECT count(*) FROM complaints") == 3
    assert db.scalar("SELECT count(*) FROM audit_log") == audit_entries  # nothing written when all is well
