"""The newcomer's start in a real browser: a fresh demo portal seeds before it answers, shows
nothing of the signed-in navigation before sign-in, and fetches nothing from outside the machine."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from models.seeding import DEMO_PASSWORD
from tests.e2e.conftest import PortalServer, sign_in, wait_for_app

pytestmark = pytest.mark.e2e

# set before any page script runs: remembers whether a navigation was ever on screen, if only briefly
WATCH_FOR_NAVIGATION = """
window.navigationSeen = false;
new MutationObserver(() => {
  if (document.querySelector("[data-testid^='stSidebarNav'], [data-testid='stSidebar'], [data-testid='stTopNav']")) {
    window.navigationSeen = true;
  }
}).observe(document, {childList: true, subtree: true});
"""


def test_a_fresh_demo_portal_seeds_before_it_answers_and_shows_no_navigation_before_sign_in(page, tmp_path):
    server = PortalServer(tmp_path)  # as make run starts it, on loopback only
    server.launch()
    try:
        server.wait_for_log("Seeding")  # the server is seeding the empty database as it starts
        page.add_init_script(WATCH_FOR_NAVIGATION)
        # the first visit waits for the seeding; its address is the one Streamlit gives the file
        # pages/admin_accounts.py when it makes the pages/ folder a navigation of its own
        page.goto(f"{server.url}/admin_accounts")
        terminal = server.log.read_text()
        assert re.search(r"\d+%\s+Adding \d+ people", terminal)  # progress in the terminal
        assert "Demo organisation ready." in terminal  # printed before the first page was served
        # Streamlit did not ask checkip.amazonaws.com for an "External URL" (browser.serverAddress is set)
        assert "External URL" not in terminal and "external IP" not in terminal
        wait_for_app(page)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        expect(page.get_by_role("heading", name="Accounts")).to_have_count(0)
        assert page.evaluate("window.navigationSeen") is False

        sign_in(page, server.url, "leader", DEMO_PASSWORD)  # the organisation is there at the first visit
        expect(page.get_by_test_id("stSidebarNav").get_by_text("Goals")).to_be_visible()
        assert page.evaluate("window.navigationSeen") is True  # the watch does see a navigation
    finally:
        server.stop()


def test_nothing_is_fetched_from_outside_the_machine(page, portal_server):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, portal_server.url, "leader", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    for address, heading in [("goals", "Goals"), ("actions", "Action plan"), ("complaints", "Complaint analysis")]:
        page.goto(f"{portal_server.url}/{address}")
        wait_for_app(page)
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
    web = [url for url in requested if urlsplit(url).scheme in {"http", "https", "ws", "wss"}]
    assert any("/static/" in url for url in web)  # the recording saw the page load its own files
    assert [url for url in web if urlsplit(url).hostname != "127.0.0.1"] == []
