"""The records of the quarterly programme report — a quarter, a figure with its definition,
a section with its chart's data, the report — and how a figure is shown, the one format the
page, the PDF and the downloads share."""

from __future__ import annotations

import math
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from models.i18n import (
    SOURCE_LANGUAGE,
    _,
    current_language,
    format_date,
    format_money,
    format_number,
    format_percent,
)

Style = Literal["count", "percent", "signed", "decimal", "money", "text"]


class Quarter(BaseModel):
    """A calendar quarter: ``Quarter(year=2026, number=1)`` is January to March 2026."""

    model_config = ConfigDict(frozen=True)

    year: int
    number: int

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        following = date(self.year + 1, 1, 1) if self.number == 4 else date(self.year, 3 * self.number + 1, 1)
        return date.fromordinal(following.toordinal() - 1)

    @property
    def label(self) -> str:
        """The quarter's code ("2026 Q1"): the value the page chooses by."""
        return f"{self.year} Q{self.number}"

    @property
    def title(self) -> str:
        """The quarter as the current language names it ("2026 Q1", "1 кв. 2026")."""
        return _("{year} Q{quarter}", year=self.year, quarter=self.number)

    def previous(self) -> Quarter:
        return (
            Quarter(year=self.year - 1, number=4)
            if self.number == 1
            else Quarter(year=self.year, number=self.number - 1)
        )


def quarter_of(day: date) -> Quarter:
    return Quarter(year=day.year, number=(day.month - 1) // 3 + 1)


def last_complete_quarter(today: date | None = None) -> Quarter:
    return quarter_of(today or date.today()).previous()


class Figure(BaseModel):
    """One figure of the report: its value, how it is shown and what it means."""

    name: str
    value: float | int | str | None
    style: Style
    unit: str = ""
    definition: str


class ChartRow(BaseModel):
    label: str
    value: float
    group: str = ""


class Chart(BaseModel):
    """A section's chart as data: one bar per row, in the order given."""

    title: str
    measure: str  # the value axis' title
    rows: list[ChartRow]
    legend: str = ""  # title of the colour legend when rows have groups


class Section(BaseModel):
    key: str
    title: str
    figures: list[Figure]
    note: str = ""  # what the reader should know first, e.g. that nothing happened
    chart: Chart | None = None


class QuarterlyReport(BaseModel):
    """The report, written in the language of the person who built it (``language``): its PDF
    and its downloads speak that language too, whoever's thread builds them."""

    organisation: str
    quarter: Quarter
    as_of: date
    currency: str
    sections: list[Section]
    language: str = SOURCE_LANGUAGE

    def figures(self) -> list[tuple[Section, Figure]]:
        return [(section, figure) for section in self.sections for figure in section.figures]


def long_date(day: date) -> str:
    """A day as the report writes it: "05 March 2026" in English, as it always has; the
    language's long date otherwise ("5 березня 2026 р.")."""
    return format_date(day, "dd MMMM y" if current_language() == SOURCE_LANGUAGE else "long")


def short_date(day: date) -> str:
    """A day inside a sentence of the report: "2026-03-05" in English, the language's medium date otherwise."""
    return day.isoformat() if current_language() == SOURCE_LANGUAGE else format_date(day)


def shown(figure: Figure, currency: str = "") -> str:
    """A figure as the page, the PDF and the tests show it, in the current language's form."""
    value = figure.value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if figure.style == "text":
        return str(value)
    amount = float(value)
    if current_language() != SOURCE_LANGUAGE:
        return _localized(figure.style, amount, currency)
    if figure.style == "count":
        return f"{round(amount):,}"
    if figure.style == "percent":
        return f"{amount:.1f} %"
    if figure.style == "signed":
        return f"{amount:+.1f}"
    if figure.style == "money":
        return format_money(amount, currency, decimals=0) if currency else f"{amount:,.0f}"
    return f"{amount:,.2f}"


def _localized(style: Style, amount: float, currency: str) -> str:
    """A figure's number in the current language's form ("12,3 %", "+4,5", "12 346 €")."""
    if style == "count":
        return format_number(round(amount))
    if style == "percent":
        return format_percent(amount / 100, 1)
    if style == "signed":
        return ("+" if amount > 0 else "−" if amount < 0 else "") + format_number(abs(amount), 1)
    if style == "money":
        return format_money(amount, currency, decimals=0) if currency else format_number(round(amount))
    return format_number(amount, 2)


def number(value: Any) -> float | None:
    """A figure from a query: None for a missing value (NULL or NaN)."""
    if value is None:
        return None
    amount = float(value)
    return None if math.isnan(amount) else amount


def chart_rows(pairs: list[tuple[str, Any]] | list[tuple[str, Any, str]]) -> list[ChartRow]:
    rows = []
    for pair in pairs:
        value = number(pair[1])
        if value is not None:
            rows.append(ChartRow(label=str(pair[0]), value=value, group=pair[2] if len(pair) > 2 else ""))
    return rows
