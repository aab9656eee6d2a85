"""In a real browser, an agent gives kudos to a colleague on the recognition feed and sees it
there; the colleague finds it on their wall."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models.access import Role
from models.seeding import DEMO_PASSWORD
from models.settings import Settings
from tests.e2e.conftest import sign_in, wait_for_app

pytestmark = pytest.mark.e2e

MESSAGE = "Stayed with the caller until the refund landed — thank you!"


def choose(page, label: str, text: str) -> None:
    box = page.get_by_role("combobox", name=label)
    box.click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    wait_for_app(page)


def give_kudos(page, base_url: str, colleague: str, message: str) -> None:
    """On the recognition feed, as whoever is signed in: kudos tagged "Own it" to a colleague."""
    page.goto(f"{base_url}/recognition")
    wait_for_app(page)
    search = page.get_by_label("Find the colleague (name, email or employee number)")
    search.fill(colleague)  # the picker offers the first matches of a search, not everyone
    search.press("Enter")
    wait_for_app(page)
    choose(page, "Colleague", colleague)
    choose(page, "Tag", "Own it")
    page.get_by_label("Message").fill(message)
    page.get_by_role("button", name="Give kudos").click()
    wait_for_app(page)
    expect(page.get_by_text(message).first).to_be_visible()


def test_an_agent_gives_kudos_and_the_colleague_sees_it_on_their_wall(
    page, portal_server, database_templates, tmp_path
):
    defaults = Settings.model_fields
    org = database_templates.copy_demo(
        tmp_path / "same-demo.duckdb", seed=defaults["demo_seed"].default, scale=defaults["demo_scale"].default
    )
    agent = org.person(org.logins[Role.AGENT])
    colleague = next(p for p in org.employees if p["team_id"] == agent["team_id"] and p["id"] != agent["id"])

    sign_in(page, portal_server.url, "agent", DEMO_PASSWORD)
    give_kudos(page, portal_server.url, colleague["full_name"], MESSAGE)
    page.get_by_role("button", name="Sign out").click()
    wait_for_app(page)

    sign_in(page, portal_server.url, colleague["email"], DEMO_PASSWORD)
    page.goto(f"{portal_server.url}/wall")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="My wall")).to_be_visible()
    expect(page.get_by_text(MESSAGE)).to_be_visible()
