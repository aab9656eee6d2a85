"""The Courses and Assign training pages as HR uses them, and who may open them."""

from __future__ import annotations

import pytest

from models.access import Role
from models.db import get_database
from models.people import directory
from models.training import courses
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as

COURSES = "pages/training_courses.py"
ASSIGN = "pages/training_assign.py"


@pytest.fixture
def database(portal_env):
    return get_database(portal_env)


def page(user, path):
    app = open_page(signed_in_as(user), path)
    assert not app.exception, app.exception
    return app


TABLE_COLUMNS = {
    "course_table": "mandatory_for",
    "course_history": "saved_by",
    "assign_skipped": "skipped_because",
}


def table(app, key: str):
    """The table on screen with the column that only ``key``'s table has (AppTest tables carry no key)."""
    for found in app.dataframe:
        if TABLE_COLUMNS[key] in found.value.columns:
            return found.value
    return None


def errors(app) -> list[str]:
    return [shown(e.value) for e in app.error]


def test_hr_sees_the_catalogue_and_filters_it(database):
    hr = add_person(database, Role.HR)
    app = page(hr, COURSES)
    codes = list(table(app, "course_table")["code"])
    assert "SU-PRESENTING" in codes and "CS-EMPATHY" in codes

    app.text_input[0].input("business case").run()
    assert list(table(app, "course_table")["code"]) == ["SU-BUSINESS-CASE"]


def test_the_catalogue_and_the_course_form_name_roles_in_words(database):
    hr = add_person(database, Role.HR)
    app = page(hr, COURSES)
    mandatory_for = dict(zip(*[table(app, "course_table")[c] for c in ("code", "mandatory_for")], strict=True))
    assert mandatory_for["CS-EMPATHY"] == "Agent"
    assert mandatory_for["TL-COACHING-CONVERSATIONS"] == "Team lead"
    roles = app.multiselect(key="new_course_roles")
    assert "Team lead" in roles.options and "team_lead" not in roles.options


def test_hr_retires_a_course_and_its_history_shows_it(database):
    hr = add_person(database, Role.HR, full_name="Hana Hr")
    app = page(hr, COURSES)
    [box for box in app.selectbox if box.label == "Status"][0].set_value("All")
    app.text_input[0].input("CS-PATIENCE").run()
    (retire,) = [b for b in app.button if b.label == "Retire course"]
    retire.click().run()

    assert errors(app) == []
    assert courses.course_by_code(database, "CS-PATIENCE").active is False
    history = table(app, "course_history")
    assert list(history["active"])[:2] == [False, True] and list(history["saved_by"])[0] == "Hana Hr"


def test_a_bad_course_is_refused_naming_the_field(database):
    hr = add_person(database, Role.HR)
    app = page(hr, COURSES)
    before = len(courses.list_courses(database))
    app.text_input(key="new_course_code").input("CS-NEW")
    app.text_input(key="new_course_title").input("A new course")
    app.text_area(key="new_course_description").input("too short")
    [b for b in app.button if b.label == "Add course"][0].click().run()

    assert any(message.startswith("**Description**") for message in errors(app))
    assert len(courses.list_courses(database)) == before


def test_hr_assigns_a_course_to_a_team_and_sees_who_was_skipped(database):
    hr = add_person(database, Role.HR)
    team = directory.create_team(database, hr, "Harbour", None)
    add_person(database, team_id=team, full_name="Ada Agent")
    add_person(database, team_id=team, full_name="Bea Agent")
    app = page(hr, ASSIGN)
    patience = courses.course_by_code(database, "CS-PATIENCE").id
    app.selectbox(key="assign_course").set_value(patience).run()
    app.selectbox(key="assign_team").set_value(team).run()
    app.button(key="assign_go").click().run()
    assert errors(app) == []
    assert any("2 assigned, 0 skipped" in s.value for s in app.success)

    app.button(key="assign_go").click().run()
    assert any("0 assigned, 2 skipped" in s.value for s in app.success)
    skipped = table(app, "assign_skipped")
    assert set(skipped["person"]) == {"Ada Agent", "Bea Agent"}


