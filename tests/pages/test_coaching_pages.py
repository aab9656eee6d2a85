"""AppTest of the coaching pages as a team lead, HR and an agent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.access import Role
from models.coaching import sessions
from models.db import get_database, insert_row
from tests.conftest import add_person
from tests.pages.apptest import open_page, signed_in_as

LOG, REPORT = "pages/coaching_log.py", "pages/coaching_report.py"
TODAY = date.today()


@pytest.fixture
def org(portal_env):
    db = get_database(portal_env)
    red = db.write(lambda c: insert_row(c, "teams", {"name": "Red"}))
    blue = db.write(lambda c: insert_row(c, "teams", {"name": "Blue"}))
    people = {
        "lead": add_person(db, Role.TEAM_LEAD, team_id=red, full_name="Lena Lead"),
        "ann": add_person(db, team_id=red, full_name="Ann Agent"),
        "bob": add_person(db, team_id=red, full_name="Bob Agent"),
        "cat": add_person(db, team_id=blue, full_name="Cat Agent"),
        "blue_lead": add_person(db, Role.TEAM_LEAD, team_id=blue, full_name="Blue Lead"),
        "hr": add_person(db, Role.HR),
        "db": db,
    }
    for coach, person, kind in (("lead", "ann", "integrated"), ("blue_lead", "cat", "scheduled")):
        sessions.record_session(
            db,
            people[coach],
            {
                "employee_id": people[person].employee_id,
                "coached_on": TODAY - timedelta(days=3),
                "kind": kind,
                "minutes": 10 if kind == "integrated" else 45,
                "shared_notes": f"Shared advice for {person}.",
                "private_notes": f"Private thought about {person}.",
            },
        )
    return people


def everything(app) -> str:
    parts = [e.value for e in app.markdown] + [e.value for e in app.text] + [e.value for e in app.caption]
    parts += [e.value for e in app.error] + [e.value for e in app.info]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def button(app, label: str, index: int = 0):
    matches = [b for b in app.button if b.label == label]
    assert matches, f"no button {label!r}; have {[b.label for b in app.button]}"
    return matches[index]


def stored(org, sql: str):
    return org["db"].query(sql)


def test_a_team_lead_records_a_session_for_their_team(org):
    app = open_page(signed_in_as(org["lead"]), LOG)
    assert not app.exception, app.exception
    people = app.selectbox(key="new_session_person")
    assert set(people.options) == {"Ann Agent (Red)", "Bob Agent (Red)"}
    people.select(org["bob"].employee_id)
    app.radio(key="new_session_kind").set_value("scheduled")
    app.number_input(key="new_session_min").set_value(40)
    app.text_area(key="new_session_shared").input("Practise the summary close.")
    app.text_input(key="new_session_follow_up").input("Record two calls")
    app.date_input(key="new_session_due").set_value(TODAY + timedelta(days=7))
    button(app, "Record session").click().run()
    assert not app.exception, app.exception
    rows = stored(org, "SELECT kind, minutes, shared_notes, follow_up FROM coaching_sessions WHERE minutes = 40")
    assert rows == [
        {
            "kind": "scheduled",
            "minutes": 40,
            "shared_notes": "Practise the summary close.",
            "follow_up": "Record two calls",
        }
    ]
    assert "Blue Lead" not in everything(app)  # the other team's coaching is not listed


def test_bad_input_names_the_field_and_keeps_what_was_typed(org):
    app = open_page(signed_in_as(org["lead"]), LOG)
    app.text_input(key="new_session_follow_up").input("Shadow a senior agent")
    button(app, "Record session").click().run()
    assert any("Notes shared with the person" in e.value for e in app.error)
    assert app.text_input(key="new_session_follow_up").value == "Shadow a senior agent"
    assert len(stored(org, "SELECT id FROM coaching_sessions")) == 2


def test_the_lead_sees_their_own_private_notes_but_not_another_teams(org):
    app = open_page(signed_in_as(org["lead"]), LOG)
    text = everything(app)
    assert "Private thought about ann." in text
    assert "cat." not in text


def test_the_agent_sees_the_shared_part_and_acknowledges(org):
    app = open_page(signed_in_as(org["ann"]), LOG)
    assert not app.exception, app.exception
    text = everything(app)
    assert "Shared advice for ann." in text
    assert "Private thought" not in text
    assert "Record session" not in [b.label for b in app.button]
    button(app, "Acknowledge").click().run()
    assert not app.exception, app.exception
    assert stored(org, "SELECT count(*) AS n FROM coaching_sessions WHERE acknowledged_at IS NOT NULL")[0]["n"] == 1
    assert "Acknowledge" not in [b.label for b in app.button]


def test_hr_reads_everyones_sessions_with_private_notes(org):
    app = open_page(signed_in_as(org["hr"]), LOG)
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    assert set(table["person"]) == {"Ann Agent", "Cat Agent"}
    assert set(table["type"]) == {"Integrated (on the floor)", "Scheduled"}  # words, not codes
    assert "Private thought about" in everything(app)


@pytest.mark.parametrize(("who", "teams"), [("lead", {"Red"}), ("hr", {"Red", "Blue"})])
def test_the_report_shows_the_teams_a_reader_may_see(org, who, teams):
    app = open_page(signed_in_as(org[who]), REPORT)
    assert not app.exception, app.exception
    assert app.get("arrow_vega_lite_chart") or app.get("vega_lite_chart")
    assert set(app.dataframe[0].value["team"]) == teams
    assert any("How to read it" in c.value for c in app.caption)


def test_an_agent_has_no_report_page(org):
    from ui.registry import pages_for

    listed = {spec.path for specs in pages_for(org["ann"]).values() for spec in specs}
    assert LOG in listed and REPORT not in listed
    assert REPORT in {spec.path for specs in pages_for(org["hr"]).values() for spec in specs}


@pytest.mark.parametrize(("who", "teams"), [("lead", {"Red"}), ("hr", {"Red", "Blue"})])
def test_the_report_shows_each_teams_quality_and_productivity_beside_its_coaching(org, who, teams):
    from models.strategy import kpis

    leader = add_person(org["db"], Role.LEADERSHIP)
    red, blue = (org[name].team_id for name in ("ann", "cat"))
    rows = [
        {"kpi_id": kpis.kpi_by_code(org["db"], code).id, "measured_on": TODAY, "value": value, "team_id": team}
        for code, team, value in (
            ("quality_score", red, 90),
            ("quality_score", blue, 70),
            ("contacts_per_hour", red, 8),
        )
    ]
    kpis.record_measurements(org["db"], leader, rows)
    app = open_page(signed_in_as(org[who]), REPORT)
    assert not app.exception, app.exception
    table = next(frame.value for frame in app.dataframe if "quality_score" in frame.value.columns)
    assert set(table["team"]) == teams
    red_row = table[table["team"] == "Red"].iloc[0]
    assert (red_row["integrated_share"], red_row["quality_score"], red_row["contacts_per_hour"]) == (100.0, 90, 8)
    assert red_row["quality_score_vs_average"] == pytest.approx(12.5)  # 90 against the teams' mean of 80
    assert "Quality score and contacts per hour" in everything(app)


# -- long lists -------------------------------------------------------------------------------
def _sessions(org, coach: str, person: str, count: int) -> None:
    for day in range(count):
        sessions.record_session(
            org["db"],
            org[coach],
            {
                "employee_id": org[person].employee_id,
                "coached_on": TODAY - timedelta(days=10 + day),
                "kind": "integrated",
                "minutes": 10,
                "shared_notes": f"Session {day} for {person}.",
            },
        )


def test_an_agent_pages_through_every_session_of_theirs_with_the_total_shown(org):
    _sessions(org, "lead", "ann", 24)  # with the one of the fixture: 25
    app = open_page(signed_in_as(org["ann"]), LOG)
    assert not app.exception, app.exception
    assert "Showing 1–20 of 25 sessions" in everything(app)
    assert "Shared advice for ann." in everything(app)  # the newest first
    app.number_input(key="my_coaching_page").set_value(2).run()
    assert not app.exception, app.exception
    text = everything(app)
    assert "Showing 21–25 of 25 sessions" in text
    assert "Session 23 for ann." in text and "Shared advice for ann." not in text  # the oldest, on page 2
    assert "for bob" not in text


def test_the_lead_pages_through_every_team_session_and_not_another_teams(org):
    _sessions(org, "lead", "bob", 55)
    _sessions(org, "blue_lead", "cat", 3)
    app = open_page(signed_in_as(org["lead"]), LOG)
    assert not app.exception, app.exception
    assert "Showing 1–50 of 56 sessions" in everything(app)
    app.number_input(key="team_sessions_page").set_value(2).run()
    assert not app.exception, app.exception
    assert "Showing 51–56 of 56 sessions" in everything(app)
    table = next(t.value for t in app.dataframe if "coach" in t.value.columns and len(t.value) == 6)
    assert set(table["person"]) == {"Bob Agent"}  # the oldest six, none of the Blue team


def test_hrs_person_picker_finds_a_person_beyond_the_first_options_by_search(org):
    from tests.lists_support import FIRST_BULK_ID, bulk_people

    bulk_people(org["db"], 80)
    app = open_page(signed_in_as(org["hr"]), LOG)
    assert not app.exception, app.exception
    assert len(app.selectbox(key="new_session_person").options) == 50
    assert "Showing the first 50 of 85 matches; type more to narrow them." in everything(app)
    app.text_input(key="new_session_search").input("Person 00077").run()
    people = app.selectbox(key="new_session_person")
    assert people.options == ["Bulk Person 00077 (no team)"]
    app.text_area(key="new_session_shared").input("Welcome call.")
    button(app, "Record session").click().run()
    assert not app.exception, app.exception
    assert stored(org, "SELECT employee_id FROM coaching_sessions WHERE shared_notes = 'Welcome call.'") == [
        {"employee_id": FIRST_BULK_ID + 77}
    ]
