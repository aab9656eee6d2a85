"""Converting and checking source values with SQL: dates, flags, texts, and the reason
each rejected row gives."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import duckdb
import pandas as pd

from models.complaints.analysis import FIELDS_BY_KEY, PORTAL_FIELDS
from models.complaints.dates import (
    DATE_MACROS,
    DATE_ORDER_NAMES,
    PREFERENCE,
    DateGuess,
    DateOrder,
    choose_order,
    date_sql,
    detection_sql,
    order_dependent_sql,
    parts_sql,
)
from models.complaints.field_mapping import EARLIEST_DATE, MAX_TEXT_LENGTH, Mapping, check_mapping
from models.complaints.sources import (
    SourceFile,
    _extra_values_sql,
    _read_with_padding_fallback,
    _registered,
    _relation_params,
    _relation_sql,
)
from models.errors import InputError
from models.i18n import SOURCE_LANGUAGE, _, current_language, format_date, format_number, ngettext
from models.text import WHITE_SPACE_SQL_CLASS

Progress = Callable[[float, str], None]
DATE_FIELDS = ("received_date", "resolution_date")
MAX_DAYS = 36500


# -- converting and checking with SQL ----------------------------------------------------
_FLAG_TRUE = ("yes", "y", "true", "1", "timely")
_FLAG_FALSE = ("no", "n", "false", "0", "untimely", "late")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _cleaned(value_sql: str, *, ascii_only: bool = False) -> str:
    """The value without white space at either end (as ``models.text.clean_text``), NULL when empty.

    Trimming copies every string it sees; a plain ASCII value that neither begins nor ends
    with white space needs none, so only the others pay for it (the result is the same).
    The file's text already follows the portal's text rule: no CR, no control character.
    In a file known to be ASCII (``ascii_only``) every value is: its characters go uncounted."""
    v = value_sql
    plain = "" if ascii_only else f"strlen({v}) = length({v}) AND "
    return (
        f"CASE WHEN {plain}ascii({v}) > 32 AND NOT ends_with({v}, ' ')"
        f" AND NOT ends_with({v}, chr(10)) AND NOT ends_with({v}, chr(9)) THEN {v}"
        f" ELSE nullif(regexp_replace({v}, '^{WHITE_SPACE_SQL_CLASS}+|{WHITE_SPACE_SQL_CLASS}+$', '', 'g'), '') END"
    )


def dedup_key_sql(text_sql: str) -> str:
    """The key a re-import finds a row by: the md5 of ``text_sql`` as a UUID, 128 bits in a type
    DuckDB and PostgreSQL both hold natively and compare and hash fast.

    md5_number gives the 128 bits without a hex text to parse; BIT then BLOB carries them into
    the UUID unchanged, so a key stored as md5_number before is the same UUID (migration 0024)."""
    return f"CAST(CAST(CAST(md5_number({text_sql}) AS BIT) AS BLOB) AS UUID)"


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


_PARTS = {"received_text": "received_parts", "resolution_text": "resolution_parts"}


def _kept_text_condition(name: str) -> str:
    """When the staged row keeps the source text ``name``."""
    return f"NOT valid OR {_PARTS[name]} IS NOT NULL" if name in _PARTS else "NOT valid"


def _converted_sql(
    mapping: Mapping,
    source_sql: str,
    orders: dict[str, DateOrder],
    *,
    numbered: str | None,
    extra_values: str = "false",
    limit: int | None = None,
    ascii_only: bool = False,
) -> str:
    """SELECT of typed values, raw text of checked fields, a validity flag and the dedup key.

    Each source value is cleaned once; the typed values, the checks and the key are
    computed from the cleaned text in the same pass over the file."""
    cleaned_names = {**_SOURCE_TEXTS, "narrative": "narrative_text"}
    cleaned = ",\n        ".join(
        (_cleaned(_quote(mapping[f.key]), ascii_only=ascii_only) if f.key in mapping else "CAST(NULL AS VARCHAR)")
        + f" AS {cleaned_names.get(f.key, f.key)}"
        for f in PORTAL_FIELDS
    )
    limit_sql = f" LIMIT {int(limit)}" if limit is not None else ""
    texts = [f.key for f in PORTAL_FIELDS if f.kind == "text"]
    kept_texts = ", ".join(
        f"CASE WHEN {_kept_text_condition(name)} THEN {name} END AS {name}" for name in _SOURCE_TEXTS.values()
    )
    key_text = f"""CASE WHEN external_id IS NOT NULL THEN 'x:' || external_id
        ELSE 'h:' || concat_ws(chr(31), coalesce(CAST(received_date AS VARCHAR), ''),
          {", ".join(f"coalesce({key}, '')" for key in texts if key != "external_id")},
          coalesce(narrative, ''), coalesce(CAST(resolution_date AS VARCHAR), ''),
          coalesce(CAST(days_value AS VARCHAR), ''), coalesce(CAST(timely AS VARCHAR), ''))
        END"""
    return f"""
    WITH src AS (
      SELECT {numbered + " AS record_no, " if numbered else ""}
        {cleaned},
        {extra_values} AS extra_values
      FROM {source_sql}{limit_sql}
    ),
    parsed AS (
      SELECT *, {parts_sql("received_text")} AS received_parts, {parts_sql("resolution_text")} AS resolution_parts
      FROM src
    ),
    typed AS (
      SELECT * EXCLUDE (narrative_text),
        {date_sql("received_text", "received_parts", orders["received_date"])} AS received_date,
        {date_sql("resolution_text", "resolution_parts", orders["resolution_date"])} AS resolution_date,
        -- NaN, infinities and numbers beyond the range are left out before the cast can fail
        CASE WHEN try_cast(days_text AS DOUBLE) BETWEEN 0 AND {MAX_DAYS}
             THEN CAST(round(try_cast(days_text AS DOUBLE)) AS INTEGER) END AS days_value,
        {_flag_sql("timely_text")} AS timely,
        narrative_text AS narrative
      FROM parsed
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
    -- the source text is kept for the rejection report, and a date's text that is not an exact
    -- ISO date for the count of the orders it fits (decide_date_orders): the parts are not kept
    SELECT * EXCLUDE (received_parts, resolution_parts) REPLACE (
        {kept_texts}),
      {dedup_key_sql(key_text)} AS dedup_key,
      CAST(NULL AS VARCHAR) AS product_group,  -- the product's group, set when the rows are stored
      CAST(NULL AS INTEGER) AS days_since_previous  -- filled in when the rows are stored
    FROM checked
    """


def _literal(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


# Why a row is refused is written into the SQL once per import, in the words of the language of
# who imports (the report keeps them so): the check itself stays one pass of SQL, no Python per row.
def _not_a_date(text: str, order: DateOrder) -> str:
    """Why a value is not a date: it does not fit the column's order, or it is no date at all."""
    misread = _("not a date when read as {order}, the order of this column", order=_(DATE_ORDER_NAMES[order]))
    no_date = _("not a date (use 2019-03-29, 3/29/2019, 29.03.2019 or an Excel date number)")
    return f"CASE WHEN {order_dependent_sql(text)} THEN {_literal(misread)} ELSE {_literal(no_date)} END"


def _days_reason() -> str:
    out_of_range = _literal(_("use a number of days from 0 to {most}", most=format_number(MAX_DAYS)))
    no_number = _literal(_("not a number of days"))
    return f"CASE WHEN isfinite(try_cast(days_text AS DOUBLE)) THEN {out_of_range} ELSE {no_number} END"


def _earliest_date() -> str:
    """The earliest date accepted, as a refusal names it (ISO in English, as it always was)."""
    return EARLIEST_DATE.isoformat() if current_language() == SOURCE_LANGUAGE else format_date(EARLIEST_DATE)


def _reasons() -> dict[str, str]:
    """Each fixed reason a row is refused for, as an SQL literal in the current language."""
    words = {
        "row": _("Row"),
        "extra_values": _("it has more values than the header names columns"),
        "no_received_date": _("the received date is missing"),
        "out_of_range": _("the date must be between {earliest} and today", earliest=_earliest_date()),
        "no_category": _("the category is missing"),
        "resolved_before": _("the resolution date is before the received date"),
        "not_a_flag": _("use Yes or No"),
        "too_long": ngettext("longer than {n} character", "longer than {n} characters", MAX_TEXT_LENGTH),
    }
    return {key: _literal(text) for key, text in words.items()}


def _rejections_sql(mapping: Mapping, orders: dict[str, DateOrder], record: str = "record_no") -> str:
    """One row per problem of each invalid record: record number, column, reason, value."""

    def column(key: str) -> str:
        return _literal(mapping.get(key) or _(FIELDS_BY_KEY[key].label))

    why = _reasons()
    texts = [f.key for f in PORTAL_FIELDS if f.kind == "text"]
    problems = [
        f"CASE WHEN extra_values THEN {{'column': {why['row']}, 'reason': {why['extra_values']}, 'value': NULL}} END",
        f"CASE WHEN received_text IS NULL THEN {{'column': {column('received_date')}, "
        f"'reason': {why['no_received_date']}, 'value': NULL}} END",
        f"CASE WHEN received_text IS NOT NULL AND received_date IS NULL THEN {{'column': {column('received_date')}, "
        f"'reason': {_not_a_date('received_text', orders['received_date'])}, 'value': received_text}} END",
        f"CASE WHEN received_date IS NOT NULL AND NOT received_date BETWEEN DATE '{EARLIEST_DATE}' "
        f"AND current_date + 1 THEN {{'column': {column('received_date')}, "
        f"'reason': {why['out_of_range']}, 'value': received_text}} END",
        f"CASE WHEN category IS NULL THEN {{'column': {column('category')}, "
        f"'reason': {why['no_category']}, 'value': NULL}} END",
        f"CASE WHEN resolution_text IS NOT NULL AND resolution_date IS NULL THEN "
        f"{{'column': {column('resolution_date')}, "
        f"'reason': {_not_a_date('resolution_text', orders['resolution_date'])}, 'value': resolution_text}} END",
        f"CASE WHEN resolution_date < received_date THEN {{'column': {column('resolution_date')}, "
        f"'reason': {why['resolved_before']}, 'value': resolution_text}} END",
        f"CASE WHEN days_text IS NOT NULL AND days_value IS NULL THEN "
        f"{{'column': {column('resolution_days')}, 'reason': {_days_reason()}, 'value': left(days_text, 60)}} END",
        f"CASE WHEN timely_text IS NOT NULL AND timely IS NULL THEN {{'column': {column('timely')}, "
        f"'reason': {why['not_a_flag']}, 'value': timely_text}} END",
    ] + [
        f"CASE WHEN length({key}) > {MAX_TEXT_LENGTH} THEN {{'column': {column(key)}, "
        f"'reason': {why['too_long']}, 'value': left({key}, 60) || '…'}} END"
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
# the stored columns from a staged row: the month and the product's group (the product itself
# when it has none) are computed as the rows are written, not kept in the staged rows
_STORED_FROM_STAGED = _STORED.replace("received_month", "CAST(date_trunc('month', received_date) AS DATE)").replace(
    "product_group", "coalesce(product_group, product)"
)


def checked_mapping(source: SourceFile, mapping: Mapping) -> Mapping:
    """``check_mapping`` for this file, pointing at the sheet or header row that seems to
    hold the complaints when none of the chosen columns can be used."""
    return check_mapping(mapping, source.columns, hint=source.hint)


# -- the date order of each date column ------------------------------------------------------
def _guesses(columns: list[str], counts: list[tuple[int, ...]]) -> dict[str, DateGuess]:
    guesses = {}
    for column, (dependent, *fits, example) in zip(columns, counts, strict=True):
        guesses[column] = choose_order(column, dependent, dict(zip(DateOrder, fits, strict=True)), example)
    return guesses


def guess_date_orders(
    source: SourceFile, mapping: Mapping, date_fields: Sequence[str] = DATE_FIELDS
) -> dict[str, DateGuess]:
    """For each mapped date field (of complaints, unless other ``date_fields`` are named), how
    its column's values fit each date order and the order chosen, counted over the whole column
    in one scan of the file (kept on the source)."""
    columns = {key: mapping[key] for key in date_fields if mapping.get(key) in source.columns}
    missing = sorted({column for column in columns.values() if column not in source.date_guesses})
    if missing:
        counts = _read_with_padding_fallback(source, lambda: _count_date_fits(source, missing))
        source.date_guesses.update(_guesses(missing, counts))
    return {key: source.date_guesses[column] for key, column in columns.items()}


def _count_date_fits(source: SourceFile, columns: list[str]) -> list[tuple[int, ...]]:
    values = ", ".join(f"{_cleaned(_quote(column))} AS v{index}" for index, column in enumerate(columns))
    connection = duckdb.connect()
    try:
        connection.execute(DATE_MACROS)
        with _registered(connection, source):
            connection.execute(
                f"CREATE TEMP TABLE date_values AS SELECT {values} FROM {_relation_sql(source)}",
                _relation_params(source),
            )
        return [connection.execute(detection_sql(f"v{i}", "date_values")).fetchone() for i in range(len(columns))]
    finally:
        connection.close()


def _checked_choices(chosen: dict[str, DateOrder | str] | None) -> dict[str, DateOrder]:
    chosen = chosen or {}
    for key, order in chosen.items():
        if key not in DATE_FIELDS:
            raise InputError.single(
                _("Date order"),
                _("{key} is not a date field (use {fields})", key=repr(key), fields=_(" or ").join(DATE_FIELDS)),
            )
        if order not in set(DateOrder):
            raise InputError.single(
                _(FIELDS_BY_KEY[key].label),
                _("the date order must be one of {choices}", choices=", ".join(DateOrder)),
            )
    return {key: DateOrder(order) for key, order in chosen.items()}


def _refuse_tie(key: str, guess: DateGuess) -> None:
    if guess.ambiguous:
        raise InputError.single(
            _(FIELDS_BY_KEY[key].label),
            _("{guess} ({orders}); nothing was imported", guess=guess.describe(), orders="/".join(guess.tied)),
        )


def date_orders(
    source: SourceFile, mapping: Mapping, chosen: dict[str, DateOrder | str] | None = None, *, guess_ties: bool = False
) -> dict[str, DateOrder]:
    """The order of each date field: the one chosen, else the one its values fit best.

    A column whose values fit several orders equally is refused (naming them) unless
    ``guess_ties``, as the preview does while it shows the flag."""
    given = _checked_choices(chosen)
    guesses = guess_date_orders(source, {key: column for key, column in mapping.items() if key not in given})
    orders: dict[str, DateOrder] = {key: DateOrder.YMD for key in DATE_FIELDS}
    for key, guess in guesses.items():
        if not guess_ties:
            _refuse_tie(key, guess)
        orders[key] = guess.order
    return orders | given


def known_date_orders(
    source: SourceFile, mapping: Mapping, chosen: dict[str, DateOrder | str] | None = None
) -> tuple[dict[str, DateOrder], list[str]]:
    """The orders known without reading the file — chosen, or found by an earlier look such as
    the preview — and the mapped date fields still to decide (read first in the order most
    files use, then checked against the read values by ``decide_date_orders``)."""
    orders = {key: DateOrder.YMD for key in DATE_FIELDS} | _checked_choices(chosen)
    undecided = []
    for key in DATE_FIELDS:
        column = mapping.get(key)
        if key in (chosen or {}) or column not in source.columns:
            continue
        guess = source.date_guesses.get(column)
        if guess is None:
            undecided.append(key)
            orders[key] = PREFERENCE[0]
        else:
            _refuse_tie(key, guess)
            orders[key] = guess.order
    return orders, undecided


def decide_date_orders(
    connection: duckdb.DuckDBPyConnection, source: SourceFile, mapping: Mapping, undecided: list[str]
) -> dict[str, DateGuess]:
    """How each undecided date field's values fit each order, counted on the staged rows
    (the text of every date that is not an exact ISO date was kept), so the file is not read twice."""
    texts = {"received_date": "received_text", "resolution_date": "resolution_text"}
    columns = [mapping[key] for key in undecided]
    counts = [connection.execute(detection_sql(texts[key], "complaint_converted")).fetchone() for key in undecided]
    source.date_guesses.update(_guesses(columns, counts))
    for key, column in zip(undecided, columns, strict=True):
        _refuse_tie(key, source.date_guesses[column])
    return {key: source.date_guesses[column] for key, column in zip(undecided, columns, strict=True)}


# -- the preview -------------------------------------------------------------------------------
def preview(
    source: SourceFile, mapping: Mapping, limit: int = 20, orders: dict[str, DateOrder | str] | None = None
) -> pd.DataFrame:
    """The first rows as the portal would store them, with a column saying what is wrong.

    Dates are read in the orders given, else in the order each column's values fit best."""
    mapping = checked_mapping(source, mapping)
    resolved = date_orders(source, mapping, orders, guess_ties=True)
    return _read_with_padding_fallback(source, lambda: _preview(source, mapping, resolved, limit))


def _preview(source: SourceFile, mapping: Mapping, orders: dict[str, DateOrder], limit: int) -> pd.DataFrame:
    connection = duckdb.connect()
    try:
        connection.execute(DATE_MACROS)
        with _registered(connection, source):
            sql = _converted_sql(
                mapping,
                _relation_sql(source),
                orders,
                numbered="row_number() OVER ()",
                extra_values=_extra_values_sql(source),
                limit=limit,
                ascii_only=source.ascii_only,
            )
            connection.execute(f"CREATE TEMP TABLE complaint_converted AS {sql}", _relation_params(source))
        problems = connection.execute(
            "SELECT record_no, string_agg(column_name || ': ' || reason, '; ') AS problem"
            f" FROM ({_rejections_sql(mapping, orders)}) GROUP BY record_no"
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
