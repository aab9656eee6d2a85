"""Goals: every goal with its computed status, one goal's chart and measurements, and for
leadership the forms to set goals, record measurements and import them from CSV."""

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from models.access import Permission
from models.actions import plan
from models.i18n import _, format_number, ngettext, pgettext
from models.people import directory
from models.strategy import goals, kpis, vision
from models.strategy.dimensions import DIMENSION_LABELS, DIMENSIONS
from models.strategy.goals import GoalInput, short_date
from models.strategy.kpis import MeasurementInput
from ui.charts import localized, number_tooltip
from ui.context import page_context
from ui.dates import date_input_format
from ui.fields import default, max_chars
from ui.text import escape_markdown
from ui.widgets import decimal_input, download_buttons, file_upload, search_matches, show_table
from ui.writes import EditForm, run_write

user, db, settings = page_context()

STATUS_ICONS = {
    "achieved": ":material/emoji_events:",
    "on_track": ":material/check_circle:",
    "at_risk": ":material/warning:",
    "off_track": ":material/error:",
    "stale": ":material/schedule:",
}


def render_overview(shown: list[goals.Goal]) -> None:
    counts = dict.fromkeys(goals.STATUS_LABELS, 0)
    for goal in shown:
        counts[goal.status.status] += 1
    for column, (status, count) in zip(st.columns(len(counts)), counts.items(), strict=True):
        column.metric(_(goals.STATUS_LABELS[status]), format_number(count))
    frame = goals.goals_frame(shown)
    show_table(frame)
    if not frame.empty:
        download_buttons(frame, _("goals"), key="goals_table")


GOAL_CHART_COLOURS = {  # what a goal chart draws, and its colour
    "measured": "#0969da",
    "path": "#8c959f",
    "baseline": "#57606a",
    "target": "#1a7f37",
    "action_done": "#8250df",
}


def goal_chart_marks() -> dict[str, str]:
    """The legend's name of each mark of a goal chart, in the current language."""
    return {
        "measured": _("Measured"),
        "path": _("Path to target"),
        "baseline": _("Baseline"),
        "target": _("Target"),
        "action_done": _("Action done"),
    }


