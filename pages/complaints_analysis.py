"""Complaint analysis: where the service needs an upgrade. Everyone sees aggregates;
analysts and leaders also see the complaints behind a chart and can download them."""

from datetime import date, datetime

import pandas as pd
import streamlit as st

from models import exports
from models.access import Permission
from models.complaints import analysis, findings
from models.complaints import rows as complaint_rows
from models.complaints.analysis import ComplaintFilter
from models.complaints.findings import FindingInput
from ui import complaint_charts as charts
from ui.context import page_context
from ui.export_routes import complaints_csv_address
from ui.fields import default, max_chars
from ui.widgets import XLSX_MIME, download_buttons, download_file, pager, show_table, xlsx_too_long
from ui.writes import run_write

user, db, settings = page_context()
can_see_rows = user.can(Permission.COMPLAINTS_RAW)
FILTER_LABELS = {
    "channels": "Channel",
    "products": "Product group",
    "categories": "Category",
    "units": "Unit",
    "regions": "Region",
}
FILTER_HELP = {
    "products": "Old and new names of one product count as one group (for example the CFPB's "
    '"Credit reporting" and "Credit reporting, credit repair services, or other personal consumer reports"). '
    "The rows below show the name as imported.",
}
PRESET_KEY = "complaints_filter_preset"  # a finding page may hand over its evidence filter
DRILL_KEY = "complaints_drill"


def as_period(period) -> tuple:
    """The chosen dates as (first, last); a single date is that one day."""
    dates = tuple(period) if isinstance(period, tuple | list) else (period,)
    dates = tuple(day for day in dates if day is not None)
    if len(dates) == 1:
        st.caption(f"Showing {dates[0]} only: choose a second date for a longer period.")
        return dates[0], dates[0]
    return dates


def render_filters(options: dict) -> ComplaintFilter:
    preset: ComplaintFilter | None = st.session_state.pop(PRESET_KEY, None)
    if preset is not None:
        st.session_state["cf_period"] = (
            preset.date_from or options["first_date"],
            preset.date_to or options["last_date"],
        )
        for name in FILTER_LABELS:
            st.session_state[f"cf_{name}"] = [v for v in getattr(preset, name) if v in options[name]]
        clear_drill()
    with st.container(border=True):
        period = as_period(
            st.date_input(
                "Period",
                value=(options["first_date"], options["last_date"]),
                min_value=options["first_date"],
                max_value=options["last_date"],
                key="cf_period",
                format="YYYY-MM-DD",
            )
        )
        columns = st.columns(len(FILTER_LABELS))
        chosen = {}
        for column, (name, label) in zip(columns, FILTER_LABELS.items(), strict=True):
            chosen[name] = column.multiselect(
                label, options[name], key=f"cf_{name}", placeholder="All", help=FILTER_HELP.get(name)
            )
    first, last = (period[0], period[1]) if isinstance(period, tuple) and len(period) == 2 else (None, None)
    return ComplaintFilter(date_from=first, date_to=last, **chosen)


def render_headline(complaint_filter: ComplaintFilter, repeat_days: int) -> dict:
    figures = analysis.summary(db, user, complaint_filter)
    repeats = analysis.repeat_complaints(db, user, complaint_filter, repeat_days)
    left, middle, right, last = st.columns(4)
    left.metric("Complaints", f"{figures['complaints']:,}")
    timely = figures.get("timely_share")
    middle.metric("Timely responses", "—" if timely is None else f"{timely:.1%}")
    days = figures.get("median_resolution_days")
    right.metric("Median days to resolve", "—" if days is None else f"{days:.0f}")
    rate = repeats["repeat_rate"]
    last.metric(f"Repeats within {repeat_days} days", "—" if rate is None else f"{rate:.1%}")
    return repeats


DRILL_CHOICES = {"category": "drill_category", "channel": "drill_channel", "received_month": "drill_month"}
CHARTS_ROUND = "complaints_charts_round"  # a new round gives every chart a fresh, empty selection


