"""In a real browser, an agent gives kudos and answers the open pulse survey, other agents
answer too, and HR sees the survey's results appear only once enough people have answered."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models.access import Role
from models.seeding import DEMO_PASSWORD
from models.settings import Settings
from tests.e2e.conftest import sign_in, wait_for_app
from tests.e2e.test_recognition_browser import give_kudos

pytestmark = pytest.mark.e2e


def answer_open_survey(page, base_url: str, username: str | None) -> None:
    """Answer as ``username`` (signing in), or as whoever is signed in when None; then sign out."""
    if username is not None:
        sign_in(page, base_url, username, DEMO_PASSWORD)
    page.goto(f"{base_url}/answer-survey")
    wait_for_app(page)
    page.get_by_role("button", name="Send my answer").click()
    wait_for_app(page)
    expect(page.get_by_text("You answered this survey. Thank you!")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    wait_for_app(page)


def open_survey_results(page, base_url: str) -> None:
    sign_in(page, base_url, "hr", DEMO_PASSWORD)
    page.goto(f"{base_url}/pulse-surveys")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Pulse surveys")).to_be_visible()


def test_an_agent_gives_kudos_and_answers_and_hr_sees_results_only_once_enough_answered(
    page, portal_server, database_templates, tmp_path
):
    defaults = Settings.model_fields
    org = database_templates.copy_demo(
        tmp_path / "same-demo.duckdb", seed=defaults["demo_seed"].default, scale=defaults["demo_scale"].default
    )
    threshold = defaults["anonymity_min_group"].default
    agents = [
        person["email"]
        for person in org.with_role(Role.AGENT)
        if person["roles"] == {Role.AGENT} and person["id"] != org.logins[Role.AGENT]
    ]

    agent = org.person(org.logins[Role.AGENT])
    colleague = next(p for p in org.employees if p["team_id"] == agent["team_id"] and p["id"] != agent["id"])
    sign_in(page, portal_server.url, "agent", DEMO_PASSWORD)
    give_kudos(page, portal_server.url, colleague["full_name"], "Calm and clear with a furious caller today.")
    answer_open_survey(page, portal_server.url, None)
    open_survey_results(page, portal_server.url)
    expect(page.get_by_text("Not enough answers yet to show results")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    wait_for_app(page)

    for email in agents[: threshold - 1]:
        answer_open_survey(page, portal_server.url, email)
    open_survey_results(page, portal_server.url)
    expect(page.get_by_text("Not enough answers yet to show results")).to_have_count(0)
    expect(page.get_by_test_id("stMetric").filter(has_text="eNPS")).to_be_visible()
