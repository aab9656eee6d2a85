"""Proposed changes to decision rights (rule 6 of ``models.standards``): an idea's authors (or
a moderator or leadership, for an idea they read), or an analyst for a finding, propose a new
limit or conditions; leadership accepts (a new version of the right) or declines with a note."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import Field

from models import audit
from models.access import CurrentUser, Permission, PermissionDeniedError, require
from models.db import insert_row, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _
from models.inputs import InputRecord, entered_text
from models.speakup.ideas import Idea, get_idea
from models.standards.rights import MONEY_MAX, change_right

if TYPE_CHECKING:
    from models.db import Database


class ProposalInput(InputRecord):
    right_id: int = Field(title=N_("Decision right"))
    idea_id: int | None = Field(default=None, title=N_("Idea"))
    finding_id: int | None = Field(default=None, title=N_("Finding"))
    proposed_limit: Decimal | None = Field(default=None, title=N_("Proposed limit"), ge=0, le=MONEY_MAX)
    proposed_conditions: str | None = Field(default=None, title=N_("Proposed conditions"), max_length=1000)
    reason: str = Field(title=N_("Why"), min_length=10, max_length=2000)


STATUS_LABELS = {
    "open": N_("Open — waiting for leadership"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
}


def may_propose_from_idea(actor: CurrentUser, idea: Idea) -> bool:
    """An idea's authors, its moderators and leadership may propose a change from it."""
    return (
        actor.employee_id in idea.author_ids
        or actor.can(Permission.IDEAS_MODERATE)
        or actor.can(Permission.STRATEGY_MANAGE)
    )


def _check_origin(db: Database, actor: CurrentUser, record: ProposalInput) -> None:
    """Exactly one origin, and the actor may speak for it: an author of the idea (or a
    moderator or leadership), or an analyst for a finding."""
    if (record.idea_id is None) == (record.finding_id is None):
        raise InputError.single(_("Idea"), _("link the proposal to one idea or one finding"))
    if record.idea_id is not None:
        idea = get_idea(db, record.idea_id, actor)
        if idea is None:
            raise InputError.single(_("Idea"), _("no such idea"))
        if not may_propose_from_idea(actor, idea):
            raise PermissionDeniedError(actor, Permission.IDEAS_MODERATE)
    else:
        require(actor, Permission.FINDINGS_MANAGE)
        if db.scalar("SELECT 1 FROM findings WHERE id = ?", [record.finding_id]) is None:
            raise InputError.single(_("Finding"), _("no such finding"))


def propose_change(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """Propose a change to a right from an idea or a finding; returns the proposal's id."""
    require(actor, Permission.STRATEGY_READ)
    record = validate(ProposalInput, data)
    if record.proposed_limit is None and not record.proposed_conditions:
        raise InputError.single(_("Proposed limit"), _("propose a new limit, new conditions or both"))
    _check_origin(db, actor, record)
    now = at or utc_now()

    def store(connection: duckdb.DuckDBPyConnection) -> int:
        if connection.execute("SELECT 1 FROM decision_rights WHERE id = ?", [record.right_id]).fetchone() is None:
            raise InputError.single(_("Decision right"), _("no such decision right"))
        values = {
            **record.model_dump(),
            "proposed_conditions": record.proposed_conditions or None,
            "status": "open",
            "proposed_by": actor.employee_id,
            "proposed_at": now,
        }
        proposal_id = insert_row(connection, "decision_right_proposals", values)
        audit.record(connection, actor, "decision_right_proposal", proposal_id, "create", after=values, at=now)
        return proposal_id

    return db.write(store)


def decide_proposal(
    db: Database, actor: CurrentUser, proposal_id: int, *, accept: bool, note: str, at: datetime | None = None
) -> None:
    """Leadership accepts a proposal (the right gains a new version with the proposed limit
    and conditions) or declines it; either way with a note."""
    require(actor, Permission.STRATEGY_MANAGE)
    note = entered_text(note)
    if not note:
        raise InputError.single(_("Note"), _("say why, for the people who proposed it"))
    now = at or utc_now()

    def decide(connection: duckdb.DuckDBPyConnection) -> None:
        before = audit.row_as_dict(connection, "decision_right_proposals", "id", proposal_id)
        if before is None or before["status"] != "open":
            raise InputError.single(_("Proposal"), _("no open proposal to decide"))
        if accept:
            changes: dict[str, Any] = {}
            if before["proposed_limit"] is not None:
                changes["limit_amount"] = before["proposed_limit"]
            if before["proposed_conditions"]:
                changes["conditions"] = before["proposed_conditions"]
            change_right(connection, actor, before["right_id"], changes, None, now)
        connection.execute(
            "UPDATE decision_right_proposals SET status = ?, decided_by = ?, decided_at = ?, decision_note = ?"
            " WHERE id = ?",
            ["accepted" if accept else "declined", actor.employee_id, now, note, proposal_id],
        )
        after = audit.row_as_dict(connection, "decision_right_proposals", "id", proposal_id)
        audit.record(connection, actor, "decision_right_proposal", proposal_id, "decide", before, after, at=now)

    db.write(decide)


def proposals(db: Database, actor: CurrentUser, *, status: str | None = None) -> list[dict[str, Any]]:
    """Proposals with their right, origin and who proposed them, newest first (everyone reads
    the register and what is proposed to change in it)."""
    require(actor, Permission.STRATEGY_READ)
    return db.query(
        "SELECT p.id, p.status, r.role, r.remedy, r.limit_amount AS current_limit, p.proposed_limit,"
        " p.proposed_conditions, p.reason, p.idea_id, i.title AS idea, p.finding_id, f.title AS finding,"
        " e.full_name AS proposed_by, p.proposed_at, p.decision_note"
        " FROM decision_right_proposals p JOIN decision_rights r ON r.id = p.right_id"
        " LEFT JOIN ideas i ON i.id = p.idea_id LEFT JOIN findings f ON f.id = p.finding_id"
        " JOIN employees e ON e.id = p.proposed_by"
        " WHERE ? IS NULL OR p.status = ? ORDER BY p.id DESC",
        [status, status],
    )


def proposals_for(
    db: Database, actor: CurrentUser, *, idea_ids: list[int] | None = None, finding_id: int | None = None
) -> dict[int, list[dict[str, Any]]]:
    """The proposals linked to these ideas, or to a finding, by idea (or finding) id, oldest
    first, with their status — for the idea board and the finding's page (read by everyone)."""
    require(actor, Permission.STRATEGY_READ)
    origin = "p.idea_id" if finding_id is None else "p.finding_id"
    ids = list(idea_ids or []) if finding_id is None else [finding_id]
    rows = db.query(
        f"SELECT {origin} AS origin_id, p.id, p.status, r.role, r.remedy, r.limit_amount AS current_limit,"
        " p.proposed_limit, p.proposed_conditions, p.reason, e.full_name AS proposed_by, p.proposed_at,"
        " p.decision_note FROM decision_right_proposals p JOIN decision_rights r ON r.id = p.right_id"
        f" JOIN employees e ON e.id = p.proposed_by WHERE list_contains(?, {origin}) ORDER BY p.id",
        [ids],
    )
    linked: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        linked.setdefault(row.pop("origin_id"), []).append(row)
    return linked
