"""Reading a complaint source file (CSV in any common encoding, or XLSX) into something
DuckDB can scan, with clear messages for files that cannot be read."""

from __future__ import annotations

import codecs
import csv
import hashlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from models.errors import InputError

if TYPE_CHECKING:
    pass

Progress = Callable[[float, str], None]


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
        return _column_names([heading.strip() for heading in header]), True
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


def _xlsx_header(rows: Iterator[tuple[Any, ...]]) -> list[str]:
    """The first non-empty row of the sheet, without trailing empty cells."""
    header: list[str] = []
    for row in rows:
        if any(cell is not None and str(cell).strip() for cell in row):
            header = [str(cell).strip() if cell is not None else "" for cell in row]
            break
    while header and not header[-1]:
        header.pop()
    if not header:
        raise InputError.single("File", "its first worksheet is empty")
    return header


def _column_names(header: list[str]) -> list[str]:
    """Headings made unique and non-empty ("column03" for a blank one)."""
    names: list[str] = []
    seen: set[str] = set()
    for index, heading in enumerate(header):
        name = heading or f"column{index:02d}"
        while name in seen:
            name += "_"
        seen.add(name)
        names.append(name)
    return names


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
        names = _column_names(_xlsx_header(rows))
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

        def cleanup(inner: Path = inner, outer: Path = workdir) -> None:
            shutil.rmtree(inner, ignore_errors=True)
            shutil.rmtree(outer, ignore_errors=True)

        source.close = cleanup  # type: ignore[method-assign]
    return source


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
