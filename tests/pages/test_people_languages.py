"""The people pages in Ukrainian: the competency framework, the inbox, the leaderboard and
recognition admin show none of their English texts, each for the roles that open them, and
the default framework's competencies read in the person's language while HR's own wording is
shown as entered."""

from __future__ import annotations

import pytest

from models.access import Role
from models.competencies import framework
from models.db import get_database
from models.i18n import use_language
from models.inbox import messages as inbox
from models.people.directory import create_team
from models.recognition import values
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as, speaking


@pytest.fixture
def org(portal_env):
    db = get_database(portal_env)
    hr = add_person(db, Role.HR, Role.ADMIN, full_name="Hana Resources")
    team = create_team(db, hr, "Harbour", None)
    values.add_value(db, hr, "Own it")
    return {
        "db": db,
        "hr": hr,
        "lead": add_person(db, Role.TEAM_LEAD, team_id=team, full_name="Lee Lead"),
        "agent": add_person(db, Role.AGENT, team_id=team, full_name="Ada Agent"),
    }


def in_ukrainian(db, person):
    return speaking(db, person, "uk")


def page(db, person, path):
    app = open_page(signed_in_as(in_ukrainian(db, person)), path)
    assert not app.exception, app.exception
    return app


def everything_shown(app) -> str:
    parts = [e.value for e in app.title] + [e.value for e in app.header] + [e.value for e in app.subheader]
    parts += [e.value for e in app.markdown] + [e.value for e in app.caption] + [e.value for e in app.info]
    parts += [e.value for e in app.text] + [b.label for b in app.button] + [e.label for e in app.expander]
    parts += [w.label for w in [*app.selectbox, *app.text_input, *app.text_area, *app.date_input, *app.toggle]]
    return shown("\n".join(str(part) for part in parts))


def assert_speaks_ukrainian(app, english: list[str], ukrainian: list[str]) -> None:
    text = everything_shown(app)
    assert [phrase for phrase in english if phrase in text] == []
    assert [phrase for phrase in ukrainian if phrase not in text] == []


FRAMEWORK_ENGLISH = [
    "Competency framework",
    "Each competency is described",
    "Introduced on",
    "Required levels",
    "Earlier versions",
    "Competency",
    "Novice",
    "Expert",
    "version 1",
    "Active listening",
    "Talks over the customer",
]
FRAMEWORK_UKRAINIAN = ["Модель компетенцій", "Необхідні рівні", "Попередні версії", "Новачок", "Експерт", "версія 1"]


@pytest.mark.parametrize("role", ["agent", "lead", "hr"])
def test_the_competency_framework_speaks_ukrainian_for_everyone_who_reads_it(org, role):
    app = page(org["db"], org[role], "pages/competency_framework.py")
    english = FRAMEWORK_ENGLISH + (["Reword", "Save requirement", "Role", "Required level"] if role == "hr" else [])
    ukrainian = FRAMEWORK_UKRAINIAN + (["Змінити формулювання", "Зберегти вимогу"] if role == "hr" else [])
    assert_speaks_ukrainian(app, english, ukrainian)
    # the default framework's wording, in Ukrainian (the first competency by name is Active listening)
    assert "Перебиває клієнта або чекає паузи" in everything_shown(app)
    assert "Активне слухання" in app.selectbox(key="framework_competency").options


def test_hr_s_own_wording_of_a_level_is_shown_as_entered_in_every_language(org):
    db = org["db"]
    listening = next(c for c in framework.competencies(db) if c.code == "ACTIVE_LISTENING")
    (novice,) = [d for d in framework.current_descriptors(db, listening.id) if d.level == 1]
    reworded = "Reads the script aloud whatever the customer says, and rarely waits for an answer."
    framework.edit_descriptor(db, org["hr"], listening.id, 1, reworded, novice.version)
    app = page(db, org["agent"], "pages/competency_framework.py")
    shown_text = everything_shown(app)
    assert reworded in shown_text  # user content: as entered
    assert "Дає клієнту договорити" in shown_text  # level 2 is still the default wording, translated
    with use_language("lt"):
        assert framework.shown_name(listening) == "Aktyvus klausymasis"


def test_the_inbox_speaks_ukrainian_with_a_counted_message_in_its_plural_form(org):
    db = org["db"]
    notices = [inbox.Notice(org["agent"].employee_id, f"Subject {n}", "Body") for n in range(5)]
    db.write(lambda connection: inbox.notify_each(connection, "kudos", notices))
    app = page(db, org["agent"], "pages/inbox.py")
    assert_speaks_ukrainian(
        app,
        ["Inbox", "Unread only", "Mark all read", "Mark read", "unread messages", "Kudos received"],
        ["Вхідні", "Лише непрочитані", "Позначити все прочитаним", "5 непрочитаних повідомлень.", "Отримані подяки"],
    )
    assert "Subject 3" in everything_shown(app)  # what was sent is shown as written


@pytest.mark.parametrize("role", ["agent", "lead", "hr"])
def test_the_leaderboard_speaks_ukrainian(org, role):
    app = page(org["db"], org[role], "pages/recognition_leaderboard.py")
    assert_speaks_ukrainian(
        app,
        ["Leaderboard", "Period", "Including the day", "Fewer than", "leaderboard ranks"],
        ["Таблиця лідерів", "Період", "Включно з днем", "Менше ніж 3 особи", "щонайменше 3 особи"],
    )
    assert app.selectbox(key="board_period").options == ["Місяць", "Квартал", "Рік"]


