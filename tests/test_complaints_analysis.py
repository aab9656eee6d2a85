"""Complaint analysis: Pareto maths, repeats, growth, filters, drill-down and who sees what."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from models.access import PermissionDeniedError, Role
from models.complaints import analysis, field_mapping, importer, sources
from models.complaints.analysis import ComplaintFilter
from models.errors import InputError
from tests.complaints_support import TEMPLATE_HEADER, complaint, import_rows, write_csv


@pytest.fixture
def analyst(make_user):
    return make_user(Role.ANALYST)


def _many(category: str, count: int, day: str = "2024-03-01", **values: str) -> list[list[str]]:
    return [complaint(day, category, external_id=f"{category}-{day}-{i}", **values) for i in range(count)]


def _pareto(db, user, complaint_filter=None):
    table = analysis.pareto(db, user, complaint_filter or ComplaintFilter())
    return [(row.category, row.complaints, round(row.cumulative_share, 4), row.vital_few) for row in table.itertuples()]


def test_pareto_sorts_categories_and_names_the_vital_few_up_to_80_percent(db, analyst, tmp_path):
    import_rows(db, analyst, tmp_path, _many("Fees", 50) + _many("Wait", 25) + _many("Staff", 15) + _many("Other", 10))
    assert _pareto(db, analyst) == [
        ("Fees", 50, 0.5, True),
        ("Wait", 25, 0.75, True),
        ("Staff", 15, 0.9, True),  # the category that crosses 80 % is one of the vital few
        ("Other", 10, 1.0, False),
    ]
    assert analysis.vital_few(analysis.pareto(db, analyst, ComplaintFilter())) == ["Fees", "Wait", "Staff"]


def test_pareto_stops_exactly_at_80_percent(db, analyst, tmp_path):
    import_rows(db, analyst, tmp_path, _many("Fees", 60) + _many("Wait", 20) + _many("Staff", 15) + _many("Misc", 5))
    assert [row[3] for row in _pareto(db, analyst)] == [True, True, False, False]


def test_pareto_ties_are_ordered_by_name_and_the_crossing_one_is_vital(db, analyst, tmp_path):
    import_rows(db, analyst, tmp_path, _many("Beta", 30) + _many("Alpha", 30) + _many("Gamma", 30) + _many("Delta", 10))
    assert _pareto(db, analyst) == [
        ("Alpha", 30, 0.3, True),
        ("Beta", 30, 0.6, True),
        ("Gamma", 30, 0.9, True),  # the category that crosses the line
        ("Delta", 10, 1.0, False),
    ]


def test_the_vital_few_are_the_smallest_set_and_a_tie_on_the_line_is_named(db, analyst, tmp_path):
    # 40 + 30 + 10 lands exactly on 80 %: the two later tens add nothing the line needs
    rows = _many("Fees", 40) + _many("Wait", 30) + _many("Cards", 10) + _many("Apps", 10) + _many("Branch", 10)
    import_rows(db, analyst, tmp_path, rows)
    table = analysis.pareto(db, analyst, ComplaintFilter())
    # equal counts are ordered by name: Apps, Branch, Cards
    assert _pareto(db, analyst) == [
        ("Fees", 40, 0.4, True),
        ("Wait", 30, 0.7, True),
        ("Apps", 10, 0.8, True),
        ("Branch", 10, 0.9, False),
        ("Cards", 10, 1.0, False),
    ]
    assert analysis.vital_few(table) == ["Fees", "Wait", "Apps"]
    assert analysis.tied_at_the_line(table) == ["Branch", "Cards"]


def test_no_tie_is_named_when_the_next_category_is_smaller(db, analyst, tmp_path):
    import_rows(db, analyst, tmp_path, _many("Fees", 50) + _many("Wait", 25) + _many("Staff", 15) + _many("Other", 10))
    assert analysis.tied_at_the_line(analysis.pareto(db, analyst, ComplaintFilter())) == []


def test_pareto_of_a_single_category_is_all_vital(db, analyst, tmp_path):
    import_rows(db, analyst, tmp_path, _many("Fees", 3))
    assert _pareto(db, analyst) == [("Fees", 3, 1.0, True)]


def test_pareto_of_an_empty_period_is_empty(db, analyst, tmp_path):
    import_rows(db, analyst, tmp_path, _many("Fees", 3))
    empty = ComplaintFilter(date_from=date(2030, 1, 1), date_to=date(2030, 12, 31))
    table = analysis.pareto(db, analyst, empty)
    assert len(table) == 0 and analysis.vital_few(table) == []
    assert analysis.summary(db, analyst, empty)["complaints"] == 0
    assert len(analysis.volume_by_month(db, analyst, empty)) == 0


def test_repeat_complaints_are_the_same_customer_and_category_within_n_days(db, analyst, tmp_path):
    rows = [
        complaint("2024-01-01", "Fees", customer_id="C1", external_id="1"),
        complaint("2024-01-20", "Fees", customer_id="C1", external_id="2"),  # 19 days: repeat
        complaint("2024-03-10", "Fees", customer_id="C1", external_id="3"),  # 50 days: repeat only within 60
        complaint("2024-01-05", "Wait", customer_id="C1", external_id="4"),  # other category: not a repeat
        complaint("2024-01-06", "Fees", customer_id="C2", external_id="5"),  # other customer
        complaint("2024-01-07", "Fees", external_id="6"),  # no customer id: not counted
    ]
    import_rows(db, analyst, tmp_path, rows)
    within_30 = analysis.repeat_complaints(db, analyst, ComplaintFilter(), 30)
    assert (within_30["repeats"], within_30["complaints_with_customer"], within_30["repeating_customers"]) == (1, 5, 1)
    assert within_30["repeat_rate"] == pytest.approx(0.2)
    assert analysis.repeat_complaints(db, analyst, ComplaintFilter(), 60)["repeats"] == 2
    assert analysis.repeat_complaints(db, analyst, ComplaintFilter(), 10)["repeats"] == 0


def test_a_later_import_of_an_earlier_complaint_updates_the_repeats(db, analyst, tmp_path):
    import_rows(db, analyst, tmp_path, [complaint("2024-02-01", "Fees", customer_id="C9", external_id="late")], "a.csv")
    assert analysis.repeat_complaints(db, analyst, ComplaintFilter())["repeats"] == 0
    earlier = [complaint("2024-01-25", "Fees", customer_id="C9", external_id="early")]
    import_rows(db, analyst, tmp_path, earlier, "b.csv")
    assert analysis.repeat_complaints(db, analyst, ComplaintFilter())["repeats"] == 1


def test_stored_repeat_gaps_match_a_fresh_count_after_several_imports(db, analyst, tmp_path):
    """Gaps are kept per row at import; they must equal what a count over all complaints gives,
    whatever the order of the files, the skipped rows and the duplicates."""
    first = [
        complaint("2024-03-01", "Fees", customer_id="C1", external_id="1"),
        complaint("2024-03-20", "Fees", customer_id="C1", external_id="2"),
        complaint("2024-03-05", "Wait", customer_id="C2", external_id="3"),
        complaint("2024-03-06", "Fees", external_id="4"),
    ]
    second = [
        complaint("2024-03-10", "Fees", customer_id="C1", external_id="5"),  # between two stored ones
        complaint("2024-03-10", "Fees", customer_id="C1", external_id="5"),  # repeated in the file
        complaint("2024-02-01", "Wait", customer_id="C2", external_id="6"),  # before a stored one
        complaint("not a date", "Wait", customer_id="C2", external_id="7"),  # rejected
        complaint("2024-03-20", "Fees", customer_id="C1", external_id="2"),  # already present
        complaint("2024-04-01", "Wait", customer_id="C3", external_id="8"),
    ]
    import_rows(db, analyst, tmp_path, first, "first.csv")
    path = write_csv(tmp_path / "second.csv", TEMPLATE_HEADER, second)
    source = sources.open_source(path)
    mapping = field_mapping.suggest_mapping(source.columns, field_mapping.Preset.PORTAL)
    report = importer.import_complaints(db, analyst, source, mapping, importer.ImportMode.VALID_ROWS)
    source.close()
    assert (report.imported, report.rejected_records) == (3, 1)
    stored = db.query("SELECT external_id, days_since_previous AS gap FROM complaints ORDER BY external_id")
    fresh = db.query(
        "SELECT external_id, CAST(received_date - lag(received_date) OVER ("
        " PARTITION BY customer_id, category ORDER BY received_date) AS INTEGER) AS gap"
        " FROM complaints WHERE customer_id IS NOT NULL"
        " UNION ALL SELECT external_id, NULL FROM complaints WHERE customer_id IS NULL ORDER BY external_id"
    )
    assert stored == fresh
    assert {row["external_id"]: row["gap"] for row in stored}["5"] == 9


def test_repeat_window_must_be_sensible(db, analyst):
    with pytest.raises(InputError, match="Within days"):
        analysis.repeat_complaints(db, analyst, ComplaintFilter(), 0)


def test_growing_issues_compare_with_the_previous_period_of_equal_length(db, analyst, tmp_path):
    rows = (
        _many("Fees", 2, "2024-01-15")
        + _many("Fees", 6, "2024-02-15")
        + _many("Wait", 4, "2024-01-20")
        + _many("Wait", 5, "2024-02-20")
        + _many("Staff", 3, "2024-01-10")
        + _many("Staff", 1, "2024-02-10")
        + _many("New", 2, "2024-02-01")
        + _many("Old", 9, "2023-12-01")  # before both periods
    )
    import_rows(db, analyst, tmp_path, rows)
    february = ComplaintFilter(date_from=date(2024, 2, 1), date_to=date(2024, 2, 29))  # 29 days back: Jan 3..31
    table = analysis.growing_issues(db, analyst, february)
    assert [(r.category, r.current, r.previous, r.change) for r in table.itertuples()] == [
        ("Fees", 6, 2, 4),
        ("New", 2, 0, 2),
        ("Wait", 5, 4, 1),
    ]
    assert table["growth"].iloc[0] == pytest.approx(2.0)


def test_the_product_filter_takes_a_group_and_still_honours_a_raw_name(db, analyst, tmp_path):
    rows = (
        _many("Fees", 2, "2017-01-10", product="Credit card")
        + _many("Fees", 3, "2018-01-10", product="Credit card or prepaid card")
        + _many("Wait", 1, "2018-01-11", product="Mortgage")
    )
    import_rows(db, analyst, tmp_path, rows)
    group = ComplaintFilter(products=["Credit card or prepaid card"])
    assert analysis.summary(db, analyst, group)["complaints"] == 5
    assert list(analysis.pareto(db, analyst, group)["complaints"]) == [5]  # one bar, not split by name
    # a finding saved with a raw (old) name keeps counting that name only
    assert analysis.summary(db, analyst, ComplaintFilter(products=["Credit card"]))["complaints"] == 2
    assert analysis.filter_options(db, analyst)["products"] == ["Credit card or prepaid card", "Mortgage"]


def test_filters_narrow_every_view(db, analyst, tmp_path):
    rows = (
        _many("Fees", 3, "2024-01-10", channel="Phone", region="NSW", unit="Cards", product="Card")
        + _many("Fees", 2, "2024-02-10", channel="Email", region="VIC", unit="Loans", product="Loan")
        + _many("Wait", 4, "2024-02-11", channel="Phone", region="VIC", unit="Cards", product="Card")
    )
    import_rows(db, analyst, tmp_path, rows)
    phone = ComplaintFilter(channels=["Phone"])
    assert analysis.summary(db, analyst, phone)["complaints"] == 7
    assert analysis.summary(db, analyst, ComplaintFilter(regions=["VIC"], units=["Cards"]))["complaints"] == 4
    assert analysis.summary(db, analyst, ComplaintFilter(products=["Loan"]))["complaints"] == 2
    assert analysis.summary(db, analyst, ComplaintFilter(categories=["Wait"]))["complaints"] == 4
    february = ComplaintFilter(date_from=date(2024, 2, 1), date_to=date(2024, 2, 29))
    volume = analysis.volume_by_month(db, analyst, february)
    assert list(volume["complaints"]) == [6]
    mix = analysis.channel_mix(db, analyst, february)
    assert dict(zip(mix["channel"], mix["complaints"], strict=True)) == {"Phone": 4, "Email": 2}
    heat = analysis.category_month(db, analyst, phone)
    assert sorted(zip(heat["category"], heat["complaints"], strict=True)) == [("Fees", 3), ("Wait", 4)]


def test_values_never_given_are_grouped_and_filterable(db, analyst, tmp_path):
    import_rows(db, analyst, tmp_path, _many("Fees", 2) + _many("Fees", 1, "2024-03-02", channel="Phone"))
    mix = analysis.channel_mix(db, analyst, ComplaintFilter())
    assert dict(zip(mix["channel"], mix["complaints"], strict=True)) == {analysis.NOT_GIVEN: 2, "Phone": 1}
    assert analysis.summary(db, analyst, ComplaintFilter(channels=[analysis.NOT_GIVEN]))["complaints"] == 2


def test_resolution_bands_and_timely_share(db, analyst, tmp_path):
    rows = [
        complaint("2024-01-01", "Fees", resolution_days="0", timely="Yes", external_id="a"),
        complaint("2024-01-01", "Fees", resolution_days="5", timely="Yes", external_id="b"),
        complaint("2024-01-01", "Fees", resolution_days="6", timely="No", external_id="c"),
        complaint("2024-01-01", "Fees", resolution_days="90", timely="No", external_id="d"),
        complaint("2024-01-01", "Fees", external_id="e"),
    ]
    import_rows(db, analyst, tmp_path, rows)
    bands = analysis.resolution_distribution(db, analyst, ComplaintFilter())
    assert list(zip(bands["band"], bands["complaints"], strict=True)) == [
        ("Same day", 1),
        ("3–7 days", 2),
        ("Over 60 days", 1),
    ]
    figures = analysis.summary(db, analyst, ComplaintFilter())
    assert figures["timely_share"] == pytest.approx(0.5)
    assert figures["median_resolution_days"] == pytest.approx(5.5)


def test_drill_down_returns_the_complaints_behind_a_bar(db, analyst, tmp_path):
    rows = _many("Fees", 3, "2024-01-10", channel="Phone") + _many("Fees", 2, "2024-02-10", channel="Email")
    rows += _many("Wait", 4, "2024-01-12", channel="Phone", narrative="I waited an hour")
    import_rows(db, analyst, tmp_path, rows)
    fees = analysis.complaint_rows(db, analyst, ComplaintFilter(), {"category": "Fees"})
    assert len(fees) == 5 and set(fees["category"]) == {"Fees"}
    january = analysis.complaint_rows(db, analyst, ComplaintFilter(), {"received_month": date(2024, 1, 1)})
    assert len(january) == 7
    phone_wait = analysis.complaint_rows(db, analyst, ComplaintFilter(channels=["Phone"]), {"category": "Wait"})
    assert list(phone_wait["narrative"].unique()) == ["I waited an hour"]
    assert analysis.count_rows(db, analyst, ComplaintFilter(), {"channel": "Email"}) == 2
    with pytest.raises(ValueError, match="cannot drill down"):
        analysis.complaint_rows(db, analyst, ComplaintFilter(), {"narrative": "x"})


def test_filter_values_are_passed_as_parameters_not_sql(db, analyst, tmp_path):
    import_rows(db, analyst, tmp_path, _many("Fees", 2))
    hostile = ComplaintFilter(categories=["Fees') OR 1=1 --"])
    assert analysis.summary(db, analyst, hostile)["complaints"] == 0


@pytest.mark.parametrize("role", [Role.ANALYST, Role.LEADERSHIP])
def test_analysts_and_leaders_read_raw_complaints_with_narratives(db, make_user, analyst, tmp_path, role):
    import_rows(db, analyst, tmp_path, _many("Fees", 1, narrative="My account number is 123"))
    rows = analysis.complaint_rows(db, make_user(role), ComplaintFilter())
    assert list(rows["narrative"]) == ["My account number is 123"]


@pytest.mark.parametrize("role", [Role.AGENT, Role.MODERATOR, Role.TEAM_LEAD, Role.HR, Role.ADMIN])
def test_other_roles_get_aggregates_but_never_raw_complaints(db, make_user, analyst, tmp_path, role):
    import_rows(db, analyst, tmp_path, _many("Fees", 2, narrative="private"))
    person = make_user(role)
    assert analysis.summary(db, person, ComplaintFilter())["complaints"] == 2
    assert len(analysis.pareto(db, person, ComplaintFilter())) == 1
    with pytest.raises(PermissionDeniedError):
        analysis.complaint_rows(db, person, ComplaintFilter())
    with pytest.raises(PermissionDeniedError):
        analysis.export_rows(db, person, ComplaintFilter())


def test_category_counts_for_the_idea_board(db, analyst, tmp_path):
    rows = _many("Fees", 3, "2024-06-01") + _many("Fees", 1, "2024-02-15") + _many("Wait", 4, "2024-06-01")
    import_rows(db, analyst, tmp_path, rows)
    counts = analysis.category_counts(db, "Fees", today=date(2024, 6, 30))
    assert (counts["total"], counts["last_90_days"], counts["previous_90_days"]) == (4, 3, 1)
    assert counts["share"] == pytest.approx(0.5)
    assert analysis.category_counts(db, "Unknown")["total"] == 0


def test_growth_over_the_last_days_ends_at_the_latest_complaint(db, analyst, tmp_path):
    rows = _many("Fees", 1, "2024-01-20") + _many("Fees", 3, "2024-03-20") + _many("Wait", 2, "2024-02-10")
    import_rows(db, analyst, tmp_path, rows)
    assert analysis.period_bounds(db, ComplaintFilter(), 30) == (date(2024, 2, 20), date(2024, 3, 20))
    table = analysis.growing_issues(db, analyst, ComplaintFilter(), last_days=30)
    assert [(r.category, r.current, r.previous) for r in table.itertuples()] == [("Fees", 3, 0)]


def test_monthly_kpis_feed_volume_and_repeat_rate(db, analyst, tmp_path):
    rows = [
        complaint("2024-01-02", "Fees", customer_id="C1", external_id="1"),
        complaint("2024-01-12", "Fees", customer_id="C1", external_id="2"),
        complaint("2024-02-03", "Fees", external_id="3"),
    ]
    import_rows(db, analyst, tmp_path, rows)
    kpis = analysis.monthly_kpis(db)
    assert list(kpis["complaint_volume"]) == [2, 1]
    assert kpis["repeat_rate"].iloc[0] == pytest.approx(0.5)
    assert pd.isna(kpis["repeat_rate"].iloc[1])


def test_drill_down_by_resolution_band(db, analyst, tmp_path):
    rows = [
        complaint("2024-01-01", "Fees", resolution_days=days, external_id=f"r{days}")
        for days in ("0", "3", "7", "8", "75")
    ]
    import_rows(db, analyst, tmp_path, rows)
    assert analysis.count_rows(db, analyst, ComplaintFilter(), {"resolution_band": "3–7 days"}) == 2
    assert analysis.count_rows(db, analyst, ComplaintFilter(), {"resolution_band": "Over 60 days"}) == 1
