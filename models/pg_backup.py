"""Backups of the portal's PostgreSQL database (``PORTAL_DATABASE_URL``) with ``pg_dump``, and
their restore with ``pg_restore`` and ``psql`` — the same folders, manifest and checks as the
DuckDB file's backups (``models.backup``).

A backup is a folder ``portal-YYYYmmdd-HHMMSS`` holding ``portal.dump`` (``pg_dump``'s custom
format, schema ``public`` only) and ``backup.json``, written last: the row count of every table
counted in the very snapshot the dump was taken from, the migration level, and the archive's
SHA-256. Neither the URL nor its password is written anywhere; the programs get the password
in a private password file named by ``PGPASSFILE``, never on their command line.

A restore checks the manifest, the archive's checksum, its table of contents and every statement
``pg_restore`` turns it into, refuses while other sessions use the database (unless told to end
them), keeps a backup of the database as it was, and then replaces the schema ``public`` in one
transaction: the old tables and functions are dropped, the backup's tables created and filled,
every row count checked against the manifest, the portal's own functions and triggers made again
from its migrations, the data versions moved on, every sign-in session ended and the restore
audited — or, on any error, nothing at all is changed. Functions and triggers never come from a
backup: the archive's are skipped when the portal's migrations define them, and any other is
refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import duckdb

from models import audit
from models.backup_manifest import (
    BACKUP_PREFIX,
    MANIFEST,
    BackupError,
    BackupInfo,
    check_schema_version,
    free_name,
    read_backup,
)
from models.db import VERSIONS_TABLE, list_migrations, private_folder, utc_now
from models.i18n import _, ngettext
from models.postgres import ATTACHED_AS, NATIVE_TWINS_DIR, PostgresDatabase, native_rows, sql_literal

STORE = "postgresql"
ARCHIVE = "portal.dump"
SCHEMA = "public"
LOCK_TIMEOUT = "10s"  # how long a restore waits for a table another session holds
POSTGRES_VERSIONS_DIR = Path("/usr/lib/postgresql")  # Debian: one bin/ per installed major version
_STAMP = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_CHUNK = 1 << 20


# -- reaching the database -------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """Where the programs connect: the URL without its password, and the password apart."""

    url: str  # never holds the password
    password: str | None
    database: str
    host: str

    def __str__(self) -> str:
        return _("the PostgreSQL database {database} on {host}", database=self.database, host=self.host)


def target(url: str) -> Target:
    """``url`` split into what may appear on a command line and the password, which may not."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    password = unquote(parts.password) if parts.password is not None else None
    for key, value in query:
        if key == "password":
            password = value
    user = f"{quote(unquote(parts.username), safe='')}@" if parts.username else ""
    host = parts.hostname or "localhost"
    shown_host = f"[{host}]" if ":" in host else host
    netloc = f"{user}{shown_host}" + (f":{parts.port}" if parts.port else "")
    kept = urlencode([(key, value) for key, value in query if key != "password"])
    return Target(
        url=urlunsplit((parts.scheme, netloc, parts.path, kept, "")),
        password=password,
        database=unquote(parts.path.lstrip("/")) or (unquote(parts.username or "") or "postgres"),
        host=f"{shown_host}:{parts.port or 5432}",
    )


