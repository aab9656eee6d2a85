"""Home, by role, on the demo organisation: each demo login sees its sections once, in its
order, and every figure shown is the one the area's own function gives for that person today."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from streamlit.testing.v1.element_tree import Block, Subheader

from models.access import CurrentUser, Role
from models.actions import plan
from models.auth import load_user
from models.coaching import log, report
from models.competencies import appeals, assessments, matrix
from models.complaints import analysis
from models.complaints.analysis import ComplaintFilter
from models.customers import scores
from models.customers.scores import ScoreFilter
from models.db import get_database
from models.engagement import answers, results, surveys
from models.people import directory, overview
from models.recognition import export, kudos, leaderboard
from models.seeding import DEMO_LOGINS
from models.speakup import board, cycle_report, cycles, moderation
from models.standards import compliance as standards_compliance
from models.strategy import goals
from models.training import compliance as training
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as
from tests.speakup_helpers import cycle_data

TODAY = date.today()
LAST_90_DAYS = (TODAY - timedelta(days=89), TODAY)
PERSONAL = ["Speak-Up Day", "My training", "My coaching and assessments", "Kudos received", "Pulse survey"]
EXPECTED_SECTIONS = {
    Role.AGENT: PERSONAL,
    Role.MODERATOR: [*PERSONAL, "Ideas to moderate"],
    Role.ANALYST: [*PERSONAL, "Complaints", "Service standards"],
    Role.ADMIN: [*PERSONAL, "Portal health"],
    Role.TEAM_LEAD: [
        "Training compliance",
        "Coaching this month",
        "Assessments and skill gaps",
        "My team's ideas",
        *PERSONAL[1:],
    ],
    Role.HR: ["Training compliance", "Coaching this month", "Recognition this month", "Engagement", *PERSONAL],
    Role.LEADERSHIP: [
        "Goals",
        "Complaints",
        "Action plan",
        "Speak-Up Day",
        "Training compliance",
        "Engagement",
        "Customer feedback",
        "Service standards",
        *PERSONAL[1:],
    ],
}
EXPECTED_SECTIONS[Role.TEAM_LEAD].insert(4, "Speak-Up Day")  # a lead's own next steps follow their team's


@pytest.fixture
def demo(portal_env, database_templates):
    """The demo organisation (the default seed) served to the pages, and its logins as users."""
    database_templates.copy_demo(portal_env)
    database = get_database(portal_env)
    logins = {
        role: load_user(
            database, employee_id=database.scalar("SELECT employee_id FROM accounts WHERE username = ?", [u])
        )
        for role, u in DEMO_LOGINS.items()
    }
    return database, logins


def sections(app) -> dict[str, Block]:
    """Each bordered section of the page by its heading (a heading seen twice fails the test)."""
    found: dict[str, Block] = {}

    def walk(node: Block) -> None:
        for child in node.children.values():
            if not isinstance(child, Block):
                continue
            headings = [c.value for c in child.children.values() if isinstance(c, Subheader)]
            if headings:
                assert headings[0] not in found, f"{headings[0]!r} is shown twice"
                found[headings[0]] = child
            walk(child)

    walk(app.main)
    return found


def tiles(block: Block) -> dict[str, str]:
    """A section's tiles: label -> value as read."""
    return {metric.label: shown(metric.value) for metric in block.metric}


def words(block: Block) -> str:
    parts = [e.value for e in block.info] + [e.value for e in block.caption] + [e.value for e in block.text]
    return shown("\n".join(parts))


def home(user: CurrentUser):
    app = open_page(signed_in_as(user), "pages/home.py")
    assert not app.exception, app.exception
    return app


def pct(value: float | None) -> str:
    return f"{value:.1f} %"


@pytest.mark.parametrize("role", list(EXPECTED_SECTIONS))
def test_each_demo_login_sees_its_sections_once_in_its_order_and_no_dash(demo, role):
    _, logins = demo
    app = home(logins[role])
    assert list(sections(app)) == EXPECTED_SECTIONS[role]
    values = [metric.value for metric in app.metric]
    assert values, "every home shows figures"
    assert not [value for value in values if value.strip() in ("—", "-", "", "None", "nan")]


def test_the_agent_sees_their_next_steps_as_their_areas_count_them(demo):
    database, logins = demo
    agent = logins[Role.AGENT]
    page = sections(home(agent))
    mine = training.my_training(database, agent, on=TODAY)
    assert tiles(page["My training"]) == {
        "Overdue": str(len(mine.overdue)),
        "Due": str(len(mine.due)),
        "Expiring": str(len(mine.expiring)),
    }
    own = assessments.assessments_of(database, agent, agent.employee_id)
    assert tiles(page["My coaching and assessments"]) == {
        "Follow-ups overdue": str(len(log.overdue_follow_ups(database, agent, TODAY))),
        "Sessions to acknowledge": str(log.unacknowledged_count(database, agent)),
        "Assessments to acknowledge": str(sum(1 for a in own if a.status == "open")),
    }
    received = kudos.kudos_received(database, agent, agent.employee_id)
    assert tiles(page["Kudos received"])["Kudos received"] == str(len(received))
    assert received[0].message in words(page["Kudos received"])  # the latest, as typed
    cycle = cycles.current_cycle(database)
    assert cycle is not None and cycle.accepts_submissions(TODAY)
    assert f"{(cycle.submission_closes - TODAY).days} days left" in words(page["Speak-Up Day"])
    for idea in board.my_ideas(database, agent)[:4]:
        assert idea.title in words(page["Speak-Up Day"])
    waiting = [s for s, answered in surveys.surveys_to_answer(database, agent, today=TODAY) if not answered]
    assert waiting and waiting[0].title in words(page["Pulse survey"])


