"""The LMS import of completions: a CSV or XLSX export of any learning system (employee
number or email, course code, completed at, score, passed), mapped, previewed, checked row
by row and stored with its true dates through ``completions.store_completions``.

Files are opened, and their date columns read, with the complaint import's machinery.

Passed: a row's passed value when the file gives one; otherwise (no such column, or an
empty cell) the row passed when it has no score or a score of at least the import's pass
mark (``DEFAULT_PASS_MARK`` unless HR sets another).

A batch is recorded as ``running`` in a transaction of its own before its completions are
stored, and becomes ``completed`` in the transaction that stores them (``failed`` when that
transaction fails). A batch still ``running`` when the database is opened was cut short by a
killed process: ``remove_interrupted_imports`` removes it and anything of it that was kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
from pydantic import BaseModel, Field

from models import audit
from models.access import CurrentUser, Permission, require
from models.complaints import sources, staging
from models.complaints.dates import DATE_ORDER_NAMES, DateGuess, DateOrder, date_sql, parts_sql
from models.complaints.field_mapping import EARLIEST_DATE, REJECTIONS_KEPT, Mapping
from models.complaints.importer import IMPORT_MODE_LABELS, BatchRejectedError, BatchReport, ImportMode, Rejection
from models.complaints.sources import SourceFile, _read_with_padding_fallback
from models.complaints.staging import drop_tables, problem_sql, rejections_sql, sql_literal
from models.db import ConnectionReader, insert_row, utc_now
from models.errors import InputError
from models.i18n import N_, _, pgettext
from models.training.completions import CompletionInput, apply_closing_rule, store_completions
from models.training.lms_fields import FIELDS_BY_KEY, LMS_ROWS, check_mapping

if TYPE_CHECKING:
    from models.db import Database

__all__ = [
    "BATCH_STATUS_LABELS",
    "DEFAULT_PASS_MARK",
    "IMPORT_MODE_LABELS",
    "ImportMode",
    "LmsImportRejectedError",
    "LmsImportReport",
    "date_order_guess",
    "import_completions",
    "open_export",
    "open_upload",
    "preview",
    "recent_imports",
    "remove_interrupted_imports",
]

Progress = Callable[[float, str], None]
BATCH_STATUS_LABELS = {"running": N_("Running"), "failed": N_("Failed")}  # and "completed": batch_status_label


def batch_status_label(status: str) -> str:
    """An import's state in the current language ("Completed" is an import that finished, not
    a course passed); an unknown state as stored."""
    if status == "completed":
        return pgettext("an import that finished", "Completed")
    return _(BATCH_STATUS_LABELS[status]) if status in BATCH_STATUS_LABELS else status


DEFAULT_PASS_MARK = 80.0
MAX_SCORE = 100
_TRUE = ("yes", "y", "true", "1", "passed", "pass", "completed", "complete")
_FALSE = ("no", "n", "false", "0", "failed", "fail", "not passed")


class LmsImportReport(BatchReport):
    """An LMS import's outcome; a duplicate is the same person, course and day."""

    pass_mark: float = DEFAULT_PASS_MARK

    @property
    def summary(self) -> str:
        return self.counts_text()

    def rejections_frame(self) -> pd.DataFrame:
        """The per-row report as a table (row, column, reason, value), for showing and downloading."""
        rows = [rejection.model_dump() for rejection in self.rejections]
        return pd.DataFrame(rows, columns=["record", "column", "reason", "value"]).rename(columns={"record": "row"})


class LmsImportRejectedError(BatchRejectedError):
    """All-or-nothing LMS import refused because rows were invalid; nothing was stored."""


# -- opening a file ----------------------------------------------------------------------------
def open_export(path: Path, file_name: str | None = None, **options: Any) -> SourceFile:
    """A CSV or XLSX export on disk, opened as the complaint import opens files (``encoding``,
    ``max_bytes``, ``sheet``, ``header_row``), its header found among completion field names."""
    return sources.open_source(path, file_name, expected=LMS_ROWS, **options)


def open_upload(data: bytes, file_name: str, **options: Any) -> SourceFile:
    """An uploaded export, kept in a temporary folder until ``close()`` (options as ``open_export``)."""
    return sources.open_upload(data, file_name, expected=LMS_ROWS, **options)


# -- the date order ---------------------------------------------------------------------------
def date_order_guess(source: SourceFile, mapping: Mapping) -> DateGuess | None:
    """How the completion dates fit each date order and the order chosen, from all the
    column's values (kept on the source); None when no column is mapped to it."""
    return staging.date_order_guess(source, mapping, "completed_at")


