"""The whole Speak-Up flow through the pages: an agent submits, a moderator shortlists,
leadership starts scoring, three judges score, the idea is green-lit and becomes an action."""

from __future__ import annotations

import json

import pyarrow as pa

from models.access import Role
from models.actions import plan
from models.db import get_database
from models.speakup import board, cycles, decisions, ideas, judging, moderation
from tests.conftest import add_person
from tests.pages.apptest import open_page, set_decimal, shown, signed_in_as
from tests.speakup_helpers import cycle_data, idea_data, scores_for

IDEA_TITLE = "Bring card disputes into the contact centre"


def fill_idea(app, title: str = IDEA_TITLE) -> None:
    app.text_input(key="idea_title").set_value(title)
    app.text_area(key="idea_problem").set_value(
        "Disputed card payments are transferred to the back office and customers call back twice."
    )
    app.text_area(key="idea_change").set_value(
        "Train a pod of agents to lodge disputes on the first call with access to the disputes system."
    )
    set_decimal(app, "idea_savings", 350_000.0)
    set_decimal(app, "idea_one_off", 60_000.0)
    set_decimal(app, "idea_running", 40_000.0)
    app.run()


def texts(app) -> str:
    parts = [m.value for m in app.markdown] + [c.value for c in app.caption]
    parts += [s.value for s in app.success] + [e.value for e in app.error] + [w.value for w in app.warning]
    return "\n".join(str(p) for p in parts)


def test_agent_submits_moderator_shortlists_three_judges_green_light_and_action_exists(portal_env):
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP, full_name="Helen Head")
    judges = [add_person(db, Role.LEADERSHIP, full_name=f"Judge {n}") for n in (1, 2, 3)]
    lead = add_person(db, Role.TEAM_LEAD, full_name="Tom Lead")
    agent = add_person(db, Role.AGENT, manager_id=lead.employee_id, full_name="Ava Agent")
    moderator = add_person(db, Role.MODERATOR, full_name="Mo Moderator")
    cycle_id = cycles.create_cycle(db, head, cycle_data())

    # leadership opens submissions on the cycles page
    app = open_page(signed_in_as(head), "pages/speakup_cycles.py")
    app.button(key=f"advance_{cycle_id}").click().run()
    assert not app.exception
    assert cycles.get_cycle(db, cycle_id).phase == "open"

    # the agent writes the idea; the business case is computed as they type
    app = open_page(signed_in_as(agent), "pages/my_ideas.py")
    fill_idea(app)
    assert not app.exception
    net = next(m for m in app.metric if m.label == "Net annual benefit")
    assert net.value == "A$310,000"
    payback = next(m for m in app.metric if m.label == "Payback")
    assert payback.value == "2.3 months"
    app.button(key="idea_submit").click().run()
    assert not app.exception
    assert any(IDEA_TITLE in s.value for s in app.success)
    idea_id = board.board(db)[0].id

    # it is on the board for everyone
    app = open_page(signed_in_as(moderator), "pages/idea_board.py")
    assert IDEA_TITLE in texts(app)

    # the moderator shortlists it
    app = open_page(signed_in_as(moderator), "pages/idea_moderation.py")
    app.button(key=f"shortlist_{idea_id}").click().run()
    assert not app.exception
    assert ideas.get_idea(db, idea_id).status == "shortlisted"

    # leadership closes submissions and starts scoring; the criteria are now frozen
    app = open_page(signed_in_as(head), "pages/speakup_cycles.py")
    app.button(key=f"advance_{cycle_id}").click().run()
    app.button(key=f"advance_{cycle_id}").click().run()
    assert cycles.get_cycle(db, cycle_id).phase == "scoring"
    assert any("frozen" in info.value for info in app.info)

    # three judges score, each blind until they submit
    cycle = cycles.get_cycle(db, cycle_id)
    for number, judge in enumerate(judges):
        app = open_page(signed_in_as(judge), "pages/idea_judging.py")
        assert not app.exception
        if number == 1:
            assert "Judge 1" not in texts(app)  # the first judge's scores stay hidden
        for criterion in cycle.criteria:
            app.radio(key=f"score_{idea_id}_{criterion.id}").set_value(4)
        app.text_area(key=f"score_comment_{idea_id}").set_value("Clear saving, customers will notice.")
        app.button(key=f"submit_scores_{idea_id}").click().run()
        assert not app.exception
        assert "Judge 1" in texts(app) or any("Judge 1" in str(df.value) for df in app.dataframe)

    # the head of the programme records the decision
    app = open_page(signed_in_as(head), "pages/idea_judging.py")
    app.text_area(key=f"rationale_{idea_id}").set_value("Above the threshold with a strong business case.")
    app.button(key=f"decide_{idea_id}").click().run()
    assert not app.exception
    decision = decisions.decisions_for(db, head, idea_id)[0]
    assert decision.outcome == "green_lit" and decision.judges == 3 and decision.score == 4.0
    idea = ideas.get_idea(db, idea_id)
    assert idea.status == "in_implementation"
    linked = plan.actions_for(db, idea_id=idea_id)
    assert len(linked) == 1 and linked[0].id == idea.action_id
    assert linked[0].origin == "idea" and linked[0].owner_id == head.employee_id
    assert IDEA_TITLE in linked[0].title and linked[0].due_date == idea.action_due_date

    # the author sees the outcome, the feedback and the recognition
    app = open_page(signed_in_as(agent), "pages/my_ideas.py")
    shown = texts(app)
    assert "Green-lit" in shown and "Above the threshold with a strong business case" in shown
    assert "Clear saving, customers will notice" in shown
    projected = next(m for m in app.metric if m.label == "Projected annual savings")
    assert projected.value == "A$350,000"
    assert next(m for m in app.metric if m.label == "Realised so far").value == "—"


