"""Training compliance: HR and leadership see the whole organisation, a team lead their team —
compliance on a reporting date, the team × course heat map, who is overdue or expiring, and
any person's transcript."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from models.i18n import N_, _, format_number, ngettext
from models.people import directory
from models.training import compliance
from models.training.compliance import Filters
from models.training.courses import catalogue_text, catalogue_titles
from ui.charts import localized
from ui.context import page_context
from ui.text import escape_markdown
from ui.training_charts import compliance_heat_map
from ui.training_labels import training_column_labels
from ui.widgets import download_buttons, show_table

user, db, settings = page_context()
everyone = compliance.scope_of(user).everyone


def table_with_downloads(frame: pd.DataFrame, file_stem: str, key: str) -> None:
    shown = compliance.teams_shown(catalogue_titles(frame))
    show_table(shown, labels=training_column_labels(), key=f"{key}_table")
    download_buttons(lambda: shown, file_stem, key=key)


def render_filters() -> tuple[date, Filters]:
    date_column, team_column, site_column, course_column = st.columns(4)
    on = date_column.date_input(
        _("Reporting date"), value=date.today(), max_value=date.today(), format="YYYY-MM-DD", key="tc_date"
    )
    team_id = None
    if everyone:
        teams = {team["id"]: team["name"] for team in directory.list_teams(db)}
        team_id = team_column.selectbox(
            _("Team"),
            [None, *teams],
            format_func=lambda o: _("All teams") if o is None else teams[o],
            key="tc_team",
            placeholder=_("All teams"),
        )
    sites = {site["id"]: site["name"] for site in directory.list_sites(db)}
    site_id = site_column.selectbox(
        _("Site"),
        [None, *sites],
        format_func=lambda o: _("All sites") if o is None else sites[o],
        key="tc_site",
        placeholder=_("All sites"),
    )
    courses = {
        course["id"]: f"{catalogue_text(course['code'], 'title', course['title'])} ({course['code']})"
        for course in compliance.course_choices(db)
    }
    course_id = course_column.selectbox(
        _("Course"),
        [None, *courses],
        format_func=lambda o: _("All courses") if o is None else courses[o],
        key="tc_course",
        placeholder=_("All courses"),
    )
    return on, Filters(team_id=team_id, site_id=site_id, course_id=course_id)


def render_headline(on: date, filters: Filters) -> None:
    figures = compliance.group_compliance(db, user, on=on, filters=filters)
    rate, due, overdue, expiring = st.columns(4)
    rate.metric(_("Compliance"), "—" if figures.rate is None else _("{rate} %", rate=format_number(figures.rate, 1)))
    due.metric(
        _("Completed on time and valid"),
        _("{done} of {due}", done=format_number(figures.compliant), due=format_number(figures.due)),
    )
    overdue.metric(_("Mandatory overdue"), format_number(figures.overdue))
    expiring.metric(_("People with mandatory training expiring within 30 days"), format_number(figures.expiring))


def one_cell_in_words(cell: pd.Series) -> str:
    """The figures of a heat map narrowed to one team and course, as a sentence a reader
    (or a screen reader) can take in without hovering."""
    values = {
        "team": cell["team"],
        "course": catalogue_text(cell["course_code"], "title", cell["course"]),
        "done": format_number(cell["compliant"]),
        "due": format_number(cell["due"]),
    }
    if pd.isna(cell["compliance"]):
        return _("{team}, {course}: {done} of {due} due completed on time and valid (nothing due yet).", **values)
    return _(
        "{team}, {course}: {done} of {due} due completed on time and valid ({rate} % compliant).",
        rate=format_number(cell["compliance"], 1),
        **values,
    )


def render_heat_map(on: date, filters: Filters) -> None:
    cells = compliance.teams_shown(compliance.heat_map(db, user, on=on, filters=filters))
    if cells.empty:
        st.info(_("No mandatory training is assigned to the people in view."))
        return
    st.altair_chart(localized(compliance_heat_map(catalogue_titles(cells))), width="stretch")
    if len(cells) == 1:
        st.caption(escape_markdown(one_cell_in_words(cells.iloc[0])))
    else:
        st.caption(_("Hover a cell for the counts behind it; the same figures are in the table below."))
    table_with_downloads(cells, _("training-compliance-{day}", day=on.isoformat()), "tc_heat")


def render_teams(on: date, filters: Filters) -> None:
    summary = compliance.team_summary(db, user, on=on, filters=filters)
    if not summary.empty and summary["team"].iloc[-1] == "All teams":  # the total row the query adds last
        summary.loc[summary.index[-1], "team"] = _("All teams")
    table_with_downloads(summary, _("training-by-team-{day}", day=on.isoformat()), "tc_teams")


def render_overdue(on: date, filters: Filters) -> None:
    rows = compliance.overdue_list(db, user, on=on, filters=filters)
    if rows.empty:
        st.success(_("Nobody in view is overdue."))
        return
    mandatory = int(rows["mandatory"].sum())
    st.caption(
        ngettext(
            "{count} overdue assignment, {mandatory} of them mandatory, longest overdue first.",
            "{count} overdue assignments, {mandatory} of them mandatory, longest overdue first.",
            len(rows),
            count=format_number(len(rows)),
            mandatory=format_number(mandatory),
        )
    )
    table_with_downloads(rows, _("training-overdue-{day}", day=on.isoformat()), "tc_overdue")


def render_expiring(on: date, filters: Filters) -> None:
    rows = compliance.expiring_list(db, user, on=on, filters=filters)
    if rows.empty:
        st.success(_("No certificate of anyone in view expires within 30 days."))
        return
    people = rows["employee_number"].nunique()
    st.caption(
        ngettext(
            "{count} completion of {people} people expires within 30 days, soonest first.",
            "{count} completions of {people} people expire within 30 days, soonest first.",
            len(rows),
            count=format_number(len(rows)),
            people=format_number(people),
        )
    )
    table_with_downloads(rows, _("training-expiring-{day}", day=on.isoformat()), "tc_expiring")


def render_transcript(on: date, _filters: Filters) -> None:
    people = compliance.people_in_view(db, user)
    labels = {
        person[
            "id"
        ]: f"{person['full_name']} ({person['employee_number']}) — {compliance.team_shown(person['team_name'])}"
        + ("" if person["active"] else " — " + _("inactive"))
        for person in people
    }
    chosen = st.selectbox(
        _("Person"),
        list(labels),
        index=None,
        format_func=labels.get,
        placeholder=_("Choose a person"),
        key="tc_person",
    )
    if chosen is None:
        return
    record = compliance.transcript(db, user, chosen, on=on)
    st.subheader(escape_markdown(record.full_name))
    st.caption(escape_markdown(_("Team: {team}", team=compliance.team_shown(record.team_name))))
    st.markdown("**" + _("Assignments") + "**")
    if record.assignments.empty:
        st.caption(_("Nothing assigned."))
    else:
        table_with_downloads(
            compliance.in_words(record.assignments),
            _("transcript-{person}-assignments", person=chosen),
            "tc_transcript",
        )
    st.markdown("**" + _("Completions") + "**")
    if record.completions.empty:
        st.caption(_("No completion recorded."))
    else:
        table_with_downloads(
            compliance.in_words(record.completions),
            _("transcript-{person}-completions", person=chosen),
            "tc_completions",
        )


VIEW_NAMES = {
    "Heat map": N_("Heat map"),
    "By team": N_("By team"),
    "Overdue": N_("Overdue"),
    "Expiring": N_("Expiring"),
    "Transcript": N_("Transcript"),
}
# the views, by a stable name shown in the reader's language
VIEWS = {
    "Heat map": render_heat_map,
    "By team": render_teams,
    "Overdue": render_overdue,
    "Expiring": render_expiring,
    "Transcript": render_transcript,
}


def render_page() -> None:
    st.title(_("Training compliance"))
    st.info(compliance.definition(), icon=":material/info:")
    if not everyone:
        st.caption(_("You see the people of your team and yourself."))
    on, filters = render_filters()
    render_headline(on, filters)
    # one view at a time: each is worked out over every assignment in view, only when shown
    view = st.radio(
        _("View"),
        list(VIEWS),
        format_func=lambda name: _(VIEW_NAMES[name]),
        horizontal=True,
        key="tc_view",
        label_visibility="collapsed",
    )
    VIEWS[view](on, filters)


render_page()
