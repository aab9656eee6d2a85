"""The portal reads like a finished product (issue 14): every page, opened as every demo login on
the demo organisation, shows no raw ``None``/``nan``, no midnight times, no internal codes, no
"1 comments" and no raw JSON in any text, table, option or chart it renders."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from models.access import Role
from models.auth import load_user
from models.db import get_database
from models.seeding import DEMO_LOGINS
from models.settings import get_settings
from tests.pages.apptest import shown, signed_in_as
from ui.registry import pages_for

RAW_VALUES = re.compile(r"\b(?:None(?! [a-z])|nan|NaN|NaT)\b|00:00:00")  # "None yet" is prose
INTERNAL_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
LOWER_CASE_HINT = re.compile(r"\(lower_case\)", re.IGNORECASE)
COUNTABLE = (
    "comment|idea|support|supporter|vote|judge|score|answer|response|person|people|agent|member|action|update"
    "|finding|complaint|record|row|course|assignment|session|note|kudo|badge|day|month|week|year|hour|minute"
    "|audit|standard|right|use|survey|team|site|employee|account|change|item|goal|measurement|link|invitation"
)
ONE_PLURAL = re.compile(rf"(?<![\d.,])\b1 (?:{COUNTABLE})s\b")
RAW_JSON = re.compile(r"\{\s*\"")
# What may hold underscores and is not a code: addresses, links, and text the page quotes as code
# (the column names an import file uses, shown between backticks), and icons.
NOT_WORDS = re.compile(r":material/\w+:|\S+@\S+|https?://\S+|`[^`]*`|\b\w+\.(?:csv|xlsx|json|duckdb)\b")


# Texts known to read as a code, each with the page that shows it and why it is not fixed here.


@dataclass(frozen=True)
class Seen:
    """One text the page shows and where it stands."""

    place: str
    text: str


def problems_in(text: str) -> list[str]:
    """What in ``text`` reads as unfinished: raw empty values, internal codes, plural slips, raw JSON."""
    words = NOT_WORDS.sub(" ", text)
    found = [f"raw value {match!r}" for match in RAW_VALUES.findall(words)]
    found += [f"internal code {match!r}" for match in INTERNAL_CODE.findall(words)]
    found += [f"lower-case hint {match!r}" for match in LOWER_CASE_HINT.findall(words)]
    found += [f"plural {match!r}" for match in ONE_PLURAL.findall(words)]
    found += [f"raw JSON in {text[:80]!r}" for _ in RAW_JSON.findall(text)[:1]]
    return found


def _shown_cell(value: Any, config: dict[str, Any], placeholder: str | None) -> str | None:
    """A cell as the table shows it: missing values as the table's placeholder (Streamlit's own
    is "None"), dates in the column's format; None for cells that show no words."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return "None" if placeholder is None else placeholder
    if isinstance(value, pd.Timestamp):
        format_ = (config.get("type_config") or {}).get("format") or ""
        return value.strftime("%Y-%m-%d") if format_ and "HH" not in format_ else str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return None


def _cell_texts(table: Any, frame: pd.DataFrame, place: str) -> Iterator[Seen]:
    """The headers and cells of a table as shown: a column's configured label and format, the
    table's placeholder for missing values, hidden columns left out."""
    configs = json.loads(getattr(table.proto, "columns", "") or "{}")
    placeholder = table.proto.placeholder if table.type == "dataframe" and table.proto.HasField("placeholder") else None
    for position, column in enumerate(frame.columns):
        config = configs.get(str(column)) or configs.get(f"_pos:{position}") or {}
        if config.get("hidden"):
            continue
        label = config.get("label") or str(column)
        yield Seen(f"{place} column", label)
        if label.lower().endswith("code"):
            continue  # a code column shows identifiers on purpose (a KPI's import code, a course code)
        for value in frame[column].tolist():
            text = _shown_cell(value, config, placeholder)
            if text is not None:
                yield Seen(f"{place} column {label!r}", text)


