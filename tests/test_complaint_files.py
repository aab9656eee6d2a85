"""Workbooks and odd files: the sheet and header row are found or chosen (page and command
line), a file is recognised by its content whatever its name, repeated column names are
named, and the CSV reader's problems reach the user in plain words naming the row."""

from __future__ import annotations

import io
import shutil

import pytest
from openpyxl import Workbook

from models import admin
from models.access import Role
from models.complaints import conversion, field_mapping, importer, sources
from models.complaints.field_mapping import Preset
from models.complaints.importer import ImportMode, ImportRejectedError
from models.db import Database
from models.errors import InputError
from tests.complaints_support import write_csv
from tests.conftest import add_person

CFPB_HEADER = ["Date received", "Issue", "Submitted via", "Complaint ID"]


@pytest.fixture
def analyst(make_user):
    return make_user(Role.ANALYST)


def _workbook(path, *, cover: bool = True, title_rows: int = 2):
    """A report as people export it: a cover sheet, then the data under a title."""
    workbook = Workbook()
    first = workbook.active
    first.title = "Cover"
    if cover:
        first.append(["Complaints report, March 2024"])
        first.append(["Prepared by", "Service quality team"])
        data = workbook.create_sheet("Data")
    else:
        data = first
        data.title = "Data"
    for number in range(title_rows):
        data.append([f"Title line {number + 1}"])
    data.append(CFPB_HEADER)
    data.append(["2024-03-01", "Fees", "Web", "1"])
    data.append(["2024-03-02", "Wait", "Phone", "2"])
    workbook.save(path)
    return path


def _import(db, user, source, preset=Preset.CFPB, mode=ImportMode.ALL_OR_NOTHING):
    try:
        mapping = field_mapping.suggest_mapping(source.columns, preset)
        return importer.import_complaints(db, user, source, mapping, mode)
    finally:
        source.close()


def test_a_workbook_whose_data_is_on_another_sheet_under_a_title_is_found_and_says_so(db, analyst, tmp_path):
    source = sources.open_source(_workbook(tmp_path / "report.xlsx"))
    assert (source.sheet, source.header_row, source.sheets) == ("Data", 3, ["Cover", "Data"])
    assert source.columns == CFPB_HEADER
    assert source.notes == [
        "Reading sheet 'Data' (found; the workbook has 2 sheets: Cover, Data).",
        "The header is on row 3 (found); the rows above it are skipped.",
    ]
    assert _import(db, analyst, source).imported == 2


def test_the_sheet_and_header_row_can_be_chosen(db, analyst, tmp_path):
    path = _workbook(tmp_path / "report.xlsx")
    source = sources.open_source(path, sheet="Data", header_row=3)
    assert source.notes[1] == "The header is on row 3 (chosen); the rows above it are skipped."
    assert _import(db, analyst, source).imported == 2
    title = sources.open_source(path, sheet="Data", header_row=1)
    assert title.columns == ["Title line 1"]
    title.close()


def test_choosing_the_wrong_sheet_says_where_the_complaints_are(tmp_path):
    path = _workbook(tmp_path / "report.xlsx")
    with pytest.raises(InputError, match="sheet 'Data' has a header on row 3 that names portal fields"):
        sources.open_source(path, sheet="Cover")  # its only rows: a title and who prepared it
    source = sources.open_source(path, sheet="Cover", header_row=1)
    mapping = field_mapping.suggest_mapping(source.columns, Preset.CFPB)
    with pytest.raises(InputError) as refused:
        conversion.preview(source, mapping)
    field, message = refused.value.problems[0]
    assert field == "File" and "none of its columns can be used" not in message
    assert "sheet 'Data' has a header on row 3 that names portal fields" in message


def test_choosing_a_title_row_as_header_says_which_row_names_the_columns(tmp_path):
    source = sources.open_source(_workbook(tmp_path / "report.xlsx", cover=False), header_row=1)
    mapping = field_mapping.suggest_mapping(source.columns, Preset.CFPB)
    with pytest.raises(InputError, match="sheet 'Data' has a header on row 3 that names portal fields"):
        field_mapping.check_mapping(mapping, source.columns, hint=source.hint)


