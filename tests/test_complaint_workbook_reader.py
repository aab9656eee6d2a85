"""XLSX exports are read by the native reader with the same results openpyxl gave: the same
sheet, header row, columns and cell texts, and so the same staged rows, on a workbook holding
dates as dates and as text, times, durations, numbers, flags, blanks, unicode and several
sheets; damaged workbooks are refused in words."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import Workbook

from models.complaints import conversion, field_mapping, sources, workbooks
from models.complaints.field_mapping import Preset
from models.errors import InputError

HEADER = [
    "Date received",
    "Issue",
    "Submitted via",
    "Complaint ID",
    "Consumer complaint narrative",
    "Timely response?",
    "Date sent to company",
    "ZIP code",
]
VALUES = [
    datetime(2020, 5, 1),
    datetime(2020, 5, 1, 14, 5, 9),
    date(2021, 1, 2),
    time(14, 5),
    timedelta(days=1, hours=2),
    43553,
    43553.5,
    43553.123456789,
    *(1, 59, 60, 61),  # serial numbers around Excel's 29 February 1900
    *(0.1, -0.0, 2**53 - 1, 1e15 + 0.5, 1e308, -5, 1.5e-7),
    True,
    False,
    *("  padded ", "", " ", "\u00a0non-breaking\u00a0", "ü 😀 Ελληνικά", "\u202eevil", "line\nbreak", "tab\tin"),
    *("2019/3/30", "03/04/2020", "29.03.2019", "43553", "0042", "=1+1", "x" * 600),
    None,
]


PERCENTS = [  # a cell's value and number format, and the text the sheet shows
    (0.92, "0%"),
    (0.925, "0%"),
    (0.0525, "0.0%"),
    (1, "0.00%"),
    (-0.125, "#,##0.0%;[Red]-#,##0.0%"),
    (0.5, '0%" done"'),  # the number as a percentage, the format's own words left out
    (0.92, "0.00"),  # a number format that is not a percentage
    ("85%", "0%"),  # text in a cell formatted as a percentage
    (True, "0%"),
]
PERCENT_TEXTS = ["92%", "93%", "5.3%", "100.00%", "-12.5%", "50%", "0.92", "85%", "Yes"]


def _varied_workbook(path):
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Cover"
    cover.append(["Complaints export"])
    cover.append(["Prepared by", "Service quality team"])
    data = workbook.create_sheet("Data")
    data.append(["Title row"])
    data.append([])
    data.append(HEADER)
    for number, value in enumerate(VALUES):
        channel = "Web" if number % 3 == 0 else None
        data.append([value, f"Fees {number}", channel, 1000 + number, value, number % 2 == 1, value, "02134"])
        if number == 10:
            data.append([])  # an empty row inside the data is left out
            data.append([None, None, None])
    data.append(["2024-01-01", "Late", "Phone", "x1", None, None, None, None, "beyond the header"])
    for number_format, value in [
        ("yyyy-mm-dd", 45000),
        ("[h]:mm:ss", 1.25),
        ("hh:mm", 0.25),
        ("dd/mm/yyyy hh:mm", 45000.75),
        ("0.00", 12.5),
        ("@", 5),
    ]:
        data.append([value, "formatted", None, number_format])
        data.cell(row=data.max_row, column=1).number_format = number_format
    workbook.create_sheet("Empty")
    offset = workbook.create_sheet("Offset")  # data that begins at C5, not at A1
    offset["C5"], offset["D5"], offset["E5"] = "Date received", "Issue", "Complaint ID"
    offset["C6"], offset["D6"], offset["E6"] = datetime(2022, 2, 2), "Fees", 7
    offset["D8"] = "Wait"
    scores = workbook.create_sheet("Scores")  # numbers shown as percentages, from B3
    scores["B3"], scores["C3"] = "Employee number", "Score"
    for row, (value, number_format) in enumerate(PERCENTS, start=4):
        scores.cell(row=row, column=2, value=f"E-{row}")
        scores.cell(row=row, column=3, value=value).number_format = number_format
    workbook.save(path)
    return path


def _read(path, reader, **choice):
    read = workbooks.read_workbook(path, reader=reader, **choice)
    return read.sheets, read.sheet, read.header_row, read.columns, read.table.to_pylist(), read.notes, read.hint


CHOICES = [
    {},
    {"sheet": "Data"},
    {"sheet": "Data", "header_row": 1},
    {"sheet": "Cover", "header_row": 1},
    {"sheet": "Offset"},
    {"sheet": "Offset", "header_row": 5},
    {"sheet": "Scores"},
]


@pytest.mark.parametrize("choice", CHOICES, ids=[str(choice) for choice in CHOICES])
def test_the_native_reader_reads_every_cell_as_openpyxl_did(tmp_path, choice):
    path = _varied_workbook(tmp_path / "varied.xlsx")
    native = _read(path, workbooks.NativeWorkbook, **choice)
    reference = _read(path, workbooks.OpenpyxlWorkbook, **choice)
    assert native == reference
    assert native[4], "the chosen sheet has rows"


def _staged(path, reader):
    read = workbooks.read_workbook(path, reader=reader)
    source = sources.SourceFile(
        file_name=path.name, kind="xlsx", columns=read.columns, sha256="-", table=read.table, sheet=read.sheet
    )
    mapping = field_mapping.suggest_mapping(source.columns, Preset.CFPB)
    return conversion.preview(source, mapping, limit=1000, orders={"received_date": "MDY", "resolution_date": "MDY"})


def test_the_staged_rows_are_the_same_with_either_reader(tmp_path):
    path = _varied_workbook(tmp_path / "varied.xlsx")
    native, reference = _staged(path, workbooks.NativeWorkbook), _staged(path, workbooks.OpenpyxlWorkbook)
    assert len(native) == len(VALUES) + 1 + 6
    assert native.equals(reference)


def test_cells_read_as_the_text_a_csv_export_would_hold(tmp_path):
    source = sources.open_source(_varied_workbook(tmp_path / "varied.xlsx"))
    try:
        rows = source.table.to_pylist()
    finally:
        source.close()
    assert source.sheet == "Data" and source.header_row == 3
    received = [row["Date received"] for row in rows]
    assert received[:8] == [
        "2020-05-01",
        "2020-05-01 14:05:09",
        "2021-01-02",
        "14:05:00",
        "1 day, 2:00:00",
        "43553",
        "43553.5",
        "43553.123456789",
    ]
    assert received[VALUES.index("  padded ")] == "padded"
    assert received[VALUES.index("")] is None and received[VALUES.index(" ")] is None
    assert received[VALUES.index("ü 😀 Ελληνικά")] == "ü 😀 Ελληνικά"
    assert received[VALUES.index("0042")] == "0042"  # a number stored as text keeps its zeros
    assert [row["Timely response?"] for row in rows[:2]] == ["No", "Yes"]
    assert [row["Submitted via"] for row in rows[:3]] == ["Web", None, None]
    assert received[-6:] == ["2023-03-15", "1 day, 6:00:00", "06:00:00", "2023-03-15 18:00:00", "12.5", "5"]


def test_a_sheet_whose_data_begins_away_from_a1_keeps_its_columns(tmp_path):
    source = sources.open_source(_varied_workbook(tmp_path / "varied.xlsx"), sheet="Offset")
    try:
        assert source.header_row == 5
        assert source.columns[2:] == ["Date received", "Issue", "Complaint ID"]
        assert source.table.to_pylist() == [
            {"Column 1": None, "Column 2": None, "Date received": "2022-02-02", "Issue": "Fees", "Complaint ID": "7"},
            {"Column 1": None, "Column 2": None, "Date received": None, "Issue": "Wait", "Complaint ID": None},
        ]
    finally:
        source.close()


@pytest.mark.parametrize("reader", [workbooks.NativeWorkbook, workbooks.OpenpyxlWorkbook])
def test_a_number_shown_as_a_percentage_reads_as_the_sheet_shows_it(tmp_path, reader):
    read = workbooks.read_workbook(_varied_workbook(tmp_path / "varied.xlsx"), sheet="Scores", reader=reader)
    assert read.header_row == 3
    assert [row["Score"] for row in read.table.to_pylist()] == PERCENT_TEXTS


def _without_cell_references(path, target):
    """The workbook as a writer that leaves out each cell's reference (r="C4") saves it: the
    format allows it, and a cell's place is then counted along its row."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = re.sub(rb' r="[A-Z]+[0-9]+"', b"", content)
            copy.writestr(item, content)
    return target


@pytest.mark.parametrize("reader", [workbooks.NativeWorkbook, workbooks.OpenpyxlWorkbook])
def test_percentages_keep_their_places_in_a_workbook_without_cell_references(tmp_path, reader):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Employee number", "Score", "Pass rate"])
    for number, (value, number_format) in enumerate(PERCENTS):
        sheet.append([f"E-{number}", value, 0.5])
        sheet.cell(row=sheet.max_row, column=2).number_format = number_format
    sheet.cell(row=2, column=3).number_format = "0%"
    workbook.save(tmp_path / "scores.xlsx")
    path = _without_cell_references(tmp_path / "scores.xlsx", tmp_path / "unreferenced.xlsx")
    rows = workbooks.read_workbook(path, reader=reader).table.to_pylist()
    assert [row["Score"] for row in rows] == PERCENT_TEXTS
    assert [row["Pass rate"] for row in rows[:3]] == ["50%", "0.5", "0.5"]


def test_a_damaged_workbook_is_refused_in_words(tmp_path):
    path = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet name='A' r:id='rId1'/>")
    with pytest.raises(InputError, match="could not be opened as an Excel workbook"):
        sources.open_source(path)
