"""Reading an XLSX complaint export: which sheet and which row hold the complaints, and
that sheet's rows as an all-text Arrow table.

Workbooks are read by a native reader (calamine); openpyxl's reading is kept as the
reference it is checked against, and openpyxl still writes the portal's XLSX exports.
Both read a number shown as a percentage as the text the sheet shows (92%, not 0.92)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import compress
from pathlib import Path
from typing import Any

import pyarrow as pa

from models.complaints.cell_formats import PercentCells, percent_cells, percent_decimals, percent_text
from models.complaints.field_mapping import COMPLAINT_ROWS, ExpectedRows, choose_header_row, unique_names
from models.errors import InputError
from models.i18n import _
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
    """A cell as the text a CSV export would hold; an empty cell (``""`` from the reader) is None."""
    if value.__class__ is str:
        # printable text holds no control character: only the trimming of the text rule applies
        return (value.strip() or None) if value.isprintable() else clean_text(value)
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


def _shown(value: Any, decimals: int | None) -> Any:
    """A number in a cell formatted as a percentage as the text the sheet shows (0.92 -> 92%);
    any other value as it is."""
    if decimals is None or value.__class__ not in (int, float):
        return value
    return percent_text(value, decimals)


def _with_percents(rows: list[list[Any]], percents: PercentCells, first_row: int, first_column: int) -> None:
    """Put the shown text in place of each number the sheet shows as a percentage; ``rows``
    begin at sheet row ``first_row`` and column ``first_column`` (from 0)."""
    for (row, column), decimals in percents.items():
        at_row, at_column = row - first_row, column - first_column
        if 0 <= at_row < len(rows) and 0 <= at_column < len(rows[at_row]):
            rows[at_row][at_column] = _shown(rows[at_row][at_column], decimals)


def _texts(values: Sequence[Any]) -> list[str | None]:
    """``_cell_text`` of each value of a column, the common column of printable text alone
    (no control character, so only trimming applies) in one quick pass."""
    if all(value.__class__ is str for value in values) and "".join(values).isprintable():
        return [value.strip() or None for value in values]
    return [_cell_text(value) for value in values]


class NativeWorkbook:
    """A workbook read by calamine, a native reader: each sheet is parsed once, when first
    looked at, and its cells come back typed (text, numbers, dates, times, durations, flags).

    An Excel error value (#N/A, #DIV/0!) reads as an empty cell. The reader gives no number
    formats: the cells shown as percentages are read from the sheet's XML (``cell_formats``)."""

    def __init__(self, path: Path):
        from python_calamine import CalamineWorkbook

        self._path = path
        self._percents: dict[str, PercentCells] = {}
        try:
            self._workbook = CalamineWorkbook.from_path(str(path))
        except Exception as error:  # the reader raises several kinds for a damaged file
            raise _unopenable(error) from None
        self._parsed: dict[str, Any] = {}
        self.sheet_names: list[str] = list(self._workbook.sheet_names)

    def _sheet(self, name: str) -> Any:
        """The parsed sheet, None for one that holds no cells (a chart sheet, an empty sheet)."""
        from python_calamine import WorksheetNotFound

        if name not in self._parsed:
            try:
                sheet = self._workbook.get_sheet_by_name(name)
            except WorksheetNotFound:  # a chart sheet
                sheet = None
            except Exception as error:  # a damaged part of the file
                raise _unopenable(error) from None
            self._parsed[name] = sheet if sheet is not None and sheet.start is not None else None
        return self._parsed[name]

    def _percent_cells(self, name: str) -> PercentCells:
        if name not in self._percents:
            self._percents[name] = percent_cells(self._path, name)
        return self._percents[name]

    def head(self, name: str, count: int) -> list[list[str | None]]:
        """The sheet's first ``count`` rows as text, from column A."""
        sheet = self._sheet(name)
        if sheet is None:
            return []
        rows = sheet.to_python(skip_empty_area=False, nrows=count)
        _with_percents(rows, self._percent_cells(name), 0, 0)
        return [[_cell_text(cell) for cell in row] for row in rows]

    def data(self, name: str, header_row: int, width: int) -> list[list[str | None]]:
        """The rows under the header as text in ``width`` columns from column A, empty rows left out.

        Converted a column at a time: a column of text alone takes the fast path of ``_texts``."""
        sheet = self._sheet(name)
        if sheet is None:
            return [[] for _ in range(width)]
        # the reader's rows begin at row 1 but at the sheet's first used column, not at column A
        first_column = sheet.start[1]
        take = max(width - first_column, 0)
        rows = sheet.iter_rows()
        for _skipped in range(header_row):
            next(rows, None)
        cells = [row[:take] for row in rows]
        _with_percents(cells, self._percent_cells(name), header_row, first_column)
        count = len(cells)
        read = [_texts(column) for column in zip(*cells, strict=True)] if count and take else []
        columns = [[None] * count for _ in range(min(first_column, width))] + read
        columns += [[None] * count for _ in range(width - len(columns))]
        filled = [any(values) for values in zip(*columns, strict=True)]
        if not all(filled):
            columns = [list(compress(column, filled)) for column in columns]
        return columns

    def close(self) -> None:
        self._workbook.close()


class OpenpyxlWorkbook:
    """The same reading done by openpyxl in read-only mode, pure Python and many times slower:
    the reference the native reader is checked against (tests, the complaint benchmark)."""

    def __init__(self, path: Path):
        from openpyxl import load_workbook

        self._handle = path.open("rb")
        try:
            self._workbook = load_workbook(self._handle, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            self._handle.close()
            raise _unopenable(error) from None
        self.sheet_names: list[str] = list(self._workbook.sheetnames)

    def head(self, name: str, count: int) -> list[list[str | None]]:
        rows = self._workbook[name].iter_rows(min_row=1, max_row=count, min_col=1)
        return [[_text_of(cell) for cell in row] for row in rows]

    def data(self, name: str, header_row: int, width: int) -> list[list[str | None]]:
        columns: list[list[str | None]] = [[] for _ in range(width)]
        for row in self._workbook[name].iter_rows(min_row=header_row + 1, min_col=1):
            values = [_text_of(cell) for cell in row[:width]]
            if not any(values):
                continue
            values += [None] * (width - len(values))
            for index, value in enumerate(values):
                columns[index].append(value)
        return columns

    def close(self) -> None:
        self._workbook.close()
        self._handle.close()


def _text_of(cell: Any) -> str | None:
    """An openpyxl cell as text, a number shown as a percentage as the sheet shows it."""
    return _cell_text(_shown(cell.value, percent_decimals(cell.number_format)))


WorkbookReader = type[NativeWorkbook] | type[OpenpyxlWorkbook]


def _unopenable(error: Exception) -> InputError:
    return InputError.single(_("File"), _("it could not be opened as an Excel workbook ({error})", error=error))


@contextmanager
def _opened(path: Path, reader: WorkbookReader) -> Iterator[NativeWorkbook | OpenpyxlWorkbook]:
    """The workbook, opened from the file's content, so any name will do."""
    workbook = reader(path)
    try:
        yield workbook
    finally:
        workbook.close()


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
    values = {"sheet": repr(sheet), "count": len(sheets), "sheets": ", ".join(sheets), "row": header_row}
    if len(sheets) > 1:
        notes.append(
            _("Reading sheet {sheet} (chosen; the workbook has {count} sheets: {sheets}).", **values)
            if chosen
            else _("Reading sheet {sheet} (found; the workbook has {count} sheets: {sheets}).", **values)
        )
    if header_row > 1:
        notes.append(
            _("The header is on row {row} (chosen); the rows above it are skipped.", **values)
            if chosen
            else _("The header is on row {row} (found); the rows above it are skipped.", **values)
        )
    return notes


def _header(rows: list[list[str | None]], header_row: int, sheet: str) -> list[str]:
    if not 1 <= header_row <= len(rows) or not any(rows[header_row - 1]):
        raise InputError.single(
            _("Header row"), _("row {row} of sheet {sheet} is empty", row=header_row, sheet=repr(sheet))
        )
    header = [cell or "" for cell in rows[header_row - 1]]
    while header and not header[-1]:
        header.pop()
    return header


def _suggestion(
    best: tuple[str, int, int] | None, sheet: str, header_row: int, rows: list, expected: ExpectedRows
) -> str | None:
    """Where the complaints seem to be, when the chosen sheet and row name no portal field."""
    if best is None or best[2] == 0 or (best[0], best[1]) == (sheet, header_row):
        return None
    if 1 <= header_row <= len(rows) and _score(rows[header_row - 1], expected) > 0:
        return None
    return _(
        "sheet {sheet} has a header on row {row} that names portal fields: choose that sheet and row",
        sheet=repr(best[0]),
        row=best[1],
    )


def read_workbook(
    path: Path,
    sheet: str | None = None,
    header_row: int | None = None,
    expected: ExpectedRows = COMPLAINT_ROWS,
    reader: WorkbookReader = NativeWorkbook,
) -> Workbook:
    """A sheet of the workbook as all-text rows: the one chosen, else the one whose header
    names most portal fields (header rows are looked for among the first 20 rows)."""
    with _opened(path, reader) as workbook:
        sheets = workbook.sheet_names
        if sheet is not None and sheet not in sheets:
            raise InputError.single(
                _("Sheet"),
                _("the workbook has no sheet {sheet} (it has: {sheets})", sheet=repr(sheet), sheets=", ".join(sheets)),
            )
        heads = {name: workbook.head(name, HEADER_SEARCH_ROWS) for name in sheets}
        best = _best_layout({sheet: heads[sheet]} if sheet else heads, expected)
        if best is None:
            raise InputError.single(
                _("File"), _("sheet {sheet} is empty", sheet=repr(sheet)) if sheet else _("every sheet of it is empty")
            )
        chosen_sheet, chosen_row = sheet or best[0], header_row or best[1]
        if chosen_row > len(heads[chosen_sheet]):
            heads[chosen_sheet] = workbook.head(chosen_sheet, chosen_row)
        hint = _suggestion(_best_layout(heads, expected), chosen_sheet, chosen_row, heads[chosen_sheet], expected)
        names, notes = unique_names(_header(heads[chosen_sheet], chosen_row, chosen_sheet))
        columns = workbook.data(chosen_sheet, chosen_row, len(names))
    if not any(len(c) for c in columns):
        elsewhere = f"; {hint}" if hint else ""
        empty = _("sheet {sheet} has a header row but no {rows}", sheet=repr(chosen_sheet), rows=_(expected.noun))
        raise InputError.single(_("File"), empty + elsewhere)
    table = pa.table({name: pa.array(values, type=pa.string()) for name, values in zip(names, columns, strict=True)})
    notes = _layout_notes(sheets, chosen_sheet, chosen_row, sheet is not None or header_row is not None) + notes
    return Workbook(sheets, chosen_sheet, chosen_row, names, table, notes, hint)
