"""The Speak-Up pages issue as many SQL statements for a cycle of 50 ideas as for a cycle of 5:
nothing is read once per idea (issue 15: no query per row)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from models import db as db_module
from models.access import CurrentUser, Role
from models.db import Database, get_database
from models.speakup import board, cycle_report, cycles, decisions, ideas, judging, moderation
from tests.conftest import add_person
from tests.pages.apptest import open_page, signed_in_as
from tests.speakup_helpers import open_cycle, scores_for, submitted_idea

pytestmark = pytest.mark.xdist_group("speakup_at_scale")

SMALL, LARGE = 5, 50


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    """Every statement read through the portal's readers while the block runs."""
    issued: list[str] = []
    originals = {name: getattr(db_module.ConnectionReader, name) for name in ("query", "scalar", "frame")}

    def counted(name: str) -> Callable:
        def run(self, sql, params=None):
            issued.append(sql)
            return originals[name](self, sql, params)

        return run

    with pytest.MonkeyPatch.context() as patch:
        for name in originals:
            patch.setattr(db_module.ConnectionReader, name, counted(name))
        yield issued


def statements(work: Callable[[], object]) -> int:
    with counting_statements() as issued:
        work()
    return len(issued)


def add_ideas(db: Database, cycle_id: int, count: int, fan: CurrentUser) -> list[int]:
    """Ideas by different authors, each with a co-author, a supporter, a comment, a project plan
    and a link to a complaint category."""
    added = []
    for number in range(count):
        author, co_author = add_person(db, Role.AGENT), add_person(db, Role.AGENT)
        idea_id = submitted_idea(
            db,
            author,
            title=f"Cycle {cycle_id} idea number {number:02d}",
            co_author_ids=[co_author.employee_id],
            complaint_category=f"Category {number % 7}",
        )
        board.support_idea(db, fan, idea_id)
        board.add_comment(db, fan, idea_id, f"Comment on idea {number}")
        added.append(idea_id)
    return added


@pytest.fixture
def two_cycles(portal_env):
    """Two cycles in review, one of 5 ideas and one of 50, and the people who look after them."""
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    fan, moderator = add_person(db, Role.AGENT), add_person(db, Role.MODERATOR)
    judge = add_person(db, Role.LEADERSHIP)
    db.write(
        lambda connection: connection.execute(
            "INSERT INTO complaints (dedup_key, received_date, received_month, category)"
            " SELECT uuid(), DATE '2026-10-01', DATE '2026-10-01', 'Category ' || (i % 7) FROM range(70) t(i)"
        )
    )
    made = {}
    for size, name in ((SMALL, "2026 Q3"), (LARGE, "2026 Q4")):
        cycle_id = open_cycle(db, head, name)
        made[size] = {"cycle_id": cycle_id, "ideas": add_ideas(db, cycle_id, size, fan)}
        cycles.advance_phase(db, head, cycle_id)  # review: the next cycle may open
    return {"db": db, "head": head, "fan": fan, "moderator": moderator, "judge": judge, **made}


def start_scoring(org: dict) -> None:
    """Both cycles shortlist every idea and start scoring; the judge scores two ideas of each."""
    db = org["db"]
    for size in (SMALL, LARGE):
        cycle_id = org[size]["cycle_id"]
        db.write(
            lambda connection, cycle_id=cycle_id: connection.execute(
                "UPDATE ideas SET status = 'shortlisted' WHERE cycle_id = ?", [cycle_id]
            )
        )
        cycles.advance_phase(db, org["head"], cycle_id)
        cycle = cycles.get_cycle(db, cycle_id)
        for idea_id in org[size]["ideas"][:2]:
            judging.submit_scores(db, org["judge"], idea_id, scores_for(cycle, 4))


def page_statements(app, key: str, cycle_id: int) -> int:
    """Statements of one run of the open page with ``cycle_id`` chosen in its ``key`` selectbox."""
    app.selectbox(key=key).set_value(cycle_id).run()
    assert not app.exception, app.exception
    with counting_statements() as issued:
        app.run()
    assert not app.exception, app.exception
    return len(issued)


def test_the_moderation_page_reads_as_much_for_fifty_ideas_as_for_five(two_cycles):
    org = two_cycles
    app = open_page(signed_in_as(org["moderator"]), "pages/idea_moderation.py")
    small = page_statements(app, "moderation_cycle", org[SMALL]["cycle_id"])
    large = page_statements(app, "moderation_cycle", org[LARGE]["cycle_id"])
    assert large == small
    assert "50 ideas to look after" in " ".join(c.value for c in app.caption)
    assert len(app.selectbox(key=f"merge_into_{org[LARGE]['ideas'][0]}").options) == 20  # searched, not all 49


def test_the_idea_board_reads_as_much_for_fifty_ideas_as_for_five(two_cycles):
    org = two_cycles
    app = open_page(signed_in_as(org["fan"]), "pages/idea_board.py")
    for size in (SMALL, LARGE):
        for idea_id in org[size]["ideas"][-3:]:  # the newest, on the first page
            app.session_state[f"board_details_{idea_id}"] = True
    app.session_state["board_table"] = True  # and the table of all matching ideas
    small = page_statements(app, "board_cycle", org[SMALL]["cycle_id"])
    large = page_statements(app, "board_cycle", org[LARGE]["cycle_id"])
    assert large == small
    captions = " ".join(c.value for c in app.caption)
    assert "50 ideas; showing 1–20" in captions  # a page of the total, the total shown
    table = next(t.value for t in app.dataframe if "Net annual benefit" in t.value.columns)
    assert len(table) == LARGE  # never cut at a hidden limit


