"""The cycle report: participation, funnel, green lights, savings and the score spread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from models.access import CurrentUser, Permission, require
from models.cache import cached_aggregate
from models.engagement.results import engagement_around
from models.i18n import N_, _, current_language, format_date
from models.speakup.ideas import (
    FIRST_YEAR_NET_SQL,
    GREEN_LIT_STATUSES,
    NET_ANNUAL_BENEFIT_SQL,
    BusinessCase,
    payback_wording,
)
from models.speakup.judging import _PER_JUDGE_SQL, visible_ideas

if TYPE_CHECKING:
    import pandas as pd

    from models.db import Database


# -- the cycle report ----------------------------------------------------------------
# A cycle is reported from what happened in it, so that carrying an idea on, or the next
# cycle's outcome, never changes an earlier report (SPEC §5). An idea belongs to every cycle
# in which it was posted (a status history row into "submitted" in that cycle): the cycle it
# was written in, and each cycle it was carried into, where it counts as submitted again and
# as carried in. Its status in a cycle is the last status it reached there; ideas withdrawn
# in the cycle are left out. The follow-up of a cycle's green lights (implementation,
# realised savings) stays with that cycle and grows after it closes; nothing else moves.
CYCLE_IDEAS_SQL = """
    SELECT h.idea_id, arg_max(h.to_status, (h.changed_at, h.id)) AS status,
           bool_or(h.carried_in) AS carried_in,
           bool_or(h.to_status = 'submitted') AS posted
    FROM (
        SELECT *, coalesce(lag(cycle_id) OVER (PARTITION BY idea_id ORDER BY changed_at, id) <> cycle_id, false)
                  AS carried_in
        FROM idea_status_history WHERE idea_id IN (SELECT idea_id FROM idea_status_history WHERE cycle_id = $cycle)
    ) h
    WHERE h.cycle_id = $cycle
    GROUP BY h.idea_id
    HAVING bool_or(h.to_status = 'submitted') AND arg_max(h.to_status, (h.changed_at, h.id)) <> 'withdrawn'
"""

# Agents employed during the submission window: people in a team, hired on or before the
# window closed (or with no hire date), not deactivated before it opened, and not holding the
# team-lead role (the roles keep no history, so a team lead today is left out of every cycle).
AGENTS_IN_WINDOW_SQL = """
    SELECT e.id FROM employees e, idea_cycles c
    WHERE c.id = $cycle AND e.team_id IS NOT NULL
      AND (e.hire_date IS NULL OR e.hire_date <= c.submission_closes)
      AND (CASE WHEN e.deactivated_at IS NOT NULL THEN e.deactivated_at::DATE >= c.submission_opens ELSE e.active END)
      AND e.id NOT IN (SELECT employee_id FROM employee_roles WHERE role = 'team_lead')
