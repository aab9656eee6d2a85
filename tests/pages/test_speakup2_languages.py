"""Judging, "Submit & my ideas" and Speak-Up Day preparation in Ukrainian: titles, headings,
labels, buttons, captions and column headers in the person's language, scores and counts in
its number and plural forms, user content as typed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.access import Role
from models.db import get_database, utc_now
from models.speakup import cycles, day_plan, judging, moderation, preparation
from tests.conftest import add_person
from tests.pages.apptest import open_page, signed_in_as, speaking
from tests.speakup_helpers import open_cycle, scores_for, submitted_idea

IDEA_TITLE = "Callback slots in the app"


def in_ukrainian(db, person):
    return speaking(db, person, "uk")


def page_texts(app) -> str:
    """Every text the page shows a person: titles, headings, markdown, captions, notices,
    widget labels, metric labels, tab labels and table column headers."""
    parts = [t.value for t in app.title] + [h.value for h in app.subheader] + [m.value for m in app.markdown]
    parts += [c.value for c in app.caption] + [i.value for i in app.info] + [w.value for w in app.warning]
    parts += [s.value for s in app.success] + [b.label for b in app.button] + [m.label for m in app.metric]
    widgets = [*app.selectbox, *app.text_input, *app.text_area, *app.multiselect, *app.number_input, *app.radio]
    parts += [w.label for w in widgets] + [e.label for e in app.expander] + [t.label for t in app.tabs]
    for frame in app.dataframe:
        parts.append(" | ".join(map(str, frame.value.columns)))
        parts += [" | ".join(map(str, row)) for row in frame.value.itertuples(index=False)]
    return "\n".join(str(p) for p in parts)


def assert_speaks_ukrainian(app, ukrainian: list[str], english: list[str]) -> None:
    assert not app.exception
    shown = page_texts(app)
    for text in ukrainian:
        assert text in shown, text
    for text in english:
        assert text not in shown, text


@pytest.fixture
def scoring(portal_env):
    """A cycle in Speak-Up Day scoring with one shortlisted idea that one judge has scored."""
    db = get_database(portal_env)
    head, judge = add_person(db, Role.LEADERSHIP), add_person(db, Role.LEADERSHIP)
    agent, moderator = add_person(db, Role.AGENT), add_person(db, Role.MODERATOR)
    cycle_id = open_cycle(db, head, "2026 Q3")
    idea_id = submitted_idea(db, agent, title=IDEA_TITLE)
    moderation.shortlist(db, moderator, idea_id)
    cycles.advance_phase(db, head, cycle_id)
    cycles.advance_phase(db, head, cycle_id)
    judging.submit_scores(db, judge, idea_id, scores_for(cycles.get_cycle(db, cycle_id), 4), "Clear saving")
    return db, {"head": head, "judge": judge, "agent": agent}, idea_id


def test_judging_speaks_ukrainian_to_a_judge_who_has_not_scored(scoring):
    db, people, _idea_id = scoring
    app = open_page(signed_in_as(in_ukrainian(db, people["head"])), "pages/idea_judging.py")
    assert_speaks_ukrainian(
        app,
        [
            "Суддівство Дня Speak-Up",
            "Поріг 3,5 · щонайменше 3 судді",
            "Суддів наразі",
            "Оцінити",
            "**Ваші оцінки**",
            "(вага ",
            "Коментар для авторів (необов'язково)",
            "Надіслати мої оцінки",
            "**Рішення**",
            "Ви не оцінювали цю ідею",
            "Знайти відповідального за дію",
            "Зафіксувати рішення",
            "Обґрунтування",
        ],
        [
            "Speak-Up Day judging",
            "Threshold",
            "Judges so far",
            "To score",
            "Your scores",
            "weight",
            "Comment for the authors",
            "Submit my scores",
            "Decision",
            "You have not scored",
            "Find the action owner",
            "Record decision",
            "Rationale",
            "Net annual benefit",
        ],
    )
    assert IDEA_TITLE in page_texts(app)  # user content as typed


def test_judging_shows_a_judge_the_rule_s_verdict_in_ukrainian_numbers_and_plurals(scoring):
    db, people, _idea_id = scoring
    app = open_page(signed_in_as(in_ukrainian(db, people["judge"])), "pages/idea_judging.py")
    shown = page_texts(app)
    assert_speaks_ukrainian(
        app,
        ["Оцінено", "Оцінка 4,00 від 1 судді: менше за необхідний мінімум суддів (3)", "Суддя | ", "Зважена оцінка"],
        ["Scored", "Score 4.00", "Judge spread per idea", "Weighted score", "Comment"],
    )
    assert "Розкид оцінок суддів за ідеями" in shown


@pytest.fixture
def submitting(portal_env):
    """An open cycle and an agent with one idea on the board."""
    db = get_database(portal_env)
    head, agent = add_person(db, Role.LEADERSHIP), add_person(db, Role.AGENT)
    open_cycle(db, head, "2026 Q3")
    submitted_idea(db, agent, title=IDEA_TITLE)
    return db, in_ukrainian(db, agent)


def test_submit_and_my_ideas_speaks_ukrainian_to_an_agent(submitting):
    db, agent = submitting
    app = open_page(signed_in_as(agent), "pages/my_ideas.py")
    assert_speaks_ukrainian(
        app,
        [
            "Подати ідею",
            "Нова ідея",
            "днів); День Speak-Up",
            "**Бізнес-обґрунтування** (за рік, якщо не зазначено інше)",
            "Річна економія (AUD)",
            "Трудовитрати (людино-дні)",
            "**План проєкту** — етапи з датами",
            "Зберегти чернетку",
            "Мої ідеї",
            "Зміни статусу та відгуки",
            "Коли | Статус | Відгук | Ким",
            "Подано",
        ],
        [
            "Submit & my ideas",
            "New idea",
            "submissions close",
            "Business case",
            "Annual savings",
            "Effort (person-days)",
            "Project plan",
            "Save draft",
            "Submit idea",
            "My ideas",
            "Status changes and feedback",
            "When",
            "Submitted",
        ],
    )
    assert IDEA_TITLE in page_texts(app)  # user content as typed


def test_a_refused_submission_and_the_confirmation_are_in_ukrainian(submitting):
    db, agent = submitting
    app = open_page(signed_in_as(agent), "pages/my_ideas.py")
    app.text_input(key="idea_title").set_value("Chat")
    app.button(key="idea_submit").click().run()
    refusal = " ".join(e.value for e in app.error)
    assert "Назва" in refusal and "символ" in refusal and "Title" not in refusal, refusal
    app.text_input(key="idea_title").set_value("Knowledge base search")
    app.button(key="idea_save").click().run()
    assert any("Чернетку «Knowledge base search» збережено" in s.value for s in app.success)


@pytest.fixture
def preparing(portal_env):
    """An open cycle with a shortlisted idea, a preparation session scheduled, the author's
    running order saved and its author's manager recorded as a judge present."""
    db = get_database(portal_env)
    head, hr = add_person(db, Role.LEADERSHIP), add_person(db, Role.HR)
    trainer, moderator = add_person(db, Role.AGENT), add_person(db, Role.MODERATOR)
    author = add_person(db, Role.AGENT, manager_id=head.employee_id)
    cycle_id = open_cycle(db, head, "2026 Q3")
    idea_id = submitted_idea(db, author, title=IDEA_TITLE)
    moderation.shortlist(db, moderator, idea_id)
    courses = {row["code"]: row["id"] for row in preparation.preparation_courses(db)}
    session = {"course_id": courses["SU-PRESENTING"], "place": "Training room 2", "trainer_id": trainer.employee_id}
    preparation.schedule_session(db, hr, cycle_id, {**session, "starts_at": utc_now() + timedelta(days=2)})
    day_plan.set_running_order(
        db, head, cycle_id, [{"position": 1, "idea_id": idea_id, "presenter_id": author.employee_id}]
    )
    day_plan.set_judges_present(db, head, cycle_id, [head.employee_id])
    return db, {"head": head, "hr": hr, "trainer": trainer, "author": author}


