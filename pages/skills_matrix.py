"""The skills matrix: people × competencies, each person's current level coloured by the gap to
the level required of them, for a team (team leads: their own) or the organisation; the
gaps per team and per person with the courses that close them, assignable in one step."""

import altair as alt
import pandas as pd
import streamlit as st

from models.access import Permission
from models.competencies import matrix, scope
from models.competencies.levels import level_name
from models.i18n import _, current_language, format_number, ngettext
from models.paging import PAGE_SIZE
from models.people.directory import list_teams
from ui.charts import localized
from ui.context import page_context
from ui.text import escape_markdown
from ui.widgets import download_buttons, pager, search_matches, show_table
from ui.writes import run_write

user, db, settings = page_context()
COLOURS = {
    "not_assessed": "#9e9e9e",
    "below_2": "#c62828",
    "below_1": "#f9a825",
    "meets": "#66bb6a",
    "above": "#1b5e20",
    "no_requirement": "#e0e0e0",
}
may_assign = user.can(Permission.TRAINING_MANAGE) or user.can(Permission.TEAM_TRAINING_ASSIGN)


def choose_team() -> int | None:
    if not scope.sees_everyone(user):
        return user.team_id
    teams = {t["id"]: t["name"] for t in list_teams(db)}
    labels = {None: _("Whole organisation"), **teams}
    return st.selectbox(_("Team"), list(labels), format_func=labels.get, key="matrix_team")


def render_heat_map(frame: pd.DataFrame) -> None:
    # a month's name the chart would write in English: other languages read the day in digits
    DAY_FORMAT = "%d %b %Y" if current_language() == "en" else "%d.%m.%Y"  # noqa: N806
    labels = [_(matrix.GAP_LABELS[key]) for key in COLOURS]
    chart = (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("competency:N", title=None, axis=alt.Axis(labelAngle=-40)),
            y=alt.Y("full_name:N", title=None, sort=None),
            color=alt.Color(
                "status:N", scale=alt.Scale(domain=labels, range=list(COLOURS.values())), title=_("Against requirement")
            ),
            tooltip=[
                alt.Tooltip("full_name:N", title=_("Person")),
                alt.Tooltip("competency:N", title=_("Competency")),
                alt.Tooltip("level:N", title=_("Current level")),
                alt.Tooltip("required:N", title=_("Required")),
                alt.Tooltip("assessed_on:T", title=_("Assessed"), format=DAY_FORMAT),
            ],
        )
        .properties(height=max(200, 18 * frame["employee_id"].nunique()))
    )
    st.altair_chart(localized(chart), width="stretch")


def render_matrix(team_id: int | None, total: int) -> None:
    """A page of people at a time: the heat map and the table of the people shown, the whole
    matrix in the downloads (built when a button is clicked)."""
    first = pager(
        total, "matrix_page", lambda n: ngettext("{n} person", "{n} people", n, n=format_number(n)), context=team_id
    )
    frame = matrix.matrix_page(db, user, team_id=team_id, first=first, size=PAGE_SIZE)
    render_heat_map(
        frame.assign(
            required=[_("No requirement") if pd.isna(r) else level_name(int(r)) for r in frame["required_level"]]
        )
    )
    show_table(matrix.as_table(frame), labels={"team_name": _("Team"), "full_name": _("Person")})
    download_buttons(
        lambda: matrix.matrix_table(db, user, team_id=team_id), _("skills-matrix"), "dl_matrix", rows=total
    )


def render_assign(course: dict, employee_ids: list[int], key: str) -> None:
    if may_assign and st.button(_("Assign “{course}”", course=escape_markdown(course["title"])), key=key):
        result = run_write(lambda: matrix.assign_course(db, user, course["id"], employee_ids, due_on=None))
        if not result:
            return
        made = len(result.value.assignment_ids)
        if made:
            st.toast(
                ngettext("Assigned to {n} person.", "Assigned to {n} people.", made, n=format_number(made)),
                icon=":material/check_circle:",
            )
        skipped = "; ".join(f"{p.full_name}: {p.reason}" for p in result.value.skipped)
        if skipped:
            st.info(escape_markdown(("" if made else _("Nobody was assigned.") + " ") + skipped))


def render_team_gaps(team_id: int | None) -> None:
    gaps = matrix.team_gaps(db, user, team_id=team_id)
    if gaps.empty:
        st.success(_("Nobody is below the required level."))
        return
    show_table(
        gaps[["competency", "people_below", "courses"]],
        labels={
            "competency": _("Competency"),
            "people_below": _("People below requirement"),
            "courses": _("Courses"),
        },
        key="team_gaps",
        download=_("gaps-by-competency"),
    )
    courses = matrix.courses_by_competency(db)
    for row in gaps.itertuples():
        for course in courses.get(row.competency_id, []):
            render_assign(course, list(row.employee_ids), f"team_{team_id}_{row.competency_id}_{course['id']}")


def render_person_gaps(team_id: int | None) -> None:
    choices = search_matches(
        _("Find a person"),
        "gap_person_search",
        lambda text: matrix.find_matrix_people(db, user, text, team_id=team_id),
    )
    people = {choice["id"]: f"{choice['full_name']} ({choice['team_name'] or _('No team')})" for choice in choices}
    person = st.selectbox(_("Person"), list(people), format_func=people.get, key="gap_person")
    if person is None:
        return
    gaps = matrix.person_gaps(db, user, person)
    if not gaps:
        st.success(_("At or above the required level in every competency."))
        return
    for gap in gaps:
        st.markdown(
            _(
                "**{competency}**: {current} — required {required}",
                competency=escape_markdown(gap.competency),
                current=level_name(gap.current_level),
                required=level_name(gap.required_level),
            )
        )
        for course in gap.courses:
            render_assign(course, [person], f"person_{person}_{course['id']}")
        if not gap.courses:
            st.caption(_("No course develops this competency yet."))


st.title(_("Skills matrix"))
team = choose_team()
people_in_matrix = matrix.matrix_people(db, user, team_id=team)
if not people_in_matrix:
    st.info(_("Nobody to show."))
    st.stop()
matrix_tab, team_tab, person_tab = st.tabs([_("Matrix"), _("Gaps of the team"), _("Gaps per person")])
with matrix_tab:
    render_matrix(team, people_in_matrix)
with team_tab:
    render_team_gaps(team)
with person_tab:
    render_person_gaps(team)
