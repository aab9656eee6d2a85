"""My training: every person's own courses — overdue, due, expiring and completed, with their
dates and the days left."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from models.training import compliance
from ui.context import page_context
from ui.widgets import download_buttons, show_table

user, db, settings = page_context()


def section(title: str, frame: pd.DataFrame, empty: str, key: str) -> None:
    st.subheader(title)
    if frame.empty:
        st.caption(empty)
        return
    show_table(frame, key=f"{key}_table")
    download_buttons(lambda: frame, f"my-training-{key}", key=key)


def render_page() -> None:
    st.title("My training")
    today = date.today()
    mine = compliance.my_training(db, user, on=today)
    overdue, due, expiring, completed = st.columns(4)
    overdue.metric("Overdue", len(mine.overdue))
    due.metric("Due", len(mine.due))
    expiring.metric("Expiring within 30 days", len(mine.expiring))
    completed.metric("Completed", len(mine.completed))
    section("Overdue", mine.overdue, "Nothing overdue.", "overdue")
    section("Due", mine.due, "Nothing due.", "due")
    section("Expiring within 30 days", mine.expiring, "No certificate expires within 30 days.", "expiring")
    section("Completed", compliance.in_words(mine.completed), "Nothing completed yet.", "completed")


render_page()