def _date_order(source: SourceFile, mapping: Mapping, chosen: DateOrder | str | None, *, guess_ties: bool) -> DateOrder:
    return staging.chosen_date_order(
        source, mapping, "completed_at", chosen, guess_ties=guess_ties, field_label=_("Completed at")
    )


def _checked_pass_mark(pass_mark: float) -> float:
    if not 0 <= pass_mark <= MAX_SCORE:
        raise InputError.single(_("Pass mark"), _("use a score from 0 to {highest}", highest=MAX_SCORE))
    return float(pass_mark)


# -- staging: the file's rows converted and checked in SQL ----------------------------------
def _stage(
    connection: duckdb.DuckDBPyConnection,
    source: SourceFile,
    mapping: Mapping,
    order: DateOrder,
    today: date,
    limit: int | None = None,
) -> None:
    """The file's rows as ``lms_source`` (cleaned text, in file order) and ``lms_converted``
    (typed, matched to people and courses, with a validity flag), temporary tables of this
    connection."""
    staging.stage_source(connection, source, mapping, FIELDS_BY_KEY, "lms_source", limit)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE lms_converted AS {_converted_sql(order)}", [today, today])


def _converted_sql(order: DateOrder) -> str:
    score = "try_cast(rtrim(rtrim(score_text, '%')) AS DOUBLE)"
    flags = [f"WHEN '{v}' THEN true" for v in _TRUE] + [f"WHEN '{v}' THEN false" for v in _FALSE]
    return f"""
    WITH numbered AS (
      -- rows are numbered from the first rowid: inside a transaction that is still open (the demo
      -- imports within its one write) a new table's rowids start far above zero
      SELECT CAST(rowid - (SELECT min(rowid) FROM lms_source) + 1 AS INTEGER) AS row_no, *,
        {parts_sql("completed_at_text")} AS completed_parts
      FROM lms_source
    ),
    typed AS (
      SELECT *,
        {date_sql("completed_at_text", "completed_parts", order)} AS completed_on,
        CASE WHEN isfinite({score}) THEN {score} END AS score_number,
        CASE lower(passed_text) {" ".join(flags)} END AS passed_flag
      FROM numbered
    ),
    matched AS (
      SELECT t.*, n.id AS number_person, n.hire_date AS number_hired, m.id AS email_person, m.hire_date AS email_hired,
             c.id AS course_id, c.code AS course_code
      FROM typed t
      LEFT JOIN employees n ON n.employee_number = t.employee_number_text
      LEFT JOIN (SELECT lower(email) AS email_key, min(id) AS id, min(hire_date) AS hire_date FROM employees
                 GROUP BY ALL) m ON m.email_key = lower(t.email_text)
      LEFT JOIN (SELECT upper(code) AS code_key, min(id) AS id, min(code) AS code FROM courses GROUP BY ALL) c
             ON c.code_key = upper(t.course_code_text)
    ),
    identified AS (
      SELECT *,
        CASE WHEN employee_number_text IS NOT NULL THEN number_person ELSE email_person END AS employee_id,
        CASE WHEN employee_number_text IS NOT NULL THEN number_hired ELSE email_hired END AS hire_date,
        number_person IS NOT NULL AND email_person IS NOT NULL AND number_person <> email_person AS two_people
      FROM matched
    )
    SELECT *,
      coalesce(NOT extra_values AND employee_id IS NOT NULL AND NOT two_people AND course_id IS NOT NULL
        AND completed_on BETWEEN DATE '{EARLIEST_DATE}' AND ?
        AND (hire_date IS NULL OR completed_on >= hire_date)
        AND (score_text IS NULL OR score_number BETWEEN 0 AND {MAX_SCORE})
        AND (passed_text IS NULL OR passed_flag IS NOT NULL), false) AS valid,
      completed_on > ? AS in_future
    FROM identified
    ORDER BY row_no
    """


