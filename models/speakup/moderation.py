"""Moderation of submitted ideas: shortlist (and take off the shortlist), send back, decline,
merge duplicates and carry an idea into a later cycle."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import ConnectionReader
from models.errors import InputError
from models.speakup import day_plan, preparation
from models.speakup.board import board
from models.speakup.cycles import Cycle, get_cycle
from models.speakup.ideas import (
    CARRYABLE,
    MODERATABLE,
    OPEN_FOR_ENGAGEMENT,
    Idea,
    _idea_for_update,
    _reason,
    set_status,
)

if TYPE_CHECKING:
    from models.db import Database


def _moderatable(
    connection: duckdb.DuckDBPyConnection, idea_id: int, allowed: tuple[str, ...] = MODERATABLE
) -> tuple[Idea, Cycle]:
    idea = _idea_for_update(connection, idea_id)
    if idea.status not in allowed:
        raise InputError.single("Idea", f"a {idea.status_label.lower()} idea cannot be moderated this way")
    cycle = get_cycle(ConnectionReader(connection), idea.cycle_id)
    assert cycle is not None
    if cycle.phase not in ("open", "review"):
        raise InputError.single("Cycle", f"{cycle.name} is {cycle.phase_label.lower()}; moderation has ended")
    return idea, cycle


def shortlist(db: Database, actor: CurrentUser, idea_id: int, note: str = "", *, at: datetime | None = None) -> None:
    """Put an idea on the list for Speak-Up Day, within the cycle's shortlist size; its authors
    are invited to the cycle's preparation sessions still to come."""
    require(actor, Permission.IDEAS_MODERATE)
    note = _reason(note, "Note", required=False)

    def do(connection: duckdb.DuckDBPyConnection):
        idea, cycle = _moderatable(connection, idea_id, ("submitted",))
        taken = connection.execute(
            "SELECT count(*) FROM ideas WHERE cycle_id = ? AND status NOT IN"
            " ('draft', 'submitted', 'needs_more_work', 'declined', 'merged', 'withdrawn')",
            [cycle.id],
        ).fetchone()[0]
        if taken >= cycle.shortlist_size:
            raise InputError.single("Shortlist", f"{cycle.name}'s shortlist is full ({cycle.shortlist_size} ideas)")
        set_status(connection, actor, idea, "shortlisted", note or None, at=at)
        preparation.invite_shortlisted(connection, actor, cycle.id, at=at, idea_id=idea_id)

    db.write(do)


def remove_from_shortlist(
    db: Database, actor: CurrentUser, idea_id: int, reason: str, *, at: datetime | None = None
) -> None:
    """Take an idea off the shortlist before scoring starts; it is submitted again. Its authors'
    preparation invitations not attended are withdrawn and it leaves the running order."""
    require(actor, Permission.IDEAS_MODERATE)
    reason = _reason(reason, "Reason")

    def do(connection: duckdb.DuckDBPyConnection):
        idea, cycle = _moderatable(connection, idea_id, ("shortlisted",))
        set_status(connection, actor, idea, "submitted", f"Taken off the shortlist: {reason}", at=at)
        preparation.withdraw_invitations(connection, actor, idea_id, reason, at=at)
        day_plan.drop_from_running_order(connection, actor, cycle.id, idea_id, at=at)

    db.write(do)


def send_back(db: Database, actor: CurrentUser, idea_id: int, feedback: str, *, at: datetime | None = None) -> None:
    """Mark an idea "needs more work" with feedback; its authors can edit and resubmit."""
    require(actor, Permission.IDEAS_MODERATE)
    feedback = _reason(feedback, "Feedback")

    def do(connection: duckdb.DuckDBPyConnection):
        idea, _ = _moderatable(connection, idea_id, ("submitted",))
        set_status(connection, actor, idea, "needs_more_work", feedback, at=at)

    db.write(do)


def decline(db: Database, actor: CurrentUser, idea_id: int, reason: str, *, at: datetime | None = None) -> None:
    require(actor, Permission.IDEAS_MODERATE)
    reason = _reason(reason, "Reason")

    def do(connection: duckdb.DuckDBPyConnection):
        idea, _ = _moderatable(connection, idea_id)
        set_status(connection, actor, idea, "declined", reason, at=at)

    db.write(do)


