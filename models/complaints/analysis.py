"""Complaints: the portal's fields and the analysis queries over stored complaints
(volume, Pareto and vital few, channels, heat map, resolution, repeats, growth, drill-down,
export), all aggregated in DuckDB. The import that fills the table is models.complaints_import."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd
from pydantic import BaseModel, Field

from models.access import CurrentUser, Permission, require
from models.cache import cached_aggregate
from models.errors import InputError
from models.i18n import N_, _, format_date

if TYPE_CHECKING:
    from models.db import Database


# -- the portal's fields ---------------------------------------------------------------
class PortalField(NamedTuple):
    """A field of the portal's complaints; its label and help are marked for the catalogue and
    translated where shown (``_(field.label)``)."""

    key: str
    label: str
    kind: str  # date, text, days, flag, narrative
    required: bool = False
    help: str = ""


PORTAL_FIELDS: tuple[PortalField, ...] = (
    PortalField("received_date", N_("Received date"), "date", True, N_("When the complaint arrived")),
    PortalField("channel", N_("Channel"), "text", help=N_("Phone, email, web, branch …")),
    PortalField("product", N_("Product"), "text"),
    PortalField("category", N_("Category / issue"), "text", True, N_("What the complaint is about")),
    PortalField("sub_category", N_("Sub-category"), "text"),
    PortalField(
        "narrative", N_("Narrative"), "narrative", help=N_("The customer's own words (may hold personal data)")
    ),
    PortalField("unit", N_("Company / unit"), "text", help=N_("Team, business unit or company that handled it")),
    PortalField("customer_id", N_("Customer id"), "text", help=N_("Needed to find repeat complaints")),
    PortalField("region", N_("Region"), "text"),
    PortalField("resolution_date", N_("Resolution date"), "date"),
    PortalField("resolution_days", N_("Resolution days"), "days", help=N_("Used when there is no resolution date")),
    PortalField("response", N_("Response"), "text"),
    PortalField("timely", N_("Timely response"), "flag", help=N_("Yes / No")),
    PortalField("external_id", N_("External id"), "text", help=N_("The source system's complaint number")),
)
FIELDS_BY_KEY = {f.key: f for f in PORTAL_FIELDS}


# -- analysis ---------------------------------------------------------------------------
NOT_GIVEN = N_("(not given)")
VITAL_FEW_SHARE = 0.8
DRILL_LIMIT = 500
EXPORT_LIMIT = 100_000
# The bands' names are also their keys (a drill-down names one): translated only where shown.
RESOLUTION_BUCKETS = ((0, 0, N_("Same day")), (1, 2, N_("1–2 days")), (3, 7, N_("3–7 days")), (8, 14, N_("8–14 days")))
RESOLUTION_BUCKETS += ((15, 30, N_("15–30 days")), (31, 60, N_("31–60 days")), (61, None, N_("Over 60 days")))
FILTER_DIMENSIONS = {
    "channels": "channel",
    "products": "product_group",  # one name per product, however the source named it
    "categories": "category",
    "units": "unit",
    "regions": "region",
}

# How a filter's description names each dimension.
FILTER_NAMES = {
    "channels": N_("channels"),
    "products": N_("products"),
    "categories": N_("categories"),
    "units": N_("units"),
    "regions": N_("regions"),
}


class ComplaintFilter(BaseModel):
    """Which complaints an analysis (or a finding's evidence) is about."""

    date_from: date | None = None
    date_to: date | None = None
    channels: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    units: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)

    def describe(self) -> str:
        """The filter in words, in the current language (the values chosen are shown as imported)."""
        parts = []
        if self.date_from or self.date_to:
            parts.append(
                _(
                    "{first} to {last}",
                    first=format_date(self.date_from) if self.date_from else _("start"),
                    last=format_date(self.date_to) if self.date_to else _("today"),
                )
            )
        for name in FILTER_DIMENSIONS:
            values = getattr(self, name)
            if values:
                parts.append(f"{_(FILTER_NAMES[name])}: {', '.join(values)}")
        return "; ".join(parts) or _("all complaints")


