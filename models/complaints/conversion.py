"""Converting and checking source values with SQL: dates, flags, texts, and the reason
each rejected row gives."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from models.complaints.analysis import FIELDS_BY_KEY, PORTAL_FIELDS
from models.complaints.field_mapping import EARLIEST_DATE, MAX_TEXT_LENGTH, Mapping, check_mapping
from models.complaints.sources import (
    SourceFile,
    _extra_values_sql,
    _read_with_padding_fallback,
    _registered,
    _relation_params,
    _relation_sql,
)
from models.text import WHITE_SPACE_SQL_CLASS

if TYPE_CHECKING:
    pass

Progress = Callable[[float, str], None]
MAX_DAYS = 36500


# -- converting and checking with SQL ----------------------------------------------------
_DATE_MACRO = r"""
CREATE OR REPLACE TEMP MACRO complaint_date(v) AS coalesce(
    try_cast(v AS DATE),
    CAST(try_strptime(v, '%Y/%m/%d') AS DATE),
    CAST(try_strptime(v, '%m/%d/%y') AS DATE),
    CAST(try_strptime(v, '%m/%d/%Y') AS DATE),
    CASE WHEN regexp_full_match(v, '[0-9]{4,5}(\.[0-9]+)?')
         THEN DATE '1899-12-30' + CAST(floor(CAST(v AS DOUBLE)) AS INTEGER) END
)
"""
_FLAG_TRUE = ("yes", "y", "true", "1", "timely")
_FLAG_FALSE = ("no", "n", "false", "0", "untimely", "late")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _cleaned(value_sql: str) -> str:
    """The value without white space at either end (as ``models.text.clean_text``), NULL when empty.

    Trimming copies every string it sees; a plain ASCII value that neither begins nor ends
    with white space needs none, so only the others pay for it (the result is the same).
    The file's text already follows the portal's text rule: no CR, no control character."""
    v = value_sql
    return (
        f"CASE WHEN strlen({v}) = length({v}) AND ascii({v}) > 32 AND NOT ends_with({v}, ' ')"
        f" AND NOT ends_with({v}, chr(10)) AND NOT ends_with({v}, chr(9)) THEN {v}"
        f" ELSE nullif(regexp_replace({v}, '^{WHITE_SPACE_SQL_CLASS}+|{WHITE_SPACE_SQL_CLASS}+$', '', 'g'), '') END"
    )


def _flag_sql(text_sql: str) -> str:
    # a CASE, not IN (...): DuckDB plans an IN list of constants as a join, slower per row
    whens = [f"WHEN '{v}' THEN true" for v in _FLAG_TRUE] + [f"WHEN '{v}' THEN false" for v in _FLAG_FALSE]
    return f"CASE lower({text_sql}) {' '.join(whens)} END"


_SOURCE_TEXTS = {  # field -> its cleaned text, kept beside the typed value
    "received_date": "received_text",
    "resolution_date": "resolution_text",
    "resolution_days": "days_text",
    "timely": "timely_text",
}


def _converted_sql(
    mapping: Mapping, source_sql: str, *, numbered: str | None, extra_values: str = "false", limit: int | None = None
) -> str:
    """SELECT of typed values, raw text of checked fields, a validity flag and the dedup key.

    Each source value is cleaned once; the typed values, the checks and the key are
    computed from the cleaned text in the same pass over the file."""
    cleaned_names = {**_SOURCE_TEXTS, "narrative": "narrative_text"}
    cleaned = ",\n        ".join(
        (_cleaned(_quote(mapping[f.key])) if f.key in mapping else "CAST(NULL AS VARCHAR)")
        + f" AS {cleaned_names.get(f.key, f.key)}"
        for f in PORTAL_FIELDS
    )
    limit_sql = f" LIMIT {int(limit)}" if limit is not None else ""
    texts = [f.key for f in PORTAL_FIELDS if f.kind == "text"]
    return f"""
    WITH src AS (
      SELECT {numbered + " AS record_no, " if numbered else ""}
        {cleaned},
        {extra_values} AS extra_values
      FROM {source_sql}{limit_sql}
    ),
    typed AS (
      SELECT * EXCLUDE (narrative_text),
        complaint_date(received_text) AS received_date,
        complaint_date(resolution_text) AS resolution_date,
        -- NaN, infinities and numbers beyond the range are left out before the cast can fail
        CASE WHEN try_cast(days_text AS DOUBLE) BETWEEN 0 AND {MAX_DAYS}
             THEN CAST(round(try_cast(days_text AS DOUBLE)) AS INTEGER) END AS days_value,
        {_flag_sql("timely_text")} AS timely,
        narrative_text AS narrative
      FROM src
    ),
    checked AS (
      SELECT *,
        coalesce(days_value, CAST(resolution_date - received_date AS INTEGER)) AS resolution_days,
        received_date IS NOT NULL AND received_date BETWEEN DATE '{EARLIEST_DATE}' AND current_date + 1
        AND category IS NOT NULL
        AND (resolution_text IS NULL OR (resolution_date IS NOT NULL AND resolution_date >= received_date))
        AND (days_text IS NULL OR days_value IS NOT NULL)
        AND (timely_text IS NULL OR timely IS NOT NULL)
        AND NOT extra_values
        -- bytes are never fewer than characters: count characters only when the bytes are too many
        AND CASE WHEN greatest({", ".join(f"coalesce(strlen({key}), 0)" for key in texts)}) <= {MAX_TEXT_LENGTH}
                 THEN true
                 ELSE greatest({", ".join(f"coalesce(length({key}), 0)" for key in texts)}) <= {MAX_TEXT_LENGTH} END
        AS valid
      FROM typed
    )
    SELECT * REPLACE (  -- the source text is kept for the rejection report only
        {", ".join(f"CASE WHEN valid THEN NULL ELSE {name} END AS {name}" for name in _SOURCE_TEXTS.values())}),
      date_trunc('month', received_date)::DATE AS received_month,
      md5_number(CASE WHEN external_id IS NOT NULL THEN 'x:' || external_id
        ELSE 'h:' || concat_ws(chr(31), coalesce(CAST(received_date AS VARCHAR), ''),
          {", ".join(f"coalesce({key}, '')" for key in texts if key != "external_id")},
          coalesce(narrative, ''), coalesce(CAST(resolution_date AS VARCHAR), ''),
          coalesce(CAST(days_value AS VARCHAR), ''), coalesce(CAST(timely AS VARCHAR), ''))
        END) AS dedup_key,
      product AS product_group,  -- the product's group replaces it when the rows are stored
      CAST(NULL AS INTEGER) AS days_since_previous  -- filled in when the rows are stored
    FROM checked
    """


def _days_reason() -> str:
    return (
        "CASE WHEN isfinite(try_cast(days_text AS DOUBLE)) THEN "
        f"'use a number of days from 0 to {MAX_DAYS:,}' ELSE 'not a number of days' END"
    )


def _rejections_sql(mapping: Mapping, record: str = "record_no") -> str:
    """One row per problem of each invalid record: record number, column, reason, value."""

    def column(key: str) -> str:
        return "'" + mapping.get(key, FIELDS_BY_KEY[key].label).replace("'", "''") + "'"

    texts = [f.key for f in PORTAL_FIELDS if f.kind == "text"]
    problems = [
        "CASE WHEN extra_values THEN {'column': 'Row', "
        "'reason': 'it has more values than the header names columns', 'value': NULL} END",
        f"CASE WHEN received_text IS NULL THEN {{'column': {column('received_date')}, "
        f"'reason': 'the received date is missing', 'value': NULL}} END",
        f"CASE WHEN received_text IS NOT NULL AND received_date IS NULL THEN {{'column': {column('received_date')}, "
        "'reason': 'not a date (use 2019-03-29, 2019/3/29, 3/29/19, 3/29/2019 or an Excel date number)', "
        "'value': received_text} END",
        f"CASE WHEN received_date IS NOT NULL AND NOT received_date BETWEEN DATE '{EARLIEST_DATE}' "
        f"AND current_date + 1 THEN {{'column': {column('received_date')}, "
        f"'reason': 'the date must be between {EARLIEST_DATE} and today', 'value': received_text}} END",
        f"CASE WHEN category IS NULL THEN {{'column': {column('category')}, "
        "'reason': 'the category is missing', 'value': NULL} END",
        f"CASE WHEN resolution_text IS NOT NULL AND resolution_date IS NULL THEN "
        f"{{'column': {column('resolution_date')}, 'reason': 'not a date', 'value': resolution_text}} END",
        f"CASE WHEN resolution_date < received_date THEN {{'column': {column('resolution_date')}, "
        "'reason': 'the resolution date is before the received date', 'value': resolution_text} END",
        f"CASE WHEN days_text IS NOT NULL AND days_value IS NULL THEN "
        f"{{'column': {column('resolution_days')}, 'reason': {_days_reason()}, 'value': left(days_text, 60)}} END",
        f"CASE WHEN timely_text IS NOT NULL AND timely IS NULL THEN {{'column': {column('timely')}, "
        "'reason': 'use Yes or No', 'value': timely_text} END",
    ] + [
        f"CASE WHEN length({key}) > {MAX_TEXT_LENGTH} THEN {{'column': {column(key)}, "
        f"'reason': 'longer than {MAX_TEXT_LENGTH} characters', 'value': left({key}, 60) || '…'}} END"
        for key in texts
    ]
    return (
        "SELECT record_no, problem.column AS column_name, problem.reason, problem.value FROM ("
        f" SELECT {record} AS record_no, unnest(list_filter([{', '.join(problems)}], p -> p IS NOT NULL)) AS problem"
        " FROM complaint_converted WHERE NOT valid) ORDER BY record_no, column_name"
    )


_STORED = (
    "dedup_key, external_id, received_date, received_month, channel, product, product_group, category,"
    " sub_category, narrative, unit, customer_id, region, resolution_date, resolution_days, response, timely"
)


def checked_mapping(source: SourceFile, mapping: Mapping) -> Mapping:
    """``check_mapping`` for this file, pointing at the sheet or header row that seems to
    hold the complaints when none of the chosen columns can be used."""
    return check_mapping(mapping, source.columns, hint=source.hint)


def preview(source: SourceFile, mapping: Mapping, limit: int = 20) -> pd.DataFrame:
    """The first rows as the portal would store them, with a column saying what is wrong."""
    mapping = checked_mapping(source, mapping)
    return _read_with_padding_fallback(source, lambda: _preview(source, mapping, limit))


def _preview(source: SourceFile, mapping: Mapping, limit: int) -> pd.DataFrame:
    connection = duckdb.connect()
    try:
        connection.execute(_DATE_MACRO)
        with _registered(connection, source):
            sql = _converted_sql(
                mapping,
                _relation_sql(source),
                numbered="row_number() OVER ()",
                extra_values=_extra_values_sql(source),
                limit=limit,
            )
            connection.execute(f"CREATE TEMP TABLE complaint_converted AS {sql}", _relation_params(source))
        problems = connection.execute(
            "SELECT record_no, string_agg(column_name || ': ' || reason, '; ') AS problem"
            f" FROM ({_rejections_sql(mapping)}) GROUP BY record_no"
        ).fetchall()
        frame = connection.execute(
            "SELECT record_no AS record, received_date, channel, product, category, sub_category, narrative, unit,"
            " customer_id, region, resolution_date, resolution_days, response, timely, external_id"
            " FROM complaint_converted ORDER BY record_no"
        ).df()
    finally:
        connection.close()
    by_record = dict(problems)
    frame.insert(1, "problem", [by_record.get(record, "") for record in frame["record"]])
    return frame
