"""Engagement results (everyone): the organisation's eNPS by quarter and the results of
closed surveys; team leads also their team's, HR and leadership every group that may be
shown, and how many have answered the surveys still open (nothing more until they close)."""

import pandas as pd
import streamlit as st

from models.engagement import results, surveys
from models.i18n import _
from ui.context import page_context
from ui.engagement import show_progress, show_results, show_trend
from ui.text import escape_markdown
from ui.widgets import download_buttons, show_table

user, db, settings = page_context()

st.title(_("Engagement results"))
st.subheader(_("eNPS by quarter"))
st.caption(_("eNPS = % promoters (9–10) − % detractors (0–6) of each closed survey."))
trend = results.enps_trend(db, user)
show_trend(trend)

closed = [p for p in reversed(trend)]
if closed:
    st.subheader(_("A survey's results"))
    survey_names = {p.survey_id: f"{p.quarter} — {p.title}" for p in closed}
    chosen = st.selectbox(_("Survey"), list(survey_names), format_func=survey_names.get, key="results_survey")
    show_results(results.survey_results(db, user, chosen))

if results.sees_every_group(user):
    st.subheader(_("Teams: eNPS beside idea participation"))
    st.caption(
        _(
            "Idea participation: of the team's people employed while the quarter's survey ran (its headcount then, "
            "not today), those who authored or co-authored an idea submitted in the quarter. "
            "A blank eNPS: too few answers to show."
        )
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
    show_table(
        frame,
        labels={
            "quarter": _("Quarter"),
            "team": _("Team"),
            "answers": _("Answers"),
            "enps": "eNPS",
            "idea_participation_pct": _("Idea participation (%)"),
        },
        key="teams_beside_ideas",
    )
    download_buttons(frame, _("engagement-and-ideas"), key="teams_beside_ideas_download")
    open_now = [s for s in surveys.list_surveys(db) if s.state() == "open"]
    for survey in open_now:
        st.subheader(_("Open now: {survey}", survey=escape_markdown(survey.title)))
        show_progress(results.survey_progress(db, user, survey.id))