def test_hr_cancels_an_open_assignment_with_a_reason(database):
    hr = add_person(database, Role.HR)
    person = add_person(database, full_name="Cas Agent")
    from models.training import assignments

    patience = courses.course_by_code(database, "CS-PATIENCE").id
    made = assignments.assign_courses(database, hr, patience, [person.employee_id], due_on=None).assignment_ids[0]
    app = page(hr, ASSIGN)
    (reason,) = [t for t in app.text_input if t.label == "Why"]
    reason.input("On parental leave")
    [b for b in app.button if b.label == "Cancel assignment"][0].click().run()

    assert errors(app) == []
    row = database.query_one("SELECT status, cancel_reason FROM training_assignments WHERE id = ?", [made])
    assert row == {"status": "cancelled", "cancel_reason": "On parental leave"}

    status = app.radio(key="open_status")
    assert status.options == ["Open", "Completed", "Cancelled"]
    status.set_value("cancelled").run()
    cancelled = next(t.value for t in app.dataframe if "cancel_reason" in t.value.columns)
    assert list(cancelled["status"]) == ["Cancelled"] and list(cancelled["cancel_reason"]) == ["On parental leave"]


def test_the_role_to_assign_to_is_named_in_words(database):
    hr = add_person(database, Role.HR)
    app = page(hr, ASSIGN)
    app.radio(key="assign_mode").set_value("Role").run()
    assert "Team lead" in app.selectbox(key="assign_role").options
    assert "team_lead" not in app.selectbox(key="assign_role").options


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD])
def test_agents_and_team_leads_do_not_get_the_pages(database, role):
    someone = add_person(database, role)
    for path in (COURSES, ASSIGN):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            open_page(signed_in_as(someone), path)


def test_hr_finds_people_beyond_the_first_options_by_search_to_assign_and_to_record_a_completion(database):
    from tests.lists_support import FIRST_BULK_ID, bulk_people

    hr = add_person(database, Role.HR)
    bulk_people(database, 80)
    app = page(hr, ASSIGN)
    patience = courses.course_by_code(database, "CS-PATIENCE").id
    app.selectbox(key="assign_course").set_value(patience)
    app.radio(key="assign_mode").set_value("Hand-picked people").run()
    assert len(app.multiselect(key="assign_people").options) == 50
    app.text_input(key="assign_people_search").input("Person 00079").run()
    assert app.multiselect(key="assign_people").options == ["Bulk Person 00079 (B79)"]
    app.multiselect(key="assign_people").select(FIRST_BULK_ID + 79).run()
    app.text_input(key="assign_people_search").input("Person 00064").run()  # the one chosen stays chosen
    app.multiselect(key="assign_people").select(FIRST_BULK_ID + 64).run()
    assert app.multiselect(key="assign_people").value == [FIRST_BULK_ID + 79, FIRST_BULK_ID + 64]
    app.button(key="assign_go").click().run()
    assert errors(app) == []
    assert database.query("SELECT employee_id FROM training_assignments ORDER BY employee_id") == [
        {"employee_id": FIRST_BULK_ID + 64},
        {"employee_id": FIRST_BULK_ID + 79},
    ]

    assert len(app.selectbox(key="record_person").options) == 50
    app.text_input(key="record_person_search").input("bulk77@").run()
    assert app.selectbox(key="record_person").options == ["Bulk Person 00077 (B77)"]
    app.selectbox(key="record_person").set_value(FIRST_BULK_ID + 77)
    [b for b in app.button if b.label == "Record completion"][0].click().run()
    assert errors(app) == []
    assert database.query("SELECT employee_id FROM training_completions") == [{"employee_id": FIRST_BULK_ID + 77}]
