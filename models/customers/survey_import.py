"""The import of customer survey answers: a CSV or XLSX export of any survey tool (date,
channel, team or unit, survey type, score, comment, optional customer id and external id),
mapped, previewed, checked row by row and stored with the answers' own dates.

Files are opened, and their date column read, with the complaint import's machinery, in the
shape of the LMS import (``models.training.lms_import``).

A row is rejected, naming its row number, column and reason, when its survey type is unknown,
its score is not a whole number on its type's scale (NPS 0-10, CSAT 1-5, CES 1-7), its date
is missing, unreadable, before 1990 or in the future, or its channel is missing. A team or
unit that names no portal team does not reject the row: the answer is stored with the unit as
given and no team (it counts for the organisation and its channel, for no team), and the report
lists it. An answer already in the portal or earlier in the file with the same external id is a
duplicate, counted and stored once. Without an external id an answer is known by its content and
how many answers of the same content came before it in the file: two customers may give the same
score on the same day, so identical rows of one file are distinct answers, while importing the
same file (or an export overlapping it) again adds none of them twice.

A batch is recorded as ``running`` in a transaction of its own before its answers are stored,
and becomes ``completed`` in the transaction that stores them (``failed`` when that fails). A
batch still ``running`` when the database is opened was cut short by a killed process:
``remove_interrupted_imports`` removes it and anything of it that was kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
from pydantic import BaseModel

from models import audit
from models.access import CurrentUser, Permission, require
from models.complaints import sources, staging
from models.complaints.conversion import dedup_key_sql
from models.complaints.dates import DATE_ORDER_NAMES, DateGuess, DateOrder, date_sql, parts_sql
from models.complaints.field_mapping import EARLIEST_DATE, MAX_TEXT_LENGTH, REJECTIONS_KEPT, Mapping
from models.complaints.importer import IMPORT_MODE_LABELS, BatchRejectedError, BatchReport, ImportMode, Rejection
from models.complaints.sources import SourceFile, _read_with_padding_fallback
from models.complaints.staging import drop_tables, problem_sql, rejections_sql, sql_literal
from models.customers.survey_fields import FIELDS_BY_KEY, SURVEY_ROWS, SURVEY_TYPES, TYPE_NAMES, check_mapping
from models.db import ConnectionReader, insert_row, utc_now
from models.errors import InputError
from models.i18n import N_, _, format_number

if TYPE_CHECKING:
    from models.db import Database

__all__ = [
    "IMPORT_MODE_LABELS",
    "ImportMode",
    "SurveyImportRejectedError",
    "SurveyImportReport",
    "date_order_guess",
    "import_answers",
    "open_export",
    "open_upload",
    "preview",
    "recent_imports",
    "remove_interrupted_imports",
]

Progress = Callable[[float, str], None]
MAX_COMMENT_LENGTH = 4000
NO_TEAM_REASON = N_("no portal team has this name: the answer is kept with this unit and counted for no team")


class SurveyImportReport(BatchReport):
    """A survey import's outcome; a duplicate is the same answer (see ``models/customers``)."""

    without_team: int  # valid rows whose team or unit names no portal team
    team_notes: list[Rejection]

    @property
    def summary(self) -> str:
        kept = (
            _(" ({count} of them with a unit that is no portal team)", count=format_number(self.without_team))
            if self.without_team
            else ""
        )
        return self.counts_text(kept)

    def report_frame(self) -> pd.DataFrame:
        """The per-row report (row, outcome, column, reason, value), for showing and downloading:
        the rejected rows, then the rows kept without a team."""
        rows = [{"outcome": _("rejected"), **item.model_dump()} for item in self.rejections]
        rows += [{"outcome": _("imported without a team"), **item.model_dump()} for item in self.team_notes]
        frame = pd.DataFrame(rows, columns=["record", "outcome", "column", "reason", "value"])
        return frame.rename(columns={"record": "row"})


class SurveyImportRejectedError(BatchRejectedError):
    """All-or-nothing survey import refused because rows were invalid; nothing was stored."""


