"""Opening a complaint source file — a CSV in any common encoding or an XLSX workbook,
recognised by its content whatever its name — into something DuckDB can scan, with
messages in plain words for files that cannot be read."""

from __future__ import annotations

import codecs
import hashlib
import re
import shutil
import tempfile
import weakref
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from models.complaints import text_files, workbooks
from models.complaints.field_mapping import COMPLAINT_ROWS, ExpectedRows
from models.complaints.text_files import ENCODINGS, MAX_ROW_BYTES
from models.errors import InputError
from models.i18n import _, format_number
from models.text import needs_normalising

__all__ = ["ENCODINGS", "MAX_ROW_BYTES", "SourceFile", "open_source", "open_upload"]

Progress = Callable[[float, str], None]
_CHUNK = 8 * 1024 * 1024
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 workbooks and encrypted XLSX files
# named only in a ragged file's read, for values beyond the header's columns; a control
# character never survives in a column name, so no file's column can be called this
EXTRA_COLUMN = "\x1fextra values"


@dataclass
class SourceFile:
    """A complaint export ready for DuckDB: a UTF-8 CSV (or a sheet's rows as Arrow) and its columns."""

    file_name: str
    kind: str  # csv or xlsx
    columns: list[str]
    sha256: str
    csv_path: Path | None = None
    delimiter: str = ","
    ragged: bool = False  # rows of unequal length: read serially with padding
    serial: bool = False  # DuckDB's parallel reader could not split it (long multi-line values): read serially
    ascii_only: bool = False  # a CSV of ASCII bytes only: its values are trimmed without counting characters
    table: pa.Table | None = None
    workdir: Path | None = field(default=None, repr=False)  # removed with the file, see keep_until_closed
    header_row: int = 1  # line of a CSV, row of a sheet
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said in the mapping step
    hint: str | None = None  # where the complaints seem to be when no column can be used
    date_guesses: dict[str, Any] = field(default_factory=dict, repr=False)  # column -> detected date order
    # the file check still running beside the reading (``open_source(check_later=True)``)
    pending_check: Future[text_files.CheckedText] | None = field(default=None, repr=False, compare=False)

    _removals: list[weakref.finalize] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.workdir is not None:
            self.keep_until_closed(self.workdir)

    def keep_until_closed(self, folder: Path) -> None:
        """Remove ``folder`` on ``close()`` or, if nobody closes the file (a browser session
        that ended mid-import), when the file itself is forgotten."""
        self._removals.append(weakref.finalize(self, shutil.rmtree, folder, True))

    def finish_check(self) -> bool:
        """Wait for the file check still running, if any, and raise its refusal (every time
        it is asked). True when the file turned out to need the portal's text rule: it is
        read from a normalised copy from now on, so what was read before must be read again."""
        if self.pending_check is None:
            return False
        checked = self.pending_check.result()
        self.pending_check = None
        self.sha256, self.ascii_only = checked.sha256, checked.ascii_only
        if not checked.needs_normalising or self.csv_path is None or self.workdir is None:
            return False
        copy = self.workdir / "source.csv"
        text_files.normalise_copy(self.csv_path, copy)
        self.csv_path = copy
        return True

    def close(self) -> None:
        if self.pending_check is not None:
            self.pending_check.exception()  # wait: nothing goes on reading the file after close
            self.pending_check = None
        for removal in self._removals:
            removal()
        self._removals.clear()
        self.workdir = None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _quote_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _csv_options(source: SourceFile) -> str:
    names = [*source.columns, EXTRA_COLUMN] if source.ragged else source.columns
    columns = ", ".join(f"{_quote_text(name)}: 'VARCHAR'" for name in names)
    base = (
        f"auto_detect=false, header=true, skip={source.header_row - 1}, delim={_quote_text(source.delimiter)},"
        f" quote='\"', escape='\"', new_line='\\n', max_line_size={MAX_ROW_BYTES}, columns={{{columns}}}"
    )
    if source.ragged:
        return base + ", strict_mode=false, null_padding=true, parallel=false"
    return base + ", strict_mode=true" + (", parallel=false" if source.serial else "")


def _relation_sql(source: SourceFile) -> str:
    """SQL for the source's rows as all-text columns named like the file's header."""
    if source.kind == "xlsx":
        return "complaint_source_arrow"
    return f"read_csv(?, {_csv_options(source)})"


def _relation_params(source: SourceFile) -> list[Any]:
    return [] if source.kind == "xlsx" else [str(source.csv_path)]


def _extra_values_sql(source: SourceFile) -> str:
    """True for a row holding more values than the header names columns."""
    return f'"{EXTRA_COLUMN}" IS NOT NULL' if source.kind == "csv" and source.ragged else "false"


