"""Who is signed in to this browser session, and the screens that sign people in and out."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from models import auth, sso
from models.access import CurrentUser
from models.db import Database, utc_now
from models.i18n import _
from models.people import accounts
from models.settings import Settings
from ui.auth_routes import END_ROUTE, SESSION_ROUTE, SSO_ERROR_PARAM
from ui.text import escape_markdown
from ui.writes import run_write

# {"employee_id", "method": "password" | "sso" | "cookie", "session", "grant", "since"}
_USER = "portal_account"
_GRANT = "portal_grant"
_SIGNED_OUT = "portal_signed_out"
_FLASH = "portal_sign_in_flash"
_SSO_SEEN = "portal_sso_identity"  # the identity already looked at in this browser session
_SSO_REFUSAL = "portal_sso_refusal"
_SSO_ERROR = "portal_sso_error"


def sso_configured() -> bool:
    """Single sign-on is offered when an [auth] section is configured for st.login."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def current_user(db: Database, settings: Settings) -> CurrentUser | None:
    """The signed-in person, re-read on every run so deactivation takes effect at once."""
    state = st.session_state.get(_USER)
    if state:
        user = auth.load_user(db, employee_id=state["employee_id"])
        if user is None or not _still_signed_in(db, settings, state, user):
            st.session_state.pop(_USER, None)
            return None
        return user
    if st.session_state.get(_SIGNED_OUT):
        return None
    session = auth.read_cookie(
        settings.signing_key(),
        st.context.cookies.get(auth.SESSION_COOKIE),
        settings.session_lifetime_hours * 3600,
    )
    if session:
        user = auth.session_user(db, session)
        if user is not None:
            st.session_state[_USER] = {"employee_id": user.employee_id, "method": "cookie", "session": session}
            return user
    if sso_configured() and st.user.is_logged_in:
        return _sign_in_with_sso(db)
    return None


def _sign_in_with_sso(db: Database) -> CurrentUser | None:
    """Turn the identity st.login brought back into a portal sign-in, once per identity.

    The identity is spent by a successful sign-in; from then on only the portal's own
    session (and its cookie) keeps the person signed in."""
    claims = st.user.to_dict()
    identity = sso.identity_from_claims(claims)
    if st.session_state.get(_SSO_SEEN) == identity.key:
        return None
    st.session_state[_SSO_SEEN] = identity.key
    try:
        user = sso.sign_in(db, claims)
    except sso.IdentitySpent:
        return None
    except sso.SsoRefusal as refusal:
        st.session_state[_SSO_REFUSAL] = str(refusal)
        sso.record_refusal(db, claims, str(refusal), refusal.account_id)
        return None
    _signed_in(db, user, "sso")
    return user


def _still_signed_in(db: Database, settings: Settings, state: dict, user: CurrentUser) -> bool:
    """A cookie sign-in lives while its session token does; a sign-in made in this tab (form or
    single sign-on) for its lifetime, until the password is reset, and while the session its
    grant became lives."""
    if state["method"] == "cookie":
        return auth.session_user(db, state["session"]) is not None
    if state["method"] in ("password", "sso"):
        lifetime = timedelta(hours=settings.session_lifetime_hours)
        return auth.sign_in_valid(db, user.account_id, state["since"], lifetime, grant=state.get("grant"))
    return False


def _signed_in(db: Database, user: CurrentUser, method: str) -> None:
    grant = auth.issue_grant(db, user)
    st.session_state[_USER] = {
        "employee_id": user.employee_id,
        "method": method,
        "session": None,
        "grant": grant,
        "since": utc_now(),
    }
    st.session_state[_GRANT] = grant
    for key in (_SIGNED_OUT, _SSO_REFUSAL, _SSO_ERROR):
        st.session_state.pop(key, None)


def change_own_password(db: Database, user: CurrentUser, current: str, new: str) -> None:
    """Change the password; every other sign-in ends, this browser stays signed in."""
    auth.change_own_password(db, user, current, new)
    _signed_in(db, user, "password")


