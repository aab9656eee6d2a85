"""The real CFPB sample imports completely with the CFPB preset, and the portal's counts
match an independent count of the same file made with Python's csv module."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from models.access import Role
from models.complaints import analysis, field_mapping, importer, sources
from models.complaints.analysis import ComplaintFilter
from models.complaints.field_mapping import Preset
from models.complaints.importer import ImportMode

SAMPLE = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "cfpb_complaints_sample.csv"


@pytest.fixture(scope="module")
def independent_count() -> dict:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        "rows": len(rows),
        "products": Counter(row["Product"] for row in rows),
        "channels": Counter(row["Submitted via"] for row in rows),
        "issues": Counter(row["Issue"] for row in rows),
        "timely_share": sum(row["Timely response?"] == "Yes" for row in rows)
        / sum(row["Timely response?"] in ("Yes", "No") for row in rows),
        "narratives": sum(bool(row["Consumer complaint narrative"].strip()) for row in rows),
        "multi_line": sum("\n" in row["Consumer complaint narrative"] for row in rows),
    }


@pytest.fixture
def imported(db, make_user):
    analyst = make_user(Role.ANALYST)
    source = sources.open_source(SAMPLE)
    try:
        mapping = field_mapping.suggest_mapping(source.columns, Preset.CFPB)
        report = importer.import_complaints(db, analyst, source, mapping, ImportMode.ALL_OR_NOTHING)
    finally:
        source.close()
    return analyst, report


def test_the_preset_maps_every_cfpb_column_the_portal_uses():
    source = sources.open_source(SAMPLE)
    mapping = field_mapping.suggest_mapping(source.columns, Preset.CFPB)
    source.close()
    assert mapping == field_mapping.PRESETS[Preset.CFPB]


def test_every_row_is_imported(db, imported, independent_count):
    _, report = imported
    assert report.records_read == independent_count["rows"] == 2000
    assert (report.imported, report.rejected_records) == (2000, 0)
    assert db.scalar("SELECT count(*) FROM complaints") == 2000


def test_counts_per_product_and_channel_match_the_file(db, imported, independent_count):
    products = {
        row["product"]: row["n"] for row in db.query("SELECT product, count(*) AS n FROM complaints GROUP BY 1")
    }
    assert products == dict(independent_count["products"])
    analyst, _ = imported
    mix = analysis.channel_mix(db, analyst, ComplaintFilter())
    assert dict(zip(mix["channel"], mix["complaints"], strict=True)) == dict(independent_count["channels"])


def test_old_and_new_product_names_are_both_kept(db, imported):
    names = {row["product"] for row in db.query("SELECT DISTINCT product FROM complaints")}
    assert {"Credit reporting", "Credit reporting, credit repair services, or other personal consumer reports"} <= names


def test_timely_share_matches_the_file(db, imported, independent_count):
    analyst, _ = imported
    figures = analysis.summary(db, analyst, ComplaintFilter())
    assert figures["timely_share"] == pytest.approx(independent_count["timely_share"])


def test_pareto_counts_match_the_issues_in_the_file(db, imported, independent_count):
    analyst, _ = imported
    table = analysis.pareto(db, analyst, ComplaintFilter())
    assert dict(zip(table["category"], table["complaints"], strict=True)) == dict(independent_count["issues"])
    assert table["cumulative_share"].iloc[-1] == pytest.approx(1.0)


def test_multi_line_narratives_arrive_whole(db, imported, independent_count):
    assert db.scalar("SELECT count(narrative) FROM complaints") == independent_count["narratives"]
    assert (
        db.scalar("SELECT count(*) FROM complaints WHERE narrative LIKE '%' || chr(10) || '%'")
        == (independent_count["multi_line"])
    )


def test_reimporting_the_sample_adds_nothing(db, imported):
    analyst, _ = imported
    source = sources.open_source(SAMPLE)
    try:
        mapping = field_mapping.suggest_mapping(source.columns, Preset.CFPB)
        again = importer.import_complaints(db, analyst, source, mapping, ImportMode.VALID_ROWS)
    finally:
        source.close()
    assert (again.imported, again.already_present) == (0, 2000)
    assert db.scalar("SELECT count(*) FROM complaints") == 2000


CREDIT_REPORTING = "Credit reporting, credit repair services, or other personal consumer reports"


def test_old_and_new_names_of_a_product_land_in_one_group(db, imported, independent_count):
    analyst, _ = imported
    groups = {
        row["product"]: row["product_group"]
        for row in db.query("SELECT DISTINCT product, product_group FROM complaints")
    }
    assert groups["Credit reporting"] == groups[CREDIT_REPORTING] == CREDIT_REPORTING
    assert groups["Bank account or service"] == groups["Checking or savings account"]
    one_group = analysis.summary(db, analyst, ComplaintFilter(products=[CREDIT_REPORTING]))["complaints"]
    raw = independent_count["products"]
    assert one_group == raw["Credit reporting"] + raw[CREDIT_REPORTING] == 701
    options = analysis.filter_options(db, analyst)["products"]
    assert CREDIT_REPORTING in options and "Credit reporting" not in options


def test_counts_per_group_are_the_sums_of_the_raw_names_in_the_file(db, imported, independent_count):
    mapping = dict(db.query_one("SELECT map(list(product), list(product_group)) AS m FROM product_groups")["m"])
    expected = Counter()
    for product, count in independent_count["products"].items():
        expected[mapping.get(product, product)] += count
    stored = {
        row["product_group"]: row["n"]
        for row in db.query("SELECT product_group, count(*) AS n FROM complaints GROUP BY 1")
    }
    assert stored == dict(expected)
    assert len(stored) < len(independent_count["products"])  # some names were merged


def test_drill_down_rows_show_the_name_as_imported(db, imported):
    analyst, _ = imported
    rows = analysis.complaint_rows(db, analyst, ComplaintFilter(products=[CREDIT_REPORTING]), limit=1000)
    assert set(rows["product"]) == {"Credit reporting", CREDIT_REPORTING}
    assert set(rows["product_group"]) == {CREDIT_REPORTING}
