"""Moderation of submitted ideas: shortlist (and take off the shortlist), send back, decline,
merge duplicates and carry an idea into a later cycle."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import ConnectionReader
from models.errors import InputError
from models.i18n import N_, _, ngettext, pgettext
from models.inbox import texts
from models.speakup import day_plan, preparation
from models.speakup.board import _co_authors_of, board
from models.speakup.cycles import Cycle, get_cycle
from models.speakup.ideas import (
    _IDEA_SQL,
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
        raise InputError.single(
            _("Idea"), _("a {status} idea cannot be moderated this way", status=idea.status_label.lower())
        )
    cycle = get_cycle(ConnectionReader(connection), idea.cycle_id)
    assert cycle is not None
    if cycle.phase not in ("open", "review"):
        raise InputError.single(
            _("Cycle"),
            _("{name} is {phase}; moderation has ended", name=cycle.name, phase=cycle.phase_label.lower()),
        )
    return idea, cycle


def shortlist(db: Database, actor: CurrentUser, idea_id: int, note: str = "", *, at: datetime | None = None) -> None:
    """Put an idea on the list for Speak-Up Day, within the cycle's shortlist size; its authors
    are invited to the cycle's preparation sessions still to come."""
    require(actor, Permission.IDEAS_MODERATE)
    note = _reason(note, N_("Note"), required=False)

    def do(connection: duckdb.DuckDBPyConnection):
        idea, cycle = _moderatable(connection, idea_id, ("submitted",))
        taken = connection.execute(
            "SELECT count(*) FROM ideas WHERE cycle_id = ? AND status NOT IN"
            " ('draft', 'submitted', 'needs_more_work', 'declined', 'merged', 'withdrawn')",
            [cycle.id],
        ).fetchone()[0]
        if taken >= cycle.shortlist_size:
            raise InputError.single(
                pgettext("field", "Shortlist"),
                ngettext(
                    "{name}'s shortlist is full ({n} idea)",
                    "{name}'s shortlist is full ({n} ideas)",
                    cycle.shortlist_size,
                    name=cycle.name,
                ),
            )
        set_status(connection, actor, idea, "shortlisted", note or None, at=at)
        preparation.invite_shortlisted(connection, actor, cycle.id, at=at, idea_id=idea_id)

    db.write(do)


def remove_from_shortlist(
    db: Database, actor: CurrentUser, idea_id: int, reason: str, *, at: datetime | None = None
) -> None:
    """Take an idea off the shortlist before scoring starts; it is submitted again. Its authors'
    preparation invitations not attended are withdrawn and it leaves the running order."""
    require(actor, Permission.IDEAS_MODERATE)
    reason = _reason(reason, N_("Reason"))

    def do(connection: duckdb.DuckDBPyConnection):
        idea, cycle = _moderatable(connection, idea_id, ("shortlisted",))
        note = texts.text(N_("Taken off the shortlist: {reason}"), reason=reason)
        set_status(connection, actor, idea, "submitted", note, at=at)
        preparation.withdraw_invitations(connection, actor, idea_id, reason, at=at)
        day_plan.drop_from_running_order(connection, actor, cycle.id, idea_id, at=at)

    db.write(do)


def send_back(db: Database, actor: CurrentUser, idea_id: int, feedback: str, *, at: datetime | None = None) -> None:
    """Mark an idea "needs more work" with feedback; its authors can edit and resubmit."""
    require(actor, Permission.IDEAS_MODERATE)
    feedback = _reason(feedback, N_("Feedback"))

    def do(connection: duckdb.DuckDBPyConnection):
        idea, _ = _moderatable(connection, idea_id, ("submitted",))
        set_status(connection, actor, idea, "needs_more_work", feedback, at=at)

    db.write(do)