def merge(
    db: Database, actor: CurrentUser, duplicate_id: int, survivor_id: int, note: str = "", *, at: datetime | None = None
) -> int:
    """Merge a duplicate into another idea: its supporters (never counted twice, never an
    author of the survivor) and its comments move to the survivor. Returns supporters moved."""
    require(actor, Permission.IDEAS_MODERATE)
    note = _reason(note, "Note", required=False)
    if duplicate_id == survivor_id:
        raise InputError.single("Merge into", "an idea cannot be merged into itself")

    def do(connection: duckdb.DuckDBPyConnection):
        duplicate, _ = _moderatable(connection, duplicate_id)
        survivor = _idea_for_update(connection, survivor_id)
        if survivor.status in ("draft", "withdrawn", "merged", "declined"):
            raise InputError.single("Merge into", f"cannot merge into a {survivor.status_label.lower()} idea")
        if survivor.cycle_id != duplicate.cycle_id and survivor.status not in OPEN_FOR_ENGAGEMENT:
            raise InputError.single(
                "Merge into",
                f"#{survivor.id} is {survivor.status_label.lower()} in {survivor.cycle_name}, so it takes no more "
                "supporters; decline this idea with a pointer to it, or carry that idea forward first",
            )
        survivor_authors = list(survivor.author_ids)
        moved = connection.execute(
            "INSERT INTO idea_supports SELECT ?, s.employee_id, s.supported_at FROM idea_supports s"
            " WHERE s.idea_id = ? AND NOT list_contains(?, s.employee_id)"
            " AND s.employee_id NOT IN (SELECT employee_id FROM idea_supports WHERE idea_id = ?)",
            [survivor_id, duplicate_id, survivor_authors, survivor_id],
        ).fetchone()[0]
        connection.execute("DELETE FROM idea_supports WHERE idea_id = ?", [duplicate_id])
        comments_moved = connection.execute(
            "UPDATE idea_comments SET idea_id = ? WHERE idea_id = ?", [survivor_id, duplicate_id]
        ).fetchone()[0]
        text = f"Merged into #{survivor_id} “{survivor.title}”" + (f": {note}" if note else "")
        set_status(connection, actor, duplicate, "merged", text, at=at, merged_into_id=survivor_id)
        audit.record(
            connection,
            actor,
            "idea",
            survivor_id,
            "merge_received",
            after={"from": duplicate_id, "supporters_moved": moved, "comments_moved": comments_moved},
            at=at,
        )
        return moved

    return db.write(do)


def carry_forward(db: Database, actor: CurrentUser, idea_id: int, cycle_id: int, *, at: datetime | None = None) -> None:
    """Bring an idea that was not shortlisted into a later cycle, keeping supports and comments."""
    require(actor, Permission.IDEAS_MODERATE)

    def do(connection: duckdb.DuckDBPyConnection):
        idea = _idea_for_update(connection, idea_id)
        if idea.status not in CARRYABLE:
            raise InputError.single("Idea", f"a {idea.status_label.lower()} idea cannot be carried forward")
        target = get_cycle(ConnectionReader(connection), cycle_id)
        if target is None or target.id == idea.cycle_id:
            raise InputError.single("Next cycle", "choose a different cycle")
        if target.phase not in ("planned", "open"):
            raise InputError.single("Next cycle", f"{target.name} is {target.phase_label.lower()}")
        set_status(
            connection,
            actor,
            idea,
            "submitted",
            f"Carried from {idea.cycle_name} into {target.name}",
            at=at,
            cycle_id=cycle_id,
            carried_from_cycle_id=idea.cycle_id,
        )

    db.write(do)


QUEUE_STATUSES = ("submitted", "needs_more_work", "shortlisted")


def moderation_queue(db: Database, cycle_id: int) -> list[Idea]:
    """The cycle's ideas a moderator looks after, by number."""
    queued = board(db, cycle_id=cycle_id, statuses=list(QUEUE_STATUSES), sort="Most supported", limit=10_000)
    return sorted(queued, key=lambda idea: idea.id)


def carryable_ideas(db: Database, before_cycle_id: int) -> list[Idea]:
    """Ideas of earlier cycles that were not shortlisted and may be carried into this one."""
    return [idea for idea in board(db, statuses=list(CARRYABLE), limit=500) if idea.cycle_id != before_cycle_id]
