"""Mystery audits imported from a shopper's CSV or XLSX export (rule 2 of ``models.standards``):
one row per standard checked, mapped, previewed, checked row by row and stored as audits of
the checklist chosen, in the shape of the survey and LMS imports.

The rows of one audit share its Audit ID, or, without one, its date, channel, team and agent.
A row is rejected, naming its row number, column and reason, when its date is missing,
unreadable or in the future, its channel or team is missing or no portal team has the name,
its agent is no employee number or email of the portal, its standard is not on the checklist,
or its result is off the standard's scale (pass/fail, or a whole number 1-5). The other rows
of an audit with a rejected row are rejected with it (an audit is stored whole or not at all),
as are rows checking one standard twice with different results, and rows of one Audit ID
that disagree on its date, channel, team or agent.

All or nothing: any rejected row stores nothing. Valid rows: the whole valid audits are
stored and the rest listed. A row repeated exactly in the file counts once; an audit already
in the portal (same Audit ID, or without one the same content) is a duplicate and is not
stored again, so importing a file twice adds nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from models import audit
from models.access import CurrentUser, Permission, require
from models.complaints import sources, staging
from models.complaints.dates import DATE_ORDER_NAMES, DateGuess, DateOrder, date_sql, parts_sql
from models.complaints.field_mapping import EARLIEST_DATE, REJECTIONS_KEPT, Mapping
from models.complaints.importer import IMPORT_MODE_LABELS, BatchRejectedError, BatchReport, ImportMode, Rejection
from models.complaints.sources import SourceFile, _read_with_padding_fallback
from models.complaints.staging import drop_tables, problem_sql, rejections_sql, sql_literal
from models.db import insert_row, utc_now
from models.errors import InputError
from models.i18n import _, format_number, ngettext
from models.standards.audit_fields import AUDIT_ROWS, FAILED, FIELDS_BY_KEY, PASSED, check_mapping
from models.standards.audits import NOTES_MAX, AuditInput, checklists, store_audits

if TYPE_CHECKING:
    from models.db import Database

__all__ = [
    "IMPORT_MODE_LABELS",
    "AuditImportRejectedError",
    "AuditImportReport",
    "ImportMode",
    "date_order_guess",
    "import_audits",
    "open_export",
    "open_upload",
    "preview",
    "recent_imports",
]

Progress = Callable[[float, str], None]
CHANNEL_MAX = 60
EXTERNAL_ID_MAX = 100
_SOURCE, _CHECKED, _CONVERTED, _ITEMS = "audit_source", "audit_checked", "audit_converted", "audit_items"


def _rows(number: int) -> str:
    return ngettext("{n} row", "{n} rows", number, n=format_number(number))


def _audits(number: int) -> str:
    return ngettext("{n} audit", "{n} audits", number, n=format_number(number))


class AuditImportReport(BatchReport):
    """An audit import's outcome: rows read, repeated and rejected; audits imported and
    already in the portal."""

    checklist: str
    audits_in_file: int

    @property
    def summary(self) -> str:
        return _(
            "{read} read ({in_file}): {imported} imported, {present} already in the portal; "
            "{repeated} repeated in the file, {rejected} rejected.",
            read=_rows(self.rows_read),
            in_file=_audits(self.audits_in_file),
            imported=_audits(self.imported),
            present=format_number(self.already_present),
            repeated=_rows(self.repeated_in_file),
            rejected=_rows(self.rejected_rows),
        )

    def rejections_frame(self) -> pd.DataFrame:
        """The per-row report (row, column, reason, value), for showing and downloading."""
        rows = [rejection.model_dump() for rejection in self.rejections]
        return pd.DataFrame(rows, columns=["record", "column", "reason", "value"]).rename(columns={"record": "row"})


class AuditImportRejectedError(BatchRejectedError):
    """All-or-nothing audit import refused because rows were invalid; nothing was stored."""


# -- opening a file and its date order ---------------------------------------------------------
def open_export(path: Path, file_name: str | None = None, **options: Any) -> SourceFile:
    """A CSV or XLSX export on disk, opened as the complaint import opens files."""
    return sources.open_source(path, file_name, expected=AUDIT_ROWS, **options)


def open_upload(data: bytes, file_name: str, **options: Any) -> SourceFile:
    """An uploaded export, kept in a temporary folder until ``close()``."""
    return sources.open_upload(data, file_name, expected=AUDIT_ROWS, **options)


def date_order_guess(source: SourceFile, mapping: Mapping) -> DateGuess | None:
    """How the audits' dates fit each date order and the order chosen; None when unmapped."""
    return staging.date_order_guess(source, mapping, "audited_on")