@contextlib.contextmanager
def program_environment(where: Target) -> Iterator[dict[str, str]]:
    """The environment of ``pg_dump``, ``pg_restore`` and ``psql``: with a password, a private
    password file of one line that exists only while they run (``PGPASSFILE``); without, the
    person's own ``PGPASSWORD`` or ``~/.pgpass`` as libpq finds them."""
    environment = dict(os.environ)
    if where.password is None:
        yield environment
        return
    folder = Path(tempfile.mkdtemp(prefix="portal-pgpass-"))  # mode 0700
    try:
        passfile = folder / "pgpass"
        escaped = where.password.replace("\\", "\\\\").replace(":", "\\:")
        descriptor = os.open(passfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(f"*:*:*:*:{escaped}\n")
        environment.pop("PGPASSWORD", None)
        environment["PGPASSFILE"] = str(passfile)
        yield environment
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def hidden(text: str, where: Target) -> str:
    """``text`` (a program's error) with the password blanked, should a program ever echo it."""
    if where.password:
        text = text.replace(where.password, "********").replace(quote(where.password, safe=""), "********")
    return text


# -- the programs ------------------------------------------------------------------------------
def _major(shown: str) -> int | None:
    """The major version in ``pg_dump --version``'s answer ("pg_dump (PostgreSQL) 15.18 (Debian…)")."""
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", shown)
    return int(match.group(1)) if match else None


def program_folders() -> list[Path]:
    """Folders holding PostgreSQL's client programs: Debian's per-version folders, newest
    first, then the one of ``pg_dump`` on the PATH."""
    folders = []
    if POSTGRES_VERSIONS_DIR.is_dir():
        versions = [path for path in POSTGRES_VERSIONS_DIR.iterdir() if path.name.isdigit()]
        for version in sorted(versions, key=lambda path: int(path.name), reverse=True):
            if (version / "bin" / "pg_dump").is_file():
                folders.append(version / "bin")
    on_path = shutil.which("pg_dump")
    if on_path:
        folders.append(Path(on_path).parent)  # Debian's wrapper picks a version itself
    return folders


def _version_of(folder: Path) -> int | None:
    try:
        shown = subprocess.run(  # noqa: S603 - a fixed program of PostgreSQL's
            [str(folder / "pg_dump"), "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return _major(shown)


def programs_for(server_major: int) -> Path:
    """The folder of ``pg_dump``/``pg_restore``/``psql`` for a server of that major version: the
    same version when installed (Debian's ``/usr/lib/postgresql/<N>/bin``), else the oldest newer
    one (pg_dump refuses a server newer than itself)."""
    usable = []
    for folder in program_folders():
        version = _version_of(folder)
        if version is not None and version >= server_major and (folder / "pg_restore").is_file():
            usable.append((version, folder))
    if not usable:
        raise BackupError(
            _(
                "No pg_dump of PostgreSQL {version} or newer is installed: install Debian's"
                " postgresql-client-{version} and try again. Nothing was changed.",
                version=server_major,
            )
        )
    return min(usable, key=lambda found: found[0])[1]


def _run(command: list[str], environment: dict[str, str], where: Target, doing: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - PostgreSQL's programs; no shell, no password in argv
            command, capture_output=True, text=True, env=environment, timeout=6 * 3600
        )
    except OSError as error:
        raise BackupError(
            _(
                "{doing} failed: {program} could not run ({error}).",
                doing=doing,
                program=command[0],
                error=error.strerror,
            )
        ) from None
    if done.returncode != 0:  # the program's own words, as it printed them, without the password
        raise BackupError(
            _("{doing} failed: {problem}", doing=doing, problem=hidden(_problem(done.stderr), where)[:2000])
        )
    return done.stdout


def _problem(printed: str) -> str:
    """What a program's error output says went wrong: PostgreSQL's ERROR lines without psql's
    script position, else all it printed."""
    lines = [line.strip() for line in printed.splitlines() if line.strip()]
    errors = [line[line.index("ERROR:") :] for line in lines if "ERROR:" in line]
    return " ".join(errors or lines)


def _psql(folder: Path, where: Target, environment: dict[str, str], sql: str) -> list[list[str]]:
    """Rows of one query run by ``psql`` (fields split on tabs)."""
    output = _run(
        [str(folder / "psql"), "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql, "-d", where.url],
        environment,
        where,
        _("Reading {database}", database=where),
    )
    return [line.split("\t") for line in output.splitlines() if line]


def server_major(where: Target, environment: dict[str, str]) -> int:
    """The major version of the server, asked with any installed ``psql``."""
    folders = [folder for folder in program_folders() if (folder / "psql").is_file()]
    if not folders:
        raise BackupError(_("PostgreSQL's client programs are not installed: install Debian's postgresql-client."))
    rows = _psql(folders[0], where, environment, "SHOW server_version_num")
    return int(rows[0][0]) // 10000


# -- backing up --------------------------------------------------------------------------------
def dump(db: PostgresDatabase, folder: Path, name: str, created_by: str) -> Path:
    """Write a finished backup of ``db`` into ``folder/name`` (see the module's docstring)."""
    where = target(db.url)
    folder = private_folder(Path(folder).resolve())
    destination = free_name(folder, name)
    partial = folder / f".{destination.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    private_folder(partial)
    reading = False
    connection = db.reader()
    try:
        with program_environment(where) as environment:
            tools = programs_for(server_major(where, environment))
            # the counts and pg_dump read one snapshot: exported by this transaction, held open
            # until pg_dump has finished, so the manifest says exactly what the archive holds
            connection.execute("BEGIN")
            reading = True
            snapshot = native_rows(connection, "SELECT pg_export_snapshot()")[0][0]
            tables = _row_counts(connection)
            version = 0
            if "schema_migrations" in tables:
                version = native_rows(connection, "SELECT coalesce(max(version), 0) FROM schema_migrations")[0][0]
            _run(
                [
                    str(tools / "pg_dump"),
                    "--format=custom",
                    f"--schema={SCHEMA}",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={partial / ARCHIVE}",
                    f"--dbname={where.url}",
                ],
                environment,
                where,
                _("Backing up {database}", database=where),
            )
            dumped_by = _run([str(tools / "pg_dump"), "--version"], environment, where, "pg_dump").strip()
            connection.execute("ROLLBACK")
            reading = False
        manifest = {
            "created_at": utc_now().isoformat(timespec="seconds"),
            "created_by": created_by,
            "store": STORE,
            "schema_version": int(version),
            "pg_dump_version": dumped_by,
            "archive": ARCHIVE,
            "sha256": _sha256(partial / ARCHIVE),
            "tables": tables,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        partial.rename(destination)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        if reading:
            with contextlib.suppress(Exception):
                connection.execute("ROLLBACK")
        raise
    return destination


def _row_counts(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return row_counts(
        connection,
        refuse=lambda name: BackupError(
            _("The database holds a table the portal never makes ({table}); nothing was saved.", table=repr(name))
        ),
    )


def row_counts(
    connection: duckdb.DuckDBPyConnection, *, refuse: Callable[[str], Exception], catalog: str = ATTACHED_AS
) -> dict[str, int]:
    """Each table of the schema ``public`` of the database attached as ``catalog`` and its row
    count, counted natively in one query; ``refuse(name)`` is raised for a table whose name the
    portal would never give one (nothing is counted then)."""
    names = [
        row[0]
        for row in native_rows(
            connection, f"SELECT tablename::text FROM pg_tables WHERE schemaname = '{SCHEMA}' ORDER BY 1", catalog
        )
    ]
    for name in names:
        if not _NAME.match(name):
            raise refuse(name)
    if not names:
        return {}
    counting = " UNION ALL ".join(f"SELECT '{name}'::text, count(*) FROM {SCHEMA}.{name}" for name in names)
    return {str(name): int(count) for name, count in native_rows(connection, counting, catalog)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# -- checking a backup -------------------------------------------------------------------------
# What pg_dump of the portal's schema writes; anything else in an archive is refused.
_ENTRY = re.compile(r"^\d+;\s+\d+\s+\d+\s+(?P<rest>.+)$")
_KINDS = (
    "TABLE DATA",
    "SEQUENCE SET",
    "SEQUENCE OWNED BY",
    "FK CONSTRAINT",
    "CONSTRAINT",
    "SEQUENCE",
    "DEFAULT",
    "INDEX",
    "TABLE",
)
_SKIPPED = ("SCHEMA - public", "COMMENT - SCHEMA public")  # the schema stays; its tables are replaced


_DEFINES_FUNCTION = re.compile(
    rf"\bCREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:{SCHEMA}\.)?([a-z_][a-z0-9_]*)\s*\(", re.IGNORECASE
)
_DEFINES_TRIGGER = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\s+([a-z_][a-z0-9_]*)\s+"
    rf"(?:BEFORE|AFTER|INSTEAD\s+OF)\s[\w\s]*?\bON\s+(?:{SCHEMA}\.)?([a-z_][a-z0-9_]*)",
    re.IGNORECASE,
)


def twin_routines(directory: Path = NATIVE_TWINS_DIR) -> list[tuple[int, Path, frozenset[str]]]:
    """The portal's PostgreSQL migrations (native twins) that define functions or triggers, in
    order: each one's number, file and what it defines ("function count_rewrite", "trigger
    complaints_updated on complaints")."""
    found = []
    for version, _name, path in list_migrations(directory):
        sql = path.read_text(encoding="utf-8")
        names = {f"function {name.lower()}" for name in _DEFINES_FUNCTION.findall(sql)}
        names |= {f"trigger {name.lower()} on {table.lower()}" for name, table in _DEFINES_TRIGGER.findall(sql)}
        if names:
            found.append((version, path, frozenset(names)))
    return found


def _refused(info: BackupInfo, why: str) -> BackupError:
    """``why`` is a clause in the reader's language ("its archive lists …")."""
    return BackupError(_("{folder} cannot be restored: {reason}. Nothing was restored.", folder=info.path, reason=why))


_FUNCTION_ENTRY = re.compile(rf"^FUNCTION {SCHEMA} (?P<name>[a-z_][a-z0-9_]*)\(")
_TRIGGER_ENTRY = re.compile(rf"^TRIGGER {SCHEMA} (?P<table>[a-z_][a-z0-9_]*) (?P<name>[a-z_][a-z0-9_]*) ")


def check_archive(info: BackupInfo, listing: str) -> str:
    """The archive's table of contents, kept to the entries restored (``pg_restore -L``), after
    checking that it holds only what a portal backup holds: tables, their data, sequences,
    constraints, defaults and indexes of the schema ``public``, and exactly the manifest's tables.
    The portal's own functions and triggers (``twin_routines``) are skipped: the restore makes
    them from the migrations instead."""
    kept, filled = [], set()
    own = {name for _, _, names in twin_routines() for name in names}
    for line in listing.splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        entry = _ENTRY.match(line)
        if not entry:
            raise _refused(
                info, _("its archive lists an entry a portal backup never holds ({entry})", entry=line[:120])
            )
        rest = entry.group("rest")
        if any(rest.startswith(skipped + " ") for skipped in _SKIPPED):
            continue
        function, trigger = _FUNCTION_ENTRY.match(rest), _TRIGGER_ENTRY.match(rest)
        if (function and f"function {function['name']}" in own) or (
            trigger and f"trigger {trigger['name']} on {trigger['table']}" in own
        ):
            continue
        kind = next((kind for kind in _KINDS if rest.startswith(kind + " ")), None)
        words = rest[len(kind) + 1 :].split() if kind else []
        if kind is None or len(words) < 2 or words[0] != SCHEMA or not _NAME.match(words[1]):
            raise _refused(
                info, _("its archive holds {entry}, which a portal backup never holds", entry=repr(rest[:120]))
            )
        if kind == "TABLE DATA":
            filled.add(words[1])
        kept.append(line)
    if "schema_migrations" not in filled:
        raise _refused(info, _("it does not hold a portal database (no schema_migrations)"))
    if filled != set(info.tables):
        missing = sorted(set(info.tables) ^ filled)
        raise _refused(
            info, _("its archive and its manifest name different tables ({tables})", tables=", ".join(missing[:5]))
        )
    return "\n".join(kept) + "\n"


# The statements pg_restore writes for such an archive; the script is refused, naming the
# statement, when it holds anything else (a function, a trigger, a role, a psql command…).
_SETTINGS = {
    "statement_timeout",
    "lock_timeout",
    "idle_in_transaction_session_timeout",
    "client_encoding",
    "standard_conforming_strings",
    "check_function_bodies",
    "xmloption",
    "client_min_messages",
    "row_security",
    "default_tablespace",
    "default_table_access_method",
}
_QUALIFIED = rf"{SCHEMA}\.\"?[a-z_][a-z0-9_]*\"?"
_STATEMENTS = (
    re.compile(r"SET (?P<setting>\w+) = [\w']+", re.IGNORECASE),
    re.compile(r"SELECT pg_catalog\.set_config\('search_path', '', false\)"),
    re.compile(rf"SELECT pg_catalog\.setval\('{SCHEMA}\.[a-z_][a-z0-9_]*', \d+, (?:true|false)\)"),
    re.compile(
        rf"CREATE SEQUENCE {_QUALIFIED}(?: AS \w+)?(?: (?:START WITH|INCREMENT BY|CACHE) -?\d+| NO (?:MIN|MAX)VALUE)*"
    ),
    re.compile(rf"ALTER SEQUENCE {_QUALIFIED} OWNED BY {_QUALIFIED}\.\"?[a-z_][a-z0-9_]*\"?"),
    re.compile(rf"CREATE TABLE {_QUALIFIED} \(.*\)", re.DOTALL),
    re.compile(
        rf"ALTER TABLE ONLY {_QUALIFIED} ADD CONSTRAINT \w+ (?:PRIMARY KEY|UNIQUE|FOREIGN KEY|CHECK) .*", re.DOTALL
    ),
    re.compile(rf"ALTER TABLE ONLY {_QUALIFIED} ALTER COLUMN \"?\w+\"? SET DEFAULT .*", re.DOTALL),
    re.compile(rf"CREATE (?:UNIQUE )?INDEX \w+ ON {_QUALIFIED} USING btree \(.*\)", re.DOTALL),
    re.compile(rf"COPY {_QUALIFIED} \([^;]*\) FROM stdin"),
)
# functions that reach outside the database's own tables or change the server
_OUTSIDE = re.compile(
    r"\b(?:pg_read_\w*|pg_ls_\w+|pg_stat_file|pg_file_\w+|lo_\w+|dblink\w*|pg_terminate_backend|pg_cancel_backend"
    r"|set_config|pg_reload_conf|pg_rotate_logfile|pg_promote|pg_logical_\w+|\w+_to_xml\w*|query_to_\w+"
    r"|pg_advisory\w*|current_setting|pg_sleep\w*|copy|execute)\s*\(",
    re.IGNORECASE,
)
# words no statement of such a script holds: a query, a table built from one or on another
_OUTSIDE_WORDS = re.compile(
    r"\b(?:SELECT|INHERITS|PARTITION|TABLESPACE|EXECUTE|RETURNING|AS\s+(?:TABLE|VALUES))\b", re.IGNORECASE
)
_RESTRICT = re.compile(r"^\\(?:un)?restrict [A-Za-z0-9]+$")


def _script_statements(script: str) -> Iterator[str]:
    """The SQL statements of a script written by ``pg_restore``, read as ``psql`` reads it (a
    COPY's rows, up to the line ``\\.``, are data and skipped)."""
    lines = script.split("\n")
    index, statement = 0, []
    while index < len(lines):
        line = lines[index]
        index += 1
        if not statement and _RESTRICT.match(line.strip()):
            continue
        sql, ends = _line_sql(line)
        if sql.strip():
            statement.append(sql.strip())
        if ends:
            whole, statement = " ".join(statement), []
            yield whole
            if whole.startswith("COPY "):
                while index < len(lines) and lines[index] != "\\.":
                    index += 1
                index += 1
    if statement:
        raise _ScriptRefused(" ".join(statement))


def _line_sql(line: str) -> tuple[str, bool]:
    """One line's SQL (without its comment) and whether a ``;`` ends a statement there. Refused:
    a backslash outside a text (psql would run it as a command of its own), dollar quoting, a
    block comment, a text left open at the end of the line, anything after the ``;``."""
    quote_char = None
    for position, char in enumerate(line):
        if quote_char:
            quote_char = None if char == quote_char else quote_char
        elif char in "'\"":
            quote_char = char
        elif line.startswith("--", position):
            return line[:position], False
        elif char in "\\$" or line.startswith("/*", position) or (char == ";" and line[position + 1 :].strip()):
            raise _ScriptRefused(line)
        elif char == ";":
            return line[:position], True
    if quote_char:
        raise _ScriptRefused(line)
    return line, False


class _ScriptRefused(Exception):
    def __init__(self, statement: str):
        self.statement = statement


def check_script(info: BackupInfo, script: str) -> None:
    """Refuse (naming the statement) a restore script holding a statement a backup never makes."""
    try:
        for statement in _script_statements(script):
            flat = re.sub(r"\s+", " ", statement)
            without_texts = re.sub(r"'(?:[^']|'')*'", "''", flat)
            shape = next((pattern.fullmatch(flat) for pattern in _STATEMENTS if pattern.fullmatch(flat)), None)
            if (
                shape is None
                or ("setting" in shape.groupdict() and shape.group("setting").lower() not in _SETTINGS)
                or (
                    not flat.startswith("SELECT pg_catalog.set")
                    and (_OUTSIDE.search(without_texts) or _OUTSIDE_WORDS.search(re.sub(r'"[^"]*"', "", without_texts)))
                )
            ):
                raise _ScriptRefused(statement)
    except _ScriptRefused as refused:
        text = " ".join(refused.statement.split())
        raise _refused(
            info,
            _("its archive holds a statement a portal backup never makes ({statement})", statement=f"{text[:117]}…"),
        ) from None


def _check_manifest(info: BackupInfo, manifest: dict) -> Path:
    if info.store != STORE:
        raise _refused(info, _("it is a backup of a DuckDB file; restore it with PORTAL_DATABASE_URL unset"))
    archive = info.path / ARCHIVE
    if manifest.get("archive") != ARCHIVE or archive.is_symlink() or not archive.is_file():
        raise _refused(info, _("its {file} is missing", file=ARCHIVE))
    if manifest.get("sha256") != _sha256(archive):
        raise _refused(info, _("its {file} is not the file the backup wrote (its checksum differs)", file=ARCHIVE))
    for name in info.tables:
        if not _NAME.match(name):
            raise _refused(
                info, _("its manifest names a table the portal never makes ({table})", table=repr(name[:60]))
            )
    return archive


# -- restoring ---------------------------------------------------------------------------------
def restore(url: str, backup_folder: Path | str, keep_in: Path | str, *, force: bool = False) -> Path | None:
    """Replace the portal's tables in the PostgreSQL database at ``url`` with a backup's.

    Refused while other sessions are connected to the database (portal servers), unless
    ``force``, which ends them. The database as it was is first backed up into ``keep_in``
    (``before-restore-<time>``, a backup like any other), whose path is returned (None when the
    database held no table). Everything else happens in one transaction (module docstring)."""
    info = read_backup(backup_folder)
    manifest = json.loads((info.path / MANIFEST).read_text(encoding="utf-8"))
    archive = _check_manifest(info, manifest)
    check_schema_version(info)
    where = target(url)
    keep_in = private_folder(Path(keep_in).resolve())
    stamp = utc_now().strftime(_STAMP)
    work = private_folder(keep_in / f".restoring-{stamp}-{os.getpid()}")
    try:
        with program_environment(where) as environment:
            tools = programs_for(server_major(where, environment))
            script = _checked_script(info, archive, tools, where, environment, work)
            _refuse_while_connected(tools, where, environment, force)
            kept = _keep_copy(url, tools, where, environment, keep_in, stamp)
            try:
                _replace(info, script, tools, where, environment, work, force)
            except BaseException:
                if kept:  # the database is as it was: the copy of it is not needed
                    shutil.rmtree(kept, ignore_errors=True)
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return kept


def _checked_script(
    info: BackupInfo, archive: Path, tools: Path, where: Target, environment: dict[str, str], work: Path
) -> Path:
    """The archive as the SQL script ``psql`` runs, written into ``work`` after checking both."""
    listing = _run([str(tools / "pg_restore"), "--list", str(archive)], environment, where, _("Reading the backup"))
    entries = work / "entries.list"
    entries.write_text(check_archive(info, listing), encoding="utf-8")
    script = work / "restore.sql"
    command = [str(tools / "pg_restore"), "--no-owner", "--no-privileges", f"--use-list={entries}"]
    _run([*command, f"--file={script}", str(archive)], environment, where, _("Reading the backup"))
    check_script(info, script.read_text(encoding="utf-8"))
    return script


_OTHER_SESSIONS = (
    "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    " AND backend_type = 'client backend'"
)


def _refuse_while_connected(tools: Path, where: Target, environment: dict[str, str], force: bool) -> None:
    """Portal servers connected to the database would go on serving what they keep of it."""
    others = int(_psql(tools, where, environment, f"SELECT count(*) {_OTHER_SESSIONS}")[0][0])
    if others and not force:
        raise BackupError(
            ngettext(
                "{n} other session is connected to {database} (portal servers?): stop the portal servers first,"
                " or pass --force to end those sessions. Nothing was restored.",
                "{n} other sessions are connected to {database} (portal servers?): stop the portal servers first,"
                " or pass --force to end those sessions. Nothing was restored.",
                others,
                database=where,
            )
        )


def _replace(
    info: BackupInfo, script: Path, tools: Path, where: Target, environment: dict[str, str], work: Path, force: bool
) -> None:
    """Run the restore in one transaction: the start, the checked script, the end."""
    (work / "before.sql").write_text(_before_sql(force), encoding="utf-8")
    (work / "after.sql").write_text(_after_sql(info), encoding="utf-8")
    files = [part for name in (work / "before.sql", script, work / "after.sql") for part in ("-f", str(name))]
    _run(
        [str(tools / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-o", os.devnull]
        + [*files, "-d", where.url],
        environment,
        where,
        _("Restoring {backup} into {database} (nothing was restored)", backup=info.name, database=where),
    )


def _keep_copy(
    url: str, tools: Path, where: Target, environment: dict[str, str], keep_in: Path, stamp: str
) -> Path | None:
    """A backup of the database as it is, before the restore replaces it (None: no table)."""
    tables = _psql(tools, where, environment, f"SELECT count(*) FROM pg_tables WHERE schemaname = '{SCHEMA}'")
    if not int(tables[0][0]):
        return None
    current = PostgresDatabase(url, keep_in / "portal.duckdb")
    try:
        return dump(current, keep_in, f"before-restore-{stamp}", "system (before a restore)")
    finally:
        current.close()


def _before_sql(force: bool) -> str:
    """The transaction's start: end other sessions (``force``), remember each table's data
    version (the sum of its rows), and drop the schema's tables, sequences and functions,
    waiting at most ``LOCK_TIMEOUT`` for each."""
    ending = f"SELECT pg_terminate_backend(pid) {_OTHER_SESSIONS};\n" if force else ""
    return f"""SET lock_timeout = '{LOCK_TIMEOUT}';
{ending}CREATE TEMPORARY TABLE restore_versions_before (table_name text, version numeric) ON COMMIT DROP;
DO $before$
DECLARE found record;
BEGIN
  IF to_regclass('{SCHEMA}.{VERSIONS_TABLE}') IS NOT NULL THEN
    INSERT INTO restore_versions_before
      SELECT table_name, sum(version) FROM {SCHEMA}.{VERSIONS_TABLE} GROUP BY table_name;
  END IF;
  FOR found IN SELECT tablename FROM pg_tables WHERE schemaname = '{SCHEMA}' LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I.%I CASCADE', '{SCHEMA}', found.tablename);
  END LOOP;
  FOR found IN SELECT sequencename FROM pg_sequences WHERE schemaname = '{SCHEMA}' LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS %I.%I CASCADE', '{SCHEMA}', found.sequencename);
  END LOOP;
  -- functions and procedures, but not those of an extension installed in the schema
  FOR found IN SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS arguments FROM pg_proc p
      WHERE p.pronamespace = '{SCHEMA}'::regnamespace AND p.prokind IN ('f', 'p')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') LOOP
    EXECUTE format('DROP ROUTINE IF EXISTS %I.%I(%s) CASCADE', '{SCHEMA}', found.proname, found.arguments);
  END LOOP;
END
$before$;
"""


def _routines_sql(level: int) -> str:
    """The portal's migrations that define functions and triggers, up to the backup's migration
    level, run again in order (they are written to be re-runnable): our own files, never
    anything of the archive's."""
    rerun = [path for version, path, _ in twin_routines() if version <= level]
    return "\n".join(f"-- {path.name}\n{path.read_text(encoding='utf-8')}" for path in rerun)


def _damaged(table: str, expected: int) -> str:
    """Why a restore stops when a table's row count is not the manifest's, in the reader's
    language; ``{rows}`` is left for PostgreSQL to fill with the count it found. It goes into a
    DO block, so it names nothing a person typed (the table's name is checked, ``_NAME``)."""
    return _(
        "the backup is damaged: table {table} has {rows} rows, its manifest recorded {expected}",
        table=table,
        rows="{rows}",
        expected=expected,
    )


def _after_sql(info: BackupInfo) -> str:
    """The transaction's end: every row count as the manifest recorded (else all is rolled
    back), the portal's functions and triggers made again, each table's data version past both
    the old sum and the backup's (in one shared row each, whether or not the backup's version
    table has a row per server), sessions ended, the restore audited (the columns
    ``audit.record`` writes)."""
    checks = "\n".join(
        f"  SELECT count(*) INTO found FROM {SCHEMA}.{name};\n"
        f"  IF found <> {int(count)} THEN RAISE EXCEPTION USING MESSAGE ="
        f" replace({sql_literal(_damaged(name, int(count)))}, '{{rows}}', found::text); END IF;"
        for name, count in sorted(info.tables.items())
    )
    now = sql_literal(utc_now().isoformat(sep=" "))
    after = audit.to_json({"rows": info.rows, "via": "command line", "store": STORE})
    return f"""SET search_path = {SCHEMA}, pg_catalog;
DO $after$
DECLARE found bigint;
BEGIN
{checks}
END
$after$;
{_routines_sql(info.schema_version)}
SET search_path = {SCHEMA}, pg_catalog;
CREATE TEMPORARY TABLE restore_versions_after ON COMMIT DROP AS
  WITH restored AS (SELECT table_name::text AS table_name, sum(version) AS version
                    FROM {VERSIONS_TABLE} GROUP BY 1),
       named AS (SELECT tablename::text AS table_name FROM pg_tables
                 WHERE schemaname = '{SCHEMA}' AND tablename <> '{VERSIONS_TABLE}'
                 UNION SELECT table_name FROM restore_versions_before
                 UNION SELECT table_name FROM restored)
  SELECT named.table_name, 1 + greatest(coalesce(was.version, 0), coalesce(restored.version, 0)) AS version
  FROM named LEFT JOIN restore_versions_before AS was USING (table_name) LEFT JOIN restored USING (table_name);
DELETE FROM {VERSIONS_TABLE};
INSERT INTO {VERSIONS_TABLE} (table_name, version) SELECT table_name, version FROM restore_versions_after;
UPDATE sign_in_tokens SET used_at = {now} WHERE used_at IS NULL;
INSERT INTO audit_log (occurred_at, actor_id, actor_name, entity, entity_id, action, before_json, after_json)
  VALUES ({now}, NULL, NULL, 'backup', {sql_literal(info.name)}, 'restore', NULL, {sql_literal(after or "")});
"""


def backup_name() -> str:
    return BACKUP_PREFIX + utc_now().strftime(_STAMP)
