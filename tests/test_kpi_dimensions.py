"""KPIs by channel, team and site: measurements carry a slice, a goal targets one and counts only
its values, the CSV import reads the columns, computed KPIs split; the catalogue's new KPIs and
attrition and early attrition from the people data on hand cases."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from models import areas
from models.access import PermissionDeniedError, Role
from models.db import insert_row
from models.errors import InputError
from models.people import kpis as people_kpis
from models.strategy import goals, kpis, vision
from tests.test_customer_surveys import answers_file, run_import

TODAY = date.today()


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADERSHIP)


@pytest.fixture
def org(db):
    """Two sites, a team at each."""

    def build(connection):
        site_ids = [insert_row(connection, "sites", {"name": n}) for n in ("North", "South")]
        team_ids = [
            insert_row(connection, "teams", {"name": n, "site_id": s})
            for n, s in (("Alpha", site_ids[0]), ("Bravo", site_ids[1]))
        ]
        return {"sites": site_ids, "teams": team_ids}

    return db.write(build)


@pytest.fixture
def priority_id(db, leader):
    return vision.create_priority(db, leader, {"title": "Effortless service", "position": 1})


def goal_data(db, priority_id, owner_id, kpi_code="fcr", **overrides):
    kpi = kpis.kpi_by_code(db, kpi_code)
    return {
        "name": "First-contact resolution",
        "priority_id": priority_id,
        "kpi_id": kpi.id,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "baseline_value": 70,
        "baseline_date": TODAY - timedelta(days=100),
        "target_value": 85,
        "target_date": TODAY + timedelta(days=100),
        "owner_id": owner_id,
        "update_frequency": "monthly",
    } | overrides


def measure(db, actor, value, days_ago=2, kpi_code="fcr", **slice_and_goal):
    kpi = kpis.kpi_by_code(db, kpi_code)
    data = {"kpi_id": kpi.id, "measured_on": TODAY - timedelta(days=days_ago), "value": value} | slice_and_goal
    return kpis.record_measurement(db, actor, data)


# -- goals on a channel, team or site -----------------------------------------------------------
def test_a_chat_goal_counts_only_chat_values_and_the_organisation_goal_only_organisation_values(
    db, leader, priority_id
):
    chat = goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id, name="On chat", channel="chat"))
    whole = goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id, name="Everywhere"))
    measure(db, leader, 90, days_ago=1)  # the organisation: achieved for the whole, nothing for chat
    assert goals.get_goal(db, whole).status.status == "achieved"
    assert goals.get_goal(db, chat).status.status == "stale"
    measure(db, leader, 66, days_ago=0, channel="Chat")  # chat moved the wrong way; newer than the organisation's
    chat_goal, whole_goal = goals.get_goal(db, chat), goals.get_goal(db, whole)
    assert (chat_goal.status.status, chat_goal.status.current_value) == ("off_track", 66)
    assert (whole_goal.status.status, whole_goal.status.current_value) == ("achieved", 90)
    assert [p.value for p in goals.goal_series(db, chat_goal)] == [66]
    assert [p.value for p in goals.goal_series(db, whole_goal)] == [90]


def test_a_team_goal_ignores_the_team_on_a_channel_and_other_teams(db, leader, priority_id, org):
    alpha, bravo = org["teams"]
    goal_id = goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id, team_id=alpha))
    measure(db, leader, 95, team_id=bravo)
    measure(db, leader, 95, team_id=alpha, channel="Phone")  # Alpha on the phone is not Alpha
    assert goals.get_goal(db, goal_id).status.status == "stale"
    measure(db, leader, 77, team_id=alpha)
    goal = goals.get_goal(db, goal_id)
    assert goal.status.current_value == 77 and goal.status.status == "on_track"
    assert goal.scope_label == "team Alpha"
    assert goal.headline == f"First-contact resolution team Alpha ≥ 85 % by {goal.target_date:%Y-%m-%d}"


def test_a_goal_targets_one_existing_dimension_that_its_kpi_is_computed_by(db, leader, priority_id, org):
    cases = [
        ({"channel": "Chat", "site_id": org["sites"][0]}, "Site"),
        ({"team_id": 999}, "Team"),
        ({"site_id": 999}, "Site"),
        ({"kpi_code": "attrition", "channel": "Chat", "direction": "lower", "target_value": 60}, "KPI"),
    ]
    for overrides, field in cases:
        with pytest.raises(InputError) as caught:
            goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id, **overrides))
        assert field in [name for name, _ in caught.value.problems], overrides
    assert db.scalar("SELECT count(*) FROM goals") == 0
    site_goal = goals.create_goal(
        db,
        leader,
        goal_data(
            db,
            priority_id,
            leader.employee_id,
            kpi_code="attrition",
            direction="lower",
            target_value=10,
            site_id=org["sites"][1],
        ),
    )
    assert goals.get_goal(db, site_goal).scope_label == "site South"


def test_a_value_for_a_goal_must_be_of_its_slice_and_teams_must_exist(db, leader, priority_id, org):
    chat = goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id, channel="Chat"))
    with pytest.raises(InputError) as caught:
        measure(db, leader, 80, goal_id=chat)  # no channel: it would count for no goal
    assert caught.value.problems[0][0] == "Goal"
    with pytest.raises(InputError) as caught:
        measure(db, leader, 80, team_id=999)
    assert caught.value.problems[0][0] == "Team"
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 0
    measure(db, leader, 80, goal_id=chat, channel="chat")
    assert goals.get_goal(db, chat).status.current_value == 80


# -- the CSV import --------------------------------------------------------------------------
def test_the_import_reads_channel_team_and_site_by_name_or_id(db, leader, priority_id, org):
    alpha = org["teams"][0]
    chat = goals.create_goal(
        db, leader, goal_data(db, priority_id, leader.employee_id, name="FCR chat", channel="Chat")
    )
    day = (TODAY - timedelta(days=1)).isoformat()
    report = kpis.import_measurements(
        db,
        leader,
        "kpi,goal,date,value,channel,team,site\n"
        f"fcr,,{day},71,,alpha,\n"
        f"fcr,,{day},72,,,{org['sites'][1]}\n"
        f"fcr,,{day},73,Email,,\n"
        f",FCR chat,{day},74,,,\n",  # a goal's row without a slice is of the goal's
    )
    assert report.rejected == [] and report.imported == 4
    rows = db.query("SELECT value, channel, team_id, site_id FROM kpi_measurements ORDER BY value")
    assert [(r["channel"], r["team_id"], r["site_id"]) for r in rows] == [
        (None, alpha, None),
        (None, None, org["sites"][1]),
        ("Email", None, None),
        ("Chat", None, None),
    ]
    assert goals.get_goal(db, chat).status.current_value == 74


def test_an_unknown_team_or_site_is_a_row_error_naming_the_column_and_nothing_is_stored(db, leader, org):
    day = (TODAY - timedelta(days=1)).isoformat()
    report = kpis.import_measurements(
        db, leader, f"kpi,date,value,team,site\nfcr,{day},71,Alpha,\nfcr,{day},72,Zulu,\nfcr,{day},73,,Atlantis\n"
    )
    assert report.imported == 0
    assert [(row, column) for row, column, _ in report.rejected] == [(3, "team"), (4, "site")]
    assert "Zulu" in report.rejected[0][2]
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 0


# -- charts split by channel, team or site ------------------------------------------------------
def test_the_split_chart_has_one_line_per_team_from_team_values_only(db, leader, priority_id, org):
    goal_id = goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id))
    measure(db, leader, 70, team_id=org["teams"][0])
    measure(db, leader, 60, team_id=org["teams"][1])
    measure(db, leader, 50, team_id=org["teams"][1], channel="Chat")  # neither a team's nor a channel's line
    measure(db, leader, 65)
    goal = goals.get_goal(db, goal_id)
    lines = {(p.label, p.value) for p in goals.goal_split_series(db, goal, "team")}
    assert lines == {("Alpha", 70), ("Bravo", 60)}
    assert goals.goal_split_series(db, goal, "channel") == []


def test_computed_csat_splits_by_channel_team_and_site_and_a_chat_goal_reads_chat(
    db, leader, priority_id, org, make_user, tmp_path
):
    month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=10)  # in the last complete month
    rows = [(month.isoformat(), "Chat", "Alpha", "CSAT", s) for s in (5, 5, 4, 2)]  # 75 %
    rows += [(month.isoformat(), "Email", "Bravo", "CSAT", s) for s in (5, 1, 1, 2)]  # 25 %
    run_import(db, make_user(Role.ANALYST), answers_file(tmp_path, rows))
    split = areas.split_kpis()["csat"]
    start = month.replace(day=1)
    assert {(key, value) for _, key, value in split.compute(db, start, TODAY, "channel")} == {
        ("Chat", 75.0),
        ("Email", 25.0),
    }
    assert {(key, value) for _, key, value in split.compute(db, start, TODAY, "site")} == {
        (org["sites"][0], 75.0),
        (org["sites"][1], 25.0),
    }
    data = goal_data(
        db, priority_id, leader.employee_id, kpi_code="csat", channel="chat", baseline_value=60, target_value=80
    )
    goal = goals.get_goal(db, goals.create_goal(db, leader, data))
    assert goal.status.current_value == 75.0  # chat alone; the organisation is 50 %
    whole = kpis.kpi_series(db, kpis.kpi_by_code(db, "csat"), start=start)
    assert [p.value for p in whole] == [50.0]
    lines = {(p.label, p.value) for p in goals.goal_split_series(db, goal, "team")}
    assert lines == {("Alpha", 75.0), ("Bravo", 25.0)}


# -- who may write ---------------------------------------------------------------------------
def test_only_kpi_recorders_record_values_in_bulk(db, leader, make_user, org):
    row = {
        "kpi_id": kpis.kpi_by_code(db, "quality_score").id,
        "measured_on": TODAY,
        "value": 80,
        "team_id": org["teams"][0],
    }
    for role in (Role.AGENT, Role.TEAM_LEAD, Role.ANALYST, Role.HR):
        with pytest.raises(PermissionDeniedError):
            kpis.record_measurements(db, make_user(role), [row])
    with pytest.raises(InputError) as caught:
        kpis.record_measurements(db, leader, [row, row | {"team_id": 999}])
    assert caught.value.problems[0][0] == "Team"
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 0  # all or none
    ids = kpis.record_measurements(db, leader, [row, row | {"team_id": org["teams"][1]}])
    assert len(ids) == 2
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'kpi_measurement' AND action = 'create'") == 2


# -- the catalogue ---------------------------------------------------------------------------
def test_the_catalogue_has_the_operations_kpis_and_the_computed_people_kpis(db):
    catalogue = {k.code: k for k in kpis.list_kpis(db)}
    expected = {
        "call_transfer_rate": ("%", "lower"),
        "hold_time": ("seconds", "lower"),
        "speed_of_answer": ("seconds", "lower"),
        "cost_per_contact": ("currency / contact", "lower"),
        "ticket_backlog": ("open tickets", "lower"),
        "quality_score": ("%", "higher"),
        "contacts_per_hour": ("contacts / hour", "higher"),
        "attrition": ("%", "lower"),
        "early_attrition": ("%", "lower"),
    }
    for code, (unit, direction) in expected.items():
        assert (catalogue[code].unit, catalogue[code].direction) == (unit, direction)
        assert catalogue[code].definition
    assert catalogue["attrition"].computed and catalogue["early_attrition"].computed
    assert not catalogue["hold_time"].computed
    assert catalogue["attrition"].computed_dimensions == ("team", "site")


# -- attrition and early attrition on hand cases ---------------------------------------------------
def person(db, team_id, site_id, hired: date, left: date | None = None) -> int:
    def insert(connection):
        number = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM employees").fetchone()[0]
        connection.execute(
            "INSERT INTO employees (id, employee_number, full_name, email, team_id, site_id, hire_date, active,"
            " deactivated_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                number,
                f"H{number}",
                f"Person {number}",
                f"h{number}@example.org",
                team_id,
                site_id,
                hired,
                left is None,
                datetime.combine(left, datetime.min.time()) if left else None,
                datetime.now(),
                datetime.now(),
            ],
        )
        return number

    return db.write(insert)


def test_a_year_without_leavers_is_zero_attrition_and_has_no_early_attrition(db, org):
    for _ in range(4):
        person(db, org["teams"][0], org["sites"][0], date(2020, 1, 1))
    assert people_kpis.attrition(db, date(2024, 3, 1), date(2024, 3, 31)) == [(date(2024, 3, 31), 0.0)]
    assert people_kpis.early_attrition(db, date(2024, 3, 1), date(2024, 3, 31)) == []


def test_attrition_divides_leavers_by_the_average_headcount_with_joiners_and_leavers(db, org):
    alpha, bravo = org["teams"]
    north, south = org["sites"]
    for _ in range(3):
        person(db, alpha, north, date(2020, 1, 1))  # 3 all year
    person(db, alpha, north, date(2024, 7, 1))  # joins: counted at 6 of the 12 month ends (Jul-Dec)
    person(db, bravo, south, date(2020, 1, 1), left=date(2024, 4, 15))  # leaves: counted at 3 month ends (Jan-Mar)
    # the month ends of 2024: 3 + 6/12 + 3/12 = 3.75 on average; 1 leaver -> 26.67 %
    series = dict(people_kpis.attrition(db, date(2024, 12, 1), date(2024, 12, 31)))
    assert series == {date(2024, 12, 31): pytest.approx(26.67)}
    by_site = {
        key: value for _, key, value in people_kpis.attrition_by(db, date(2024, 12, 1), date(2024, 12, 31), "site")
    }
    assert by_site == {north: 0.0, south: pytest.approx(400.0)}  # south: 1 leaver, 3/12 average headcount
    # the leaver is no longer counted 12 months after leaving
    assert dict(people_kpis.attrition(db, date(2025, 4, 1), date(2025, 4, 30)))[date(2025, 4, 30)] == 0.0


def test_early_attrition_is_the_share_of_leavers_gone_within_90_days_of_hire(db, org):
    alpha, north = org["teams"][0], org["sites"][0]
    person(db, alpha, north, date(2020, 1, 1))
    person(db, alpha, north, date(2024, 2, 1), left=date(2024, 5, 1))  # 90 days after hire: early
    person(db, alpha, north, date(2024, 2, 1), left=date(2024, 5, 2))  # 91 days: not early
    person(db, alpha, north, date(2024, 3, 1), left=date(2024, 3, 20))  # early
    series = dict(people_kpis.early_attrition(db, date(2024, 5, 1), date(2024, 6, 30)))
    assert series == {date(2024, 5, 31): pytest.approx(66.67), date(2024, 6, 30): pytest.approx(66.67)}
    assert dict(people_kpis.early_attrition(db, date(2024, 4, 1), date(2024, 4, 30))) == {date(2024, 4, 30): 100.0}
    assert people_kpis.attrition_by(db, date(2024, 5, 1), date(2024, 5, 31), "team")[0][1] == alpha
    with pytest.raises(ValueError, match="channel"):
        people_kpis.attrition_by(db, date(2024, 5, 1), date(2024, 5, 31), "channel")


# -- the demo ------------------------------------------------------------------------------
def test_the_demo_has_a_chat_goal_and_team_results_that_follow_the_coaching_mix(seeded_db):
    from models.coaching import report

    db, org = seeded_db()
    seeded = goals.list_goals(db, today=org.today)
    chat = next(g for g in seeded if g.channel == "Chat")
    assert chat.kpi_code == "csat" and chat.headline.startswith("Customer satisfaction (CSAT) on Chat ≥ 85 %")
    chat_values = [p.value for p in goals.goal_series(db, chat, today=org.today)]
    whole_values = [
        p.value for p in kpis.kpi_series(db, kpis.kpi_by_code(db, "csat"), start=chat.baseline_date, end=org.today)
    ]
    assert chat_values and chat_values != whole_values  # the chat goal reads chat's answers alone
    assert chat.status.current_value == chat_values[-1]
    team_goal = next(g for g in seeded if g.team_id is not None)
    assert team_goal.status.last_measured_on is not None  # the team's own monthly values

    leader = org.user(org.logins[Role.LEADERSHIP])
    table = report.team_kpis(db, leader, org.today - timedelta(days=365), org.today)
    assert len(table) == len(org.team_ids)
    mostly_integrated = table[table["integrated_share"] >= 50]
    mostly_scheduled = table[table["integrated_share"] < 50]
    assert not mostly_integrated.empty and not mostly_scheduled.empty
    assert mostly_integrated["quality_score"].min() > mostly_scheduled["quality_score"].max()
    assert (
        mostly_integrated["contacts_per_hour_vs_average"].min()
        > 0
        > mostly_scheduled["contacts_per_hour_vs_average"].max()
    )


def test_goals_on_many_teams_of_a_computed_kpi_read_its_figures_once(db, leader, priority_id, org, make_user, tmp_path):
    from models.db import counting

    month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=10)  # in the last complete month
    rows = [(month.isoformat(), "Chat", "Alpha", "CSAT", s) for s in (5, 5, 4, 2)]  # 75 %
    rows += [(month.isoformat(), "Email", "Bravo", "CSAT", s) for s in (5, 1, 1, 2)]  # 25 %
    run_import(db, make_user(Role.ANALYST), answers_file(tmp_path, rows))
    alpha, bravo = org["teams"]

    def csat_goal(name: str, team_id: int) -> None:
        data = goal_data(db, priority_id, leader.employee_id, kpi_code="csat", name=name, team_id=team_id)
        goals.create_goal(db, leader, data | {"baseline_value": 20, "target_value": 90})

    def statements_of_the_goal_list() -> int:
        goals.list_goals(db)  # the figures remembered, as on any later page run
        with counting() as counter:
            goals.list_goals(db)
        return counter.statements

    csat_goal("CSAT of Alpha", alpha)
    one = statements_of_the_goal_list()
    csat_goal("CSAT of Bravo", bravo)
    csat_goal("CSAT of Alpha, stretched", alpha)
    assert statements_of_the_goal_list() == one
    current = {goal.name: goal.status.current_value for goal in goals.list_goals(db)}
    assert current == {"CSAT of Alpha": 75.0, "CSAT of Alpha, stretched": 75.0, "CSAT of Bravo": 25.0}