def _date_order(source: SourceFile, mapping: Mapping, chosen: DateOrder | str | None, *, guess_ties: bool) -> DateOrder:
    return staging.chosen_date_order(
        source, mapping, "audited_on", chosen, guess_ties=guess_ties, field_label=_("Date")
    )


def _checklist(db: Database, checklist_id: int) -> dict[str, Any]:
    checklist = next((c for c in checklists(db) if c["id"] == checklist_id), None)
    if checklist is None:
        raise InputError.single(_("Checklist"), _("choose a checklist"))
    return checklist


# -- staging: the file's rows converted and checked in SQL ----------------------------------
def _words(values: tuple[str, ...]) -> str:
    return ", ".join(sql_literal(value) for value in values)


def _stage(
    connection: duckdb.DuckDBPyConnection,
    source: SourceFile,
    mapping: Mapping,
    checklist: dict[str, Any],
    order: DateOrder,
    today: date,
    limit: int | None = None,
) -> None:
    """The file's rows as ``audit_source`` (text), ``audit_checked`` (typed, matched to teams,
    people and the checklist's standards, each row's own validity) and ``audit_converted``
    (with the checks across the rows of each audit), temporary tables of this connection."""
    staging.stage_source(connection, source, mapping, FIELDS_BY_KEY, _SOURCE, limit)
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE {_ITEMS} (standard_id INTEGER, code VARCHAR, title VARCHAR, scale VARCHAR)"
    )
    connection.executemany(
        f"INSERT INTO {_ITEMS} VALUES (?, ?, ?, ?)",
        [[item["standard_id"], item["code"], item["title"], item["scale"]] for item in checklist["items"]],
    )
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {_CHECKED} AS {_checked_sql(order)}", [today])
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {_CONVERTED} AS {_CONVERTED_SQL}")