def test_a_bad_title_is_named_and_the_form_keeps_what_was_typed(portal_env):
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    agent = add_person(db, Role.AGENT)
    cycle_id = cycles.create_cycle(db, head, cycle_data())
    cycles.advance_phase(db, head, cycle_id)

    app = open_page(signed_in_as(agent), "pages/my_ideas.py")
    fill_idea(app, title="Fix")
    app.button(key="idea_submit").click().run()
    assert not app.exception
    assert any("Title" in e.value for e in app.error)
    assert app.text_input(key="idea_title").value == "Fix"
    assert app.session_state["idea_savings"] == 350_000.0
    assert board.board(db) == [] and db.scalar("SELECT count(*) FROM ideas") == 0


def test_a_too_short_problem_on_submit_stores_no_draft_and_keeps_the_form(portal_env):
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    agent = add_person(db, Role.AGENT)
    cycles.advance_phase(db, head, cycles.create_cycle(db, head, cycle_data()))
    app = open_page(signed_in_as(agent), "pages/my_ideas.py")
    fill_idea(app)
    app.text_area(key="idea_problem").set_value("Too slow").run()
    app.button(key="idea_submit").click().run()
    assert not app.exception
    assert any("Problem" in e.value for e in app.error)
    assert db.scalar("SELECT count(*) FROM ideas") == 0
    assert app.text_area(key="idea_problem").value == "Too slow"
    assert app.text_input(key="idea_title").value == IDEA_TITLE


def test_a_negative_cost_is_named_in_the_live_figures_and_refused(portal_env):
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    agent = add_person(db, Role.AGENT)
    cycles.advance_phase(db, head, cycles.create_cycle(db, head, cycle_data()))
    app = open_page(signed_in_as(agent), "pages/my_ideas.py")
    fill_idea(app)
    set_decimal(app, "idea_one_off", -5_000.0).run()
    assert app.session_state["idea_one_off"] == -5_000.0
    assert any("One-off cost: cannot be negative" in w.value for w in app.warning)
    assert not [m for m in app.metric if m.label == "Net annual benefit"]  # no figures built on a silent 0
    app.button(key="idea_save").click().run()
    assert any("One-off cost" in shown(e.value) for e in app.error)
    assert db.scalar("SELECT count(*) FROM ideas") == 0


