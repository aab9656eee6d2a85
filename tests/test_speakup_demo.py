"""The demo organisation's Speak-Up board: three closed cycles with outcomes and one open."""

from __future__ import annotations

from datetime import date

import pytest

from models import demo
from models.db import Database
from models.speakup import benefits, board, cycle_report, cycles, day_plan, judging, preparation_views
from models.speakup.demo import IDEAS_PER_PAST_CYCLE

TODAY = date(2026, 11, 20)  # a few days back, so a stamp of the real clock would show


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, database_templates):
    """The demo organisation, shared by the tests of this module (they only read it)."""
    path = tmp_path_factory.mktemp("demo") / "portal.duckdb"
    org = database_templates.copy_demo(path, today=TODAY)
    database = database_templates.open(path)
    yield database, org
    database_templates.discard(database)


def test_three_closed_cycles_and_one_open_for_ideas(seeded):
    db, _ = seeded
    phases = [cycle.phase for cycle in cycles.list_cycles(db)]
    assert phases == ["open", "closed", "closed", "closed"]
    current = cycles.open_cycle(db)
    assert current.accepts_submissions(TODAY) and current.name == "2026 Q4"


def test_every_past_cycle_has_green_lights_and_ideas_not_selected(seeded):
    db, org = seeded
    leader = _leader(db, org)
    for cycle in cycles.list_cycles(db)[1:]:
        report = cycle_report.cycle_report(db, leader, cycle.id)
        # every idea posted in a past cycle stays in its report, the one carried on included
        assert report["submitted"] == IDEAS_PER_PAST_CYCLE and report["carried_in"] == 0
        assert 1 <= report["green_lit"] < report["shortlisted"]
        assert report["projected_annual_savings"] > 0


def test_the_open_cycle_counts_the_idea_carried_into_it(seeded):
    db, org = seeded
    report = cycle_report.cycle_report(db, _leader(db, org), cycles.open_cycle(db).id)
    assert report["carried_in"] == 1
    assert 0 < report["participation"] < 1 and report["participating_agents"] <= report["agents"]


def test_older_green_lit_ideas_report_realised_savings(seeded):
    db, _ = seeded
    realised = [row for row in benefits.green_lit_ideas(db) if row["realised_savings"]]
    assert realised and any(row["status"] == "implemented" for row in realised)


def test_no_judge_scored_an_idea_they_have_a_conflict_with(seeded):
    db, _ = seeded
    pairs = db.query("SELECT DISTINCT idea_id, judge_id FROM idea_judgements")
    assert pairs
    assert all(judging.conflict_of_interest(db, p["judge_id"], p["idea_id"]) is None for p in pairs)


def test_nobody_supports_their_own_idea(seeded):
    db, _ = seeded
    own = db.scalar(
        "SELECT count(*) FROM idea_supports s JOIN ideas i ON i.id = s.idea_id WHERE s.employee_id = i.author_id"
        " OR s.employee_id IN (SELECT employee_id FROM idea_coauthors c WHERE c.idea_id = s.idea_id)"
    )
    assert own == 0


def test_the_demo_agent_has_a_green_lit_idea_a_posted_one_and_a_draft(seeded):
    db, org = seeded
    from models.access import Role
    from models.auth import load_user

    agent = load_user(db, employee_id=org.logins[Role.AGENT])
    statuses = sorted(idea.status for idea in board.my_ideas(db, agent))
    assert "draft" in statuses and "submitted" in statuses
    assert {"in_implementation", "implemented"} & set(statuses)


