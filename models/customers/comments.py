"""Customers' comments: searched, and attached to a finding or an idea as the customer's own
words. Comments may hold personal data, so only those who read raw complaints (analysts and
leadership) read them, search them or attach them; attaching to a finding also needs the
right to manage findings. Everyone else learns only how many comments an item carries."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
from pydantic import Field

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import insert_row, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _
from models.inputs import InputRecord, entered_text

if TYPE_CHECKING:
    from models.db import Database

MAX_NOTE_LENGTH = 500
SEARCH_LIMIT = 200


def _like_pattern(text: str) -> str:
    """``text`` as an ILIKE pattern matching it anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_comments(
    db: Database,
    actor: CurrentUser,
    text: str = "",
    *,
    survey_type: str | None = None,
    channel: str | None = None,
    team_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = SEARCH_LIMIT,
) -> pd.DataFrame:
    """Answers with a comment containing ``text`` (any case), newest first, with their date,
    channel, team, type and score (analyst and leadership)."""
    require(actor, Permission.COMPLAINTS_RAW)
    conditions, params = ["a.comment IS NOT NULL"], []
    words = entered_text(text)
    if words:
        conditions.append("a.comment ILIKE ? ESCAPE '\\'")
        params.append(_like_pattern(words))
    for sql, value in (
        ("a.survey_type = ?", survey_type),
        ("a.channel = ?", channel),
        ("a.team_id = ?", team_id),
        ("a.answered_on >= ?", date_from),
        ("a.answered_on <= ?", date_to),
    ):
        if value is not None:
            conditions.append(sql)
            params.append(value)
    return db.frame(
        "SELECT a.id, a.answered_on, a.channel, coalesce(t.name, a.unit) AS team, upper(a.survey_type) AS survey_type,"
        " a.score, a.comment, a.customer_id FROM customer_survey_answers a LEFT JOIN teams t ON t.id = a.team_id"
        f" WHERE {' AND '.join(conditions)} ORDER BY a.answered_on DESC, a.id DESC LIMIT ?",
        [*params, int(limit)],
    )


class CommentLinkInput(InputRecord):
    answer_id: int = Field(title=N_("Comment"))
    finding_id: int | None = Field(default=None, title=N_("Finding"))
    idea_id: int | None = Field(default=None, title=N_("Idea"))
    note: str = Field(default="", title=N_("Note"), max_length=MAX_NOTE_LENGTH)


def _target(connection: duckdb.DuckDBPyConnection, finding_id: int | None, idea_id: int | None) -> dict[str, Any]:
    if (finding_id is None) == (idea_id is None):
        raise InputError.single(_("Attach to"), _("choose a finding or an idea (one of them)"))
    if finding_id is not None:
        title = connection.execute("SELECT title FROM findings WHERE id = ?", [finding_id]).fetchone()
        if title is None:
            raise InputError.single(_("Finding"), _("no such finding"))
        return {"finding_id": finding_id, "title": title[0]}
    title = connection.execute("SELECT title FROM ideas WHERE id = ? AND status <> 'draft'", [idea_id]).fetchone()
    if title is None:
        raise InputError.single(_("Idea"), _("no such idea on the board"))
    return {"idea_id": idea_id, "title": title[0]}


def attach_comment(
    db: Database,
    actor: CurrentUser,
    answer_id: int,
    *,
    finding_id: int | None = None,
    idea_id: int | None = None,
    note: str = "",
    at: datetime | None = None,
) -> int:
    """Attach an answer's comment to a finding or to an idea as the customer's own words;
    returns the link's id. Attaching the same comment to the same item twice is refused."""
    require(actor, Permission.COMPLAINTS_RAW)
    if finding_id is not None:
        require(actor, Permission.FINDINGS_MANAGE)
    record = validate(
        CommentLinkInput, {"answer_id": answer_id, "finding_id": finding_id, "idea_id": idea_id, "note": note}
    )
    when = at or utc_now()

    def attach(connection: duckdb.DuckDBPyConnection) -> int:
        target = _target(connection, record.finding_id, record.idea_id)
        answer = connection.execute(
            "SELECT comment FROM customer_survey_answers WHERE id = ? AND comment IS NOT NULL", [record.answer_id]
        ).fetchone()
        if answer is None:
            raise InputError.single(_("Comment"), _("no such customer comment"))
        if connection.execute(
            "SELECT 1 FROM customer_comment_links WHERE answer_id = ?"
            " AND finding_id IS NOT DISTINCT FROM ? AND idea_id IS NOT DISTINCT FROM ?",
            [record.answer_id, record.finding_id, record.idea_id],
        ).fetchone():
            raise InputError.single(_("Comment"), _("it is already attached to {title}", title=repr(target["title"])))
        values = {**record.model_dump(), "linked_by": actor.employee_id, "linked_at": when}
        link_id = insert_row(connection, "customer_comment_links", values)
        audit.record(connection, actor, "customer_comment_link", link_id, "attach", after=values, at=when)
        return link_id

    return db.write(attach)