def test_an_author_reworks_an_idea_sent_back_during_review(portal_env):
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    agent = add_person(db, Role.AGENT)
    moderator = add_person(db, Role.MODERATOR)
    cycle_id = cycles.create_cycle(db, head, cycle_data())
    cycles.advance_phase(db, head, cycle_id)
    idea_id = ideas.save_draft(db, agent, idea_data())
    ideas.submit_idea(db, agent, idea_id)
    cycles.advance_phase(db, head, cycle_id)  # review
    moderation.send_back(db, moderator, idea_id, "Add the cost of the IVR change")
    app = open_page(signed_in_as(moderator), "pages/idea_moderation.py")
    assert "resubmit it until scoring starts" in texts(app)

    app = open_page(signed_in_as(agent), "pages/my_ideas.py")
    assert any("sent this idea back" in i.value for i in app.info)
    app.button(key=f"edit_{idea_id}").click().run()
    assert "resubmit it until scoring starts" in texts(app)
    set_decimal(app, "idea_one_off", 45_000.0).run()
    app.button(key="idea_submit").click().run()
    assert not app.exception
    idea = ideas.get_idea(db, idea_id)
    assert idea.status == "submitted" and idea.one_off_cost == 45_000


def queue_list(app):
    """The moderation queue's list of ideas on the page."""
    return next(table.value for table in app.dataframe if "#" in table.value.columns)


def button_keys(app) -> set[str]:
    return {button.key for button in app.button}


def test_similar_ideas_show_while_the_title_is_typed(portal_env):
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    author, agent = add_person(db, Role.AGENT), add_person(db, Role.AGENT)
    cycle_id = cycles.create_cycle(db, head, cycle_data())
    cycles.advance_phase(db, head, cycle_id)
    app = open_page(signed_in_as(author), "pages/my_ideas.py")
    fill_idea(app, title="Callback scheduling at peak times")
    app.button(key="idea_submit").click().run()

    app = open_page(signed_in_as(agent), "pages/my_ideas.py")
    app.text_input(key="idea_title").set_value("schedule call-backs at peak").run()
    assert "Similar ideas already posted" in texts(app)
    assert "Callback scheduling at peak times" in texts(app)


def test_the_board_support_button_counts_one_support(portal_env):
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    author, fan = add_person(db, Role.AGENT), add_person(db, Role.AGENT)
    cycle_id = cycles.create_cycle(db, head, cycle_data())
    cycles.advance_phase(db, head, cycle_id)
    app = open_page(signed_in_as(author), "pages/my_ideas.py")
    fill_idea(app)
    app.button(key="idea_submit").click().run()
    idea_id = board.board(db)[0].id

    app = open_page(signed_in_as(author), "pages/idea_board.py")
    assert not [b for b in app.button if b.key == f"support_{idea_id}"]  # never on one's own idea

    app = open_page(signed_in_as(fan), "pages/idea_board.py")
    app.button(key=f"support_{idea_id}").click().run()
    assert ideas.get_idea(db, idea_id).supporters == 1
    assert app.button(key=f"support_{idea_id}").label == "Withdraw support"
    assert not [t for t in app.text_area if t.key == f"comment_{idea_id}"]  # details are read when opened
    app.session_state[f"board_details_{idea_id}"] = True  # the fan opens "Details and comments"
    app.run()
    app.text_area(key=f"comment_{idea_id}").set_value("We hear about this every day")
    app.button(key=f"post_{idea_id}").click().run()
    assert board.comments_for(db, idea_id)[0]["body"] == "We hear about this every day"


