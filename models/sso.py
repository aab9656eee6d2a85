"""Single sign-on: how an OpenID Connect identity becomes a portal sign-in.

Streamlit's ``st.login`` checks the provider's ID token and keeps its claims (``st.user``).
This module decides whether those claims may sign someone in: the provider must vouch for
the email (``email_verified`` true), the ID token must not have expired, and the identity must
name an active employee. An account is bound to the provider's identity (issuer and subject)
at its first single sign-on, found by that identity afterwards, and never reached by another
identity carrying its email: emails move between people's records, identities do not. Until
then the verified email names the employee. A sign-in then follows the rules of a password sign-in —
the portal issues its own session (``auth.issue_grant``), audited as ``sign_in`` with
method ``sso`` — and the identity is spent: it never signs anyone in a second time, so
signing out, the session lifetime and deactivation are not undone by Streamlit's identity
cookie."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import duckdb

from models import audit
from models.access import CurrentUser
from models.auth import load_user
from models.db import utc_now
from models.i18n import N_, _
from models.people.accounts import insert_account
from models.people.directory import USERNAME_PATTERN

if TYPE_CHECKING:
    from models.db import Database

IDENTITY_KIND = "sso_identity"
CLOCK_SKEW = timedelta(minutes=2)
# Streamlit's identity cookie lasts 30 days: a spent identity is remembered a little longer
SPENT_FOR = timedelta(days=31)


class SsoRefusal(ValueError):
    """Single sign-on refused; the message is safe to show. ``account_id`` names the account the
    identity was kept from, when there is one."""

    def __init__(self, message: str, *, account_id: int | None = None):
        super().__init__(message)
        self.account_id = account_id


class IdentitySpent(Exception):
    """This identity cannot sign anyone in any more: it did once already (and that sign-in may
    have ended), or its ID token has expired. Nothing to tell the person: they sign in again."""


@dataclass(frozen=True)
class Identity:
    """The claims of one ID token that matter to the portal."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    issued_at: int | None
    expires_at: int | None
    nonce: str | None

    @property
    def key(self) -> str:
        """A digest naming this one sign-in at the provider (stored to spend it)."""
        parts = [self.issuer, self.subject, self.nonce, self.issued_at, self.expires_at]
        return hashlib.sha256(("sso:" + json.dumps(parts)).encode()).hexdigest()


