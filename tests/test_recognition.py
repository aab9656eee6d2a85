"""Kudos (to a person, to a team, never to oneself, within the monthly allowance, hidden by
HR), kudos as competency evidence, the leaderboard's fewer-than-three rule and HR's export."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from models.access import PermissionDeniedError, Role
from models.competencies import framework, matrix
from models.errors import InputError
from models.people.directory import create_team
from models.recognition import badges, bulk, export, kudos, leaderboard, values

TODAY = date.today()


@pytest.fixture
def org(db, make_user):
    hr = make_user(Role.HR)
    admin_hr = hr.model_copy(update={"roles": frozenset({Role.HR, Role.ADMIN})})
    team = create_team(db, admin_hr, "Harbour", None)
    solo = create_team(db, admin_hr, "Night desk", None)
    value_id = values.add_value(db, hr, "Own it", "We follow a problem through.")
    return {
        "hr": hr,
        "agent": make_user(Role.AGENT, team_id=team),
        "mate": make_user(Role.AGENT, team_id=team),
        "other": make_user(Role.AGENT, team_id=team),
        "loner": make_user(Role.AGENT, team_id=solo),
        "team": team,
        "solo_team": solo,
        "value": f"value:{value_id}",
        "empathy": next(c.id for c in framework.competencies(db) if c.code == "EMPATHY"),
    }


def give(db, giver, to=None, team=None, tag=None, message="Stayed calm with an angry caller.", **kwargs):
    data = {"recipient_id": to.employee_id if to else None, "team_id": team, "message": message, "tag": tag}
    return kudos.give_kudos(db, giver, data, **kwargs)


def wall(db, viewer, person):
    return [item.message for item in kudos.kudos_received(db, viewer, person.employee_id)]


def test_kudos_to_a_colleague_reaches_their_wall_and_the_feed(db, org):
    give(db, org["agent"], org["mate"], tag=org["value"], message="Thank you for the <b>cover</b>")
    assert wall(db, org["loner"], org["mate"]) == ["Thank you for the <b>cover</b>"]  # anyone reads a wall
    assert [item.tag for item in kudos.recent_kudos(db, org["loner"])] == ["Own it"]
    assert wall(db, org["agent"], org["agent"]) == []


def test_nobody_gives_kudos_to_themselves(db, org):
    with pytest.raises(InputError, match="To: kudos are for someone else"):
        give(db, org["agent"], org["agent"], tag=org["value"])
    with pytest.raises(InputError, match="To: you are its only member"):
        give(db, org["loner"], team=org["solo_team"], tag=org["value"])
    assert db.scalar("SELECT count(*) FROM kudos") == 0


def test_kudos_to_a_team_reach_its_members_at_the_time_but_not_the_giver(db, org, make_user):
    give(db, org["agent"], team=org["team"], tag=org["value"], message="Backlog cleared!")
    later = make_user(Role.AGENT, team_id=org["team"])
    assert wall(db, org["hr"], org["mate"]) == ["Backlog cleared!"]
    assert wall(db, org["hr"], org["other"]) == ["Backlog cleared!"]
    assert wall(db, org["hr"], org["agent"]) == []
    assert wall(db, org["hr"], later) == []
    give(db, org["mate"], team=org["solo_team"], tag=org["value"], message="Thanks night desk")
    assert wall(db, org["hr"], org["loner"]) == ["Thanks night desk"]


def test_a_message_and_a_tag_are_required_and_named(db, org):
    with pytest.raises(InputError) as refused:
        give(db, org["agent"], org["mate"], tag="", message="  ")
    assert {field for field, _ in refused.value.problems} == {"Message", "Tag"}
    with pytest.raises(InputError, match="Tag: choose a competency"):
        give(db, org["agent"], org["mate"], tag="value:999")
    with pytest.raises(InputError, match="To: choose one colleague or one team"):
        give(db, org["agent"], tag=org["value"])


def test_the_monthly_allowance_refuses_the_kudos_after_the_last_one(db, org):
    march = datetime(2026, 3, 5, 10)
    give(db, org["agent"], org["mate"], tag=org["value"], at=march, allowance=2)
    assert kudos.kudos_left(db, org["agent"], march.date(), allowance=2) == 1
    give(db, org["agent"], org["other"], tag=org["value"], at=march, allowance=2)
    assert kudos.kudos_left(db, org["agent"], march.date(), allowance=2) == 0
    with pytest.raises(InputError, match="Kudos this month: you have given all 2 of your kudos for March 2026: none"):
        give(db, org["agent"], org["mate"], tag=org["value"], at=march, allowance=2)
    give(db, org["agent"], org["mate"], tag=org["value"], at=datetime(2026, 4, 1, 9), allowance=2)  # a new month
    give(db, org["agent"], org["mate"], tag=org["value"], at=march, allowance=0)  # 0: no limit
    assert kudos.kudos_left(db, org["agent"], march.date(), allowance=0) is None


def test_hr_hides_a_kudos_which_is_kept_and_audited(db, org):
    kudos_id = give(db, org["agent"], org["mate"], tag=org["value"], message="Mr Smith's account 1234 fixed")
    with pytest.raises(PermissionDeniedError):
        kudos.hide_kudos(db, org["agent"], kudos_id, "Customer details")
    with pytest.raises(InputError, match="Reason"):
        kudos.hide_kudos(db, org["hr"], kudos_id, " ")
    kudos.hide_kudos(db, org["hr"], kudos_id, "Names a customer")
    assert wall(db, org["mate"], org["mate"]) == []
    assert kudos.recent_kudos(db, org["agent"]) == []
    assert [item.hidden_reason for item in kudos.hidden_kudos(db, org["hr"])] == ["Names a customer"]
    with pytest.raises(PermissionDeniedError):
        kudos.hidden_kudos(db, org["agent"])
    assert db.scalar("SELECT count(*) FROM kudos") == 1
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'kudos' AND action = 'hide'") == 1


def test_company_values_are_hr_s_list(db, org):
    with pytest.raises(PermissionDeniedError):
        values.add_value(db, org["agent"], "Be kind")
    with pytest.raises(InputError, match="on the list already"):
        values.add_value(db, org["hr"], "own IT")
    retired = int(org["value"].split(":")[1])
    values.set_value_active(db, org["hr"], retired, False)
    assert "Value: Own it" not in kudos.tag_choices(db).values()
    with pytest.raises(InputError, match="Tag"):
        give(db, org["agent"], org["mate"], tag=org["value"])


def test_kudos_tagged_with_a_competency_are_evidence_on_the_receivers_record(db, org):
    give(db, org["agent"], org["mate"], tag=f"competency:{org['empathy']}", message="Heard the customer out")
    give(db, org["agent"], org["mate"], tag=org["value"], message="Covered my shift")
    evidence = matrix.kudos_evidence(db, org["mate"], org["mate"].employee_id, org["empathy"])
    assert [(item.text, item.by, item.source) for item in evidence] == [
        ("Heard the customer out", org["agent"].full_name, "Kudos")
    ]


def test_the_leaderboard_never_ranks_fewer_than_three_people(db, org):
    on = datetime(2026, 2, 10, 10)
    give(db, org["agent"], org["mate"], tag=org["value"], at=on)
    board = leaderboard.leaderboard(db, org["loner"], "month", on.date())
    assert board.people_counted == 2 and board.rows == []
    assert "Fewer than 3 people" in board.message
    give(db, org["other"], org["mate"], tag=org["value"], at=on)
    board = leaderboard.leaderboard(db, org["loner"], "month", on.date())
    assert [(row["person"], row["kudos_received"], row["kudos_given"]) for row in board.rows] == [
        (org["mate"].full_name, 2, 0),
        (org["agent"].full_name, 0, 1),
        (org["other"].full_name, 0, 1),
    ]
    assert [row["rank"] for row in board.rows] == [1, 2, 2]
    assert leaderboard.leaderboard(db, org["loner"], "month", date(2026, 3, 1)).rows == []  # another month
    assert len(leaderboard.leaderboard(db, org["loner"], "year", date(2026, 12, 31)).rows) == 3
    assert leaderboard.leaderboard(db, org["loner"], "quarter", on.date(), team_id=org["solo_team"]).rows == []


def test_hr_exports_a_period_s_kudos_and_badges(db, org, monkeypatch):
    monkeypatch.setattr(badges, "badge_threshold", lambda: 1)
    give(db, org["agent"], org["mate"], tag=org["value"], at=datetime(2026, 5, 3, 9), message="=cmd|' /C calc'!A0")
    give(db, org["agent"], org["mate"], tag=org["value"], at=datetime(2026, 8, 3, 9))
    with pytest.raises(PermissionDeniedError):
        export.recognition_export(db, org["agent"], "quarter", date(2026, 5, 1))
    frame = export.recognition_export(db, org["hr"], "quarter", date(2026, 5, 1))
    assert sorted(frame["kind"]) == ["badge", "kudos"]
    assert frame.loc[frame["kind"] == "kudos", "message"].tolist() == ["=cmd|' /C calc'!A0"]
    assert export.export_file_stem("quarter", date(2026, 5, 1)) == "recognition-2026-q2"


def test_bulk_kudos_follow_the_same_rules(db, org):
    gift = bulk.Gift(giver=org["agent"], recipient_id=org["agent"].employee_id, message="Me!", value_id=1,
                     given_at=datetime(2026, 1, 5, 9))  # fmt: skip
    with pytest.raises(InputError, match="yourself"):
        bulk.give_kudos_in_bulk(db, [gift])
    ok = gift.model_copy(update={"recipient_id": org["mate"].employee_id})
    with pytest.raises(InputError, match="no kudos left"):
        bulk.give_kudos_in_bulk(db, [ok, ok], allowance=1)
    assert db.scalar("SELECT count(*) FROM kudos") == 0
    assert bulk.give_kudos_in_bulk(db, [ok, ok], allowance=2) == 2
    assert wall(db, org["hr"], org["mate"]) == ["Me!", "Me!"]
