"""The demo's pulse surveys follow the rules: the survey open now shows participation only
(its answers sealed until it closes), the closed ones their results, and the eNPS rises
after the Speak-Up Days."""

from __future__ import annotations

import pytest

from models.access import Role
from models.engagement import answers, results, surveys
from models.engagement.demo import BASE_ENPS, OPEN_SHARE, PAST_SURVEYS


@pytest.fixture
def demo(seeded_db):
    database, org = seeded_db()
    return database, org, org.user(org.logins[Role.HR]), org.user(org.logins[Role.LEADERSHIP])


def test_the_open_survey_shows_participation_only_and_the_demo_logins_can_still_answer(demo):
    database, org, hr, leader = demo
    [open_now] = [s for s in surveys.list_surveys(database) if s.state(org.today) == "open"]
    progress = results.survey_progress(database, hr, open_now.id)
    assert 0.8 * OPEN_SHARE[0] <= progress.share <= OPEN_SHARE[1]
    assert database.scalar("SELECT count(*) FROM survey_answers WHERE survey_id = ?", [open_now.id]) == 0
    for viewer in (hr, leader):
        with pytest.raises(results.ResultsWaitError):
            results.survey_results(database, viewer, open_now.id, today=org.today)
    for role, employee_id in org.logins.items():
        assert not answers.has_answered(database, org.user(employee_id), open_now.id), role


def test_the_closed_surveys_show_their_results_and_hide_the_quiet_team(demo):
    database, org, hr, _leader = demo
    closed = [s for s in surveys.list_surveys(database) if s.state(org.today) == "closed"]
    assert len(closed) == PAST_SURVEYS
    teams = database.scalar("SELECT count(*) FROM teams")
    for survey in closed:
        seen = results.survey_results(database, hr, survey.id, today=org.today)
        assert 0.6 <= seen.answered / seen.asked <= 0.9
        assert seen.organisation is not None and seen.organisation.answers == seen.answered
        assert 0 < len(seen.teams) < teams  # the night shift answers too little to be shown


def test_the_demo_enps_starts_low_and_rises_after_the_speakup_days(demo):
    database, org, hr, _leader = demo
    trend = results.enps_trend(database, hr, today=org.today)
    days = [row["speakup_day"] for row in database.query("SELECT speakup_day FROM idea_cycles WHERE phase = 'closed'")]
    assert days
    first = trend[0]
    assert not [day for day in days if day < first.closed_on]  # the first survey came before any Speak-Up Day
    assert abs(first.enps - BASE_ENPS) <= 10
    for day in days:
        around = results.engagement_around(database, day, today=org.today)
        if around.before is not None and around.after is not None:
            assert around.after.enps > around.before.enps, day
    assert trend[-1].enps > first.enps
