"""Speak-Up Day judging: blind weighted scores by leadership judges, the green-light rule,
recorded decisions and what follows a green light (action, recognition); the cycle report.

The rule (SPEC §5): a judge's score for an idea is Σ wᵢ·sᵢ / Σ wᵢ over the cycle's criteria;
the idea's score is the mean over the judges who scored it; it is green-lit when that score
is at least the threshold and at least the minimum number of judges scored it."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import BaseModel

from models import audit, recognition
from models.auth import CurrentUser, Permission, require
from models.cycles import Cycle, get_cycle
from models.db import query_row, query_rows, utc_now
from models.errors import InputError
from models.ideas import (
    FIRST_YEAR_NET_SQL,
    GREEN_LIT_STATUSES,
    NET_ANNUAL_BENEFIT_SQL,
    STATUS_LABELS,
    Idea,
    _reason,
    get_idea,
    set_status,
)

if TYPE_CHECKING:
    import pandas as pd

    from models.db import Database

SCORE_MIN, SCORE_MAX = 1, 5
COMMENT_MAX = 1000
RATIONALE_MAX = 1000
# late scores are welcome while the phase lasts; they count once a new decision is taken
JUDGEABLE = ("shortlisted", "scored", "green_lit", "not_selected", "in_implementation")
DECIDABLE = ("shortlisted", "scored", "green_lit", "not_selected", "in_implementation", "implemented")
ACTION_DUE_AFTER = timedelta(days=90)
_PRECISION = 9  # the threshold is compared on the score rounded to this many places


# -- the rule ------------------------------------------------------------------------
def judge_score(scores: dict[int, int], weights: dict[int, float]) -> float:
    """One judge's weighted score: Σ wᵢ·sᵢ / Σ wᵢ."""
    total_weight = sum(weights.values())
    return sum(weights[criterion] * scores[criterion] for criterion in weights) / total_weight


def idea_score(sheets: list[dict[int, int]], weights: dict[int, float]) -> float | None:
    """The mean of the judges' weighted scores; None when nobody has scored."""
    if not sheets:
        return None
    return sum(judge_score(sheet, weights) for sheet in sheets) / len(sheets)


def is_green_lit(score: float | None, judges: int, threshold: float, min_judges: int) -> bool:
    """Green-lit when the score reaches the threshold and enough judges scored."""
    return score is not None and judges >= min_judges and round(score, _PRECISION) >= threshold


class IdeaResult(BaseModel):
    idea_id: int
    judges: int
    score: float | None
    lowest: float | None
    highest: float | None
    spread: float | None
    green_light_threshold: float
    min_judges: int

    @property
    def green_lit(self) -> bool:
        return is_green_lit(self.score, self.judges, self.green_light_threshold, self.min_judges)

    @property
    def explanation(self) -> str:
        if self.judges == 0:
            return "Nobody has scored this idea yet."
        text = f"Score {self.score:.2f} from {self.judges} judge{'s' if self.judges != 1 else ''}"
        if self.judges < self.min_judges:
            return f"{text}: fewer than the minimum of {self.min_judges} judges, so it cannot be green-lit."
        if self.green_lit:
            return f"{text}: at or above the threshold of {self.green_light_threshold:g} — green light."
        return f"{text}: below the threshold of {self.green_light_threshold:g}."


# scores count in the cycle the idea is in now (a carried idea is judged afresh)
_PER_JUDGE_SQL = """
    SELECT s.idea_id, s.judge_id, sum(c.weight * s.score) / sum(c.weight) AS judge_score
    FROM idea_scores s JOIN idea_criteria c ON c.id = s.criterion_id
    JOIN ideas i ON i.id = s.idea_id AND i.cycle_id = c.cycle_id
    GROUP BY s.idea_id, s.judge_id
"""


def results(source, cycle_id: int) -> dict[int, IdeaResult]:
    """Each judged idea's score and spread, aggregated in DuckDB."""
    rows = query_rows(
        source,
        f"WITH per_judge AS ({_PER_JUDGE_SQL}) SELECT i.id AS idea_id, count(p.judge_id) AS judges,"
        " avg(p.judge_score) AS score, min(p.judge_score) AS lowest, max(p.judge_score) AS highest,"
        " max(p.judge_score) - min(p.judge_score) AS spread, c.green_light_threshold, c.min_judges"
        " FROM ideas i JOIN idea_cycles c ON c.id = i.cycle_id LEFT JOIN per_judge p ON p.idea_id = i.id"
        " WHERE i.cycle_id = ? GROUP BY i.id, c.green_light_threshold, c.min_judges",
        [cycle_id],
    )
    return {row["idea_id"]: IdeaResult(**row) for row in rows}


