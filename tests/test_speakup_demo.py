"""The demo organisation's Speak-Up board: three closed cycles with outcomes and one open."""

from __future__ import annotations

from datetime import date

import pytest

from models import cycles, demo, ideas, judging
from models.db import Database

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    database = Database(tmp_path_factory.mktemp("demo") / "portal.duckdb")
    database.migrate()
    org = demo.seed(database, today=TODAY)
    yield database, org
    database.close()


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
        report = judging.cycle_report(db, leader, cycle.id)
        assert report["submitted"] >= 10
        assert 1 <= report["green_lit"] < report["shortlisted"]
        assert report["projected_annual_savings"] > 0


def test_older_green_lit_ideas_report_realised_savings(seeded):
    db, _ = seeded
    realised = [row for row in ideas.green_lit_ideas(db) if row["realised_savings"]]
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
    from models.auth import Role, load_user

    agent = load_user(db, employee_id=org.logins[Role.AGENT])
    statuses = sorted(idea.status for idea in ideas.my_ideas(db, agent))
    assert "draft" in statuses and "submitted" in statuses
    assert {"in_implementation", "implemented"} & set(statuses)


def test_the_same_seed_builds_the_same_board(tmp_path):
    titles = []
    for run in (1, 2):
        database = Database(tmp_path / f"run{run}.duckdb")
        database.migrate()
        demo.seed(database, today=TODAY)
        titles.append(database.query("SELECT title, status, cycle_id FROM ideas ORDER BY id"))
        database.close()
    assert titles[0] == titles[1]


def _leader(db, org):
    from models.auth import Role, load_user

    return load_user(db, employee_id=org.logins[Role.LEADERSHIP])
