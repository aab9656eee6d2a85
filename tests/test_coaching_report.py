"""The coaching report: integrated share per team and month, level movement from the
assessments, the integrated_coaching_share KPI, each recomputed by hand on crafted data."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from models import areas
from models.access import PermissionDeniedError, Role
from models.auth import load_user
from models.coaching import kpis, report, sessions
from models.db import counting, insert_row
from tests.conftest import add_person
from tests.test_coaching import add_competency, add_team

AT = datetime(2025, 6, 30, 18, 0)
START, END = date(2025, 3, 1), date(2025, 6, 30)


@pytest.fixture
def org(db):
    red, blue = add_team(db, "Red"), add_team(db, "Blue")
    people = {
        "lead": add_person(db, Role.TEAM_LEAD, team_id=red),
        "ann": add_person(db, team_id=red),
        "bob": add_person(db, team_id=red),
        "blue_lead": add_person(db, Role.TEAM_LEAD, team_id=blue),
        "cat": add_person(db, team_id=blue),
        "hr": add_person(db, Role.HR),
        "leader": add_person(db, Role.LEADERSHIP),
        "empathy": add_competency(db, "EMPATHY", "Empathy"),
        "listening": add_competency(db, "ACTIVE_LISTENING", "Active listening"),
    }
    return people


def coach(db, lead, employee, day: date, kind: str, minutes: int) -> None:
    data = {"employee_id": employee.employee_id, "coached_on": day, "kind": kind, "minutes": minutes}
    sessions.record_session(db, lead, {**data, "shared_notes": "Notes."}, at=AT)


@pytest.fixture
def coached(db, org):
    """Red in May: integrated 10, 5 and 15 minutes and one scheduled hour; in June one scheduled
    half hour. Blue in May: one integrated session of 10 minutes."""
    lead, ann, bob = org["lead"], org["ann"], org["bob"]
    coach(db, lead, ann, date(2025, 5, 2), "integrated", 10)
    coach(db, lead, bob, date(2025, 5, 9), "integrated", 5)
    coach(db, lead, ann, date(2025, 5, 31), "integrated", 15)
    coach(db, lead, bob, date(2025, 5, 20), "scheduled", 60)
    coach(db, lead, ann, date(2025, 6, 3), "scheduled", 30)
    coach(db, org["blue_lead"], org["cat"], date(2025, 5, 14), "integrated", 10)
    return org


def assess(db, assessor, person, competency: int, day: date, level: int, **extra) -> None:
    row = {
        "employee_id": person.employee_id,
        "competency_id": competency,
        "assessed_on": day,
        "level": level,
        "evidence": "Observed on calls.",
        "assessor_id": assessor.employee_id,
        "created_at": AT,
        "updated_at": AT,
        **extra,
    }
    db.write(lambda c: insert_row(c, "assessments", row))


@pytest.fixture
def assessed(db, org):
    """Ann's empathy: novice in March, developing in April, proficient in May raised to expert
    on appeal. Bob's empathy: developing from April. Ann's listening: developing from mid-May.
    Cat's empathy: proficient in April, developing in May."""
    lead, emp, lis = org["lead"], org["empathy"], org["listening"]
    assess(db, lead, org["ann"], emp, date(2025, 3, 10), 1)
    assess(db, lead, org["ann"], emp, date(2025, 4, 20), 2)
    assess(db, lead, org["ann"], emp, date(2025, 5, 5), 3, status="upheld", level_after_appeal=4)
    assess(db, lead, org["bob"], emp, date(2025, 4, 1), 2)
    assess(db, lead, org["ann"], lis, date(2025, 5, 15), 2)
    blue = org["blue_lead"]
    assess(db, blue, org["cat"], emp, date(2025, 4, 10), 3)
    assess(db, blue, org["cat"], emp, date(2025, 5, 10), 2)
    return org


def by_team_month(frame, column: str) -> dict[tuple[str, date], object]:
    return {
        (row.team, row.month.date() if hasattr(row.month, "date") else row.month): getattr(row, column)
        for row in frame.itertuples()
    }


