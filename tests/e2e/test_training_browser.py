"""In Chromium: HR imports an LMS export through the Import completions page, reads the
report, and a second import of the same file adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest
from playwright.sync_api import expect

from models.seeding import DEMO_PASSWORD
from models.settings import Settings
from tests.e2e.conftest import sign_in, wait_for_app

pytestmark = pytest.mark.e2e


def _team_members(database_templates, tmp_path) -> list[tuple[str, str]]:
    """Employee numbers and emails of three agents of one demo team, hired before yesterday
    (the server's demo is built from the same seed)."""
    defaults = Settings.model_fields
    copy = tmp_path / "demo.duckdb"
    database_templates.copy_demo(copy, seed=defaults["demo_seed"].default, scale=defaults["demo_scale"].default)
    connection = duckdb.connect(str(copy), read_only=True)
    try:
        return connection.execute(
            "SELECT employee_number, email FROM employees WHERE active AND team_id = (SELECT min(team_id)"
            " FROM employees WHERE team_id IS NOT NULL) AND hire_date < current_date - 2 ORDER BY id LIMIT 3"
        ).fetchall()
    finally:
        connection.close()


def test_hr_imports_an_lms_export_and_a_second_import_adds_nothing(page, portal_server, database_templates, tmp_path):
    members = _team_members(database_templates, tmp_path)
    assert len(members) == 3
    day = (date.today() - timedelta(days=1)).isoformat()
    lines = ["Employee ID,Email Address,Course ID,Completion Date,Score,Status"]
    lines.append(f"{members[0][0]},,SU-PRESENTING,{day} 14:05,92,Passed")
    lines.append(f"{members[1][0]},,SU-PRESENTING,{day} 09:30,85,Passed")
    lines.append(f",{members[2][1]},SU-PRESENTING,{day},,")  # found by email, passed without a score
    export = tmp_path / "lms-export.csv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")

    sign_in(page, portal_server.url, "hr", DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(f"{portal_server.url}/training-import")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Import completions")).to_be_visible()
    page.locator("input[type='file']").set_input_files(str(export))
    wait_for_app(page)
    expect(page.get_by_text("lms-export.csv: 6 columns.")).to_be_visible()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()

    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("3 rows read: 3 imported, 0 duplicates")).to_be_visible()

    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("3 rows read: 0 imported, 3 duplicates")).to_be_visible()
