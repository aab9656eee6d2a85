"""The improvement action plan: my actions, overdue, the whole plan by goal, priority,
owner and status, a timeline, and one action's details, workflow, updates log and
effectiveness review. Everyone reads it; leadership and each action's owner change it."""

import functools
from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from models.access import Permission
from models.actions import effectiveness, plan, workflow
from models.actions.plan import ActionInput, label
from models.i18n import _, format_number, ngettext
from models.people import directory
from models.strategy import goals, kpis, vision
from models.strategy.goals import short_date, short_datetime
from ui.charts import localized, number_tooltip
from ui.context import page_context
from ui.dates import date_input_format
from ui.fields import default, max_chars
from ui.text import escape_markdown
from ui.widgets import download_buttons, search_matches, show_table
from ui.writes import EditForm, run_write

user, db, settings = page_context()
TODAY = date.today()
PRIORITY_LABELS = plan.PRIORITY_LABELS


def labels_of(names: dict[str, str]) -> dict[str, str]:
    """A table of stored codes' names in the current language, for a picker's ``format_func``."""
    return {code: _(name) for code, name in names.items()}


def show_actions(rows: list[plan.Action], key: str, empty: str, file_name: str) -> None:
    if not rows:
        st.info(empty)
        return
    frame = plan.actions_frame(rows, TODAY)
    show_table(frame)
    download_buttons(frame, file_name, key=f"actions_{key}")


def render_summary() -> None:
    summary = plan.plan_summary(db, TODAY)
    labels = [
        (_("Planned"), "planned"),
        (_("In progress"), "in_progress"),
        (_("Blocked"), "blocked"),
        (_("Done"), "done"),
        (_("Cancelled"), "cancelled"),
        (_("Overdue"), "overdue"),
    ]
    for column, (name, key) in zip(st.columns(len(labels)), labels, strict=True):
        column.metric(name, format_number(summary.get(key, 0)))


def render_all() -> None:
    goal_names = {None: _("All goals")} | goals.goal_names(db)
    priorities = {None: _("All priorities")} | {p.id: p.title for p in vision.list_priorities(db)}
    status_labels = labels_of(plan.STATUS_LABELS)
    cols = st.columns(4)
    statuses = cols[0].multiselect(
        _("Status"),
        list(plan.STATUSES),
        format_func=status_labels.get,
        key="filter_status",
        placeholder=_("Choose options"),
    )
    goal_id = cols[1].selectbox(_("Goal"), list(goal_names), format_func=goal_names.get, key="filter_goal")
    priority_id = cols[2].selectbox(
        _("Strategic priority"), list(priorities), format_func=priorities.get, key="filter_priority"
    )
    with cols[3]:
        owners = {None: _("Everyone")} | owner_options("filter_owner", st.session_state.get("filter_owner"))
        owner_id = st.selectbox(_("Owner"), list(owners), format_func=owners.get, key="filter_owner")
    rows = plan.list_actions(db, owner_id=owner_id, goal_id=goal_id, priority_id=priority_id, statuses=statuses)
    show_actions(rows, "plan", _("No actions match these filters."), _("actions-plan"))


def render_breakdown() -> None:
    groups = {"status": _("Status"), "priority": _("Priority"), "goal": _("Goal"), "owner": _("Owner")}
    dimension = st.radio(
        _("Group by"), list(groups), format_func=groups.get, horizontal=True, key="breakdown_dimension"
    )
    counts = plan.counts_by(db, dimension)
    if counts.empty:
        st.info(_("No actions yet."))
        return
    group = groups[dimension]
    actions, open_, overdue, progress = _("Actions"), _("Open"), _("Overdue"), _("Mean progress %")
    frame = counts.rename(
        columns={
            dimension: group,
            "actions": actions,
            "open": open_,
            "overdue": overdue,
            "mean_progress_pct": progress,
        }
    )
    value_labels = {"status": plan.STATUS_LABELS, "priority": PRIORITY_LABELS}.get(dimension)
    if value_labels:
        frame[group] = frame[group].map(lambda value: label(value_labels, value))
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{actions}:Q", title=actions),
            y=alt.Y(f"{group}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False)),
            color=alt.value("#0969da"),
            tooltip=[
                alt.Tooltip(f"{group}:N", title=group),
                *(number_tooltip(f"{name}:Q", name) for name in (actions, open_, overdue, progress)),
            ],
        )
        .properties(height=max(180, 34 * len(frame)))
    )
    st.altair_chart(localized(chart), width="stretch")
    show_table(frame)
    download_buttons(frame, _("actions-by-{group}", group=group.lower()), key="breakdown")


