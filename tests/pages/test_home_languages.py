"""Home and the pages it leads to, in Ukrainian: every role's home (agent, team lead, HR,
leadership, analyst, moderator, administrator) shows its sections, tiles, links and notes in
Ukrainian and none of their English texts; counts take Ukrainian plural forms and shares,
numbers and dates the Ukrainian form, while names and ideas stay as entered."""

from __future__ import annotations

import re
from datetime import date

import pytest
from babel.messages.extract import extract_from_file

from models import auth
from models.access import CurrentUser, Role
from models.auth import load_user
from models.db import get_database
from models.home import SECTION_TITLES
from models.i18n import _, format_date, use_language
from models.people import directory
from models.seeding import DEMO_LOGINS
from models.speakup import cycles
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as

TODAY = date.today()
HOME_SOURCES = ("pages/home.py", "ui/home_people.py", "ui/home_programme.py", "models/home/__init__.py")


def english_texts(*sources: str) -> set[str]:
    """The whole texts the sources mark for translation (without placeholders) whose Ukrainian
    differs from the English: none of them may be shown on a page in Ukrainian."""
    found = set()
    for source in sources:
        for _line, message, _comments, _context in extract_from_file(
            "python", source, keywords={"_": None, "N_": None}
        ):
            if isinstance(message, str) and "{" not in message:
                with use_language("uk"):
                    if _(message) != message:
                        found.add(message)
    return found


# The home's English tile labels and links, written out: a text that lost its marking is caught too.
HOME_ENGLISH = {
    *("Overdue", "Due", "Expiring", "My training", "Follow-ups overdue", "Sessions to acknowledge"),
    *("Assessments to acknowledge", "Coaching log", "Assessments", "Kudos received", "This month", "My wall"),
    *("Answer a survey", "Sessions", "Integrated", "Coaching report", "Below requirement", "Not assessed"),
    *("Appeals to resolve", "Awaiting acknowledgement", "Skills matrix", "Ideas posted", "Green-lit", "Idea board"),
    *("Kudos", "Badges", "People taking part", "Recognition admin", "Moderation", "Accounts", "Locked now"),
    *("Signed in within 7 days", "Active people", "Audit log", "Goals and their measurements", "Vital few"),
    *("Complaints, last 90 days", "Complaint analysis", "Done", "In progress", "Action plan", "Submit & my ideas"),
    *("Cycle report", "Compliance", "Expiring in 30 days", "Training compliance", "Participation"),
    *("Engagement results", "NPS, last 90 days", "CSAT, last 90 days", "Customer feedback", "Mystery audits"),
    *("Compliance (90 days)", "Audit checks", "Failing repeatedly", "Our vision"),
}


@pytest.fixture(scope="module")
def home_english() -> set[str]:
    return english_texts(*HOME_SOURCES) | HOME_ENGLISH


@pytest.fixture
def demo(portal_env, database_templates):
    """The demo organisation, each demo login speaking Ukrainian."""
    database_templates.copy_demo(portal_env)
    database = get_database(portal_env)
    logins = {}
    for role, username in DEMO_LOGINS.items():
        employee_id = database.scalar("SELECT employee_id FROM accounts WHERE username = ?", [username])
        person = load_user(database, employee_id=employee_id)
        auth.change_own_language(database, person, person.account_id, "uk")
        logins[role] = load_user(database, employee_id=employee_id)
    return database, logins


def page(user: CurrentUser, path: str = "pages/home.py"):
    app = open_page(signed_in_as(user), path)
    assert not app.exception, app.exception
    return app


def texts(app) -> list[str]:
    """What a reader sees: titles, headings, notes, tiles (with their definitions) and links."""
    found = [e.value for e in app.title] + [e.value for e in app.subheader] + [e.value for e in app.caption]
    found += [e.value for e in app.info] + [e.value for e in app.success] + [e.value for e in app.markdown]
    found += [e.label for e in app.metric] + [e.proto.help for e in app.metric]
    found += [e.label for e in app.button] + [e.label for e in app.tabs]
    found += [e.proto.label for e in app.get("page_link")]
    for kind in ("text_input", "selectbox", "date_input", "number_input"):
        found += [e.label for e in app.get(kind)]
    found += [e.proto.label for e in app.get("download_button")]
    return [shown(text) for text in found]


def ukrainian(message: str) -> str:
    with use_language("uk"):
        return _(message)