def test_a_draft_is_kept_and_reopened_with_its_project_plan(portal_env):
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    agent = add_person(db, Role.AGENT)
    cycle_id = cycles.create_cycle(db, head, cycle_data())
    cycles.advance_phase(db, head, cycle_id)
    idea_id = ideas.save_draft(db, agent, idea_data())

    app = open_page(signed_in_as(agent), "pages/my_ideas.py")
    app.button(key=f"edit_{idea_id}").click().run()
    assert not app.exception
    assert app.text_input(key="idea_title").value == idea_data()["title"]
    app.text_input(key="idea_title").set_value("Callback scheduling at peak, with SMS reminders")
    app.button(key="idea_save").click().run()
    assert not app.exception
    draft = ideas.get_idea(db, idea_id)
    assert draft.status == "draft" and draft.title == "Callback scheduling at peak, with SMS reminders"
    assert [m["title"] for m in draft.milestones] == ["IVR change live"]
    assert db.scalar("SELECT count(*) FROM ideas") == 1


def test_moderator_merges_a_duplicate_and_a_decline_needs_a_reason(portal_env):
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    author, other, fan = (add_person(db, Role.AGENT) for _ in range(3))
    moderator = add_person(db, Role.MODERATOR)
    cycle_id = cycles.create_cycle(db, head, cycle_data())
    cycles.advance_phase(db, head, cycle_id)
    survivor = ideas.save_draft(db, author, idea_data(title="Callback scheduling at peak times"))
    ideas.submit_idea(db, author, survivor)
    duplicate = ideas.save_draft(db, other, idea_data(title="Book a callback instead of waiting"))
    ideas.submit_idea(db, other, duplicate)
    board.support_idea(db, fan, duplicate)

    app = open_page(signed_in_as(moderator), "pages/idea_moderation.py")
    assert app.selectbox(key="moderation_idea").value == survivor  # the queue opens on its first idea
    assert not app.button(key=f"decline_{survivor}").disabled and f"decline_{duplicate}" not in button_keys(app)
    app.selectbox(key="moderation_idea").set_value(duplicate).run()
    app.button(key=f"decline_{duplicate}").click().run()
    assert any("Reason" in e.value for e in app.error)
    assert ideas.get_idea(db, duplicate).status == "submitted"

    app.selectbox(key=f"merge_into_{duplicate}").set_value(survivor)
    app.text_input(key=f"merge_note_{duplicate}").set_value("Same callback idea")
    app.button(key=f"merge_{duplicate}").click().run()
    assert not app.exception
    assert ideas.get_idea(db, duplicate).status == "merged"
    assert ideas.get_idea(db, survivor).supporters == 1


def test_home_tells_an_agent_how_long_the_cycle_is_open_and_shows_their_ideas(portal_env):
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    agent = add_person(db, Role.AGENT)
    cycle_id = cycles.create_cycle(db, head, cycle_data())
    cycles.advance_phase(db, head, cycle_id)
    ideas.save_draft(db, agent, idea_data(title="Callback scheduling at peak times"))
    app = open_page(signed_in_as(agent), "pages/home.py")
    assert not app.exception
    assert any("2026 Q4 is open for ideas: 20 days left" in info.value for info in app.info)
    assert "Callback scheduling at peak times (Draft)" in texts(app)
    app = open_page(signed_in_as(head), "pages/home.py")
    assert not app.exception
    funnel = [c for c in app.get("vega_lite_chart") if "Ideas in 2026 Q4" in c.proto.spec]
    assert funnel  # leadership sees the current cycle's funnel
    spec = json.loads(funnel[0].proto.spec)
    assert spec["encoding"]["x"]["axis"] == {"format": ",d", "tickMinStep": 1}  # whole ideas, grouped
    assert spec["encoding"]["y"]["axis"] == {"labelOverlap": False}  # every stage named


