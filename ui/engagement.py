"""How survey results are drawn, the same on HR's page and on everyone's."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from models.engagement.results import RESULTS_WAIT_RULE, GroupResult, Progress, SurveyResults, TrendPoint
from models.paging import PAGE_SIZE
from ui.text import escape_markdown
from ui.widgets import download_buttons, pager, show_table


def group_frame(groups: list[GroupResult], label: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                label: g.name,
                "answers": g.answers,
                "promoters": g.promoters,
                "passives": g.passives,
                "detractors": g.detractors,
                "enps": g.enps,
            }
            for g in groups
        ],
        columns=[label, "answers", "promoters", "passives", "detractors", "enps"],
    )


def show_progress(progress: Progress) -> None:
    """An open survey as HR and leadership follow it: participation only, and why."""
    st.metric(
        "Answered so far",
        f"{progress.share:.0%}",
        help=f"{progress.answered} of the {progress.asked} people the survey asks.",
    )
    st.caption(f"{progress.answered} of {progress.asked} asked have answered.")
    st.info(f"Results are shown once the survey closes on {progress.survey.closed_on:%d %b %Y}. {RESULTS_WAIT_RULE}")


def show_results(results: SurveyResults, *, hide_comment: Callable[[str], None] | None = None) -> None:
    """A survey's results as this person may see them; ``hide_comment`` offers HR a button per comment."""
    survey = results.survey
    st.caption(
        f"{results.answered} of {results.asked} asked answered · groups with fewer than "
        f"{results.threshold} answers are not shown, nor any group whose answers could be worked out from the others."
    )
    org = results.organisation
    if org is None:
        st.info(f"Not enough answers yet to show results: at least {results.threshold} are needed.")
        return
    cols = st.columns(4)
    cols[0].metric("eNPS", f"{org.enps:+.0f}")
    cols[1].metric("Promoters (9–10)", org.promoters)
    cols[2].metric("Passives (7–8)", org.passives)
    cols[3].metric("Detractors (0–6)", org.detractors)
    if results.questions:
        questions = pd.DataFrame(
            [
                {"question": q.text, "scale": q.scale, "answers": q.answers, "average": q.average}
                for q in results.questions
            ]
        )
        show_table(questions, key=f"questions_{survey.id}")
    for groups, label in ((results.teams, "team"), (results.sites, "site")):
        if groups:
            st.markdown(f"**By {label}**")
            frame = group_frame(groups, label)
            show_table(frame, key=f"{label}s_{survey.id}")
            download_buttons(frame, f"survey-{survey.quarter}-by-{label}", key=f"{label}s_{survey.id}_download")
    if results.comments:
        st.markdown("**Comments**")
        show_comments(results, hide_comment)


def show_comments(results: SurveyResults, hide_comment: Callable[[str], None] | None) -> None:
    """A survey's comments a page at a time (a large organisation leaves hundreds), each with
    HR's Hide button when ``hide_comment`` is given."""
    first = pager(
        len(results.comments), f"comments_{results.survey.id}_page", ("comment", "comments"), page_size=PAGE_SIZE
    )
    for comment in results.comments[first : first + PAGE_SIZE]:
        quoted = f"> {escape_markdown(comment.text)}"
        if hide_comment is None:
            st.markdown(quoted)
            continue
        left, right = st.columns([6, 1])
        left.markdown(quoted)
        right.button("Hide", key=f"hide_{comment.id}", on_click=hide_comment, args=(comment.id,))


def show_trend(points: list[TrendPoint]) -> None:
    frame = pd.DataFrame(
        [{"quarter": p.quarter, "answers": p.answers, "enps": p.enps} for p in points],
        columns=["quarter", "answers", "enps"],
    )
    if frame.empty:
        st.info("No survey has closed yet.")
        return
    shown = frame.dropna(subset=["enps"])
    if not shown.empty:
        chart = (
            alt.Chart(shown)
            .mark_line(point=True)
            .encode(
                x=alt.X("quarter:N", title="Quarter"),
                y=alt.Y("enps:Q", title="eNPS"),
                tooltip=["quarter", "enps", "answers"],
            )
        )
        st.altair_chart(chart, width="stretch")
    show_table(frame, key="enps_trend")
