"""Assign training: HR assigns a course in bulk (a team, a site, a role or hand-picked
people) with a due date and sees who was skipped and why; lists and cancels open
assignments with a reason; records a completion by hand, dated the day it happened."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from models.access import ROLE_LABELS, Role
from models.people import directory
from models.text import plural
from models.training import assignments, completions, courses
from models.training.assignments import REASON_LABELS, STATUS_LABELS
from models.training.completions import CompletionInput
from ui.context import page_context
from ui.fields import bounds
from ui.widgets import download_buttons, search_matches, show_table
from ui.writes import run_write

user, db, settings = page_context()
st.title("Assign training")

active_courses = {c.id: f"{c.code} — {c.title}" for c in courses.list_courses(db, active=True)}
all_courses = {c.id: f"{c.code} — {c.title}" for c in courses.list_courses(db)}
teams = {team["id"]: team["name"] for team in directory.list_teams(db)}
sites = {site["id"]: site["name"] for site in directory.list_sites(db)}
_RESULT = "training_assign_result"


def person_options(key: str, label: str, chosen: list[int | None]) -> dict[int, str]:
    """The people a picker offers (id → name and number): the first active people matching a
    search box drawn here (outside any form), with those already ``chosen`` always among them."""
    found = search_matches(label, key, lambda text: directory.find_active_people(db, user, text, keep=chosen))
    return {person["id"]: f"{person['full_name']} ({person['employee_number']})" for person in found}


def chosen_people(mode: str) -> list[int]:
    if mode == "Team":
        team = st.selectbox("Team", list(teams), format_func=teams.get, key="assign_team")
        return assignments.people_in(db, team_id=team) if team is not None else []
    if mode == "Site":
        site = st.selectbox("Site", list(sites), format_func=sites.get, key="assign_site")
        return assignments.people_in(db, site_id=site) if site is not None else []
    if mode == "Role":
        role = st.selectbox(
            "Role", [r.value for r in Role], format_func=lambda r: ROLE_LABELS[Role(r)], key="assign_role"
        )
        return assignments.people_in(db, role=role)
    people = person_options(
        "assign_people_search",
        "Find people (name, email or employee number)",
        st.session_state.get("assign_people") or [],
    )
    return st.multiselect("People", list(people), format_func=people.get, key="assign_people")


def render_assign() -> None:
    course = st.selectbox("Course", list(active_courses), format_func=active_courses.get, key="assign_course")
    mode = st.radio("Assign to", ["Team", "Site", "Role", "Hand-picked people"], horizontal=True, key="assign_mode")
    targets = chosen_people(mode)
    default_due = st.checkbox("Due after the course's own due-within days", value=True, key="assign_default_due")
    due = None if default_due else st.date_input("Due date", date.today() + timedelta(days=30), key="assign_due")
    st.caption(f"{plural(len(targets), 'person', 'people')} chosen")
    if st.button("Assign", type="primary", key="assign_go", disabled=course is None):
        written = run_write(
            lambda: assignments.assign_courses(db, user, course, targets, due_on=due), success="Training assigned."
        )
        if written:
            st.session_state[_RESULT] = written.value
    result = st.session_state.get(_RESULT)
    if result is not None:
        st.success(f"{result.assigned} assigned, {len(result.skipped)} skipped.")
        if result.skipped:
            show_table(
                pd.DataFrame(
                    [
                        {"person": p.full_name or f"#{p.employee_id}", "skipped_because": p.reason}
                        for p in result.skipped
                    ]
                ),
                key="assign_skipped",
            )


def assignment_table(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["reason"] = frame["reason"].map(lambda r: REASON_LABELS.get(r, r))
        frame["status"] = frame["status"].map(lambda s: STATUS_LABELS.get(s, s))
        frame = frame.drop(columns=["version", "employee_id"])
    return frame


def render_open() -> None:
    left, right = st.columns(2)
    course = left.selectbox(
        "Course", [None, *all_courses], format_func=lambda i: "All" if i is None else all_courses[i], key="open_course"
    )
    team = right.selectbox(
        "Team", [None, *teams], format_func=lambda i: "All" if i is None else teams[i], key="open_team"
    )
    status = st.radio("Status", list(STATUS_LABELS), format_func=STATUS_LABELS.get, horizontal=True, key="open_status")
    filters = {"status": status, "course_id": course, "team_id": team}
    size = assignments.ASSIGNMENTS_PAGE_SIZE
    page_number = st.session_state.get("assignments_page", 1)
    rows, matching = assignments.assignments_page(db, user, page=page_number, page_size=size, **filters)
    if not rows and page_number > 1:  # the filters now match fewer pages
        page_number = st.session_state["assignments_page"] = 1
        rows, matching = assignments.assignments_page(db, user, page=1, page_size=size, **filters)
    first = (page_number - 1) * size
    if matching > size:
        st.caption(f"Assignments {first + 1:,}–{first + len(rows):,} of {matching:,}, newest first")
        st.number_input("Page", min_value=1, max_value=-(-matching // size), step=1, key="assignments_page")
    else:
        st.caption(f"{matching} assignments")
    show_table(assignment_table(rows), key="assignment_table")
    download_buttons(
        lambda: assignment_table(assignments.list_assignments(db, user, **filters)),
        f"assignments-{status}",
        key="assignments_download",
    )
    if status != "open" or not rows:
        return
    with st.form("cancel_assignment"):
        choices = {
            row["id"]: f"#{row['id']} {row['person']} — {row['course']} (due {row['due_on']:%Y-%m-%d})" for row in rows
        }
        chosen = st.selectbox("Assignment to cancel", list(choices), format_func=choices.get)
        reason = st.text_input("Why", max_chars=assignments.CANCEL_REASON_MAX_LENGTH)
        if st.form_submit_button("Cancel assignment"):
            run_write(
                lambda: assignments.cancel_assignment(db, user, chosen, reason),
                success="Assignment cancelled.",
                rerun=True,
            )


def render_record() -> None:
    low, high = bounds(CompletionInput, "score")
    people = person_options(
        "record_person_search",
        "Find the person (name, email or employee number)",
        [st.session_state.get("record_person")],
    )
    with st.form("record_completion"):
        person = st.selectbox("Person", list(people), format_func=people.get, index=None, key="record_person")
        course = st.selectbox("Course", list(all_courses), format_func=all_courses.get)
        completed_on = st.date_input("Completed on", date.today(), max_value=date.today())
        has_score = st.checkbox("With a score", value=True)
        score = st.number_input("Score", min_value=float(low), max_value=float(high), value=80.0)
        passed = st.checkbox("Passed", value=True)
        if st.form_submit_button("Record completion"):
            data = {
                "employee_id": person,
                "course_id": course,
                "completed_on": completed_on,
                "score": score if has_score else None,
                "passed": passed,
            }
            run_write(lambda: completions.record_completion(db, user, data), success="Completion recorded.")


assign_tab, open_tab, record_tab = st.tabs(["Assign", "Assignments", "Record a completion"])
with assign_tab:
    render_assign()
with open_tab:
    render_open()
with record_tab:
    render_record()
