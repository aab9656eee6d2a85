"""The competency catalogue and courses: the default catalogue, HR's edits with their history,
retiring, and who may change courses."""

from __future__ import annotations

import pytest

from models.access import PermissionDeniedError, Role
from models.errors import InputError, StaleRecordError
from models.training import courses
from tests.training_helpers import course_id

SOFT_SKILLS = {
    "ACTIVE_LISTENING",
    "ATTENTIVENESS",
    "PATIENCE",
    "EMPATHY",
    "CLEAR_COMMUNICATION",
    "POSITIVE_LANGUAGE",
    "PROBLEM_SOLVING",
    "POSITIVE_ATTITUDE",
    "ADAPTABILITY",
    "TIME_MANAGEMENT",
    "EMOTIONAL_INTELLIGENCE",
    "OWNERSHIP",
}


def course_data(**overrides) -> dict:
    data = {
        "code": "cs-de-escalation",
        "title": "De-escalating an angry call",
        "description": "Techniques to calm a caller who is shouting, practised in pairs on real scripts.",
        "format": "classroom",
        "hours": 3,
        "due_within_days": 30,
        "refresher_months": 12,
        "mandatory_roles": ["team_lead"],
    }
    return {**data, **overrides}


# -- the default catalogue -----------------------------------------------------------------
def test_a_new_database_holds_every_soft_skill_with_a_real_description(db):
    competencies = courses.list_competencies(db)
    assert {c.code for c in competencies} == SOFT_SKILLS
    for competency in competencies:
        assert len(competency.description) > 60, competency.code
        assert "todo" not in competency.description.lower() and "lorem" not in competency.description.lower()


def test_every_competency_has_a_course_and_speak_up_day_has_its_three(db):
    catalogue = courses.list_courses(db)
    assert {c.competency_code for c in catalogue} == SOFT_SKILLS
    titles = {c.code: c.title for c in catalogue}
    assert titles["SU-BUSINESS-CASE"] == "Building a business case"
    assert titles["SU-PRESENTING"] == "Presenting to leadership"
    assert titles["SU-PROJECT-PLAN"] == "Planning an improvement project"
    for course in catalogue:
        assert len(course.description) > 80, course.code
        assert "todo" not in course.description.lower() and "lorem" not in course.description.lower()
        assert course.format in courses.FORMAT_LABELS


def test_agents_must_take_listening_empathy_and_positive_language(db):
    for code in ("CS-ACTIVE-LISTENING", "CS-EMPATHY", "CS-POSITIVE-LANGUAGE"):
        course = courses.course_by_code(db, code)
        assert "agent" in course.mandatory_roles and course.refresher_months
    team_lead_courses = [c.code for c in courses.list_courses(db) if "team_lead" in c.mandatory_roles]
    assert team_lead_courses


def test_opening_again_adds_nothing_and_keeps_what_hr_retired(db, make_user):
    hr = make_user(Role.HR)
    courses.set_course_active(db, hr, course_id(db, "CS-PATIENCE"), False)
    before = len(courses.list_courses(db))

    db.start_up()

    assert len(courses.list_courses(db)) == before
    assert courses.course_by_code(db, "CS-PATIENCE").active is False


# -- HR's edits ----------------------------------------------------------------------------
def test_hr_creates_a_course_that_shows_in_the_catalogue_with_its_first_version(db, make_user):
    hr = make_user(Role.HR)
    listening = courses.list_competencies(db)[0]
    new_id = courses.create_course(db, hr, course_data(competency_id=listening.id))

    course = courses.get_course(db, new_id)
    assert (course.code, course.competency_name, course.mandatory_roles) == (
        "CS-DE-ESCALATION",
        listening.name,
        ["team_lead"],
    )
    assert [v.version for v in courses.course_history(db, new_id)] == [1]


