"""Assign training: HR assigns a course in bulk (a team, a site, a role or hand-picked
people) with a due date and sees who was skipped and why; lists and cancels open
assignments with a reason; records a completion by hand, dated the day it happened."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from models.access import ROLE_LABELS, Role
from models.i18n import N_, _, format_number, ngettext
from models.people import directory
from models.training import assignments, completions, courses
from models.training.assignments import REASON_LABELS, STATUS_LABELS
from models.training.completions import CompletionInput
from ui.context import page_context
from ui.dates import date_input_format, day
from ui.fields import bounds
from ui.widgets import decimal_input, download_buttons, search_matches, show_table
from ui.writes import run_write

user, db, settings = page_context()
st.title(_("Assign training"))

active_courses = {c.id: f"{c.code} — {c.title}" for c in courses.list_courses(db, active=True)}
all_courses = {c.id: f"{c.code} — {c.title}" for c in courses.list_courses(db)}
teams = {team["id"]: team["name"] for team in directory.list_teams(db)}
sites = {site["id"]: site["name"] for site in directory.list_sites(db)}
_RESULT = "training_assign_result"
# Whom a course goes to: the choice is kept by these values, shown in the reader's language.
MODES = {"Team": N_("Team"), "Site": N_("Site"), "Role": N_("Role"), "Hand-picked people": N_("Hand-picked people")}
SKIPPED_LABELS = {"person": N_("Person"), "skipped_because": N_("Skipped because")}
ASSIGNMENT_LABELS = {
    "person": N_("Person"),
    "team": N_("Team"),
    "course_code": N_("Course code"),
    "course": N_("Course"),
    "assigned_on": N_("Assigned on"),
    "due_on": N_("Due on"),
    "mandatory": N_("Mandatory"),
    "reason": N_("Reason"),
    "status": N_("Status"),
    "cancel_reason": N_("Cancel reason"),
    "cancelled_by": N_("Cancelled by"),
    "cancelled_at": N_("Cancelled at"),
}


def in_words(labels: dict[str, str]) -> dict[str, str]:
    return {name: _(label) for name, label in labels.items()}


def person_options(key: str, label: str, chosen: list[int | None]) -> dict[int, str]:
    """The people a picker offers (id → name and number): the first active people matching a
    search box drawn here (outside any form), with those already ``chosen`` always among them."""
    found = search_matches(label, key, lambda text: directory.find_active_people(db, user, text, keep=chosen))
    return {person["id"]: f"{person['full_name']} ({person['employee_number']})" for person in found}


def chosen_people(mode: str) -> list[int]:
    if mode == "Team":
        team = st.selectbox(_("Team"), list(teams), format_func=teams.get, key="assign_team")
        return assignments.people_in(db, team_id=team) if team is not None else []
    if mode == "Site":
        site = st.selectbox(_("Site"), list(sites), format_func=sites.get, key="assign_site")
        return assignments.people_in(db, site_id=site) if site is not None else []
    if mode == "Role":
        roles = {role.value: _(ROLE_LABELS[role]) for role in Role}
        role = st.selectbox(_("Role"), list(roles), format_func=roles.__getitem__, key="assign_role")
        return assignments.people_in(db, role=role)
    people = person_options(
        "assign_people_search",
        _("Find people (name, email or employee number)"),
        st.session_state.get("assign_people") or [],
    )
    return st.multiselect(
        _("People"), list(people), format_func=people.get, key="assign_people", placeholder=_("Choose options")
    )


def render_assign() -> None:
    course = st.selectbox(_("Course"), list(active_courses), format_func=active_courses.get, key="assign_course")
    modes = {mode: _(label) for mode, label in MODES.items()}
    mode = st.radio(_("Assign to"), list(modes), format_func=modes.__getitem__, horizontal=True, key="assign_mode")
    targets = chosen_people(mode)
    default_due = st.checkbox(_("Due after the course's own due-within days"), value=True, key="assign_default_due")
    due = (
        None
        if default_due
        else st.date_input(
            _("Due date"), date.today() + timedelta(days=30), key="assign_due", format=date_input_format()
        )
    )
    st.caption(ngettext("{n} person chosen", "{n} people chosen", len(targets), n=format_number(len(targets))))
    if st.button(_("Assign"), type="primary", key="assign_go", disabled=course is None):
        written = run_write(
            lambda: assignments.assign_courses(db, user, course, targets, due_on=due), success=_("Training assigned.")
        )
        if written:
            st.session_state[_RESULT] = written.value
    result = st.session_state.get(_RESULT)
    if result is not None:
        st.success(
            _(
                "{assigned} assigned, {skipped} skipped.",
                assigned=format_number(result.assigned),
                skipped=format_number(len(result.skipped)),
            )
        )
        if result.skipped:
            show_table(
                pd.DataFrame(
                    [
                        {"person": p.full_name or f"#{p.employee_id}", "skipped_because": _(p.reason)}
                        for p in result.skipped
                    ]
                ),
                labels=in_words(SKIPPED_LABELS),
                key="assign_skipped",
            )


def assignment_table(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["reason"] = frame["reason"].map(lambda r: _(REASON_LABELS[r]) if r in REASON_LABELS else r)
        frame["status"] = frame["status"].map(lambda s: _(STATUS_LABELS[s]) if s in STATUS_LABELS else s)
        frame = frame.drop(columns=["version", "employee_id"])
    return frame


def render_open() -> None:
    left, right = st.columns(2)
    course_names = {None: _("All"), **all_courses}
    course = left.selectbox(_("Course"), list(course_names), format_func=course_names.__getitem__, key="open_course")
    team_names = {None: _("All"), **teams}
    team = right.selectbox(_("Team"), list(team_names), format_func=team_names.__getitem__, key="open_team")
    statuses = {status: _(label) for status, label in STATUS_LABELS.items()}
    status = st.radio(_("Status"), list(statuses), format_func=statuses.__getitem__, horizontal=True, key="open_status")
    filters = {"status": status, "course_id": course, "team_id": team}
    size = assignments.ASSIGNMENTS_PAGE_SIZE
    page_number = st.session_state.get("assignments_page", 1)
    rows, matching = assignments.assignments_page(db, user, page=page_number, page_size=size, **filters)
    if not rows and page_number > 1:  # the filters now match fewer pages
        page_number = st.session_state["assignments_page"] = 1
        rows, matching = assignments.assignments_page(db, user, page=1, page_size=size, **filters)
    first = (page_number - 1) * size
    if matching > size:
        st.caption(
            _(
                "Assignments {first}–{last} of {total}, newest first",
                first=format_number(first + 1),
                last=format_number(first + len(rows)),
                total=format_number(matching),
            )
        )
        st.number_input(_("Page"), min_value=1, max_value=-(-matching // size), step=1, key="assignments_page")
    else:
        st.caption(ngettext("{n} assignment", "{n} assignments", matching, n=format_number(matching)))
    show_table(assignment_table(rows), labels=in_words(ASSIGNMENT_LABELS), key="assignment_table")
    download_buttons(
        lambda: assignment_table(assignments.list_assignments(db, user, **filters)),
        _("assignments-{status}", status=statuses[status]),
        key="assignments_download",
    )
    if status != "open" or not rows:
        return
    with st.form("cancel_assignment"):
        choices = {
            row["id"]: _(
                "#{number} {person} — {course} (due {day})",
                number=row["id"],
                person=row["person"],
                course=row["course"],
                day=day(row["due_on"]),
            )
            for row in rows
        }
        chosen = st.selectbox(
            _("Assignment to cancel"), list(choices), format_func=choices.__getitem__, key="cancel_assignment_id"
        )
        reason = st.text_input(_("Why"), max_chars=assignments.CANCEL_REASON_MAX_LENGTH, key="cancel_assignment_why")
        if st.form_submit_button(_("Cancel assignment")):
            run_write(
                lambda: assignments.cancel_assignment(db, user, chosen, reason),
                success=_("Assignment cancelled."),
                rerun=True,
            )


def render_record() -> None:
    low, high = bounds(CompletionInput, "score")
    people = person_options(
        "record_person_search",
        _("Find the person (name, email or employee number)"),
        [st.session_state.get("record_person")],
    )
    with st.form("record_completion"):
        person = st.selectbox(
            _("Person"),
            list(people),
            format_func=people.get,
            index=None,
            key="record_person",
            placeholder=_("Choose an option"),
        )
        course = st.selectbox(_("Course"), list(all_courses), format_func=all_courses.get, key="record_course")
        completed_on = st.date_input(
            _("Completed on"),
            date.today(),
            max_value=date.today(),
            key="record_completed_on",
            format=date_input_format(),
        )
        has_score = st.checkbox(_("With a score"), value=True, key="record_has_score")
        score = decimal_input(
            _("Score"), min_value=low, max_value=high, value=80.0, decimals=None, required=True, key="record_score"
        )
        passed = st.checkbox(_("Passed"), value=True, key="record_passed")
        if st.form_submit_button(_("Record completion")):
            data = {
                "employee_id": person,
                "course_id": course,
                "completed_on": completed_on,
                "score": score if has_score else None,
                "passed": passed,
            }
            run_write(lambda: completions.record_completion(db, user, data), success=_("Completion recorded."))


assign_tab, open_tab, record_tab = st.tabs([_("Assign"), _("Assignments"), _("Record a completion")])
with assign_tab:
    render_assign()
with open_tab:
    render_open()
with record_tab:
    render_record()
