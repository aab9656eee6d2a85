"""The quarterly programme report: every figure is its area's own figure for the quarter,
the PDF prints each figure as the page shows it (in any script), the figures download as
CSV and XLSX, and only leadership may read it."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from pypdf import PdfReader

from models import exports
from models.access import PermissionDeniedError, Role
from models.actions import history, workflow
from models.auth import load_user
from models.coaching import report as coaching_report
from models.complaints import analysis
from models.customers import scores
from models.engagement import results as engagement_results
from models.engagement.surveys import list_surveys
from models.errors import InputError
from models.recognition import summary as recognition_summary
from models.reports import quarterly
from models.reports.pdf import report_pdf
from models.speakup import cycle_report
from models.speakup.cycles import list_cycles
from models.standards import compliance as standards
from models.strategy import goals
from models.training import compliance as training


@pytest.fixture
def demo(seeded_db):
    """The demo organisation, its leader and its last complete quarter's report."""
    db, organisation = seeded_db()
    leader = load_user(db, employee_id=organisation.logins[Role.LEADERSHIP])
    quarter = quarterly.last_complete_quarter(organisation.today)
    report = quarterly.report(db, leader, quarter.year, quarter.number, today=organisation.today)
    return db, organisation, leader, report


def values(report: quarterly.QuarterlyReport, section_key: str) -> dict[str, object]:
    section = next(s for s in report.sections if s.key == section_key)
    return {figure.name: figure.value for figure in section.figures}


