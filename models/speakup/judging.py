"""Speak-Up Day judging: blind weighted scores by leadership judges, the green-light rule,
recorded decisions and what follows a green light (action, recognition); the cycle report.

The rule (SPEC §5): a judge's score for an idea is Σ wᵢ·sᵢ / Σ wᵢ over the cycle's criteria;
the idea's score is the mean over the judges who scored it, rounded once to ``SCORE_PLACES``
places (``rule_score``); it is green-lit when that score is at least the threshold and at least
the minimum number of judges scored it. The decision records that same score."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import BaseModel, field_validator

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import ConnectionReader, Reader, utc_now
from models.errors import InputError
from models.i18n import N_, _
from models.inbox import texts
from models.inbox.texts import Decimals, Text, text
from models.inputs import entered_text
from models.speakup.cycles import Cycle, get_cycle
from models.speakup.ideas import (
    STATUS_LABELS,
    get_idea,
    set_status,
)

if TYPE_CHECKING:
    from models.db import Database


SCORE_MIN, SCORE_MAX = 1, 5
COMMENT_MAX = 1000
RATIONALE_MAX = 1000
# late scores are welcome while the phase lasts; they count once a new decision is taken
JUDGEABLE = ("shortlisted", "scored", "green_lit", "not_selected", "in_implementation")
DECIDABLE = ("shortlisted", "scored", "green_lit", "not_selected", "in_implementation", "implemented")
ACTION_DUE_AFTER = timedelta(days=90)
# why a judge may not score an idea, translated where shown
AUTHOR_CONFLICT = N_("you are an author of this idea")
MANAGER_CONFLICT = N_("you manage an author of this idea")
SCORE_PLACES = 9  # an idea's score is rounded to this many places, once, and that value is the score


# -- the rule ------------------------------------------------------------------------
def rule_score(mean: float | None) -> float | None:
    """The idea's score as the rule uses it: the mean rounded to ``SCORE_PLACES`` places, so
    that 3.5 reached through sums of fractions (3.4999999999999996 in floating point) is 3.5.
    This value is compared with the threshold, recorded in the decision and exported."""
    return None if mean is None else round(mean, SCORE_PLACES)


def judge_score(scores: dict[int, int], weights: dict[int, float]) -> float:
    """One judge's weighted score: Σ wᵢ·sᵢ / Σ wᵢ."""
    total_weight = sum(weights.values())
    return sum(weights[criterion] * scores[criterion] for criterion in weights) / total_weight


def idea_score(sheets: list[dict[int, int]], weights: dict[int, float]) -> float | None:
    """The mean of the judges' weighted scores (``rule_score``); None when nobody has scored."""
    if not sheets:
        return None
    return rule_score(sum(judge_score(sheet, weights) for sheet in sheets) / len(sheets))


def is_green_lit(score: float | None, judges: int, threshold: float, min_judges: int) -> bool:
    """Green-lit when the score (``rule_score``, as recorded) reaches the threshold — a plain
    ≥ — and enough judges scored."""
    return score is not None and judges >= min_judges and score >= threshold


class IdeaResult(BaseModel):
    idea_id: int
    judges: int
    score: float | None
    lowest: float | None
    highest: float | None
    spread: float | None
    green_light_threshold: float
    min_judges: int

    @field_validator("score")
    @classmethod
    def _rule_score(cls, value: float | None) -> float | None:
        return rule_score(value)

    @property
    def green_lit(self) -> bool:
        return is_green_lit(self.score, self.judges, self.green_light_threshold, self.min_judges)

    @property
    def explanation(self) -> str:
        """The rule's verdict in words, in the current language."""
        return self.verdict.shown()

    @property
    def verdict(self) -> Text:
        """The rule's verdict, to be put in words in whichever language reads it (the authors'
        inbox keeps it so)."""
        if self.judges == 0:
            return text(N_("Nobody has scored this idea yet."))
        values = {
            "score": Decimals(self.score or 0.0, 2),
            "minimum": self.min_judges,
            "threshold": Decimals(self.green_light_threshold),
        }
        if self.judges < self.min_judges:
            return texts.ngettext(
                "Score {score} from {n} judge: fewer than the minimum of {minimum} judges, so it cannot be green-lit.",
                "Score {score} from {n} judges: fewer than the minimum of {minimum} judges, so it cannot be green-lit.",
                self.judges,
                **values,
            )
        if self.green_lit:
            return texts.ngettext(
                "Score {score} from {n} judge: at or above the threshold of {threshold} — green light.",
                "Score {score} from {n} judges: at or above the threshold of {threshold} — green light.",
                self.judges,
                **values,
            )
        return texts.ngettext(
            "Score {score} from {n} judge: below the threshold of {threshold}.",
            "Score {score} from {n} judges: below the threshold of {threshold}.",
            self.judges,
            **values,
        )


