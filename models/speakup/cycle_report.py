"""The cycle report: participation, funnel, green lights, savings and the score spread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from models.access import CurrentUser, Permission, require
from models.speakup.ideas import (
    FIRST_YEAR_NET_SQL,
    GREEN_LIT_STATUSES,
    NET_ANNUAL_BENEFIT_SQL,
)
from models.speakup.judging import _PER_JUDGE_SQL, may_see_scores

if TYPE_CHECKING:
    import pandas as pd

    from models.db import Database


# -- the cycle report ----------------------------------------------------------------
def cycle_report(db: Database, actor: CurrentUser, cycle_id: int) -> dict[str, Any]:
    """The figures of one cycle: participation, funnel, green lights and savings."""
    require(actor, Permission.DASHBOARDS_ALL)
    return db.query_one(
        f"""
        WITH cycle_ideas AS (
            SELECT i.* FROM ideas i WHERE i.cycle_id = ? AND i.status NOT IN ('draft', 'withdrawn')
        ), authors AS (
            SELECT author_id AS employee_id FROM cycle_ideas
            UNION SELECT c.employee_id FROM idea_coauthors c JOIN cycle_ideas i ON i.id = c.idea_id
        ), latest_review AS (
            SELECT idea_id, arg_max(realised_savings, review_day) AS realised FROM idea_benefit_reviews GROUP BY idea_id
        )
        SELECT
            (SELECT count(*) FROM cycle_ideas) AS submitted,
            (SELECT count(*) FROM authors) AS participants,
            (SELECT count(*) FROM employees WHERE active AND team_id IS NOT NULL) AS front_line,
            (SELECT count(DISTINCT h.idea_id) FROM idea_status_history h JOIN cycle_ideas i ON i.id = h.idea_id
              WHERE h.to_status = 'shortlisted' AND h.cycle_id = i.cycle_id) AS shortlisted,
            (SELECT count(*) FROM cycle_ideas i WHERE list_contains(?, i.status)) AS green_lit,
            (SELECT count(*) FROM cycle_ideas i WHERE i.status = 'implemented') AS implemented,
            (SELECT coalesce(sum({NET_ANNUAL_BENEFIT_SQL}), 0) FROM cycle_ideas i
              WHERE list_contains(?, i.status)) AS projected_net_annual_benefit,
            (SELECT coalesce(sum(i.annual_savings), 0) FROM cycle_ideas i
              WHERE list_contains(?, i.status)) AS projected_annual_savings,
            (SELECT coalesce(sum(r.realised), 0) FROM latest_review r JOIN cycle_ideas i ON i.id = r.idea_id)
              AS realised_savings
        """,
        [cycle_id, list(GREEN_LIT_STATUSES), list(GREEN_LIT_STATUSES), list(GREEN_LIT_STATUSES)],
    )


def latest_decided_cycle_id(db: Database) -> int | None:
    """The most recent cycle with a recorded decision: where the report has something to say."""
    return db.scalar(
        "SELECT c.id FROM idea_cycles c WHERE EXISTS (SELECT 1 FROM idea_decisions d WHERE d.cycle_id = c.id)"
        " ORDER BY c.speakup_day DESC, c.id DESC LIMIT 1"
    )


def funnel(db: Database, actor: CurrentUser, cycle_id: int) -> pd.DataFrame:
    """Ideas reaching each stage of the cycle, in order, for the funnel chart."""
    require(actor, Permission.DASHBOARDS_ALL)
    return db.frame(
        """
        WITH reached AS (
            SELECT h.idea_id, h.to_status FROM idea_status_history h JOIN ideas i ON i.id = h.idea_id
            WHERE i.cycle_id = ? AND h.cycle_id = i.cycle_id
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
        [cycle_id],
    )


def idea_table(db: Database, actor: CurrentUser, cycle_id: int) -> pd.DataFrame:
    """One row per posted idea of the cycle with its score, spread and money, for the report.
    While scoring lasts, an idea's score shows only to someone who may see its scores."""
    require(actor, Permission.DASHBOARDS_ALL)
    table = _idea_table(db, cycle_id)
    if db.scalar("SELECT phase FROM idea_cycles WHERE id = ?", [cycle_id]) == "scoring":
        hidden = [idea for idea in table["idea"].tolist() if not may_see_scores(db, actor, idea)]
        table.loc[table["idea"].isin(hidden), ["score", "spread"]] = None
    return table


def _idea_table(db: Database, cycle_id: int) -> pd.DataFrame:
    return db.frame(
        f"""
        WITH per_judge AS ({_PER_JUDGE_SQL}),
        scores AS (
            SELECT idea_id, count(*) AS judges, avg(judge_score) AS score,
                   max(judge_score) - min(judge_score) AS spread
            FROM per_judge GROUP BY idea_id
        ), latest_review AS (
            SELECT idea_id, arg_max(realised_savings, review_day) AS realised FROM idea_benefit_reviews GROUP BY idea_id
        )
        SELECT i.id AS idea, i.title, a.full_name AS author, t.name AS team, i.status,
               (SELECT count(*) FROM idea_supports s WHERE s.idea_id = i.id) AS supporters,
               (SELECT count(*) FROM idea_comments m WHERE m.idea_id = i.id AND NOT m.hidden) AS comments,
               s.judges, round(s.score, 2) AS score, round(s.spread, 2) AS spread,
               CAST({NET_ANNUAL_BENEFIT_SQL} AS DOUBLE) AS net_annual_benefit,
               CAST({FIRST_YEAR_NET_SQL} AS DOUBLE) AS first_year_net,
               CAST(r.realised AS DOUBLE) AS realised_savings
        FROM ideas i JOIN employees a ON a.id = i.author_id LEFT JOIN teams t ON t.id = i.team_id
        LEFT JOIN scores s ON s.idea_id = i.id LEFT JOIN latest_review r ON r.idea_id = i.id
        WHERE i.cycle_id = ? AND i.status NOT IN ('draft', 'withdrawn')
        ORDER BY s.score DESC NULLS LAST, i.id
        """,
        [cycle_id],
    )


def spread_frame(db: Database, viewer: CurrentUser, cycle_id: int) -> pd.DataFrame:
    """Each judge's weighted score per idea, for the spread chart — only the ideas whose
    scores the viewer may see (a judge stays blind until they have scored)."""
    visible = [
        row["id"]
        for row in db.query("SELECT id FROM ideas WHERE cycle_id = ?", [cycle_id])
        if may_see_scores(db, viewer, row["id"])
    ]
    return db.frame(
        f"WITH per_judge AS ({_PER_JUDGE_SQL}) SELECT p.idea_id, i.title, e.full_name AS judge,"
        " round(p.judge_score, 2) AS judge_score,"
        " round(avg(p.judge_score) OVER (PARTITION BY p.idea_id), 2) AS idea_score"
        " FROM per_judge p JOIN ideas i ON i.id = p.idea_id JOIN employees e ON e.id = p.judge_id"
        " WHERE list_contains(?, p.idea_id) ORDER BY p.idea_id, e.full_name",
        [visible],
    )
