"""The Speak-Up pages in Ukrainian: titles, headings, buttons and captions in the person's
language, counted words in its plural forms, user content as typed."""

from __future__ import annotations

import pytest

from models.access import Role
from models.db import get_database
from models.speakup import board, cycles, ideas, moderation
from tests.conftest import add_person
from tests.pages.apptest import open_page, signed_in_as, speaking
from tests.speakup_helpers import cycle_data, idea_data


def in_ukrainian(db, person):
    return speaking(db, person, "uk")


@pytest.fixture
def speakup(portal_env):
    """An open cycle with one submitted idea carrying two comments, and one shortlisted idea."""
    db = get_database(portal_env)
    head = add_person(db, Role.LEADERSHIP)
    agent, moderator = add_person(db, Role.AGENT), add_person(db, Role.MODERATOR)
    cycle_id = cycles.create_cycle(db, head, cycle_data("2026 Q3"))
    cycles.advance_phase(db, head, cycle_id)
    discussed = ideas.save_draft(db, agent, idea_data(title="Callback slots in the app"))
    ideas.submit_idea(db, agent, discussed)
    for text in ("Yes, please", "Customers ask for this every day"):
        board.add_comment(db, moderator, discussed, text)
    listed = ideas.save_draft(db, agent, idea_data(title="Knowledge base search"))
    ideas.submit_idea(db, agent, listed)
    moderation.shortlist(db, moderator, listed)
    return db, {"head": head, "agent": agent, "moderator": moderator}


def page_texts(app) -> str:
    parts = [t.value for t in app.title] + [h.value for h in app.subheader] + [m.value for m in app.markdown]
    parts += [c.value for c in app.caption] + [i.value for i in app.info] + [b.label for b in app.button]
    parts += [m.label for m in app.metric] + [n.label for n in app.number_input]
    parts += [w.label for w in [*app.selectbox, *app.text_input, *app.text_area, *app.multiselect]]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize(
    ("page", "role", "ukrainian", "english"),
    [
        (
            "pages/idea_board.py",
            "agent",
            ["Дошка ідей", "Пошук ідей", "Сортувати за", "Ваша ідея", "2 коментарі", "Подано"],
            ["Idea board", "Search ideas", "Sort by", "Your idea", "Details and comments", "supporter", "Submitted"],
        ),
        (
            "pages/idea_board.py",
            "head",
            ["Дошка ідей", "У короткому списку", "Підтримати"],
            ["Idea board", "All matching ideas as a table", "Shortlisted", "comments", "Support"],
        ),
        (
            "pages/idea_moderation.py",
            "moderator",
            ["Модерація ідей", "Модерувати ідею", "Приховати коментар", "Приймає подання"],
            ["Idea moderation", "Moderate idea", "Read the idea", "Hide comment", "Open for submissions", "Decline"],
        ),
        (
            "pages/speakup_cycles.py",
            "head",
            ["Цикли Speak-Up", "Запланувати новий цикл", "Закрити подання", "Поріг зеленого світла"],
            ["Speak-Up cycles", "Plan a new cycle", "Close submissions", "Green-light threshold", "Save rules"],
        ),
        (
            "pages/speakup_report.py",
            "head",
            ["Звіт циклу Speak-Up", "Воронка", "Ідеї циклу", "Подано ідей", "eNPS до"],
            ["Speak-Up cycle report", "Funnel", "Ideas of the cycle", "Ideas submitted", "eNPS before", "Payback ="],
        ),
        (
            "pages/idea_benefits.py",
            "head",
            ["Ідеї із зеленим світлом", "Жодна ідея ще не отримала зеленого світла."],
            ["Green-lit ideas", "No idea has been green-lit yet."],
        ),
    ],
)
def test_each_speakup_page_speaks_ukrainian(speakup, page, role, ukrainian, english):
    db, people = speakup
    app = open_page(signed_in_as(in_ukrainian(db, people[role])), page)
    assert not app.exception
    shown = page_texts(app)
    for text in ukrainian:
        assert text in shown, text
    for text in english:
        assert text not in shown, text
    assert "Callback slots in the app" in shown or page != "pages/idea_board.py"  # user content as typed


def test_the_board_counts_comments_in_ukrainian_plural_forms(speakup):
    db, people = speakup
    idea_id = board.board_page(db, search="Callback slots", offset=0, limit=5)[1][0].id
    app = open_page(signed_in_as(in_ukrainian(db, people["agent"])), "pages/idea_board.py")
    captions = " ".join(c.value for c in app.caption)
    assert (
        "2 коментарі" in captions
        and "0 прихильників" in captions
        and "2 ідеї" in captions
        and "без команди" in captions
    )
    for text in ("Three more", "And one more", "Five now"):
        board.add_comment(db, people["moderator"], idea_id, text)
    app = open_page(signed_in_as(in_ukrainian(db, people["agent"])), "pages/idea_board.py")
    captions = " ".join(c.value for c in app.caption)
    assert "5 коментарів" in captions
    board.support_idea(db, people["moderator"], idea_id)
    app = open_page(signed_in_as(in_ukrainian(db, people["agent"])), "pages/idea_board.py")
    assert "1 прихильник ·" in " ".join(c.value for c in app.caption)


def test_a_refusal_inside_a_button_callback_speaks_the_persons_language(speakup):
    """A button's callback runs before the page run sets the language: what it refuses is still
    said in the person's language."""
    db, people = speakup
    idea_id = next(idea.id for idea in board.board(db) if idea.title == "Callback slots in the app")
    app = open_page(signed_in_as(in_ukrainian(db, people["moderator"])), "pages/idea_board.py")
    app.session_state[f"board_details_{idea_id}"] = True
    app.run()
    app.text_area(key=f"comment_{idea_id}").set_value("   ")
    app.button(key=f"post_{idea_id}").click().run()
    refusals = " ".join(str(element.value) for element in app.error)
    assert "спершу напишіть щось" in refusals, refusals
    assert "write something first" not in refusals
