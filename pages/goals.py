"""Goals: every goal with its computed status, one goal's chart and measurements, and for
leadership the forms to set goals, record measurements and import them from CSV."""

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from models.access import Permission
from models.actions import plan
from models.people import directory
from models.strategy import goals, kpis, vision
from models.strategy.dimensions import DIMENSION_LABELS, DIMENSIONS
from models.strategy.goals import GoalInput
from models.strategy.kpis import MeasurementInput
from ui.context import page_context
from ui.fields import default, max_chars
from ui.text import escape_markdown
from ui.widgets import download_buttons, file_upload, search_matches, show_table
from ui.writes import EditForm, run_write

user, db, settings = page_context()

STATUS_COLOURS = {
    "Achieved": "#1a7f37",
    "On track": "#2da44e",
    "At risk": "#d4a72c",
    "Off track": "#cf222e",
    "Stale": "#8c959f",
}
STATUS_ICONS = {
    "achieved": ":material/emoji_events:",
    "on_track": ":material/check_circle:",
    "at_risk": ":material/warning:",
    "off_track": ":material/error:",
    "stale": ":material/schedule:",
}


def render_overview(shown: list[goals.Goal]) -> None:
    counts = {label: 0 for label in goals.STATUS_LABELS.values()}
    for goal in shown:
        counts[goal.status.label] += 1
    for column, (label, count) in zip(st.columns(len(counts)), counts.items(), strict=True):
        column.metric(label, count)
    frame = goals.goals_frame(shown)
    show_table(frame)
    if not frame.empty:
        download_buttons(frame, "goals", key="goals_table")


GOAL_CHART_MARKS = {  # what a goal chart draws, and its colour
    "Measured": "#0969da",
    "Path to target": "#8c959f",
    "Baseline": "#57606a",
    "Target": "#1a7f37",
    "Action done": "#8250df",
}


