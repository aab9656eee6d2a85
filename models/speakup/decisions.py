"""Recorded decisions on ideas (never edited, only superseded) and what follows a green
light: the linked action and a recognition for every author."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import BaseModel

from models import audit
from models.access import CurrentUser, Permission, require
from models.actions import plan, workflow
from models.db import ConnectionReader, insert_with_new_id, utc_now
from models.errors import InputError
from models.i18n import N_, _
from models.inbox import messages as inbox
from models.inbox import texts
from models.recognition import badges
from models.speakup.cycles import Cycle, get_cycle
from models.speakup.ideas import (
    STATUS_LABELS,
    Idea,
    _reason,
    get_idea,
    set_status,
)
from models.speakup.judging import ACTION_DUE_AFTER, DECIDABLE, RATIONALE_MAX, _sheets, may_see_scores, result_for

if TYPE_CHECKING:
    from models.db import Database

# a decision's status note: the rule's verdict (the portal's words, translated when read) and
# the rationale as the decider typed it; nothing of its own to translate, so not in the catalogue
DECISION_NOTE = "{explanation} {rationale}"

# the state of an idea's live action, as a refused decision names it
ACTION_STATUS_WORDS = {
    "planned": N_("planned"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "blocked": N_("blocked"),
}


# -- decisions -----------------------------------------------------------------------
def default_action_due_date(cycle: Cycle, today: date | None = None) -> date:
    """When a green-lit idea's action falls due unless the decision says otherwise:
    ``ACTION_DUE_AFTER`` after Speak-Up Day (or after today, once the day has passed)."""
    return max(today or date.today(), cycle.speakup_day) + ACTION_DUE_AFTER


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
    at: datetime | None = None,
) -> Decision:
    """Record the outcome the rule gives, with every score, the weights, the threshold and a
    rationale. A green light creates the linked action and the authors' recognition.
    An earlier decision is never edited: a new one supersedes it. ``at`` (default now)
    dates all of it and is the day the action starts."""
    require(actor, Permission.SPEAKUP_MANAGE)
    rationale = _reason(rationale, N_("Rationale"))
    if len(rationale) > RATIONALE_MAX:
        raise InputError.single(_("Rationale"), _("use at most {count} characters", count=RATIONALE_MAX))

    def do(connection: duckdb.DuckDBPyConnection):
        now = at or utc_now()
        idea = get_idea(ConnectionReader(connection), idea_id)
        if idea is None:
            raise InputError.single(_("Idea"), _("no such idea"))
        cycle = get_cycle(ConnectionReader(connection), idea.cycle_id)
        assert cycle is not None
        if cycle.phase not in ("scoring", "closed"):
            raise InputError.single(
                _("Decision"), _("{cycle} has not reached Speak-Up Day scoring yet", cycle=cycle.name)
            )
        if idea.status not in DECIDABLE:
            raise InputError.single(_("Decision"), _("a {status} idea is not judged", status=idea.status_label.lower()))
        result = result_for(ConnectionReader(connection), idea_id)
        outcome = "green_lit" if result.green_lit else "not_selected"
        live_action = _live_action(connection, idea_id)
        if outcome == "not_selected" and live_action is not None:
            state = ACTION_STATUS_WORDS.get(live_action["status"]) or live_action["status"].replace("_", " ")
            raise InputError.single(
                _("Decision"),
                _(
                    "the scores no longer reach a green light, but the idea's action #{number} is {status}; "
                    "cancel that action in the action plan first, then record the new decision",
                    number=live_action["id"],
                    status=_(state),
                ),
            )
        previous = ConnectionReader(connection).query_one(
            "SELECT id, outcome FROM idea_decisions WHERE idea_id = ? ORDER BY id DESC LIMIT 1", [idea_id]
        )
        sheets = _sheets(ConnectionReader(connection), idea_id)
        weights = {criterion.name: criterion.weight for criterion in cycle.criteria}
        decision_id = insert_with_new_id(
            connection,
            "idea_decisions",
            "INSERT INTO idea_decisions (id, idea_id, cycle_id, outcome, score, judges, "
            "green_light_threshold, min_judges, weights_json, scores_json, rationale, decided_by, "
            "decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                now,
            ],
        )
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
            at=now,
        )
        note = texts.text(DECISION_NOTE, explanation=result.verdict, rationale=rationale)
        already_green = idea.status in ("in_implementation", "implemented")
        if outcome == "green_lit" and not already_green:
            if idea.status != "green_lit":
                set_status(connection, actor, idea, "green_lit", note, at=now)
                idea = get_idea(ConnectionReader(connection), idea_id)
            if live_action is None:
                _follow_up_green_light(connection, actor, idea, cycle, action_owner_id, action_due_date, now)
            else:  # the idea's action is still there: it carries on, no second action
                text = texts.text(N_("Action #{number} continues"), number=str(live_action["id"]))
                set_status(connection, actor, idea, "in_implementation", text, at=now)
        elif outcome == "not_selected" and idea.status != "not_selected":
            set_status(connection, actor, idea, "not_selected", note, at=now)
        # the authors' green-lit badge follows the decision in force: awarded, or withdrawn
        badges.refresh_badges(connection, actor, at=now, kinds=badges.IDEA_BADGES, employee_ids=sorted(idea.author_ids))
        _tell_authors(connection, actor, idea, outcome, result.verdict, rationale, sheets, now)
        return decision_id

    decision_id = db.write(do)
    return next(d for d in decisions_for(db, actor, idea_id) if d.id == decision_id)


def _tell_authors(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser,
    idea: Idea,
    outcome: str,
    explanation: inbox.Text,
    rationale: str,
    sheets: list[dict[str, Any]],
    now: datetime,
) -> None:
    """The authors are told the outcome and the feedback (SPEC §5): the rule's explanation, the
    rationale and the judges' comments — without the judges' names or their own scores."""
    comments = "\n".join(f"- {sheet['comment']}" for sheet in sheets if sheet.get("comment"))
    feedback = (
        N_("Outcome: {status}.\n{explanation}\nRationale: {rationale}\n\nThe judges' comments:\n{comments}")
        if comments
        else N_("Outcome: {status}.\n{explanation}\nRationale: {rationale}")
    )
    status = STATUS_LABELS[outcome]
    inbox.notify(
        connection,
        sorted(idea.author_ids),
        "idea_outcome",
        inbox.text(N_("Your idea “{title}”: {outcome}"), title=idea.title, outcome=inbox.word(status, lower=True)),
        inbox.text(
            feedback, status=inbox.word(status), explanation=explanation, rationale=rationale, comments=comments
        ),
        "my-ideas",
        now,
        actor=actor,
    )


def _live_action(connection: duckdb.DuckDBPyConnection, idea_id: int) -> dict[str, Any] | None:
    """The idea's action that has not been cancelled (open or done), if any."""
    return ConnectionReader(connection).query_one(
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
    at: datetime,
) -> None:
    """A green light becomes an owned action in the plan (the authors' badge follows the decision)."""
    owner_id = owner_id or actor.employee_id
    if not connection.execute("SELECT 1 FROM employees WHERE id = ? AND active", [owner_id]).fetchone():
        raise InputError.single(_("Action owner"), _("choose an active employee"))
    start = at.date()
    due_date = due_date or default_action_due_date(cycle, start)
    if due_date < start:
        raise InputError.single(_("Action due date"), _("cannot be in the past"))
    action_id = create_linked_action(connection, actor, idea, owner_id, start, due_date, at=at)
    set_status(
        connection,
        actor,
        idea,
        "in_implementation",
        texts.text(N_("Action #{number} due {day}"), number=str(action_id), day=texts.ShortDay(due_date))
        if action_id
        else texts.text(N_("Implementation due {day}"), day=texts.ShortDay(due_date)),
        at=at,
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
    *,
    at: datetime | None = None,
) -> int | None:
    """The improvement action a green-lit idea becomes (SPEC §4), inside the open write."""
    case = idea.business_case
    effect = f"Net annual benefit {case.net_annual_benefit:,.0f}"
    if idea.kpi_name:
        change = f" by {idea.kpi_expected_change:g}" if idea.kpi_expected_change is not None else ""
        effect += f"; {idea.kpi_name} expected to move{change}"
    record = plan.ActionInput(
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
    return workflow.insert_action(connection, actor, record, at=at)


def decisions_for(db: Database, viewer: CurrentUser, idea_id: int) -> list[Decision]:
    """Every decision on an idea, newest first; the first is the one in force. A viewer still
    blind to the idea's scores sees the outcomes and rationales, not the scores or sheets."""
    decisions = _decisions(db, idea_id)
    if decisions and not may_see_scores(db, viewer, idea_id):
        return [decision.model_copy(update={"score": None, "scores": []}) for decision in decisions]
    return decisions


def _decisions(db: Database, idea_id: int) -> list[Decision]:
    return _decisions_of(db, [idea_id]).get(idea_id, [])


def _decisions_of(db: Database, idea_ids: list[int]) -> dict[int, list[Decision]]:
    """The decisions on these ideas, newest first, by idea, in one statement."""
    rows = db.query(
        "SELECT d.*, e.full_name AS decided_by_name FROM idea_decisions d JOIN employees e ON e.id = d.decided_by"
        " WHERE list_contains(?, d.idea_id) ORDER BY d.id DESC",
        [idea_ids],
    )
    grouped: dict[int, list[Decision]] = {}
    for row in rows:
        grouped.setdefault(row["idea_id"], []).append(
            Decision(
                **{k: row[k] for k in ("id", "idea_id", "outcome", "score", "judges", "green_light_threshold")},
                min_judges=row["min_judges"],
                weights=json.loads(row["weights_json"]),
                scores=json.loads(row["scores_json"]),
                rationale=row["rationale"],
                decided_by=row["decided_by_name"],
                decided_at=row["decided_at"],
            )
        )
    return grouped


def feedback_for_authors(db: Database, viewer: CurrentUser, idea_id: int) -> dict[str, Any] | None:
    """What the authors are told after the day: outcome, score, rationale and the judges'
    comments (without names). None before a decision, or for someone not an author."""
    idea = get_idea(db, idea_id)
    if idea is None:
        return None
    return feedback_for_authors_of(db, viewer, [idea]).get(idea_id)


def feedback_for_authors_of(db: Database, viewer: CurrentUser, ideas: list[Idea]) -> dict[int, dict[str, Any]]:
    """``feedback_for_authors`` for several ideas (read with their co-authors) in one statement:
    only for the ideas the viewer wrote or co-wrote that have a decision."""
    own = [idea.id for idea in ideas if viewer.employee_id in idea.author_ids]
    if not own:
        return {}
    feedback = {}
    for idea_id, recorded in _decisions_of(db, own).items():
        latest = recorded[0]
        feedback[idea_id] = {
            "outcome": _(STATUS_LABELS[latest.outcome]),
            "score": latest.score,
            "threshold": latest.green_light_threshold,
            "judges": latest.judges,
            "rationale": latest.rationale,
            "comments": [sheet["comment"] for sheet in latest.scores if sheet.get("comment")],
        }
    return feedback
