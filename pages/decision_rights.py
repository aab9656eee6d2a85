"""Decision rights: what each role may decide for a customer without asking, read by
everyone; a use logged by the person who gave the remedy (flagged above their limit); use
against limits by team and month for leadership; changes proposed from an idea or a finding."""

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from models.access import ROLE_LABELS, Permission, Role
from models.complaints.findings import finding_titles
from models.i18n import _, format_money, format_number, pgettext
from models.speakup.board import my_ideas
from models.standards import proposals, rights
from models.standards.rights import REMEDY_LABELS
from ui.charts import localized, month_axis, number_tooltip
from ui.context import page_context
from ui.dates import date_input_format
from ui.text import escape_markdown
from ui.widgets import decimal_input, download_buttons, show_table, with_labels
from ui.writes import EditForm, run_write

user, db, settings = page_context()
TODAY = date.today()
CURRENCY = settings.currency
REMEDIES = {code: _(label) for code, label in REMEDY_LABELS.items()}
ROLES = {role: _(label) for role, label in ROLE_LABELS.items()}
CODED = {"remedy": REMEDIES, "role": {role.value: label for role, label in ROLES.items()}}
CODED |= {"status": {code: _(label) for code, label in proposals.STATUS_LABELS.items()}}
USE_LABELS = {
    "remedy": _("Kind of remedy"),
    "amount": _("Amount ({currency})", currency=CURRENCY),
    "limit_amount": _("Limit ({currency})", currency=CURRENCY),
    "current_limit": _("Current limit ({currency})", currency=CURRENCY),
    "proposed_limit": _("Proposed limit ({currency})", currency=CURRENCY),
    "over_limit": _("Above the limit"),
    "above_limit": _("Above the limit"),
    "used_on": _("Used on"),
    "complaint_reference": _("Complaint reference"),
    "note": _("Note"),
    "person": _("Person"),
    "team": _("Team"),
}
PROPOSAL_LABELS = USE_LABELS | {
    "id": "#",
    "status": _("Status"),
    "role": _("Role"),
    "proposed_conditions": _("Proposed conditions"),
    "reason": _("Reason"),
    "idea_id": _("Idea ID"),
    "idea": _("Idea"),
    "finding_id": _("Finding ID"),
    "finding": _("Finding"),
    "proposed_by": _("Proposed by"),
    "proposed_at": _("Proposed at"),
    "decision_note": _("Decision note"),
}
HISTORY_LABELS = {
    "version": _("Version"),
    "changed_at": _("Changed at"),
    "changed_by": _("Changed by"),
    "limit_amount": _("Limit amount"),
    "conditions": _("Conditions"),
    "current": pgettext("a version of a decision right", "Current"),
}


def right_names(by_id: dict[int, rights.Right]) -> dict[int, str]:
    """Each right as a choice names it: its role and kind of remedy in the current language."""
    return {i: right.label for i, right in by_id.items()}


def money(value: object) -> str:
    return _("no money involved") if value is None else format_money(float(value), CURRENCY)


def render_register(current: list[rights.Right]) -> None:
    st.header(_("Who may decide what"))
    if not current:
        st.info(_("No decision rights yet."))
        return
    frame = pd.DataFrame(
        [
            {
                "role": ROLES.get(right.role, right.role),
                "remedy": REMEDIES[right.remedy],
                "limit": money(right.limit_amount),
                "conditions": right.conditions,
                "version": right.version,
            }
            for right in current
        ]
    )
    show_table(
        frame,
        labels={
            "role": _("Role"),
            "remedy": _("Kind of remedy"),
            "limit": _("Limit"),
            "conditions": _("Conditions"),
            "version": _("Version"),
        },
        key="rights_table",
    )
    download_buttons(frame, _("decision-rights"), "dl_rights")
    by_id = {right.id: right for right in current}
    with st.expander(_("Earlier versions of a right")):
        chosen = st.selectbox(_("Right"), list(by_id), format_func=right_names(by_id).get, key="right_versions")
        show_history(chosen, "right_versions_table")


def show_history(right_id: int, key: str) -> None:
    """Every version of a right: its limit, conditions and whether it was current, who changed it and when."""
    show_table(
        pd.DataFrame(rights.right_history(db, user, right_id)),
        labels=HISTORY_LABELS,
        key=key,
        download=_("decision-right-{id}-versions", id=right_id),
    )


