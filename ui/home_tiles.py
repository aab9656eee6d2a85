"""The pieces every home section is made of: a tile with its definition, a link into the area's
page (only when the person may open it) and a small chart."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from models.access import CurrentUser
from models.i18n import _, current_language, format_date, format_number
from ui.charts import localized, number_tooltip
from ui.registry import PAGES

CHART_HEIGHT = 170


def tile(column: DeltaGenerator, label: str, value: str | int, definition: str) -> None:
    """A metric with its one-line definition (shown on hover). ``value`` is never "—": a
    section with nothing to show says so in words instead."""
    column.metric(label, value, help=definition)


def tiles(items: list[tuple[str, str | int, str]], per_row: int | None = None) -> None:
    """Tiles in a row (or rows of ``per_row``, when their labels need the room): (label, value, definition) each."""
    width = per_row or len(items)
    for first in range(0, len(items), width):
        row = items[first : first + width]
        for column, (label, value, definition) in zip(st.columns(width), row, strict=False):
            tile(column, label, value, definition)


def link(user: CurrentUser, path: str, label: str) -> None:
    """A link into an area's page, served at its address in the registry; nothing when the
    person may not open that page."""
    spec = next((page for page in PAGES if page.path == path), None)
    if spec is not None and spec.opens_for(user):
        st.page_link(spec.path, label=label, icon=spec.icon)


def percent(value: float | None, *, none: str) -> str:
    """A share in % with one decimal in the language's number form ("12.5 %", "12,5 %"), or the
    words saying why there is none."""
    return none if value is None else _("{rate} %", rate=format_number(value, 1))


def day_month(value: date) -> str:
    """A day of this year without the year: "01 Mar", "01 бер."."""
    if current_language() == "en":
        return f"{value:%d %b}"
    return format_date(value, "dd MMM")


def line_chart(
    frame: pd.DataFrame, x: str, y: str, x_title: str, y_title: str, tooltip: list[str | tuple[str, str]]
) -> None:
    """A line over time; ``tooltip`` as in ``bar_chart`` (a field with its title in words)."""
    chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X(x, title=x_title),
            y=alt.Y(y, title=y_title),
            tooltip=[_tooltip(item) for item in tooltip],
        )
        .properties(height=CHART_HEIGHT)
    )
    st.altair_chart(localized(chart), width="stretch")


def _tooltip(item: str | tuple[str, str]) -> alt.Tooltip:
    """A tooltip field titled in words: ``("people_below:Q", "People below")`` or a field whose
    name reads as words once its underscores are spaces."""
    field, title = item if isinstance(item, tuple) else (item, item.split(":")[0].replace("_", " ").capitalize())
    return number_tooltip(field, title) if field.endswith(":Q") else alt.Tooltip(field, title=title)


def bar_chart(
    frame: pd.DataFrame,
    x: str,
    y: str,
    x_title: str,
    tooltip: list[str | tuple[str, str]],
    color: str | None = None,
    *,
    stacked: bool = False,
) -> None:
    """Horizontal bars, the longest first; with ``color``, bars side by side (or ``stacked``,
    when the parts add up to a whole)."""
    encoding = {
        "x": alt.X(x, title=x_title, stack="zero" if stacked else None),
        "y": alt.Y(y, title=None, sort="-x", axis=alt.Axis(labelOverlap=False, labelLimit=160)),
        "tooltip": [_tooltip(item) for item in tooltip],
    }
    if color is not None:
        encoding["color"] = alt.Color(color, title=None, legend=alt.Legend(orient="bottom"))
        if not stacked:
            encoding["yOffset"] = alt.YOffset(color, title=None)
    chart = alt.Chart(frame).mark_bar().encode(**encoding).properties(height=alt.Step(18))
    st.altair_chart(localized(chart), width="stretch")
