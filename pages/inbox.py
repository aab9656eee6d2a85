"""Inbox: what the portal has told me — outcomes of my ideas, comments and support on them,
courses assigned or overdue, assessments and coaching notes to acknowledge, appeals resolved,
kudos, surveys open, scoring open for judges — newest first, to read and mark read."""

import streamlit as st

from models.i18n import _, format_datetime, ngettext
from models.inbox import messages as inbox
from ui.context import page_context
from ui.registry import PAGES
from ui.text import escape_markdown
from ui.writes import run_write

user, db, settings = page_context()
PAGE_BY_LINK = {spec.url_path: spec for spec in PAGES if spec.url_path}


def render_link(link: str | None) -> None:
    """The page the message is about, when the person may open it."""
    spec = PAGE_BY_LINK.get(link or "")
    if spec is not None and spec.opens_for(user):
        st.page_link(spec.path, label=_("Open {page}", page=_(spec.title)), icon=spec.icon)


def render_message(message: inbox.InboxMessage) -> None:
    with st.container(border=True, key=f"inbox_message_{message.id}"):
        state = "**" + _("Unread") + "** · " if message.unread else ""
        st.markdown(f"{state}**{escape_markdown(message.subject)}**")
        st.caption(f"{message.kind_label} · {format_datetime(message.created_at, 'dd MMM y HH:mm')}")
        st.text(message.body)
        left, right = st.columns(2)
        with left:
            render_link(message.link)
        if message.unread and right.button(_("Mark read"), key=f"inbox_read_{message.id}", icon=":material/done:"):
            run_write(lambda: inbox.mark_read(db, user, [message.id]), rerun=True)


st.title(_("Inbox"))
unread = inbox.unread_count(db, user)
unread_only = st.toggle(_("Unread only"), key="inbox_unread_only")
shown = inbox.messages(db, user, unread_only=unread_only)
st.caption(
    (ngettext("{n} unread message.", "{n} unread messages.", unread) if unread else _("Everything is read."))
    + " "
    + _("The newest {count} are listed.", count=inbox.PAGE_SIZE)
)
if unread and st.button(_("Mark all read"), key="inbox_read_all", icon=":material/done_all:"):
    newest = max((message.id for message in shown), default=None)
    run_write(lambda: inbox.mark_all_read(db, user, up_to_id=newest), success=_("All marked read."), rerun=True)
if not shown:
    st.info(
        _("No unread messages.") if unread_only else _("No messages yet: the portal tells you here what concerns you.")
    )
for message in shown:
    render_message(message)
