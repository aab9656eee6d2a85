"""Import complaint files from the command line, with the same checks as the page.

    python -m models.admin import-complaints FILE --as USERNAME [--preset cfpb|portal]
        [--map FIELD=COLUMN ...] [--date-order FIELD=YMD|MDY|DMY ...] [--sheet NAME]
        [--header-row N] [--mode all_or_nothing|valid_rows] [--encoding cp1252]
        [--rejections rejected.csv]

(``python -m models.complaints_cli import …`` takes the same arguments.) The person named
by ``--as`` must hold the analyst's import permission; the import is audited under their
name. Exit status: 0 imported, 1 refused (nothing stored), 2 bad usage."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from models import exports
from models.access import PermissionDeniedError
from models.auth import load_user
from models.complaints import field_mapping, importer, sources
from models.complaints.dates import DATE_ORDER_NAMES, DateOrder
from models.complaints.field_mapping import Preset
from models.complaints.importer import ImportMode, ImportRejectedError
from models.db import Database, get_database
from models.errors import InputError
from models.i18n import _, use_language
from models.settings import configured_language, get_settings


class ImportRefusedError(Exception):
    """The import stored nothing; the message says why."""


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help=_("the CSV or XLSX complaint export"))
    parser.add_argument("--as", dest="username", required=True, help=_("username of the analyst doing the import"))
    parser.add_argument("--preset", choices=[p.value for p in Preset], help=_("column names of a known layout"))
    parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN", help=_("map or override a field"))
    parser.add_argument(
        "--date-order",
        action="append",
        default=[],
        metavar="FIELD=ORDER",
        help=_("read a date field's column as YMD, MDY or DMY (default: the order its values fit best)"),
    )
    parser.add_argument("--sheet", help=_("the XLSX sheet that holds the complaints (default: found from its header)"))
    parser.add_argument(
        "--header-row", type=int, help=_("the row (XLSX) or line (CSV) that names the columns (default: found)")
    )
    parser.add_argument("--mode", choices=[m.value for m in ImportMode], default=ImportMode.ALL_OR_NOTHING.value)
    parser.add_argument("--encoding", choices=list(sources.ENCODINGS), default="utf-8")
    parser.add_argument("--rejections", type=Path, help=_("write the rejected rows' problems to this CSV"))


def _write_rejections(path: Path, report: importer.ImportReport) -> None:
    """The rejected rows' problems as a CSV export: the file's own values are quoted as text."""
    rows = [[r.record, r.column, r.reason, r.value or ""] for r in report.rejections]
    path.write_bytes(exports.to_csv_bytes(pd.DataFrame(rows, columns=["row", "column", "reason", "value"])))


def _date_orders(pairs: list[str]) -> dict[str, DateOrder]:
    orders: dict[str, DateOrder] = {}
    for pair in pairs:
        field, _equals, order = pair.partition("=")
        if order.strip().upper() not in set(DateOrder):
            raise ImportRefusedError(_("--date-order {pair}: use FIELD=YMD, FIELD=MDY or FIELD=DMY", pair=pair))
        orders[field.strip()] = DateOrder(order.strip().upper())
    return orders


def _say_dates(
    source: sources.SourceFile,
    mapping: field_mapping.Mapping,
    report: importer.ImportReport,
    chosen: dict[str, DateOrder],
    say: Callable[[str], None],
) -> None:
    """The order each date column was read in, and why (chosen, or what its values fit)."""
    for key, order in report.date_orders.items():
        guess = source.date_guesses.get(mapping.get(key, ""))
        why = "--date-order" if key in chosen or guess is None else guess.describe()
        say(
            _(
                "{field} ({column}): read as {order} ({why})",
                field=key,
                column=mapping.get(key),
                order=_(DATE_ORDER_NAMES[order]),
                why=why,
            )
        )


def import_file(db: Database, args: argparse.Namespace, say: Callable[[str], None]) -> importer.ImportReport:
    """Run one import as the person named by ``--as``; ``ImportRefusedError`` when nothing was stored."""
    account = db.query_one("SELECT id FROM accounts WHERE lower(username) = lower(?)", [args.username])
    user = load_user(db, account_id=account["id"]) if account else None
    if user is None:
        raise ImportRefusedError(_("--as: no active person signs in as '{username}'", username=args.username))
    orders = _date_orders(args.date_order)
    try:
        source = sources.open_source(  # the import follows at once: the file is checked beside the reading
            args.file, encoding=args.encoding, sheet=args.sheet, header_row=args.header_row, check_later=True
        )
    except FileNotFoundError:
        raise ImportRefusedError(_("{file}: no such file", file=args.file)) from None
    try:
        mapping = field_mapping.suggest_mapping(source.columns, Preset(args.preset) if args.preset else None)
        for pair in args.map:
            field, _equals, column = pair.partition("=")
            mapping[field.strip()] = column.strip()
        for note in source.notes:
            say(note)
        report = importer.import_complaints(
            db, user, source, mapping, args.mode, lambda share, text: say(f"{share:4.0%} {text}"), orders
        )
        _say_dates(source, mapping, report, orders, say)
    except ImportRejectedError as refused:
        for rejection in refused.report.rejections[:20]:
            say(
                "  "
                + _(
                    "row {row}, {column}: {reason}",
                    row=rejection.record,
                    column=rejection.column,
                    reason=rejection.reason,
                )
            )
        if args.rejections:
            _write_rejections(args.rejections, refused.report)
        raise ImportRefusedError(_("nothing was imported. {summary}", summary=refused.report.summary)) from None
    except PermissionDeniedError as error:
        raise ImportRefusedError(str(error)) from None
    finally:
        source.close()
    if args.rejections and report.rejections:
        _write_rejections(args.rejections, report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.complaints_cli", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add_import_arguments(commands.add_parser("import", help="import a CSV or XLSX complaint export"))
    args = parser.parse_args(argv)
    with use_language(configured_language()):
        settings = get_settings()
        db = get_database(settings.db_path, url=settings.database_url)
        try:
            report = import_file(db, args, lambda text: print(text, file=sys.stderr))
        except (ImportRefusedError, InputError) as error:
            print(_("Error: {problem}", problem=error), file=sys.stderr)
            return 1
        print(_("Import #{number}: {summary}", number=report.import_id, summary=report.summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
