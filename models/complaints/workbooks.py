"""Reading an XLSX complaint export: which sheet and which row hold the complaints, and
that sheet's rows as an all-text Arrow table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from models.complaints.field_mapping import COMPLAINT_ROWS, ExpectedRows, choose_header_row, unique_names
from models.errors import InputError
from models.text import clean_text

HEADER_SEARCH_ROWS = 20  # rows of each sheet looked at for the header row


@dataclass
class Workbook:
    """A sheet's rows ready for DuckDB, with where they came from."""

    sheets: list[str]
    sheet: str
    header_row: int  # 1-based row of the sheet
    columns: list[str]
    table: pa.Table
    notes: list[str] = field(default_factory=list)
    hint: str | None = None  # where the complaints seem to be when the choice names no portal field


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value))


@contextmanager
def _opened(path: Path) -> Iterator[Any]:
    """The workbook, read-only; opened from the file's content, so any name will do."""
    from openpyxl import load_workbook

    with path.open("rb") as handle:
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise InputError.single("File", f"it could not be opened as an Excel workbook ({error})") from None
        try:
            yield workbook
        finally:
            workbook.close()


def _head(sheet: Any, count: int = HEADER_SEARCH_ROWS) -> list[list[str | None]]:
    rows = sheet.iter_rows(min_row=1, max_row=count, min_col=1, values_only=True)
    return [[_cell_text(cell) for cell in row] for row in rows]


def _score(row: list[str | None], expected: ExpectedRows) -> int:
    return expected.count_known([cell for cell in row if cell])


def _best_layout(heads: dict[str, list[list[str | None]]], expected: ExpectedRows) -> tuple[str, int, int] | None:
    """The sheet and header row whose names the portal knows best, with how many it knows
    (the first sheet's first row that looks like a header when no sheet names a portal field)."""
    best: tuple[str, int, int] | None = None
    for name, rows in heads.items():
        if not any(any(row) for row in rows):
            continue
        index = choose_header_row([[cell or "" for cell in row] for row in rows], expected)
        score = _score(rows[index], expected)
        if best is None or score > best[2]:
            best = (name, index + 1, score)
    return best


def _layout_notes(sheets: list[str], sheet: str, header_row: int, chosen: bool) -> list[str]:
    notes = []
    where = "chosen" if chosen else "found"
    if len(sheets) > 1:
        notes.append(f"Reading sheet {sheet!r} ({where}; the workbook has {len(sheets)} sheets: {', '.join(sheets)}).")
    if header_row > 1:
        notes.append(f"The header is on row {header_row} ({where}); the rows above it are skipped.")
    return notes


def _header(rows: list[list[str | None]], header_row: int, sheet: str) -> list[str]:
    if not 1 <= header_row <= len(rows) or not any(rows[header_row - 1]):
        raise InputError.single("Header row", f"row {header_row} of sheet {sheet!r} is empty")
    header = [cell or "" for cell in rows[header_row - 1]]
    while header and not header[-1]:
        header.pop()
    return header


def _data(sheet: Any, header_row: int, width: int) -> list[list[str | None]]:
    """The rows under the header as text, empty rows left out."""
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for row in sheet.iter_rows(min_row=header_row + 1, min_col=1, values_only=True):
        values = [_cell_text(cell) for cell in row[:width]]
        if not any(values):
            continue
        values += [None] * (width - len(values))
        for index, value in enumerate(values):
            columns[index].append(value)
    return columns


def _suggestion(
    best: tuple[str, int, int] | None, sheet: str, header_row: int, rows: list, expected: ExpectedRows
) -> str | None:
    """Where the complaints seem to be, when the chosen sheet and row name no portal field."""
    if best is None or best[2] == 0 or (best[0], best[1]) == (sheet, header_row):
        return None
    if 1 <= header_row <= len(rows) and _score(rows[header_row - 1], expected) > 0:
        return None
    return f"sheet {best[0]!r} has a header on row {best[1]} that names portal fields: choose that sheet and row"


def read_workbook(
    path: Path, sheet: str | None = None, header_row: int | None = None, expected: ExpectedRows = COMPLAINT_ROWS
) -> Workbook:
    """A sheet of the workbook as all-text rows: the one chosen, else the one whose header
    names most portal fields (header rows are looked for among the first 20 rows)."""
    with _opened(path) as workbook:
        sheets = list(workbook.sheetnames)
        if sheet is not None and sheet not in sheets:
            raise InputError.single("Sheet", f"the workbook has no sheet {sheet!r} (it has: {', '.join(sheets)})")
        heads = {name: _head(workbook[name]) for name in sheets}
        best = _best_layout({sheet: heads[sheet]} if sheet else heads, expected)
        if best is None:
            raise InputError.single("File", f"sheet {sheet!r} is empty" if sheet else "every sheet of it is empty")
        chosen_sheet, chosen_row = sheet or best[0], header_row or best[1]
        if chosen_row > len(heads[chosen_sheet]):
            heads[chosen_sheet] = _head(workbook[chosen_sheet], chosen_row)
        hint = _suggestion(_best_layout(heads, expected), chosen_sheet, chosen_row, heads[chosen_sheet], expected)
        names, notes = unique_names(_header(heads[chosen_sheet], chosen_row, chosen_sheet))
        columns = _data(workbook[chosen_sheet], chosen_row, len(names))
    if not any(len(c) for c in columns):
        elsewhere = f"; {hint}" if hint else ""
        raise InputError.single("File", f"sheet {chosen_sheet!r} has a header row but no {expected.noun}{elsewhere}")
    table = pa.table({name: pa.array(values, type=pa.string()) for name, values in zip(names, columns, strict=True)})
    notes = _layout_notes(sheets, chosen_sheet, chosen_row, sheet is not None or header_row is not None) + notes
    return Workbook(sheets, chosen_sheet, chosen_row, names, table, notes, hint)
