"""Decision rights: the register everyone reads, uses logged and flagged above the limit,
leadership's use against limits, and changes proposed from an idea or a finding
(models/standards, rules 5 and 6)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from models.access import PermissionDeniedError, Role
from models.db import insert_row
from models.errors import InputError, StaleRecordError
from models.standards import proposals, rights
from tests.conftest import add_person
from tests.speakup_helpers import open_cycle, submitted_idea

TODAY = date.today()


@pytest.fixture
def org(db):
    red = db.write(lambda c: insert_row(c, "teams", {"name": "Red"}))
    people = {
        "db": db,
        "leader": add_person(db, Role.LEADERSHIP),
        "analyst": add_person(db, Role.ANALYST),
        "lead": add_person(db, Role.TEAM_LEAD, team_id=red),
        "ann": add_person(db, team_id=red, full_name="Ann Agent"),
    }
    leader = people["leader"]
    people["agent_refund"] = rights.add_right(
        db,
        leader,
        {"role": "agent", "remedy": "refund", "limit_amount": 100, "conditions": "Fee charged in error."},
    )
    people["lead_refund"] = rights.add_right(
        db, leader, {"role": "team_lead", "remedy": "refund", "limit_amount": 500, "conditions": "Any billing error."}
    )
    people["callback"] = rights.add_right(
        db, leader, {"role": "agent", "remedy": "callback", "conditions": "The customer was transferred."}
    )
    return people


def test_everyone_reads_the_rights_and_only_leadership_changes_them(org):
    listed = rights.list_rights(org["db"], org["ann"])
    assert {(r.role, r.remedy, r.limit_amount) for r in listed} == {
        ("agent", "refund", Decimal("100.00")),
        ("team_lead", "refund", Decimal("500.00")),
        ("agent", "callback", None),
    }
    with pytest.raises(PermissionDeniedError):
        rights.add_right(org["db"], org["analyst"], {"role": "agent", "remedy": "fee_waiver", "conditions": "x"})
    with pytest.raises(PermissionDeniedError):
        rights.update_right(org["db"], org["lead"], org["agent_refund"], {"limit_amount": 1000}, 1)


def test_a_change_is_a_new_version_and_a_stale_one_is_refused(org):
    db, leader = org["db"], org["leader"]
    rights.update_right(db, leader, org["agent_refund"], {"limit_amount": 150}, 1)
    history = rights.right_history(db, org["ann"], org["agent_refund"])
    assert [(h["version"], float(h["limit_amount"])) for h in history] == [(2, 150.0), (1, 100.0)]
    with pytest.raises(StaleRecordError):
        rights.update_right(db, leader, org["agent_refund"], {"limit_amount": 90}, 1)


def test_a_use_within_the_limit_is_logged_and_one_above_it_is_flagged(org):
    within = rights.log_use(
        org["db"], org["ann"], {"remedy": "refund", "used_on": TODAY, "amount": 80, "complaint_reference": "C-12"}
    )
    above = rights.log_use(org["db"], org["ann"], {"remedy": "refund", "used_on": TODAY, "amount": 250})
    assert (within.over_limit, above.over_limit) == (False, True)
    assert [use["over_limit"] for use in rights.my_uses(org["db"], org["ann"])] == [True, False]


def test_the_highest_limit_among_a_persons_roles_applies(org):
    use = rights.log_use(org["db"], org["lead"], {"remedy": "refund", "used_on": TODAY, "amount": 250})
    assert (use.over_limit, use.limit_amount) == (False, Decimal("500.00"))


def test_a_remedy_no_role_of_theirs_holds_is_refused(org):
    with pytest.raises(InputError) as error:
        rights.log_use(org["db"], org["ann"], {"remedy": "fee_waiver", "used_on": TODAY, "amount": 10})
    assert error.value.problems[0][0] == "Kind of remedy"
    with pytest.raises(InputError) as error:
        rights.log_use(org["db"], org["ann"], {"remedy": "refund", "used_on": TODAY + timedelta(days=2), "amount": 1})
    assert error.value.problems[0][0] == "Date"
    assert org["db"].scalar("SELECT count(*) FROM decision_right_uses") == 0


def test_leadership_sees_use_against_limits_by_team_and_month_and_agents_do_not(org):
    rights.log_use(org["db"], org["ann"], {"remedy": "refund", "used_on": TODAY, "amount": 50})
    rights.log_use(org["db"], org["ann"], {"remedy": "refund", "used_on": TODAY, "amount": 150})
    frame = rights.use_against_limits(org["db"], org["leader"], TODAY - timedelta(days=31), TODAY)
    row = frame[frame["remedy"] == "refund"].iloc[0]
    assert (row["team"], row["uses"], float(row["amount"]), row["above_limit"]) == ("Red", 2, 200.0, 1)
    assert float(row["mean_share_of_limit"]) == 100.0  # 50 % and 150 % of the limit
    with pytest.raises(PermissionDeniedError):
        rights.use_against_limits(org["db"], org["ann"], TODAY, TODAY)
    with pytest.raises(PermissionDeniedError):
        rights.uses_above_limit(org["db"], org["lead"], TODAY, TODAY)


def test_every_write_is_in_the_audit_log(org):
    rights.log_use(org["db"], org["ann"], {"remedy": "callback", "used_on": TODAY})
    entities = {row["entity"] for row in org["db"].query("SELECT DISTINCT entity FROM audit_log")}
    assert {"decision_right", "decision_right_use"} <= entities


def test_an_ideas_author_proposes_a_change_and_leadership_accepting_it_changes_the_right(org):
    db = org["db"]
    open_cycle(db, org["leader"])
    idea_id = submitted_idea(db, org["ann"])
    proposal_id = proposals.propose_change(
        db,
        org["ann"],
        {
            "right_id": org["agent_refund"],
            "idea_id": idea_id,
            "proposed_limit": 300,
            "reason": "Most refunds we escalate are between 100 and 300 and get approved anyway.",
        },
    )
    linked = proposals.proposals_for(db, org["lead"], idea_ids=[idea_id])
    assert [(p["id"], p["status"]) for p in linked[idea_id]] == [(proposal_id, "open")]
    with pytest.raises(PermissionDeniedError):  # not an author of the idea
        proposals.propose_change(
            db,
            org["lead"],
            {"right_id": org["agent_refund"], "idea_id": idea_id, "proposed_limit": 1, "reason": "x" * 12},
        )
    with pytest.raises(PermissionDeniedError):
        proposals.decide_proposal(db, org["ann"], proposal_id, accept=True, note="Yes")
    proposals.decide_proposal(db, org["leader"], proposal_id, accept=True, note="Agreed for a quarter's trial.")
    refund = next(r for r in rights.list_rights(db, org["ann"]) if r.id == org["agent_refund"])
    assert (refund.limit_amount, refund.version) == (Decimal("300.00"), 2)
    assert proposals.proposals(db, org["ann"])[0]["status"] == "accepted"
    with pytest.raises(InputError):  # decided already
        proposals.decide_proposal(db, org["leader"], proposal_id, accept=False, note="Changed my mind")


def test_a_finding_proposal_is_an_analysts_and_a_decline_leaves_the_right_as_it_was(org):
    db = org["db"]
    finding_id = db.write(
        lambda c: insert_row(
            c,
            "findings",
            {
                "title": "Transfers without callbacks",
                "description": "d",
                "root_cause": "process",
                "five_whys": ["w"],
                "severity": "medium",
                "status": "open",
                "filter_json": "{}",
                "snapshot_json": "{}",
                "created_by": org["analyst"].employee_id,
                "created_at": TODAY,
                "updated_at": TODAY,
            },
        )
    )
    data = {"right_id": org["callback"], "finding_id": finding_id, "proposed_conditions": "Always", "reason": "x" * 12}
    with pytest.raises(PermissionDeniedError):
        proposals.propose_change(db, org["ann"], data)
    proposal_id = proposals.propose_change(db, org["analyst"], data)
    proposals.decide_proposal(db, org["leader"], proposal_id, accept=False, note="Not now.")
    callback = next(r for r in rights.list_rights(db, org["ann"]) if r.id == org["callback"])
    assert (callback.conditions, callback.version) == ("The customer was transferred.", 1)
    with pytest.raises(InputError):
        proposals.propose_change(db, org["analyst"], {**data, "idea_id": 1})


def test_a_moderator_or_leadership_may_propose_from_an_idea_and_another_agent_may_not(org):
    db = org["db"]
    open_cycle(db, org["leader"])
    idea_id = submitted_idea(db, org["ann"])
    data = {"right_id": org["callback"], "idea_id": idea_id, "proposed_conditions": "Any transfer.", "reason": "x" * 12}
    with pytest.raises(PermissionDeniedError):
        proposals.propose_change(db, add_person(db, full_name="Other Agent"), data)
    made = [proposals.propose_change(db, person, data) for person in (org["leader"], add_person(db, Role.MODERATOR))]
    assert [p["id"] for p in proposals.proposals_for(db, org["ann"], idea_ids=[idea_id])[idea_id]] == made
    assert proposals.proposals_for(db, org["ann"], idea_ids=[idea_id + 1]) == {}
