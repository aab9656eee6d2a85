"""Vision and strategic priorities: the direction leadership sets, with every version of
the vision kept, and the goals that hang under each priority."""

from datetime import date

import pandas as pd
import streamlit as st

from models.access import Permission
from models.strategy import goals, vision
from models.strategy.vision import PriorityInput, VisionInput
from ui.context import page_context
from ui.fields import bounds, default, max_chars
from ui.text import escape_markdown
from ui.widgets import download_buttons, show_table
from ui.writes import run_write

user, db, settings = page_context()
can_manage = user.can(Permission.STRATEGY_MANAGE)


def render_vision() -> None:
    st.header("Vision")
    current = vision.current_vision(db)
    if current is None:
        st.info("No vision has been written yet.")
    else:
        with st.container(border=True):
            st.text(current.statement)
            st.caption(
                f"In force since {current.effective_date:%Y-%m-%d} · written by "
                f"{escape_markdown(current.author_name or 'unknown')}"
            )
    history = vision.vision_history(db)
    if history:
        with st.expander(f"All versions ({len(history)})"):
            frame = pd.DataFrame(
                [
                    {
                        "Effective date": v.effective_date,
                        "Statement": v.statement,
                        "Author": v.author_name,
                        "Written at (UTC)": v.created_at,
                    }
                    for v in history
                ]
            )
            show_table(frame)
            download_buttons(frame, "vision-versions", key="vision_versions")
    if can_manage:
        with st.form("revise_vision"):
            st.markdown("**Revise the vision**")
            statement = st.text_area(
                "Vision statement",
                value=current.statement if current else "",
                max_chars=max_chars(VisionInput, "statement"),
                key="vision_statement",
            )
            effective = st.date_input("Effective date", value=date.today(), key="vision_effective")
            submitted = st.form_submit_button("Save new version", type="primary")
        if submitted:
            run_write(
                lambda: vision.revise_vision(db, user, {"statement": statement, "effective_date": effective}),
                success="New version of the vision saved.",
                rerun=True,
            )


def render_priorities() -> None:
    st.header("Strategic priorities")
    priorities = vision.list_priorities(db)
    if not priorities:
        st.info("No strategic priorities yet.")
    all_goals = goals.list_goals(db)
    for priority in priorities:
        with st.container(border=True):
            st.subheader(f"{priority.position}. {escape_markdown(priority.title)}")
            if priority.description:
                st.text(priority.description)
            mine = [g for g in all_goals if g.priority_id == priority.id]
            for goal in mine:
                st.text(f"• {goal.name} — {goal.status.label} ({goal.status.reason})")
            if not mine:
                st.caption("No goals under this priority yet.")
            if can_manage:
                render_priority_form(priority)
    if priorities:
        st.markdown("**All priorities**")
        frame = pd.DataFrame(
            [
                {"Position": p.position, "Priority": p.title, "Description": p.description, "Goals": p.goals}
                for p in priorities
            ]
        )
        show_table(frame)
        download_buttons(frame, "strategic-priorities", key="priorities")
    if can_manage:
        render_priority_form(None)


def render_priority_form(priority: vision.Priority | None) -> None:
    key = f"priority_{priority.id if priority else 'new'}"
    label = "Edit this priority" if priority else "Add a strategic priority"
    with st.expander(label), st.form(key):
        title = st.text_input(
            "Title",
            value=priority.title if priority else "",
            max_chars=max_chars(PriorityInput, "title"),
            key=f"{key}_title",
        )
        description = st.text_area(
            "Description",
            value=priority.description if priority else "",
            max_chars=max_chars(PriorityInput, "description"),
            key=f"{key}_description",
        )
        lowest, highest = bounds(PriorityInput, "position")
        position = st.number_input(
            "Position",
            min_value=lowest,
            max_value=highest,
            value=priority.position if priority else default(PriorityInput, "position"),
            key=f"{key}_position",
        )
        submitted = st.form_submit_button("Save priority" if priority else "Add priority", type="primary")
    if submitted:
        data = {"title": title, "description": description, "position": position}
        if priority:
            saved = run_write(lambda: vision.update_priority(db, user, priority.id, data), success="Priority saved.")
        else:
            saved = run_write(lambda: vision.create_priority(db, user, data), success="Priority saved.")
        if saved:
            if priority is None:
                for field in ("title", "description", "position"):
                    st.session_state.pop(f"{key}_{field}", None)
            st.rerun()


st.title("Vision and priorities")
render_vision()
render_priorities()
