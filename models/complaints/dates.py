"""Dates in complaint exports: the orders a column's dates may be written in, the SQL that
reads a value in a given order, and the choice of a column's order from all its values.

A date whose first part is a four-digit year (2019-03-29, 2019/3/29, 2019-03-29 14:05) and
an Excel date number (43553) read the same in every order. The others — 3/5/20, 29.03.2019,
03-05-2020 — depend on the order, which is chosen once per column: the order that reads most
of its values as dates between 1990 and today, as DuckDB's and pandas' sniffers do. When
several orders read equally many, the column is flagged instead of guessed."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from models.complaints.field_mapping import EARLIEST_DATE
from models.i18n import N_, _, format_number, ngettext


class DateOrder(StrEnum):
    YMD = "YMD"
    MDY = "MDY"
    DMY = "DMY"


DATE_ORDER_LABELS = {
    DateOrder.YMD: N_("year/month/day (2019/3/29, 19-03-29)"),
    DateOrder.MDY: N_("month/day/year (3/29/2019, 3/29/19)"),
    DateOrder.DMY: N_("day/month/year (29/3/2019, 29.03.19)"),
}
DATE_ORDER_NAMES = {
    DateOrder.YMD: N_("year/month/day"),
    DateOrder.MDY: N_("month/day/year"),
    DateOrder.DMY: N_("day/month/year"),
}
PREFERENCE = (DateOrder.MDY, DateOrder.DMY, DateOrder.YMD)  # the order shown first when several fit equally
# three numbers separated by - / or . and an optional time of day (14:05, 2:05:09 PM, T14:05:09Z)
DATE_PARTS = (
    r"^([0-9]{1,4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,4})"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?: ?[AaPp][Mm])?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?$"
)
_SERIAL = r"[0-9]{4,5}(\.[0-9]+)?"
_ORDER_PARTS = {DateOrder.YMD: ("a", "b", "c"), DateOrder.MDY: ("c", "a", "b"), DateOrder.DMY: ("c", "b", "a")}

DATE_MACROS = f"""
CREATE OR REPLACE TEMP MACRO complaint_date_parts(v) AS
    regexp_extract(v, '{DATE_PARTS}', ['a', 'b', 'c']);
CREATE OR REPLACE TEMP MACRO complaint_year(y) AS CASE length(y)
    WHEN 4 THEN y
    -- a two-digit year is the latest year ending in those digits that is not after this year
    WHEN 2 THEN CAST(CASE WHEN 2000 + CAST(y AS INTEGER) <= year(current_date) THEN 2000 ELSE 1900 END
                     + CAST(y AS INTEGER) AS VARCHAR) END;
CREATE OR REPLACE TEMP MACRO complaint_ymd(y, m, d) AS try_cast(complaint_year(y) || '-' || m || '-' || d AS DATE);
CREATE OR REPLACE TEMP MACRO complaint_date_fast(v) AS
    CASE WHEN strlen(v) = 10 THEN try_cast(v AS DATE) END;
CREATE OR REPLACE TEMP MACRO complaint_date_serial(v) AS
    CASE WHEN regexp_full_match(v, '{_SERIAL}') THEN DATE '1899-12-30' + CAST(floor(CAST(v AS DOUBLE)) AS INTEGER) END;
""" + "".join(
    f"""CREATE OR REPLACE TEMP MACRO complaint_date_{order.lower()}(p) AS CASE WHEN length(p.a) = 4
    THEN complaint_ymd(p.a, p.b, p.c) ELSE complaint_ymd(p.{y}, p.{m}, p.{d}) END;
"""
    for order, (y, m, d) in _ORDER_PARTS.items()
)


def is_fast_sql(text_sql: str) -> str:
    """True for an exact ten-character date with a four-digit year first (2019-03-29), the
    common case, read by DuckDB's own cast with no pattern matched."""
    return f"complaint_date_fast({text_sql}) BETWEEN DATE '1000-01-01' AND DATE '9999-12-31'"


def parts_sql(text_sql: str) -> str:
    """The value's three numbers, for values that are not an exact ISO date (else NULL).

    Computed once into a column: every use of a pattern inside a macro would run it again."""
    return f"CASE WHEN {is_fast_sql(text_sql)} THEN NULL ELSE complaint_date_parts({text_sql}) END"


