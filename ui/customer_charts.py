"""Altair charts of the customer survey KPIs: the organisation's value by month, and the value
by channel or by team with the number of answers behind each bar."""

from __future__ import annotations

import altair as alt
import pandas as pd

from models.i18n import N_, _

KPI_TITLES = {
    "nps": N_("NPS (points)"),
    "csat": N_("CSAT (% satisfied)"),
    "ces": N_("CES (mean effort, lower is better)"),
}
GROUP_TITLES = {"channel": N_("Channel"), "team": N_("Team")}


def by_month(frame: pd.DataFrame, survey_type: str) -> alt.Chart:
    """The KPI per month, one line per channel when the frame has a channel column."""
    color = {"color": alt.Color("channel:N", title=_("Channel"))} if "channel" in frame.columns else {}
    tooltip = [alt.Tooltip("yearmonth(month):T", title=_("Month")), alt.Tooltip("value:Q", title=_("Value"))]
    if "channel" in frame.columns:
        tooltip.insert(1, alt.Tooltip("channel:N", title=_("Channel")))
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title=_("Month")),
            y=alt.Y("value:Q", title=_(KPI_TITLES[survey_type]), scale=alt.Scale(zero=False)),
            tooltip=[*tooltip, alt.Tooltip("answers:Q", title=_("Answers"), format=",")],
            **color,
        )
        .properties(height=280)
    )


def by_group(frame: pd.DataFrame, group: str, survey_type: str) -> alt.Chart:
    """The KPI per channel or team, best first (lowest first for CES)."""
    title = _(GROUP_TITLES[group])
    order = "x" if survey_type == "ces" else "-x"
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y(f"{group}:N", title=title, sort=order),
            x=alt.X("value:Q", title=_(KPI_TITLES[survey_type])),
            tooltip=[
                alt.Tooltip(f"{group}:N", title=title),
                alt.Tooltip("value:Q", title=_("Value")),
                alt.Tooltip("answers:Q", title=_("Answers"), format=","),
            ],
        )
        .properties(height=max(120, 28 * len(frame)))
    )
