"""Compliance on a reporting day: each state at its boundaries, group compliance recomputed by
hand, the heat map and lists HR acts on, who sees what, and the computed KPI."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.access import PermissionDeniedError, Role
from models.errors import InputError
from models.people import directory
from models.strategy import kpis
from models.training import compliance
from models.training import kpis as training_kpis
from models.training.compliance import Filters
from tests.training_helpers import add_course, assign, cancel, complete, set_employment

R = date(2026, 3, 31)


@pytest.fixture
def hr(make_user):
    return make_user(Role.HR)


@pytest.fixture
def teams(db, hr):
    return directory.create_team(db, hr, "Cards", None), directory.create_team(db, hr, "Loans", None)


def states_on(db, user, day, **filters):
    frame = compliance.assignment_states(db, user, on=day, filters=Filters(**filters))
    return dict(zip(frame["assignment_id"], frame["state"], strict=True))


def validity_on(db, user, assignment_id, day):
    frame = compliance.assignment_states(db, user, on=day)
    return frame.set_index("assignment_id").loc[assignment_id, "validity"]


# -- states at their boundaries ---------------------------------------------------------------
def test_completed_on_the_due_date_is_on_time_and_the_day_after_is_late(db, hr, make_user):
    course = add_course(db)
    due = date(2026, 2, 1)
    on_the_day, day_after = make_user(), make_user()
    first = assign(db, on_the_day.employee_id, course, assigned_on=date(2026, 1, 1), due_on=due)
    second = assign(db, day_after.employee_id, course, assigned_on=date(2026, 1, 1), due_on=due)
    complete(db, on_the_day.employee_id, course, due, closes=first)
    complete(db, day_after.employee_id, course, due + timedelta(days=1), closes=second)
    assert states_on(db, hr, R) == {first: "completed_on_time", second: "completed_late"}


def test_an_open_assignment_is_not_yet_due_on_its_due_date_and_overdue_the_day_after(db, hr, make_user):
    course = add_course(db)
    due = date(2026, 2, 1)
    assignment = assign(db, make_user().employee_id, course, assigned_on=date(2026, 1, 1), due_on=due)
    assert states_on(db, hr, due) == {assignment: "not_yet_due"}
    assert states_on(db, hr, due + timedelta(days=1)) == {assignment: "overdue"}


def test_the_state_on_a_past_day_ignores_what_happened_after_it(db, hr, make_user):
    course = add_course(db)
    person = make_user()
    assignment = assign(db, person.employee_id, course, assigned_on=date(2026, 1, 1), due_on=date(2026, 2, 1))
    complete(db, person.employee_id, course, date(2026, 3, 1), closes=assignment)
    assert states_on(db, hr, date(2026, 2, 15)) == {assignment: "overdue"}
    assert states_on(db, hr, date(2026, 3, 1)) == {assignment: "completed_late"}
    assert states_on(db, hr, date(2025, 12, 31)) == {}  # not assigned yet


def test_a_cancelled_assignment_is_cancelled_from_the_day_it_was_cancelled(db, hr, make_user):
    course = add_course(db)
    assignment = assign(db, make_user().employee_id, course, assigned_on=date(2026, 1, 1), due_on=date(2026, 2, 1))
    cancel(db, assignment, date(2026, 3, 10))
    assert states_on(db, hr, date(2026, 3, 9)) == {assignment: "overdue"}
    assert states_on(db, hr, date(2026, 3, 10)) == {assignment: "cancelled"}


def test_a_completion_expiring_in_30_days_is_expiring_in_31_valid_and_today_expired(db, hr, make_user):
    course = add_course(db, refresher_months=12)
    person = make_user()
    assignment = assign(db, person.employee_id, course, assigned_on=date(2025, 3, 1), due_on=date(2025, 4, 1))
    complete(db, person.employee_id, course, date(2025, 3, 15), closes=assignment)  # expires 2026-03-15
    expires = date(2026, 3, 15)
    assert validity_on(db, hr, assignment, expires - timedelta(days=31)) == "valid"
    assert validity_on(db, hr, assignment, expires - timedelta(days=30)) == "expiring"
    assert validity_on(db, hr, assignment, expires - timedelta(days=1)) == "expiring"
    assert validity_on(db, hr, assignment, expires) == "expired"
    assert states_on(db, hr, expires) == {assignment: "completed_on_time"}  # it was done on time all the same


def test_a_course_without_refresher_never_expires(db, hr, make_user):
    course = add_course(db)
    person = make_user()
    assignment = assign(db, person.employee_id, course, assigned_on=date(2020, 1, 1), due_on=date(2020, 2, 1))
    complete(db, person.employee_id, course, date(2020, 1, 10), closes=assignment)
    assert validity_on(db, hr, assignment, R) is None
    assert compliance.group_compliance(db, hr, on=R).rate == 100.0


def test_a_refresher_completed_after_expiry_makes_the_person_valid_again_and_stays_late(db, hr, make_user):
    course = add_course(db, refresher_months=12)
    person = make_user()
    first = assign(db, person.employee_id, course, assigned_on=date(2025, 1, 1), due_on=date(2025, 2, 1))
    complete(db, person.employee_id, course, date(2025, 1, 20), closes=first)  # expires 2026-01-20
    refresher = assign(
        db, person.employee_id, course, assigned_on=date(2025, 12, 21), due_on=date(2026, 1, 20), reason="refresher"
    )
    gap = date(2026, 2, 5)
    assert states_on(db, hr, gap) == {first: "completed_on_time", refresher: "overdue"}
    assert validity_on(db, hr, first, gap) == "expired"
    assert compliance.group_compliance(db, hr, on=gap) == compliance.Compliance(0, 2, 1, 0)

    complete(db, person.employee_id, course, date(2026, 2, 10), closes=refresher)
    after = date(2026, 3, 1)
    assert states_on(db, hr, after) == {first: "completed_on_time", refresher: "completed_late"}
    assert validity_on(db, hr, first, after) == "valid"
    assert validity_on(db, hr, refresher, after) == "valid"
    # the first assignment counts again; the refresher stays late
    assert compliance.group_compliance(db, hr, on=after) == compliance.Compliance(1, 2, 0, 0)
    assert states_on(db, hr, gap)[first] == "completed_on_time"  # the past is as it was


# -- group compliance by hand ----------------------------------------------------------------------
@pytest.fixture
def crafted(db, hr, make_user, teams):
    """A mandatory course in two teams, with one case of every kind, reported on R."""
    cards, loans = teams
    course = add_course(db, title="Active listening")
    optional = add_course(db, title="Optional extra")
    start, due = date(2026, 1, 5), date(2026, 2, 28)
    people = {name: make_user(team_id=cards if index % 2 == 0 else loans) for index, name in enumerate(NAMES)}
    ids = {
        name: assign(db, people[name].employee_id, course, assigned_on=start, due_on=due)
        for name in NAMES
        if name != "optional"
    }
    ids["optional"] = assign(
        db, people["optional"].employee_id, optional, assigned_on=start, due_on=due, mandatory=False
    )
    complete(db, people["on_time"].employee_id, course, date(2026, 2, 20), closes=ids["on_time"])
    complete(db, people["late"].employee_id, course, date(2026, 3, 2), closes=ids["late"])
    complete(db, people["optional"].employee_id, optional, date(2026, 2, 1), closes=ids["optional"])
    db.write(
        lambda c: c.execute("UPDATE training_assignments SET due_on = ? WHERE id = ?", [R + timedelta(1), ids["later"]])
    )
    cancel(db, ids["cancelled"], R - timedelta(days=10))
    cancel(db, ids["cancelled_after"], R + timedelta(days=5))
    set_employment(db, people["hired_after"].employee_id, hired=R + timedelta(days=1))
    set_employment(db, people["left"].employee_id, left=R - timedelta(days=1))
    return people, ids, course


# cards: on_time, overdue, cancelled, hired_after, cancelled_after; loans: late, later, left, optional
NAMES = ("on_time", "late", "overdue", "later", "cancelled", "left", "hired_after", "optional", "cancelled_after")


def test_group_compliance_counts_only_what_rule_7_counts(db, hr, crafted):
    # due by R, not cancelled, employed, mandatory: on_time, late, overdue, cancelled_after
    figures = compliance.group_compliance(db, hr, on=R)
    assert (figures.compliant, figures.due, figures.overdue) == (1, 4, 2)
    assert figures.rate == 25.0


def test_the_heat_map_gives_each_team_and_course_its_counts(db, hr, crafted, teams):
    cells = compliance.heat_map(db, hr, on=R)
    by_team = {row.team: row for row in cells.itertuples()}
    assert set(by_team) == {"Cards", "Loans"}  # the optional course is no cell
    cards, loans = by_team["Cards"], by_team["Loans"]
    assert (cards.compliant, cards.due, cards.overdue, cards.compliance) == (1, 3, 2, 33.3)
    assert (loans.compliant, loans.due, loans.overdue, loans.compliance) == (0, 1, 0, 0.0)
    only_loans = compliance.heat_map(db, hr, on=R, filters=Filters(team_id=teams[1]))
    assert list(only_loans["team"]) == ["Loans"]


def test_the_team_summary_adds_up_to_the_whole(db, hr, crafted):
    summary = compliance.team_summary(db, hr, on=R).set_index("team")
    assert list(summary.index) == ["Cards", "Loans", "All teams"]
    assert summary.loc["All teams", "due"] == 4 and summary.loc["All teams", "compliance"] == 25.0


def test_the_overdue_list_names_people_and_days(db, hr, crafted):
    people, _, _ = crafted
    rows = compliance.overdue_list(db, hr, on=R)
    assert sorted(rows["person"]) == sorted([people["overdue"].full_name, people["cancelled_after"].full_name])
    assert set(rows["days_overdue"]) == {31}  # due 28 February, reported 31 March
    assert people["left"].full_name not in set(rows["person"])


def test_the_expiring_list_names_people_with_the_days_left(db, hr, make_user, teams):
    course = add_course(db, refresher_months=12, title="Empathy")
    soon, later = make_user(team_id=teams[0]), make_user(team_id=teams[0])
    for person, day in ((soon, date(2025, 4, 10)), (later, date(2025, 6, 1))):
        assignment = assign(db, person.employee_id, course, assigned_on=date(2025, 3, 1), due_on=date(2025, 7, 1))
        complete(db, person.employee_id, course, day, closes=assignment)
    refresher = assign(db, soon.employee_id, course, assigned_on=date(2026, 3, 11), due_on=date(2026, 4, 10))
    rows = compliance.expiring_list(db, hr, on=R)
    assert list(rows["person"]) == [soon.full_name]
    assert rows["days_left"].iloc[0] == 10 and rows["refresher_due_on"].iloc[0].date() == date(2026, 4, 10)
    assert compliance.heat_map(db, hr, on=R)["expiring"].tolist() == [1]
    assert refresher in states_on(db, hr, R)


def test_a_transcript_has_everything_assigned_and_completed(db, hr, make_user):
    course, other = add_course(db, refresher_months=12), add_course(db)
    person = make_user()
    done = assign(db, person.employee_id, course, assigned_on=date(2024, 1, 1), due_on=date(2024, 2, 1))
    complete(db, person.employee_id, course, date(2024, 1, 15), closes=done, score=81)
    assign(db, person.employee_id, other, assigned_on=date(2026, 3, 1), due_on=date(2026, 4, 5))
    complete(db, person.employee_id, other, date(2026, 3, 2), passed=False, score=40)
    record = compliance.transcript(db, hr, person.employee_id, on=R)
    assignments = record.assignments.set_index("state")
    assert assignments.loc["completed_on_time", "validity"] == "expired"
    assert assignments.loc["completed_on_time", "score"] == 81
    assert assignments.loc["not_yet_due", "days_to_due"] == 5
    assert sorted(record.completions["status"]) == ["expired", "failed"]


# -- who sees what ----------------------------------------------------------------------------------
@pytest.fixture
def team_data(db, make_user, teams):
    cards, loans = teams
    lead = make_user(Role.TEAM_LEAD, team_id=cards)
    mine, teammate, elsewhere = make_user(team_id=cards), make_user(team_id=cards), make_user(team_id=loans)
    course = add_course(db)
    for person in (lead, mine, teammate, elsewhere):
        assign(db, person.employee_id, course, assigned_on=date(2026, 1, 1), due_on=date(2026, 2, 1))
    return lead, mine, teammate, elsewhere


def people_seen(db, user):
    return set(compliance.assignment_states(db, user, on=R)["employee_id"])


def test_an_agent_sees_only_their_own_training(db, team_data):
    lead, mine, teammate, elsewhere = team_data
    agent = mine  # no role but the agent's
    assert people_seen(db, agent) == {mine.employee_id}
    assert set(compliance.overdue_list(db, agent, on=R)["person"]) == {mine.full_name}
    assert compliance.group_compliance(db, agent, on=R).due == 1
    assert compliance.transcript(db, agent, mine.employee_id, on=R).full_name == mine.full_name
    with pytest.raises(PermissionDeniedError):
        compliance.transcript(db, agent, teammate.employee_id, on=R)
    assert [person["id"] for person in compliance.people_in_view(db, agent)] == [mine.employee_id]


def test_a_team_lead_sees_their_team_and_themselves(db, team_data):
    lead, mine, teammate, elsewhere = team_data
    assert people_seen(db, lead) == {lead.employee_id, mine.employee_id, teammate.employee_id}
    assert set(compliance.heat_map(db, lead, on=R)["team"]) == {"Cards"}
    assert compliance.transcript(db, lead, teammate.employee_id, on=R).employee_id == teammate.employee_id
    with pytest.raises(PermissionDeniedError):
        compliance.transcript(db, lead, elsewhere.employee_id, on=R)
    assert elsewhere.employee_id not in {person["id"] for person in compliance.people_in_view(db, lead)}


def test_a_team_lead_without_a_team_sees_only_themselves(db, make_user, team_data):
    lead = make_user(Role.TEAM_LEAD)
    assign(db, lead.employee_id, add_course(db), assigned_on=date(2026, 1, 1), due_on=date(2026, 2, 1))
    assert people_seen(db, lead) == {lead.employee_id}


@pytest.mark.parametrize("role", [Role.HR, Role.LEADERSHIP])
def test_hr_and_leadership_see_everyone(db, make_user, team_data, role):
    reader = make_user(role)
    assert people_seen(db, reader) == {person.employee_id for person in team_data}
    assert compliance.transcript(db, reader, team_data[3].employee_id, on=R).assignments["state"].tolist() == [
        "overdue"
    ]


@pytest.mark.parametrize("role", [Role.ANALYST, Role.MODERATOR, Role.ADMIN])
def test_other_roles_see_only_their_own(db, make_user, team_data, role):
    reader = make_user(role, team_id=team_data[0].team_id)
    assert people_seen(db, reader) == set()
    with pytest.raises(PermissionDeniedError):
        compliance.transcript(db, reader, team_data[1].employee_id, on=R)


# -- the KPI ------------------------------------------------------------------------------------------
def kpi_data(db, make_user):
    course = add_course(db, refresher_months=2)
    on_time, late = make_user(), make_user()
    first = assign(db, on_time.employee_id, course, assigned_on=date(2026, 1, 5), due_on=date(2026, 2, 10))
    second = assign(db, late.employee_id, course, assigned_on=date(2026, 1, 5), due_on=date(2026, 1, 31))
    complete(db, on_time.employee_id, course, date(2026, 2, 1), closes=first)  # valid until 1 April
    complete(db, late.employee_id, course, date(2026, 2, 15), closes=second)


def test_the_kpi_is_compliance_at_each_complete_month_end(db, make_user):
    kpi_data(db, make_user)
    series = training_kpis.training_compliance(db, date(2025, 12, 1), date(2026, 6, 15))
    assert series == [
        (date(2026, 1, 31), 0.0),  # only the late one was due, still open
        (date(2026, 2, 28), 50.0),
        (date(2026, 3, 31), 50.0),
        (date(2026, 4, 30), 0.0),  # the on-time completion expired on 1 April
        (date(2026, 5, 31), 0.0),
    ]  # December had nothing due; June is not complete


def test_the_kpi_agrees_with_group_compliance_on_each_month_end(db, make_user, hr, crafted):
    kpi_data(db, make_user)
    for month_end, value in training_kpis.training_compliance(db, date(2026, 1, 1), date(2026, 7, 1)):
        assert compliance.group_compliance(db, hr, on=month_end).rate == value


def test_the_kpi_is_computed_and_refused_by_hand(db, make_user):
    kpi_data(db, make_user)
    leader = make_user(Role.LEADERSHIP)
    kpi = kpis.kpi_by_code(db, "training_compliance")
    assert kpi.computed
    series = kpis.kpi_series(db, kpi, start=date(2026, 1, 1), end=date(2026, 3, 5))
    assert [(point.measured_on, point.value, point.source) for point in series] == [
        (date(2026, 1, 31), 0.0, "computed"),
        (date(2026, 2, 28), 50.0, "computed"),
    ]
    with pytest.raises(InputError, match="computed by the portal"):
        kpis.record_measurement(db, leader, {"kpi_id": kpi.id, "measured_on": date(2026, 1, 31), "value": 90})
    report = kpis.import_measurements(db, leader, "kpi,date,value\ntraining_compliance,2026-01-31,90\n")
    assert report.imported == 0 and "computed by the portal" in report.rejected[0][2]


def test_my_training_sorts_my_own_assignments_into_overdue_due_expiring_and_completed(db, make_user):
    me, colleague = make_user(), make_user()
    refresher_course, late_course, new_course = add_course(db, refresher_months=12), add_course(db), add_course(db)
    done = assign(db, me.employee_id, refresher_course, assigned_on=date(2025, 3, 1), due_on=date(2025, 4, 30))
    complete(db, me.employee_id, refresher_course, date(2025, 4, 20), closes=done)  # expires 20 April
    assign(db, me.employee_id, late_course, assigned_on=date(2026, 1, 1), due_on=date(2026, 3, 21))
    assign(db, me.employee_id, new_course, assigned_on=date(2026, 3, 20), due_on=date(2026, 4, 19))
    assign(db, colleague.employee_id, new_course, assigned_on=date(2026, 1, 1), due_on=date(2026, 2, 1))
    mine = compliance.my_training(db, me, on=R)
    assert mine.overdue["days_overdue"].tolist() == [10]
    assert mine.due["days_left"].tolist() == [19]
    assert mine.expiring["days_left"].tolist() == [20]
    assert mine.completed["state"].tolist() == ["completed_on_time"]


def test_the_demo_training_goal_starts_from_the_computed_series(db, make_user):
    from random import Random

    from models.seeding import DemoOrganisation
    from models.strategy import goals, vision
    from models.strategy.demo import computed_goals_step

    kpi_data(db, make_user)
    leader = make_user(Role.LEADERSHIP)
    priority = vision.create_priority(db, leader, {"title": "People", "description": "Skills", "position": 1})
    kpi = kpis.kpi_by_code(db, "training_compliance")
    data = {
        "name": "Mandatory training 95 % on time",
        "priority_id": priority,
        "kpi_id": kpi.id,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "baseline_value": 78,
        "baseline_date": date(2026, 1, 1),
        "target_value": 95,
        "target_date": date(2026, 12, 31),
        "owner_id": leader.employee_id,
        "update_frequency": "monthly",
    }
    goal_id = goals.create_goal(db, leader, data)
    person = {"id": leader.employee_id, "full_name": leader.full_name, "email": leader.email, "team_id": None}
    org = DemoOrganisation(
        rng=Random(1), scale=1, today=date(2026, 3, 5), employees=[{**person, "roles": [Role.LEADERSHIP]}]
    )
    org.logins[Role.LEADERSHIP] = leader.employee_id
    computed_goals_step(db, org, lambda share, text: None)
    goal = goals.get_goal(db, goal_id)
    assert (goal.baseline_date, goal.baseline_value, goal.target_value) == (date(2026, 1, 31), 0.0, 95)
