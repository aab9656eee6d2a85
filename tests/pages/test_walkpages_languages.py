"""Decision rights, customer feedback, findings, the audit log, the KPI catalogue, engagement
results and accounts in Ukrainian on the demo organisation: their table headers, choices and
notes read in Ukrainian and none of the English ones; counts take Ukrainian plural forms; the
audit log's record kinds, actions and fields are in Ukrainian while English stays as it was."""

from __future__ import annotations

import json
from datetime import date

import pytest

from models import audit, auth
from models.access import Role
from models.auth import load_user
from models.db import get_database
from models.i18n import ngettext, use_language
from models.standards import rights
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as


@pytest.fixture
def demo(portal_env, database_templates):
    organisation = database_templates.copy_demo(portal_env)
    return get_database(portal_env), organisation


def in_ukrainian(demo, role: Role):
    database, organisation = demo
    person = load_user(database, employee_id=organisation.logins[role])
    auth.change_own_language(database, person, person.account_id, "uk")
    return load_user(database, employee_id=organisation.logins[role])


def page(user, path: str):
    app = open_page(signed_in_as(user), path)
    assert not app.exception, app.exception
    return app


def headers(app) -> set[str]:
    """The column headers of every table on the page."""
    found = set()
    for frame in app.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        found |= {column["label"] for column in config.values() if column.get("label")}
    return found


def texts(app) -> list[str]:
    found = [e.value for e in app.markdown] + [e.value for e in app.caption] + [e.value for e in app.subheader]
    return [shown(text) for text in found]


# -- decision rights ----------------------------------------------------------------------------
def test_decision_rights_tables_read_in_ukrainian_for_leadership(demo):
    app = page(in_ukrainian(demo, Role.LEADERSHIP), "pages/decision_rights.py")
    seen = headers(app)
    english = {"Version", "Changed at", "Changed by", "Limit amount", "Conditions", "Current", "Used on", "Note"}
    english |= {"Role", "Proposed conditions", "Reason", "Idea ID", "Proposed by", "Proposed at", "Decision note"}
    english |= {"Person", "Team", "Complaint reference"}
    assert not english & seen, english & seen
    assert {"Версія", "Змінено", "Хто змінив", "Сума ліміту", "Умови", "Чинна"} <= seen  # a right's versions
    assert {"Роль", "Запропоновані умови", "Причина", "ID ідеї", "Хто запропонував", "Коли запропоновано"} <= seen
    assert {"Дата використання", "Працівник", "Команда", "Номер скарги"} <= seen  # uses flagged above the limit
    # a right is named by its role and kind of remedy in Ukrainian
    names = app.selectbox(key="right_versions").options
    assert "Керівник команди — Повернення коштів" in names and not any("Team lead" in name for name in names)


def test_an_agent_s_own_uses_of_a_right_are_headed_in_ukrainian(demo):
    app = page(in_ukrainian(demo, Role.AGENT), "pages/decision_rights.py")
    seen = headers(app)
    assert {"Дата використання", "Вид компенсації", "Номер скарги", "Примітка"} <= seen, seen
    assert not {"Used on", "Complaint reference", "Note"} & seen


def test_a_use_by_a_person_in_no_team_is_counted_for_no_team_in_ukrainian(portal_env):
    database = get_database(portal_env)
    leader = add_person(database, Role.LEADERSHIP)
    rights.add_right(
        database, leader, {"role": "agent", "remedy": "refund", "limit_amount": 50, "conditions": "With a receipt."}
    )
    rights.log_use(database, add_person(database), {"remedy": "refund", "used_on": date.today(), "amount": 10})
    assert list(rights.use_against_limits(database, leader, date.today(), date.today())["team"]) == ["(no team)"]
    auth.change_own_language(database, leader, leader.account_id, "uk")
    app = page(load_user(database, employee_id=leader.employee_id), "pages/decision_rights.py")
    uses = next(frame.value for frame in app.dataframe if "uses" in frame.value.columns)
    assert list(uses["team"]) == ["(без команди)"]