def clear_drill() -> None:
    """Forget the drill-down: its choices, and the selection each chart still holds."""
    st.session_state.pop(DRILL_KEY, None)
    for key in DRILL_CHOICES.values():
        st.session_state.pop(key, None)
    st.session_state[CHARTS_ROUND] = st.session_state.get(CHARTS_ROUND, 0) + 1


def chart_with_drill(chart, key: str, drill_of) -> None:
    """Show a chart; a click on a mark sets the drill-down fields it names (the other
    choices stay, so a click on a category and then a channel narrows to both)."""
    chart_key = f"{key}_{st.session_state.get(CHARTS_ROUND, 0)}"
    event = st.altair_chart(chart, width="stretch", on_select="rerun", key=chart_key)
    picked = charts.picked(event)
    # charts keep their selection across reruns: only a new click changes the drill-down
    if picked == st.session_state.get(f"{chart_key}_seen", {}):
        return
    st.session_state[f"{chart_key}_seen"] = picked
    drill = drill_of(picked) if picked else None
    for field, value in (drill or {}).items():
        if field in DRILL_CHOICES:
            st.session_state[DRILL_CHOICES[field]] = value  # the choices below show the click
        else:
            st.session_state[DRILL_KEY] = {field: value}


def _month(value) -> date:
    if isinstance(value, int | float):
        return pd.to_datetime(value, unit="ms").date().replace(day=1)
    return pd.to_datetime(value).date().replace(day=1)


def _compare_label(days: int | None) -> str:
    return f"the last {days} days with the {days} before" if days else "the filtered period with the one before"


GROWTH_LABELS = {
    "current": "This period",
    "previous": "Period before",
    "change": "Extra complaints",
    "growth": "Growth",
}


