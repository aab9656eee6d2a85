"""The sections of the quarterly programme report, one builder per area: each takes its
figures from the area's own functions for the quarter (as of its last day) and adds a
one-line definition to each, and the data of the section's chart.

Every word is written in the current language as the report is built (the language of the
person who builds it); names people gave — teams, surveys, cycles, categories — stay as given."""

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
from models.figures import share
from models.i18n import N_, _, pgettext
from models.recognition import summary as recognition_summary
from models.reports.records import Chart, ChartRow, Figure, Section, chart_rows, number, short_date
from models.settings import get_settings
from models.speakup import cycle_report
from models.speakup.cycles import list_cycles
from models.standards import compliance as standards_compliance
from models.strategy import goals as strategy_goals
from models.training import compliance as training_compliance

if TYPE_CHECKING:
    from models.db import Database


# "Goals at risk": each figure's whole name, so that each language says it its own way
_GOALS_BY_STATUS = {
    "achieved": N_("Goals achieved"),
    "on_track": N_("Goals on track"),
    "at_risk": N_("Goals at risk"),
    "off_track": N_("Goals off track"),
    "stale": N_("Goals stale"),
}


def goals_section(db: Database, as_of: date) -> Section:
    counts = strategy_goals.status_counts(db, today=as_of)
    total = sum(counts.values())
    figures = [Figure(name=_("Goals"), value=total, style="count", definition=_("Active goals of the strategy."))]
    for status, name in _GOALS_BY_STATUS.items():
        figures.append(
            Figure(
                name=_(name),
                value=counts[status],
                style="count",
                definition=_(
                    "Goals whose status computed on the report day is {status} (SPEC §2 status rule).",
                    status=_(strategy_goals.STATUS_LABELS[status]).lower(),
                ),
            )
        )
    rows = chart_rows([(_(strategy_goals.STATUS_LABELS[s]), counts[s]) for s in strategy_goals.STATUS_ORDER])
    return Section(
        key="goals",
        title=_("Goals at quarter end"),
        figures=figures,
        chart=Chart(title=_("Goals by status"), measure=_("Goals"), rows=rows),
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
            name=_("Complaints received"),
            value=int(summary.get("complaints") or 0),
            style="count",
            definition=_("Complaints whose received date falls in the quarter."),
        ),
        Figure(
            name=_("Resolved in time"),
            value=None if timely is None else timely * 100,
            style="percent",
            unit="%",
            definition=_("Share of the quarter's complaints with a timely flag that were answered in time."),
        ),
        Figure(
            name=_("Median days to resolve"),
            value=number(summary.get("median_resolution_days")),
            style="decimal",
            unit=_("days"),
            definition=_("Median of the days from receipt to resolution of the quarter's resolved complaints."),
        ),
        Figure(
            name=_("Vital few"),
            value=", ".join(vital) or None,
            style="text",
            definition=_("Smallest set of categories, largest first, whose cumulative share reaches 80 % (Pareto)."),
        ),
        Figure(
            name=_("Share in the vital few"),
            value=vital_share,
            style="percent",
            unit="%",
            definition=_("Share of the quarter's complaints that fall in the vital-few categories."),
        ),
    ]
    top = pareto.head(10)
    vital_group, other_group = _("Vital few"), _("Other")
    rows = chart_rows(
        [
            (row.category, row.complaints, vital_group if row.vital_few else other_group)
            for row in top.itertuples(index=False)
        ]
    )
    chart = Chart(
        title=_("Complaints by category (largest ten)"), measure=_("Complaints"), rows=rows, legend=_("Pareto")
    )
    return Section(key="complaints", title=_("Complaints and the vital few"), figures=figures, chart=chart)


_ACTION_FIGURES = {
    "created": N_("Actions created"),
    "done": N_("Actions done"),
    "open": N_("Actions open"),
    "overdue": N_("Actions overdue"),
}