def test_recognition_admin_speaks_ukrainian(org):
    app = page(org["db"], org["hr"], "pages/recognition_admin.py")
    assert_speaks_ukrainian(
        app,
        ["Recognition admin", "Company values", "Hide a kudos", "Export", "Add value", "Kudos and badges of"],
        ["Цінності компанії", "Приховати подяку", "Експорт", "Додати цінність", "Подяки та значки за"],
    )
    # the company values and the export each offer both files
    assert [b.label for b in app.get("download_button")] == ["Завантажити CSV", "Завантажити XLSX"] * 2
    assert list(app.dataframe[0].value["name"]) == ["Own it"]  # a company value is user content


def tab_labels(app) -> list[str]:
    return [tab.label for tab in app.tabs]


@pytest.mark.parametrize("role", ["agent", "lead", "hr"])
def test_assessments_speak_ukrainian_for_each_role(org, role):
    app = page(org["db"], org[role], "pages/assessments.py")
    english = ["Assessments", "My assessments", "You have no assessments yet.", "Assess my team", "Appeals"]
    tabs = {"agent": ["Мої оцінювання"], "lead": ["Мої оцінювання", "Оцінити мою команду", "Оцінювання моєї команди",
            "Апеляції"], "hr": ["Мої оцінювання", "Усі оцінювання", "Апеляції"]}[role]  # fmt: skip
    assert tab_labels(app) == tabs
    assert [phrase for phrase in english if phrase in everything_shown(app) + "\n".join(tab_labels(app))] == []
    assert "Оцінювання" in [title.value for title in app.title]
    if role == "lead":  # the assessment form: levels and the default competencies in Ukrainian
        assert app.radio(key="assess_level").options == ["Новачок", "Розвивається", "Вправний", "Експерт"]
        assert "Активне слухання" in app.selectbox(key="assess_competency").options
        assert app.button[0].label != "Record assessment"


@pytest.mark.parametrize("role", ["agent", "lead", "hr"])
def test_the_coaching_log_speaks_ukrainian_for_each_role(org, role):
    app = page(org["db"], org[role], "pages/coaching_log.py")
    tabs = {"agent": ["Мій коучинг", "Прострочені подальші дії"],
            "lead": ["Мій коучинг", "Записати сесію", "Сесії", "Прострочені подальші дії"],
            "hr": ["Мій коучинг", "Записати сесію", "Сесії", "Прострочені подальші дії"]}[role]  # fmt: skip
    assert tab_labels(app) == tabs
    english = ["Coaching log", "My coaching", "The notes your coach shares", "No overdue follow-ups.", "Record session"]
    assert [phrase for phrase in english if phrase in everything_shown(app) + "\n".join(tab_labels(app))] == []
    assert "Журнал коучингу" in [title.value for title in app.title] or app.title[0].value != "Coaching log"
    if role == "lead":
        assert app.radio(key="new_session_kind").options == ["Інтегрований (на робочому місці)", "Запланований"]


def test_the_people_directory_speaks_ukrainian_and_counts_people_in_ukrainian_plurals(org):
    db = org["db"]
    app = page(db, org["hr"], "pages/people.py")
    assert tab_labels(app) == ["Довідник", "Додати працівника", "Редагувати працівника", "Команди та майданчики",
                               "Імпорт CSV від HR"]  # fmt: skip
    english = ["People", "Directory", "Include inactive", "Search by name", "Download CSV", "Add person", "Teams"]
    assert [phrase for phrase in english if phrase in everything_shown(app) + "\n".join(tab_labels(app))] == []
    # three people listed: "3 особи" (2–4 take the second form), the headers of the table in Ukrainian
    assert "3 особи" in [caption.value for caption in app.caption]
    frame = app.dataframe[0].value
    assert list(frame.columns)[:3] == ["Табельний номер", "Ім'я", "Email"] or "Табельний номер" in frame.columns
    assert set(frame["Статус"]) == {"активний"}


def test_leadership_reads_the_people_directory_in_ukrainian(org):
    leader = add_person(org["db"], Role.LEADERSHIP, full_name="Lena Leader")
    add_person(org["db"], full_name="Fifth Person")
    app = page(org["db"], leader, "pages/people.py")
    assert tab_labels(app) == ["Довідник", "Команди та майданчики"]
    assert "5 осіб" in [caption.value for caption in app.caption]  # 5 takes the third form


def _a_long_list_in_ukrainian() -> None:
    from models import i18n
    from models.i18n import format_number, ngettext
    from ui.widgets import pager

    i18n.activate("uk")
    pager(5291, "long_list", lambda n: ngettext("{n} person", "{n} people", n, n=format_number(n)))


def test_the_pager_writes_its_numbers_and_its_count_the_ukrainian_way():
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_function(_a_long_list_in_ukrainian).run()
    app.number_input(key="long_list").set_value(2).run()
    assert app.number_input(key="long_list").label == "Сторінка (з 106)"
    # the thousands separated by a (no-break) space, the count in the form 5,291 takes ("особа", as after 1)
    assert app.caption[0].value == "Показано 51–100; усього 5\xa0291 особа"