PREPARATION_ENGLISH = [
    "Speak-Up Day preparation",
    "My preparation sessions",
    "Sessions",
    "Who is prepared",
    "Running order",
    "Judges present",
    "attended (capacity",
    "Course | Starts",
    "Schedule a session",
    "Schedule and invite",
    "Prepared means",
    "Presenter",
    "Save running order",
    "may not score",
    "Only 0 judges",
    "Not recorded",
]


def test_preparation_speaks_ukrainian_to_leadership(preparing):
    db, people = preparing
    app = open_page(signed_in_as(in_ukrainian(db, people["head"])), "pages/speakup_preparation.py")
    assert_speaks_ukrainian(
        app,
        [
            "Підготовка до Дня Speak-Up",
            "Сесії",
            "Хто підготовлений",
            "Порядок виступів",
            "Присутні судді",
            "присутні 0 з 1 (місткість 12)",
            "Курс | Початок | Хвилини | Місце | Тренер | Місткість | Запрошено",
            "**Запланувати сесію**",
            "Запланувати й запросити",
            "Підготовлений — це той",
            "Ідея | Працівник | Роль | Підготовлений",
            "Автор | Ні",
            "Доповідач",
            "Зберегти порядок виступів",
            "не може оцінювати",
            "керує автором цієї ідеї",
        ],
        PREPARATION_ENGLISH,
    )
    errors = " ".join(e.value for e in app.error)
    assert "Присутніх суддів, які можуть оцінювати #1: лише 0; циклу потрібно щонайменше 3." in errors
    assert "Only" not in errors
    assert IDEA_TITLE in page_texts(app)  # user content as typed


@pytest.mark.parametrize(
    ("role", "ukrainian"),
    [
        ("author", ["Мої підготовчі сесії", "Сесія | Початок", "Для ідеї | Присутність", "Не зафіксовано"]),
        ("trainer", ["Сесії, які я проводжу", "присутні 0 з 1", "Зберегти присутність", "Мої підготовчі сесії"]),
        ("hr", ["Підготовка до Дня Speak-Up", "Запланувати й запросити", "Хто підготовлений"]),
    ],
)
def test_preparation_speaks_ukrainian_to_authors_trainers_and_hr(preparing, role, ukrainian):
    db, people = preparing
    app = open_page(signed_in_as(in_ukrainian(db, people[role])), "pages/speakup_preparation.py")
    assert_speaks_ukrainian(app, ukrainian, PREPARATION_ENGLISH)