def render_timeline(every_action: list[plan.Action]) -> None:
    include_closed = st.toggle(_("Include done and cancelled actions"), value=False, key="timeline_closed")
    shown = every_action if include_closed else [a for a in every_action if a.status in plan.OPEN_STATUSES]
    frame = plan.timeline_frame(shown)
    if frame.empty:
        st.info(_("No actions to show."))
        return
    frame["priority"] = frame["priority"].map(lambda code: label(PRIORITY_LABELS, code))
    frame["overdue"] = frame["overdue"].map({True: _("Yes"), False: _("No")})
    titles = {
        "action": _("Action"),
        "owner": _("Owner"),
        "status": _("Status"),
        "priority": _("Priority"),
        "start": _("Start"),
        "end": _("End"),
        "due": _("Due"),
        "progress_pct": _("Progress %"),
        "overdue": _("Overdue"),
    }
    bars = (
        alt.Chart(frame)
        .mark_bar(cornerRadius=3)
        .encode(
            x=alt.X("start:T", title=None),
            x2=alt.X2("end:T", title=None),
            y=alt.Y(
                "action:N",
                sort=alt.EncodingSortField("start"),
                title=None,
                axis=alt.Axis(labelLimit=320, labelOverlap=False),
            ),
            color=alt.Color(
                "status:N",
                title=titles["status"],
                scale=alt.Scale(
                    domain=[label(plan.STATUS_LABELS, s) for s in plan.STATUSES],
                    range=["#8c959f", "#0969da", "#1a7f37", "#cf222e", "#d0d7de"],
                ),
            ),
            tooltip=[
                alt.Tooltip("action:N", title=titles["action"]),
                alt.Tooltip("owner:N", title=titles["owner"]),
                alt.Tooltip("status:N", title=titles["status"]),
                alt.Tooltip("priority:N", title=titles["priority"]),
                alt.Tooltip("start:T", title=titles["start"]),
                alt.Tooltip("due:T", title=titles["due"]),
                number_tooltip("progress_pct:Q", titles["progress_pct"]),
                alt.Tooltip("overdue:N", title=titles["overdue"]),
            ],
        )
    )
    today_rule = (
        alt.Chart(pd.DataFrame({"date": [TODAY]}))
        .mark_rule(color="#cf222e", strokeDash=[4, 3])
        .encode(
            x=alt.X("date:T", title=None),
            tooltip=[alt.Tooltip("date:T", title=_("Today"))],  # an empty title would show the field's name
        )
    )
    st.altair_chart(localized((bars + today_rule).properties(height=max(200, 26 * len(frame)))), width="stretch")
    download = frame.drop(columns=["id"]).rename(columns=titles)
    download_buttons(download, _("action-timeline"), key="timeline")


# -- one action ------------------------------------------------------------------------
@functools.cache
def field_choices() -> dict[str, dict[int, str]]:
    """The options of an action's pickers, read once per run however many forms show them."""
    return {
        "teams": {t["id"]: t["name"] for t in directory.list_teams(db)},
        "goals": goals.goal_names(db),
        "kpis": {k.id: k.shown_name for k in kpis.list_kpis(db)},
        "findings": plan.linkable(db, "findings"),
        "ideas": plan.linkable(db, "ideas"),
    }


