"""Speak-Up cycles (leadership): plan a quarter's cycle with its window, day, weighted
criteria and green-light rule; move it through its phases."""

from datetime import date

import pandas as pd
import streamlit as st

from models.i18n import N_, _, current_language, format_date, format_number
from models.speakup.cycles import (
    Cycle,
    CycleInput,
    CycleRules,
    advance_phase,
    create_cycle,
    current_cycle,
    frozen_reason,
    list_cycles,
    proposed_cycle,
    update_rules,
)
from ui.context import page_context
from ui.dates import date_input_format
from ui.fields import bounds, max_chars
from ui.ideas import day, plain
from ui.widgets import decimal_input, download_buttons, show_table
from ui.writes import run_write

user, db, settings = page_context()

CRITERIA_COLUMNS = {
    "name": N_("Criterion"),
    "weight": N_("Weight"),
    "anchor_1": N_("1 means"),
    "anchor_3": N_("3 means"),
    "anchor_5": N_("5 means"),
}
NEXT_STEP = {
    "planned": N_("Open submissions"),
    "open": N_("Close submissions"),
    "review": N_("Start Speak-Up Day scoring"),
    "scoring": N_("Close the cycle"),
}


def day_and_month(value: date) -> str:
    """ "05 Mar", "05 бер."."""
    return f"{value:%d %b}" if current_language() == "en" else format_date(value, "dd MMM")


def criteria_frame(criteria) -> pd.DataFrame:
    rows = [
        {key: getattr(c, key, None) if not isinstance(c, dict) else c[key] for key in CRITERIA_COLUMNS}
        for c in criteria
    ]
    labels = {key: _(label) for key, label in CRITERIA_COLUMNS.items()}
    return pd.DataFrame(rows, columns=list(CRITERIA_COLUMNS)).rename(columns=labels)


def criteria_from(frame: pd.DataFrame) -> list[dict]:
    back = {_(label): key for key, label in CRITERIA_COLUMNS.items()}
    rows = frame.rename(columns=back).to_dict("records")
    return [
        {key: (None if pd.isna(value) else value) for key, value in row.items()}
        for row in rows
        if any(not pd.isna(value) and value != "" for value in row.values())
    ]


def rule_inputs(values: dict, key_suffix: str) -> dict:
    """The green-light rule's inputs, within the limits the model sets."""
    cols = st.columns(3)
    low, high = bounds(CycleRules, "green_light_threshold")
    with cols[0]:
        threshold = decimal_input(
            _("Green-light threshold"),
            min_value=low,
            max_value=high,
            value=float(values["green_light_threshold"]),
            decimals=None,
            required=True,
            key=f"threshold{key_suffix}",
        )
    low, high = bounds(CycleRules, "min_judges")
    min_judges = cols[1].number_input(
        _("Minimum judges"), low, high, values["min_judges"], key=f"min_judges{key_suffix}"
    )
    low, high = bounds(CycleRules, "shortlist_size")
    shortlist_size = cols[2].number_input(
        _("Shortlist size"), low, high, values["shortlist_size"], key=f"shortlist{key_suffix}"
    )
    return {"green_light_threshold": threshold, "min_judges": min_judges, "shortlist_size": shortlist_size}


def render_cycle_list(cycles: list[Cycle]) -> None:
    table = pd.DataFrame(
        [
            {
                _("Cycle"): c.name,
                _("Phase"): c.phase_label,
                _("Submissions open"): c.submission_opens,
                _("Submissions close"): c.submission_closes,
                _("Speak-Up Day"): c.speakup_day,
                _("Threshold"): c.green_light_threshold,
                _("Minimum judges"): c.min_judges,
                _("Shortlist size"): c.shortlist_size,
            }
            for c in cycles
        ]
    )
    show_table(table)
    download_buttons(table, _("speakup-cycles"), key="cycles")


def render_cycle(cycle: Cycle) -> None:
    st.subheader(plain(cycle.name))
    st.caption(
        _(
            "{phase} · submissions {opens} – {closes} · Speak-Up Day {day}",
            phase=cycle.phase_label,
            opens=day_and_month(cycle.submission_opens),
            closes=day(cycle.submission_closes),
            day=day(cycle.speakup_day),
        )
    )
    step = NEXT_STEP.get(cycle.phase)
    if step and st.button(_(step), key=f"advance_{cycle.id}", type="primary"):
        run_write(lambda: advance_phase(db, user, cycle.id), rerun=True)
    reason = frozen_reason(cycle)
    if reason:
        st.info(reason, icon=":material/lock:")
        cols = st.columns(3)
        cols[0].metric(_("Green-light threshold"), format_number(cycle.green_light_threshold))
        cols[1].metric(_("Minimum judges"), cycle.min_judges)
        cols[2].metric(_("Shortlist size"), cycle.shortlist_size)
        show_table(criteria_frame(cycle.criteria))
        return
    st.caption(_("Criteria and the green-light rule can change until scoring starts; then they are frozen."))
    rules = rule_inputs(cycle.model_dump(), f"_{cycle.id}")
    edited = st.data_editor(
        criteria_frame(cycle.criteria), num_rows="dynamic", width="stretch", key=f"criteria_{cycle.id}", hide_index=True
    )
    if st.button(_("Save rules"), key=f"save_rules_{cycle.id}") and run_write(
        lambda: update_rules(db, user, cycle.id, {**rules, "criteria": criteria_from(edited)})
    ):
        st.success(_("Rules saved."))


def render_new_cycle() -> None:
    st.subheader(_("Plan a new cycle"))
    proposed = proposed_cycle(date.today())
    with st.form("new_cycle"):
        name = st.text_input(
            _("Name"), value=proposed["name"], max_chars=max_chars(CycleInput, "name"), key="new_cycle_name"
        )
        cols = st.columns(3)
        opens = cols[0].date_input(
            _("Submissions open"), value=proposed["submission_opens"], key="new_cycle_opens", format=date_input_format()
        )
        closes = cols[1].date_input(
            _("Submissions close"),
            value=proposed["submission_closes"],
            key="new_cycle_closes",
            format=date_input_format(),
        )
        day = cols[2].date_input(
            _("Speak-Up Day"), value=proposed["speakup_day"], key="new_cycle_day", format=date_input_format()
        )
        rules = rule_inputs(proposed, "_new")
        st.caption(_("Criteria with weights and what a 1, 3 and 5 mean — the standard four to start with."))
        criteria = st.data_editor(
            criteria_frame(proposed["criteria"]), num_rows="dynamic", width="stretch", hide_index=True
        )
        # saved inside the form: wrong text left in a cycle's rules above holds up nothing here
        if st.form_submit_button(_("Create cycle"), type="primary"):
            cycle = {
                "name": name,
                "submission_opens": opens,
                "submission_closes": closes,
                "speakup_day": day,
                **rules,
                "criteria": criteria_from(criteria),
            }
            run_write(
                lambda: create_cycle(db, user, cycle),
                success=_("{name} planned. Open its submissions when the quarter starts.", name=name),
                rerun=True,
            )


st.title(_("Speak-Up cycles"))
cycles = list_cycles(db)
if cycles:
    render_cycle_list(cycles)
    by_id = {c.id: c for c in cycles}
    current = current_cycle(db)
    chosen = st.selectbox(
        _("Cycle"),
        list(by_id),
        index=list(by_id).index(current.id),
        key="cycles_chosen",
        format_func=lambda c: f"{by_id[c].name} — {by_id[c].phase_label}",
    )
    render_cycle(by_id[chosen])
st.divider()
render_new_cycle()