# scores count in the cycle the idea is in now (a carried idea is judged afresh)
_PER_JUDGE_SQL = """
    SELECT s.idea_id, s.judge_id, sum(c.weight * s.score) / sum(c.weight) AS judge_score
    FROM idea_scores s JOIN idea_criteria c ON c.id = s.criterion_id
    JOIN ideas i ON i.id = s.idea_id AND i.cycle_id = c.cycle_id
    GROUP BY s.idea_id, s.judge_id
"""


def results(source: Reader, cycle_id: int) -> dict[int, IdeaResult]:
    """Each judged idea's score and spread, aggregated in DuckDB."""
    rows = source.query(
        f"WITH per_judge AS ({_PER_JUDGE_SQL}) SELECT i.id AS idea_id, count(p.judge_id) AS judges,"
        " avg(p.judge_score) AS score, min(p.judge_score) AS lowest, max(p.judge_score) AS highest,"
        " max(p.judge_score) - min(p.judge_score) AS spread, c.green_light_threshold, c.min_judges"
        " FROM ideas i JOIN idea_cycles c ON c.id = i.cycle_id LEFT JOIN per_judge p ON p.idea_id = i.id"
        " WHERE i.cycle_id = ? GROUP BY i.id, c.green_light_threshold, c.min_judges",
        [cycle_id],
    )
    return {row["idea_id"]: IdeaResult(**row) for row in rows}


def result_for(source: Reader, idea_id: int) -> IdeaResult:
    cycle_id = source.query_one("SELECT cycle_id FROM ideas WHERE id = ?", [idea_id])
    if cycle_id is None:
        raise InputError.single(_("Idea"), _("no such idea"))
    return results(source, cycle_id["cycle_id"])[idea_id]


# -- conflicts of interest -----------------------------------------------------------
def conflict_of_interest(source: Reader, judge_id: int, idea_id: int) -> str | None:
    """Why a judge may not score an idea, in words to the judge: an author, a co-author, or an
    author's manager."""
    kind = conflict_kind(source, judge_id, idea_id)
    if kind is None:
        return None
    reason = AUTHOR_CONFLICT if kind == "author" else MANAGER_CONFLICT
    return _(reason)


def conflict_kind(source: Reader, judge_id: int, idea_id: int) -> str | None:
    """ "author" (an author or co-author), "manager" (an author's manager) or None."""
    authors = [
        row["employee_id"]
        for row in source.query(
            "SELECT author_id AS employee_id FROM ideas WHERE id = $idea"
            " UNION ALL SELECT employee_id FROM idea_coauthors WHERE idea_id = $idea",
            {"idea": idea_id},
        )
    ]
    if judge_id in authors:
        return "author"
    if source.query_one(
        "SELECT 1 FROM employees WHERE list_contains(?, id) AND manager_id = ? LIMIT 1", [authors, judge_id]
    ):
        return "manager"
    return None


# the judge's conflicts over a cycle's ideas: an author, a co-author, or an author's manager
_CONFLICTS_SQL = """
    SELECT a.idea_id, bool_or(a.employee_id = $judge) AS is_author
    FROM (SELECT id AS idea_id, author_id AS employee_id FROM ideas WHERE cycle_id = $cycle
          UNION ALL SELECT c.idea_id, c.employee_id FROM idea_coauthors c
          JOIN ideas i ON i.id = c.idea_id WHERE i.cycle_id = $cycle) a
    LEFT JOIN employees e ON e.id = a.employee_id
    GROUP BY a.idea_id HAVING bool_or(a.employee_id = $judge) OR bool_or(e.manager_id = $judge)
"""


def conflicts_in_cycle(source: Reader, judge_id: int, cycle_id: int) -> dict[int, str]:
    """``conflict_of_interest`` for every idea of a cycle at once: the ideas the judge may not
    score, each with the reason."""
    rows = source.query(_CONFLICTS_SQL, {"judge": judge_id, "cycle": cycle_id})
    return {row["idea_id"]: _(AUTHOR_CONFLICT) if row["is_author"] else _(MANAGER_CONFLICT) for row in rows}


