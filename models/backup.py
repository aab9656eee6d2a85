"""Backups of the whole database as Parquet files (DuckDB ``EXPORT DATABASE``) and their
restore into the database file while the portal is stopped. On PostgreSQL
(``PORTAL_DATABASE_URL``) the same folders hold ``pg_dump``'s archive instead (``models.pg_backup``).

A backup is a folder ``portal-YYYYmmdd-HHMMSS`` (UTC) holding DuckDB's ``schema.sql``,
``load.sql``, one Parquet file per table and ``backup.json`` with the row counts, written
last: a folder without it is an unfinished backup and is never listed or restored.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

import duckdb

from models import audit
from models.access import CurrentUser, Permission, require
from models.backup_manifest import (
    BACKUP_PREFIX,
    MANIFEST,
    BackupError,
    BackupInfo,
    check_schema_version,
    free_name,
    read_backup,
)
from models.db import (
    EVERY_TABLE,
    bump_versions,
    forget_database,
    make_private,
    private_folder,
    utc_now,
    wal_path,
)
from models.i18n import N_, _

if TYPE_CHECKING:
    from models.db import Database

_STAMP = "%Y%m%d-%H%M%S"
_NEXTVAL = re.compile(r"^nextval\('(?:\"?[\w]+\"?\.)?\"?(\w+)\"?'\)$")


class PortalRunningError(BackupError):
    """The database file is held by a running portal."""

    def __init__(self) -> None:
        super().__init__(_("The portal is running; stop it first (DuckDB lets only one process open the database)."))


def default_folder(db_path: Path) -> Path:
    """Where backups go unless told otherwise: ``backups/`` beside the database file."""
    return Path(db_path).resolve().parent / "backups"


# -- backing up ----------------------------------------------------------------------
def backup(db: Database, actor: CurrentUser | None, folder: Path | str, *, system: bool = False) -> Path:
    """Export the whole database into a new timestamped folder under ``folder``.

    ``actor`` needs the backups permission; only the command line, which acts as the
    system, passes ``actor=None`` with ``system=True``. The backup is audited.
    """
    if not (system and actor is None):
        require(actor, Permission.BACKUPS_MANAGE)
    if getattr(db, "url", None):  # the PostgreSQL store
        return _backup_postgres(db, actor, folder)
    folder = private_folder(Path(folder).resolve())  # DuckDB writes the export with the private umask
    with db.exclusive() as connection:
        now = utc_now()
        target = free_name(folder, BACKUP_PREFIX + now.strftime(_STAMP))
        partial = folder / f".{target.name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        try:
            connection.execute(f"EXPORT DATABASE '{_sql_path(partial)}' (FORMAT parquet)")
            tables = _row_counts(connection)
            manifest = {
                "created_at": now.isoformat(timespec="seconds"),
                "created_by": actor.full_name if actor else "system (command line)",
                "schema_version": _schema_version(connection),
                "duckdb_version": duckdb.__version__,
                "tables": tables,
            }
            (partial / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
            partial.rename(target)
        except duckdb.Error as error:
            shutil.rmtree(partial, ignore_errors=True)
            raise BackupError(
                _(
                    "The backup could not be written to {folder}: {error}. Nothing was saved.",
                    folder=folder,
                    error=error,
                )
            ) from None
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        _audit_backup(db, actor, target, sum(tables.values()))
    return target


def _backup_postgres(db: Database, actor: CurrentUser | None, folder: Path | str) -> Path:
    from models import pg_backup  # imported when used: most portals never need it

    try:
        target = pg_backup.dump(
            db, Path(folder), pg_backup.backup_name(), actor.full_name if actor else "system (command line)"
        )
    except duckdb.Error as error:
        raise BackupError(
            _("The backup could not be written to {folder}: {error}. Nothing was saved.", folder=folder, error=error)
        ) from None
    info = read_backup(target)
    _audit_backup(db, actor, target, info.rows, store=info.store)
    return target


def _audit_backup(db: Database, actor: CurrentUser | None, target: Path, rows: int, **more: str) -> None:
    """The audit entry of a finished backup, under the person who made it (None: the command line)."""
    after = {"folder": str(target), "rows": rows, "via": "portal" if actor else "command line", **more}
    db.write(lambda writer: audit.record(writer, actor, "backup", target.name, "create", after=after))


def list_backups(actor: CurrentUser, folder: Path | str) -> list[BackupInfo]:
    """Finished backups in ``folder``, newest first."""
    require(actor, Permission.BACKUPS_MANAGE)
    return find_backups(folder)


def find_backups(folder: Path | str) -> list[BackupInfo]:
    """Finished backups in ``folder``, newest first (for the command line)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if path.is_dir() and (path / MANIFEST).is_file():
            with contextlib.suppress(BackupError):
                found.append(read_backup(path))
    return sorted(found, key=lambda info: (info.created_at, info.name), reverse=True)