def _checked_sql(order: DateOrder) -> str:
    lengths_ok = (
        f"coalesce(length(channel_text), 0) <= {CHANNEL_MAX} AND coalesce(length(notes_text), 0) <= {NOTES_MAX}"
        f" AND coalesce(length(external_id_text), 0) <= {EXTERNAL_ID_MAX}"
    )
    return f"""
    WITH numbered AS (
      SELECT CAST(rowid + 1 AS INTEGER) AS row_no, *, {parts_sql("audited_on_text")} AS audited_parts
      FROM {_SOURCE}
    ),
    typed AS (
      SELECT *, {date_sql("audited_on_text", "audited_parts", order)} AS audited_on,
        lower(result_text) AS result_word,
        CASE WHEN isfinite(try_cast(result_text AS DOUBLE)) THEN try_cast(result_text AS DOUBLE) END AS result_number,
        (SELECT min(standard_id) FROM {_ITEMS} i WHERE upper(i.code) = upper(standard_text)) AS by_code,
        (SELECT min(standard_id) FROM {_ITEMS} i WHERE lower(i.title) = lower(standard_text)) AS by_title
      FROM numbered
    ),
    matched AS (
      SELECT t.*, tm.id AS team_id, coalesce(n.id, m.id) AS agent_id, i.standard_id, i.scale
      FROM typed t
      LEFT JOIN (SELECT lower(name) AS name_key, min(id) AS id FROM teams GROUP BY ALL) tm
             ON tm.name_key = lower(t.team_text)
      LEFT JOIN (SELECT employee_number, min(id) AS id FROM employees GROUP BY ALL) n
             ON n.employee_number = t.agent_text
      LEFT JOIN (SELECT lower(email) AS email_key, min(id) AS id FROM employees WHERE email IS NOT NULL GROUP BY ALL) m
             ON m.email_key = lower(t.agent_text)
      LEFT JOIN {_ITEMS} i ON i.standard_id = coalesce(t.by_code, t.by_title)
    ),
    judged AS (
      SELECT *,
        CASE WHEN scale = 'pass_fail' THEN CASE WHEN result_word IN ({_words(PASSED)}) THEN true
                                                WHEN result_word IN ({_words(FAILED)}) THEN false END END AS passed,
        CASE WHEN scale = 'score' AND result_number = floor(result_number) AND result_number BETWEEN 1 AND 5
             THEN CAST(result_number AS INTEGER) END AS score,
        audited_on > ? AS in_future
      FROM matched
    )
    SELECT *,
      coalesce(NOT extra_values AND audited_on >= DATE '{EARLIEST_DATE}' AND NOT in_future
        AND channel_text IS NOT NULL AND team_id IS NOT NULL AND (agent_text IS NULL OR agent_id IS NOT NULL)
        AND standard_id IS NOT NULL AND (passed IS NOT NULL OR score IS NOT NULL) AND {lengths_ok}, false) AS row_ok,
      CASE WHEN external_id_text IS NOT NULL THEN 'x:' || external_id_text
           ELSE 'c:' || concat_ws(chr(31), coalesce(CAST(audited_on AS VARCHAR), audited_on_text, ''),
                  lower(coalesce(channel_text, '')), lower(coalesce(team_text, '')), lower(coalesce(agent_text, '')))
      END AS audit_key
    FROM judged
    """


_CONVERTED_SQL = f"""
    WITH repeats AS (
      SELECT *, row_number() OVER (PARTITION BY audit_key, CAST(audited_on AS VARCHAR), lower(channel_text),
          lower(team_text), lower(agent_text), coalesce(CAST(standard_id AS VARCHAR), lower(standard_text)),
          result_word, notes_text ORDER BY row_no) > 1 AS repeated
      FROM {_CHECKED}
    ),
    across AS (
      SELECT *,
        standard_id IS NOT NULL AND count(*) OVER (PARTITION BY audit_key, standard_id) > 1 AS standard_twice,
        min(audited_on) OVER w IS DISTINCT FROM max(audited_on) OVER w
          OR min(lower(channel_text)) OVER w IS DISTINCT FROM max(lower(channel_text)) OVER w
          OR min(team_id) OVER w IS DISTINCT FROM max(team_id) OVER w
          OR min(coalesce(agent_id, -1)) OVER w IS DISTINCT FROM max(coalesce(agent_id, -1)) OVER w AS disagree
      FROM repeats WHERE NOT repeated
      WINDOW w AS (PARTITION BY audit_key)
    ),
    grouped AS (
      SELECT *, row_ok AND NOT standard_twice AND NOT disagree AS own_ok FROM across
    )
    SELECT *, bool_and(own_ok) OVER (PARTITION BY audit_key) AS valid FROM grouped
    UNION ALL BY NAME
    SELECT *, true AS valid FROM repeats WHERE repeated
    ORDER BY row_no
"""


