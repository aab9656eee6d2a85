"""Reading an HR CSV file: its columns, the template, decoding, the row limit and a preview."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel

from models.i18n import _, format_number
from models.inputs import entered_text

if TYPE_CHECKING:
    pass


IMPORT_MAX_ROWS = 50_000
IMPORT_COLUMNS = ("employee_number", "full_name", "email", "team", "site", "manager_number", "hire_date", "roles")
_COLUMN_ALIASES = {"name": "full_name", "manager": "manager_number"}
ORG_NAME_MAX_LENGTH = 80
_DATE_PATTERN = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_ROLE_SEPARATORS = re.compile(r"[;,]")
_TEMPLATE_ROWS = (
    ("E1001", "Ada Lovelace", "ada.lovelace@example.org", "Harbour Team", "Sydney", "", "2023-02-01", "agent"),
    ("E1002", "Alan Turing", "alan.turing@example.org", "Harbour Team", "Sydney", "E1001", "2025-07-14", "agent"),
)


class ImportProblem(BaseModel):
    """Why an import was refused: the row as numbered in the file (header = row 1), the
    column as headed in the file, and the reason. ``row`` is None for the file as a whole."""

    row: int | None = None
    column: str | None = None
    reason: str


class _FileRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class _ParsedFile:
    headings: dict[str, str]  # column -> heading as written in the file
    rows: list[tuple[int, dict[str, str]]]  # (row number in the file, column -> cell)
    broken: list[ImportProblem] = field(default_factory=list)  # rows that do not fit the header


def import_template_csv() -> bytes:
    """An HR CSV with the expected columns and two example people (the second reports to the first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(IMPORT_COLUMNS)
    writer.writerows(_TEMPLATE_ROWS)
    return buffer.getvalue().encode("utf-8")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _FileRefused(
            _(
                "The file is not UTF-8 text (unreadable byte at position {position}). "
                "Save it from your spreadsheet as 'CSV UTF-8' and try again.",
                position=error.start,
            )
        ) from None


def _column_key(heading: str) -> str:
    key = re.sub(r"[\s\-]+", "_", heading.strip().lower())
    return _COLUMN_ALIASES.get(key, key)


def _headings(header: list[str], keys: list[str]) -> dict[str, str]:
    """Column key → the heading the file used; unknown or repeated columns refuse the file."""
    headings: dict[str, str] = {}
    for heading, key in zip(header, keys, strict=True):
        if not key:
            continue
        if key not in IMPORT_COLUMNS:
            raise _FileRefused(
                _(
                    "Unknown column '{column}'. Expected columns: {columns}.",
                    column=heading.strip(),
                    columns=", ".join(IMPORT_COLUMNS),
                )
            )
        if key in headings:
            raise _FileRefused(_("Column '{column}' appears twice in the header.", column=heading.strip()))
        headings[key] = heading.strip()
    if "employee_number" not in headings:
        raise _FileRefused(_("The header has no 'employee_number' column; every row needs one."))
    return headings


def _parse_csv(data: bytes) -> _ParsedFile:
    """Read the header and the rows, numbering rows as a spreadsheet shows them."""
    text = _decode(data)
    if not text.strip():
        raise _FileRefused(_("The file is empty. Start from the template: a header row, then one row per person."))
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        keys = [_column_key(heading) for heading in header]  # an empty heading marks a column to ignore
        parsed = _ParsedFile(headings=_headings(header, keys), rows=[])
        for row_number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(parsed.rows) + len(parsed.broken) >= IMPORT_MAX_ROWS:
                raise _FileRefused(
                    _(
                        "The file has more than {count} people; split it into smaller files.",
                        count=format_number(IMPORT_MAX_ROWS),
                    )
                )
            if len(cells) != len(keys):
                reason = _(
                    "the row has {values} values but the header has {columns} columns",
                    values=len(cells),
                    columns=len(keys),
                )
                parsed.broken.append(ImportProblem(row=row_number, reason=reason))
                continue
            values = {key: entered_text(cell) for key, cell in zip(keys, cells, strict=True) if key}
            parsed.rows.append((row_number, values))
    except csv.Error as error:
        raise _FileRefused(
            _("The file is not a readable CSV (row {row}): {error}.", row=reader.line_num, error=error)
        ) from None
    if not parsed.rows and not parsed.broken:
        raise _FileRefused(_("The file has a header but no people."))
    return parsed


def preview_people_csv(data: bytes, limit: int = 10) -> tuple[list[dict[str, str]], str | None]:
    """The first rows of an HR CSV as the file heads them, or why the file cannot be read."""
    try:
        parsed = _parse_csv(data)
    except _FileRefused as refused:
        return [], refused.reason
    headings = parsed.headings
    preview = [
        {"row": str(number), **{headings[key]: cells.get(key, "") for key in headings}}
        for number, cells in parsed.rows[:limit]
    ]
    return preview, None
