"""Complaint import: mapping, parsing of real-world exports, modes, idempotence and errors."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest
from openpyxl import Workbook

from models.access import PermissionDeniedError, Role
from models.complaints import conversion, field_mapping, importer, sources, text_files
from models.complaints.field_mapping import Preset
from models.complaints.importer import ImportMode, ImportRejectedError
from models.errors import InputError
from tests.complaints_support import TEMPLATE_HEADER, complaint, import_rows, write_csv


@pytest.fixture
def analyst(make_user):
    return make_user(Role.ANALYST)


def _import(db, user, path, mode=ImportMode.ALL_OR_NOTHING, preset=Preset.PORTAL, **options):
    source = sources.open_source(path, **options)
    try:
        mapping = field_mapping.suggest_mapping(source.columns, preset)
        return importer.import_complaints(db, user, source, mapping, mode)
    finally:
        source.close()


def _count(db) -> int:
    return db.scalar("SELECT count(*) FROM complaints")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-03-29", date(2019, 3, 29)),
        ("2019/3/29", date(2019, 3, 29)),
        ("3/29/19", date(2019, 3, 29)),
        ("3/18/20", date(2020, 3, 18)),
        ("03/29/2019", date(2019, 3, 29)),
        ("43553", date(2019, 3, 29)),  # Excel serial: days since 1899-12-30
        ("2019-03-29 14:05:00", date(2019, 3, 29)),
    ],
)
def test_each_date_form_is_read(db, analyst, tmp_path, text, expected):
    import_rows(db, analyst, tmp_path, [complaint(text, "Fees")])
    assert db.scalar("SELECT received_date FROM complaints") == expected
    assert db.scalar("SELECT received_month FROM complaints") == expected.replace(day=1)


def test_multi_line_narratives_and_crlf_line_ends_are_kept_and_rows_numbered_by_record(db, analyst, tmp_path):
    narrative = 'First line of my complaint.\r\nSecond line, with a comma and "quotes".\r\n\r\nSigned.'
    rows = [
        complaint("2024-01-02", "Fees", narrative=narrative, external_id="A1"),
        complaint("2024-01-03", "Fees", external_id="A2"),
        complaint("not a date", "Fees", external_id="A3"),
    ]
    path = write_csv(tmp_path / "crlf.csv", TEMPLATE_HEADER, rows, newline="\r\n")
    report = _import(db, analyst, path, ImportMode.VALID_ROWS)
    assert report.imported == 2
    stored = db.scalar("SELECT narrative FROM complaints WHERE external_id = 'A1'")
    assert stored == narrative.replace("\r\n", "\n")
    assert db.scalar("SELECT category FROM complaints WHERE external_id = 'A2'") == "Fees"  # no stray \r
    [rejection] = report.rejections
    assert (rejection.record, rejection.column, rejection.value) == (3, "Received date", "not a date")
    assert "not a date" in rejection.reason


def test_reimporting_the_same_file_adds_nothing_twice(db, analyst, tmp_path):
    rows = [complaint("2024-01-02", "Fees", external_id="X1"), complaint("2024-01-03", "Wait", external_id="X2")]
    first = import_rows(db, analyst, tmp_path, rows)
    second = import_rows(db, analyst, tmp_path, rows)
    assert (first.imported, second.imported, second.already_present) == (2, 0, 2)
    assert _count(db) == 2


def test_without_external_id_the_content_hash_recognises_the_same_complaint_in_another_date_form(db, analyst, tmp_path):
    import_rows(db, analyst, tmp_path, [complaint("2024-03-29", "Fees", channel="Phone")], "a.csv")
    report = import_rows(
        db,
        analyst,
        tmp_path,
        [complaint("3/29/2024", "Fees", channel="Phone"), complaint("3/29/2024", "Fees", channel="Email")],
        "b.csv",
    )
    assert (report.imported, report.already_present) == (1, 1)
    assert _count(db) == 2


def test_a_row_repeated_inside_one_file_is_stored_once(db, analyst, tmp_path):
    rows = [complaint("2024-01-02", "Fees", external_id="D1"), complaint("2024-01-05", "Fees", external_id="D1")]
    report = import_rows(db, analyst, tmp_path, rows)
    assert (report.imported, report.repeated_in_file) == (1, 1)
    assert db.scalar("SELECT received_date FROM complaints") == date(2024, 1, 2)  # the first one wins


def test_all_or_nothing_refuses_the_whole_file_and_leaves_the_data_as_it_was(db, analyst, tmp_path):
    import_rows(db, analyst, tmp_path, [complaint("2024-01-02", "Fees", external_id="K1")], "before.csv")
    before = db.query("SELECT * FROM complaints ORDER BY id")
    imports_before = db.scalar("SELECT count(*) FROM complaint_imports")
    rows = [
        complaint("2024-02-01", "Fees", external_id="K2"),
        complaint("2024-02-02", "", external_id="K3"),
        complaint("2024-02-03", "Wait", timely="perhaps", external_id="K4"),
    ]
    path = write_csv(tmp_path / "bad.csv", TEMPLATE_HEADER, rows)
    with pytest.raises(ImportRejectedError) as refused:
        _import(db, analyst, path, ImportMode.ALL_OR_NOTHING)
    report = refused.value.report
    assert not report.stored and report.rejected_records == 2
    assert [(r.record, r.column) for r in report.rejections] == [(2, "Category / issue"), (3, "Timely response")]
    assert db.query("SELECT * FROM complaints ORDER BY id") == before
    assert db.scalar("SELECT count(*) FROM complaint_imports") == imports_before


def test_valid_rows_mode_stores_the_good_rows_and_lists_the_rest(db, analyst, tmp_path):
    rows = [
        complaint("2024-02-01", "Fees"),
        complaint("2024-02-02", "Fees", resolution_date="2024-01-01"),
        complaint("2024-02-03", "Fees", resolution_days="-3"),
        complaint("2024-02-04", "Fees", resolution_days="4"),
    ]
    path = write_csv(tmp_path / "mixed.csv", TEMPLATE_HEADER, rows)
    report = _import(db, analyst, path, ImportMode.VALID_ROWS)
    assert (report.imported, report.rejected_records, report.stored) == (2, 2, True)
    assert [(r.record, r.column) for r in report.rejections] == [(2, "Resolution date"), (3, "Resolution days")]
    assert "before the received date" in report.rejections[0].reason
    assert db.scalar("SELECT resolution_days FROM complaints WHERE received_date = '2024-02-04'") == 4


def test_a_failure_part_way_through_stores_nothing(db, analyst, tmp_path):
    path = write_csv(tmp_path / "ok.csv", TEMPLATE_HEADER, [complaint("2024-02-01", "Fees")])
    source = sources.open_source(path)
    mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)

    def fail_while_storing(share, text):
        if share >= 0.85:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        importer.import_complaints(db, analyst, source, mapping, progress=fail_while_storing)
    assert _count(db) == 0
    assert db.scalar("SELECT count(*) FROM complaint_imports") == 0


def test_text_fields_are_limited_in_characters_not_bytes(db, analyst, tmp_path):
    limit = field_mapping.MAX_TEXT_LENGTH
    rows = [
        complaint("2024-02-01", "Fees", sub_category="é" * limit),  # twice as many bytes: accepted
        complaint("2024-02-02", "Fees", sub_category="x" * (limit + 1)),
    ]
    path = write_csv(tmp_path / "long.csv", TEMPLATE_HEADER, rows)
    report = _import(db, analyst, path, ImportMode.VALID_ROWS)
    assert (report.imported, report.rejected_records) == (1, 1)
    assert [(r.record, r.column, r.reason) for r in report.rejections] == [
        (2, "Sub-category", f"longer than {limit} characters")
    ]


def test_resolution_days_come_from_the_resolution_date(db, analyst, tmp_path):
    import_rows(db, analyst, tmp_path, [complaint("2024-02-01", "Fees", resolution_date="2024/2/11", timely="No")])
    row = db.query_one("SELECT resolution_days, timely FROM complaints")
    assert row == {"resolution_days": 10, "timely": False}


def test_the_import_is_audited_as_one_entry(db, analyst, tmp_path):
    report = import_rows(db, analyst, tmp_path, [complaint("2024-02-01", "Fees"), complaint("2024-02-02", "Wait")])
    entries = db.query("SELECT actor_id, entity_id, after_json FROM audit_log WHERE entity = 'complaint_import'")
    assert len(entries) == 1
    assert entries[0]["actor_id"] == analyst.employee_id and entries[0]["entity_id"] == str(report.import_id)
    assert '"imported": 2' in entries[0]["after_json"]


@pytest.mark.parametrize("role", [Role.AGENT, Role.LEADERSHIP, Role.HR, Role.TEAM_LEAD, Role.ADMIN])
def test_only_analysts_may_import(db, make_user, tmp_path, role):
    with pytest.raises(PermissionDeniedError):
        import_rows(db, make_user(role), tmp_path, [complaint("2024-02-01", "Fees")])
    assert _count(db) == 0


def test_an_empty_file_gets_a_clear_message(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        sources.open_source(path)


def test_a_header_without_rows_gets_a_clear_message(tmp_path):
    path = write_csv(tmp_path / "header.csv", TEMPLATE_HEADER, [])
    with pytest.raises(InputError, match="no complaints"):
        sources.open_source(path)


def test_a_file_with_no_usable_column_is_refused_naming_its_columns(tmp_path):
    path = write_csv(tmp_path / "other.csv", ["Name", "Score"], [["Ann", "3"]])
    source = sources.open_source(path)
    mapping = field_mapping.suggest_mapping(source.columns, Preset.CFPB)
    with pytest.raises(InputError) as refused:
        field_mapping.check_mapping(mapping, source.columns)
    assert "none of its columns can be used" in str(refused.value) and "Name, Score" in str(refused.value)


def test_a_mapping_to_a_missing_column_names_the_field(tmp_path):
    path = write_csv(tmp_path / "t.csv", ["When", "What"], [["2024-01-01", "Fees"]])
    source = sources.open_source(path)
    with pytest.raises(InputError) as refused:
        field_mapping.check_mapping({"received_date": "When", "category": "Topic"}, source.columns)
    assert refused.value.problems == [("Category / issue", "column 'Topic' is not in the file")]


def test_undecodable_bytes_are_refused_with_the_line_and_can_be_read_as_windows_1252(db, analyst, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"Received date,Category / issue\n2024-01-01,Caf\xe9 fees\n")
    with pytest.raises(InputError, match=r"not UTF-8 text \(byte 0xe9 on line 2"):
        sources.open_source(path)
    _import(db, analyst, path, encoding="cp1252")
    assert db.scalar("SELECT category FROM complaints") == "Café fees"


def test_a_file_chosen_as_latin_1_keeps_the_quotes_dashes_and_euro_signs_windows_1252_wrote(db, analyst, tmp_path):
    """Read as Windows-1252, as browsers read a file labelled Latin-1: as pure Latin-1 the
    bytes 0x80-0x9F would be control characters, removed from the stored text."""
    path = tmp_path / "latin.csv"
    path.write_bytes(b"Received date,Category / issue\n2024-01-01,q \x93caf\xe9\x94 \x96 5 \x80 fee\x81s\n")
    _import(db, analyst, path, encoding="latin-1")
    # 0x81 means nothing in Windows-1252: read as Latin-1, a control character the text rule removes
    assert db.scalar("SELECT category FROM complaints") == "q \u201ccaf\u00e9\u201d \u2013 5 \u20ac fees"


@pytest.mark.parametrize("chunk", [7, 8 * 1024 * 1024], ids=["read in small pieces", "read at once"])
def test_a_byte_windows_1252_leaves_undefined_is_refused_naming_its_line(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(text_files, "_CHUNK", chunk)
    path = tmp_path / "cp1252.csv"
    path.write_bytes(b"Received date,Category / issue\n2024-01-01,Caf\xe9\n2024-01-02,Fee\x81s\n")
    with pytest.raises(InputError) as refused:
        sources.open_source(path, encoding="cp1252")
    assert refused.value.problems == [
        (
            "File",
            "it cannot be read as Windows-1252 (Western European): byte 0x81 on line 3, position 62, stands for "
            "no character in it. Choose the file's encoding (for example UTF-8 or Latin-1) or save it as UTF-8 CSV.",
        )
    ]


def test_a_character_split_between_read_chunks_is_read_and_a_bad_byte_still_found(tmp_path, monkeypatch):
    monkeypatch.setattr(text_files, "_CHUNK", 7)  # split multi-byte characters across reads
    good = write_csv(tmp_path / "good.csv", TEMPLATE_HEADER, [complaint("2024-01-02", "Frais bancaires élevés €")])
    sources.open_source(good).close()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(good.read_bytes() + b"2024-01-03,,,Caf\xc3(\n")
    with pytest.raises(InputError, match=r"not UTF-8 text \(byte 0xc3 on line 3"):
        sources.open_source(bad)


def test_spaces_around_values_are_trimmed_and_inner_spaces_kept(db, analyst, tmp_path):
    nbsp = "\u00a0"
    row = complaint(" 2024-01-02 ", f"{nbsp}Fees and  charges ", channel="  ", unit=f" Café{nbsp}", external_id=" X1")
    import_rows(db, analyst, tmp_path, [row])
    stored = db.query_one("SELECT received_date, category, channel, unit, external_id FROM complaints")
    assert stored == {
        "received_date": date(2024, 1, 2),
        "category": "Fees and  charges",
        "channel": None,
        "unit": "Café",
        "external_id": "X1",
    }


def test_binary_data_is_refused(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match="binary"):
        sources.open_source(path)


def test_an_oversized_upload_is_refused_before_it_is_read():
    with pytest.raises(InputError, match="largest upload accepted is 1 MiB"):
        sources.open_upload(b"x" * (1024 * 1024 + 1), "big.csv", max_bytes=1024 * 1024)


def test_semicolon_separated_files_are_read(db, analyst, tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("Received date;Category / issue;Channel\n2024-01-01;Fees;Phone\n", encoding="utf-8")
    _import(db, analyst, path)
    assert db.query_one("SELECT category, channel FROM complaints") == {"category": "Fees", "channel": "Phone"}


def test_rows_shorter_than_the_header_are_padded_and_checked(db, analyst, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("Received date,Channel,Category / issue\n2024-01-01,Phone,Fees\n2024-01-02,Phone\n", "utf-8")
    with pytest.raises(ImportRejectedError) as refused:
        _import(db, analyst, path)
    assert [(r.record, r.column) for r in refused.value.report.rejections] == [(2, "Category / issue")]


def test_xlsx_with_real_dates_serial_numbers_and_fewer_columns(db, analyst, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date received", "Issue", "Submitted via", "Complaint ID"])
    sheet.append([datetime(2020, 5, 1), "Fees", "Web", 101])
    sheet.append([43553, "Wait", "Phone", 102])
    sheet.append(["2019/3/30", "Wait", None, 103])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    report = _import(db, analyst, path, preset=Preset.CFPB)
    assert report.imported == 3
    rows = db.query("SELECT external_id, received_date, channel FROM complaints ORDER BY external_id")
    assert rows == [
        {"external_id": "101", "received_date": date(2020, 5, 1), "channel": "Web"},
        {"external_id": "102", "received_date": date(2019, 3, 29), "channel": "Phone"},
        {"external_id": "103", "received_date": date(2019, 3, 30), "channel": None},
    ]


def test_the_template_imports_with_its_own_preset(db, analyst, tmp_path):
    path = tmp_path / "template.csv"
    path.write_bytes(field_mapping.template_csv())
    report = _import(db, analyst, path)
    assert report.imported == 1
    assert db.query_one("SELECT customer_id, resolution_days, timely FROM complaints") == {
        "customer_id": "C-000123",
        "resolution_days": 7,
        "timely": True,
    }


def test_preview_shows_rows_as_they_would_be_stored_with_their_problems(tmp_path):
    rows = [complaint("2019/3/29", "Fees"), complaint("31/31/2019", "Fees")]
    source = sources.open_source(write_csv(tmp_path / "p.csv", TEMPLATE_HEADER, rows))
    frame = conversion.preview(source, field_mapping.suggest_mapping(source.columns, Preset.PORTAL))
    assert list(frame["record"]) == [1, 2]
    assert frame["received_date"].iloc[0].date() == date(2019, 3, 29)
    assert frame["problem"].iloc[0] == "" and "Received date: not a date" in frame["problem"].iloc[1]


def test_suggested_mapping_recognises_column_names_without_a_preset():
    mapping = field_mapping.suggest_mapping(["Date received", "issue", "CHANNEL", "Other"])
    assert mapping == {"received_date": "Date received", "channel": "CHANNEL", "category": "issue"}


def test_the_admin_command_line_imports_a_file_as_a_named_analyst(tmp_path):
    import io

    from models import admin
    from models.db import Database
    from tests.conftest import add_person

    db_path = tmp_path / "cli.duckdb"
    database = Database(db_path)
    database.migrate()
    add_person(database, Role.ANALYST, username="ann")
    add_person(database, Role.AGENT, username="bob")
    database.close()
    path = write_csv(tmp_path / "cli.csv", TEMPLATE_HEADER, [complaint("2024-01-02", "Fees"), complaint("x", "Fees")])
    rejected = tmp_path / "rejected.csv"

    def run(*arguments: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = admin.main(["--db", str(db_path), "import-complaints", str(path), *arguments], stdout=out, stderr=err)
        return code, out.getvalue(), err.getvalue()

    code, _, err = run("--as", "bob", "--preset", "portal")
    assert code == 1 and "may not do this" in err
    code, out, err = run("--as", "ann", "--preset", "portal", "--rejections", str(rejected))
    assert code == 1 and "row 2, Received date" in out and "nothing was imported" in err
    assert rejected.read_text(encoding="utf-8").splitlines()[1].startswith("2,Received date,")
    code, out, _ = run("--as", "ann", "--preset", "portal", "--mode", "valid_rows")
    assert code == 0 and "1 imported" in out
    database = Database(db_path)
    assert database.scalar("SELECT count(*) FROM complaints") == 1
    database.close()


def test_a_short_row_far_down_the_file_is_padded_too(db, analyst, tmp_path):
    path = tmp_path / "long.csv"
    lines = ["Received date,Channel,Category / issue"] + [f"2024-01-01,Phone,Fees {n}" for n in range(25_000)]
    path.write_text("\n".join([*lines, "2024-01-02,Phone", "2024-01-03,Email,Wait"]) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejectedError) as refused:
        _import(db, analyst, path)
    assert [(r.record, r.column) for r in refused.value.report.rejections] == [(25_001, "Category / issue")]
    report = _import(db, analyst, path, ImportMode.VALID_ROWS)
    assert (report.imported, report.rejected_records) == (25_001, 1)


def test_an_unreadable_csv_gets_a_clear_message_and_stores_nothing(db, analyst, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text('Received date,Category / issue\n2024-01-01,"Fees\n2024-01-02,Wait\n', encoding="utf-8")
    with pytest.raises(InputError, match="could not be read as CSV"):
        _import(db, analyst, path)
    assert _count(db) == 0


def test_complaints_stored_before_products_were_grouped_get_their_group(tmp_path):
    from models.db import MIGRATIONS_DIR, Database

    earlier = tmp_path / "earlier"
    earlier.mkdir()
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if path.name < "0006":
            (earlier / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    database = Database(tmp_path / "portal.duckdb")
    try:
        database.migrate(earlier)
        database.write(
            lambda c: c.execute(
                "INSERT INTO complaints (dedup_key, received_date, received_month, product, category)"
                " VALUES (1, DATE '2016-05-01', DATE '2016-05-01', 'Payday loan', 'Fees'),"
                " (2, DATE '2016-05-02', DATE '2016-05-01', 'Mortgage', 'Fees')"
            )
        )
        database.migrate()
        groups = database.query("SELECT product, product_group FROM complaints ORDER BY dedup_key")
    finally:
        database.close()
    assert groups == [
        {"product": "Payday loan", "product_group": "Payday loan, title loan, or personal loan"},
        {"product": "Mortgage", "product_group": "Mortgage"},
    ]


def test_after_a_rejected_row_the_first_of_a_repeat_is_stored_whole_with_its_group_and_gap(db, analyst, tmp_path):
    """The stored row is the first of the repeated ones, with its own narrative, the group of
    its product and the days since the customer's earlier complaint in the category."""
    earlier = [complaint("2024-03-01", "Fees", customer_id="C9", external_id="E0")]
    import_rows(db, analyst, tmp_path, earlier, "earlier.csv")
    rows = [
        complaint("2024-03-02", "", external_id="E1"),  # rejected: no category
        complaint("2024-03-05", "Fees", customer_id="C9", product="Credit card", narrative="first", external_id="R1"),
        complaint("2024-03-09", "Fees", customer_id="C9", product="Credit card", narrative="second", external_id="R1"),
        complaint("2024-03-10", "Rates", customer_id="C9", narrative="other", external_id="R2"),
    ]
    report = _import(db, analyst, write_csv(tmp_path / "repeats.csv", TEMPLATE_HEADER, rows), ImportMode.VALID_ROWS)
    assert (report.imported, report.repeated_in_file, report.rejected_records) == (2, 1, 1)
    assert [(r.record, r.column) for r in report.rejections] == [(1, "Category / issue")]
    stored = db.query(
        "SELECT received_date, narrative, product_group, days_since_previous FROM complaints"
        " WHERE import_id = ? ORDER BY received_date",
        [report.import_id],
    )
    assert stored == [
        {
            "received_date": date(2024, 3, 5),
            "narrative": "first",
            "product_group": "Credit card or prepaid card",
            "days_since_previous": 4,
        },
        {"received_date": date(2024, 3, 10), "narrative": "other", "product_group": None, "days_since_previous": None},
    ]


