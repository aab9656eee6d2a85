"""The portal's shared chart rules, read from the drawn chart: a month axis over two years
names each month's year, ideas stand in the order of their numbers, and long labels wrap
at words without being cut."""

from __future__ import annotations

import re
from datetime import date

import altair as alt
import pandas as pd
import vl_convert

from ui.charts import by_number, idea_label, month_axis, wrapped_axis


def drawn_texts(chart: alt.Chart) -> list[str]:
    """The texts of the chart as drawn (SVG), in drawing order."""
    svg = vl_convert.vegalite_to_svg(chart.to_dict())
    lines_apart = svg.replace("</tspan>", " </tspan>")  # a wrapped label's lines are tspans
    return [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<text[^>]*>(.*?)</text>", lines_apart)]


def test_a_month_axis_over_two_years_names_the_year_of_each_month():
    frame = pd.DataFrame(
        {"month": pd.to_datetime([date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]), "n": [3, 4, 5]}
    )
    chart = (
        alt.Chart(frame)
        .mark_line()
        .encode(x=alt.X("month:T", axis=month_axis(title="Month")), y="n:Q")
        .properties(width=300)
    )
    months = [t for t in drawn_texts(chart) if re.fullmatch(r"[A-Z][a-z]{2} \d{4}", t)]
    assert months == ["Nov 2025", "Dec 2025", "Jan 2026"]  # each month once, with its year


def test_ideas_stand_in_the_order_of_their_numbers_not_of_their_text():
    frame = pd.DataFrame(
        {"idea_id": [10, 2, 1], "idea": [idea_label(i, f"Idea {i}") for i in (10, 2, 1)], "score": [3.0, 4.0, 2.0]}
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(y=alt.Y("idea:N", sort=by_number(), axis=wrapped_axis(title=None)), x="score:Q")
    )
    labels = [t for t in drawn_texts(chart) if t.startswith("#")]
    assert labels == ["#1 Idea 1", "#2 Idea 2", "#10 Idea 10"]  # as text, #10 would come before #2


def test_a_long_idea_title_wraps_at_words_and_is_drawn_whole():
    title = "Call back every customer whose complaint was transferred twice within one working day"
    frame = pd.DataFrame({"idea_id": [7], "idea": [idea_label(7, title)], "score": [4.0]})
    chart = alt.Chart(frame).mark_bar().encode(y=alt.Y("idea:N", axis=wrapped_axis(title=None)), x="score:Q")
    drawn = " ".join(t for t in drawn_texts(chart) if t not in {"score"} and not re.fullmatch(r"[\d.]+", t))
    assert f"#7 {title}" in drawn  # every word, none cut
    assert "…" not in drawn
