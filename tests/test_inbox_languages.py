"""The inbox in each reader's language: what the portal tells a person is kept as its message and
values and read in the language of whoever reads it — not the sender's — with names and titles
as entered, the default catalogue's course titles, statuses, levels and dates in the reader's
words; its email goes out in the recipient's language; badges read so too; a message stored
before messages were kept (only its text) is still shown as it was."""

from __future__ import annotations

from datetime import date

import pytest

from models import auth
from models.access import Role
from models.db import insert_with_new_id
from models.i18n import use_language
from models.inbox import messages as inbox
from models.inbox import outbox
from models.inbox.texts import Competency, Course, Decimals, Quoted, Text, text, values_from_json, word
from models.recognition import badges, kudos
from models.settings import get_settings
from models.speakup import cycles, day_plan, decisions, judging, moderation
from models.training import assignments
from tests.speakup_helpers import open_cycle, scores_for, submitted_idea

DUE = date(2031, 3, 5)


def speaking(db, person, language: str):
    auth.change_own_language(db, person, person.account_id, language)
    return auth.load_user(db, employee_id=person.employee_id)


def only(db, user, kind: str, language: str) -> inbox.InboxMessage:
    with use_language(language):
        found = [message for message in inbox.messages(db, user) if message.kind == kind]
    assert len(found) == 1, found
    return found[0]


def empathy_course(db) -> int:
    return db.scalar("SELECT id FROM courses WHERE code = 'CS-EMPATHY'")


# -- read in the reader's language --------------------------------------------------------------
def test_a_course_assigned_by_someone_speaking_english_is_read_in_each_recipients_language(db, make_user):
    hr = make_user(Role.HR)
    ukrainian, english = speaking(db, make_user(), "uk"), speaking(db, make_user(), "en")
    with use_language("en"):  # the sender's page run speaks English
        assignments.assign_courses(db, hr, empathy_course(db), [ukrainian.employee_id, english.employee_id], due_on=DUE)

    read_in_ukrainian = only(db, ukrainian, "course_assigned", "uk")
    assert read_in_ukrainian.subject == "Призначено курс: Емпатія в кожному зверненні"
    assert read_in_ukrainian.body == (
        "Вам призначено курс Емпатія в кожному зверненні (CS-EMPATHY); причина: призначено HR;"
        " термін — до 5 березня 2031."
    )
    read_in_english = only(db, english, "course_assigned", "en")
    assert read_in_english.subject == "Course assigned: Empathy in every contact"
    assert read_in_english.body == (
        "Empathy in every contact (CS-EMPATHY) is assigned to you (assigned by HR), due 05 March 2031."
    )
    # the same message, read by the English reader in Ukrainian (a language switch), follows the switch
    assert only(db, english, "course_assigned", "uk").subject == read_in_ukrainian.subject


def test_a_course_hr_added_keeps_its_title_as_entered_in_every_language(db, make_user):
    hr, person = make_user(Role.HR), make_user()
    course = db.write(
        lambda connection: insert_with_new_id(
            connection,
            "courses",
            "INSERT INTO courses (id, code, title, description, format, hours, due_within_days, created_at,"
            " updated_at) VALUES (?, 'OWN-1', 'Our own IVR tour', '', 'e_learning', 1, 30, now()::TIMESTAMP,"
            " now()::TIMESTAMP)",
            [],
        )
    )
    assignments.assign_courses(db, hr, course, [person.employee_id], due_on=DUE)
    assert only(db, person, "course_assigned", "uk").subject == "Призначено курс: Our own IVR tour"


