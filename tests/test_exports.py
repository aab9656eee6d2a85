"""Downloads are safe in a spreadsheet whatever the stored text holds: no cell (nor line of
a cell) read back begins a formula, and the XLSX export takes any text."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from models import exports
from models.complaints import cli, importer

TRIGGERS = ("=", "+", "-", "@")

PAYLOADS = [
    "=1+1",
    "+SUM(A1:A3)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    " plain text",
    'ok\r=HYPERLINK("http://example.org","x")',
    "first line\n=cmd|' /C calc'!A0",
    "first line\r\n+1",
    "\x00=1+1",
    "\x1b[31m@red",
    "a\rb\rc\r-1",
    "ends with a break\r",
]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": PAYLOADS,
            "strings": pd.Series(PAYLOADS, dtype="string"),
            "category": pd.Series(PAYLOADS, dtype="category"),
            "number": range(len(PAYLOADS)),
            "=header": ["x"] * len(PAYLOADS),
        }
    )


def _csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_no_cell_of_a_csv_export_read_back_begins_a_formula():
    rows = _csv_cells(exports.to_csv_bytes(_frame()))
    assert len(rows) == len(PAYLOADS) + 1  # a line break inside a value did not make a new row
    cells = [cell for row in rows for cell in row]
    assert [cell for cell in cells if cell.startswith(TRIGGERS)] == []
    lines = [line for cell in cells for line in cell.split("\n")]
    assert [line for line in lines if line.startswith((*TRIGGERS, "\t", "\r"))] == []
    assert not any("\r" in cell or "\x00" in cell or "\x1b" in cell for cell in cells)


def test_csv_export_keeps_the_text_readable():
    rows = _csv_cells(exports.to_csv_bytes(_frame()))
    header, *body = rows
    assert header == ["text", "strings", "category", "number", "'=header"]
    by_payload = dict(zip(PAYLOADS, (row[0] for row in body), strict=True))
    assert by_payload["=1+1"] == "'=1+1"
    assert by_payload[" plain text"] == " plain text"
    assert by_payload["first line\r\n+1"] == "first line\n'+1"
    assert by_payload["a\rb\rc\r-1"] == "a\nb\nc\n'-1"
    assert [row[3] for row in body] == [str(number) for number in range(len(PAYLOADS))]
    assert all(row[0] == row[1] == row[2] for row in body)


def test_xlsx_export_takes_every_control_character_and_neutralises_formulas():
    every_control = "".join(chr(code) for code in range(32)) + "=after controls"
    frame = pd.DataFrame({"text": [*PAYLOADS, every_control], "when": [date(2026, 1, 1)] * (len(PAYLOADS) + 1)})
    data = exports.to_xlsx_bytes(frame)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(values) == len(PAYLOADS) + 1
    lines = [line for value in values for line in str(value).split("\n")]
    assert [line for line in lines if line.startswith((*TRIGGERS, "\t"))] == []
    assert values[-1] == "'\t\n\n'=after controls"


@pytest.mark.parametrize(
    "value", ["\uffff", "\ufffe", "lone \ud800 and \udfff surrogates", "=\uffff1+1", "\ud83d=split emoji"]
)
def test_an_xlsx_holding_a_character_xml_forbids_still_opens_without_it(value):
    """Such a character (kept from before the text rule removed it, or in a Python string) made
    Excel report the workbook as damaged."""
    header = pd.Index(["note " + value], dtype=object)  # a Python string holds what Arrow's refuses
    frame = pd.DataFrame([[value + " after"], ["Café — 😀 \ufffd kept"]], columns=header, dtype=object)
    data = exports.to_xlsx_bytes(frame, sheet_name="Sheet " + value)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert cells[:2] == [exports.neutralise("note " + value), exports.neutralise(value + " after")]
    assert cells[2] == "Café — 😀 \ufffd kept"
    texts = [sheet.title, *cells]
    assert not any(char in "\ufffe\uffff" or "\ud800" <= char <= "\udfff" for text in texts for char in text)
    assert _csv_cells(exports.to_csv_bytes(frame))[1] == [cells[1]]  # the CSV says the same


def test_an_xlsx_is_refused_rather_than_cutting_a_long_narrative_short():
    """A complaint narrative of 48,003 characters came out of the XLSX cut to 32,767."""
    narrative = "The bank charged me twice. " * 1777 + "I want my money back now"  # 48,003 characters
    frame = pd.DataFrame({"id": [1, 2], "narrative": [narrative, "short"]})
    assert exports.longest_beyond_xlsx(frame) == exports.LongCell("narrative", 48_003)
    with pytest.raises(ValueError, match="48,003 characters in column 'narrative'"):
        exports.to_xlsx_bytes(frame)
    assert _csv_cells(exports.to_csv_bytes(frame))[1] == ["1", narrative]  # the CSV holds it whole


def test_a_text_is_measured_as_the_export_writes_it():
    """Every line of this 29,999-character text gets an apostrophe: 39,999 characters written."""
    formulas = "=1\n" * 9_999 + "=1"
    at_the_limit = "x" * exports.XLSX_CELL_LIMIT
    assert exports.longest_beyond_xlsx(pd.DataFrame({"sums": [formulas]})) == exports.LongCell("sums", 39_999)
    assert exports.longest_beyond_xlsx(pd.DataFrame({"held": [[at_the_limit]]})) is not None  # its text has []''
    frame = pd.DataFrame({"full": [at_the_limit], "kinds": pd.Series([at_the_limit], dtype="category")})
    assert exports.longest_beyond_xlsx(frame) is None
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx_bytes(frame))).active
    assert [len(value) for value in next(sheet.iter_rows(min_row=2, values_only=True))] == [32_767, 32_767]


@pytest.mark.parametrize("value", [["=a", "b"], {"k": "=v"}])
def test_a_container_cell_is_written_as_text(value):
    frame = pd.DataFrame({"held": [value]})
    assert _csv_cells(exports.to_csv_bytes(frame))[1] == [str(value)]
    exports.to_xlsx_bytes(frame)


def test_a_sheet_name_excel_refuses_is_made_acceptable():
    data = exports.to_xlsx_bytes(pd.DataFrame({"a": [1]}), sheet_name="Ideas: [draft]/2026? and a long tail")
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["Ideas   draft  2026  and a long"]


def test_the_command_lines_rejections_file_quotes_the_files_values(tmp_path):
    rejection = importer.Rejection(record=2, column="Category", reason="is not known", value="=cmd|' /C calc'!A0")
    path = tmp_path / "rejected.csv"
    cli._write_rejections(path, importer.ImportReport.model_construct(rejections=[rejection]))
    assert _csv_cells(path.read_bytes())[1] == ["2", "Category", "is not known", "'=cmd|' /C calc'!A0"]