EXPECTED_SECTIONS = {
    Role.AGENT: ["День Speak-Up", "Моє навчання", "Мій коучинг і оцінювання", "Отримані подяки", "Пульс-опитування"],
    Role.MODERATOR: ["Ідеї для модерації"],
    Role.ANALYST: ["Скарги", "Стандарти обслуговування"],
    Role.ADMIN: ["Стан порталу"],
    Role.TEAM_LEAD: ["Виконання вимог до навчання", "Коучинг цього місяця", "Оцінювання та прогалини в навичках"],
    Role.HR: ["Виконання вимог до навчання", "Визнання цього місяця", "Залученість"],
    Role.LEADERSHIP: ["Цілі", "Скарги", "План дій", "Відгуки клієнтів", "Стандарти обслуговування"],
}


@pytest.mark.parametrize("role", list(EXPECTED_SECTIONS))
def test_each_roles_home_speaks_ukrainian(demo, home_english, role):
    _database, logins = demo
    app = page(logins[role])
    shown_texts = texts(app)
    headings = [heading.value for heading in app.subheader]
    assert set(EXPECTED_SECTIONS[role]) <= set(headings), headings
    assert set(headings) <= {ukrainian(title) for title in SECTION_TITLES.values()}
    assert app.title[0].value.startswith("Вітаємо, ")
    english_shown = sorted(text for text in shown_texts if text in home_english)
    assert english_shown == []
    # no sentence of the page starts with an English word the home writes
    assert not [text for text in shown_texts if text.startswith(("Next:", "Latest, from", "Vital few:", "My ideas:"))]
    assert [metric.label for metric in app.metric]  # the tiles are there, in Ukrainian


def test_the_agent_reads_their_next_steps_in_ukrainian(demo):
    database, logins = demo
    agent = logins[Role.AGENT]
    app = page(agent)
    labels = {metric.label for metric in app.metric}
    assert {"Прострочено", "Термін", "Спливає", "Сесії для підтвердження", "Цього місяця"} <= labels
    cycle = cycles.current_cycle(database)
    days = (cycle.submission_closes - TODAY).days
    forms = {1: "день", 2: "дні", 3: "дні", 4: "дні"}
    word = "днів" if days % 100 in range(11, 15) else forms.get(days % 10, "днів")
    notes = "\n".join(shown(info.value) for info in app.info)
    assert f"{days} {word} (до " in notes  # the Ukrainian plural of the days left
    assert cycle.name in notes  # the cycle's name as entered
    with use_language("uk"):
        assert f"(до {format_date(cycle.submission_closes, 'dd MMM y')})" in notes


def test_a_share_reads_with_the_ukrainian_decimal_comma(demo):
    _database, logins = demo
    app = page(logins[Role.HR])
    compliance = next(metric for metric in app.metric if metric.label == "Виконання вимог")
    assert re.fullmatch(r"\d{1,3},\d %", compliance.value), compliance.value


def test_a_team_of_two_and_the_manager_read_in_ukrainian(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN, Role.HR)
    team_id = directory.create_team(database, admin, "Cards & Payments", None)
    lead = add_person(database, Role.TEAM_LEAD, team_id=team_id, full_name="Lena Lead")
    agent = add_person(database, team_id=team_id, manager_id=lead.employee_id, full_name="Alex Agent")
    auth.change_own_language(database, agent, agent.account_id, "uk")
    app = page(load_user(database, employee_id=agent.employee_id))
    assert app.title[0].value == "Вітаємо, Alex"
    assert shown(app.caption[0].value).endswith("Cards & Payments (2 особи) · Керівник: Lena Lead")
    assert "Жоден цикл Speak-Up не відкритий і жодного ще не заплановано." in [info.value for info in app.info]


# -- the skills matrix ------------------------------------------------------------------------
MATRIX = "pages/skills_matrix.py"
MATRIX_ENGLISH = {
    *("Skills matrix", "Matrix", "Gaps of the team", "Gaps per person", "Team", "Person", "Find a person"),
    *("Whole organisation", "Nobody to show.", "Nobody is below the required level.", "Download CSV"),
}


