"""Single sign-on: which identities may sign in, the session they get, what is audited, and
how the provider's errors reach the sign-in screen."""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from models import auth, sso
from models.access import Role
from models.db import Database, WriteConflictError, get_database, utc_now
from models.errors import InputError
from models.people import directory
from models.people.directory import EmployeeInput, insert_employee
from models.settings import get_settings
from tests.conftest import TEST_PASSWORD
from ui import auth_routes

LIFETIME = timedelta(hours=12)


def claims(email: str | None, verified: object = True, **extra: object) -> dict:
    now = int(time.time())
    values = {"iss": "https://login.example.org", "sub": f"sub-{email}", "iat": now, "exp": now + 3600}
    values |= {"nonce": f"nonce-{time.monotonic_ns()}", "email_verified": verified, "is_logged_in": True}
    if email is not None:
        values["email"] = email
    return values | extra


def employee_without_account(db: Database, email: str = "ada@example.org") -> int:
    record = EmployeeInput(employee_number=f"N{abs(hash(email)) % 10**6}", full_name="Ada Agent", email=email)
    return db.write(lambda connection: insert_employee(connection, None, record, set()))


def audit_rows(db: Database, action: str) -> list[dict]:
    return db.query("SELECT * FROM audit_log WHERE action = ? ORDER BY id", [action])


# -- who may sign in -----------------------------------------------------------------------
def test_a_verified_email_of_an_active_employee_signs_in_and_is_audited(db, make_user):
    person = make_user(Role.ANALYST)
    user = sso.sign_in(db, claims(person.email.upper()))
    assert user.employee_id == person.employee_id and user.account_id == person.account_id
    entry = audit_rows(db, "sign_in")[-1]
    assert entry["actor_id"] == person.employee_id and entry["entity_id"] == str(person.account_id)
    assert json.loads(entry["after_json"])["method"] == "sso"
    assert db.scalar("SELECT last_sign_in_at FROM accounts WHERE id = ?", [person.account_id]) is not None


def test_an_employee_without_an_account_gets_one_without_a_password(db):
    employee_id = employee_without_account(db, "ada.lovelace+portal@example.org")
    user = sso.sign_in(db, claims("ada.lovelace+portal@example.org"))
    account = db.query_one("SELECT * FROM accounts WHERE id = ?", [user.account_id])
    assert account["employee_id"] == employee_id and account["password_hash"] is None
    assert account["username"] == "ada.lovelace.portal"
    with pytest.raises(auth.SignInError, match="Wrong username or password"):
        auth.sign_in(db, "ada.lovelace.portal", "a-guessed-password")
    with pytest.raises(auth.SignInError, match="single sign-on"):
        auth.change_own_password(db, user, "anything", "a-brand-new-password")


def test_the_username_of_a_new_account_is_free_and_valid(db, make_user):
    make_user(username="ada")
    employee_without_account(db, "ada@example.org")
    employee_without_account(db, "x@example.org")
    usernames = [
        db.scalar("SELECT username FROM accounts WHERE id = ?", [sso.sign_in(db, claims(email)).account_id])
        for email in ("ada@example.org", "x@example.org")
    ]
    assert usernames == ["ada-2", "x.sso"]


@pytest.mark.parametrize("verified", [False, None, "false", "yes", 1])
def test_an_email_the_provider_does_not_vouch_for_is_refused(db, make_user, verified):
    admin = make_user(Role.ADMIN)  # an unverified email must not make anyone the administrator
    identity = claims(admin.email, verified)
    with pytest.raises(sso.SsoRefusal, match=f"does not vouch for the email address {admin.email}"):
        sso.sign_in(db, identity)
    assert audit_rows(db, "sign_in") == []
    assert not sso.is_spent(db, sso.identity_from_claims(identity))


def test_email_verified_sent_as_the_string_true_counts(db, make_user):
    person = make_user()
    assert sso.sign_in(db, claims(person.email, "true")).employee_id == person.employee_id


@pytest.mark.parametrize("email", [None, "", "   "])
def test_an_identity_without_an_email_is_told_so_never_none(db, email):
    with pytest.raises(sso.SsoRefusal) as refusal:
        sso.sign_in(db, claims(email))
    assert "did not send an email address" in str(refusal.value)
    assert "None" not in str(refusal.value)


def test_an_unknown_or_inactive_employee_is_refused(db, make_user):
    admin = make_user(Role.ADMIN)
    person = make_user()
    with pytest.raises(sso.SsoRefusal, match="stranger@example.org is not an active employee"):
        sso.sign_in(db, claims("stranger@example.org"))
    directory.set_active(db, admin, person.employee_id, False)
    with pytest.raises(sso.SsoRefusal, match=f"{person.email} is not an active employee"):
        sso.sign_in(db, claims(person.email))


