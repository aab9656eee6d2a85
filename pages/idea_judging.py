"""Speak-Up Day judging (leadership): score each shortlisted idea on the cycle's criteria,
blind to other judges until you submit; see the spread; record the decision."""

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from models.access import Permission
from models.i18n import _, format_number, ngettext
from models.speakup import board, cycle_report, decisions, ideas, judging
from models.speakup.cycles import Cycle, list_cycles
from ui.charts import by_number, idea_label, localized, number_tooltip, wrapped_axis
from ui.context import page_context
from ui.dates import date_input_format
from ui.ideas import idea_details, plain, status_label
from ui.widgets import download_buttons, show_table
from ui.writes import run_write

user, db, settings = page_context()
OWNER_CHOICES = 20  # people offered at a time in the action owner picker


def choose_cycle() -> Cycle | None:
    cycles = [c for c in list_cycles(db) if c.phase in ("scoring", "closed")]
    if not cycles:
        st.info(_("No cycle has reached Speak-Up Day scoring yet. Leadership starts scoring under Speak-Up cycles."))
        return None
    by_id = {c.id: c for c in cycles}
    labels = {c.id: f"{c.name} — {c.phase_label}" for c in cycles}
    return by_id[st.selectbox(_("Cycle"), list(by_id), key="judging_cycle", format_func=labels.get)]


def render_queue(queue: list[dict]) -> None:
    def mine(row: dict) -> str:
        if row["conflict"]:
            return _("You may not judge")
        return _("Scored") if row["scored_by_me"] else _("To score")

    table = pd.DataFrame(
        [
            {
                _("Idea"): row["id"],
                _("Title"): row["title"],
                _("Team"): row["team_name"],
                _("Status"): row["status_label"],
                _("Judges so far"): row["judges"],
                _("You"): mine(row),
            }
            for row in queue
        ]
    )
    show_table(table, key="judging_queue", download=_("ideas-to-score"))


