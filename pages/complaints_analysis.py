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
from models.i18n import N_, _, format_date, format_datetime, format_number, format_percent, ngettext
from ui import complaint_charts as charts
from ui.context import page_context
from ui.export_routes import complaints_csv_address
from ui.fields import default, max_chars
from ui.widgets import (
    XLSX_MIME,
    download_buttons,
    download_file,
    pager,
    show_table,
    xlsx_text_too_long,
    xlsx_too_long,
)
from ui.writes import run_write

user, db, settings = page_context()
can_see_rows = user.can(Permission.COMPLAINTS_RAW)
FILTER_LABELS = {
    "channels": N_("Channel"),
    "products": N_("Product group"),
    "categories": N_("Category"),
    "units": N_("Company / unit"),
    "regions": N_("Region"),
}
FILTER_HELP = {
    "products": N_(
        "Old and new names of one product count as one group (for example the CFPB's "
        '"Credit reporting" and "Credit reporting, credit repair services, or other personal consumer reports"). '
        "The rows below show the name as imported."
    ),
}
PRESET_KEY = "complaints_filter_preset"  # a finding page may hand over its evidence filter
DRILL_KEY = "complaints_drill"


def as_period(period) -> tuple:
    """The chosen dates as (first, last); a single date is that one day."""
    dates = tuple(period) if isinstance(period, tuple | list) else (period,)
    dates = tuple(day for day in dates if day is not None)
    if len(dates) == 1:
        st.caption(_("Showing {day} only: choose a second date for a longer period.", day=format_date(dates[0])))
        return dates[0], dates[0]
    return dates


def value_labels(values) -> dict:
    """Imported values as shown (as imported), but the portal's own "(not given)" in the reader's language."""
    return {value: _(analysis.NOT_GIVEN) if value == analysis.NOT_GIVEN else value for value in values}


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
                _("Period"),
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
            values = value_labels(options[name])
            chosen[name] = column.multiselect(
                _(label),
                options[name],
                key=f"cf_{name}",
                placeholder=_("All"),
                help=_(FILTER_HELP[name]) if name in FILTER_HELP else None,
                format_func=values.__getitem__,
            )
    first, last = (period[0], period[1]) if isinstance(period, tuple) and len(period) == 2 else (None, None)
    return ComplaintFilter(date_from=first, date_to=last, **chosen)


def render_headline(complaint_filter: ComplaintFilter, repeat_days: int) -> dict:
    figures = analysis.summary(db, user, complaint_filter)
    repeats = analysis.repeat_complaints(db, user, complaint_filter, repeat_days)
    left, middle, right, last = st.columns(4)
    left.metric(_("Complaints"), format_number(figures["complaints"]))
    timely = figures.get("timely_share")
    middle.metric(_("Timely responses"), "—" if timely is None else format_percent(timely, 1))
    days = figures.get("median_resolution_days")
    right.metric(_("Median days to resolve"), "—" if days is None else format_number(days, 0))
    rate = repeats["repeat_rate"]
    last.metric(
        ngettext("Repeats within {n} day", "Repeats within {n} days", repeat_days, n=format_number(repeat_days)),
        "—" if rate is None else format_percent(rate, 1),
    )
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
    if not days:
        return _("the filtered period with the one before")
    return ngettext(
        "the last {n} day with the {n} before", "the last {n} days with the {n} before", days, n=format_number(days)
    )


GROWTH_LABELS = {
    "category": N_("Category"),
    "current": N_("This period"),
    "previous": N_("Period before"),
    "change": N_("Extra complaints"),
    "growth": N_("Growth"),
}
REPEAT_LABELS = {
    "category": N_("Category"),
    "complaints": N_("Complaints"),
    "repeats": N_("Repeats"),
    "repeating_customers": N_("Repeating customers"),
}


def translated(labels: dict[str, str]) -> dict[str, str]:
    """A table's column labels in the reader's language."""
    return {name: _(label) for name, label in labels.items()}


