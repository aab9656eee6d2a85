"""Speak-Up Day judging (leadership): score each shortlisted idea on the cycle's criteria,
blind to other judges until you submit; see the spread; record the decision."""

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from models.access import Permission
from models.speakup import board, cycle_report, decisions, ideas, judging
from models.speakup.cycles import Cycle, list_cycles
from models.text import plural
from ui.charts import by_number, idea_label, wrapped_axis
from ui.context import page_context
from ui.ideas import idea_details, plain, status_label
from ui.widgets import download_buttons, show_table
from ui.writes import run_write

user, db, settings = page_context()
OWNER_CHOICES = 20  # people offered at a time in the action owner picker


def choose_cycle() -> Cycle | None:
    cycles = [c for c in list_cycles(db) if c.phase in ("scoring", "closed")]
    if not cycles:
        st.info("No cycle has reached Speak-Up Day scoring yet. Leadership starts scoring under Speak-Up cycles.")
        return None
    by_id = {c.id: c for c in cycles}
    return by_id[
        st.selectbox(
            "Cycle", list(by_id), key="judging_cycle", format_func=lambda c: f"{by_id[c].name} — {by_id[c].phase_label}"
        )
    ]


def render_queue(queue: list[dict]) -> None:
    def mine(row: dict) -> str:
        if row["conflict"]:
            return "You may not judge"
        return "Scored" if row["scored_by_me"] else "To score"

    table = pd.DataFrame(
        [
            {
                "Idea": row["id"],
                "Title": row["title"],
                "Team": row["team_name"],
                "Status": row["status_label"],
                "Judges so far": row["judges"],
                "You": mine(row),
            }
            for row in queue
        ]
    )
    show_table(table)


def render_score_form(cycle: Cycle, idea: ideas.Idea) -> None:
    st.markdown("**Your scores** — other judges' scores appear once you submit yours.")
    for criterion in cycle.criteria:
        st.radio(
            f"{plain(criterion.name)} (weight {criterion.weight:g})",
            [1, 2, 3, 4, 5],
            index=None,
            horizontal=True,
            key=f"score_{idea.id}_{criterion.id}",
            captions=None,
            help=f"1: {plain(criterion.anchor_1)} · 3: {plain(criterion.anchor_3)} · 5: {plain(criterion.anchor_5)}",
        )
        st.caption(
            f"1 = {plain(criterion.anchor_1)} · 3 = {plain(criterion.anchor_3)} · 5 = {plain(criterion.anchor_5)}"
        )
    st.text_area("Comment for the authors (optional)", key=f"score_comment_{idea.id}", max_chars=judging.COMMENT_MAX)
    if st.button("Submit my scores", key=f"submit_scores_{idea.id}", type="primary"):
        sheet = {
            c.id: st.session_state.get(f"score_{idea.id}_{c.id}")
            for c in cycle.criteria
            if st.session_state.get(f"score_{idea.id}_{c.id}") is not None
        }
        comment = st.session_state.get(f"score_comment_{idea.id}", "")
        run_write(lambda: judging.submit_scores(db, user, idea.id, sheet, comment), rerun=True)


def render_sheets(idea: ideas.Idea) -> None:
    sheets = judging.score_sheets(db, user, idea.id)
    if sheets is None:
        return
    if not sheets:
        st.caption("No judge has scored this idea yet.")
        return
    result = judging.result_for(db, idea.id)
    st.markdown(f"**{plain(result.explanation)}**")
    if result.spread is not None and result.judges > 1:
        st.caption(
            f"Spread between judges: {result.spread:.2f} (lowest {result.lowest:.2f}, highest {result.highest:.2f})"
        )
    table = pd.DataFrame(
        [
            {
                "Judge": s["judge"],
                **s["scores"],
                "Weighted score": round(s["judge_score"], 2),
                "Comment": s["comment"] or "",
            }
            for s in sheets
        ]
    )
    show_table(table)
    download_buttons(table, f"score-sheets-idea-{idea.id}", key=f"sheets_{idea.id}")