def render_log_use() -> None:
    st.header(_("Log a use of your right"))
    held = rights.rights_of(db, user)
    if not held:
        st.info(_("Your roles hold no decision rights."))
        return
    st.caption(
        _("Your limits:") + " " + "; ".join(f"{REMEDIES[r]} {money(right.limit_amount)}" for r, right in held.items())
    )
    with st.form("log_use"):
        remedy = st.selectbox(_("Kind of remedy"), list(held), format_func=REMEDIES.get, key="use_remedy")
        used_on = st.date_input(_("Date"), TODAY, max_value=TODAY, key="use_date", format=date_input_format())
        amount = decimal_input(_("Amount"), value=0.0, min_value=0.0, required=True, key="use_amount")
        reference = st.text_input(_("Complaint reference (optional)"), max_chars=60, key="use_reference")
        note = st.text_area(_("Note (optional)"), max_chars=1000, key="use_note")
        if st.form_submit_button(_("Log use"), type="primary"):
            data = {"remedy": remedy, "used_on": used_on, "amount": amount}
            data |= {"complaint_reference": reference, "note": note}
            done = run_write(lambda: rights.log_use(db, user, data), success=_("Use logged."))
            if done and done.value.over_limit:
                st.warning(
                    _(
                        "Above your limit of {limit}: the use is logged and flagged for leadership. "
                        "Next time ask your team lead first.",
                        limit=money(done.value.limit_amount),
                    )
                )
    mine = rights.my_uses(db, user)
    if mine:
        show_table(
            pd.DataFrame(mine), labels=USE_LABELS, values=CODED, key="my_uses", download=_("my-decision-right-uses")
        )


def render_use_against_limits() -> None:
    st.header(_("Use against limits"))
    left, right = st.columns(2)
    start = left.date_input(
        pgettext("the first day of a period", "From"),
        (TODAY - timedelta(days=365)).replace(day=1),
        key="uses_from",
        format=date_input_format(),
    )
    end = right.date_input(pgettext("the last day of a period", "To"), TODAY, key="uses_to", format=date_input_format())
    frame = with_labels(
        rights.use_against_limits(db, user, start, end), CODED | {"team": {rights.NO_TEAM: _(rights.NO_TEAM)}}
    )
    if frame.empty:
        st.info(_("No uses in this period."))
        return
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):T", title=_("Month"), axis=month_axis()),
            y=alt.Y("sum(uses):Q", title=_("Uses")),
            color=alt.Color("team:N", title=_("Team")),
            tooltip=[
                alt.Tooltip("team:N", title=_("Team")),
                alt.Tooltip("remedy:N", title=_("Kind of remedy")),
                number_tooltip("uses:Q", _("Uses")),
                number_tooltip("amount:Q", _("Amount ({currency})", currency=CURRENCY), decimals=2),
                number_tooltip("mean_share_of_limit:Q", _("Mean share of limit (%)")),
                number_tooltip("above_limit:Q", _("Above the limit")),
            ],
        )
    )
    st.altair_chart(localized(chart), width="stretch")
    show_table(
        frame,
        labels=USE_LABELS
        | {
            "mean_share_of_limit": _("Mean share of limit (%)"),
            "team": _("Team"),
            "month": _("Month"),
            "uses": _("Uses"),
        },
        key="use_limits",
    )
    download_buttons(frame, _("decision-right-use"), "dl_use_limits")
    flagged = rights.uses_above_limit(db, user, start, end)
    st.subheader(_("Flagged above the limit ({count})", count=format_number(len(flagged))))
    show_table(flagged, labels=USE_LABELS, values=CODED, key="uses_flagged", download=_("uses-above-the-limit"))


def render_proposal_form(current: list[rights.Right]) -> None:
    origins: dict[str, tuple[str, int]] = {
        _("Idea: {title}", title=idea.title): ("idea_id", idea.id)
        for idea in my_ideas(db, user)
        if idea.status != "draft"
    }
    if user.can(Permission.FINDINGS_MANAGE):
        origins |= {_("Finding: {title}", title=row["title"]): ("finding_id", row["id"]) for row in finding_titles(db)}
    if not origins:
        return
    by_id = {right.id: right for right in current}
    with st.expander(_("Propose a change to a right")), st.form("propose"):
        origin = st.selectbox(pgettext("what a proposal comes from", "From"), list(origins), key="proposal_origin")
        right_id = st.selectbox(_("Right"), list(by_id), format_func=right_names(by_id).get, key="proposal_right")
        limit = decimal_input(_("Proposed limit (optional)"), min_value=0.0, key="proposal_limit")
        conditions = st.text_area(_("Proposed conditions (optional)"), max_chars=1000, key="proposal_conditions")
        reason = st.text_area(_("Why"), max_chars=2000, key="proposal_reason")
        if st.form_submit_button(_("Propose")):
            key, origin_id = origins[origin]
            data = {"right_id": right_id, key: origin_id, "proposed_limit": limit}
            data |= {"proposed_conditions": conditions, "reason": reason}
            run_write(lambda: proposals.propose_change(db, user, data), success=_("Proposal sent to leadership."))