# -- restoring -----------------------------------------------------------------------
def restore(db_file: Path | str, backup_folder: Path | str) -> Path | None:
    """Replace the database file with the contents of a backup; the portal must be stopped.

    The backup is imported into a new file beside the database and checked (tables,
    row counts, migrations, sequences) before it takes the database's place in one
    rename, so the database is never half restored. The old file is kept as
    ``<name>.before-restore-<timestamp>``, whose path is returned (None when there was
    no database yet). Every sign-in session in the restored database is ended.
    """
    db_file = Path(db_file).resolve()
    info = read_backup(backup_folder)
    if info.store != "duckdb":
        raise BackupError(
            _(
                "{folder} is a backup of a PostgreSQL database: restore it with PORTAL_DATABASE_URL set."
                " Nothing was restored.",
                folder=info.path,
            )
        )
    check_backup_sql(info.path)
    check_schema_version(info)
    forget_database(db_file)  # close this process's own handle on the file, if any
    private_folder(db_file.parent)  # the restored file and its log are created private
    if db_file.exists():
        _checkpoint_or_refuse(db_file)
    stamp = utc_now().strftime(_STAMP)
    staging = db_file.with_name(f"{db_file.name}.restoring-{stamp}")
    _remove_database_file(staging)
    try:
        _build_restored(staging, info)
        kept = None
        if db_file.exists():
            kept = free_name(db_file.parent, f"{db_file.name}.before-restore-{stamp}")
            _keep_copy(db_file, kept)
            make_private(kept)
            wal = wal_path(db_file)
            if wal.exists():  # never let an old log replay over the restored file
                os.replace(wal, wal_path(kept))
                make_private(wal_path(kept))
        os.replace(staging, db_file)  # atomic: the path always names a whole database
    except BaseException:
        _remove_database_file(staging)
        raise
    return kept


# -- checking a backup's SQL ---------------------------------------------------------
# IMPORT DATABASE runs whatever schema.sql and load.sql say, so a restore first checks that
# they hold only what EXPORT DATABASE writes: schema.sql creates schemas, types, sequences,
# tables (with their columns, never AS a query), indexes, views and macros; load.sql copies
# each table from a Parquet file of the folder. Anything else (ATTACH, INSTALL or LOAD, COPY
# TO, a file elsewhere, PRAGMA, SET, CALL, a secret, a query reading files) is refused.
_EXPORTED_CREATE = re.compile(
    r"CREATE\s+(?:(?:SCHEMA|TYPE|SEQUENCE|VIEW|MACRO|FUNCTION|(?:UNIQUE\s+)?INDEX)\s"
    r"|TABLE\s+(?:\"[^\"]+\"|\w+)(?:\.(?:\"[^\"]+\"|\w+))?\s*\()",
    re.IGNORECASE,
)
_EXPORTED_COPY = re.compile(
    r"COPY\s+(?:\"[^\"]+\"|\w+)(?:\.(?:\"[^\"]+\"|\w+))?\s+FROM\s+'((?:[^']|'')*)'"
    r"\s*\(\s*FORMAT\s+'?parquet'?\s*\)\s*;?",
    re.IGNORECASE,
)
_READS_OUTSIDE = re.compile(r"\b(?:read_\w+|glob|getenv|sniff_csv|parquet_\w+|query_table|query)\s*\(", re.IGNORECASE)
_TEXT_LITERAL = re.compile(r"'(?:[^']|'')*'")
_PATTERN_CHARACTERS = frozenset("*?[]{}")


def check_backup_sql(folder: Path) -> None:
    """Refuse (``BackupError`` naming the statement) a backup whose ``schema.sql`` or
    ``load.sql`` holds a statement an export does not write; nothing is run before."""
    for statement in _statements(folder, "schema.sql"):
        text = _TEXT_LITERAL.sub("''", statement.query.strip())
        if (
            statement.type != duckdb.StatementType.CREATE
            or not _EXPORTED_CREATE.match(text)
            or _READS_OUTSIDE.search(text)
        ):
            raise _unexpected(folder, "schema.sql", statement.query)
    for statement in _statements(folder, "load.sql"):
        copied = _EXPORTED_COPY.fullmatch(statement.query.strip())
        if statement.type != duckdb.StatementType.COPY or not copied:
            raise _unexpected(folder, "load.sql", statement.query)
        _check_copied_file(folder, copied.group(1).replace("''", "'"), statement.query)


def _statements(folder: Path, name: str) -> list[Any]:
    try:
        return duckdb.extract_statements((folder / name).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, duckdb.Error) as error:
        raise BackupError(
            _(
                "{folder} cannot be restored: its {file} cannot be read ({error}).",
                folder=folder,
                file=name,
                error=error,
            )
        ) from None