# -- opening a file ----------------------------------------------------------------------------
def open_export(path: Path, file_name: str | None = None, **options: Any) -> SourceFile:
    """A CSV or XLSX export on disk, opened as the complaint import opens files (``encoding``,
    ``max_bytes``, ``sheet``, ``header_row``), its header found among survey field names."""
    return sources.open_source(path, file_name, expected=SURVEY_ROWS, **options)


def open_upload(data: bytes, file_name: str, **options: Any) -> SourceFile:
    """An uploaded export, kept in a temporary folder until ``close()`` (options as ``open_export``)."""
    return sources.open_upload(data, file_name, expected=SURVEY_ROWS, **options)


# -- the date order ---------------------------------------------------------------------------
def date_order_guess(source: SourceFile, mapping: Mapping) -> DateGuess | None:
    """How the answers' dates fit each date order and the order chosen, from all the column's
    values (kept on the source); None when no column is mapped to it."""
    return staging.date_order_guess(source, mapping, "answered_at")


def _date_order(source: SourceFile, mapping: Mapping, chosen: DateOrder | str | None, *, guess_ties: bool) -> DateOrder:
    return staging.chosen_date_order(
        source, mapping, "answered_at", chosen, guess_ties=guess_ties, field_label=_("Date")
    )


# -- staging: the file's rows converted and checked in SQL ----------------------------------
def _stage(
    connection: duckdb.DuckDBPyConnection,
    source: SourceFile,
    mapping: Mapping,
    order: DateOrder,
    today: date,
    limit: int | None = None,
) -> None:
    """The file's rows as ``survey_source`` (cleaned text, in file order) and ``survey_converted``
    (typed, matched to teams, with a validity flag and a dedup key), temporary tables of this
    connection."""
    staging.stage_source(connection, source, mapping, FIELDS_BY_KEY, "survey_source", limit)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE survey_converted AS {_converted_sql(order)}", [today, today])


def _type_sql(text_sql: str) -> str:
    whens = " ".join(f"WHEN '{name}' THEN '{code}'" for name, code in TYPE_NAMES.items())
    return f"CASE regexp_replace(lower({text_sql}), '[^a-z0-9]+', '', 'g') {whens} END"


def _scale_sql(bound: str) -> str:
    whens = " ".join(f"WHEN '{t.code}' THEN {getattr(t, bound)}" for t in SURVEY_TYPES)
    return f"CASE survey_type {whens} END"


# without an external id, the n-th answer of the same content in the file is the n-th such answer:
# two customers may well give the same score on the same day
_KEY_TEXT = """CASE WHEN external_id_text IS NOT NULL THEN 'x:' || external_id_text
        ELSE 'h:' || content || chr(31) || CAST(row_number() OVER (PARTITION BY content ORDER BY row_no) AS VARCHAR)
        END"""


def _converted_sql(order: DateOrder) -> str:
    short_texts = ("channel_text", "team_text", "customer_id_text", "external_id_text")
    lengths_ok = " AND ".join(f"coalesce(length({name}), 0) <= {MAX_TEXT_LENGTH}" for name in short_texts)
    return f"""
    WITH numbered AS (
      SELECT CAST(rowid + 1 AS INTEGER) AS row_no, *, {parts_sql("answered_at_text")} AS answered_parts
      FROM survey_source
    ),
    typed AS (
      SELECT *,
        {date_sql("answered_at_text", "answered_parts", order)} AS answered_on,
        {_type_sql("survey_type_text")} AS survey_type,
        CASE WHEN isfinite(try_cast(score_text AS DOUBLE)) THEN try_cast(score_text AS DOUBLE) END AS score_number
      FROM numbered
    ),
    matched AS (
      SELECT t.*, m.id AS team_id, m.name AS team_name,
        {_scale_sql("lowest")} AS lowest, {_scale_sql("highest")} AS highest
      FROM typed t
      LEFT JOIN (SELECT lower(name) AS name_key, min(id) AS id, min(name) AS name FROM teams GROUP BY ALL) m
             ON m.name_key = lower(t.team_text)
    ),
    checked AS (
      SELECT *,
        score_number = floor(score_number) AND score_number BETWEEN lowest AND highest AS score_ok,
        answered_on > ? AS in_future
      FROM matched
    ),
    keyed AS (
      SELECT *,
        concat_ws(chr(31), coalesce(CAST(answered_on AS VARCHAR), ''), coalesce(channel_text, ''),
          coalesce(team_text, ''), coalesce(survey_type, ''), coalesce(CAST(score_number AS VARCHAR), ''),
          coalesce(comment_text, ''), coalesce(customer_id_text, '')) AS content
      FROM checked
    )
    SELECT * EXCLUDE (content),
      coalesce(NOT extra_values AND channel_text IS NOT NULL AND survey_type IS NOT NULL AND score_ok
        AND answered_on BETWEEN DATE '{EARLIEST_DATE}' AND ?
        AND {lengths_ok} AND coalesce(length(comment_text), 0) <= {MAX_COMMENT_LENGTH}, false) AS valid,
      {dedup_key_sql(_KEY_TEXT)} AS dedup_key
    FROM keyed
    ORDER BY row_no
    """


