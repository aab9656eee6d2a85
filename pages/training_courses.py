"""Courses: the competency catalogue and the courses that develop each competency; HR adds,
edits, retires and reactivates courses and reads each course's history."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from models.access import ROLE_LABELS, Role
from models.i18n import N_, _, format_number, ngettext
from models.people import directory
from models.training import courses
from models.training.courses import FORMAT_LABELS, CourseInput, in_reader_language
from ui.context import page_context
from ui.fields import bounds, max_chars
from ui.text import escape_markdown
from ui.training_labels import training_column_labels
from ui.widgets import decimal_input, download_buttons, show_table
from ui.writes import EditForm, run_write

user, db, settings = page_context()
st.title(_("Courses"))

competencies = courses.list_competencies(db)
competency_names = {c.id: c.name for c in competencies}
teams = {team["id"]: team["name"] for team in directory.list_teams(db)}
ROLES = [role.value for role in Role]
# the status filter's choices (stable values, shown in the reader's language)
STATUSES = {"Active": N_("Active"), "Retired": N_("Retired"), "All": N_("All")}


def role_words(roles: list[str]) -> list[str]:
    return [_(ROLE_LABELS[Role(role)]) if role in ROLES else role for role in roles]


def course_frame(rows: list[courses.Course]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "code": c.code,
                "title": c.title,
                "competency": c.competency_name,
                "format": c.format_label,
                "hours": c.hours,
                "due_within_days": c.due_within_days,
                "refresher_months": c.refresher_months,
                "mandatory_for": ", ".join(
                    [*role_words(c.mandatory_roles), *(teams.get(t, str(t)) for t in c.mandatory_team_ids)]
                ),
                "active": c.active,
            }
            for c in rows
        ],
        columns=[
            "code",
            "title",
            "competency",
            "format",
            "hours",
            "due_within_days",
            "refresher_months",
            "mandatory_for",
            "active",
        ],
    )


def render_catalogue() -> list[courses.Course]:
    left, middle, right, last = st.columns(4)
    competency = left.selectbox(
        _("Competency"),
        [None, *competency_names],
        format_func=lambda i: _("All") if i is None else competency_names[i],
        key="courses_competency",
        placeholder=_("All"),
    )
    course_format = middle.selectbox(
        _("Format"),
        [None, *FORMAT_LABELS],
        format_func=lambda f: _("All") if f is None else _(FORMAT_LABELS[f]),
        key="courses_format",
        placeholder=_("All"),
    )
    status = right.selectbox(_("Status"), list(STATUSES), format_func=lambda s: _(STATUSES[s]), key="courses_status")
    search = last.text_input(_("Search code or title"), key="courses_search")
    mandatory_only = st.checkbox(_("Only mandatory courses"), key="courses_mandatory_only")
    found = [
        in_reader_language(course)
        for course in courses.list_courses(
            db,
            competency_id=competency,
            course_format=course_format,
            active={"Active": True, "Retired": False}.get(status),
            mandatory_only=mandatory_only,
            search=search or None,
        )
    ]
    frame = course_frame(found)
    st.caption(ngettext("{count} course", "{count} courses", len(found), count=format_number(len(found))))
    show_table(frame, labels=training_column_labels(), key="course_table")
    download_buttons(frame, _("courses"), key="courses_download")
    with st.expander(_("Competencies")):
        show_table(
            pd.DataFrame([{"code": c.code, "name": c.name, "description": c.description} for c in competencies]),
            labels=training_column_labels(),
            key="competency_table",
            download=_("competencies"),
        )
    return found


def course_fields(prefix: str, course: courses.Course | None) -> dict[str, Any]:
    """The course form's widgets; the values HR entered."""
    high_hours = bounds(CourseInput, "hours")[1]
    low_days, high_days = bounds(CourseInput, "due_within_days")
    high_months = bounds(CourseInput, "refresher_months")[1]
    left, right = st.columns(2)
    data: dict[str, Any] = {
        "code": left.text_input(
            _("Code"), course.code if course else "", max_chars=max_chars(CourseInput, "code"), key=f"{prefix}_code"
        ),
        "title": right.text_input(
            _("Title"), course.title if course else "", max_chars=max_chars(CourseInput, "title"), key=f"{prefix}_title"
        ),
    }
    data["description"] = st.text_area(
        _("Description"),
        course.description if course else "",
        max_chars=max_chars(CourseInput, "description"),
        key=f"{prefix}_description",
    )
    ids = [None, *competency_names]
    data["competency_id"] = left.selectbox(
        _("Competency"),
        ids,
        index=ids.index(course.competency_id) if course and course.competency_id in ids else 0,
        format_func=lambda i: "—" if i is None else competency_names[i],
        key=f"{prefix}_competency",
    )
    formats = list(FORMAT_LABELS)
    data["format"] = right.selectbox(
        _("Format"),
        formats,
        index=formats.index(course.format) if course else 0,
        format_func=lambda f: _(FORMAT_LABELS[f]),
        key=f"{prefix}_format",
    )
    with left:
        data["hours"] = decimal_input(
            _("Hours"),
            min_value=0.0,
            max_value=float(high_hours),
            value=float(course.hours if course else 1.0),
            decimals=None,
            required=True,
            key=f"{prefix}_hours",
        )
    data["due_within_days"] = right.number_input(
        _("Due within (days)"),
        min_value=low_days,
        max_value=high_days,
        value=course.due_within_days if course else 30,
        key=f"{prefix}_due",
    )
    refresher = left.number_input(
        _("Refresher every (months, 0 for none)"),
        min_value=0,
        max_value=high_months,
        value=(course.refresher_months or 0) if course else 0,
        key=f"{prefix}_refresher",
    )
    data["refresher_months"] = refresher or None
    data["mandatory_roles"] = right.multiselect(
        _("Mandatory for roles"),
        ROLES,
        default=course.mandatory_roles if course else [],
        format_func=lambda role: _(ROLE_LABELS[Role(role)]),
        key=f"{prefix}_roles",
        placeholder=_("Choose options"),
    )
    data["mandatory_team_ids"] = st.multiselect(
        _("Mandatory for teams"),
        list(teams),
        default=course.mandatory_team_ids if course else [],
        format_func=teams.get,
        key=f"{prefix}_teams",
        placeholder=_("Choose options"),
    )
    return data