@contextmanager
def _registered(connection: duckdb.DuckDBPyConnection, source: SourceFile) -> Iterator[None]:
    if source.kind == "xlsx":
        connection.register("complaint_source_arrow", source.table)
    try:
        yield
    finally:
        if source.kind == "xlsx":
            connection.unregister("complaint_source_arrow")


def _kind(path: Path, head: bytes) -> str:
    """csv or xlsx, from the file's first bytes; other formats are refused by name."""
    if head.startswith(_OLE2):
        raise InputError.single(
            _("File"),
            _("it is an Excel 97-2003 workbook (.xls) or a password-protected one; save it as .xlsx or CSV"),
        )
    if not head.startswith(b"PK\x03\x04"):
        return "csv"
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise InputError.single(_("File"), _("it is a damaged ZIP archive, not a workbook or a CSV file")) from None
    if "xl/workbook.xml" not in names:
        raise InputError.single(
            _("File"), _("it is a ZIP archive but not an Excel workbook; upload a CSV or XLSX file")
        )
    return "xlsx"


def open_source(
    path: Path,
    file_name: str | None = None,
    *,
    encoding: str = "utf-8",
    max_bytes: int | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    expected: ExpectedRows = COMPLAINT_ROWS,
    check_later: bool = False,
) -> SourceFile:
    """Check a CSV or XLSX export and prepare it for mapping; errors name the problem.

    The sheet and the header row are found when not given: the sheet and row among the
    first twenty whose names the portal knows best (``expected`` says which names count).

    With ``check_later`` (an import that goes on at once, as the command line's) the check of
    a UTF-8 CSV whose first bytes are clean text — UTF-8, no NUL, nothing the text rule
    changes — runs in a thread beside the reading; the import waits for it before it stores
    anything and refuses the file as the check would have (``SourceFile.finish_check``)."""
    path = Path(path)
    file_name = file_name or path.name
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise _too_large(size, max_bytes)
    if size == 0:
        raise InputError.single(_("File"), _("it is empty"))
    if header_row is not None and header_row < 1:
        raise InputError.single(_("Header row"), _("use 1 or more"))
    with path.open("rb") as handle:
        head = handle.read(65536)
    if _kind(path, head) == "xlsx":
        return _open_xlsx(path, file_name, sheet, header_row, expected)
    if encoding not in ENCODINGS:
        raise InputError.single(_("Encoding"), _("choose one of {choices}", choices=", ".join(ENCODINGS)))
    return _open_csv(path, file_name, head, encoding, header_row, expected, check_later)


def _clean_head(head: bytes) -> bool:
    """Whether the file's first bytes hold the lines searched for the header row and more, all
    UTF-8 text the portal's text rule leaves as it is (so the header read from them is right)."""
    if head.count(b"\n") <= text_files.HEADER_SEARCH_LINES or b"\x00" in head or needs_normalising(head):
        return False
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head)  # a character cut at the end waits
    except UnicodeDecodeError:
        return False
    return True


def _check_beside(path: Path) -> Future[text_files.CheckedText]:
    checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="complaint-file-check")
    try:
        return checks.submit(text_files.check_utf8, path)
    finally:
        checks.shutdown(wait=False)


def _open_csv(
    path: Path,
    file_name: str,
    head: bytes,
    encoding: str,
    header_row: int | None,
    expected: ExpectedRows,
    check_later: bool = False,
) -> SourceFile:
    workdir = Path(tempfile.mkdtemp(prefix="complaints-"))
    pending = None
    try:
        csv_path, sha256, ascii_only = workdir / "source.csv", None, False
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text_files.transcode(path, "utf-16", csv_path)
        elif encoding != "utf-8":
            text_files.transcode(path, encoding, csv_path)
        elif check_later and _clean_head(head):
            pending, sha256, csv_path = _check_beside(path), "", path
        else:
            checked = text_files.check_utf8(path)
            sha256, ascii_only = checked.sha256, checked.ascii_only
            if checked.needs_normalising:
                text_files.normalise_copy(path, csv_path)
            else:
                csv_path = path
        try:
            header = text_files.read_header(csv_path, header_row, expected)
        except UnicodeDecodeError:
            if pending is not None:
                pending.result()  # the check names the line of the bad byte
            raise
        notes = list(header.notes)
        if header.line > 1:
            note = (
                _("The header is on line {line} (chosen); the lines above it are skipped.", line=header.line)
                if header_row
                else _("The header is on line {line} (found); the lines above it are skipped.", line=header.line)
            )
            notes.insert(0, note)
        return SourceFile(
            file_name=file_name,
            kind="csv",
            columns=header.names,
            sha256=sha256 if sha256 is not None else _sha256(path),
            csv_path=csv_path,
            delimiter=header.delimiter,
            ascii_only=ascii_only,
            workdir=workdir,
            header_row=header.line,
            notes=notes,
            hint=header.hint,
            pending_check=pending,
        )
    except BaseException:
        if pending is not None:
            pending.exception()
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def _open_xlsx(
    path: Path, file_name: str, sheet: str | None, header_row: int | None, expected: ExpectedRows
) -> SourceFile:
    workbook = workbooks.read_workbook(path, sheet, header_row, expected)
    return SourceFile(
        file_name=file_name,
        kind="xlsx",
        columns=workbook.columns,
        sha256=_sha256(path),
        table=workbook.table,
        header_row=workbook.header_row,
        sheet=workbook.sheet,
        sheets=workbook.sheets,
        notes=workbook.notes,
        hint=workbook.hint,
    )


