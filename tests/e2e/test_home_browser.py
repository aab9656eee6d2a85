"""In a real browser each demo login opens its home and sees its sections; a full-page
screenshot of each home is kept in the test artefacts (``test-artefacts/home/<login>.png``,
or the folder ``PORTAL_TEST_ARTEFACTS`` names) for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from models.seeding import DEMO_LOGINS, DEMO_PASSWORD
from tests.e2e.conftest import ROOT, sign_in, wait_for_app
from tests.pages.test_home import EXPECTED_SECTIONS

pytestmark = pytest.mark.e2e
WIDTH = 1400


def artefacts() -> Path:
    folder = Path(os.environ.get("PORTAL_TEST_ARTEFACTS") or ROOT / "test-artefacts") / "home"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("role", list(EXPECTED_SECTIONS), ids=[DEMO_LOGINS[role] for role in EXPECTED_SECTIONS])
def test_each_demo_login_sees_its_home_sections(page, portal_server, role):
    login = DEMO_LOGINS[role]
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    sign_in(page, portal_server.url, login, DEMO_PASSWORD)
    page.goto(portal_server.url)
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    for title in EXPECTED_SECTIONS[role]:
        expect(main.get_by_role("heading", name=title, exact=True)).to_have_count(1)
        expect(main.get_by_role("heading", name=title, exact=True)).to_be_visible()
    # Streamlit scrolls inside its main area: a window as tall as that area shows the whole home
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": max(1000, int(height) + 40)})
    wait_for_app(page)
    page.screenshot(path=str(artefacts() / f"{login}.png"), full_page=True)