@pytest.fixture
def decided(db, make_user):
    """An idea of two authors green-lit by three judges' scores, decided by someone speaking English."""
    leader = make_user(Role.LEADERSHIP)
    author, co_author = make_user(), make_user()
    cycle_id = open_cycle(db, leader, name="2031 Q1")
    idea_id = submitted_idea(db, author, co_author_ids=[co_author.employee_id])
    judges = [make_user(Role.LEADERSHIP) for _ in range(3)]
    moderation.shortlist(db, make_user(Role.MODERATOR), idea_id)
    cycles.advance_phase(db, leader, cycle_id)
    day_plan.set_judges_present(db, leader, cycle_id, [judge.employee_id for judge in judges])
    cycles.advance_phase(db, leader, cycle_id)
    cycle = cycles.get_cycle(db, cycle_id)
    for judge, comment in zip(judges, ["Clear business case.", "", ""], strict=True):
        judging.submit_scores(db, judge, idea_id, scores_for(cycle, 4), comment)
    with use_language("en"):
        decisions.decide(db, leader, idea_id, "Cheap to build and customers feel it.")
    title = db.scalar("SELECT title FROM ideas WHERE id = ?", [idea_id])
    return {"author": speaking(db, author, "uk"), "co_author": speaking(db, co_author, "en"), "title": title}


def test_an_ideas_outcome_reads_in_ukrainian_with_its_status_and_counted_verdict_and_in_english(db, decided):
    title = decided["title"]
    ukrainian = only(db, decided["author"], "idea_outcome", "uk")
    assert ukrainian.subject == f"Ваша ідея «{title}»: зелене світло"
    assert ukrainian.body.splitlines() == [
        "Результат: Зелене світло.",
        "Оцінка 4,00 від 3 суддів: на рівні порогу 3,5 або вище — зелене світло.",
        "Обґрунтування: Cheap to build and customers feel it.",  # the leader's words, as written
        "",
        "Коментарі суддів:",
        "- Clear business case.",
    ]
    english = only(db, decided["co_author"], "idea_outcome", "en")
    assert english.subject == f"Your idea “{title}”: green-lit"
    assert english.body.splitlines()[:3] == [
        "Outcome: Green-lit.",
        "Score 4.00 from 3 judges: at or above the threshold of 3.5 — green light.",
        "Rationale: Cheap to build and customers feel it.",
    ]


def test_a_badge_reads_in_the_readers_language(db, decided):
    title = decided["title"]
    with use_language("uk"):
        [held] = badges.badges_for(db, decided["author"].employee_id)
    assert held["message"] == f"Ваша ідея «{title}» отримала зелене світло на Дні Speak-Up 2031 Q1."
    with use_language("en"):
        [held] = badges.badges_for(db, decided["author"].employee_id)
        [latest, *_] = badges.recent_badges(db)
    assert held["message"] == latest["message"] == f"Your idea “{title}” was green-lit on Speak-Up Day 2031 Q1."
    stored = db.query("SELECT message FROM recognitions WHERE employee_id = ?", [decided["author"].employee_id])
    assert stored == [{"message": held["message"]}]  # the English words are stored beside the message


def test_a_badge_awarded_before_messages_were_kept_shows_its_stored_text(db, decided):
    db.write(lambda connection: connection.execute(
        "UPDATE recognitions SET message = 'Your idea was green-lit.', message_msgid = NULL, values_json = NULL"
    ))  # fmt: skip
    with use_language("uk"):
        assert [b["message"] for b in badges.badges_for(db, decided["author"].employee_id)] == [
            "Your idea was green-lit."
        ]


def test_a_message_stored_before_messages_were_kept_is_shown_as_it_was(db, make_user):
    person = speaking(db, make_user(), "uk")
    db.write(lambda connection: insert_with_new_id(
        connection,
        "inbox_messages",
        "INSERT INTO inbox_messages (id, recipient_id, kind, subject, body, link, created_at)"
        " VALUES (?, ?, 'course_assigned', 'Course assigned: Old times',"
        " 'Old times (OLD-1) is assigned to you (joined), due 01 January 2026.', 'my-training', now()::TIMESTAMP)",
        [person.employee_id],
    ))  # fmt: skip
    message = only(db, person, "course_assigned", "uk")
    assert (message.subject, message.body) == (
        "Course assigned: Old times",
        "Old times (OLD-1) is assigned to you (joined), due 01 January 2026.",
    )
    with use_language("uk"):
        assert message.kind_label == "Призначено курс"