def open_upload(
    data: bytes,
    file_name: str,
    *,
    encoding: str = "utf-8",
    max_bytes: int | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    expected: ExpectedRows = COMPLAINT_ROWS,
) -> SourceFile:
    """An uploaded file, kept in a temporary folder until ``close()``."""
    if max_bytes is not None and len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    workdir = Path(tempfile.mkdtemp(prefix="complaints-upload-"))
    path = workdir / "upload"
    path.write_bytes(data)
    try:
        source = open_source(
            path,
            file_name,
            encoding=encoding,
            max_bytes=max_bytes,
            sheet=sheet,
            header_row=header_row,
            expected=expected,
        )
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    source.keep_until_closed(workdir)
    return source


def _too_large(size: int, max_bytes: int) -> InputError:
    return InputError.single(
        _("File"),
        _(
            "it is {size} MiB; the largest upload accepted is {largest} MiB",
            size=format_number(size / 1048576, 1),
            largest=format_number(round(max_bytes / 1048576)),
        ),
    )


# -- reading, and the reader's problems in plain words -------------------------------------
def _read_with_padding_fallback(source: SourceFile, work: Callable[[], Any]) -> Any:
    """Run ``work``; if the strict CSV reader finds rows of unequal length, read the file
    again serially with short rows padded (the first attempt stored nothing). A file that
    DuckDB's parallel reader cannot split is read again serially first."""
    try:
        return work()
    except duckdb.NotImplementedException as error:
        if source.kind != "csv" or source.serial or source.ragged or "Parallel CSV Reader" not in str(error):
            raise
        source.serial = True
        return _read_with_padding_fallback(source, work)
    except duckdb.InvalidInputException as error:
        if source.kind != "csv" or source.ragged or "Expected Number of Columns" not in str(error):
            raise _unreadable(error, source) from None
        source.ragged = True
    except duckdb.ConversionException as error:
        raise _unconvertible(error) from None
    try:
        return work()
    except duckdb.InvalidInputException as error:
        raise _unreadable(error, source) from None
    except duckdb.ConversionException as error:
        raise _unconvertible(error) from None


def _unconvertible(error: duckdb.Error) -> InputError:
    """A value the checks did not foresee: refused in words, never as a traceback."""
    detail = str(error).strip().splitlines()[0].removeprefix("Conversion Error: ")
    return InputError.single(
        _("File"), _("a value could not be converted ({detail}); nothing was imported", detail=detail[:120])
    )


def _unreadable(error: duckdb.Error, source: SourceFile) -> InputError:
    """DuckDB's CSV error as the row it is about and what is wrong, in the portal's words."""
    text = str(error)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    row = int(line.group(1)) - source.header_row if line else None
    subject = _("a row") if row is None else _("the header row") if row < 1 else _("row {row}", row=row)
    if "Maximum line size" in text:
        reason = _(
            "{subject} is larger than {limit} bytes, the most one row may hold "
            "(a quote mark left open makes the rest of the file one row)",
            subject=subject,
            limit=format_number(MAX_ROW_BYTES),
        )
    elif "unterminated quote" in text:
        reason = _(
            '{subject} has a quoted value that is not closed properly: check its quote marks (")', subject=subject
        )
    elif counts := re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text):
        reason = _(
            "{subject} has {found} values but the header names {named} columns",
            subject=subject,
            found=counts.group(2),
            named=counts.group(1),
        )
    else:
        reason = _("{subject} does not follow the CSV layout", subject=subject)
    return InputError.single(_("File"), _("it could not be read as CSV: {reason}", reason=reason))
