"""The demo's service standards: monthly mystery audits across the teams with one standard
failing often and a finding made from it, decision rights for agents and team leads with a
use log."""

from __future__ import annotations

from datetime import timedelta

from models.access import Role
from models.standards import compliance, proposals, rights


def test_the_demo_audits_every_team_monthly_and_one_standard_fails_often(seeded_db):
    db, org = seeded_db(scale=0.2)
    leader = org.user(org.logins[Role.LEADERSHIP])
    months = db.scalar("SELECT count(DISTINCT date_trunc('month', audited_on)) FROM mystery_audits")
    teams = db.scalar("SELECT count(DISTINCT team_id) FROM mystery_audits")
    assert months >= 24 and teams == len(org.team_ids)
    assert db.scalar("SELECT count(*) FROM mystery_audits WHERE agent_id IS NOT NULL") > 0
    by_standard = compliance.compliance_by_standard(db, leader, org.today - timedelta(days=800), org.today)
    worst = by_standard.iloc[0]
    assert worst["code"] == "XFER-CB" and worst["compliance"] < 60
    assert (by_standard.iloc[1:]["compliance"] > 75).all()


def test_the_demo_made_a_finding_from_the_failing_standard_with_its_audits(seeded_db):
    db, org = seeded_db(scale=0.2)
    analyst = org.user(org.logins[Role.ANALYST])
    finding_id = db.scalar("SELECT DISTINCT finding_id FROM standard_findings")
    evidence = compliance.finding_evidence(db, analyst, finding_id)
    assert len(evidence) >= compliance.REPEATED_FAILURES
    assert set(evidence["standard"]) == {"XFER-CB"} and not evidence["complies"].any()
    assert [p["finding_id"] for p in proposals.proposals(db, analyst)] == [finding_id]


def test_the_demo_has_rights_for_agents_and_team_leads_and_a_use_log(seeded_db):
    db, org = seeded_db(scale=0.2)
    leader = org.user(org.logins[Role.LEADERSHIP])
    assert {right.role for right in rights.list_rights(db, leader)} == {"agent", "team_lead"}
    uses = rights.use_against_limits(db, leader, org.today - timedelta(days=400), org.today)
    assert uses["team"].nunique() == len(org.team_ids)
    assert uses["month"].nunique() >= 12
    assert 0 < uses["above_limit"].sum() < uses["uses"].sum() / 5