# -- scoring -------------------------------------------------------------------------
def submit_scores(
    db: Database,
    actor: CurrentUser,
    idea_id: int,
    scores: dict[int, int],
    comment: str = "",
    *,
    at: datetime | None = None,
) -> None:
    """A judge's scores for every criterion of the cycle, 1–5, submitted once (``at``, default now)."""
    require(actor, Permission.IDEAS_JUDGE)
    comment = entered_text(comment)
    if len(comment) > COMMENT_MAX:
        raise InputError.single(
            _("Comment"),
            _("use at most {limit} characters (you wrote {count})", limit=COMMENT_MAX, count=len(comment)),
        )

    def score(connection: duckdb.DuckDBPyConnection):
        idea = ConnectionReader(connection).query_one("SELECT status, cycle_id FROM ideas WHERE id = ?", [idea_id])
        if idea is None:
            raise InputError.single(_("Idea"), _("no such idea"))
        cycle = get_cycle(ConnectionReader(connection), idea["cycle_id"])
        assert cycle is not None
        if cycle.phase != "scoring":
            raise InputError.single(
                _("Scores"),
                _("{cycle} is not in its scoring phase ({phase})", cycle=cycle.name, phase=cycle.phase_label.lower()),
            )
        if idea["status"] not in JUDGEABLE:
            label = STATUS_LABELS[idea["status"]]
            raise InputError.single(
                _("Scores"), _("only shortlisted ideas are scored; this one is {status}", status=_(label))
            )
        conflict = conflict_of_interest(ConnectionReader(connection), actor.employee_id, idea_id)
        if conflict:
            raise InputError.single(_("Judge"), _("{conflict}, so you may not score it", conflict=conflict))
        if connection.execute(
            "SELECT 1 FROM idea_judgements WHERE idea_id = ? AND judge_id = ? AND cycle_id = ?",
            [idea_id, actor.employee_id, cycle.id],
        ).fetchone():
            raise InputError.single(_("Scores"), _("you have submitted your scores for this idea already"))
        if connection.execute(
            "SELECT 1 FROM idea_decisions WHERE idea_id = ? AND decided_by = ? AND cycle_id = ?",
            [idea_id, actor.employee_id, cycle.id],
        ).fetchone():
            raise InputError.single(
                _("Scores"), _("you recorded the decision and have seen the scores, so you no longer score it")
            )
        _check_sheet(cycle, scores)
        sheet = [(idea_id, actor.employee_id, criterion.id, int(scores[criterion.id])) for criterion in cycle.criteria]
        connection.execute(  # the whole sheet in one statement
            "INSERT INTO idea_scores VALUES " + ", ".join("(?, ?, ?, ?)" for _ in sheet),
            [value for row in sheet for value in row],
        )
        connection.execute(
            "INSERT INTO idea_judgements (idea_id, judge_id, cycle_id, comment, submitted_at) VALUES (?, ?, ?, ?, ?)",
            [idea_id, actor.employee_id, cycle.id, comment or None, at or utc_now()],
        )
        audit.record(
            connection,
            actor,
            "idea_score",
            idea_id,
            "submit",
            after={"scores": {c.name: scores[c.id] for c in cycle.criteria}, "comment": comment},
            at=at,
        )
        if idea["status"] == "shortlisted":  # the first sheet: the idea is being scored
            set_status(connection, actor, get_idea(ConnectionReader(connection), idea_id), "scored", at=at)

    db.write(score)


def _check_sheet(cycle: Cycle, scores: dict[int, int]) -> None:
    problems = []
    for criterion in cycle.criteria:
        value = scores.get(criterion.id)
        if value is None:
            problems.append((criterion.name, _("give a score from 1 to 5")))
        elif isinstance(value, bool) or int(value) != value or not SCORE_MIN <= value <= SCORE_MAX:
            problems.append((criterion.name, _("{value} is not a whole score from 1 to 5", value=value)))
    unknown = set(scores) - {criterion.id for criterion in cycle.criteria}
    if unknown:
        problems.append((_("Scores"), _("a score names a criterion that is not in this cycle")))
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


def visible_ideas(db: Database, viewer: CurrentUser, cycle_id: int) -> set[int]:
    """``may_see_scores`` for every idea of a cycle in one statement: the ideas whose scores
    the viewer may see."""
    if not (viewer.can(Permission.IDEAS_JUDGE) or viewer.can(Permission.SPEAKUP_MANAGE)):
        return set()
    rows = db.query(
        f"WITH conflicts AS ({_CONFLICTS_SQL}),"
        " seen AS (SELECT idea_id FROM idea_judgements WHERE cycle_id = $cycle AND judge_id = $judge"
        "  UNION SELECT idea_id FROM idea_decisions WHERE cycle_id = $cycle AND decided_by = $judge),"
        " decided AS (SELECT DISTINCT idea_id FROM idea_decisions WHERE cycle_id = $cycle)"
        " SELECT i.id FROM ideas i JOIN idea_cycles c ON c.id = i.cycle_id WHERE i.cycle_id = $cycle"
        " AND (c.phase = 'closed' OR i.id IN (SELECT idea_id FROM seen)"
        "  OR (i.id IN (SELECT idea_id FROM decided) AND i.id IN (SELECT idea_id FROM conflicts)))",
        {"judge": viewer.employee_id, "cycle": cycle_id},
    )
    return {row["id"] for row in rows}


def score_sheets(db: Database, viewer: CurrentUser, idea_id: int) -> list[dict[str, Any]] | None:
    """Every judge's scores and comment for an idea, or None while the viewer is blind to them."""
    if not may_see_scores(db, viewer, idea_id):
        return None
    return _sheets(db, idea_id)


def _sheets(source: Reader, idea_id: int) -> list[dict[str, Any]]:
    rows = source.query(
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
    conflicts = conflicts_in_cycle(db, judge.employee_id, cycle_id)
    for row in rows:
        row["conflict"] = conflicts.get(row["id"])
        label = STATUS_LABELS[row["status"]]
        row["status_label"] = _(label)
    return rows
