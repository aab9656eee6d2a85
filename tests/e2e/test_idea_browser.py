"""Speak-Up in a real browser: an agent posts an idea and finds it on the board."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models.seeding import DEMO_PASSWORD
from tests.e2e.conftest import sign_in, wait_for_app

pytestmark = pytest.mark.e2e

TITLE = "Print the dispute form in large type for older customers"


def test_an_agent_submits_an_idea_and_sees_it_on_the_board(page, portal_server):
    sign_in(page, portal_server.url, "agent", DEMO_PASSWORD)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("link", name="Submit & my ideas").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Submit & my ideas")).to_be_visible()

    page.get_by_role("textbox", name="Title").fill(TITLE)
    page.get_by_role("textbox", name="Title").press("Enter")
    wait_for_app(page)
    page.get_by_role("textbox", name="Problem").fill(
        "Older customers cannot read the small print on the dispute form and call us."
    )
    page.get_by_role("textbox", name="Proposed change").fill(
        "Offer a large-type version of the form and mention it in the IVR."
    )
    page.get_by_role("textbox", name="Proposed change").blur()
    wait_for_app(page)
    page.get_by_role("button", name="Submit idea").click()
    wait_for_app(page)
    expect(page.get_by_text("is on the idea board")).to_be_visible()

    sidebar.get_by_role("link", name="Idea board").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Idea board")).to_be_visible()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