def result_for(source, idea_id: int) -> IdeaResult:
    cycle_id = query_row(source, "SELECT cycle_id FROM ideas WHERE id = ?", [idea_id])
    if cycle_id is None:
        raise InputError.single("Idea", "no such idea")
    return results(source, cycle_id["cycle_id"])[idea_id]


# -- conflicts of interest -----------------------------------------------------------
def conflict_of_interest(source, judge_id: int, idea_id: int) -> str | None:
    """Why a judge may not score an idea: an author, a co-author, or an author's manager."""
    row = query_row(
        source,
        "WITH authors AS (SELECT author_id AS employee_id FROM ideas WHERE id = ?"
        " UNION SELECT employee_id FROM idea_coauthors WHERE idea_id = ?)"
        " SELECT bool_or(a.employee_id = ?) AS is_author, bool_or(e.manager_id = ?) AS is_manager"
        " FROM authors a LEFT JOIN employees e ON e.id = a.employee_id",
        [idea_id, idea_id, judge_id, judge_id],
    )
    if row and row["is_author"]:
        return "you are an author of this idea"
    if row and row["is_manager"]:
        return "you manage an author of this idea"
    return None


# -- scoring -------------------------------------------------------------------------
def submit_scores(db: Database, actor: CurrentUser, idea_id: int, scores: dict[int, int], comment: str = "") -> None:
    """A judge's scores for every criterion of the cycle, 1–5, submitted once."""
    require(actor, Permission.IDEAS_JUDGE)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise InputError.single("Comment", f"use at most {COMMENT_MAX} characters (you wrote {len(comment)})")

    def score(connection):
        idea = get_idea(connection, idea_id)
        if idea is None:
            raise InputError.single("Idea", "no such idea")
        cycle = get_cycle(connection, idea.cycle_id)
        assert cycle is not None
        if cycle.phase != "scoring":
            raise InputError.single("Scores", f"{cycle.name} is not in its scoring phase ({cycle.phase_label.lower()})")
        if idea.status not in JUDGEABLE:
            raise InputError.single("Scores", f"only shortlisted ideas are scored; this one is {idea.status_label}")
        conflict = conflict_of_interest(connection, actor.employee_id, idea_id)
        if conflict:
            raise InputError.single("Judge", f"{conflict}, so you may not score it")
        if connection.execute(
            "SELECT 1 FROM idea_judgements WHERE idea_id = ? AND judge_id = ? AND cycle_id = ?",
            [idea_id, actor.employee_id, cycle.id],
        ).fetchone():
            raise InputError.single("Scores", "you have submitted your scores for this idea already")
        if connection.execute(
            "SELECT 1 FROM idea_decisions WHERE idea_id = ? AND decided_by = ? AND cycle_id = ?",
            [idea_id, actor.employee_id, cycle.id],
        ).fetchone():
            raise InputError.single(
                "Scores", "you recorded the decision and have seen the scores, so you no longer score it"
            )
        _check_sheet(cycle, scores)
        for criterion in cycle.criteria:
            connection.execute(
                "INSERT INTO idea_scores VALUES (?, ?, ?, ?)",
                [idea_id, actor.employee_id, criterion.id, int(scores[criterion.id])],
            )
        connection.execute(
            "INSERT INTO idea_judgements (idea_id, judge_id, cycle_id, comment, submitted_at) VALUES (?, ?, ?, ?, ?)",
            [idea_id, actor.employee_id, cycle.id, comment or None, utc_now()],
        )
        audit.record(
            connection,
            actor,
            "idea_score",
            idea_id,
            "submit",
            after={"scores": {c.name: scores[c.id] for c in cycle.criteria}, "comment": comment},
        )
        if idea.status == "shortlisted":
            set_status(connection, actor, idea, "scored")

    db.write(score)


def _check_sheet(cycle: Cycle, scores: dict[int, int]) -> None:
    problems = []
    for criterion in cycle.criteria:
        value = scores.get(criterion.id)
        if value is None:
            problems.append((criterion.name, "give a score from 1 to 5"))
        elif isinstance(value, bool) or int(value) != value or not SCORE_MIN <= value <= SCORE_MAX:
            problems.append((criterion.name, f"{value} is not a whole score from 1 to 5"))
    unknown = set(scores) - {criterion.id for criterion in cycle.criteria}
    if unknown:
        problems.append(("Scores", "a score names a criterion that is not in this cycle"))
    if problems:
        raise InputError(problems)


