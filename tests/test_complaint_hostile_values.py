"""No traceback from any file: numbers nobody can store are rejected rows naming their row,
column and reason; rows and headers beyond the reader's limit are refused in words that name
the limit and the row."""

from __future__ import annotations

import pytest

from models.access import Role
from models.complaints import field_mapping, importer, sources
from models.complaints.field_mapping import Preset
from models.complaints.importer import ImportMode
from models.errors import InputError
from tests.complaints_support import TEMPLATE_HEADER, complaint, write_csv


@pytest.fixture
def analyst(make_user):
    return make_user(Role.ANALYST)


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
