"""The report's charts as Altair specifications, one builder for every section: the page
draws them and the PDF renders the same specifications offline."""

from __future__ import annotations

import altair as alt
import pandas as pd

from models.reports.records import Chart

CHART_FONT = "DejaVu Sans"  # the PDF's font, so chart labels in any script render the same


def bar_chart(chart: Chart, *, width: int | None = None) -> alt.Chart:
    """One horizontal bar per row in the order given, coloured by group when rows have one."""
    frame = pd.DataFrame([row.model_dump() for row in chart.rows], columns=["label", "value", "group"])
    grouped = bool((frame["group"] != "").any())
    encoding: dict = {
        "y": alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        "x": alt.X("value:Q", title=chart.measure),
        "tooltip": [alt.Tooltip("label:N", title="Label"), alt.Tooltip("value:Q", title=chart.measure)],
    }
    if grouped:
        encoding["color"] = alt.Color("group:N", title=chart.legend or None, legend=alt.Legend(orient="bottom"))
    bars = alt.Chart(frame).mark_bar().encode(**encoding)
    properties: dict = {"title": chart.title, "height": alt.Step(22)}
    if width is not None:
        properties["width"] = width
    return bars.properties(**properties).configure(font=CHART_FONT)
