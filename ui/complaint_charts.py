"""Altair charts of the complaint analysis; each names the selection a click makes, so a
page can show the complaints behind the bar. Titles, axes and legends speak the reader's
language, and so do the month names and numbers Vega writes (``ui.charts.localized``)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from models.i18n import _, format_percent, ngettext
from ui.charts import localized, number_tooltip

PICK = "pick"  # the name of every chart's point selection


def _pick(*fields: str) -> alt.Parameter:
    return alt.selection_point(name=PICK, fields=list(fields), on="click", clear="dblclick")


def volume_by_month(frame: pd.DataFrame) -> alt.Chart:
    selection = _pick("month")
    return localized(
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):T", title=_("Month")),
            y=alt.Y("complaints:Q", title=_("Complaints")),
            opacity=alt.condition(selection, alt.value(1.0), alt.value(0.45)),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title=_("Month")),
                number_tooltip("complaints:Q", _("Complaints")),
            ],
        )
        .add_params(selection)
        .properties(height=260)
    )


PARETO_BARS = 20  # categories shown as their own bar; the vital few always are


def pareto_bars(frame: pd.DataFrame, bars: int = PARETO_BARS) -> pd.DataFrame:
    """The Pareto table as the chart shows it: the top categories (all the vital few and at
    least three more), then one bar for the rest. Shares and the cumulative share are the
    ones worked out over every category, so the line still ends at 100 %."""
    shown = max(bars, int(frame["vital_few"].sum()) + 3) if len(frame) else 0
    if len(frame) <= shown + 1:  # grouping a single category would hide its name for nothing
        return frame.assign(grouped=0)
    top, rest = frame.iloc[:shown], frame.iloc[shown:]
    other = {
        "rank": shown + 1,
        "category": ngettext("All other ({n} category)", "All other ({n} categories)", len(rest)),
        "complaints": rest["complaints"].sum(),
        "share": rest["share"].sum(),
        "cumulative_share": rest["cumulative_share"].iloc[-1],
        "vital_few": False,
        "grouped": len(rest),
    }
    return pd.concat([top.assign(grouped=0), pd.DataFrame([other])], ignore_index=True)


def pareto(frame: pd.DataFrame, rule_share: float = 0.8) -> alt.LayerChart:
    """Bars sorted by volume, the cumulative-% line on a second axis and the 80 % rule.

    Long category names are cut short on the axis; the tooltip gives them in full."""
    selection = _pick("category")
    vital, useful = _("Vital few"), _("Useful many")
    shown = pareto_bars(frame)
    order = list(shown["category"])
    data = shown.assign(
        cumulative_percent=shown["cumulative_share"] * 100,
        share_percent=shown["share"] * 100,
        group=shown["vital_few"].map({True: vital, False: useful}),
    )
    x = alt.X(
        "category:N",
        sort=order,
        title=_("Category"),
        axis=alt.Axis(labelAngle=-45, labelLimit=130, labelFontSize=11, labelOverlap=False),
    )
    tooltip = [
        alt.Tooltip("category:N", title=_("Category")),
        number_tooltip("complaints:Q", _("Complaints")),
        number_tooltip("share_percent:Q", _("Share %"), decimals=1),
        number_tooltip("cumulative_percent:Q", _("Cumulative %"), decimals=1),
        alt.Tooltip("group:N", title=_("Group")),
    ]
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("complaints:Q", title=_("Complaints")),
            color=alt.Color(
                "group:N",
                title=None,
                scale=alt.Scale(domain=[vital, useful], range=["#c0392b", "#95a5a6"]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            opacity=alt.condition(selection, alt.value(1.0), alt.value(0.45)),
            tooltip=tooltip,
        )
        .add_params(selection)
    )
    line = (
        alt.Chart(data)
        .mark_line(point=True, color="#2c3e50")
        .encode(
            x=x,
            y=alt.Y("cumulative_percent:Q", title=_("Cumulative %"), scale=alt.Scale(domain=[0, 100])),
            tooltip=tooltip,
        )
    )
    rule = (
        alt.Chart(
            pd.DataFrame({"line": [rule_share * 100], "label": [_("{share} line", share=format_percent(rule_share))]})
        )
        .mark_rule(strokeDash=[6, 4], color="#e67e22")
        .encode(
            y=alt.Y("line:Q", title=_("Cumulative %"), scale=alt.Scale(domain=[0, 100])),
            tooltip=[alt.Tooltip("label:N", title=_("Rule"))],
        )
    )
    return localized(alt.layer(bars, alt.layer(line, rule)).resolve_scale(y="independent").properties(height=340))


def channel_mix(frame: pd.DataFrame) -> alt.Chart:
    selection = _pick("channel")
    data = frame.assign(share_percent=frame["share"] * 100)
    return localized(
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("channel:N", sort="-x", title=_("Channel"), axis=alt.Axis(labelOverlap=False, labelLimit=200)),
            x=alt.X("complaints:Q", title=_("Complaints")),
            opacity=alt.condition(selection, alt.value(1.0), alt.value(0.45)),
            tooltip=[
                alt.Tooltip("channel:N", title=_("Channel")),
                number_tooltip("complaints:Q", _("Complaints")),
                number_tooltip("share_percent:Q", _("Share %"), decimals=1),
            ],
        )
        .add_params(selection)
        .properties(height=max(160, 28 * len(frame)))  # room for every channel's name
    )


def heat_map(frame: pd.DataFrame) -> alt.Chart:
    selection = _pick("category", "month")
    return localized(
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("yearmonth(month):T", title=_("Month")),
            y=alt.Y("category:N", title=None, axis=alt.Axis(labelLimit=220, labelOverlap=False)),
            color=alt.Color("complaints:Q", scale=alt.Scale(scheme="orangered"), title=_("Complaints")),
            stroke=alt.condition(selection, alt.value("#000"), alt.value(None)),
            tooltip=[
                alt.Tooltip("category:N", title=_("Category")),
                alt.Tooltip("yearmonth(month):T", title=_("Month")),
                number_tooltip("complaints:Q", _("Complaints")),
            ],
        )
        .add_params(selection)
        .properties(height=max(160, 26 * frame["category"].nunique()))
    )


def resolution(frame: pd.DataFrame) -> alt.Chart:
    """Complaints per band of days to resolve; a click names the band as the analysis knows it
    (``band``), the bar shows it in the reader's language (``band_label``)."""
    selection = _pick("band")
    data = frame.assign(timely_percent=frame["timely_share"] * 100, band_label=frame["band"].map(_))
    order = list(data["band_label"])
    return localized(
        alt.Chart(data)
        .mark_bar(color="#2980b9")
        .encode(
            x=alt.X("band_label:N", sort=order, title=_("Days to resolve")),
            y=alt.Y("complaints:Q", title=_("Complaints")),
            opacity=alt.condition(selection, alt.value(1.0), alt.value(0.45)),
            tooltip=[
                alt.Tooltip("band_label:N", title=_("Days to resolve")),
                number_tooltip("complaints:Q", _("Complaints")),
                number_tooltip("timely_percent:Q", _("Timely %"), decimals=1),
            ],
        )
        .add_params(selection)
        .properties(height=240)
    )


def picked(event: Any) -> dict[str, Any]:
    """The fields of the clicked mark, or {} when nothing is selected."""
    try:
        points = event.selection[PICK]
    except (AttributeError, KeyError, TypeError):
        return {}
    if isinstance(points, list) and points:
        return dict(points[0])
    return {}
