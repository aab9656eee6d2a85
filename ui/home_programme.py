"""Home sections of the programme at a glance: goals, complaints, the action plan, the
Speak-Up cycle, training compliance, engagement, customer feedback and service standards."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from models.access import CurrentUser
from models.db import Database
from models.home import programme
from models.i18n import N_, _, current_language, format_date, format_number, format_signed, ngettext
from models.strategy.goals import STATUS_LABELS
from models.training.courses import catalogue_titles
from ui.home_tiles import bar_chart, line_chart, link, percent, tiles
from ui.ideas import day, funnel_chart, plain
from ui.text import escape_markdown
from ui.widgets import download_buttons, show_table

STATUS_HELP = {  # marked for the catalogue; shown with _()
    "off_track": N_(
        "Goals whose progress is more than 25 points behind the time elapsed, or whose target date passed."
    ),
    "at_risk": N_("Goals whose progress is 10 to 25 points behind the share of time elapsed."),
    "stale": N_("Goals without a measurement within their update frequency."),
    "on_track": N_("Goals whose progress is no more than 10 points behind the share of time elapsed."),
    "achieved": N_("Goals whose KPI has reached its target."),
}


def period_day(value: date) -> str:
    """A day of a period a definition names: "2026-03-05" in English, as it has always read;
    the language's own form otherwise."""
    return value.isoformat() if current_language() == "en" else format_date(value)


