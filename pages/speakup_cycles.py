"""Speak-Up cycles (leadership): plan a quarter's cycle with its window, day, weighted
criteria and green-light rule; move it through its phases."""

from datetime import date

import pandas as pd
import streamlit as st

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
from ui.fields import bounds, max_chars
from ui.ideas import plain
from ui.widgets import download_buttons, show_table
from ui.writes import run_write

user, db, settings = page_context()

CRITERIA_COLUMNS = {
    "name": "Criterion",
    "weight": "Weight",
    "anchor_1": "1 means",
    "anchor_3": "3 means",
    "anchor_5": "5 means",
}
NEXT_STEP = {
    "planned": "Open submissions",
    "open": "Close submissions",
    "review": "Start Speak-Up Day scoring",
    "scoring": "Close the cycle",
}


def criteria_frame(criteria) -> pd.DataFrame:
    rows = [
        {key: getattr(c, key, None) if not isinstance(c, dict) else c[key] for key in CRITERIA_COLUMNS}
        for c in criteria
    ]
    return pd.DataFrame(rows, columns=list(CRITERIA_COLUMNS)).rename(columns=CRITERIA_COLUMNS)


def criteria_from(frame: pd.DataFrame) -> list[dict]:
    back = {label: key for key, label in CRITERIA_COLUMNS.items()}
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
    threshold = cols[0].number_input(
        "Green-light threshold",
        float(low),
        float(high),
        float(values["green_light_threshold"]),
        0.1,
        key=f"threshold{key_suffix}",
    )
    low, high = bounds(CycleRules, "min_judges")
    min_judges = cols[1].number_input("Minimum judges", low, high, values["min_judges"], key=f"min_judges{key_suffix}")
    low, high = bounds(CycleRules, "shortlist_size")
    shortlist_size = cols[2].number_input(
        "Shortlist size", low, high, values["shortlist_size"], key=f"shortlist{key_suffix}"
    )
    return {"green_light_threshold": threshold, "min_judges": min_judges, "shortlist_size": shortlist_size}


def render_cycle_list(cycles: list[Cycle]) -> None:
    table = pd.DataFrame(
        [
            {
                "Cycle": c.name,
                "Phase": c.phase_label,
                "Submissions open": c.submission_opens,
                "Submissions close": c.submission_closes,
                "Speak-Up Day": c.speakup_day,
                "Threshold": c.green_light_threshold,
                "Minimum judges": c.min_judges,
                "Shortlist size": c.shortlist_size,
            }
            for c in cycles
        ]
    )
    show_table(table)
    download_buttons(table, "speakup-cycles", key="cycles")


def render_cycle(cycle: Cycle) -> None:
    st.subheader(plain(cycle.name))
    st.caption(
        f"{cycle.phase_label} · submissions {cycle.submission_opens:%d %b} – {cycle.submission_closes:%d %b %Y}"
        f" · Speak-Up Day {cycle.speakup_day:%d %b %Y}"
    )
    step = NEXT_STEP.get(cycle.phase)
    if step and st.button(step, key=f"advance_{cycle.id}", type="primary"):
        run_write(lambda: advance_phase(db, user, cycle.id), rerun=True)
    reason = frozen_reason(cycle)
    if reason:
        st.info(reason, icon=":material/lock:")
        cols = st.columns(3)
        cols[0].metric("Green-light threshold", f"{cycle.green_light_threshold:g}")
        cols[1].metric("Minimum judges", cycle.min_judges)
        cols[2].metric("Shortlist size", cycle.shortlist_size)
        show_table(criteria_frame(cycle.criteria))
        return
    st.caption("Criteria and the green-light rule can change until scoring starts; then they are frozen.")
    rules = rule_inputs(cycle.model_dump(), f"_{cycle.id}")
    edited = st.data_editor(
        criteria_frame(cycle.criteria), num_rows="dynamic", width="stretch", key=f"criteria_{cycle.id}", hide_index=True
    )
    if st.button("Save rules", key=f"save_rules_{cycle.id}") and run_write(
        lambda: update_rules(db, user, cycle.id, {**rules, "criteria": criteria_from(edited)})
    ):
        st.success("Rules saved.")


def render_new_cycle() -> None:
    st.subheader("Plan a new cycle")
    proposed = proposed_cycle(date.today())
    with st.form("new_cycle"):
        name = st.text_input("Name", value=proposed["name"], max_chars=max_chars(CycleInput, "name"))
        cols = st.columns(3)
        opens = cols[0].date_input("Submissions open", value=proposed["submission_opens"])
        closes = cols[1].date_input("Submissions close", value=proposed["submission_closes"])
        day = cols[2].date_input("Speak-Up Day", value=proposed["speakup_day"])
        rules = rule_inputs(proposed, "_new")
        st.caption("Criteria with weights and what a 1, 3 and 5 mean — the standard four to start with.")
        criteria = st.data_editor(
            criteria_frame(proposed["criteria"]), num_rows="dynamic", width="stretch", hide_index=True
        )
        submitted = st.form_submit_button("Create cycle", type="primary")
    if submitted:
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
            success=f"{name} planned. Open its submissions when the quarter starts.",
            rerun=True,
        )


st.title("Speak-Up cycles")
cycles = list_cycles(db)
if cycles:
    render_cycle_list(cycles)
    by_id = {c.id: c for c in cycles}
    current = current_cycle(db)
    chosen = st.selectbox(
        "Cycle",
        list(by_id),
        index=list(by_id).index(current.id),
        key="cycles_chosen",
        format_func=lambda c: f"{by_id[c].name} — {by_id[c].phase_label}",
    )
    render_cycle(by_id[chosen])
st.divider()
render_new_cycle()