def filter_sql(complaint_filter: ComplaintFilter, extra: dict[str, Any] | None = None) -> tuple[str, list[Any]]:
    """A parameterised WHERE clause for a filter (and a drill-down's extra conditions).

    Text in the clause is fixed; every value the user chose travels as a parameter."""
    clauses: list[str] = []
    params: list[Any] = []
    if complaint_filter.date_from:
        clauses.append("received_date >= ?")
        params.append(complaint_filter.date_from)
    if complaint_filter.date_to:
        clauses.append("received_date <= ?")
        params.append(complaint_filter.date_to)
    for name, column in FILTER_DIMENSIONS.items():
        values = getattr(complaint_filter, name)
        if values:
            marks = ", ".join("?" for _ in values)
            if column == "product_group":
                # a filter saved before products were grouped names raw products: still honoured
                clauses.append(
                    f"(coalesce(product_group, '{NOT_GIVEN}') IN ({marks})"
                    f" OR coalesce(product, '{NOT_GIVEN}') IN ({marks}))"
                )
                params.extend([*values, *values])
            else:
                clauses.append(f"coalesce({column}, '{NOT_GIVEN}') IN ({marks})")
                params.extend(values)
    for column, value in (extra or {}).items():
        if column == "received_month":
            clauses.append("received_month = ?")
        elif column == "resolution_band":
            low, high = _band_bounds(value)
            clauses.append("resolution_days BETWEEN ? AND ?")
            params.append(low)
            value = high
        elif column in FILTER_DIMENSIONS.values():
            clauses.append(f"coalesce({column}, '{NOT_GIVEN}') = ?")
        else:
            raise ValueError(f"cannot drill down by {column!r}")
        params.append(value)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _band_bounds(label: str) -> tuple[int, int]:
    for low, high, name in RESOLUTION_BUCKETS:
        if name == label:
            return low, high if high is not None else 2**31 - 1
    raise ValueError(f"no resolution band called {label!r}")


def _aggregates(actor: CurrentUser) -> None:
    require(actor, Permission.COMPLAINTS_AGGREGATES)


# The aggregates below are shared by every page view over the same complaints: each public
# function checks the reader's permission, then takes the figure from ``models.cache``, where it
# is remembered until a write changes the complaints.
_reads_complaints = cached_aggregate(tables=("complaints",))


def filter_options(db: Database, actor: CurrentUser) -> dict[str, Any]:
    """The values each filter can take, and the range of received dates."""
    _aggregates(actor)
    return _filter_options(db)


@_reads_complaints
def _filter_options(db: Database) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for name, column in FILTER_DIMENSIONS.items():
        options[name] = [
            row["value"]
            for row in db.query(
                f"SELECT DISTINCT coalesce({column}, '{NOT_GIVEN}') AS value FROM complaints ORDER BY value"
            )
        ]
    bounds = db.query_one("SELECT min(received_date) AS first, max(received_date) AS last FROM complaints") or {}
    options["first_date"], options["last_date"] = bounds.get("first"), bounds.get("last")
    return options


def summary(db: Database, actor: CurrentUser, complaint_filter: ComplaintFilter) -> dict[str, Any]:
    """Headline figures: complaints, % timely and median days to resolve."""
    _aggregates(actor)
    return _summary(db, complaint_filter)


@_reads_complaints
def _summary(db: Database, complaint_filter: ComplaintFilter) -> dict[str, Any]:
    where, params = filter_sql(complaint_filter)
    row = db.query_one(
        "SELECT count(*) AS complaints,"
        " avg(CASE WHEN timely THEN 1.0 WHEN NOT timely THEN 0.0 END) AS timely_share,"
        " count(timely) AS with_timely_flag,"
        " median(resolution_days) AS median_resolution_days"
        f" FROM complaints {where}",
        params,
    )
    return row or {}


def volume_by_month(db: Database, actor: CurrentUser, complaint_filter: ComplaintFilter) -> pd.DataFrame:
    _aggregates(actor)
    return _volume_by_month(db, complaint_filter)


@_reads_complaints
def _volume_by_month(db: Database, complaint_filter: ComplaintFilter) -> pd.DataFrame:
    where, params = filter_sql(complaint_filter)
    return db.frame(
        f"SELECT received_month AS month, count(*) AS complaints FROM complaints {where} GROUP BY 1 ORDER BY 1",
        params,
    )


