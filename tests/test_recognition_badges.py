"""Badges the portal awards itself: awarded once per cause, withdrawn (kept, audited) when the
cause is reversed, for green-lit ideas, presenters, course paths and kudos received."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta

import pytest

from models.access import Role
from models.actions import plan, workflow
from models.db import MIGRATIONS_DIR, Database
from models.people.directory import create_team
from models.recognition import awards, badges, kudos, values
from models.speakup import cycles, day_plan, decisions, judging, moderation
from models.training import completions
from tests.speakup_helpers import open_cycle, scores_for, submitted_idea


def held(db, person, kind=None):
    return [b["kind"] for b in badges.badges_for(db, person.employee_id) if kind in (None, b["kind"])]


@pytest.fixture
def ideas_org(db, make_user):
    head = make_user(Role.LEADERSHIP)
    judges = [make_user(Role.LEADERSHIP) for _ in range(3)]
    author, co_author = make_user(Role.AGENT), make_user(Role.AGENT)
    cycle_id = open_cycle(db, head)
    idea_id = submitted_idea(db, author, co_author_ids=[co_author.employee_id])
    moderation.shortlist(db, make_user(Role.MODERATOR), idea_id)
    cycles.advance_phase(db, head, cycle_id)  # review
    return {"head": head, "judges": judges, "author": author, "co_author": co_author, "cycle_id": cycle_id,
            "idea_id": idea_id}  # fmt: skip


def test_a_green_light_superseded_by_a_later_decision_withdraws_the_badge(db, ideas_org, make_user):
    org = ideas_org
    cycles.advance_phase(db, org["head"], org["cycle_id"])  # scoring
    cycle = cycles.get_cycle(db, org["cycle_id"])
    for judge in org["judges"]:
        judging.submit_scores(db, judge, org["idea_id"], scores_for(cycle, 4))
    decisions.decide(db, org["head"], org["idea_id"], "Clear win")
    decisions.decide(db, org["head"], org["idea_id"], "Confirmed")  # idempotent: still one badge each
    assert held(db, org["author"]) == held(db, org["co_author"]) == ["green_lit_idea"]
    action = plan.actions_for(db, idea_id=org["idea_id"])[0]
    judging.submit_scores(db, make_user(Role.LEADERSHIP), org["idea_id"], scores_for(cycle, 1))
    workflow.change_status(db, org["head"], action.id, "cancelled", action.version, note="Re-decided")
    decisions.decide(db, org["head"], org["idea_id"], "Not after all")
    assert held(db, org["author"]) == held(db, org["co_author"]) == []
    assert awards.recognitions_for(db, org["author"].employee_id) == []
    kept = db.query("SELECT withdrawn_reason FROM recognitions WHERE employee_id = ?", [org["author"].employee_id])
    assert len(kept) == 1 and kept[0]["withdrawn_reason"]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'recognition' AND action = 'withdraw'") == 2
    judging.submit_scores(db, make_user(Role.LEADERSHIP), org["idea_id"], scores_for(cycle, 5))
    decisions.decide(db, org["head"], org["idea_id"], "Back on")
    assert held(db, org["author"]) == ["green_lit_idea"]


def test_the_presenter_on_the_day_earns_a_badge_which_follows_the_running_order(db, ideas_org):
    org = ideas_org
    entry = {"position": 1, "idea_id": org["idea_id"], "presenter_id": org["co_author"].employee_id}
    day_plan.set_running_order(db, org["head"], org["cycle_id"], [entry])
    assert held(db, org["co_author"]) == []  # the day has not come
    cycle = cycles.get_cycle(db, org["cycle_id"])
    cycles.advance_phase(db, org["head"], org["cycle_id"], at=datetime.combine(cycle.speakup_day, datetime.min.time()))
    assert held(db, org["co_author"]) == ["speakup_presenter"]
    entry["presenter_id"] = org["author"].employee_id
    on_the_day = datetime.combine(cycle.speakup_day, datetime.min.time()) + timedelta(hours=1)
    day_plan.set_running_order(db, org["head"], org["cycle_id"], [entry], at=on_the_day)
    assert held(db, org["co_author"]) == [] and held(db, org["author"]) == ["speakup_presenter"]


def test_completing_every_mandatory_course_of_the_role_earns_the_course_path_badge(db, make_user):
    hr = make_user(Role.HR)
    agent = make_user(Role.AGENT)
    mandatory = db.query(
        "SELECT c.id FROM courses c JOIN course_mandatory_roles r ON r.course_id = c.id"
        " WHERE c.active AND r.role = 'agent'"
    )
    assert mandatory, "the default catalogue has courses mandatory for agents"
    today = date.today()
    for index, row in enumerate(mandatory):
        assert held(db, agent) == []
        done = {"employee_id": agent.employee_id, "course_id": row["id"], "passed": True}
        completions.record_completion(db, hr, {**done, "completed_on": today - timedelta(days=index)})
    assert held(db, agent) == ["course_path"]
    db.write(lambda connection: badges.refresh_badges(connection))
    assert held(db, agent) == ["course_path"]  # awarded once


def test_the_kudos_badge_comes_at_the_threshold_and_goes_when_hr_hides_one(db, make_user, monkeypatch):
    monkeypatch.setattr(badges, "badge_threshold", lambda: 2)
    hr = make_user(Role.HR)
    team = create_team(db, hr.model_copy(update={"roles": frozenset({Role.HR, Role.ADMIN})}), "Harbour", None)
    giver, receiver = make_user(Role.AGENT, team_id=team), make_user(Role.AGENT, team_id=team)
    tag = f"value:{values.add_value(db, hr, 'Own it')}"
    first = kudos.give_kudos(db, giver, {"recipient_id": receiver.employee_id, "message": "Thanks", "tag": tag})
    assert held(db, receiver) == []
    kudos.give_kudos(db, giver, {"team_id": team, "message": "Team effort", "tag": tag})
    assert held(db, receiver) == ["kudos_received"]
    assert badges.badges_for(db, receiver.employee_id)[0]["message"] == "Colleagues gave you 2 kudos."
    kudos.hide_kudos(db, hr, first, "Names a customer")
    assert held(db, receiver) == []


def test_existing_green_lit_recognitions_become_badges_of_that_kind(tmp_path):
    earlier = tmp_path / "migrations"
    earlier.mkdir()
    for migration in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if migration.name < "0015":
            shutil.copy(migration, earlier / migration.name)
    database = Database(tmp_path / "old.duckdb")
    try:
        database.migrate(earlier)
        database.write(lambda c: c.execute(
            "INSERT INTO recognitions (employee_id, kind, idea_id, message, awarded_at)"
            " VALUES (7, 'green_lit_idea', 3, 'Your idea was green-lit.', TIMESTAMP '2025-06-01 10:00')"
        ))  # fmt: skip
        database.migrate()
        assert [(b["kind_label"], b["message"]) for b in badges.badges_for(database, 7)] == [
            ("Green-lit idea", "Your idea was green-lit.")
        ]
        assert database.scalar("SELECT cause FROM recognitions") == "idea:3"
    finally:
        database.close()
