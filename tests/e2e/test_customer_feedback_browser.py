"""In Chromium: an analyst imports a survey tool's export of answers from a new channel, a
second import of the same file adds nothing, and Customer feedback shows that channel's CSAT."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from models.seeding import DEMO_PASSWORD
from tests.e2e.conftest import sign_in, wait_for_app

pytestmark = pytest.mark.e2e


def test_an_analyst_imports_survey_answers_and_sees_csat_by_channel(page, portal_server, tmp_path):
    day = (date.today() - timedelta(days=1)).isoformat()
    lines = ["Response date,Touchpoint,Team,Metric,Rating,Verbatim,Response ID"]
    for number, score in enumerate((5, 4, 2, 5), start=1):
        lines.append(f"{day},Kiosk,Home Loans,Customer satisfaction,{score},Kiosk visit {number},KIOSK-{number}")
    export = tmp_path / "kiosk-survey.csv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")

    sign_in(page, portal_server.url, "analyst", DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(f"{portal_server.url}/survey-import")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Import survey answers")).to_be_visible()
    page.locator("input[type='file']").set_input_files(str(export))
    wait_for_app(page)
    expect(page.get_by_text("kiosk-survey.csv: 7 columns.")).to_be_visible()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("4 rows read: 4 imported, 0 duplicates")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("4 rows read: 0 imported, 4 duplicates")).to_be_visible()

    page.goto(f"{portal_server.url}/customer-feedback")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Customer feedback")).to_be_visible()
    expect(page.get_by_role("heading", name="By channel")).to_be_visible()
    page.get_by_label("Channel", exact=True).click()
    page.get_by_role("option").filter(has_text="Kiosk").first.click()
    wait_for_app(page)
    csat = page.get_by_test_id("stMetric").filter(has_text="CSAT").first
    expect(csat.get_by_test_id("stMetricValue")).to_have_text("75")  # 3 of 4 answered 4 or 5
    answers = page.get_by_test_id("stMetric").filter(has_text="Answers").first
    expect(answers.get_by_test_id("stMetricValue")).to_have_text("4")
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