def decline(db: Database, actor: CurrentUser, idea_id: int, reason: str, *, at: datetime | None = None) -> None:
    require(actor, Permission.IDEAS_MODERATE)
    reason = _reason(reason, N_("Reason"))

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
    note = _reason(note, N_("Note"), required=False)
    if duplicate_id == survivor_id:
        raise InputError.single(_("Merge into"), _("an idea cannot be merged into itself"))

    def do(connection: duckdb.DuckDBPyConnection):
        duplicate, _cycle = _moderatable(connection, duplicate_id)
        survivor = _idea_for_update(connection, survivor_id)
        if survivor.status in ("draft", "withdrawn", "merged", "declined"):
            raise InputError.single(
                _("Merge into"), _("cannot merge into a {status} idea", status=survivor.status_label.lower())
            )
        if survivor.cycle_id != duplicate.cycle_id and survivor.status not in OPEN_FOR_ENGAGEMENT:
            raise InputError.single(
                _("Merge into"),
                _(
                    "#{number} is {status} in {cycle}, so it takes no more supporters; decline this idea with "
                    "a pointer to it, or carry that idea forward first",
                    number=survivor.id,
                    status=survivor.status_label.lower(),
                    cycle=survivor.cycle_name,
                ),
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
        merged = {"number": str(survivor_id), "title": texts.Quoted((survivor.title,))}
        text = (
            texts.text(N_("Merged into #{number} {title}: {note}"), **merged, note=note)
            if note
            else texts.text(N_("Merged into #{number} {title}"), **merged)
        )
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
            raise InputError.single(
                _("Idea"), _("a {status} idea cannot be carried forward", status=idea.status_label.lower())
            )
        target = get_cycle(ConnectionReader(connection), cycle_id)
        if target is None or target.id == idea.cycle_id:
            raise InputError.single(_("Next cycle"), _("choose a different cycle"))
        if target.phase not in ("planned", "open"):
            raise InputError.single(
                _("Next cycle"), _("{name} is {phase}", name=target.name, phase=target.phase_label.lower())
            )
        set_status(
            connection,
            actor,
            idea,
            "submitted",
            texts.text(N_("Carried from {cycle} into {target}"), cycle=idea.cycle_name, target=target.name),
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


def queue_page(
    db: Database,
    cycle_id: int,
    *,
    statuses: list[str] | None = None,
    words: str = "",
    offset: int = 0,
    limit: int = 20,
) -> tuple[int, list[Idea]]:
    """How many of the cycle's queued ideas match (status, a number or words of the title) and
    one page of them by number, filtered and counted in DuckDB."""
    chosen = [status for status in (statuses or QUEUE_STATUSES) if status in QUEUE_STATUSES]
    total, rows = _ideas_matching(db, "i.cycle_id = ? AND list_contains(?, i.status)", [cycle_id, chosen], words)
    page = rows(offset, limit)
    co_authors = _co_authors_of(db, [row["id"] for row in page])
    found = []
    for row in page:
        row.pop("updated_at", None)
        found.append(Idea(**row, co_authors=co_authors.get(row["id"], [])))
    return total, found


def queue_totals(db: Database, cycle_id: int) -> dict[str, int]:
    """The ideas a moderator looks after in the cycle, and how many of them are shortlisted."""
    row = db.query_one(
        "SELECT count(*) AS queued, count(*) FILTER (WHERE status = 'shortlisted') AS shortlisted FROM ideas"
        " WHERE cycle_id = ? AND list_contains(?, status)",
        [cycle_id, list(QUEUE_STATUSES)],
    )
    return {"queued": int(row["queued"]), "shortlisted": int(row["shortlisted"])}


MERGE_TARGETS_EXCLUDED = ("draft", "withdrawn", "merged", "declined")


def merge_candidates(
    db: Database, cycle_id: int, duplicate_id: int, words: str = "", *, limit: int = 20
) -> tuple[int, list[dict[str, Any]]]:
    """The ideas of the cycle a duplicate may be merged into that match a number or words of
    the title: how many, and the first ``limit`` by number."""
    total, rows = _ideas_matching(
        db,
        "i.cycle_id = ? AND i.id <> ? AND NOT list_contains(?, i.status)",
        [cycle_id, duplicate_id, list(MERGE_TARGETS_EXCLUDED)],
        words,
        columns="i.id, i.title",
    )
    return total, rows(0, limit)


def carryable_ideas(db: Database, before_cycle_id: int, words: str = "", *, limit: int = 20) -> tuple[int, list[Idea]]:
    """Ideas of earlier cycles that were not shortlisted and may be carried into this one,
    matching a number or words of the title: how many, and the newest ``limit``."""
    total, rows = _ideas_matching(
        db, "i.cycle_id <> ? AND list_contains(?, i.status)", [before_cycle_id, list(CARRYABLE)], words, newest=True
    )
    return total, [Idea(**{k: v for k, v in row.items() if k != "updated_at"}) for row in rows(0, limit)]


def _ideas_matching(
    db: Database, where: str, params: list[Any], words: str, *, columns: str = "", newest: bool = False
) -> tuple[int, Any]:
    """The count of ideas matching ``where`` and a number or words of the title, and a reader of
    one slice of them (by number; newest first when asked)."""
    words = words.strip()
    if words:
        where += " AND (contains(lower(i.title), lower(?)) OR CAST(i.id AS VARCHAR) = ?)"
        params = [*params, words, words.lstrip("#")]
    total = int(db.scalar(f"SELECT count(*) FROM ideas i WHERE {where}", params))
    select = f"SELECT {columns} FROM ideas i" if columns else _IDEA_SQL
    order = "i.id DESC" if newest else "i.id"

    def rows(offset: int, limit: int) -> list[dict[str, Any]]:
        if not total or offset >= total:
            return []
        return db.query(f"{select} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset])

    return total, rows
