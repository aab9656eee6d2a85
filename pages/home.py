"""Home: what the signed-in person needs first, by role."""

from datetime import date

import altair as alt
import streamlit as st

from models.access import Permission, Role
from models.people import overview
from models.speakup import board, cycle_report, cycles
from models.strategy import vision
from ui.context import page_context
from ui.ideas import funnel_chart, plain
from ui.text import escape_markdown
from ui.widgets import download_buttons

user, db, settings = page_context()


def render_me() -> None:
    profile = overview.my_profile(db, user)
    st.title(f"Welcome, {escape_markdown(user.full_name.split()[0])}")
    st.caption(escape_markdown(settings.organisation_name))
    cols = st.columns(4)
    cols[0].metric("Team", escape_markdown(profile.get("team_name")) or "—")  # a metric's value is Markdown
    cols[1].metric("Site", escape_markdown(profile.get("site_name")) or "—")
    cols[2].metric("Manager", escape_markdown(profile.get("manager_name")) or "—")
    cols[3].metric("People in my team", profile.get("team_size") if profile.get("team_name") else "—")


def render_my_team() -> None:
    team = overview.my_team(db, user)
    st.subheader(f"My team ({len(team)})")
    if team.empty:
        st.info("Nobody reports to you yet.")
        return
    st.dataframe(team, hide_index=True, width="stretch")
    download_buttons(team, "my-team", key="my_team")


def render_people_overview() -> None:
    st.subheader("Organisation")
    totals = overview.people_totals(db, user)
    cols = st.columns(4)
    cols[0].metric("Active people", totals["active"])
    cols[1].metric("Teams", totals["teams"])
    cols[2].metric("Sites", totals["sites"])
    cols[3].metric("Hired in the last 90 days", totals["new_hires"])
    by_team = overview.headcount_by_team(db, user)
    if not by_team.empty:
        chart = (
            alt.Chart(by_team)
            .mark_bar()
            .encode(
                x=alt.X("people:Q", title="Active people"),
                y=alt.Y("team:N", sort="-x", title=None),
                color=alt.Color("site:N", title="Site"),
                tooltip=["team", "site", "people", "hired_last_90_days"],
            )
            .properties(height=max(200, 24 * len(by_team)))
        )
        st.altair_chart(chart, width="stretch")


def render_admin_overview() -> None:
    st.subheader("Portal health")
    health = overview.account_health(db, user)
    cols = st.columns(3)
    cols[0].metric("Accounts", health["accounts"])
    cols[1].metric("Locked now", health["locked"])
    cols[2].metric("Signed in within 7 days", health["signed_in_last_7_days"])
    activity = overview.recent_activity(db, user)
    if not activity.empty:
        chart = (
            alt.Chart(activity)
            .mark_bar()
            .encode(
                x=alt.X("day:T", title="Day"),
                y=alt.Y("changes:Q", title="Audited changes"),
                color=alt.Color("entity:N", title="Entity"),
                tooltip=["day", "entity", "changes"],
            )
        )
        st.altair_chart(chart, width="stretch")


def render_vision() -> None:
    """The current vision statement, on every Home page."""
    current = vision.current_vision(db)
    if current is not None:
        with st.container(border=True):
            st.caption("Our vision")
            st.text(current.statement)


def render_speakup() -> None:
    """The current Speak-Up cycle: how to take part, my ideas, and (leadership) its funnel."""
    cycle = cycles.current_cycle(db)
    if cycle is None:
        return
    st.subheader("Speak-Up Day")
    if cycle.accepts_submissions():
        days_left = (cycle.submission_closes - date.today()).days
        st.info(
            f"{plain(cycle.name)} is open for ideas: {days_left} day{'s' if days_left != 1 else ''} left "
            f"(until {cycle.submission_closes:%d %b %Y}); Speak-Up Day is {cycle.speakup_day:%d %b %Y}. "
            "Bring an improvement with its business case under **Submit & my ideas**.",
            icon=":material/lightbulb:",
        )
    else:
        st.caption(f"{plain(cycle.name)}: {cycle.phase_label.lower()}.")
    mine = board.my_ideas(db, user)
    if mine:
        st.caption("My ideas: " + " · ".join(f"{plain(i.title)} ({i.status_label})" for i in mine[:3]))
    if user.can(Permission.DASHBOARDS_ALL):
        funnel = cycle_report.funnel(db, user, cycle.id)
        st.altair_chart(funnel_chart(funnel, f"Ideas in {cycle.name}"), width="stretch")


render_me()
render_vision()
render_speakup()
if user.has_role(Role.TEAM_LEAD):
    render_my_team()
if user.can(Permission.PEOPLE_READ):
    render_people_overview()
if user.can(Permission.USERS_MANAGE):
    render_admin_overview()
