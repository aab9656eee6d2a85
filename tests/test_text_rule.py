"""The portal's one rule for imported text: CRLF and a lone CR become LF, tab is kept,
other control characters are removed, values are trimmed; a NUL anywhere in a CSV refuses
the file naming its line. The same rule holds for CSV in any encoding and for XLSX cells."""

from __future__ import annotations

import random

import pytest
from openpyxl import Workbook

from models.access import Role
from models.complaints import field_mapping, importer, sources, text_files
from models.complaints.field_mapping import Preset
from models.errors import InputError
from models.text import clean_text, needs_normalising, normalise_text, normalise_utf8
from tests.complaints_support import TEMPLATE_HEADER, complaint, write_csv


@pytest.fixture
def analyst(make_user):
    return make_user(Role.ANALYST)


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [
        ("first\r\nsecond\rthird\nfourth", "first\nsecond\nthird\nfourth"),
        ("tab\tkept", "tab\tkept"),
        ("bell\x07 escape\x1b[31m red\x1b[0m", "bell escape[31m red[0m"),
        ("nul\x00 and delete\x7f and c1\x85\x9b gone", "nul and delete and c1 gone"),
        ("  \u00a0 trimmed \t\n", "trimmed"),
        ("\r\n\r\n", None),
        ("", None),
        (None, None),
        ("Café — 😀 kept", "Café — 😀 kept"),
        ("no\ufffe non\uffffcharacters, \ufffd kept", "no noncharacters, \ufffd kept"),
    ],
)
def test_clean_text_applies_the_rule(value, cleaned):
    assert clean_text(value) == cleaned


def test_the_rule_on_utf8_bytes_is_the_rule_on_text():
    rng = random.Random(2026)
    alphabet = ["a", "é", "€", "\r", "\n", "\t", "\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f", "\xa0", "😀", " "]
    alphabet += ["\ufffd", "\ufffe", "\uffff", "\ufffc"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
        assert normalise_utf8(text.encode()).decode() == normalise_text(text)


def test_a_file_needs_the_rule_exactly_when_the_rule_changes_it():
    """Every byte value, alone, after the first bytes of U+FFFE and U+FFFF (EF BF), or far into
    a large chunk (past the slices compared at once), and random mixtures: the file is copied
    with the rule applied exactly when that changes it."""
    padding = b"plain text, tab\t and line feed\n " * 40_000
    for value in range(256):
        for before in (b"", b"\xef\xbf"):
            for chunk in (before + bytes([value]), padding + before + bytes([value]) + b"x"):
                assert needs_normalising(chunk) == (normalise_utf8(chunk) != chunk), (before, value)
    rng = random.Random(7)
    alphabet = ["a", "é", "€", "\r", "\n", "\t", "\x01", "\x0b", "\x1f", "\x7f", "\x85", "\xa0", "😀"]
    alphabet += ["\ufffd", "\ufffe", "\uffff", "\ufffc"]
    for _ in range(2000):
        chunk = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12))).encode()
        assert needs_normalising(chunk) == (normalise_utf8(chunk) != chunk), chunk


@pytest.mark.parametrize("start", ["", "a", "ab"])
def test_a_file_copied_in_small_chunks_loses_nothing_at_the_chunk_edges(tmp_path, monkeypatch, start):
    monkeypatch.setattr(text_files, "_CHUNK", 3)
    text = start + "a\r\nb\rc\x85d\r\n\r\ne\u0080f\ufffeg\uffff\ufffdh\r"
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_bytes(text.encode())
    text_files.normalise_copy(source, target)
    assert target.read_bytes().decode() == normalise_text(text)


@pytest.mark.parametrize("start", ["", "a", "ab"])
@pytest.mark.parametrize("removed", ["\x85", "\ufffe", "\uffff"])
def test_a_character_the_rule_removes_is_found_when_the_file_is_read_in_pieces_across_it(
    tmp_path, monkeypatch, start, removed
):
    monkeypatch.setattr(text_files, "_CHUNK", 2)
    path = tmp_path / "in.csv"
    path.write_bytes((start + removed + "end").encode())
    assert text_files.check_utf8(path).needs_normalising
    path.write_bytes((start + "\ufffd" + "end").encode())
    assert not text_files.check_utf8(path).needs_normalising