def render_charts(complaint_filter: ComplaintFilter, repeats: dict) -> None:
    st.subheader("Volume per month")
    volume = analysis.volume_by_month(db, user, complaint_filter)
    if volume.empty:
        st.info("No complaints match these filters.")
        return
    chart_with_drill(charts.volume_by_month(volume), "chart_volume", lambda p: {"received_month": _month(p["month"])})
    download_buttons(volume, "complaints-per-month", "dl_volume")

    st.subheader("Pareto by category")
    table = analysis.pareto(db, user, complaint_filter)
    vital = analysis.vital_few(table)
    share = table.loc[table["vital_few"], "complaints"].sum() / table["complaints"].sum()
    st.markdown(f"**Vital few**: {len(vital)} of {len(table)} categories bring {share:.0%} of complaints.")
    st.text(", ".join(vital))
    st.caption(
        "The vital few are the smallest set of categories, taken from the largest down, whose cumulative "
        "share reaches 80 %; the category that crosses or lands on the line is one of them. Categories with "
        "equal counts are ordered by name."
    )
    tied = analysis.tied_at_the_line(table)
    if tied:
        st.caption("Tie at the 80 % line:")
        st.text(
            f"{vital[-1]} has as many complaints ({int(table.loc[table['vital_few'], 'complaints'].iloc[-1]):,}) "
            f"as {', '.join(tied)}, which stay outside the vital few only because they come later by name."
        )
    categories = set(table["category"])  # the grouped "All other" bar is not one category to drill into
    chart_with_drill(
        charts.pareto(table),
        "chart_pareto",
        lambda p: {"category": p["category"]} if p.get("category") in categories else None,
    )
    grouped = int(charts.pareto_bars(table)["grouped"].sum())
    if grouped:
        st.caption(
            f"The chart shows the top {len(table) - grouped} categories and groups the other {grouped}; "
            "the line and the 80 % rule count every category, and the download lists them all."
        )
    download_buttons(table, "complaints-pareto", "dl_pareto")

    left, right = st.columns(2)
    with left:
        st.subheader("Channel mix")
        mix = analysis.channel_mix(db, user, complaint_filter)
        chart_with_drill(charts.channel_mix(mix), "chart_channels", lambda p: {"channel": p.get("channel")})
        download_buttons(mix, "complaints-channels", "dl_channels")
    with right:
        st.subheader("Time to resolve")
        bands = analysis.resolution_distribution(db, user, complaint_filter)
        if bands.empty:
            st.caption("These complaints carry no resolution date or days.")
        else:
            chart_with_drill(charts.resolution(bands), "chart_resolution", lambda p: {"resolution_band": p.get("band")})
            download_buttons(bands.drop(columns="band_order"), "complaints-resolution", "dl_resolution")

    st.subheader("Category × month")
    heat = analysis.category_month(db, user, complaint_filter)
    chart_with_drill(
        charts.heat_map(heat),
        "chart_heat",
        lambda p: {"category": p.get("category"), "received_month": _month(p["month"])} if "month" in p else None,
    )
    download_buttons(heat, "complaints-category-month", "dl_heat")

    st.subheader("Repeat complaints")
    st.caption(
        f"Same customer and same category within {repeats['within_days']} days of their previous complaint. "
        f"{repeats['repeats']:,} repeats from {repeats['repeating_customers']:,} customers, out of "
        f"{repeats['complaints_with_customer']:,} complaints with a customer id."
    )
    by_category = repeats["by_category"]
    show_table(by_category)
    download_buttons(by_category, "complaints-repeats", "dl_repeats")

    st.subheader("Growing most")
    compare = st.selectbox(
        "Compare",
        [90, 30, 180, None],
        format_func=lambda d: (
            f"the last {d} days with the {d} before" if d else "the filtered period with the one before"
        ),
        key="growth_window",
    )
    bounds = analysis.period_bounds(db, complaint_filter, compare)
    growing = analysis.growing_issues(db, user, complaint_filter, last_days=compare)
    if bounds:
        length = (bounds[1] - bounds[0]).days + 1
        st.caption(f"{bounds[0]} to {bounds[1]} against the {length} days before.")
    if growing.empty:
        st.caption("No category grew against the previous period.")
    else:
        st.caption(
            "Ranked by the number of extra complaints. Growth is the change against the period before "
            "(blank for a category that had no complaints then)."
        )
        show_table(
            growing.assign(growth=growing["growth"] * 100),
            labels=GROWTH_LABELS,
            column_config={"growth": st.column_config.NumberColumn(GROWTH_LABELS["growth"], format="%.1f %%")},
        )
        download_buttons(growing, "complaints-growing", "dl_growing")


ROW_LABELS = {field.key: field.label for field in analysis.PORTAL_FIELDS} | {"id": "#"}
DRILL_NAMES = {
    "category": "category",
    "channel": "channel",
    "received_month": "month",
    "resolution_band": "days to resolve",
}


def render_drill(complaint_filter: ComplaintFilter, options: dict) -> None:
    st.subheader("Complaints behind a chart")
    st.caption("Click a bar of any chart or a heat-map cell — or choose here; the choices combine.")
    left, middle, right = st.columns(3)
    category = left.selectbox(
        "Category", [None, *options["categories"]], key="drill_category", format_func=lambda v: v or "Any"
    )
    channel = middle.selectbox(
        "Channel", [None, *options["channels"]], key="drill_channel", format_func=lambda v: v or "Any"
    )
    month = right.selectbox(
        "Month",
        [None, *analysis.volume_by_month(db, user, complaint_filter)["month"].map(_month)],
        key="drill_month",
        format_func=lambda v: v.strftime("%Y-%m") if v else "Any",
    )
    chosen = {"category": category, "channel": channel, "received_month": month}
    drill = {**{k: v for k, v in chosen.items() if v}, **(st.session_state.get(DRILL_KEY) or {})}
    if not drill:
        return
    described = ", ".join(
        f"{DRILL_NAMES[key]}: {value:%Y-%m}" if isinstance(value, date) else f"{DRILL_NAMES[key]}: {value}"
        for key, value in drill.items()
    )
    count = analysis.count_rows(db, user, complaint_filter, drill)
    st.markdown(f"**{count:,} complaint{'' if count == 1 else 's'}**")
    st.text(described)  # values come from imported files: shown as plain text
    if st.button("Clear selection", key="drill_clear"):
        clear_drill()
        st.rerun()
    if not can_see_rows:
        st.caption("Only analysts and leaders see individual complaints; you see the counts.")
        return
    first = pager(count, "drill_page", ("complaint", "complaints"), context=(complaint_filter, drill))
    show_table(
        complaint_rows.complaint_page(db, user, complaint_filter, drill, offset=first),
        labels=ROW_LABELS,
        key="drill_rows",
    )
    complaint_downloads(complaint_filter, drill, count, "complaints-selected", "dl_drill")