def actions_section(db: Database, start: date, end: date) -> Section:
    counts = action_history.period_summary(db, start, end)
    names = {key: _(name) for key, name in _ACTION_FIGURES.items()}
    figures = [
        Figure(name=names[key], value=counts[key], style="count", definition=_(action_history.PERIOD_DEFINITIONS[key]))
        for key in names
    ]
    rows = chart_rows([(names[key], counts[key]) for key in names])
    return Section(
        key="actions",
        title=_("Action plan"),
        figures=figures,
        chart=Chart(title=_("Actions in the quarter"), measure=_("Actions"), rows=rows),
    )


_IDEA_COUNTS = (
    (N_("Ideas submitted"), "submitted", N_("Ideas posted in the cycle, carried-in ones included.")),
    (N_("Ideas shortlisted"), "shortlisted", N_("Ideas of the cycle that moderators shortlisted.")),
    (N_("Ideas green-lit"), "green_lit", N_("Ideas whose score reached the threshold with enough judges.")),
    (N_("Ideas implemented"), "implemented", N_("Green-lit ideas of the cycle implemented so far.")),
)
_IDEA_MONEY = (
    (N_("Projected annual savings"), "projected_annual_savings", N_("Annual savings of the cycle's green-lit ideas.")),
    (
        N_("Projected net annual benefit"),
        "projected_net_annual_benefit",
        N_("Savings + extra revenue − running cost of the green-lit ideas, a year."),
    ),
    (
        N_("Realised savings"),
        "realised_savings",
        N_("Savings the owners of the green-lit ideas report realised so far."),
    ),
)


def _speakup_figures(report: dict[str, Any]) -> list[Figure]:
    figures = [
        Figure(name=_(name), value=report[key], style="count", definition=_(text)) for name, key, text in _IDEA_COUNTS
    ]
    figures.append(
        Figure(
            name=_("Agents who took part"),
            value=float(report["participation"]) * 100,
            style="percent",
            unit="%",
            definition=_(
                "Agents who authored or co-authored an idea of the cycle, of the agents employed in its window."
            ),
        )
    )
    currency = get_settings().currency
    figures += [
        Figure(name=_(name), value=float(report[key] or 0), style="money", unit=currency, definition=_(text))
        for name, key, text in _IDEA_MONEY
    ]
    return figures


def speakup_section(db: Database, user: CurrentUser, start: date, end: date) -> Section:
    cycles = [c for c in list_cycles(db) if start <= c.speakup_day <= end]
    if not cycles:
        return Section(key="speakup", title=_("Speak-Up cycle"), figures=[], note=_("No Speak-Up Day in this quarter."))
    cycle = max(cycles, key=lambda c: (c.speakup_day, c.id))
    report = cycle_report.cycle_report(db, user, cycle.id)
    funnel = cycle_report.funnel(db, user, cycle.id)
    rows = chart_rows([(_(row.stage), row.ideas) for row in funnel.itertuples(index=False)])
    day = _("Speak-Up Day {day}.", day=short_date(cycle.speakup_day))
    return Section(
        key="speakup",
        title=_("Speak-Up cycle {name}", name=cycle.name),
        figures=_speakup_figures(report),
        note=f"{day} {_(cycle_report.REPORT_RULE)}",
        chart=Chart(title=_("Idea funnel"), measure=_("Ideas"), rows=rows),
    )