def test_noncharacters_in_an_imported_narrative_are_removed(db, analyst, tmp_path):
    """U+FFFE and U+FFFF are valid UTF-8 that no text holds; kept, they made every XLSX download
    of the complaint a damaged workbook."""
    row = complaint("2024-01-02", "Fees\uffff", narrative="sent \ufffetwice\uffff, replacement \ufffd kept")
    report = _import(db, analyst, write_csv(tmp_path / "noncharacters.csv", TEMPLATE_HEADER, [row]))
    assert report.imported == 1
    assert db.query_one("SELECT category, narrative FROM complaints") == {
        "category": "Fees",
        "narrative": "sent twice, replacement \ufffd kept",
    }


def _import(db, user, path, **options):
    source = sources.open_source(path, **options)
    try:
        mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
        return importer.import_complaints(db, user, source, mapping)
    finally:
        source.close()


def test_mixed_line_endings_lose_no_character(db, analyst, tmp_path):
    """A bare CR ended a line; the record after it lost its first character."""
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        b"Received date,Category / issue,Channel\r\n"
        b"2024-01-01,Fees,Phone\r"
        b"2024-01-02,Wait,Email\n"
        b"2024-01-03,Other,Web\r\n"
        b'2024-01-04,"Two\rlines",Chat\r'
    )
    report = _import(db, analyst, path)
    assert report.imported == 4
    rows = db.query("SELECT received_date::VARCHAR AS day, category, channel FROM complaints ORDER BY id")
    assert rows == [
        {"day": "2024-01-01", "category": "Fees", "channel": "Phone"},
        {"day": "2024-01-02", "category": "Wait", "channel": "Email"},
        {"day": "2024-01-03", "category": "Other", "channel": "Web"},
        {"day": "2024-01-04", "category": "Two\nlines", "channel": "Chat"},
    ]


def test_control_characters_are_removed_from_every_field(db, analyst, tmp_path):
    row = complaint(
        "2024-01-0\x012",
        "Fe\x1b[1mes\x7f",
        narrative="line one\r\nline two\rline three\x0c",
        channel="\x08Phone\x1f",
        external_id="E\x0b1",
    )
    _import(db, analyst, write_csv(tmp_path / "controls.csv", TEMPLATE_HEADER, [row]))
    stored = db.query_one(
        "SELECT received_date::VARCHAR AS day, category, narrative, channel, external_id FROM complaints"
    )
    assert stored == {
        "day": "2024-01-02",
        "category": "Fe[1mes",
        "narrative": "line one\nline two\nline three",
        "channel": "Phone",
        "external_id": "E1",
    }


def test_a_nul_far_into_the_file_refuses_it_naming_the_line(db, analyst, tmp_path):
    path = tmp_path / "nul.csv"
    good = "".join(f"2024-01-01,Fees {n}\n" for n in range(10_000)).encode()
    path.write_bytes(b"Received date,Category / issue\n" + good + b"2024-01-02,Wa\x00it\n")
    assert path.stat().st_size > 65536
    with pytest.raises(InputError, match=r"NUL character \(byte 0x00\) on line 10002"):
        sources.open_source(path)
    assert db.scalar("SELECT count(*) FROM complaints") == 0


def test_a_nul_in_a_file_of_another_encoding_is_refused_too(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"Received date,Category / issue\n2024-01-01,Caf\xe9\n2024-01-02,Wa\x00it\n")
    with pytest.raises(InputError, match="NUL character .* on line 3"):
        sources.open_source(path, encoding="cp1252")


def test_the_same_complaint_from_csv_in_any_encoding_and_from_xlsx_is_the_same_text(db, analyst, tmp_path):
    """One rule: the second and third files add nothing, their text being the first one's."""
    row = complaint("2024-01-02", "Café fees\x1b", narrative="one\r\ntwo\rthree\x07", channel=" Phone\t")
    report = _import(db, analyst, write_csv(tmp_path / "utf8.csv", TEMPLATE_HEADER, [row], newline="\r\n"))
    assert report.imported == 1
    latin = tmp_path / "cp1252.csv"
    latin.write_bytes((tmp_path / "utf8.csv").read_text(encoding="utf-8").encode("cp1252"))
    assert _import(db, analyst, latin, encoding="cp1252").already_present == 1
    workbook = Workbook()  # a worksheet cannot hold ESC or BEL; CR it can
    workbook.active.append(TEMPLATE_HEADER)
    workbook.active.append([value.replace("\x1b", "").replace("\x07", "") for value in row])
    workbook.save(tmp_path / "cells.xlsx")
    assert _import(db, analyst, tmp_path / "cells.xlsx").already_present == 1
    assert db.query_one("SELECT category, narrative, channel FROM complaints") == {
        "category": "Café fees",
        "narrative": "one\ntwo\nthree",
        "channel": "Phone",
    }