def _rejections_sql(mapping: Mapping, checklist: dict[str, Any], order: DateOrder) -> str:
    """One row per problem of each rejected row: row number, the file's column, reason, value."""

    def column(key: str) -> str:
        return sql_literal(mapping.get(key, _(FIELDS_BY_KEY[key].label)))

    def value(key: str) -> str:
        return f"left({key}_text, 60)"

    codes = ", ".join(item["code"] for item in checklist["items"])
    date_ = column("audited_on")
    problems = [
        problem_sql(
            "extra_values", sql_literal(_("Row")), sql_literal(_("it has more values than the header names columns"))
        ),
        problem_sql("audited_on_text IS NULL", date_, sql_literal(_("the date is missing"))),
        problem_sql(
            "audited_on_text IS NOT NULL AND audited_on IS NULL",
            date_,
            sql_literal(
                _("not a date when read as {order} (use 2025-03-29, 29/03/2025…)", order=_(DATE_ORDER_NAMES[order]))
            ),
            value("audited_on"),
        ),
        problem_sql("in_future", date_, sql_literal(_("the date is in the future")), value("audited_on")),
        problem_sql(
            f"audited_on < DATE '{EARLIEST_DATE}'",
            date_,
            sql_literal(_("the date is before {day}", day=EARLIEST_DATE)),
            value("audited_on"),
        ),
        problem_sql("channel_text IS NULL", column("channel"), sql_literal(_("the channel is missing"))),
        problem_sql("team_text IS NULL", column("team"), sql_literal(_("the team is missing"))),
        problem_sql(
            "team_text IS NOT NULL AND team_id IS NULL",
            column("team"),
            sql_literal(_("unknown team: no portal team has this name")),
            value("team"),
        ),
        problem_sql(
            "agent_text IS NOT NULL AND agent_id IS NULL",
            column("agent"),
            sql_literal(_("unknown agent: no employee has this employee number or email")),
            value("agent"),
        ),
        problem_sql("standard_text IS NULL", column("standard"), sql_literal(_("the standard is missing"))),
        problem_sql(
            "standard_text IS NOT NULL AND standard_id IS NULL",
            column("standard"),
            sql_literal(
                _(
                    "unknown standard: it is not on the checklist {checklist} ({codes})",
                    checklist=checklist["name"],
                    codes=codes,
                )
            ),
            value("standard"),
        ),
        problem_sql("result_text IS NULL", column("result"), sql_literal(_("the result is missing"))),
        problem_sql(
            "result_text IS NOT NULL AND scale = 'pass_fail' AND passed IS NULL",
            column("result"),
            sql_literal(_("off the scale: this standard is checked pass or fail (also yes/no, 1/0)")),
            value("result"),
        ),
        problem_sql(
            "result_text IS NOT NULL AND scale = 'score' AND score IS NULL",
            column("result"),
            sql_literal(_("off the scale: this standard is scored with a whole number from 1 to 5")),
            value("result"),
        ),
        problem_sql(
            f"length(channel_text) > {CHANNEL_MAX}",
            column("channel"),
            sql_literal(_("longer than {count} characters", count=CHANNEL_MAX)),
            value("channel"),
        ),
        problem_sql(
            f"length(notes_text) > {NOTES_MAX}",
            column("notes"),
            sql_literal(_("longer than {count} characters", count=format_number(NOTES_MAX))),
        ),
        problem_sql(
            f"length(external_id_text) > {EXTERNAL_ID_MAX}",
            column("external_id"),
            sql_literal(_("longer than {count} characters", count=EXTERNAL_ID_MAX)),
            value("external_id"),
        ),
        problem_sql(
            "standard_twice",
            column("standard"),
            sql_literal(_("the audit checks this standard in another row with another result")),
            value("standard"),
        ),
        problem_sql(
            "disagree",
            column("external_id"),
            sql_literal(_("the rows of this Audit ID differ in date, channel, team or agent")),
            value("external_id"),
        ),
        problem_sql(
            "own_ok",
            sql_literal(_("Row")),
            sql_literal(_("another row of the same audit was rejected, so the whole audit was not imported")),
        ),
    ]
    return rejections_sql(problems, _CONVERTED)