def test_an_unknown_sheet_is_refused_naming_the_sheets(tmp_path):
    with pytest.raises(InputError, match=r"no sheet 'Summary' \(it has: Cover, Data\)"):
        sources.open_source(_workbook(tmp_path / "report.xlsx"), sheet="Summary")


def test_a_csv_with_a_title_line_finds_its_header_and_says_so(db, analyst, tmp_path):
    path = tmp_path / "titled.csv"
    path.write_text("Complaints export,,,\n\nDate received,Issue,Submitted via,Complaint ID\n2024-03-01,Fees,Web,1\n")
    source = sources.open_source(path)
    assert (source.header_row, source.columns) == (3, CFPB_HEADER)
    assert source.notes == ["The header is on line 3 (found); the lines above it are skipped."]
    assert _import(db, analyst, source).imported == 1
    wrong = sources.open_source(path, header_row=1)
    with pytest.raises(InputError, match="line 3 names portal fields: choose it as the header row"):
        conversion.preview(wrong, field_mapping.suggest_mapping(wrong.columns, Preset.CFPB))


def test_two_columns_with_the_same_name_are_named_in_the_mapping_step(db, analyst, tmp_path):
    path = write_csv(
        tmp_path / "twice.csv",
        ["Date received", "Issue", "Issue", "Submitted via", ""],
        [["2024-03-01", "Fees", "Late fee", "Web", "x"]],
    )
    source = sources.open_source(path)
    assert source.columns == ["Date received", "Issue", "Issue (2)", "Submitted via", "Column 5"]
    assert source.notes == ["2 columns are named 'Issue' (columns 2, 3); they are listed as 'Issue', 'Issue (2)'."]
    mapping = field_mapping.suggest_mapping(source.columns, Preset.CFPB) | {"sub_category": "Issue (2)"}
    importer.import_complaints(db, analyst, source, mapping)
    assert db.query_one("SELECT category, sub_category FROM complaints") == {
        "category": "Fees",
        "sub_category": "Late fee",
    }


def test_the_same_name_twice_in_a_workbook_is_named_too(tmp_path):
    workbook = Workbook()
    workbook.active.append(["Date received", "Issue", "Issue"])
    workbook.active.append(["2024-03-01", "Fees", "Late fee"])
    workbook.save(tmp_path / "twice.xlsx")
    source = sources.open_source(tmp_path / "twice.xlsx")
    assert source.columns == ["Date received", "Issue", "Issue (2)"]
    assert "2 columns are named 'Issue'" in source.notes[0]


def test_a_workbook_named_csv_and_a_csv_named_xlsx_are_read_by_their_content(db, analyst, tmp_path):
    named_csv = tmp_path / "export.csv"
    shutil.copy(_workbook(tmp_path / "report.xlsx", cover=False, title_rows=0), named_csv)
    assert _import(db, analyst, sources.open_source(named_csv)).imported == 2
    named_xlsx = write_csv(tmp_path / "export.xlsx", CFPB_HEADER, [["2024-03-03", "Fees", "Web", "3"]])
    upload = sources.open_upload(named_xlsx.read_bytes(), "export.xlsx")
    assert upload.kind == "csv"
    assert _import(db, analyst, upload).imported == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, r"Excel 97-2003 workbook \(\.xls\)"),
        (None, "ZIP archive but not an Excel workbook"),
    ],
)
def test_other_formats_are_refused_by_what_they_are(tmp_path, content, message):
    path = tmp_path / "export.xlsx"
    if content is None:
        import zipfile

        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("complaints.csv", "Date received,Issue\n2024-01-01,Fees\n")
    else:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        sources.open_source(path)


