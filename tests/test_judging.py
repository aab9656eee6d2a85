"""Speak-Up Day judging: the scoring rule, blind scoring, conflicts of interest, decisions
and what a green light sets in motion."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from models import access
from models.access import PermissionDeniedError, Role
from models.actions import plan, workflow
from models.errors import InputError
from models.recognition import awards
from models.speakup import benefits, board, cycle_report, cycles, decisions, ideas, judging, moderation
from tests.speakup_helpers import count, open_cycle, scores_for, submitted_idea

WEIGHTS = {1: 35, 2: 30, 3: 20, 4: 15}


# -- the rule as arithmetic ----------------------------------------------------------
def test_a_judges_score_is_the_weighted_mean_of_criteria():
    assert judging.judge_score({1: 5, 2: 1, 3: 1, 4: 1}, WEIGHTS) == pytest.approx((5 * 35 + 65) / 100)
    assert judging.judge_score({1: 1, 2: 5, 3: 5, 4: 5}, WEIGHTS) == pytest.approx((35 + 5 * 65) / 100)


def test_the_idea_score_is_the_mean_over_judges():
    sheets = [{1: 3, 2: 3, 3: 3, 4: 3}, {1: 4, 2: 4, 3: 4, 4: 4}, {1: 5, 2: 5, 3: 5, 4: 5}]
    assert judging.idea_score(sheets, WEIGHTS) == pytest.approx(4.0)
    assert judging.idea_score([], WEIGHTS) is None


def test_a_score_exactly_at_the_threshold_is_green_lit():
    # 35·4 + 30·3 + 20·3 + 15·4 = 350 → 3.5 exactly, whatever floating point makes of it
    score = judging.idea_score([{1: 4, 2: 3, 3: 3, 4: 4}] * 3, WEIGHTS)
    assert judging.is_green_lit(score, 3, 3.5, 3)
    assert not judging.is_green_lit(3.49, 3, 3.5, 3)


def test_too_few_judges_is_never_green_lit():
    assert not judging.is_green_lit(5.0, 2, 3.5, 3)
    assert judging.is_green_lit(5.0, 3, 3.5, 3)


# -- a cycle in its scoring phase ----------------------------------------------------
@pytest.fixture
def org(db, make_user):
    """A leader who runs the cycle, three more judges, a team lead who manages the author."""
    head = make_user(Role.LEADERSHIP)
    judges = [make_user(Role.LEADERSHIP) for _ in range(3)]
    manager = make_user(Role.LEADERSHIP, Role.TEAM_LEAD)
    author = make_user(Role.AGENT, manager_id=manager.employee_id)
    co_author = make_user(Role.AGENT)
    moderator = make_user(Role.MODERATOR)
    cycle_id = open_cycle(db, head)
    idea_id = submitted_idea(db, author, co_author_ids=[co_author.employee_id])
    moderation.shortlist(db, moderator, idea_id)
    return {
        "head": head,
        "judges": judges,
        "manager": manager,
        "author": author,
        "co_author": co_author,
        "moderator": moderator,
        "cycle_id": cycle_id,
        "idea_id": idea_id,
    }


def start_scoring(db, org):
    cycles.advance_phase(db, org["head"], org["cycle_id"])  # review
    cycles.advance_phase(db, org["head"], org["cycle_id"])  # scoring
    return cycles.get_cycle(db, org["cycle_id"])


def test_three_judges_at_the_threshold_green_light_the_idea(db, org):
    cycle = start_scoring(db, org)
    for judge, value in zip(org["judges"], (3, 4, 3.5), strict=True):
        sheet = scores_for(cycle, 4, 3, 3, 4) if value == 3.5 else scores_for(cycle, value)
        judging.submit_scores(db, judge, org["idea_id"], sheet)
    result = judging.result_for(db, org["idea_id"])
    assert result.judges == 3 and result.score == pytest.approx(3.5)
    assert result.spread == pytest.approx(1.0)
    decision = decisions.decide(db, org["head"], org["idea_id"], "Strong case, cheap to build")
    assert decision.outcome == "green_lit"
    assert decision.green_light_threshold == 3.5 and decision.min_judges == 3
    assert decision.weights == {
        "Financial impact": 35,
        "Customer impact": 30,
        "Ease of implementation": 20,
        "Strategic alignment": 15,
    }
    assert len(decision.scores) == 3 and decision.scores[0]["scores"]["Financial impact"] == 3
    assert ideas.get_idea(db, org["idea_id"]).status == "in_implementation"


def test_weights_decide_between_a_rich_and_a_popular_idea(db, org):
    cycle = start_scoring(db, org)
    for judge in org["judges"]:
        # top marks on money alone (weight 35) cannot reach 3.5
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 5, 2, 2, 2))
    assert judging.result_for(db, org["idea_id"]).score == pytest.approx((5 * 35 + 2 * 65) / 100)
    assert decisions.decide(db, org["head"], org["idea_id"], "Money alone is not enough").outcome == "not_selected"
    assert ideas.get_idea(db, org["idea_id"]).status == "not_selected"


def test_two_judges_are_too_few_even_with_top_scores(db, org):
    cycle = start_scoring(db, org)
    for judge in org["judges"][:2]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 5))
    decision = decisions.decide(db, org["head"], org["idea_id"], "Only two judges were free")
    assert decision.outcome == "not_selected" and decision.judges == 2
    assert "fewer than the minimum of 3" in board.status_history(db, org["idea_id"])[-1]["note"]


@pytest.mark.parametrize("who", ["author", "co_author", "manager"])
def test_authors_co_authors_and_the_authors_manager_may_not_judge(db, org, make_user, who):
    cycle = start_scoring(db, org)
    person = org[who]
    if not person.can(access.Permission.IDEAS_JUDGE):
        person = access.CurrentUser(**{**person.model_dump(), "roles": person.roles | {Role.LEADERSHIP}})
    with pytest.raises(InputError, match="may not score it"):
        judging.submit_scores(db, person, org["idea_id"], scores_for(cycle, 5))
    assert count(db, "SELECT count(*) FROM idea_scores") == 0
    queue = judging.judging_queue(db, person, org["cycle_id"])
    assert queue[0]["conflict"]


def test_judges_are_blind_until_they_submit_their_own_scores(db, org):
    cycle = start_scoring(db, org)
    first, second, _ = org["judges"]
    judging.submit_scores(db, first, org["idea_id"], scores_for(cycle, 4), "Good business case")
    assert judging.score_sheets(db, second, org["idea_id"]) is None
    judging.submit_scores(db, second, org["idea_id"], scores_for(cycle, 2))
    sheets = judging.score_sheets(db, second, org["idea_id"])
    assert [sheet["judge_score"] for sheet in sheets] == [4.0, 2.0]
    assert sheets[0]["comment"] == "Good business case"
    assert judging.score_sheets(db, org["author"], org["idea_id"]) is None


def test_a_judge_scores_an_idea_once(db, org):
    cycle = start_scoring(db, org)
    judge = org["judges"][0]
    judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 4))
    with pytest.raises(InputError, match="already"):
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 1))
    assert judging.result_for(db, org["idea_id"]).score == pytest.approx(4.0)


@pytest.mark.parametrize("bad", [0, 6, 2.5, -1])
def test_a_score_outside_1_to_5_is_refused_and_nothing_is_stored(db, org, bad):
    cycle = start_scoring(db, org)
    sheet = scores_for(cycle, 4)
    sheet[cycle.criteria[2].id] = bad
    with pytest.raises(InputError) as error:
        judging.submit_scores(db, org["judges"][0], org["idea_id"], sheet)
    assert error.value.problems[0][0] == "Ease of implementation"
    assert count(db, "SELECT count(*) FROM idea_scores") == 0
    assert count(db, "SELECT count(*) FROM idea_judgements") == 0


def test_a_missing_criterion_is_named(db, org):
    cycle = start_scoring(db, org)
    sheet = scores_for(cycle, 4)
    del sheet[cycle.criteria[0].id]
    with pytest.raises(InputError, match="Financial impact: give a score"):
        judging.submit_scores(db, org["judges"][0], org["idea_id"], sheet)


def test_scoring_outside_the_scoring_phase_is_refused(db, org):
    cycle = cycles.get_cycle(db, org["cycle_id"])  # still open for submissions
    with pytest.raises(InputError, match="not in its scoring phase"):
        judging.submit_scores(db, org["judges"][0], org["idea_id"], scores_for(cycle, 4))
    cycles.advance_phase(db, org["head"], org["cycle_id"])
    cycles.advance_phase(db, org["head"], org["cycle_id"])
    cycles.advance_phase(db, org["head"], org["cycle_id"])  # closed
    with pytest.raises(InputError, match="not in its scoring phase"):
        judging.submit_scores(db, org["judges"][0], org["idea_id"], scores_for(cycle, 4))
    assert count(db, "SELECT count(*) FROM idea_scores") == 0


def test_a_comment_over_its_limit_is_refused(db, org):
    cycle = start_scoring(db, org)
    with pytest.raises(InputError, match="Comment: use at most"):
        judging.submit_scores(db, org["judges"][0], org["idea_id"], scores_for(cycle, 4), "x" * 1001)
    assert count(db, "SELECT count(*) FROM idea_scores") == 0


def test_criteria_are_frozen_once_scoring_started(db, org):
    start_scoring(db, org)
    with pytest.raises(InputError, match="frozen"):
        cycles.update_rules(db, org["head"], org["cycle_id"], {"criteria": list(cycles.DEFAULT_CRITERIA)[:2]})
    assert len(cycles.get_cycle(db, org["cycle_id"]).criteria) == 4


def test_a_decision_is_changed_only_by_a_new_audited_decision(db, org, make_user):
    cycle = start_scoring(db, org)
    for judge in org["judges"][:2]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 5))
    first = decisions.decide(db, org["head"], org["idea_id"], "Waiting for a third judge")
    assert first.outcome == "not_selected"
    late_judge = make_user(Role.LEADERSHIP)
    judging.submit_scores(db, late_judge, org["idea_id"], scores_for(cycle, 4))
    second = decisions.decide(db, org["head"], org["idea_id"], "Third judge scored after the day")
    assert second.outcome == "green_lit"
    recorded = decisions.decisions_for(db, org["head"], org["idea_id"])
    assert [d.outcome for d in recorded] == ["green_lit", "not_selected"]
    assert recorded[1].rationale == "Waiting for a third judge"  # the earlier one is kept as it was
    assert count(db, "SELECT count(*) FROM audit_log WHERE entity = 'idea_decision'") == 2


def test_a_decision_needs_a_rationale(db, org):
    start_scoring(db, org)
    with pytest.raises(InputError, match="Rationale"):
        decisions.decide(db, org["head"], org["idea_id"], "")
    assert count(db, "SELECT count(*) FROM idea_decisions") == 0


def test_a_green_light_recognises_every_author_once_and_names_an_owner(db, org):
    cycle = start_scoring(db, org)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 5))
    owner = org["judges"][1]
    decisions.decide(db, org["head"], org["idea_id"], "Clear win", action_owner_id=owner.employee_id)
    decisions.decide(db, org["head"], org["idea_id"], "Confirmed after review")
    for person in (org["author"], org["co_author"]):
        badges = awards.recognitions_for(db, person.employee_id)
        assert [b["kind"] for b in badges] == ["green_lit_idea"]
    idea = ideas.get_idea(db, org["idea_id"])
    assert idea.action_owner_id == owner.employee_id and idea.action_due_date is not None
    feedback = decisions.feedback_for_authors(db, org["author"], org["idea_id"])
    assert feedback["outcome"] == "Green-lit" and feedback["rationale"] == "Confirmed after review"


def test_the_action_owner_records_realised_savings_at_30_90_180_days(db, org, make_user):
    cycle = start_scoring(db, org)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 5))
    owner = make_user(Role.TEAM_LEAD)
    decisions.decide(db, org["head"], org["idea_id"], "Clear win", action_owner_id=owner.employee_id)
    later = date.today() + timedelta(days=95)
    benefits.record_benefit_review(db, owner, org["idea_id"], 30, 8_000, "first month", today=later)
    benefits.record_benefit_review(db, owner, org["idea_id"], 90, 31_000, implemented=True, today=later)
    with pytest.raises(InputError, match="Realised savings: cannot be negative"):
        benefits.record_benefit_review(db, owner, org["idea_id"], 180, -5)
    with pytest.raises(InputError, match="Review"):
        benefits.record_benefit_review(db, owner, org["idea_id"], 60, 5)
    with pytest.raises(PermissionDeniedError):
        benefits.record_benefit_review(db, org["author"], org["idea_id"], 180, 50_000)
    green = benefits.green_lit_ideas(db)
    assert green[0]["realised_savings"] == 31_000 and green[0]["projected_annual_savings"] == 120_000
    assert ideas.get_idea(db, org["idea_id"]).status == "implemented"


def test_judging_writes_need_their_permissions(db, org):
    cycle = start_scoring(db, org)
    for person in (org["moderator"], org["co_author"]):
        with pytest.raises(PermissionDeniedError):
            judging.submit_scores(db, person, org["idea_id"], scores_for(cycle, 5))
        with pytest.raises(PermissionDeniedError):
            decisions.decide(db, person, org["idea_id"], "I decide this")
    assert count(db, "SELECT count(*) FROM idea_scores") == 0


def test_the_cycle_report_counts_the_funnel_and_money(db, org, make_user):
    cycle = start_scoring(db, org)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 5))
    decisions.decide(db, org["head"], org["idea_id"], "Clear win")
    report = cycle_report.cycle_report(db, org["head"], org["cycle_id"])
    assert report["submitted"] == 1 and report["participants"] == 2
    assert report["shortlisted"] == 1 and report["green_lit"] == 1
    assert report["projected_annual_savings"] == 120_000
    funnel = cycle_report.funnel(db, org["head"], org["cycle_id"])
    assert funnel["ideas"].tolist() == [1, 1, 1, 1, 0]
    table = cycle_report.idea_table(db, org["head"], org["cycle_id"])
    assert table.loc[0, "score"] == 5.0 and table.loc[0, "judges"] == 3
    with pytest.raises(PermissionDeniedError):
        cycle_report.cycle_report(db, org["author"], org["cycle_id"])


def test_the_recorded_score_is_the_one_the_threshold_was_applied_to(db, org):
    # four sheets whose weighted scores 1.0, 3.3, 4.85 and 4.85 average 3.4999999999999996 in floating point
    cycle = start_scoring(db, org)
    sheets = [(1, 1, 1, 1), (1, 4, 5, 5), (5, 5, 5, 4), (5, 5, 5, 4)]
    for judge, sheet in zip([*org["judges"], org["head"]], sheets, strict=True):
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, *sheet))
    weights = {criterion.id: criterion.weight for criterion in cycle.criteria}
    assert sum(judging.judge_score(scores_for(cycle, *sheet), weights) for sheet in sheets) / 4 < 3.5
    assert judging.idea_score([scores_for(cycle, *sheet) for sheet in sheets], weights) == 3.5
    decision = decisions.decide(db, org["head"], org["idea_id"], "Right on the line")
    assert decision.outcome == "green_lit"
    stored = db.query_one("SELECT score, green_light_threshold FROM idea_decisions WHERE id = ?", [decision.id])
    assert stored["score"] == 3.5  # not 3.4999999999999996: an export re-checked with a plain >= agrees
    assert stored["score"] >= stored["green_light_threshold"]
    assert judging.result_for(db, org["idea_id"]).score == 3.5


def test_a_chair_who_decided_without_scoring_sees_the_scores_and_no_longer_scores(db, org):
    cycle = start_scoring(db, org)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 5))
    assert judging.score_sheets(db, org["head"], org["idea_id"]) is None
    decisions.decide(db, org["head"], org["idea_id"], "Clear win on the day")
    assert len(judging.score_sheets(db, org["head"], org["idea_id"])) == 3
    with pytest.raises(InputError, match="recorded the decision"):
        judging.submit_scores(db, org["head"], org["idea_id"], scores_for(cycle, 1))


def test_an_idea_carried_into_the_next_cycle_is_judged_afresh(db, org):
    cycle = start_scoring(db, org)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 2))
    decisions.decide(db, org["head"], org["idea_id"], "Not this quarter")
    cycles.advance_phase(db, org["head"], org["cycle_id"])  # closed
    next_cycle = open_cycle(db, org["head"], name="2027 Q1")
    moderation.carry_forward(db, org["moderator"], org["idea_id"], next_cycle)
    assert judging.result_for(db, org["idea_id"]).judges == 0  # last quarter's scores do not count here
    moderation.shortlist(db, org["moderator"], org["idea_id"])
    cycles.advance_phase(db, org["head"], next_cycle)
    cycles.advance_phase(db, org["head"], next_cycle)
    fresh = cycles.get_cycle(db, next_cycle)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(fresh, 4))
    assert judging.result_for(db, org["idea_id"]).score == pytest.approx(4.0)
    assert decisions.decide(db, org["head"], org["idea_id"], "Stronger case this time").outcome == "green_lit"
    report = cycle_report.cycle_report(db, org["head"], next_cycle)
    assert report["shortlisted"] == 1 and report["green_lit"] == 1
    assert report["submitted"] == 1 and report["carried_in"] == 1
    earlier = cycle_report.cycle_report(db, org["head"], org["cycle_id"])
    assert (earlier["submitted"], earlier["shortlisted"], earlier["green_lit"]) == (1, 1, 0)  # as it was then


def _report_figures(db, viewer, cycle_id):
    report = cycle_report.cycle_report(db, viewer, cycle_id)
    table = cycle_report.idea_table(db, viewer, cycle_id)
    funnel = cycle_report.funnel(db, viewer, cycle_id)["ideas"].tolist()
    return report, table[["idea", "status", "score", "judges", "supporters"]].to_dict("records"), funnel


def test_a_closed_cycles_report_stays_as_it_was_when_its_ideas_are_carried_on(db, org, make_user):
    cycle = start_scoring(db, org)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 2))
    decisions.decide(db, org["head"], org["idea_id"], "Not this quarter")
    cycles.advance_phase(db, org["head"], org["cycle_id"])  # closed
    closed = _report_figures(db, org["head"], org["cycle_id"])
    assert closed[0]["submitted"] == 1 and closed[0]["participants"] == 2 and closed[0]["shortlisted"] == 1
    assert closed[1][0]["status"] == "not_selected" and closed[1][0]["score"] == 2.0

    # carried on, supported and green-lit in the next cycle, which then closes
    next_cycle = open_cycle(db, org["head"], name="2027 Q1")
    moderation.carry_forward(db, org["moderator"], org["idea_id"], next_cycle)
    assert _report_figures(db, org["head"], org["cycle_id"]) == closed
    board.support_idea(db, make_user(Role.AGENT), org["idea_id"])
    moderation.shortlist(db, org["moderator"], org["idea_id"])
    cycles.advance_phase(db, org["head"], next_cycle)
    fresh = cycles.advance_phase(db, org["head"], next_cycle) and cycles.get_cycle(db, next_cycle)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(fresh, 5))
    decisions.decide(db, org["head"], org["idea_id"], "Stronger case this time")
    cycles.advance_phase(db, org["head"], next_cycle)  # closed
    assert _report_figures(db, org["head"], org["cycle_id"]) == closed

    # the carried idea counts in the new cycle as posted there, carried in, and its outcome
    later, table, funnel = _report_figures(db, org["head"], next_cycle)
    assert (later["submitted"], later["carried_in"], later["participants"]) == (1, 1, 2)
    assert (later["shortlisted"], later["green_lit"]) == (1, 1)
    assert later["projected_annual_savings"] == 120_000
    assert table[0]["status"] == "in_implementation" and table[0]["score"] == 5.0 and table[0]["supporters"] == 1
    assert funnel == [1, 1, 1, 1, 0]


def test_a_green_light_becomes_one_owned_action_in_the_plan(db, org):
    cycle = start_scoring(db, org)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 5))
    owner = org["judges"][2]
    due = cycle.speakup_day + timedelta(days=120)
    decisions.decide(
        db, org["head"], org["idea_id"], "Clear win", action_owner_id=owner.employee_id, action_due_date=due
    )
    decisions.decide(db, org["head"], org["idea_id"], "Confirmed after review")  # no second action
    linked = plan.actions_for(db, idea_id=org["idea_id"])
    assert len(linked) == 1
    action = linked[0]
    assert (action.origin, action.owner_id, action.due_date) == ("idea", owner.employee_id, due)
    assert action.action_type == "improvement"
    assert ideas.get_idea(db, org["idea_id"]).action_id == action.id


def test_an_idea_not_selected_gets_no_action(db, org):
    cycle = start_scoring(db, org)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 2))
    decisions.decide(db, org["head"], org["idea_id"], "Below the bar")
    assert plan.actions_for(db, idea_id=org["idea_id"]) == []


def test_a_later_decision_never_contradicts_the_ideas_action(db, org, make_user):
    cycle = start_scoring(db, org)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 4))
    decisions.decide(db, org["head"], org["idea_id"], "Clear win")
    action = plan.actions_for(db, idea_id=org["idea_id"])[0]
    judging.submit_scores(db, make_user(Role.LEADERSHIP), org["idea_id"], scores_for(cycle, 1))  # mean 3.25
    with pytest.raises(InputError, match=f"action #{action.id} is planned; cancel that action"):
        decisions.decide(db, org["head"], org["idea_id"], "A late judge is unconvinced")
    assert ideas.get_idea(db, org["idea_id"]).status == "in_implementation"
    workflow.change_status(db, org["head"], action.id, "cancelled", action.version, note="Re-decided on the day")
    assert decisions.decide(db, org["head"], org["idea_id"], "Not after all").outcome == "not_selected"
    assert ideas.get_idea(db, org["idea_id"]).status == "not_selected"
    judging.submit_scores(db, make_user(Role.LEADERSHIP), org["idea_id"], scores_for(cycle, 5))  # mean 3.6
    assert decisions.decide(db, org["head"], org["idea_id"], "Back on").outcome == "green_lit"
    linked = plan.actions_for(db, idea_id=org["idea_id"])
    assert sorted(a.status for a in linked) == ["cancelled", "planned"]  # never two open actions
    assert ideas.get_idea(db, org["idea_id"]).action_id == next(a.id for a in linked if a.status == "planned")


def test_a_judge_yet_to_score_sees_no_scores_through_decisions(db, org, make_user):
    cycle = start_scoring(db, org)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 5))
    decisions.decide(db, org["head"], org["idea_id"], "Clear win")
    late_judge = make_user(Role.LEADERSHIP)
    hidden = decisions.decisions_for(db, late_judge, org["idea_id"])[0]
    assert hidden.outcome == "green_lit" and hidden.score is None and hidden.scores == []
    judging.submit_scores(db, late_judge, org["idea_id"], scores_for(cycle, 4))
    seen = decisions.decisions_for(db, late_judge, org["idea_id"])[0]
    assert seen.score == pytest.approx(5.0) and len(seen.scores) == 3


def test_the_authors_manager_sees_scores_only_once_a_decision_is_recorded(db, org):
    cycle = start_scoring(db, org)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 5))
    assert judging.score_sheets(db, org["manager"], org["idea_id"]) is None
    decisions.decide(db, org["head"], org["idea_id"], "Clear win")
    assert len(judging.score_sheets(db, org["manager"], org["idea_id"])) == 3


def test_a_benefit_review_is_refused_before_its_day(db, org):
    cycle = start_scoring(db, org)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 5))
    decisions.decide(db, org["head"], org["idea_id"], "Clear win")
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(InputError, match="Review: the 180-day review is due on"):
        benefits.record_benefit_review(db, org["head"], org["idea_id"], 180, 50_000, today=tomorrow)
    assert count(db, "SELECT count(*) FROM idea_benefit_reviews") == 0
    benefits.record_benefit_review(db, org["head"], org["idea_id"], 30, 5_000, today=date.today() + timedelta(days=30))


def test_green_lit_ideas_name_the_actions_current_owner(db, org, make_user):
    cycle = start_scoring(db, org)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 5))
    decisions.decide(db, org["head"], org["idea_id"], "Clear win")
    action = plan.actions_for(db, idea_id=org["idea_id"])[0]
    successor = make_user(Role.TEAM_LEAD)
    data = action.model_dump(include=set(plan.ActionInput.model_fields))
    workflow.update_action(db, org["head"], action.id, {**data, "owner_id": successor.employee_id}, action.version)
    row = benefits.green_lit_ideas(db)[0]
    assert row["action_owner_id"] == successor.employee_id
    assert benefits.green_lit_ideas(db, owner_id=successor.employee_id)[0]["id"] == org["idea_id"]


def test_the_report_hides_scores_from_a_leader_still_to_score(db, org, make_user):
    cycle = start_scoring(db, org)
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 5))
    waiting = make_user(Role.LEADERSHIP)
    assert cycle_report.idea_table(db, waiting, org["cycle_id"])["score"].isna().all()
    assert cycle_report.idea_table(db, org["judges"][0], org["cycle_id"]).loc[0, "score"] == 5.0


def test_a_leader_still_to_score_learns_neither_the_ranking_nor_how_many_judges_scored(db, org):
    ideas_in_order = [org["idea_id"]]
    for title in ("Bravo", "Charlie"):
        extra = submitted_idea(db, org["author"], title=f"{title} idea for the report order")
        moderation.shortlist(db, org["moderator"], extra)
        ideas_in_order.append(extra)
    cycle = start_scoring(db, org)
    for idea_id, score in zip(ideas_in_order, (1, 5, 3), strict=True):  # the last posted is not the best
        judging.submit_scores(db, org["judges"][0], idea_id, scores_for(cycle, score))
    waiting = org["judges"][1]
    table = cycle_report.idea_table(db, waiting, org["cycle_id"])
    assert list(table["idea"]) == ideas_in_order  # the order they were posted, not by score
    assert table[["score", "spread", "judges"]].isna().all().all()
    ranked = cycle_report.idea_table(db, org["judges"][0], org["cycle_id"])
    assert list(ranked["idea"]) == [ideas_in_order[1], ideas_in_order[2], ideas_in_order[0]]


def _set(db, sql, params):
    db.write(lambda connection: connection.execute(sql, params))


def test_the_share_of_agents_counts_those_employed_during_the_submission_window(db, org, make_user):
    cycle = cycles.get_cycle(db, org["cycle_id"])
    _set(db, "INSERT INTO teams (id, name) VALUES (900, 'Harbour')", [])
    long_ago = cycle.submission_opens - timedelta(days=400)
    in_window = [make_user(Role.AGENT) for _ in range(2)]
    hired_after, left_before, left_during = make_user(Role.AGENT), make_user(Role.AGENT), make_user(Role.AGENT)
    lead = make_user(Role.AGENT, Role.TEAM_LEAD)
    hires = {
        org["author"].employee_id: long_ago,
        org["co_author"].employee_id: None,  # no hire date on file: counted
        in_window[0].employee_id: long_ago,
        in_window[1].employee_id: cycle.submission_closes,  # hired the day the window closes
        hired_after.employee_id: cycle.submission_closes + timedelta(days=1),
        left_before.employee_id: long_ago,
        left_during.employee_id: long_ago,
        lead.employee_id: long_ago,
    }
    for employee_id, hired in hires.items():
        _set(db, "UPDATE employees SET team_id = 900, hire_date = ? WHERE id = ?", [hired, employee_id])
    for person, left in (
        (left_before, cycle.submission_opens - timedelta(days=1)),
        (left_during, cycle.submission_opens),
    ):
        _set(
            db,
            "UPDATE employees SET active = false, deactivated_at = ? WHERE id = ?",
            [datetime.combine(left, time(12)), person.employee_id],
        )
    submitted_idea(db, lead, title="A team lead's idea for the morning huddle")
    submitted_idea(db, hired_after, title="A newcomer's idea posted after the window")
    report = cycle_report.cycle_report(db, org["head"], org["cycle_id"])
    # author, co-author, the two in the window and the one who left during it; not the later
    # hire, not the one who left before it opened, not the team lead
    assert report["agents"] == 5
    assert report["participating_agents"] == 2  # the author and co-author
    assert report["participants"] == 4  # every author and co-author of a posted idea
    assert report["participation"] == pytest.approx(2 / 5)