def owner_options(key: str, *chosen: int | None, searchable: bool = True) -> dict[int, str]:
    """The owners a picker offers (id → name): the first active people matching a search box
    drawn here (outside any form), with those ``chosen`` already always among them."""
    if not searchable:
        return {person["id"]: plan.owner_label(person) for person in plan.find_owners(db, keep=chosen)[0]}
    found = search_matches(
        _("Find the owner (name, email or employee number)"),
        f"{key}_search",
        lambda text: plan.find_owners(db, text, keep=chosen),
    )
    return {person["id"]: plan.owner_label(person) for person in found}


def action_fields(prefix: str, defaults: dict, owners: dict[int, str], *, owner_locked: bool = False) -> dict:
    """The inputs of an action, keyed under ``prefix`` so each form owns its widget state;
    ``owners`` are those the owner picker offers (``owner_options``)."""
    choices = field_choices()
    teams, goal_names, kpi_names = choices["teams"], choices["goals"], choices["kpis"]
    findings, ideas = choices["findings"], choices["ideas"]

    def pick(title: str, options: dict, field: str, none_label: str):
        current = defaults.get(field)
        shown = {None: none_label} | options
        return st.selectbox(
            title,
            list(shown),
            index=list(shown).index(current) if current in shown else 0,
            format_func=shown.get,
            key=f"{prefix}_{field}",
        )

    title = st.text_input(
        _("Title"), value=defaults.get("title", ""), max_chars=max_chars(ActionInput, "title"), key=f"{prefix}_title"
    )
    description = st.text_area(
        _("Description"),
        value=defaults.get("description", ""),
        max_chars=max_chars(ActionInput, "description"),
        key=f"{prefix}_description",
    )
    cols = st.columns(3)
    type_labels, origin_labels = labels_of(plan.TYPE_LABELS), labels_of(plan.ORIGIN_LABELS)
    priority_labels = labels_of(PRIORITY_LABELS)
    action_type = cols[0].selectbox(
        _("Type"),
        list(plan.ACTION_TYPES),
        index=plan.ACTION_TYPES.index(defaults.get("action_type", default(ActionInput, "action_type"))),
        format_func=type_labels.get,
        key=f"{prefix}_type",
    )
    origin = cols[1].selectbox(
        _("Origin"),
        list(plan.ORIGINS),
        index=plan.ORIGINS.index(defaults.get("origin", "goal")),  # a new action is offered as serving a goal
        format_func=origin_labels.get,
        key=f"{prefix}_origin",
    )
    priority = cols[2].selectbox(
        _("Priority"),
        list(plan.PRIORITIES),
        index=plan.PRIORITIES.index(defaults.get("priority", default(ActionInput, "priority"))),
        format_func=priority_labels.get,
        key=f"{prefix}_priority",
    )
    cols = st.columns(3)
    with cols[0]:
        goal_id = pick(_("Goal"), goal_names, "goal_id", _("No goal"))
    with cols[1]:
        finding_id = pick(_("Finding"), findings, "finding_id", _("No finding") if findings else _("No findings yet"))
    with cols[2]:
        idea_id = pick(_("Green-lit idea"), ideas, "idea_id", _("No idea") if ideas else _("No green-lit ideas yet"))
    cols = st.columns(3)
    owner_keys = list(owners)
    owner_id = cols[0].selectbox(
        _("Owner"),
        owner_keys,
        index=owner_keys.index(defaults["owner_id"]) if defaults.get("owner_id") in owners else None,
        format_func=owners.get,
        disabled=owner_locked,
        help=_("Only leadership hands an action to someone else.") if owner_locked else None,
        key=f"{prefix}_owner_id",
        placeholder=_("Choose an option"),
    )
    with cols[1]:
        team_id = pick(_("Team"), teams, "team_id", _("No team"))
    with cols[2]:
        kpi_id = pick(_("KPI expected to move"), kpi_names, "kpi_id", _("No KPI"))
    cols = st.columns(3)
    start_date = cols[0].date_input(
        _("Start date"), value=defaults.get("start_date", TODAY), key=f"{prefix}_start", format=date_input_format()
    )
    due_date = cols[1].date_input(
        _("Due date"),
        value=defaults.get("due_date", TODAY + timedelta(days=60)),
        key=f"{prefix}_due",
        format=date_input_format(),
    )
    expected_effect = cols[2].text_input(
        _("Expected effect on the KPI"),
        value=defaults.get("expected_effect", ""),
        max_chars=max_chars(ActionInput, "expected_effect"),
        key=f"{prefix}_effect",
    )
    return {
        "title": title,
        "description": description,
        "action_type": action_type,
        "origin": origin,
        "goal_id": goal_id,
        "finding_id": finding_id,
        "idea_id": idea_id,
        "owner_id": owner_id,
        "team_id": team_id,
        "start_date": start_date,
        "due_date": due_date,
        "priority": priority,
        "kpi_id": kpi_id,
        "expected_effect": expected_effect,
    }


