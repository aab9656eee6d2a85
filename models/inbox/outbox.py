"""Email of the inbox's messages (rule 5 of ``models.inbox``): queued in the transaction that
writes the message, delivered after the commit by ``deliver_pending`` — from the server's
regular task and right after a page's write — only when settings name an SMTP server.

A row is marked sent only after the server accepted it, one row at a time, so a failure part
way leaves the rest queued for a later attempt and nothing is sent twice by this portal."""

from __future__ import annotations

import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from models.db import ConnectionReader, next_ids, utc_now
from models.i18n import LANGUAGES, _, use_language
from models.inbox.texts import shown_message
from models.settings import Settings, get_settings

if TYPE_CHECKING:
    from models.db import Database

BATCH = 200
SMTP_TIMEOUT_SECONDS = 20
RETRY_AFTER = timedelta(minutes=5)  # doubled per failed attempt, up to MAX_RETRY_AFTER
MAX_RETRY_AFTER = timedelta(hours=6)

_delivering = threading.Lock()  # one delivery at a time in this process: no row is sent twice


def queue(connection: duckdb.DuckDBPyConnection, message_ids: list[int], at: datetime) -> int:
    """Queue these new messages as emails to their recipients' addresses, inside the caller's
    write, when an SMTP server is configured; otherwise queue nothing. Each email is in its
    recipient's language: the one chosen on their account, else the ``default_language``
    setting (whoever caused the message may speak another). Returns how many."""
    settings = get_settings()
    if not settings.sends_email:
        return 0
    rows = ConnectionReader(connection).query(
        "SELECT m.id AS message_id, trim(e.email) AS to_address, m.subject, m.body, m.subject_msgid, m.body_msgid,"
        " m.values_json, coalesce(a.language, ?) AS language FROM inbox_messages m"
        " JOIN employees e ON e.id = m.recipient_id LEFT JOIN accounts a ON a.employee_id = e.id"
        " WHERE m.id IN (SELECT unnest(?::INTEGER[])) AND coalesce(trim(e.email), '') <> '' ORDER BY m.id",
        [settings.default_language, message_ids],
    )
    if not rows:
        return 0
    ids = next_ids(connection, "email_outbox", len(rows))
    emails = [{**_in_language(row, settings), "id": email_id} for row, email_id in zip(rows, ids, strict=True)]
    connection.register("outbox_new", pa.Table.from_pylist(emails, _QUEUED))
    try:
        connection.execute(
            "INSERT INTO email_outbox (id, message_id, to_address, subject, body, queued_at, next_attempt_at)"
            " SELECT id, message_id, to_address, subject, body, ?, ? FROM outbox_new",
            [at, at],
        )
    finally:
        connection.unregister("outbox_new")
    return len(emails)


_QUEUED = pa.schema(
    [("id", pa.int32()), ("message_id", pa.int32()), ("to_address", pa.string()), ("subject", pa.string()),
     ("body", pa.string())]
)  # fmt: skip


def _in_language(row: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """A message's email in its recipient's language (``row["language"]``), signed by the portal."""
    language = row.pop("language")
    with use_language(language if language in LANGUAGES else settings.default_language):
        email = shown_message(row)
        signature = _("— {organisation} Service Culture Portal", organisation=settings.organisation_name)
    email["body"] = f"{email['body']}\n\n{signature}"
    return email


@dataclass(frozen=True)
class Delivery:
    """What one delivery run did: emails the server accepted, and those left for a later try."""

    sent: int = 0
    failed: int = 0
    error: str | None = None


def waiting(db: Database) -> int:
    """Emails queued and not yet accepted by the server."""
    return int(db.scalar("SELECT count(*) FROM email_outbox WHERE sent_at IS NULL"))


def email_for(settings: Settings, to_address: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to_address
    message["Subject"] = subject
    message.set_content(f"{body}\n")  # signed in the recipient's language when queued
    return message


def deliver_pending(db: Database, settings: Settings | None = None, *, now: datetime | None = None) -> Delivery:
    """Send the queued emails that are due, when an SMTP server is configured (otherwise touch
    nothing and open no connection)."""
    settings = settings or get_settings()
    if not settings.sends_email:
        return Delivery()
    when = now or utc_now()
    with _delivering:
        due = db.query(
            "SELECT id, to_address, subject, body, attempts FROM email_outbox"
            " WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?",
            [when, BATCH],
        )
        if not due:
            return Delivery()
        return _send(db, settings, due, when)


def _send(db: Database, settings: Settings, due: list[dict], when: datetime) -> Delivery:
    sent = 0
    try:
        with _connect(settings) as server:
            for row in due:
                server.send_message(email_for(settings, row["to_address"], row["subject"], row["body"]))
                db.write(
                    lambda connection, row_id=row["id"]: connection.execute(
                        "UPDATE email_outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                        [utc_now(), row_id],
                    )
                )
                sent += 1
    except (OSError, smtplib.SMTPException) as error:
        left = due[sent:]
        _postpone(db, left, when, f"{type(error).__name__}: {error}"[:500])
        return Delivery(sent=sent, failed=len(left), error=str(error))
    return Delivery(sent=sent)


def _connect(settings: Settings) -> smtplib.SMTP:
    assert settings.smtp_host is not None
    server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if settings.smtp_starttls:
            server.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            server.login(settings.smtp_user, password)
    except BaseException:
        server.close()
        raise
    return server


def _postpone(db: Database, rows: list[dict], when: datetime, error: str) -> None:
    """Leave the rows queued, each tried again after a delay that grows with its attempts."""

    def postpone(connection: duckdb.DuckDBPyConnection) -> None:
        for row in rows:
            delay = min(RETRY_AFTER * 2 ** min(row["attempts"], 8), MAX_RETRY_AFTER)
            connection.execute(
                "UPDATE email_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
                " WHERE id = ? AND sent_at IS NULL",
                [error, when + delay, row["id"]],
            )

    db.write(postpone)


def deliver_daily(db: Database, now: datetime) -> None:
    """The calendar work's part: send what is due, after the other areas' notices of the day.
    The server also delivers every minute (``ui.startup``)."""
    deliver_pending(db, now=now)
