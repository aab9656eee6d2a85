"""Sign-in in a real browser: it survives a reload, and signing out ends it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models.seeding import DEMO_PASSWORD
from tests.e2e.conftest import sign_in, wait_for_app

pytestmark = pytest.mark.e2e


def test_agent_stays_signed_in_after_reload_and_is_asked_again_after_sign_out(page, portal_server):
    sign_in(page, portal_server.url, "agent", DEMO_PASSWORD)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("button", name="Sign out")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "portal_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    expect(sidebar.get_by_role("button", name="Sign out")).to_be_visible()

    sidebar.get_by_role("button", name="Sign out").click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()

    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_wrong_password_is_refused_with_a_clear_message(page, portal_server):
    sign_in(page, portal_server.url, "agent", "not-the-password")
    expect(page.get_by_text("Wrong username or password.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_a_page_outside_the_agents_roles_is_not_reachable_by_its_address(page, portal_server):
    sign_in(page, portal_server.url, "agent", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("Audit log")).to_have_count(0)
    page.goto(f"{portal_server.url}/audit")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Audit log")).to_have_count(0)
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()


def test_an_admin_finds_the_audit_log_in_the_navigation(page, portal_server):
    sign_in(page, portal_server.url, "admin", DEMO_PASSWORD)
    page.get_by_test_id("stSidebarNav").get_by_text("Audit log").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
