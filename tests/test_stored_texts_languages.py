"""Texts the portal writes now and shows later, read in the reader's language: an idea's status
notes (its feedback history), the reason a Speak-Up Day preparation invitation was withdrawn and
HR's recognition export — written while the writer speaks English, read in Ukrainian, and in
English exactly as before; what a person typed stays as typed, and a row stored before messages
were kept still shows its stored text."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from models.access import Role
from models.db import utc_now
from models.i18n import use_language
from models.inbox.texts import shown_stored
from models.people.directory import create_team
from models.recognition import badges, export, kudos, values
from models.speakup import benefits, board, cycles, day_plan, decisions, judging, moderation, preparation
from models.speakup import preparation_views as views
from tests.speakup_helpers import cycle_data, open_cycle, scores_for, submitted_idea

DUE = date(2031, 3, 5)
RATIONALE = "Cheap to build and customers feel it."


def notes(db, idea_id: int, language: str) -> list[str | None]:
    with use_language(language):
        return [row["note"] for row in board.status_history(db, idea_id)]


@pytest.fixture
def green_lit(db, make_user):
    """An idea green-lit by three judges and decided, with its action due on DUE, by someone
    speaking English."""
    leader = make_user(Role.LEADERSHIP)
    cycle_id = open_cycle(db, leader, name="2031 Q1")
    idea_id = submitted_idea(db, make_user())
    judges = [make_user(Role.LEADERSHIP) for _ in range(3)]
    moderation.shortlist(db, make_user(Role.MODERATOR), idea_id)
    cycles.advance_phase(db, leader, cycle_id)
    day_plan.set_judges_present(db, leader, cycle_id, [judge.employee_id for judge in judges])
    cycles.advance_phase(db, leader, cycle_id)
    cycle = cycles.get_cycle(db, cycle_id)
    for judge in judges:
        judging.submit_scores(db, judge, idea_id, scores_for(cycle, 4), "")
    with use_language("en"):
        decisions.decide(db, leader, idea_id, RATIONALE, action_due_date=DUE)
    action_id = db.scalar("SELECT action_id FROM ideas WHERE id = ?", [idea_id])
    return idea_id, action_id, leader


def test_a_decisions_status_notes_read_in_ukrainian_with_the_rationale_as_typed(db, green_lit):
    idea_id, action_id, *_ = green_lit
    verdict_note, action_note = notes(db, idea_id, "uk")[-2:]
    assert verdict_note == f"Оцінка 4,00 від 3 суддів: на рівні порогу 3,5 або вище — зелене світло. {RATIONALE}"
    assert action_note == f"Дія #{action_id}, термін — 5 березня 2031"
    assert notes(db, idea_id, "en")[-2:] == [
        f"Score 4.00 from 3 judges: at or above the threshold of 3.5 — green light. {RATIONALE}",
        f"Action #{action_id} due 05 Mar 2031",
    ]
    # the English words are stored as before, for the audit and whatever reads the table
    stored = db.query("SELECT note FROM idea_status_history WHERE idea_id = ? ORDER BY changed_at, id", [idea_id])
    assert stored[-1]["note"] == f"Action #{action_id} due 05 Mar 2031"


def test_an_implementation_recorded_reads_in_ukrainian(db, green_lit):
    idea_id, _, owner, *_ = green_lit  # the decider owns the action
    with use_language("en"):
        benefits.record_benefit_review(
            db, owner, idea_id, 90, 31_000, "Fewer repeat calls", implemented=True, today=date.today() + timedelta(95)
        )
    assert notes(db, idea_id, "uk")[-1] == "Впроваджено; перевірку через 90 днів внесено"
    assert notes(db, idea_id, "en")[-1] == "Implemented; 90-day review recorded"


def test_moderation_notes_read_in_ukrainian_and_a_moderators_own_words_stay(db, make_user):
    leader, moderator = make_user(Role.LEADERSHIP), make_user(Role.MODERATOR)
    cycle_id = open_cycle(db, leader, name="2031 Q1")
    author = make_user()
    taken_off = submitted_idea(db, author)
    duplicate = submitted_idea(db, author, title="Call customers back at a time they choose")
    survivor = submitted_idea(db, make_user(), title="Offer a callback slot")
    with use_language("en"):
        moderation.shortlist(db, moderator, taken_off)
        moderation.remove_from_shortlist(db, moderator, taken_off, "Overlaps a project under way")
        moderation.merge(db, moderator, duplicate, survivor, "Same callback idea")
        cycles.advance_phase(db, leader, cycle_id)  # review
        later = cycles.create_cycle(db, leader, cycle_data("2031 Q2"))
        moderation.carry_forward(db, moderator, taken_off, later)

    assert notes(db, taken_off, "uk")[-2:] == [
        "Знято з короткого списку: Overlaps a project under way",
        "Перенесено з 2031 Q1 до 2031 Q2",
    ]
    assert (
        notes(db, duplicate, "uk")[-1] == f"Об’єднано з ідеєю #{survivor} «Offer a callback slot»: Same callback idea"
    )
    assert notes(db, taken_off, "en")[-2:] == [
        "Taken off the shortlist: Overlaps a project under way",
        "Carried from 2031 Q1 into 2031 Q2",
    ]
    assert notes(db, duplicate, "en")[-1] == f"Merged into #{survivor} “Offer a callback slot”: Same callback idea"


def test_a_note_stored_before_notes_were_kept_as_messages_shows_as_stored(db, green_lit):
    idea_id, *_ = green_lit
    db.write(lambda connection: connection.execute(
        "UPDATE idea_status_history SET note = 'Action #7 due 01 Jan 2030', note_msgid = NULL,"
        " note_values_json = NULL WHERE idea_id = ? AND to_status = 'in_implementation'",
        [idea_id],
    ))  # fmt: skip
    assert notes(db, idea_id, "uk")[-1] == "Action #7 due 01 Jan 2030"


def test_a_withdrawn_invitations_reason_is_the_moderators_words_in_every_language(db, make_user):
    """The "Why" of a withdrawn preparation invitation is what the moderator typed: it is the
    same in Ukrainian as in English, never a stored English phrase of the portal."""
    leader, moderator, hr = make_user(Role.LEADERSHIP), make_user(Role.MODERATOR), make_user(Role.HR)
    cycle_id = open_cycle(db, leader)
    idea_id = submitted_idea(db, make_user())
    moderation.shortlist(db, moderator, idea_id)
    course_id = db.scalar("SELECT id FROM courses WHERE code = 'SU-PRESENTING'")
    session = {
        "course_id": course_id,
        "starts_at": utc_now() + timedelta(days=2),
        "minutes": 90,
        "place": "Training room 2",
        "capacity": 12,
        "trainer_id": make_user().employee_id,
    }
    session_id = preparation.schedule_session(db, hr, cycle_id, session)
    with use_language("en"):
        moderation.remove_from_shortlist(db, moderator, idea_id, "Overlaps a project under way")
    for language in ("uk", "en"):
        with use_language(language):
            rows = views.session_invitations(db, hr, session_id)
        assert [row["withdrawn_reason"] for row in rows] == ["Overlaps a project under way"]


@pytest.fixture
def recognised(db, make_user, monkeypatch):
    """Kudos to a person (tagged with a value) and to a team (tagged with a default competency),
    and a kudos badge withdrawn when its kudos was hidden — all by people speaking English."""
    monkeypatch.setattr(badges, "badge_threshold", lambda: 1)
    hr = make_user(Role.HR)
    admin_hr = hr.model_copy(update={"roles": frozenset({Role.HR, Role.ADMIN})})
    team = create_team(db, admin_hr, "Harbour", None)
    giver, mate = make_user(Role.AGENT), make_user(Role.AGENT)
    make_user(Role.AGENT, team_id=team)  # the team's kudos reaches them: a badge that stays
    value_id = values.add_value(db, hr, "Own it", "We follow a problem through.")
    empathy = db.scalar("SELECT id FROM competencies WHERE code = 'EMPATHY'")
    at = datetime(2026, 5, 3, 9)
    with use_language("en"):
        given = kudos.give_kudos(
            db, giver, {"recipient_id": mate.employee_id, "message": "Stayed calm.", "tag": f"value:{value_id}"}, at=at
        )
        kudos.give_kudos(
            db, giver, {"team_id": team, "message": "Great week.", "tag": f"competency:{empathy}"}, at=at + timedelta(1)
        )
        kudos.hide_kudos(db, hr, given, "Posted twice", at=at + timedelta(2))
    return hr


def export_rows(db, hr, language: str) -> list[dict]:
    """The kudos to a person, the kudos to a team and the badge withdrawn."""
    with use_language(language):
        rows = export.recognition_export(db, hr, "quarter", date(2026, 5, 1)).to_dict("records")
    [badge] = [row for row in rows if row["kind"] == "badge" and row["hidden"]]
    person, team = (row for row in rows if row["kind"] == "kudos")
    return [person, team, badge]


def test_the_recognition_export_speaks_the_exporters_language(db, recognised):
    person, team, badge = export_rows(db, recognised, "uk")
    assert (person["kind"], person["tag"], person["message"]) == ("kudos", "Цінність: Own it", "Stayed calm.")
    assert person["hidden_or_withdrawn_reason"] == "Posted twice"  # HR's words, as typed
    assert (team["given_to"], team["tag"]) == ("Команда Harbour", "Компетенція: Емпатія")
    assert (badge["kind"], badge["given_by"]) == ("badge", "портал")
    assert badge["hidden_or_withdrawn_reason"] == "Підставу для нього скасовано."
    with use_language("uk"):
        assert badge["tag"] == badges.badge_label(badges.KUDOS_RECEIVED) != "Kudos received"
        [stored] = db.query(
            "SELECT message, message_msgid, values_json FROM recognitions WHERE withdrawn_at IS NOT NULL"
        )
        assert badge["message"] == shown_stored(stored["message_msgid"], stored["values_json"], "") != stored["message"]

    person, team, badge = export_rows(db, recognised, "en")
    assert (person["tag"], team["given_to"], team["tag"]) == ("Value: Own it", "Team Harbour", "Competency: Empathy")
    assert (badge["given_by"], badge["hidden_or_withdrawn_reason"]) == ("the portal", "Its cause was reversed.")
    assert badge["message"] == stored["message"]
