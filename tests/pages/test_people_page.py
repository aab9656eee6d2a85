"""The People page as HR, admin, leadership and agents use it."""

from __future__ import annotations

import pytest

from models.access import Role
from models.auth import load_user
from models.db import get_database
from models.people import directory, hr_csv
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as

PAGE = "pages/people.py"


@pytest.fixture
def database(portal_env):
    return get_database(portal_env)


def people_page(user):
    app = open_page(signed_in_as(user), PAGE)
    assert not app.exception, app.exception
    return app


def button(app, label: str):
    (found,) = [b for b in app.button if b.label == label]
    return found


def errors(app) -> list[str]:
    return [shown(element.value) for element in app.error]


def table_with(app, column: str):
    """The first table on screen that has ``column`` (AppTest tables carry no key), or None."""
    for table in app.dataframe:
        if column in table.value.columns:
            return table.value
    return None


def directory_table(app):
    return table_with(app, "Employee number")


def directory_names(app) -> list[str]:
    frame = directory_table(app)
    return [] if frame is None else list(frame["Name"])


def fill_add_form(app, **values):
    for key, value in values.items():
        app.text_input(key=f"add0_{key}").input(value)


def test_hr_sees_the_directory_with_search(database):
    hr = add_person(database, Role.HR, full_name="Helen Resources")
    add_person(database, full_name="Agnes Agent")
    app = people_page(hr)
    assert {"Helen Resources", "Agnes Agent"} <= set(directory_names(app))

    app.text_input(key="people_search").input("agnes").run()
    assert directory_names(app) == ["Agnes Agent"]
    # the directory, the teams and the sites can each be downloaded; then the import's template
    both = ["Download CSV", "Download XLSX"]
    assert [b.label for b in app.get("download_button")] == [*both * 3, "Download the template"]


def test_hr_adds_a_person_through_the_form(database):
    hr = add_person(database, Role.HR)
    app = people_page(hr)
    fill_add_form(app, number="E7001", name="Florence Nightingale", email="florence@example.org")
    button(app, "Add person").click().run()

    assert errors(app) == []
    assert any("Florence" in message.value for message in app.success)
    assert "Florence Nightingale" in directory_names(app)
    # the form is empty again for the next person
    assert app.text_input(key="add1_name").value == ""


def test_a_bad_email_is_named_and_the_typed_values_stay(database):
    hr = add_person(database, Role.HR)
    app = people_page(hr)
    fill_add_form(app, number="E7002", name="Mary Seacole", email="mary-at-example")
    button(app, "Add person").click().run()

    assert len(errors(app)) == 1 and errors(app)[0].startswith("**Email**")
    assert app.text_input(key="add0_name").value == "Mary Seacole"
    assert app.text_input(key="add0_email").value == "mary-at-example"
    assert "Mary Seacole" not in directory_names(app)


def test_an_agent_cannot_open_the_people_page(database):
    agent = add_person(database, full_name="Agnes Agent")
    app = signed_in_as(agent)
    app.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(PAGE)  # the page is not in an agent's navigation at all
    app.run()
    assert directory_table(app) is None
    assert "People" not in [title.value for title in app.title]


def test_leadership_reads_but_cannot_change_people(database):
    leader = add_person(database, Role.LEADERSHIP, full_name="Lena Leader")
    app = people_page(leader)
    assert "Lena Leader" in directory_names(app)
    assert [tab.label for tab in app.tabs] == ["Directory", "Teams & sites"]
    assert not [b for b in app.button if b.label in ("Add person", "Add team", "Import")]


def open_for_edit(app, person_id: int):
    app.selectbox(key="edit_person_id").select(person_id).run()
    return app


def test_an_edit_saved_by_someone_else_first_is_refused_and_the_edits_stay(database):
    hr = add_person(database, Role.HR)
    other_hr = add_person(database, Role.HR, full_name="Quick Colleague")
    agent = add_person(database, full_name="Agnes Agent")
    app = open_for_edit(people_page(hr), agent.employee_id)
    app.text_input(key=f"edit{agent.employee_id}_name").input("Agnes Edited Here")

    number = database.scalar("SELECT employee_number FROM employees WHERE id = ?", [agent.employee_id])
    directory.update_employee(
        database,
        other_hr,
        agent.employee_id,
        {"employee_number": number, "full_name": "Agnes Saved Elsewhere", "email": agent.email},
        expected_version=1,
    )
    button(app, "Save changes").click().run()

    assert any("Quick Colleague" in message and "since you opened it" in message for message in errors(app))
    assert app.text_input(key=f"edit{agent.employee_id}_name").value == "Agnes Edited Here"
    assert load_user(database, employee_id=agent.employee_id).full_name == "Agnes Saved Elsewhere"

    button(app, "Reload").click().run()
    assert app.text_input(key=f"edit{agent.employee_id}_name").value == "Agnes Saved Elsewhere"
    app.text_input(key=f"edit{agent.employee_id}_name").input("Agnes Second Try")
    button(app, "Save changes").click().run()
    assert load_user(database, employee_id=agent.employee_id).full_name == "Agnes Second Try"


