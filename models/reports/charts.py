"""The report's charts as Altair specifications, one builder for every section: the page
draws them and the PDF renders the same specifications offline."""

from __future__ import annotations

import altair as alt
import pandas as pd
from babel import numbers

from models.i18n import FORMAT_LOCALES, SOURCE_LANGUAGE, _, current_language
from models.reports.records import Chart

CHART_FONT = "DejaVu Sans"  # the PDF's font, so chart labels in any script render the same


def bar_chart(chart: Chart, *, width: int | None = None) -> alt.Chart:
    """One horizontal bar per row in the order given, coloured by group when rows have one;
    numbers on the axis and in tooltips with the current language's decimal and group signs."""
    frame = pd.DataFrame([row.model_dump() for row in chart.rows], columns=["label", "value", "group"])
    grouped = bool((frame["group"] != "").any())
    encoding: dict = {
        "y": alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        "x": alt.X("value:Q", title=chart.measure),
        "tooltip": [alt.Tooltip("label:N", title=_("Label")), alt.Tooltip("value:Q", title=chart.measure, format=",")],
    }
    if grouped:
        encoding["color"] = alt.Color("group:N", title=chart.legend or None, legend=alt.Legend(orient="bottom"))
    bars = alt.Chart(frame).mark_bar().encode(**encoding)
    properties: dict = {"title": chart.title, "height": alt.Step(22)}
    if width is not None:
        properties["width"] = width
    locale = number_locale()
    settings: dict = {"font": CHART_FONT} if locale is None else {"font": CHART_FONT, "locale": locale}
    return bars.properties(**properties).configure(**settings)


def number_locale() -> alt.Locale | None:
    """The current language's decimal and group signs for Vega ("1 234,5"); None in English,
    which Vega writes by itself."""
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return None
    locale = FORMAT_LOCALES[language]
    return alt.Locale(
        number=alt.NumberLocale(
            decimal=numbers.get_decimal_symbol(locale),
            thousands=numbers.get_group_symbol(locale),
            grouping=[3],
            currency=["", ""],
        )
    )