def pareto(db: Database, actor: CurrentUser, complaint_filter: ComplaintFilter) -> pd.DataFrame:
    """Categories by volume with share, cumulative share and the "vital few".

    Sorted by complaints, equal counts by category name (A before B). The vital few are the
    smallest set of categories, taken from the largest down in that order, whose cumulative
    share reaches 80 %: every category that starts below the line, the one that crosses or
    lands exactly on it included, and none after it — so a category with as many complaints
    as the last vital one but later by name stays outside (``tied_at_the_line`` names it)."""
    _aggregates(actor)
    return _pareto(db, complaint_filter)


@_reads_complaints
def _pareto(db: Database, complaint_filter: ComplaintFilter) -> pd.DataFrame:
    where, params = filter_sql(complaint_filter)
    return db.frame(
        f"""
        WITH counts AS (
          SELECT coalesce(category, '{NOT_GIVEN}') AS category, count(*) AS complaints
          FROM complaints {where} GROUP BY 1
        ),
        ranked AS (
          SELECT *, sum(complaints) OVER (ORDER BY complaints DESC, category ROWS UNBOUNDED PRECEDING) AS running,
                 (SELECT sum(complaints) FROM counts) AS total
          FROM counts
        )
        SELECT row_number() OVER (ORDER BY complaints DESC, category) AS rank, category, complaints,
               complaints / total AS share, running / total AS cumulative_share,
               (running - complaints) * 10 < total * 8 AS vital_few
        FROM ranked ORDER BY rank
        """,
        params,
    )


def vital_few(pareto_frame: pd.DataFrame) -> list[str]:
    return list(pareto_frame.loc[pareto_frame["vital_few"], "category"]) if len(pareto_frame) else []


def tied_at_the_line(pareto_frame: pd.DataFrame) -> list[str]:
    """Categories left outside the vital few with as many complaints as the last vital one:
    the tie SPEC §3 asks the page to point out (equal counts are ordered by name)."""
    if not len(pareto_frame) or not pareto_frame["vital_few"].any():
        return []
    last_vital = pareto_frame.loc[pareto_frame["vital_few"], "complaints"].iloc[-1]
    outside = pareto_frame.loc[~pareto_frame["vital_few"]]
    return list(outside.loc[outside["complaints"] == last_vital, "category"])


def channel_mix(db: Database, actor: CurrentUser, complaint_filter: ComplaintFilter) -> pd.DataFrame:
    _aggregates(actor)
    return _channel_mix(db, complaint_filter)


@_reads_complaints
def _channel_mix(db: Database, complaint_filter: ComplaintFilter) -> pd.DataFrame:
    where, params = filter_sql(complaint_filter)
    return db.frame(
        f"WITH counts AS (SELECT coalesce(channel, '{NOT_GIVEN}') AS channel, count(*) AS complaints"
        f" FROM complaints {where} GROUP BY 1)"
        " SELECT channel, complaints, complaints / (SELECT sum(complaints) FROM counts) AS share"
        " FROM counts ORDER BY 2 DESC, 1",
        params,
    )


def category_month(db: Database, actor: CurrentUser, complaint_filter: ComplaintFilter, top: int = 12) -> pd.DataFrame:
    """Complaints per category and month for the heat map (the ``top`` categories by volume)."""
    _aggregates(actor)
    return _category_month(db, complaint_filter, top)


@_reads_complaints
def _category_month(db: Database, complaint_filter: ComplaintFilter, top: int) -> pd.DataFrame:
    where, params = filter_sql(complaint_filter)
    return db.frame(
        f"""
        WITH cells AS (
          SELECT coalesce(category, '{NOT_GIVEN}') AS category, received_month AS month, count(*) AS complaints
          FROM complaints {where} GROUP BY 1, 2
        ),
        leaders AS (SELECT category FROM cells GROUP BY 1 ORDER BY sum(complaints) DESC, category LIMIT ?)
        SELECT * FROM cells WHERE category IN (SELECT category FROM leaders) ORDER BY month, category
        """,
        [*params, top],
    )


def resolution_distribution(db: Database, actor: CurrentUser, complaint_filter: ComplaintFilter) -> pd.DataFrame:
    """Complaints per band of days to resolve, with the share resolved on time in each."""
    _aggregates(actor)
    return _resolution_distribution(db, complaint_filter)