def test_deactivation_needs_confirmation_and_keeps_the_person_listed_as_inactive(database):
    hr = add_person(database, Role.HR)
    agent = add_person(database, full_name="Agnes Agent")
    app = open_for_edit(people_page(hr), agent.employee_id)

    assert button(app, "Deactivate").disabled
    app.checkbox(key=f"confirm_deactivate_{agent.employee_id}").check().run()
    button(app, "Deactivate").click().run()

    assert load_user(database, employee_id=agent.employee_id) is None
    assert "Agnes Agent" not in directory_names(app)
    app.toggle(key="people_include_inactive").set_value(True).run()
    frame = directory_table(app)
    assert frame.loc[frame["Name"] == "Agnes Agent", "Status"].tolist() == ["inactive"]


def test_hr_is_told_who_may_change_an_administrators_email_and_still_renames_them(database):
    hr = add_person(database, Role.HR)
    admin = add_person(database, Role.ADMIN, full_name="Ada Admin")
    app = open_for_edit(people_page(hr), admin.employee_id)
    app.text_input(key=f"edit{admin.employee_id}_email").input("someone.else@example.org")
    button(app, "Save changes").click().run()
    assert any(
        message.startswith("**Email**: Ada Admin holds a role you do not hold (admin)")
        and "only an administrator may change it" in message
        for message in errors(app)
    ), errors(app)
    assert load_user(database, employee_id=admin.employee_id).email == admin.email

    app.text_input(key=f"edit{admin.employee_id}_email").input(admin.email)
    app.text_input(key=f"edit{admin.employee_id}_name").input("Ada Renamed")
    button(app, "Save changes").click().run()
    assert errors(app) == []
    assert load_user(database, employee_id=admin.employee_id).full_name == "Ada Renamed"


def test_only_an_admin_gets_the_roles_editor(database):
    agent = add_person(database, full_name="Agnes Agent")
    hr_app = open_for_edit(people_page(add_person(database, Role.HR)), agent.employee_id)
    assert not [m for m in hr_app.multiselect if m.key == f"roles_{agent.employee_id}"]
    assert "Roles: agent" in [text.value for text in hr_app.text]

    admin_app = open_for_edit(people_page(add_person(database, Role.ADMIN)), agent.employee_id)
    admin_app.multiselect(key=f"roles_{agent.employee_id}").select(Role.MODERATOR)
    button(admin_app, "Save roles").click().run()
    assert load_user(database, employee_id=agent.employee_id).roles == {Role.AGENT, Role.MODERATOR}


def test_hr_adds_a_team_and_sees_its_member_count(database):
    hr = add_person(database, Role.HR)
    app = people_page(hr)
    (team_name,) = [t for t in app.text_input if t.label == "Team name"]
    team_name.input("Harbour")
    button(app, "Add team").click().run()
    assert [team["name"] for team in directory.list_teams(database)] == ["Harbour"]
    assert errors(app) == []


def test_hr_imports_a_csv_and_sees_the_report(database):
    hr = add_person(database, Role.HR)
    app = people_page(hr)
    app.file_uploader(key="people_import_file").set_value(
        ("people.csv", hr_csv.import_template_csv(), "text/csv")
    ).run()
    preview = table_with(app, "full_name")
    assert list(preview["full_name"]) == ["Ada Lovelace", "Alan Turing"]

    button(app, "Import").click().run()
    assert any("2 people added" in message.value for message in app.success)
    assert {"Ada Lovelace", "Alan Turing"} <= set(directory_names(app))


def test_a_bad_csv_shows_each_problem_with_row_and_column_and_imports_nothing(database):
    hr = add_person(database, Role.HR)
    app = people_page(hr)
    data = b"employee_number,name,email\nE1,Ada,ada@example.org\nE2,Alan,not-an-email\n"
    app.file_uploader(key="people_import_file").set_value(("people.csv", data, "text/csv")).run()
    button(app, "Import").click().run()

    assert any("Nothing was imported" in message for message in errors(app))
    report = table_with(app, "Reason")
    assert report[["Row", "Column"]].values.tolist() == [[3, "email"]]
    assert "Ada" not in directory_names(app)


def test_an_undecodable_file_gets_a_clear_message(database):
    hr = add_person(database, Role.HR)
    app = people_page(hr)
    app.file_uploader(key="people_import_file").set_value(
        ("people.csv", b"employee_number\n\xff\xfe", "text/csv")
    ).run()
    assert any("not UTF-8" in message for message in errors(app))


def test_the_team_filter_narrows_the_directory(database):
    hr = add_person(database, Role.HR)
    harbour = directory.create_team(database, hr, "Harbour", None)
    add_person(database, team_id=harbour, full_name="Harbour Member")
    add_person(database, full_name="Elsewhere Member")
    app = people_page(hr)

    app.selectbox(key="people_team").select(harbour).run()
    assert directory_names(app) == ["Harbour Member"]


def test_an_admin_adds_a_person_with_roles(database):
    admin = add_person(database, Role.ADMIN)
    app = people_page(admin)
    fill_add_form(app, number="E7003", name="Rosalind Franklin", email="rosalind@example.org")
    app.multiselect(key="add0_roles").select(Role.TEAM_LEAD)
    button(app, "Add person").click().run()

    assert errors(app) == []
    (rosalind,) = directory.directory(database, admin, search="rosalind")
    assert rosalind.roles == ["team_lead"]


def test_hr_sees_no_roles_picker_when_adding(database):
    app = people_page(add_person(database, Role.HR))
    assert not [m for m in app.multiselect if m.key == "add0_roles"]
