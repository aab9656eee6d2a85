"""The sections of the quarterly programme report, one builder per area: each takes its
figures from the area's own functions for the quarter (as of its last day) and adds a
one-line definition to each, and the data of the section's chart."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from models.access import CurrentUser
from models.actions import history as action_history
from models.coaching import report as coaching_report
from models.complaints import analysis as complaint_analysis
from models.customers import scores as customer_scores
from models.engagement import results as engagement_results
from models.engagement.answers import anonymity_threshold
from models.engagement.surveys import list_surveys
from models.recognition import summary as recognition_summary
from models.reports.records import Chart, ChartRow, Figure, Section, chart_rows, number
from models.settings import get_settings
from models.speakup import cycle_report
from models.speakup.cycles import list_cycles
from models.standards import compliance as standards_compliance
from models.strategy import goals as strategy_goals
from models.training import compliance as training_compliance

if TYPE_CHECKING:
    from models.db import Database


def goals_section(db: Database, as_of: date) -> Section:
    counts = strategy_goals.status_counts(db, today=as_of)
    total = sum(counts.values())
    figures = [Figure(name="Goals", value=total, style="count", definition="Active goals of the strategy.")]
    for status in ("achieved", "on_track", "at_risk", "off_track", "stale"):
        label = strategy_goals.STATUS_LABELS[status]
        figures.append(
            Figure(
                name=f"Goals {label.lower()}",
                value=counts[status],
                style="count",
                definition=f"Goals whose status computed on the report day is {label.lower()} (SPEC §2 status rule).",
            )
        )
    rows = chart_rows([(strategy_goals.STATUS_LABELS[s], counts[s]) for s in strategy_goals.STATUS_ORDER])
    return Section(
        key="goals",
        title="Goals at quarter end",
        figures=figures,
        chart=Chart(title="Goals by status", measure="Goals", rows=rows),
    )


def complaints_section(db: Database, user: CurrentUser, start: date, end: date) -> Section:
    received = complaint_analysis.ComplaintFilter(date_from=start, date_to=end)
    summary = complaint_analysis.summary(db, user, received)
    pareto = complaint_analysis.pareto(db, user, received)
    vital = complaint_analysis.vital_few(pareto)
    vital_share = float(pareto.loc[pareto["vital_few"], "share"].sum()) * 100 if len(pareto) else None
    timely = number(summary.get("timely_share"))
    figures = [
        Figure(
            name="Complaints received",
            value=int(summary.get("complaints") or 0),
            style="count",
            definition="Complaints whose received date falls in the quarter.",
        ),
        Figure(
            name="Resolved in time",
            value=None if timely is None else timely * 100,
            style="percent",
            unit="%",
            definition="Share of the quarter's complaints with a timely flag that were answered in time.",
        ),
        Figure(
            name="Median days to resolve",
            value=number(summary.get("median_resolution_days")),
            style="decimal",
            unit="days",
            definition="Median of the days from receipt to resolution of the quarter's resolved complaints.",
        ),
        Figure(
            name="Vital few",
            value=", ".join(vital) or None,
            style="text",
            definition="Smallest set of categories, largest first, whose cumulative share reaches 80 % (Pareto).",
        ),
        Figure(
            name="Share in the vital few",
            value=vital_share,
            style="percent",
            unit="%",
            definition="Share of the quarter's complaints that fall in the vital-few categories.",
        ),
    ]
    top = pareto.head(10)
    rows = chart_rows(
        [
            (row.category, row.complaints, "Vital few" if row.vital_few else "Other")
            for row in top.itertuples(index=False)
        ]
    )
    chart = Chart(title="Complaints by category (largest ten)", measure="Complaints", rows=rows, legend="Pareto")
    return Section(key="complaints", title="Complaints and the vital few", figures=figures, chart=chart)


def actions_section(db: Database, start: date, end: date) -> Section:
    counts = action_history.period_summary(db, start, end)
    names = {"created": "Actions created", "done": "Actions done", "open": "Actions open", "overdue": "Actions overdue"}
    figures = [
        Figure(name=names[key], value=counts[key], style="count", definition=action_history.PERIOD_DEFINITIONS[key])
        for key in names
    ]
    rows = chart_rows([(names[key], counts[key]) for key in names])
    return Section(
        key="actions",
        title="Action plan",
        figures=figures,
        chart=Chart(title="Actions in the quarter", measure="Actions", rows=rows),
    )


def _speakup_figures(report: dict[str, Any]) -> list[Figure]:
    counts = (
        ("Ideas submitted", "submitted", "Ideas posted in the cycle, carried-in ones included."),
        ("Ideas shortlisted", "shortlisted", "Ideas of the cycle that moderators shortlisted."),
        ("Ideas green-lit", "green_lit", "Ideas whose score reached the threshold with enough judges."),
        ("Ideas implemented", "implemented", "Green-lit ideas of the cycle implemented so far."),
    )
    figures = [Figure(name=name, value=report[key], style="count", definition=text) for name, key, text in counts]
    figures.append(
        Figure(
            name="Agents who took part",
            value=float(report["participation"]) * 100,
            style="percent",
            unit="%",
            definition="Agents who authored or co-authored an idea of the cycle, of the agents employed in its window.",
        )
    )
    money = (
        ("Projected annual savings", "projected_annual_savings", "Annual savings of the cycle's green-lit ideas."),
        (
            "Projected net annual benefit",
            "projected_net_annual_benefit",
            "Savings + extra revenue − running cost of the green-lit ideas, a year.",
        ),
        ("Realised savings", "realised_savings", "Savings the owners of the green-lit ideas report realised so far."),
    )
    currency = get_settings().currency
    figures += [
        Figure(name=name, value=float(report[key] or 0), style="money", unit=currency, definition=text)
        for name, key, text in money
    ]
    return figures


def speakup_section(db: Database, user: CurrentUser, start: date, end: date) -> Section:
    cycles = [c for c in list_cycles(db) if start <= c.speakup_day <= end]
    if not cycles:
        return Section(key="speakup", title="Speak-Up cycle", figures=[], note="No Speak-Up Day in this quarter.")
    cycle = max(cycles, key=lambda c: (c.speakup_day, c.id))
    report = cycle_report.cycle_report(db, user, cycle.id)
    funnel = cycle_report.funnel(db, user, cycle.id)
    rows = chart_rows([(row.stage, row.ideas) for row in funnel.itertuples(index=False)])
    return Section(
        key="speakup",
        title=f"Speak-Up cycle {cycle.name}",
        figures=_speakup_figures(report),
        note=f"Speak-Up Day {cycle.speakup_day:%Y-%m-%d}. {cycle_report.REPORT_RULE}",
        chart=Chart(title="Idea funnel", measure="Ideas", rows=rows),
    )


def training_section(db: Database, user: CurrentUser, as_of: date) -> Section:
    group = training_compliance.group_compliance(db, user, on=as_of)
    figures = [
        Figure(
            name="Training compliance",
            value=group.rate,
            style="percent",
            unit="%",
            definition="Mandatory assignments due by the report day completed on time and still valid, of those due.",
        ),
        Figure(
            name="Assignments due",
            value=group.due,
            style="count",
            definition="Mandatory assignments due by the report day, not cancelled, of people employed then.",
        ),
        Figure(
            name="Assignments overdue",
            value=group.overdue,
            style="count",
            definition="Of those, the ones still not completed on the report day.",
        ),
        Figure(
            name="People with training expiring",
            value=group.expiring,
            style="count",
            definition="People whose valid completion of a mandatory course expires within 30 days of the report day.",
        ),
    ]
    teams = training_compliance.team_summary(db, user, on=as_of)
    teams = teams[teams["team"] != "All teams"]
    rows = chart_rows([(row.team, row.compliance) for row in teams.itertuples(index=False)])
    return Section(
        key="training",
        title="Training compliance",
        figures=figures,
        note=training_compliance.DEFINITION,
        chart=Chart(title="Compliance by team", measure="Compliance (%)", rows=rows),
    )


def coaching_section(db: Database, user: CurrentUser, start: date, end: date) -> Section:
    months = coaching_report.integrated_share(db, user, start, end)
    sessions = int(months["sessions"].sum()) if len(months) else 0
    integrated = int(months["integrated_sessions"].sum()) if len(months) else 0
    figures = [
        Figure(name="Coaching sessions", value=sessions, style="count", definition="Sessions held in the quarter."),
        Figure(
            name="Integrated sessions",
            value=integrated,
            style="count",
            definition="Short sessions on the floor during the working day.",
        ),
        Figure(
            name="Scheduled sessions",
            value=sessions - integrated,
            style="count",
            definition="Sessions booked away from the floor.",
        ),
        Figure(
            name="Integrated share",
            value=round(100.0 * integrated / sessions, 1) if sessions else None,
            style="percent",
            unit="%",
            definition="Integrated sessions of all sessions held in the quarter.",
        ),
    ]
    rows: list[ChartRow] = []
    if len(months):
        teams = months.groupby("team", sort=True)[["sessions", "integrated_sessions"]].sum()
        rows = chart_rows(
            [(team, round(100.0 * row.integrated_sessions / row.sessions, 1)) for team, row in teams.iterrows()]
        )
    return Section(
        key="coaching",
        title="Coaching mix",
        figures=figures,
        chart=Chart(title="Integrated share by team", measure="Integrated sessions (%)", rows=rows),
    )


def recognition_section(db: Database, start: date, end: date) -> Section:
    summary = recognition_summary.period_summary(db, start, end)
    text = recognition_summary.DEFINITIONS
    figures = [
        Figure(name="Kudos given", value=summary.kudos, style="count", definition=text["kudos"]),
        Figure(name="People recognised", value=summary.people_recognised, style="count", definition=text["people"]),
        Figure(name="Badges awarded", value=summary.badges, style="count", definition=text["badges"]),
    ]
    rows = chart_rows([(kind, count) for kind, count in summary.badges_by_kind.items()])
    return Section(
        key="recognition",
        title="Recognition",
        figures=figures,
        chart=Chart(title="Badges awarded by kind", measure="Badges", rows=rows),
    )


def engagement_section(db: Database, user: CurrentUser, start: date, end: date, today: date) -> Section:
    threshold = anonymity_threshold()
    rule = (
        "eNPS = % promoters (9–10) − % detractors (0–6). Only closed surveys have results; the organisation, "
        f"a team or a site with fewer than {threshold} answers is not shown (anonymity threshold)."
    )
    surveys = [s for s in list_surveys(db) if start <= s.closed_on <= end and s.state(today) == "closed"]
    if not surveys:
        return Section(key="engagement", title="Engagement", figures=[], note=f"No pulse survey closed. {rule}")
    figures: list[Figure] = []
    rows: list[ChartRow] = []
    for survey in sorted(surveys, key=lambda s: (s.closed_on, s.id)):
        results = engagement_results.survey_results(db, user, survey.id, today=today)
        enps = results.organisation.enps if results.organisation else None
        figures += [
            Figure(
                name=f"eNPS — {survey.title}",
                value=enps,
                style="signed",
                unit="points",
                definition=f"Organisation's eNPS of the survey closed {survey.closed_on:%Y-%m-%d}; — below the "
                f"threshold of {threshold} answers.",
            ),
            Figure(
                name=f"Participation — {survey.title}",
                value=round(100.0 * results.answered / results.asked, 1) if results.asked else None,
                style="percent",
                unit="%",
                definition="People who answered, of the people the survey asked.",
            ),
            Figure(
                name=f"Teams shown — {survey.title}",
                value=len(results.teams),
                style="count",
                definition="Teams with enough answers to show, without revealing a hidden team by subtraction.",
            ),
        ]
        several = len(surveys) > 1
        rows += chart_rows(
            [(f"{team.name} — {survey.title}" if several else team.name, team.enps) for team in results.teams]
        )
    chart = Chart(title="eNPS by team (teams that may be shown)", measure="eNPS", rows=rows)
    return Section(key="engagement", title="Engagement (eNPS)", figures=figures, note=rule, chart=chart)


def customers_section(db: Database, user: CurrentUser, start: date, end: date) -> Section:
    answers = customer_scores.ScoreFilter(date_from=start, date_to=end)
    figures: list[Figure] = []
    styles = {"nps": ("NPS", "signed", "points"), "csat": ("CSAT", "percent", "%"), "ces": ("CES", "decimal", "1–7")}
    for code, (name, style, unit) in styles.items():
        overall = customer_scores.scores(db, user, code, (), answers)
        row = overall.iloc[0] if len(overall) else {}
        figures.append(
            Figure(
                name=name,
                value=number(row.get("value")) if int(row.get("answers", 0) or 0) else None,
                style=style,  # type: ignore[arg-type]
                unit=unit,
                definition=customer_scores.DEFINITIONS[code],
            )
        )
        figures.append(
            Figure(
                name=f"{name} answers",
                value=int(row.get("answers", 0) or 0),
                style="count",
                definition=f"Customer answers to the {name} question in the quarter.",
            )
        )
    by_channel = customer_scores.scores(db, user, "nps", ("channel",), answers)
    rows = chart_rows([(row.channel, row.value) for row in by_channel.itertuples(index=False)])
    return Section(
        key="customers",
        title="Voice of the customer",
        figures=figures,
        chart=Chart(title="NPS by channel", measure="NPS", rows=rows),
    )


def standards_section(db: Database, user: CurrentUser, start: date, end: date) -> Section:
    by_standard = standards_compliance.compliance_by_standard(db, user, start, end)
    checks = int(by_standard["checks"].sum()) if len(by_standard) else 0
    failed = int(by_standard["failed"].sum()) if len(by_standard) else 0
    failing = standards_compliance.failing_standards(db, user, start, end)
    figures = [
        Figure(
            name="Service-standard compliance",
            value=round(100.0 * (checks - failed) / checks, 1) if checks else None,
            style="percent",
            unit="%",
            definition=standards_compliance.COMPLIANCE_DEFINITION.split(", per standard")[0] + ", over the quarter.",
        ),
        Figure(name="Checks made", value=checks, style="count", definition="Standard checks in the quarter's audits."),
        Figure(
            name="Standards failing repeatedly",
            value=len(failing),
            style="count",
            definition=f"Standards that failed {standards_compliance.REPEATED_FAILURES} or more checks in the quarter.",
        ),
    ]
    rows = chart_rows([(row.code, row.compliance) for row in by_standard.itertuples(index=False)])
    return Section(
        key="standards",
        title="Service standards",
        figures=figures,
        chart=Chart(title="Compliance by standard", measure="Compliance (%)", rows=rows),
    )
