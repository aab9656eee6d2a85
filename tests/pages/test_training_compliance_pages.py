"""Training compliance as HR and as a team lead, and My training as an agent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.access import Role
from models.db import get_database
from models.people import directory
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as
from tests.training_helpers import add_course, assign, complete

COMPLIANCE = "pages/training_compliance.py"
MY_TRAINING = "pages/my_training.py"
TODAY = date.today()


@pytest.fixture
def organisation(portal_env):
    """Two teams with one mandatory course: in Cards one person done on time and one overdue,
    in Loans one person overdue."""
    database = get_database(portal_env)
    hr = add_person(database, Role.HR, full_name="Helen Resources")
    cards = directory.create_team(database, hr, "Cards", None)
    loans = directory.create_team(database, hr, "Loans", None)
    people = {
        "lead": add_person(database, Role.TEAM_LEAD, team_id=cards, full_name="Lena Lead"),
        "done": add_person(database, team_id=cards, full_name="Dora Done"),
        "late": add_person(database, team_id=cards, full_name="Carl Cards"),
        "elsewhere": add_person(database, team_id=loans, full_name="Lou Loans"),
        "hr": hr,
    }
    course = add_course(database, title="Active listening")
    assigned, due = TODAY - timedelta(days=60), TODAY - timedelta(days=30)
    for name in ("done", "late", "elsewhere"):
        assignment = assign(database, people[name].employee_id, course, assigned_on=assigned, due_on=due)
        if name == "done":
            complete(database, people[name].employee_id, course, due - timedelta(days=3), closes=assignment)
    return database, people


def page(user, path):
    app = open_page(signed_in_as(user), path)
    assert not app.exception, app.exception
    return app


def table_with(app, column: str):
    for table in app.dataframe:
        if column in table.value.columns:
            return table.value
    return None


def metric(app, label: str) -> str:
    (found,) = [m for m in app.metric if m.label == label]
    return found.value


def test_hr_sees_the_whole_organisation_with_its_definition_heat_map_and_lists(organisation):
    _, people = organisation
    app = page(people["hr"], COMPLIANCE)
    assert "share of mandatory assignments due" in shown(app.info[0].value)
    assert metric(app, "Compliance") == "33.3 %"
    assert metric(app, "Mandatory overdue") == "2"
    heat = table_with(app, "compliance")
    assert set(heat["team"]) == {"Cards", "Loans"}
    assert dict(zip(heat["team"], heat["compliance"], strict=True)) == {"Cards": 50.0, "Loans": 0.0}
    (chart,) = app.get("vega_lite_chart")
    assert "Due by the reporting date" in chart.proto.spec and "Overdue" in chart.proto.spec  # counts in its tooltip
    assert "Download CSV" in [button.label for button in app.get("download_button")]
    app.radio(key="tc_view").set_value("Overdue").run()
    overdue = table_with(app, "days_overdue")
    assert sorted(overdue["person"]) == ["Carl Cards", "Lou Loans"]
    assert "2 overdue assignments, 2 of them mandatory, longest overdue first." in [
        caption.value for caption in app.caption
    ]
    assert set(overdue["days_overdue"]) == {30}
    app.radio(key="tc_view").set_value("By team").run()
    teams = table_with(app, "people").set_index("team")
    assert teams.loc["All teams", "due"] == 3 and teams.loc["Cards", "compliance"] == 50.0


def test_hr_narrows_the_view_to_a_team_and_opens_a_transcript(organisation):
    _, people = organisation
    app = page(people["hr"], COMPLIANCE)
    app.selectbox(key="tc_team").select_index(2).run()  # Loans (teams are listed by name)
    assert metric(app, "Compliance") == "0.0 %"
    app.radio(key="tc_view").set_value("Overdue").run()
    assert set(table_with(app, "days_overdue")["person"]) == {"Lou Loans"}
    app.radio(key="tc_view").set_value("Transcript").run()
    app.selectbox(key="tc_person").select(people["done"].employee_id).run()
    assignments = table_with(app, "state")
    assert list(assignments["state"]) == ["Completed on time"]
    completed = table_with(app, "passed")
    assert list(completed["status"]) == ["Valid"] and list(completed["source"]) == ["Recorded by hand"]


def test_the_headline_says_it_counts_mandatory_training_where_the_lists_show_all(organisation):
    database, people = organisation
    optional = add_course(database, title="Optional extra")
    assign(
        database,
        people["late"].employee_id,
        optional,
        assigned_on=TODAY - timedelta(days=20),
        due_on=TODAY - timedelta(days=5),
        mandatory=False,
    )
    app = page(people["hr"], COMPLIANCE)
    assert metric(app, "Mandatory overdue") == "2"
    assert [m.label for m in app.metric if m.label == "Overdue"] == []
    assert "People with mandatory training expiring within 30 days" in [m.label for m in app.metric]
    app.radio(key="tc_view").set_value("Overdue").run()
    assert len(table_with(app, "days_overdue")) == 3
    assert "3 overdue assignments, 2 of them mandatory, longest overdue first." in [
        caption.value for caption in app.caption
    ]


def captions(app) -> list[str]:
    return [shown(caption.value) for caption in app.caption]


def test_a_heat_map_narrowed_to_one_team_and_course_says_its_figures_in_words(organisation):
    _, people = organisation
    app = page(people["hr"], COMPLIANCE)
    assert not [text for text in captions(app) if "due completed on time" in text]  # two cells: hover or table
    app.selectbox(key="tc_team").select_index(1).run()  # Cards
    assert "Cards, Active listening: 1 of 2 due completed on time and valid (50.0 % compliant)." in captions(app)
    app.date_input(key="tc_date").set_value(TODAY - timedelta(days=40)).run()  # before the due date
    assert "Cards, Active listening: 0 of 0 due completed on time and valid (nothing due yet)." in captions(app)


def test_a_team_lead_sees_only_their_team(organisation):
    _, people = organisation
    app = page(people["lead"], COMPLIANCE)
    assert metric(app, "Compliance") == "50.0 %"
    assert set(table_with(app, "compliance")["team"]) == {"Cards"}
    app.radio(key="tc_view").set_value("Overdue").run()
    assert set(table_with(app, "days_overdue")["person"]) == {"Carl Cards"}
    app.radio(key="tc_view").set_value("Transcript").run()
    person_options = app.selectbox(key="tc_person").options
    assert not any("Lou Loans" in option for option in person_options)
    assert any("Carl Cards" in option for option in person_options)
    assert not [box for box in app.selectbox if box.key == "tc_team"]  # no other team to choose


def test_an_agent_sees_only_their_own_training(organisation):
    _, people = organisation
    app = page(people["late"], MY_TRAINING)
    assert metric(app, "Overdue") == "1"
    assert metric(app, "Completed") == "0"
    overdue = table_with(app, "days_overdue")
    assert list(overdue["course"]) == ["Active listening"] and list(overdue["days_overdue"]) == [30]
    texts = " ".join(shown(element.value) for element in app.markdown)
    assert "Dora Done" not in texts and "Lou Loans" not in texts

    done = page(people["done"], MY_TRAINING)
    assert metric(done, "Overdue") == "0" and metric(done, "Completed") == "1"
    assert list(table_with(done, "state")["state"]) == ["Completed on time"]


@pytest.mark.parametrize(
    ("who", "opens"), [("late", False), ("lead", True), ("hr", True)], ids=["agent", "team-lead", "hr"]
)
def test_the_compliance_page_is_in_the_navigation_of_those_who_may_read_others(organisation, who, opens):
    _, people = organisation
    app = page(people[who], MY_TRAINING)
    registered = {str(info.get("script_path", "")).rsplit("/", 1)[-1] for info in app._registered_pages.values()}
    assert "my_training.py" in registered
    assert ("training_compliance.py" in registered) is opens