def _scale_reason() -> str:
    scales = ", ".join(f"{t.label} {t.lowest}-{t.highest}" for t in SURVEY_TYPES)
    out_of_range = sql_literal(_("the score is out of range for {type}: use {lowest} to {highest}"))
    return (
        "CASE WHEN score_number IS NULL THEN "
        + sql_literal(
            _("the score is not a number (use a whole number on the survey's scale: {scales})", scales=scales)
        )
        + " WHEN score_number <> floor(score_number) THEN "
        + sql_literal(_("the score is not a whole number"))
        + f" ELSE replace(replace(replace({out_of_range}, '{{type}}', upper(survey_type)),"
        + " '{lowest}', CAST(lowest AS VARCHAR)), '{highest}', CAST(highest AS VARCHAR)) END"
    )


def _rejections_sql(mapping: Mapping, order: DateOrder) -> str:
    """One row per problem of each invalid row: row number, the file's column, reason, value."""

    def column(key: str) -> str:
        return sql_literal(mapping.get(key, _(FIELDS_BY_KEY[key].label)))

    date_value = "left(answered_at_text, 60)"
    known_types = ", ".join(t.label for t in SURVEY_TYPES)
    problems = [
        problem_sql(
            "extra_values", sql_literal(_("Row")), sql_literal(_("it has more values than the header names columns"))
        ),
        problem_sql("answered_at_text IS NULL", column("answered_at"), sql_literal(_("the date is missing"))),
        problem_sql(
            "answered_at_text IS NOT NULL AND answered_on IS NULL",
            column("answered_at"),
            sql_literal(
                _(
                    "not a date when read as {order} (use 2025-03-29, 3/29/2025, 29.03.2025,"
                    " with or without a time, or an Excel date number)",
                    order=_(DATE_ORDER_NAMES[order]),
                )
            ),
            date_value,
        ),
        problem_sql("in_future", column("answered_at"), sql_literal(_("the date is in the future")), date_value),
        problem_sql(
            f"answered_on < DATE '{EARLIEST_DATE}'",
            column("answered_at"),
            sql_literal(_("the date is before {day}", day=EARLIEST_DATE)),
            date_value,
        ),
        problem_sql("channel_text IS NULL", column("channel"), sql_literal(_("the channel is missing"))),
        problem_sql("survey_type_text IS NULL", column("survey_type"), sql_literal(_("the survey type is missing"))),
        problem_sql(
            "survey_type_text IS NOT NULL AND survey_type IS NULL",
            column("survey_type"),
            sql_literal(_("unknown survey type: use {types}", types=known_types)),
            "left(survey_type_text, 60)",
        ),
        problem_sql("score_text IS NULL", column("score"), sql_literal(_("the score is missing"))),
        problem_sql(
            "score_text IS NOT NULL AND survey_type IS NOT NULL AND NOT coalesce(score_ok, false)",
            column("score"),
            _scale_reason(),
            "left(score_text, 60)",
        ),
        problem_sql(
            f"length(comment_text) > {MAX_COMMENT_LENGTH}",
            column("comment"),
            sql_literal(_("longer than {count} characters", count=format_number(MAX_COMMENT_LENGTH))),
            "left(comment_text, 60) || '…'",
        ),
    ] + [
        problem_sql(
            f"length({key}_text) > {MAX_TEXT_LENGTH}",
            column(key),
            sql_literal(_("longer than {count} characters", count=MAX_TEXT_LENGTH)),
            f"left({key}_text, 60) || '…'",
        )
        for key in ("channel", "team", "customer_id", "external_id")
    ]
    return rejections_sql(problems, "survey_converted")


