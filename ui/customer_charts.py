"""Altair charts of the customer survey KPIs: the organisation's value by month, and the value
by channel or by team with the number of answers behind each bar."""

from __future__ import annotations

import altair as alt
import pandas as pd

from models.i18n import N_, _
from ui.charts import localized, number_tooltip

KPI_TITLES = {
    "nps": N_("NPS (points)"),
    "csat": N_("CSAT (% satisfied)"),
    "ces": N_("CES (mean effort, lower is better)"),
}
GROUP_TITLES = {"channel": N_("Channel"), "team": N_("Team")}


def by_month(frame: pd.DataFrame, survey_type: str) -> alt.Chart:
    """The KPI per month, one line per channel when the frame has a channel column."""
    color = {"color": alt.Color("channel:N", title=_("Channel"))} if "channel" in frame.columns else {}
    tooltip = [alt.Tooltip("yearmonth(month):T", title=_("Month")), number_tooltip("value:Q", _("Value"))]
    if "channel" in frame.columns:
        tooltip.insert(1, alt.Tooltip("channel:N", title=_("Channel")))
    return localized(
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title=_("Month")),
            y=alt.Y("value:Q", title=_(KPI_TITLES[survey_type]), scale=alt.Scale(zero=False)),
            tooltip=[*tooltip, number_tooltip("answers:Q", _("Answers"))],
            **color,
        )
        .properties(height=280)
    )


def by_group(frame: pd.DataFrame, group: str, survey_type: str) -> alt.Chart:
    """The KPI per channel or team, best first (lowest first for CES)."""
    title = _(GROUP_TITLES[group])
    order = "x" if survey_type == "ces" else "-x"
    return localized(
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y(f"{group}:N", title=title, sort=order),
            x=alt.X("value:Q", title=_(KPI_TITLES[survey_type])),
            tooltip=[
                alt.Tooltip(f"{group}:N", title=title),
                number_tooltip("value:Q", _("Value")),
                number_tooltip("answers:Q", _("Answers")),
            ],
        )
        .properties(height=max(120, 28 * len(frame)))
    )