def test_integrated_share_per_team_and_month_by_sessions_and_minutes(db, coached):
    frame = report.integrated_share(db, coached["hr"], START, END)
    assert by_team_month(frame, "sessions") == {
        ("Blue", date(2025, 5, 31)): 1,
        ("Red", date(2025, 5, 31)): 4,
        ("Red", date(2025, 6, 30)): 1,
    }
    shares = by_team_month(frame, "integrated_share")
    assert shares[("Red", date(2025, 5, 31))] == pytest.approx(75.0)  # 3 of 4 sessions
    assert shares[("Red", date(2025, 6, 30))] == pytest.approx(0.0)
    assert shares[("Blue", date(2025, 5, 31))] == pytest.approx(100.0)
    minutes = by_team_month(frame, "integrated_minutes_share")
    assert minutes[("Red", date(2025, 5, 31))] == pytest.approx(33.3)  # 30 of 90 minutes


def test_a_lead_reads_their_own_team_and_an_agent_is_refused(db, coached):
    frame = report.integrated_share(db, coached["lead"], START, END)
    assert set(frame["team"]) == {"Red"}
    assert set(report.integrated_share(db, coached["leader"], START, END)["team"]) == {"Red", "Blue"}
    with pytest.raises(PermissionDeniedError):
        report.integrated_share(db, coached["ann"], START, END)
    with pytest.raises(PermissionDeniedError):
        report.level_movement(db, coached["ann"], START, END)


def test_level_movement_is_the_mean_change_of_current_levels_between_month_ends(db, assessed):
    frame = report.level_movement(db, assessed["hr"], START, END)
    movement = by_team_month(frame, "level_movement")
    counted = by_team_month(frame, "person_competencies")
    # April: only Ann's empathy had a level at the end of March (1 → 2)
    assert (movement[("Red", date(2025, 4, 30))], counted[("Red", date(2025, 4, 30))]) == (1.0, 1)
    # May: Ann's empathy 2 → 4 (upheld on appeal), Bob's 2 → 2; Ann's listening has no April level
    assert (movement[("Red", date(2025, 5, 31))], counted[("Red", date(2025, 5, 31))]) == (1.0, 2)
    # June: nothing reassessed, three person-competencies held their level
    assert (movement[("Red", date(2025, 6, 30))], counted[("Red", date(2025, 6, 30))]) == (0.0, 3)
    assert movement[("Blue", date(2025, 5, 31))] == -1.0
    assert ("Red", date(2025, 3, 31)) not in movement  # no level at the end of February


def test_the_report_table_sets_coaching_beside_movement_and_the_summary_per_team(db, coached, assessed):
    table = report.team_months(db, coached["lead"], START, END)
    row = table[table["month"] == "2025-05-31"].iloc[0]
    assert (row["sessions"], row["integrated_share"], row["level_movement"]) == (4, 75.0, 1.0)
    april = table[table["month"] == "2025-04-30"].iloc[0]
    assert april["sessions"] == 0 and april["level_movement"] == 1.0  # movement without coaching keeps its row
    summary = report.team_summary(db, coached["hr"], START, END).set_index("team")
    assert summary.loc["Red", "integrated_share"] == pytest.approx(60.0)  # 3 of 5
    assert summary.loc["Red", "mean_monthly_level_movement"] == pytest.approx(2 / 3, abs=0.001)  # (1 + 1 + 0) / 3
    assert summary.loc["Blue", "mean_monthly_level_movement"] == pytest.approx(-0.5)  # (0 − 1) / 2


def test_the_kpi_is_the_organisations_integrated_share_per_complete_month(db, coached):
    assert kpis.integrated_coaching_share(db, START, date(2025, 6, 16)) == [(date(2025, 5, 31), 80.0)]
    assert kpis.integrated_coaching_share(db, START, date(2025, 7, 1)) == [
        (date(2025, 5, 31), 80.0),
        (date(2025, 6, 30), 0.0),
    ]
    assert areas.computed_kpis()["integrated_coaching_share"] is kpis.integrated_coaching_share


