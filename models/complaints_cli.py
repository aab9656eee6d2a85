"""Import complaint files from the command line, with the same checks as the page.

    python -m models.complaints_cli import FILE --as USERNAME [--preset cfpb|portal]
        [--map FIELD=COLUMN ...] [--mode all_or_nothing|valid_rows] [--encoding cp1252]
        [--rejections rejected.csv]

The person named by ``--as`` must hold the analyst's import permission; the import is
audited under their name. Exit status: 0 imported, 1 refused (nothing stored), 2 bad usage."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from models import complaints
from models.auth import PermissionDeniedError, load_user
from models.complaints import ImportMode, ImportRejectedError, Preset
from models.db import get_database
from models.errors import InputError
from models.settings import get_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m models.complaints_cli", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("import", help="import a CSV or XLSX complaint export")
    run.add_argument("file", type=Path)
    run.add_argument("--as", dest="username", required=True, help="username of the analyst doing the import")
    run.add_argument("--preset", choices=[p.value for p in Preset], help="column names of a known layout")
    run.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN", help="map or override a field")
    run.add_argument("--mode", choices=[m.value for m in ImportMode], default=ImportMode.ALL_OR_NOTHING.value)
    run.add_argument("--encoding", choices=list(complaints.ENCODINGS), default="utf-8")
    run.add_argument("--rejections", type=Path, help="write the rejected rows' problems to this CSV")
    return parser


def _write_rejections(path: Path, report: complaints.ImportReport) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "column", "reason", "value"])
        for rejection in report.rejections:
            writer.writerow([rejection.record, rejection.column, rejection.reason, rejection.value or ""])


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = get_settings()
    db = get_database(settings.db_path)
    account = db.query_one("SELECT id FROM accounts WHERE lower(username) = lower(?)", [args.username])
    user = load_user(db, account_id=account["id"]) if account else None
    if user is None:
        print(f"--as: no active person signs in as {args.username!r}", file=sys.stderr)
        return 2
    try:
        source = complaints.open_source(args.file, encoding=args.encoding)
    except (InputError, FileNotFoundError) as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 1
    try:
        mapping = complaints.suggest_mapping(source.columns, Preset(args.preset) if args.preset else None)
        for pair in args.map:
            field, _, column = pair.partition("=")
            mapping[field.strip()] = column.strip()
        report = complaints.import_complaints(
            db,
            user,
            source,
            mapping,
            args.mode,
            progress=lambda share, text: print(f"{share:4.0%} {text}", file=sys.stderr),
        )
    except ImportRejectedError as refused:
        print(f"Nothing was imported. {refused.report.summary}", file=sys.stderr)
        for rejection in refused.report.rejections[:20]:
            print(f"  row {rejection.record}, {rejection.column}: {rejection.reason}", file=sys.stderr)
        if args.rejections:
            _write_rejections(args.rejections, refused.report)
        return 1
    except (InputError, PermissionDeniedError) as error:
        print(str(error), file=sys.stderr)
        return 1
    finally:
        source.close()
    print(f"Import #{report.import_id}: {report.summary}")
    if args.rejections and report.rejections:
        _write_rejections(args.rejections, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