def test_the_team_lead_sees_their_teams_figures(demo):
    database, logins = demo
    lead = logins[Role.TEAM_LEAD]
    page = sections(home(lead))
    team = training.group_compliance(database, lead, on=TODAY)
    organisation = training.group_compliance(database, logins[Role.HR], on=TODAY)
    assert tiles(page["Training compliance"]) == {
        "Compliance": pct(team.rate),
        "Overdue": str(team.overdue),
        "Expiring in 30 days": str(team.expiring),
    }
    assert team.overdue < organisation.overdue  # the team's, not the organisation's
    month = report.integrated_share(database, lead, TODAY.replace(day=1), TODAY)
    assert set(month["team_id"]) <= {lead.team_id}
    sessions, integrated = int(month["sessions"].sum()), int(month["integrated_sessions"].sum())
    share = pct(round(100 * integrated / sessions, 1)) if sessions else "No sessions yet"
    assert tiles(page["Coaching this month"]) == {"Sessions": str(sessions), "Integrated": share}
    cells = matrix.skills_matrix(database, lead, team_id=lead.team_id)["category"].value_counts()
    waiting = assessments.visible_assessments(database, lead, team_id=lead.team_id)
    assert tiles(page["Assessments and skill gaps"]) == {
        "Below requirement": str(cells.get("below_1", 0) + cells.get("below_2", 0)),
        "Not assessed": str(cells.get("not_assessed", 0)),
        "Appeals to resolve": str(len(appeals.appeals_queue(database, lead))),
        "Awaiting acknowledgement": str(
            sum(1 for a in waiting if a.status == "open" and a.employee_id != lead.employee_id)
        ),
    }
    ideas = board.board(database, team_id=lead.team_id)
    assert ideas and tiles(page["My team's ideas"])["Ideas posted"] == str(len(ideas))


def test_hr_sees_the_organisations_training_coaching_recognition_and_engagement(demo):
    database, logins = demo
    hr = logins[Role.HR]
    page = sections(home(hr))
    figures = training.group_compliance(database, hr, on=TODAY)
    assert tiles(page["Training compliance"]) == {
        "Compliance": pct(figures.rate),
        "Overdue": str(figures.overdue),
        "Expiring in 30 days": str(figures.expiring),
    }
    month = report.integrated_share(database, hr, TODAY.replace(day=1), TODAY)
    assert tiles(page["Coaching this month"])["Sessions"] == str(int(month["sessions"].sum()))
    recognition = export.recognition_export(database, hr, "month", TODAY)
    shown_rows = recognition[~recognition["hidden"]]
    assert tiles(page["Recognition this month"]) == {
        "Kudos": str(int((shown_rows["kind"] == "kudos").sum())),
        "Badges": str(int((shown_rows["kind"] == "badge").sum())),
        "People taking part": str(leaderboard.leaderboard(database, hr, "month", TODAY).people_counted),
    }
    latest = results.enps_trend(database, hr, today=TODAY)[-1]
    answered, asked = answers.participation(database, surveys.get_survey(database, latest.survey_id))
    assert tiles(page["Engagement"]) == {
        f"eNPS {latest.quarter}": f"{latest.enps:+.0f}",
        "Participation": pct(round(100 * answered / asked, 1)),
    }