def goal_chart(goal: goals.Goal, series: list[kpis.Measurement], linked: list[plan.Action]) -> alt.Chart:
    """Measurements over time with the baseline, the target and the path between them, and
    the completion dates of linked actions as markers."""
    values = pd.DataFrame(
        [
            {"date": p.measured_on, "value": p.value, "note": p.note, "source": p.source, "line": "Measured"}
            for p in series
        ],
        columns=["date", "value", "note", "source", "line"],
    )
    path = pd.DataFrame(
        [
            {"date": goal.baseline_date, "value": goal.baseline_value, "line": "Path to target"},
            {"date": goal.target_date, "value": goal.target_value, "line": "Path to target"},
        ]
    )
    levels = pd.DataFrame(
        [
            {"line": "Baseline", "value": goal.baseline_value, "date": goal.baseline_date},
            {"line": "Target", "value": goal.target_value, "date": goal.target_date},
        ]
    )
    done = pd.DataFrame(
        [
            {"date": a.completed_on, "action": a.title, "owner": a.owner_name, "line": "Action done"}
            for a in linked
            if a.completed_on
        ],
        columns=["date", "action", "owner", "line"],
    )
    legend = alt.Color(  # one legend naming every mark of the chart, the action markers too
        "line:N",
        title=None,
        scale=alt.Scale(domain=list(GOAL_CHART_MARKS), range=list(GOAL_CHART_MARKS.values())),
        legend=alt.Legend(orient="bottom"),
    )
    y_title = f"{goal.kpi_name} ({goal.unit})"
    measured = (
        alt.Chart(values)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title="Date"),
            y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=legend,
            tooltip=[
                alt.Tooltip("date:T", title="Date"),
                alt.Tooltip("value:Q", title="Value"),
                alt.Tooltip("note:N", title="Note"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
    )
    path_line = (
        alt.Chart(path)
        .mark_line(strokeDash=[2, 4])
        .encode(
            x="date:T",
            y="value:Q",
            color=legend,
            tooltip=[alt.Tooltip("date:T", title="Date"), alt.Tooltip("value:Q", title="Value")],
        )
    )
    level_rules = (
        alt.Chart(levels)
        .mark_rule(strokeDash=[6, 4])
        .encode(
            y="value:Q",
            color=legend,
            tooltip=[
                alt.Tooltip("line:N", title="Line"),
                alt.Tooltip("value:Q", title="Value"),
                alt.Tooltip("date:T", title="Date"),
            ],
        )
    )
    layers = [level_rules, path_line, measured]
    if not done.empty:
        layers.append(
            alt.Chart(done)
            .mark_rule(strokeWidth=2)
            .encode(
                x="date:T",
                color=legend,
                tooltip=[
                    alt.Tooltip("action:N", title="Action done"),
                    alt.Tooltip("owner:N", title="Owner"),
                    alt.Tooltip("date:T", title="Completed"),
                ],
            )
        )
    return alt.layer(*layers).properties(height=340)


def split_chart(goal: goals.Goal, points: list[kpis.SplitPoint], by: str) -> alt.Chart:
    """One line per channel, team or site, with the goal's target as a dashed rule."""
    values = pd.DataFrame(
        [{"date": p.measured_on, "value": p.value, "line": p.label, "source": p.source} for p in points],
        columns=["date", "value", "line", "source"],
    )
    target = pd.DataFrame([{"value": goal.target_value, "level": "Target"}])
    lines = (
        alt.Chart(values)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title="Date"),
            y=alt.Y("value:Q", title=f"{goal.kpi_name} ({goal.unit})", scale=alt.Scale(zero=False)),
            color=alt.Color("line:N", title=DIMENSION_LABELS[by]),
            tooltip=[
                alt.Tooltip("line:N", title=DIMENSION_LABELS[by]),
                alt.Tooltip("date:T", title="Date"),
                alt.Tooltip("value:Q", title="Value"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
    )
    target_rule = (
        alt.Chart(target)
        .mark_rule(strokeDash=[6, 4], color="#1a7f37")
        .encode(y="value:Q", tooltip=[alt.Tooltip("level:N", title="Line"), alt.Tooltip("value:Q", title="Value")])
    )
    return alt.layer(target_rule, lines).properties(height=340)


def render_chart(goal: goals.Goal, series: list[kpis.Measurement], linked: list[plan.Action]) -> None:
    """The goal's chart, or its KPI split by channel, team or site when one is chosen."""
    by = st.selectbox(
        "Split the chart by",
        [None, *DIMENSIONS],
        format_func=lambda d: f"{goal.scope_label} (the goal's values)" if d is None else DIMENSION_LABELS[d],
        key=f"split_{goal.id}",
    )
    if by is None:
        st.altair_chart(goal_chart(goal, series, linked), width="stretch")
        return
    points = goals.goal_split_series(db, goal, by)
    if not points:
        st.info(f"No values of {escape_markdown(goal.kpi_name)} by {by} in the goal's period.")
        return
    st.altair_chart(split_chart(goal, points, by), width="stretch")


def render_goal(goal: goals.Goal) -> None:
    status = goal.status
    st.subheader(escape_markdown(goal.name))
    st.markdown(f"**{escape_markdown(goal.headline)}**")
    st.caption(
        f"{escape_markdown(goal.priority_title)} · {escape_markdown(goal.scope_label)}"
        f" · KPI: {escape_markdown(goal.kpi_name)}"
        f"{' (computed by the portal)' if goal.computed else ''} · owner {escape_markdown(goal.owner_name)}"
        f" · updated {goal.update_frequency}"
    )
    unit = escape_markdown(goal.unit)  # labels and tooltips are Markdown
    cols = st.columns(4)
    cols[0].metric("Status", status.label)
    cols[1].metric(
        "Current",
        f"{status.current_value:,g}" if status.last_measured_on else "no data yet",
        help=f"{unit}, measured {status.last_measured_on:%Y-%m-%d}" if status.last_measured_on else None,
    )
    cols[2].metric("Baseline", f"{goal.baseline_value:,g}", help=f"{unit}, on {goal.baseline_date:%Y-%m-%d}")
    cols[3].metric("Target", f"{goal.target_value:,g}", help=f"{unit}, by {goal.target_date:%Y-%m-%d}")
    st.info(f"{status.label}: {status.reason}", icon=STATUS_ICONS[status.status])
    series = goals.goal_series(db, goal)
    linked = plan.actions_for(db, goal_id=goal.id)
    render_chart(goal, series, linked)

    left, right = st.columns(2)
    with left:
        st.markdown("**Measurements**")
        frame = goals.measurements_frame(goal, series)
        show_table(frame, height=240)
        if not frame.empty:
            download_buttons(frame, f"goal-{goal.id}-measurements", key=f"goal_{goal.id}_measurements")
    with right:
        st.markdown("**Linked actions**")
        actions_frame = plan.linked_actions_frame(linked)
        show_table(actions_frame, height=240)
        if not actions_frame.empty:
            download_buttons(actions_frame, f"goal-{goal.id}-actions", key=f"goal_{goal.id}_actions")

    if user.can(Permission.KPI_RECORD):
        render_measurement_form(goal)
        render_remove_measurement(goal, series)
    if user.can(Permission.STRATEGY_MANAGE):
        render_goal_edit(goal)


def render_measurement_form(goal: goals.Goal) -> None:
    if goal.computed:
        st.caption("This KPI is computed by the portal from its own data; it cannot be entered by hand.")
        return
    with st.form(f"measure_{goal.id}"):
        st.markdown("**Record a measurement**")
        cols = st.columns([1, 1, 2, 1])
        measured_on = cols[0].date_input("Date", value=date.today(), max_value=date.today(), key=f"m_date_{goal.id}")
        value = cols[1].number_input(
            f"Value ({escape_markdown(goal.unit)})", value=None, format="%g", key=f"m_value_{goal.id}"
        )
        note = cols[2].text_input("Note", max_chars=max_chars(MeasurementInput, "note"), key=f"m_note_{goal.id}")
        source = cols[3].text_input(
            "Source",
            value=default(MeasurementInput, "source"),
            max_chars=max_chars(MeasurementInput, "source"),
            key=f"m_source_{goal.id}",
        )
        kpi_wide = st.checkbox(
            f"The value counts for every goal on {escape_markdown(goal.kpi_name)}"
            f" for {escape_markdown(goal.scope_label)}",
            value=False,
            key=f"m_kpi_wide_{goal.id}",
        )
        submitted = st.form_submit_button("Record measurement", type="primary")
    if submitted:
        measurement = {
            "kpi_id": goal.kpi_id,
            "goal_id": None if kpi_wide else goal.id,
            "measured_on": measured_on,
            "value": value,
            "note": note,
            "source": source,
            "channel": goal.channel,
            "team_id": goal.team_id,
            "site_id": goal.site_id,
        }
        if run_write(lambda: kpis.record_measurement(db, user, measurement), success="Measurement recorded."):
            st.session_state.pop(f"m_value_{goal.id}", None)
            st.session_state.pop(f"m_note_{goal.id}", None)
            st.rerun()


def render_remove_measurement(goal: goals.Goal, series: list[kpis.Measurement]) -> None:
    entered = {p.id: p for p in reversed(series) if p.id is not None}
    if not entered:
        return
    with st.expander("Remove a measurement entered by mistake"):
        measurement_id = st.selectbox(
            "Measurement",
            list(entered),
            format_func=lambda i: f"{entered[i].measured_on:%Y-%m-%d}: {entered[i].value:g} ({entered[i].source})",
            key=f"remove_pick_{goal.id}",
        )
        confirmed = st.checkbox("Yes, remove it (the audit log keeps a record)", key=f"remove_confirm_{goal.id}")
        if st.button("Remove measurement", disabled=not confirmed, key=f"remove_{goal.id}") and run_write(
            lambda: kpis.remove_measurement(db, user, measurement_id), success="Measurement removed."
        ):
            st.session_state.pop(f"remove_confirm_{goal.id}", None)
            st.rerun()


def owner_options(prefix: str, current: int | None) -> dict[int, str]:
    """The owners a goal's picker offers (id → name): the first active people matching a search
    box drawn here, above the form, with the owner already chosen always among them."""
    chosen = (current, st.session_state.get(f"{prefix}_owner"))
    found = search_matches(
        "Find the owner (name, email or employee number)",
        f"{prefix}_owner_search",
        lambda text: plan.find_owners(db, text, keep=chosen),
    )
    return {person["id"]: plan.owner_label(person) for person in found}


def goal_fields(prefix: str, defaults: dict, owners: dict[int, str], *, disabled: bool = False) -> dict:
    """The inputs of a goal, keyed under ``prefix`` so each form owns its widget state;
    ``owners`` are those the owner picker offers (``owner_options``)."""
    priorities = {p.id: p.title for p in vision.list_priorities(db)}
    kpi_by_id = {k.id: k for k in kpis.list_kpis(db)}
    name = st.text_input(
        "Name", value=defaults.get("name", ""), max_chars=max_chars(GoalInput, "name"), key=f"{prefix}_name"
    )
    cols = st.columns(3)
    priority_id = cols[0].selectbox(
        "Strategic priority",
        list(priorities),
        index=list(priorities).index(defaults["priority_id"]) if defaults.get("priority_id") in priorities else None,
        format_func=priorities.get,
        key=f"{prefix}_priority",
    )
    kpi_id = cols[1].selectbox(
        "KPI",
        list(kpi_by_id),
        index=list(kpi_by_id).index(defaults["kpi_id"]) if defaults.get("kpi_id") in kpi_by_id else None,
        format_func=lambda i: kpi_by_id[i].name + (" (computed)" if kpi_by_id[i].computed else ""),
        key=f"{prefix}_kpi",
    )
    owner_id = cols[2].selectbox(
        "Owner",
        list(owners),
        index=list(owners).index(defaults["owner_id"]) if defaults.get("owner_id") in owners else None,
        format_func=owners.get,
        key=f"{prefix}_owner",
    )
    kpi = kpi_by_id.get(kpi_id)
    cols = st.columns(3)
    unit = cols[0].text_input(
        "Unit (blank: the KPI's)",
        value=defaults.get("unit", ""),
        max_chars=max_chars(GoalInput, "unit"),
        key=f"{prefix}_unit",
    )
    directions = ["higher", "lower"]
    direction = cols[1].selectbox(
        "Direction (blank: the KPI's)",
        directions,
        index=directions.index(defaults["direction"]) if defaults.get("direction") in directions else None,
        format_func=lambda d: "Higher is better" if d == "higher" else "Lower is better",
        key=f"{prefix}_direction",
    )
    frequencies = ["monthly", "quarterly"]
    frequency = cols[2].selectbox(
        "Update frequency",
        frequencies,
        index=frequencies.index(defaults.get("update_frequency", default(GoalInput, "update_frequency"))),
        format_func=str.capitalize,
        key=f"{prefix}_frequency",
    )
    cols = st.columns(4)
    baseline_value = cols[0].number_input(
        "Baseline value", value=defaults.get("baseline_value"), format="%g", key=f"{prefix}_baseline_value"
    )
    baseline_date = cols[1].date_input(
        "Baseline date", value=defaults.get("baseline_date", date.today()), key=f"{prefix}_baseline_date"
    )
    target_value = cols[2].number_input(
        "Target value", value=defaults.get("target_value"), format="%g", key=f"{prefix}_target_value"
    )
    target_date = cols[3].date_input(
        "Target date",
        value=defaults.get("target_date", date.today() + timedelta(days=365)),
        key=f"{prefix}_target_date",
    )
    slice_fields = goal_slice_fields(prefix, defaults)
    return {
        **slice_fields,
        "name": name,
        "priority_id": priority_id,
        "kpi_id": kpi_id,
        "owner_id": owner_id,
        "unit": unit or (kpi.unit if kpi else ""),
        "direction": direction or (kpi.direction if kpi else None),
        "update_frequency": frequency,
        "baseline_value": baseline_value,
        "baseline_date": baseline_date,
        "target_value": target_value,
        "target_date": target_date,
    }


def goal_slice_fields(prefix: str, defaults: dict) -> dict:
    """The one channel, team or site a goal may target; all blank: the whole organisation."""
    teams = {t["id"]: t["name"] for t in directory.list_teams(db)}
    sites = {s["id"]: s["name"] for s in directory.list_sites(db)}
    st.caption("For one channel, team or site only (at most one; leave all blank for the whole organisation):")
    cols = st.columns(3)
    channel = cols[0].text_input(
        "Channel",
        value=defaults.get("channel") or "",
        max_chars=max_chars(GoalInput, "channel"),
        key=f"{prefix}_channel",
    )
    team_id = cols[1].selectbox(
        "Team",
        [None, *teams],
        index=[None, *teams].index(defaults.get("team_id")) if defaults.get("team_id") in teams else 0,
        format_func=lambda i: "—" if i is None else teams[i],
        key=f"{prefix}_team",
    )
    site_id = cols[2].selectbox(
        "Site",
        [None, *sites],
        index=[None, *sites].index(defaults.get("site_id")) if defaults.get("site_id") in sites else 0,
        format_func=lambda i: "—" if i is None else sites[i],
        key=f"{prefix}_site",
    )
    return {"channel": channel, "team_id": team_id, "site_id": site_id}


def render_goal_edit(goal: goals.Goal) -> None:
    """Edit form that remembers the version it was opened at, so a stale save is refused."""
    form = EditForm("goal", goal.id, goal.version)
    with st.expander("Edit this goal", expanded=bool(form.stale)):
        owners = owner_options(form.prefix, goal.owner_id)
        with st.form(f"{form.prefix}_form"):
            data = goal_fields(form.prefix, goal.as_input(), owners)
            submitted = st.form_submit_button("Save goal", type="primary")
        form.show_stale()
    if submitted:
        run_write(
            lambda: goals.update_goal(db, user, goal.id, data, form.version),
            success="Goal saved.",
            form=form,
            rerun=True,
        )


def render_new_goal() -> None:
    if not vision.list_priorities(db):
        st.info("Add a strategic priority first (Vision & priorities).")
        return
    owners = owner_options("new_goal", None)
    with st.form("new_goal"):
        data = goal_fields("new_goal", {}, owners)
        submitted = st.form_submit_button("Create goal", type="primary")
    if submitted:
        created = run_write(lambda: goals.create_goal(db, user, data), success="Goal created.")
        if created:
            for key in [k for k in st.session_state if str(k).startswith("new_goal_")]:
                del st.session_state[key]
            st.session_state["goal_to_open"] = created.value  # the picker is already drawn in this run
            st.rerun()


def render_import() -> None:
    st.write(
        "Upload a CSV with the columns **goal** (id or exact name) or **kpi** (code or name), **date** "
        "(YYYY-MM-DD or DD/MM/YYYY), **value**, and optionally **note**, **source**, **channel**, **team** and "
        "**site** (a team or site by name or id; blank: the whole organisation, or for a goal its channel, team "
        "or site). "
        "If any row has a problem nothing is imported and each problem is listed."
    )
    template = pd.DataFrame(
        [
            {
                "goal": "",
                "kpi": "fcr",
                "date": date.today().isoformat(),
                "value": 80,
                "note": "",
                "source": "survey",
                "channel": "Chat",
                "team": "",
                "site": "",
            }
        ]
    )
    st.download_button("Download a template", lambda: template.to_csv(index=False), "measurements-template.csv")
    upload = file_upload("Measurements CSV", ["csv"], key="measurements_upload")
    if upload is not None and st.button("Import measurements", type="primary"):
        imported = run_write(lambda: kpis.import_measurements(db, user, upload.getvalue()))
        if not imported:
            return
        report = imported.value
        if report.rejected:
            st.error(f"Nothing was imported: {len(report.rejected)} problem(s).")
            problems = pd.DataFrame(report.rejected, columns=["Row", "Column", "Problem"])
            show_table(problems)
            download_buttons(problems, "measurement-import-problems", key="import_problems")
        else:
            st.success(f"Imported {report.imported} measurement(s).")


st.title("Goals")
priorities = {p.id: p.title for p in vision.list_priorities(db)}
priority_filter = st.selectbox(
    "Strategic priority", [None, *priorities], format_func=lambda i: "All priorities" if i is None else priorities[i]
)
shown_goals = goals.list_goals(db, priority_id=priority_filter)

tab_names = ["Goals"]
if user.can(Permission.STRATEGY_MANAGE):
    tab_names.append("New goal")
if user.can(Permission.KPI_RECORD):
    tab_names.append("Import measurements")
tabs = dict(zip(tab_names, st.tabs(tab_names), strict=True))

with tabs["Goals"]:
    if not shown_goals:
        st.info("No goals yet.")
    else:
        render_overview(shown_goals)
        by_id = {g.id: g for g in shown_goals}
        if st.session_state.get("goal_to_open") in by_id:
            st.session_state["goal_picker"] = st.session_state.pop("goal_to_open")
        if st.session_state.get("goal_picker") not in by_id:
            st.session_state.pop("goal_picker", None)
        goal_id = st.selectbox(
            "Open a goal",
            list(by_id),
            format_func=lambda i: f"{by_id[i].name} ({by_id[i].scope_label}) — {by_id[i].status.label}",
            key="goal_picker",
        )
        st.divider()
        render_goal(by_id[goal_id])
if "New goal" in tabs:
    with tabs["New goal"]:
        render_new_goal()
if "Import measurements" in tabs:
    with tabs["Import measurements"]:
        render_import()
