"""The database, its write-ahead log, its folder, backups and the signing key are readable by
their owner only, whatever umask the portal was started with."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from models import backup
from models.access import Role
from models.db import Database, wal_path
from models.settings import Settings
from tests.conftest import add_person


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """Start each test as a portal started from an ordinary shell would: umask 022."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_database_its_log_and_its_folder_are_private(tmp_path):
    path = tmp_path / "data" / "portal.duckdb"
    database = Database(path)
    try:
        database.migrate()
        add_person(database, Role.HR)
        assert wal_path(path).exists()  # the log of the writes not yet checkpointed
        assert mode(path.parent) == 0o700
        assert mode(path) == 0o600
        assert mode(wal_path(path)) == 0o600
    finally:
        database.close()


def test_a_database_made_readable_by_others_is_made_private_when_opened(tmp_path):
    path = tmp_path / "portal.duckdb"
    duckdb.connect(str(path)).close()
    path.chmod(0o644)
    tmp_path.chmod(0o755)
    Database(path).close()
    assert (mode(path), mode(tmp_path)) == (0o600, 0o700)


def test_backups_are_private(tmp_path):
    database = Database(tmp_path / "portal.duckdb")
    try:
        database.migrate()
        admin = add_person(database, Role.ADMIN)
        os.umask(0o022)  # as if something else had loosened it since the database was opened
        folder = backup.backup(database, admin, tmp_path / "backups")
    finally:
        database.close()
    assert mode(tmp_path / "backups") == 0o700
    assert mode(folder) == 0o700
    files = [path for path in folder.rglob("*") if path.is_file()]
    assert files and {mode(path) for path in files} == {0o600}


def test_a_restored_database_and_the_kept_one_are_private(tmp_path):
    path = tmp_path / "portal.duckdb"
    database = Database(path)
    database.migrate()
    folder = backup.backup(database, None, tmp_path / "backups", system=True)
    database.close()
    os.umask(0o022)
    path.chmod(0o644)
    kept = backup.restore(path, folder)
    assert kept is not None
    assert (mode(path), mode(kept)) == (0o600, 0o600)


def test_the_generated_signing_key_is_private(tmp_path):
    settings = Settings(db_path=tmp_path / "data" / "portal.duckdb", secret_key=None)
    key = settings.signing_key()
    key_file = tmp_path / "data" / ".secret_key"
    assert len(key) >= 32 and key_file.read_text() == key
    assert (mode(key_file), mode(key_file.parent)) == (0o600, 0o700)
    assert settings.signing_key() == key
