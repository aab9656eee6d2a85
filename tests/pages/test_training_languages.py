"""The training and pulse-survey pages in Ukrainian: every page each role opens shows its own
texts in Ukrainian and none of its English ones; counts, dates and the default courses take the
reader's language, while what people typed stays as entered."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.access import Role
from models.db import get_database
from models.engagement import surveys
from models.i18n import format_date, use_language
from tests.conftest import add_person
from tests.pages.apptest import open_page, signed_in_as, speaking

TODAY = date.today()


@pytest.fixture
def database(portal_env):
    return get_database(portal_env)


def in_ukrainian(database, *roles: Role):
    person = add_person(database, *roles)
    return speaking(database, person, "uk")


def page(user, path):
    app = open_page(signed_in_as(user), path)
    assert not app.exception, app.exception
    return app


def texts(app) -> list[str]:
    """What a reader sees of the page: titles, headings, captions, messages, labels, buttons."""
    found = [e.value for e in app.title] + [e.value for e in app.subheader] + [e.value for e in app.caption]
    found += [e.value for e in app.info] + [e.value for e in app.success] + [e.value for e in app.markdown]
    found += [e.label for e in app.metric] + [e.label for e in app.button] + [e.label for e in app.tabs]
    for kind in ("text_input", "selectbox", "multiselect", "checkbox", "number_input", "date_input", "radio"):
        found += [e.label for e in app.get(kind)]
    found += [e.proto.label for e in app.get("download_button")]
    found += [e.proto.label for e in app.get("expander")]
    return found


def assert_ukrainian(app, english: set[str], ukrainian: set[str]) -> None:
    shown = texts(app)
    assert not english & set(shown), english & set(shown)
    missing = {text for text in ukrainian if not any(text in seen for seen in shown)}
    assert not missing, (missing, shown)


def test_my_training_in_ukrainian(database):
    app = page(in_ukrainian(database, Role.AGENT), "pages/my_training.py")
    assert_ukrainian(
        app,
        {"My training", "Overdue", "Due", "Expiring within 30 days", "Completed", "Nothing completed yet."},
        {"Моє навчання", "Прострочено", "Термін", "Спливає протягом 30 днів", "Пройдено"},
    )


def test_courses_in_ukrainian_with_the_default_courses_translated(database):
    app = page(in_ukrainian(database, Role.HR), "pages/training_courses.py")
    assert_ukrainian(
        app,
        {"Courses", "Competency", "Format", "Status", "Search code or title", "Add course", "Save changes"},
        {"Курси", "Компетенція", "Формат", "Статус", "Пошук за кодом або назвою", "Додати курс", "Зберегти зміни"},
    )
    (table,) = [frame.value for frame in app.dataframe if "mandatory_for" in frame.value.columns]
    titles = dict(zip(table["code"], table["title"], strict=True))
    assert titles["SU-BUSINESS-CASE"] == "Як підготувати бізнес-обґрунтування"
    assert titles["CS-EMPATHY"] == "Емпатія в кожному зверненні"
    formats = dict(zip(table["code"], table["format"], strict=True))
    assert formats["CS-EMPATHY"] == "Аудиторне заняття"
    # a count with its Ukrainian plural: 17 courses → "17 курсів"
    assert f"{len(table)} курсів" in [caption.value for caption in app.caption]


def test_a_course_hr_renamed_is_shown_as_entered(database):
    from models.training import courses

    hr = add_person(database, Role.HR)
    course = next(c for c in courses.list_courses(database) if c.code == "CS-EMPATHY")
    data = {**course.model_dump(), "title": "Empathy, our way"}
    courses.update_course(database, hr, course.id, data, course.version)
    app = page(in_ukrainian(database, Role.HR), "pages/training_courses.py")
    (table,) = [frame.value for frame in app.dataframe if "mandatory_for" in frame.value.columns]
    titles = dict(zip(table["code"], table["title"], strict=True))
    assert titles["CS-EMPATHY"] == "Empathy, our way"
    assert titles["CS-PATIENCE"] == "Спокій у складних розмовах"


@pytest.mark.parametrize("role", [Role.HR, Role.LEADERSHIP, Role.TEAM_LEAD])
def test_training_compliance_in_ukrainian(database, role):
    app = page(in_ukrainian(database, role), "pages/training_compliance.py")
    assert_ukrainian(
        app,
        {"Training compliance", "Reporting date", "Site", "Course", "Compliance", "Completed on time and valid"},
        {"Виконання вимог до навчання", "Звітна дата", "Майданчик", "Курс", "Виконання вимог"},
    )
    assert app.radio(key="tc_view").options == [
        "Теплова карта",
        "За командами",
        "Прострочено",
        "Спливає",
        "Особова картка навчання",
    ]


def test_import_completions_in_ukrainian(database):
    app = page(in_ukrainian(database, Role.HR), "pages/training_import.py")
    assert_ukrainian(
        app,
        {"Import completions", "Download the import template", "Recent imports", "Text encoding (CSV)"},
        {"Імпорт проходжень курсів", "Завантажити шаблон імпорту", "Останні імпорти", "Кодування тексту (CSV)"},
    )


def a_survey(database, **changes) -> int:
    hr = add_person(database, Role.HR)
    data = {
        "title": "Spring pulse",
        "opens_on": TODAY - timedelta(days=1),
        "closes_on": TODAY + timedelta(days=10),
        "questions": [{"text": "My ideas are heard", "scale": "agreement"}],
        "comment_prompt": "Anything else?",
        **changes,
    }
    return surveys.create_survey(database, hr, data)


def test_answer_a_survey_in_ukrainian_with_the_date_in_local_form(database):
    a_survey(database)
    app = page(in_ukrainian(database, Role.AGENT), "pages/answer_survey.py")
    assert_ukrainian(app, {"Answer a survey", "Send my answer"}, {"Пройти опитування", "Надіслати відповідь"})
    with use_language("uk"):
        closes = format_date(TODAY + timedelta(days=10), "dd MMMM y")
    assert f"Відкрите до {closes}" in [caption.value for caption in app.caption]
    assert "Spring pulse" in [header.value for header in app.subheader]  # the survey's title as HR wrote it


def test_pulse_surveys_in_ukrainian(database):
    a_survey(database)
    app = page(in_ukrainian(database, Role.HR), "pages/pulse_surveys.py")
    assert_ukrainian(
        app,
        {"Pulse surveys", "Surveys", "New survey", "Save survey", "Open a survey", "Close this survey now"},
        {"Пульс-опитування", "Опитування", "Нове опитування", "Зберегти опитування", "Закрити це опитування зараз"},
    )