def _rejections_sql(mapping: Mapping, order: DateOrder) -> str:
    """One row per problem of each invalid row: row number, the file's column, reason, value."""

    def column(key: str) -> str:
        return sql_literal(mapping.get(key, _(FIELDS_BY_KEY[key].label)))

    hire_date_reason = _("the completion date is before the person's hire date ({day})").partition("{day}")
    person = sql_literal(" / ".join(mapping[key] for key in ("employee_number", "email") if key in mapping))
    date_value = "left(completed_at_text, 60)"
    problems = [
        problem_sql(
            "extra_values", sql_literal(_("Row")), sql_literal(_("it has more values than the header names columns"))
        ),
        problem_sql(
            "employee_number_text IS NULL AND email_text IS NULL",
            person,
            sql_literal(_("the employee number or email is missing")),
        ),
        problem_sql(
            "employee_number_text IS NOT NULL AND number_person IS NULL",
            column("employee_number"),
            sql_literal(_("unknown person: no employee has this employee number")),
            "left(employee_number_text, 60)",
        ),
        problem_sql(
            "employee_number_text IS NULL AND email_text IS NOT NULL AND email_person IS NULL",
            column("email"),
            sql_literal(_("unknown person: no employee has this email")),
            "left(email_text, 60)",
        ),
        problem_sql(
            "two_people", person, sql_literal(_("the employee number and the email belong to two different people"))
        ),
        problem_sql("course_code_text IS NULL", column("course_code"), sql_literal(_("the course code is missing"))),
        problem_sql(
            "course_code_text IS NOT NULL AND course_id IS NULL",
            column("course_code"),
            sql_literal(_("unknown course: no course has this code")),
            "left(course_code_text, 60)",
        ),
        problem_sql(
            "completed_at_text IS NULL", column("completed_at"), sql_literal(_("the completion date is missing"))
        ),
        problem_sql(
            "completed_at_text IS NOT NULL AND completed_on IS NULL",
            column("completed_at"),
            sql_literal(
                _(
                    "not a date when read as {order} (use 2024-03-29, 3/29/2024, 29.03.2024,"
                    " with or without a time, or an Excel date number)",
                    order=_(DATE_ORDER_NAMES[order]),
                )
            ),
            date_value,
        ),
        problem_sql(
            "in_future", column("completed_at"), sql_literal(_("the completion date is in the future")), date_value
        ),
        problem_sql(
            f"completed_on < DATE '{EARLIEST_DATE}'",
            column("completed_at"),
            sql_literal(_("the completion date is before {day}", day=EARLIEST_DATE)),
            date_value,
        ),
        problem_sql(
            f"completed_on >= DATE '{EARLIEST_DATE}' AND completed_on < hire_date",
            column("completed_at"),
            f"{sql_literal(hire_date_reason[0])} || CAST(hire_date AS VARCHAR) || {sql_literal(hire_date_reason[2])}",
            date_value,
        ),
        problem_sql(
            "score_text IS NOT NULL AND score_number IS NULL",
            column("score"),
            sql_literal(_("the score is not a number (use a score from 0 to {highest})", highest=MAX_SCORE)),
            "left(score_text, 60)",
        ),
        problem_sql(
            f"NOT score_number BETWEEN 0 AND {MAX_SCORE}",
            column("score"),
            sql_literal(_("the score is out of range: use a score from 0 to {highest}", highest=MAX_SCORE)),
            "left(score_text, 60)",
        ),
        problem_sql(
            "passed_text IS NOT NULL AND passed_flag IS NULL",
            column("passed"),
            sql_literal(_("use Yes or No (also True/False, 1/0 or Passed/Failed)")),
            "left(passed_text, 60)",
        ),
    ]
    return rejections_sql(problems, "lms_converted")


def _drop_staging(connection: duckdb.DuckDBPyConnection) -> None:
    drop_tables(connection, "lms_converted", "lms_source")


# -- the preview -------------------------------------------------------------------------------
def preview(
    db: Database,
    actor: CurrentUser,
    source: SourceFile,
    mapping: Mapping,
    *,
    date_order: DateOrder | str | None = None,
    pass_mark: float = DEFAULT_PASS_MARK,
    limit: int = 20,
    today: date | None = None,
) -> pd.DataFrame:
    """The first rows as they would be stored — the person and course they name, the date in
    the order chosen (else the one the column's values fit best), score, passed — and what is
    wrong with each."""
    require(actor, Permission.TRAINING_MANAGE)
    mapping = check_mapping(mapping, source.columns, source.hint)
    order = _date_order(source, mapping, date_order, guess_ties=True)
    mark = _checked_pass_mark(pass_mark)
    day = today or utc_now().date()

    def read() -> pd.DataFrame:
        with db.exclusive() as connection:
            try:
                _stage(connection, source, mapping, order, day, limit)
                problems = dict(
                    connection.execute(
                        "SELECT row_no, string_agg(column_name || ': ' || reason, '; ')"
                        f" FROM ({_rejections_sql(mapping, order)}) GROUP BY row_no"
                    ).fetchall()
                )
                frame = connection.execute(
                    "SELECT c.row_no AS row, e.full_name AS person, e.employee_number, c.course_code,"
                    " c.completed_on, c.score_number AS score,"
                    " coalesce(c.passed_flag, c.score_number IS NULL OR c.score_number >= ?) AS passed"
                    " FROM lms_converted c LEFT JOIN employees e ON e.id = c.employee_id ORDER BY c.row_no",
                    [mark],
                ).df()
            finally:
                _drop_staging(connection)
        frame.insert(1, "problem", [problems.get(row, "") for row in frame["row"]])
        return frame

    return _read_with_padding_fallback(source, read)


