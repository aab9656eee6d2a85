"""In a real browser, an agent gives kudos and answers the open pulse survey, other agents
answer too, and HR follows the participation rising with no results shown until HR closes
the survey; then its eNPS appears with its counts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models.access import Role
from models.engagement import answers, surveys
from models.seeding import DEMO_PASSWORD
from models.settings import Settings
from tests.e2e.conftest import sign_in, wait_for_app
from tests.e2e.test_recognition_browser import give_kudos

pytestmark = pytest.mark.e2e

WAIT_SENTENCE = "Results are shown once the survey closes"


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


def open_pulse_surveys(page, base_url: str) -> None:
    sign_in(page, base_url, "hr", DEMO_PASSWORD)
    page.goto(f"{base_url}/pulse-surveys")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Pulse surveys")).to_be_visible()


def expect_participation_only(page, answered: int, asked: int) -> None:
    expect(page.get_by_text(f"{answered} of {asked} asked have answered.")).to_be_visible()
    expect(page.get_by_text(WAIT_SENTENCE)).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="eNPS")).to_have_count(0)
    expect(page.get_by_test_id("stMetric").filter(has_text="Promoters")).to_have_count(0)


def test_an_agent_gives_kudos_and_answers_and_hr_sees_results_only_once_the_survey_closed(
    page, portal_server, database_templates, tmp_path
):
    defaults = Settings.model_fields
    path = tmp_path / "same-demo.duckdb"  # the organisation the portal serves, as it was seeded
    org = database_templates.copy_demo(path, seed=defaults["demo_seed"].default, scale=defaults["demo_scale"].default)
    same = database_templates.open(path)
    [survey] = [s for s in surveys.list_surveys(same) if s.state() == "open"]
    answered, asked = answers.participation(same, survey)
    waiting = {
        person.employee_id
        for person in map(org.user, (p["id"] for p in org.with_role(Role.AGENT)))
        if not answers.has_answered(same, person, survey.id)
    }
    database_templates.discard(same)
    agents = [
        person["email"]
        for person in org.with_role(Role.AGENT)
        if person["roles"] == {Role.AGENT} and person["id"] != org.logins[Role.AGENT] and person["id"] in waiting
    ]
    assert answered > 0 and org.logins[Role.AGENT] in waiting  # the demo survey is under way; the agent may answer

    agent = org.person(org.logins[Role.AGENT])
    colleague = next(p for p in org.employees if p["team_id"] == agent["team_id"] and p["id"] != agent["id"])
    sign_in(page, portal_server.url, "agent", DEMO_PASSWORD)
    give_kudos(page, portal_server.url, colleague["full_name"], "Calm and clear with a furious caller today.")
    answer_open_survey(page, portal_server.url, None)
    open_pulse_surveys(page, portal_server.url)
    expect_participation_only(page, answered + 1, asked)
    page.get_by_role("button", name="Sign out").click()
    wait_for_app(page)

    for email in agents[:2]:
        answer_open_survey(page, portal_server.url, email)
    open_pulse_surveys(page, portal_server.url)
    expect_participation_only(page, answered + 3, asked)

    page.get_by_role("button", name="Close this survey now").click()
    wait_for_app(page)
    expect(page.get_by_text(WAIT_SENTENCE)).to_have_count(0)
    expect(page.get_by_text(f"{answered + 3} of {asked} asked answered")).to_be_visible()
    for label in ("eNPS", "Promoters (9–10)", "Passives (7–8)", "Detractors (0–6)"):
        expect(page.get_by_test_id("stMetric").filter(has_text=label)).to_be_visible()
