"""Switching language in a real browser: the page and what was typed on it stay."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models.seeding import DEMO_PASSWORD
from tests.e2e.conftest import sign_in, wait_for_app

pytestmark = pytest.mark.e2e


def choose_language(page, label: str, language: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option").filter(has_text=language).first.click()
    wait_for_app(page)


def test_an_agent_switches_to_lithuanian_and_back_keeping_a_half_typed_password(page, portal_server):
    sign_in(page, portal_server.url, "agent", DEMO_PASSWORD)
    page.goto(f"{portal_server.url}/account")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    page.get_by_label("Current password", exact=True).fill("half-typed")

    choose_language(page, "Language", "Lietuvių")
    expect(page.get_by_role("heading", name="Mano paskyra")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("Idėjų lenta")).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name="Atsijungti")).to_be_visible()
    expect(page.get_by_label("Dabartinis slaptažodis", exact=True)).to_have_value("half-typed")

    choose_language(page, "Kalba", "English")
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    expect(nav.get_by_text("Idea board")).to_be_visible()
    expect(page.get_by_label("Current password", exact=True)).to_have_value("half-typed")
