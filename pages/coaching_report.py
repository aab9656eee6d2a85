"""Coaching report: each team's share of integrated coaching per month beside its movement in
assessed levels (team leads: their own team; HR and leadership: every team)."""

from datetime import date, timedelta

import altair as alt
import streamlit as st

from models.coaching import report
from models.i18n import _, pgettext
from ui.charts import localized, number_tooltip
from ui.context import page_context
from ui.dates import date_input_format
from ui.widgets import download_buttons, show_table

user, db, settings = page_context()
TODAY = date.today()

st.title(_("Coaching report"))
left, right = st.columns(2)
start = left.date_input(
    pgettext("the first day of a period", "From"),
    (TODAY - timedelta(days=365)).replace(day=1),
    max_value=TODAY,
    key="report_from",
    format=date_input_format(),
)
end = right.date_input(
    pgettext("the last day of a period", "To"), TODAY, max_value=TODAY, key="report_to", format=date_input_format()
)

summary = report.team_summary(db, user, start, end)
table = report.team_months(db, user, start, end)
if summary.empty and table.empty:
    st.info(_("No coaching sessions or assessments in this period."))
    st.stop()

st.subheader(_("Integrated share against level movement, per team"))
SHARE_OF_SESSIONS = _("Integrated share of sessions (%)")
SHARE_OF_MINUTES = _("Integrated share of minutes (%)")
MOVEMENT = _("Mean monthly level movement")
chart = (
    alt.Chart(summary.dropna(subset=["mean_monthly_level_movement"]))
    .mark_circle(opacity=0.8)
    .encode(
        x=alt.X("integrated_share:Q", title=SHARE_OF_SESSIONS, scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("mean_monthly_level_movement:Q", title=MOVEMENT),
        size=alt.Size("sessions:Q", title=_("Sessions")),
        color=alt.Color("team:N", title=_("Team")),
        tooltip=[
            alt.Tooltip("team:N", title=_("Team")),
            number_tooltip("sessions:Q", _("Sessions")),
            number_tooltip("integrated_share:Q", SHARE_OF_SESSIONS, decimals=1),
            number_tooltip("integrated_minutes_share:Q", SHARE_OF_MINUTES, decimals=1),
            number_tooltip("mean_monthly_level_movement:Q", MOVEMENT, decimals=3),
        ],
    )
)
st.altair_chart(localized(chart), width="stretch")
st.caption(
    _(
        "How to read it: each dot is a team over the chosen months. Teams to the right coach mostly on the floor "
        "(integrated: short sessions during the working day); teams to the left rely on booked, scheduled sessions. "
        "Higher dots are teams whose assessed levels rose faster. If the integrated teams sit higher, integrated "
        "coaching goes with faster growth in this organisation; the dots show association, not proof of cause, and "
        "a team with few sessions or few assessed people weighs little."
    )
)
st.caption(_(report.MOVEMENT_DEFINITION))
TEAM_ID = _("Team ID")
COMMON_LABELS = {"team_id": TEAM_ID, "team": _("Team"), "sessions": _("Sessions")}
show_table(
    summary,
    labels={
        **COMMON_LABELS,
        "integrated_share": SHARE_OF_SESSIONS,
        "integrated_minutes_share": SHARE_OF_MINUTES,
        "mean_monthly_level_movement": MOVEMENT,
    },
    key="coaching_summary",
)
download_buttons(summary, _("coaching-by-team"), "dl_coaching_summary")

st.subheader(_("Quality and productivity beside integrated coaching, per team"))
team_kpis = report.team_kpis(db, user, start, end)
show_table(
    team_kpis,
    labels={
        **COMMON_LABELS,
        "integrated_share": SHARE_OF_SESSIONS,
        report.QUALITY_KPI: _("Quality score (%)"),
        f"{report.QUALITY_KPI}_vs_average": _("Quality against average (%)"),
        report.PRODUCTIVITY_KPI: _("Contacts per hour"),
        f"{report.PRODUCTIVITY_KPI}_vs_average": _("Contacts per hour against average (%)"),
        "csat": _("CSAT (%)"),
    },
    key="coaching_team_kpis",
)
st.caption(_(report.TEAM_KPI_DEFINITION))
download_buttons(team_kpis, _("coaching-and-team-kpis"), "dl_coaching_team_kpis")

st.subheader(_("Per team and month"))
show_table(
    table,
    labels={
        **COMMON_LABELS,
        "month": _("Month"),
        "integrated_sessions": _("Integrated sessions"),
        "integrated_share": SHARE_OF_SESSIONS,
        "minutes": _("Minutes"),
        "integrated_minutes": _("Integrated minutes"),
        "integrated_minutes_share": SHARE_OF_MINUTES,
        "person_competencies": _("Person-competencies counted"),
        "level_movement": _("Level movement"),
    },
    key="coaching_months",
)
download_buttons(table, _("coaching-by-team-and-month"), "dl_coaching_months")
