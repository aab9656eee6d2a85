"""The competencies and coaching demo as a reader of the portal sees it: appeals fall after the
framework's introduction, team leads coach in clearly different styles, levels progress
(faster where coaching is integrated) and HR finds an appeal waiting."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.access import Role
from models.auth import load_user
from models.coaching import report
from models.competencies import appeals, framework


@pytest.fixture
def demo(seeded_db):
    database, organisation = seeded_db()
    hr = load_user(database, employee_id=organisation.logins[Role.HR])
    return database, organisation, hr


def test_appeals_fall_after_the_framework_is_introduced(demo):
    database, organisation, _ = demo
    introduced = framework.introduction_date(database)
    series = appeals.assessment_appeals(database, organisation.today - timedelta(days=800), organisation.today)
    before = [count for month_end, count in series if month_end < introduced]
    after = [count for month_end, count in series if month_end.replace(day=1) > introduced]
    assert len(before) >= 6 and len(after) >= 6
    assert sum(after) / len(after) < 5
    assert sum(before) / len(before) >= 3 * sum(after) / len(after)


def test_team_leads_coach_in_clearly_different_styles_and_integrated_teams_grow_faster(demo):
    database, organisation, hr = demo
    summary = report.team_summary(database, hr, organisation.today - timedelta(days=730), organisation.today)
    integrated = summary[summary["integrated_share"] >= 70]
    scheduled = summary[summary["integrated_share"] <= 30]
    assert len(integrated) >= 2 and len(scheduled) >= 2
    assert integrated["mean_monthly_level_movement"].mean() > scheduled["mean_monthly_level_movement"].mean()


def test_assessed_levels_progress_over_the_two_years(demo):
    database, organisation, _ = demo
    first_year = date(organisation.today.year - 2, organisation.today.month, 1)
    mean_level = "SELECT avg(level) FROM assessments WHERE assessed_on BETWEEN ? AND ?"
    early = database.scalar(mean_level, [first_year, first_year + timedelta(days=180)])
    late = database.scalar(mean_level, [organisation.today - timedelta(days=180), organisation.today])
    assert late > early + 0.3


def test_hr_finds_an_appeal_waiting(demo):
    database, _, hr = demo
    waiting = appeals.appeals_queue(database, hr)
    assert waiting and all(item.status == "appealed" and item.appeal_reason for item in waiting)
