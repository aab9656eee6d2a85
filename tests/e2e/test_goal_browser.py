"""A leader in a real browser creates a goal, records a measurement and sees its status."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models.seeding import DEMO_PASSWORD
from tests.e2e.conftest import sign_in, wait_for_app

pytestmark = pytest.mark.e2e


def choose(page, form, label: str, option: str | None = None) -> None:
    """Pick an option of a Streamlit selectbox in ``form`` (the first one when no text is given)."""
    form.get_by_label(label, exact=True).click()
    options = page.get_by_role("option")
    (options.filter(has_text=option).first if option else options.first).click()
    wait_for_app(page)


def test_leader_creates_a_goal_records_a_measurement_and_sees_its_status(page, portal_server):
    sign_in(page, portal_server.url, "leader", DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(f"{portal_server.url}/goals")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Goals")).to_be_visible()

    page.get_by_role("tab", name="New goal").click()
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Create goal"))
    form.get_by_label("Name", exact=True).fill("Browser-made goal: FCR 85 %")
    choose(page, form, "Strategic priority", "Effortless service at first contact")
    choose(page, form, "KPI", "First-contact resolution")
    choose(page, form, "Owner")
    form.get_by_label("Baseline value").fill("70")
    form.get_by_label("Target value").fill("85")
    form.get_by_role("button", name="Create goal").click()
    wait_for_app(page)

    page.get_by_role("tab", name="Goals").click()
    expect(page.get_by_role("heading", name="Browser-made goal: FCR 85 %")).to_be_visible()
    measure = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Record measurement"))
    measure.get_by_label("Value (%)").fill("80")
    measure.get_by_label("Note").fill("First survey")
    measure.get_by_role("button", name="Record measurement").click()
    wait_for_app(page)

    expect(page.get_by_text("On track: progress 67 %, expected 0 %")).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