# -- the preview -------------------------------------------------------------------------------
def preview(
    db: Database,
    actor: CurrentUser,
    checklist_id: int,
    source: SourceFile,
    mapping: Mapping,
    *,
    date_order: DateOrder | str | None = None,
    limit: int = 20,
    today: date | None = None,
) -> pd.DataFrame:
    """The first rows as they would be stored — the date in the order chosen (else the one the
    column's values fit best), channel, the team, agent and standard matched, the result — and
    what is wrong with each (analyst)."""
    require(actor, Permission.SERVICE_AUDITS_RECORD)
    checklist = _checklist(db, checklist_id)
    mapping = check_mapping(mapping, source.columns, source.hint)
    order = _date_order(source, mapping, date_order, guess_ties=True)
    day = today or utc_now().date()

    def read() -> pd.DataFrame:
        with db.exclusive() as connection:
            try:
                _stage(connection, source, mapping, checklist, order, day, limit)
                problems = dict(
                    connection.execute(
                        "SELECT row_no, string_agg(column_name || ': ' || reason, '; ')"
                        f" FROM ({_rejections_sql(mapping, checklist, order)}) GROUP BY row_no"
                    ).fetchall()
                )
                frame = connection.execute(
                    "SELECT c.row_no AS row, c.external_id_text AS audit_id, c.audited_on, c.channel_text AS channel,"
                    " t.name AS team, e.full_name AS agent, i.code AS standard,"
                    " CASE WHEN c.passed THEN 'pass' WHEN NOT c.passed THEN 'fail' ELSE CAST(c.score AS VARCHAR) END"
                    " AS result, c.repeated"
                    f" FROM {_CONVERTED} c LEFT JOIN teams t ON t.id = c.team_id"
                    f" LEFT JOIN employees e ON e.id = c.agent_id LEFT JOIN {_ITEMS} i ON i.standard_id = c.standard_id"
                    " ORDER BY c.row_no"
                ).df()
            finally:
                drop_tables(connection, _CONVERTED, _CHECKED, _ITEMS, _SOURCE)
        frame.insert(1, "problem", [problems.get(row, "") for row in frame["row"]])
        return frame

    return _read_with_padding_fallback(source, read)


# -- importing ---------------------------------------------------------------------------------
def import_audits(
    db: Database,
    actor: CurrentUser,
    checklist_id: int,
    source: SourceFile,
    mapping: Mapping,
    mode: ImportMode | str = ImportMode.ALL_OR_NOTHING,
    *,
    date_order: DateOrder | str | None = None,
    progress: Progress | None = None,
    at: datetime | None = None,
) -> AuditImportReport:
    """Check every row, then store the valid audits of the checklist (analyst).

    All or nothing: any rejected row raises ``AuditImportRejectedError`` (with the report) and
    nothing is stored. Valid rows: the valid audits are stored and the other rows listed."""
    require(actor, Permission.SERVICE_AUDITS_RECORD)
    checklist = _checklist(db, checklist_id)
    mode = ImportMode(mode)
    mapping = check_mapping(mapping, source.columns, source.hint)
    order = _date_order(source, mapping, date_order, guess_ties=False)
    at = at or utc_now()
    report_progress = progress or (lambda share, text: None)

    def attempt() -> AuditImportReport:
        with db.exclusive() as connection:
            try:
                report_progress(0.1, _("Reading and checking every row…"))
                _stage(connection, source, mapping, checklist, order, at.date())
                report = _checked_report(connection, source, mapping, checklist, mode, order)
                if report.rejected_rows and mode == ImportMode.ALL_OR_NOTHING:
                    raise AuditImportRejectedError(report)
                records = _records(connection, checklist_id)
            finally:
                drop_tables(connection, _CONVERTED, _CHECKED, _ITEMS, _SOURCE)
        report_progress(0.5, _("Storing the audits…"))
        return _store(db, actor, source, mapping, report, (checklist_id, records), at)

    report = _read_with_padding_fallback(source, attempt)
    report_progress(1.0, _("Import finished."))
    return report


def _checked_report(
    connection: duckdb.DuckDBPyConnection,
    source: SourceFile,
    mapping: Mapping,
    checklist: dict[str, Any],
    mode: ImportMode,
    order: DateOrder,
) -> AuditImportReport:
    rows_read, rejected, repeated, audits_in_file = connection.execute(
        "SELECT count(*), count(*) FILTER (WHERE NOT valid), count(*) FILTER (WHERE repeated),"
        f" count(DISTINCT audit_key) FROM {_CONVERTED}"
    ).fetchone()
    if rows_read == 0:
        raise InputError.single(_("File"), _("it has a header row but no audits"))
    rejections = [
        Rejection(record=row[0], column=row[1], reason=row[2], value=row[3])
        for row in connection.execute(
            f"{_rejections_sql(mapping, checklist, order)} LIMIT {REJECTIONS_KEPT}"
        ).fetchall()
    ]
    return AuditImportReport(
        import_id=None,
        file_name=source.file_name,
        mode=mode,
        rows_read=rows_read,
        imported=0,
        already_present=0,
        repeated_in_file=repeated,
        rejected_rows=rejected,
        rejections=rejections,
        stored=False,
        date_order=order,
        checklist=checklist["name"],
        audits_in_file=audits_in_file,
    )