def has_scored(db: Database, judge: CurrentUser, idea_id: int) -> bool:
    return bool(
        db.scalar(
            "SELECT count(*) FROM idea_judgements j JOIN ideas i ON i.id = j.idea_id AND i.cycle_id = j.cycle_id"
            " WHERE j.idea_id = ? AND j.judge_id = ?",
            [idea_id, judge.employee_id],
        )
    )


def may_see_scores(db: Database, viewer: CurrentUser, idea_id: int) -> bool:
    """Judges are blind to others' scores until they submit their own. Leadership sees them
    all once the viewer scored or recorded the idea's decision, or once the cycle is closed;
    someone barred from judging the idea (an author's manager) only once a decision is
    recorded, so nobody watches the scores come in live."""
    if not (viewer.can(Permission.IDEAS_JUDGE) or viewer.can(Permission.SPEAKUP_MANAGE)):
        return False
    if has_scored(db, viewer, idea_id) or db.scalar(
        "SELECT count(*) FROM idea_decisions d JOIN ideas i ON i.id = d.idea_id AND i.cycle_id = d.cycle_id"
        " WHERE d.idea_id = ? AND d.decided_by = ?",
        [idea_id, viewer.employee_id],
    ):
        return True
    row = db.query_one(
        "SELECT c.phase, EXISTS (SELECT 1 FROM idea_decisions d WHERE d.idea_id = i.id AND d.cycle_id = i.cycle_id)"
        " AS decided FROM ideas i JOIN idea_cycles c ON c.id = i.cycle_id WHERE i.id = ?",
        [idea_id],
    )
    if row is None:
        return False
    if row["phase"] == "closed":
        return True
    return bool(row["decided"]) and conflict_of_interest(db, viewer.employee_id, idea_id) is not None


def score_sheets(db: Database, viewer: CurrentUser, idea_id: int) -> list[dict[str, Any]] | None:
    """Every judge's scores and comment for an idea, or None while the viewer is blind to them."""
    if not may_see_scores(db, viewer, idea_id):
        return None
    return _sheets(db, idea_id)


def _sheets(source, idea_id: int) -> list[dict[str, Any]]:
    rows = query_rows(
        source,
        "SELECT j.judge_id, e.full_name AS judge, j.comment, j.submitted_at,"
        " map_from_entries(list((c.name, s.score) ORDER BY c.position)) AS scores,"
        " sum(c.weight * s.score) / sum(c.weight) AS judge_score"
        " FROM idea_judgements j JOIN ideas i ON i.id = j.idea_id AND i.cycle_id = j.cycle_id"
        " JOIN employees e ON e.id = j.judge_id"
        " JOIN idea_scores s ON s.idea_id = j.idea_id AND s.judge_id = j.judge_id"
        " JOIN idea_criteria c ON c.id = s.criterion_id AND c.cycle_id = j.cycle_id WHERE j.idea_id = ?"
        " GROUP BY j.judge_id, e.full_name, j.comment, j.submitted_at ORDER BY j.submitted_at",
        [idea_id],
    )
    for row in rows:
        row["scores"] = dict(row["scores"])
    return rows


def judging_queue(db: Database, judge: CurrentUser, cycle_id: int) -> list[dict[str, Any]]:
    """The shortlisted ideas of a cycle with, for this judge, whether they scored or may not."""
    rows = db.query(
        "SELECT i.id, i.title, i.status, a.full_name AS author_name, t.name AS team_name,"
        " EXISTS (SELECT 1 FROM idea_judgements j WHERE j.idea_id = i.id AND j.cycle_id = i.cycle_id"
        "  AND j.judge_id = ?) AS scored_by_me,"
        " (SELECT count(*) FROM idea_judgements j WHERE j.idea_id = i.id AND j.cycle_id = i.cycle_id) AS judges"
        " FROM ideas i JOIN employees a ON a.id = i.author_id LEFT JOIN teams t ON t.id = i.team_id"
        " WHERE i.cycle_id = ? AND list_contains(?, i.status) ORDER BY i.id",
        [judge.employee_id, cycle_id, list(DECIDABLE)],
    )
    for row in rows:
        row["conflict"] = conflict_of_interest(db, judge.employee_id, row["id"])
        row["status_label"] = STATUS_LABELS[row["status"]]
    return rows


