"""Home sections about people: the person's own next steps, and what team leads, HR,
moderators and administrators look after."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from models.access import CurrentUser
from models.db import Database
from models.home import personal, team
from models.i18n import _
from models.people import overview
from models.training.courses import catalogue_titles
from ui.home_tiles import bar_chart, day_month, link, percent, tiles
from ui.ideas import day, plain
from ui.widgets import download_buttons, show_table


# -- the person's own next steps ----------------------------------------------------------------
def render_my_training(db: Database, user: CurrentUser, as_of: date) -> None:
    mine = personal.my_training(db, user, as_of)
    tiles(
        [
            (_("Overdue"), len(mine.overdue), _("Your assigned courses past their due date and not completed.")),
            (_("Due"), len(mine.due), _("Your assigned courses not yet due and not completed.")),
            (_("Expiring"), len(mine.expiring), _("Courses whose completion stops being valid within 30 days.")),
        ]
    )
    upcoming = mine.overdue if len(mine.overdue) else mine.due
    if len(upcoming):
        first = catalogue_titles(upcoming).iloc[0]
        next_step = (
            _("Next: {course} was due on {date}.") if len(mine.overdue) else _("Next: {course} is due on {date}.")
        )
        st.caption(next_step.format(course=plain(first["course"]), date=day(first["due_on"])))
    elif not len(mine.expiring):
        st.caption(_("Nothing to do: your training is up to date."))
    link(user, "pages/my_training.py", _("My training"))


def render_my_development(db: Database, user: CurrentUser, as_of: date) -> None:
    mine = personal.my_development(db, user, as_of)
    tiles(
        [
            (
                _("Follow-ups overdue"),
                len(mine.overdue_follow_ups),
                _("Coaching follow-ups past their due date and not done (a team lead's include their team's)."),
            ),
            (
                _("Sessions to acknowledge"),
                mine.sessions_to_acknowledge,
                _("Your coaching sessions you have not acknowledged."),
            ),
            (
                _("Assessments to acknowledge"),
                len(mine.assessments_to_acknowledge),
                _("Your assessments waiting for you to acknowledge or appeal them."),
            ),
        ],
        per_row=2,
    )
    link(user, "pages/coaching_log.py", _("Coaching log"))
    link(user, "pages/assessments.py", _("Assessments"))


def render_my_kudos(db: Database, user: CurrentUser, as_of: date) -> None:
    mine = personal.my_kudos(db, user, as_of)
    tiles(
        [
            (_("Kudos received"), len(mine.received), _("Kudos given to you or to your team, all time.")),
            (_("This month"), mine.this_month, _("Kudos that reached you this calendar month.")),
        ]
    )
    latest = mine.latest
    if latest is not None:
        st.caption(_("Latest, from {name} on {date}:", name=plain(latest.giver_name), date=day(latest.given_at)))
        st.text(latest.message)
    else:
        st.caption(_("No kudos yet: give some to a colleague, they come back."))
    link(user, "pages/recognition_wall.py", _("My wall"))


def render_my_survey(db: Database, user: CurrentUser, as_of: date) -> None:
    waiting = personal.surveys_to_answer(db, user, as_of)
    if waiting:
        for survey in waiting[:2]:
            st.info(
                _(
                    "{survey} waits for your answer until {date}.",
                    survey=plain(survey.title),
                    date=day(survey.closes_on),
                )
            )
        link(user, "pages/answer_survey.py", _("Answer a survey"))
    else:
        st.caption(_("No survey waits for your answer."))


# -- team leads and HR ------------------------------------------------------------------------
def render_coaching(db: Database, user: CurrentUser, as_of: date) -> None:
    mix = team.coaching_mix(db, user, as_of)
    tiles(
        [
            (_("Sessions"), mix.sessions, _("Coaching sessions held since {date}.", date=day_month(mix.month_start))),
            (
                _("Integrated"),
                percent(mix.integrated_share, none=_("No sessions yet")),
                _("Integrated (on the floor) sessions, of every session this month."),
            ),
        ]
    )
    if mix.sessions and len(mix.by_team) > 1:
        frame = mix.by_team.assign(scheduled=mix.by_team["sessions"] - mix.by_team["integrated_sessions"])
        long = frame.melt(id_vars=["team"], value_vars=["integrated_sessions", "scheduled"], var_name="kind")
        long["kind"] = long["kind"].map({"integrated_sessions": _("Integrated"), "scheduled": _("Scheduled")})
        bar_chart(
            long,
            "value:Q",
            "team:N",
            _("Sessions"),
            [("team:N", _("Team")), ("kind:N", _("Coaching")), ("value:Q", _("Sessions"))],
            "kind:N",
            stacked=True,
        )
    link(user, "pages/coaching_report.py", _("Coaching report"))


def render_skills(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = team.skills_at_a_glance(db, user, as_of)
    tiles(
        [
            (
                _("Below requirement"),
                glance.below_requirement,
                _("Person-competencies assessed below the required level."),
            ),
            (
                _("Not assessed"),
                glance.not_assessed,
                _("Person-competencies with a required level but no assessment."),
            ),
            (_("Appeals to resolve"), len(glance.appeals_to_resolve), _("Appealed assessments you may resolve.")),
            (
                _("Awaiting acknowledgement"),
                len(glance.awaiting_acknowledgement),
                _("Assessments of your people they have not acknowledged or appealed yet."),
            ),
        ],
        per_row=2,
    )
    if not glance.gaps.empty:
        bar_chart(
            glance.gaps.head(6),
            "people_below:Q",
            "competency:N",
            _("People below requirement"),
            [("competency:N", _("Competency")), ("people_below:Q", _("People below requirement"))],
        )
    link(user, "pages/skills_matrix.py", _("Skills matrix"))
    link(user, "pages/assessments.py", _("Assessments"))


def render_team_ideas(db: Database, user: CurrentUser, as_of: date) -> None:
    ideas = team.team_ideas(db, user, as_of)
    in_cycle = _("In {cycle}", cycle=plain(ideas.cycle.name)) if ideas.cycle else _("In the current cycle")
    tiles(
        [
            (_("Ideas posted"), len(ideas.ideas), _("Ideas your team has posted on the idea board, every cycle.")),
            (in_cycle, len(ideas.in_current_cycle), _("Your team's ideas in the current Speak-Up cycle.")),
            (_("Green-lit"), len(ideas.green_lit), _("Your team's ideas green-lit, in implementation or implemented.")),
        ]
    )
    if ideas.ideas:
        frame = pd.DataFrame([{"idea": i.title, "by": i.author_name, "status": i.status_label} for i in ideas.ideas])
        labels = {"idea": _("Idea"), "by": _("By"), "status": _("Status")}
        show_table(frame.head(5), labels=labels, key="home_team_ideas")
        download_buttons(frame, _("team-ideas"), "home_team_ideas_download")  # every idea, not the five
    link(user, "pages/idea_board.py", _("Idea board"))


def render_recognition(db: Database, user: CurrentUser, as_of: date) -> None:
    period = team.recognition_this_period(db, user, as_of)
    tiles(
        [
            (_("Kudos"), period.kudos, _("Kudos given in {period} and shown on the feed.", period=period.period_label)),
            (_("Badges"), period.badges, _("Badges the portal awarded in {period}.", period=period.period_label)),
            (
                _("People taking part"),
                period.people_taking_part,
                _("People who received or gave kudos or had an idea green-lit this month."),
            ),
        ]
    )
    link(user, "pages/recognition_admin.py", _("Recognition admin"))


def render_moderation(db: Database, user: CurrentUser, as_of: date) -> None:
    glance = team.moderation_at_a_glance(db, user, as_of)
    if glance.cycle is None:
        st.info(_("No Speak-Up cycle yet: nothing to moderate."))
        return
    tiles(
        [
            (
                _("In {cycle}", cycle=plain(glance.cycle.name)),
                glance.queued,
                _("Ideas submitted, sent back or shortlisted."),
            )
        ]
    )
    link(user, "pages/idea_moderation.py", _("Moderation"))


def render_portal(db: Database, user: CurrentUser, as_of: date) -> None:
    health = overview.account_health(db, user)
    totals = overview.people_totals(db, user)
    tiles(
        [
            (_("Accounts"), health["accounts"], _("Accounts people sign in with.")),
            (_("Locked now"), health["locked"], _("Accounts locked after five failed sign-ins, for 15 minutes.")),
            (
                _("Signed in within 7 days"),
                health["signed_in_last_7_days"],
                _("Accounts used in the last seven days."),
            ),
            (_("Active people"), totals["active"], _("Employees active in the directory.")),
        ]
    )
    link(user, "pages/admin_accounts.py", _("Accounts"))
    link(user, "pages/admin_audit.py", _("Audit log"))
