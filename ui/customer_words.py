"""Customers' own words attached to a finding or an idea: shown to those who may read customer
comments (analysts and leadership); everyone else sees only how many there are."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from models.access import CurrentUser, Permission
from models.customers import comments
from models.db import Database
from models.i18n import N_, _, ngettext
from ui.widgets import show_table
from ui.writes import run_write

WORDS_COLUMNS = {
    "answered_on": N_("Answered on"),
    "channel": N_("Channel"),
    "team": N_("Team"),
    "survey_type": N_("Survey type"),
    "score": N_("Score"),
    "comment": N_("Comment"),
    "note": N_("Note"),
    "attached_by": N_("Attached by"),
}


def read_ideas_words(db: Database, user: CurrentUser, idea_ids: list[int]) -> dict[int, list[dict] | int]:
    """What ``render_customer_words`` shows of each of these ideas, read in one statement: the
    attached comments for those who may read them, otherwise how many there are."""
    if user.can(Permission.COMPLAINTS_RAW):
        return dict(comments.comments_for_ideas(db, user, idea_ids))
    return dict(comments.attached_counts_of_ideas(db, idea_ids))


def render_customer_words(
    db: Database,
    user: CurrentUser,
    *,
    finding_id: int | None = None,
    idea_id: int | None = None,
    read: list[dict] | int | None = None,
) -> None:
    """The attached comments as a table, each detachable by those who may attach it; ``read``
    is what ``read_ideas_words`` read for the idea, when it was read with others."""
    target = {"finding_id": finding_id} if finding_id is not None else {"idea_id": idea_id}
    if not user.can(Permission.COMPLAINTS_RAW):
        count = read if isinstance(read, int) else comments.attached_count(db, **target)
        if count:
            st.caption(
                ngettext(
                    "{n} customer comment attached (read by analysts and leadership).",
                    "{n} customer comments attached (read by analysts and leadership).",
                    count,
                )
            )
        return
    attached = read if isinstance(read, list) else comments.comments_for(db, user, **target)
    st.markdown("**" + _("In the customer's own words") + "**")
    if not attached:
        st.caption(_("No customer comments attached yet: attach them from the comments search on Customer feedback."))
        return
    frame = pd.DataFrame(attached)
    key = f"words_{'finding' if finding_id is not None else 'idea'}_{finding_id or idea_id}"
    show_table(
        frame[["answered_on", "channel", "team", "survey_type", "score", "comment", "note", "attached_by"]],
        key=key,
        labels={name: _(label) for name, label in WORDS_COLUMNS.items()},
    )
    may_detach = finding_id is None or user.can(Permission.FINDINGS_MANAGE)
    if may_detach:
        left, right = st.columns([3, 1])
        chosen = left.selectbox(
            _("Detach a comment"),
            frame["link_id"].tolist(),
            index=None,
            format_func=lambda link: str(frame.loc[frame["link_id"] == link, "comment"].iloc[0])[:80],
            key=f"{key}_detach",
            placeholder=_("Choose an option"),
        )
        if right.button(_("Detach"), key=f"{key}_detach_button", disabled=chosen is None):
            run_write(
                lambda: comments.detach_comment(db, user, int(chosen)), success=_("Comment detached."), rerun=True
            )
