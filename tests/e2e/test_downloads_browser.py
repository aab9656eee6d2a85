"""In Chromium: the analyst's "Download CSV" of the filtered complaints is streamed by the
portal's download route to the signed-in browser, every complaint of the filter, and a browser
that is not signed in gets nothing."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from models.seeding import DEMO_PASSWORD
from tests.e2e.conftest import sign_in, wait_for_app

pytestmark = pytest.mark.e2e


def test_the_filtered_complaints_download_as_a_streamed_csv(page, portal_server, browser):
    sign_in(page, portal_server.url, "analyst", DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(f"{portal_server.url}/complaints")
    wait_for_app(page)
    metric = page.get_by_test_id("stMetric").filter(has_text="Complaints").first
    expected = int(metric.inner_text().split("\n")[-1].replace(",", ""))
    link = page.get_by_role("link", name="Download CSV").last
    expect(link).to_be_visible()
    address = link.get_attribute("href")
    assert address and address.startswith("/export/complaints.csv?filter=")

    response = page.request.get(portal_server.url + address)  # the browser's own cookies
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body().decode("utf-8-sig"))))
    assert len(rows) == expected
    assert not [cell for row in rows for cell in row.values() if cell[:1] in ("=", "+", "-", "@")]

    stranger = browser.new_context()
    try:
        assert stranger.request.get(portal_server.url + address).status == 401
    finally:
        stranger.close()
