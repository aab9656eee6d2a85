"""Audit log: every change, who made it and when, with before and after."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from models import audit
from ui.context import page_context
from ui.widgets import download_buttons, show_table

user, db, settings = page_context()

st.title("Audit log")
actors = audit.actors(db)
actor_names = {row["actor_id"]: row["actor_name"] for row in actors}
cols = st.columns(4)
entity = cols[0].selectbox("Entity", ["All", *audit.entities(db)])
actor_id = cols[1].selectbox(
    "Actor", [None, *actor_names], format_func=lambda i: "All" if i is None else actor_names[i]
)
since = cols[2].date_input("From", value=date.today() - timedelta(days=30))
until = cols[3].date_input("To", value=date.today())

entries = audit.search(
    db, user, entity=None if entity == "All" else entity, actor_id=actor_id, since=since, until=until
)
st.caption(f"{len(entries)} entries (newest first, at most 500)")
frame = pd.DataFrame(
    [
        {
            "When (UTC)": e.occurred_at,
            "Actor": e.actor_name or "system",
            "Entity": e.entity,
            "Id": e.entity_id,
            "Action": e.action,
            "Before": audit.to_json(e.before) or "",
            "After": audit.to_json(e.after) or "",
        }
        for e in entries
    ],
    columns=["When (UTC)", "Actor", "Entity", "Id", "Action", "Before", "After"],
)
show_table(frame)
if not frame.empty:
    download_buttons(frame, "audit-log", key="audit")
