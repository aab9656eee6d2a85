"""Vision and priorities, the KPI catalogue and the administrator's pages in Ukrainian: every
heading, label and button in the person's language, dates and counts in its form, user content
as entered."""

from __future__ import annotations

from datetime import date

import pytest

from models.access import Role
from models.auth import load_user
from models.db import get_database
from models.strategy import vision
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as, speaking


def in_ukrainian(database, person):
    """``person`` as signed in after choosing Ukrainian on My account."""
    return speaking(database, person, "uk")


def read(app) -> str:
    """Every text the page shows, joined as a reader reads it."""
    parts = [e.value for e in app.title] + [e.value for e in app.header] + [e.value for e in app.subheader]
    parts += [e.value for e in app.markdown] + [e.value for e in app.caption] + [e.value for e in app.info]
    parts += [e.value for e in app.text] + [e.label for e in app.button] + [e.label for e in app.text_input]
    parts += [e.label for e in app.selectbox] + [e.label for e in app.text_area] + [e.label for e in app.date_input]
    parts += [e.label for e in app.number_input] + [e.label for e in app.expander]
    for frame in app.dataframe:
        parts += [str(column) for column in frame.value.columns]
    return shown("\n".join(str(part) for part in parts))


@pytest.fixture
def demo_db(portal_env, database_templates):
    org = database_templates.copy_demo(portal_env, seed=11)
    return get_database(portal_env), org


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.AGENT])
def test_vision_and_priorities_speak_ukrainian(demo_db, role):
    database, org = demo_db
    person = in_ukrainian(database, load_user(database, employee_id=org.logins[role]))
    app = open_page(signed_in_as(person), "pages/strategy.py")
    assert not app.exception, app.exception
    text = read(app)
    assert app.title[0].value == "Бачення та пріоритети"
    assert {"Бачення", "Стратегічні пріоритети"} <= {header.value for header in app.header}
    assert "Діє з " in text and "Усі версії (" in text and "Усі пріоритети" in text
    for english in ("Vision and priorities", "Strategic priorities", "In force since", "All versions"):
        assert english not in text
    for priority in vision.list_priorities(database):  # the priorities' titles are shown as written
        assert priority.title in text
    if role == Role.LEADERSHIP:
        assert {"Зберегти нову версію", "Додати пріоритет"} <= {button.label for button in app.button}
        assert app.text_area(key="vision_statement").label == "Формулювання бачення"
        assert not {"Save new version", "Add priority", "Save priority"} & {button.label for button in app.button}


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.AGENT])
def test_the_kpi_catalogue_speaks_ukrainian_with_its_shipped_kpis_translated(demo_db, role):
    database, org = demo_db
    person = in_ukrainian(database, load_user(database, employee_id=org.logins[role]))
    app = open_page(signed_in_as(person), "pages/kpis.py")
    assert not app.exception, app.exception
    assert app.title[0].value == "Каталог KPI"
    table = app.dataframe[0].value
    assert list(table.columns)[:3] == ["Код для імпорту", "KPI", "Одиниця"]
    assert {"Індекс лояльності клієнтів (NPS)", "Плинність кадрів", "Кількість скарг"} <= set(table["KPI"])
    assert "Net Promoter Score" not in set(table["KPI"])
    assert set(table["Джерело"]) == {"Обчислює портал", "Вводиться або імпортується"}
    assert "nps" in set(table["Код для імпорту"])  # the code stays the code
    text = read(app)
    assert "Як портал обчислює плинність кадрів" in text
    assert "How the portal computes attrition" not in text and "Computed KPIs are filled" not in text
    if role == Role.LEADERSHIP:
        assert app.selectbox(key="kpi_direction").label == "Краще, коли"
        assert app.selectbox(key="kpi_direction").options == ["краще вище", "краще нижче"]
        assert "Додати KPI" in {button.label for button in app.button}