def render_score_form(cycle: Cycle, idea: ideas.Idea) -> None:
    st.markdown(_("**Your scores** — other judges' scores appear once you submit yours."))
    for criterion in cycle.criteria:
        st.radio(
            _("{criterion} (weight {weight})", criterion=plain(criterion.name), weight=format_number(criterion.weight)),
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
    st.text_area(_("Comment for the authors (optional)"), key=f"score_comment_{idea.id}", max_chars=judging.COMMENT_MAX)
    if st.button(_("Submit my scores"), key=f"submit_scores_{idea.id}", type="primary"):
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
        st.caption(_("No judge has scored this idea yet."))
        return
    result = judging.result_for(db, idea.id)
    st.markdown(f"**{plain(result.explanation)}**")
    if result.spread is not None and result.judges > 1:
        st.caption(
            _(
                "Spread between judges: {spread} (lowest {lowest}, highest {highest})",
                spread=format_number(result.spread, 2),
                lowest=format_number(result.lowest, 2),
                highest=format_number(result.highest, 2),
            )
        )
    table = pd.DataFrame(
        [
            {
                _("Judge"): s["judge"],
                **s["scores"],
                _("Weighted score"): round(s["judge_score"], 2),
                _("Comment"): s["comment"] or "",
            }
            for s in sheets
        ]
    )
    show_table(table)
    download_buttons(table, _("score-sheets-idea-{number}", number=idea.id), key=f"sheets_{idea.id}")


def render_decision(cycle: Cycle, idea: ideas.Idea) -> None:
    if not user.can(Permission.SPEAKUP_MANAGE):
        return
    st.markdown("**" + _("Decision") + "**")
    sees_scores = judging.may_see_scores(db, user, idea.id)
    recorded = decisions.decisions_for(db, user, idea.id)
    if recorded:
        table = pd.DataFrame(
            [
                {
                    _("Decided"): d.decided_at,
                    _("Outcome"): status_label(d.outcome),
                    _("Score"): ("" if d.score is None else format_number(d.score, 2))
                    if sees_scores
                    else _("hidden until you score"),
                    _("Judges"): d.judges,
                    _("Threshold"): d.green_light_threshold,
                    _("Rationale"): d.rationale,
                    _("By"): d.decided_by,
                }
                for d in recorded
            ]
        )
        show_table(table)
        download_buttons(table, _("decisions-idea-{number}", number=idea.id), key=f"decisions_{idea.id}")
        st.caption(_("A decision is never edited; recording a new one supersedes it and is audited."))
    if sees_scores:
        result = judging.result_for(db, idea.id)
        verdict = _("green light") if result.green_lit else _("not selected")
        st.caption(_("The rule gives: {verdict}. {explanation}", verdict=verdict, explanation=result.explanation))
    else:
        st.caption(
            _(
                "You have not scored this idea, so its scores stay hidden from you. Recording the decision applies "
                "the rule and shows them; after that you no longer score this idea yourself."
            )
        )
    cols = st.columns(2)
    words = cols[0].text_input(
        _("Find the action owner"), key=f"owner_find_{idea.id}", placeholder=_("Words of a name")
    )
    total, found = board.colleague_search(db, words, limit=OWNER_CHOICES)
    people = {user.employee_id: user.full_name} if not words.strip() else {}
    people.update({row["id"]: row["full_name"] for row in found})
    owner = cols[0].selectbox(
        _("Action owner (if green-lit)"),
        list(people),
        index=0 if people else None,
        key=f"owner_{idea.id}",
        format_func=people.get,
        placeholder=_("Nobody matches"),
    )
    if total > len(found):
        cols[0].caption(
            ngettext(
                "Showing {shown} of {total} person; type to narrow them down.",
                "Showing {shown} of {total} people; type to narrow them down.",
                total,
                shown=format_number(len(found)),
                total=format_number(total),
            )
        )
    due = cols[1].date_input(
        _("Action due date (if green-lit)"),
        value=decisions.default_action_due_date(cycle),
        min_value=date.today(),
        key=f"due_{idea.id}",
        format=date_input_format(),
    )
    st.text_area(_("Rationale"), key=f"rationale_{idea.id}", max_chars=judging.RATIONALE_MAX)
    if st.button(_("Record decision"), key=f"decide_{idea.id}", type="primary"):
        rationale = st.session_state.get(f"rationale_{idea.id}", "")
        decided = run_write(
            lambda: decisions.decide(db, user, idea.id, rationale, action_owner_id=owner, action_due_date=due)
        )
        if decided:
            st.toast(_("Decision recorded: {outcome}.", outcome=status_label(decided.value.outcome)))
            st.rerun()


def render_spread_chart(cycle: Cycle) -> None:
    frame = cycle_report.spread_frame(db, user, cycle.id)
    if frame.empty:
        return
    st.subheader(_("Judge spread per idea"))
    st.caption(_("Each dot is one judge's weighted score; the bar is the idea's score; the line is the threshold."))
    weighted, judge, idea_word = _("Weighted score"), _("Judge"), _("Idea")
    judge_score, idea_score = _("Judge's weighted score"), _("Idea's score")
    frame["label"] = [
        idea_label(idea_id, title) for idea_id, title in zip(frame["idea_id"], frame["title"], strict=True)
    ]
    base = alt.Chart(frame).encode(y=alt.Y("label:N", title=None, sort=by_number(), axis=wrapped_axis()))
    dots = base.mark_circle(size=90).encode(
        x=alt.X("judge_score:Q", title=weighted, scale=alt.Scale(domain=[1, 5])),
        color=alt.Color("judge:N", title=judge),
        tooltip=[
            alt.Tooltip("title:N", title=idea_word),
            alt.Tooltip("judge:N", title=judge),
            number_tooltip("judge_score:Q", judge_score, decimals=2),
            number_tooltip("idea_score:Q", idea_score, decimals=2),
        ],
    )
    means = base.mark_tick(thickness=3, color="black").encode(
        x=alt.X("idea_score:Q", title=weighted),
        tooltip=[alt.Tooltip("title:N", title=idea_word), number_tooltip("idea_score:Q", idea_score, decimals=2)],
    )
    threshold = (
        alt.Chart(pd.DataFrame({"threshold": [cycle.green_light_threshold]}))
        .mark_rule(strokeDash=[4, 4])
        .encode(
            x=alt.X("threshold:Q", title=weighted),
            tooltip=[number_tooltip("threshold:Q", _("Green-light threshold"))],
        )
    )
    st.altair_chart(
        localized((dots + means + threshold).properties(height=max(200, 40 * frame["idea_id"].nunique()))),
        width="stretch",
    )
    download_buttons(frame.drop(columns=["label"]), _("judge-spread-{cycle}", cycle=cycle.name), key="spread")


st.title(_("Speak-Up Day judging"))
cycle = choose_cycle()
if cycle is not None:
    st.caption(
        _(
            "Threshold {threshold} · at least {judges}",
            threshold=format_number(cycle.green_light_threshold),
            judges=ngettext("{n} judge", "{n} judges", cycle.min_judges),
        )
        + " · "
        + " · ".join(f"{plain(c.name)} {format_number(c.weight)}" for c in cycle.criteria)
    )
    queue = judging.judging_queue(db, user, cycle.id)
    if not queue:
        st.info(_("No shortlisted ideas in this cycle."))
    else:
        render_queue(queue)
        titles = {row["id"]: f"#{row['id']} {row['title']}" for row in queue}
        idea_id = st.selectbox(_("Idea"), list(titles), key="judging_idea", format_func=titles.get)
        idea = ideas.get_idea(db, idea_id)
        row = next(r for r in queue if r["id"] == idea_id)
        with st.container(border=True):
            st.markdown(f"### {plain(idea.title)}")
            idea_details(idea, settings.currency, counts=board.complaint_link_counts(db, idea))
        if row["conflict"]:
            st.warning(_("You may not judge this idea: {reason}.", reason=row["conflict"]))
        elif not row["scored_by_me"] and cycle.phase == "scoring":
            render_score_form(cycle, idea)
        render_sheets(idea)
        render_decision(cycle, idea)
        render_spread_chart(cycle)
