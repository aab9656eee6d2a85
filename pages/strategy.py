"""Vision and strategic priorities: the direction leadership sets, with every version of
the vision kept, and the goals that hang under each priority."""

from datetime import date

import pandas as pd
import streamlit as st

from models.access import Permission, PermissionDeniedError
from models.errors import InputError
from models.strategy import goals, vision
from ui.context import page_context
from ui.text import escape_markdown
from ui.widgets import download_buttons, show_input_error

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
            st.dataframe(frame, hide_index=True, width="stretch")
            download_buttons(frame, "vision-versions", key="vision_versions")
    if can_manage:
        with st.form("revise_vision"):
            st.markdown("**Revise the vision**")
            statement = st.text_area(
                "Vision statement",
                value=current.statement if current else "",
                max_chars=2000,
                key="vision_statement",
            )
            effective = st.date_input("Effective date", value=date.today(), key="vision_effective")
            submitted = st.form_submit_button("Save new version", type="primary")
        if submitted:
            try:
                vision.revise_vision(db, user, {"statement": statement, "effective_date": effective})
            except InputError as error:
                show_input_error(error)
            except PermissionDeniedError as error:
                st.error(str(error))
            else:
                st.toast("New version of the vision saved.")
                st.rerun()


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
        st.dataframe(frame, hide_index=True, width="stretch")
        download_buttons(frame, "strategic-priorities", key="priorities")
    if can_manage:
        render_priority_form(None)


def render_priority_form(priority: vision.Priority | None) -> None:
    key = f"priority_{priority.id if priority else 'new'}"
    label = "Edit this priority" if priority else "Add a strategic priority"
    with st.expander(label), st.form(key):
        title = st.text_input("Title", value=priority.title if priority else "", max_chars=120, key=f"{key}_title")
        description = st.text_area(
            "Description", value=priority.description if priority else "", max_chars=1000, key=f"{key}_description"
        )
        position = st.number_input(
            "Position", min_value=1, max_value=99, value=priority.position if priority else 1, key=f"{key}_position"
        )
        submitted = st.form_submit_button("Save priority" if priority else "Add priority", type="primary")
    if submitted:
        data = {"title": title, "description": description, "position": position}
        try:
            if priority:
                vision.update_priority(db, user, priority.id, data)
            else:
                vision.create_priority(db, user, data)
        except InputError as error:
            show_input_error(error)
        except PermissionDeniedError as error:
            st.error(str(error))
        else:
            if priority is None:
                for field in ("title", "description", "position"):
                    st.session_state.pop(f"{key}_{field}", None)
            st.toast("Priority saved.")
            st.rerun()


st.title("Vision and priorities")
render_vision()
render_priorities()