def date_sql(text_sql: str, parts_column: str, order: DateOrder) -> str:
    """The DATE that the cleaned text ``text_sql`` holds when read in ``order``, else NULL;
    ``parts_column`` holds ``parts_sql`` of the same text."""
    return (
        f"CASE WHEN {parts_column} IS NULL THEN complaint_date_fast({text_sql})"
        f" ELSE coalesce(complaint_date_serial({text_sql}), complaint_date_{order.lower()}({parts_column})) END"
    )


def order_dependent_sql(text_sql: str) -> str:
    """True for a value whose date depends on the order (three numbers, no four-digit year first)."""
    return f"regexp_full_match({text_sql}, '{DATE_PARTS}') AND NOT regexp_matches({text_sql}, '^[0-9]{{4}}[-/.]')"


def detection_sql(text_sql: str, from_sql: str) -> str:
    """One row of counts for a column of cleaned text ``text_sql``: how many values depend on
    the order, of those how many each order reads as a date between 1990 and today, and one
    of those values to quote (one that fits the most orders: the one that shows why the order
    matters). Exact ISO dates are set aside unmatched."""
    fit = {
        order: f"complaint_date_{order.lower()}(p) BETWEEN DATE '{EARLIEST_DATE}' AND current_date + 1"
        for order in DateOrder
    }
    fits = ", ".join(f"count(*) FILTER (WHERE {fit[order]}) AS {order.lower()}" for order in DateOrder)
    orders_fitted = " + ".join(f"coalesce(CAST({fit[order]} AS INTEGER), 0)" for order in DateOrder)
    return f"""
    SELECT count(*) AS dependent, {fits}, min({{'fitted': -({orders_fitted}), 'value': v}}).value AS example
    FROM (SELECT {text_sql} AS v, {parts_sql(text_sql)} AS p FROM {from_sql}) WHERE p.a <> '' AND length(p.a) <> 4
    """


class DateGuess(BaseModel):
    """How a date column's values fit each order, and the order chosen for it."""

    column: str
    dependent: int  # values whose date depends on the order
    fits: dict[DateOrder, int]  # of those, how many each order reads as a date from 1990 to today
    order: DateOrder
    tied: list[DateOrder]  # orders that read equally many, when more than one does
    example: str | None = None  # one of the values that depend on the order, as the file holds it

    @property
    def ambiguous(self) -> bool:
        return len(self.tied) > 1

    def describe(self) -> str:
        """The choice in words, for the preview."""
        if not self.dependent:
            return _("its dates begin with the year or are Excel date numbers, so no order needs choosing")
        if self.ambiguous:
            orders = _(" and ").join(_(DATE_ORDER_NAMES[order]) for order in self.tied)
            return ngettext(
                "its {count} date, {example}, fits {orders} equally; choose the order the file was written in",
                "its {count} dates like {example} fit {orders} equally; choose the order the file was written in",
                self.dependent,
                count=format_number(self.dependent),
                example=self.example,
                orders=orders,
            )
        best = self.fits[self.order]
        if not best:
            return ngettext(
                "its {count} value {example} is not a date between {year} and today",
                "none of its {count} values like {example} is a date between {year} and today",
                self.dependent,
                count=format_number(self.dependent),
                example=self.example,
                year=EARLIEST_DATE.year,
            )
        return ngettext(
            "read as {order}: {fit} of its {count} date, {example}, fits",
            "read as {order}: {fit} of its {count} dates like {example} fit",
            self.dependent,
            order=_(DATE_ORDER_NAMES[self.order]),
            fit=format_number(best),
            count=format_number(self.dependent),
            example=self.example,
        )


def choose_order(column: str, dependent: int, fits: dict[DateOrder, int], example: str | None = None) -> DateGuess:
    """The order that reads most values; orders reading equally many are listed as tied."""
    best = max(fits.values(), default=0)
    tied = [order for order in PREFERENCE if fits.get(order, 0) == best] if dependent and best else []
    order = tied[0] if tied else DateOrder.MDY if dependent else DateOrder.YMD
    return DateGuess(
        column=column,
        dependent=dependent,
        fits=fits,
        order=order,
        tied=tied if len(tied) > 1 else [],
        example=example,
    )