def training_section(db: Database, user: CurrentUser, as_of: date) -> Section:
    group = training_compliance.group_compliance(db, user, on=as_of)
    figures = [
        Figure(
            name=_("Training compliance"),
            value=group.rate,
            style="percent",
            unit="%",
            definition=_(
                "Mandatory assignments due by the report day completed on time and still valid, of those due."
            ),
        ),
        Figure(
            name=_("Assignments due"),
            value=group.due,
            style="count",
            definition=_("Mandatory assignments due by the report day, not cancelled, of people employed then."),
        ),
        Figure(
            name=_("Assignments overdue"),
            value=group.overdue,
            style="count",
            definition=_("Of those, the ones still not completed on the report day."),
        ),
        Figure(
            name=_("People with training expiring"),
            value=group.expiring,
            style="count",
            definition=_(
                "People whose valid completion of a mandatory course expires within 30 days of the report day."
            ),
        ),
    ]
    teams = training_compliance.team_summary(db, user, on=as_of)
    teams = teams[teams["team"] != "All teams"]  # the total row the query adds, named in English
    rows = chart_rows(
        [(training_compliance.team_shown(row.team), row.compliance) for row in teams.itertuples(index=False)]
    )
    return Section(
        key="training",
        title=_("Training compliance"),
        figures=figures,
        note=training_compliance.definition(),
        chart=Chart(title=_("Compliance by team"), measure=pgettext("training", "Compliance (%)"), rows=rows),
    )


def coaching_section(db: Database, user: CurrentUser, start: date, end: date) -> Section:
    months = coaching_report.integrated_share(db, user, start, end)
    sessions = int(months["sessions"].sum()) if len(months) else 0
    integrated = int(months["integrated_sessions"].sum()) if len(months) else 0
    figures = [
        Figure(
            name=_("Coaching sessions"), value=sessions, style="count", definition=_("Sessions held in the quarter.")
        ),
        Figure(
            name=_("Integrated sessions"),
            value=integrated,
            style="count",
            definition=_("Short sessions on the floor during the working day."),
        ),
        Figure(
            name=_("Scheduled sessions"),
            value=sessions - integrated,
            style="count",
            definition=_("Sessions booked away from the floor."),
        ),
        Figure(
            name=_("Integrated share"),
            value=share(integrated, sessions),
            style="percent",
            unit="%",
            definition=_("Integrated sessions of all sessions held in the quarter."),
        ),
    ]
    rows: list[ChartRow] = []
    if len(months):
        teams = months.groupby("team", sort=True)[["sessions", "integrated_sessions"]].sum()
        rows = chart_rows([(team, share(row.integrated_sessions, row.sessions)) for team, row in teams.iterrows()])
    return Section(
        key="coaching",
        title=_("Coaching mix"),
        figures=figures,
        chart=Chart(title=_("Integrated share by team"), measure=_("Integrated sessions (%)"), rows=rows),
    )


def recognition_section(db: Database, start: date, end: date) -> Section:
    summary = recognition_summary.period_summary(db, start, end)
    text = {key: _(definition) for key, definition in recognition_summary.DEFINITIONS.items()}
    figures = [
        Figure(name=_("Kudos given"), value=summary.kudos, style="count", definition=text["kudos"]),
        Figure(name=_("People recognised"), value=summary.people_recognised, style="count", definition=text["people"]),
        Figure(name=_("Badges awarded"), value=summary.badges, style="count", definition=text["badges"]),
    ]
    rows = chart_rows([(_(kind), count) for kind, count in summary.badges_by_kind.items()])
    return Section(
        key="recognition",
        title=_("Recognition"),
        figures=figures,
        chart=Chart(title=_("Badges awarded by kind"), measure=_("Badges"), rows=rows),
    )