def _encodings(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every encoding channel of a Vega-Lite spec, in layers, concatenations and facets too."""
    for channel in (spec.get("encoding") or {}).values():
        for one in channel if isinstance(channel, list) else [channel]:
            if isinstance(one, dict):
                yield one
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for part in spec.get(key) or []:
            yield from _encodings(part)
    if isinstance(spec.get("spec"), dict):
        yield from _encodings(spec["spec"])


def _chart_texts(chart: Any, place: str) -> Iterator[Seen]:
    """Titles, axis and legend titles and the values a chart draws as labels."""
    spec = json.loads(chart.proto.spec)
    frames = [convert_arrow_bytes_to_pandas_df(named.data.data) for named in chart.proto.datasets]
    if chart.proto.data.data:
        frames.append(convert_arrow_bytes_to_pandas_df(chart.proto.data.data))
    title = spec.get("title")
    if title:
        yield Seen(f"{place} title", json.dumps(title) if isinstance(title, dict) else str(title))
    for encoding in _encodings(spec):
        field = encoding.get("field")
        if "title" in encoding:
            if encoding["title"]:
                yield Seen(f"{place} axis/legend title", str(encoding["title"]))
        elif field and encoding.get("aggregate") is None:
            yield Seen(f"{place} axis/legend title", str(field))  # Vega-Lite titles a channel by its field
        for key in ("axis", "legend"):
            guide = encoding.get(key)
            if isinstance(guide, dict) and guide.get("title"):
                yield Seen(f"{place} {key} title", str(guide["title"]))
        if field and encoding.get("type") in ("nominal", "ordinal"):
            for frame in frames:
                if field in frame.columns:
                    yield from (
                        Seen(f"{place} labels of {field!r}", "None" if pd.isna(value) else str(value))
                        for value in frame[field].drop_duplicates().tolist()
                    )


def rendered(app: Any) -> Iterator[Seen]:
    """Every text the page renders, with where it stands."""
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "error", "success"):
        for element in getattr(app, kind):
            yield Seen(kind, shown(str(element.value)))
    for metric in app.metric:
        yield Seen("metric", f"{shown(metric.label)}: {metric.value} {metric.proto.delta}")
    for expander in app.expander:
        yield Seen("expander", shown(expander.label))
    for tab in app.tabs:
        yield Seen("tab", shown(tab.label))
    for kind in ("text_input", "text_area", "number_input", "date_input", "checkbox", "toggle", "button"):
        yield from (Seen(kind, shown(widget.label)) for widget in getattr(app, kind))
    for kind in ("selectbox", "multiselect", "radio"):
        for widget in getattr(app, kind):
            yield Seen(f"{kind} {widget.label!r}", shown(widget.label))
            yield from (Seen(f"{kind} {widget.label!r} option", str(option)) for option in widget.options)
    for number, table in enumerate(app.dataframe):
        yield from _cell_texts(table, table.value, f"table {number + 1}")
    for number, table in enumerate(app.table):
        yield from _cell_texts(table, table.value, f"static table {number + 1}")
    for number, chart in enumerate(app.get("vega_lite_chart")):
        yield from _chart_texts(chart, f"chart {number + 1}")


def tables_without_download(app: Any) -> list[str]:
    """Every table a page shows can be downloaded (SPEC §10): at least as many CSV downloads as
    read-only tables (Streamlit's own table download is turned off in the configuration)."""
    tables = [table for table in app.dataframe if not table.proto.editing_mode]
    downloads = [button for button in app.get("download_button") if button.proto.label == "Download CSV"]
    if len(downloads) >= len(tables):
        return []
    return [f"{len(tables)} tables but {len(downloads)} CSV downloads"]


@pytest.mark.parametrize("role", list(DEMO_LOGINS), ids=lambda role: DEMO_LOGINS[role])
def test_every_page_reads_like_a_finished_product_for_every_demo_login(demo_portal: Any, role: Role) -> None:
    user = load_user(get_database(get_settings().db_path), employee_id=demo_portal.logins[role])
    assert user is not None
    app = signed_in_as(user).run()
    pages = [page for section in pages_for(user).values() for page in section]
    assert pages, "every demo login opens some pages"
    failures: list[str] = []
    for page in pages:
        app.switch_page(page.path)
        app.run()
        if app.exception:
            failures.append(f"{page.title}: {app.exception[0].value}")
            continue
        for seen in rendered(app):
            failures += [f"{page.title} / {seen.place}: {problem}" for problem in problems_in(seen.text)]
        failures += [f"{page.title}: {problem}" for problem in tables_without_download(app)]
    unique = list(dict.fromkeys(failures))
    assert not unique, f"{len(unique)} unfinished texts as {DEMO_LOGINS[role]}:\n" + "\n".join(unique[:400])


@pytest.mark.parametrize(
    "text",
    [
        "Status: None",
        "Value nan",
        "2026-01-05 00:00:00",
        "Stage: session_started",
        "Code (lower_case)",
        "1 comments",
        '{"status": "open"}',
    ],
)
def test_the_walk_flags_each_kind_of_unfinished_text(text: str) -> None:
    assert problems_in(text)


@pytest.mark.parametrize(
    "text", ["ada_l@example.org", "Import the column `received_date`", "2 comments", "1 comment", "None yet — 5 ideas"]
)
def test_the_walk_lets_finished_text_pass(text: str) -> None:
    assert problems_in(text) == []
