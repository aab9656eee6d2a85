"""The dedup keys of complaints and customer survey answers: the md5's 128 bits as a UUID, a type
every store holds natively, the same whether the import or the demo made them; the keys of a
database made before (unsigned 128-bit numbers) keep their bits, so a file imported then is
still known."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.access import Role
from models.complaints import conversion
from models.customers import survey_import
from models.db import MIGRATIONS_DIR, Database
from tests.complaints_support import complaint, import_rows
from tests.conftest import add_person, discard
from tests.test_customer_surveys import run_import, write_csv

UUID_MIGRATION = "0024_dedup_keys_as_uuid.sql"


@pytest.fixture
def database_before_uuid_keys(tmp_path: Path) -> Iterator[Database]:
    """A database migrated up to the migration that makes the keys UUIDs, not further."""
    earlier = tmp_path / "earlier-migrations"
    earlier.mkdir()
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if path.name < UUID_MIGRATION:
            (earlier / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    database = Database(tmp_path / "portal.duckdb")
    database.migrate(earlier)
    yield database
    discard(database)


def _keyed_as_before(text_sql: str) -> str:
    """The key as it was computed before it became a UUID: an unsigned 128-bit number."""
    return f"md5_number({text_sql})"


def _key_type(database: Database, table: str) -> str:
    return database.scalar(
        "SELECT data_type FROM information_schema.columns WHERE table_name = ? AND column_name = 'dedup_key'",
        [table],
    )


def test_complaints_imported_before_the_keys_were_uuids_are_already_present_after_the_migration(
    database_before_uuid_keys, tmp_path, monkeypatch
):
    database = database_before_uuid_keys
    analyst = add_person(database, Role.ANALYST)
    rows = [
        complaint("2024-03-01", "Fees", external_id="K-1"),
        complaint("2024-03-02", "Wait", external_id="K-2", customer_id="C7"),
        complaint("2024-03-02", "Wait", narrative="No reply for a week", channel="Email"),  # keyed by content
        complaint("2024-03-05", "Fees", narrative="Charged twice", region="NSW"),
        complaint("2024-03-05", "Fees", narrative="Charged twice", region="NSW"),  # the same row again
    ]
    monkeypatch.setattr(conversion, "dedup_key_sql", _keyed_as_before)
    first = import_rows(database, analyst, tmp_path, rows)
    assert (first.imported, first.repeated_in_file) == (4, 1)
    assert _key_type(database, "complaints") == "UHUGEINT"
    monkeypatch.undo()

    assert UUID_MIGRATION in database.migrate()
    assert _key_type(database, "complaints") == "UUID"
    again = import_rows(database, analyst, tmp_path, rows)
    assert (again.imported, again.already_present, again.repeated_in_file) == (0, 4, 1)
    assert database.scalar("SELECT count(*) FROM complaints") == 4
    one_more = import_rows(database, analyst, tmp_path, [*rows, complaint("2024-03-06", "Fees", external_id="K-3")])
    assert (one_more.imported, one_more.already_present) == (1, 4)


def test_survey_answers_imported_before_the_keys_were_uuids_are_already_present_after_the_migration(
    database_before_uuid_keys, tmp_path, monkeypatch
):
    database = database_before_uuid_keys
    analyst = add_person(database, Role.ANALYST)
    rows = [
        ["2025-03-03", "Chat", "", "CSAT", "5", "Quick", "", "R-1"],
        ["2025-03-03", "Chat", "", "CSAT", "4", "", "C-9", ""],  # keyed by content
        ["2025-03-03", "Chat", "", "CSAT", "4", "", "C-9", ""],  # the same content: a second answer
        ["2025-03-04", "Phone", "", "NPS", "3", "", "", "R-1"],  # the same external id again
    ]
    path = write_csv(tmp_path / "answers.csv", rows)
    monkeypatch.setattr(survey_import, "dedup_key_sql", _keyed_as_before)
    first = run_import(database, analyst, path)
    assert (first.imported, first.repeated_in_file) == (3, 1)
    assert _key_type(database, "customer_survey_answers") == "UHUGEINT"
    monkeypatch.undo()

    assert UUID_MIGRATION in database.migrate()
    assert _key_type(database, "customer_survey_answers") == "UUID"
    again = run_import(database, analyst, path)
    assert (again.imported, again.already_present, again.repeated_in_file) == (0, 3, 1)
    assert database.scalar("SELECT count(*) FROM customer_survey_answers") == 3
    a_third = write_csv(tmp_path / "more.csv", [rows[1], rows[1], rows[1]])  # one more such answer
    assert run_import(database, analyst, a_third).imported == 1


def test_the_migration_keeps_each_old_keys_128_bits_as_the_uuid_an_import_computes_now(database_before_uuid_keys):
    """Thousands of keys, among them numbers whose leading byte is zero."""
    database = database_before_uuid_keys
    database.write(
        lambda c: c.execute(
            "INSERT INTO complaints (dedup_key, external_id, received_date, received_month, category)"
            " SELECT md5_number('x:' || i), CAST(i AS VARCHAR), DATE '2024-01-01', DATE '2024-01-01', 'Fees'"
            " FROM range(5000) t(i)"
        )
    )
    assert database.scalar("SELECT count(*) FROM complaints WHERE dedup_key < CAST(1 AS UHUGEINT) << 120") > 0
    database.migrate()
    keyed_now = conversion.dedup_key_sql("'x:' || external_id")
    assert database.query_one(
        "SELECT count(*) AS keys,"
        f" count(*) FILTER (WHERE dedup_key = {keyed_now}) AS as_an_import_keys_them,"
        " count(*) FILTER (WHERE replace(CAST(dedup_key AS VARCHAR), '-', '')"
        "   = format('{:032x}', md5_number('x:' || external_id))) AS same_bits,"
        " count(DISTINCT dedup_key) AS distinct_keys FROM complaints"
    ) == {"keys": 5000, "as_an_import_keys_them": 5000, "same_bits": 5000, "distinct_keys": 5000}


def test_the_demo_keys_its_complaints_and_answers_as_an_import_of_their_external_ids_would(seeded_db, tmp_path):
    database, _organisation = seeded_db()
    analyst = add_person(database, Role.ANALYST)
    stored = database.query(
        "SELECT received_date, category, external_id FROM complaints WHERE external_id IS NOT NULL"
        " ORDER BY external_id LIMIT 3"
    )
    rows = [complaint(str(r["received_date"]), r["category"], external_id=r["external_id"]) for r in stored]
    report = import_rows(database, analyst, tmp_path, rows)
    assert (report.imported, report.already_present) == (0, 3)

    answers = database.query(
        "SELECT answered_on, channel, survey_type, score, external_id FROM customer_survey_answers"
        " WHERE external_id IS NOT NULL ORDER BY external_id LIMIT 3"
    )
    path = write_csv(
        tmp_path / "answers.csv",
        [
            [str(a["answered_on"]), a["channel"], "", a["survey_type"], str(a["score"]), "", "", a["external_id"]]
            for a in answers
        ],
    )
    survey_report = run_import(database, analyst, path)
    assert (survey_report.imported, survey_report.already_present) == (0, 3)