def test_a_file_the_parallel_reader_cannot_split_is_read_again_serially(tmp_path):
    """DuckDB's parallel CSV reader gives up on some large files with multi-line values; the
    import then reads the file serially instead of failing."""
    source = sources.open_source(write_csv(tmp_path / "c.csv", TEMPLATE_HEADER, [complaint("2024-01-02", "Fees")]))
    options = []

    def work():
        options.append(sources._csv_options(source))
        if len(options) == 1:
            raise duckdb.NotImplementedException("The Parallel CSV Reader currently does not support a full read")
        return "read"

    try:
        assert sources._read_with_padding_fallback(source, work) == "read"
    finally:
        source.close()
    assert ["parallel=false" in text for text in options] == [False, True]


@pytest.mark.parametrize("unit", ["Team 1", "Équipe 1"], ids=["ascii file", "utf-8 file"])
def test_spaces_tabs_and_line_breaks_around_values_are_trimmed_in_an_ascii_file_as_in_any_other(
    db, analyst, tmp_path, unit
):
    """A file of ASCII bytes only is trimmed by a shorter path; what is stored is the same."""
    row = complaint(
        "2024-01-02\t",
        " Fees and  charges\t",
        channel="\tPhone",
        narrative="\nLine one\nline two\n",
        unit=f" {unit} ",
        response=" \t\n ",
        external_id=" X1",
    )
    import_rows(db, analyst, tmp_path, [row])
    stored = db.query_one(
        "SELECT received_date, category, channel, narrative, unit, response, external_id FROM complaints"
    )
    assert stored == {
        "received_date": date(2024, 1, 2),
        "category": "Fees and  charges",
        "channel": "Phone",
        "narrative": "Line one\nline two",
        "unit": unit,
        "response": None,
        "external_id": "X1",
    }


def test_a_product_without_a_group_is_stored_as_its_own_group_with_the_month_received(db, analyst, tmp_path):
    rows = [
        complaint("2024-02-29", "Fees", product="Credit card", external_id="G1"),
        complaint("2024-03-01", "Fees", product="Pet insurance", external_id="G2"),
        complaint("2024-03-02", "Fees", external_id="G3"),
    ]
    import_rows(db, analyst, tmp_path, rows)
    stored = db.query("SELECT product, product_group, received_month FROM complaints ORDER BY external_id")
    assert stored == [
        {"product": "Credit card", "product_group": "Credit card or prepaid card", "received_month": date(2024, 2, 1)},
        {"product": "Pet insurance", "product_group": "Pet insurance", "received_month": date(2024, 3, 1)},
        {"product": None, "product_group": None, "received_month": date(2024, 3, 1)},
    ]
