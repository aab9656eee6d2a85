"""In Chromium: HR notes the overdue figure on the training compliance page, imports an LMS
export that completes one team's overdue course, sees the figure fall by as many, and a second
import of the same file adds nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta

import duckdb
import pytest
from playwright.sync_api import expect

from models.seeding import DEMO_PASSWORD
from models.settings import Settings
from tests.e2e.conftest import sign_in, wait_for_app

pytestmark = pytest.mark.e2e


def _overdue_in_one_team(database_templates, tmp_path) -> list[tuple[str, str, str]]:
    """Employee number, email and course code of up to three people of one demo team who are
    overdue on the same mandatory course (the server's demo is built from the same seed)."""
    defaults = Settings.model_fields
    copy = tmp_path / "demo.duckdb"
    database_templates.copy_demo(copy, seed=defaults["demo_seed"].default, scale=defaults["demo_scale"].default)
    connection = duckdb.connect(str(copy), read_only=True)
    try:
        overdue = (
            "SELECT e.team_id, e.employee_number, e.email, c.code FROM training_assignments a"
            " JOIN employees e ON e.id = a.employee_id JOIN courses c ON c.id = a.course_id"
            " WHERE a.status = 'open' AND a.mandatory AND e.active AND a.due_on < current_date - 1"
            " AND (e.hire_date IS NULL OR e.hire_date <= a.assigned_on)"
        )
        return connection.execute(
            f"WITH o AS ({overdue}), pick AS (SELECT team_id, code FROM o GROUP BY ALL ORDER BY count(*) DESC,"
            " team_id, code LIMIT 1) SELECT employee_number, email, code FROM o JOIN pick USING (team_id, code)"
            " ORDER BY employee_number LIMIT 3"
        ).fetchall()
    finally:
        connection.close()


def _overdue_figure(page) -> int:
    metric = page.get_by_test_id("stMetric").filter(has_text="Overdue").first
    expect(metric).to_be_visible()
    return int(re.sub(r"\D", "", metric.get_by_test_id("stMetricValue").inner_text()))


def test_hr_imports_an_lms_export_and_sees_the_overdue_figure_fall(page, portal_server, database_templates, tmp_path):
    people = _overdue_in_one_team(database_templates, tmp_path)
    assert people, "the demo has people overdue on a mandatory course"
    day = (date.today() - timedelta(days=1)).isoformat()
    lines = ["Employee ID,Email Address,Course ID,Completion Date,Score,Status"]
    for index, (number, email, code) in enumerate(people):
        lines.append(f",{email},{code},{day},," if index == 2 else f"{number},,{code},{day} 14:05,92,Passed")
    export = tmp_path / "lms-export.csv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")

    sign_in(page, portal_server.url, "hr", DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(f"{portal_server.url}/training-compliance")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Training compliance")).to_be_visible()
    before = _overdue_figure(page)

    page.goto(f"{portal_server.url}/training-import")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Import completions")).to_be_visible()
    page.locator("input[type='file']").set_input_files(str(export))
    wait_for_app(page)
    expect(page.get_by_text("lms-export.csv: 6 columns.")).to_be_visible()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    count = len(people)
    expect(page.get_by_text(f"{count} rows read: {count} imported, 0 duplicates")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text(f"{count} rows read: 0 imported, {count} duplicates")).to_be_visible()

    page.goto(f"{portal_server.url}/training-compliance")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Training compliance")).to_be_visible()
    assert _overdue_figure(page) == before - count
