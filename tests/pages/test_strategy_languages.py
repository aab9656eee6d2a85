"""Goals and the action plan in Ukrainian: titles, tabs, labels, buttons, metrics and table
headers in the person's language, statuses translated by their code, numbers and dates in the
language's form, goal and action names as entered."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.access import Role
from models.auth import load_user
from models.db import get_database
from models.strategy import goals, kpis, vision
from tests.conftest import add_person
from tests.pages.apptest import open_page, set_decimal, shown, signed_in_as, speaking

TODAY = date.today()


def in_ukrainian(database, person):
    """``person`` as signed in after choosing Ukrainian on My account."""
    return speaking(database, person, "uk")


def read(app) -> str:
    """Every text the page shows, joined as a reader reads it."""
    parts = [e.value for e in app.title] + [e.value for e in app.subheader] + [e.value for e in app.markdown]
    parts += [e.value for e in app.caption] + [e.value for e in app.info] + [e.value for e in app.text]
    parts += [e.value for e in app.error] + [e.value for e in app.success]
    parts += [m.label for m in app.metric] + [str(m.value) for m in app.metric] + [b.label for b in app.button]
    parts += [t.label for t in app.tabs] + [e.label for e in app.expander] + [c.label for c in app.checkbox]
    widgets = [*app.selectbox, *app.multiselect, *app.text_input, *app.text_area, *app.number_input]
    parts += [w.label for w in [*widgets, *app.date_input, *app.radio, *app.toggle, *app.slider]]
    for frame in app.dataframe:
        parts += [str(column) for column in frame.value.columns]
    return shown("\n".join(str(part) for part in parts))


@pytest.fixture
def demo_db(portal_env, database_templates):
    org = database_templates.copy_demo(portal_env, seed=11)
    return get_database(portal_env), org


GOALS_ENGLISH = [
    "Strategic priority",
    "All priorities",
    "Open a goal",
    "Split the chart by",
    "Measurements",
    "Linked actions",
    "Current",
    "Baseline",
    "Progress %",
    "Last measured",
    "On track",
    "Off track",
    "progress ",
    "expected ",
    "owner ",
    "updated monthly",
    "Whole organisation",
]


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.AGENT])
def test_goals_speak_ukrainian(demo_db, role):
    database, org = demo_db
    person = in_ukrainian(database, load_user(database, employee_id=org.logins[role]))
    app = open_page(signed_in_as(person), "pages/goals.py")
    assert not app.exception, app.exception
    text = read(app)
    assert app.title[0].value == "Цілі"
    assert app.selectbox(key="goals_priority_filter").label == "Стратегічний пріоритет"
    assert app.selectbox(key="goals_priority_filter").options[0] == "Усі пріоритети"
    assert app.selectbox(key="goal_picker").label == "Відкрити ціль"
    assert {"Досягнуто", "За планом", "Під загрозою", "Відстає", "Застаріло"} <= {m.label for m in app.metric}
    table = app.dataframe[0].value
    assert list(table.columns)[:5] == ["Пріоритет", "Ціль", "KPI", "Охоплення", "Статус"]
    assert set(table["Статус"]) <= {"Досягнуто", "За планом", "Під загрозою", "Відстає", "Застаріло"}
    assert "Задоволеність клієнтів (CSAT)" in set(table["KPI"])  # a shipped KPI by its translated name
    for goal in goals.list_goals(database):  # names people typed are shown as entered
        assert goal.name in set(table["Ціль"])
    assert "Вимірювання" in text and "Пов'язані дії" in text and "прогрес " in text
    for english in GOALS_ENGLISH:
        assert english not in text, english
    tabs = [t.label for t in app.tabs]
    if role == Role.LEADERSHIP:
        assert tabs == ["Цілі", "Нова ціль", "Імпортувати вимірювання"]
        assert {"Створити ціль", "Зберегти ціль"} <= {b.label for b in app.button}
        assert app.selectbox(key="new_goal_direction").options == ["Що вище, то краще", "Що нижче, то краще"]
        assert app.selectbox(key="new_goal_frequency").options == ["Щомісяця", "Щокварталу"]
        for english in ("New goal", "Create goal", "Record measurement", "Save goal", "Baseline value", "Target date"):
            assert english not in text, english
    else:
        assert tabs == ["Цілі"]


def test_a_goal_s_numbers_dates_and_refusals_take_the_ukrainian_form(portal_env):
    database = get_database(portal_env)
    leader = in_ukrainian(database, add_person(database, Role.LEADERSHIP, full_name="Lena Leader"))
    priority_id = vision.create_priority(database, leader, {"title": "Effortless service", "position": 1})
    target_date = TODAY + timedelta(days=200)
    goals.create_goal(
        database,
        leader,
        {
            "name": "Callbacks that land",
            "priority_id": priority_id,
            "kpi_id": kpis.kpi_by_code(database, "fcr").id,
            "unit": "%",
            "direction": "higher",
            "baseline_value": 1072.5,
            "baseline_date": TODAY - timedelta(days=10),
            "target_value": 1085,
            "target_date": target_date,
            "owner_id": leader.employee_id,
        },
    )
    app = open_page(signed_in_as(leader), "pages/goals.py")
    assert not app.exception, app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Базове значення"] == "1\xa0072,5"  # grouped with a no-break space, a decimal comma
    assert metrics["Поточне значення"] == "даних ще немає"
    headline = f"Вирішення з першого звернення ≥ 1\xa0085 % до {target_date:%d.%m.%Y}"
    assert headline in read(app)

    # A target on the wrong side of the baseline is refused in Ukrainian, the typed values kept.
    app.text_input(key="new_goal_name").input("Shorter queues")
    app.selectbox(key="new_goal_priority").select(priority_id)
    app.selectbox(key="new_goal_kpi").select(kpis.kpi_by_code(database, "fcr").id)
    app.selectbox(key="new_goal_owner").select(leader.employee_id)
    set_decimal(app, "new_goal_baseline_value", 70.0)
    set_decimal(app, "new_goal_target_value", 60.0)
    next(b for b in app.button if b.label == "Створити ціль").click().run()
    errors = " ".join(e.value for e in app.error)
    assert "Цільове значення" in errors and "має бути більшим за базове" in errors, errors
    assert app.text_input(key="new_goal_name").value == "Shorter queues"


ACTIONS_ENGLISH = [
    "Action plan",
    "My actions",
    "All actions",
    "Breakdown",
    "Timeline",
    "Open an action",
    "Updates log",
    "In progress",
    "Planned",
    "Progress",
    "Priority",
    "owner: ",
    "origin: ",
    "Last changed by",
    "Group by",
]


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.AGENT])
def test_the_action_plan_speaks_ukrainian(demo_db, role):
    database, org = demo_db
    person = in_ukrainian(database, load_user(database, employee_id=org.logins[role]))
    app = open_page(signed_in_as(person), "pages/actions.py")
    assert not app.exception, app.exception
    text = read(app)
    assert app.title[0].value == "План дій"
    assert {"Заплановано", "У роботі", "Заблоковано", "Виконано", "Скасовано", "Прострочено"} <= {
        m.label for m in app.metric
    }
    tabs = [t.label for t in app.tabs]
    assert tabs[:5] == ["Мої дії", "Прострочено", "Усі дії", "Розподіл", "Часова шкала"]
    assert app.selectbox(key="action_picker").label == "Відкрити дію"
    assert app.multiselect(key="filter_status").options == [
        "Заплановано",
        "У роботі",
        "Виконано",
        "Заблоковано",
        "Скасовано",
    ]
    assert app.radio(key="breakdown_dimension").options == ["Статус", "Пріоритет", "Ціль", "Відповідальний"]
    plan_table = next(f.value for f in app.dataframe if "Походження" in f.value.columns)
    assert list(plan_table.columns)[:4] == ["Id", "Дія", "Тип", "Походження"]
    assert set(plan_table["Статус"]) <= {"Заплановано", "У роботі", "Виконано", "Заблоковано", "Скасовано"}
    log = next(f.value for f in app.dataframe if "Вид" in f.value.columns)
    assert set(log["Вид"]) <= {"Створено", "Змінено", "Зміна статусу", "Прогрес", "Примітка", "Оцінка ефективності"}
    assert "Журнал оновлень" in text and "походження: " in text
    for english in ACTIONS_ENGLISH:
        assert english not in text, english
    if role == Role.LEADERSHIP:
        assert tabs[5] == "Нова дія"
        assert {"Створити дію", "Зберегти дію"} <= {b.label for b in app.button}
        assert app.selectbox(key="new_action_priority").options == ["Низький", "Середній", "Високий", "Критичний"]
        for english in ("Create action", "Save action", "Expected effect on the KPI", "Start date", "Due date"):
            assert english not in text, english


def test_an_owner_s_action_speaks_ukrainian_with_counts_and_dates_in_its_forms(portal_env):
    """The owner's workflow forms, an effectiveness review counted in Ukrainian plural forms,
    a refusal in Ukrainian and the portal's own log notes translated."""
    from models.actions import plan, workflow

    database = get_database(portal_env)
    leader = add_person(database, Role.LEADERSHIP, full_name="Lena Leader")
    owner = in_ukrainian(database, add_person(database, Role.AGENT, full_name="Oscar Owner"))
    aht = kpis.kpi_by_code(database, "aht")
    for days_ago, value in {60: 400, 30: 380, 24: 330, 23: 320, 5: 320}.items():
        kpis.record_measurement(
            database, leader, {"kpi_id": aht.id, "measured_on": TODAY - timedelta(days=days_ago), "value": value}
        )
    action_id = workflow.create_action(
        database,
        leader,
        {
            "title": "One-screen customer view",
            "owner_id": owner.employee_id,
            "kpi_id": aht.id,
            "start_date": TODAY - timedelta(days=90),
            "due_date": TODAY - timedelta(days=10),
        },
    )
    workflow.change_status(database, owner, action_id, "in_progress", 1)
    workflow.change_status(database, owner, action_id, "done", 2, on=TODAY - timedelta(days=25))
    app = open_page(signed_in_as(owner), "pages/actions.py")
    assert not app.exception, app.exception
    metrics = {m.label: m for m in app.metric}
    before = metrics["Середнє за 25 днів до"]
    assert before.value == "380,00 секунди"  # a decimal comma, the shipped unit in Ukrainian
    assert metrics["Середнє за 25 днів після"].value == "323,33 секунди"
    assert metrics["Термін"].value == f"{TODAY - timedelta(days=10):%d.%m.%Y}"
    assert metrics["Прогрес"].value == "100%"
    text = read(app)
    assert "Дія має статус «виконано»: оновлення більше не приймаються." in text
    assert "Статус «Виконано» остаточний: його більше не можна змінити." in text
    assert app.radio(key=f"action_{action_id}_v3_verdict_choice").options == [
        "Ефективна",
        "Частково ефективна",
        "Неефективна",
    ]
    log = next(f.value for f in app.dataframe if "Вид" in f.value.columns)
    assert list(log["Примітка"])[-1] == "Дію створено (походження: інше)"  # stored in English, shown translated
    assert list(log["До"]) == ["Виконано", "У роботі", "Заплановано"]

    app.radio(key=f"action_{action_id}_v3_verdict_choice").set_value("effective")
    next(b for b in app.button if b.label == "Записати висновок").click().run()
    assert not app.exception, app.exception
    assert plan.get_action(database, action_id).effectiveness_verdict == "effective"
    log = next(f.value for f in app.dataframe if "Вид" in f.value.columns)
    assert list(log["Примітка"])[0] == "Ефективна."
    assert any(t.value.startswith("Висновок: Ефективна") for t in app.text)


@pytest.mark.parametrize(
    ("count", "form"), [(1, "1 значення"), (3, "3 значення"), (5, "5 значень"), (21, "21 значення")]
)
def test_the_review_counts_its_values_in_ukrainian_plural_forms(count, form):
    from models.i18n import format_number, ngettext, use_language

    with use_language("uk"):
        assert ngettext("{n} value", "{n} values", count, n=format_number(count)) == form
    with use_language("ru"):
        shown = ngettext("{n} value", "{n} values", count, n=format_number(count))
        assert shown == {1: "1 значение", 3: "3 значения", 5: "5 значений", 21: "21 значение"}[count]