def render_goals(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.goals_at_a_glance(db, user, as_of)
    tiles([(_(STATUS_LABELS[s]), n, _(STATUS_HELP[s])) for s, n in glance.counts.items()])
    if glance.goals:
        frame = pd.DataFrame(
            [
                {
                    "goal": g.name,
                    "status": _(g.status.label) if g.status else "",
                    "why": g.status.reason if g.status else "",
                }
                for g in glance.goals
            ]
        )
        show_table(
            frame,
            labels={"goal": _("Goal"), "status": _("Status"), "why": _("Why")},
            key="home_goals",
            height=min(36 * (len(frame) + 1), 250),
        )
        download_buttons(frame, _("goals"), "home_goals_download")
    else:
        st.info(_("No goals are set yet."))
    link(user, "pages/goals.py", _("Goals and their measurements"))


def render_complaints(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.complaints_at_a_glance(db, user, as_of)
    first, last = glance.period
    tiles(
        [
            (
                _("Complaints, last 90 days"),
                format_number(glance.complaints),
                _("Complaints received {first} to {last}.", first=period_day(first), last=period_day(last)),
            ),
            (
                _("Vital few"),
                len(glance.vital_few),
                _("The fewest categories that together make up 80 % of the last 90 days' complaints."),
            ),
        ]
    )
    if glance.vital_few:
        categories = " · ".join(escape_markdown(category) for category in glance.vital_few)
        st.caption(_("Vital few: {categories}", categories=categories))
    if glance.tied_at_the_line:
        categories = " · ".join(map(escape_markdown, glance.tied_at_the_line))
        st.caption(_("As many complaints as the last of them: {categories}", categories=categories))
    if glance.volume.empty:
        st.info(_("No complaints were received in the last twelve months."))
    else:
        line_chart(
            glance.volume,
            "month:T",
            "complaints:Q",
            _("Month"),
            _("Complaints"),
            [("month:T", _("Month")), ("complaints:Q", _("Complaints"))],
        )
    link(user, "pages/complaints_analysis.py", _("Complaint analysis"))


def render_actions(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.actions_at_a_glance(db, user, as_of)
    summary = glance.summary
    tiles(
        [
            (
                _("Done"),
                _("{done} of {due}", done=format_number(summary["done"]), due=format_number(glance.active)),
                _("Actions done, of every action not cancelled."),
            ),
            (_("In progress"), summary["in_progress"], _("Actions being worked on now.")),
            (_("Overdue"), summary["overdue"], _("Planned, in-progress or blocked actions past their due date.")),
        ]
    )
    if glance.overdue:
        frame = pd.DataFrame([{"action": a.title, "owner": a.owner_name, "due": a.due_date} for a in glance.overdue])
        show_table(
            frame.head(5),
            labels={"action": _("Action"), "owner": _("Owner"), "due": _("Due")},
            key="home_overdue_actions",
        )
        download_buttons(frame, _("overdue-actions"), "home_overdue_actions_download")  # all of them, not the five
    link(user, "pages/actions.py", _("Action plan"))


def render_speakup(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.speakup_at_a_glance(db, user, as_of)
    cycle = glance.cycle
    if glance.open_for_ideas and cycle is not None:
        days = glance.days_left or 0
        st.info(
            ngettext(
                "{cycle} is open for ideas: {n} day left (until {closes}); Speak-Up Day is {speakup_day}. "
                "Bring an improvement with its business case under **{page}**.",
                "{cycle} is open for ideas: {n} days left (until {closes}); Speak-Up Day is {speakup_day}. "
                "Bring an improvement with its business case under **{page}**.",
                days,
                n=format_number(days),
                cycle=plain(cycle.name),
                closes=day(cycle.submission_closes),
                speakup_day=day(cycle.speakup_day),
                page=_("Submit & my ideas"),
            ),
            icon=":material/lightbulb:",
        )
    elif glance.next_opening is not None:
        st.info(_("No Speak-Up cycle is open; the next opens on {date}.", date=day(glance.next_opening)))
    elif cycle is not None and cycle.phase != "closed":
        st.info(
            _(
                "{cycle} is {phase}: no new ideas until the next cycle; Speak-Up Day is {speakup_day}.",
                cycle=plain(cycle.name),
                phase=cycle.phase_label.lower(),
                speakup_day=day(cycle.speakup_day),
            )
        )
    else:
        st.info(_("No Speak-Up cycle is open and none is planned yet."))
    if glance.my_ideas:
        ideas = " · ".join(f"{plain(i.title)} ({i.status_label})" for i in glance.my_ideas[:4])
        st.caption(_("My ideas: {ideas}", ideas=ideas))
    else:
        st.caption(_("You have not brought an idea yet."))
    if glance.funnel is not None and cycle is not None:
        st.altair_chart(funnel_chart(glance.funnel, _("Ideas in {cycle}", cycle=cycle.name)), width="stretch")
    link(user, "pages/my_ideas.py", _("Submit & my ideas"))
    link(user, "pages/speakup_report.py", _("Cycle report"))


def render_training(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.training_at_a_glance(db, user, as_of)
    figures = glance.compliance
    if glance.everyone:
        st.caption(_("Mandatory training of the organisation today."))
        definition = _(
            "Of the organisation's mandatory assignments due so far, the share completed by their due date "
            "and still valid."
        )
    else:
        st.caption(_("Mandatory training of your team today."))
        definition = _(
            "Of your team's mandatory assignments due so far, the share completed by their due date and still valid."
        )
    tiles(
        [
            (_("Compliance"), percent(figures.rate, none=_("Nothing due yet")), definition),
            (_("Overdue"), figures.overdue, _("Mandatory assignments past their due date and not completed.")),
            (
                _("Expiring in 30 days"),
                figures.expiring,
                _("People whose valid completion of a course expires within 30 days."),
            ),
        ]
    )
    if not glance.overdue.empty:
        overdue = catalogue_titles(glance.overdue)[["person", "course", "days_overdue"]]
        show_table(
            overdue,
            labels={"person": _("Person"), "course": _("Course"), "days_overdue": _("Days overdue")},
            key="home_overdue_training",
        )
        download_buttons(overdue, _("overdue-training"), "home_overdue_training_download")
    link(user, "pages/training_compliance.py", _("Training compliance"))


def render_engagement(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.engagement_at_a_glance(db, user, as_of)
    latest = glance.latest
    if latest is None:
        st.info(_("No pulse survey has closed yet."))
    else:
        items = [
            (
                _("eNPS {quarter}", quarter=latest.quarter),
                _("Too few answers to show") if latest.enps is None else format_signed(latest.enps),
                _("Promoters (9–10) minus detractors (0–6), in % of the answers to the latest closed survey."),
            )
        ]
        if glance.participation is not None:
            answered, asked = glance.participation
            share = round(100 * answered / asked, 1) if asked else None
            items.append(
                (
                    _("Participation"),
                    percent(share, none=_("Nobody was asked")),
                    ngettext(
                        "{answered} of {n} person asked answered the latest closed survey.",
                        "{answered} of {n} people asked answered the latest closed survey.",
                        asked,
                        answered=format_number(answered),
                        n=format_number(asked),
                    ),
                )
            )
        tiles(items)
        trend = pd.DataFrame([point.model_dump() for point in glance.trend]).dropna(subset=["enps"])
        if len(trend) > 1:
            line_chart(
                trend,
                "quarter:N",
                "enps:Q",
                _("Quarter"),
                "eNPS",
                [("quarter:N", _("Quarter")), ("enps:Q", "eNPS"), ("answers:Q", _("Answers"))],
            )
    link(user, "pages/engagement_results.py", _("Engagement results"))


def render_customers(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.customers_at_a_glance(db, user, as_of)
    if glance.nps.empty and glance.csat.empty:
        st.info(_("No customer survey answers in the last 90 days."))
    else:
        items = []
        for code, label, frame, definition in (
            (
                "nps",
                _("NPS, last 90 days"),
                glance.nps,
                _("Promoters (9–10) minus detractors (0–6), in % of NPS answers."),
            ),
            ("csat", _("CSAT, last 90 days"), glance.csat, _("Satisfied answers (4–5 of 5), in % of CSAT answers.")),
        ):
            if not frame.empty:
                value = frame["value"].iloc[0]
                items.append((label, format_signed(value) if code == "nps" else percent(value, none=""), definition))
        tiles(items)
        bar_chart(
            glance.by_channel.assign(measure=glance.by_channel["measure"].map(lambda measure: _(measure))),
            "value:Q",
            "channel:N",
            _("Score"),
            [
                ("measure:N", _("Measure")),
                ("channel:N", _("Channel")),
                ("value:Q", _("Score")),
                ("answers:Q", _("Answers")),
            ],
            "measure:N",
        )
    link(user, "pages/customer_feedback.py", _("Customer feedback"))


def render_standards(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.standards_at_a_glance(db, user, as_of)
    if not glance.checks:
        st.info(_("No mystery audit in the last 90 days."))
    else:
        tiles(
            [
                (
                    _("Compliance (90 days)"),
                    percent(glance.compliance, none=_("No checks")),
                    _("Checks that complied, of every check made in the mystery audits of the last 90 days."),
                ),
                (
                    _("Audit checks"),
                    format_number(glance.checks),
                    _("Standards checked in the mystery audits of the last 90 days."),
                ),
                (
                    _("Failing repeatedly"),
                    len(glance.failing),
                    _("Standards that failed in three or more audits of the last 90 days."),
                ),
            ]
        )
        lowest = glance.by_standard.head(5)[["standard", "compliance", "checks"]]
        bar_chart(
            lowest,
            "compliance:Q",
            "standard:N",
            _("Compliance (%)"),
            [("standard:N", _("Standard")), ("compliance:Q", _("Compliance (%)")), ("checks:Q", _("Checks"))],
        )
    link(user, "pages/mystery_audits.py", _("Mystery audits"))
