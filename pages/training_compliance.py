"""Training compliance: HR and leadership see the whole organisation, a team lead their team —
compliance on a reporting date, the team × course heat map, who is overdue or expiring, and
any person's transcript."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from models.people import directory
from models.training import compliance
from models.training.compliance import Filters
from ui.context import page_context
from ui.text import escape_markdown
from ui.training_charts import compliance_heat_map
from ui.widgets import download_buttons, show_table

user, db, settings = page_context()
everyone = compliance.scope_of(user).everyone


def table_with_downloads(frame: pd.DataFrame, file_stem: str, key: str) -> None:
    show_table(frame, key=f"{key}_table")
    download_buttons(lambda: frame, file_stem, key=key)


def render_filters() -> tuple[date, Filters]:
    date_column, team_column, site_column, course_column = st.columns(4)
    on = date_column.date_input(
        "Reporting date", value=date.today(), max_value=date.today(), format="YYYY-MM-DD", key="tc_date"
    )
    team_id = None
    if everyone:
        teams = {team["id"]: team["name"] for team in directory.list_teams(db)}
        team_id = team_column.selectbox(
            "Team", [None, *teams], format_func=lambda o: "All teams" if o is None else teams[o], key="tc_team"
        )
    sites = {site["id"]: site["name"] for site in directory.list_sites(db)}
    site_id = site_column.selectbox(
        "Site", [None, *sites], format_func=lambda o: "All sites" if o is None else sites[o], key="tc_site"
    )
    courses = {course["id"]: f"{course['title']} ({course['code']})" for course in compliance.course_choices(db)}
    course_id = course_column.selectbox(
        "Course", [None, *courses], format_func=lambda o: "All courses" if o is None else courses[o], key="tc_course"
    )
    return on, Filters(team_id=team_id, site_id=site_id, course_id=course_id)


def render_headline(on: date, filters: Filters) -> None:
    figures = compliance.group_compliance(db, user, on=on, filters=filters)
    rate, due, overdue, expiring = st.columns(4)
    rate.metric("Compliance", "—" if figures.rate is None else f"{figures.rate:.1f} %")
    due.metric("Completed on time and valid", f"{figures.compliant:,} of {figures.due:,}")
    overdue.metric("Mandatory overdue", f"{figures.overdue:,}")
    expiring.metric("People with mandatory training expiring within 30 days", f"{figures.expiring:,}")


def one_cell_in_words(cell: pd.Series) -> str:
    """The figures of a heat map narrowed to one team and course, as a sentence a reader
    (or a screen reader) can take in without hovering."""
    figures = (
        f"{cell['team']}, {cell['course']}: {cell['compliant']:,} of {cell['due']:,} due completed on time and valid"
    )
    if pd.isna(cell["compliance"]):
        return f"{figures} (nothing due yet)."
    return f"{figures} ({cell['compliance']:.1f} % compliant)."


def render_heat_map(on: date, filters: Filters) -> None:
    cells = compliance.heat_map(db, user, on=on, filters=filters)
    if cells.empty:
        st.info("No mandatory training is assigned to the people in view.")
        return
    st.altair_chart(compliance_heat_map(cells), width="stretch")
    if len(cells) == 1:
        st.caption(escape_markdown(one_cell_in_words(cells.iloc[0])))
    else:
        st.caption("Hover a cell for the counts behind it; the same figures are in the table below.")
    table_with_downloads(cells, f"training-compliance-{on.isoformat()}", "tc_heat")


def render_teams(on: date, filters: Filters) -> None:
    table_with_downloads(
        compliance.team_summary(db, user, on=on, filters=filters), f"training-by-team-{on.isoformat()}", "tc_teams"
    )


def render_overdue(on: date, filters: Filters) -> None:
    rows = compliance.overdue_list(db, user, on=on, filters=filters)
    if rows.empty:
        st.success("Nobody in view is overdue.")
        return
    mandatory = int(rows["mandatory"].sum())
    st.caption(f"{len(rows):,} overdue assignments, {mandatory:,} of them mandatory, longest overdue first.")
    table_with_downloads(rows, f"training-overdue-{on.isoformat()}", "tc_overdue")


def render_expiring(on: date, filters: Filters) -> None:
    rows = compliance.expiring_list(db, user, on=on, filters=filters)
    if rows.empty:
        st.success("No certificate of anyone in view expires within 30 days.")
        return
    people = rows["employee_number"].nunique()
    st.caption(f"{len(rows):,} completions of {people:,} people expire within 30 days, soonest first.")
    table_with_downloads(rows, f"training-expiring-{on.isoformat()}", "tc_expiring")


def render_transcript(on: date, _filters: Filters) -> None:
    people = compliance.people_in_view(db, user)
    labels = {
        person["id"]: f"{person['full_name']} ({person['employee_number']}) — {person['team_name']}"
        + ("" if person["active"] else " — inactive")
        for person in people
    }
    chosen = st.selectbox(
        "Person", list(labels), index=None, format_func=labels.get, placeholder="Choose a person", key="tc_person"
    )
    if chosen is None:
        return
    record = compliance.transcript(db, user, chosen, on=on)
    st.subheader(escape_markdown(record.full_name))
    st.caption(escape_markdown(f"Team: {record.team_name}"))
    st.markdown("**Assignments**")
    if record.assignments.empty:
        st.caption("Nothing assigned.")
    else:
        table_with_downloads(
            compliance.in_words(record.assignments), f"transcript-{chosen}-assignments", "tc_transcript"
        )
    st.markdown("**Completions**")
    if record.completions.empty:
        st.caption("No completion recorded.")
    else:
        table_with_downloads(
            compliance.in_words(record.completions), f"transcript-{chosen}-completions", "tc_completions"
        )


VIEWS = {
    "Heat map": render_heat_map,
    "By team": render_teams,
    "Overdue": render_overdue,
    "Expiring": render_expiring,
    "Transcript": render_transcript,
}


def render_page() -> None:
    st.title("Training compliance")
    st.info(compliance.DEFINITION, icon=":material/info:")
    if not everyone:
        st.caption("You see the people of your team and yourself.")
    on, filters = render_filters()
    render_headline(on, filters)
    # one view at a time: each is worked out over every assignment in view, only when shown
    view = st.radio("View", list(VIEWS), horizontal=True, key="tc_view", label_visibility="collapsed")
    VIEWS[view](on, filters)


render_page()
