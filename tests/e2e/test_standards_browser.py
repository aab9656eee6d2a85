"""In Chromium, on the demo organisation: leadership saves a new version of a service standard
and an agent reads it; an analyst imports a mystery audit and the standard's compliance
changes; an agent logs a use of a right above its limit and leadership sees it flagged."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from playwright.sync_api import expect

from models.seeding import DEMO_PASSWORD
from tests.e2e.conftest import sign_in, wait_for_app

pytestmark = pytest.mark.e2e


def _open(page, url: str, heading: str) -> None:
    page.goto(url)
    wait_for_app(page)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_leadership_saves_a_new_version_of_a_standard_and_an_agent_reads_it(page, portal_server):
    expectation = f"Greet the customer by name and give yours within five seconds ({uuid.uuid4().hex[:8]})."
    sign_in(page, portal_server.url, "leader", DEMO_PASSWORD)
    _open(page, f"{portal_server.url}/service-standards", "Service standards")
    page.get_by_text("Edit a standard", exact=True).click()
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Save new version"))
    form.get_by_label("What is expected").fill(expectation)
    form.get_by_role("button", name="Save new version").click()
    wait_for_app(page)
    expect(page.get_by_test_id("stText").get_by_text(expectation, exact=True)).to_be_visible()
    _sign_out(page)

    sign_in(page, portal_server.url, "agent", DEMO_PASSWORD)
    _open(page, f"{portal_server.url}/service-standards", "Service standards")
    expect(page.get_by_test_id("stText").get_by_text(expectation, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Save new version")).to_have_count(0)


def _standard_line(page, code: str):
    return page.get_by_test_id("stMarkdownContainer").filter(has_text=re.compile(rf"^{code} · .* checks complied"))


def _complied_of(page, code: str) -> tuple[int, int]:
    line = _standard_line(page, code)
    expect(line).to_have_count(1)
    found = re.search(r"— ([\d,]+) of ([\d,]+) checks complied", line.inner_text())
    assert found, line.inner_text()
    return int(found[1].replace(",", "")), int(found[2].replace(",", ""))


def test_an_analyst_imports_a_mystery_audit_and_the_standards_compliance_changes(page, portal_server, tmp_path):
    day = date.today().isoformat()
    audit_id = f"E2E-{uuid.uuid4().hex[:8]}"
    export = tmp_path / "mystery-shop.csv"
    export.write_text(
        "Visit ID,Visit date,Touchpoint,Team,Employee,Question,Outcome,Remarks\n"
        f"{audit_id},{day},Phone,Cards & Payments,,XFER-CB,Fail,Transferred twice and no callback\n",
        encoding="utf-8",
    )
    sign_in(page, portal_server.url, "analyst", DEMO_PASSWORD)
    _open(page, f"{portal_server.url}/mystery-audits", "Mystery audits")
    complied, checks = _complied_of(page, "XFER-CB")

    _open(page, f"{portal_server.url}/mystery-audit-import", "Import mystery audits")
    page.locator("input[type='file']").set_input_files(str(export))
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("1 audit imported")).to_be_visible()

    _open(page, f"{portal_server.url}/mystery-audits", "Mystery audits")
    expect(_standard_line(page, "XFER-CB")).to_contain_text(f"— {complied:,} of {checks + 1:,} checks complied")


def test_an_agent_logs_a_use_above_the_limit_and_leadership_sees_it_flagged(page, portal_server):
    sign_in(page, portal_server.url, "leader", DEMO_PASSWORD)
    _open(page, f"{portal_server.url}/decision-rights", "Decision rights")
    flagged = page.get_by_role("heading", name=re.compile(r"^Flagged above the limit \(\d+\)"))
    before = int(re.search(r"\((\d+)\)", flagged.inner_text())[1])
    _sign_out(page)

    sign_in(page, portal_server.url, "agent", DEMO_PASSWORD)
    _open(page, f"{portal_server.url}/decision-rights", "Decision rights")
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Log use"))
    form.get_by_label("Amount").fill("9999")
    form.get_by_label("Complaint reference (optional)").fill("E2E-ABOVE-LIMIT")
    form.get_by_role("button", name="Log use").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"^Above your limit of"))).to_be_visible()
    _sign_out(page)

    sign_in(page, portal_server.url, "leader", DEMO_PASSWORD)
    _open(page, f"{portal_server.url}/decision-rights", "Decision rights")
    expect(page.get_by_role("heading", name=f"Flagged above the limit ({before + 1})")).to_be_visible()