def test_the_same_seed_builds_the_same_board(tmp_path, seeded_db):
    def board_and_stories(database: Database) -> tuple[list, list]:
        titles = database.query("SELECT title, status, cycle_id FROM ideas ORDER BY id")
        stories = database.query(
            "SELECT i.id, i.status, (SELECT count(*) FROM idea_supports s WHERE s.idea_id = i.id) AS supports,"
            # a decision's score to the 9 places the rule compares (its last bits follow DuckDB's summation order)
            " (SELECT list(d.outcome || ' ' || round(d.score, 9) ORDER BY d.id) FROM idea_decisions d"
            "  WHERE d.idea_id = i.id) AS decisions,"
            " (SELECT list(a.status || ' ' || a.updated_at ORDER BY a.id) FROM actions a WHERE a.idea_id = i.id)"
            "  AS actions FROM ideas i ORDER BY i.id"
        )
        return titles, stories

    database = Database(tmp_path / "fresh.duckdb")
    database.start_up()  # as the portal opens a database before it seeds the demo
    demo.seed(database, today=TODAY)
    fresh = board_and_stories(database)
    database.close()
    session_copy, _ = seeded_db(today=TODAY)  # seeded by a run of its own earlier in the session
    assert fresh == board_and_stories(session_copy)


def test_every_idea_has_a_title_of_its_own(seeded):
    db, _ = seeded
    repeated = db.query("SELECT title, count(*) AS n FROM ideas GROUP BY title HAVING count(*) > 1")
    assert repeated == []


def test_nothing_is_dated_after_today(seeded):
    db, _ = seeded
    stamps = {
        "supports": "SELECT max(supported_at) FROM idea_supports",
        "comments": "SELECT max(created_at) FROM idea_comments",
        "status changes": "SELECT max(changed_at) FROM idea_status_history",
        "ideas": "SELECT max(greatest(created_at, coalesce(submitted_at, created_at))) FROM ideas",
        "judgements": "SELECT max(submitted_at) FROM idea_judgements",
        "decisions": "SELECT max(decided_at) FROM idea_decisions",
        "benefit reviews": "SELECT max(recorded_at) FROM idea_benefit_reviews",
        "recognitions": "SELECT max(awarded_at) FROM recognitions WHERE idea_id IS NOT NULL",
        "idea actions": "SELECT max(greatest(created_at, updated_at)) FROM actions WHERE idea_id IS NOT NULL",
        "action updates": "SELECT max(u.posted_at) FROM action_updates u JOIN actions a ON a.id = u.action_id"
        " WHERE a.idea_id IS NOT NULL",
        "completions": "SELECT max(completed_on) FROM actions WHERE idea_id IS NOT NULL",
    }
    for name, sql in stamps.items():
        at = db.scalar(sql)
        assert at is not None, f"no {name} in the demo"
        day = at.date() if hasattr(at, "hour") else at
        assert day <= TODAY, f"{name} dated {at}"


def test_closed_cycles_hold_only_final_states(seeded):
    db, _ = seeded
    open_states = db.query(
        "SELECT i.title, i.status FROM ideas i JOIN idea_cycles c ON c.id = i.cycle_id"
        " WHERE c.phase = 'closed' AND i.status IN ('draft', 'submitted', 'needs_more_work', 'shortlisted', 'scored')"
    )
    assert open_states == []


def test_one_idea_one_action_and_a_carried_idea_is_the_same_idea_moved_on(seeded):
    db, _ = seeded
    assert (
        db.scalar(
            "SELECT count(*) FROM (SELECT idea_id FROM actions WHERE idea_id IS NOT NULL"
            " GROUP BY idea_id HAVING count(*) > 1)"
        )
        == 0
    )
    carried = db.query("SELECT id, carried_from_cycle_id FROM ideas WHERE carried_from_cycle_id IS NOT NULL")
    assert carried
    for row in carried:
        moves = db.query(
            "SELECT cycle_id FROM idea_status_history WHERE idea_id = ? AND from_status IS NOT NULL"
            " ORDER BY changed_at",
            [row["id"]],
        )
        assert moves[0]["cycle_id"] == row["carried_from_cycle_id"]


