"""The complaint import: column mapping with presets, the template, reading CSV and XLSX
exports, and the all-or-nothing import with its report.

Imports let DuckDB do the heavy lifting: the file is read by ``read_csv`` into a staging
table, every value is converted and checked with SQL, and the valid rows are inserted in
the caller's single write transaction, so a failure of any kind stores nothing."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

import duckdb
import pandas as pd
from pydantic import BaseModel, Field

from models import audit
from models.access import CurrentUser, Permission, require
from models.complaints.conversion import (
    _STORED,
    _STORED_FROM_STAGED,
    _converted_sql,
    _rejections_sql,
    checked_mapping,
    decide_date_orders,
    known_date_orders,
)
from models.complaints.dates import DATE_MACROS, DateOrder
from models.complaints.field_mapping import REJECTIONS_KEPT, Mapping
from models.complaints.sources import (
    SourceFile,
    _extra_values_sql,
    _read_with_padding_fallback,
    _registered,
    _relation_params,
    _relation_sql,
)
from models.db import insert_with_new_id, utc_now
from models.errors import InputError
from models.i18n import N_, _, format_number, ngettext

if TYPE_CHECKING:
    from models.db import Database

Progress = Callable[[float, str], None]


# -- importing --------------------------------------------------------------------------
class ImportMode(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    VALID_ROWS = "valid_rows"


IMPORT_MODE_LABELS = {
    ImportMode.ALL_OR_NOTHING: N_("All or nothing — any invalid row stops the import"),
    ImportMode.VALID_ROWS: N_("Import the valid rows — invalid rows are listed and skipped"),
}


class Rejection(BaseModel):
    record: int = Field(description="Data row number in the file (1 = the first row after the header)")
    column: str
    reason: str
    value: str | None = None


class BatchReport(BaseModel):
    """What an import of rows that are stored once each (LMS completions, survey answers)
    says: counts, the per-row rejections, and whether anything was stored."""

    import_id: int | None
    file_name: str
    mode: ImportMode
    rows_read: int
    imported: int
    already_present: int  # the same row is already in the portal
    repeated_in_file: int  # the same row earlier in the file
    rejected_rows: int
    rejections: list[Rejection]
    stored: bool
    date_order: DateOrder | None = None

    @property
    def duplicates(self) -> int:
        return self.already_present + self.repeated_in_file

    def counts_text(self, imported_note: str = "") -> str:
        return _(
            "{read} rows read: {imported} imported{note}, {duplicates} duplicates "
            "({present} already in the portal, {repeated} repeated in the file), {rejected} rejected.",
            read=format_number(self.rows_read),
            imported=format_number(self.imported),
            note=imported_note,
            duplicates=format_number(self.duplicates),
            present=format_number(self.already_present),
            repeated=format_number(self.repeated_in_file),
            rejected=format_number(self.rejected_rows),
        )


class BatchRejectedError(InputError):
    """All-or-nothing import refused because rows were invalid; nothing was stored."""

    def __init__(self, report: BatchReport):
        self.report = report
        first = report.rejections[0]
        super().__init__(
            [
                (
                    "File",
                    f"{report.rejected_rows:,} of {report.rows_read:,} rows are invalid; nothing was imported. "
                    f"First: row {first.record}, {first.column}: {first.reason}.",
                )
            ]
        )


class ImportReport(BaseModel):
    import_id: int | None
    file_name: str
    mode: ImportMode
    records_read: int
    imported: int
    already_present: int
    repeated_in_file: int
    rejected_records: int
    rejections: list[Rejection]
    stored: bool
    date_orders: dict[str, DateOrder] = Field(default_factory=dict, description="Date order used per date field")

    @property
    def summary(self) -> str:
        return _(
            "{read} rows read: {imported} imported, {present} already present, "
            "{repeated} repeated in the file, {rejected} rejected.",
            read=format_number(self.records_read),
            imported=format_number(self.imported),
            present=format_number(self.already_present),
            repeated=format_number(self.repeated_in_file),
            rejected=format_number(self.rejected_records),
        )


class ImportRejectedError(InputError):
    """All-or-nothing import refused because rows were invalid; nothing was stored."""

    def __init__(self, report: ImportReport):
        self.report = report
        first = report.rejections[0] if report.rejections else None
        detail = (
            " " + _("First: row {row}, {column}: {reason}.", row=first.record, column=first.column, reason=first.reason)
            if first
            else ""
        )
        counts = ngettext(
            "{invalid} of {n} row is invalid; nothing was imported.",
            "{invalid} of {n} rows are invalid; nothing was imported.",
            report.records_read,
            invalid=format_number(report.rejected_records),
            n=format_number(report.records_read),
        )
        super().__init__([(_("File"), counts + detail)])


def import_complaints(
    db: Database,
    actor: CurrentUser,
    source: SourceFile,
    mapping: Mapping,
    mode: ImportMode | str = ImportMode.ALL_OR_NOTHING,
    progress: Progress | None = None,
    orders: dict[str, DateOrder | str] | None = None,
) -> ImportReport:
    """Import a file in one transaction; rows already present (by external id or content) are skipped.

    In all-or-nothing mode any invalid row raises ``ImportRejectedError`` (with the report)
    and nothing is stored; in valid-rows mode the valid rows are stored and the rest listed.
    Each date column is read in the order given in ``orders``, else in the order its values
    fit best; a column whose values fit several orders equally must be given one."""
    require(actor, Permission.COMPLAINTS_IMPORT)
    mode = ImportMode(mode)
    mapping = checked_mapping(source, mapping)
    report_progress = progress or (lambda share, text: None)
    resolved, undecided = known_date_orders(source, mapping, orders)

    def store(connection: duckdb.DuckDBPyConnection) -> ImportReport:
        report_progress(0.45, N_("Checking every row…"))
        records_read, rejected_records, first_rowid, last_rowid = connection.execute(
            "SELECT count(*), count(*) FILTER (WHERE NOT valid), min(rowid), max(rowid) FROM complaint_converted"
        ).fetchone()
        if records_read and last_rowid - first_rowid + 1 != records_read:
            raise RuntimeError("Row numbers of the staged file are not contiguous; the import was stopped.")
        if records_read == 0:
            raise InputError.single("File", "it has a header row but no complaints")
        record = f"rowid - {int(first_rowid or 0)} + 1"
        rejections = [
            Rejection(record=r[0], column=r[1], reason=r[2], value=r[3])
            for r in connection.execute(
                f"{_rejections_sql(mapping, resolved, record)} LIMIT {REJECTIONS_KEPT}"
            ).fetchall()
        ]
        report = ImportReport(
            import_id=None,
            file_name=source.file_name,
            mode=mode,
            records_read=records_read,
            imported=0,
            already_present=0,
            repeated_in_file=0,
            rejected_records=rejected_records,
            rejections=rejections,
            stored=False,
            date_orders={key: resolved[key] for key in resolved if key in mapping},
        )
        if rejected_records and mode == ImportMode.ALL_OR_NOTHING:
            raise ImportRejectedError(report)
        report_progress(0.6, N_("Looking for complaints already in the portal…"))
        repeated_in_file = connection.execute(
            "CREATE OR REPLACE TEMP TABLE complaint_repeats AS SELECT dedup_key, min(rowid) AS first_row,"
            " count(*) - 1 AS extra FROM complaint_converted WHERE valid GROUP BY dedup_key HAVING count(*) > 1;"
            " SELECT coalesce(sum(extra), 0) FROM complaint_repeats"
        ).fetchone()[0]
        import_id = insert_with_new_id(
            connection,
            "complaint_imports",
            "INSERT INTO complaint_imports (id, file_name, file_sha256, source_format, mapping_json, "
            "mode, records_read, rows_imported, rows_already_present, rows_repeated_in_file, "
            "rows_rejected, imported_by, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?)",
            [
                source.file_name,
                source.sha256,
                source.kind,
                json.dumps(mapping, sort_keys=True),
                mode.value,
                records_read,
                int(repeated_in_file),
                rejected_records,
                actor.employee_id,
                utc_now(),
            ],
        )
        report_progress(0.7, N_("Storing the complaints…"))
        had_complaints = connection.execute("SELECT 1 FROM complaints LIMIT 1").fetchone() is not None
        conditions = ["c.valid"] if rejected_records else []
        if repeated_in_file:
            conditions.append(
                "NOT EXISTS (SELECT 1 FROM complaint_repeats r WHERE r.dedup_key = c.dedup_key"
                " AND r.first_row <> c.rowid)"
            )
        if had_complaints:
            conditions.append("NOT EXISTS (SELECT 1 FROM complaints x WHERE x.dedup_key = c.dedup_key)")
        where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
        connection.execute(
            "UPDATE complaint_converted SET product_group = g.product_group FROM product_groups g"
            " WHERE g.product = complaint_converted.product"
        )
        # the gaps go into the staged rows first: an INSERT from a plain scan is written in
        # parallel, one fed by a join is not
        connection.execute(
            "UPDATE complaint_converted SET days_since_previous = gaps.gap"
            f" FROM ({_repeat_gaps_sql(where, had_complaints)}) AS gaps"
            " WHERE complaint_converted.rowid = gaps.file_row"
        )
        imported = connection.execute(_insert_sql(where), [import_id]).fetchone()[0]
        if had_complaints and imported:
            report_progress(0.85, N_("Finding repeat complaints…"))
            refresh_repeat_gaps(connection, import_id, only_if_interleaved=True)
        already_present = records_read - rejected_records - int(repeated_in_file) - imported
        connection.execute(
            "UPDATE complaint_imports SET rows_imported = ?, rows_already_present = ? WHERE id = ?",
            [imported, already_present, import_id],
        )
        connection.execute("DROP TABLE complaint_repeats")
        report = report.model_copy(
            update={
                "import_id": import_id,
                "imported": imported,
                "already_present": already_present,
                "repeated_in_file": int(repeated_in_file),
                "stored": True,
            }
        )
        audit.record(
            connection,
            actor,
            "complaint_import",
            import_id,
            "import",
            after={
                "file_name": source.file_name,
                "file_sha256": source.sha256,
                "mode": mode.value,
                "mapping": mapping,
                "date_orders": {key: order.value for key, order in report.date_orders.items()},
                "records_read": records_read,
                "imported": imported,
                "already_present": already_present,
                "repeated_in_file": int(repeated_in_file),
                "rejected": rejected_records,
            },
        )
        report_progress(1.0, N_("Import finished."))
        return report

    def attempt() -> ImportReport:
        with db.exclusive() as connection:
            try:
                _stage_checked(connection, source, mapping, resolved, undecided, report_progress)
                return db.write(store)
            finally:
                for table in ("complaint_converted", "complaint_repeats"):
                    with contextlib.suppress(duckdb.Error):
                        connection.execute(f"DROP TABLE IF EXISTS {table}")

    return _read_with_padding_fallback(source, attempt)


def _stage_checked(
    connection: duckdb.DuckDBPyConnection,
    source: SourceFile,
    mapping: Mapping,
    orders: dict[str, DateOrder],
    undecided: list[str],
    report_progress: Progress,
) -> None:
    """``_stage``, then wait for a file check still running beside it (see
    ``open_source(check_later=True)``): its refusal is raised before anything is stored, and
    a file that turned out to need the text rule is staged again from its normalised copy."""
    try:
        _stage(connection, source, mapping, orders, undecided, report_progress)
    except Exception:
        if not source.finish_check():  # the file check's refusal, if any, says more
            raise
    else:
        if not source.finish_check():
            return
    _stage(connection, source, mapping, orders, undecided, report_progress)


def _stage(
    connection: duckdb.DuckDBPyConnection,
    source: SourceFile,
    mapping: Mapping,
    orders: dict[str, DateOrder],
    undecided: list[str],
    report_progress: Progress,
) -> None:
    """Read and convert the file into a temporary table of the writer's connection, in the
    date orders known or, for a column still undecided, the order its read values fit best
    (``orders`` is updated; the file is read again only when that is not the order first tried).

    Outside the transaction: temporary rows touch nothing stored, and rows staged before
    the transaction starts are copied into the complaints table much faster."""

    def read() -> None:
        with _registered(connection, source):
            # insertion order is preserved, so rowids follow the file's records
            converted = _converted_sql(
                mapping,
                _relation_sql(source),
                orders,
                numbered=None,
                extra_values=_extra_values_sql(source),
                ascii_only=source.ascii_only,
            )
            connection.execute(
                f"CREATE OR REPLACE TEMP TABLE complaint_converted AS {converted}", _relation_params(source)
            )

    report_progress(0.05, N_("Reading the file…"))
    connection.execute(DATE_MACROS)
    read()
    if undecided:
        guesses = decide_date_orders(connection, source, mapping, undecided)
        # a column with no value whose reading depends on the order was read right in any order
        changed = any(guess.dependent and guess.order != orders[key] for key, guess in guesses.items())
        orders.update({key: guess.order for key, guess in guesses.items()})
        if changed:
            report_progress(0.25, N_("Reading the file again in the date order its values fit…"))
            read()


def _repeat_gaps_sql(where: str, had_complaints: bool) -> str:
    """For each staged row chosen by ``where`` that has one, the days since the same
    customer's previous complaint in the same category (among stored and incoming rows).

    The window sorts four narrow columns only, not the wide staged rows. Complaints without
    a customer id can never be repeats and are left out."""
    stored = (
        " UNION ALL SELECT customer_id, category, received_date, true AS existing, -1 AS file_row"
        " FROM complaints WHERE customer_id IN (SELECT customer_id FROM complaint_converted"
        " WHERE customer_id IS NOT NULL)"
        if had_complaints
        else ""
    )
    with_customer = ("AND " if where else "WHERE ") + "c.customer_id IS NOT NULL"
    return f"""
        SELECT file_row, gap FROM (
          SELECT file_row, existing, CAST(received_date - lag(received_date) OVER (
                   PARTITION BY customer_id, category ORDER BY received_date, existing DESC, file_row) AS INTEGER)
                 AS gap
          FROM (SELECT customer_id, category, received_date, false AS existing, c.rowid AS file_row
                FROM complaint_converted c {where} {with_customer}{stored})
        ) WHERE NOT existing AND gap IS NOT NULL
    """


def _insert_sql(where: str) -> str:
    """INSERT of the staged rows chosen by ``where``, each with its repeat gap (if any)."""
    return f"""
        INSERT INTO complaints ({_STORED}, days_since_previous, import_id)
        SELECT {_STORED_FROM_STAGED}, days_since_previous, ? FROM complaint_converted c {where}
    """


def refresh_repeat_gaps(
    connection: duckdb.DuckDBPyConnection, import_id: int, *, only_if_interleaved: bool = False
) -> None:
    """Recompute days since the previous same-category complaint for the customers of an import.

    Only those customers can change; rows whose value stays the same are not rewritten. With
    ``only_if_interleaved`` nothing is done unless an imported complaint is dated before a
    stored one of the same customer and category (only then can a stored row's gap change)."""
    if (
        only_if_interleaved
        and not connection.execute(
            "SELECT EXISTS (SELECT 1 FROM complaints new JOIN complaints old"
            " ON old.customer_id = new.customer_id AND old.category = new.category"
            " WHERE new.import_id = ? AND old.import_id IS DISTINCT FROM ? AND new.received_date < old.received_date)",
            [import_id, import_id],
        ).fetchone()[0]
    ):
        return
    connection.execute(
        """
        UPDATE complaints SET days_since_previous = gaps.gap
        FROM (
          SELECT id, gap FROM (
            SELECT id, days_since_previous AS stored,
                   CAST(received_date - lag(received_date) OVER (
                     PARTITION BY customer_id, category ORDER BY received_date, id) AS INTEGER) AS gap
            FROM complaints
            WHERE customer_id IN (SELECT DISTINCT customer_id FROM complaints
                                  WHERE import_id = ? AND customer_id IS NOT NULL)
          ) WHERE gap IS DISTINCT FROM stored
        ) AS gaps
        WHERE complaints.id = gaps.id
        """,
        [import_id],
    )


def recent_imports(db: Database, actor: CurrentUser, limit: int = 20) -> pd.DataFrame:
    require(actor, Permission.COMPLAINTS_IMPORT)
    return db.frame(
        "SELECT i.id, i.imported_at, i.file_name, i.mode, i.records_read, i.rows_imported,"
        " i.rows_already_present, i.rows_repeated_in_file, i.rows_rejected, e.full_name AS imported_by"
        " FROM complaint_imports i LEFT JOIN employees e ON e.id = i.imported_by ORDER BY i.id DESC LIMIT ?",
        [limit],
    )