def test_the_cycle_report_opens_on_the_latest_cycle_with_decisions(portal_env):
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    judges = [add_person(db, Role.LEADERSHIP) for _ in range(3)]
    agent, moderator = add_person(db, Role.AGENT), add_person(db, Role.MODERATOR)
    decided = cycles.create_cycle(db, head, cycle_data("2026 Q3"))
    cycles.advance_phase(db, head, decided)
    idea_id = ideas.save_draft(db, agent, idea_data())
    ideas.submit_idea(db, agent, idea_id)
    moderation.shortlist(db, moderator, idea_id)
    cycles.advance_phase(db, head, decided)
    cycles.advance_phase(db, head, decided)
    sheet = scores_for(cycles.get_cycle(db, decided), 5)
    for judge in judges:
        judging.submit_scores(db, judge, idea_id, sheet)
    decisions.decide(db, head, idea_id, "Clear win")
    cycles.advance_phase(db, head, decided)  # closed
    later = cycles.create_cycle(db, head, cycle_data("2026 Q4"))
    cycles.advance_phase(db, head, later)
    app = open_page(signed_in_as(head), "pages/speakup_report.py")
    assert not app.exception
    assert app.selectbox(key="report_cycle").value == decided
    score_chart = next(c for c in app.get("vega_lite_chart") if '"threshold' in c.proto.spec)
    shown = {str(v) for ds in score_chart.proto.datasets for v in pa.ipc.open_stream(ds.data.data).read_all()["status"]}
    assert shown == {"In implementation"}  # the legend speaks the programme's language
    captions = " ".join(c.value for c in app.caption)
    assert "People holding the team-lead role are not agents here" in captions
    assert "never when the net annual benefit is zero or negative" in captions
    assert "first survey opened after the Speak-Up Day to close" in captions  # the engagement rule, stated
    assert "Waiting for a survey opened after the Speak-Up Day to close" in captions  # none has closed yet
    assert app.dataframe[0].value["Payback"].tolist() == ["3.3 months"]  # 30,000 ÷ (108,000 ÷ 12)


def test_the_moderation_queue_lists_a_page_of_ideas_and_opens_one_at_a_time(portal_env):
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    moderator = add_person(db, Role.MODERATOR)
    cycle_id = cycles.create_cycle(db, head, cycle_data())
    cycles.advance_phase(db, head, cycle_id)
    queued = []
    for number in range(23):
        author = add_person(db, Role.AGENT)
        idea_id = ideas.save_draft(db, author, idea_data(title=f"Queue idea {number:02d}"))
        ideas.submit_idea(db, author, idea_id)
        queued.append(idea_id)

    app = open_page(signed_in_as(moderator), "pages/idea_moderation.py")
    listed = queue_list(app)
    assert list(listed["#"]) == sorted(queued)[:20]  # a page of twenty, by number
    assert len([key for key in button_keys(app) if key.startswith("decline_")]) == 1  # one idea's forms
    merge_into = app.selectbox(key=f"merge_into_{queued[0]}")  # one duplicate picker, searched in the database
    assert len(merge_into.options) == 20 and "Showing 20 of 22 ideas" in texts(app)
    app.text_input(key=f"merge_find_{queued[0]}").set_value("idea 22").run()
    assert app.selectbox(key=f"merge_into_{queued[0]}").options == [f"#{queued[22]} Queue idea 22"]

    app.number_input(key="moderation_page").set_value(2).run()
    assert list(queue_list(app)["#"]) == sorted(queued)[20:]
    assert app.selectbox(key="moderation_idea").value == sorted(queued)[20]

    app.text_input(key="moderation_find").set_value("idea 07").run()
    assert list(queue_list(app)["#"]) == [queued[7]]
    app.button(key=f"shortlist_{queued[7]}").click().run()
    assert ideas.get_idea(db, queued[7]).status == "shortlisted"


def test_a_co_author_beyond_the_first_options_is_found_by_search_and_one_named_before_stays(portal_env):
    from tests.lists_support import FIRST_BULK_ID, bulk_people

    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP, full_name="Helen Head")
    agent = add_person(db, Role.AGENT, full_name="Ava Agent")
    colleague = add_person(db, Role.AGENT, full_name="Zed Colleague")
    cycles.advance_phase(db, head, cycles.create_cycle(db, head, cycle_data()))
    idea_id = ideas.save_draft(db, agent, idea_data(co_author_ids=[colleague.employee_id]))
    bulk_people(db, 80)  # Zed Colleague is named after all of them

    app = open_page(signed_in_as(agent), "pages/my_ideas.py")
    assert len(app.multiselect(key="idea_coauthors").options) == 50
    app.button(key=f"edit_{idea_id}").click().run()
    assert not app.exception
    assert app.multiselect(key="idea_coauthors").value == [colleague.employee_id]
    app.text_input(key="idea_coauthor_search").input("Person 00079").run()
    assert app.multiselect(key="idea_coauthors").options == ["Zed Colleague (no team)", "Bulk Person 00079 (no team)"]
    app.multiselect(key="idea_coauthors").select(FIRST_BULK_ID + 79).run()
    app.button(key="idea_save").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert {c["employee_id"] for c in ideas.get_idea(db, idea_id).co_authors} == {
        colleague.employee_id,
        FIRST_BULK_ID + 79,
    }


