"""Accounts, password hashing, sign-in with lockout, sign-in tokens, roles and the
permission matrix of SPEC §0. Every write in models/ calls ``require`` first."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

from models import audit
from models.access import CurrentUser, Permission, Role, require
from models.db import utc_now
from models.i18n import N_, _, check_language

if TYPE_CHECKING:
    from models.db import Database


MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
GRANT_LIFETIME = timedelta(seconds=60)
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256
SESSION_COOKIE = "portal_session"

_hasher = PasswordHasher()  # argon2id with the library's recommended cost
# Each hash or check takes the hasher's memory cost (64 MiB) and a core's time: when many people
# sign in at once (a Speak-Up Day morning), they take turns, as many at a time as there are cores,
# instead of all holding their memory together.
HASHING_AT_ONCE = max(1, os.cpu_count() or 1)
_hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)
_DUMMY_HASH = _hasher.hash("a password nobody has")


# One refusal for an unknown login, a wrong password and a locked account alike, so that it
# never tells whether an account exists (a locked one refuses even the right password).
_SIGN_IN_REFUSED = N_(
    "Wrong username or password. After {attempts} failed attempts in a row an account is locked for {minutes} minutes."
)
_LOCKOUT_MINUTES = int(LOCKOUT.total_seconds() // 60)
SIGN_IN_REFUSED = _SIGN_IN_REFUSED.format(attempts=MAX_FAILED_ATTEMPTS, minutes=_LOCKOUT_MINUTES)  # in English


def sign_in_refused() -> str:
    """The one refusal, in the language of this page run."""
    return _(_SIGN_IN_REFUSED, attempts=MAX_FAILED_ATTEMPTS, minutes=_LOCKOUT_MINUTES)


# -- passwords ---------------------------------------------------------------------
class SignInError(ValueError):
    """Sign-in refused; the message is safe to show."""


def check_password_rules(password: str) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValueError(_("Password: use at least {count} characters.", count=PASSWORD_MIN_LENGTH))
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValueError(_("Password: use at most {count} characters.", count=PASSWORD_MAX_LENGTH))


def hash_password(password: str) -> str:
    with _hashing:
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        with _hashing:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# -- loading users -----------------------------------------------------------------
_USER_SQL = """
    SELECT e.id AS employee_id, a.id AS account_id, e.full_name, e.email, e.team_id, e.active, a.language,
           list(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL) AS roles
    FROM employees e
    LEFT JOIN accounts a ON a.employee_id = e.id
    LEFT JOIN employee_roles r ON r.employee_id = e.id
    WHERE {where}
    GROUP BY ALL