def render_charts(complaint_filter: ComplaintFilter, repeats: dict) -> None:
    st.subheader(_("Volume per month"))
    volume = analysis.volume_by_month(db, user, complaint_filter)
    if volume.empty:
        st.info(_("No complaints match these filters."))
        return
    chart_with_drill(charts.volume_by_month(volume), "chart_volume", lambda p: {"received_month": _month(p["month"])})
    download_buttons(volume, _("complaints-per-month"), "dl_volume")

    st.subheader(_("Pareto by category"))
    table = analysis.pareto(db, user, complaint_filter)
    vital = analysis.vital_few(table)
    share = table.loc[table["vital_few"], "complaints"].sum() / table["complaints"].sum()
    st.markdown(
        ngettext(
            "**Vital few**: {vital} of {n} category brings {share} of complaints.",
            "**Vital few**: {vital} of {n} categories bring {share} of complaints.",
            len(table),
            vital=format_number(len(vital)),
            n=format_number(len(table)),
            share=format_percent(share),
        )
    )
    st.text(", ".join(vital))
    st.caption(
        _(
            "The vital few are the smallest set of categories, taken from the largest down, whose cumulative "
            "share reaches 80 %; the category that crosses or lands on the line is one of them. Categories with "
            "equal counts are ordered by name."
        )
    )
    tied = analysis.tied_at_the_line(table)
    if tied:
        st.caption(_("Tie at the 80 % line:"))
        st.text(  # category names come from imported files: shown as plain text
            _(
                "{category} has as many complaints ({count}) as {others}, which stay outside the vital few "
                "only because they come later by name.",
                category=vital[-1],
                count=format_number(int(table.loc[table["vital_few"], "complaints"].iloc[-1])),
                others=", ".join(tied),
            )
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
            _(
                "The chart shows the top {top} categories and groups the other {grouped}; "
                "the line and the 80 % rule count every category, and the download lists them all.",
                top=format_number(len(table) - grouped),
                grouped=format_number(grouped),
            )
        )
    download_buttons(table, _("complaints-pareto"), "dl_pareto")

    left, right = st.columns(2)
    with left:
        st.subheader(_("Channel mix"))
        mix = analysis.channel_mix(db, user, complaint_filter)
        chart_with_drill(charts.channel_mix(mix), "chart_channels", lambda p: {"channel": p.get("channel")})
        download_buttons(mix, _("complaints-channels"), "dl_channels")
    with right:
        st.subheader(_("Time to resolve"))
        bands = analysis.resolution_distribution(db, user, complaint_filter)
        if bands.empty:
            st.caption(_("These complaints carry no resolution date or days."))
        else:
            chart_with_drill(charts.resolution(bands), "chart_resolution", lambda p: {"resolution_band": p.get("band")})
            download_buttons(bands.drop(columns="band_order"), _("complaints-resolution"), "dl_resolution")

    st.subheader(_("Category × month"))
    heat = analysis.category_month(db, user, complaint_filter)
    chart_with_drill(
        charts.heat_map(heat),
        "chart_heat",
        lambda p: {"category": p.get("category"), "received_month": _month(p["month"])} if "month" in p else None,
    )
    download_buttons(heat, _("complaints-category-month"), "dl_heat")

    st.subheader(_("Repeat complaints"))
    st.caption(
        ngettext(
            "Same customer and same category within {n} day of their previous complaint.",
            "Same customer and same category within {n} days of their previous complaint.",
            repeats["within_days"],
            n=format_number(repeats["within_days"]),
        )
        + " "
        + _(
            "{repeats} repeats from {customers} customers, out of {complaints} complaints with a customer id.",
            repeats=format_number(repeats["repeats"]),
            customers=format_number(repeats["repeating_customers"]),
            complaints=format_number(repeats["complaints_with_customer"]),
        )
    )
    by_category = repeats["by_category"]
    show_table(by_category, labels=translated(REPEAT_LABELS), values={"category": value_labels([analysis.NOT_GIVEN])})
    download_buttons(by_category, _("complaints-repeats"), "dl_repeats")

    st.subheader(_("Growing most"))
    windows = {days: _compare_label(days) for days in (90, 30, 180, None)}
    compare = st.selectbox(_("Compare"), list(windows), format_func=windows.__getitem__, key="growth_window")
    bounds = analysis.period_bounds(db, complaint_filter, compare)
    growing = analysis.growing_issues(db, user, complaint_filter, last_days=compare)
    if bounds:
        length = (bounds[1] - bounds[0]).days + 1
        st.caption(
            ngettext(
                "{first} to {last} against the {n} day before.",
                "{first} to {last} against the {n} days before.",
                length,
                first=format_date(bounds[0]),
                last=format_date(bounds[1]),
                n=format_number(length),
            )
        )
    if growing.empty:
        st.caption(_("No category grew against the previous period."))
    else:
        st.caption(
            _(
                "Ranked by the number of extra complaints. Growth is the change against the period before "
                "(blank for a category that had no complaints then)."
            )
        )
        labels = translated(GROWTH_LABELS)
        show_table(
            growing.assign(growth=growing["growth"] * 100),
            labels=labels,
            values={"category": value_labels([analysis.NOT_GIVEN])},
            column_config={"growth": st.column_config.NumberColumn(labels["growth"], format="%.1f %%")},
        )
        download_buttons(growing, _("complaints-growing"), "dl_growing")


