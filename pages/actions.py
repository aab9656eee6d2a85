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
from models.actions.plan import ActionInput
from models.people import directory
from models.strategy import goals, kpis, vision
from models.text import plural
from ui.context import page_context
from ui.fields import default, max_chars
from ui.text import escape_markdown
from ui.widgets import download_buttons, search_matches, show_table
from ui.writes import EditForm, run_write

user, db, settings = page_context()
TODAY = date.today()
PRIORITY_LABELS = plan.PRIORITY_LABELS


def show_actions(rows: list[plan.Action], key: str, empty: str) -> None:
    if not rows:
        st.info(empty)
        return
    frame = plan.actions_frame(rows, TODAY)
    show_table(frame)
    download_buttons(frame, f"actions-{key}", key=f"actions_{key}")


def render_summary() -> None:
    summary = plan.plan_summary(db, TODAY)
    labels = [
        ("Planned", "planned"),
        ("In progress", "in_progress"),
        ("Blocked", "blocked"),
        ("Done", "done"),
        ("Cancelled", "cancelled"),
        ("Overdue", "overdue"),
    ]
    for column, (label, key) in zip(st.columns(len(labels)), labels, strict=True):
        column.metric(label, summary.get(key, 0))


def render_all() -> None:
    goal_names = goals.goal_names(db)
    priorities = {p.id: p.title for p in vision.list_priorities(db)}
    cols = st.columns(4)
    statuses = cols[0].multiselect(
        "Status", list(plan.STATUSES), format_func=plan.STATUS_LABELS.get, key="filter_status"
    )
    goal_id = cols[1].selectbox(
        "Goal",
        [None, *goal_names],
        format_func=lambda i: "All goals" if i is None else goal_names[i],
        key="filter_goal",
    )
    priority_id = cols[2].selectbox(
        "Strategic priority",
        [None, *priorities],
        format_func=lambda i: "All priorities" if i is None else priorities[i],
        key="filter_priority",
    )
    with cols[3]:
        owners = owner_options("filter_owner", st.session_state.get("filter_owner"))
        owner_id = st.selectbox(
            "Owner", [None, *owners], format_func=lambda i: "Everyone" if i is None else owners[i], key="filter_owner"
        )
    rows = plan.list_actions(db, owner_id=owner_id, goal_id=goal_id, priority_id=priority_id, statuses=statuses)
    show_actions(rows, "plan", "No actions match these filters.")


def render_breakdown() -> None:
    dimension = st.radio(
        "Group by",
        ["status", "priority", "goal", "owner"],
        format_func=str.capitalize,
        horizontal=True,
        key="breakdown_dimension",
    )
    counts = plan.counts_by(db, dimension)
    if counts.empty:
        st.info("No actions yet.")
        return
    group = dimension.capitalize()
    frame = counts.rename(
        columns={
            dimension: group,
            "actions": "Actions",
            "open": "Open",
            "overdue": "Overdue",
            "mean_progress_pct": "Mean progress %",
        }
    )
    value_labels = {"status": plan.STATUS_LABELS, "priority": PRIORITY_LABELS}.get(dimension)
    if value_labels:
        frame[group] = frame[group].map(lambda value: value_labels.get(value, value))
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("Actions:Q", title="Actions"),
            y=alt.Y(f"{group}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False)),
            color=alt.value("#0969da"),
            tooltip=[group, "Actions", "Open", "Overdue", "Mean progress %"],
        )
        .properties(height=max(180, 34 * len(frame)))
    )
    st.altair_chart(chart, width="stretch")
    show_table(frame)
    download_buttons(frame, f"actions-by-{dimension}", key="breakdown")