def test_an_identity_signs_in_once_and_not_after_its_id_token_expired(db, make_user):
    person = make_user()
    identity = claims(person.email)
    sso.sign_in(db, identity)
    with pytest.raises(sso.IdentitySpent):
        sso.sign_in(db, identity)  # Streamlit's identity cookie cannot sign the person in again
    old = claims(person.email, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    with pytest.raises(sso.IdentitySpent):
        sso.sign_in(db, old)
    assert len(audit_rows(db, "sign_in")) == 1


def test_a_refusal_is_audited_with_the_claimed_email_and_the_reason(db):
    sso.record_refusal(db, claims("grace@example.org", False), "not verified")
    after = json.loads(audit_rows(db, "sign_in_refused")[-1]["after_json"])
    assert after == after | {"method": "sso", "email": "grace@example.org", "email_verified": False}
    assert after["reason"] == "not verified"


# -- the identity an account is bound to ---------------------------------------------------
def details_of(db: Database, employee_id: int, **overrides: object) -> tuple[dict, int]:
    """What the people form holds for a person, changed by ``overrides``, and its version."""
    employee = directory.get_employee(db, employee_id)
    data = {"employee_number": employee.employee_number, "full_name": employee.full_name, "email": employee.email}
    return {**data, **overrides}, employee.version


def test_hr_cannot_take_the_administrators_account_by_moving_emails(db, make_user):
    hr, admin = make_user(Role.HR), make_user(Role.ADMIN)
    hr_email = hr.email
    directory.update_employee(db, hr, hr.employee_id, *details_of(db, hr.employee_id, email="old-hr@example.org"))
    with pytest.raises(InputError, match="only an administrator may change it"):
        directory.update_employee(db, hr, admin.employee_id, *details_of(db, admin.employee_id, email=hr_email))
    with pytest.raises(sso.SsoRefusal, match=f"{hr_email} is not an active employee"):
        sso.sign_in(db, claims(hr_email, sub="hr-at-the-provider"))
    assert audit_rows(db, "sign_in") == []


def test_an_unbound_account_signs_in_by_email_and_is_bound_to_the_identity(db, make_user):
    person = make_user()
    user = sso.sign_in(db, claims(person.email, sub="person-at-the-provider"))
    assert user.account_id == person.account_id
    bound = db.query("SELECT issuer, subject, account_id FROM sso_identities")
    assert bound == [
        {"issuer": "https://login.example.org", "subject": "person-at-the-provider", "account_id": user.account_id}
    ]
    (entry,) = audit_rows(db, "sso_bound")
    assert entry["entity_id"] == str(person.account_id) and entry["actor_id"] == person.employee_id
    assert json.loads(entry["after_json"]) == {
        "issuer": "https://login.example.org",
        "subject": "person-at-the-provider",
    }
    # the provider's email changed since: the identity still finds the account
    again = sso.sign_in(db, claims("renamed@example.org", sub="person-at-the-provider"))
    assert again.account_id == person.account_id and len(audit_rows(db, "sso_bound")) == 1


def test_a_new_account_made_by_single_sign_on_is_bound_too(db):
    employee_without_account(db, "ada@example.org")
    user = sso.sign_in(db, claims("ada@example.org", sub="ada-at-the-provider"))
    assert (
        db.scalar("SELECT subject FROM sso_identities WHERE account_id = ?", [user.account_id]) == "ada-at-the-provider"
    )


def test_a_bound_account_is_not_reached_by_another_identity_carrying_its_email(db, make_user):
    admin, other_admin = make_user(Role.ADMIN), make_user(Role.ADMIN)
    sso.sign_in(db, claims(admin.email, sub="admin-at-the-provider"))
    with pytest.raises(sso.SsoRefusal, match="signs in with another identity at your sign-in provider"):
        sso.sign_in(db, claims(admin.email, sub="someone-else-at-the-provider"))
    moved = details_of(db, admin.employee_id, email="it@example.org")
    directory.update_employee(db, other_admin, admin.employee_id, *moved)  # an administrator may
    with pytest.raises(sso.SsoRefusal, match="signs in with another identity at your sign-in provider"):
        sso.sign_in(db, claims("it@example.org", sub="someone-else-at-the-provider"))
    assert sso.sign_in(db, claims("it@example.org", sub="admin-at-the-provider")).employee_id == admin.employee_id
    assert [entry["entity_id"] for entry in audit_rows(db, "sign_in")] == [str(admin.account_id)] * 2


def test_a_refusal_for_a_bound_account_is_audited_on_that_account(db, make_user):
    person = make_user()
    sso.sign_in(db, claims(person.email, sub="person-at-the-provider"))
    identity = claims(person.email, sub="intruder-at-the-provider")
    with pytest.raises(sso.SsoRefusal) as refused:
        sso.sign_in(db, identity)
    assert refused.value.account_id == person.account_id
    sso.record_refusal(db, identity, str(refused.value), refused.value.account_id)
    entry = audit_rows(db, "sign_in_refused")[-1]
    assert entry["entity_id"] == str(person.account_id)
    assert json.loads(entry["after_json"])["subject"] == "intruder-at-the-provider"


@pytest.mark.parametrize("missing", ["iss", "sub"])
def test_an_identity_without_issuer_or_subject_is_refused(db, make_user, missing):
    person = make_user()
    with pytest.raises(sso.SsoRefusal, match="did not say who you are"):
        sso.sign_in(db, claims(person.email, **{missing: ""}))
    assert db.scalar("SELECT count(*) FROM sso_identities") == 0


# -- the portal session a single sign-on gets ----------------------------------------------
def signed_in_tab(db: Database, email: str) -> tuple[auth.CurrentUser, str, object]:
    """What the browser tab that signed in keeps: the person, their grant and the time."""
    user = sso.sign_in(db, claims(email))
    return user, auth.issue_grant(db, user), utc_now()


def test_the_grant_becomes_the_browser_session_with_the_configured_lifetime(db, make_user):
    user, grant, since = signed_in_tab(db, make_user().email)
    assert auth.sign_in_valid(db, user.account_id, since, LIFETIME, grant=grant)  # cookie not fetched yet
    session = auth.redeem_grant(db, grant, LIFETIME)
    assert session == auth.session_for_grant(grant)
    assert auth.session_user(db, session).employee_id == user.employee_id
    assert auth.sign_in_valid(db, user.account_id, since, LIFETIME, grant=grant)
    later = utc_now() + LIFETIME + timedelta(seconds=1)
    assert auth.session_user(db, session, now=later) is None
    assert not auth.sign_in_valid(db, user.account_id, since, LIFETIME, grant=grant, now=later)


def test_signing_out_in_another_tab_ends_the_tab_that_signed_in(db, make_user):
    user, grant, since = signed_in_tab(db, make_user().email)
    session = auth.redeem_grant(db, grant, LIFETIME)
    auth.end_session(db, session, user)  # the other tab, signed in by the cookie, signs out
    assert not auth.sign_in_valid(db, user.account_id, since, LIFETIME, grant=grant)


def test_signing_out_in_the_tab_that_signed_in_ends_the_cookie_of_the_others(db, make_user):
    user, grant, since = signed_in_tab(db, make_user().email)
    session = auth.redeem_grant(db, grant, LIFETIME)
    auth.end_sign_in(db, grant, user)
    assert auth.session_user(db, session) is None
    assert len(audit_rows(db, "sign_out")) == 1
    unspent_user, unspent_grant, _ = signed_in_tab(db, user.email)
    auth.end_sign_in(db, unspent_grant, unspent_user)  # signed out before the cookie was fetched
    assert auth.redeem_grant(db, unspent_grant, LIFETIME) is None


@pytest.mark.parametrize("how", ["deactivation", "password reset"])
def test_deactivation_and_a_password_reset_end_a_single_sign_on(db, make_user, how):
    admin = make_user(Role.ADMIN)
    user, grant, since = signed_in_tab(db, make_user().email)
    session = auth.redeem_grant(db, grant, LIFETIME)
    if how == "deactivation":
        directory.set_active(db, admin, user.employee_id, False)
        assert auth.load_user(db, employee_id=user.employee_id) is None
    else:
        auth.set_password(db, admin, user.account_id, "another-password-1")
    assert auth.session_user(db, session) is None
    assert not auth.sign_in_valid(db, user.account_id, since, LIFETIME, grant=grant)


def test_a_password_sign_in_follows_the_same_rules(db, make_user):
    person = make_user(username="sam")
    user = auth.sign_in(db, "sam", TEST_PASSWORD)
    grant, since = auth.issue_grant(db, user), utc_now()
    session = auth.redeem_grant(db, grant, LIFETIME)
    auth.end_session(db, session, user)
    assert not auth.sign_in_valid(db, person.account_id, since, LIFETIME, grant=grant)
    assert auth.sign_in_valid(db, person.account_id, since, LIFETIME)  # a tab without a grant: lifetime rules


# -- the provider's errors -----------------------------------------------------------------
def test_provider_errors_are_worded_for_people_and_never_echo_free_text():
    message = sso.provider_error_message("login_required")
    assert message.startswith("Single sign-on did not complete (`login_required`)")
    assert "`prompt` in the [auth] settings" in message
    assert "(`unknown_error`)" in sso.provider_error_message("<b>call 555</b>")
    assert "prompt" not in sso.provider_error_message("access_denied")


def _callback_app(*, sets_identity: bool) -> Starlette:
    """Stands in for Streamlit: /oauth2callback redirects to the start page, with or without
    the identity cookie."""

    def callback(request: Request) -> Response:
        response = RedirectResponse("/", status_code=302)
        if sets_identity:
            response.set_cookie(auth_routes.IDENTITY_COOKIE, "signed-claims")
        else:
            response.delete_cookie(auth_routes.IDENTITY_COOKIE)
        return response

    routes = [Route("/oauth2callback", callback), Route("/", lambda request: PlainTextResponse("start"))]
    return Starlette(routes=routes, middleware=[Middleware(auth_routes.ProviderErrorMiddleware)])


def get(app: Starlette, path: str, cookies: dict[str, str] | None = None) -> httpx.Response:
    """One request to the app, redirects not followed."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", cookies=cookies) as client:
            return await client.get(path)

    with ThreadPoolExecutor(1) as thread:  # its own event loop: the browser tests leave one running here
        return thread.submit(asyncio.run, send()).result()


def test_a_provider_error_at_the_callback_reaches_the_start_page():
    app = _callback_app(sets_identity=True)
    reply = get(app, "/oauth2callback?error=login_required&error_description=Please+sign+in&state=s")
    assert reply.status_code == 302 and reply.headers["location"] == "/?sso_error=login_required"
    reply = get(app, "/oauth2callback?error=%3Cscript%3E")
    assert reply.headers["location"] == "/?sso_error=unknown_error"


def test_a_callback_that_brings_no_identity_is_reported_and_one_that_does_passes():
    failing = _callback_app(sets_identity=False)
    assert get(failing, "/oauth2callback?code=c&state=s").headers["location"] == "/?sso_error=sign_in_incomplete"
    assert get(failing, "/oauth2callback").headers["location"] == "/"  # back from the provider's sign-out
    working = _callback_app(sets_identity=True)
    assert get(working, "/oauth2callback?code=c&state=s").headers["location"] == "/"
    assert get(working, "/").text == "start"


def test_the_identity_cookie_names_match_streamlits():
    from streamlit.web.server.starlette import starlette_server_config as server_config

    assert server_config.USER_COOKIE_NAME == auth_routes.IDENTITY_COOKIE
    assert server_config.TOKENS_COOKIE_NAME.startswith(auth_routes.IDENTITY_COOKIE)


def test_the_portal_cookie_replaces_streamlits_identity_cookie(portal_env: Path):
    database = get_database(portal_env)
    employee_without_account(database, "sso.person@example.org")
    user = sso.sign_in(database, claims("sso.person@example.org"))
    grant = auth.issue_grant(database, user)
    reply = get(
        Starlette(routes=auth_routes.routes()),
        f"{auth_routes.SESSION_ROUTE}?grant={grant}",
        cookies={"_streamlit_user": "claims", "_streamlit_user_tokens": "tokens"},
    )
    set_cookies = reply.headers.get_list("set-cookie")
    assert any(c.startswith("portal_session=") and "Max-Age=43200" in c for c in set_cookies)
    assert any(c.startswith("_streamlit_user=") and "Max-Age=0" in c for c in set_cookies)
    assert any(c.startswith("_streamlit_user_tokens=") and "Max-Age=0" in c for c in set_cookies)
    assert get_settings().session_lifetime_hours == 12


def test_a_sign_in_cookie_lost_to_a_write_conflict_is_a_503_and_the_grant_stays_unspent(portal_env: Path, monkeypatch):
    database = get_database(portal_env)
    employee_without_account(database, "busy.person@example.org")
    grant = auth.issue_grant(database, sso.sign_in(database, claims("busy.person@example.org")))

    def conflict(*args, **kwargs):
        raise WriteConflictError(5)

    app = Starlette(routes=auth_routes.routes())
    with monkeypatch.context() as patched:
        patched.setattr(auth, "redeem_grant", conflict)
        refused = get(app, f"{auth_routes.SESSION_ROUTE}?grant={grant}")
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert not any(c.startswith("portal_session=") for c in refused.headers.get_list("set-cookie"))
    granted = get(app, f"{auth_routes.SESSION_ROUTE}?grant={grant}")
    assert any(c.startswith("portal_session=") for c in granted.headers.get_list("set-cookie"))
