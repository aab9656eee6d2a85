"""Streamlit's own words on the file uploader follow the reader's language (issue 16): its
button and its size limit are written in English by Streamlit 1.67, so the portal shows the
catalogue's words in their place."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models.seeding import DEMO_PASSWORD
from tests.e2e.conftest import sign_in, wait_for_app
from tests.e2e.test_languages_browser import choose_language

pytestmark = pytest.mark.e2e


def uploader_words(page) -> str:
    """What the uploader shows a reader: its button's and its instructions' rendered text
    (``innerText`` leaves out generated content, so the pseudo-elements are read too)."""
    return page.evaluate(
        """() => {
            const zone = document.querySelector("[data-testid='stFileUploaderDropzone']");
            const seen = (element) => {
                const own = element.innerText;
                const after = getComputedStyle(element, "::after").content;
                const style = getComputedStyle(element);
                const hidden = style.display === "none" || style.fontSize === "0px";
                return (hidden ? "" : own) + (after && after !== "none" ? JSON.parse(after) : "");
            };
            const button = zone.querySelector("button [data-testid='stMarkdownContainer']");
            const limit = zone.querySelector("[data-testid='stFileUploaderDropzoneInstructions'] span");
            return seen(button.querySelector("p")) + " | " + seen(button) + " | " + seen(limit);
        }"""
    )


def test_the_uploader_speaks_ukrainian_to_an_analyst_who_chose_it(page, portal_server):
    sign_in(page, portal_server.url, "analyst", DEMO_PASSWORD)
    page.goto(f"{portal_server.url}/account")
    wait_for_app(page)
    choose_language(page, "Language", "Українська")
    expect(page.get_by_role("heading", name="Мій обліковий запис")).to_be_visible()

    page.goto(f"{portal_server.url}/complaints-import")
    wait_for_app(page)
    zone = page.get_by_test_id("stFileUploaderDropzone")
    expect(zone).to_be_visible()
    expect(zone.get_by_role("button", name="Вибрати файл")).to_be_visible()  # its accessible name too
    shown = uploader_words(page)
    assert "Вибрати файл" in shown and "До 200 МБ на файл • CSV, XLSX, TXT" in shown, shown
    assert "Upload" not in shown and "per file" not in shown, shown

    page.goto(f"{portal_server.url}/account")
    wait_for_app(page)
    choose_language(page, "Мова", "English")
    page.goto(f"{portal_server.url}/complaints-import")
    wait_for_app(page)
    expect(page.get_by_test_id("stFileUploaderDropzone").get_by_role("button", name="Choose a file")).to_be_visible()
