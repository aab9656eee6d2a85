"""Moving a portal from its DuckDB file onto PostgreSQL (``python -m models.admin
move-to-postgres``): what an organisation does when it outgrows one server.

The file is only ever read (attached READ_ONLY). A file from an older portal is first migrated
in a copy of its own, in a temporary folder, as the portal would migrate it on opening; a file
from a newer portal is refused. The target must be empty: no table, or nothing but what the
migrations themselves make (their own record, the data versions and the rows a migration
inserts, such as the standard KPIs). It is migrated to the file's level, and then, in one
transaction, every table's rows are replaced by the file's (DuckDB's postgres extension sends
them with PostgreSQL's binary COPY), each sequence is set where the file's stood, the data
versions are the file's, each table's row count is checked against the file's and the move is
audited — or, on any error, nothing of the copy stays.

Two keys live beside the file, never in it: ``.survey_key`` seals the answers of open surveys
(without it they cannot be read), and ``.secret_key`` signs sign-in cookies (without it
everyone signs in again). The survey key is copied into the folder the portal servers keep
their files in, when one is named; the signing key is for the servers' ``PORTAL_SECRET_KEY``."""

from __future__ import annotations

import contextlib
import graphlib
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from models import audit, pg_backup
from models.db import (
    PRIVATE_FILE_MODE,
    VERSIONS_TABLE,
    Database,
    check_unchanged,
    list_migrations,
    make_private,
    private_folder,
    utc_now,
    wal_path,
)
from models.engagement.sealing import KEY_FILE_NAME as SURVEY_KEY
from models.i18n import _, format_number, ngettext
from models.postgres import PostgresDatabase, connect_with_extension, native_rows, run_natively, sql_literal