def render_new_action() -> None:
    owners = owner_options("new_action_owner", st.session_state.get("new_action_owner_id"))
    with st.form("new_action"):
        data = action_fields("new_action", {}, owners)
        submitted = st.form_submit_button(_("Create action"), type="primary")
    if submitted:
        created = run_write(lambda: workflow.create_action(db, user, data))
        if created:
            for key in [k for k in st.session_state if str(k).startswith("new_action_")]:
                del st.session_state[key]
            st.session_state["action_picker"] = created.value
            st.toast(_("Action #{id} created.", id=created.value))
            st.rerun()


def render_action(action: plan.Action) -> None:
    form = EditForm("action", action.id, action.version)
    st.subheader(f"#{action.id} {escape_markdown(action.title)}")
    cols = st.columns(4)
    cols[0].metric(_("Status"), label(plan.STATUS_LABELS, action.status))
    cols[1].metric(_("Progress"), _("{progress} %", progress=format_number(action.progress_pct)))
    cols[2].metric(
        _("Due"),
        short_date(action.due_date),
        delta=_("overdue") if action.is_overdue(TODAY) else None,
        delta_color="inverse",
    )
    cols[3].metric(_("Priority"), label(PRIORITY_LABELS, action.priority))
    if action.description:
        st.text(action.description)
    links = [
        _("owner: {name}", name=action.owner_name or "—"),
        _("type: {type}", type=label(plan.TYPE_LABELS, action.action_type).lower()),
        _("origin: {origin}", origin=label(plan.ORIGIN_LABELS, action.origin).lower()),
    ]
    if action.team_name:
        links.append(_("team: {team}", team=action.team_name))
    if action.goal_name:
        links.append(_("goal: {goal}", goal=action.goal_name))
    if action.finding_id:
        links.append(_("finding #{id}", id=action.finding_id))
    if action.idea_id:
        links.append(_("idea #{id}", id=action.idea_id))
    if action.kpi_name:
        links.append(_("KPI: {kpi}", kpi=action.shown_kpi_name))
    if action.expected_effect:
        links.append(_("expected effect: {effect}", effect=action.expected_effect))
    st.text(" · ".join(links))
    if action.updated_by_name:
        st.caption(
            _(
                "Last changed by {name} at {moment} UTC",
                name=escape_markdown(action.updated_by_name),
                moment=short_datetime(action.updated_at),
            )
        )

    form.show_stale()

    editable = plan.can_change(user, action)
    if editable:
        render_workflow(action, form)
        with st.expander(_("Edit details"), expanded=bool(form.stale)):
            owner_locked = not user.can(Permission.ACTIONS_MANAGE)
            owners = owner_options(
                f"{form.prefix}_owner",
                action.owner_id,
                st.session_state.get(f"{form.prefix}_owner_id"),
                searchable=not owner_locked,
            )
            with st.form(f"{form.prefix}_edit"):
                data = action_fields(form.prefix, action.model_dump(), owners, owner_locked=owner_locked)
                submitted = st.form_submit_button(_("Save action"), type="primary")
            if submitted:
                saved = run_write(lambda: workflow.update_action(db, user, action.id, data, form.version), form=form)
                if saved and saved.value == []:
                    st.info(_("Nothing changed."))
                elif saved:
                    st.toast(_("Action saved."))
                    st.rerun()
    if action.status == "done" and (action.kpi_id is not None or action.goal_id is not None):
        render_effectiveness(action, editable, form)
    render_updates_log(action)


