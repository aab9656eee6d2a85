"""Engagement results (everyone): the organisation's eNPS by quarter and the results of
closed surveys; team leads also their team's, HR and leadership every group that may be
shown, and how many have answered the surveys still open (nothing more until they close)."""

import pandas as pd
import streamlit as st

from models.engagement import results, surveys
from ui.context import page_context
from ui.engagement import show_progress, show_results, show_trend
from ui.text import escape_markdown
from ui.widgets import download_buttons, show_table

user, db, settings = page_context()

st.title("Engagement results")
st.subheader("eNPS by quarter")
st.caption("eNPS = % promoters (9–10) − % detractors (0–6) of each closed survey.")
trend = results.enps_trend(db, user)
show_trend(trend)

closed = [p for p in reversed(trend)]
if closed:
    st.subheader("A survey's results")
    chosen = st.selectbox("Survey", closed, format_func=lambda p: f"{p.quarter} — {p.title}", key="results_survey")
    show_results(results.survey_results(db, user, chosen.survey_id))

if results.sees_every_group(user):
    st.subheader("Teams: eNPS beside idea participation")
    st.caption(
        "Idea participation: of the team's people employed while the quarter's survey ran (its headcount then, "
        "not today), those who authored or co-authored an idea submitted in the quarter. "
        "A blank eNPS: too few answers to show."
    )
    rows = results.teams_beside_ideas(db, user)
    frame = pd.DataFrame(
        [
            {
                "quarter": r.quarter,
                "team": r.team,
                "answers": r.answers,
                "enps": r.enps,
                "idea_participation_pct": r.idea_participation,
            }
            for r in rows
        ],
        columns=["quarter", "team", "answers", "enps", "idea_participation_pct"],
    )
    show_table(frame, key="teams_beside_ideas")
    download_buttons(frame, "engagement-and-ideas", key="teams_beside_ideas_download")
    open_now = [s for s in surveys.list_surveys(db) if s.state() == "open"]
    for survey in open_now:
        st.subheader(f"Open now: {escape_markdown(survey.title)}")
        show_progress(results.survey_progress(db, user, survey.id))