def render_cookie_pixels() -> None:
    """Show the one-time image that hands the browser its sign-in cookie (see ui.auth_routes)."""
    grant = st.session_state.pop(_GRANT, None)
    if grant:
        st.sidebar.markdown(f"![]({SESSION_ROUTE}?grant={grant})")


def sign_out(db: Database) -> None:
    """End this sign-in: the browser's session ends in every tab, the cookie is cleared."""
    state = st.session_state.pop(_USER, None) or {}
    user = auth.load_user(db, employee_id=state["employee_id"]) if state else None
    if state.get("session"):
        auth.end_session(db, state["session"], user)
    elif state.get("grant"):
        auth.end_sign_in(db, state["grant"], user)
    st.session_state[_SIGNED_OUT] = True


def _render_sso() -> None:
    """The single sign-on part of the sign-in screen: the provider's error or the refusal, if
    any, and the buttons."""
    if code := st.query_params.get(SSO_ERROR_PARAM):
        st.session_state[_SSO_ERROR] = sso.provider_error_message(code)
        del st.query_params[SSO_ERROR_PARAM]
    st.divider()
    if message := st.session_state.get(_SSO_ERROR):
        st.error(message)  # fixed wording around a checked error code
    refusal = st.session_state.get(_SSO_REFUSAL) if st.user.is_logged_in else None
    if refusal:
        st.error(escape_markdown(refusal))
    if st.button(_("Sign in with single sign-on"), key="sign_in_sso"):
        st.login()
    if refusal:
        st.caption(_("To use another account, sign out of single sign-on first."))
        if st.button(_("Sign out of single sign-on"), icon=":material/logout:", key="sign_out_sso"):
            st.session_state.pop(_SSO_REFUSAL, None)
            st.logout()


def render_sign_in(db: Database, settings: Settings) -> None:
    """The sign-in screen: local account, and single sign-on when configured."""
    if st.session_state.get(_SIGNED_OUT):
        st.markdown(f"![]({END_ROUTE})")  # clears the cookie (its session has ended)
        st.info(_("You are signed out."))
    st.title(settings.organisation_name)
    st.caption(_("Service Culture Portal — sign in to continue"))
    if flash := st.session_state.pop(_FLASH, None):
        st.success(flash)
    with st.form("sign_in"):
        username = st.text_input(_("Username or email"), max_chars=254, key="sign_in_username")
        password = st.text_input(
            _("Password"), type="password", max_chars=auth.PASSWORD_MAX_LENGTH, key="sign_in_password"
        )
        submitted = st.form_submit_button(_("Sign in"), type="primary")
    if submitted:
        try:
            user = auth.sign_in(db, username, password)
        except auth.SignInError as error:
            st.error(str(error))
        else:
            _signed_in(db, user, "password")
            st.rerun()
    if sso_configured():
        _render_sso()
    if settings.demo_mode:
        st.caption(_("Demo portal: the README lists one login per role."))


def render_first_admin(db: Database, settings: Settings) -> None:
    """An empty portal outside demo mode asks for its first administrator."""
    st.title(_("Welcome to the {organisation} portal", organisation=settings.organisation_name))
    st.write(_("This portal has no accounts yet. Create the first administrator to begin."))
    with st.form("first_admin"):
        full_name = st.text_input(_("Your name"), max_chars=120, key="first_admin_name")
        email = st.text_input(_("Email"), max_chars=254, key="first_admin_email")
        username = st.text_input(_("Username"), max_chars=40, key="first_admin_username")
        password = st.text_input(
            _("Password (at least {count} characters)", count=auth.PASSWORD_MIN_LENGTH),
            type="password",
            key="first_admin_password",
        )
        confirm = st.text_input(_("Repeat password"), type="password", key="first_admin_confirm")
        submitted = st.form_submit_button(_("Create administrator"), type="primary")
    if submitted:
        if password != confirm:
            st.error(_("Repeat password: the two passwords differ."))
            return
        first_admin = {"full_name": full_name, "email": email, "username": username, "password": password}
        if run_write(lambda: accounts.create_first_admin(db, **first_admin), refusals=(PermissionError,)):
            st.session_state[_FLASH] = _("Administrator created — sign in with the username and password you chose.")
            st.rerun()