def test_every_outcome_and_its_follow_up_come_from_the_recorded_decision(seeded):
    """Each decision applies its cycle's rule, and a green light's action and recognitions
    are the ones the decision created, at the moment it was recorded."""
    db, _ = seeded
    decided = db.query(
        "SELECT d.idea_id, d.outcome, d.score, d.judges, d.green_light_threshold, d.min_judges, d.decided_at,"
        " c.green_light_threshold AS cycle_threshold, c.min_judges AS cycle_min_judges"
        " FROM idea_decisions d JOIN idea_cycles c ON c.id = d.cycle_id"
    )
    assert len(decided) >= 15
    for row in decided:
        assert (row["green_light_threshold"], row["min_judges"]) == (row["cycle_threshold"], row["cycle_min_judges"])
        green = judging.is_green_lit(row["score"], row["judges"], row["cycle_threshold"], row["cycle_min_judges"])
        assert row["outcome"] == ("green_lit" if green else "not_selected")
        actions = db.query("SELECT created_at FROM actions WHERE idea_id = ?", [row["idea_id"]])
        awarded = db.query(
            "SELECT awarded_at FROM recognitions WHERE idea_id = ? AND kind = 'green_lit_idea'", [row["idea_id"]]
        )
        if green:
            assert [action["created_at"] for action in actions] == [row["decided_at"]]
            assert awarded and {award["awarded_at"] for award in awarded} == {row["decided_at"]}
        else:
            assert actions == [] and awarded == []


def _decisions(path) -> list[dict]:
    database = Database(path)
    database.migrate()
    demo.seed(database, scale=0.2, today=TODAY)
    rows = database.query("SELECT outcome, score, judges, green_light_threshold, min_judges FROM idea_decisions")
    database.close()
    return rows


def test_a_green_light_threshold_changed_in_the_domain_shows_in_the_demo_built_afterwards(tmp_path, monkeypatch):
    standard = cycles.DEFAULT_GREEN_LIGHT_THRESHOLD
    before = _decisions(tmp_path / "before.duckdb")
    monkeypatch.setattr(cycles, "DEFAULT_GREEN_LIGHT_THRESHOLD", 4.3)
    after = _decisions(tmp_path / "after.duckdb")
    assert {row["green_light_threshold"] for row in before} == {standard}
    assert {row["green_light_threshold"] for row in after} == {4.3}
    for row in after:
        green = judging.is_green_lit(row["score"], row["judges"], 4.3, row["min_judges"])
        assert row["outcome"] == ("green_lit" if green else "not_selected")
    # ideas the standard threshold would have green-lit are not selected now
    assert any(row["outcome"] == "not_selected" and row["score"] >= standard for row in after)
    green_lights = [sum(row["outcome"] == "green_lit" for row in rows) for rows in (before, after)]
    assert green_lights[1] < green_lights[0]


def _leader(db, org):
    from models.access import Role
    from models.auth import load_user

    return load_user(db, employee_id=org.logins[Role.LEADERSHIP])


def test_past_cycles_were_prepared_for_and_the_current_one_has_sessions(seeded):
    db, org = seeded
    leader = _leader(db, org)
    current, *past = cycles.list_cycles(db)
    for cycle in past:
        sessions = preparation_views.cycle_sessions(db, leader, cycle.id)
        assert len(sessions) == 3
        invited = sum(s["invited"] for s in sessions)
        assert invited and sum(s["attended"] for s in sessions) >= 0.7 * invited
        order = day_plan.running_order(db, cycle.id)
        assert [row["position"] for row in order] == list(range(1, len(order) + 1)) and order
        assert len(day_plan.judges_present(db, cycle.id)) >= 3
        assert preparation_views.prepared_people(db, leader, cycle.id)
    coming = preparation_views.cycle_sessions(db, leader, current.id)
    assert len(coming) == 3 and all(s["invited"] and s["starts_at"].date() > TODAY for s in coming)
    completed = db.scalar("SELECT count(*) FROM training_completions WHERE source = 'session'")
    assert completed == sum(s["attended"] for c in past for s in preparation_views.cycle_sessions(db, leader, c.id))
