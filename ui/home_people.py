"""Home sections about people: the person's own next steps, and what team leads, HR,
moderators and administrators look after."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from models.access import CurrentUser
from models.db import Database
from models.home import personal, team
from models.people import overview
from ui.home_tiles import bar_chart, link, percent, tiles
from ui.ideas import plain
from ui.widgets import show_table


# -- the person's own next steps ----------------------------------------------------------------
def render_my_training(db: Database, user: CurrentUser, as_of: date) -> None:
    mine = personal.my_training(db, user, as_of)
    tiles(
        [
            ("Overdue", len(mine.overdue), "Your assigned courses past their due date and not completed."),
            ("Due", len(mine.due), "Your assigned courses not yet due and not completed."),
            ("Expiring", len(mine.expiring), "Courses whose completion stops being valid within 30 days."),
        ]
    )
    upcoming = mine.overdue if len(mine.overdue) else mine.due
    if len(upcoming):
        first = upcoming.iloc[0]
        when = "was due" if len(mine.overdue) else "is due"
        st.caption(f"Next: {plain(first['course'])} {when} on {first['due_on']:%d %b %Y}.")
    elif not len(mine.expiring):
        st.caption("Nothing to do: your training is up to date.")
    link(user, "pages/my_training.py", "My training")


def render_my_development(db: Database, user: CurrentUser, as_of: date) -> None:
    mine = personal.my_development(db, user, as_of)
    tiles(
        [
            (
                "Follow-ups overdue",
                len(mine.overdue_follow_ups),
                "Coaching follow-ups past their due date and not done (a team lead's include their team's).",
            ),
            (
                "Sessions to acknowledge",
                mine.sessions_to_acknowledge,
                "Your coaching sessions you have not acknowledged.",
            ),
            (
                "Assessments to acknowledge",
                len(mine.assessments_to_acknowledge),
                "Your assessments waiting for you to acknowledge or appeal them.",
            ),
        ],
        per_row=2,
    )
    link(user, "pages/coaching_log.py", "Coaching log")
    link(user, "pages/assessments.py", "Assessments")


def render_my_kudos(db: Database, user: CurrentUser, as_of: date) -> None:
    mine = personal.my_kudos(db, user, as_of)
    tiles(
        [
            ("Kudos received", len(mine.received), "Kudos given to you or to your team, all time."),
            ("This month", mine.this_month, "Kudos that reached you this calendar month."),
        ]
    )
    latest = mine.latest
    if latest is not None:
        st.caption(f"Latest, from {plain(latest.giver_name)} on {latest.given_at:%d %b %Y}:")
        st.text(latest.message)
    else:
        st.caption("No kudos yet: give some to a colleague, they come back.")
    link(user, "pages/recognition_wall.py", "My wall")


def render_my_survey(db: Database, user: CurrentUser, as_of: date) -> None:
    waiting = personal.surveys_to_answer(db, user, as_of)
    if waiting:
        for survey in waiting[:2]:
            st.info(f"{plain(survey.title)} waits for your answer until {survey.closes_on:%d %b %Y}.")
        link(user, "pages/answer_survey.py", "Answer a survey")
    else:
        st.caption("No survey waits for your answer.")


# -- team leads and HR ------------------------------------------------------------------------
def render_coaching(db: Database, user: CurrentUser, as_of: date) -> None:
    mix = team.coaching_mix(db, user, as_of)
    tiles(
        [
            ("Sessions", mix.sessions, f"Coaching sessions held since {mix.month_start:%d %b}."),
            (
                "Integrated",
                percent(mix.integrated_share, none="No sessions yet"),
                "Integrated (on the floor) sessions, of every session this month.",
            ),
        ]
    )
    if mix.sessions and len(mix.by_team) > 1:
        frame = mix.by_team.assign(scheduled=mix.by_team["sessions"] - mix.by_team["integrated_sessions"])
        long = frame.melt(id_vars=["team"], value_vars=["integrated_sessions", "scheduled"], var_name="kind")
        long["kind"] = long["kind"].map({"integrated_sessions": "Integrated", "scheduled": "Scheduled"})
        bar_chart(
            long,
            "value:Q",
            "team:N",
            "Sessions",
            ["team:N", ("kind:N", "Coaching"), ("value:Q", "Sessions")],
            "kind:N",
            stacked=True,
        )
    link(user, "pages/coaching_report.py", "Coaching report")


def render_skills(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = team.skills_at_a_glance(db, user, as_of)
    tiles(
        [
            ("Below requirement", glance.below_requirement, "Person-competencies assessed below the required level."),
            ("Not assessed", glance.not_assessed, "Person-competencies with a required level but no assessment."),
            ("Appeals to resolve", len(glance.appeals_to_resolve), "Appealed assessments you may resolve."),
            (
                "Awaiting acknowledgement",
                len(glance.awaiting_acknowledgement),
                "Assessments of your people they have not acknowledged or appealed yet.",
            ),
        ],
        per_row=2,
    )
    if not glance.gaps.empty:
        bar_chart(
            glance.gaps.head(6),
            "people_below:Q",
            "competency:N",
            "People below requirement",
            ["competency:N", ("people_below:Q", "People below requirement")],
        )
    link(user, "pages/skills_matrix.py", "Skills matrix")
    link(user, "pages/assessments.py", "Assessments")


def render_team_ideas(db: Database, user: CurrentUser, as_of: date) -> None:
    ideas = team.team_ideas(db, user, as_of)
    cycle_name = plain(ideas.cycle.name) if ideas.cycle else "the current cycle"
    tiles(
        [
            ("Ideas posted", len(ideas.ideas), "Ideas your team has posted on the idea board, every cycle."),
            (f"In {cycle_name}", len(ideas.in_current_cycle), "Your team's ideas in the current Speak-Up cycle."),
            ("Green-lit", len(ideas.green_lit), "Your team's ideas green-lit, in implementation or implemented."),
        ]
    )
    if ideas.ideas:
        frame = pd.DataFrame(
            [{"idea": i.title, "by": i.author_name, "status": i.status_label} for i in ideas.ideas[:5]]
        )
        show_table(frame, key="home_team_ideas")
    link(user, "pages/idea_board.py", "Idea board")


def render_recognition(db: Database, user: CurrentUser, as_of: date) -> None:
    period = team.recognition_this_period(db, user, as_of)
    tiles(
        [
            ("Kudos", period.kudos, f"Kudos given in {period.period_label} and shown on the feed."),
            ("Badges", period.badges, f"Badges the portal awarded in {period.period_label}."),
            (
                "People taking part",
                period.people_taking_part,
                "People who received or gave kudos or had an idea green-lit this month.",
            ),
        ]
    )
    link(user, "pages/recognition_admin.py", "Recognition admin")


def render_moderation(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = team.moderation_at_a_glance(db, user, as_of)
    if glance.cycle is None:
        st.info("No Speak-Up cycle yet: nothing to moderate.")
        return
    tiles([(f"In {plain(glance.cycle.name)}", glance.queued, "Ideas submitted, sent back or shortlisted.")])
    link(user, "pages/idea_moderation.py", "Moderation")


def render_portal(db: Database, user: CurrentUser, as_of: date) -> None:
    health = overview.account_health(db, user)
    totals = overview.people_totals(db, user)
    tiles(
        [
            ("Accounts", health["accounts"], "Accounts people sign in with."),
            ("Locked now", health["locked"], "Accounts locked after five failed sign-ins, for 15 minutes."),
            ("Signed in within 7 days", health["signed_in_last_7_days"], "Accounts used in the last seven days."),
            ("Active people", totals["active"], "Employees active in the directory."),
        ]
    )
    link(user, "pages/admin_accounts.py", "Accounts")
    link(user, "pages/admin_audit.py", "Audit log")