def test_each_edit_is_kept_in_the_history_and_audited(db, make_user):
    hr = make_user(Role.HR, full_name="Hetty HR")
    new_id = courses.create_course(db, hr, course_data())
    courses.update_course(db, hr, new_id, course_data(title="Calming an angry caller", hours=4), 1)

    history = courses.course_history(db, new_id)
    assert [(v.version, v.snapshot["title"]) for v in history] == [
        (2, "Calming an angry caller"),
        (1, "De-escalating an angry call"),
    ]
    assert history[0].changed_by == "Hetty HR"
    entry = db.query_one("SELECT before_json, after_json FROM audit_log WHERE entity = 'course' AND action = 'update'")
    assert "De-escalating" in entry["before_json"] and "Calming" in entry["after_json"]


def test_a_stale_edit_is_refused_and_the_first_save_stands(db, make_user):
    hr = make_user(Role.HR)
    new_id = courses.create_course(db, hr, course_data())
    courses.update_course(db, hr, new_id, course_data(title="First save wins"), 1)

    with pytest.raises(StaleRecordError):
        courses.update_course(db, hr, new_id, course_data(title="Second save"), 1)
    assert courses.get_course(db, new_id).title == "First save wins"


def test_retiring_keeps_the_course_and_its_history_and_it_can_come_back(db, make_user):
    hr = make_user(Role.HR)
    new_id = courses.create_course(db, hr, course_data())
    courses.set_course_active(db, hr, new_id, False, 1)

    assert courses.get_course(db, new_id).active is False
    assert new_id not in [c.id for c in courses.list_courses(db, active=True)]
    courses.set_course_active(db, hr, new_id, True, 2)
    assert courses.get_course(db, new_id).active is True
    assert [v.snapshot["active"] for v in courses.course_history(db, new_id)] == [True, False, True]
    actions = [r["action"] for r in db.query("SELECT action FROM audit_log WHERE entity = 'course' ORDER BY id")]
    assert actions[-3:] == ["create", "retire", "reactivate"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "no spaces"}, "Code"),
        ({"code": "CS-EMPATHY"}, "Code"),
        ({"hours": 0}, "Hours"),
        ({"due_within_days": 0}, "Due within (days)"),
        ({"refresher_months": 0}, "Refresher every (months)"),
        ({"format": "webinar"}, "Format"),
        ({"description": "short"}, "Description"),
        ({"mandatory_team_ids": [999]}, "Mandatory for teams"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_stored(db, make_user, overrides, field):
    hr = make_user(Role.HR)
    before = len(courses.list_courses(db))
    with pytest.raises(InputError) as refused:
        courses.create_course(db, hr, course_data(**overrides))
    assert field in {name for name, _ in refused.value.problems}
    assert len(courses.list_courses(db)) == before


def test_filters_find_courses_by_competency_format_and_search(db):
    empathy = next(c for c in courses.list_competencies(db) if c.code == "EMPATHY")
    assert [c.code for c in courses.list_courses(db, competency_id=empathy.id)] == ["CS-EMPATHY"]
    assert {c.format for c in courses.list_courses(db, course_format="coaching")} == {"coaching"}
    assert [c.code for c in courses.list_courses(db, search="business case")] == ["SU-BUSINESS-CASE"]
    assert all(c.mandatory_roles for c in courses.list_courses(db, mandatory_only=True))


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD])
def test_only_hr_changes_courses(db, make_user, role):
    someone = make_user(role)
    hr = make_user(Role.HR)
    new_id = courses.create_course(db, hr, course_data())
    with pytest.raises(PermissionDeniedError):
        courses.create_course(db, someone, course_data(code="CS-OTHER"))
    with pytest.raises(PermissionDeniedError):
        courses.update_course(db, someone, new_id, course_data(title="Hijacked"), 1)
    with pytest.raises(PermissionDeniedError):
        courses.set_course_active(db, someone, new_id, False)
    assert courses.get_course(db, new_id).version == 1