@_reads_complaints
def _resolution_distribution(db: Database, complaint_filter: ComplaintFilter) -> pd.DataFrame:
    where, params = filter_sql(complaint_filter)
    cases = " ".join(
        f"WHEN resolution_days BETWEEN {low} AND {high} THEN {index}"
        if high is not None
        else f"WHEN resolution_days >= {low} THEN {index}"
        for index, (low, high, _) in enumerate(RESOLUTION_BUCKETS)
    )
    labels = "[" + ", ".join(f"'{label}'" for _, _, label in RESOLUTION_BUCKETS) + "]"
    resolved = ("AND " if where else "WHERE ") + "resolution_days IS NOT NULL"
    return db.frame(
        f"""
        SELECT band AS band_order, {labels}[band + 1] AS band, count(*) AS complaints,
               avg(CASE WHEN timely THEN 1.0 WHEN NOT timely THEN 0.0 END) AS timely_share
        FROM (SELECT CASE {cases} END AS band, timely FROM complaints {where} {resolved})
        GROUP BY band ORDER BY band_order
        """,
        params,
    )


def repeat_complaints(
    db: Database, actor: CurrentUser, complaint_filter: ComplaintFilter, within_days: int = 30
) -> dict[str, Any]:
    """Complaints from a customer who complained about the same category in the previous N days.

    The earlier complaint counts whatever its channel, unit or region (it is looked up over
    all complaints when they are stored); the filter chooses which repeats are counted.
    Returns the totals and, per category, how many complaints were repeats."""
    _aggregates(actor)
    if not 1 <= within_days <= 365:
        raise InputError.single(
            _("Within days"), _("choose between {lowest} and {highest} days", lowest=1, highest=365)
        )
    return _repeat_complaints(db, complaint_filter, within_days)


@_reads_complaints
def _repeat_complaints(db: Database, complaint_filter: ComplaintFilter, within_days: int) -> dict[str, Any]:
    where, params = filter_sql(complaint_filter)
    with_customer = ("AND " if where else "WHERE ") + "customer_id IS NOT NULL"
    by_category = db.frame(
        f"""
        SELECT coalesce(category, '{NOT_GIVEN}') AS category, count(*) AS complaints,
               count(*) FILTER (WHERE days_since_previous <= ?) AS repeats,
               count(DISTINCT customer_id) FILTER (WHERE days_since_previous <= ?) AS repeating_customers
        FROM complaints {where} {with_customer}
        GROUP BY 1 ORDER BY repeats DESC, category
        """,
        [within_days, within_days, *params],
    )
    total = int(by_category["complaints"].sum()) if len(by_category) else 0
    repeats = int(by_category["repeats"].sum()) if len(by_category) else 0
    customers = db.scalar(
        f"SELECT count(DISTINCT customer_id) FROM complaints {where} {with_customer} AND days_since_previous <= ?",
        [*params, within_days],
    )
    return {
        "within_days": within_days,
        "complaints_with_customer": total,
        "repeats": repeats,
        "repeat_rate": (repeats / total) if total else None,
        "repeating_customers": int(customers or 0),
        "by_category": by_category,
    }


def period_bounds(
    db: Database, complaint_filter: ComplaintFilter, last_days: int | None = None
) -> tuple[date, date] | None:
    """The period growth is measured over: the last ``last_days`` days up to the filter's end
    (or the latest complaint), else the filter's own period (90 days when it has no start)."""
    last = complaint_filter.date_to or db.scalar("SELECT max(received_date) FROM complaints")
    if last is None:
        return None
    if last_days is not None:
        return last - timedelta(days=last_days - 1), last
    first = complaint_filter.date_from or (last - timedelta(days=89))
    return first, last


def growing_issues(
    db: Database,
    actor: CurrentUser,
    complaint_filter: ComplaintFilter,
    limit: int = 10,
    last_days: int | None = None,
) -> pd.DataFrame:
    """Categories whose complaints rose most against the previous period of equal length."""
    _aggregates(actor)
    return _growing_issues(db, complaint_filter, limit, last_days)