def render_proposals() -> None:
    listed = proposals.proposals(db, user)
    st.header(_("Proposed changes"))
    if not listed:
        st.info(_("No changes proposed yet."))
        return
    show_table(
        pd.DataFrame(listed),
        labels=PROPOSAL_LABELS,
        values=CODED,
        key="proposals_table",
        download=_("proposed-changes"),
    )
    if not user.can(Permission.STRATEGY_MANAGE):
        return
    open_ones = {row["id"]: row for row in listed if row["status"] == "open"}
    if not open_ones:
        return
    with st.form("decide_proposal"):
        chosen = st.selectbox(
            _("Proposal"),
            list(open_ones),
            format_func={
                i: f"#{i} {ROLES[Role(row['role'])]} · {REMEDIES[row['remedy']]}" for i, row in open_ones.items()
            }.get,
            key="decide_which",
        )
        note = st.text_area(_("Note to the proposers"), max_chars=1000, key="decide_note")
        accept, decline = st.columns(2)
        if accept.form_submit_button(_("Accept (new version of the right)"), type="primary"):
            run_write(
                lambda: proposals.decide_proposal(db, user, chosen, accept=True, note=note), success=_("Accepted.")
            )
        if decline.form_submit_button(_("Decline")):
            run_write(
                lambda: proposals.decide_proposal(db, user, chosen, accept=False, note=note), success=_("Declined.")
            )


def render_management(every: list[rights.Right]) -> None:
    st.header(_("Keep the register"))
    with st.expander(_("Add a right")), st.form("new_right"):
        role = st.selectbox(_("Role"), list(ROLES), format_func=ROLES.get, key="right_role")
        remedy = st.selectbox(_("Kind of remedy"), list(REMEDIES), format_func=REMEDIES.get, key="right_remedy")
        limit = decimal_input(_("Limit (empty: no money involved)"), min_value=0.0, key="right_limit")
        conditions = st.text_area(_("Conditions"), max_chars=1000, key="right_conditions")
        if st.form_submit_button(_("Add right"), type="primary"):
            data = {"role": role, "remedy": remedy, "limit_amount": limit, "conditions": conditions}
            run_write(lambda: rights.add_right(db, user, data), success=_("Right added."), rerun=True)
    if not every:
        return
    with st.expander(_("Change a right")):
        by_id = {right.id: right for right in every}
        chosen = st.selectbox(_("Right"), list(by_id), format_func=right_names(by_id).get, key="change_right")
        right = by_id[chosen]
        form = EditForm("decision_right", right.id, right.version)
        form.show_stale()
        with st.form(f"{form.prefix}_form"):
            limit = decimal_input(
                _("Limit (empty: no money involved)"),
                min_value=0.0,
                value=None if right.limit_amount is None else float(right.limit_amount),
                key=f"{form.prefix}_limit",
            )
            conditions = st.text_area(
                _("Conditions"), right.conditions, max_chars=1000, key=f"{form.prefix}_conditions"
            )
            active = st.checkbox(_("Current (untick to retire it)"), right.active, key=f"{form.prefix}_active")
            if st.form_submit_button(_("Save new version"), type="primary"):
                changes = {"limit_amount": limit, "conditions": conditions, "active": active}
                run_write(
                    lambda: rights.update_right(db, user, right.id, changes, form.version),
                    success=_("New version saved."),
                    form=form,
                    rerun=True,
                )
        show_history(right.id, "right_history")


st.title(_("Decision rights"))
st.caption(
    _(
        "What you may decide for a customer without asking a manager, up to a limit and on conditions. "
        "A use above your limit is logged and flagged. Amounts in {currency}.",
        currency=escape_markdown(CURRENCY),
    )
)
register_now = rights.list_rights(db, user)
render_register(register_now)
if user.can(Permission.DECISION_RIGHTS_USE):
    render_log_use()
if user.can(Permission.DASHBOARDS_ALL):
    render_use_against_limits()
render_proposal_form(register_now)
render_proposals()
if user.can(Permission.STRATEGY_MANAGE):
    render_management(rights.list_rights(db, user, include_retired=True))