# -- decisions -----------------------------------------------------------------------
class Decision(BaseModel):
    id: int
    idea_id: int
    outcome: str
    score: float | None
    judges: int
    green_light_threshold: float
    min_judges: int
    weights: dict[str, float]
    scores: list[dict[str, Any]]
    rationale: str
    decided_by: str
    decided_at: Any


def decide(
    db: Database,
    actor: CurrentUser,
    idea_id: int,
    rationale: str,
    *,
    action_owner_id: int | None = None,
    action_due_date: date | None = None,
) -> Decision:
    """Record the outcome the rule gives, with every score, the weights, the threshold and a
    rationale. A green light creates the linked action and the authors' recognition.
    An earlier decision is never edited: a new one supersedes it."""
    require(actor, Permission.SPEAKUP_MANAGE)
    rationale = _reason(rationale, "Rationale")
    if len(rationale) > RATIONALE_MAX:
        raise InputError.single("Rationale", f"use at most {RATIONALE_MAX} characters")

    def do(connection):
        idea = get_idea(connection, idea_id)
        if idea is None:
            raise InputError.single("Idea", "no such idea")
        cycle = get_cycle(connection, idea.cycle_id)
        assert cycle is not None
        if cycle.phase not in ("scoring", "closed"):
            raise InputError.single("Decision", f"{cycle.name} has not reached Speak-Up Day scoring yet")
        if idea.status not in DECIDABLE:
            raise InputError.single("Decision", f"a {idea.status_label.lower()} idea is not judged")
        result = result_for(connection, idea_id)
        outcome = "green_lit" if result.green_lit else "not_selected"
        live_action = _live_action(connection, idea_id)
        if outcome == "not_selected" and live_action is not None:
            raise InputError.single(
                "Decision",
                f"the scores no longer reach a green light, but the idea's action #{live_action['id']} is "
                f"{live_action['status'].replace('_', ' ')}; cancel that action in the action plan first, "
                "then record the new decision",
            )
        previous = query_row(
            connection, "SELECT id, outcome FROM idea_decisions WHERE idea_id = ? ORDER BY id DESC LIMIT 1", [idea_id]
        )
        sheets = _sheets(connection, idea_id)
        weights = {criterion.name: criterion.weight for criterion in cycle.criteria}
        decision_id = connection.execute(
            "INSERT INTO idea_decisions (idea_id, cycle_id, outcome, score, judges, green_light_threshold, min_judges,"
            " weights_json, scores_json, rationale, decided_by, decided_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                idea_id,
                cycle.id,
                outcome,
                result.score,
                result.judges,
                cycle.green_light_threshold,
                cycle.min_judges,
                json.dumps(weights),
                json.dumps(sheets, default=str),
                rationale,
                actor.employee_id,
                utc_now(),
            ],
        ).fetchone()[0]
        audit.record(
            connection,
            actor,
            "idea_decision",
            decision_id,
            "decide",
            {"previous_decision": previous} if previous else None,
            {
                "idea_id": idea_id,
                "outcome": outcome,
                "score": result.score,
                "judges": result.judges,
                "threshold": cycle.green_light_threshold,
                "min_judges": cycle.min_judges,
                "rationale": rationale,
            },
        )
        note = f"{result.explanation} {rationale}"
        already_green = idea.status in ("in_implementation", "implemented")
        if outcome == "green_lit" and not already_green:
            if idea.status != "green_lit":
                set_status(connection, actor, idea, "green_lit", note)
                idea = get_idea(connection, idea_id)
            if live_action is None:
                _follow_up_green_light(connection, actor, idea, cycle, action_owner_id, action_due_date)
            else:  # the idea's action is still there: it carries on, no second action
                set_status(connection, actor, idea, "in_implementation", f"Action #{live_action['id']} continues")
        elif outcome == "not_selected" and idea.status != "not_selected":
            set_status(connection, actor, idea, "not_selected", note)
        return decision_id

    decision_id = db.write(do)
    return next(d for d in decisions_for(db, actor, idea_id) if d.id == decision_id)


def _live_action(connection: duckdb.DuckDBPyConnection, idea_id: int) -> dict[str, Any] | None:
    """The idea's action that has not been cancelled (open or done), if any."""
    try:
        from models import actions  # noqa: F401  (the action plan area may not be installed)
    except ImportError:
        return None
    return query_row(
        connection,
        "SELECT id, status FROM actions WHERE idea_id = ? AND status <> 'cancelled' ORDER BY id DESC LIMIT 1",
        [idea_id],
    )