"""

REPORT_RULE = N_(
    "Each cycle is reported from what happened in it: an idea carried into a later cycle stays here as it was "
    "in this one and counts there as submitted again (and as carried in). Only the follow-up of this cycle's "
    "green lights — implementation and realised savings — keeps growing after it closes, and the engagement "
    "after the Speak-Up Day arrives once, when its survey closes."
)

ENGAGEMENT_RULE = N_(
    "Engagement before / after: the eNPS of the last pulse survey closed before the Speak-Up Day, and of the "
    "first survey opened after the Speak-Up Day to close — a survey's results exist only once it has closed, "
    "so until then the report waits for it, and once it has closed the figure never changes. A survey "
    "running across the Speak-Up Day counts on neither side; surveys nobody answered are passed over; "
    "a survey with too few answers to show gives no figure."
)

PARTICIPATION_RULE = N_(
    "Share of agents who took part: the agents who authored or co-authored an idea posted in this cycle, "
    "out of the agents employed during its submission window — people in a team, hired on or before the "
    "window closed and not deactivated before it opened. People holding the team-lead role are not agents "
    "here: they count in neither figure, even when they wrote an idea."
)


def cycle_report(db: Database, actor: CurrentUser, cycle_id: int) -> dict[str, Any]:
    """The figures of one cycle: ideas posted (carried-in ones included, and counted apart),
    the people who wrote them, the share of agents who took part (``PARTICIPATION_RULE``),
    shortlisted, green-lit and implemented ideas and their money — each from what happened in
    the cycle, so carrying ideas on never changes them."""
    require(actor, Permission.DASHBOARDS_ALL)
    report = _cycle_figures(db, cycle_id)
    report["participation"] = report["participating_agents"] / report["agents"] if report["agents"] else 0.0
    report |= _engagement_around(db, cycle_id)
    return report


# what a cycle's figures read: its ideas and their history, authors, agents, benefit reviews
_FIGURE_TABLES = (
    "idea_status_history",
    "ideas",
    "idea_coauthors",
    "employees",
    "employee_roles",
    "idea_cycles",
    "idea_benefit_reviews",
)


@cached_aggregate(tables=_FIGURE_TABLES)
def _cycle_figures(db: Database, cycle_id: int) -> dict[str, Any]:
    """The counts and money of ``cycle_report``, shared by the cycle and quarterly reports."""
    return (
        db.query_one(
            f"""
        WITH cycle_ideas AS ({CYCLE_IDEAS_SQL}),
        posted AS (SELECT i.*, ci.status AS status_in_cycle, ci.carried_in FROM ideas i JOIN cycle_ideas ci
                   ON ci.idea_id = i.id),
        green AS (SELECT * FROM posted WHERE list_contains($green, status_in_cycle)),
        authors AS (
            SELECT author_id AS employee_id FROM posted
            UNION SELECT c.employee_id FROM idea_coauthors c JOIN posted i ON i.id = c.idea_id
        ), agents AS ({AGENTS_IN_WINDOW_SQL}),
        latest_review AS (
            SELECT idea_id, arg_max(realised_savings, review_day) AS realised FROM idea_benefit_reviews
            WHERE idea_id IN (SELECT id FROM green) GROUP BY idea_id
        )
        SELECT
            (SELECT count(*) FROM posted) AS submitted,
            (SELECT count(*) FROM posted WHERE carried_in) AS carried_in,
            (SELECT count(*) FROM authors) AS participants,
            (SELECT count(*) FROM authors WHERE employee_id IN (SELECT id FROM agents)) AS participating_agents,
            (SELECT count(*) FROM agents) AS agents,
            (SELECT count(DISTINCT h.idea_id) FROM idea_status_history h JOIN posted i ON i.id = h.idea_id
              WHERE h.to_status = 'shortlisted' AND h.cycle_id = $cycle) AS shortlisted,
            (SELECT count(*) FROM green) AS green_lit,
            (SELECT count(*) FROM green i WHERE i.status_in_cycle = 'implemented') AS implemented,
            (SELECT coalesce(sum({NET_ANNUAL_BENEFIT_SQL}), 0) FROM green i) AS projected_net_annual_benefit,
            (SELECT coalesce(sum(i.annual_savings), 0) FROM green i) AS projected_annual_savings,
            (SELECT coalesce(sum(r.realised), 0) FROM latest_review r) AS realised_savings
        """,
            {"cycle": cycle_id, "green": list(GREEN_LIT_STATUSES)},
        )
        or {}
    )


def _engagement_around(db: Database, cycle_id: int) -> dict[str, Any]:
    """Engagement before / after the cycle's Speak-Up Day (``ENGAGEMENT_RULE``): each eNPS,
    or None with a note saying why."""
    day = db.scalar("SELECT speakup_day FROM idea_cycles WHERE id = ?", [cycle_id])
    if day is None:
        return {
            "enps_before": None,
            "enps_before_note": _("no Speak-Up Day"),
            "enps_after": None,
            "enps_after_note": _("no Speak-Up Day"),
        }
    around = engagement_around(db, day)
    if around.after is not None:
        after_note = None if around.after.enps is not None else _("too few answers to show")
    elif around.after_waits_for is not None:
        closes = around.after_waits_for
        shown = f"{closes:%d %b %Y}" if current_language() == "en" else format_date(closes, "dd MMM y")
        after_note = _("waiting for the survey closing on {date}", date=shown)
    else:
        after_note = _("waiting for a survey opened after the Speak-Up Day to close")
    before_note = (
        _("no survey closed before the Speak-Up Day")
        if around.before is None
        else (None if around.before.enps is not None else _("too few answers to show"))
    )
    return {
        "enps_before": around.before.enps if around.before else None,
        "enps_before_note": before_note,
        "enps_after": around.after.enps if around.after else None,
        "enps_after_note": after_note,
    }


def latest_decided_cycle_id(db: Database) -> int | None:
    """The most recent cycle with a recorded decision: where the report has something to say."""
    return db.scalar(
        "SELECT c.id FROM idea_cycles c WHERE EXISTS (SELECT 1 FROM idea_decisions d WHERE d.cycle_id = c.id)"
        " ORDER BY c.speakup_day DESC, c.id DESC LIMIT 1"
    )


def funnel(db: Database, actor: CurrentUser, cycle_id: int) -> pd.DataFrame:
    """Ideas reaching each stage in the cycle, in order, for the funnel chart (the ideas the
    report counts as submitted, each stage from the cycle's own status history)."""
    require(actor, Permission.DASHBOARDS_ALL)
    return _funnel(db, cycle_id)


@cached_aggregate(tables=("idea_status_history",))
def _funnel(db: Database, cycle_id: int) -> pd.DataFrame:
    return db.frame(
        f"""
        WITH cycle_ideas AS ({CYCLE_IDEAS_SQL}),
        reached AS (
            SELECT h.idea_id, h.to_status FROM idea_status_history h JOIN cycle_ideas i ON i.idea_id = h.idea_id
            WHERE h.cycle_id = $cycle
        ), stages(position, stage, statuses) AS (VALUES
            (1, 'Submitted', ['submitted']),
            (2, 'Shortlisted', ['shortlisted']),
            (3, 'Scored', ['scored']),
            (4, 'Green-lit', ['green_lit']),
            (5, 'Implemented', ['implemented'])
        )
        SELECT s.position, s.stage, count(DISTINCT r.idea_id) AS ideas
        FROM stages s LEFT JOIN reached r ON list_contains(s.statuses, r.to_status)
        GROUP BY s.position, s.stage ORDER BY s.position
        """,
        {"cycle": cycle_id},
    )


def idea_table(db: Database, actor: CurrentUser, cycle_id: int) -> pd.DataFrame:
    """One row per posted idea of the cycle with its score, spread and money, for the report.
    While scoring lasts, an idea's score shows only to someone who may see its scores."""
    require(actor, Permission.DASHBOARDS_ALL)
    table = _idea_table(db, cycle_id)
    if db.scalar("SELECT phase FROM idea_cycles WHERE id = ?", [cycle_id]) == "scoring":
        hidden = ~table["idea"].isin(visible_ideas(db, actor, cycle_id))
        if hidden.any():
            # nothing of a hidden score shows: not its value, how many judges gave it, nor
            # where it ranks (the rows go in the order the ideas were posted)
            table.loc[hidden, ["score", "spread", "judges"]] = None
            table = table.sort_values("idea", kind="stable").reset_index(drop=True)
    return table


def _idea_table(db: Database, cycle_id: int) -> pd.DataFrame:
    table = db.frame(
        f"""
        WITH cycle_ideas AS ({CYCLE_IDEAS_SQL}),
        per_judge AS (  -- the scores given in this cycle, on its own criteria
            SELECT s.idea_id, s.judge_id, sum(c.weight * s.score) / sum(c.weight) AS judge_score
            FROM idea_scores s JOIN idea_criteria c ON c.id = s.criterion_id
            WHERE c.cycle_id = $cycle GROUP BY s.idea_id, s.judge_id
        ), scores AS (
            SELECT idea_id, count(*) AS judges, avg(judge_score) AS score,
                   max(judge_score) - min(judge_score) AS spread
            FROM per_judge GROUP BY idea_id
        ), latest_review AS (
            SELECT idea_id, arg_max(realised_savings, review_day) AS realised FROM idea_benefit_reviews GROUP BY idea_id
        ), cycle_end AS (
            SELECT coalesce(closed_at, 'infinity'::TIMESTAMP) AS ends_at FROM idea_cycles WHERE id = $cycle
        )
        SELECT i.id AS idea, i.title, a.full_name AS author, t.name AS team, ci.status, ci.carried_in,
               (SELECT count(*) FROM idea_supports s WHERE s.idea_id = i.id
                 AND s.supported_at <= (SELECT ends_at FROM cycle_end)) AS supporters,
               (SELECT count(*) FROM idea_comments m WHERE m.idea_id = i.id AND NOT m.hidden
                 AND m.created_at <= (SELECT ends_at FROM cycle_end)) AS comments,
               s.judges, round(s.score, 2) AS score, round(s.spread, 2) AS spread,
               CAST({NET_ANNUAL_BENEFIT_SQL} AS DOUBLE) AS net_annual_benefit,
               CAST({FIRST_YEAR_NET_SQL} AS DOUBLE) AS first_year_net,
               CAST(i.annual_savings AS DOUBLE) AS annual_savings, CAST(i.annual_revenue AS DOUBLE) AS annual_revenue,
               CAST(i.one_off_cost AS DOUBLE) AS one_off_cost,
               CAST(i.annual_running_cost AS DOUBLE) AS annual_running_cost,
               CASE WHEN list_contains($green, ci.status) THEN CAST(r.realised AS DOUBLE) END AS realised_savings
        FROM cycle_ideas ci JOIN ideas i ON i.id = ci.idea_id
        JOIN employees a ON a.id = i.author_id LEFT JOIN teams t ON t.id = i.team_id
        LEFT JOIN scores s ON s.idea_id = i.id LEFT JOIN latest_review r ON r.idea_id = i.id
        ORDER BY s.score DESC NULLS LAST, i.id
        """,
        {"cycle": cycle_id, "green": list(GREEN_LIT_STATUSES)},
    )
    money = list(BusinessCase.model_fields)
    payback = [payback_wording(BusinessCase(**row)) for row in table[money].to_dict("records")]
    table.insert(table.columns.get_loc("first_year_net"), "payback", payback)
    return table.drop(columns=money)


def spread_frame(db: Database, viewer: CurrentUser, cycle_id: int) -> pd.DataFrame:
    """Each judge's weighted score per idea, for the spread chart — only the ideas whose
    scores the viewer may see (a judge stays blind until they have scored)."""
    visible = sorted(visible_ideas(db, viewer, cycle_id))
    return db.frame(
        f"WITH per_judge AS ({_PER_JUDGE_SQL}) SELECT p.idea_id, i.title, e.full_name AS judge,"
        " round(p.judge_score, 2) AS judge_score,"
        " round(avg(p.judge_score) OVER (PARTITION BY p.idea_id), 2) AS idea_score"
        " FROM per_judge p JOIN ideas i ON i.id = p.idea_id JOIN employees e ON e.id = p.judge_id"
        " WHERE list_contains(?, p.idea_id) ORDER BY p.idea_id, e.full_name",
        [visible],
    )