def _drop_staging(connection: duckdb.DuckDBPyConnection) -> None:
    drop_tables(connection, "survey_converted", "survey_source")


# -- the preview -------------------------------------------------------------------------------
def preview(
    db: Database,
    actor: CurrentUser,
    source: SourceFile,
    mapping: Mapping,
    *,
    date_order: DateOrder | str | None = None,
    limit: int = 20,
    today: date | None = None,
) -> pd.DataFrame:
    """The first rows as they would be stored — the date in the order chosen (else the one the
    column's values fit best), channel, the team matched, type, score, comment — and what is
    wrong with each (analyst)."""
    require(actor, Permission.COMPLAINTS_IMPORT)
    mapping = check_mapping(mapping, source.columns, source.hint)
    order = _date_order(source, mapping, date_order, guess_ties=True)
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
                    "SELECT row_no AS row, answered_on, channel_text AS channel,"
                    " coalesce(team_name, CASE WHEN team_text IS NOT NULL THEN team_text || ' (no such team)' END)"
                    " AS team, upper(survey_type) AS survey_type, score_number AS score, comment_text AS comment,"
                    " customer_id_text AS customer_id, external_id_text AS external_id"
                    " FROM survey_converted ORDER BY row_no"
                ).df()
            finally:
                _drop_staging(connection)
        frame.insert(1, "problem", [problems.get(row, "") for row in frame["row"]])
        return frame

    return _read_with_padding_fallback(source, read)


# -- importing ---------------------------------------------------------------------------------
def import_answers(
    db: Database,
    actor: CurrentUser,
    source: SourceFile,
    mapping: Mapping,
    mode: ImportMode | str = ImportMode.ALL_OR_NOTHING,
    *,
    date_order: DateOrder | str | None = None,
    progress: Progress | None = None,
    at: datetime | None = None,
) -> SurveyImportReport:
    """Check every row, then store the valid answers with their dates (analyst).

    All or nothing: any invalid row raises ``SurveyImportRejectedError`` (with the report) and
    nothing is stored. Valid rows: they are stored and the others listed. Dates are read in
    ``date_order``, else in the order the column's values fit best; a column whose values fit
    several orders equally must be given one."""
    require(actor, Permission.COMPLAINTS_IMPORT)
    mode = ImportMode(mode)
    mapping = check_mapping(mapping, source.columns, source.hint)
    order = _date_order(source, mapping, date_order, guess_ties=False)
    at = at or utc_now()
    report_progress = progress or (lambda share, text: None)

    def attempt() -> SurveyImportReport:
        with db.exclusive() as connection:
            try:
                report_progress(0.1, _("Reading and checking every row…"))
                _stage(connection, source, mapping, order, at.date())
                report = _checked_report(connection, source, mapping, mode, order)
                if report.rejected_rows and mode == ImportMode.ALL_OR_NOTHING:
                    raise SurveyImportRejectedError(report)
                report_progress(0.5, _("Storing the answers…"))
                return _store(db, actor, source, mapping, report, at)
            finally:
                _drop_staging(connection)

    report = _read_with_padding_fallback(source, attempt)
    report_progress(1.0, _("Import finished."))
    return report