def engagement_section(db: Database, user: CurrentUser, start: date, end: date, today: date) -> Section:
    threshold = anonymity_threshold()
    rule = _(
        "eNPS = % promoters (9–10) − % detractors (0–6). Only closed surveys have results; the organisation, "
        "a team or a site with fewer than {threshold} answers is not shown (anonymity threshold).",
        threshold=threshold,
    )
    surveys = [s for s in list_surveys(db) if start <= s.closed_on <= end and s.state(today) == "closed"]
    if not surveys:
        return Section(
            key="engagement",
            title=_("Engagement"),
            figures=[],
            note=_("No pulse survey closed. {rule}", rule=rule),
        )
    figures: list[Figure] = []
    rows: list[ChartRow] = []
    for survey in sorted(surveys, key=lambda s: (s.closed_on, s.id)):
        results = engagement_results.survey_results(db, user, survey.id, today=today)
        enps = results.organisation.enps if results.organisation else None
        figures += [
            Figure(
                name=_("eNPS — {survey}", survey=survey.title),
                value=enps,
                style="signed",
                unit=_("points"),
                definition=_(
                    "Organisation's eNPS of the survey closed {day}; — below the threshold of {threshold} answers.",
                    day=short_date(survey.closed_on),
                    threshold=threshold,
                ),
            ),
            Figure(
                name=_("Participation — {survey}", survey=survey.title),
                value=share(results.answered, results.asked),
                style="percent",
                unit="%",
                definition=_("People who answered, of the people the survey asked."),
            ),
            Figure(
                name=_("Teams shown — {survey}", survey=survey.title),
                value=len(results.teams),
                style="count",
                definition=_("Teams with enough answers to show, without revealing a hidden team by subtraction."),
            ),
        ]
        several = len(surveys) > 1
        rows += chart_rows(
            [(f"{team.name} — {survey.title}" if several else team.name, team.enps) for team in results.teams]
        )
    chart = Chart(title=_("eNPS by team (teams that may be shown)"), measure="eNPS", rows=rows)
    return Section(key="engagement", title=_("Engagement (eNPS)"), figures=figures, note=rule, chart=chart)


def customers_section(db: Database, user: CurrentUser, start: date, end: date) -> Section:
    answers = customer_scores.ScoreFilter(date_from=start, date_to=end)
    figures: list[Figure] = []
    styles = {"nps": ("NPS", "signed", _("points")), "csat": ("CSAT", "percent", "%"), "ces": ("CES", "decimal", "1–7")}
    for code, (name, style, unit) in styles.items():
        overall = customer_scores.scores(db, user, code, (), answers)
        row = overall.iloc[0] if len(overall) else {}
        figures.append(
            Figure(
                name=name,
                value=number(row.get("value")) if int(row.get("answers", 0) or 0) else None,
                style=style,  # type: ignore[arg-type]
                unit=unit,
                definition=_(customer_scores.DEFINITIONS[code]),
            )
        )
        figures.append(
            Figure(
                name=_("{score} answers", score=name),
                value=int(row.get("answers", 0) or 0),
                style="count",
                definition=_("Customer answers to the {score} question in the quarter.", score=name),
            )
        )
    by_channel = customer_scores.scores(db, user, "nps", ("channel",), answers)
    rows = chart_rows([(row.channel, row.value) for row in by_channel.itertuples(index=False)])
    return Section(
        key="customers",
        title=_("Voice of the customer"),
        figures=figures,
        chart=Chart(title=_("NPS by channel"), measure="NPS", rows=rows),
    )


def standards_section(db: Database, user: CurrentUser, start: date, end: date) -> Section:
    by_standard = standards_compliance.compliance_by_standard(db, user, start, end)
    checks = int(by_standard["checks"].sum()) if len(by_standard) else 0
    failed = int(by_standard["failed"].sum()) if len(by_standard) else 0
    failing = standards_compliance.failing_standards(db, user, start, end)
    figures = [
        Figure(
            name=_("Service-standard compliance"),
            value=share(checks - failed, checks),
            style="percent",
            unit="%",
            definition=_("Compliance = checks that complied ÷ checks made, over the quarter."),
        ),
        Figure(
            name=_("Checks made"),
            value=checks,
            style="count",
            definition=_("Standard checks in the quarter's audits."),
        ),
        Figure(
            name=_("Standards failing repeatedly"),
            value=len(failing),
            style="count",
            definition=_(
                "Standards that failed {count} or more checks in the quarter.",
                count=standards_compliance.REPEATED_FAILURES,
            ),
        ),
    ]
    rows = chart_rows([(row.code, row.compliance) for row in by_standard.itertuples(index=False)])
    return Section(
        key="standards",
        title=_("Service standards"),
        figures=figures,
        chart=Chart(title=_("Compliance by standard"), measure=_("Compliance (%)"), rows=rows),
    )