def test_a_persons_own_words_are_shown_as_written_beside_the_portals_in_the_readers_language(db, make_user):
    giver, receiver = make_user(Role.TEAM_LEAD, full_name="Lee Lead"), speaking(db, make_user(), "uk")
    tag = "competency:" + str(db.scalar("SELECT id FROM competencies WHERE code = 'EMPATHY'"))
    kudos.give_kudos(db, giver, {"recipient_id": receiver.employee_id, "message": "Calm under fire!", "tag": tag})
    message = only(db, receiver, "kudos", "uk")
    assert (message.subject, message.body) == ("Lee Lead дякує вам", "Calm under fire!")
    stored = db.query_one("SELECT subject, subject_msgid, body, body_msgid FROM inbox_messages")
    assert stored == {
        "subject": "Kudos from Lee Lead",
        "subject_msgid": "Kudos from {name}",
        "body": "Calm under fire!",
        "body_msgid": None,
    }


# -- email ---------------------------------------------------------------------------------------
def test_the_email_goes_out_in_each_recipients_language_whoever_caused_it(db, make_user, monkeypatch):
    monkeypatch.setenv("PORTAL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PORTAL_SMTP_FROM", "portal@harbourview.example")
    get_settings.cache_clear()
    try:
        hr = make_user(Role.HR)
        ukrainian, english = speaking(db, make_user(), "uk"), speaking(db, make_user(), "en")
        with use_language("lt"):  # whatever the sender's page run speaks
            assignments.assign_courses(
                db, hr, empathy_course(db), [ukrainian.employee_id, english.employee_id], due_on=DUE
            )
        assert outbox.waiting(db) == 2
        queued = {
            row["to_address"]: row for row in db.query("SELECT to_address, subject, body FROM email_outbox ORDER BY id")
        }
        organisation = get_settings().organisation_name
    finally:
        get_settings.cache_clear()
    in_ukrainian, in_english = queued[ukrainian.email], queued[english.email]
    assert in_ukrainian["subject"] == "Призначено курс: Емпатія в кожному зверненні"
    assert in_ukrainian["body"].endswith(f"\n\n— Портал культури обслуговування {organisation}")
    assert "5 березня 2031" in in_ukrainian["body"]
    assert in_english["subject"] == "Course assigned: Empathy in every contact"
    assert in_english["body"].endswith(f"due 05 March 2031.\n\n— {organisation} Service Culture Portal")


# -- the stored form -------------------------------------------------------------------------------
def test_every_kind_of_value_is_kept_and_shown_again_in_each_language():
    said = text(
        "{a} {b} {c} {d} {e} {f} {g} {h}",
        a="Ada Agent",
        b=1234,
        c=Decimals(3.5, 2),
        d=date(2031, 3, 5),
        e=word("Green-lit", lower=True),
        f=Course("CS-EMPATHY", "Empathy in every contact"),
        g=Competency("EMPATHY", "Empathy"),
        h=Quoted(("One", "Two")),
    )
    again = Text(said.message, values_from_json(said.as_json()["values"]))
    for language, expected in {
        "en": "Ada Agent 1,234 3.50 05 March 2031 green-lit Empathy in every contact Empathy “One”, “Two”",
        "uk": "Ada Agent 1 234 3,50 5 березня 2031 зелене світло Емпатія в кожному зверненні Емпатія «One», «Two»",
        "lt": "Ada Agent 1 234 3,50 2031-03-05 žalia šviesa",
    }.items():
        with use_language(language):
            assert again.shown().replace("\xa0", " ").startswith(expected) and again.shown() == said.shown()


def test_the_presenters_badge_quotes_each_title_in_the_readers_quotation_marks():
    presented = Text(badges.BADGE_MESSAGES[badges.SPEAKUP_PRESENTER], {"titles": Quoted(("A", "B")), "cycle": "Q1"})
    assert presented.in_english() == "You presented “A”, “B” on Speak-Up Day Q1."
    with use_language("lt"):
        assert presented.shown() == "Pristatėte „A“, „B“ per Speak-Up dieną Q1."
