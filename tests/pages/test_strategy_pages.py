"""AppTest of the strategy and action-plan pages: what leaders and agents see and do."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from models.access import Role
from models.actions import plan, workflow
from models.auth import load_user
from models.db import get_database
from models.strategy import goals, kpis, vision
from tests.conftest import add_person
from tests.pages.apptest import open_page, set_decimal, signed_in_as, speaking

TODAY = date.today()


@pytest.fixture
def demo_db(portal_env, database_templates):
    org = database_templates.copy_demo(portal_env, seed=11)
    return get_database(portal_env), org


def texts(app) -> str:
    """Everything a person reads on the page, joined."""
    parts = [e.value for e in app.markdown] + [e.value for e in app.text] + [e.value for e in app.caption]
    parts += [e.value for e in app.info] + [e.value for e in app.error] + [e.value for e in app.success]
    parts += [str(m.value) for m in app.metric] + [m.label for m in app.metric]
    parts += [e.value for e in app.subheader] + [e.value for e in app.title]
    return "\n".join(str(p) for p in parts).replace("\\", "")  # as read, without Markdown escapes


@pytest.fixture
def arrow_fixups() -> Iterator[list[str]]:
    """What Streamlit logs when a table it is given cannot go to Arrow as built (a column mixing
    kinds of values, such as dates and texts) and it rewrites the column types itself."""
    logger = logging.getLogger("streamlit.dataframe_util")  # Streamlit's loggers do not propagate
    found: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "Arrow" in record.getMessage():
                found.append(f"{record.getMessage()} {record.exc_info[1] if record.exc_info else ''}")

    handler, level = Collect(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield found
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.mark.parametrize("page", ["pages/goals.py", "pages/actions.py", "pages/strategy.py", "pages/kpis.py"])
@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.AGENT])
def test_strategy_pages_open_on_the_demo_for_leaders_and_agents_without_arrow_fixups(demo_db, arrow_fixups, page, role):
    database, org = demo_db
    user = load_user(database, employee_id=org.logins[role])
    app = open_page(signed_in_as(user), page)
    assert not app.exception, app.exception
    assert app.dataframe, "every view shows a table"
    assert arrow_fixups == []  # every table goes to the browser as built, nothing in the server log


def test_home_shows_the_current_vision(demo_db):
    database, org = demo_db
    agent = load_user(database, employee_id=org.logins[Role.AGENT])
    app = open_page(signed_in_as(agent), "pages/home.py")
    assert vision.current_vision(database).statement in texts(app)


def button(app, label: str):
    matches = [b for b in app.button if b.label == label]
    assert matches, f"no button {label!r}; have {[b.label for b in app.button]}"
    return matches[0]


@pytest.fixture
def fresh(portal_env):
    """An empty portal with a leader, a team lead and one strategic priority."""
    database = get_database(portal_env)
    leader = add_person(database, Role.LEADERSHIP, full_name="Lena Leader")
    lead = add_person(database, Role.TEAM_LEAD, full_name="Oscar Owner")
    priority_id = vision.create_priority(database, leader, {"title": "Effortless service", "position": 1})
    return database, leader, lead, priority_id


def fill_goal_form(app, prefix: str, *, name: str, kpi_id: int, owner_id: int, priority_id: int, target: float):
    app.text_input(key=f"{prefix}_name").input(name)
    app.selectbox(key=f"{prefix}_priority").select(priority_id)
    app.selectbox(key=f"{prefix}_kpi").select(kpi_id)
    app.selectbox(key=f"{prefix}_owner").select(owner_id)
    set_decimal(app, f"{prefix}_baseline_value", 70.0)
    app.date_input(key=f"{prefix}_baseline_date").set_value(TODAY - timedelta(days=100))
    set_decimal(app, f"{prefix}_target_value", target)
    app.date_input(key=f"{prefix}_target_date").set_value(TODAY + timedelta(days=100))


def test_leader_creates_a_goal_records_a_measurement_and_sees_its_status(fresh):
    database, leader, lead, priority_id = fresh
    csat = kpis.kpi_by_code(database, "fcr")
    nps = kpis.kpi_by_code(database, "aht")
    goals.create_goal(
        database,
        leader,
        {
            "name": "An earlier goal",
            "priority_id": priority_id,
            "kpi_id": nps.id,
            "unit": "points",
            "direction": "higher",
            "baseline_value": 10,
            "baseline_date": TODAY,
            "target_value": 30,
            "target_date": TODAY + timedelta(days=300),
            "owner_id": leader.employee_id,
        },
    )
    app = open_page(signed_in_as(leader), "pages/goals.py")
    fill_goal_form(
        app,
        "new_goal",
        name="Lift CSAT to 85 %",
        kpi_id=csat.id,
        owner_id=lead.employee_id,
        priority_id=priority_id,
        target=85.0,
    )
    button(app, "Create goal").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    goal = next(g for g in goals.list_goals(database) if g.kpi_id == csat.id)
    assert app.selectbox(key="goal_picker").value == goal.id  # the new goal is opened
    assert goal.name == "Lift CSAT to 85 %" and goal.unit == "%" and goal.direction == "higher"
    assert "Stale" in texts(app)  # 100 days since the baseline, nothing measured yet

    set_decimal(app, f"m_value_{goal.id}", 76.0)
    app.text_input(key=f"m_note_{goal.id}").input("October survey")
    button(app, "Record measurement").click().run()
    assert not app.exception
    page = texts(app)
    assert "On track: progress 40 %, expected 50 %" in page
    charts = app.get("vega_lite_chart")
    assert charts, "the goal has a chart"
    spec = str(charts[0].proto)  # the layered spec and its data
    assert "Target" in spec and "Baseline" in spec and "October survey" in spec


def test_bad_goal_input_names_the_field_and_keeps_what_was_typed(fresh):
    database, leader, lead, priority_id = fresh
    csat = kpis.kpi_by_code(database, "fcr")
    app = open_page(signed_in_as(leader), "pages/goals.py")
    fill_goal_form(
        app,
        "new_goal",
        name="Lift CSAT",
        kpi_id=csat.id,
        owner_id=lead.employee_id,
        priority_id=priority_id,
        target=60.0,
    )
    button(app, "Create goal").click().run()
    errors = " ".join(e.value for e in app.error)
    assert "Target value" in errors and "above the baseline" in errors
    assert app.text_input(key="new_goal_name").value == "Lift CSAT"
    assert app.session_state["new_goal_target_value"] == 60.0
    assert goals.list_goals(database) == []


def test_agents_read_goals_and_the_plan_but_get_no_forms(fresh):
    database, leader, lead, priority_id = fresh
    agent = add_person(database)
    app = open_page(signed_in_as(agent), "pages/goals.py")
    assert not app.exception
    assert "Create goal" not in [b.label for b in app.button]
    _make_action(database, leader, lead)
    app = open_page(signed_in_as(agent), "pages/actions.py")
    assert not app.exception
    assert "Daily huddle on aged complaints" in texts(app)  # the public plan is readable
    labels = [b.label for b in app.button]
    for write in ("Create action", "Change status", "Post update", "Save action"):
        assert write not in labels


def _make_action(database, leader, lead) -> int:
    return workflow.create_action(
        database,
        leader,
        {
            "title": "Daily huddle on aged complaints",
            "owner_id": lead.employee_id,
            "start_date": TODAY - timedelta(days=5),
            "due_date": TODAY + timedelta(days=40),
        },
    )


def test_leader_creates_an_action_from_the_form(fresh):
    database, leader, lead, priority_id = fresh
    app = open_page(signed_in_as(leader), "pages/actions.py")
    app.text_input(key="new_action_title").input("Plain-language letters")
    app.selectbox(key="new_action_origin").select("other")
    app.selectbox(key="new_action_owner_id").select(lead.employee_id)
    app.selectbox(key="new_action_priority").select("high")
    button(app, "Create action").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    created = plan.list_actions(database)
    assert [(a.title, a.owner_id, a.priority, a.status) for a in created] == [
        ("Plain-language letters", lead.employee_id, "high", "planned")
    ]
    assert "#1 Plain-language letters" in texts(app)


def test_owner_moves_an_action_along_and_a_refused_move_is_explained(fresh):
    database, leader, lead, priority_id = fresh
    action_id = _make_action(database, leader, lead)
    app = open_page(signed_in_as(lead), "pages/actions.py")
    prefix = f"action_{action_id}_v1"
    assert app.selectbox(key=f"{prefix}_new_status").options == ["In progress", "Blocked", "Cancelled"]
    app.selectbox(key=f"{prefix}_new_status").select("in_progress")
    button(app, "Change status").click().run()
    assert not app.exception
    assert plan.get_action(database, action_id).status == "in_progress"
    prefix = f"action_{action_id}_v2"
    app.selectbox(key=f"{prefix}_new_status").select("blocked")
    button(app, "Change status").click().run()
    assert "Note" in " ".join(e.value for e in app.error)  # blocking needs a reason
    assert plan.get_action(database, action_id).status == "in_progress"
    log = app.dataframe[-1].value
    assert list(log.columns) == ["Posted", "By", "Kind", "From", "To", "Progress %", "Note"]
    assert list(log["Kind"]) == ["Status change", "Created"]
    assert list(log["To"]) == ["In progress", "Planned"]  # status names as people say them


def test_saving_an_action_without_changes_says_nothing_changed_and_stores_nothing(fresh):
    database, leader, lead, priority_id = fresh
    action_id = _make_action(database, leader, lead)
    app = open_page(signed_in_as(leader), "pages/actions.py")
    button(app, "Save action").click().run()
    assert not app.exception and not app.error
    assert "Nothing changed." in [info.value for info in app.info]
    action = plan.get_action(database, action_id)
    assert action.version == 1
    assert [entry["kind"] for entry in plan.updates_log(database, action_id)] == ["created"]


def test_two_sessions_editing_one_action_the_second_save_is_refused_and_keeps_its_edits(fresh):
    database, leader, lead, priority_id = fresh
    action_id = _make_action(database, leader, lead)
    first = open_page(signed_in_as(leader), "pages/actions.py")
    second = open_page(signed_in_as(lead), "pages/actions.py")
    prefix = f"action_{action_id}_v1"

    first.text_input(key=f"{prefix}_title").input("Huddle twice a day")
    button(first, "Save action").click().run()
    assert not first.exception and not first.error
    assert plan.get_action(database, action_id).title == "Huddle twice a day"

    second.text_input(key=f"{prefix}_title").input("Weekly huddle")
    button(second, "Save action").click().run()
    errors = " ".join(e.value for e in second.error)
    assert "Changed by Lena Leader at" in errors and "since you opened it" in errors
    assert second.text_input(key=f"{prefix}_title").value == "Weekly huddle"  # edits stay on screen
    assert plan.get_action(database, action_id).title == "Huddle twice a day"

    button(second, "Reload").click().run()
    assert second.text_input(key=f"action_{action_id}_v2_title").value == "Huddle twice a day"


def test_done_action_shows_before_and_after_means_and_takes_a_verdict(fresh):
    database, leader, lead, priority_id = fresh
    aht = kpis.kpi_by_code(database, "aht")
    for days_ago, value in {60: 400, 30: 380, 20: 330, 5: 320}.items():
        kpis.record_measurement(
            database, leader, {"kpi_id": aht.id, "measured_on": TODAY - timedelta(days=days_ago), "value": value}
        )
    action_id = workflow.create_action(
        database,
        leader,
        {
            "title": "One-screen customer view",
            "owner_id": lead.employee_id,
            "kpi_id": aht.id,
            "start_date": TODAY - timedelta(days=90),
            "due_date": TODAY - timedelta(days=10),
        },
    )
    workflow.change_status(database, lead, action_id, "in_progress", 1)
    workflow.change_status(database, lead, action_id, "done", 2, on=TODAY - timedelta(days=25))
    app = open_page(signed_in_as(lead), "pages/actions.py")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Mean in the 25 days before"] == "380.00 seconds"
    assert metrics["Mean in the 25 days after"] == "325.00 seconds"
    assert metrics["Change"] == "-55.00"
    app.radio(key=f"action_{action_id}_v3_verdict_choice").set_value("effective")
    button(app, "Record verdict").click().run()
    assert not app.exception
    assert plan.get_action(database, action_id).effectiveness_verdict == "effective"


def test_two_sessions_editing_one_goal_the_second_save_is_refused_and_keeps_its_edits(fresh):
    database, leader, lead, priority_id = fresh
    other = add_person(database, Role.LEADERSHIP, full_name="Omar Other")
    csat = kpis.kpi_by_code(database, "fcr")
    goal_id = goals.create_goal(
        database,
        leader,
        {
            "name": "Lift CSAT",
            "priority_id": priority_id,
            "kpi_id": csat.id,
            "unit": "%",
            "direction": "higher",
            "baseline_value": 70,
            "baseline_date": TODAY - timedelta(days=30),
            "target_value": 85,
            "target_date": TODAY + timedelta(days=300),
            "owner_id": leader.employee_id,
        },
    )
    first = open_page(signed_in_as(other), "pages/goals.py")
    second = open_page(signed_in_as(leader), "pages/goals.py")
    prefix = f"goal_{goal_id}_v1"
    set_decimal(first, f"{prefix}_target_value", 90.0)
    button(first, "Save goal").click().run()
    assert not first.exception and not first.error
    set_decimal(second, f"{prefix}_target_value", 80.0)
    button(second, "Save goal").click().run()
    errors = " ".join(e.value for e in second.error)
    assert "Changed by Omar Other at" in errors and "since you opened it" in errors
    assert second.session_state[f"{prefix}_target_value"] == 80.0
    assert goals.get_goal(database, goal_id).target_value == 90.0


def test_leader_revises_the_vision_and_everyone_sees_it_on_home(fresh):
    database, leader, lead, priority_id = fresh
    app = open_page(signed_in_as(leader), "pages/strategy.py")
    app.text_area(key="vision_statement").input("Every customer is helped at first contact, by someone who cares.")
    button(app, "Save new version").click().run()
    assert not app.exception and not app.error
    assert vision.current_vision(database).author_name == "Lena Leader"
    home = open_page(signed_in_as(lead), "pages/home.py")
    assert "Every customer is helped at first contact, by someone who cares." in texts(home)


def test_vision_too_short_is_refused_and_the_text_stays(fresh):
    database, leader, lead, priority_id = fresh
    app = open_page(signed_in_as(leader), "pages/strategy.py")
    app.text_area(key="vision_statement").input("Be nice")
    button(app, "Save new version").click().run()
    assert "Vision statement" in " ".join(e.value for e in app.error)
    assert app.text_area(key="vision_statement").value == "Be nice"
    assert vision.vision_history(database) == []


def test_a_done_action_offers_no_update_form_and_an_open_one_does(fresh):
    database, leader, lead, priority_id = fresh
    action_id = _make_action(database, leader, lead)
    app = open_page(signed_in_as(lead), "pages/actions.py")
    assert "Post update" in [b.label for b in app.button]
    workflow.change_status(database, lead, action_id, "in_progress", 1)
    workflow.change_status(database, lead, action_id, "done", 2, on=TODAY)
    app = open_page(signed_in_as(lead), "pages/actions.py")
    assert not app.exception
    assert "Post update" not in [b.label for b in app.button]
    assert "it takes no more updates" in texts(app)


def test_a_goal_on_chat_says_so_and_its_chart_splits_by_channel_with_the_target(demo_db):
    database, org = demo_db
    leader = load_user(database, employee_id=org.logins[Role.LEADERSHIP])
    chat = next(g for g in goals.list_goals(database) if g.channel == "Chat")
    app = open_page(signed_in_as(leader), "pages/goals.py")
    app.selectbox(key="goal_picker").set_value(chat.id).run()
    page = texts(app)
    assert "Customer satisfaction (CSAT) on Chat ≥ 85 %" in page and "for on Chat" not in page
    app.selectbox(key=f"split_{chat.id}").set_value("channel").run()
    assert not app.exception, app.exception
    spec = str(app.get("vega_lite_chart")[0].proto)
    assert all(channel in spec for channel in ("Phone", "Chat", "Email", "App")) and "Target" in spec
    app.selectbox(key=f"split_{chat.id}").set_value("site").run()
    assert not app.exception
    assert "No values" not in texts(app)  # CSAT is computed per site too


def test_a_leader_sets_a_goal_for_one_team_and_records_its_value(fresh):
    from models.db import insert_row

    database, leader, lead, priority_id = fresh
    team_id = database.write(lambda c: insert_row(c, "teams", {"name": "Red"}))
    app = open_page(signed_in_as(leader), "pages/goals.py")
    fcr = kpis.kpi_by_code(database, "fcr")
    fill_goal_form(
        app,
        "new_goal",
        name="FCR in Red",
        kpi_id=fcr.id,
        owner_id=leader.employee_id,
        priority_id=priority_id,
        target=85.0,
    )
    app.selectbox(key="new_goal_team").set_value(team_id)
    app.text_input(key="new_goal_channel").input("Chat")  # two dimensions: refused, naming the field
    button(app, "Create goal").click().run()
    assert any("Site" in e.value or "one channel" in e.value for e in app.error), [e.value for e in app.error]
    assert goals.list_goals(database) == []
    app.text_input(key="new_goal_channel").input("")
    button(app, "Create goal").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    goal = goals.list_goals(database)[0]
    assert goal.team_id == team_id and "team Red" in texts(app)
    set_decimal(app, f"m_value_{goal.id}", 76.0)
    button(app, "Record measurement").click().run()
    assert database.query("SELECT team_id, channel FROM kpi_measurements") == [{"team_id": team_id, "channel": None}]


def test_the_kpi_page_states_how_attrition_is_computed(demo_db):
    database, org = demo_db
    app = open_page(signed_in_as(load_user(database, employee_id=org.logins[Role.AGENT])), "pages/kpis.py")
    page = texts(app)
    assert "average headcount" in page and "within 90 days of their hire date" in page
    catalogue = app.dataframe[0].value
    assert set(catalogue.loc[catalogue["Import code"] == "attrition", "By channel, team or site"]) == {"Team, Site"}
    assert {"hold_time", "speed_of_answer", "cost_per_contact", "ticket_backlog", "call_transfer_rate"} <= set(
        catalogue["Import code"]
    )


# -- owner pickers over many people -----------------------------------------------------------
def _many_people(database) -> int:
    """80 more active people, all named before the leader and the lead: those two and most of
    the 80 are beyond the first options of a picker; the id of "Bulk Person 00079"."""
    from tests.lists_support import FIRST_BULK_ID, bulk_people

    bulk_people(database, 80)
    return FIRST_BULK_ID + 79


def test_a_leader_finds_an_action_owner_beyond_the_first_options_by_search_and_filters_by_them(fresh):
    database, leader, lead, priority_id = fresh
    far = _many_people(database)
    app = open_page(signed_in_as(leader), "pages/actions.py")
    assert not app.exception, app.exception
    assert len(app.selectbox(key="new_action_owner_id").options) == 50
    assert "Showing the first 50 of 82 matches; type more to narrow them." in texts(app)
    app.text_input(key="new_action_owner_search").input("Person 00079").run()
    assert app.selectbox(key="new_action_owner_id").options == ["Bulk Person 00079 (no team)"]
    app.text_input(key="new_action_title").input("Plain-language letters")
    app.selectbox(key="new_action_origin").select("other")
    app.selectbox(key="new_action_owner_id").select(far)
    button(app, "Create action").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert [(a.title, a.owner_id) for a in plan.list_actions(database)] == [("Plain-language letters", far)]

    _make_action(database, leader, lead)  # owned by the lead, beyond the first options too
    app = open_page(signed_in_as(leader), "pages/actions.py")
    app.text_input(key="filter_owner_search").input("Oscar").run()
    assert app.selectbox(key="filter_owner").options == ["Everyone", "Oscar Owner (no team)"]
    app.selectbox(key="filter_owner").select(lead.employee_id).run()
    shown = [t.value["Action"].tolist() for t in app.dataframe if "Action" in t.value.columns]
    assert ["Daily huddle on aged complaints"] in shown  # the whole plan, filtered by its owner
    assert not any("Plain-language letters" in titles for titles in shown)
    app.text_input(key="filter_owner_search").input("Person 0007").run()  # another search keeps the filter
    assert app.selectbox(key="filter_owner").value == lead.employee_id


def test_an_actions_owner_beyond_the_first_options_stays_when_the_action_is_saved_unchanged(fresh):
    database, leader, lead, priority_id = fresh
    _many_people(database)
    action_id = _make_action(database, leader, lead)
    app = open_page(signed_in_as(leader), "pages/actions.py")
    prefix = f"action_{action_id}_v1"
    assert app.selectbox(key=f"{prefix}_owner_id").value == lead.employee_id
    app.text_input(key=f"{prefix}_owner_search").input("Person 00003").run()
    owners = app.selectbox(key=f"{prefix}_owner_id")
    assert owners.options == ["Oscar Owner (no team)", "Bulk Person 00003 (no team)"]
    assert owners.value == lead.employee_id
    button(app, "Save action").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert "Nothing changed." in [info.value for info in app.info]
    assert plan.get_action(database, action_id).owner_id == lead.employee_id


def test_a_leader_finds_a_goal_owner_by_search_and_a_goals_owner_stays_when_it_is_saved(fresh):
    database, leader, lead, priority_id = fresh
    far = _many_people(database)
    csat = kpis.kpi_by_code(database, "fcr")
    app = open_page(signed_in_as(leader), "pages/goals.py")
    assert len(app.selectbox(key="new_goal_owner").options) == 50
    app.text_input(key="new_goal_owner_search").input("bulk79@example.org").run()
    assert app.selectbox(key="new_goal_owner").options == ["Bulk Person 00079 (no team)"]
    fill_goal_form(app, "new_goal", name="Lift FCR", kpi_id=csat.id, owner_id=far, priority_id=priority_id, target=85)
    button(app, "Create goal").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    goal = goals.list_goals(database)[0]
    assert goal.owner_id == far

    app = open_page(signed_in_as(leader), "pages/goals.py")
    prefix = f"goal_{goal.id}_v1"
    assert app.selectbox(key=f"{prefix}_owner").value == far
    app.text_input(key=f"{prefix}_owner_search").input("Oscar").run()
    assert app.selectbox(key=f"{prefix}_owner").options == ["Bulk Person 00079 (no team)", "Oscar Owner (no team)"]
    set_decimal(app, f"{prefix}_target_value", 90.0)
    button(app, "Save goal").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    saved = goals.get_goal(database, goal.id)
    assert (saved.target_value, saved.owner_id) == (90, far)


# -- importing measurements ------------------------------------------------------------------------
def import_measurements_file(app, name: str, content: bytes):
    """Upload ``content`` as ``name`` on the Goals page's import tab and press Import."""
    app.file_uploader(key="measurements_upload").set_value((name, content, "text/csv")).run()
    app.button(key="measurements_import").click().run()
    return app


