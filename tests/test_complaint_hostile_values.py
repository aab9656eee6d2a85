"""No traceback from any file: every portal field, read from CSV and from XLSX, takes a list
of hostile values and each becomes a stored value or a rejected row naming its row, column
and reason; numbers beyond any range are rejections; rows and headers beyond the reader's
limit are refused in words that name the limit and the row."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from models.access import Role
from models.complaints import conversion, field_mapping, importer, sources
from models.complaints.analysis import PORTAL_FIELDS
from models.complaints.field_mapping import Preset
from models.complaints.importer import ImportMode, ImportRejectedError
from models.errors import InputError
from tests.complaints_support import TEMPLATE_HEADER, complaint, write_csv

HOSTILE = [
    *("nan", "NaN", "-nan", "inf", "-inf", "Infinity", "-Infinity", "infinity", "1e309", "-1e309", "1e-400"),
    *("9" * 400, "-" + "9" * 400, "0." + "0" * 399 + "1", "2147483648", "-2147483649", "1e10", "99999", "-1"),
    *("0x1F", "1_000", "1,5", "1.5", "-0", "+7", "٣", "Ⅻ", "¹²"),
    *("epoch", "0000-01-01", "99999-01-01", "5881580-07-11", "-5877641-06-25", "2019-03-29 (BC)", "294247-01-10"),
    *("2019-02-30", "13/13/13", "0/0/0", "2019-03-29 garbage", "43553.999999", "2958466", "1/1/1"),
    *("=1+1", "@SUM(A1)", "\u202eevil", "😀" * 3, "x" * 501, "a\tb", "NULL", "None", '"', "''", "true", "Yes "),
]
XLSX_NUMBERS = [1e308, -1e308, 10**30, -(10**30), 43553.5, 0.1, -0.0]


@pytest.fixture
def analyst(make_user):
    return make_user(Role.ANALYST)


def _row(key: str, value: str, number: int) -> list[str]:
    values = {"received_date": "2024-01-02", "category": "Fees", "external_id": f"H{number}", key: value}
    return complaint(values.pop("received_date"), values.pop("category"), **values)


def _csv(tmp_path, key: str):
    rows = [_row(key, value, n) for n, value in enumerate(HOSTILE, start=1)]
    return write_csv(tmp_path / f"{key}.csv", TEMPLATE_HEADER, rows)


def _xlsx(tmp_path, key: str):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(TEMPLATE_HEADER)
    for n, value in enumerate([*HOSTILE, *XLSX_NUMBERS], start=1):
        sheet.append(_row(key, value, n))
    path = tmp_path / f"{key}.xlsx"
    workbook.save(path)
    return path, len(HOSTILE) + len(XLSX_NUMBERS)


def _orders(key: str) -> dict[str, str]:
    return {key: "MDY"} if key in ("received_date", "resolution_date") else {}


def _check_every_row_is_stored_or_rejected(db, user, path, key: str, rows: int) -> None:
    source = sources.open_source(path)
    try:
        mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
        conversion.preview(source, mapping, limit=rows, orders=_orders(key))
        report = importer.import_complaints(db, user, source, mapping, ImportMode.VALID_ROWS, orders=_orders(key))
    finally:
        source.close()
    label = next(f.label for f in PORTAL_FIELDS if f.key == key)
    assert report.records_read == rows
    for rejection in report.rejections:
        assert 1 <= rejection.record <= rows and rejection.reason
        assert rejection.column == label, rejection
    assert report.imported + report.rejected_records + report.already_present + report.repeated_in_file == rows


@pytest.mark.parametrize("key", [field.key for field in PORTAL_FIELDS])
def test_every_field_takes_every_hostile_value_from_csv_without_a_traceback(db, analyst, tmp_path, key):
    _check_every_row_is_stored_or_rejected(db, analyst, _csv(tmp_path, key), key, len(HOSTILE))


@pytest.mark.parametrize("key", [field.key for field in PORTAL_FIELDS])
def test_every_field_takes_every_hostile_value_from_xlsx_without_a_traceback(db, analyst, tmp_path, key):
    path, rows = _xlsx(tmp_path, key)
    _check_every_row_is_stored_or_rejected(db, analyst, path, key, rows)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("nan", "not a number of days"),
        ("inf", "not a number of days"),
        ("-Infinity", "not a number of days"),
        ("1e309", "not a number of days"),
        ("9" * 400, "not a number of days"),
        ("2147483648", "use a number of days from 0 to 36,500"),
        ("36501", "use a number of days from 0 to 36,500"),
        ("-3", "use a number of days from 0 to 36,500"),
        ("three", "not a number of days"),
    ],
)
def test_numbers_nobody_can_store_become_rejected_rows_with_row_column_and_reason(db, analyst, tmp_path, value, reason):
    rows = [
        complaint("2024-01-02", "Fees", resolution_days="3"),
        complaint("2024-01-03", "Fees", resolution_days=value),
    ]
    path = write_csv(tmp_path / "days.csv", TEMPLATE_HEADER, rows)
    source = sources.open_source(path)
    mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
    report = importer.import_complaints(db, analyst, source, mapping, ImportMode.VALID_ROWS)
    assert report.imported == 1
    [rejection] = report.rejections
    assert (rejection.record, rejection.column, rejection.reason) == (2, "Resolution days", reason)
    assert rejection.value == value[:60]


@pytest.mark.parametrize("value", ["infinity", "-infinity", "-5877641-06-25", "5881580-07-11", "epoch"])
def test_dates_beyond_any_calendar_are_rejected_rows_in_both_date_fields(db, analyst, tmp_path, value):
    rows = [
        complaint("2024-01-02", "Fees", resolution_date="2024-01-05"),
        complaint(value, "Fees"),
        complaint("2024-01-02", "Wait", resolution_date=value),
    ]
    source = sources.open_source(write_csv(tmp_path / "dates.csv", TEMPLATE_HEADER, rows))
    mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
    with pytest.raises(ImportRejectedError) as refused:
        importer.import_complaints(db, analyst, source, mapping, ImportMode.ALL_OR_NOTHING)
    assert [(r.record, r.column) for r in refused.value.report.rejections] == [
        (2, "Received date"),
        (3, "Resolution date"),
    ]
    assert db.scalar("SELECT count(*) FROM complaints") == 0


def _open(tmp_path, content: bytes, name: str = "big.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return sources.open_source(path)


def test_a_row_larger_than_the_readers_limit_is_named_with_the_limit(db, analyst, tmp_path):
    header = ",".join(TEMPLATE_HEADER).encode()
    narrative = b"x" * (sources.MAX_ROW_BYTES + 10)
    content = header + b"\n2024-01-01,,,Fees\n2024-01-02,,,Fees\n2024-01-03,,,Fees,," + narrative + b"\n"
    source = _open(tmp_path, content)
    mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
    with pytest.raises(InputError) as refused:
        importer.import_complaints(db, analyst, source, mapping, ImportMode.VALID_ROWS)
    message = str(refused.value)
    assert "row 3 is larger than 2,000,000 bytes, the most one row may hold" in message
    assert "Line" not in message and "max_line_size" not in message
    assert db.scalar("SELECT count(*) FROM complaints") == 0


def test_a_first_row_larger_than_the_limit_is_named_as_row_1_not_the_header(db, analyst, tmp_path):
    content = b"Received date,Category / issue,Narrative\n2024-01-01,Fees," + b"x" * 3_000_000 + b"\n"
    source = _open(tmp_path, content)
    mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
    with pytest.raises(InputError, match="row 1 is larger than 2,000,000 bytes"):
        importer.import_complaints(db, analyst, source, mapping)


def test_a_header_larger_than_the_limit_is_refused_naming_the_line_and_the_limit(tmp_path):
    content = b"Received date,Category / issue," + b"N" * 2_100_000 + b"\n2024-01-01,Fees,x\n"
    with pytest.raises(InputError, match=r"line 1 is longer than 2,000,000 bytes, the most one row may hold"):
        _open(tmp_path, content)


def test_a_header_field_larger_than_pythons_csv_limit_is_read(db, analyst, tmp_path):
    """Python's csv module stops at 131,072 characters a field (``_csv.Error``, once shown as
    a traceback for a file with short rows); the portal's limit is the row's."""
    content = b"Received date,Category / issue," + b"N" * 200_000 + b"\n2024-01-01,Fees,x\n2024-01-02,Wait\n"
    source = _open(tmp_path, content)
    assert len(source.columns[2]) == 200_000
    mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
    assert importer.import_complaints(db, analyst, source, mapping).imported == 2