def detach_comment(db: Database, actor: CurrentUser, link_id: int) -> None:
    """Take an attached comment off its finding or idea (whoever may attach it there)."""
    require(actor, Permission.COMPLAINTS_RAW)

    def detach(connection: duckdb.DuckDBPyConnection) -> None:
        before = audit.row_as_dict(connection, "customer_comment_links", "id", link_id)
        if before is None:
            raise InputError.single(_("Comment"), _("it is not attached (any more)"))
        if before["finding_id"] is not None:
            require(actor, Permission.FINDINGS_MANAGE)
        connection.execute("DELETE FROM customer_comment_links WHERE id = ?", [link_id])
        audit.record(connection, actor, "customer_comment_link", link_id, "detach", before=before)

    db.write(detach)


_ATTACHED_SQL = (
    "SELECT l.id AS link_id, a.id AS answer_id, a.answered_on, a.channel, coalesce(t.name, a.unit) AS team,"
    " upper(a.survey_type) AS survey_type, a.score, a.comment, l.note, e.full_name AS attached_by, l.linked_at"
    " FROM customer_comment_links l JOIN customer_survey_answers a ON a.id = l.answer_id"
    " LEFT JOIN teams t ON t.id = a.team_id LEFT JOIN employees e ON e.id = l.linked_by"
)


def comments_for(
    db: Database, actor: CurrentUser, *, finding_id: int | None = None, idea_id: int | None = None
) -> list[dict[str, Any]]:
    """The customers' own words attached to a finding or an idea (analyst and leadership)."""
    require(actor, Permission.COMPLAINTS_RAW)
    if finding_id is not None:
        return db.query(_ATTACHED_SQL + " WHERE l.finding_id = ? ORDER BY a.answered_on, l.id", [finding_id])
    return db.query(_ATTACHED_SQL + " WHERE l.idea_id = ? ORDER BY a.answered_on, l.id", [idea_id])


def attached_count(db: Database, *, finding_id: int | None = None, idea_id: int | None = None) -> int:
    """How many customer comments a finding or an idea carries (a number anyone may see)."""
    column, value = ("finding_id", finding_id) if finding_id is not None else ("idea_id", idea_id)
    return int(db.scalar(f"SELECT count(*) FROM customer_comment_links WHERE {column} = ?", [value]))


def comments_for_ideas(db: Database, actor: CurrentUser, idea_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """``comments_for`` of several ideas in one statement: idea id → its attached comments."""
    require(actor, Permission.COMPLAINTS_RAW)
    grouped: dict[int, list[dict[str, Any]]] = {idea_id: [] for idea_id in idea_ids}
    if not idea_ids:
        return grouped
    rows = db.query(
        _ATTACHED_SQL.replace("SELECT ", "SELECT l.idea_id AS for_idea, ", 1)
        + " WHERE list_contains(?, l.idea_id) ORDER BY a.answered_on, l.id",
        [idea_ids],
    )
    for row in rows:
        grouped[row.pop("for_idea")].append(row)
    return grouped


def attached_counts_of_ideas(db: Database, idea_ids: list[int]) -> dict[int, int]:
    """``attached_count`` of several ideas in one statement: idea id → how many comments."""
    counts = dict.fromkeys(idea_ids, 0)
    if idea_ids:
        rows = db.query(
            "SELECT idea_id, count(*) AS attached FROM customer_comment_links"
            " WHERE list_contains(?, idea_id) GROUP BY idea_id",
            [idea_ids],
        )
        counts.update({row["idea_id"]: row["attached"] for row in rows})
    return counts


def link_targets(db: Database, actor: CurrentUser) -> dict[str, list[dict[str, Any]]]:
    """The findings (for those who manage them) and the ideas on the board a comment can be attached to."""
    require(actor, Permission.COMPLAINTS_RAW)
    findings = (
        db.query("SELECT id, title FROM findings ORDER BY id DESC") if actor.can(Permission.FINDINGS_MANAGE) else []
    )
    ideas = db.query("SELECT id, title FROM ideas WHERE status <> 'draft' ORDER BY id DESC")
    return {"findings": findings, "ideas": ideas}
