"""Messages to people: written inside the write of the event that causes them (``notify``,
``notify_each``), read and marked read by their recipient only. A message's subject and body are
``Text``s of the portal's words (``text(N_("…"), name=…)``), stored as their msgids and values and
shown in the reader's language, or a person's own words (a comment, a kudos), shown as written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb
from pydantic import BaseModel

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import next_ids, utc_now
from models.errors import InputError
from models.i18n import N_, _
from models.inbox import outbox
from models.inbox.texts import Competency, Course, Text, dumps, shown_message, text, word

# what a notice is written with, where it is written (``inbox.text(N_("…"), name=…)``)
__all__ = ["Competency", "Course", "InboxMessage", "Notice", "Text", "notify", "notify_each", "text", "word"]

if TYPE_CHECKING:
    from models.db import Database, Reader

SUBJECT_MAX = 200
BODY_MAX = 4000
PAGE_SIZE = 200

KIND_LABELS = {  # translated where shown
    "idea_outcome": N_("Idea outcome"),
    "idea_comment": N_("Comment on your idea"),
    "idea_support": N_("Support for your idea"),
    "scoring_open": N_("Scoring open"),
    "course_assigned": N_("Course assigned"),
    "course_overdue": N_("Course overdue"),
    "assessment": N_("Assessment to acknowledge"),
    "coaching_note": N_("Coaching note to acknowledge"),
    "appeal_resolved": N_("Appeal resolved"),
    "kudos": N_("Kudos received"),
    "survey_open": N_("Survey open"),
}


@dataclass(frozen=True)
class Notice:
    """One message to one person, before it is stored: its subject and body in the portal's
    words (a ``Text``) or a person's own (a ``str``)."""

    recipient_id: int
    subject: Text | str
    body: Text | str
    link: str | None = None
    record_key: str | None = None
    created_at: datetime | None = None  # when it happened, if not the write's ``at``


class InboxMessage(BaseModel):
    id: int
    kind: str
    subject: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None

    @property
    def kind_label(self) -> str:
        label = KIND_LABELS.get(self.kind)
        return _(label) if label else self.kind.replace("_", " ").capitalize()

    @property
    def unread(self) -> bool:
        return self.read_at is None


def _clip(shown: str, limit: int) -> str:
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _stored(said: Text | str, limit: int) -> tuple[str, str | None]:
    """A subject or body as stored: its English words (clipped) and its msgid (None: a person's own)."""
    if isinstance(said, Text):
        return _clip(said.in_english(), limit), said.message
    return _clip(said, limit), None


def _values_json(notice: Notice) -> str | None:
    """The values of a notice's subject and body, as one JSON object; a name both use is the same value."""
    values: dict = {}
    for said in (notice.subject, notice.body):
        if isinstance(said, Text):
            for name, value in said.values.items():
                if values.setdefault(name, value) != value:
                    raise ValueError(f"the subject and the body give {name!r} two values")
    return dumps(values)


def notify(
    connection: duckdb.DuckDBPyConnection,
    recipient_ids: Iterable[int],
    kind: str,
    subject: Text | str,
    body: Text | str,
    link: str | None,
    at: datetime | None = None,
    *,
    actor: CurrentUser | None = None,
    record_key: str | None = None,
) -> int:
    """Tell these people the same thing, inside the caller's write (rule 1); returns how many
    messages were stored."""
    notices = [Notice(person, subject, body, link, record_key) for person in dict.fromkeys(recipient_ids)]
    return notify_each(connection, kind, notices, at, actor=actor)


