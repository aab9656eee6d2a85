"""Who is signed in to this browser session, and the screens that sign people in and out."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from models import auth
from models.access import CurrentUser
from models.db import Database, utc_now
from models.people import accounts
from models.settings import Settings
from ui.auth_routes import END_ROUTE, SESSION_ROUTE
from ui.writes import run_write

_USER = "portal_account"  # {"employee_id", "method", "session"}
_GRANT = "portal_grant"
_SIGNED_OUT = "portal_signed_out"
_FLASH = "portal_sign_in_flash"


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
        user = auth.user_for_email(db, str(st.user.get("email") or ""))
        if user is not None:
            st.session_state[_USER] = {"employee_id": user.employee_id, "method": "sso", "session": None}
            return user
    return None


def _still_signed_in(db: Database, settings: Settings, state: dict, user: CurrentUser) -> bool:
    """A cookie sign-in lives while its session token does; a form sign-in for its lifetime
    and until the password is reset."""
    if state["method"] == "cookie":
        return auth.session_user(db, state["session"]) is not None
    if state["method"] == "password":
        lifetime = timedelta(hours=settings.session_lifetime_hours)
        return auth.password_sign_in_valid(db, user.account_id, state["since"], lifetime)
    return True


def _signed_in_with_password(db: Database, user: CurrentUser) -> None:
    st.session_state[_USER] = {
        "employee_id": user.employee_id,
        "method": "password",
        "session": None,
        "since": utc_now(),
    }
    st.session_state[_GRANT] = auth.issue_grant(db, user)
    st.session_state.pop(_SIGNED_OUT, None)


def change_own_password(db: Database, user: CurrentUser, current: str, new: str) -> None:
    """Change the password; every other sign-in ends, this browser stays signed in."""
    auth.change_own_password(db, user, current, new)
    _signed_in_with_password(db, user)


def render_cookie_pixels() -> None:
    """Show the one-time image that hands the browser its sign-in cookie (see ui.auth_routes)."""
    grant = st.session_state.pop(_GRANT, None)
    if grant:
        st.sidebar.markdown(f"![]({SESSION_ROUTE}?grant={grant})")


def sign_out(db: Database) -> None:
    state = st.session_state.pop(_USER, None) or {}
    if state.get("session"):
        auth.end_session(db, state["session"], auth.load_user(db, employee_id=state["employee_id"]))
    st.session_state[_SIGNED_OUT] = True
    if state.get("method") == "sso":
        st.logout()


def render_sign_in(db: Database, settings: Settings) -> None:
    """The sign-in screen: local account, and single sign-on when configured."""
    if st.session_state.get(_SIGNED_OUT):
        st.markdown(f"![]({END_ROUTE})")  # clears the cookie and ends its session
        st.info("You are signed out.")
    st.title(settings.organisation_name)
    st.caption("Service Culture Portal — sign in to continue")
    if flash := st.session_state.pop(_FLASH, None):
        st.success(flash)
    with st.form("sign_in"):
        username = st.text_input("Username or email", max_chars=254)
        password = st.text_input("Password", type="password", max_chars=auth.PASSWORD_MAX_LENGTH)
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            user = auth.sign_in(db, username, password)
        except auth.SignInError as error:
            st.error(str(error))
        else:
            _signed_in_with_password(db, user)
            st.rerun()
    if sso_configured():
        st.divider()
        if st.button("Sign in with single sign-on"):
            st.login()
        if st.user.is_logged_in:
            st.warning(f"{st.user.get('email')} is not an active employee of this portal. Ask HR to add you.")
    if settings.demo_mode:
        st.caption("Demo portal: the README lists one login per role.")


def render_first_admin(db: Database, settings: Settings) -> None:
    """An empty portal outside demo mode asks for its first administrator."""
    st.title(f"Welcome to the {settings.organisation_name} portal")
    st.write("This portal has no accounts yet. Create the first administrator to begin.")
    with st.form("first_admin"):
        full_name = st.text_input("Your name", max_chars=120)
        email = st.text_input("Email", max_chars=254)
        username = st.text_input("Username", max_chars=40)
        password = st.text_input("Password (at least 10 characters)", type="password")
        confirm = st.text_input("Repeat password", type="password")
        submitted = st.form_submit_button("Create administrator", type="primary")
    if submitted:
        if password != confirm:
            st.error("Repeat password: the two passwords differ.")
            return
        first_admin = {"full_name": full_name, "email": email, "username": username, "password": password}
        if run_write(lambda: accounts.create_first_admin(db, **first_admin), refusals=(PermissionError,)):
            st.session_state[_FLASH] = "Administrator created — sign in with the username and password you chose."
            st.rerun()