def _check_copied_file(folder: Path, file: str, query: str) -> None:
    """The file a COPY reads is a Parquet file of the folder itself: DuckDB takes its name in
    the folder it imports; the path written at export ends in the folder's own name or in the
    name it had while the export was written (``.<name>.partial``)."""
    path = PurePath(file)
    written_in = path.parent.name
    own = folder / path.name
    if (
        written_in not in ("", folder.name, f".{folder.name}.partial")
        or _PATTERN_CHARACTERS & set(path.name)
        or path.suffix.lower() != ".parquet"
        or own.is_symlink()
        or not own.is_file()
    ):
        raise BackupError(
            _(
                "{folder} cannot be restored: its load.sql reads a file that is not one of the backup's own "
                "({statement}). Nothing was restored.",
                folder=folder,
                statement=_shortened(query),
            )
        )


def _unexpected(folder: Path, name: str, query: str) -> BackupError:
    return BackupError(
        _(
            "{folder} cannot be restored: its {file} holds a statement a portal backup never writes "
            "({statement}). Nothing was restored.",
            folder=folder,
            file=name,
            statement=_shortened(query),
        )
    )


def _shortened(query: str) -> str:
    text = " ".join(query.split())
    return text if len(text) <= 120 else text[:117] + "…"


def _build_restored(staging: Path, info: BackupInfo) -> None:
    connection = duckdb.connect(str(staging))
    try:
        connection.execute(f"IMPORT DATABASE '{_sql_path(info.path)}'")
        _verify(connection, info)
        _advance_sequences(connection)
        bump_versions(connection, {EVERY_TABLE})  # no figure remembered before the restore is current
        connection.execute(
            "UPDATE sign_in_tokens SET used_at = ? WHERE used_at IS NULL", [utc_now()]
        )  # a restore must not revive sessions that were ended after the backup
        audit.record(connection, None, "backup", info.name, "restore", after={"rows": info.rows, "via": "command line"})
        connection.execute("CHECKPOINT")
    finally:
        connection.close()


def _verify(connection: duckdb.DuckDBPyConnection, info: BackupInfo) -> None:
    tables = _row_counts(connection)
    if "schema_migrations" not in tables or not tables["schema_migrations"]:
        raise BackupError(_("{folder} does not hold a portal database (no schema_migrations).", folder=info.path))
    for name, expected in info.tables.items():
        if tables.get(name) != expected:
            raise BackupError(
                _(
                    "{folder} is damaged: table {table} has {rows} rows, the backup recorded {expected}.",
                    folder=info.path,
                    table=name,
                    rows=tables.get(name, 0),
                    expected=expected,
                )
            )


def _advance_sequences(connection: duckdb.DuckDBPyConnection) -> None:
    """Move each id sequence past the largest id in use, so new rows never collide.

    DuckDB's export records where each sequence stood; this guards against a backup
    whose rows were given ids beyond it (one id per sequence is skipped, harmlessly)."""
    columns = connection.execute(
        "SELECT table_name, column_name, column_default FROM duckdb_columns()"
        " WHERE internal = false AND column_default LIKE 'nextval(%'"
    ).fetchall()
    for table, column, default in columns:
        match = _NEXTVAL.match(default)
        if not match:
            continue
        sequence = match.group(1)
        largest = connection.execute(f'SELECT max("{column}") FROM "{table}"').fetchone()[0]
        if largest is None:
            continue
        issued = connection.execute("SELECT nextval(?)", [sequence]).fetchone()[0]
        if issued < largest:
            connection.execute("SELECT max(nextval(?)) FROM range(?)", [sequence, largest - issued])


def _checkpoint_or_refuse(db_file: Path) -> None:
    """Fold the write-ahead log into the file; a lock held elsewhere means the portal runs."""
    try:
        connection = duckdb.connect(str(db_file))
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise PortalRunningError() from None
        raise
    try:
        connection.execute("CHECKPOINT")
    finally:
        connection.close()


def is_locked_error(error: BaseException) -> bool:
    """True for DuckDB's refusal to open a file another process holds."""
    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()


# -- helpers -------------------------------------------------------------------------
def _row_counts(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE internal = false AND database_name = current_database()"
            " AND schema_name = 'main' ORDER BY table_name"
        ).fetchall()
    ]
    return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _schema_version(connection: duckdb.DuckDBPyConnection) -> int:
    return connection.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def _keep_copy(db_file: Path, kept: Path) -> None:
    """Keep the old database under a new name without ever removing the original path."""
    try:
        os.link(db_file, kept)
    except OSError:
        shutil.copy2(db_file, kept)


def _remove_database_file(path: Path) -> None:
    for file in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            file.unlink()


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def describe(info: BackupInfo) -> dict[str, Any]:
    """A backup as a row of the Backups table."""
    return {  # the headers are marked for the catalogue; the Backups page shows them translated
        N_("Backup"): info.name,
        N_("Created (UTC)"): info.created_at,
        N_("By"): info.created_by,
        N_("Rows"): info.rows,
        N_("Size (MB)"): round(info.size_bytes / 1_000_000, 2),
        N_("Folder"): str(info.path),
    }