def render_new_course() -> None:
    with st.expander(_("Add a course"), icon=":material/add:"), st.form("new_course"):
        data = course_fields("new_course", None)
        if st.form_submit_button(_("Add course")):
            run_write(lambda: courses.create_course(db, user, data), success=_("Course added."), rerun=True)


def render_course(found: list[courses.Course]) -> None:
    if not found:
        return
    chosen = st.selectbox(
        _("Open a course"),
        [c.id for c in found],
        format_func=lambda i: next(f"{c.code} — {c.title}" for c in found if c.id == i),
        key="courses_open",
    )
    course = courses.get_course(db, chosen)
    if course is None:
        return
    shown = in_reader_language(course)
    st.subheader(escape_markdown(shown.title))
    st.markdown(escape_markdown(shown.description))
    form = EditForm("course", course.id, course.version)
    form.show_stale()
    with st.form(f"{form.prefix}_form"):
        data = course_fields(form.prefix, course)
        if st.form_submit_button(_("Save changes")):
            run_write(
                lambda: courses.update_course(db, user, course.id, data, form.version),
                success=_("Course saved."),
                form=form,
                rerun=True,
            )
    label = _("Retire course") if course.active else _("Reactivate course")
    if st.button(label, key=f"active_{course.id}"):
        run_write(
            lambda: courses.set_course_active(db, user, course.id, not course.active, course.version),
            success=_("Course retired.") if course.active else _("Course reactivated."),
            rerun=True,
        )
    st.markdown("**" + _("History") + "**")
    history = courses.course_history(db, course.id)
    show_table(
        pd.DataFrame(
            [
                {
                    "version": v.version,
                    "saved_at": v.changed_at,
                    "saved_by": v.changed_by or _("Portal"),
                    "title": v.snapshot.get("title"),
                    "active": v.snapshot.get("active"),
                    "due_within_days": v.snapshot.get("due_within_days"),
                    "refresher_months": v.snapshot.get("refresher_months"),
                    "mandatory_roles": ", ".join(role_words(v.snapshot.get("mandatory_roles") or [])),
                }
                for v in history
            ]
        ),
        labels=training_column_labels(),
        key="course_history",
        download=_("course-{id}-versions", id=course.id),
    )


found_courses = render_catalogue()
render_new_course()
render_course(found_courses)