def notify_each(
    connection: duckdb.DuckDBPyConnection,
    kind: str,
    notices: Sequence[Notice],
    at: datetime | None = None,
    *,
    actor: CurrentUser | None = None,
) -> int:
    """Store one message per notice in a few set-based statements, inside the caller's write:
    never to the actor or to someone inactive (rule 2), a notice with a ``record_key`` once per
    person (rule 4), queued as email when a server is configured (rule 5). Returns how many
    messages were stored."""
    if not notices:
        return 0
    now = at or utc_now()
    ids = next_ids(connection, "inbox_messages", len(notices))  # an id each; those not stored leave a gap
    subjects = [_stored(notice.subject, SUBJECT_MAX) for notice in notices]
    bodies = [_stored(notice.body, BODY_MAX) for notice in notices]
    columns = {
        "id": ids,
        "recipient_id": [notice.recipient_id for notice in notices],
        "subject": [subject for subject, _msgid in subjects],
        "body": [body for body, _msgid in bodies],
        "subject_msgid": [msgid for _subject, msgid in subjects],
        "body_msgid": [msgid for _body, msgid in bodies],
        "values_json": [_values_json(notice) for notice in notices],
        "link": [notice.link for notice in notices],
        "record_key": [notice.record_key for notice in notices],
        "created_at": [notice.created_at or now for notice in notices],
    }
    once = any(notice.record_key is not None for notice in notices)
    stored = connection.execute(
        "INSERT INTO inbox_messages (id, recipient_id, kind, subject, body, subject_msgid, body_msgid, values_json,"
        " link, record_key, created_at)"
        " SELECT n.id, n.recipient_id, $kind, n.subject, n.body, n.subject_msgid, n.body_msgid, n.values_json,"
        " n.link, n.record_key, n.created_at FROM ("
        " SELECT unnest($id::INTEGER[]) AS id, unnest($recipient_id::INTEGER[]) AS recipient_id,"
        " unnest($subject::VARCHAR[]) AS subject, unnest($body::VARCHAR[]) AS body,"
        " unnest($subject_msgid::VARCHAR[]) AS subject_msgid, unnest($body_msgid::VARCHAR[]) AS body_msgid,"
        " unnest($values_json::VARCHAR[]) AS values_json, unnest($link::VARCHAR[]) AS link,"
        " unnest($record_key::VARCHAR[]) AS record_key, unnest($created_at::TIMESTAMP[]) AS created_at) n"
        " JOIN employees e ON e.id = n.recipient_id AND e.active WHERE n.recipient_id IS DISTINCT FROM $actor"
        + (
            " AND (n.record_key IS NULL OR NOT EXISTS (SELECT 1 FROM inbox_messages m WHERE m.kind = $kind"
            "  AND m.record_key = n.record_key AND m.recipient_id = n.recipient_id))"
            if once
            else ""
        ),
        {**columns, "kind": kind, "actor": actor.employee_id if actor else None},
    ).fetchone()
    count = int(stored[0]) if stored else 0
    if count:
        outbox.queue(connection, ids, now)
    return count


# -- reading --------------------------------------------------------------------------------------
def unread_count(db: Reader, user: CurrentUser) -> int:
    """How many of the person's own messages are unread (the count beside their name)."""
    require(user, Permission.OWN_RECORDS_READ)
    return int(
        db.scalar("SELECT count(*) FROM inbox_messages WHERE recipient_id = ? AND read_at IS NULL", [user.employee_id])
    )


def messages(db: Reader, user: CurrentUser, *, unread_only: bool = False, limit: int = PAGE_SIZE) -> list[InboxMessage]:
    """The person's own messages, newest first (rule 3: never anyone else's), in the current
    language: the portal's words in the reader's, a message stored only as text as it was."""
    require(user, Permission.OWN_RECORDS_READ)
    rows = db.query(
        "SELECT id, kind, subject, body, subject_msgid, body_msgid, values_json, link, created_at, read_at"
        " FROM inbox_messages WHERE recipient_id = ? AND (NOT ? OR read_at IS NULL)"
        " ORDER BY created_at DESC, id DESC LIMIT ?",
        [user.employee_id, unread_only, limit],
    )
    return [InboxMessage(**shown_message(row)) for row in rows]


