"""Audit log: every change, who made it and when, with before and after."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from models import audit
from models.paging import PAGE_SIZE
from ui.context import page_context
from ui.widgets import download_buttons, pager, search_matches, show_table

user, db, settings = page_context()

st.title("Audit log")
cols = st.columns(4)
entity = cols[0].selectbox(
    "Record kind", [None, *audit.entities(db)], format_func=lambda e: "All" if e is None else audit.code_label(e)
)
with cols[1]:
    actors = search_matches("Find an actor", "audit_actor_search", lambda text: audit.find_actors(db, text))
actor_names = {row["actor_id"]: row["actor_name"] for row in actors}
actor_id = cols[1].selectbox(
    "Actor", [None, *actor_names], format_func=lambda i: "All" if i is None else actor_names[i]
)
since = cols[2].date_input("From", value=date.today() - timedelta(days=30))
until = cols[3].date_input("To", value=date.today())

filters = {"entity": entity, "actor_id": actor_id, "since": since, "until": until}
total = audit.count(db, user, **filters)
first = pager(total, "audit_page", ("entry", "entries"), context=filters)
entries = audit.search(db, user, **filters, offset=first, limit=PAGE_SIZE)
shown_entries = pd.DataFrame(
    [
        {
            "When (UTC)": e.occurred_at,
            "Actor": e.actor_name or "System",
            "Record": f"{e.entity_label} {e.entity_id or ''}".strip(),
            "Action": e.action_label,
            "Changes": "; ".join(e.changes) or "—",
        }
        for e in entries
    ],
    columns=["When (UTC)", "Actor", "Record", "Action", "Changes"],
)
show_table(shown_entries, column_config={"Changes": st.column_config.TextColumn("Changes", width="large")})
if total:
    download_buttons(
        lambda: pd.DataFrame(
            [
                {
                    "occurred_at_utc": e.occurred_at,
                    "actor": e.actor_name or "system",
                    "entity": e.entity,
                    "entity_id": e.entity_id,
                    "action": e.action,
                    "before": audit.to_json(e.before) or "",
                    "after": audit.to_json(e.after) or "",
                }
                for e in audit.search(db, user, **filters, limit=total)
            ]
        ),
        "audit-log",
        key="audit",
        rows=total,
    )
