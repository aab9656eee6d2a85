"""Home sections of the programme at a glance: goals, complaints, the action plan, the
Speak-Up cycle, training compliance, engagement, customer feedback and service standards."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from models.access import CurrentUser
from models.db import Database
from models.home import programme
from models.strategy.goals import STATUS_LABELS
from ui.home_tiles import bar_chart, line_chart, link, percent, signed, tiles
from ui.ideas import funnel_chart, plain
from ui.text import escape_markdown
from ui.widgets import show_table

STATUS_HELP = {
    "off_track": "Goals whose progress is more than 25 points behind the time elapsed, or whose target date passed.",
    "at_risk": "Goals whose progress is 10 to 25 points behind the share of time elapsed.",
    "stale": "Goals without a measurement within their update frequency.",
    "on_track": "Goals whose progress is no more than 10 points behind the share of time elapsed.",
    "achieved": "Goals whose KPI has reached its target.",
}


def render_goals(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.goals_at_a_glance(db, user, as_of)
    tiles([(STATUS_LABELS[s], n, STATUS_HELP[s]) for s, n in glance.counts.items()])
    if glance.goals:
        frame = pd.DataFrame(
            [
                {
                    "goal": g.name,
                    "status": g.status.label if g.status else "",
                    "why": g.status.reason if g.status else "",
                }
                for g in glance.goals
            ]
        )
        show_table(frame, key="home_goals", height=min(36 * (len(frame) + 1), 250))
    else:
        st.info("No goals are set yet.")
    link(user, "pages/goals.py", "Goals and their measurements")


def render_complaints(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.complaints_at_a_glance(db, user, as_of)
    first, last = glance.period
    tiles(
        [
            ("Complaints, last 90 days", f"{glance.complaints:,}", f"Complaints received {first} to {last}."),
            (
                "Vital few",
                len(glance.vital_few),
                "The fewest categories that together make up 80 % of the last 90 days' complaints.",
            ),
        ]
    )
    if glance.vital_few:
        st.caption("Vital few: " + " · ".join(escape_markdown(category) for category in glance.vital_few))
    if glance.tied_at_the_line:
        st.caption(
            "As many complaints as the last of them: " + " · ".join(map(escape_markdown, glance.tied_at_the_line))
        )
    if glance.volume.empty:
        st.info("No complaints were received in the last twelve months.")
    else:
        line_chart(glance.volume, "month:T", "complaints:Q", "Month", "Complaints", ["month:T", "complaints:Q"])
    link(user, "pages/complaints_analysis.py", "Complaint analysis")


def render_actions(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.actions_at_a_glance(db, user, as_of)
    summary = glance.summary
    tiles(
        [
            ("Done", f"{summary['done']} of {glance.active}", "Actions done, of every action not cancelled."),
            ("In progress", summary["in_progress"], "Actions being worked on now."),
            ("Overdue", summary["overdue"], "Planned, in-progress or blocked actions past their due date."),
        ]
    )
    if glance.overdue:
        frame = pd.DataFrame(
            [{"action": a.title, "owner": a.owner_name, "due": a.due_date} for a in glance.overdue[:5]]
        )
        show_table(frame, key="home_overdue_actions")
    link(user, "pages/actions.py", "Action plan")


def render_speakup(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.speakup_at_a_glance(db, user, as_of)
    cycle = glance.cycle
    if glance.open_for_ideas and cycle is not None:
        days = glance.days_left
        st.info(
            f"{plain(cycle.name)} is open for ideas: {days} day{'s' if days != 1 else ''} left "
            f"(until {cycle.submission_closes:%d %b %Y}); Speak-Up Day is {cycle.speakup_day:%d %b %Y}. "
            "Bring an improvement with its business case under **Submit & my ideas**.",
            icon=":material/lightbulb:",
        )
    elif glance.next_opening is not None:
        st.info(f"No Speak-Up cycle is open; the next opens on {glance.next_opening:%d %b %Y}.")
    elif cycle is not None and cycle.phase != "closed":
        st.info(
            f"{plain(cycle.name)} is {cycle.phase_label.lower()}: no new ideas until the next cycle; "
            f"Speak-Up Day is {cycle.speakup_day:%d %b %Y}."
        )
    else:
        st.info("No Speak-Up cycle is open and none is planned yet.")
    if glance.my_ideas:
        st.caption("My ideas: " + " · ".join(f"{plain(i.title)} ({i.status_label})" for i in glance.my_ideas[:4]))
    else:
        st.caption("You have not brought an idea yet.")
    if glance.funnel is not None and cycle is not None:
        st.altair_chart(funnel_chart(glance.funnel, f"Ideas in {cycle.name}"), width="stretch")
    link(user, "pages/my_ideas.py", "Submit & my ideas")
    link(user, "pages/speakup_report.py", "Cycle report")


def render_training(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.training_at_a_glance(db, user, as_of)
    figures = glance.compliance
    who = "the organisation's" if glance.everyone else "your team's"
    st.caption(f"Mandatory training of {'the organisation' if glance.everyone else 'your team'} today.")
    tiles(
        [
            (
                "Compliance",
                percent(figures.rate, none="Nothing due yet"),
                f"Of {who} mandatory assignments due so far, the share completed by their due date and still valid.",
            ),
            ("Overdue", figures.overdue, "Mandatory assignments past their due date and not completed."),
            (
                "Expiring in 30 days",
                figures.expiring,
                "People whose valid completion of a course expires within 30 days.",
            ),
        ]
    )
    if not glance.overdue.empty:
        show_table(glance.overdue[["person", "course", "days_overdue"]], key="home_overdue_training")
    link(user, "pages/training_compliance.py", "Training compliance")


def render_engagement(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.engagement_at_a_glance(db, user, as_of)
    latest = glance.latest
    if latest is None:
        st.info("No pulse survey has closed yet.")
    else:
        items = [
            (
                f"eNPS {latest.quarter}",
                "Too few answers to show" if latest.enps is None else signed(latest.enps),
                "Promoters (9–10) minus detractors (0–6), in % of the answers to the latest closed survey.",
            )
        ]
        if glance.participation is not None:
            answered, asked = glance.participation
            share = round(100 * answered / asked, 1) if asked else None
            items.append(
                (
                    "Participation",
                    percent(share, none="Nobody was asked"),
                    f"{answered} of {asked} people asked answered the latest closed survey.",
                )
            )
        tiles(items)
        trend = pd.DataFrame([point.model_dump() for point in glance.trend]).dropna(subset=["enps"])
        if len(trend) > 1:
            line_chart(trend, "quarter:N", "enps:Q", "Quarter", "eNPS", ["quarter:N", "enps:Q", "answers:Q"])
    link(user, "pages/engagement_results.py", "Engagement results")


def render_customers(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.customers_at_a_glance(db, user, as_of)
    if glance.nps.empty and glance.csat.empty:
        st.info("No customer survey answers in the last 90 days.")
    else:
        items = []
        for label, frame, definition in (
            ("NPS, last 90 days", glance.nps, "Promoters (9–10) minus detractors (0–6), in % of NPS answers."),
            ("CSAT, last 90 days", glance.csat, "Satisfied answers (4–5 of 5), in % of CSAT answers."),
        ):
            if not frame.empty:
                value = frame["value"].iloc[0]
                items.append((label, signed(value) if "NPS" in label else f"{value:.1f} %", definition))
        tiles(items)
        bar_chart(
            glance.by_channel,
            "value:Q",
            "channel:N",
            "Score",
            ["measure:N", "channel:N", ("value:Q", "Score"), "answers:Q"],
            "measure:N",
        )
    link(user, "pages/customer_feedback.py", "Customer feedback")


def render_standards(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = programme.standards_at_a_glance(db, user, as_of)
    if not glance.checks:
        st.info("No mystery audit in the last 90 days.")
    else:
        tiles(
            [
                (
                    "Compliance (90 days)",
                    percent(glance.compliance, none="No checks"),
                    "Checks that complied, of every check made in the mystery audits of the last 90 days.",
                ),
                ("Audit checks", f"{glance.checks:,}", "Standards checked in the mystery audits of the last 90 days."),
                (
                    "Failing repeatedly",
                    len(glance.failing),
                    "Standards that failed in three or more audits of the last 90 days.",
                ),
            ]
        )
        lowest = glance.by_standard.head(5)[["standard", "compliance", "checks"]]
        bar_chart(
            lowest,
            "compliance:Q",
            "standard:N",
            "Compliance (%)",
            ["standard:N", ("compliance:Q", "Compliance (%)"), "checks:Q"],
        )
    link(user, "pages/mystery_audits.py", "Mystery audits")