def render_timeline(every_action: list[plan.Action]) -> None:
    include_closed = st.toggle("Include done and cancelled actions", value=False, key="timeline_closed")
    shown = every_action if include_closed else [a for a in every_action if a.status in plan.OPEN_STATUSES]
    frame = plan.timeline_frame(shown)
    if frame.empty:
        st.info("No actions to show.")
        return
    frame["priority"] = frame["priority"].map(PRIORITY_LABELS)
    bars = (
        alt.Chart(frame)
        .mark_bar(cornerRadius=3)
        .encode(
            x=alt.X("start:T", title=None),
            x2="end:T",
            y=alt.Y(
                "action:N",
                sort=alt.EncodingSortField("start"),
                title=None,
                axis=alt.Axis(labelLimit=320, labelOverlap=False),
            ),
            color=alt.Color(
                "status:N",
                title="Status",
                scale=alt.Scale(
                    domain=[plan.STATUS_LABELS[s] for s in plan.STATUSES],
                    range=["#8c959f", "#0969da", "#1a7f37", "#cf222e", "#d0d7de"],
                ),
            ),
            tooltip=[
                alt.Tooltip("action:N", title="Action"),
                alt.Tooltip("owner:N", title="Owner"),
                alt.Tooltip("status:N", title="Status"),
                alt.Tooltip("priority:N", title="Priority"),
                alt.Tooltip("start:T", title="Start"),
                alt.Tooltip("due:T", title="Due"),
                alt.Tooltip("progress_pct:Q", title="Progress %"),
                alt.Tooltip("overdue:N", title="Overdue"),
            ],
        )
    )
    today_rule = (
        alt.Chart(pd.DataFrame({"date": [TODAY], "label": ["Today"]}))
        .mark_rule(color="#cf222e", strokeDash=[4, 3])
        .encode(x="date:T", tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("date:T", title="Date")])
    )
    st.altair_chart((bars + today_rule).properties(height=max(200, 26 * len(frame))), width="stretch")
    download = frame.drop(columns=["id"]).rename(
        columns={
            "action": "Action",
            "owner": "Owner",
            "status": "Status",
            "priority": "Priority",
            "start": "Start",
            "end": "End",
            "due": "Due",
            "progress_pct": "Progress %",
            "overdue": "Overdue",
        }
    )
    download_buttons(download, "action-timeline", key="timeline")


# -- one action ------------------------------------------------------------------------
@functools.cache
def field_choices() -> dict[str, dict[int, str]]:
    """The options of an action's pickers, read once per run however many forms show them."""
    return {
        "teams": {t["id"]: t["name"] for t in directory.list_teams(db)},
        "goals": goals.goal_names(db),
        "kpis": {k.id: k.name for k in kpis.list_kpis(db)},
        "findings": plan.linkable(db, "findings"),
        "ideas": plan.linkable(db, "ideas"),
    }