def test_my_ideas_opens_again_after_another_page(portal_env):
    """Streamlit forgets a widget's value once a run does not draw it: coming back to the form
    from another page must not fail on the co-authors it no longer remembers."""
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    agent = add_person(db, Role.AGENT)
    cycle_id = cycles.create_cycle(db, head, cycle_data())
    cycles.advance_phase(db, head, cycle_id)

    app = open_page(signed_in_as(agent), "pages/my_ideas.py")
    assert not app.exception
    for page in ("pages/idea_board.py", "pages/my_ideas.py"):
        app.switch_page(page)
        app.run()
        assert not app.exception, app.exception
    assert app.multiselect(key="idea_coauthors").value == []


def test_a_co_author_who_edits_an_idea_stays_its_co_author(portal_env):
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    author = add_person(db, Role.AGENT, full_name="Ava Author")
    co_author = add_person(db, Role.AGENT, full_name="Cole Co-author")
    cycles.advance_phase(db, head, cycles.create_cycle(db, head, cycle_data()))
    idea_id = ideas.save_draft(db, author, idea_data(co_author_ids=[co_author.employee_id]))

    app = open_page(signed_in_as(co_author), "pages/my_ideas.py")
    app.button(key=f"edit_{idea_id}").click().run()
    co_authors = app.multiselect(key="idea_coauthors")
    assert (co_authors.value, co_authors.disabled) == ([co_author.employee_id], True)
    assert "Only the idea's author, Ava Author, changes its co-authors" in texts(app)
    app.text_input(key="idea_title").set_value("Callback scheduling at peak, with SMS reminders")
    app.button(key="idea_save").click().run()

    assert not app.exception and not app.error, [e.value for e in app.error]
    assert any("saved" in s.value for s in app.success)
    draft = ideas.get_idea(db, idea_id)
    assert draft.title == "Callback scheduling at peak, with SMS reminders"
    assert [c["employee_id"] for c in draft.co_authors] == [co_author.employee_id]
    assert f"edit_{idea_id}" in button_keys(app)  # still in his list


def test_the_author_is_told_a_supporter_named_co_author_no_longer_supports_the_idea(portal_env):
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    agent = add_person(db, Role.AGENT)
    fan = add_person(db, Role.AGENT, full_name="Fay Supporter")
    moderator = add_person(db, Role.MODERATOR)
    cycle_id = cycles.create_cycle(db, head, cycle_data())
    cycles.advance_phase(db, head, cycle_id)
    idea_id = ideas.save_draft(db, agent, idea_data())
    ideas.submit_idea(db, agent, idea_id)
    board.support_idea(db, fan, idea_id)
    cycles.advance_phase(db, head, cycle_id)  # review
    moderation.send_back(db, moderator, idea_id, "Work on it with the people who back it")

    app = open_page(signed_in_as(agent), "pages/my_ideas.py")
    app.button(key=f"edit_{idea_id}").click().run()
    app.multiselect(key="idea_coauthors").select(fan.employee_id).run()
    app.button(key="idea_submit").click().run()

    assert not app.exception and not app.error, [e.value for e in app.error]
    told = [i.value for i in app.info]
    assert any("Support withdrawn because they became a co-author" in text and "Fay Supporter" in text for text in told)
    idea = ideas.get_idea(db, idea_id)
    assert (idea.status, idea.supporters) == ("submitted", 0)
    assert [c["employee_id"] for c in idea.co_authors] == [fan.employee_id]
