"""In a real browser a team lead records a coaching session and an assessment for an agent of
their team; the agent signs in and acknowledges both."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models.access import Role
from models.seeding import DEMO_PASSWORD
from models.settings import Settings
from tests.e2e.conftest import sign_in, wait_for_app

pytestmark = pytest.mark.e2e


def choose(page, scope, label: str, option: str) -> None:
    """Pick the option holding ``option`` of a Streamlit selectbox in ``scope``."""
    scope.get_by_label(label, exact=True).click()
    page.get_by_role("option").filter(has_text=option).first.click()
    wait_for_app(page)


@pytest.fixture
def agent_name(database_templates, tmp_path) -> str:
    """The demo agent's name, from the organisation the portal under test was copied from."""
    defaults = Settings.model_fields
    org = database_templates.copy_demo(
        tmp_path / "names.duckdb", seed=defaults["demo_seed"].default, scale=defaults["demo_scale"].default
    )
    return org.person(org.logins[Role.AGENT])["full_name"]


def test_a_lead_records_coaching_and_an_assessment_and_the_agent_acknowledges_both(page, portal_server, agent_name):
    note = "Browser coaching: summarise the next step before you close."
    evidence = "Browser evidence: named the customer's worry before fixing it."
    sign_in(page, portal_server.url, "teamlead", DEMO_PASSWORD)
    page.goto(f"{portal_server.url}/coaching")
    wait_for_app(page)
    page.get_by_role("tab", name="Record a session").click()
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Record session"))
    choose(page, form, "Person coached", agent_name)
    form.get_by_label("Notes shared with the person").fill(note)
    form.get_by_label("Private notes (you and HR only)").fill("Browser private thought.")
    form.get_by_role("button", name="Record session").click()
    wait_for_app(page)
    expect(page.get_by_text("Coaching session recorded.")).to_be_visible()

    page.goto(f"{portal_server.url}/assessments")
    wait_for_app(page)
    page.get_by_role("tab", name="Assess my team").click()
    choose(page, page, "Person", agent_name)
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Record assessment"))
    choose(page, form, "Competency", "Empathy")
    form.get_by_label("Evidence").fill(evidence)
    form.get_by_role("button", name="Record assessment").click()
    wait_for_app(page)
    expect(page.get_by_text("Assessment recorded.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    wait_for_app(page)

    sign_in(page, portal_server.url, "agent", DEMO_PASSWORD)
    page.goto(f"{portal_server.url}/coaching")
    wait_for_app(page)
    expect(page.get_by_text(note)).to_be_visible()
    expect(page.get_by_text("Browser private thought.")).to_have_count(0)
    waiting = page.get_by_role("button", name="Acknowledge", exact=True)
    before = waiting.count()
    waiting.first.click()  # the newest session: today's
    wait_for_app(page)
    expect(waiting).to_have_count(before - 1)

    page.goto(f"{portal_server.url}/assessments")
    wait_for_app(page)
    # the newest assessment, today's, is the one opened first
    expect(page.get_by_text(evidence)).to_be_visible()
    page.get_by_role("button", name="Acknowledge", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text(evidence)).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge", exact=True)).to_have_count(0)