def goal_chart(goal: goals.Goal, series: list[kpis.Measurement], linked: list[plan.Action]) -> alt.Chart:
    """Measurements over time with the baseline, the target and the path between them, and
    the completion dates of linked actions as markers."""
    marks = goal_chart_marks()
    values = pd.DataFrame(
        [
            {
                "date": p.measured_on,
                "value": p.value,
                "note": p.note,
                "source": goals.source_label(p.source),
                "line": marks["measured"],
            }
            for p in series
        ],
        columns=["date", "value", "note", "source", "line"],
    )
    path = pd.DataFrame(
        [
            {"date": goal.baseline_date, "value": goal.baseline_value, "line": marks["path"]},
            {"date": goal.target_date, "value": goal.target_value, "line": marks["path"]},
        ]
    )
    levels = pd.DataFrame(
        [
            {"line": marks["baseline"], "value": goal.baseline_value, "date": goal.baseline_date},
            {"line": marks["target"], "value": goal.target_value, "date": goal.target_date},
        ]
    )
    done = pd.DataFrame(
        [
            {"date": a.completed_on, "action": a.title, "owner": a.owner_name, "line": marks["action_done"]}
            for a in linked
            if a.completed_on
        ],
        columns=["date", "action", "owner", "line"],
    )
    legend = alt.Color(  # one legend naming every mark of the chart, the action markers too
        "line:N",
        title=None,
        scale=alt.Scale(domain=list(marks.values()), range=[GOAL_CHART_COLOURS[mark] for mark in marks]),
        legend=alt.Legend(orient="bottom"),
    )
    y_title = f"{goal.shown_kpi_name} ({goal.shown_unit})"
    day, value, line = _("Date"), _("Value"), _("Line")
    measured = (
        alt.Chart(values)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title=day),
            y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=legend,
            tooltip=[
                alt.Tooltip("date:T", title=day),
                number_tooltip("value:Q", value),
                alt.Tooltip("note:N", title=_("Note")),
                alt.Tooltip("source:N", title=_("Source")),
            ],
        )
    )
    path_line = (
        alt.Chart(path)
        .mark_line(strokeDash=[2, 4])
        .encode(
            x=alt.X("date:T", title=day),
            y=alt.Y("value:Q", title=y_title),
            color=legend,
            tooltip=[alt.Tooltip("date:T", title=day), number_tooltip("value:Q", value)],
        )
    )
    level_rules = (
        alt.Chart(levels)
        .mark_rule(strokeDash=[6, 4])
        .encode(
            y=alt.Y("value:Q", title=y_title),
            color=legend,
            tooltip=[
                alt.Tooltip("line:N", title=line),
                number_tooltip("value:Q", value),
                alt.Tooltip("date:T", title=day),
            ],
        )
    )
    layers = [level_rules, path_line, measured]
    if not done.empty:
        layers.append(
            alt.Chart(done)
            .mark_rule(strokeWidth=2)
            .encode(
                x=alt.X("date:T", title=day),
                color=legend,
                tooltip=[
                    alt.Tooltip("action:N", title=marks["action_done"]),
                    alt.Tooltip("owner:N", title=_("Owner")),
                    alt.Tooltip("date:T", title=pgettext("the day an action was finished", "Completed")),
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
    values["source"] = values["source"].map(goals.source_label)
    target = pd.DataFrame([{"value": goal.target_value, "level": _("Target")}])
    dimension, day, value = _(DIMENSION_LABELS[by]), _("Date"), _("Value")
    y_title = f"{goal.shown_kpi_name} ({goal.shown_unit})"
    lines = (
        alt.Chart(values)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title=day),
            y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=alt.Color("line:N", title=dimension),
            tooltip=[
                alt.Tooltip("line:N", title=dimension),
                alt.Tooltip("date:T", title=day),
                number_tooltip("value:Q", value),
                alt.Tooltip("source:N", title=_("Source")),
            ],
        )
    )
    target_rule = (
        alt.Chart(target)
        .mark_rule(strokeDash=[6, 4], color="#1a7f37")
        .encode(
            y=alt.Y("value:Q", title=y_title),
            tooltip=[alt.Tooltip("level:N", title=_("Line")), number_tooltip("value:Q", value)],
        )
    )
    return alt.layer(target_rule, lines).properties(height=340)


def render_chart(goal: goals.Goal, series: list[kpis.Measurement], linked: list[plan.Action]) -> None:
    """The goal's chart, or its KPI split by channel, team or site when one is chosen."""
    splits = {None: _("{scope} (the goal's values)", scope=goal.scope_label)}
    splits |= {d: _(DIMENSION_LABELS[d]) for d in DIMENSIONS}
    by = st.selectbox(_("Split the chart by"), list(splits), format_func=splits.get, key=f"split_{goal.id}")
    if by is None:
        st.altair_chart(localized(goal_chart(goal, series, linked)), width="stretch")
        return
    points = goals.goal_split_series(db, goal, by)
    if not points:
        st.info(
            _(
                "No values of {kpi} by {dimension} in the goal's period.",
                kpi=escape_markdown(goal.shown_kpi_name),
                dimension=splits[by].lower(),
            )
        )
        return
    st.altair_chart(localized(split_chart(goal, points, by)), width="stretch")


def render_goal(goal: goals.Goal) -> None:
    status = goal.status
    st.subheader(escape_markdown(goal.name))
    st.markdown(f"**{escape_markdown(goal.headline)}**")
    kpi = escape_markdown(goal.shown_kpi_name)
    st.caption(
        " · ".join(
            [
                escape_markdown(goal.priority_title),
                escape_markdown(goal.scope_label),
                _("KPI: {kpi} (computed by the portal)", kpi=kpi) if goal.computed else _("KPI: {kpi}", kpi=kpi),
                _("owner {name}", name=escape_markdown(goal.owner_name)),
                _("updated {frequency}", frequency=_(goals.FREQUENCY_LABELS[goal.update_frequency])),
            ]
        )
    )
    unit = escape_markdown(goal.shown_unit)  # labels and tooltips are Markdown
    cols = st.columns(4)
    cols[0].metric(_("Status"), _(status.label))
    cols[1].metric(
        pgettext("a KPI's value", "Current"),
        format_number(status.current_value) if status.last_measured_on else _("no data yet"),
        help=_("{unit}, measured {date}", unit=unit, date=short_date(status.last_measured_on))
        if status.last_measured_on
        else None,
    )
    cols[2].metric(
        _("Baseline"),
        format_number(goal.baseline_value),
        help=_("{unit}, on {date}", unit=unit, date=short_date(goal.baseline_date)),
    )
    cols[3].metric(
        _("Target"),
        format_number(goal.target_value),
        help=_("{unit}, by {date}", unit=unit, date=short_date(goal.target_date)),
    )
    st.info(f"{_(status.label)}: {status.reason}", icon=STATUS_ICONS[status.status])
    series = goals.goal_series(db, goal)
    linked = plan.actions_for(db, goal_id=goal.id)
    render_chart(goal, series, linked)

    left, right = st.columns(2)
    with left:
        st.markdown("**" + _("Measurements") + "**")
        frame = goals.measurements_frame(goal, series)
        show_table(frame, height=240)
        if not frame.empty:
            download_buttons(frame, _("goal-{id}-measurements", id=goal.id), key=f"goal_{goal.id}_measurements")
    with right:
        st.markdown("**" + _("Linked actions") + "**")
        actions_frame = plan.linked_actions_frame(linked)
        show_table(actions_frame, height=240)
        if not actions_frame.empty:
            download_buttons(actions_frame, _("goal-{id}-actions", id=goal.id), key=f"goal_{goal.id}_actions")

    if user.can(Permission.KPI_RECORD):
        render_measurement_form(goal)
        render_remove_measurement(goal, series)
    if user.can(Permission.STRATEGY_MANAGE):
        render_goal_edit(goal)


def render_measurement_form(goal: goals.Goal) -> None:
    if goal.computed:
        st.caption(_("This KPI is computed by the portal from its own data; it cannot be entered by hand."))
        return
    with st.form(f"measure_{goal.id}"):
        st.markdown("**" + _("Record a measurement") + "**")
        cols = st.columns([1, 1, 2, 1])
        measured_on = cols[0].date_input(
            _("Date"), value=date.today(), max_value=date.today(), key=f"m_date_{goal.id}", format=date_input_format()
        )
        with cols[1]:
            value = decimal_input(
                _("Value ({unit})", unit=escape_markdown(goal.shown_unit)), decimals=None, key=f"m_value_{goal.id}"
            )
        note = cols[2].text_input(_("Note"), max_chars=max_chars(MeasurementInput, "note"), key=f"m_note_{goal.id}")
        source = cols[3].text_input(
            _("Source"),
            value=default(MeasurementInput, "source"),
            max_chars=max_chars(MeasurementInput, "source"),
            key=f"m_source_{goal.id}",
        )
        kpi_wide = st.checkbox(
            _(
                "The value counts for every goal on {kpi} for {scope}",
                kpi=escape_markdown(goal.shown_kpi_name),
                scope=escape_markdown(goal.scope_label),
            ),
            value=False,
            key=f"m_kpi_wide_{goal.id}",
        )
        # saved inside the form: wrong text left in another form of the page holds up nothing here
        if st.form_submit_button(_("Record measurement"), type="primary"):
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
            if run_write(lambda: kpis.record_measurement(db, user, measurement), success=_("Measurement recorded.")):
                st.session_state.pop(f"m_value_{goal.id}", None)
                st.session_state.pop(f"m_note_{goal.id}", None)
                st.rerun()


def render_remove_measurement(goal: goals.Goal, series: list[kpis.Measurement]) -> None:
    entered = {p.id: p for p in reversed(series) if p.id is not None}
    if not entered:
        return
    with st.expander(_("Remove a measurement entered by mistake")):
        labels = {
            i: f"{short_date(p.measured_on)}: {format_number(p.value)} ({goals.source_label(p.source)})"
            for i, p in entered.items()
        }
        measurement_id = st.selectbox(
            _("Measurement"), list(entered), format_func=labels.get, key=f"remove_pick_{goal.id}"
        )
        confirmed = st.checkbox(_("Yes, remove it (the audit log keeps a record)"), key=f"remove_confirm_{goal.id}")
        if st.button(_("Remove measurement"), disabled=not confirmed, key=f"remove_{goal.id}") and run_write(
            lambda: kpis.remove_measurement(db, user, measurement_id), success=_("Measurement removed.")
        ):
            st.session_state.pop(f"remove_confirm_{goal.id}", None)
            st.rerun()


def owner_options(prefix: str, current: int | None) -> dict[int, str]:
    """The owners a goal's picker offers (id → name): the first active people matching a search
    box drawn here, above the form, with the owner already chosen always among them."""
    chosen = (current, st.session_state.get(f"{prefix}_owner"))
    found = search_matches(
        _("Find the owner (name, email or employee number)"),
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
        _("Name"), value=defaults.get("name", ""), max_chars=max_chars(GoalInput, "name"), key=f"{prefix}_name"
    )
    cols = st.columns(3)
    priority_id = cols[0].selectbox(
        _("Strategic priority"),
        list(priorities),
        index=list(priorities).index(defaults["priority_id"]) if defaults.get("priority_id") in priorities else None,
        format_func=priorities.get,
        key=f"{prefix}_priority",
        placeholder=_("Choose an option"),
    )
    kpi_labels = {
        i: _("{kpi} (computed)", kpi=k.shown_name) if k.computed else k.shown_name for i, k in kpi_by_id.items()
    }
    kpi_id = cols[1].selectbox(
        _("KPI"),
        list(kpi_by_id),
        index=list(kpi_by_id).index(defaults["kpi_id"]) if defaults.get("kpi_id") in kpi_by_id else None,
        format_func=kpi_labels.get,
        key=f"{prefix}_kpi",
        placeholder=_("Choose an option"),
    )
    owner_id = cols[2].selectbox(
        _("Owner"),
        list(owners),
        index=list(owners).index(defaults["owner_id"]) if defaults.get("owner_id") in owners else None,
        format_func=owners.get,
        key=f"{prefix}_owner",
        placeholder=_("Choose an option"),
    )
    kpi = kpi_by_id.get(kpi_id)
    cols = st.columns(3)
    unit = cols[0].text_input(
        _("Unit (blank: the KPI's)"),
        value=defaults.get("unit", ""),
        max_chars=max_chars(GoalInput, "unit"),
        key=f"{prefix}_unit",
    )
    directions = {"higher": _("Higher is better"), "lower": _("Lower is better")}
    direction = cols[1].selectbox(
        _("Direction (blank: the KPI's)"),
        list(directions),
        index=list(directions).index(defaults["direction"]) if defaults.get("direction") in directions else None,
        format_func=directions.get,
        key=f"{prefix}_direction",
        placeholder=_("Choose an option"),
    )
    frequencies = {"monthly": _("Monthly"), "quarterly": _("Quarterly")}
    frequency = cols[2].selectbox(
        _("Update frequency"),
        list(frequencies),
        index=list(frequencies).index(defaults.get("update_frequency", default(GoalInput, "update_frequency"))),
        format_func=frequencies.get,
        key=f"{prefix}_frequency",
    )
    cols = st.columns(4)
    with cols[0]:
        baseline_value = decimal_input(
            _("Baseline value"), value=defaults.get("baseline_value"), decimals=None, key=f"{prefix}_baseline_value"
        )
    baseline_date = cols[1].date_input(
        _("Baseline date"),
        value=defaults.get("baseline_date", date.today()),
        key=f"{prefix}_baseline_date",
        format=date_input_format(),
    )
    with cols[2]:
        target_value = decimal_input(
            _("Target value"), value=defaults.get("target_value"), decimals=None, key=f"{prefix}_target_value"
        )
    target_date = cols[3].date_input(
        _("Target date"),
        value=defaults.get("target_date", date.today() + timedelta(days=365)),
        key=f"{prefix}_target_date",
        format=date_input_format(),
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
    st.caption(_("For one channel, team or site only (at most one; leave all blank for the whole organisation):"))
    cols = st.columns(3)
    channel = cols[0].text_input(
        _("Channel"),
        value=defaults.get("channel") or "",
        max_chars=max_chars(GoalInput, "channel"),
        key=f"{prefix}_channel",
    )
    team_id = cols[1].selectbox(
        _("Team"),
        [None, *teams],
        index=[None, *teams].index(defaults.get("team_id")) if defaults.get("team_id") in teams else 0,
        format_func=lambda i: "—" if i is None else teams[i],
        key=f"{prefix}_team",
        placeholder="—",
    )
    site_id = cols[2].selectbox(
        _("Site"),
        [None, *sites],
        index=[None, *sites].index(defaults.get("site_id")) if defaults.get("site_id") in sites else 0,
        format_func=lambda i: "—" if i is None else sites[i],
        key=f"{prefix}_site",
        placeholder="—",
    )
    return {"channel": channel, "team_id": team_id, "site_id": site_id}


def render_goal_edit(goal: goals.Goal) -> None:
    """Edit form that remembers the version it was opened at, so a stale save is refused."""
    form = EditForm("goal", goal.id, goal.version)
    with st.expander(_("Edit this goal"), expanded=bool(form.stale)):
        owners = owner_options(form.prefix, goal.owner_id)
        with st.form(f"{form.prefix}_form"):
            data = goal_fields(form.prefix, goal.as_input(), owners)
            submitted = st.form_submit_button(_("Save goal"), type="primary")
        form.show_stale()
    if submitted:
        run_write(
            lambda: goals.update_goal(db, user, goal.id, data, form.version),
            success=_("Goal saved."),
            form=form,
            rerun=True,
        )


def render_new_goal() -> None:
    if not vision.list_priorities(db):
        st.info(_("Add a strategic priority first (Vision & priorities)."))
        return
    owners = owner_options("new_goal", None)
    with st.form("new_goal"):
        data = goal_fields("new_goal", {}, owners)
        if st.form_submit_button(_("Create goal"), type="primary"):
            created = run_write(lambda: goals.create_goal(db, user, data), success=_("Goal created."))
            if created:
                for key in [k for k in st.session_state if str(k).startswith("new_goal_")]:
                    del st.session_state[key]
                st.session_state["goal_to_open"] = created.value  # the picker is already drawn in this run
                st.rerun()


def render_import() -> None:
    st.write(
        _(
            "Upload a CSV with the columns **goal** (id or exact name) or **kpi** (code or name), **date** "
            "(YYYY-MM-DD or DD/MM/YYYY), **value**, and optionally **note**, **source**, **channel**, **team** and "
            "**site** (a team or site by name or id; blank: the whole organisation, or for a goal its channel, team "
            "or site). "
            "If any row has a problem nothing is imported and each problem is listed."
        )
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
    st.download_button(
        _("Download a template"),
        lambda: template.to_csv(index=False),
        _("measurements-template") + ".csv",
        key="measurements_template",
    )
    upload = file_upload(_("Measurements CSV"), ["csv"], key="measurements_upload")
    if upload is not None and st.button(_("Import measurements"), type="primary", key="measurements_import"):
        imported = run_write(lambda: kpis.import_measurements(db, user, upload.getvalue()))
        if not imported:
            return
        report = imported.value
        if report.rejected:
            count = len(report.rejected)
            st.error(
                ngettext(
                    "Nothing was imported: {count} problem.",
                    "Nothing was imported: {count} problems.",
                    count,
                    count=format_number(count),
                )
            )
            problems = pd.DataFrame(report.rejected, columns=[_("Row"), _("Column"), _("Problem")])
            show_table(problems)
            download_buttons(problems, _("measurement-import-problems"), key="import_problems")
        else:
            st.success(
                ngettext(
                    "Imported {count} measurement.",
                    "Imported {count} measurements.",
                    report.imported,
                    count=format_number(report.imported),
                )
            )


st.title(_("Goals"))
priorities = {None: _("All priorities")} | {p.id: p.title for p in vision.list_priorities(db)}
priority_filter = st.selectbox(
    _("Strategic priority"), list(priorities), format_func=priorities.get, key="goals_priority_filter"
)
shown_goals = goals.list_goals(db, priority_id=priority_filter)

tab_names = {"goals": _("Goals")}
if user.can(Permission.STRATEGY_MANAGE):
    tab_names["new"] = _("New goal")
if user.can(Permission.KPI_RECORD):
    tab_names["import"] = _("Import measurements")
tabs = dict(zip(tab_names, st.tabs(list(tab_names.values())), strict=True))

with tabs["goals"]:
    if not shown_goals:
        st.info(_("No goals yet."))
    else:
        render_overview(shown_goals)
        by_id = {g.id: g for g in shown_goals}
        if st.session_state.get("goal_to_open") in by_id:
            st.session_state["goal_picker"] = st.session_state.pop("goal_to_open")
        if st.session_state.get("goal_picker") not in by_id:
            st.session_state.pop("goal_picker", None)
        goal_labels = {i: f"{g.name} ({g.scope_label}) — {_(g.status.label)}" for i, g in by_id.items()}
        goal_id = st.selectbox(_("Open a goal"), list(by_id), format_func=goal_labels.get, key="goal_picker")
        st.divider()
        render_goal(by_id[goal_id])
if "new" in tabs:
    with tabs["new"]:
        render_new_goal()
if "import" in tabs:
    with tabs["import"]:
        render_import()