# -- marking read ---------------------------------------------------------------------------------
def mark_read(db: Database, user: CurrentUser, message_ids: Sequence[int], *, at: datetime | None = None) -> int:
    """Mark some of one's own messages read; a message of someone else is refused (rule 3) and
    nothing is marked. Returns how many were unread before."""
    require(user, Permission.OWN_RECORDS_READ)
    wanted = sorted(set(message_ids))
    if not wanted:
        raise InputError.single(_("Messages"), _("choose at least one message"))

    def mark(connection: duckdb.DuckDBPyConnection) -> int:
        rows = connection.execute(
            "SELECT id, recipient_id, read_at FROM inbox_messages WHERE id IN (SELECT unnest(?::INTEGER[]))", [wanted]
        ).fetchall()
        mine = {row[0] for row in rows if row[1] == user.employee_id}
        if mine != set(wanted):
            raise InputError.single(_("Messages"), _("you can only mark your own messages"))
        unread = sorted(row[0] for row in rows if row[2] is None)
        return _mark(connection, user, unread, at or utc_now())

    return db.write(mark)


def mark_read_in_bulk(
    db: Database, reads: Sequence[tuple[CurrentUser, Sequence[int]]], *, at: datetime | None = None
) -> int:
    """What ``mark_read`` does for many people at once (the demo's large organisation): each
    marks only their own messages — one message of someone else refuses the whole batch — with
    one audit entry per person, in a few statements. Returns how many were unread before."""
    for user, _ids in reads:
        require(user, Permission.OWN_RECORDS_READ)
    pairs = [(user.employee_id, message_id) for user, ids in reads for message_id in sorted(set(ids))]
    if not pairs:
        return 0
    now = at or utc_now()

    def mark(connection: duckdb.DuckDBPyConnection) -> int:
        import pyarrow as pa

        wanted = pa.table({"recipient_id": [p[0] for p in pairs], "id": [p[1] for p in pairs]})
        connection.register("marked_read", wanted)
        try:
            found = connection.execute(
                "SELECT w.recipient_id, w.id, m.recipient_id AS owner, m.read_at FROM marked_read w"
                " LEFT JOIN inbox_messages m ON m.id = w.id"
            ).fetchall()
            if any(owner != recipient for recipient, _id, owner, _read in found):
                raise InputError.single(_("Messages"), _("you can only mark your own messages"))
            unread: dict[int, list[int]] = {}
            for recipient, message_id, _owner, read_at in found:
                if read_at is None:
                    unread.setdefault(recipient, []).append(message_id)
            connection.execute(
                "UPDATE inbox_messages SET read_at = ? FROM marked_read w"
                " WHERE inbox_messages.id = w.id AND inbox_messages.recipient_id = w.recipient_id"
                " AND inbox_messages.read_at IS NULL",
                [now],
            )
        finally:
            connection.unregister("marked_read")
        users = {user.employee_id: user for user, _ids in reads}
        audit.record_each(
            connection,
            [
                (now, users[recipient], "inbox_message", None, "mark_read", None, {"message_ids": sorted(ids)})
                for recipient, ids in sorted(unread.items())
                if ids
            ],
        )
        return sum(len(ids) for ids in unread.values())

    return db.write(mark)


def mark_all_read(db: Database, user: CurrentUser, *, up_to_id: int | None = None, at: datetime | None = None) -> int:
    """Mark every unread message of one's own read — up to ``up_to_id`` when given, so a
    message that arrived after the list was shown stays unread. Returns how many."""
    require(user, Permission.OWN_RECORDS_READ)

    def mark(connection: duckdb.DuckDBPyConnection) -> int:
        unread = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM inbox_messages WHERE recipient_id = ? AND read_at IS NULL"
                " AND (?::INTEGER IS NULL OR id <= ?) ORDER BY id",
                [user.employee_id, up_to_id, up_to_id],
            ).fetchall()
        ]
        return _mark(connection, user, unread, at or utc_now())

    return db.write(mark)


def _mark(connection: duckdb.DuckDBPyConnection, user: CurrentUser, ids: list[int], now: datetime) -> int:
    if not ids:
        return 0
    connection.execute(
        "UPDATE inbox_messages SET read_at = ? WHERE recipient_id = ? AND read_at IS NULL"
        " AND id IN (SELECT unnest(?::INTEGER[]))",
        [now, user.employee_id, ids],
    )
    audit.record(connection, user, "inbox_message", None, "mark_read", None, {"message_ids": ids}, at=now)
    return len(ids)
