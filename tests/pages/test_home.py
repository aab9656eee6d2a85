"""Home shows each role real figures from the database."""

from __future__ import annotations

from models.access import Role
from models.db import get_database
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as


def metric(app, label: str):
    """A metric's value as a reader sees it (names in it are escaped Markdown)."""
    return shown(next(m.value for m in app.metric if m.label == label))


def test_an_agent_sees_their_team_and_manager(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN, Role.HR)
    from models.people import directory

    team_id = directory.create_team(database, admin, "Cards & Payments", None)
    lead = add_person(database, Role.TEAM_LEAD, team_id=team_id, full_name="Lena Lead")
    agent = add_person(database, team_id=team_id, manager_id=lead.employee_id, full_name="Alex Agent")
    app = open_page(signed_in_as(agent), "pages/home.py")
    assert app.title[0].value == "Welcome, Alex"
    assert metric(app, "Team") == "Cards & Payments"
    assert metric(app, "Manager") == "Lena Lead"
    assert metric(app, "People in my team") == "2"
    assert not [s for s in app.subheader if s.value == "Organisation"]  # no organisation-wide figures


def test_a_team_lead_sees_who_reports_to_them(portal_env):
    database = get_database(portal_env)
    lead = add_person(database, Role.TEAM_LEAD)
    add_person(database, manager_id=lead.employee_id, full_name="Rita Report")
    app = open_page(signed_in_as(lead), "pages/home.py")
    assert app.subheader[0].value == "My team (1)"
    assert list(app.dataframe[0].value["Name"]) == ["Rita Report"]  # headed in words


def test_hr_sees_the_organisation_headcount(portal_env):
    database = get_database(portal_env)
    hr = add_person(database, Role.HR)
    add_person(database)
    app = open_page(signed_in_as(hr), "pages/home.py")
    assert metric(app, "Active people") == "2"
    assert app.get("vega_lite_chart")  # headcount by team


def test_an_admin_sees_accounts_and_locked_accounts(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN)
    add_person(database)
    app = open_page(signed_in_as(admin), "pages/home.py")
    assert metric(app, "Accounts") == "2"
    assert metric(app, "Locked now") == "0"
