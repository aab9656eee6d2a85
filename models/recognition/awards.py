"""Recognitions earned in the programme (the "green-lit idea" badge for now); HR's
recognition area builds kudos and the other badges on the same table."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

from models import audit
from models.access import CurrentUser
from models.db import insert_with_new_id, utc_now

if TYPE_CHECKING:
    from models.db import Database

GREEN_LIT_IDEA = "green_lit_idea"
KIND_LABELS = {GREEN_LIT_IDEA: "Green-lit idea"}


def insert_recognition(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    employee_id: int,
    kind: str,
    message: str,
    *,
    idea_id: int | None = None,
    at: datetime | None = None,
) -> int | None:
    """Award a recognition inside the caller's write (``at``, default now); an idea earns
    each person a badge once.

    Returns the new id, or None when the person holds this badge for the idea already."""
    if (
        idea_id is not None
        and connection.execute(
            "SELECT 1 FROM recognitions WHERE employee_id = ? AND kind = ? AND idea_id = ?",
            [employee_id, kind, idea_id],
        ).fetchone()
    ):
        return None
    recognition_id = insert_with_new_id(
        connection,
        "recognitions",
        "INSERT INTO recognitions (id, employee_id, kind, idea_id, message, awarded_at) VALUES (?, ?, ?, ?, ?, ?)",
        [employee_id, kind, idea_id, message, at or utc_now()],
    )
    audit.record(
        connection,
        actor,
        "recognition",
        recognition_id,
        "award",
        after={"employee_id": employee_id, "kind": kind, "idea_id": idea_id, "message": message},
        at=at,
    )
    return recognition_id


def recognitions_for(db: Database, employee_id: int) -> list[dict[str, Any]]:
    """A person's recognitions, newest first."""
    rows = db.query(
        "SELECT r.id, r.kind, r.idea_id, r.message, r.awarded_at, i.title AS idea_title FROM recognitions r"
        " LEFT JOIN ideas i ON i.id = r.idea_id WHERE r.employee_id = ? ORDER BY r.awarded_at DESC, r.id DESC",
        [employee_id],
    )
    for row in rows:
        row["kind_label"] = KIND_LABELS.get(row["kind"], row["kind"])
    return rows