def test_a_ukrainian_leader_imports_a_value_with_a_decimal_comma(portal_env):
    database = get_database(portal_env)
    leader = speaking(database, add_person(database, Role.LEADERSHIP), "uk")
    app = open_page(signed_in_as(leader), "pages/goals.py")
    import_measurements_file(app, "march.csv", f'kpi,date,value\nfcr,{TODAY},"77,5"\n'.encode())
    assert not app.exception, app.exception
    assert app.success and not app.error
    assert database.scalar("SELECT value FROM kpi_measurements") == 77.5


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (f"kpi,date,value,note\nfcr,{TODAY},71,Caf\u00e9\n".encode("cp1252"), "not UTF-8 text"),
        (f"kpi,date,value\nfcr,{TODAY},71,surplus\n".encode(), "the row has 4 values but the header has 3 columns"),
        (f'kpi,date,value,note\rfcr,{TODAY},70,"open\rfcr,{TODAY},72,\r'.encode(), "row 2 has a quoted value"),
        (f"kpi,date,value,Value\nfcr,{TODAY},71,72\n".encode(), "Column 'Value' appears twice"),
    ],
    ids=["windows-1252", "more values than the header", "a quote left open", "a column named twice"],
)
def test_a_bad_measurements_file_is_named_on_the_page_and_nothing_is_imported(portal_env, content, problem):
    database = get_database(portal_env)
    app = open_page(signed_in_as(add_person(database, Role.LEADERSHIP)), "pages/goals.py")
    import_measurements_file(app, "measurements.csv", content)
    assert not app.exception, app.exception
    shown_text = texts(app) + "\n".join(str(frame.value) for frame in app.dataframe)
    assert problem in shown_text
    assert database.scalar("SELECT count(*) FROM kpi_measurements") == 0