# -- importing ---------------------------------------------------------------------------------
def import_completions(
    db: Database,
    actor: CurrentUser,
    source: SourceFile,
    mapping: Mapping,
    mode: ImportMode | str = ImportMode.ALL_OR_NOTHING,
    *,
    date_order: DateOrder | str | None = None,
    pass_mark: float = DEFAULT_PASS_MARK,
    progress: Progress | None = None,
    at: datetime | None = None,
) -> LmsImportReport:
    """Check every row, then store the valid completions with their dates (HR).

    All or nothing: any invalid row raises ``LmsImportRejectedError`` (with the report) and
    nothing is stored. Valid rows: they are stored and the others listed. A completion of the
    same person, course and day as one in the portal or earlier in the file is a duplicate,
    counted and not stored again. Dates are read in ``date_order``, else in the order the
    column's values fit best; a column whose values fit several orders equally must be given one."""
    require(actor, Permission.TRAINING_MANAGE)
    mode = ImportMode(mode)
    mapping = check_mapping(mapping, source.columns, source.hint)
    order = _date_order(source, mapping, date_order, guess_ties=False)
    mark = _checked_pass_mark(pass_mark)
    at = at or utc_now()
    report_progress = progress or (lambda share, text: None)

    def attempt() -> LmsImportReport:
        with db.exclusive() as connection:
            try:
                report_progress(0.1, _("Reading and checking every row…"))
                _stage(connection, source, mapping, order, at.date())
                report = _checked_report(connection, source, mapping, mode, order, mark)
                if report.rejected_rows and mode == ImportMode.ALL_OR_NOTHING:
                    raise LmsImportRejectedError(report)
                report_progress(0.5, _("Storing the completions…"))
                return _store(db, actor, source, mapping, report, at)
            finally:
                _drop_staging(connection)

    report = _read_with_padding_fallback(source, attempt)
    report_progress(1.0, _("Import finished."))
    return report


def _checked_report(
    connection: duckdb.DuckDBPyConnection,
    source: SourceFile,
    mapping: Mapping,
    mode: ImportMode,
    order: DateOrder,
    pass_mark: float,
) -> LmsImportReport:
    rows_read, rejected = connection.execute(
        "SELECT count(*), count(*) FILTER (WHERE NOT valid) FROM lms_converted"
    ).fetchone()
    if rows_read == 0:
        raise InputError.single(_("File"), _("it has a header row but no completions"))
    rejections = [
        Rejection(record=row[0], column=row[1], reason=row[2], value=row[3])
        for row in connection.execute(f"{_rejections_sql(mapping, order)} LIMIT {REJECTIONS_KEPT}").fetchall()
    ]
    return LmsImportReport(
        import_id=None,
        file_name=source.file_name,
        mode=mode,
        rows_read=rows_read,
        imported=0,
        already_present=0,
        repeated_in_file=0,
        rejected_rows=rejected,
        rejections=rejections,
        stored=False,
        date_order=order if "completed_at" in mapping else None,
        pass_mark=pass_mark,
    )


def _store(
    db: Database, actor: CurrentUser, source: SourceFile, mapping: Mapping, report: LmsImportReport, at: datetime
) -> LmsImportReport:
    """Record the batch as running, then store its completions and complete it in one transaction."""
    batch = {
        "file_name": source.file_name,
        "file_sha256": source.sha256,
        "mode": report.mode.value,
        "status": "running",
        "rows_read": report.rows_read,
        "rows_rejected": report.rejected_rows,
        "mapping_json": json.dumps(mapping, sort_keys=True),
        "imported_by": actor.employee_id,
        "started_at": at,
    }
    import_id = db.write(lambda connection: insert_row(connection, "training_imports", batch))

    def store(connection: duckdb.DuckDBPyConnection) -> LmsImportReport:
        first_rows = (
            "SELECT row_no, employee_id, course_id, completed_on, score_number,"
            " coalesce(passed_flag, score_number IS NULL OR score_number >= ?) AS passed,"
            " row_number() OVER (PARTITION BY employee_id, course_id, completed_on ORDER BY row_no) AS nth"
            " FROM lms_converted WHERE valid"
        )
        rows = connection.execute(f"SELECT * FROM ({first_rows}) ORDER BY row_no", [report.pass_mark]).fetchall()
        items = [
            CompletionInput(employee_id=row[1], course_id=row[2], completed_on=row[3], score=row[4], passed=row[5])
            for row in rows
            if row[6] == 1
        ]
        stored = store_completions(
            connection, items, source="import", import_id=import_id, recorded_by=actor.employee_id, at=at
        )
        done = report.model_copy(
            update={
                "import_id": import_id,
                "imported": stored.inserted,
                "already_present": stored.duplicates,
                "repeated_in_file": len(rows) - len(items),
                "stored": True,
            }
        )
        connection.execute(
            "UPDATE training_imports SET status = 'completed', rows_imported = ?, rows_duplicate = ?,"
            " report_json = ?, finished_at = ? WHERE id = ?",
            [done.imported, done.duplicates, _report_json(done), at, import_id],
        )
        audit.record(connection, actor, "training_import", import_id, "import", after=_audit_after(done, source), at=at)
        return done

    try:
        return db.write(store)
    except BaseException:
        db.write(lambda connection: _mark_failed(connection, actor, import_id, at))
        raise


