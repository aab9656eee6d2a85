"""Pulse surveys: one answer per person, who may write and read what, results only for
groups that may be shown (the subtraction case included), eNPS as a computed KPI."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.access import PermissionDeniedError, Role
from models.db import insert_row
from models.engagement import answers, results, surveys
from models.engagement.suppression import shown_groups, shown_labels
from models.errors import InputError
from models.strategy import kpis
from tests.conftest import add_person

TODAY = date.today()


def a_team(db, name: str, site: str = "Main site") -> int:
    def create(connection):
        row = connection.execute("SELECT id FROM sites WHERE name = ?", [site]).fetchone()
        site_id = row[0] if row else insert_row(connection, "sites", {"name": site})
        return insert_row(connection, "teams", {"name": name, "site_id": site_id})

    return db.write(create)


def people(db, team_id: int, count: int, *roles: Role) -> list:
    users = [add_person(db, *(roles or (Role.AGENT,)), team_id=team_id) for _ in range(count)]
    site = db.scalar("SELECT site_id FROM teams WHERE id = ?", [team_id])
    db.write(lambda c: c.execute("UPDATE employees SET site_id = ? WHERE team_id = ?", [site, team_id]))
    return users


def open_survey(db, hr, **changes) -> int:
    data = {
        "title": "Pulse this quarter",
        "opens_on": TODAY - timedelta(days=1),
        "closes_on": TODAY + timedelta(days=10),
        "questions": [{"text": "I have the tools I need", "scale": "agreement"}],
        "comment_prompt": "Anything else?",
        **changes,
    }
    return surveys.create_survey(db, hr, data)


def answer_all(db, survey_id: int, users: list, score: int = 9) -> None:
    for user in users:
        answers.submit_answer(db, user, survey_id, {"enps": score, "answers": {1: 4}})


@pytest.fixture
def hr(db):
    return add_person(db, Role.HR)


# -- one answer per person, and what a person learns of their own -------------------------


def test_a_person_answers_once_and_sees_that_they_answered(db, hr):
    team = a_team(db, "Cards")
    (agent,) = people(db, team, 1)
    survey_id = open_survey(db, hr)
    assert not answers.has_answered(db, agent, survey_id)
    answers.submit_answer(db, agent, survey_id, {"enps": 7, "answers": {1: 3}})
    assert answers.has_answered(db, agent, survey_id)
    with pytest.raises(InputError, match="answered it already"):
        answers.submit_answer(db, agent, survey_id, {"enps": 10})
    assert db.scalar("SELECT count(*) FROM survey_participation") == 1
    assert db.scalar("SELECT count(*) FROM survey_sealed_answers") == 1
    assert [(s.id, done) for s, done in surveys.surveys_to_answer(db, agent)] == [(survey_id, True)]


def test_bad_answers_are_refused_naming_the_question(db, hr):
    (agent,) = people(db, a_team(db, "Cards"), 1)
    survey_id = open_survey(db, hr)
    with pytest.raises(InputError, match="How likely"):
        answers.submit_answer(db, agent, survey_id, {"enps": 11})
    with pytest.raises(InputError, match="Question 1: choose from 1 to 5"):
        answers.submit_answer(db, agent, survey_id, {"enps": 5, "answers": {1: 9}})
    assert not answers.has_answered(db, agent, survey_id)


def test_only_the_audience_answers_and_only_while_open(db, hr):
    cards, loans = a_team(db, "Cards"), a_team(db, "Loans")
    (in_cards,), (in_loans,) = people(db, cards, 1), people(db, loans, 1)
    survey_id = open_survey(db, hr, audience_team_ids=[cards])
    with pytest.raises(InputError, match="does not ask you"):
        answers.submit_answer(db, in_loans, survey_id, {"enps": 8})
    assert surveys.surveys_to_answer(db, in_loans) == []
    planned = open_survey(db, hr, opens_on=TODAY + timedelta(days=3))
    with pytest.raises(InputError, match="not open"):
        answers.submit_answer(db, in_cards, planned, {"enps": 8})


def test_a_survey_is_edited_until_it_opens_and_closed_early_after(db, hr):
    planned = open_survey(db, hr, opens_on=TODAY + timedelta(days=3))
    survey = surveys.get_survey(db, planned)
    surveys.update_survey(db, hr, planned, {**survey.as_input(), "title": "Renamed"}, survey.version)
    assert surveys.get_survey(db, planned).title == "Renamed"
    running = open_survey(db, hr)
    opened = surveys.get_survey(db, running)
    with pytest.raises(InputError, match="can no longer be changed"):
        surveys.update_survey(db, hr, running, opened.as_input(), opened.version)
    answers.close_survey(db, hr, running)
    assert surveys.get_survey(db, running).state() == "closed"


def test_a_survey_with_six_questions_or_a_backward_window_is_refused(db, hr):
    six = [{"text": f"Question number {n}", "scale": "score"} for n in range(6)]
    with pytest.raises(InputError, match="Questions"):
        open_survey(db, hr, questions=six)
    with pytest.raises(InputError, match="Closes on"):
        open_survey(db, hr, closes_on=TODAY - timedelta(days=5))


# -- permissions of every write and read --------------------------------------------------


def test_only_hr_writes_surveys_closes_them_and_hides_comments(db, hr):
    agent = add_person(db, Role.AGENT)
    leader = add_person(db, Role.LEADERSHIP)
    survey_id = open_survey(db, hr)
    survey = surveys.get_survey(db, survey_id)
    for person in (agent, leader):
        with pytest.raises(PermissionDeniedError):
            surveys.create_survey(db, person, survey.as_input())
        with pytest.raises(PermissionDeniedError):
            surveys.update_survey(db, person, survey_id, survey.as_input(), survey.version)
        with pytest.raises(PermissionDeniedError):
            answers.close_survey(db, person, survey_id)
        with pytest.raises(PermissionDeniedError):
            results.hide_comment(db, person, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(PermissionDeniedError):
        answers.submit_answer(db, None, survey_id, {"enps": 5})


def test_an_open_surveys_results_are_refused_to_everyone_hr_and_leadership_included(db, hr):
    team = a_team(db, "Cards")
    crowd = people(db, team, 6)
    lead = people(db, team, 1, Role.TEAM_LEAD)[0]
    leader = add_person(db, Role.LEADERSHIP)
    survey_id = open_survey(db, hr)
    answer_all(db, survey_id, crowd)
    for person in (crowd[0], lead, hr, leader):
        with pytest.raises(results.ResultsWaitError, match="once it has closed"):
            results.survey_results(db, person, survey_id)
    assert all(p.enps is None or p.survey_id != survey_id for p in results.enps_trend(db, hr))
    assert db.scalar("SELECT count(*) FROM survey_answers") == 0  # nothing released while open
    # HR and leadership follow participation only: six of the eight asked (the team, lead and HR)
    for person in (hr, leader):
        progress = results.survey_progress(db, person, survey_id)
        assert (progress.answered, progress.asked) == (6, 9)
    with pytest.raises(PermissionDeniedError):
        results.survey_progress(db, crowd[0], survey_id)
    with pytest.raises(PermissionDeniedError):
        results.teams_beside_ideas(db, crowd[0])
    answers.close_survey(db, hr, survey_id)
    seen = results.survey_results(db, crowd[0], survey_id)
    assert seen.organisation.enps == 100.0
    assert (seen.teams, seen.sites, seen.comments) == ([], [], [])
    assert [t.name for t in results.survey_results(db, lead, survey_id).teams] == ["Cards"]
    assert results.survey_results(db, leader, survey_id).organisation.answers == 6


def test_a_survey_whose_closing_day_passed_shows_its_results_without_anyone_closing_it(db, hr):
    crowd = people(db, a_team(db, "Cards"), 5)
    survey_id = open_survey(db, hr, closes_on=TODAY)
    answer_all(db, survey_id, crowd, score=3)
    with pytest.raises(results.ResultsWaitError):
        results.survey_results(db, hr, survey_id)
    tomorrow = TODAY + timedelta(days=1)
    assert results.survey_results(db, hr, survey_id, today=tomorrow).organisation.enps == -100.0


# -- thresholds --------------------------------------------------------------------------


def test_results_appear_only_once_the_threshold_is_reached(db, hr):
    crowd = people(db, a_team(db, "Cards"), 5)
    few = open_survey(db, hr)
    answer_all(db, few, crowd[:4])
    answers.close_survey(db, hr, few)
    assert results.survey_results(db, hr, few).organisation is None
    enough = open_survey(db, hr)
    answer_all(db, enough, crowd)
    assert db.scalar("SELECT count(*) FROM survey_answers WHERE survey_id = ?", [enough]) == 0  # sealed until close
    answers.close_survey(db, hr, enough)
    shown = results.survey_results(db, hr, enough).organisation
    assert (shown.answers, shown.promoters, shown.enps) == (5, 5, 100.0)


def test_enps_is_promoters_minus_detractors_in_points():
    group = results.enps([10, 9, 9, 8, 7, 6, 0, 3, 10, 9])
    assert (group.promoters, group.passives, group.detractors, group.enps) == (5, 2, 3, 20.0)


def test_one_hidden_group_takes_the_next_smallest_with_it():
    assert shown_groups({"A": 12, "B": 8, "C": 6, "D": 2}, 5) == {"A", "B"}
    assert shown_groups({"A": 12, "B": 8, "C": 3, "D": 3}, 5) == {"A", "B"}
    assert shown_groups({"A": 12, "B": 8}, 5) == {"A", "B"}
    assert shown_groups({"A": 4, "B": 3}, 5) == set()


def test_a_hidden_site_hides_its_teams_too():
    counts = {("A", "North"): 6, ("B", "North"): 6, ("C", "South"): 3, ("D", "East"): 20}
    teams, sites = shown_labels(counts, 5)
    assert "North" not in sites and "South" not in sites and "East" in sites
    assert teams == {"D"}


def test_a_small_team_cannot_be_recovered_from_the_total_and_the_shown_teams(db, hr):
    big, middle, small = a_team(db, "Big"), a_team(db, "Middle"), a_team(db, "Small")
    survey_id = open_survey(db, hr)
    answer_all(db, survey_id, people(db, big, 9), score=10)
    answer_all(db, survey_id, people(db, middle, 6), score=8)
    answer_all(db, survey_id, people(db, small, 2), score=0)
    answers.close_survey(db, hr, survey_id)
    seen = results.survey_results(db, hr, survey_id)
    assert seen.organisation.answers == 17
    shown = {t.name: t.answers for t in seen.teams}
    assert shown == {"Big": 9}  # Middle hidden with Small: 17 − 9 = 8 answers of two teams
    assert seen.organisation.answers - sum(shown.values()) >= seen.threshold
    stored = db.query("SELECT DISTINCT team_id FROM survey_answers")
    assert {row["team_id"] for row in stored} == {big, None}  # not even the database names the small team


def test_a_team_whose_people_answered_from_two_sites_is_one_row_with_all_its_answers(db, hr):
    cards, loans = a_team(db, "Cards", "North"), a_team(db, "Loans", "South")
    cards_people, loans_people = people(db, cards, 16), people(db, loans, 10)
    south = db.scalar("SELECT site_id FROM teams WHERE id = ?", [loans])
    moved = [person.employee_id for person in cards_people[:6]]  # work at the other site
    db.write(lambda c: c.execute("UPDATE employees SET site_id = ? WHERE id IN (SELECT unnest(?))", [south, moved]))
    survey_id = open_survey(db, hr)
    answer_all(db, survey_id, cards_people[:6], score=10)
    answer_all(db, survey_id, cards_people[6:11], score=9)
    answer_all(db, survey_id, cards_people[11:], score=3)
    answer_all(db, survey_id, loans_people, score=8)
    answers.close_survey(db, hr, survey_id)
    seen = results.survey_results(db, hr, survey_id)
    shown = {team.name: (team.answers, team.promoters, team.detractors, team.enps) for team in seen.teams}
    assert shown == {"Cards": (16, 11, 5, 37.5), "Loans": (10, 0, 0, 0.0)}
    assert {site.name: site.answers for site in seen.sites} == {"North": 10, "South": 16}


def test_a_team_is_hidden_when_its_answers_at_one_of_its_sites_are_too_few():
    # Cards' 3 answers at South would be Cards minus its 10 at North if Cards were shown whole
    counts = {("Cards", "North"): 10, ("Cards", "South"): 3, ("Loans", "South"): 12, ("Desk", "North"): 9}
    teams, sites = shown_labels(counts, 5)
    assert sites == {"North", "South"}
    assert "Cards" not in teams
    assert teams == {"Desk"}  # Loans goes with Cards' 3 at South: hidden together, never alone


def test_enps_rounds_a_half_away_from_zero_as_the_customer_nps_does(db):
    # 5 promoters and 4 detractors of 16: 6.25 points, written 6.3 like SQL's round
    assert results.enps([10] * 5 + [4] * 4 + [8] * 7).enps == 6.3
    assert results.enps([0] * 5 + [10] * 4 + [8] * 7).enps == -6.3
    assert db.scalar("SELECT round(100.0 * (5 - 4) / 16, 1)") == 6.3


def test_comments_follow_the_threshold_and_hr_hides_one(db, hr):
    crowd = people(db, a_team(db, "Cards"), 6)
    survey_id = open_survey(db, hr)
    for index, person in enumerate(crowd):
        comment = f"Remark {index}" if index < 4 else None
        answers.submit_answer(db, person, survey_id, {"enps": 7, "comment": comment})
    answers.close_survey(db, hr, survey_id)
    assert results.survey_results(db, hr, survey_id).comments == []  # 4 comments < 5
    survey_two = open_survey(db, hr)
    for index, person in enumerate(crowd):
        answers.submit_answer(db, person, survey_two, {"enps": 7, "comment": f"Note {index}"})
    answers.close_survey(db, hr, survey_two)
    comments = results.survey_results(db, hr, survey_two).comments
    assert sorted(c.text for c in comments) == [f"Note {n}" for n in range(6)]
    results.hide_comment(db, hr, comments[0].id, reason="names a colleague")
    assert comments[0].text not in [c.text for c in results.survey_results(db, hr, survey_two).comments]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'survey_comment' AND action = 'hide'") == 1


# -- eNPS as a computed KPI ---------------------------------------------------------------


def test_enps_is_computed_from_closed_surveys_and_refused_by_hand(db, hr):
    crowd = people(db, a_team(db, "Cards"), 5)
    survey_id = open_survey(db, hr)
    for person, score in zip(crowd, (10, 9, 8, 3, 9), strict=True):
        answers.submit_answer(db, person, survey_id, {"enps": score})
    answers.close_survey(db, hr, survey_id)
    kpi = kpis.kpi_by_code(db, "enps")
    assert kpi.computed
    series = kpis.kpi_series(db, kpi, end=TODAY + timedelta(days=31))  # the month it closed in, once complete
    assert [point.value for point in series] == [40.0]
    leader = add_person(db, Role.LEADERSHIP)
    with pytest.raises(InputError, match="computed by the portal"):
        kpis.record_measurement(db, leader, {"kpi_id": kpi.id, "measured_on": TODAY, "value": 12})


def a_cycle(db, day: date) -> int:
    return db.write(
        lambda c: insert_row(
            c,
            "idea_cycles",
            {
                "name": "Q",
                "submission_opens": day - timedelta(days=50),
                "submission_closes": day - timedelta(days=10),
                "speakup_day": day,
                "created_at": day,
            },
        )
    )


def test_engagement_before_and_after_a_speakup_day_reads_the_surveys_around_it(db, hr):
    crowd = people(db, a_team(db, "Cards"), 5)
    day = TODAY - timedelta(days=60)
    before = open_survey(db, hr, opens_on=day - timedelta(days=40), closes_on=day - timedelta(days=20))
    after = open_survey(db, hr, opens_on=day + timedelta(days=10), closes_on=day + timedelta(days=30))
    for survey_id, score, when in ((before, 3, day - timedelta(days=30)), (after, 10, day + timedelta(days=15))):
        for person in crowd:
            answers.submit_answer(db, person, survey_id, {"enps": score}, today=when)
    around = results.engagement_around(db, day)
    assert (around.before.enps, around.after.enps) == (-100.0, 100.0)
    from models.speakup.cycle_report import cycle_report

    report = cycle_report(db, add_person(db, Role.LEADERSHIP), a_cycle(db, day))
    assert (report["enps_before"], report["enps_after"]) == (-100.0, 100.0)
    assert (report["enps_before_note"], report["enps_after_note"]) == (None, None)


def test_engagement_after_waits_for_the_first_survey_to_close_and_then_never_changes(db, hr):
    """The figure after a Speak-Up Day is the first survey opened after it to close: the report
    says what it waits for, and a survey that closes later never replaces it."""
    from models.speakup.cycle_report import cycle_report

    crowd = people(db, a_team(db, "Cards"), 5)
    leader = add_person(db, Role.LEADERSHIP)
    day = TODAY - timedelta(days=30)
    cycle_id = a_cycle(db, day)
    report = cycle_report(db, leader, cycle_id)
    assert report["enps_after"] is None
    assert report["enps_after_note"] == "waiting for a survey opened after the Speak-Up Day to close"
    sooner = open_survey(db, hr, opens_on=day + timedelta(days=5), closes_on=TODAY + timedelta(days=10))
    later = open_survey(db, hr, opens_on=day + timedelta(days=10), closes_on=TODAY + timedelta(days=20))
    answer_all(db, sooner, crowd, score=10)
    answer_all(db, later, crowd, score=2)
    report = cycle_report(db, leader, cycle_id)
    closing = TODAY + timedelta(days=10)
    assert (report["enps_after"], report["enps_after_note"]) == (
        None,
        f"waiting for the survey closing on {closing:%d %b %Y}",
    )
    answers.close_survey(db, hr, later)  # HR closes the later one early: it closes first
    assert cycle_report(db, leader, cycle_id)["enps_after"] == -100.0
    answers.close_survey(db, hr, sooner)
    assert cycle_report(db, leader, cycle_id)["enps_after"] == -100.0
    later_on = TODAY + timedelta(days=40)  # every survey long closed: still the one that closed first
    assert results.engagement_around(db, day, today=later_on).after.enps == -100.0


def test_a_closed_surveys_participation_counts_the_people_employed_while_it_ran(db, hr):
    """Later joiners do not lower a past survey's participation; someone who left after it
    still counts among those it asked."""
    team = a_team(db, "Cards")
    crowd = people(db, team, 6)
    start = TODAY - timedelta(days=200)
    db.write(lambda c: c.execute("UPDATE employees SET hire_date = ?", [start - timedelta(days=365)]))
    survey_id = open_survey(db, hr, opens_on=start, closes_on=start + timedelta(days=20))
    for user in crowd[:4]:
        answers.submit_answer(db, user, survey_id, {"enps": 8}, today=start + timedelta(days=1))
    joiners = people(db, team, 10)
    db.write(
        lambda c: c.execute(
            "UPDATE employees SET hire_date = ? WHERE list_contains(?, id)",
            [TODAY - timedelta(days=30), [user.employee_id for user in joiners]],
        )
    )
    db.write(
        lambda c: c.execute(
            "UPDATE employees SET active = FALSE, deactivated_at = ? WHERE id = ?",
            [TODAY - timedelta(days=60), crowd[5].employee_id],
        )
    )
    survey = surveys.get_survey(db, survey_id)
    assert answers.participation(db, survey) == (4, 7)  # the six of the team and HR, not the joiners


def test_idea_participation_is_over_the_team_employed_while_the_survey_ran_not_today(db, hr):
    from tests.speakup_helpers import open_cycle, submitted_idea

    team = a_team(db, "Cards")
    crowd = people(db, team, 5)
    start = TODAY - timedelta(days=120)
    db.write(lambda c: c.execute("UPDATE employees SET hire_date = ?", [start - timedelta(days=365)]))
    survey_id = open_survey(db, hr, opens_on=start, closes_on=start + timedelta(days=20))
    for user in crowd:
        answers.submit_answer(db, user, survey_id, {"enps": 9}, today=start + timedelta(days=1))
    open_cycle(db, add_person(db, Role.LEADERSHIP))
    submitted_idea(db, crowd[0])
    db.write(lambda c: c.execute("UPDATE ideas SET submitted_at = ?", [start + timedelta(days=2)]))
    joiners = people(db, team, 15)
    db.write(
        lambda c: c.execute(
            "UPDATE employees SET hire_date = ? WHERE list_contains(?, id)",
            [TODAY - timedelta(days=10), [user.employee_id for user in joiners]],
        )
    )
    [row] = [r for r in results.teams_beside_ideas(db, hr) if r.team == "Cards"]
    assert (row.answers, row.headcount, row.idea_participants) == (5, 5, 1)
    assert row.idea_participation == 20.0  # one of the five then, not one of today's twenty