def _records(connection: duckdb.DuckDBPyConnection, checklist_id: int) -> list[AuditInput]:
    """The valid audits of the file, one per audit key, in file order."""
    rows = connection.execute(
        "SELECT min(audited_on), arg_min(channel_text, row_no), min(team_id), min(agent_id), min(external_id_text),"
        f" left(string_agg(DISTINCT notes_text, chr(10) ORDER BY notes_text), {NOTES_MAX}),"
        " list({'standard_id': standard_id, 'passed': passed, 'score': score})"
        f" FROM {_CONVERTED} WHERE valid AND NOT repeated GROUP BY audit_key ORDER BY min(row_no)"
    ).fetchall()
    return [
        AuditInput(
            checklist_id=checklist_id,
            audited_on=row[0],
            channel=row[1],
            team_id=row[2],
            agent_id=row[3],
            external_id=row[4],
            notes=row[5],
            results={
                item["standard_id"]: item["passed"] if item["passed"] is not None else item["score"] for item in row[6]
            },
        )
        for row in rows
    ]


def _store(
    db: Database,
    actor: CurrentUser,
    source: SourceFile,
    mapping: Mapping,
    report: AuditImportReport,
    audits_of: tuple[int, list[AuditInput]],
    at: datetime,
) -> AuditImportReport:
    """Store the audits of a checklist and the batch's record in one transaction."""
    checklist_id, records = audits_of

    def store(connection: duckdb.DuckDBPyConnection) -> AuditImportReport:
        batch = {
            "checklist_id": checklist_id,
            "file_name": source.file_name,
            "file_sha256": source.sha256,
            "mode": report.mode.value,
            "rows_read": report.rows_read,
            "rows_rejected": report.rejected_rows,
            "rows_repeated": report.repeated_in_file,
            "audits_imported": 0,
            "audits_duplicate": 0,
            "mapping_json": json.dumps(mapping, sort_keys=True),
            "imported_by": actor.employee_id,
            "imported_at": at,
        }
        import_id = insert_row(connection, "mystery_audit_imports", batch)
        ids, duplicates = store_audits(connection, actor, records, source="import", at=at, import_id=import_id)
        connection.execute(
            "UPDATE mystery_audit_imports SET audits_imported = ?, audits_duplicate = ? WHERE id = ?",
            [len(ids), duplicates, import_id],
        )
        done = report.model_copy(
            update={"import_id": import_id, "imported": len(ids), "already_present": duplicates, "stored": True}
        )
        after = {**batch, "imported_at": at.isoformat(), "audits_imported": len(ids), "audits_duplicate": duplicates}
        audit.record(connection, actor, "mystery_audit_import", import_id, "import", after=after, at=at)
        return done

    return db.write(store)


def recent_imports(db: Database, actor: CurrentUser, limit: int = 20) -> pd.DataFrame:
    """The latest imports with their counts (analyst)."""
    require(actor, Permission.SERVICE_AUDITS_RECORD)
    return db.frame(
        "SELECT i.id, i.imported_at, i.file_name, c.name AS checklist, i.mode, i.rows_read, i.audits_imported,"
        " i.audits_duplicate, i.rows_repeated, i.rows_rejected, e.full_name AS imported_by"
        " FROM mystery_audit_imports i LEFT JOIN audit_checklists c ON c.id = i.checklist_id"
        " LEFT JOIN employees e ON e.id = i.imported_by ORDER BY i.id DESC LIMIT ?",
        [limit],
    )
