"""The complaint, customer and standards pages in Ukrainian: a person who chose Ukrainian reads
each page's title, headers, labels and buttons in Ukrainian and none of the English ones, and
counts and numbers in the Ukrainian form."""

from __future__ import annotations

from models.access import Role
from models.db import get_database
from tests.conftest import add_person
from tests.pages import test_standards_pages as standards
from tests.pages.apptest import open_page, signed_in_as, speaking
from tests.pages.test_customer_pages import ANSWERS, FEEDBACK, IMPORT
from tests.pages.test_standards_pages import RIGHTS, table_with
from tests.test_customer_surveys import add_team

standards_org = standards.org  # the standards pages' organisation, the fixture `org`


def speaking_ukrainian(database, *roles: Role):
    person = add_person(database, *roles)
    return speaking(database, person, "uk")


def shown_texts(app) -> list[str]:
    """Every text the page shows a person: titles, headers, captions, labels, buttons, messages."""
    texts = [
        element.value
        for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "success", "error")
        for element in getattr(app, kind)
    ]
    for kind in (
        "button",
        "text_input",
        "selectbox",
        "multiselect",
        "radio",
        "date_input",
        "number_input",
        "toggle",
        "checkbox",
        "text_area",
        "metric",
    ):
        texts += [element.label for element in getattr(app, kind)]
    return [str(text) for text in texts]


def assert_none_shown(app, english: list[str]) -> None:
    texts = shown_texts(app)
    shown = [phrase for phrase in english if any(phrase == text or phrase + " *" == text for text in texts)]
    assert shown == []


def _imported_answers(database):
    add_team(database, "North")
    analyst = speaking_ukrainian(database, Role.ANALYST)
    app = open_page(signed_in_as(analyst), IMPORT)
    app.file_uploader(key="survey_upload").set_value(("answers.csv", ANSWERS, "text/csv")).run()
    assert not app.exception
    return analyst, app


def test_the_survey_import_speaks_ukrainian(portal_env):
    database = get_database(portal_env)
    _analyst, app = _imported_answers(database)
    assert app.title[0].value == "Імпорт відповідей опитувань"
    assert {"Зіставте стовпці", "Попередній перегляд", "Останні імпорти"} <= {s.value for s in app.subheader}
    assert app.radio(key="survey_mode").label == "Якщо деякі рядки некоректні"
    assert app.radio(key="survey_mode").options[0].startswith("Усе або нічого")
    assert "answers.csv: 6 стовпців." in [t.value for t in app.text]  # the plural form of six
    assert_none_shown(
        app,
        [
            "Import survey answers",
            "Map the columns",
            "Preview",
            "Recent imports",
            "Import",
            "Date",
            "If some rows are invalid",
            "Text encoding (CSV)",
            "Header row",
            "Channel",
            "Score",
        ],
    )
    app.radio(key="survey_mode").set_value("valid_rows").run()
    next(b for b in app.button if b.key == "survey_import_run").click().run()
    assert not app.exception
    assert any("Прочитано рядків: 5; імпортовано: 4" in s.value for s in app.success)


def test_customer_feedback_speaks_ukrainian_to_an_analyst_and_an_agent(portal_env):
    database = get_database(portal_env)
    _analyst, app = _imported_answers(database)
    app.radio(key="survey_mode").set_value("valid_rows").run()
    next(b for b in app.button if b.key == "survey_import_run").click().run()

    app.switch_page(FEEDBACK).run()
    assert not app.exception
    assert app.title[0].value == "Відгуки клієнтів"
    assert {"За місяцями", "За каналами", "За командами", "Коментарі клієнтів"} <= {s.value for s in app.subheader}
    assert app.text_input(key="cf_comment_search").label == "Пошук у коментарях"
    assert any(c.value.startswith("Показано 2 коментарі (") for c in app.caption)  # few: 2–4
    assert_none_shown(
        app,
        [
            "Customer feedback",
            "By month",
            "By channel",
            "By team",
            "Customers' comments",
            "Answers",
            "Search the comments",
            "Survey",
            "Period",
            "Channel",
            "Team",
            "One line per channel",
        ],
    )

    agent = speaking_ukrainian(database, Role.AGENT)
    app = open_page(signed_in_as(agent), FEEDBACK)
    assert not app.exception
    assert app.title[0].value == "Відгуки клієнтів"
    assert [m.value for m in app.metric if m.label == "Відповіді"] == ["3"]
    assert_none_shown(app, ["Customer feedback", "By month", "Answers"])


def test_decision_rights_speak_ukrainian_to_an_agent_and_to_leadership(standards_org):
    database = standards_org["db"]
    agent = speaking_ukrainian(database, Role.AGENT)
    app = open_page(signed_in_as(agent), RIGHTS)
    assert not app.exception
    assert app.title[0].value == "Права на рішення"
    assert {"Хто що може вирішувати", "Зареєструвати використання свого права"} <= {h.value for h in app.header}
    assert "Повернення коштів" in table_with(app, "remedy")["remedy"].tolist()
    assert app.selectbox(key="use_remedy").options == ["Повернення коштів"]
    assert any("100,00\xa0AUD" in c.value for c in app.caption)  # Ukrainian: decimal comma, code after
    assert_none_shown(
        app,
        ["Decision rights", "Who may decide what", "Log a use of your right", "Log use", "Kind of remedy", "Amount"],
    )

    leader = speaking_ukrainian(database, Role.LEADERSHIP)
    app = open_page(signed_in_as(leader), RIGHTS)
    assert not app.exception
    assert {"Використання порівняно з лімітами", "Запропоновані зміни", "Ведення реєстру"} <= {
        h.value for h in app.header
    }
    assert_none_shown(app, ["Use against limits", "Proposed changes", "Keep the register", "From", "To"])
