"""Answers given in bulk (the demo's survey history) follow the rules of answering one by
one: once per person, only the audience, only while open, sealed until the close."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from models import audit
from models.access import Role
from models.engagement import answers
from models.errors import InputError
from tests.conftest import add_person
from tests.test_engagement import TODAY, a_team, open_survey, people

NOW = datetime.combine(TODAY, time(9))


@pytest.fixture
def hr(db):
    return add_person(db, Role.HR)


def participation_audit(db) -> list[tuple]:
    return [
        (row["actor_id"], row["occurred_at"], row["after_json"])
        for row in db.query(
            "SELECT actor_id, occurred_at, after_json FROM audit_log WHERE entity = 'survey_participation'"
            " ORDER BY actor_id"
        )
    ]


def test_answers_in_bulk_are_recorded_sealed_and_audited_as_answering_one_by_one(db, hr):
    team = a_team(db, "Cards")
    first, second, third, fourth = people(db, team, 4)
    by_hand, in_bulk = open_survey(db, hr), open_survey(db, hr, title="Pulse, second")
    for user in (first, second):
        answers.submit_answer(db, user, by_hand, {"enps": 9, "answers": {1: 4}}, at=NOW)
    given = [(user, {"enps": 9, "answers": {1: 4}}, NOW) for user in (third, fourth)]
    assert answers.submit_answers_in_bulk(db, in_bulk, given) == 2
    assert answers.has_answered(db, third, in_bulk) and not answers.has_answered(db, first, in_bulk)
    assert db.scalar("SELECT count(*) FROM survey_sealed_answers WHERE survey_id = ?", [in_bulk]) == 2

    def entry(user, survey_id):  # what answering leaves in the audit: who, when, which survey
        return (user.employee_id, NOW, audit.to_json({"survey_id": survey_id, "employee_id": user.employee_id}))

    assert participation_audit(db) == [entry(first, by_hand), entry(second, by_hand)] + [
        entry(third, in_bulk),
        entry(fourth, in_bulk),
    ]


def test_one_answer_breaking_a_rule_stores_none(db, hr):
    cards, loans = a_team(db, "Cards"), a_team(db, "Loans")
    (in_cards,), (in_loans,), (another,) = people(db, cards, 1), people(db, loans, 1), people(db, cards, 1)
    survey_id = open_survey(db, hr, audience_team_ids=[cards])
    answers.submit_answer(db, another, survey_id, {"enps": 7})
    refusals = {
        "does not ask": [(in_cards, {"enps": 8}, NOW), (in_loans, {"enps": 8}, NOW)],
        "answered already": [(in_cards, {"enps": 8}, NOW), (another, {"enps": 8}, NOW)],
        "one answer per person": [(in_cards, {"enps": 8}, NOW), (in_cards, {"enps": 9}, NOW)],
        "not open": [(in_cards, {"enps": 8}, NOW + timedelta(days=30))],
        "Question 1: answer 1: choose from 1 to 5": [(in_cards, {"enps": 8, "answers": {1: 9}}, NOW)],
    }
    for message, given in refusals.items():
        with pytest.raises(InputError, match=message):
            answers.submit_answers_in_bulk(db, survey_id, given)
    assert db.scalar("SELECT count(*) FROM survey_participation") == 1
    assert db.scalar("SELECT count(*) FROM survey_sealed_answers") == 1