def _checked_report(
    connection: duckdb.DuckDBPyConnection, source: SourceFile, mapping: Mapping, mode: ImportMode, order: DateOrder
) -> SurveyImportReport:
    rows_read, rejected, without_team = connection.execute(
        "SELECT count(*), count(*) FILTER (WHERE NOT valid),"
        " count(*) FILTER (WHERE valid AND team_text IS NOT NULL AND team_id IS NULL) FROM survey_converted"
    ).fetchone()
    if rows_read == 0:
        raise InputError.single(_("File"), _("it has a header row but no survey answers"))
    rejections = [
        Rejection(record=row[0], column=row[1], reason=row[2], value=row[3])
        for row in connection.execute(f"{_rejections_sql(mapping, order)} LIMIT {REJECTIONS_KEPT}").fetchall()
    ]
    team_label = FIELDS_BY_KEY["team"].label
    team_column = mapping.get("team", _(team_label))
    team_notes = [
        Rejection(record=row[0], column=team_column, reason=_(NO_TEAM_REASON), value=row[1])
        for row in connection.execute(
            "SELECT row_no, left(team_text, 60) FROM survey_converted"
            f" WHERE valid AND team_text IS NOT NULL AND team_id IS NULL ORDER BY row_no LIMIT {REJECTIONS_KEPT}"
        ).fetchall()
    ]
    return SurveyImportReport(
        import_id=None,
        file_name=source.file_name,
        mode=mode,
        rows_read=rows_read,
        imported=0,
        already_present=0,
        repeated_in_file=0,
        rejected_rows=rejected,
        rejections=rejections,
        without_team=without_team,
        team_notes=team_notes,
        stored=False,
        date_order=order,
    )


_FIRST_IN_FILE = (
    "SELECT *, row_number() OVER (PARTITION BY dedup_key ORDER BY row_no) AS nth FROM survey_converted WHERE valid"
)


def _store(
    db: Database, actor: CurrentUser, source: SourceFile, mapping: Mapping, report: SurveyImportReport, at: datetime
) -> SurveyImportReport:
    """Record the batch as running, then store its answers and complete it in one transaction."""
    batch = {
        "file_name": source.file_name,
        "file_sha256": source.sha256,
        "source": "file",
        "mode": report.mode.value,
        "status": "running",
        "rows_read": report.rows_read,
        "rows_rejected": report.rejected_rows,
        "mapping_json": json.dumps(mapping, sort_keys=True),
        "imported_by": actor.employee_id,
        "started_at": at,
    }
    import_id = db.write(lambda connection: insert_row(connection, "customer_survey_imports", batch))

    def store(connection: duckdb.DuckDBPyConnection) -> SurveyImportReport:
        valid, repeated = connection.execute(
            f"SELECT count(*), count(*) FILTER (WHERE nth > 1) FROM ({_FIRST_IN_FILE})"
        ).fetchone()
        imported = connection.execute(
            "INSERT INTO customer_survey_answers (dedup_key, external_id, answered_on, answered_month, channel,"
            " team_id, unit, survey_type, score, comment, customer_id, import_id)"
            " SELECT dedup_key, external_id_text, answered_on, date_trunc('month', answered_on)::DATE, channel_text,"
            " team_id, team_text, survey_type, CAST(score_number AS INTEGER), comment_text, customer_id_text, ?"
            f" FROM ({_FIRST_IN_FILE}) c WHERE nth = 1"
            " AND NOT EXISTS (SELECT 1 FROM customer_survey_answers x WHERE x.dedup_key = c.dedup_key)"
            " ORDER BY row_no",
            [import_id],
        ).fetchone()[0]
        done = report.model_copy(
            update={
                "import_id": import_id,
                "imported": imported,
                "already_present": valid - repeated - imported,
                "repeated_in_file": repeated,
                "stored": True,
            }
        )
        connection.execute(
            "UPDATE customer_survey_imports SET status = 'completed', rows_imported = ?, rows_duplicate = ?,"
            " rows_without_team = ?, report_json = ?, finished_at = ? WHERE id = ?",
            [done.imported, done.duplicates, done.without_team, _report_json(done), at, import_id],
        )
        audit.record(
            connection, actor, "customer_survey_import", import_id, "import", after=_audit_after(done, source), at=at
        )
        return done

    try:
        return db.write(store)
    except BaseException:
        db.write(lambda connection: _mark_failed(connection, actor, import_id, at))
        raise


