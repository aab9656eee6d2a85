"""The complaint import: column mapping with presets, the template, reading CSV and XLSX
exports, and the all-or-nothing import with its report.

Imports let DuckDB do the heavy lifting: the file is read by ``read_csv`` into a staging
table, every value is converted and checked with SQL, and the valid rows are inserted in
the caller's single write transaction, so a failure of any kind stores nothing."""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, Field

from models import audit
from models.auth import CurrentUser, Permission, require
from models.complaints import FIELDS_BY_KEY, PORTAL_FIELDS
from models.db import utc_now
from models.errors import InputError

if TYPE_CHECKING:
    from models.db import Database

Progress = Callable[[float, str], None]


# -- limits, column mapping and presets ------------------------------------------------
MAX_TEXT_LENGTH = 500  # any field but the narrative
EARLIEST_DATE = date(1990, 1, 1)
REJECTIONS_KEPT = 5000  # rows listed in a report; the count is always complete

Mapping = dict[str, str]  # portal field key -> source column name


class Preset(StrEnum):
    CFPB = "cfpb"
    PORTAL = "portal"


PRESET_LABELS = {
    Preset.CFPB: "CFPB Consumer Complaint Database",
    Preset.PORTAL: "Portal template",
}
PRESETS: dict[Preset, Mapping] = {
    Preset.CFPB: {
        "received_date": "Date received",
        "channel": "Submitted via",
        "product": "Product",
        "category": "Issue",
        "sub_category": "Sub-issue",
        "narrative": "Consumer complaint narrative",
        "unit": "Company",
        "region": "State",
        "response": "Company response to consumer",
        "timely": "Timely response?",
        "external_id": "Complaint ID",
    },
    Preset.PORTAL: {f.key: f.label for f in PORTAL_FIELDS},
}


def template_csv() -> bytes:
    """The portal's own import template: the header row and one example complaint."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f.label for f in PORTAL_FIELDS])
    writer.writerow(
        [
            "2026-03-02",
            "Phone",
            "Credit card",
            "Fees or interest",
            "Unexpected fee",
            "I was charged a late fee although I paid on time.",
            "Cards & Payments",
            "C-000123",
            "NSW",
            "2026-03-09",
            "",
            "Closed with explanation",
            "Yes",
            "HV-2026-000001",
        ]
    )
    return buffer.getvalue().encode("utf-8")


def _normalise_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


def suggest_mapping(columns: list[str], preset: Preset | None = None) -> Mapping:
    """A mapping for these columns: a preset's names where present, else names that match
    a portal field's key, label or a known preset name."""
    by_name = {_normalise_name(c): c for c in columns}
    presets = [PRESETS[preset]] if preset else list(PRESETS.values())
    mapping: Mapping = {}
    for portal_field in PORTAL_FIELDS:
        candidates = [p[portal_field.key] for p in presets if portal_field.key in p]
        if preset is None:
            candidates += [portal_field.key, portal_field.label]
        for candidate in candidates:
            column = by_name.get(_normalise_name(candidate))
            if column is not None and column not in mapping.values():
                mapping[portal_field.key] = column
                break
    return mapping


def check_mapping(mapping: Mapping, columns: list[str]) -> Mapping:
    """The mapping without empty choices; errors name the portal field and the column."""
    cleaned = {key: column for key, column in mapping.items() if column}
    problems: list[tuple[str, str]] = []
    unknown = [key for key in cleaned if key not in FIELDS_BY_KEY]
    for key in unknown:
        problems.append(("Mapping", f"{key!r} is not a portal field"))
    if not any(column in columns for column in cleaned.values()):
        problems.append(
            (
                "File",
                "none of its columns can be used: map at least the received date and the category "
                f"(the file has: {', '.join(columns[:12]) or 'no columns'})",
            )
        )
    else:
        for key, column in cleaned.items():
            if key in FIELDS_BY_KEY and column not in columns:
                problems.append((FIELDS_BY_KEY[key].label, f"column {column!r} is not in the file"))
    for portal_field in PORTAL_FIELDS:
        if portal_field.required and portal_field.key not in cleaned:
            problems.append((portal_field.label, "choose the column that holds it (required)"))
    used: dict[str, str] = {}
    for key, column in cleaned.items():
        if column in used and key in FIELDS_BY_KEY:
            other = FIELDS_BY_KEY[used[column]].label
            problems.append((FIELDS_BY_KEY[key].label, f"column {column!r} is already mapped to {other}"))
        used.setdefault(column, key)
    if problems:
        raise InputError(problems)
    return cleaned


