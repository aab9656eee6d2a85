"""Changes to decision rights proposed from an idea or a finding: the ones linked to it, with
their status, and the form to propose another (shown to those the domain lets propose)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from models.access import ROLE_LABELS, CurrentUser
from models.db import Database
from models.i18n import N_, _
from models.standards import proposals
from models.standards.rights import REMEDY_LABELS, Right
from ui.widgets import decimal_input, show_table
from ui.writes import run_write

PROPOSAL_COLUMNS = {
    "status": N_("Status"),
    "role": N_("Role"),
    "remedy": N_("Remedy"),
    "current_limit": N_("Current limit"),
    "proposed_limit": N_("Proposed limit"),
    "proposed_conditions": N_("Proposed conditions"),
    "reason": N_("Reason"),
    "proposed_by": N_("Proposed by"),
    "decision_note": N_("Decision note"),
}


def proposal_table(rows: list[dict[str, Any]], key: str) -> None:
    """The proposals as a table: the right (role and remedy), what is proposed, status and note."""
    frame = pd.DataFrame(rows)
    frame["role"] = frame["role"].map(lambda role: _(ROLE_LABELS[role]) if role in ROLE_LABELS else role)
    frame["remedy"] = frame["remedy"].map(
        lambda remedy: _(REMEDY_LABELS[remedy]) if remedy in REMEDY_LABELS else remedy
    )
    frame["status"] = frame["status"].map(
        lambda status: _(proposals.STATUS_LABELS[status]) if status in proposals.STATUS_LABELS else status
    )
    labels = {name: _(label) for name, label in PROPOSAL_COLUMNS.items()}
    show_table(frame[list(PROPOSAL_COLUMNS)], key=key, labels=labels, download=_("proposed-changes"))


def proposal_form(db: Database, user: CurrentUser, current: list[Right], origin: tuple[str, int], prefix: str) -> None:
    """Propose a change to one of the current rights, linked to ``origin`` ("idea_id" or
    "finding_id", and its id)."""
    if not current:
        return
    by_id = {right.id: right for right in current}
    with st.form(f"{prefix}_form"):
        names = {i: right.label for i, right in by_id.items()}  # in the language of this run
        right_id = st.selectbox(_("Right"), list(by_id), format_func=names.__getitem__, key=f"{prefix}_right")
        limit = decimal_input(_("Proposed limit (optional)"), min_value=0.0, key=f"{prefix}_limit")
        conditions = st.text_area(_("Proposed conditions (optional)"), max_chars=1000, key=f"{prefix}_conditions")
        reason = st.text_area(_("Why"), max_chars=2000, key=f"{prefix}_reason")
        if st.form_submit_button(_("Propose a change to this right")):
            data = {"right_id": right_id, origin[0]: origin[1], "proposed_limit": limit}
            data |= {"proposed_conditions": conditions, "reason": reason}
            run_write(lambda: proposals.propose_change(db, user, data), success=_("Proposal sent to leadership."))
