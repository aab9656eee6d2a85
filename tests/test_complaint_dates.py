"""Date columns: the order of each column is chosen from all its values, shown, can be
overridden, and only values that do not fit it are rejected; ties are flagged, not guessed."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from models.access import Role
from models.complaints import conversion, field_mapping, importer, sources
from models.complaints.dates import DateOrder
from models.complaints.field_mapping import Preset
from models.complaints.importer import ImportMode, ImportRejectedError
from models.errors import InputError
from tests.complaints_support import TEMPLATE_HEADER, complaint, write_csv


@pytest.fixture
def analyst(make_user):
    return make_user(Role.ANALYST)


def _days(count: int, seed: int = 7) -> list[date]:
    """Distinct days (a repeated row would be stored once)."""
    return [date(2016, 1, 1) + timedelta(days=n) for n in random.Random(seed).sample(range(1500), count)]


def _written(days: list[date], form: str) -> list[str]:
    """Dates written without leading zeros, as spreadsheets export them (3/5/20)."""
    forms = {
        "MDY2": lambda d: f"{d.month}/{d.day}/{d.year % 100:02d}",
        "MDY4": lambda d: f"{d.month}/{d.day}/{d.year}",
        "DMY2": lambda d: f"{d.day}/{d.month}/{d.year % 100:02d}",
        "DMY4": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
        "YMD2": lambda d: f"{d.year % 100:02d}-{d.month:02d}-{d.day:02d}",
        "YMD4": lambda d: f"{d.year}/{d.month}/{d.day}",
        "ISO": lambda d: d.isoformat(),
        "SERIAL": lambda d: str((d - date(1899, 12, 30)).days),
    }
    return [forms[form](d) for d in days]


def _source(tmp_path, texts: list[str], name: str = "dates.csv", **columns: list[str]):
    rows = [
        complaint(text, "Fees", **{key: values[i] for key, values in columns.items()}) for i, text in enumerate(texts)
    ]
    return sources.open_source(write_csv(tmp_path / name, TEMPLATE_HEADER, rows))


def _import(db, user, source, mode=ImportMode.ALL_OR_NOTHING, orders=None):
    try:
        mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
        chosen = {"orders": orders} if orders else {}
        return importer.import_complaints(db, user, source, mapping, mode, **chosen)
    finally:
        source.close()


def test_month_day_two_digit_year_dates_are_all_read_whatever_their_day(db, analyst, tmp_path):
    """The tracker's case: 3/5/20 was tried as year/month/day first, and every row whose
    day was 12 or less was rejected as before 1990."""
    days = _days(600)
    assert sum(d.day <= 12 for d in days) > 150
    report = _import(db, analyst, _source(tmp_path, _written(days, "MDY2")), ImportMode.VALID_ROWS)
    assert (report.imported, report.rejected_records) == (600, 0)
    stored = [row["received_date"] for row in db.query("SELECT received_date FROM complaints ORDER BY id")]
    assert stored == days
    assert report.date_orders["received_date"] == DateOrder.MDY


@pytest.mark.parametrize(
    ("form", "order"),
    [
        ("MDY2", DateOrder.MDY),
        ("MDY4", DateOrder.MDY),
        ("DMY2", DateOrder.DMY),
        ("DMY4", DateOrder.DMY),
        ("YMD2", DateOrder.YMD),
        ("YMD4", DateOrder.YMD),
    ],
)
def test_each_order_with_two_or_four_digit_years_is_found_and_read(db, analyst, tmp_path, form, order):
    days = _days(200, seed=len(form))
    source = _source(tmp_path, _written(days, form))
    mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
    guess = conversion.guess_date_orders(source, mapping)["received_date"]
    if form == "YMD4":  # a four-digit year first reads the same in every order
        assert guess.dependent == 0 and not guess.ambiguous
    else:
        assert (guess.order, guess.ambiguous, guess.fits[order]) == (order, False, 200)
    report = _import(db, analyst, source)
    assert report.imported == 200
    assert [r["received_date"] for r in db.query("SELECT received_date FROM complaints ORDER BY id")] == days


def test_iso_dates_times_and_excel_numbers_read_alongside_any_order(db, analyst, tmp_path):
    texts = ["29/03/2019", "2019-03-30", "2019-03-31 14:05:00", "43556", "2019-04-02T08:00:00Z", "3/4/2019 2:05 PM"]
    report = _import(db, analyst, _source(tmp_path, texts), orders={"received_date": "DMY"})
    assert report.imported == 6
    stored = [r["received_date"] for r in db.query("SELECT received_date FROM complaints ORDER BY id")]
    assert stored == [date(2019, 3, d) for d in (29, 30, 31)] + [date(2019, 4, 1), date(2019, 4, 2), date(2019, 4, 3)]


def test_a_column_that_fits_two_orders_equally_is_flagged_and_not_guessed(db, analyst, tmp_path):
    texts = ["3/5/2020", "4/6/2020", "11/12/2021"]  # every day is 12 or less
    source = _source(tmp_path, texts)
    mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
    guess = conversion.guess_date_orders(source, mapping)["received_date"]
    assert guess.ambiguous and guess.tied == [DateOrder.MDY, DateOrder.DMY]
    assert "fit month/day/year and day/month/year equally" in guess.describe()
    with pytest.raises(InputError) as refused:
        importer.import_complaints(db, analyst, source, mapping, ImportMode.VALID_ROWS)
    assert refused.value.problems[0][0] == "Received date" and "equally" in refused.value.problems[0][1]
    assert db.scalar("SELECT count(*) FROM complaints") == 0
    report = _import(db, analyst, source, orders={"received_date": DateOrder.DMY})
    assert report.imported == 3
    assert db.scalar("SELECT min(received_date) FROM complaints") == date(2020, 5, 3)


CHOICE = "choose the order the file was written in"
DESCRIPTIONS = [  # a column's values, and how the preview describes the order chosen for it
    (["4/6/2020"], f"its 1 date, 4/6/2020, fits month/day/year and day/month/year equally; {CHOICE}"),
    (
        ["3/5/2020", "4/6/2020", "11/12/2021"],
        f"its 3 dates like 11/12/2021 fit month/day/year and day/month/year equally; {CHOICE}",
    ),
    (["3/29/2019", "3/30/2019", "31/3/2019", "4/1/2019"], "read as month/day/year: 3 of its 4 dates like 4/1/2019 fit"),
    (["2019-03-29", "3/29/2019"], "read as month/day/year: 1 of its 1 date, 3/29/2019, fits"),
    (["13/13/2019"], "its 1 value 13/13/2019 is not a date between 1990 and today"),
    (["31/31/2019", "13/13/2019"], "none of its 2 values like 13/13/2019 is a date between 1990 and today"),
]


@pytest.mark.parametrize(("texts", "described"), DESCRIPTIONS, ids=[d for _, d in DESCRIPTIONS])
def test_the_order_is_described_quoting_a_value_of_the_column_and_counting_its_dates(tmp_path, texts, described):
    source = _source(tmp_path, texts)
    mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
    assert conversion.guess_date_orders(source, mapping)["received_date"].describe() == described


def test_an_import_refused_for_a_tie_quotes_a_date_of_the_file(db, analyst, tmp_path):
    """Decided from the staged rows when no preview looked at the column first."""
    source = _source(tmp_path, ["2020-01-01", "4/6/2020"])
    with pytest.raises(InputError) as refused:
        _import(db, analyst, source)
    assert refused.value.problems == [
        (
            "Received date",
            f"its 1 date, 4/6/2020, fits month/day/year and day/month/year equally; {CHOICE} (MDY/DMY);"
            " nothing was imported",
        )
    ]


def test_the_chosen_order_wins_and_only_values_that_do_not_fit_it_are_rejected(db, analyst, tmp_path):
    texts = ["3/29/2019", "3/30/2019", "31/3/2019", "4/1/2019"]  # one day-first value among month-first
    source = _source(tmp_path, texts)
    mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
    assert conversion.guess_date_orders(source, mapping)["received_date"].order == DateOrder.MDY
    with pytest.raises(ImportRejectedError) as refused:
        importer.import_complaints(db, analyst, source, mapping)
    [rejection] = refused.value.report.rejections
    assert (rejection.record, rejection.value) == (3, "31/3/2019")
    assert rejection.reason == "not a date when read as month/day/year, the order of this column"
    report = _import(db, analyst, source, ImportMode.VALID_ROWS, orders={"received_date": "DMY"})
    assert (report.imported, report.rejected_records) == (2, 2)  # 31/3 and 4/1 read day first
    assert report.date_orders == {"received_date": DateOrder.DMY, "resolution_date": DateOrder.YMD}


def test_the_resolution_date_has_its_own_order(db, analyst, tmp_path):
    received = ["2019-03-29", "2019-03-30"]
    source = _source(tmp_path, received, resolution_date=["30/3/19", "14/4/19"])
    report = _import(db, analyst, source)
    assert report.date_orders["resolution_date"] == DateOrder.DMY
    assert [r["resolution_days"] for r in db.query("SELECT resolution_days FROM complaints ORDER BY id")] == [1, 15]


def test_two_digit_years_are_the_latest_such_year_not_after_this_year(db, analyst, tmp_path):
    this_year = date.today().year % 100
    texts = [f"1/13/{this_year:02d}", f"1/13/{(this_year + 1) % 100:02d}"]
    report = _import(db, analyst, _source(tmp_path, texts), ImportMode.VALID_ROWS)
    assert report.imported == 1 and report.rejections[0].reason.startswith("the date must be between")
    assert db.scalar("SELECT received_date FROM complaints") == date(date.today().year, 1, 13)


def test_a_column_of_no_dates_is_described_and_its_values_rejected_as_not_dates(db, analyst, tmp_path):
    source = _source(tmp_path, ["13/13/2019", "31/31/2019"])
    mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
    guess = conversion.guess_date_orders(source, mapping)["received_date"]
    assert not guess.ambiguous and guess.describe().startswith("none of its 2 values")
    with pytest.raises(ImportRejectedError) as refused:
        importer.import_complaints(db, analyst, source, mapping)
    assert {r.reason for r in refused.value.report.rejections} == {
        "not a date when read as month/day/year, the order of this column"
    }


def test_detection_counts_the_whole_column_not_a_sample(db, analyst, tmp_path):
    """Day-first is only visible far down the file; a sniffer reading the first rows would miss it."""
    days = [date(2019, 1, 1) + timedelta(days=n % 12) for n in range(30_000)] + [date(2019, 1, 25)]
    source = _source(tmp_path, _written(days, "DMY4"))
    mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
    guess = conversion.guess_date_orders(source, mapping)["received_date"]
    assert (guess.order, guess.ambiguous, guess.fits[DateOrder.DMY], guess.fits[DateOrder.MDY]) == (
        DateOrder.DMY,
        False,
        30_001,
        30_000,
    )


def test_the_preview_reads_dates_in_the_order_given(tmp_path):
    source = _source(tmp_path, ["3/5/2020", "4/6/2020"])
    mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
    month_first = conversion.preview(source, mapping)  # tied: shown month first, flagged beside it
    day_first = conversion.preview(source, mapping, orders={"received_date": "DMY"})
    assert month_first["received_date"].iloc[0].date() == date(2020, 3, 5)
    assert day_first["received_date"].iloc[0].date() == date(2020, 5, 3)


def test_an_unknown_date_order_or_field_is_refused_by_name(db, analyst, tmp_path):
    with pytest.raises(InputError, match="must be one of YMD, MDY, DMY"):
        _import(db, analyst, _source(tmp_path, ["2019-03-29"]), orders={"received_date": "MYD"})
    with pytest.raises(InputError, match="'channel' is not a date field"):
        _import(db, analyst, _source(tmp_path, ["2019-03-29"], "b.csv"), orders={"channel": "MDY"})


@pytest.mark.parametrize(("form", "read_again"), [("ISO", False), ("MDY2", False), ("DMY4", True)])
def test_the_import_decides_the_order_from_the_rows_it_read_and_rereads_only_when_needed(
    db, analyst, tmp_path, form, read_again
):
    days = _days(50)
    source = _source(tmp_path, _written(days, form))
    mapping = field_mapping.suggest_mapping(source.columns, Preset.PORTAL)
    steps: list[str] = []
    report = importer.import_complaints(db, analyst, source, mapping, progress=lambda share, text: steps.append(text))
    assert report.imported == 50
    assert any("again" in step for step in steps) == read_again
    assert [r["received_date"] for r in db.query("SELECT received_date FROM complaints ORDER BY id")] == days