# -- reading a source file -------------------------------------------------------------
ENCODINGS = {"utf-8": "UTF-8", "cp1252": "Windows-1252 (Western European)", "latin-1": "Latin-1 (ISO 8859-1)"}
_CHUNK = 8 * 1024 * 1024


@dataclass
class SourceFile:
    """A complaint export ready for DuckDB: a UTF-8 CSV (or XLSX rows as Arrow) and its columns."""

    file_name: str
    kind: str  # csv or xlsx
    columns: list[str]
    sha256: str
    csv_path: Path | None = None
    delimiter: str = ","
    ragged: bool = False  # rows of unequal length: read serially with padding
    table: pa.Table | None = None
    workdir: Path | None = field(default=None, repr=False)

    def close(self) -> None:
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_utf8(path: Path) -> str:
    """Stream the file through a strict UTF-8 decoder, naming the line of the first bad
    byte; return the file's SHA-256, computed in the same pass."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    digest = hashlib.sha256()
    offset = 0
    lines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            # plain ASCII is valid UTF-8: skip decoding it unless a character began in the last chunk
            if chunk.isascii() and not decoder.getstate()[0]:
                offset += len(chunk)
                lines += chunk.count(b"\n")
                continue
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line = lines + chunk.count(b"\n", 0, error.start) + 1
                raise InputError.single(
                    "File",
                    f"it is not UTF-8 text (byte 0x{chunk[error.start]:02x} on line {line}, "
                    f"position {offset + error.start + 1}). Choose the file's encoding "
                    "(for example Windows-1252) or save it as UTF-8 CSV.",
                ) from None
            offset += len(chunk)
            lines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise InputError.single("File", "it ends in the middle of a UTF-8 character (is it cut short?)") from None
    return digest.hexdigest()


def _transcode(path: Path, encoding: str, target: Path) -> None:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        try:
            while chunk := source.read(_CHUNK):
                out.write(decoder.decode(chunk))
            out.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as error:
            label = ENCODINGS.get(encoding, encoding)
            raise InputError.single("File", f"it cannot be read as {label}: {error.reason}") from None


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: 0 for d in (",", ";", "\t", "|")}
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_options(source: SourceFile) -> str:
    base = f"all_varchar=true, header=true, delim='{source.delimiter}', quote='\"', escape='\"'"
    if source.ragged:
        names = ", ".join("'" + c.replace("'", "''") + "'" for c in source.columns)
        return base + f", strict_mode=false, null_padding=true, parallel=false, names=[{names}]"
    return base + ", strict_mode=true"


def _relation_sql(source: SourceFile) -> str:
    """SQL for the source's rows as all-text columns named like the file's header."""
    if source.kind == "xlsx":
        return "complaint_source_arrow"
    return f"read_csv(?, {_csv_options(source)})"


def _relation_params(source: SourceFile) -> list[Any]:
    return [] if source.kind == "xlsx" else [str(source.csv_path)]


@contextmanager
def _registered(connection: duckdb.DuckDBPyConnection, source: SourceFile) -> Iterator[None]:
    if source.kind == "xlsx":
        connection.register("complaint_source_arrow", source.table)
    try:
        yield
    finally:
        if source.kind == "xlsx":
            connection.unregister("complaint_source_arrow")


def _csv_columns(path: Path, delimiter: str) -> tuple[list[str], bool]:
    """The header as DuckDB names it, and whether the sniffed sample already shows rows of
    unequal length (a file whose short rows come later is found out when it is read)."""
    connection = duckdb.connect()
    try:
        probe = SourceFile("", "csv", [], "", csv_path=path, delimiter=delimiter)
        try:
            described = connection.execute(f"DESCRIBE SELECT * FROM {_relation_sql(probe)}", [str(path)]).fetchall()
            return [row[0] for row in described], False
        except duckdb.Error:
            pass
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle, delimiter=delimiter), [])
        names, seen = [], set()
        for index, name in enumerate(header):
            name = name.strip() or f"column{index:02d}"
            while name in seen:
                name += "_"
            seen.add(name)
            names.append(name)
        return names, True
    finally:
        connection.close()


def open_source(
    path: Path,
    file_name: str | None = None,
    *,
    encoding: str = "utf-8",
    max_bytes: int | None = None,
) -> SourceFile:
    """Check a CSV or XLSX export and prepare it for mapping; errors name the problem."""
    path = Path(path)
    file_name = file_name or path.name
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise InputError.single(
            "File",
            f"it is {size / 1048576:.1f} MiB; the largest upload accepted is {max_bytes / 1048576:.0f} MiB",
        )
    if size == 0:
        raise InputError.single("File", "it is empty")
    with path.open("rb") as handle:
        head = handle.read(65536)
    is_zip = head.startswith(b"PK\x03\x04")
    if file_name.lower().endswith((".xlsx", ".xlsm")) or is_zip:
        if not is_zip:
            raise InputError.single("File", "it is named .xlsx but is not an Excel workbook")
        return _open_xlsx(path, file_name)
    if encoding not in ENCODINGS:
        raise InputError.single("Encoding", f"choose one of {', '.join(ENCODINGS)}")
    workdir = Path(tempfile.mkdtemp(prefix="complaints-"))
    try:
        csv_path = path
        sha256 = None
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            csv_path = workdir / "source.csv"
            _transcode(path, "utf-16", csv_path)
        elif encoding != "utf-8":
            csv_path = workdir / "source.csv"
            _transcode(path, encoding, csv_path)
        else:
            if b"\x00" in head:
                raise InputError.single("File", "it holds binary data; upload a CSV (text) or XLSX file")
            sha256 = _check_utf8(path)
        with csv_path.open(encoding="utf-8-sig", newline="") as handle:
            first_line = handle.readline()
            has_data = bool(first_line.strip()) and any(line.strip() for line in [handle.readline(), handle.read(4096)])
        if not first_line.strip():
            raise InputError.single("File", "its first line is empty; the first line must name the columns")
        if not has_data:
            raise InputError.single("File", "it has a header row but no complaints")
        delimiter = _sniff_delimiter(first_line)
        columns, ragged = _csv_columns(csv_path, delimiter)
        return SourceFile(
            file_name=file_name,
            kind="csv",
            columns=columns,
            sha256=sha256 or _sha256(path),
            csv_path=csv_path,
            delimiter=delimiter,
            ragged=ragged,
            workdir=workdir,
        )
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = str(value)
    return text if text.strip() else None


def _open_xlsx(path: Path, file_name: str) -> SourceFile:
    """The first worksheet's rows as an all-text Arrow table (openpyxl, read-only)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise InputError.single("File", f"it could not be opened as an Excel workbook ({error})") from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header: list[str] = []
        for row in rows:
            if any(cell is not None and str(cell).strip() for cell in row):
                header = [str(cell).strip() if cell is not None else "" for cell in row]
                break
        while header and not header[-1]:
            header.pop()
        if not header:
            raise InputError.single("File", "its first worksheet is empty")
        names, seen = [], set()
        for index, name in enumerate(header):
            name = name or f"column{index:02d}"
            while name in seen:
                name += "_"
            seen.add(name)
            names.append(name)
        columns: list[list[str | None]] = [[] for _ in names]
        for row in rows:
            values = [_cell_text(cell) for cell in row[: len(names)]]
            if not any(values):
                continue
            values += [None] * (len(names) - len(values))
            for index, value in enumerate(values):
                columns[index].append(value)
    finally:
        workbook.close()
    if not columns[0] and not any(columns):
        raise InputError.single("File", "it has a header row but no complaints")
    if not any(len(c) for c in columns):
        raise InputError.single("File", "it has a header row but no complaints")
    table = pa.table({name: pa.array(values, type=pa.string()) for name, values in zip(names, columns, strict=True)})
    return SourceFile(file_name=file_name, kind="xlsx", columns=names, sha256=_sha256(path), table=table)