def test_a_kpi_leadership_added_is_shown_as_entered(portal_env):
    from models.strategy import kpis

    database = get_database(portal_env)
    leader = add_person(database, Role.LEADERSHIP)
    kpis.add_kpi(database, leader, {"code": "wow_rate", "name": "Wow rate", "unit": "%", "direction": "higher"})
    app = open_page(signed_in_as(in_ukrainian(database, leader)), "pages/kpis.py")
    table = app.dataframe[0].value
    assert "Wow rate" in set(table["KPI"]) and "Customer satisfaction (CSAT)" not in set(table["KPI"])


def test_the_administrator_s_pages_speak_ukrainian(portal_env):
    database = get_database(portal_env)
    admin = in_ukrainian(database, add_person(database, Role.ADMIN, username="root", full_name="Ada Admin"))
    add_person(database, username="sam", full_name="Sam Agent")
    app = open_page(signed_in_as(admin), "pages/admin_accounts.py")
    assert not app.exception, app.exception
    assert app.title[0].value == "Облікові записи"
    assert {"Розблокувати обліковий запис", "Скинути пароль", "Створити обліковий запис"} <= {
        s.value for s in app.subheader
    }
    table = app.dataframe[0].value
    assert list(table.columns)[1:4] == ["Працівник", "Команда", "Ролі"]
    assert "Sam Agent" in set(table["Працівник"])  # names as entered
    assert "Адміністратор" in set(table["Ролі"])
    labels = {b.label for b in app.button}
    assert "Встановити пароль" in labels and not {"Set password", "Unlock"} & labels
    assert "Кожен активний працівник має обліковий запис." in {c.value for c in app.caption}
    text = read(app)
    for english in ("Accounts", "Reset a password", "Create an account", "Search by username", "Every active"):
        assert english not in text

    app.switch_page("pages/admin_audit.py").run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Журнал аудиту"
    assert app.selectbox(key="audit_entity").label == "Тип запису"
    assert app.selectbox(key="audit_entity").options[0] == "Усі"
    assert list(app.dataframe[0].value.columns) == ["Коли (UTC)", "Виконавець", "Запис", "Дія", "Зміни"]
    assert "Record kind" not in read(app)

    app.switch_page("pages/admin_backups.py").run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Резервні копії"
    assert "Відновлення з резервної копії" in {s.value for s in app.subheader}
    assert app.button[0].label == "Створити резервну копію зараз"
    assert any("ще немає резервних копій" in info.value for info in app.info)
    assert "Back up now" not in read(app) and "Restoring a backup" not in read(app)


def test_a_count_and_a_date_take_the_ukrainian_form(portal_env):
    database = get_database(portal_env)
    admin = in_ukrainian(database, add_person(database, Role.ADMIN, Role.LEADERSHIP, full_name="Ada Admin"))
    vision.revise_vision(
        database, admin, {"statement": "Every customer leaves lighter.", "effective_date": date(2026, 3, 5)}
    )
    app = open_page(signed_in_as(admin), "pages/strategy.py")
    # Babel's Ukrainian medium date: the abbreviated month, and a narrow no-break space before "р."
    assert any(c.value.startswith("Діє з 5 бер. 2026\u202fр. · автор: Ada Admin") for c in app.caption)

    app.switch_page("pages/admin_backups.py").run()
    app.button[0].click().run()
    assert not app.exception, app.exception
    assert any(message.value.startswith("Резервну копію збережено до ") for message in app.success)
    captions = [c.value for c in app.caption]
    assert any(c.startswith("1 резервна копія в ") and c.endswith(", новіші спочатку") for c in captions), captions
    assert list(app.dataframe[0].value.columns)[:3] == ["Резервна копія", "Створено (UTC)", "Ким"]


def test_the_quarterly_report_s_page_speaks_ukrainian(demo_db):
    """The page's own words and dates; the sections' figures are still written in English."""
    database, org = demo_db
    leader = in_ukrainian(database, load_user(database, employee_id=org.logins[Role.LEADERSHIP]))
    app = open_page(signed_in_as(leader), "pages/quarterly_report.py")
    assert not app.exception, app.exception
    assert app.title[0].value == "Квартальний звіт програми"
    assert app.selectbox(key="quarterly_quarter").label == "Квартал"
    period = app.caption[0].value
    assert " · з " in period and " по " in period and "р." in period and " to " not in period
    assert "Quarterly programme report" not in read(app)