# -- findings -------------------------------------------------------------------------------------
def test_a_finding_s_mystery_audits_and_the_rights_to_change_read_in_ukrainian(demo):
    app = page(in_ukrainian(demo, Role.ANALYST), "pages/complaints_findings.py")
    seen = headers(app)
    assert {"Дата аудиту", "Канал", "Команда", "Стандарт", "Відповідає"} <= seen, seen
    assert not {"Audited on", "Channel", "Team", "Standard", "Complies"} & seen
    choices = app.selectbox(key="finding_proposal_right").options
    assert choices and not any(word in choice for choice in choices for word in ("Agent", "Team lead", "Fee waiver"))
    assert "Оператор — Повернення коштів" in choices and "Керівник команди — Скасування комісії" in choices


# -- customer feedback ----------------------------------------------------------------------------
def test_customer_feedback_tables_and_the_unmatched_units_read_in_ukrainian(demo):
    app = page(in_ukrainian(demo, Role.ANALYST), "pages/customer_feedback.py")
    seen = headers(app)
    assert {"Місяць", "Канал", "Команда", "Коментар", "ID клієнта", "Тип опитування"} <= seen, seen
    assert not {"Month", "Channel", "Team", "Comment", "Customer ID", "Survey type"} & seen
    teams = {team for frame in app.dataframe if "team" in frame.value.columns for team in frame.value["team"]}
    assert "Без команди (підрозділ не зіставлено)" in teams and "No team (unit not matched)" not in teams


# -- the audit log -------------------------------------------------------------------------------
def test_the_audit_log_names_record_kinds_actions_and_fields_in_ukrainian(demo):
    app = page(in_ukrainian(demo, Role.ADMIN), "pages/admin_audit.py")
    kinds = app.selectbox(key="audit_entity").options
    assert {"Усі", "Повідомлення у вхідних", "Чек-лист аудиту", "Право на рішення", "Таємний аудит"} <= set(kinds)
    assert not {"Inbox message", "Audit checklist", "Decision right", "Mystery audit", "Company value"} & set(kinds)
    table = app.dataframe[0].value
    assert "Мову змінено" in set(table["Дія"])  # the reader's own language change, newest
    assert {"Мова: — → Українська", "Працівники: 171; Масштаб: 1"} <= set(table["Зміни"])  # the demo's seeding too
    assert not {"Language set", "Mark read"} & set(table["Дія"])


def test_an_audited_change_reads_in_the_reader_s_language_and_english_stays_as_it_was():
    before, after = {"language": "en", "active": True}, {"language": "uk", "active": False}
    assert audit.changed_fields(before, after) == ["Language: English → Українська", "Active: yes → no"]
    assert audit.entity_label("inbox_message") == "Inbox message" and audit.entity_label("new_thing") == "New thing"
    with use_language("uk"):
        assert audit.changed_fields(before, after) == ["Мова: English → Українська", "Активний: так → ні"]
        assert audit.changed_fields(None, {"scale": 1}) == ["Масштаб: 1"]  # the demo's size, not a survey's
        assert audit.entity_label("inbox_message") == "Повідомлення у вхідних"
        assert audit.entity_label("new_thing") == "New thing"  # a kind the catalogue does not know yet


# -- KPI catalogue, engagement results, accounts -----------------------------------------------
def test_how_attrition_is_computed_reads_in_ukrainian(demo):
    app = page(in_ukrainian(demo, Role.AGENT), "pages/kpis.py")
    text = "\n".join(texts(app))
    assert "Плинність кадрів = працівники, які пішли за 12 місяців" in text
    assert "протягом 90 днів від дати прийняття на роботу" in text
    assert "Attrition =" not in text and "Early attrition =" not in text


def test_a_survey_s_comments_are_counted_in_ukrainian_plural_forms(demo):
    app = page(in_ukrainian(demo, Role.HR), "pages/engagement_results.py")
    counted = [text for text in texts(app) if text.split(" ", 1)[-1] in {"коментар", "коментарі", "коментарів"}]
    assert counted, texts(app)
    n = int(counted[0].split(" ")[0])
    with use_language("uk"):
        assert counted[0] == ngettext("{n} comment", "{n} comments", n)
    assert not any(text.endswith(" comments") for text in texts(app))


def test_the_accounts_page_counts_accounts_in_ukrainian(demo):
    app = page(in_ukrainian(demo, Role.ADMIN), "pages/admin_accounts.py")
    captions = [shown(caption.value) for caption in app.caption]
    assert "Показано 1–50; усього 171 обліковий запис" in captions, captions  # 171: the "one" form
    assert not any(caption.startswith("Showing") for caption in captions)
