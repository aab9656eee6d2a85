"""The people pages in Ukrainian: the competency framework, the inbox, the leaderboard and
recognition admin show none of their English texts, each for the roles that open them, and
the default framework's competencies read in the person's language while HR's own wording is
shown as entered."""

from __future__ import annotations

import pytest

from models import auth
from models.access import Role
from models.competencies import framework
from models.db import get_database
from models.i18n import use_language
from models.inbox import messages as inbox
from models.people.directory import create_team
from models.recognition import values
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as


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
    auth.change_own_language(db, person, person.account_id, "uk")
    return auth.load_user(db, employee_id=person.employee_id)


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
    assert [b.label for b in app.get("download_button")] == ["Завантажити CSV", "Завантажити XLSX"]
    assert list(app.dataframe[0].value["name"]) == ["Own it"]  # a company value is user content