DRILL_NAMES = {
    "category": N_("category"),
    "channel": N_("channel"),
    "received_month": N_("month"),
    "resolution_band": N_("days to resolve"),
}


def row_labels() -> dict[str, str]:
    """The headers of the complaints' table, in the reader's language."""
    labels = {field.key: _(field.label) for field in analysis.PORTAL_FIELDS}
    return labels | {"id": "#", "product_group": _("Product group")}


def month_name(month: date) -> str:
    """A month of the drill-down, in digits every language reads ("2024-02")."""
    return format_date(month, "yyyy-MM")


def drill_value(key: str, value) -> str:
    if isinstance(value, date):
        return month_name(value)
    if key == "resolution_band" or value == analysis.NOT_GIVEN:
        return _(value)  # a band or "(not given)": the portal's own words
    return str(value)


def render_drill(complaint_filter: ComplaintFilter, options: dict) -> None:
    st.subheader(_("Complaints behind a chart"))
    st.caption(_("Click a bar of any chart or a heat-map cell — or choose here; the choices combine."))
    left, middle, right = st.columns(3)
    any_value = {None: _("Any")}
    categories = any_value | value_labels(options["categories"])
    category = left.selectbox(_("Category"), list(categories), key="drill_category", format_func=categories.__getitem__)
    channels = any_value | value_labels(options["channels"])
    channel = middle.selectbox(_("Channel"), list(channels), key="drill_channel", format_func=channels.__getitem__)
    months = any_value | {
        month: month_name(month) for month in analysis.volume_by_month(db, user, complaint_filter)["month"].map(_month)
    }
    month = right.selectbox(_("Month"), list(months), key="drill_month", format_func=months.__getitem__)
    chosen = {"category": category, "channel": channel, "received_month": month}
    drill = {**{k: v for k, v in chosen.items() if v}, **(st.session_state.get(DRILL_KEY) or {})}
    if not drill:
        return
    described = ", ".join(f"{_(DRILL_NAMES[key])}: {drill_value(key, value)}" for key, value in drill.items())
    count = analysis.count_rows(db, user, complaint_filter, drill)
    st.markdown("**" + counted_complaints(count) + "**")
    st.text(described)  # values come from imported files: shown as plain text
    if st.button(_("Clear selection"), key="drill_clear"):
        clear_drill()
        st.rerun()
    if not can_see_rows:
        st.caption(_("Only analysts and leaders see individual complaints; you see the counts."))
        return
    first = pager(count, "drill_page", counted_complaints, context=(complaint_filter, drill))
    show_table(
        complaint_rows.complaint_page(db, user, complaint_filter, drill, offset=first),
        labels=row_labels(),
        key="drill_rows",
    )
    complaint_downloads(complaint_filter, drill, count, _("complaints-selected"), "dl_drill")


def counted_complaints(count: int) -> str:
    return ngettext("{n} complaint", "{n} complaints", count, n=format_number(count))