def _report_json(report: SurveyImportReport) -> str:
    return report.model_dump_json(include={"date_order", "repeated_in_file", "already_present", "without_team"})


def _audit_after(report: SurveyImportReport, source: SourceFile) -> dict[str, object]:
    return {
        "file_name": report.file_name,
        "file_sha256": source.sha256,
        "mode": report.mode.value,
        "date_order": report.date_order.value if report.date_order else None,
        "rows_read": report.rows_read,
        "imported": report.imported,
        "already_present": report.already_present,
        "repeated_in_file": report.repeated_in_file,
        "without_team": report.without_team,
        "rejected": report.rejected_rows,
    }


def _mark_failed(connection: duckdb.DuckDBPyConnection, actor: CurrentUser, import_id: int, at: datetime) -> None:
    connection.execute(
        "UPDATE customer_survey_imports SET status = 'failed', finished_at = ? WHERE id = ? AND status = 'running'",
        [at, import_id],
    )
    audit.record(
        connection, actor, "customer_survey_import", import_id, "import_failed", after={"status": "failed"}, at=at
    )


# -- batches a killed process left running ------------------------------------------------------
INTERRUPTED_REASON = (
    "the import was interrupted before its answers were committed: the batch was still running "
    "when the database was opened, so it and anything kept of it were removed"
)


class InterruptedImport(BaseModel):
    import_id: int
    file_name: str
    answers: int  # answers of the batch found and removed


def remove_interrupted_imports(db: Database) -> list[InterruptedImport]:
    """Remove every batch left running (and its answers), one audit entry each, in one
    transaction; returns what was removed (usually nothing, after one cheap read). Run on open."""
    if not db.scalar("SELECT count(*) FROM customer_survey_imports WHERE status = 'running'"):
        return []
    now = utc_now()

    def remove(connection: duckdb.DuckDBPyConnection) -> list[InterruptedImport]:
        found = [
            InterruptedImport(**row)
            for row in ConnectionReader(connection).query(
                "SELECT i.id AS import_id, i.file_name, count(a.id) AS answers FROM customer_survey_imports i"
                " LEFT JOIN customer_survey_answers a ON a.import_id = i.id WHERE i.status = 'running'"
                " GROUP BY i.id, i.file_name ORDER BY i.id"
            )
        ]
        for item in found:
            connection.execute(
                "DELETE FROM customer_comment_links WHERE answer_id IN"
                " (SELECT id FROM customer_survey_answers WHERE import_id = ?)",
                [item.import_id],
            )
            connection.execute("DELETE FROM customer_survey_answers WHERE import_id = ?", [item.import_id])
            connection.execute("DELETE FROM customer_survey_imports WHERE id = ?", [item.import_id])
            audit.record(
                connection,
                None,
                "customer_survey_import",
                item.import_id,
                "remove_incomplete",
                before={"status": "running", "answers": item.answers, "file_name": item.file_name},
                after={"answers": 0, "import_record": False, "reason": INTERRUPTED_REASON},
                at=now,
            )
        return found

    return db.write(remove)


def recent_imports(db: Database, actor: CurrentUser, limit: int = 20) -> pd.DataFrame:
    """The latest batches with their counts (analyst)."""
    require(actor, Permission.COMPLAINTS_IMPORT)
    return db.frame(
        "SELECT i.id, i.started_at, i.file_name, i.mode, i.status, i.rows_read, i.rows_imported,"
        " i.rows_duplicate, i.rows_without_team, i.rows_rejected, e.full_name AS imported_by"
        " FROM customer_survey_imports i LEFT JOIN employees e ON e.id = i.imported_by ORDER BY i.id DESC LIMIT ?",
        [limit],
    )