SIGNING_KEY = ".secret_key"
RECORD_TABLE = "schema_migrations"
SOURCE, TARGET = "source", "target"
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_INSERTED_BY = re.compile(r"\bINSERT\s+INTO\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)

Progress = Callable[[str], object]


class MoveError(Exception):
    """The move was refused or failed; the file and the target are as they were."""


@dataclass
class MoveReport:
    """What was moved: rows per table, how long the copy took, what became of the keys."""

    tables: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    level: int = 0
    migrated_copy: bool = False
    survey_key: Path | None = None  # where the survey key now is beside the servers' files
    advice: list[str] = field(default_factory=list)  # what the person must still do

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# -- the file ----------------------------------------------------------------------------------
def _read_only(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise MoveError(
                _("{path} is open in a running portal: stop it first. Nothing was moved.", path=path)
            ) from None
        raise MoveError(_("cannot open {path}: {error}", path=path, error=error)) from None
    except duckdb.Error as error:
        raise MoveError(_("cannot open {path}: {error}", path=path, error=error)) from None


def file_level(path: Path) -> dict[int, str | None]:
    """The migrations recorded in the file (number: checksum), read without changing it."""
    if not path.is_file():
        raise MoveError(_("there is no database file at {path}.", path=path))
    connection = _read_only(path)
    try:
        found = connection.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?", [RECORD_TABLE]
        ).fetchone()[0]
        if not found:
            raise MoveError(_("{path} is not a portal database (it has no migration record).", path=path))
        return dict(connection.execute(f"SELECT version, checksum FROM {RECORD_TABLE}").fetchall())
    finally:
        connection.close()


def _at_portal_level(path: Path, work: Path, progress: Progress) -> tuple[Path, int, bool]:
    """The file to copy from — ``path`` itself, or a migrated copy in ``work`` when the file is
    older than this portal — its migration level, and whether it is a copy."""
    recorded = file_level(path)
    migrations = list_migrations()
    known = {version for version, _name, _path in migrations}
    unknown = sorted(set(recorded) - known)
    if unknown:
        raise MoveError(
            _(
                "{path} comes from a newer portal (its migration {version} is unknown here): move it with"
                " the portal that wrote it. Nothing was moved.",
                path=path,
                version=f"{unknown[0]:04d}",
            )
        )
    check_unchanged(migrations, recorded)
    level = max(known)
    if known <= set(recorded):
        return path, level, False
    progress(_("{path} comes from an older portal: migrating a copy of it (the file stays as it is)…", path=path))
    copy = work / "portal.duckdb"
    shutil.copyfile(path, copy)
    if wal_path(path).exists():
        shutil.copyfile(wal_path(path), wal_path(copy))
    migrated = Database(copy)
    try:
        migrated.migrate()
    finally:
        migrated.close()
    return copy, level, True


def _tables_of(path: Path) -> set[str]:
    connection = _read_only(path)
    try:
        return {name for (name,) in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        connection.close()


# -- the target --------------------------------------------------------------------------------
def _native(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return native_rows(connection, sql, TARGET)


def _execute_natively(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    run_natively(connection, sql, TARGET)


def migrations_fill() -> set[str]:
    """The tables the migrations themselves put rows into (the standard KPIs, product groups)."""
    filled = {RECORD_TABLE, VERSIONS_TABLE}
    for _version, _name, path in list_migrations():
        filled.update(name.lower() for name in _INSERTED_BY.findall(path.read_text(encoding="utf-8")))
    return filled


def target_rows(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Each table of the target's schema ``public`` and its row count, counted natively."""
    return pg_backup.row_counts(
        connection,
        catalog=TARGET,
        refuse=lambda name: MoveError(
            _(
                "the target database holds a table the portal never makes ({table}): use an empty database."
                " Nothing was moved.",
                table=repr(name[:60]),
            )
        ),
    )


def check_target_empty(connection: duckdb.DuckDBPyConnection, portal_tables: set[str] | None = None) -> None:
    """Refuse a target holding anything but what the migrations make (and, given the portal's
    tables, any table that is none of them)."""
    filled = migrations_fill()
    found = target_rows(connection)
    strangers = sorted(set(found) - portal_tables) if portal_tables is not None else []
    if strangers:
        raise MoveError(
            _(
                "the target database holds a table the portal never makes ({table}): use an empty database."
                " Nothing was moved.",
                table=repr(strangers[0][:60]),
            )
        )
    held = {name: count for name, count in found.items() if count and name not in filled}
    if held:
        listed = ", ".join(f"{name} ({format_number(count)})" for name, count in sorted(held.items())[:8])
        raise MoveError(
            _(
                "the target database is not empty: it holds rows in {tables}. Move into an empty database."
                " Nothing was moved.",
                tables=listed,
            )
        )


def holds_nothing(url: str) -> bool:
    """Whether the PostgreSQL database at ``url`` holds nothing but what the migrations make."""
    connection = _attached(url)
    try:
        check_target_empty(connection)
    except MoveError:
        return False
    finally:
        connection.close()
    return True


def _attached(url: str, source: Path | None = None) -> duckdb.DuckDBPyConnection:
    connection = connect_with_extension()
    try:
        connection.execute(f"ATTACH {sql_literal(url)} AS {TARGET} (TYPE postgres)")
        if source is not None:
            connection.execute(f"ATTACH {sql_literal(str(source))} AS {SOURCE} (READ_ONLY)")
    except duckdb.Error as error:
        connection.close()
        raise MoveError(_("cannot open {path}: {error}", path=_shown(url), error=_hidden(str(error), url))) from None
    return connection


def _shown(url: str) -> str:
    """The database as a person reads it, without the password."""
    return str(pg_backup.target(url))


def _hidden(text: str, url: str) -> str:
    return pg_backup.hidden(text, pg_backup.target(url))


# -- the copy ----------------------------------------------------------------------------------
def _order(connection: duckdb.DuckDBPyConnection, tables: list[str]) -> list[str]:
    """``tables`` with each one after those its foreign keys point to (PostgreSQL checks them
    as the rows arrive)."""
    edges = _native(
        connection,
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint WHERE contype = 'f'"
        " AND connamespace = 'public'::regnamespace",
    )
    sorter = graphlib.TopologicalSorter({table: set() for table in tables})
    for child, parent in edges:
        child, parent = child.split(".")[-1], parent.split(".")[-1]
        if child != parent and child in tables and parent in tables:
            sorter.add(child, parent)
    return [table for table in sorter.static_order() if table in tables]


def _columns(connection: duckdb.DuckDBPyConnection, table: str) -> str:
    names = connection.execute(
        f"SELECT column_name FROM duckdb_columns() WHERE database_name = '{SOURCE}' AND schema_name = 'main'"
        " AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    return ", ".join(f'"{name}"' for (name,) in names)


def copy_rows(
    url: str,
    source: Path,
    *,
    progress: Progress = lambda text: None,
    check_empty: bool = True,
    finish: Callable[[duckdb.DuckDBPyConnection, dict[str, int]], None] | None = None,
) -> dict[str, int]:
    """Replace the rows of the migrated PostgreSQL database at ``url`` with those of the DuckDB
    file ``source`` (at the same migration level), table for table, with the sequences'
    positions and the data versions, in one transaction that ``finish`` ends (an audit entry);
    each table's row count is checked against the file's. The migration record stays the
    target's. Returns the rows copied per table."""
    connection = _attached(url, source)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                f"SELECT table_name FROM duckdb_tables() WHERE database_name = '{SOURCE}' AND schema_name = 'main'"
                f" AND table_name <> '{RECORD_TABLE}' ORDER BY table_name"
            ).fetchall()
        ]
        expected = {
            table: int(connection.execute(f'SELECT count(*) FROM {SOURCE}.main."{table}"').fetchone()[0])
            for table in tables
        }
        positions = [
            (name, last, start)
            for name, last, start in connection.execute(
                "SELECT sequence_name, last_value, start_value FROM duckdb_sequences()"
                f" WHERE database_name = '{SOURCE}' AND schema_name = 'main' ORDER BY 1"
            ).fetchall()
        ]
        missing = sorted(set(tables) - set(target_rows(connection)))
        if missing:
            raise MoveError(
                _("the target database lacks the tables {tables}; nothing was moved.", tables=", ".join(missing))
            )
        order = _order(connection, tables)
        connection.execute("BEGIN")
        if check_empty:
            check_target_empty(connection)
        # the triggers of the copied tables count a TRUNCATE as a rewrite: the versions go after it
        _execute_natively(connection, f"TRUNCATE {', '.join(order)}; DELETE FROM {VERSIONS_TABLE}")
        for table in order:
            if not expected[table]:
                continue
            started = time.monotonic()
            columns = _columns(connection, table)
            connection.execute(
                f'INSERT INTO {TARGET}.public."{table}" ({columns}) SELECT {columns} FROM {SOURCE}.main."{table}"'
            )
            progress(
                _(
                    "{table}: {rows} in {seconds} s",
                    table=table,
                    rows=ngettext("{n} row", "{n} rows", expected[table], n=format_number(expected[table])),
                    seconds=format_number(round(time.monotonic() - started, 1)),
                )
            )
        for name, last, start in positions:
            if not _NAME.match(name):
                raise MoveError(_("the file holds a sequence the portal never makes ({name}).", name=repr(name)))
            called = last is not None
            _native(connection, f"SELECT setval('{name}', {int(last if called else start)}, {called})")
        copied = {table: count for table, count in target_rows(connection).items() if table in expected}
        for table in tables:
            if copied.get(table) != expected[table]:
                raise MoveError(
                    _(
                        "row count of table {table}: {rows} in PostgreSQL, {expected} in the file; nothing was moved.",
                        table=table,
                        rows=copied.get(table, 0),
                        expected=expected[table],
                    )
                )
        if finish is not None:
            finish(connection, copied)
        connection.execute("COMMIT")
        return copied
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()


# -- the move ----------------------------------------------------------------------------------
def move_to_postgres(
    source: Path | str,
    url: str,
    *,
    servers_folder: Path | None = None,
    progress: Progress = lambda text: None,
) -> MoveReport:
    """Move the portal of the DuckDB file ``source`` into the empty PostgreSQL database at
    ``url`` (module docstring); the survey key beside the file is copied into
    ``servers_folder`` (where the portal servers keep their files) when one is given."""
    source = Path(source).resolve()
    report = MoveReport()
    with tempfile.TemporaryDirectory(prefix="portal-move-") as folder:
        work = Path(folder)
        readable, report.level, report.migrated_copy = _at_portal_level(source, work, progress)
        connection = _attached(url)
        try:
            check_target_empty(connection, _tables_of(readable) | {RECORD_TABLE})
        finally:
            connection.close()
        progress(_("Migrating {database}…", database=_shown(url)))
        target = PostgresDatabase(url, work / "server" / "portal.duckdb")
        try:
            target.migrate()
        except duckdb.Error as error:
            problem = _hidden(str(error), url)
            raise MoveError(_("cannot open {path}: {error}", path=_shown(url), error=problem)) from None
        finally:
            target.close()

        def audited(connection: duckdb.DuckDBPyConnection, copied: dict[str, int]) -> None:
            after = {
                "from": source.name,
                "rows": sum(copied.values()),
                "tables": len(copied),
                "schema_version": report.level,
                "via": "command line",
            }
            _execute_natively(
                connection,
                "INSERT INTO audit_log (id, occurred_at, actor_id, actor_name, entity, entity_id, action, after_json)"
                f" VALUES (nextval('seq_audit'), {sql_literal(utc_now().isoformat(sep=' '))}, NULL, NULL, 'database',"
                f" {sql_literal(source.name)}, 'move_to_postgres', {sql_literal(audit.to_json(after) or '')});"
                f" INSERT INTO {VERSIONS_TABLE} (table_name, server, version) VALUES ('audit_log', '', 1)"
                f" ON CONFLICT (table_name, server) DO UPDATE SET version = {VERSIONS_TABLE}.version + 1",
            )

        started = time.monotonic()
        report.tables = copy_rows(url, readable, progress=progress, finish=audited)
        report.seconds = time.monotonic() - started
    _keys(source.parent, servers_folder, report)
    return report


def _keys(beside: Path, servers_folder: Path | None, report: MoveReport) -> None:
    """Copy the survey key to the servers' folder (never over a different key), and say what
    the person must do with what cannot be copied."""
    survey_key = beside / SURVEY_KEY
    if survey_key.is_file():
        destination = (servers_folder / SURVEY_KEY) if servers_folder else None
        if destination is None:
            report.advice.append(
                _(
                    "Copy {key} into the folder of every portal server's PORTAL_DB_PATH: it seals the answers of"
                    " open surveys, which cannot be read without it.",
                    key=survey_key,
                )
            )
        elif destination.is_file() and destination.read_bytes() != survey_key.read_bytes():
            report.advice.append(
                _(
                    "{destination} is another survey key and was left as it is: replace it with {key}, or the"
                    " answers of open surveys cannot be read.",
                    destination=destination,
                    key=survey_key,
                )
            )
        else:
            private_folder(destination.parent)
            if not destination.is_file():
                shutil.copyfile(survey_key, destination)
                destination.chmod(PRIVATE_FILE_MODE)
            make_private(destination)
            report.survey_key = destination
    signing_key = beside / SIGNING_KEY
    if signing_key.is_file():
        report.advice.append(
            _(
                "To keep people signed in, give every portal server the key in {key} as PORTAL_SECRET_KEY;"
                " otherwise everyone signs in again.",
                key=signing_key,
            )
        )
