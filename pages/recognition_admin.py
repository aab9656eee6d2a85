"""Recognition admin (HR): the company values kudos are tagged with, hiding a kudos that
breaks the rules (kept and audited), and the export of a period's recognition."""

from datetime import date

import pandas as pd
import streamlit as st

from models.i18n import _
from models.recognition import export, kudos, leaderboard, values
from ui.context import page_context
from ui.dates import date_input_format
from ui.text import escape_markdown
from ui.widgets import download_buttons, show_table
from ui.writes import run_write

user, db, settings = page_context()


def hidden_labels() -> dict[str, str]:
    return {
        "id": "#",
        "giver_name": _("Giver name"),
        "to_name": _("To name"),
        "message": _("Message"),
        "tag": _("Tag"),
        "tag_kind": _("Tag kind"),
        "given_at": _("Given at"),
        "hidden_reason": _("Hidden reason"),
    }


def render_values() -> None:
    st.subheader(_("Company values"))
    listed = values.company_values(db, include_retired=True)
    if listed:
        show_table(
            pd.DataFrame([value.model_dump() for value in listed]).drop(columns=["id"]),
            labels={"name": _("Value"), "description": _("Description"), "active": _("Active")},
            key="company_values",
            download=_("company-values"),
        )
    with st.form("value_form", clear_on_submit=True):
        name = st.text_input(_("Value"), max_chars=values.NAME_MAX, key="value_name")
        description = st.text_input(_("What it means"), max_chars=values.DESCRIPTION_MAX, key="value_description")
        if st.form_submit_button(_("Add value")):
            run_write(lambda: values.add_value(db, user, name, description), success=_("Value added."))
    active = {value.id: value.name for value in listed if value.active}
    if active:
        retiring = st.selectbox(
            _("Retire a value"),
            list(active),
            format_func=active.get,
            index=None,
            key="value_retire",
            placeholder=_("Choose an option"),
        )
        if retiring is not None and st.button(_("Retire value"), key="value_retire_button"):
            run_write(
                lambda: values.set_value_active(db, user, retiring, False), success=_("Value retired."), rerun=True
            )


def render_hide() -> None:
    st.subheader(_("Hide a kudos"))
    recent = {item.id: item for item in kudos.recent_kudos(db, user, limit=200)}
    chosen = st.selectbox(
        _("Kudos"), list(recent), index=None, key="hide_kudos",
        format_func=lambda k: f"#{k} {recent[k].giver_name} → {recent[k].to_name}: {recent[k].message[:60]}",
        placeholder=_("Choose an option"),
    )  # fmt: skip
    if chosen is not None:
        st.text(recent[chosen].message)
        reason = st.text_area(_("Reason"), max_chars=kudos.REASON_MAX, key="hide_reason")
        if st.button(_("Hide kudos"), icon=":material/visibility_off:", key="hide_kudos_button"):
            run_write(lambda: kudos.hide_kudos(db, user, chosen, reason), success=_("Kudos hidden."), rerun=True)
    hidden = kudos.hidden_kudos(db, user)
    if hidden:
        st.caption(_("Hidden kudos"))
        kinds = {"value": _("Company value"), "competency": _("Competency")}
        rows = [
            {**item.model_dump(exclude={"giver_id", "team_id", "tag_code"}), "tag": item.shown_tag}
            | {"tag_kind": kinds.get(item.tag_kind, item.tag_kind)}
            for item in hidden
        ]
        show_table(pd.DataFrame(rows), labels=hidden_labels(), key="hidden_kudos", download=_("hidden-kudos"))


def render_export() -> None:
    st.subheader(_("Export"))
    left, right = st.columns(2)
    period = left.selectbox(
        _("Period"), list(leaderboard.PERIODS), format_func=lambda p: _(leaderboard.PERIODS[p]), key="export_period"
    )
    on = right.date_input(_("Including the day"), value=date.today(), key="export_on", format=date_input_format())
    st.caption(escape_markdown(_("Kudos and badges of {period}.", period=leaderboard.period_bounds(period, on)[2])))
    download_buttons(lambda: export.recognition_export(db, user, period, on), export.export_file_stem(period, on),
                     key="recognition_export")  # fmt: skip


st.title(_("Recognition admin"))
render_values()
st.divider()
render_hide()
st.divider()
render_export()