def complaint_downloads(complaint_filter: ComplaintFilter, drill: dict | None, total: int, stem: str, key: str) -> None:
    """Every complaint of the filter: as CSV streamed by the portal's download route, and as
    XLSX built on click when it fits a spreadsheet: no more rows than it should hold, no text
    longer than its cell holds."""
    left, right = st.columns(2)
    left.link_button(_("Download CSV"), complaints_csv_address(complaint_filter, drill), icon=":material/download:")
    if total > exports.XLSX_ROW_LIMIT:
        right.caption(xlsx_too_long(total))
        return
    if long_cell := complaint_rows.longest_beyond_xlsx(db, user, complaint_filter, drill):
        right.caption(xlsx_text_too_long(row_labels().get(long_cell.column, long_cell.column), long_cell.length))
        return
    with right:
        download_file(
            _("Download XLSX"),
            lambda: exports.to_xlsx_bytes(
                complaint_rows.complaint_page(db, user, complaint_filter, drill, limit=max(total, 1))
            ),
            f"{stem}.xlsx",
            XLSX_MIME,
            key=key,
        )


def render_export(complaint_filter: ComplaintFilter) -> None:
    st.subheader(_("Download the filtered complaints"))
    total = analysis.count_rows(db, user, complaint_filter)
    st.caption(_("{complaints}, newest first, with their narratives.", complaints=counted_complaints(total)))
    complaint_downloads(complaint_filter, None, total, _("complaints-all"), "dl_export")


def code_labels(labels: dict[str, str]) -> dict[str, str]:
    """A finding's codes (cause, severity, status) in the reader's language, for a choice's format_func."""
    return {code: _(label) for code, label in labels.items()}


def render_new_finding(complaint_filter: ComplaintFilter) -> None:
    with st.expander(_("Record a finding from this filter"), icon=":material/lightbulb:"):
        st.text(_("Evidence: {filter}", filter=complaint_filter.describe()))
        with st.form("new_finding"):
            title = st.text_input(_("Title"), max_chars=max_chars(FindingInput, "title"), key="new_finding_title")
            description = st.text_area(
                _("Description"), max_chars=max_chars(FindingInput, "description"), key="new_finding_description"
            )
            left, middle, right = st.columns(3)
            causes, severities, statuses = (
                code_labels(findings.ROOT_CAUSE_LABELS),
                code_labels(findings.SEVERITY_LABELS),
                code_labels(findings.STATUS_LABELS),
            )
            root_cause = left.selectbox(
                _("Root-cause category"),
                findings.ROOT_CAUSES,
                format_func=causes.__getitem__,
                key="new_finding_root_cause",
            )
            severity = middle.selectbox(
                _("Severity"),
                findings.SEVERITIES,
                index=findings.SEVERITIES.index(default(FindingInput, "severity")),
                format_func=severities.__getitem__,
                key="new_finding_severity",
            )
            status = right.selectbox(
                _("Status"),
                findings.STATUSES,
                index=findings.STATUSES.index(default(FindingInput, "status")),
                format_func=statuses.__getitem__,
                key="new_finding_status",
            )
            whys = [
                st.text_input(_("Why {n}?", n=n), key=f"why_{n}", max_chars=findings.WHY_MAX)
                for n in range(1, findings.MAX_WHYS + 1)
            ]
            if st.form_submit_button(_("Record finding"), type="primary"):
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
                    st.success(_("Finding #{id} recorded with a snapshot of its counts.", id=recorded.value))


st.title(_("Complaint analysis"))
options = analysis.filter_options(db, user)
if options["first_date"] is None:
    st.info(_("No complaints yet. Analysts import them on the Import complaints page."))
    st.stop()
complaint_filter = render_filters(options)
repeat_days = st.number_input(
    _("Repeat window (days)"), min_value=1, max_value=365, value=30, step=1, key="repeat_days", width=200
)
repeats = render_headline(complaint_filter, int(repeat_days))
render_charts(complaint_filter, repeats)
render_drill(complaint_filter, options)
if can_see_rows:
    render_export(complaint_filter)
if user.can(Permission.FINDINGS_MANAGE):
    render_new_finding(complaint_filter)
st.caption(_("Figures as of {when}.", when=format_datetime(datetime.now(), "short")))