def render_decision(cycle: Cycle, idea: ideas.Idea) -> None:
    if not user.can(Permission.SPEAKUP_MANAGE):
        return
    st.markdown("**Decision**")
    sees_scores = judging.may_see_scores(db, user, idea.id)
    recorded = decisions.decisions_for(db, user, idea.id)
    if recorded:
        table = pd.DataFrame(
            [
                {
                    "Decided": d.decided_at,
                    "Outcome": status_label(d.outcome),
                    "Score": ("" if d.score is None else f"{d.score:.2f}") if sees_scores else "hidden until you score",
                    "Judges": d.judges,
                    "Threshold": d.green_light_threshold,
                    "Rationale": d.rationale,
                    "By": d.decided_by,
                }
                for d in recorded
            ]
        )
        show_table(table)
        download_buttons(table, f"decisions-idea-{idea.id}", key=f"decisions_{idea.id}")
        st.caption("A decision is never edited; recording a new one supersedes it and is audited.")
    if sees_scores:
        result = judging.result_for(db, idea.id)
        st.caption(f"The rule gives: {'green light' if result.green_lit else 'not selected'}. {result.explanation}")
    else:
        st.caption(
            "You have not scored this idea, so its scores stay hidden from you. Recording the decision applies the "
            "rule and shows them; after that you no longer score this idea yourself."
        )
    cols = st.columns(2)
    words = cols[0].text_input("Find the action owner", key=f"owner_find_{idea.id}", placeholder="Words of a name")
    total, found = board.colleague_search(db, words, limit=OWNER_CHOICES)
    people = {user.employee_id: user.full_name} if not words.strip() else {}
    people.update({row["id"]: row["full_name"] for row in found})
    owner = cols[0].selectbox(
        "Action owner (if green-lit)",
        list(people),
        index=0 if people else None,
        key=f"owner_{idea.id}",
        format_func=lambda i: people[i],
        placeholder="Nobody matches",
    )
    if total > len(found):
        cols[0].caption(f"Showing {len(found)} of {plural(total, 'person', 'people')}; type to narrow them down.")
    due = cols[1].date_input(
        "Action due date (if green-lit)",
        value=decisions.default_action_due_date(cycle),
        min_value=date.today(),
        key=f"due_{idea.id}",
    )
    st.text_area("Rationale", key=f"rationale_{idea.id}", max_chars=judging.RATIONALE_MAX)
    if st.button("Record decision", key=f"decide_{idea.id}", type="primary"):
        rationale = st.session_state.get(f"rationale_{idea.id}", "")
        decided = run_write(
            lambda: decisions.decide(db, user, idea.id, rationale, action_owner_id=owner, action_due_date=due)
        )
        if decided:
            st.toast(f"Decision recorded: {status_label(decided.value.outcome)}.")
            st.rerun()


def render_spread_chart(cycle: Cycle) -> None:
    frame = cycle_report.spread_frame(db, user, cycle.id)
    if frame.empty:
        return
    st.subheader("Judge spread per idea")
    st.caption("Each dot is one judge's weighted score; the bar is the idea's score; the line is the threshold.")
    frame["label"] = [
        idea_label(idea_id, title) for idea_id, title in zip(frame["idea_id"], frame["title"], strict=True)
    ]
    base = alt.Chart(frame).encode(y=alt.Y("label:N", title=None, sort=by_number(), axis=wrapped_axis()))
    dots = base.mark_circle(size=90).encode(
        x=alt.X("judge_score:Q", title="Weighted score", scale=alt.Scale(domain=[1, 5])),
        color=alt.Color("judge:N", title="Judge"),
        tooltip=[
            alt.Tooltip("title:N", title="Idea"),
            alt.Tooltip("judge:N", title="Judge"),
            alt.Tooltip("judge_score:Q", title="Judge's weighted score", format=".2f"),
            alt.Tooltip("idea_score:Q", title="Idea's score", format=".2f"),
        ],
    )
    means = base.mark_tick(thickness=3, color="black").encode(
        x=alt.X("idea_score:Q", title="Weighted score"),
        tooltip=[alt.Tooltip("title:N", title="Idea"), alt.Tooltip("idea_score:Q", title="Idea's score", format=".2f")],
    )
    threshold = (
        alt.Chart(pd.DataFrame({"threshold": [cycle.green_light_threshold]}))
        .mark_rule(strokeDash=[4, 4])
        .encode(
            x=alt.X("threshold:Q", title="Weighted score"),
            tooltip=[alt.Tooltip("threshold:Q", title="Green-light threshold")],
        )
    )
    st.altair_chart(
        (dots + means + threshold).properties(height=max(200, 40 * frame["idea_id"].nunique())), width="stretch"
    )
    download_buttons(frame.drop(columns=["label"]), f"judge-spread-{cycle.name}", key="spread")


st.title("Speak-Up Day judging")
cycle = choose_cycle()
if cycle is not None:
    st.caption(
        f"Threshold {cycle.green_light_threshold:g} · at least {plural(cycle.min_judges, 'judge')} · "
        + " · ".join(f"{plain(c.name)} {c.weight:g}" for c in cycle.criteria)
    )
    queue = judging.judging_queue(db, user, cycle.id)
    if not queue:
        st.info("No shortlisted ideas in this cycle.")
    else:
        render_queue(queue)
        titles = {row["id"]: row["title"] for row in queue}
        idea_id = st.selectbox("Idea", list(titles), key="judging_idea", format_func=lambda i: f"#{i} {titles[i]}")
        idea = ideas.get_idea(db, idea_id)
        row = next(r for r in queue if r["id"] == idea_id)
        with st.container(border=True):
            st.markdown(f"### {plain(idea.title)}")
            idea_details(idea, settings.currency, counts=board.complaint_link_counts(db, idea))
        if row["conflict"]:
            st.warning(f"You may not judge this idea: {row['conflict']}.")
        elif not row["scored_by_me"] and cycle.phase == "scoring":
            render_score_form(cycle, idea)
        render_sheets(idea)
        render_decision(cycle, idea)
        render_spread_chart(cycle)
