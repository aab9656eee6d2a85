"""Vision and strategic priorities: the direction leadership sets, with every version of
the vision kept, and the goals that hang under each priority."""

from datetime import date

import pandas as pd
import streamlit as st

from models.access import Permission
from models.i18n import _, format_date, format_number
from models.strategy import goals, vision
from models.strategy.vision import PriorityInput, VisionInput
from ui.context import page_context
from ui.dates import date_input_format
from ui.fields import bounds, default, max_chars
from ui.text import escape_markdown
from ui.widgets import download_buttons, show_table
from ui.writes import run_write

user, db, settings = page_context()
can_manage = user.can(Permission.STRATEGY_MANAGE)


def render_vision() -> None:
    st.header(_("Vision"))
    current = vision.current_vision(db)
    if current is None:
        st.info(_("No vision has been written yet."))
    else:
        with st.container(border=True):
            st.text(current.statement)
            st.caption(
                _(
                    "In force since {date} · written by {author}",
                    date=format_date(current.effective_date),
                    author=escape_markdown(current.author_name or _("unknown")),
                )
            )
    history = vision.vision_history(db)
    if history:
        with st.expander(_("All versions ({count})", count=format_number(len(history)))):
            frame = pd.DataFrame(
                [
                    {
                        _("Effective date"): v.effective_date,
                        _("Statement"): v.statement,
                        _("Author"): v.author_name,
                        _("Written at (UTC)"): v.created_at,
                    }
                    for v in history
                ]
            )
            show_table(frame)
            download_buttons(frame, _("vision-versions"), key="vision_versions")
    if can_manage:
        with st.form("revise_vision"):
            st.markdown("**" + _("Revise the vision") + "**")
            statement = st.text_area(
                _("Vision statement"),
                value=current.statement if current else "",
                max_chars=max_chars(VisionInput, "statement"),
                key="vision_statement",
            )
            effective = st.date_input(
                _("Effective date"), value=date.today(), key="vision_effective", format=date_input_format()
            )
            submitted = st.form_submit_button(_("Save new version"), type="primary")
        if submitted:
            run_write(
                lambda: vision.revise_vision(db, user, {"statement": statement, "effective_date": effective}),
                success=_("New version of the vision saved."),
                rerun=True,
            )


def render_priorities() -> None:
    st.header(_("Strategic priorities"))
    priorities = vision.list_priorities(db)
    if not priorities:
        st.info(_("No strategic priorities yet."))
    all_goals = goals.list_goals(db)
    for priority in priorities:
        with st.container(border=True):
            st.subheader(f"{priority.position}. {escape_markdown(priority.title)}")
            if priority.description:
                st.text(priority.description)
            mine = [g for g in all_goals if g.priority_id == priority.id]
            for goal in mine:
                st.text(f"• {goal.name} — {_(goals.STATUS_LABELS[goal.status.status])} ({goal.status.reason})")
            if not mine:
                st.caption(_("No goals under this priority yet."))
            if can_manage:
                render_priority_form(priority)
    if priorities:
        st.markdown("**" + _("All priorities") + "**")
        frame = pd.DataFrame(
            [
                {
                    _("Position"): p.position,
                    _("Priority"): p.title,
                    _("Description"): p.description,
                    _("Goals"): p.goals,
                }
                for p in priorities
            ]
        )
        show_table(frame)
        download_buttons(frame, _("strategic-priorities"), key="priorities")
    if can_manage:
        render_priority_form(None)


def render_priority_form(priority: vision.Priority | None) -> None:
    key = f"priority_{priority.id if priority else 'new'}"
    label = _("Edit this priority") if priority else _("Add a strategic priority")
    with st.expander(label), st.form(key):
        title = st.text_input(
            _("Title"),
            value=priority.title if priority else "",
            max_chars=max_chars(PriorityInput, "title"),
            key=f"{key}_title",
        )
        description = st.text_area(
            _("Description"),
            value=priority.description if priority else "",
            max_chars=max_chars(PriorityInput, "description"),
            key=f"{key}_description",
        )
        lowest, highest = bounds(PriorityInput, "position")
        position = st.number_input(
            _("Position"),
            min_value=lowest,
            max_value=highest,
            value=priority.position if priority else default(PriorityInput, "position"),
            key=f"{key}_position",
        )
        submitted = st.form_submit_button(_("Save priority") if priority else _("Add priority"), type="primary")
    if submitted:
        data = {"title": title, "description": description, "position": position}
        if priority:
            saved = run_write(lambda: vision.update_priority(db, user, priority.id, data), success=_("Priority saved."))
        else:
            saved = run_write(lambda: vision.create_priority(db, user, data), success=_("Priority saved."))
        if saved:
            if priority is None:
                for field in ("title", "description", "position"):
                    st.session_state.pop(f"{key}_{field}", None)
            st.rerun()


st.title(_("Vision and priorities"))
render_vision()
render_priorities()
