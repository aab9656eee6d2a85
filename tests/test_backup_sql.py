"""A restore runs a backup's SQL only when it holds nothing but what an export writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import backup
from models.access import Role
from models.db import Database
from tests.conftest import add_person


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Path, Path]:
    """A database with one person, its backup, and the database file closed."""
    path = tmp_path / "portal.duckdb"
    database = Database(path)
    database.migrate()
    add_person(database, Role.ADMIN, username="root")
    folder = backup.backup(database, None, tmp_path / "backups", system=True)
    database.close()
    return path, folder


def _append(folder: Path, name: str, statement: str) -> None:
    with (folder / name).open("a", encoding="utf-8") as handle:
        handle.write("\n" + statement + "\n")


def test_an_untouched_backup_passes_the_check_and_restores(saved):
    path, folder = saved
    backup.check_backup_sql(folder)
    assert backup.restore(path, folder) is not None


def test_a_backup_whose_files_are_named_without_a_folder_restores(saved):
    path, folder = saved
    load = folder / "load.sql"
    load.write_text(load.read_text(encoding="utf-8").replace(f"{folder.parent}/.{folder.name}.partial/", ""))
    assert "/" not in load.read_text(encoding="utf-8")
    assert backup.restore(path, folder) is not None


@pytest.mark.parametrize(
    ("file", "statement", "named"),
    [
        ("load.sql", "ATTACH '/tmp/elsewhere.duckdb' AS elsewhere;", "ATTACH"),
        ("load.sql", "INSTALL httpfs;", "INSTALL httpfs"),
        ("load.sql", "LOAD httpfs;", "LOAD httpfs"),
        ("load.sql", "COPY accounts TO '/tmp/stolen.parquet' (FORMAT 'parquet');", "COPY accounts TO"),
        ("load.sql", "COPY (SELECT * FROM accounts) TO '/tmp/stolen.csv';", "COPY (SELECT"),
        ("load.sql", "COPY accounts FROM '/etc/passwd' (FORMAT 'parquet');", "/etc/passwd"),
        ("load.sql", "COPY accounts FROM '/srv/other/accounts.parquet' (FORMAT 'parquet');", "/srv/other"),
        ("load.sql", "COPY accounts FROM '*.parquet' (FORMAT 'parquet');", "*.parquet"),
        ("load.sql", "COPY accounts FROM 'accounts.parquet' (FORMAT 'csv');", "FORMAT 'csv'"),
        ("load.sql", "PRAGMA enable_profiling;", "profiling"),
        ("load.sql", "SET memory_limit = '1GB';", "SET memory_limit"),
        ("load.sql", "CALL pragma_version();", "CALL pragma_version"),
        ("load.sql", "UPDATE accounts SET password_hash = NULL;", "UPDATE accounts"),
        ("schema.sql", "CREATE TABLE stolen AS SELECT * FROM read_text('/etc/passwd');", "CREATE TABLE stolen AS"),
        ("schema.sql", "CREATE VIEW peek AS SELECT * FROM read_text('/etc/hostname');", "CREATE VIEW peek"),
        ("schema.sql", "CREATE SECRET leak (TYPE s3, KEY_ID 'k', SECRET 's');", "CREATE SECRET"),
        ("schema.sql", "SELECT getenv('HOME');", "getenv"),
    ],
)
def test_a_tampered_backup_is_refused_naming_the_statement_and_nothing_changes(saved, file, statement, named):
    path, folder = saved
    before = path.read_bytes()
    _append(folder, file, statement)
    with pytest.raises(backup.BackupError, match="never writes|not one of the backup's own") as refused:
        backup.restore(path, folder)
    assert named.lower() in str(refused.value).lower()
    assert "Nothing was restored" in str(refused.value)
    assert path.read_bytes() == before
    beside = sorted(p.name for p in path.parent.iterdir() if p.name != "tmp")  # tmp: the tests' own folder
    assert beside == ["backups", "portal.duckdb"]