def _report_json(report: LmsImportReport) -> str:
    return report.model_dump_json(include={"date_order", "pass_mark", "repeated_in_file", "already_present"})


def _audit_after(report: LmsImportReport, source: SourceFile) -> dict[str, object]:
    return {
        "file_name": report.file_name,
        "file_sha256": source.sha256,
        "mode": report.mode.value,
        "date_order": report.date_order.value if report.date_order else None,
        "pass_mark": report.pass_mark,
        "rows_read": report.rows_read,
        "imported": report.imported,
        "already_present": report.already_present,
        "repeated_in_file": report.repeated_in_file,
        "rejected": report.rejected_rows,
    }


def _mark_failed(connection: duckdb.DuckDBPyConnection, actor: CurrentUser, import_id: int, at: datetime) -> None:
    connection.execute(
        "UPDATE training_imports SET status = 'failed', finished_at = ? WHERE id = ? AND status = 'running'",
        [at, import_id],
    )
    audit.record(connection, actor, "training_import", import_id, "import_failed", after={"status": "failed"}, at=at)


# -- batches a killed process left running ------------------------------------------------------
INTERRUPTED_REASON = (
    "the import was interrupted before its completions were committed: the batch was still running "
    "when the database was opened, so it and anything kept of it were removed"
)


class InterruptedImport(BaseModel):
    import_id: int
    file_name: str
    completions: int = Field(description="Completions of the batch found and removed")


def remove_interrupted_imports(db: Database) -> list[InterruptedImport]:
    """Remove every batch left running (and its completions), one audit entry each, in one
    transaction; returns what was removed (usually nothing, after one cheap read). Run on open."""
    if not db.scalar("SELECT count(*) FROM training_imports WHERE status = 'running'"):
        return []

    now = utc_now()

    def remove(connection: duckdb.DuckDBPyConnection) -> list[InterruptedImport]:
        found = [
            InterruptedImport(**row)
            for row in ConnectionReader(connection).query(
                "SELECT i.id AS import_id, i.file_name, count(c.id) AS completions FROM training_imports i"
                " LEFT JOIN training_completions c ON c.import_id = i.id WHERE i.status = 'running'"
                " GROUP BY i.id, i.file_name ORDER BY i.id"
            )
        ]
        for item in found:
            pairs = connection.execute(
                "SELECT DISTINCT employee_id, course_id FROM training_completions WHERE import_id = ?",
                [item.import_id],
            ).fetchall()
            connection.execute("DELETE FROM training_completions WHERE import_id = ?", [item.import_id])
            if pairs:  # an assignment a removed completion closed is open again (or closed by another)
                apply_closing_rule(connection, pairs, at=now)
            connection.execute("DELETE FROM training_imports WHERE id = ?", [item.import_id])
            audit.record(
                connection,
                None,
                "training_import",
                item.import_id,
                "remove_incomplete",
                before={"status": "running", "completions": item.completions, "file_name": item.file_name},
                after={"completions": 0, "import_record": False, "reason": INTERRUPTED_REASON},
                at=now,
            )
        return found

    return db.write(remove)


def recent_imports(db: Database, actor: CurrentUser, limit: int = 20) -> pd.DataFrame:
    """The latest batches with their counts (HR)."""
    require(actor, Permission.TRAINING_MANAGE)
    return db.frame(
        "SELECT i.id, i.started_at, i.file_name, i.mode, i.status, i.rows_read, i.rows_imported,"
        " i.rows_duplicate, i.rows_rejected, e.full_name AS imported_by"
        " FROM training_imports i LEFT JOIN employees e ON e.id = i.imported_by ORDER BY i.id DESC LIMIT ?",
        [limit],
    )
