"""Audit log: every change, who made it and when, with before and after."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from models import audit
from models.i18n import _, format_number, ngettext, pgettext
from models.paging import PAGE_SIZE
from ui.audit_values import VALUE_TABLES
from ui.context import page_context
from ui.dates import date_input_format
from ui.widgets import download_buttons, pager, search_matches, show_table

user, db, settings = page_context()

st.title(_("Audit log"))
cols = st.columns(4)
kinds = audit.entities(db)
entity_names = {None: _("All")} | {code: audit.entity_label(code) for code in kinds}  # in this run's language
entity = cols[0].selectbox(
    _("Record kind"),
    [None, *kinds],
    format_func=entity_names.__getitem__,
    key="audit_entity",
    placeholder=entity_names[None],
)
with cols[1]:
    actors = search_matches(_("Find an actor"), "audit_actor_search", lambda text: audit.find_actors(db, text))
actor_names = {row["actor_id"]: row["actor_name"] for row in actors}
actor_id = cols[1].selectbox(
    _("Actor"),
    [None, *actor_names],
    format_func=({None: _("All")} | actor_names).__getitem__,
    key="audit_actor",
    placeholder=_("All"),
)
since = cols[2].date_input(
    pgettext("the first day of a period", "From"),
    value=date.today() - timedelta(days=30),
    key="audit_since",
    format=date_input_format(),
)
until = cols[3].date_input(
    pgettext("the last day of a period", "To"), value=date.today(), key="audit_until", format=date_input_format()
)

filters = {"entity": entity, "actor_id": actor_id, "since": since, "until": until}
total = audit.count(db, user, **filters)
first = pager(
    total, "audit_page", lambda n: ngettext("{n} entry", "{n} entries", n, n=format_number(n)), context=filters
)
entries = audit.search(db, user, **filters, offset=first, limit=PAGE_SIZE)
columns = [_("When (UTC)"), _("Actor"), _("Record"), _("Action"), _("Changes")]
shown_entries = pd.DataFrame(
    [
        (
            e.occurred_at,
            e.actor_name or _("System"),
            f"{e.entity_label} {e.entity_id or ''}".strip(),
            e.action_label,
            "; ".join(e.changes_in_words(VALUE_TABLES)) or "—",
        )
        for e in entries
    ],
    columns=columns,
)
show_table(shown_entries, column_config={columns[-1]: st.column_config.TextColumn(columns[-1], width="large")})
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
        _("audit-log"),
        key="audit",
        rows=total,
    )