def pdf_text(data: bytes) -> str:
    """The PDF's text with every run of white space (line breaks in wrapped cells) as one space."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def test_the_report_figures_are_the_areas_own_for_the_quarter(demo):
    db, organisation, leader, report = demo
    start, end = report.quarter.start, report.quarter.end
    assert report.as_of == end  # a complete quarter is reported as of its last day

    status = goals.status_counts(db, today=end)
    assert values(report, "goals")["Goals at risk"] == status["at_risk"]
    assert values(report, "goals")["Goals"] == sum(status.values())

    received = analysis.ComplaintFilter(date_from=start, date_to=end)
    complaints = values(report, "complaints")
    assert complaints["Complaints received"] == analysis.summary(db, leader, received)["complaints"]
    assert complaints["Vital few"] == ", ".join(analysis.vital_few(analysis.pareto(db, leader, received)))

    assert values(report, "actions") == {
        "Actions created": history.period_summary(db, start, end)["created"],
        "Actions done": history.period_summary(db, start, end)["done"],
        "Actions open": history.period_summary(db, start, end)["open"],
        "Actions overdue": history.period_summary(db, start, end)["overdue"],
    }

    cycle = next(c for c in list_cycles(db) if start <= c.speakup_day <= end)
    cycle_figures = cycle_report.cycle_report(db, leader, cycle.id)
    speakup = values(report, "speakup")
    assert speakup["Ideas submitted"] == cycle_figures["submitted"]
    assert speakup["Ideas green-lit"] == cycle_figures["green_lit"]
    assert speakup["Projected annual savings"] == float(cycle_figures["projected_annual_savings"])

    assert values(report, "training")["Training compliance"] == training.group_compliance(db, leader, on=end).rate

    sessions = coaching_report.integrated_share(db, leader, start, end)
    integrated_share = round(100.0 * sessions["integrated_sessions"].sum() / sessions["sessions"].sum(), 1)
    assert values(report, "coaching")["Integrated share"] == integrated_share

    recognition = recognition_summary.period_summary(db, start, end)
    assert values(report, "recognition")["Kudos given"] == recognition.kudos

    closed = [s for s in list_surveys(db) if start <= s.closed_on <= end]
    assert closed, "the demo closes a pulse survey every quarter"
    organisation_enps = engagement_results.survey_results(db, leader, closed[0].id).organisation
    assert values(report, "engagement")[f"eNPS — {closed[0].title}"] == organisation_enps.enps

    nps = scores.scores(db, leader, "nps", (), scores.ScoreFilter(date_from=start, date_to=end))
    assert values(report, "customers")["NPS"] == nps["value"].iloc[0]

    by_standard = standards.compliance_by_standard(db, leader, start, end)
    assert values(report, "standards")["Checks made"] == by_standard["checks"].sum()
    assert values(report, "standards")["Standards failing repeatedly"] == len(
        standards.failing_standards(db, leader, start, end)
    )


def test_another_quarter_gives_that_quarters_figures(demo):
    db, organisation, leader, report = demo
    earlier = report.quarter.previous()
    other = quarterly.report(db, leader, earlier.year, earlier.number, today=organisation.today)
    received = analysis.ComplaintFilter(date_from=earlier.start, date_to=earlier.end)
    assert values(other, "complaints")["Complaints received"] == analysis.summary(db, leader, received)["complaints"]
    assert values(other, "complaints") != values(report, "complaints")


def test_the_pdf_prints_every_figure_as_the_page_shows_it(demo):
    _, _, _, report = demo
    text = pdf_text(report_pdf(report))
    assert report.organisation in text and report.quarter.label in text
    missing = [
        (section.title, figure.name, quarterly.shown(figure, report.currency))
        for section, figure in report.figures()
        if f"{figure.name} {quarterly.shown(figure, report.currency)}" not in text
    ]
    assert missing == []
    for section in report.sections:
        assert section.title in text


def test_the_pdf_embeds_a_font_that_prints_cyrillic(demo):
    db, organisation, leader, report = demo
    quarter = report.quarter
    named = quarterly.report(
        db, leader, quarter.year, quarter.number, today=organisation.today, organisation="Гавань Фінанс — Київ"
    )
    data = report_pdf(named)
    assert "Гавань Фінанс — Київ" in pdf_text(data)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(data)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("DejaVu" in font for font in fonts)


def test_the_figures_download_as_csv_and_xlsx_one_row_each(demo):
    _, _, _, report = demo
    frame = quarterly.figures_frame(report)
    from_csv = pd.read_csv(io.BytesIO(exports.to_csv_bytes(frame)), encoding="utf-8-sig")
    from_xlsx = pd.read_excel(io.BytesIO(exports.to_xlsx_bytes(frame)))
    for table in (from_csv, from_xlsx):
        assert list(table.columns) == ["section", "figure", "value", "unit", "definition", "quarter"]
        assert len(table) == len(report.figures())
        assert set(table["quarter"]) == {report.quarter.label}
    row = from_csv.set_index("figure").loc["Complaints received"]
    assert int(row["value"]) == values(report, "complaints")["Complaints received"]
    assert row["section"] == "Complaints and the vital few"


def test_only_leadership_reads_the_report(demo):
    db, organisation, _, report = demo
    for role in (Role.AGENT, Role.HR, Role.ANALYST):
        person = load_user(db, employee_id=organisation.logins[role])
        with pytest.raises(PermissionDeniedError):
            quarterly.report(db, person, report.quarter.year, report.quarter.number)


def test_a_quarter_not_yet_begun_or_not_a_quarter_is_refused_naming_the_field(demo):
    db, organisation, leader, _ = demo
    following = quarterly.quarter_of(organisation.today + timedelta(days=100))
    for year, number in ((following.year, following.number), (organisation.today.year, 5)):
        with pytest.raises(InputError) as refused:
            quarterly.report(db, leader, year, number, today=organisation.today)
        assert refused.value.problems[0][0] == "Quarter"


def test_the_running_quarter_is_reported_as_of_today(demo):
    db, organisation, leader, _ = demo
    current = quarterly.quarter_of(organisation.today)
    running = quarterly.report(db, leader, current.year, current.number, today=organisation.today)
    assert running.as_of == organisation.today
    assert current in quarterly.available_quarters(db, organisation.today)


# -- the action plan as it stood on a past day --------------------------------------------------
def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12)


def test_an_action_done_after_the_quarter_counts_as_open_and_overdue_at_its_end(db, make_user):
    leader, owner = make_user(Role.LEADERSHIP), make_user(Role.TEAM_LEAD)
    start, end = date(2025, 1, 1), date(2025, 3, 31)
    data = {
        "title": "Call back every repeat complainer",
        "action_type": "corrective",
        "origin": "other",
        "owner_id": owner.employee_id,
        "start_date": date(2025, 1, 10),
        "due_date": date(2025, 3, 1),
        "priority": "high",
    }
    late = workflow.create_action(db, leader, data, at=_at(date(2025, 1, 10)))
    workflow.change_status(db, owner, late, "in_progress", 1, at=_at(date(2025, 2, 1)))
    workflow.change_status(db, owner, late, "done", 2, at=_at(date(2025, 4, 15)))
    on_time = workflow.create_action(db, leader, data, at=_at(date(2025, 1, 10)))
    workflow.change_status(db, owner, on_time, "in_progress", 1, at=_at(date(2025, 2, 1)))
    workflow.change_status(db, owner, on_time, "done", 2, at=_at(date(2025, 2, 20)))
    workflow.create_action(
        db, leader, data | {"start_date": date(2025, 4, 2), "due_date": date(2025, 5, 1)}, at=_at(date(2025, 4, 2))
    )

    assert history.period_summary(db, start, end) == {"created": 2, "done": 1, "open": 1, "overdue": 1}
    assert history.period_summary(db, date(2025, 4, 1), date(2025, 6, 30))["done"] == 1
    assert history.period_summary(db, date(2025, 4, 1), date(2025, 6, 30))["overdue"] == 1  # the one of April


def test_a_goal_set_after_the_quarter_is_not_counted_in_it(demo):
    db, organisation, leader, report = demo
    before = values(report, "goals")["Goals"]
    priority = db.query_one("SELECT id FROM strategic_priorities WHERE active ORDER BY position LIMIT 1")["id"]
    kpi = db.query_one("SELECT id, unit, direction FROM kpis WHERE code = 'fcr'")
    goals.create_goal(
        db,
        leader,
        {
            "name": "Set after the quarter",
            "priority_id": priority,
            "kpi_id": kpi["id"],
            "unit": kpi["unit"],
            "direction": kpi["direction"],
            "baseline_value": 70,
            "baseline_date": organisation.today - timedelta(days=10),
            "target_value": 85,
            "target_date": organisation.today + timedelta(days=200),
            "owner_id": leader.employee_id,
            "update_frequency": "monthly",
        },
        at=datetime.combine(organisation.today, datetime.min.time()),
    )
    again = quarterly.report(db, leader, report.quarter.year, report.quarter.number, today=organisation.today)
    assert values(again, "goals")["Goals"] == before
    running = quarterly.quarter_of(organisation.today)
    now = quarterly.report(db, leader, running.year, running.number, today=organisation.today)
    assert "Set after the quarter" in [g.name for g in goals.list_goals(db, today=organisation.today)]
    assert values(now, "goals")["Goals"] == sum(goals.status_counts(db, today=organisation.today).values())
