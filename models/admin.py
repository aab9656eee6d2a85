"""The admin command line: ``python -m models.admin <command>``.

It acts as the system on the database file named by ``PORTAL_DB_PATH`` (or ``--db``), or on the
PostgreSQL database of ``PORTAL_DATABASE_URL`` when that is set: create or reset an
administrator, seed the demo organisation, back up and restore. DuckDB lets one process open the
file, so stop the portal before using it; on PostgreSQL a restore refuses while portal servers
are connected, unless ``--force``."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import duckdb

from models import backup, demo, pg_backup, pg_move, seeding
from models.auth import account_count, load_user
from models.complaints import cli
from models.db import MigrationChangedError, open_database
from models.errors import InputError
from models.i18n import _, current_language, format_number, ngettext, translations, use_language
from models.people import accounts, hr_import
from models.settings import SettingsError, configured_language, load_settings


class CommandError(Exception):
    """A problem the person at the command line can fix; printed without a traceback."""


@contextmanager
def argparse_speaks_the_catalogue() -> Iterator[None]:
    """argparse's own words ("usage:", "error:", "the following arguments are required: …") in
    the current language. argparse looks each one up when it is shown, through the ``gettext``
    and ``ngettext`` it imported; our catalogues are compiled in memory (no ``.mo`` file for
    gettext's text domains to find), so those two names are pointed at the current language's
    catalogue while the command line builds and reads its arguments, and put back after."""
    speaking = translations(current_language())
    kept = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = speaking.gettext, speaking.ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = kept


def build_parser() -> argparse.ArgumentParser:
    """The commands and their options; their help speaks the current language."""
    parser = argparse.ArgumentParser(
        prog="python -m models.admin",
        description=_(
            "Administer the Service Culture Portal's database (stop the portal first). With"
            " PORTAL_DATABASE_URL set, the commands work on that PostgreSQL database."
        ),
    )
    parser.add_argument("--db", type=Path, help=_("database file (default: the PORTAL_DB_PATH setting)"))
    commands = parser.add_subparsers(dest="command", required=True, metavar=_("command"))

    create = commands.add_parser("create-admin", help=_("create the first or another administrator"))
    create.add_argument("--name", required=True, help=_("full name"))
    create.add_argument("--email", required=True)
    create.add_argument("--username", required=True)
    create.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))

    reset = commands.add_parser("reset-password", help=_("set a new password for an account and unlock it"))
    reset.add_argument("--username", required=True)
    reset.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))

    seed = commands.add_parser("seed-demo", help=_("fill an empty database with the demo organisation"))
    seed.add_argument("--seed", type=int, help=_("generator seed (default: the PORTAL_DEMO_SEED setting)"))
    seed.add_argument("--scale", type=float, help=_("size; 1 is about 150 agents (default: PORTAL_DEMO_SCALE)"))

    save = commands.add_parser(
        "backup", help=_("export the database (Parquet; pg_dump on PostgreSQL) into a new dated folder")
    )
    save.add_argument("--to", type=Path, help=_("folder for backups (default: backups/ beside the database)"))

    commands.add_parser("list-backups", help=_("list the finished backups")).add_argument(
        "--from", dest="source", type=Path, help=_("folder of backups (default: backups/ beside the database)")
    )

    load = commands.add_parser("restore", help=_("replace the database with a backup (the portal must be stopped)"))
    load.add_argument("folder", type=Path, help=_("a backup folder, e.g. data/backups/portal-20260101-120000"))
    load.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    load.add_argument(
        "--force",
        action="store_true",
        help=_("PostgreSQL: end the sessions of running portal servers instead of refusing (restart them after)"),
    )

    cli.add_import_arguments(
        commands.add_parser("import-complaints", help=_("import a CSV or XLSX complaint export as a named analyst"))
    )

    load_people = commands.add_parser("import-people", help=_("import people from an HR CSV file, all or nothing"))
    load_people.add_argument("file", type=Path, help=_("the HR CSV file"))
    load_people.add_argument(
        "--as", dest="acting", required=True, metavar="USERNAME", help=_("the administrator or HR person importing")
    )
    move = commands.add_parser(
        "move-to-postgres",
        help=_("copy the portal of the --db file into the empty PostgreSQL database of PORTAL_DATABASE_URL"),
    )
    move.add_argument(
        "--servers-folder",
        type=Path,
        help=_("where the portal servers keep their files: the survey key is copied there"),
    )
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    ask_password: Callable[[str], str] = getpass.getpass,
    confirm: Callable[[str], str] = input,
) -> int:
    """Run one command; 0 on success, 1 on a refused command, 2 on bad usage."""
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    with use_language(configured_language()):  # what it says, it says in the portal's default language
        with argparse_speaks_the_catalogue():
            arguments = build_parser().parse_args(argv)
        return _run(arguments, _Console(stdin, stdout, ask_password, confirm), stderr)


def _run(arguments: argparse.Namespace, console: _Console, stderr: TextIO) -> int:
    def refuse(text: str) -> None:
        print(_("Error: {problem}", problem=text), file=stderr)

    try:
        db_path = (arguments.db or load_settings().db_path).resolve()
        COMMANDS[arguments.command](arguments, db_path, console)
    except (CommandError, SettingsError, backup.BackupError, MigrationChangedError, pg_move.MoveError) as error:
        refuse(str(error))
        return 1
    except InputError as error:
        for field, message in error.problems:
            refuse(f"{field}: {message}")
        return 1
    except OSError as error:  # includes a refused permission; files that cannot be read or written
        refuse(str(error))
        return 1
    except KeyboardInterrupt:
        print(_("Cancelled."), file=stderr)
        return 130
    return 0


class _Console:
    def __init__(
        self, stdin: TextIO, stdout: TextIO, ask_password: Callable[[str], str], confirm: Callable[[str], str]
    ):
        self.stdin, self.stdout = stdin, stdout
        self.ask_password, self.confirm = ask_password, confirm

    def say(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

    def password(self, from_stdin: bool) -> str:
        """The new password: one line of standard input, or typed twice at a prompt."""
        if from_stdin:
            return self.stdin.readline().rstrip("\r\n")
        first = self.ask_password(_("New password (at least 10 characters): "))
        if first != self.ask_password(_("Repeat the password: ")):
            raise CommandError(_("the two passwords differ; nothing was changed."))
        return first


@contextmanager
def _open(db_path: Path):
    """The database file (or the PostgreSQL database of ``PORTAL_DATABASE_URL``), migrated and
    checked; a lock held by another process on the file means the portal runs."""
    url = load_settings().database_url
    try:
        database = open_database(db_path, url=url)
    except duckdb.Error as error:
        if backup.is_locked_error(error):
            raise backup.PortalRunningError() from None
        if url:
            where = pg_backup.target(url)
            raise CommandError(
                _("cannot open {path}: {error}", path=where, error=pg_backup.hidden(str(error), where))
            ) from None
        raise CommandError(_("cannot open {path}: {error}", path=db_path, error=error)) from None
    try:
        database.start_up()
        yield database
    finally:
        database.close()


# -- commands ------------------------------------------------------------------------
def _create_admin(arguments: argparse.Namespace, db_path: Path, console: _Console) -> None:
    with _open(db_path) as database:
        password = console.password(arguments.password_stdin)
        details = {"full_name": arguments.name, "email": arguments.email, "username": arguments.username}
        if account_count(database) == 0:
            accounts.create_first_admin(database, password=password, **details)
            console.say(
                _("Created the first administrator '{username}' in {path}.", username=arguments.username, path=db_path)
            )
        else:
            accounts.create_admin(database, None, password=password, system=True, **details)
            console.say(_("Created administrator '{username}' in {path}.", username=arguments.username, path=db_path))


def _reset_password(arguments: argparse.Namespace, db_path: Path, console: _Console) -> None:
    with _open(db_path) as database:
        if accounts.account_id_for(database, arguments.username) is None:
            raise CommandError(_("no account is called '{username}'.", username=arguments.username))
        password = console.password(arguments.password_stdin)
        accounts.reset_password(database, None, arguments.username, password, system=True)
    console.say(
        _(
            "New password set for '{username}'; the account is unlocked and its sessions ended.",
            username=arguments.username,
        )
    )


def _seed_demo(arguments: argparse.Namespace, db_path: Path, console: _Console) -> None:
    settings = load_settings()
    seed = settings.demo_seed if arguments.seed is None else arguments.seed
    scale = settings.demo_scale if arguments.scale is None else arguments.scale
    if not 0 < scale <= 200:
        raise CommandError(_("--scale: use a number above 0 and at most 200."))
    with _open(db_path) as database:
        if demo.is_seeded(database):
            raise CommandError(_("the database already holds people; the demo goes into an empty database only."))
        console.say(
            _(
                "Seeding the demo organisation (seed {seed}, scale {scale}) into {path}…",
                seed=seed,
                scale=format_number(scale),
                path=db_path,
            )
        )
        organisation = demo.seed(
            database, seed=seed, scale=scale, progress=lambda share, text: console.say(f"{share:6.0%}  {text}")
        )
    count = len(organisation.employees) if organisation else 0
    console.say(
        _(
            "Done: {people}. Demo logins: {logins}.",
            people=ngettext("{n} person", "{n} people", count),
            logins=", ".join(seeding.DEMO_LOGINS.values()),
        )
    )


def _backup(arguments: argparse.Namespace, db_path: Path, console: _Console) -> None:
    folder = arguments.to or backup.default_folder(db_path)
    with _open(db_path) as database:
        target = backup.backup(database, None, folder, system=True)
    info = backup.read_backup(target)
    console.say(
        _(
            "Backed up {rows} in {tables} to {folder}",
            rows=ngettext("{n} row", "{n} rows", info.rows, n=format_number(info.rows)),
            tables=ngettext("{n} table", "{n} tables", len(info.tables)),
            folder=target,
        )
    )


def _list_backups(arguments: argparse.Namespace, db_path: Path, console: _Console) -> None:
    folder = arguments.source or backup.default_folder(db_path)
    found = backup.find_backups(folder)
    if not found:
        console.say(_("No backups in {folder}.", folder=folder))
    for info in found:
        rows = ngettext("{n} row", "{n} rows", info.rows, n=format_number(info.rows))
        made = _("by {who}", who=info.created_by)
        console.say(f"{info.path}  {info.created_at:%Y-%m-%d %H:%M:%S} UTC  {rows}  {made}")


def _restore(arguments: argparse.Namespace, db_path: Path, console: _Console) -> None:
    info = backup.read_backup(arguments.folder)
    url = load_settings().database_url
    where = pg_backup.target(url) if url else db_path
    console.say(
        _(
            "Restore {backup} ({when} UTC, {rows}) over {path}?"
            " Everything changed since that backup is replaced; the current database is backed up into {folder} first.",
            backup=info.name,
            when=f"{info.created_at:%Y-%m-%d %H:%M:%S}",
            rows=ngettext("{n} row", "{n} rows", info.rows, n=format_number(info.rows)),
            path=where,
            folder=backup.default_folder(db_path),
        )
        if url
        else _(
            "Restore {backup} ({when} UTC, {rows}) over {path}?"
            " Everything changed since that backup is replaced; the current file is kept beside it.",
            backup=info.name,
            when=f"{info.created_at:%Y-%m-%d %H:%M:%S}",
            rows=ngettext("{n} row", "{n} rows", info.rows, n=format_number(info.rows)),
            path=db_path,
        )
    )
    if not arguments.yes:  # the word typed stays "restore" in every language, as the command is named
        try:
            answer = console.confirm(_("Type 'restore' to go on: "))
        except EOFError:
            raise CommandError(_("restore needs a confirmation: type 'restore' when asked, or pass --yes.")) from None
        if answer.strip().lower() != "restore":
            raise CommandError(_("restore cancelled; nothing was changed."))
    if url:
        kept = pg_backup.restore(url, info.path, backup.default_folder(db_path), force=arguments.force)
    else:
        kept = backup.restore(db_path, info.path)
    console.say(_("Restored {backup} into {path}. Everyone must sign in again.", backup=info.name, path=where))
    if kept:
        console.say(_("The previous database is kept as {path}", path=kept))


def _import_people(arguments: argparse.Namespace, db_path: Path, console: _Console) -> None:
    """The import runs as a named person allowed to manage people, and is audited under their name."""
    try:
        data = Path(arguments.file).read_bytes()
    except OSError as error:
        raise CommandError(_("cannot read {file}: {error}", file=arguments.file, error=error.strerror)) from None
    with _open(db_path) as database:
        account_id = accounts.account_id_for(database, arguments.acting)
        acting = load_user(database, account_id=account_id) if account_id is not None else None
        if acting is None:
            raise CommandError(_("--as: no active account is called '{username}'.", username=arguments.acting))
        report = hr_import.import_people_csv(database, acting, data)
    problems = report.errors
    for problem in problems:
        where = ", ".join(
            part
            for part in (
                problem.row and _("row {row}", row=problem.row),
                problem.column and _("column {column}", column=problem.column),
            )
            if part
        )
        place = where or _("file")
        console.say(f"{place}: {problem.reason}")
    if problems:
        raise CommandError(
            ngettext(
                "{n} problem in {file}; nobody was imported.",
                "{n} problems in {file}; nobody was imported.",
                len(problems),
                file=arguments.file,
            )
        )
    console.say(
        _(
            "Imported {file}: {created} created, {updated} updated, {unchanged} unchanged.",
            file=arguments.file,
            created=ngettext("{n} person", "{n} people", len(report.created)),
            updated=len(report.updated),
            unchanged=len(report.unchanged),
        )
    )


def _import_complaints(arguments: argparse.Namespace, db_path: Path, console: _Console) -> None:
    """Complaints arrive as the analyst named by --as, with the page's checks and report."""
    with _open(db_path) as database:
        try:
            report = cli.import_file(database, arguments, console.say)
        except cli.ImportRefusedError as refused:
            raise CommandError(str(refused)) from None
    console.say(
        _(
            "Imported {file} (import #{number}): {summary}",
            file=arguments.file,
            number=report.import_id,
            summary=report.summary,
        )
    )


def _move_to_postgres(arguments: argparse.Namespace, db_path: Path, console: _Console) -> None:
    """The file is only read; the PostgreSQL database must be empty (``models.pg_move``)."""
    url = load_settings().database_url
    if not url:
        raise CommandError(_("move-to-postgres needs PORTAL_DATABASE_URL: the empty PostgreSQL database to move into."))
    if arguments.db is None:
        raise CommandError(_("move-to-postgres needs --db: the portal's database file to move."))
    console.say(_("Moving {path} into {database}…", path=db_path, database=pg_backup.target(url)))
    report = pg_move.move_to_postgres(db_path, url, servers_folder=arguments.servers_folder, progress=console.say)
    console.say(
        _(
            "Moved {rows} in {tables} in {seconds} s; every table's row count matches the file.",
            rows=ngettext("{n} row", "{n} rows", report.rows, n=format_number(report.rows)),
            tables=ngettext("{n} table", "{n} tables", len(report.tables)),
            seconds=format_number(round(report.seconds, 1)),
        )
    )
    if report.survey_key:
        console.say(_("The survey key is now also in {path}.", path=report.survey_key))
    for advice in report.advice:
        console.say(advice)


COMMANDS = {
    "move-to-postgres": _move_to_postgres,
    "create-admin": _create_admin,
    "reset-password": _reset_password,
    "seed-demo": _seed_demo,
    "backup": _backup,
    "list-backups": _list_backups,
    "restore": _restore,
    "import-people": _import_people,
    "import-complaints": _import_complaints,
}


if __name__ == "__main__":
    sys.exit(main())
