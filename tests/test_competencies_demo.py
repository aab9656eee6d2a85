"""The competencies and coaching demo as a reader of the portal sees it: appeals fall after the
framework's introduction, team leads coach in clearly different styles, levels progress
(faster where coaching is integrated) and HR finds an appeal waiting."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from models.access import Role
from models.auth import load_user
from models.coaching import report
from models.competencies import appeals, framework, matrix


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


def the_former_matrix_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The matrix table as the page built it from every person's rows at once."""
    return (
        frame.assign(team_name=frame["team_name"].fillna("No team"))
        .pivot_table(index=["team_name", "full_name"], columns="competency", values="level", aggfunc="first")
        .reset_index()
    )


def by_competency(gaps: pd.DataFrame) -> pd.DataFrame:
    columns = ["competency_id", "competency", "people_below", "employee_ids", "courses"]
    counts = {"competency_id": "int64", "people_below": "int64"}
    return gaps[columns].sort_values("competency_id").reset_index(drop=True).astype(counts)


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.TEAM_LEAD])
def test_the_matrix_a_page_at_a_time_and_its_gaps_hold_the_figures_of_the_whole_matrix(demo, role):
    """Read a page of people at a time, with the gaps counted in the database, the matrix shows
    the same levels and the same people below requirement as computed from everyone's rows."""
    database, organisation, _ = demo
    reader = load_user(database, employee_id=organisation.logins[role])
    teams = [None, reader.team_id] if role is Role.LEADERSHIP else [reader.team_id]
    for team_id in teams:
        whole = matrix.skills_matrix(database, reader, team_id=team_id)
        people = matrix.matrix_people(database, reader, team_id=team_id)
        assert people == whole["employee_id"].nunique() > 0
        pages = [
            matrix.as_table(matrix.matrix_page(database, reader, team_id=team_id, first=first, size=20))
            for first in range(0, people, 20)
        ]
        shown = pd.concat(pages, ignore_index=True)
        pd.testing.assert_frame_equal(shown, the_former_matrix_table(whole), check_names=False)
        gaps = matrix.team_gaps(database, reader, team_id=team_id)
        assert gaps["people_below"].sum() > 0
        pd.testing.assert_frame_equal(by_competency(gaps), by_competency(matrix.gaps_in(database, whole)))