@pytest.fixture
def harbour(portal_env):
    """A team of a lead and an agent assessed below the level required in empathy, and HR."""
    from models.competencies import assessments, framework

    db = get_database(portal_env)
    hr = add_person(db, Role.HR, full_name="Hana Resources")
    team = directory.create_team(db, hr, "Harbour", None)
    lead = add_person(db, Role.TEAM_LEAD, team_id=team, full_name="Lee Lead")
    agent = add_person(db, Role.AGENT, team_id=team, full_name="Ada Agent")
    empathy = next(c for c in framework.competencies(db) if c.code == "EMPATHY")
    assessments.record_assessment(
        db,
        lead,
        {
            "employee_id": agent.employee_id,
            "competency_id": empathy.id,
            "assessed_on": TODAY,
            "level": 2,
            "evidence": "Acknowledged the customer's worry on both calls reviewed.",
        },
    )
    speaking = {}
    for name, person in (("hr", hr), ("lead", lead), ("agent", agent)):
        auth.change_own_language(db, person, person.account_id, "uk")
        speaking[name] = load_user(db, employee_id=person.employee_id)
    with use_language("uk"):
        speaking["empathy"] = framework.shown_name(empathy)
    return {"db": db, "team": team, **speaking}


@pytest.mark.parametrize("who", ["lead", "hr"])
def test_the_skills_matrix_speaks_ukrainian(harbour, who):
    app = page(harbour[who], MATRIX)
    shown_texts = texts(app)
    assert not sorted(MATRIX_ENGLISH & set(shown_texts) | (english_texts(MATRIX) & set(shown_texts)))
    assert app.title[0].value == "Матриця навичок"
    assert [tab.label for tab in app.tabs] == ["Матриця", "Прогалини команди", "Прогалини за працівниками"]
    assert "Знайти працівника" in shown_texts
    table = next(frame.value for frame in app.dataframe if "full_name" in frame.value.columns)
    assert harbour["empathy"] != "Empathy" and harbour["empathy"] in table.columns  # the default framework's name
    assert "Ada Agent" in set(table["full_name"])  # names as entered
    assigns = [button.label for button in app.button if button.label.startswith("Призначити «")]
    assert "Призначити «Емпатія в кожному зверненні»" in assigns  # the default course in Ukrainian
    if who == "lead":
        assert "2 особи" in shown_texts  # the people of the matrix, counted in Ukrainian


def test_assigning_a_gap_course_is_confirmed_in_ukrainian(harbour):
    db = harbour["db"]
    app = page(harbour["lead"], MATRIX)
    course = db.scalar("SELECT id FROM courses WHERE code = 'CS-EMPATHY'")
    competency = db.scalar("SELECT id FROM competencies WHERE code = 'EMPATHY'")
    app.button(key=f"team_{harbour['team']}_{competency}_{course}").click().run()
    assert not app.exception
    assert [toast.value for toast in app.toast if toast.value.startswith("Призначено")], [t.value for t in app.toast]


# -- the coaching report and engagement results -------------------------------------------------
@pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.HR, Role.LEADERSHIP])
def test_the_coaching_report_speaks_ukrainian(demo, role):
    _database, logins = demo
    app = page(logins[role], "pages/coaching_report.py")
    shown_texts = texts(app)
    english = english_texts("pages/coaching_report.py", "models/coaching/report.py") | {"Coaching report", "From", "To"}
    assert sorted(english & set(shown_texts)) == []
    assert app.title[0].value == "Звіт з коучингу"
    assert [header.value for header in app.subheader] == [
        "Частка інтегрованого коучингу й зміна рівнів, за командами",
        "Якість і продуктивність поряд з інтегрованим коучингом, за командами",
        "За командами й місяцями",
    ]
    assert {"Від", "До"} <= set(shown_texts)
    assert any(text.startswith("Зміна рівня за місяць:") for text in shown_texts)
    assert "Завантажити CSV" in shown_texts


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.HR, Role.LEADERSHIP])
def test_engagement_results_speak_ukrainian(demo, role):
    _database, logins = demo
    app = page(logins[role], "pages/engagement_results.py")
    shown_texts = texts(app)
    english = english_texts("pages/engagement_results.py") | {"Engagement results", "Survey", "eNPS by quarter"}
    assert sorted(english & set(shown_texts)) == []
    assert app.title[0].value == "Результати залученості"
    assert {"eNPS за кварталами", "Результати опитування", "Опитування"} <= set(shown_texts)
    if role in (Role.HR, Role.LEADERSHIP):
        assert "Команди: eNPS поряд з участю в ідеях" in shown_texts