def _follow_up_green_light(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser,
    idea: Idea,
    cycle: Cycle,
    owner_id: int | None,
    due_date: date | None,
) -> None:
    """A green light becomes an owned action in the plan and a recognition for the authors."""
    owner_id = owner_id or actor.employee_id
    if not connection.execute("SELECT 1 FROM employees WHERE id = ? AND active", [owner_id]).fetchone():
        raise InputError.single("Action owner", "choose an active employee")
    start = date.today()
    due_date = due_date or max(start, cycle.speakup_day) + ACTION_DUE_AFTER
    if due_date < start:
        raise InputError.single("Action due date", "cannot be in the past")
    action_id = create_linked_action(connection, actor, idea, owner_id, start, due_date)
    for employee_id in sorted(idea.author_ids):
        recognition.insert_recognition(
            connection,
            actor,
            employee_id,
            recognition.GREEN_LIT_IDEA,
            f"Your idea “{idea.title}” was green-lit on Speak-Up Day {cycle.name}.",
            idea_id=idea.id,
        )
    set_status(
        connection,
        actor,
        idea,
        "in_implementation",
        f"Action #{action_id} due {due_date:%d %b %Y}" if action_id else f"Implementation due {due_date:%d %b %Y}",
        action_id=action_id,
        action_owner_id=owner_id,
        action_due_date=due_date,
    )


def create_linked_action(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    idea: Idea,
    owner_id: int,
    start_date: date,
    due_date: date,
) -> int | None:
    """The improvement action a green-lit idea becomes (SPEC §4), inside the open write.

    Returns None only on an installation without the action plan area."""
    try:
        from models import actions
    except ImportError:  # the action plan area is not installed
        return None
    case = idea.business_case
    effect = f"Net annual benefit {case.net_annual_benefit:,.0f}"
    if idea.kpi_name:
        change = f" by {idea.kpi_expected_change:g}" if idea.kpi_expected_change is not None else ""
        effect += f"; {idea.kpi_name} expected to move{change}"
    record = actions.ActionInput(
        title=f"Speak-Up idea: {idea.title}"[:200],
        description=f"{idea.problem}\n\nProposed change: {idea.proposed_change}"[:4000],
        action_type="improvement",
        origin="idea",
        idea_id=idea.id,
        finding_id=idea.finding_id,
        owner_id=owner_id,
        team_id=idea.team_id,
        start_date=start_date,
        due_date=due_date,
        priority="high",
        expected_effect=effect[:1000],
    )
    return actions.insert_action(connection, actor, record)


def decisions_for(db: Database, viewer: CurrentUser, idea_id: int) -> list[Decision]:
    """Every decision on an idea, newest first; the first is the one in force. A viewer still
    blind to the idea's scores sees the outcomes and rationales, not the scores or sheets."""
    decisions = _decisions(db, idea_id)
    if decisions and not may_see_scores(db, viewer, idea_id):
        return [decision.model_copy(update={"score": None, "scores": []}) for decision in decisions]
    return decisions


def _decisions(db: Database, idea_id: int) -> list[Decision]:
    rows = db.query(
        "SELECT d.*, e.full_name AS decided_by_name FROM idea_decisions d JOIN employees e ON e.id = d.decided_by"
        " WHERE d.idea_id = ? ORDER BY d.id DESC",
        [idea_id],
    )
    return [
        Decision(
            **{k: row[k] for k in ("id", "idea_id", "outcome", "score", "judges", "green_light_threshold")},
            min_judges=row["min_judges"],
            weights=json.loads(row["weights_json"]),
            scores=json.loads(row["scores_json"]),
            rationale=row["rationale"],
            decided_by=row["decided_by_name"],
            decided_at=row["decided_at"],
        )
        for row in rows
    ]


def feedback_for_authors(db: Database, viewer: CurrentUser, idea_id: int) -> dict[str, Any] | None:
    """What the authors are told after the day: outcome, score, rationale and the judges'
    comments (without names). None before a decision, or for someone not an author."""
    idea = get_idea(db, idea_id)
    if idea is None or viewer.employee_id not in idea.author_ids:
        return None
    decisions = _decisions(db, idea_id)
    if not decisions:
        return None
    latest = decisions[0]
    return {
        "outcome": STATUS_LABELS[latest.outcome],
        "score": latest.score,
        "threshold": latest.green_light_threshold,
        "judges": latest.judges,
        "rationale": latest.rationale,
        "comments": [sheet["comment"] for sheet in latest.scores if sheet.get("comment")],
    }


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
