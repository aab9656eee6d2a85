"""In Chromium, HR imports LMS exports and sees the training compliance page's figures change:
one that completes a team's overdue course yesterday makes the overdue figure fall by as many
(and a second import of the same file adds nothing); one that brings in completions people
made on time, on their due dates, makes their team's cell of the compliance heat map rise by
as many.

The figures expected are worked out on a copy of the demo the served portal was copied from
(the demo is the same, id for id, for the same seed, scale and day), through the training
area's own compliance function."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from playwright.sync_api import expect

from models import auth
from models.seeding import DEMO_PASSWORD
from models.settings import Settings
from models.training import compliance
from models.training.completions import COMPLETION_ROWS, import_completion_rows
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


def copy_of_the_served_demo(database_templates, path: Path) -> Path:
    """A copy of the demo organisation the server under test was copied from (same seed, scale and day)."""
    defaults = Settings.model_fields
    database_templates.copy_demo(path, seed=defaults["demo_seed"].default, scale=defaults["demo_scale"].default)
    return path


@contextmanager
def demo_copy(database_templates, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection reading a copy of the demo organisation the server under test was copied
    from, on the store under test."""
    database = database_templates.open(copy_of_the_served_demo(database_templates, tmp_path / "demo.duckdb"))
    try:
        yield database.reader()
    finally:
        database_templates.discard(database)


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


# -- a cell of the heat map -------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    """One team and one course of the heat map, and people of that team whose open mandatory
    assignment of the course was due before today."""

    team_id: int
    team: str
    course_id: int
    course: str
    course_label: str  # as the page's course filter lists it
    people: list[tuple[int, str, date]]  # employee id, employee number, due date


# Open mandatory assignments of active people, due before today, that a passed completion dated on
# the due date closes on time and leaves valid beyond the next 30 days. Left out: people with
# another assignment of the course completed on time (the new valid completion would make it count
# again as well) or cancelled (which the completion could close), a completion already recorded on
# that day (a duplicate), and the first test's cell, so either test may run first on the shared server.
ON_TIME_CANDIDATES = f"""
SELECT e.team_id, t.name AS team, c.id AS course_id, c.code, c.title, e.id AS employee_id, e.employee_number, a.due_on
FROM training_assignments a
JOIN employees e ON e.id = a.employee_id JOIN teams t ON t.id = e.team_id JOIN courses c ON c.id = a.course_id
WHERE a.status = 'open' AND a.mandatory AND e.active AND c.active AND a.due_on < $today
  AND (e.hire_date IS NULL OR e.hire_date <= a.due_on)
  AND (c.refresher_months IS NULL OR a.due_on + to_months(c.refresher_months) > $today + 30)
  AND NOT EXISTS (SELECT 1 FROM training_assignments x LEFT JOIN training_completions done ON done.id = x.completion_id
                  WHERE x.employee_id = a.employee_id AND x.course_id = a.course_id AND x.id <> a.id
                  AND (x.status = 'cancelled' OR done.completed_on <= x.due_on))
  AND NOT EXISTS (SELECT 1 FROM training_completions v WHERE v.employee_id = a.employee_id
                  AND v.course_id = a.course_id AND v.completed_on = a.due_on)
  AND (e.team_id, c.code) NOT IN ({OVERDUE_CELL})