def complaint_downloads(complaint_filter: ComplaintFilter, drill: dict | None, total: int, stem: str, key: str) -> None:
    """Every complaint of the filter: as CSV streamed by the portal's download route, and as
    XLSX built on click when it fits a spreadsheet."""
    left, right = st.columns(2)
    left.link_button("Download CSV", complaints_csv_address(complaint_filter, drill), icon=":material/download:")
    if total > exports.XLSX_ROW_LIMIT:
        right.caption(xlsx_too_long(total))
        return
    with right:
        download_file(
            "Download XLSX",
            lambda: exports.to_xlsx_bytes(
                complaint_rows.complaint_page(db, user, complaint_filter, drill, limit=max(total, 1))
            ),
            f"{stem}.xlsx",
            XLSX_MIME,
            key=key,
        )


def render_export(complaint_filter: ComplaintFilter) -> None:
    st.subheader("Download the filtered complaints")
    total = analysis.count_rows(db, user, complaint_filter)
    st.caption(f"{total:,} complaint{'' if total == 1 else 's'}, newest first, with their narratives.")
    complaint_downloads(complaint_filter, None, total, "complaints", "dl_export")


def render_new_finding(complaint_filter: ComplaintFilter) -> None:
    with st.expander("Record a finding from this filter", icon=":material/lightbulb:"):
        st.text(f"Evidence: {complaint_filter.describe()}")
        with st.form("new_finding"):
            title = st.text_input("Title", max_chars=max_chars(FindingInput, "title"))
            description = st.text_area("Description", max_chars=max_chars(FindingInput, "description"))
            left, middle, right = st.columns(3)
            root_cause = left.selectbox("Root-cause category", findings.ROOT_CAUSES)
            severity = middle.selectbox(
                "Severity", findings.SEVERITIES, index=findings.SEVERITIES.index(default(FindingInput, "severity"))
            )
            status = right.selectbox(
                "Status", findings.STATUSES, index=findings.STATUSES.index(default(FindingInput, "status"))
            )
            whys = [
                st.text_input(f"Why {n}?", key=f"why_{n}", max_chars=findings.WHY_MAX)
                for n in range(1, findings.MAX_WHYS + 1)
            ]
            if st.form_submit_button("Record finding", type="primary"):
                data = {
                    "title": title,
                    "description": description,
                    "root_cause": root_cause,
                    "severity": severity,
                    "status": status,
                    "five_whys": whys,
                }
                recorded = run_write(lambda: findings.create_finding(db, user, data, complaint_filter))
                if recorded:
                    st.success(f"Finding #{recorded.value} recorded with a snapshot of its counts.")


st.title("Complaint analysis")
options = analysis.filter_options(db, user)
if options["first_date"] is None:
    st.info("No complaints yet. Analysts import them on the Import complaints page.")
    st.stop()
complaint_filter = render_filters(options)
repeat_days = st.number_input(
    "Repeat window (days)", min_value=1, max_value=365, value=30, step=1, key="repeat_days", width=200
)
repeats = render_headline(complaint_filter, int(repeat_days))
render_charts(complaint_filter, repeats)
render_drill(complaint_filter, options)
if can_see_rows:
    render_export(complaint_filter)
if user.can(Permission.FINDINGS_MANAGE):
    render_new_finding(complaint_filter)
st.caption(f"Figures as of {datetime.now():%Y-%m-%d %H:%M}.")