def _timestamp(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _is_true(value: Any) -> bool:
    """``email_verified`` is a boolean; a few providers send the string "true"."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def identity_from_claims(claims: Mapping[str, Any]) -> Identity:
    email = claims.get("email")
    email = email.strip() if isinstance(email, str) and email.strip() else None
    return Identity(
        issuer=str(claims.get("iss") or ""),
        subject=str(claims.get("sub") or ""),
        email=email,
        email_verified=_is_true(claims.get("email_verified")),
        issued_at=_timestamp(claims.get("iat")),
        expires_at=_timestamp(claims.get("exp")),
        nonce=str(claims["nonce"]) if claims.get("nonce") else None,
    )


def _epoch(moment: datetime) -> float:
    return moment.replace(tzinfo=UTC).timestamp()


def check_identity(identity: Identity, *, now: datetime | None = None) -> str:
    """The email to look up, or ``SsoRefusal`` saying why this identity cannot sign in
    (``IdentitySpent`` once its ID token has expired)."""
    now = now or utc_now()
    if identity.expires_at is None or identity.expires_at < _epoch(now - CLOCK_SKEW):
        raise IdentitySpent
    if not identity.issuer or not identity.subject:
        raise SsoRefusal(
            _(
                "Your sign-in provider did not say who you are (no issuer or subject), so the portal cannot "
                "sign you in. Ask the portal administrator."
            )
        )
    if identity.email is None:
        raise SsoRefusal(
            _(
                "Your sign-in provider did not send an email address, so the portal cannot tell who you are. "
                "Ask the portal administrator to have the provider send the email claim."
            )
        )
    if not identity.email_verified:
        raise SsoRefusal(
            _(
                "Your sign-in provider does not vouch for the email address {email} (it is not verified "
                "there), so the portal cannot sign you in with it. Verify it at the provider or ask the "
                "portal administrator.",
                email=identity.email,
            )
        )
    return identity.email


def is_spent(db: Database, identity: Identity) -> bool:
    return db.scalar("SELECT count(*) FROM sign_in_tokens WHERE token_hash = ?", [identity.key]) > 0


def _not_an_employee(email: str) -> SsoRefusal:
    return SsoRefusal(_("{email} is not an active employee of this portal. Ask HR to add you.", email=email))


_BOUND_ACCOUNT = "SELECT account_id FROM sso_identities WHERE issuer = ? AND subject = ?"
_IS_BOUND = "SELECT count(*) FROM sso_identities WHERE account_id = ?"


def _bound_elsewhere(email: str, account_id: int) -> SsoRefusal:
    return SsoRefusal(
        _(
            "{email} belongs to a portal account that signs in with another identity at your sign-in provider, "
            "so the portal cannot sign you in with this one. Ask the portal administrator.",
            email=email,
        ),
        account_id=account_id,
    )


def _employee_for(db: Database, identity: Identity, email: str) -> CurrentUser:
    """The active employee this identity signs in: the one whose account it is bound to, else
    the one with the verified email, unless that person's account is bound to another identity."""
    account_id = db.scalar(_BOUND_ACCOUNT, [identity.issuer, identity.subject])
    if account_id is not None:
        user = load_user(db, account_id=account_id)
        if user is None:
            raise _not_an_employee(email)
        return user
    row = db.query_one("SELECT id FROM employees WHERE lower(email) = lower(?)", [email])
    user = load_user(db, employee_id=row["id"]) if row else None
    if user is None:
        raise _not_an_employee(email)
    if user.account_id is not None and db.scalar(_IS_BOUND, [user.account_id]):
        raise _bound_elsewhere(email, user.account_id)
    return user


def _bind(connection: duckdb.DuckDBPyConnection, user: CurrentUser, account_id: int, identity: Identity, email: str):
    """Bind the account to the identity at its first single sign-on (audited); refused when,
    since the account was looked up, either was bound to another."""
    bound_to = connection.execute(_BOUND_ACCOUNT, [identity.issuer, identity.subject]).fetchone()
    if bound_to is not None and bound_to[0] == account_id:
        return
    if bound_to is not None or connection.execute(_IS_BOUND, [account_id]).fetchone()[0]:
        raise _bound_elsewhere(email, account_id)
    connection.execute(
        "INSERT INTO sso_identities (issuer, subject, account_id, bound_at) VALUES (?, ?, ?, ?)",
        [identity.issuer, identity.subject, account_id, utc_now()],
    )
    audit.record(
        connection,
        user,
        "account",
        account_id,
        "sso_bound",
        after={"issuer": identity.issuer, "subject": identity.subject},
    )


def _free_username(connection: duckdb.DuckDBPyConnection, email: str) -> str:
    """A username for a person who signs in only through single sign-on: their email's
    local part, made to fit the username rule and unique."""
    stem = re.sub(r"[^a-z0-9._-]+", ".", email.split("@")[0].lower()).strip("._-")[:34] or "sso"
    if len(stem) < 2:
        stem = f"{stem}.sso"
    taken = {
        row[0]
        for row in connection.execute(
            "SELECT lower(username) FROM accounts WHERE lower(username) LIKE ?", [stem + "%"]
        ).fetchall()
    }
    candidate = stem
    number = 1
    while candidate in taken or not USERNAME_PATTERN.match(candidate):
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def sign_in(db: Database, claims: Mapping[str, Any], *, now: datetime | None = None) -> CurrentUser:
    """Sign in the active employee this identity names, once, binding their account to the
    identity at its first single sign-on.

    Raises ``IdentitySpent`` for an identity that signed someone in before, and
    ``SsoRefusal`` (with a message to show) for one that may not sign in. A person without
    an account yet gets one without a password: they sign in only through single sign-on."""
    now = now or utc_now()
    identity = identity_from_claims(claims)
    if is_spent(db, identity):
        raise IdentitySpent
    email = check_identity(identity, now=now)
    user = _employee_for(db, identity, email)
    spent_until = max(
        now + SPENT_FOR,
        datetime.fromtimestamp(identity.expires_at or 0, UTC).replace(tzinfo=None) + timedelta(days=1),
    )

    def succeed(connection: duckdb.DuckDBPyConnection) -> int:
        if connection.execute("SELECT 1 FROM sign_in_tokens WHERE token_hash = ?", [identity.key]).fetchone():
            raise IdentitySpent
        account_id = user.account_id
        if account_id is None:
            account_id = insert_account(connection, None, user.employee_id, _free_username(connection, email), None)
        _bind(connection, user, account_id, identity, email)
        connection.execute("UPDATE accounts SET last_sign_in_at = ? WHERE id = ?", [now, account_id])
        connection.execute(
            "INSERT INTO sign_in_tokens (token_hash, kind, account_id, created_at, expires_at, used_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [identity.key, IDENTITY_KIND, account_id, now, spent_until, now],
        )
        audit.record(
            connection,
            user,
            "account",
            account_id,
            "sign_in",
            after={"method": "sso", "issuer": identity.issuer, "subject": identity.subject},
        )
        return account_id

    account_id = db.write(succeed)
    signed_in = load_user(db, account_id=account_id)
    if signed_in is None:  # deactivated in between
        raise _not_an_employee(email)
    return signed_in


def record_refusal(db: Database, claims: Mapping[str, Any], reason: str, account_id: int | None = None) -> None:
    """Audit a refused single sign-on (who the provider said it was, and why not), on the
    account it was kept from when there is one."""
    identity = identity_from_claims(claims)
    db.write(
        lambda connection: audit.record(
            connection,
            None,
            "account",
            account_id,
            "sign_in_refused",
            after={
                "method": "sso",
                "email": identity.email,
                "email_verified": identity.email_verified,
                "issuer": identity.issuer,
                "subject": identity.subject,
                "reason": reason,
            },
        )
    )


# -- answers from the provider ---------------------------------------------------------
ERROR_CODE = re.compile(r"^[a-z0-9_.-]{1,64}$")
INCOMPLETE = "sign_in_incomplete"  # the provider answered, but the portal could not use the answer
_PROMPT_HINT = N_(
    "If this happens to everyone, the portal administrator can change `prompt` in the [auth] settings"
    " (see the README, Single sign-on)."
)
_EXPLAINED = {  # translated where said
    "access_denied": N_("the sign-in was declined at the provider."),
    "login_required": N_("the provider needs you to sign in, but was asked not to show its sign-in page."),
    "interaction_required": N_("the provider needs you to do something, but was asked not to show its pages."),
    "consent_required": N_("the provider needs your consent, but was asked not to show its pages."),
    "account_selection_required": N_("the provider needs you to choose an account, but was asked not to ask."),
    "invalid_request": N_("the provider refused the sign-in request as the portal sent it."),
    "unauthorized_client": N_("the provider does not allow this portal to sign people in this way."),
    "temporarily_unavailable": N_("the provider is unavailable at the moment. Try again shortly."),
    "server_error": N_("the provider had an error. Try again shortly."),
    INCOMPLETE: N_("the portal could not complete the sign-in with the provider's answer. Try again."),
}
_PROMPT_ERRORS = {
    "login_required",
    "interaction_required",
    "consent_required",
    "account_selection_required",
    "invalid_request",
}


def provider_error_message(code: str) -> str:
    """What to tell a person whose single sign-on came back with an error code."""
    code = code.strip().lower()
    if not ERROR_CODE.match(code):
        code = "unknown_error"
    explanation = _(_EXPLAINED.get(code) or N_("the provider gave no further reason."))
    message = _("Single sign-on did not complete (`{code}`): {explanation}", code=code, explanation=explanation)
    return message + (" " + _(_PROMPT_HINT) if code in _PROMPT_ERRORS else "")
