"""Coaching report: each team's share of integrated coaching per month beside its movement in
assessed levels (team leads: their own team; HR and leadership: every team)."""

from datetime import date, timedelta

import altair as alt
import streamlit as st

from models.coaching import report
from ui.context import page_context
from ui.widgets import download_buttons, show_table

user, db, settings = page_context()
TODAY = date.today()

st.title("Coaching report")
left, right = st.columns(2)
start = left.date_input("From", (TODAY - timedelta(days=365)).replace(day=1), max_value=TODAY, key="report_from")
end = right.date_input("To", TODAY, max_value=TODAY, key="report_to")

summary = report.team_summary(db, user, start, end)
table = report.team_months(db, user, start, end)
if summary.empty and table.empty:
    st.info("No coaching sessions or assessments in this period.")
    st.stop()

st.subheader("Integrated share against level movement, per team")
chart = (
    alt.Chart(summary.dropna(subset=["mean_monthly_level_movement"]))
    .mark_circle(opacity=0.8)
    .encode(
        x=alt.X("integrated_share:Q", title="Integrated share of sessions (%)", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("mean_monthly_level_movement:Q", title="Mean monthly level movement"),
        size=alt.Size("sessions:Q", title="Sessions"),
        color=alt.Color("team:N", title="Team"),
        tooltip=[
            alt.Tooltip("team:N", title="Team"),
            alt.Tooltip("sessions:Q", title="Sessions"),
            alt.Tooltip("integrated_share:Q", title="Integrated share of sessions (%)"),
            alt.Tooltip("integrated_minutes_share:Q", title="Integrated share of minutes (%)"),
            alt.Tooltip("mean_monthly_level_movement:Q", title="Mean monthly level movement", format=".3f"),
        ],
    )
)
st.altair_chart(chart, width="stretch")
st.caption(
    "How to read it: each dot is a team over the chosen months. Teams to the right coach mostly on the floor "
    "(integrated: short sessions during the working day); teams to the left rely on booked, scheduled sessions. "
    "Higher dots are teams whose assessed levels rose faster. If the integrated teams sit higher, integrated "
    "coaching goes with faster growth in this organisation; the dots show association, not proof of cause, and "
    "a team with few sessions or few assessed people weighs little."
)
st.caption(report.MOVEMENT_DEFINITION)
show_table(
    summary,
    labels={
        "team_id": "Team ID",
        "integrated_share": "Integrated share of sessions (%)",
        "integrated_minutes_share": "Integrated share of minutes (%)",
        "mean_monthly_level_movement": "Mean monthly level movement",
    },
    key="coaching_summary",
)
download_buttons(summary, "coaching-by-team", "dl_coaching_summary")

st.subheader("Quality and productivity beside integrated coaching, per team")
team_kpis = report.team_kpis(db, user, start, end)
show_table(
    team_kpis,
    labels={
        "team_id": "Team ID",
        "integrated_share": "Integrated share of sessions (%)",
        report.QUALITY_KPI: "Quality score (%)",
        f"{report.QUALITY_KPI}_vs_average": "Quality against average (%)",
        report.PRODUCTIVITY_KPI: "Contacts per hour",
        f"{report.PRODUCTIVITY_KPI}_vs_average": "Contacts per hour against average (%)",
        "csat": "CSAT (%)",
    },
    key="coaching_team_kpis",
)
st.caption(report.TEAM_KPI_DEFINITION)
download_buttons(team_kpis, "coaching-and-team-kpis", "dl_coaching_team_kpis")

st.subheader("Per team and month")
show_table(
    table,
    labels={
        "team_id": "Team ID",
        "integrated_share": "Integrated share of sessions (%)",
        "integrated_minutes_share": "Integrated share of minutes (%)",
        "person_competencies": "Person-competencies counted",
    },
    key="coaching_months",
)
download_buttons(table, "coaching-by-team-and-month", "dl_coaching_months")