def open_upload(data: bytes, file_name: str, *, encoding: str = "utf-8", max_bytes: int | None = None) -> SourceFile:
    """An uploaded file, kept in a temporary folder until ``close()``."""
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError.single(
            "File",
            f"it is {len(data) / 1048576:.1f} MiB; the largest upload accepted is {max_bytes / 1048576:.0f} MiB",
        )
    workdir = Path(tempfile.mkdtemp(prefix="complaints-upload-"))
    suffix = Path(file_name).suffix.lower() if Path(file_name).suffix.lower() in (".csv", ".xlsx", ".txt") else ""
    path = workdir / f"upload{suffix}"
    path.write_bytes(data)
    try:
        source = open_source(path, file_name, encoding=encoding, max_bytes=max_bytes)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    if source.workdir is None:
        source.workdir = workdir
    else:
        inner = source.workdir

        def cleanup(inner=inner, outer=workdir):
            shutil.rmtree(inner, ignore_errors=True)
            shutil.rmtree(outer, ignore_errors=True)

        source.close = cleanup  # type: ignore[method-assign]
    return source


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
    """The value without surrounding spaces, NULL when empty.

    ``trim`` copies every string it sees; a plain ASCII value with no space at either end
    needs no trimming, so only the others pay for it (the result is the same)."""
    return (
        f"CASE WHEN strlen({value_sql}) = length({value_sql}) AND NOT starts_with({value_sql}, ' ')"
        f" AND NOT ends_with({value_sql}, ' ') THEN nullif({value_sql}, '') ELSE nullif(trim({value_sql}), '') END"
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


def _converted_sql(mapping: Mapping, source_sql: str, *, numbered: str | None, limit: int | None = None) -> str:
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
        {cleaned}
      FROM {source_sql}{limit_sql}
    ),
    typed AS (
      SELECT * EXCLUDE (narrative_text),
        complaint_date(received_text) AS received_date,
        complaint_date(resolution_text) AS resolution_date,
        CAST(round(try_cast(days_text AS DOUBLE)) AS INTEGER) AS days_value,
        {_flag_sql("timely_text")} AS timely,
        CASE WHEN contains(narrative_text, chr(13))
             THEN replace(narrative_text, chr(13) || chr(10), chr(10)) ELSE narrative_text END AS narrative
      FROM src
    ),
    checked AS (
      SELECT *,
        coalesce(days_value, CAST(resolution_date - received_date AS INTEGER)) AS resolution_days,
        received_date IS NOT NULL AND received_date BETWEEN DATE '{EARLIEST_DATE}' AND current_date + 1
        AND category IS NOT NULL
        AND (resolution_text IS NULL OR (resolution_date IS NOT NULL AND resolution_date >= received_date))
        AND (days_text IS NULL OR (days_value IS NOT NULL AND days_value BETWEEN 0 AND 36500))
        AND (timely_text IS NULL OR timely IS NOT NULL)
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


def _rejections_sql(mapping: Mapping, record: str = "record_no") -> str:
    """One row per problem of each invalid record: record number, column, reason, value."""

    def column(key: str) -> str:
        return "'" + mapping.get(key, FIELDS_BY_KEY[key].label).replace("'", "''") + "'"

    texts = [f.key for f in PORTAL_FIELDS if f.kind == "text"]
    problems = [
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
        f"CASE WHEN days_text IS NOT NULL AND (days_value IS NULL OR days_value NOT BETWEEN 0 AND 36500) THEN "
        f"{{'column': {column('resolution_days')}, 'reason': 'not a number of days (0 or more)', "
        "'value': days_text} END",
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


def preview(source: SourceFile, mapping: Mapping, limit: int = 20) -> pd.DataFrame:
    """The first rows as the portal would store them, with a column saying what is wrong."""
    mapping = check_mapping(mapping, source.columns)
    return _read_with_padding_fallback(source, lambda: _preview(source, mapping, limit))


def _preview(source: SourceFile, mapping: Mapping, limit: int) -> pd.DataFrame:
    connection = duckdb.connect()
    try:
        connection.execute(_DATE_MACRO)
        with _registered(connection, source):
            sql = _converted_sql(mapping, _relation_sql(source), numbered="row_number() OVER ()", limit=limit)
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


# -- importing --------------------------------------------------------------------------
class ImportMode(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    VALID_ROWS = "valid_rows"


IMPORT_MODE_LABELS = {
    ImportMode.ALL_OR_NOTHING: "All or nothing — any invalid row stops the import",
    ImportMode.VALID_ROWS: "Import the valid rows — invalid rows are listed and skipped",
}


class Rejection(BaseModel):
    record: int = Field(description="Data row number in the file (1 = the first row after the header)")
    column: str
    reason: str
    value: str | None = None


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

    @property
    def summary(self) -> str:
        return (
            f"{self.records_read:,} rows read: {self.imported:,} imported, {self.already_present:,} already present, "
            f"{self.repeated_in_file:,} repeated in the file, {self.rejected_records:,} rejected."
        )


class ImportRejectedError(InputError):
    """All-or-nothing import refused because rows were invalid; nothing was stored."""

    def __init__(self, report: ImportReport):
        self.report = report
        first = report.rejections[0] if report.rejections else None
        detail = f" First: row {first.record}, {first.column}: {first.reason}." if first else ""
        counts = f"{report.rejected_records:,} of {report.records_read:,} rows are invalid"
        super().__init__([("File", f"{counts}; nothing was imported.{detail}")])


def import_complaints(
    db: Database,
    actor: CurrentUser,
    source: SourceFile,
    mapping: Mapping,
    mode: ImportMode | str = ImportMode.ALL_OR_NOTHING,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a file in one transaction; rows already present (by external id or content) are skipped.

    In all-or-nothing mode any invalid row raises ``ImportRejectedError`` (with the report)
    and nothing is stored; in valid-rows mode the valid rows are stored and the rest listed."""
    require(actor, Permission.COMPLAINTS_IMPORT)
    mode = ImportMode(mode)
    mapping = check_mapping(mapping, source.columns)
    report_progress = progress or (lambda share, text: None)

    def stage(connection: duckdb.DuckDBPyConnection) -> None:
        """Read and convert the file into a temporary table of the writer's connection.

        Outside the transaction: temporary rows touch nothing stored, and rows staged before
        the transaction starts are copied into the complaints table much faster."""
        report_progress(0.05, "Reading the file…")
        connection.execute(_DATE_MACRO)
        with _registered(connection, source):
            # insertion order is preserved, so rowids follow the file's records
            connection.execute(
                "CREATE OR REPLACE TEMP TABLE complaint_converted AS "
                + _converted_sql(mapping, _relation_sql(source), numbered=None),
                _relation_params(source),
            )

    def store(connection: duckdb.DuckDBPyConnection) -> ImportReport:
        report_progress(0.45, "Checking every row…")
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
            for r in connection.execute(f"{_rejections_sql(mapping, record)} LIMIT {REJECTIONS_KEPT}").fetchall()
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
        )
        if rejected_records and mode == ImportMode.ALL_OR_NOTHING:
            raise ImportRejectedError(report)
        report_progress(0.6, "Looking for complaints already in the portal…")
        repeated_in_file = connection.execute(
            "CREATE OR REPLACE TEMP TABLE complaint_repeats AS SELECT dedup_key, min(rowid) AS first_row,"
            " count(*) - 1 AS extra FROM complaint_converted WHERE valid GROUP BY dedup_key HAVING count(*) > 1;"
            " SELECT coalesce(sum(extra), 0) FROM complaint_repeats"
        ).fetchone()[0]
        import_id = connection.execute(
            "INSERT INTO complaint_imports (file_name, file_sha256, source_format, mapping_json, mode, records_read,"
            " rows_imported, rows_already_present, rows_repeated_in_file, rows_rejected, imported_by, imported_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?) RETURNING id",
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
        ).fetchone()[0]
        report_progress(0.7, "Storing the complaints…")
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
            report_progress(0.85, "Finding repeat complaints…")
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
                "records_read": records_read,
                "imported": imported,
                "already_present": already_present,
                "repeated_in_file": int(repeated_in_file),
                "rejected": rejected_records,
            },
        )
        report_progress(1.0, "Import finished.")
        return report

    def attempt() -> ImportReport:
        with db.exclusive() as connection:
            try:
                stage(connection)
                return db.write(store)
            finally:
                for table in ("complaint_converted", "complaint_repeats"):
                    with contextlib.suppress(duckdb.Error):
                        connection.execute(f"DROP TABLE IF EXISTS {table}")

    return _read_with_padding_fallback(source, attempt)


def _read_with_padding_fallback(source: SourceFile, work: Callable[[], Any]) -> Any:
    """Run ``work``; if the strict CSV reader finds rows of unequal length, read the file
    again serially with short rows padded (the first attempt stored nothing)."""
    try:
        return work()
    except duckdb.InvalidInputException as error:
        if source.kind != "csv" or source.ragged:
            raise _unreadable(error) from None
        source.ragged = True
    try:
        return work()
    except duckdb.InvalidInputException as error:
        raise _unreadable(error) from None


def _unreadable(error: duckdb.Error) -> InputError:
    detail = str(error).strip().splitlines()
    reason = next((line for line in detail if "Line" in line or "line" in line), detail[0] if detail else "")
    return InputError.single("File", f"it could not be read as CSV: {reason.strip()[:200]}")


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
        SELECT {_STORED}, days_since_previous, ? FROM complaint_converted c {where}
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
