"""In Chromium, HR imports an LMS export that completes a team's overdue course yesterday: the
training compliance page's overdue figure falls by as many, and a second import of the same
file adds nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect

from models.seeding import DEMO_PASSWORD
from models.settings import Settings
from tests.e2e.conftest import sign_in, wait_for_app

pytestmark = pytest.mark.e2e

# open mandatory assignments of active people past their due date (yesterday's completion is late)
OVERDUE = (
    "SELECT e.team_id, e.employee_number, e.email, c.code FROM training_assignments a"
    " JOIN employees e ON e.id = a.employee_id JOIN courses c ON c.id = a.course_id"
    " WHERE a.status = 'open' AND a.mandatory AND e.active AND a.due_on < current_date - 1"
    " AND (e.hire_date IS NULL OR e.hire_date <= a.assigned_on)"
)
# the team and course with the most of them: the first test's import touches that cell only
OVERDUE_CELL = f"SELECT team_id, code FROM ({OVERDUE}) GROUP BY ALL ORDER BY count(*) DESC, team_id, code LIMIT 1"


@contextmanager
def demo_copy(database_templates, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The demo organisation the server under test was copied from (same seed, scale and day),
    opened read-only."""
    defaults = Settings.model_fields
    copy = tmp_path / "demo.duckdb"
    database_templates.copy_demo(copy, seed=defaults["demo_seed"].default, scale=defaults["demo_scale"].default)
    connection = duckdb.connect(str(copy), read_only=True)
    try:
        yield connection
    finally:
        connection.close()


def write_export(path: Path, rows: list[str]) -> Path:
    header = "Employee ID,Email Address,Course ID,Completion Date,Score,Status"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def import_export(page, base_url: str, export: Path, count: int) -> None:
    """Upload an LMS export on the import page, import it and see every row imported."""
    page.goto(f"{base_url}/training-import")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Import completions")).to_be_visible()
    page.locator("input[type='file']").set_input_files(str(export))
    wait_for_app(page)
    expect(page.get_by_text(f"{export.name}: 6 columns.")).to_be_visible()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text(f"{count} rows read: {count} imported, 0 duplicates")).to_be_visible()


def open_compliance(page, base_url: str) -> None:
    page.goto(f"{base_url}/training-compliance")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Training compliance")).to_be_visible()


# -- the overdue figure ---------------------------------------------------------------------------
def _overdue_in_one_team(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """Employee number, email and course code of up to three people of one demo team who are
    overdue on the same mandatory course."""
    return connection.execute(
        f"SELECT employee_number, email, code FROM ({OVERDUE}) JOIN ({OVERDUE_CELL}) USING (team_id, code)"
        " ORDER BY employee_number LIMIT 3"
    ).fetchall()


def _overdue_figure(page) -> int:
    metric = page.get_by_test_id("stMetric").filter(has_text="Overdue").first
    expect(metric).to_be_visible()
    return int(re.sub(r"\D", "", metric.get_by_test_id("stMetricValue").inner_text()))


def test_hr_imports_an_lms_export_and_sees_the_overdue_figure_fall(page, portal_server, database_templates, tmp_path):
    with demo_copy(database_templates, tmp_path) as connection:
        people = _overdue_in_one_team(connection)
    assert people, "the demo has people overdue on a mandatory course"
    day = (date.today() - timedelta(days=1)).isoformat()
    rows = [
        f",{email},{code},{day},," if index == 2 else f"{number},,{code},{day} 14:05,92,Passed"
        for index, (number, email, code) in enumerate(people)
    ]
    export = write_export(tmp_path / "lms-export.csv", rows)

    sign_in(page, portal_server.url, "hr", DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    open_compliance(page, portal_server.url)
    before = _overdue_figure(page)

    count = len(people)
    import_export(page, portal_server.url, export, count)
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text(f"{count} rows read: 0 imported, {count} duplicates")).to_be_visible()

    open_compliance(page, portal_server.url)
    assert _overdue_figure(page) == before - count