# -- the movement is the same as the month-by-month computation, whatever the size -----------
FORMER_MOVEMENT_SQL = """
    WITH months AS (
        SELECT last_day(m)::DATE AS month, (date_trunc('month', m) - INTERVAL 1 DAY)::DATE AS previous
        FROM generate_series(date_trunc('month', ?::DATE), date_trunc('month', ?::DATE), INTERVAL 1 MONTH) g(m)
    ),
    team_people AS (
        SELECT e.id AS employee_id, e.team_id, t.name AS team FROM employees e JOIN teams t ON t.id = e.team_id
    ),
    daily AS (
        SELECT a.employee_id, a.competency_id, a.assessed_on,
               arg_max(CASE WHEN a.status = 'upheld' THEN coalesce(a.level_after_appeal, a.level)
                            ELSE a.level END, a.id) AS level
        FROM assessments a JOIN team_people p ON p.employee_id = a.employee_id
        GROUP BY ALL
    ),
    grid AS (
        SELECT pairs.employee_id, pairs.competency_id, months.month, months.previous
        FROM (SELECT DISTINCT employee_id, competency_id FROM daily) pairs CROSS JOIN months
    ),
    at_month_end AS (
        SELECT grid.*, daily.level AS level_end FROM grid ASOF JOIN daily ON grid.employee_id = daily.employee_id
            AND grid.competency_id = daily.competency_id AND grid.month >= daily.assessed_on
    ),
    both_ends AS (
        SELECT at_month_end.*, daily.level AS level_before FROM at_month_end ASOF JOIN daily
            ON at_month_end.employee_id = daily.employee_id AND at_month_end.competency_id = daily.competency_id
            AND at_month_end.previous >= daily.assessed_on
    )
    SELECT p.team_id, p.team, b.month, count(*) AS person_competencies,
           round(avg(b.level_end - b.level_before), 3) AS level_movement
    FROM both_ends b JOIN team_people p ON p.employee_id = b.employee_id
    GROUP BY ALL ORDER BY p.team, b.month
"""
"""Every person, competency and month with the level at both of its ends: the definition read
literally, which the report's query computes without building that grid."""


def the_movement_by_definition(db, start: date, end: date):
    return db.frame(FORMER_MOVEMENT_SQL, [start, end])


def test_the_movement_equals_the_definition_on_crafted_assessments(db, assessed):
    for start, end in ((START, END), (date(2025, 4, 15), date(2025, 5, 2)), (date(2025, 1, 1), date(2025, 12, 31))):
        expected = the_movement_by_definition(db, start, end)
        pd.testing.assert_frame_equal(report.level_movement(db, assessed["hr"], start, end), expected)


def test_the_movement_equals_the_definition_on_the_demo_organisation(seeded_db):
    demo, organisation = seeded_db()
    hr = load_user(demo, employee_id=demo.scalar("SELECT employee_id FROM employee_roles WHERE role = 'hr' LIMIT 1"))
    start, end = organisation.today - timedelta(days=730), organisation.today
    expected = the_movement_by_definition(demo, start, end)
    assert len(expected) > 50 and expected["level_movement"].abs().sum() > 0  # a real test of the demo's data
    pd.testing.assert_frame_equal(report.level_movement(demo, hr, start, end), expected)


def test_the_report_is_remembered_per_reader_and_follows_a_new_assessment(db, assessed):
    """Read twice, the report's figures come from the cache (one statement each, however many
    people), a team lead gets their own team's figures, and a new assessment shows at once."""
    hr, lead = assessed["hr"], assessed["lead"]
    report.team_months(db, hr, START, END)
    report.team_summary(db, hr, START, END)
    with counting() as again:
        report.team_months(db, hr, START, END)
        report.team_summary(db, hr, START, END)
    assert again.statements == 4  # the data versions of each of the four figures, nothing recomputed
    assert set(report.level_movement(db, lead, START, END)["team"]) == {"Red"}
    assess(db, lead, assessed["bob"], assessed["empathy"], date(2025, 6, 2), 4)  # Bob 2 → 4 in June
    movement = by_team_month(report.level_movement(db, hr, START, END), "level_movement")
    assert movement[("Red", date(2025, 6, 30))] == pytest.approx(2 / 3, abs=0.001)  # (0 + 2 + 0) / 3
    pd.testing.assert_frame_equal(report.level_movement(db, hr, START, END), the_movement_by_definition(db, START, END))