@_reads_complaints
def _growing_issues(db: Database, complaint_filter: ComplaintFilter, limit: int, last_days: int | None) -> pd.DataFrame:
    bounds = period_bounds(db, complaint_filter, last_days)
    columns = ["category", "current", "previous", "change", "growth"]
    if bounds is None:
        return pd.DataFrame(columns=columns)
    first, last = bounds
    length = (last - first).days + 1
    previous_first = first - timedelta(days=length)
    others = complaint_filter.model_copy(update={"date_from": previous_first, "date_to": last})
    where, params = filter_sql(others)
    return db.frame(
        f"""
        SELECT coalesce(category, '{NOT_GIVEN}') AS category,
               count(*) FILTER (WHERE received_date >= ?) AS current,
               count(*) FILTER (WHERE received_date < ?) AS previous,
               current - previous AS change,
               CASE WHEN previous > 0 THEN (current - previous) / previous END AS growth
        FROM complaints {where} GROUP BY 1
        HAVING current > previous
        ORDER BY change DESC, growth DESC NULLS FIRST, category LIMIT ?
        """,
        [first, first, *params, limit],
    )


_ROW_COLUMNS = (
    "id, external_id, received_date, channel, product, product_group, category, sub_category, unit, customer_id,"
    " region, resolution_date, resolution_days, response, timely"
)


def complaint_rows(
    db: Database,
    actor: CurrentUser,
    complaint_filter: ComplaintFilter,
    drill: dict[str, Any] | None = None,
    limit: int = DRILL_LIMIT,
) -> pd.DataFrame:
    """The complaints behind a chart (raw rows with narratives: analyst and leadership only)."""
    require(actor, Permission.COMPLAINTS_RAW)
    where, params = filter_sql(complaint_filter, drill)
    return db.frame(
        f"SELECT {_ROW_COLUMNS}, narrative FROM complaints {where} ORDER BY received_date DESC, id DESC LIMIT ?",
        [*params, limit],
    )


def count_rows(
    db: Database, actor: CurrentUser, complaint_filter: ComplaintFilter, drill: dict[str, Any] | None = None
) -> int:
    _aggregates(actor)
    return _count_rows(db, complaint_filter, drill)


@_reads_complaints
def _count_rows(db: Database, complaint_filter: ComplaintFilter, drill: dict[str, Any] | None) -> int:
    where, params = filter_sql(complaint_filter, drill)
    return db.scalar(f"SELECT count(*) FROM complaints {where}", params)


def export_rows(db: Database, actor: CurrentUser, complaint_filter: ComplaintFilter) -> pd.DataFrame:
    """The filtered complaints for download (newest first, at most ``EXPORT_LIMIT``)."""
    return complaint_rows(db, actor, complaint_filter, limit=EXPORT_LIMIT)


@_reads_complaints
def category_counts(db: Database, category: str, *, today: date | None = None) -> dict[str, Any]:
    """Counts for one complaint category, as the idea board shows beside an idea.

    Aggregates only (no narratives), so any signed-in person may see them."""
    last = today or db.scalar("SELECT max(received_date) FROM complaints") or date.today()
    row = db.query_one(
        """
        SELECT count(*) AS total,
               count(*) FILTER (WHERE received_date > CAST(? AS DATE) - 90) AS last_90_days,
               count(*) FILTER (WHERE received_date <= CAST(? AS DATE) - 90
                                  AND received_date > CAST(? AS DATE) - 180) AS previous_90_days,
               (SELECT count(*) FROM complaints) AS all_complaints
        FROM complaints WHERE category = ?
        """,
        [last, last, last, category],
    )
    row = row or {"total": 0, "last_90_days": 0, "previous_90_days": 0, "all_complaints": 0}
    row["category"] = category
    row["share"] = row["total"] / row["all_complaints"] if row["all_complaints"] else None
    return row


@_reads_complaints
def monthly_kpis(db: Database, *, repeat_days: int = 30) -> pd.DataFrame:
    """Complaint volume and repeat-complaint rate per month: the KPIs the portal feeds itself.

    Aggregates only, for the strategy pages and dashboards."""
    return db.frame(
        "SELECT received_month AS month, count(*) AS complaint_volume,"
        " count(*) FILTER (WHERE days_since_previous <= ?)"
        "   / nullif(count(*) FILTER (WHERE customer_id IS NOT NULL), 0) AS repeat_rate"
        " FROM complaints GROUP BY 1 ORDER BY 1",
        [repeat_days],
    )
