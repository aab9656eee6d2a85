"""In Chromium: an analyst uploads the real CFPB sample, maps it with the CFPB preset,
imports it and sees the Pareto chart of the analysis."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from models.seeding import DEMO_PASSWORD
from tests.e2e.conftest import sign_in, wait_for_app

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "cfpb_complaints_sample.csv"


def test_analyst_imports_the_cfpb_sample_and_sees_the_pareto_chart(page, portal_server):
    sign_in(page, portal_server.url, "analyst", DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto(f"{portal_server.url}/complaints-import")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Import complaints")).to_be_visible()
    page.locator("input[type='file']").set_input_files(str(SAMPLE.resolve()))
    wait_for_app(page)
    expect(page.get_by_text("cfpb_complaints_sample.csv: 19 columns.")).to_be_visible()
    page.get_by_text("CFPB Consumer Complaint Database", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("2,000 rows read: 2,000 imported")).to_be_visible()

    page.goto(f"{portal_server.url}/complaints")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Pareto by category")).to_be_visible()
    expect(page.get_by_role("strong").filter(has_text="Vital few")).to_be_visible()
    metric = page.get_by_test_id("stMetric").filter(has_text="Complaints").first
    expect(metric).to_contain_text("27,000")
    # the Pareto chart is drawn: its legend tells the vital few from the useful many
    legend = page.get_by_label("Symbol legend for fill color")
    expect(legend.get_by_text("Vital few")).to_be_visible()
    expect(legend.get_by_text("Useful many")).to_be_visible()