def test_judging_reads_as_much_for_fifty_shortlisted_ideas_as_for_five(two_cycles):
    org = two_cycles
    start_scoring(org)
    app = open_page(signed_in_as(org["judge"]), "pages/idea_judging.py")
    small = page_statements(app, "judging_cycle", org[SMALL]["cycle_id"])
    large = page_statements(app, "judging_cycle", org[LARGE]["cycle_id"])
    assert large == small


def test_my_ideas_reads_as_much_for_many_ideas_as_for_one(two_cycles):
    org = two_cycles
    db = org["db"]
    author = add_person(db, Role.AGENT)
    cycle_id = open_cycle(db, org["head"], "2027 Q1")
    submitted_idea(db, author, title="The first of many ideas")
    app = open_page(signed_in_as(author), "pages/my_ideas.py")
    one = statements(app.run)
    for number in range(6):
        submitted_idea(db, author, title=f"Another idea, number {number}")
    assert cycles.get_cycle(db, cycle_id).phase == "open"
    many = statements(app.run)
    assert not app.exception, app.exception
    assert many == one
    assert len(app.expander) >= 7  # every one of the author's ideas is listed


def test_the_models_behind_the_pages_read_as_much_for_fifty_ideas_as_for_five(two_cycles):
    org = two_cycles
    db, judge, fan = org["db"], org["judge"], org["fan"]
    start_scoring(org)

    def reads(size: int) -> dict[str, int]:
        cycle_id, idea_ids = org[size]["cycle_id"], org[size]["ideas"]
        shown = board.board(db, cycle_id=cycle_id)
        return {
            "board page": statements(lambda: board.board_page(db, cycle_id=cycle_id)),
            "supports": statements(lambda: board.supports(db, fan, idea_ids)),
            "comments": statements(lambda: board.comments_of(db, idea_ids)),
            "complaint counts": statements(lambda: board.complaint_link_counts_of(db, shown)),
            "plans": statements(lambda: board.milestones_of(db, idea_ids)),
            "queue": statements(lambda: moderation.queue_page(db, cycle_id)),
            "merge choices": statements(lambda: moderation.merge_candidates(db, cycle_id, idea_ids[0])),
            "judging queue": statements(lambda: judging.judging_queue(db, judge, cycle_id)),
            "visible scores": statements(lambda: judging.visible_ideas(db, judge, cycle_id)),
            "spread": statements(lambda: cycle_report.spread_frame(db, judge, cycle_id)),
            "report table": statements(lambda: cycle_report.idea_table(db, org["head"], cycle_id)),
        }

    assert reads(LARGE) == reads(SMALL)


def test_score_visibility_for_a_cycle_agrees_with_the_rule_for_each_idea(two_cycles):
    org = two_cycles
    db = org["db"]
    start_scoring(org)
    manager = add_person(db, Role.LEADERSHIP)
    cycle_id, idea_ids = org[SMALL]["cycle_id"], org[SMALL]["ideas"]
    db.write(  # the new leader manages the authors of the first two ideas
        lambda connection: connection.execute(
            "UPDATE employees SET manager_id = ? WHERE id IN (SELECT author_id FROM ideas WHERE list_contains(?, id))",
            [manager.employee_id, idea_ids[:2]],
        )
    )
    decisions.decide(db, org["head"], idea_ids[0], "Decided early for the test")
    for viewer in (org["judge"], org["head"], manager, org["fan"]):
        expected = {idea_id for idea_id in idea_ids if judging.may_see_scores(db, viewer, idea_id)}
        assert judging.visible_ideas(db, viewer, cycle_id) == expected
        conflicts = judging.conflicts_in_cycle(db, viewer.employee_id, cycle_id)
        assert conflicts == {
            idea_id: reason
            for idea_id in idea_ids
            if (reason := judging.conflict_of_interest(db, viewer.employee_id, idea_id)) is not None
        }
    assert judging.visible_ideas(db, manager, cycle_id) == {idea_ids[0]}  # decided, and an author's manager
    assert judging.visible_ideas(db, org["judge"], cycle_id) == set(idea_ids[:2])  # the two the judge scored


@pytest.mark.parametrize("reader", ["fan", "head"])  # a count of customers' words; the words themselves
def test_the_board_reads_as_much_with_three_ideas_open_as_with_one(two_cycles, reader):
    org = two_cycles
    newest = org[LARGE]["ideas"][-3:]

    def opened(ideas: list[int]) -> int:
        app = open_page(signed_in_as(org[reader]), "pages/idea_board.py")
        for idea_id in ideas:
            app.session_state[f"board_details_{idea_id}"] = True
        return page_statements(app, "board_cycle", org[LARGE]["cycle_id"])

    assert opened(newest) == opened(newest[:1])


def test_an_ideas_complaint_link_reads_as_much_whatever_it_links_to(two_cycles):
    org = two_cycles
    db = org["db"]
    linked = ideas.get_idea(db, org[SMALL]["ideas"][0])
    open_cycle(db, org["head"], "2027 Q1")
    unlinked = ideas.get_idea(db, submitted_idea(db, add_person(db, Role.AGENT), title="An idea linked to nothing"))
    assert linked.complaint_category and not unlinked.complaint_category and unlinked.finding_id is None
    assert statements(lambda: board.complaint_link_counts(db, unlinked)) == statements(
        lambda: board.complaint_link_counts(db, linked)
    )
    assert board.complaint_link_counts(db, linked) == {"complaints_in_category": 10}  # 70 complaints in 7 categories
    assert board.complaint_link_counts(db, unlinked) == {}