def render_workflow(action: plan.Action, form: EditForm) -> None:
    prefix = form.prefix
    next_statuses = plan.allowed_next(action.status)
    status_labels = labels_of(plan.STATUS_LABELS)
    left, right = st.columns(2)
    moved, new_status, note, completed_on = False, None, "", TODAY
    if not next_statuses:
        left.caption(_("{status} is final: the status cannot change any more.", status=status_labels[action.status]))
    else:
        with left, st.form(f"{prefix}_status"):
            st.markdown("**" + _("Move along the workflow") + "**")
            new_status = st.selectbox(
                _("New status"), next_statuses, format_func=status_labels.get, key=f"{prefix}_new_status"
            )
            note = st.text_input(
                _("Note (needed when blocking or cancelling)"), max_chars=plan.NOTE_MAX, key=f"{prefix}_status_note"
            )
            completed_on = st.date_input(
                _("Completion date (when done)"),
                value=TODAY,
                max_value=TODAY,
                key=f"{prefix}_completed_on",
                format=date_input_format(),
            )
            moved = st.form_submit_button(_("Change status"))
    finished = action.status in ("done", "cancelled")
    if finished:
        right.caption(
            _(
                "The action is {status}: it takes no more updates.",
                status=status_labels[action.status].lower(),
            )
        )
        posted = False
    else:
        with right, st.form(f"{prefix}_update"):
            st.markdown("**" + _("Post an update") + "**")
            progress = st.slider(_("Progress %"), 0, 100, value=action.progress_pct, step=5, key=f"{prefix}_progress")
            update_note = st.text_area(
                _("What happened"), max_chars=plan.NOTE_MAX, key=f"{prefix}_update_note", height=80
            )
            posted = st.form_submit_button(_("Post update"))
    if moved and new_status:
        run_write(
            lambda: workflow.change_status(db, user, action.id, new_status, form.version, note=note, on=completed_on),
            success=_("Action is now {status}.", status=status_labels[new_status].lower()),
            form=form,
            rerun=True,
        )
    if posted:
        run_write(
            lambda: workflow.post_update(
                db,
                user,
                action.id,
                update_note,
                progress_pct=None if progress == action.progress_pct else progress,
                expected_version=form.version,
            ),
            success=_("Update posted."),
            form=form,
            rerun=True,
        )


