"""The inbox's emails: with an SMTP server configured, each message is queued in the event's
transaction and delivered after it — read here from a small SMTP server on loopback; a failed
delivery is tried again and never sent twice; without a server nothing leaves the machine."""

from __future__ import annotations

import email
import email.policy
import smtplib
import socket
import socketserver
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from models.access import Role
from models.competencies import framework
from models.db import get_database, utc_now
from models.inbox import outbox
from models.recognition import kudos
from models.settings import SettingsError, get_settings, load_settings
from tests.conftest import add_person
from ui import startup


class _SmtpSession(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib to hand over a message: no TLS, no sign-in."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 loopback test server")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 loopback")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.server.received.append((recipients, self._data()))
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")

    def _data(self) -> email.message.EmailMessage:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return email.message_from_bytes(b"".join(lines), policy=email.policy.default)


class SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpSession)
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []

    @property
    def port(self) -> int:
        return self.server_address[1]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def configure(monkeypatch: pytest.MonkeyPatch, **values: object) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"PORTAL_{name.upper()}", str(value))
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def settings_reread() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def people(db, make_user):
    return {"giver": make_user(Role.TEAM_LEAD), "receiver": make_user(), "hr": make_user(Role.HR)}


def thank(db, giver, receiver, message: str) -> int:
    tag = f"competency:{next(c.id for c in framework.competencies(db) if c.code == 'EMPATHY')}"
    return kudos.give_kudos(db, giver, {"recipient_id": receiver.employee_id, "message": message, "tag": tag})


def test_a_message_is_emailed_to_its_recipient_through_the_configured_server(db, people, smtp_server, monkeypatch):
    configure(monkeypatch, smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_starttls="false",
              smtp_from="portal@harbourview.example")  # fmt: skip
    thank(db, people["giver"], people["receiver"], "Stayed calm with an angry caller.")
    assert outbox.waiting(db) == 1  # queued with the kudos, in its write
    assert smtp_server.received == []  # nothing leaves before the sender runs

    delivery = outbox.deliver_pending(db)

    assert (delivery.sent, delivery.failed) == (1, 0)
    [(recipients, message)] = smtp_server.received
    assert recipients == [people["receiver"].email]
    assert message["To"] == people["receiver"].email
    assert message["From"] == "portal@harbourview.example"
    assert message["Subject"] == f"Kudos from {people['giver'].full_name}"
    assert "Stayed calm with an angry caller." in message.get_content()
    assert outbox.waiting(db) == 0
    assert outbox.deliver_pending(db).sent == 0  # sent once, never again
    assert len(smtp_server.received) == 1


def test_a_failed_delivery_stays_queued_and_is_sent_once_when_the_server_answers(db, people, monkeypatch):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    configure(monkeypatch, smtp_host="127.0.0.1", smtp_port=closed_port, smtp_starttls="false")
    thank(db, people["giver"], people["receiver"], "Thanks for covering my shift.")

    failed = outbox.deliver_pending(db)

    assert (failed.sent, failed.failed) == (0, 1) and failed.error
    assert outbox.waiting(db) == 1
    row = db.query_one("SELECT attempts, last_error, next_attempt_at FROM email_outbox")
    assert row["attempts"] == 1 and row["last_error"] and row["next_attempt_at"] > utc_now()
    assert outbox.deliver_pending(db).failed == 0  # not due again yet: no new attempt

    server = SmtpServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        configure(monkeypatch, smtp_port=server.port)
        later = utc_now() + timedelta(hours=1)
        assert outbox.deliver_pending(db, now=later).sent == 1
        assert outbox.deliver_pending(db, now=later + timedelta(hours=1)).sent == 0
        assert len(server.received) == 1
        assert outbox.waiting(db) == 0
    finally:
        server.shutdown()
        server.server_close()


def test_a_refused_recipient_leaves_the_rest_queued_and_what_was_accepted_sent(db, people, smtp_server, monkeypatch):
    configure(monkeypatch, smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_starttls="false")
    thank(db, people["giver"], people["receiver"], "First")
    thank(db, people["hr"], people["receiver"], "Second")
    real_send = smtplib.SMTP.send_message
    calls = []

    def send_once_then_fail(self, message, *args, **kwargs):
        calls.append(message["Subject"])
        if len(calls) > 1:
            raise smtplib.SMTPServerDisconnected("connection dropped")
        return real_send(self, message, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "send_message", send_once_then_fail)
    delivery = outbox.deliver_pending(db)
    assert (delivery.sent, delivery.failed) == (1, 1)
    assert len(smtp_server.received) == 1 and outbox.waiting(db) == 1


def test_without_an_smtp_server_nothing_is_queued_and_no_connection_is_opened(db, people, monkeypatch):
    configure(monkeypatch, smtp_host="")
    opened = []

    def no_network(*args, **kwargs):
        opened.append(args)
        raise AssertionError("the portal tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(smtplib, "SMTP", no_network)
    thank(db, people["giver"], people["receiver"], "Stayed calm with an angry caller.")

    assert db.scalar("SELECT count(*) FROM inbox_messages") == 1  # the inbox still tells
    assert db.scalar("SELECT count(*) FROM email_outbox") == 0
    assert outbox.deliver_pending(db).sent == 0
    assert opened == []


def test_smtp_settings_are_validated_and_the_password_never_shown(monkeypatch):
    configure(monkeypatch, smtp_host="mail.example.org", smtp_password="hunter2-long-secret")
    settings = get_settings()
    assert settings.sends_email and settings.smtp_port == 587 and settings.smtp_starttls
    assert "hunter2" not in repr(settings)
    assert settings.smtp_password.get_secret_value() == "hunter2-long-secret"
    with pytest.raises(SettingsError, match="PORTAL_SMTP_PORT"):
        load_settings(smtp_port=0)
    with pytest.raises(SettingsError, match="PORTAL_SMTP_FROM"):
        load_settings(smtp_from="not an address")


def test_the_servers_regular_task_delivers_what_the_portals_writes_queued(portal_env, smtp_server, monkeypatch):
    configure(monkeypatch, smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_starttls="false")
    database = get_database(portal_env)
    giver, receiver = add_person(database), add_person(database)
    thank(database, giver, receiver, "Thanks for the handover notes.")

    startup.deliver_email()

    assert [recipients for recipients, _ in smtp_server.received] == [[receiver.email]]
    assert outbox.waiting(database) == 0
