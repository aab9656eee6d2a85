"""The service, recognition and training-assignment pages in Ukrainian: every page each role
opens shows its own texts in Ukrainian and none of its English ones; counts, dates and
percentages take the reader's language, while what people typed stays as entered."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from models import auth
from models.access import Role
from models.db import get_database, insert_row
from models.i18n import format_date, use_language
from models.recognition import kudos
from models.standards import audits, register
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as, speaking

TODAY = date.today()
STANDARDS, AUDITS, IMPORT = "pages/service_standards.py", "pages/mystery_audits.py", "pages/mystery_audit_import.py"


@pytest.fixture
def org(portal_env):
    """A team, a leader who keeps a standard, an analyst with a checklist and an audit of an agent."""
    db = get_database(portal_env)
    red = db.write(lambda c: insert_row(c, "teams", {"name": "Red"}))
    people = {
        "db": db,
        "red": red,
        "leader": add_person(db, Role.LEADERSHIP, full_name="Lea Leader"),
        "analyst": add_person(db, Role.ANALYST),
        "ann": add_person(db, team_id=red, full_name="Ann Agent"),
    }
    people["standard"] = register.add_standard(
        db,
        people["leader"],
        {
            "code": "XFER-CB",
            "title": "After a transfer, the first rep calls back",
            "expectation": "Call the customer back the same day after transferring them.",
            "channels": ["Phone", "Chat"],
            "owner_id": people["leader"].employee_id,
        },
    )
    people["checklist"] = audits.create_checklist(
        db, people["analyst"], {"name": "Monthly call", "items": [(people["standard"], "pass_fail")]}
    )
    for days_ago, passed in ((3, False), (4, False), (5, False), (6, True)):
        audits.record_audit(
            db,
            people["analyst"],
            {
                "checklist_id": people["checklist"],
                "audited_on": TODAY - timedelta(days=days_ago),
                "channel": "Phone",
                "team_id": red,
                "agent_id": people["ann"].employee_id,
                "results": {people["standard"]: passed},
                "notes": f"Audit note {days_ago}",
            },
        )
    return people


def in_ukrainian(database, *roles: Role, team_id: int | None = None):
    person = add_person(database, *roles, team_id=team_id)
    return speaking(database, person, "uk")


def page(user, path):
    app = open_page(signed_in_as(user), path)
    assert not app.exception, app.exception
    return app


def headers(app) -> list[str]:
    """The column headers of every table on the page."""
    found = []
    for frame in app.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        found += [column.get("label") for column in config.values() if column.get("label")]
    return found


def texts(app) -> list[str]:
    """What a reader sees of the page: titles, headings, captions, messages, labels, buttons, headers."""
    found = [e.value for e in app.title] + [e.value for e in app.header] + [e.value for e in app.subheader]
    found += [e.value for e in app.caption] + [e.value for e in app.info] + [e.value for e in app.success]
    found += [e.value for e in app.markdown] + [e.value for e in app.error]
    found += [e.label for e in app.metric] + [e.label for e in app.button] + [e.label for e in app.tabs]
    inputs = ("text_input", "text_area", "selectbox", "multiselect", "checkbox", "number_input", "date_input", "radio")
    for kind in inputs:
        found += [e.label for e in app.get(kind)]
    found += [e.proto.label for e in app.get("download_button")]
    found += [e.proto.label for e in app.get("expander")]
    return [shown(text) for text in found] + headers(app)


def assert_ukrainian(app, english: set[str], ukrainian: set[str]) -> None:
    seen = texts(app)
    assert not english & set(seen), english & set(seen)
    missing = {text for text in ukrainian if not any(text in one for one in seen)}
    assert not missing, (missing, seen)


# -- service standards ----------------------------------------------------------------------
def test_service_standards_in_ukrainian_for_an_agent(org):
    app = page(in_ukrainian(org["db"], Role.AGENT, team_id=org["red"]), STANDARDS)
    assert_ukrainian(
        app,
        {"Service standards", "Versions", "Download CSV", "Keep the register"},
        {"Стандарти обслуговування", "Версії", "Канали: Телефон, Чат", "Відповідальний: Lea Leader", "Версія 1"},
    )
    # the standard as leadership wrote it
    assert "XFER-CB · After a transfer, the first rep calls back" in [shown(s.value) for s in app.subheader]
    assert "Call the customer back the same day after transferring them." in [t.value for t in app.text]


def test_service_standards_in_ukrainian_for_leadership_who_keep_the_register(org):
    app = page(in_ukrainian(org["db"], Role.LEADERSHIP), STANDARDS)
    assert_ukrainian(
        app,
        {"Keep the register", "Add a standard", "Add standard", "Edit a standard", "Save new version", "Code"},
        {"Ведення реєстру", "Додати стандарт", "Редагувати стандарт", "Зберегти нову версію", "Код", "Що очікується"},
    )
    assert app.multiselect(key="new_standard_channels").format_func("Web form") == "Вебформа"
    assert "Що очікується" in headers(app) and "Змінено" in headers(app)  # the versions table


def test_a_refused_standard_names_its_field_and_problem_in_ukrainian(org):
    app = page(in_ukrainian(org["db"], Role.LEADERSHIP), STANDARDS)
    app.text_input(key="new_standard_code").input("XFER-CB")
    app.text_input(key="new_standard_title").input("Another standard with a taken code")
    app.text_area(key="new_standard_expectation").input("Whatever.")
    app.selectbox(key="new_standard_owner").select_index(0)
    next(b for b in app.button if b.label == "Додати стандарт").click().run()
    errors = "\n".join(shown(e.value) for e in app.error)
    assert "Код" in errors and "XFER-CB — код іншого стандарту" in errors, errors


# -- recognition ----------------------------------------------------------------------------
FEED, WALL = "pages/recognition_feed.py", "pages/recognition_wall.py"


@pytest.fixture
def kudos_given(org):
    """Kudos from Ann to a Ukrainian-speaking agent of her team, tagged with a company value."""
    from models.recognition import values

    hr = add_person(org["db"], Role.HR)
    value_id = values.add_value(org["db"], hr, "Own it")
    reader = in_ukrainian(org["db"], Role.AGENT, team_id=org["red"])
    data = {"recipient_id": reader.employee_id, "message": "Thanks for the handover notes", "tag": f"value:{value_id}"}
    kudos.give_kudos(org["db"], org["ann"], data)
    return reader


def test_the_recognition_feed_in_ukrainian_with_the_kudos_left_counted_in_ukrainian(org, kudos_given, monkeypatch):
    monkeypatch.setattr(kudos, "monthly_allowance", lambda: 3)  # three a month, none given yet
    app = page(kudos_given, FEED)
    assert_ukrainian(
        app,
        {"Recognition feed", "Give kudos", "Give to", "Tag", "Message", "Latest kudos and badges"},
        {"Стрічка визнання", "Висловити подяку", "Кому", "Позначка", "Повідомлення", "Останні подяки та значки"},
    )
    assert app.radio(key="kudos_form_kind").options == ["Колезі", "Команді"]
    tags = app.selectbox(key="kudos_form_tag").options
    assert "Цінність: Own it" in tags  # the value's name as HR typed it
    assert "Компетенція: Активне слухання" in tags and "Компетенція: Active listening" not in tags
    assert "Цього місяця у вас залишилося 3 подяки." in texts(app)  # the "few" form
    with use_language("uk"):
        given = format_date(TODAY, "dd MMM y")
    assert any(f"Own it · {given}" in text and "Ann Agent" in text for text in texts(app))
    assert "Thanks for the handover notes" in [t.value for t in app.text]  # as Ann wrote it


def test_a_wall_in_ukrainian(org, kudos_given):
    app = page(kudos_given, WALL)
    assert_ukrainian(
        app,
        {"My wall", "Kudos received", "Badges", "Kudos", "No badges yet.", "Whose wall"},
        {"Моя стіна", "Отримані подяки", "Значки", "Подяка", "Значків ще немає.", "Чия стіна"},
    )
    assert any(text.startswith("Від **Ann Agent**") for text in texts(app))


# -- assigning training -----------------------------------------------------------------------
def test_assign_training_in_ukrainian_with_the_count_chosen_in_ukrainian(org):
    hr = in_ukrainian(org["db"], Role.HR)
    app = page(hr, "pages/training_assign.py")
    assert_ukrainian(
        app,
        {"Assign training", "Assign", "Assignments", "Record a completion", "Assign to", "Course", "Status", "Why"},
        {"Призначити навчання", "Призначити", "Призначення", "Записати проходження курсу", "Кому призначити", "Курс"},
    )
    assert app.radio(key="assign_mode").options == ["Команда", "Майданчик", "Роль", "Вибрані працівники"]
    assert app.radio(key="open_status").options == ["Відкрите", "Пройдено", "Скасовано"]
    app.selectbox(key="assign_team").set_value(org["red"]).run()
    assert "Вибрано 1 особу" in texts(app)  # Ann, the only active member of Red: the "one" form
    app.radio(key="assign_mode").set_value("Role").run()
    assert "Керівник команди" in app.selectbox(key="assign_role").options
    assert "Вибрано" in " ".join(texts(app))


# -- mystery audits -------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.HR, Role.LEADERSHIP])
def test_mystery_audits_in_ukrainian_for_each_reader(org, role):
    reader = org["ann"] if role is Role.AGENT else in_ukrainian(org["db"], role, team_id=org["red"])
    if role is Role.AGENT:  # Ann reads her own audits
        auth.change_own_language(org["db"], reader, reader.account_id, "uk")
    app = page(reader, AUDITS)
    english = {"Mystery audits", "From", "To", "Audits", "Open an audit", "Compliance", "Record audits", "Date"}
    assert_ukrainian(app, english | {"Channel", "Team", "Agent", "Checks"}, {"Таємні аудити", "Аудити"})
    assert "4 аудити" in texts(app)  # Ann's four audits, counted with the "few" form
    if role is not Role.AGENT:
        assert {"Дата", "Канал", "Оператор", "Перевірки"} <= set(headers(app))


def test_mystery_audits_in_ukrainian_for_an_analyst_with_figures_in_ukrainian_form(org):
    app = page(in_ukrainian(org["db"], Role.ANALYST), AUDITS)
    assert_ukrainian(
        app,
        {"Record audits", "Build a checklist", "Checklist", "Compliance", "Standards failing repeatedly", "Audits"},
        {"Запис аудитів", "Скласти чек-лист", "Чек-лист", "Виконання вимог", "Аудити", "Канал", "Оператор"},
    )
    # three of four checks failed in one team: 25 % compliance, written the Ukrainian way
    assert any("виконання вимог 25,0 % — виконано 1 з 4 перевірок" in text for text in texts(app)), texts(app)
    assert any("не виконано 3 з 4 перевірок (виконання вимог 25,0 %) у 1 команді" in text for text in texts(app))
    assert app.radio(key="item_XFER-CB").options == ["Не перевірялося", "Виконано", "Не виконано"]
    assert "Створити висновок" in [b.label for b in app.button]


def test_an_audit_recorded_in_ukrainian_keeps_what_was_chosen(org):
    app = page(in_ukrainian(org["db"], Role.ANALYST), AUDITS)
    app.selectbox(key="audit_team").set_value(org["red"])
    app.radio(key="item_XFER-CB").set_value("Pass")
    app.text_area(key="audit_notes").input("Передзвонили того ж дня.")
    next(b for b in app.button if b.label == "Записати аудит").click().run()
    assert not app.error, [e.value for e in app.error]
    notes = org["db"].scalar("SELECT notes FROM mystery_audits ORDER BY id DESC LIMIT 1")
    assert notes == "Передзвонили того ж дня."


def test_import_mystery_audits_in_ukrainian(org):
    app = page(in_ukrainian(org["db"], Role.ANALYST), IMPORT)
    assert_ukrainian(
        app,
        {"Import mystery audits", "Checklist", "Download the import template", "Recent imports", "No imports yet."},
        {
            "Імпорт таємних аудитів",
            "Чек-лист",
            "Завантажити шаблон імпорту",
            "Останні імпорти",
            "Кодування тексту (CSV)",
        },
    )
    assert "XFER-CB (Виконано / не виконано)" in [shown(c.value) for c in app.caption]
