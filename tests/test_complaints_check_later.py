"""A complaint file checked beside the reading (the command line's import): refused as the
check before the reading would refuse it, nothing stored, and read with the text rule."""

from __future__ import annotations

import hashlib

import pytest

from models.access import Role
from models.complaints import field_mapping, importer, sources
from models.errors import InputError
from tests.complaints_support import TEMPLATE_HEADER, complaint, write_csv

GOOD_ROWS = 10_000  # past the first 64 KiB the opening looks at


@pytest.fixture
def analyst(make_user):
    return make_user(Role.ANALYST)


def _file_ending_with(tmp_path, last_line: bytes):
    path = write_csv(
        tmp_path / "complaints.csv",
        TEMPLATE_HEADER,
        [complaint("2024-01-02", f"Fees {n}", external_id=f"E{n}") for n in range(GOOD_ROWS)],
    )
    path.write_bytes(path.read_bytes() + last_line)
    assert path.stat().st_size > 65536
    return path


def _import_checked_later(db, analyst, path):
    source = sources.open_source(path, check_later=True)
    try:
        mapping = field_mapping.suggest_mapping(source.columns, field_mapping.Preset.PORTAL)
        return importer.import_complaints(db, analyst, source, mapping)
    finally:
        source.close()


@pytest.mark.parametrize(
    ("last_line", "message"),
    [
        (b"2024-01-03,,,Caf\xe9 fees\n", r"not UTF-8 text \(byte 0xe9 on line 10002"),
        (b"2024-01-03,,,Wa\x00it\n", r"NUL character \(byte 0x00\) on line 10002"),
    ],
    ids=["bad byte", "NUL"],
)
def test_a_file_refused_by_the_check_beside_the_reading_stores_nothing(db, analyst, tmp_path, last_line, message):
    path = _file_ending_with(tmp_path, last_line)
    with pytest.raises(InputError, match=message):
        _import_checked_later(db, analyst, path)
    assert db.scalar("SELECT count(*) FROM complaints") == 0
    assert db.scalar("SELECT count(*) FROM complaint_imports") == 0


def test_a_line_break_and_control_character_past_the_start_are_read_with_the_text_rule(db, analyst, tmp_path):
    path = _file_ending_with(tmp_path, b'2024-01-03,,,Late fees,,"one\r\ntwo\x07",,,,,,,,X1\r\n')
    report = _import_checked_later(db, analyst, path)
    assert report.imported == GOOD_ROWS + 1
    assert db.query_one("SELECT category, narrative FROM complaints WHERE external_id = 'X1'") == {
        "category": "Late fees",
        "narrative": "one\ntwo",
    }
    recorded = db.scalar("SELECT file_sha256 FROM complaint_imports WHERE id = ?", [report.import_id])
    assert recorded == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_clean_file_checked_beside_the_reading_records_its_digest(db, analyst, tmp_path):
    path = _file_ending_with(tmp_path, b"")
    report = _import_checked_later(db, analyst, path)
    assert report.imported == GOOD_ROWS
    recorded = db.scalar("SELECT file_sha256 FROM complaint_imports WHERE id = ?", [report.import_id])
    assert recorded == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_whose_first_lines_are_long_is_checked_before_it_is_opened(tmp_path):
    """The header is searched for in the first twenty lines: when they do not all lie in the
    bytes looked at first, the whole file is checked at once, as without ``check_later``."""
    long_rows = [complaint("2024-01-02", "Fees", narrative="x" * 4000, external_id=f"L{n}") for n in range(25)]
    path = write_csv(tmp_path / "long.csv", TEMPLATE_HEADER, long_rows)
    path.write_bytes(path.read_bytes() + b"2024-01-03,,,Caf\xe9 fees\n")
    with pytest.raises(InputError, match=r"not UTF-8 text \(byte 0xe9 on line 27"):
        sources.open_source(path, check_later=True)
