"""The Speak-Up Day preparation page as leadership (sessions, prepared, running order, judges)
and as an agent (only the sessions they are invited to)."""

from __future__ import annotations

from datetime import date, timedelta

from models.access import Role
from models.db import get_database, utc_now
from models.speakup import day_plan, moderation, preparation
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as
from tests.speakup_helpers import open_cycle, submitted_idea

PAGE = "pages/speakup_preparation.py"


def setting(portal_env):
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP, full_name="Helen Head")
    hr = add_person(db, Role.HR, full_name="Hana HR")
    trainer = add_person(db, Role.AGENT, full_name="Trina Trainer")
    author = add_person(db, Role.AGENT, full_name="Ava Author")
    bystander = add_person(db, Role.AGENT, full_name="Bo Bystander")
    moderator = add_person(db, Role.MODERATOR)
    cycle_id = open_cycle(db, head)
    idea_id = submitted_idea(db, author, title="Callback slots at *peak* times")
    moderation.shortlist(db, moderator, idea_id)
    courses = {row["code"]: row["id"] for row in preparation.preparation_courses(db)}
    preparation.schedule_session(
        db,
        hr,
        cycle_id,
        {
            "course_id": courses["SU-PRESENTING"],
            "starts_at": utc_now() + timedelta(days=2),
            "place": "Training room 2",
            "trainer_id": trainer.employee_id,
        },
    )
    return db, head, hr, trainer, author, bystander, cycle_id, idea_id, courses


def everything_shown(app) -> str:
    parts = [m.value for m in app.markdown] + [c.value for c in app.caption] + [e.label for e in app.expander]
    parts += [s.value for s in app.subheader] + [w.value for w in app.warning] + [e.value for e in app.error]
    return shown("\n".join(str(part) for part in parts))


def test_leadership_schedules_sets_the_running_order_and_the_judges(portal_env):
    db, head, _, trainer, author, _, cycle_id, idea_id, courses = setting(portal_env)
    app = open_page(signed_in_as(head), PAGE)
    assert not app.exception
    text = everything_shown(app)
    assert "Presenting to leadership" in text and "0 of 1 attended" in text
    assert "attended at least one session of each preparation course" in text
    assert "Callback slots at *peak* times" in text  # as typed, not as Markdown

    app.selectbox(key="prep_course").set_value(courses["SU-BUSINESS-CASE"])
    app.date_input(key="prep_day").set_value(date.today() + timedelta(days=5))
    app.selectbox(key="prep_trainer").set_value(trainer.employee_id)
    app.text_input(key="prep_place").set_value("Level 3, room B")
    app.button[[b.label for b in app.button].index("Schedule and invite")].click().run()
    assert not app.exception
    sessions = db.query("SELECT id, place FROM speakup_prep_sessions ORDER BY id")
    assert [row["place"] for row in sessions] == ["Training room 2", "Level 3, room B"]
    assert db.scalar("SELECT count(*) FROM speakup_prep_invitations WHERE employee_id = ?", [author.employee_id]) == 2

    app.button(key=f"save_order_{cycle_id}").click().run()
    assert not app.exception
    assert [(r["idea_id"], r["presenter_id"]) for r in day_plan.running_order(db, cycle_id)] == [
        (idea_id, author.employee_id)
    ]
    app.multiselect(key=f"judges_{cycle_id}").set_value([head.employee_id])
    app.button(key=f"save_judges_{cycle_id}").click().run()
    assert not app.exception
    assert [j["judge_id"] for j in day_plan.judges_present(db, cycle_id)] == [head.employee_id]
    assert "Only 1 judges present may score" in everything_shown(app)  # below the cycle's minimum of 3


def test_a_bad_session_is_refused_naming_the_field_and_keeps_what_was_typed(portal_env):
    db, head, *_ = setting(portal_env)
    app = open_page(signed_in_as(head), PAGE)
    app.text_input(key="prep_place").set_value("Level 3, room B")
    app.button[[b.label for b in app.button].index("Schedule and invite")].click().run()
    assert not app.exception
    assert "Trainer" in everything_shown(app)
    assert app.text_input(key="prep_place").value == "Level 3, room B"
    assert db.scalar("SELECT count(*) FROM speakup_prep_sessions") == 1


def test_an_agent_sees_only_their_own_invitations(portal_env):
    _, _, _, _, author, bystander, *_ = setting(portal_env)
    app = open_page(signed_in_as(author), PAGE)
    assert not app.exception
    text = everything_shown(app)
    assert "My preparation sessions" in text and "Schedule a session" not in text
    assert not [s for s in app.selectbox if s.label == "Cycle"]
    table = app.dataframe[0].value
    assert list(table["Session"]) == ["Presenting to leadership"]
    assert list(table["Attendance"]) == ["Not recorded"]

    app = open_page(signed_in_as(bystander), PAGE)
    assert not app.exception
    assert not app.dataframe
    assert "When an idea of yours is shortlisted" in everything_shown(app)


def test_the_trainer_sees_the_sessions_they_run(portal_env):
    _, _, _, trainer, *_ = setting(portal_env)
    app = open_page(signed_in_as(trainer), PAGE)
    assert not app.exception
    text = everything_shown(app)
    assert "Sessions I run" in text and "Ava Author" in str(app.dataframe[0].value["Person"].tolist())


def test_a_trainer_beyond_the_first_options_is_found_by_search_and_scheduled(portal_env):
    from tests.lists_support import FIRST_BULK_ID, bulk_people

    db, head, _, _, _, _, _, _, courses = setting(portal_env)
    bulk_people(db, 80)
    app = open_page(signed_in_as(head), PAGE)
    assert not app.exception
    assert len(app.selectbox(key="prep_trainer").options) == 50
    assert "Showing the first 50 of" in everything_shown(app)
    app.text_input(key="prep_trainer_search").input("Person 00079").run()
    assert app.selectbox(key="prep_trainer").options == ["Bulk Person 00079"]
    app.selectbox(key="prep_course").set_value(courses["SU-BUSINESS-CASE"])
    app.date_input(key="prep_day").set_value(date.today() + timedelta(days=5))
    app.selectbox(key="prep_trainer").set_value(FIRST_BULK_ID + 79)
    app.text_input(key="prep_place").set_value("Level 3, room B")
    app.button[[b.label for b in app.button].index("Schedule and invite")].click().run()
    assert not app.exception
    assert (
        db.scalar("SELECT trainer_id FROM speakup_prep_sessions WHERE place = 'Level 3, room B'") == FIRST_BULK_ID + 79
    )