"""


def _cell_with_on_time_completions(connection: duckdb.DuckDBPyConnection, today: date) -> Cell:
    """The team and course with the most such assignments (up to three of their people)."""
    rows = connection.execute(
        f"WITH o AS ({ON_TIME_CANDIDATES}), pick AS (SELECT team_id, course_id FROM o GROUP BY ALL"
        " ORDER BY count(*) DESC, team_id, course_id LIMIT 1)"
        " SELECT team_id, team, course_id, code, title, employee_id, employee_number, due_on FROM o"
        " JOIN pick USING (team_id, course_id) ORDER BY employee_number LIMIT 3",
        {"today": today},
    ).fetchall()
    assert rows, "the demo has people of a team with an open mandatory assignment due before today"
    team_id, team, course_id, code, title = rows[0][:5]
    people = [(employee_id, number, due_on) for *_, employee_id, number, due_on in rows]
    return Cell(team_id, team, course_id, title, f"{title} ({code})", people)


def _cell_before_and_after_import(
    database_templates, path: Path, cell: Cell, today: date
) -> tuple[compliance.Compliance, ...]:
    """The cell's compliance on ``today`` as HR sees it, before and after the same completions are
    imported through the training area into the database made at ``path``."""
    database = database_templates.open(path)
    try:
        hr = auth.sign_in(database, "hr", DEMO_PASSWORD)
        filters = compliance.Filters(team_id=cell.team_id, course_id=cell.course_id)
        before = compliance.group_compliance(database, hr, on=today, filters=filters)
        rows = pa.table(
            {
                "employee_id": [employee_id for employee_id, _, _ in cell.people],
                "course_id": [cell.course_id] * len(cell.people),
                "completed_on": [due_on for *_, due_on in cell.people],
                "score": [95.0] * len(cell.people),
                "passed": [True] * len(cell.people),
            },
            schema=COMPLETION_ROWS,
        )
        import_completion_rows(database, hr, rows)
        after = compliance.group_compliance(database, hr, on=today, filters=filters)
    finally:
        database_templates.discard(database)
    return before, after


def choose(page, label: str, option: str) -> None:
    """Pick an option of the selectbox ``label``, typing it to narrow a long list."""
    box = page.get_by_label(label, exact=True)
    box.click()
    box.press_sequentially(option)
    page.get_by_role("option").filter(has_text=option).first.click()
    wait_for_app(page)
    expect(box).to_have_value(option)


def narrow_to(page, cell: Cell) -> None:
    """Narrow the compliance page (reporting date: today, as it opens) to the cell's team and course."""
    choose(page, "Team", cell.team)
    choose(page, "Course", cell.course_label)


def expect_heat_map_of(page, cell: Cell, compliant: int, due: int) -> None:
    """The heat map is the cell alone, with these figures in its mark and in words beneath it
    (waiting, as each assertion does, until the page has run with the filters chosen)."""
    rate = (Decimal(100 * compliant) / Decimal(due)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    marks = page.get_by_test_id("stVegaLiteChart").locator("[aria-roledescription='rect mark']")
    expect(marks).to_have_count(1)
    figures = f"Course: {cell.course}; Team: {cell.team}; Compliance %: {rate.normalize():f};"
    figures += f" Completed on time and valid: {compliant}; Due by the reporting date: {due};"
    expect(marks).to_have_attribute("aria-label", re.compile("^" + re.escape(figures)))
    sentence = (
        f"{cell.team}, {cell.course}: {compliant:,} of {due:,} due completed on time and valid ({rate} % compliant)."
    )
    expect(page.get_by_text(sentence, exact=True)).to_be_visible()


def test_hr_imports_completions_made_on_time_and_sees_the_heat_map_cell_rise(
    page, portal_server, database_templates, tmp_path
):
    today = date.today()
    with demo_copy(database_templates, tmp_path) as connection:
        cell = _cell_with_on_time_completions(connection, today)
    gained = len(cell.people)
    copy = copy_of_the_served_demo(database_templates, tmp_path / "imported.duckdb")
    before, after = _cell_before_and_after_import(database_templates, copy, cell, today)
    assert (after.compliant, after.due) == (before.compliant + gained, before.due), "each completion counts once"
    # the LMS export brings the true dates: each person completed the course on the day it was due
    code = cell.course_label.rsplit("(", 1)[1].rstrip(")")
    rows = [f"{number},,{code},{due_on.isoformat()},95,Passed" for _, number, due_on in cell.people]
    export = write_export(tmp_path / "lms-on-time.csv", rows)

    sign_in(page, portal_server.url, "hr", DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    open_compliance(page, portal_server.url)
    narrow_to(page, cell)
    expect_heat_map_of(page, cell, before.compliant, before.due)

    import_export(page, portal_server.url, export, gained)

    open_compliance(page, portal_server.url)
    narrow_to(page, cell)
    expect_heat_map_of(page, cell, before.compliant + gained, before.due)
