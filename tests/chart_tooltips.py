"""What a chart's tooltips say, as Vega writes them in the browser: each tooltip's titles and its
values formatted by the chart's own locale. Streamlit 1.67 draws every Altair chart with its
theme, which gives a mark without a ``tooltip`` encoding a tooltip of all its encoded fields
(``config.mark.tooltip = {"content": "encoding"}``), titled by each channel's title or, without
one, by the field's name — so the probe draws with that default too.

The tooltip expressions Vega-Lite compiles are evaluated by Vega itself (``vl_convert``): each
mark's accessible description is replaced by its tooltip's entries, which the SVG writes as
``aria-label``."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
import vl_convert

STREAMLIT_MARK_TOOLTIP = {"content": "encoding"}  # Streamlit 1.67's theme (frontend CustomTheme)
ENTRY = "\u241e"  # separates entries in the probe's description (a character no chart shows)
KEY = "\u241f"  # separates an entry's title from its value
# a top-level entry of a compiled tooltip object: `{"Title": expr, "Other": expr}`
TOOLTIP_KEY = re.compile(r'(?:^\{|, )"((?:[^"\\]|\\.)*)": ')


@dataclass(frozen=True)
class TooltipEntry:
    """One line of a tooltip as the reader sees it: the title and the value."""

    title: str
    value: str


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON values, dates as ISO text (as Streamlit sends them to Vega)."""
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def spec_of(element: Any) -> dict[str, Any]:
    """The Vega-Lite spec of a chart AppTest found (``app.get("vega_lite_chart")``), with its data."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    spec = json.loads(element.proto.spec)
    named = {item.name: _records(convert_arrow_bytes_to_pandas_df(item.data.data)) for item in element.proto.datasets}
    if named:
        spec["datasets"] = {**spec.get("datasets", {}), **named}
    if element.proto.data.data:
        spec["data"] = {"values": _records(convert_arrow_bytes_to_pandas_df(element.proto.data.data))}
    return spec


def as_streamlit_draws(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with Streamlit's theme default for tooltips (the chart's own config wins)."""
    drawn = json.loads(json.dumps(spec))
    mark = drawn.setdefault("config", {}).setdefault("mark", {})
    mark.setdefault("tooltip", STREAMLIT_MARK_TOOLTIP)
    return drawn


def _marks(marks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for mark in marks:
        found.append(mark)
        found += _marks(mark.get("marks", []))
    return found


@dataclass(frozen=True)
class Drawn:
    """A chart as the browser draws it: the texts on it (titles, axis labels, legends) and every
    tooltip it can show."""

    texts: list[str]
    tooltips: list[list[TooltipEntry]]


def drawn(spec: dict[str, Any]) -> Drawn:
    """The chart drawn by Vega as Streamlit draws it, each tooltip as its entries with values as
    Vega writes them. A tooltip that shows a whole data row is one entry titled ``datum``."""
    vega = vl_convert.vegalite_to_vega(as_streamlit_draws(spec))
    probed = False
    for mark in _marks(vega.get("marks", [])):
        for stage in mark.get("encode", {}).values():
            tooltip = stage.get("tooltip")
            if not isinstance(tooltip, dict) or "signal" not in tooltip:
                continue
            expression = tooltip["signal"]
            if expression.strip() == "datum":
                stage["description"] = {"signal": f"'datum{KEY}'"}
            else:
                titles = [json.loads(f'"{title}"') for title in TOOLTIP_KEY.findall(expression)]
                parts = [
                    f"{json.dumps(title)} + '{KEY}' + ({expression})[{json.dumps(title)}]" for title in titles
                ] or [f"'{KEY}' + ({expression})"]
                stage["description"] = {"signal": f" + '{ENTRY}' + ".join(parts)}
            mark["aria"] = True
            stage.pop("ariaRoleDescription", None)
            probed = True
    svg = vl_convert.vega_to_svg(vega)
    texts = [
        html.unescape(re.sub(r"<[^>]+>", " ", text)).strip() for text in re.findall(r"<text[^>]*>(.*?)</text>", svg)
    ]
    if not probed:
        return Drawn(texts, [])
    found = []
    for label in dict.fromkeys(html.unescape(text) for text in re.findall(r'aria-label="([^"]*)"', svg)):
        if KEY not in label:
            continue  # an axis's or the chart's own description
        entries = [entry.split(KEY, 1) for entry in label.split(ENTRY)]
        found.append([TooltipEntry(title, value) for title, value in entries])
    return Drawn(texts, found)
