"""AppTest of the quarterly programme report: leadership sees each figure of the chosen
quarter with its definition, choosing another quarter shows that quarter's figures, and
people without the dashboards permission have no such page."""

from __future__ import annotations

import pytest

from models.access import Role
from models.auth import load_user
from models.db import get_database
from models.reports import quarterly
from tests.pages.apptest import open_page, shown, signed_in_as

PAGE = "pages/quarterly_report.py"


@pytest.fixture
def demo_portal(portal_env, database_templates):
    """The portal serving a copy of the demo organisation."""
    organisation = database_templates.copy_demo(portal_env)
    db = get_database(portal_env)
    users = {role: load_user(db, employee_id=organisation.logins[role]) for role in (Role.LEADERSHIP, Role.AGENT)}
    return db, organisation, users


def metrics(app) -> dict[str, str]:
    return {shown(metric.label): shown(metric.value) for metric in app.metric}


def expected_metrics(report: quarterly.QuarterlyReport) -> dict[str, str]:
    return {figure.name: quarterly.shown(figure, report.currency) for _, figure in report.figures()}


def test_leadership_sees_the_last_complete_quarter_and_can_choose_another(demo_portal):
    db, organisation, users = demo_portal
    leader = users[Role.LEADERSHIP]
    app = open_page(signed_in_as(leader), PAGE)
    assert not app.exception
    last = quarterly.last_complete_quarter(organisation.today)
    assert app.selectbox(key="quarterly_quarter").value == last.label
    report = quarterly.report(db, leader, last.year, last.number)
    assert metrics(app) == expected_metrics(report)
    captions = {shown(caption.value) for caption in app.caption}
    assert {figure.definition for _, figure in report.figures()} <= captions

    earlier = last.previous()
    app.selectbox(key="quarterly_quarter").select(earlier.label).run()
    assert not app.exception
    earlier_report = quarterly.report(db, leader, earlier.year, earlier.number)
    assert metrics(app) == expected_metrics(earlier_report)
    assert metrics(app) != expected_metrics(report)


def test_an_agent_has_no_quarterly_report_page(demo_portal):
    _, _, users = demo_portal
    app = signed_in_as(users[Role.AGENT]).run()
    with pytest.raises(ValueError, match="navigation page"):
        app.switch_page(PAGE)
