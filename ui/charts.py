"""What the portal's charts share: labels that wrap at words instead of being cut, ideas in
the order of their numbers, months that name their year, and month names and numbers in the
reader's language."""

from __future__ import annotations

import textwrap
from typing import Any

import altair as alt
from babel import dates, numbers

from models.i18n import FORMAT_LOCALES, SOURCE_LANGUAGE, current_language

LABEL_WIDTH = 32  # characters on one line of a category label


def wrapped(text: str, width: int = LABEL_WIDTH) -> str:
    """A label broken into lines at spaces (never inside a word); ``wrapped_axis`` draws each line."""
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)) or text


def wrapped_axis(**settings: Any) -> alt.Axis:
    """An axis whose labels (made with ``wrapped``) show every line, whole."""
    return alt.Axis(labelExpr="split(datum.label, '\\n')", labelLimit=0, labelOverlap=False, **settings)


def idea_label(idea_id: int, title: str) -> str:
    """An idea as a chart names it: its number and its whole title, wrapped."""
    return wrapped(f"#{idea_id} {title}")


def by_number(field: str = "idea_id") -> alt.EncodingSortField:
    """Sort a category axis by a number (an idea's), not by the text of its label."""
    return alt.EncodingSortField(field=field, op="min", order="ascending")


def month_axis(**settings: Any) -> alt.Axis:
    """A month axis that names the year of every month, so a chart spanning two years reads right."""
    return alt.Axis(format="%b %Y", labelOverlap=True, tickCount={"interval": "month", "step": 1}, **settings)


def chart_locale() -> alt.Locale | None:
    """The current language's month and day names and its decimal and group signs, for Vega to
    write dates and numbers on axes and in tooltips ("січ. 2025", "1 234"); None in English,
    which Vega writes by itself."""
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return None
    locale = FORMAT_LOCALES[language]

    def names(kind: str, width: str) -> list[str]:
        found = getattr(dates, f"get_{kind}_names")(width, context="stand-alone", locale=locale)
        return [found[key] for key in sorted(found)]

    days, short_days = names("day", "wide"), names("day", "abbreviated")  # Babel counts from Monday
    time = alt.TimeLocale(
        dateTime="%x %X",
        date="%d.%m.%Y",
        time="%H:%M:%S",
        periods=["AM", "PM"],
        days=days[-1:] + days[:-1],  # Vega counts from Sunday
        shortDays=short_days[-1:] + short_days[:-1],
        months=names("month", "wide"),
        shortMonths=names("month", "abbreviated"),
    )
    number = alt.NumberLocale(
        decimal=numbers.get_decimal_symbol(locale),
        thousands=numbers.get_group_symbol(locale),
        grouping=[3],
        currency=["", ""],
    )
    return alt.Locale(number=number, time=time)


def number_tooltip(field: str, title: str, decimals: int | None = None) -> alt.Tooltip:
    """A number in a tooltip as the reader writes it: thousands grouped and the language's decimal
    sign ("1 511", "78,5"), which Vega writes with the chart's locale (see ``localized``);
    ``decimals`` fixes the places, else they are the number's own. Without a format Vega writes
    the bare number ("1511", "78.5") in every language."""
    return alt.Tooltip(field, title=title, format="," if decimals is None else f",.{decimals}f")


def localized(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """``chart`` with the current language's month names and number signs (see ``chart_locale``)."""
    locale = chart_locale()
    return chart if locale is None else chart.configure(locale=locale)
