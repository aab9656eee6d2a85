"""Altair charts of the customer survey KPIs: the organisation's value by month, and the value
by channel or by team with the number of answers behind each bar."""

from __future__ import annotations

import altair as alt
import pandas as pd

KPI_TITLES = {"nps": "NPS (points)", "csat": "CSAT (% satisfied)", "ces": "CES (mean effort, lower is better)"}


def by_month(frame: pd.DataFrame, survey_type: str) -> alt.Chart:
    """The KPI per month, one line per channel when the frame has a channel column."""
    color = {"color": alt.Color("channel:N", title="Channel")} if "channel" in frame.columns else {}
    tooltip = [alt.Tooltip("yearmonth(month):T", title="Month"), alt.Tooltip("value:Q", title="Value")]
    if "channel" in frame.columns:
        tooltip.insert(1, alt.Tooltip("channel:N", title="Channel"))
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title="Month"),
            y=alt.Y("value:Q", title=KPI_TITLES[survey_type], scale=alt.Scale(zero=False)),
            tooltip=[*tooltip, alt.Tooltip("answers:Q", title="Answers", format=",")],
            **color,
        )
        .properties(height=280)
    )


def by_group(frame: pd.DataFrame, group: str, survey_type: str) -> alt.Chart:
    """The KPI per channel or team, best first (lowest first for CES)."""
    order = "x" if survey_type == "ces" else "-x"
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y(f"{group}:N", title=group.capitalize(), sort=order),
            x=alt.X("value:Q", title=KPI_TITLES[survey_type]),
            tooltip=[
                alt.Tooltip(f"{group}:N", title=group.capitalize()),
                alt.Tooltip("value:Q", title="Value"),
                alt.Tooltip("answers:Q", title="Answers", format=","),
            ],
        )
        .properties(height=max(120, 28 * len(frame)))
    )
