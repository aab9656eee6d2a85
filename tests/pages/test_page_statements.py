"""A page reads the same number of SQL statements however much data there is: no query per
survey, per goal, per person or per row. Each test counts the statements of a page run on a
small data set, adds more of the same data, and counts again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from models.access import Role
from models.db import ConnectionReader, get_database, insert_row
from models.engagement import answers, surveys
from tests.conftest import add_person
from tests.pages.apptest import open_page, signed_in_as
from tests.pages.test_engagement_pages import TODAY, a_survey


@pytest.fixture
def database(portal_env):
    return get_database(portal_env)


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """The SQL of every read issued meanwhile (``query_one`` reads through ``query``)."""
    seen: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        for name in ("query", "scalar", "frame"):
            original = getattr(ConnectionReader, name)

            def counted(self, sql, params=None, _original=original):
                seen.append(sql)
                return _original(self, sql, params)

            patch.setattr(ConnectionReader, name, counted)
        yield seen


def statements_of_a_run(app) -> list[str]:
    """The statements of one more run of an open page (after a first run that may tidy up)."""
    app.run()
    with counted_statements() as seen:
        app.run()
    assert not app.exception, app.exception
    return seen


def opened(user, path: str):
    app = open_page(signed_in_as(user), path)
    assert not app.exception, app.exception
    return app


# -- engagement ----------------------------------------------------------------------------
def test_the_survey_pages_read_as_much_for_five_surveys_as_for_two(database):
    hr, leader = add_person(database, Role.HR), add_person(database, Role.LEADERSHIP)
    team = database.write(lambda c: insert_row(c, "teams", {"name": "Cards"}))
    crowd = [add_person(database, Role.AGENT, team_id=team) for _ in range(5)]

    def survey_answered_and_closed(number: int) -> None:
        survey_id = a_survey(database, hr, title=f"Pulse {number}")
        for person in crowd:
            answers.submit_answer(database, person, survey_id, {"enps": 9, "answers": {1: 4}})
        answers.close_survey(database, hr, survey_id)

    def statements() -> dict[str, int]:
        return {
            "pulse surveys": len(statements_of_a_run(opened(hr, "pages/pulse_surveys.py"))),
            "results": len(statements_of_a_run(opened(leader, "pages/engagement_results.py"))),
        }

    for number in range(2):
        survey_answered_and_closed(number)
    two = statements()
    for number in range(2, 5):
        survey_answered_and_closed(number)
    assert len(surveys.list_surveys(database)) == 5
    assert statements() == two


def test_the_survey_list_shows_each_surveys_own_participation(database):
    hr = add_person(database, Role.HR)
    cards = database.write(lambda c: insert_row(c, "teams", {"name": "Cards"}))
    loans = database.write(lambda c: insert_row(c, "teams", {"name": "Loans"}))
    in_cards = [add_person(database, Role.AGENT, team_id=cards) for _ in range(4)]
    add_person(database, Role.AGENT, team_id=loans)
    for_cards = a_survey(database, hr, title="Cards pulse", audience_team_ids=[cards])
    for_everyone = a_survey(database, hr, title="Everyone's pulse", opens_on=TODAY)
    for person in in_cards[:3]:
        answers.submit_answer(database, person, for_cards, {"enps": 9})
    answers.submit_answer(database, in_cards[0], for_everyone, {"enps": 9})
    app = opened(hr, "pages/pulse_surveys.py")
    [table] = [frame.value for frame in app.dataframe if "participation_pct" in frame.value.columns]
    shown = table.set_index("title")
    assert shown.loc["Cards pulse", "answered"] == 3
    assert shown.loc["Cards pulse", "participation_pct"] == 75.0  # three of the four in Cards
    assert shown.loc["Everyone's pulse", "answered"] == 1
    assert shown.loc["Everyone's pulse", "participation_pct"] == round(100 / 6, 1)  # HR and the five agents


# -- training --------------------------------------------------------------------------------
def test_hr_pages_through_every_open_assignment_with_the_total_shown(database, monkeypatch):
    from models.training import assignments, courses

    monkeypatch.setattr(assignments, "ASSIGNMENTS_PAGE_SIZE", 2)
    hr = add_person(database, Role.HR)
    people = [add_person(database, full_name=f"Agent {n}") for n in range(5)]
    patience = courses.course_by_code(database, "CS-PATIENCE").id
    assignments.assign_courses(database, hr, patience, [p.employee_id for p in people], due_on=None)
    app = opened(hr, "pages/training_assign.py")

    def listed() -> list[str]:
        return list(next(t.value for t in app.dataframe if "course_code" in t.value.columns)["person"])

    assert any("Assignments 1–2 of 5, newest first" in c.value for c in app.caption)
    seen = listed()
    for number in (2, 3):
        app.number_input(key="assignments_page").set_value(number).run()
        assert not app.exception, app.exception
        seen += listed()
    assert sorted(seen) == sorted(p.full_name for p in people)  # every one, none twice
    assert any("Assignments 5–5 of 5" in c.value for c in app.caption)


# -- home ------------------------------------------------------------------------------------
def test_home_reads_as_much_for_a_person_with_ideas_as_for_one_without(database):
    from models.speakup import board
    from tests.speakup_helpers import open_cycle, submitted_idea

    leader = add_person(database, Role.LEADERSHIP)
    moderator, co_author = add_person(database, Role.MODERATOR), add_person(database, Role.AGENT)
    open_cycle(database, leader)
    app = opened(moderator, "pages/home.py")
    without_ideas = statements_of_a_run(app)
    for number in range(3):
        submitted_idea(database, moderator, title=f"Idea number {number}", co_author_ids=[co_author.employee_id])
    assert len(board.my_ideas(database, moderator)) == 3
    with_ideas = statements_of_a_run(app)
    assert len(with_ideas) == len(without_ideas)
    assert any("Idea number 0" in caption.value for caption in app.caption)  # the section lists them
    assert [metric.value for metric in app.metric if metric.label.startswith("In ")] == ["3"]  # ideas to moderate