def test_leadership_sees_the_programme_at_a_glance(demo):
    database, logins = demo
    leader = logins[Role.LEADERSHIP]
    app = home(leader)
    page = sections(app)
    counts = goals.status_counts(database, today=TODAY)
    assert {label: int(value) for label, value in tiles(page["Goals"]).items()} == {
        goals.STATUS_LABELS[status]: n for status, n in counts.items()
    }
    reasons = set(page["Goals"].dataframe[0].value["why"])
    assert reasons == {g.status.reason for g in goals.list_goals(database, today=TODAY)}
    recent = ComplaintFilter(date_from=LAST_90_DAYS[0], date_to=LAST_90_DAYS[1])
    vital = analysis.vital_few(analysis.pareto(database, leader, recent))
    assert tiles(page["Complaints"]) == {
        "Complaints, last 90 days": f"{analysis.summary(database, leader, recent)['complaints']:,}",
        "Vital few": str(len(vital)),
    }
    assert all(category in words(page["Complaints"]) for category in vital)
    summary = plan.plan_summary(database, TODAY)
    assert tiles(page["Action plan"]) == {
        "Done": f"{summary['done']} of {summary['total'] - summary['cancelled']}",
        "In progress": str(summary["in_progress"]),
        "Overdue": str(summary["overdue"]),
    }
    funnel = cycle_report.funnel(database, leader, cycles.current_cycle(database).id)
    assert page["Speak-Up Day"].get("arrow_vega_lite_chart") or page["Speak-Up Day"].get("vega_lite_chart")
    assert funnel["ideas"].iloc[0] > 0
    figures = training.group_compliance(database, leader, on=TODAY)
    assert tiles(page["Training compliance"])["Compliance"] == pct(figures.rate)
    latest = results.enps_trend(database, leader, today=TODAY)[-1]
    assert tiles(page["Engagement"]) == {f"eNPS {latest.quarter}": f"{latest.enps:+.0f}"}  # participation is HR's
    answered = ScoreFilter(date_from=LAST_90_DAYS[0], date_to=LAST_90_DAYS[1])
    nps = scores.scores(database, leader, "nps", (), answered)["value"].iloc[0]
    csat = scores.scores(database, leader, "csat", (), answered)["value"].iloc[0]
    assert tiles(page["Customer feedback"]) == {"NPS, last 90 days": f"{nps:+.0f}", "CSAT, last 90 days": pct(csat)}
    by_standard = standards_compliance.compliance_by_standard(database, leader, *LAST_90_DAYS)
    checks, failed = int(by_standard["checks"].sum()), int(by_standard["failed"].sum())
    assert tiles(page["Service standards"]) == {
        "Compliance (90 days)": pct(round(100 * (checks - failed) / checks, 1)),
        "Audit checks": f"{checks:,}",
        "Failing repeatedly": str(len(standards_compliance.failing_standards(database, leader, *LAST_90_DAYS))),
    }


def test_the_analyst_moderator_and_administrator_see_their_areas_figures(demo):
    database, logins = demo
    analyst = sections(home(logins[Role.ANALYST]))
    recent = ComplaintFilter(date_from=LAST_90_DAYS[0], date_to=LAST_90_DAYS[1])
    count = analysis.summary(database, logins[Role.ANALYST], recent)["complaints"]
    assert tiles(analyst["Complaints"])["Complaints, last 90 days"] == f"{count:,}"
    moderator = sections(home(logins[Role.MODERATOR]))
    cycle = cycles.current_cycle(database)
    queue = moderation.moderation_queue(database, cycle.id)
    assert tiles(moderator["Ideas to moderate"]) == {f"In {cycle.name}": str(len(queue))}
    admin = logins[Role.ADMIN]
    health = overview.account_health(database, admin)
    assert tiles(sections(home(admin))["Portal health"])["Accounts"] == str(health["accounts"])


def test_a_person_with_several_roles_sees_each_section_once(demo):
    database, logins = demo
    team_id = logins[Role.TEAM_LEAD].team_id
    everyone = add_person(database, Role.LEADERSHIP, Role.HR, Role.TEAM_LEAD, Role.ANALYST, team_id=team_id)
    page = sections(home(everyone))  # fails on a heading shown twice
    assert list(page)[:3] == ["Goals", "Complaints", "Action plan"]  # the programme first
    for title in ("Training compliance", "Engagement", "Coaching this month", "My team's ideas"):
        assert title in page
    figures = training.group_compliance(database, everyone, on=TODAY)
    assert tiles(page["Training compliance"])["Overdue"] == str(figures.overdue)  # the widest scope, once
    assert "Participation" in tiles(page["Engagement"])  # HR's part of the section shared with leadership


def test_without_an_open_cycle_the_home_says_when_the_next_opens(portal_env):
    database = get_database(portal_env)
    leader = add_person(database, Role.LEADERSHIP)
    agent = add_person(database)
    block = sections(home(agent))["Speak-Up Day"]
    assert "No Speak-Up cycle is open and none is planned yet." in words(block)
    opens = TODAY + timedelta(days=12)
    cycles.create_cycle(
        database,
        leader,
        cycle_data(
            submission_opens=opens, submission_closes=opens + timedelta(days=20), speakup_day=opens + timedelta(days=30)
        ),
    )
    block = sections(home(agent))["Speak-Up Day"]
    assert f"No Speak-Up cycle is open; the next opens on {opens:%d %b %Y}." in words(block)


def test_an_agent_sees_no_programme_section_and_their_place_in_words(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN, Role.HR)
    team_id = directory.create_team(database, admin, "Cards & Payments", None)
    lead = add_person(database, Role.TEAM_LEAD, team_id=team_id, full_name="Lena Lead")
    agent = add_person(database, team_id=team_id, manager_id=lead.employee_id, full_name="Alex Agent")
    app = home(agent)
    assert app.title[0].value == "Welcome, Alex"
    assert shown(app.caption[0].value).endswith("Cards & Payments (2 people) · Manager: Lena Lead")
    assert list(sections(app)) == PERSONAL
    assert "Nothing to do: your training is up to date." in words(sections(app)["My training"])
