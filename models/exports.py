"""Downloads of tables as CSV and XLSX, safe against spreadsheet formula injection.

Every text cell is cleaned the way entered text is (``models.text.normalise_text``: line breaks as
LF, no other control character, no U+FFFE or U+FFFF), and any character XML 1.0 forbids that is
left (a lone surrogate) is removed too, so an XLSX always opens; then each line of it that a
spreadsheet would read as a formula gets a leading apostrophe — so a cell read back holds no
line beginning with ``=``, ``+``, ``-``, ``@`` or a tab, whatever was stored."""

from __future__ import annotations

import io
import re
from typing import Any, NamedTuple

import pandas as pd

from models.text import normalise_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t")
# The longest table offered as XLSX. Excel's hard limit is 1,048,576 rows a sheet, but a sheet
# far below it is already slow to open and costly to build; a longer table is offered as CSV.
XLSX_ROW_LIMIT = 100_000
# The most characters one XLSX cell holds (Excel's limit); a longer text would be cut without a
# word, so a table holding one is offered as CSV.
XLSX_CELL_LIMIT = 32_767
# what XML 1.0 forbids and the text rule leaves: UTF-16 surrogates standing alone, which no
# UTF-8 text holds but a Python string can
_NOT_IN_XML = re.compile("[\ud800-\udfff]")


def _neutralise_line(line: str) -> str:
    return "'" + line if line.startswith(FORMULA_STARTS) else line


def neutralise(value: Any) -> Any:
    """A text cell as it may go into a spreadsheet (see the module's description); a list or
    other container becomes its text first. Numbers, dates and empty cells stay as they are."""
    if isinstance(value, (list, tuple, dict, set)):
        value = str(value)
    if not isinstance(value, str):
        return value
    return "\n".join(_neutralise_line(line) for line in _cleaned(value).split("\n"))


def _cleaned(text: str) -> str:
    """``text`` under the text rule, without any character an XML file cannot hold."""
    cleaned = normalise_text(text)
    return cleaned if cleaned.isascii() else _NOT_IN_XML.sub("", cleaned)


def _is_text_column(column: pd.Series) -> bool:
    return (
        column.dtype == object or pd.api.types.is_string_dtype(column) or isinstance(column.dtype, pd.CategoricalDtype)
    )


class LongCell(NamedTuple):
    """A text too long for an XLSX cell: its column's name as the file heads it, its length."""

    column: str
    length: int


def _text_length(value: Any) -> int:
    return len(str(value)) if isinstance(value, (str, list, tuple, dict, set)) else 0


def longest_beyond_xlsx(frame: pd.DataFrame) -> LongCell | None:
    """The longest text cell of ``frame`` as an export writes it, when it is longer than an XLSX
    cell holds (``XLSX_CELL_LIMIT``); ``None`` when every cell fits.

    Neutralising adds at most one apostrophe a line, so a text of half the limit or less always
    fits: only longer ones are neutralised to be measured."""
    longest: LongCell | None = None
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if not _is_text_column(column):
            continue
        if pd.api.types.is_string_dtype(column) and column.dtype != object:
            lengths = column.str.len()  # counted in one pass, not a cell at a time
        else:
            lengths = column.astype(object).map(_text_length)
        for value in column[(lengths > XLSX_CELL_LIMIT // 2).fillna(False).to_numpy(dtype=bool)]:
            length = len(neutralise(value))
            if length > XLSX_CELL_LIMIT and (longest is None or length > longest.length):
                longest = LongCell(neutralise(str(frame.columns[position])), length)
    return longest


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and headers are neutralised."""
    safe = frame.copy()
    for position in range(safe.shape[1]):  # by position: two columns may share a name
        column = safe.iloc[:, position]
        if _is_text_column(column):
            safe.isetitem(position, column.astype(object).map(neutralise))
    safe.columns = [neutralise(str(name)) for name in safe.columns]
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (so spreadsheets read the accents right)."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "Data") -> bytes:
    """One sheet holding the table; never refused for the characters its text holds, refused
    (``ValueError``) beyond ``XLSX_ROW_LIMIT`` rows or when a text is longer than a cell holds
    (``longest_beyond_xlsx``): the sheet would hold it cut short."""
    if len(frame) > XLSX_ROW_LIMIT:
        raise ValueError(f"{len(frame):,} rows are more than an XLSX download holds ({XLSX_ROW_LIMIT:,})")
    if long_cell := longest_beyond_xlsx(frame):
        raise ValueError(
            f"a text of {long_cell.length:,} characters in column {long_cell.column!r} is more than"
            f" an XLSX cell holds ({XLSX_CELL_LIMIT:,})"
        )
    buffer = io.BytesIO()
    safe = safe_frame(frame)
    for position in range(safe.shape[1]):  # Excel cannot hold timezone-aware datetimes
        column = safe.iloc[:, position]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            safe.isetitem(position, column.dt.tz_localize(None))
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name=_sheet_name(sheet_name))
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    """A name Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in _cleaned(name)).strip("' ")
    return cleaned[:31] or "Data"
