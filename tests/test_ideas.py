"""Speak-Up cycles, idea submission, the board, supports, comments and moderation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.access import PermissionDeniedError, Role
from models.db import insert_row, insert_with_new_id
from models.errors import InputError
from models.speakup import benefits, board, cycles, ideas, moderation
from tests.speakup_helpers import count, cycle_data, idea_data, open_cycle, submitted_idea


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADERSHIP)


@pytest.fixture
def moderator(make_user):
    return make_user(Role.MODERATOR)


@pytest.fixture
def cycle_id(db, leader):
    return open_cycle(db, leader)


def audit_count(db, entity: str) -> int:
    return count(db, "SELECT count(*) FROM audit_log WHERE entity = ?", [entity])


# -- cycles --------------------------------------------------------------------------
def test_a_new_cycle_gets_the_default_criteria_threshold_and_judges(db, leader):
    cycle = cycles.get_cycle(db, cycles.create_cycle(db, leader, cycle_data()))
    assert [(c.name, c.weight) for c in cycle.criteria] == [
        ("Financial impact", 35),
        ("Customer impact", 30),
        ("Ease of implementation", 20),
        ("Strategic alignment", 15),
    ]
    assert all(c.anchor_1 and c.anchor_3 and c.anchor_5 for c in cycle.criteria)
    assert (cycle.green_light_threshold, cycle.min_judges, cycle.phase) == (3.5, 3, "planned")


def test_only_one_cycle_accepts_submissions_at_a_time(db, leader, cycle_id):
    second = cycles.create_cycle(db, leader, cycle_data("2027 Q1"))
    with pytest.raises(InputError, match="2026 Q4 is accepting submissions"):
        cycles.advance_phase(db, leader, second)
    cycles.advance_phase(db, leader, cycle_id)  # first cycle closes its window
    assert cycles.advance_phase(db, leader, second) == "open"
    assert cycles.open_cycle(db).name == "2027 Q1"


def test_cycle_dates_out_of_order_are_refused_by_name(db, leader):
    with pytest.raises(InputError) as error:
        cycles.create_cycle(db, leader, cycle_data(submission_closes=date.today() - timedelta(days=30)))
    assert "Submissions close" in str(error.value)
    assert count(db, "SELECT count(*) FROM idea_cycles") == 0


def test_a_bad_criterion_is_named_and_nothing_is_stored(db, leader):
    criteria = [dict(c) for c in cycles.DEFAULT_CRITERIA]
    criteria[1]["weight"] = -5
    with pytest.raises(InputError) as error:
        cycles.create_cycle(db, leader, cycle_data(criteria=criteria))
    assert error.value.problems[0][0] == "Criterion 2 — Weight"
    assert count(db, "SELECT count(*) FROM idea_criteria") == 0


def test_rules_change_before_scoring_but_are_frozen_once_scoring_starts(db, leader, cycle_id):
    criteria = [dict(c) for c in cycles.DEFAULT_CRITERIA]
    criteria[0]["weight"] = 50
    cycles.update_rules(db, leader, cycle_id, {"green_light_threshold": 3.8, "criteria": criteria})
    cycle = cycles.get_cycle(db, cycle_id)
    assert cycle.green_light_threshold == 3.8 and cycle.criteria[0].weight == 50

    cycles.advance_phase(db, leader, cycle_id)  # review
    cycles.advance_phase(db, leader, cycle_id)  # scoring
    cycle = cycles.get_cycle(db, cycle_id)
    assert "frozen" in cycles.frozen_reason(cycle)
    criteria[0]["weight"] = 10
    with pytest.raises(InputError, match="frozen"):
        cycles.update_rules(db, leader, cycle_id, {"green_light_threshold": 2.0, "criteria": criteria})
    cycle = cycles.get_cycle(db, cycle_id)
    assert cycle.green_light_threshold == 3.8 and cycle.criteria[0].weight == 50


def test_cycle_writes_need_the_speakup_permission(db, make_user, cycle_id):
    agent = make_user(Role.AGENT)
    moderator = make_user(Role.MODERATOR)
    for person in (agent, moderator):
        with pytest.raises(PermissionDeniedError):
            cycles.create_cycle(db, person, cycle_data("2027 Q2"))
        with pytest.raises(PermissionDeniedError):
            cycles.advance_phase(db, person, cycle_id)
        with pytest.raises(PermissionDeniedError):
            cycles.update_rules(db, person, cycle_id, {"criteria": list(cycles.DEFAULT_CRITERIA)})
    assert cycles.get_cycle(db, cycle_id).phase == "open"


def test_cycle_changes_are_audited(db, leader, cycle_id):
    actions = [row["action"] for row in db.query("SELECT action FROM audit_log WHERE entity = 'idea_cycle'")]
    assert actions == ["create", "phase"]


# -- business case -------------------------------------------------------------------
def test_business_case_figures():
    case = ideas.BusinessCase(
        annual_savings=120_000, annual_revenue=6_000, one_off_cost=30_000, annual_running_cost=6_000
    )
    assert case.net_annual_benefit == 120_000
    assert case.payback_months == 3.0
    assert case.first_year_net == 90_000
    assert ideas.BusinessCase(one_off_cost=10_000, annual_running_cost=500).payback_months is None
    assert ideas.BusinessCase(annual_savings=1_000).payback_months == 0.0


@pytest.mark.parametrize(
    ("case", "wording"),
    [
        # no one-off cost: immediate only while the benefit is positive
        ({"annual_savings": 1_000}, "immediate"),
        ({"annual_savings": 0.01}, "immediate"),
        ({}, "never"),
        ({"annual_savings": 500, "annual_running_cost": 500}, "never"),
        ({"annual_savings": 500, "annual_running_cost": 600}, "never"),
        # a one-off cost with no net benefit is never earned back
        ({"one_off_cost": 10_000, "annual_savings": 5_000, "annual_running_cost": 5_000}, "never"),
        ({"one_off_cost": 10_000, "annual_running_cost": 500}, "never"),
        # months under two years, years from two years on
        ({"one_off_cost": 1_000, "annual_savings": 12_000}, "1 month"),
        ({"one_off_cost": 30_000, "annual_savings": 120_000}, "3 months"),
        ({"one_off_cost": 23_900, "annual_savings": 12_000}, "23.9 months"),
        ({"one_off_cost": 24_000, "annual_savings": 12_000}, "2 years"),
        ({"one_off_cost": 30_000, "annual_savings": 12_000}, "2.5 years"),
        ({"one_off_cost": 1_000_000_000, "annual_savings": 1}, "1,000,000,000 years"),
        ({"one_off_cost": 1, "annual_savings": 1_000_000_000}, "under 0.1 months"),
    ],
)
def test_payback_is_worded_as_never_immediate_months_or_years(case, wording):
    business_case = ideas.BusinessCase(**case)
    assert ideas.payback_wording(business_case) == wording
    assert business_case.payback == wording
    assert "e+" not in wording


def test_no_one_off_cost_and_no_benefit_is_never_paid_back_not_immediate():
    assert ideas.BusinessCase(annual_running_cost=100).payback_months is None


# -- submission ----------------------------------------------------------------------
def test_an_agent_drafts_then_submits_with_every_business_case_field(db, make_user, cycle_id):
    colleague = make_user(Role.AGENT)
    agent = make_user(Role.AGENT)
    idea_id = ideas.save_draft(db, agent, idea_data(co_author_ids=[colleague.employee_id]))
    draft = ideas.get_idea(db, idea_id)
    assert draft.status == "draft" and draft.cycle_id == cycle_id
    assert [c["employee_id"] for c in draft.co_authors] == [colleague.employee_id]
    assert draft.milestones[0]["title"] == "IVR change live"
    assert draft.business_case.net_annual_benefit == 108_000
    assert board.board(db) == []  # drafts are private

    ideas.submit_idea(db, agent, idea_id)
    posted = board.board(db)
    assert [idea.id for idea in posted] == [idea_id]
    assert posted[0].status == "submitted"
    assert [h["to_status"] for h in board.status_history(db, idea_id)] == ["draft", "submitted"]


def test_a_draft_is_hidden_from_other_people(db, make_user, cycle_id):
    agent, other = make_user(Role.AGENT), make_user(Role.AGENT)
    idea_id = ideas.save_draft(db, agent, idea_data())
    assert ideas.get_idea(db, idea_id, viewer=other) is None
    assert ideas.get_idea(db, idea_id, viewer=agent) is not None


def test_submission_closes_with_the_window(db, leader, make_user):
    cycle_id = open_cycle(db, leader, submission_closes=date.today() + timedelta(days=1))
    agent = make_user(Role.AGENT)
    idea_id = ideas.save_draft(db, agent, idea_data())
    with pytest.raises(InputError, match="does not accept submissions"):
        ideas.submit_idea(db, agent, idea_id, today=date.today() + timedelta(days=2))
    cycles.advance_phase(db, leader, cycle_id)  # window closed by leadership
    with pytest.raises(InputError, match="does not accept submissions"):
        ideas.submit_idea(db, agent, idea_id)
    assert ideas.get_idea(db, idea_id).status == "draft"


def test_no_open_cycle_means_no_new_drafts(db, make_user):
    agent = make_user(Role.AGENT)
    with pytest.raises(InputError, match="no Speak-Up cycle"):
        ideas.save_draft(db, agent, idea_data())


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("one_off_cost", -1, "One-off cost"),
        ("annual_savings", -250.5, "Annual savings"),
        ("annual_running_cost", -10, "Annual running cost"),
        ("title", "x" * (ideas.TITLE_MAX + 1), "Title"),
        ("problem", "p" * (ideas.TEXT_MAX + 1), "Problem"),
        ("customers_affected", -3, "Customers affected per year"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(db, make_user, cycle_id, field, value, label):
    agent = make_user(Role.AGENT)
    with pytest.raises(InputError) as error:
        ideas.save_draft(db, agent, idea_data(**{field: value}))
    assert error.value.problems[0][0] == label
    assert count(db, "SELECT count(*) FROM ideas") == 0
    assert count(db, "SELECT count(*) FROM idea_milestones") == 0


def test_negative_cost_message_is_plain(db, make_user, cycle_id):
    agent = make_user(Role.AGENT)
    with pytest.raises(InputError, match="One-off cost: cannot be negative"):
        ideas.save_draft(db, agent, idea_data(one_off_cost=-100))


def test_submitting_needs_a_described_problem_and_change(db, make_user, cycle_id):
    agent = make_user(Role.AGENT)
    idea_id = ideas.save_draft(db, agent, idea_data(problem="", proposed_change="short"))
    with pytest.raises(InputError) as error:
        ideas.submit_idea(db, agent, idea_id)
    assert [field for field, _ in error.value.problems] == ["Problem", "Proposed change"]
    assert ideas.get_idea(db, idea_id).status == "draft"


def test_only_authors_edit_and_only_until_submitted(db, make_user, cycle_id):
    agent, other = make_user(Role.AGENT), make_user(Role.AGENT)
    idea_id = submitted_idea(db, agent)
    with pytest.raises(InputError, match="only its authors"):
        ideas.save_draft(db, other, idea_data(title="Someone else's rewrite"), idea_id)
    with pytest.raises(InputError, match="can no longer be edited"):
        ideas.save_draft(db, agent, idea_data(title="A rewrite after posting"), idea_id)
    assert ideas.get_idea(db, idea_id).title == idea_data()["title"]


def test_the_author_may_withdraw_a_submitted_idea(db, make_user, cycle_id):
    agent = make_user(Role.AGENT)
    idea_id = submitted_idea(db, agent)
    ideas.withdraw_idea(db, agent, idea_id)
    assert board.board(db) == []
    assert board.my_ideas(db, agent)[0].status == "withdrawn"


def test_similar_ideas_are_found_while_typing_despite_typos(db, make_user, cycle_id):
    agent = make_user(Role.AGENT)
    callback = submitted_idea(db, agent, title="Schedule callbacks instead of holding customers")
    submitted_idea(db, agent, title="Fix the knowledge base article on card disputes")
    found = board.similar_ideas(db, "schedule call backs for customers")
    assert found and found[0]["id"] == callback
    assert board.similar_ideas(db, "parking at the Riverside site") == []


# -- board, supports, comments -------------------------------------------------------
def test_board_filters_and_sorts(db, make_user, leader, cycle_id):
    team_a = db.write(lambda c: insert_row(c, "teams", {"name": "Cards"}))
    author_a = make_user(Role.AGENT, team_id=team_a)
    author_b = make_user(Role.AGENT)
    fans = [make_user(Role.AGENT) for _ in range(2)]
    first = submitted_idea(db, author_a, title="Cut transfers between cards and loans")
    second = submitted_idea(db, author_b, title="Callback scheduling at peak times")
    for fan in fans:
        board.support_idea(db, fan, second)
    assert [i.id for i in board.board(db, sort="Most supported")] == [second, first]
    assert [i.id for i in board.board(db, sort="Newest")] == [second, first]
    assert [i.id for i in board.board(db, search="transfers")] == [first]
    assert [i.id for i in board.board(db, team_id=team_a)] == [first]
    assert board.board(db, statuses=["shortlisted"]) == []
    assert [i.id for i in board.board(db, cycle_id=cycle_id)] == [second, first]
    assert board.board(db, sort="Most supported")[0].supporters == 2


def test_one_support_per_person_and_never_on_ones_own_idea(db, make_user, cycle_id):
    author, co_author, fan = make_user(Role.AGENT), make_user(Role.AGENT), make_user(Role.AGENT)
    idea_id = submitted_idea(db, author, co_author_ids=[co_author.employee_id])
    board.support_idea(db, fan, idea_id)
    with pytest.raises(InputError, match="already"):
        board.support_idea(db, fan, idea_id)
    for own in (author, co_author):
        with pytest.raises(InputError, match="your own idea"):
            board.support_idea(db, own, idea_id)
    assert ideas.get_idea(db, idea_id).supporters == 1
    board.withdraw_support(db, fan, idea_id)
    assert ideas.get_idea(db, idea_id).supporters == 0


def test_comments_are_stored_as_written_and_limited_in_length(db, make_user, cycle_id):
    author, peer = make_user(Role.AGENT), make_user(Role.AGENT)
    idea_id = submitted_idea(db, author)
    board.add_comment(db, peer, idea_id, "<b>Great</b> idea =1+1")
    assert board.comments_for(db, idea_id)[0]["body"] == "<b>Great</b> idea =1+1"
    with pytest.raises(InputError, match="Comment: use at most 1000"):
        board.add_comment(db, peer, idea_id, "x" * 1001)
    assert ideas.get_idea(db, idea_id).comments == 1


def test_a_moderator_hides_a_comment(db, make_user, moderator, cycle_id):
    author, peer = make_user(Role.AGENT), make_user(Role.AGENT)
    idea_id = submitted_idea(db, author)
    comment_id = board.add_comment(db, peer, idea_id, "Off-topic rant")
    with pytest.raises(PermissionDeniedError):
        board.hide_comment(db, peer, comment_id, "not allowed")
    board.hide_comment(db, moderator, comment_id, "Off topic for this idea")
    assert board.comments_for(db, idea_id) == []
    assert board.comments_for(db, idea_id, include_hidden=True)[0]["hidden_reason"] == "Off topic for this idea"


# -- moderation ----------------------------------------------------------------------
def test_moderator_shortlists_sends_back_and_declines_with_feedback(db, make_user, moderator, cycle_id):
    agent = make_user(Role.AGENT)
    a, b, c = (submitted_idea(db, agent, title=f"Idea number {n} for the floor") for n in (1, 2, 3))
    moderation.shortlist(db, moderator, a)
    moderation.send_back(db, moderator, b, "Add the cost of the IVR change")
    with pytest.raises(InputError, match="Reason: give a reason"):
        moderation.decline(db, moderator, c, "")
    moderation.decline(db, moderator, c, "Already covered by the new CRM release")
    assert [ideas.get_idea(db, i).status for i in (a, b, c)] == ["shortlisted", "needs_more_work", "declined"]
    history = board.status_history(db, b)
    assert history[-1]["note"] == "Add the cost of the IVR change"

    # needs more work: the author edits and resubmits
    ideas.save_draft(db, agent, idea_data(title="Idea number 2 with the IVR cost"), b)
    ideas.submit_idea(db, agent, b)
    assert ideas.get_idea(db, b).status == "submitted"


def test_the_shortlist_size_is_respected(db, make_user, leader, moderator):
    open_cycle(db, leader, shortlist_size=1)
    agent = make_user(Role.AGENT)
    first, second = submitted_idea(db, agent, title="First idea here"), submitted_idea(db, agent, title="Second idea")
    moderation.shortlist(db, moderator, first)
    with pytest.raises(InputError, match="shortlist is full"):
        moderation.shortlist(db, moderator, second)
    assert ideas.get_idea(db, second).status == "submitted"


def test_merge_moves_supporters_without_counting_anyone_twice_and_moves_comments(db, make_user, moderator, cycle_id):
    survivor_author, duplicate_author = make_user(Role.AGENT), make_user(Role.AGENT)
    both, only_duplicate, only_survivor = make_user(Role.AGENT), make_user(Role.AGENT), make_user(Role.AGENT)
    survivor = submitted_idea(db, survivor_author, title="Callback scheduling at peak times")
    duplicate = submitted_idea(db, duplicate_author, title="Let customers book a callback")
    for fan in (both, only_survivor):
        board.support_idea(db, fan, survivor)
    for fan in (both, only_duplicate, survivor_author):
        board.support_idea(db, fan, duplicate)
    board.add_comment(db, only_duplicate, duplicate, "We asked for this last year too")

    moved = moderation.merge(db, moderator, duplicate, survivor, "Same idea")

    assert moved == 1  # only the person who supported the duplicate alone
    merged = ideas.get_idea(db, duplicate)
    assert merged.status == "merged" and merged.merged_into_id == survivor
    kept = ideas.get_idea(db, survivor)
    assert kept.supporters == 3  # both, only_survivor, only_duplicate — the survivor's author not added
    supporters = {
        r["employee_id"] for r in db.query("SELECT employee_id FROM idea_supports WHERE idea_id = ?", [survivor])
    }
    assert supporters == {both.employee_id, only_survivor.employee_id, only_duplicate.employee_id}
    assert kept.comments == 1
    assert board.comments_for(db, survivor)[0]["body"] == "We asked for this last year too"
    assert merged.supporters == 0 and merged.comments == 0
    assert [i.id for i in board.board(db, statuses=["submitted"])] == [survivor]


def test_an_idea_cannot_be_merged_into_itself(db, make_user, moderator, cycle_id):
    idea_id = submitted_idea(db, make_user(Role.AGENT))
    with pytest.raises(InputError, match="into itself"):
        moderation.merge(db, moderator, idea_id, idea_id)


def test_ideas_not_shortlisted_are_carried_into_the_next_cycle(db, make_user, leader, moderator, cycle_id):
    agent, fan = make_user(Role.AGENT), make_user(Role.AGENT)
    idea_id = submitted_idea(db, agent)
    board.support_idea(db, fan, idea_id)
    cycles.advance_phase(db, leader, cycle_id)  # review
    next_cycle = cycles.create_cycle(db, leader, cycle_data("2027 Q1"))
    moderation.carry_forward(db, moderator, idea_id, next_cycle)
    carried = ideas.get_idea(db, idea_id)
    assert (carried.cycle_id, carried.carried_from_cycle_id, carried.status) == (next_cycle, cycle_id, "submitted")
    assert carried.supporters == 1


def test_moderation_writes_need_the_moderator_permission(db, make_user, leader, cycle_id):
    agent = make_user(Role.AGENT)
    idea_id = submitted_idea(db, agent)
    other = submitted_idea(db, agent, title="Another idea for the floor")
    for person in (agent, leader):
        for attempt in (
            lambda p: moderation.shortlist(db, p, idea_id),
            lambda p: moderation.send_back(db, p, idea_id, "needs numbers"),
            lambda p: moderation.decline(db, p, idea_id, "not for us"),
            lambda p: moderation.merge(db, p, idea_id, other),
            lambda p: moderation.carry_forward(db, p, idea_id, cycle_id),
        ):
            with pytest.raises(PermissionDeniedError):
                attempt(person)
    assert ideas.get_idea(db, idea_id).status == "submitted"


def test_every_idea_write_is_audited(db, make_user, moderator, cycle_id):
    agent, fan = make_user(Role.AGENT), make_user(Role.AGENT)
    idea_id = submitted_idea(db, agent)
    board.support_idea(db, fan, idea_id)
    board.add_comment(db, fan, idea_id, "Yes please")
    moderation.shortlist(db, moderator, idea_id)
    assert audit_count(db, "idea") == 3  # create, submitted, shortlisted
    assert audit_count(db, "idea_support") == 1
    assert audit_count(db, "idea_comment") == 1


def test_idea_writes_need_the_engagement_permissions(db, make_user, cycle_id):
    """Everyone holds submit and engage; nobody signed in cannot write at all."""
    agent = make_user(Role.AGENT)
    idea_id = submitted_idea(db, agent)
    for attempt in (
        lambda: ideas.save_draft(db, None, idea_data()),
        lambda: ideas.submit_idea(db, None, idea_id),
        lambda: board.support_idea(db, None, idea_id),
        lambda: board.add_comment(db, None, idea_id, "hello"),
        lambda: ideas.withdraw_idea(db, None, idea_id),
        lambda: board.withdraw_support(db, None, idea_id),
        lambda: benefits.record_benefit_review(db, None, idea_id, 30, 1_000),
    ):
        with pytest.raises(PermissionDeniedError):
            attempt()


def test_an_idea_linked_to_a_complaint_category_and_finding_shows_their_counts(db, make_user, cycle_id):
    agent = make_user(Role.AGENT)

    def seed(connection):
        connection.execute(
            "INSERT INTO complaints (dedup_key, received_date, received_month, category)"
            " SELECT uuid(), DATE '2026-10-01', DATE '2026-10-01',"
            " CASE WHEN i < 7 THEN 'Disputed transaction' ELSE 'Fees' END"
            " FROM range(10) t(i)"
        )
        return insert_with_new_id(
            connection,
            "findings",
            "INSERT INTO findings (id, title, description, root_cause, five_whys, severity, status, filter_json,"
            " snapshot_json, created_by, created_at, updated_at)"
            " VALUES (?, 'Disputes bounce between teams', '', 'process', [], 'high', 'open', '{}', '{}', 1, now(),"
            " now())",
            [],
        )

    finding_id = db.write(seed)
    categories = {row["category"]: row["complaints"] for row in board.complaint_categories(db)}
    assert categories == {"Disputed transaction": 7, "Fees": 3}
    assert {row["id"] for row in board.findings(db)} == {finding_id}
    idea_id = ideas.save_draft(db, agent, idea_data(complaint_category="Disputed transaction", finding_id=finding_id))
    counts = board.complaint_link_counts(db, ideas.get_idea(db, idea_id))
    assert counts == {"complaints_in_category": 7, "finding_title": "Disputes bounce between teams"}


def test_without_a_link_an_idea_shows_no_complaint_counts(db, make_user, cycle_id):
    idea_id = ideas.save_draft(db, make_user(Role.AGENT), idea_data())
    assert board.complaint_link_counts(db, ideas.get_idea(db, idea_id)) == {}


def test_an_idea_sent_back_in_review_can_be_resubmitted_until_scoring_starts(
    db, make_user, leader, moderator, cycle_id
):
    agent = make_user(Role.AGENT)
    first, second = (submitted_idea(db, agent, title=f"Rework case number {n}") for n in (1, 2))
    cycles.advance_phase(db, leader, cycle_id)  # review: the window has closed
    for idea_id in (first, second):
        moderation.send_back(db, moderator, idea_id, "Add the cost of the IVR change")
    ideas.save_and_submit(db, agent, idea_data(title="Rework case number 1, costed", one_off_cost=45_000), first)
    assert ideas.get_idea(db, first).status == "submitted"
    moderation.shortlist(db, moderator, first)
    cycles.advance_phase(db, leader, cycle_id)  # scoring
    with pytest.raises(InputError, match="does not accept submissions"):
        ideas.submit_idea(db, agent, second)
    assert ideas.get_idea(db, second).status == "needs_more_work"


def test_a_refused_submission_stores_nothing_not_even_a_draft(db, make_user, cycle_id):
    agent = make_user(Role.AGENT)
    with pytest.raises(InputError, match="Problem"):
        ideas.save_and_submit(db, agent, idea_data(problem="Too short"))
    assert count(db, "SELECT count(*) FROM ideas") == 0
    draft = ideas.save_draft(db, agent, idea_data(title="A draft kept as it was"))
    with pytest.raises(InputError, match="Proposed change"):
        ideas.save_and_submit(db, agent, idea_data(title="A changed title", proposed_change="short"), draft)
    kept = ideas.get_idea(db, draft)
    assert (kept.title, kept.status) == ("A draft kept as it was", "draft")


def test_a_duplicate_is_not_merged_into_a_finished_idea_of_an_earlier_cycle(db, make_user, leader, moderator):
    agent = make_user(Role.AGENT)
    old_cycle = open_cycle(db, leader, name="2026 Q3")
    old_idea = submitted_idea(db, agent, title="Callback scheduling at peak times")
    cycles.advance_phase(db, leader, old_cycle)  # review
    db.write(lambda c: c.execute("UPDATE ideas SET status = 'not_selected' WHERE id = ?", [old_idea]))
    open_cycle(db, leader, name="2026 Q4")
    duplicate = submitted_idea(db, make_user(Role.AGENT), title="Let customers book a callback")
    with pytest.raises(InputError, match=f"Merge into: #{old_idea} is not selected in 2026 Q3"):
        moderation.merge(db, moderator, duplicate, old_idea)
    assert ideas.get_idea(db, duplicate).status == "submitted"
