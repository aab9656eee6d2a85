"""What the portal's charts share: labels that wrap at words instead of being cut, ideas in
the order of their numbers, months that name their year."""

from __future__ import annotations

import textwrap
from typing import Any

import altair as alt

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
