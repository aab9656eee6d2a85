"""The load test's client (bench/load_test.py) drives a real portal server the way a browser
tab does: it signs in with the form, receives the sign-in cookie, and opens pages of its
role's navigation — so the load test's figures are figures of real page runs."""

from __future__ import annotations

import pytest

from bench import load_test
from models import auth
from models.seeding import DEMO_PASSWORD
from tests import async_support

pytestmark = pytest.mark.e2e


def test_two_sessions_sign_in_and_open_pages_of_their_roles_without_errors(portal_server):
    visits = async_support.run(load_test.run_sessions(portal_server.url, 2, 6, think=(0.2, 0.5)))

    assert [(visit.login, visit.page, visit.error) for visit in visits if visit.error] == []
    sign_ins = [visit for visit in visits if visit.page == "sign in"]
    assert sorted(visit.login for visit in sign_ins) == ["agent", "teamlead"]
    assert all(visit.title.startswith("Welcome, ") for visit in sign_ins), [visit.title for visit in sign_ins]
    pages = [visit for visit in visits if visit.page != "sign in"]
    assert pages, "no page was visited after signing in"
    # each visit ran its page to the end: the page's own title, not the sign-in screen's
    assert all(visit.title and visit.title != "Harbourview Financial" for visit in pages), [
        (visit.page, visit.title) for visit in pages
    ]


def test_a_tab_signs_in_with_the_form_and_its_cookie_signs_the_next_tab_in(portal_server):
    async def two_tabs():
        first = load_test.BrowserTab(portal_server.url)
        await first.open()
        signed_in = await first.sign_in("analyst", DEMO_PASSWORD)
        await first.close()
        second = load_test.BrowserTab(portal_server.url)
        second.cookie = first.cookie
        await second.open()
        start = await second.run()
        page_hash, _, _ = next(page for page in second.pages if page[2] == "Complaint analysis")
        analysis = await second.run(page_hash=page_hash)
        await second.close()
        return first, signed_in, start, analysis

    first, signed_in, start, analysis = async_support.run(two_tabs())

    assert first.cookie is not None and first.cookie.startswith(f"{auth.SESSION_COOKIE}=")
    assert signed_in.title.startswith("Welcome, ")
    assert start.title.startswith("Welcome, ")  # signed in by the cookie alone
    assert analysis.title == "Complaint analysis"
    assert analysis.exceptions == []


def test_a_wrong_password_is_refused_not_counted_as_a_page(portal_server):
    async def wrong_password():
        tab = load_test.BrowserTab(portal_server.url)
        await tab.open()
        try:
            await tab.sign_in("agent", "not-the-password")
        finally:
            await tab.close()

    with pytest.raises(load_test.PageError, match="agent was not signed in"):
        async_support.run(wrong_password())
