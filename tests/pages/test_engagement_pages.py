"""AppTest of the survey pages: HR writes a survey, an agent answers it once, and results
show only once enough people answered."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.access import Role
from models.db import get_database, insert_row
from models.engagement import answers, surveys
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as

TODAY = date.today()


@pytest.fixture
def database(portal_env):
    return get_database(portal_env)


def texts(app) -> str:
    parts = [e.value for e in app.markdown] + [e.value for e in app.info] + [e.value for e in app.success]
    parts += [e.value for e in app.caption] + [e.value for e in app.subheader] + [e.value for e in app.error]
    parts += [f"{m.label} {m.value}" for m in app.metric]
    return shown("\n".join(str(p) for p in parts))


def page(user, path):
    app = open_page(signed_in_as(user), path)
    assert not app.exception, app.exception
    return app


def a_survey(database, hr, **changes) -> int:
    data = {
        "title": "Spring pulse",
        "opens_on": TODAY - timedelta(days=1),
        "closes_on": TODAY + timedelta(days=10),
        "questions": [{"text": "My ideas are heard", "scale": "agreement"}],
        "comment_prompt": "Anything else?",
        **changes,
    }
    return surveys.create_survey(database, hr, data)


def test_hr_writes_a_survey_on_the_pulse_surveys_page(database):
    hr = add_person(database, Role.HR)
    app = page(hr, "pages/pulse_surveys.py")
    app.text_input(key="new_survey_title").input("Autumn pulse")
    app.text_input(key="new_survey_q0").input("I know what good service looks like here")
    [send] = [b for b in app.button if b.label == "Save survey"]
    send.click().run()
    assert not app.exception, app.exception
    assert [s.title for s in surveys.list_surveys(database)] == ["Autumn pulse"]
    assert [q.text for q in surveys.list_surveys(database)[0].questions] == ["I know what good service looks like here"]


def test_a_short_title_is_refused_by_name_and_nothing_is_stored(database):
    hr = add_person(database, Role.HR)
    app = page(hr, "pages/pulse_surveys.py")
    app.text_input(key="new_survey_title").input("Q")
    [send] = [b for b in app.button if b.label == "Save survey"]
    send.click().run()
    assert "Title" in texts(app)
    assert surveys.list_surveys(database) == []
    assert app.text_input(key="new_survey_title").value == "Q"


def test_an_agent_answers_once_and_is_told_so(database):
    hr, agent = add_person(database, Role.HR), add_person(database, Role.AGENT)
    survey_id = a_survey(database, hr)
    app = page(agent, "pages/answer_survey.py")
    app.text_area(key=f"answer_{survey_id}_comment").input("<b>More</b> coaching please")
    [send] = [b for b in app.button if b.label == "Send my answer"]
    send.click().run()
    assert not app.exception, app.exception
    assert "You answered this survey" in texts(app)
    assert not [b for b in app.button if b.label == "Send my answer"]
    assert answers.has_answered(database, agent, survey_id)


def test_agents_do_not_see_the_pulse_surveys_page(database):
    agent = add_person(database, Role.AGENT)
    app = page(agent, "pages/answer_survey.py")
    assert "No survey is open for you right now." in texts(app)
    with pytest.raises(Exception):  # noqa: B017 - the page is not in an agent's navigation
        open_page(signed_in_as(agent), "pages/pulse_surveys.py")


def test_results_appear_for_everyone_only_once_enough_people_answered(database):
    hr = add_person(database, Role.HR)
    team = database.write(lambda c: insert_row(c, "teams", {"name": "Cards"}))
    crowd = [add_person(database, Role.AGENT, team_id=team) for _ in range(5)]
    few = a_survey(database, hr, title="Few answered")
    for person in crowd[:4]:
        answers.submit_answer(database, person, few, {"enps": 10})
    answers.close_survey(database, hr, few)
    app = page(crowd[0], "pages/engagement_results.py")
    assert "Not enough answers yet" in texts(app)
    enough = a_survey(database, hr, title="Enough answered")
    for person, score in zip(crowd, (10, 9, 9, 3, 8), strict=True):
        answers.submit_answer(database, person, enough, {"enps": score, "comment": "Keep the huddles"})
    answers.close_survey(database, hr, enough)
    app = page(crowd[0], "pages/engagement_results.py")
    assert "eNPS +40" in texts(app)
    assert "Keep the huddles" not in texts(app)  # comments are for HR and leadership
    hr_view = page(hr, "pages/pulse_surveys.py")
    assert "Keep the huddles" in texts(hr_view)


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.HR, Role.LEADERSHIP])
def test_the_survey_pages_open_on_the_demo(portal_env, database_templates, role):
    org = database_templates.copy_demo(portal_env, seed=11)
    database = get_database(portal_env)
    from models.auth import load_user

    user = load_user(database, employee_id=org.logins[role])
    results_page = page(user, "pages/engagement_results.py")
    assert "eNPS by quarter" in texts(results_page)
    assert page(user, "pages/answer_survey.py").title[0].value == "Answer a survey"
    if role == Role.HR:
        assert "Pulse surveys" in page(user, "pages/pulse_surveys.py").title[0].value


@pytest.mark.parametrize(
    ("role", "path"), [(Role.HR, "pages/pulse_surveys.py"), (Role.LEADERSHIP, "pages/engagement_results.py")]
)
def test_an_open_survey_shows_hr_and_leadership_participation_only_until_it_closes(database, role, path):
    hr = add_person(database, Role.HR)
    viewer = hr if role == Role.HR else add_person(database, role)
    team = database.write(lambda c: insert_row(c, "teams", {"name": "Cards"}))
    crowd = [add_person(database, Role.AGENT, team_id=team) for _ in range(6)]
    survey_id = a_survey(database, hr, audience_team_ids=[team])
    for person in crowd[:5]:
        answers.submit_answer(database, person, survey_id, {"enps": 10, "comment": "Keep the huddles"})
    seen = texts(page(viewer, path))
    assert "5 of 6 asked have answered" in seen
    assert "Answered so far 83%" in seen
    assert "Results are shown once the survey closes" in seen
    assert "eNPS +" not in seen and "Promoters" not in seen and "Keep the huddles" not in seen
    answers.close_survey(database, hr, survey_id)
    seen = texts(page(viewer, path))
    assert "eNPS +100" in seen
    assert "Results are shown once the survey closes" not in seen


def test_a_closed_surveys_comments_show_a_page_at_a_time_with_their_total(database, monkeypatch):
    import ui.engagement

    monkeypatch.setattr(ui.engagement, "PAGE_SIZE", 2)
    hr, leader = add_person(database, Role.HR), add_person(database, Role.LEADERSHIP)
    team = database.write(lambda c: insert_row(c, "teams", {"name": "Cards"}))
    crowd = [add_person(database, Role.AGENT, team_id=team) for _ in range(5)]
    survey_id = a_survey(database, hr, title="Commented")
    for number, person in enumerate(crowd):
        answers.submit_answer(database, person, survey_id, {"enps": 9, "comment": f"Comment number {number}"})
    answers.close_survey(database, hr, survey_id)
    for viewer, path in ((leader, "pages/engagement_results.py"), (hr, "pages/pulse_surveys.py")):
        app = page(viewer, path)
        assert "Showing 1–2 of 5 comments" in texts(app)
        first_page = [n for n in range(5) if f"Comment number {n}" in texts(app)]
        assert len(first_page) == 2
        app.number_input(key=f"comments_{survey_id}_page").set_value(3).run()
        assert "Showing 5–5 of 5 comments" in texts(app)
        last_page = [n for n in range(5) if f"Comment number {n}" in texts(app)]
        assert len(last_page) == 1 and last_page[0] not in first_page
    assert len(app.button) >= 1 and any(button.label == "Hide" for button in app.button)  # HR may hide