"""


def load_user(db: Database, *, account_id: int | None = None, employee_id: int | None = None) -> CurrentUser | None:
    """The active person behind an account or employee id, with their roles."""
    if account_id is not None:
        row = db.query_one(_USER_SQL.format(where="a.id = ?"), [account_id])
    else:
        row = db.query_one(_USER_SQL.format(where="e.id = ?"), [employee_id])
    if row is None or not row["active"]:
        return None
    return CurrentUser(
        employee_id=row["employee_id"],
        account_id=row["account_id"],
        full_name=row["full_name"],
        email=row["email"],
        team_id=row["team_id"],
        roles=frozenset(Role(r) for r in (row["roles"] or [])) | {Role.AGENT},
        language=row["language"],
    )


# -- sign-in -----------------------------------------------------------------------
def sign_in(db: Database, username: str, password: str, *, now: datetime | None = None) -> CurrentUser:
    """Check a username (or email) and password, counting failures towards a lockout."""
    now = now or utc_now()
    login = username.strip().lower()
    if not login or not password:
        raise SignInError(_("Enter your username and password."))
    account = db.query_one(
        "SELECT a.*, e.active, e.full_name FROM accounts a JOIN employees e ON e.id = a.employee_id"
        " WHERE lower(a.username) = ? OR lower(e.email) = ?",
        [login, login],
    )
    if account is None or (account["locked_until"] and account["locked_until"] > now):
        verify_password(None, password)  # same work as a real check
        raise SignInError(sign_in_refused())
    if not verify_password(account["password_hash"], password):
        _record_failure(db, account, now)
        raise SignInError(sign_in_refused())
    if not account["active"]:
        raise SignInError(_("This account is inactive. Ask an administrator if you need access again."))
    user = load_user(db, account_id=account["id"])
    assert user is not None

    def succeed(connection: duckdb.DuckDBPyConnection):
        connection.execute(
            "UPDATE accounts SET failed_attempts = 0, locked_until = NULL, last_sign_in_at = ? WHERE id = ?",
            [now, account["id"]],
        )
        if _hasher.check_needs_rehash(account["password_hash"]):
            connection.execute(
                "UPDATE accounts SET password_hash = ? WHERE id = ?", [hash_password(password), account["id"]]
            )
        audit.record(connection, user, "account", account["id"], "sign_in")

    db.write(succeed)
    return user


def _record_failure(db: Database, account: dict, now: datetime) -> None:
    def fail(connection: duckdb.DuckDBPyConnection):
        current = connection.execute("SELECT failed_attempts FROM accounts WHERE id = ?", [account["id"]]).fetchone()[0]
        attempts = current + 1
        locked_until = now + LOCKOUT if attempts >= MAX_FAILED_ATTEMPTS else None
        connection.execute(
            "UPDATE accounts SET failed_attempts = ?, locked_until = ? WHERE id = ?",
            [0 if locked_until else attempts, locked_until, account["id"]],
        )
        audit.record(
            connection,
            None,
            "account",
            account["id"],
            "lockout" if locked_until else "sign_in_failed",
            after={"failed_attempts": attempts, "locked_until": locked_until},
        )

    db.write(fail)


# -- tokens and cookies ------------------------------------------------------------
def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_grant(db: Database, user: CurrentUser, *, now: datetime | None = None) -> str:
    """A one-time token (valid 60 s) the browser exchanges for a sign-in cookie."""
    if user.account_id is None:
        raise SignInError(_("Only local accounts keep a sign-in cookie."))
    return _issue(db, user.account_id, "grant", GRANT_LIFETIME, now or utc_now())


def _issue(db: Database, account_id: int, kind: str, lifetime: timedelta, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    db.write(
        lambda connection: connection.execute(
            "INSERT INTO sign_in_tokens (token_hash, kind, account_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            [_digest(token), kind, account_id, now, now + lifetime],
        )
    )
    return token


def session_for_grant(grant: str) -> str:
    """The session token a grant turns into. The browser tab that signed in keeps the grant,
    so it can tell when that session ends (sign-out in another tab, expiry) and end it itself;
    the token alone is no use without the key that signs the cookie."""
    return base64.urlsafe_b64encode(hashlib.sha256(b"portal-session:" + grant.encode()).digest()).decode().rstrip("=")


def redeem_grant(db: Database, grant: str, lifetime: timedelta, *, now: datetime | None = None) -> str | None:
    """Spend a grant once; return its session token, or None if it is unknown or spent."""
    now = now or utc_now()
    session = session_for_grant(grant)

    def redeem(connection: duckdb.DuckDBPyConnection):
        row = connection.execute(
            "SELECT account_id FROM sign_in_tokens WHERE token_hash = ? AND kind = 'grant'"
            " AND used_at IS NULL AND expires_at > ?",
            [_digest(grant), now],
        ).fetchone()
        if row is None:
            return None
        connection.execute("UPDATE sign_in_tokens SET used_at = ? WHERE token_hash = ?", [now, _digest(grant)])
        connection.execute(
            "INSERT INTO sign_in_tokens (token_hash, kind, account_id, created_at, expires_at)"
            " VALUES (?, 'session', ?, ?, ?)",
            [_digest(session), row[0], now, now + lifetime],
        )
        connection.execute("DELETE FROM sign_in_tokens WHERE expires_at < ? - INTERVAL 1 DAY", [now])
        audit.record(
            connection,
            load_user(db, account_id=row[0]),
            "account",
            row[0],
            "session_started",
            after={"expires_at": now + lifetime},
        )
        return session

    return db.write(redeem)


def session_user(db: Database, session: str, *, now: datetime | None = None) -> CurrentUser | None:
    """The person a live session token belongs to, or None when ended or expired."""
    row = db.query_one(
        "SELECT account_id FROM sign_in_tokens WHERE token_hash = ? AND kind = 'session'"
        " AND used_at IS NULL AND expires_at > ?",
        [_digest(session), now or utc_now()],
    )
    return load_user(db, account_id=row["account_id"]) if row else None


def end_session(db: Database, session: str, user: CurrentUser | None) -> None:
    """Sign out: the session token stops working at once."""

    def end(connection: duckdb.DuckDBPyConnection):
        connection.execute(
            "UPDATE sign_in_tokens SET used_at = ? WHERE token_hash = ? AND kind = 'session' AND used_at IS NULL",
            [utc_now(), _digest(session)],
        )
        if user is not None:
            audit.record(connection, user, "account", user.account_id, "sign_out")

    db.write(end)


def end_sign_in(db: Database, grant: str, user: CurrentUser | None, *, now: datetime | None = None) -> None:
    """Sign out the tab that signed in with ``grant``: the grant can no longer be spent and
    the session it became (shared by this browser's other tabs) ends."""
    now = now or utc_now()

    def end(connection: duckdb.DuckDBPyConnection):
        live = "used_at IS NULL AND ((token_hash = ? AND kind = 'grant') OR (token_hash = ? AND kind = 'session'))"
        hashes = [_digest(grant), _digest(session_for_grant(grant))]
        ended = connection.execute(f"SELECT count(*) FROM sign_in_tokens WHERE {live}", hashes).fetchone()[0]
        connection.execute(f"UPDATE sign_in_tokens SET used_at = ? WHERE {live}", [now, *hashes])
        if ended and user is not None:
            audit.record(connection, user, "account", user.account_id, "sign_out")

    db.write(end)


def sign_cookie(secret_key: str, session: str) -> str:
    return TimestampSigner(secret_key, salt="portal-session").sign(session).decode()


def read_cookie(secret_key: str, value: str | None, max_age_seconds: float) -> str | None:
    """The session token inside a signed cookie, or None if forged or too old."""
    if not value:
        return None
    try:
        signer = TimestampSigner(secret_key, salt="portal-session")
        return signer.unsign(value, max_age=max_age_seconds).decode()
    except (BadSignature, SignatureExpired):
        return None


# -- accounts ----------------------------------------------------------------------
def account_count(db: Database) -> int:
    return db.scalar("SELECT count(*) FROM accounts")


def set_password(db: Database, actor: CurrentUser, account_id: int, password: str) -> None:
    """An admin resets someone's password, or a person changes their own."""
    if actor.account_id != account_id:
        require(actor, Permission.USERS_MANAGE)
    check_password_rules(password)
    password_hash = hash_password(password)

    def change(connection: duckdb.DuckDBPyConnection):
        if connection.execute("SELECT 1 FROM accounts WHERE id = ?", [account_id]).fetchone() is None:
            raise ValueError(_("Account: no such account."))
        connection.execute(
            "UPDATE accounts SET password_hash = ?, password_changed_at = ?, failed_attempts = 0,"
            " locked_until = NULL WHERE id = ?",
            [password_hash, utc_now(), account_id],
        )
        connection.execute(
            "UPDATE sign_in_tokens SET used_at = ? WHERE account_id = ? AND used_at IS NULL",
            [utc_now(), account_id],
        )
        audit.record(connection, actor, "account", account_id, "password_set")

    db.write(change)


def unlock_account(db: Database, actor: CurrentUser, account_id: int) -> None:
    require(actor, Permission.USERS_MANAGE)

    def unlock(connection: duckdb.DuckDBPyConnection):
        before = audit.row_as_dict(connection, "accounts", "id", account_id)
        if before is None:
            raise ValueError(_("Account: no such account."))
        connection.execute("UPDATE accounts SET failed_attempts = 0, locked_until = NULL WHERE id = ?", [account_id])
        audit.record(
            connection,
            actor,
            "account",
            account_id,
            "unlock",
            {"locked_until": before["locked_until"]},
            {"locked_until": None},
        )

    db.write(unlock)


def has_portal_password(db: Database, user: CurrentUser) -> bool:
    """Whether the person can sign in with a portal password (and so change it): not an
    account created by single sign-on, which has none."""
    if user.account_id is None:
        return False
    return db.scalar("SELECT password_hash IS NOT NULL FROM accounts WHERE id = ?", [user.account_id]) is True


def change_own_password(db: Database, user: CurrentUser, current: str, new: str) -> None:
    """A person changes their password after proving they know the current one."""
    if user.account_id is None:
        raise SignInError(_("This person signs in through single sign-on."))
    password_hash = db.scalar("SELECT password_hash FROM accounts WHERE id = ?", [user.account_id])
    if password_hash is None:
        raise SignInError(_("This person signs in through single sign-on and has no portal password."))
    if not verify_password(password_hash, current):
        raise SignInError(_("Current password: it is not your current password."))
    set_password(db, user, user.account_id, new)


def change_own_language(db: Database, user: CurrentUser, account_id: int | None, language: str) -> None:
    """A person chooses the language the portal speaks to them; only they may choose it."""
    if user.account_id is None or user.account_id != account_id:
        raise PermissionError(_("Language: each person chooses only their own language."))
    check_language(language)

    def change(connection: duckdb.DuckDBPyConnection):
        before = connection.execute("SELECT language FROM accounts WHERE id = ?", [account_id]).fetchone()
        if before is None:
            raise ValueError(_("Account: no such account."))
        if before[0] == language:
            return
        connection.execute("UPDATE accounts SET language = ? WHERE id = ?", [language, account_id])
        audit.record(
            connection, user, "account", account_id, "language_set", {"language": before[0]}, {"language": language}
        )

    db.write(change)


def sign_in_valid(
    db: Database,
    account_id: int | None,
    signed_in_at: datetime,
    lifetime: timedelta,
    *,
    grant: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Whether a sign-in made in this browser tab (password form or single sign-on) still
    holds: it lasts its lifetime, ends when the password is reset, and — once its grant has
    become the browser's session — ends with that session (sign-out in any tab, deactivation)."""
    now = now or utc_now()
    if account_id is None or now - signed_in_at > lifetime:
        return False
    changed = db.scalar("SELECT password_changed_at FROM accounts WHERE id = ?", [account_id])
    if changed is not None and changed > signed_in_at:
        return False
    if grant is None:
        return True
    row = db.query_one("SELECT used_at FROM sign_in_tokens WHERE token_hash = ? AND kind = 'grant'", [_digest(grant)])
    if row is None or row["used_at"] is None:
        return True  # not spent yet, or the browser never fetched its cookie: the lifetime rules
    return session_user(db, session_for_grant(grant), now=now) is not None
