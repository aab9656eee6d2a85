"""My training: every person's own courses — overdue, due, expiring and completed, with their
dates and the days left."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from models.i18n import _
from models.training import compliance
from models.training.courses import catalogue_titles
from ui.context import page_context
from ui.training_labels import training_column_labels
from ui.widgets import download_buttons, show_table

user, db, settings = page_context()


def section(title: str, frame: pd.DataFrame, empty: str, key: str) -> None:
    st.subheader(title)
    if frame.empty:
        st.caption(empty)
        return
    shown = catalogue_titles(frame)
    show_table(shown, labels=training_column_labels(), key=f"{key}_table")
    download_buttons(lambda: shown, _("my-training-{part}", part=title), key=key)


def render_page() -> None:
    st.title(_("My training"))
    today = date.today()
    mine = compliance.my_training(db, user, on=today)
    overdue, due, expiring, completed = st.columns(4)
    overdue.metric(_("Overdue"), len(mine.overdue))
    due.metric(_("Due"), len(mine.due))
    expiring.metric(_("Expiring within 30 days"), len(mine.expiring))
    completed.metric(_("Completed"), len(mine.completed))
    section(_("Overdue"), mine.overdue, _("Nothing overdue."), "overdue")
    section(_("Due"), mine.due, _("Nothing due."), "due")
    section(_("Expiring within 30 days"), mine.expiring, _("No certificate expires within 30 days."), "expiring")
    section(_("Completed"), compliance.in_words(mine.completed), _("Nothing completed yet."), "completed")


render_page()
