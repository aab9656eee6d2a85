"""The complaint charts: a Pareto of many categories stays readable and its maths stays whole."""

from __future__ import annotations

import pandas as pd

from models.complaints.analysis import VITAL_FEW_SHARE
from ui import complaint_charts as charts


def _pareto_table(counts: list[int]) -> pd.DataFrame:
    """A Pareto table as models.complaints.pareto returns it, for categories with these counts."""
    total = sum(counts)
    running = pd.Series(counts).cumsum()
    return pd.DataFrame(
        {
            "rank": range(1, len(counts) + 1),
            "category": [f"Category number {n:03d} with a long descriptive name" for n in range(1, len(counts) + 1)],
            "complaints": counts,
            "share": [c / total for c in counts],
            "cumulative_share": running / total,
            "vital_few": [(r - c) < total * VITAL_FEW_SHARE for c, r in zip(counts, running, strict=True)],
        }
    )


def _chart_rows(chart) -> pd.DataFrame:
    return chart.layer[0].data


def test_a_pareto_of_125_categories_shows_the_top_20_and_one_bar_for_the_rest():
    table = _pareto_table([50000, 30000, 20000, *range(122, 0, -1)])
    bars = charts.pareto_bars(table)
    assert len(bars) == 21
    assert list(bars["category"][:20]) == list(table["category"][:20])
    assert bars["category"].iloc[-1] == "All other (105 categories)"
    assert bars["complaints"].sum() == table["complaints"].sum()
    assert bars["cumulative_share"].iloc[-1] == 1.0  # the line counts every category
    assert list(bars["cumulative_share"][:20]) == list(table["cumulative_share"][:20])
    assert not bars["vital_few"].iloc[-1]
    assert len(_chart_rows(charts.pareto(table))) == 21


def test_every_vital_category_keeps_its_own_bar():
    table = _pareto_table(list(range(100, 40, -1)))  # most of these 60 are needed to reach 80 %
    bars = charts.pareto_bars(table)
    vital = int(table["vital_few"].sum())
    assert vital > charts.PARETO_BARS
    assert bars["vital_few"].sum() == vital
    assert len(bars) == vital + 3 + 1


def test_a_short_pareto_is_shown_whole():
    table = _pareto_table([30, 20, 10])
    assert list(charts.pareto_bars(table)["category"]) == list(table["category"])
    assert list(charts.pareto_bars(table.iloc[:0])["category"]) == []


def test_the_pareto_axis_cuts_long_names_short_and_the_tooltip_gives_them_whole():
    spec = charts.pareto(_pareto_table([5000, 3000, *([100] * 40)])).to_dict()
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert axis["labelAngle"] != 0 and axis["labelLimit"] <= 150
    assert axis["labelOverlap"] is False  # every bar is named: there are few enough of them
    assert {"field": "category", "type": "nominal", "title": "Category"} in spec["layer"][0]["encoding"]["tooltip"]


def test_the_channel_mix_names_every_channel():
    mix = pd.DataFrame({"channel": [f"Channel {n}" for n in range(9)], "complaints": range(9, 0, -1)})
    mix["share"] = mix["complaints"] / mix["complaints"].sum()
    spec = charts.channel_mix(mix).to_dict()
    assert spec["encoding"]["y"]["axis"]["labelOverlap"] is False
    assert spec["height"] >= 9 * 20