def owner_options(key: str, *chosen: int | None, searchable: bool = True) -> dict[int, str]:
    """The owners a picker offers (id → name): the first active people matching a search box
    drawn here (outside any form), with those ``chosen`` already always among them."""
    if not searchable:
        return {person["id"]: plan.owner_label(person) for person in plan.find_owners(db, keep=chosen)[0]}
    found = search_matches(
        "Find the owner (name, email or employee number)",
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

    def pick(label, options: dict, field, none_label):
        keys = [None, *options]
        current = defaults.get(field)
        return st.selectbox(
            label,
            keys,
            index=keys.index(current) if current in keys else 0,
            format_func=lambda i: none_label if i is None else options.get(i, f"#{i}"),
            key=f"{prefix}_{field}",
        )

    title = st.text_input(
        "Title", value=defaults.get("title", ""), max_chars=max_chars(ActionInput, "title"), key=f"{prefix}_title"
    )
    description = st.text_area(
        "Description",
        value=defaults.get("description", ""),
        max_chars=max_chars(ActionInput, "description"),
        key=f"{prefix}_description",
    )
    cols = st.columns(3)
    action_type = cols[0].selectbox(
        "Type",
        list(plan.ACTION_TYPES),
        index=plan.ACTION_TYPES.index(defaults.get("action_type", default(ActionInput, "action_type"))),
        format_func=plan.TYPE_LABELS.get,
        key=f"{prefix}_type",
    )
    origin = cols[1].selectbox(
        "Origin",
        list(plan.ORIGINS),
        index=plan.ORIGINS.index(defaults.get("origin", "goal")),  # a new action is offered as serving a goal
        format_func=plan.ORIGIN_LABELS.get,
        key=f"{prefix}_origin",
    )
    priority = cols[2].selectbox(
        "Priority",
        list(plan.PRIORITIES),
        index=plan.PRIORITIES.index(defaults.get("priority", default(ActionInput, "priority"))),
        format_func=PRIORITY_LABELS.get,
        key=f"{prefix}_priority",
    )
    cols = st.columns(3)
    with cols[0]:
        goal_id = pick("Goal", goal_names, "goal_id", "No goal")
    with cols[1]:
        finding_id = pick("Finding", findings, "finding_id", "No finding" if findings else "No findings yet")
    with cols[2]:
        idea_id = pick("Green-lit idea", ideas, "idea_id", "No idea" if ideas else "No green-lit ideas yet")
    cols = st.columns(3)
    owner_keys = list(owners)
    owner_id = cols[0].selectbox(
        "Owner",
        owner_keys,
        index=owner_keys.index(defaults["owner_id"]) if defaults.get("owner_id") in owners else None,
        format_func=owners.get,
        disabled=owner_locked,
        help="Only leadership hands an action to someone else." if owner_locked else None,
        key=f"{prefix}_owner_id",
    )
    with cols[1]:
        team_id = pick("Team", teams, "team_id", "No team")
    with cols[2]:
        kpi_id = pick("KPI expected to move", kpi_names, "kpi_id", "No KPI")
    cols = st.columns(3)
    start_date = cols[0].date_input("Start date", value=defaults.get("start_date", TODAY), key=f"{prefix}_start")
    due_date = cols[1].date_input(
        "Due date", value=defaults.get("due_date", TODAY + timedelta(days=60)), key=f"{prefix}_due"
    )
    expected_effect = cols[2].text_input(
        "Expected effect on the KPI",
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
        submitted = st.form_submit_button("Create action", type="primary")
    if submitted:
        created = run_write(lambda: workflow.create_action(db, user, data))
        if created:
            for key in [k for k in st.session_state if str(k).startswith("new_action_")]:
                del st.session_state[key]
            st.session_state["action_picker"] = created.value
            st.toast(f"Action #{created.value} created.")
            st.rerun()


def render_action(action: plan.Action) -> None:
    form = EditForm("action", action.id, action.version)
    st.subheader(f"#{action.id} {escape_markdown(action.title)}")
    cols = st.columns(4)
    cols[0].metric("Status", plan.STATUS_LABELS[action.status])
    cols[1].metric("Progress", f"{action.progress_pct} %")
    cols[2].metric(
        "Due",
        f"{action.due_date:%Y-%m-%d}",
        delta="overdue" if action.is_overdue(TODAY) else None,
        delta_color="inverse",
    )
    cols[3].metric("Priority", PRIORITY_LABELS[action.priority])
    if action.description:
        st.text(action.description)
    links = [
        f"owner: {action.owner_name or '—'}",
        f"type: {plan.TYPE_LABELS[action.action_type].lower()}",
        f"origin: {plan.ORIGIN_LABELS[action.origin].lower()}",
    ]
    if action.team_name:
        links.append(f"team: {action.team_name}")
    if action.goal_name:
        links.append(f"goal: {action.goal_name}")
    if action.finding_id:
        links.append(f"finding #{action.finding_id}")
    if action.idea_id:
        links.append(f"idea #{action.idea_id}")
    if action.kpi_name:
        links.append(f"KPI: {action.kpi_name}")
    if action.expected_effect:
        links.append(f"expected effect: {action.expected_effect}")
    st.text(" · ".join(links))
    if action.updated_by_name:
        st.caption(
            f"Last changed by {escape_markdown(action.updated_by_name)} at {action.updated_at:%Y-%m-%d %H:%M} UTC"
        )

    form.show_stale()

    editable = plan.can_change(user, action)
    if editable:
        render_workflow(action, form)
        with st.expander("Edit details", expanded=bool(form.stale)):
            owner_locked = not user.can(Permission.ACTIONS_MANAGE)
            owners = owner_options(
                f"{form.prefix}_owner",
                action.owner_id,
                st.session_state.get(f"{form.prefix}_owner_id"),
                searchable=not owner_locked,
            )
            with st.form(f"{form.prefix}_edit"):
                data = action_fields(form.prefix, action.model_dump(), owners, owner_locked=owner_locked)
                submitted = st.form_submit_button("Save action", type="primary")
            if submitted:
                saved = run_write(lambda: workflow.update_action(db, user, action.id, data, form.version), form=form)
                if saved and saved.value == []:
                    st.info("Nothing changed.")
                elif saved:
                    st.toast("Action saved.")
                    st.rerun()
    if action.status == "done" and (action.kpi_id is not None or action.goal_id is not None):
        render_effectiveness(action, editable, form)
    render_updates_log(action)


def render_workflow(action: plan.Action, form: EditForm) -> None:
    prefix = form.prefix
    next_statuses = plan.allowed_next(action.status)
    left, right = st.columns(2)
    moved, new_status, note, completed_on = False, None, "", TODAY
    if not next_statuses:
        left.caption(f"{plan.STATUS_LABELS[action.status]} is final: the status cannot change any more.")
    else:
        with left, st.form(f"{prefix}_status"):
            st.markdown("**Move along the workflow**")
            new_status = st.selectbox(
                "New status", next_statuses, format_func=plan.STATUS_LABELS.get, key=f"{prefix}_new_status"
            )
            note = st.text_input(
                "Note (needed when blocking or cancelling)", max_chars=plan.NOTE_MAX, key=f"{prefix}_status_note"
            )
            completed_on = st.date_input(
                "Completion date (when done)", value=TODAY, max_value=TODAY, key=f"{prefix}_completed_on"
            )
            moved = st.form_submit_button("Change status")
    finished = action.status in ("done", "cancelled")
    if finished:
        right.caption(f"The action is {plan.STATUS_LABELS[action.status].lower()}: it takes no more updates.")
        posted = False
    else:
        with right, st.form(f"{prefix}_update"):
            st.markdown("**Post an update**")
            progress = st.slider("Progress %", 0, 100, value=action.progress_pct, step=5, key=f"{prefix}_progress")
            update_note = st.text_area("What happened", max_chars=plan.NOTE_MAX, key=f"{prefix}_update_note", height=80)
            posted = st.form_submit_button("Post update")
    if moved and new_status:
        run_write(
            lambda: workflow.change_status(db, user, action.id, new_status, form.version, note=note, on=completed_on),
            success=f"Action is now {plan.STATUS_LABELS[new_status].lower()}.",
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
            success="Update posted.",
            form=form,
            rerun=True,
        )


def render_effectiveness(action: plan.Action, editable: bool, form: EditForm) -> None:
    prefix = form.prefix
    st.markdown("**Effectiveness review**")
    window = st.select_slider(
        "Window before and after completion (days)",
        [30, 60, 90, 180],
        value=plan.DEFAULT_REVIEW_WINDOW_DAYS,
        key=f"{prefix}_window",
    )
    review = effectiveness.effectiveness(db, action.id, window_days=window)
    if review is None:
        return
    if review.window_days == 0:
        st.info("The action was completed today; the review needs some days of KPI values after it.")
    else:
        cols = st.columns(3)
        unit = escape_markdown(review.unit)  # a metric's value is Markdown
        fmt = lambda v: "—" if v is None else f"{v:,.2f} {unit}"  # noqa: E731
        cols[0].metric(
            f"Mean in the {review.window_days} days before",
            fmt(review.before_mean),
            help=plural(review.before_count, "value"),
        )
        cols[1].metric(
            f"Mean in the {review.window_days} days after",
            fmt(review.after_mean),
            help=plural(review.after_count, "value"),
        )
        change = review.change
        cols[2].metric(
            "Change",
            "—" if change is None else f"{change:+,.2f}",
            delta=None
            if review.improved is None
            else ("moved the right way" if review.improved else "moved the wrong way"),
            delta_color="normal" if review.improved else "inverse",
        )
        direction = "higher" if review.direction == "higher" else "lower"
        st.caption(
            f"{escape_markdown(review.kpi_name)}: {direction} is better. Windows of equal length around the completion "
            f"date {review.completed_on:%Y-%m-%d}."
        )
    if action.effectiveness_verdict:
        st.text(
            f"Verdict: {plan.VERDICT_LABELS[action.effectiveness_verdict]}"
            + (f" — {action.effectiveness_note}" if action.effectiveness_note else "")
        )
    if editable:
        with st.form(f"{prefix}_verdict"):
            verdict = st.radio(
                "Did the action work?",
                list(plan.VERDICTS),
                index=plan.VERDICTS.index(action.effectiveness_verdict) if action.effectiveness_verdict else None,
                format_func=plan.VERDICT_LABELS.get,
                horizontal=True,
                key=f"{prefix}_verdict_choice",
            )
            verdict_note = st.text_input("Why", max_chars=plan.NOTE_MAX, key=f"{prefix}_verdict_note")
            recorded = st.form_submit_button("Record verdict")
        if recorded:
            run_write(
                lambda: effectiveness.record_verdict(
                    db, user, action.id, verdict or "", verdict_note, expected_version=form.version
                ),
                success="Verdict recorded.",
                form=form,
                rerun=True,
            )


def render_updates_log(action: plan.Action) -> None:
    st.markdown("**Updates log**")
    log = plan.updates_log_frame(db, action.id)
    show_table(log)
    if not log.empty:
        download_buttons(log, f"action-{action.id}-updates", key=f"action_{action.id}_log")


st.title("Action plan")
render_summary()
tab_names = ["My actions", "Overdue", "All actions", "Breakdown", "Timeline"]
if user.can(Permission.ACTIONS_MANAGE):
    tab_names.append("New action")
tabs = dict(zip(tab_names, st.tabs(tab_names), strict=True))
every_action = plan.list_actions(db)  # read once; the tabs and the picker show parts of it
with tabs["My actions"]:
    show_actions([a for a in every_action if a.owner_id == user.employee_id], "mine", "You own no actions.")
with tabs["Overdue"]:
    show_actions([a for a in every_action if a.is_overdue(TODAY)], "overdue", "Nothing is overdue.")
with tabs["All actions"]:
    render_all()
with tabs["Breakdown"]:
    render_breakdown()
with tabs["Timeline"]:
    render_timeline(every_action)
if "New action" in tabs:
    with tabs["New action"]:
        render_new_action()

st.divider()
if every_action:
    by_id = {a.id: a for a in every_action}
    if st.session_state.get("action_picker") not in by_id:
        st.session_state.pop("action_picker", None)
    action_id = st.selectbox(
        "Open an action",
        list(by_id),
        format_func=lambda i: f"#{i} {by_id[i].title} — {plan.STATUS_LABELS[by_id[i].status]}",
        key="action_picker",
    )
    render_action(by_id[action_id])