def _lines(count: int) -> str:
    return "".join(f"2024-01-01,Fees {n}\n" for n in range(count))


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        ('2024-01-02,"Wait\n2024-01-03,Fees\n', "row 5001 has a quoted value that is not closed properly"),
        ('2024-01-02,"Wait" now\n', "row 5001 has a quoted value that is not closed properly"),
    ],
)
def test_csv_reader_problems_are_told_in_plain_words_naming_the_row(db, analyst, tmp_path, tail, expected):
    path = tmp_path / "broken.csv"
    path.write_text("Title of the export\nReceived date,Category / issue\n" + _lines(5000) + tail)
    source = sources.open_source(path)
    with pytest.raises(InputError) as refused:
        _import(db, analyst, source, Preset.PORTAL, ImportMode.VALID_ROWS)
    message = str(refused.value)
    assert expected in message
    for jargon in ("CSV Error on Line", "Set skip", "skip=", "strict_mode", "Possible fixes", "${n}"):
        assert jargon not in message
    assert db.scalar("SELECT count(*) FROM complaints") == 0


def test_a_row_with_more_values_than_columns_is_a_rejected_row_not_silently_cut(db, analyst, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("Received date,Category / issue\n" + _lines(3) + "2024-01-02,Wait,unexpected\n2024-01-03\n")
    source = sources.open_source(path)
    mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
    with pytest.raises(ImportRejectedError) as refused:
        importer.import_complaints(db, analyst, source, mapping)
    assert [(r.record, r.column, r.reason) for r in refused.value.report.rejections] == [
        (4, "Row", "it has more values than the header names columns"),
        (5, "Category / issue", "the category is missing"),
    ]


def test_the_command_line_chooses_sheet_header_row_and_date_order(tmp_path):
    db_path = tmp_path / "cli.duckdb"
    database = Database(db_path)
    database.migrate()
    add_person(database, Role.ANALYST, username="ann")
    database.close()
    workbook = Workbook()
    workbook.active.title = "Notes"
    sheet = workbook.create_sheet("Export")
    sheet.append(["Exported on 5/3/24"])
    sheet.append(["Date received", "Issue"])
    sheet.append(["5/3/24", "Fees"])
    sheet.append(["6/4/24", "Wait"])
    workbook.save(tmp_path / "export.xlsx")

    def run(*arguments: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        argv = ["--db", str(db_path), "import-complaints", str(tmp_path / "export.xlsx"), "--as", "ann", *arguments]
        return admin.main(argv, stdout=out, stderr=err), out.getvalue(), err.getvalue()

    code, out, err = run("--preset", "cfpb")
    assert code == 1 and "fit month/day/year and day/month/year equally" in err, err
    assert "Reading sheet 'Export' (found" in out and "The header is on row 2 (found)" in out
    code, out, err = run(
        "--preset", "cfpb", "--sheet", "Export", "--header-row", "2", "--date-order", "received_date=dmy"
    )
    assert code == 0, err
    assert "received_date (Date received): read as day/month/year (--date-order)" in out
    database = Database(db_path)
    assert [str(r["received_date"]) for r in database.query("SELECT received_date FROM complaints ORDER BY id")] == [
        "2024-03-05",
        "2024-04-06",
    ]
    database.close()
    code, _, err = run("--date-order", "received_date=YDM")
    assert code == 1 and "use FIELD=YMD, FIELD=MDY or FIELD=DMY" in err


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_an_upload_nobody_closes_leaves_no_temporary_folder_behind(encoding):
    """A browser session that ends mid-import never calls close(): forgetting the file is enough."""
    import gc
    import tempfile
    from pathlib import Path

    def folders() -> set[str]:
        return {path.name for path in Path(tempfile.gettempdir()).glob("complaints-*")}

    before = folders()
    data = "Date received,Issue\n2024-03-01,Fees\n".encode(encoding)
    source = sources.open_upload(data, "complaints.csv", encoding=encoding)
    assert folders() - before, "the upload is kept in a temporary folder while it is in use"
    del source
    gc.collect()
    assert folders() == before
