"""Numbers with decimals in a real browser: an agent reading Ukrainian types a business case with
a decimal comma and grouping spaces, sees it written back in Ukrainian form, and saves it."""

from __future__ import annotations

import pytest
from babel import numbers
from playwright.sync_api import expect

from models.i18n import FORMAT_LOCALES
from models.seeding import DEMO_PASSWORD
from tests.e2e.conftest import sign_in, wait_for_app

pytestmark = pytest.mark.e2e

GROUP = numbers.get_group_symbol(FORMAT_LOCALES["uk"])
TITLE = "Друкувати форму спору великим шрифтом"


def field(page, key: str):
    """The text box of the decimal field ``key``."""
    return page.locator(f".st-key-{key}_text input")


def test_a_business_case_typed_in_ukrainian_is_shown_in_ukrainian_form_and_saved(page, portal_server):
    sign_in(page, portal_server.url, "agent", DEMO_PASSWORD)
    page.goto(f"{portal_server.url}/account")
    wait_for_app(page)
    page.get_by_label("Language", exact=True).click()
    page.get_by_role("option").filter(has_text="Українська").first.click()
    wait_for_app(page)

    page.goto(f"{portal_server.url}/my-ideas")
    wait_for_app(page)
    page.locator(".st-key-idea_title input").fill(TITLE)
    page.locator(".st-key-idea_title input").press("Enter")
    wait_for_app(page)

    field(page, "idea_savings").fill("350 000,5")
    field(page, "idea_savings").press("Enter")
    wait_for_app(page)
    expect(field(page, "idea_savings")).to_have_value(f"350{GROUP}000,50")

    field(page, "idea_one_off").fill("abc")
    field(page, "idea_one_off").press("Enter")
    wait_for_app(page)
    expect(field(page, "idea_one_off")).to_have_value("abc")
    expect(page.get_by_test_id("stAlert").filter(has_text="не число").first).to_be_visible()

    # typed and saved straight away, without leaving the field first
    field(page, "idea_one_off").fill("60000,25")
    page.locator(".st-key-idea_save button").click()
    wait_for_app(page)
    expect(page.get_by_text(TITLE).first).to_be_visible()

    page.get_by_test_id("stExpander").filter(has_text=TITLE).first.click()
    page.locator("[class*='st-key-edit_'] button").first.click()
    wait_for_app(page)
    expect(field(page, "idea_savings")).to_have_value(f"350{GROUP}000,50")
    expect(field(page, "idea_one_off")).to_have_value(f"60{GROUP}000,25")