def render_effectiveness(action: plan.Action, editable: bool, form: EditForm) -> None:
    prefix = form.prefix
    st.markdown("**" + _("Effectiveness review") + "**")
    window = st.select_slider(
        _("Window before and after completion (days)"),
        [30, 60, 90, 180],
        value=plan.DEFAULT_REVIEW_WINDOW_DAYS,
        key=f"{prefix}_window",
    )
    review = effectiveness.effectiveness(db, action.id, window_days=window)
    if review is None:
        return
    if review.window_days == 0:
        st.info(_("The action was completed today; the review needs some days of KPI values after it."))
    else:
        cols = st.columns(3)
        unit = escape_markdown(review.unit)  # a metric's value is Markdown
        fmt = lambda v: "—" if v is None else f"{format_number(v, 2)} {unit}"  # noqa: E731
        days = review.window_days
        cols[0].metric(
            ngettext("Mean in the {n} day before", "Mean in the {n} days before", days, n=format_number(days)),
            fmt(review.before_mean),
            help=counted_values(review.before_count),
        )
        cols[1].metric(
            ngettext("Mean in the {n} day after", "Mean in the {n} days after", days, n=format_number(days)),
            fmt(review.after_mean),
            help=counted_values(review.after_count),
        )
        change = review.change
        cols[2].metric(
            _("Change"),
            "—" if change is None else ("+" if change > 0 else "") + format_number(change, 2),
            delta=None
            if review.improved is None
            else (_("moved the right way") if review.improved else _("moved the wrong way")),
            delta_color="normal" if review.improved else "inverse",
        )
        kpi = escape_markdown(review.kpi_name)
        date_shown = short_date(review.completed_on)
        st.caption(
            _(
                "{kpi}: higher is better. Windows of equal length around the completion date {date}.",
                kpi=kpi,
                date=date_shown,
            )
            if review.direction == "higher"
            else _(
                "{kpi}: lower is better. Windows of equal length around the completion date {date}.",
                kpi=kpi,
                date=date_shown,
            )
        )
    verdict_labels = labels_of(plan.VERDICT_LABELS)
    if action.effectiveness_verdict:
        verdict_shown = verdict_labels.get(action.effectiveness_verdict, action.effectiveness_verdict)
        st.text(
            _("Verdict: {verdict}", verdict=verdict_shown)
            + (f" — {action.effectiveness_note}" if action.effectiveness_note else "")
        )
    if editable:
        with st.form(f"{prefix}_verdict"):
            verdict = st.radio(
                _("Did the action work?"),
                list(plan.VERDICTS),
                index=plan.VERDICTS.index(action.effectiveness_verdict) if action.effectiveness_verdict else None,
                format_func=verdict_labels.get,
                horizontal=True,
                key=f"{prefix}_verdict_choice",
            )
            verdict_note = st.text_input(_("Why"), max_chars=plan.NOTE_MAX, key=f"{prefix}_verdict_note")
            recorded = st.form_submit_button(_("Record verdict"))
        if recorded:
            run_write(
                lambda: effectiveness.record_verdict(
                    db, user, action.id, verdict or "", verdict_note, expected_version=form.version
                ),
                success=_("Verdict recorded."),
                form=form,
                rerun=True,
            )


def counted_values(count: int) -> str:
    """ "12 values", in the current language's plural form."""
    return ngettext("{n} value", "{n} values", count, n=format_number(count))


def render_updates_log(action: plan.Action) -> None:
    st.markdown("**" + _("Updates log") + "**")
    log = plan.updates_log_frame(db, action.id)
    show_table(log)
    if not log.empty:
        download_buttons(log, _("action-{id}-updates", id=action.id), key=f"action_{action.id}_log")


st.title(_("Action plan"))
render_summary()
tab_names = {
    "mine": _("My actions"),
    "overdue": _("Overdue"),
    "all": _("All actions"),
    "breakdown": _("Breakdown"),
    "timeline": _("Timeline"),
}
if user.can(Permission.ACTIONS_MANAGE):
    tab_names["new"] = _("New action")
tabs = dict(zip(tab_names, st.tabs(list(tab_names.values())), strict=True))
every_action = plan.list_actions(db)  # read once; the tabs and the picker show parts of it
with tabs["mine"]:
    show_actions(
        [a for a in every_action if a.owner_id == user.employee_id],
        "mine",
        _("You own no actions."),
        _("actions-mine"),
    )
with tabs["overdue"]:
    show_actions(
        [a for a in every_action if a.is_overdue(TODAY)], "overdue", _("Nothing is overdue."), _("actions-overdue")
    )
with tabs["all"]:
    render_all()
with tabs["breakdown"]:
    render_breakdown()
with tabs["timeline"]:
    render_timeline(every_action)
if "new" in tabs:
    with tabs["new"]:
        render_new_action()

st.divider()
if every_action:
    by_id = {a.id: a for a in every_action}
    if st.session_state.get("action_picker") not in by_id:
        st.session_state.pop("action_picker", None)
    action_labels = {i: f"#{i} {a.title} — {label(plan.STATUS_LABELS, a.status)}" for i, a in by_id.items()}
    action_id = st.selectbox(_("Open an action"), list(by_id), format_func=action_labels.get, key="action_picker")
    render_action(by_id[action_id])
