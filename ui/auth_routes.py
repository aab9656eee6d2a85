"""Two small HTTP routes beside Streamlit that hold the sign-in cookie, and a middleware
that reports a failed single sign-on.

The browser cannot be given a cookie over Streamlit's websocket, so after a
successful sign-in the page shows a 1x1 image whose address carries a one-time grant
(valid 60 s, stored only as a hash). ``/auth/session`` spends the grant and answers
with a signed, HttpOnly, SameSite=Strict cookie — and clears Streamlit's own single
sign-on identity cookie, so only the portal's cookie keeps a person signed in;
``/auth/end`` ends that session and clears the cookie.

Streamlit answers a provider's error at ``/oauth2callback`` (``?error=login_required``)
with a plain redirect to the start page and keeps the reason in its log.
``ProviderErrorMiddleware`` sends the browser to the start page with the error code
(``?sso_error=…``) instead, so the sign-in screen can say what happened."""

from __future__ import annotations

import base64
import logging
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models import auth, sso
from models.db import WriteConflictError, get_database
from models.settings import get_settings

_PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
SESSION_ROUTE = "/auth/session"
END_ROUTE = "/auth/end"
CALLBACK_PATH = "/oauth2callback"  # Streamlit's st.login callback: the redirect URI at the provider
SSO_ERROR_PARAM = "sso_error"
# Streamlit's st.login identity cookie; long ones are split into _streamlit_user_1, _2, … and the
# provider's tokens sit in _streamlit_user_tokens — every one of them starts with this name.
IDENTITY_COOKIE = "_streamlit_user"

_log = logging.getLogger(__name__)


def _pixel() -> Response:
    return Response(_PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})


def _is_https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def start_session(request: Request) -> Response:
    settings = get_settings()
    grant = request.query_params.get("grant", "")
    lifetime = timedelta(hours=settings.session_lifetime_hours)
    try:
        session = (
            auth.redeem_grant(get_database(settings.db_path, url=settings.database_url), grant, lifetime)
            if grant
            else None
        )
    except WriteConflictError as conflict:
        # nothing was written and the grant stays unspent; the tab stays signed in, and a
        # reload before the grant expires asks for the sign-in again
        _log.warning("A sign-in cookie was not issued: %s", conflict)
        return Response(status_code=503, headers={"Retry-After": "1", "Cache-Control": "no-store"})
    response = _pixel()
    if session:
        response.set_cookie(
            auth.SESSION_COOKIE,
            auth.sign_cookie(settings.signing_key(), session),
            max_age=int(lifetime.total_seconds()),
            path="/",
            httponly=True,
            samesite="strict",
            secure=_is_https(request),
        )
        for name in request.cookies:
            if name.startswith(IDENTITY_COOKIE):
                response.delete_cookie(name, path=_base_path().rstrip("/") or "/")
    return response


def end_session(request: Request) -> Response:
    settings = get_settings()
    session = auth.read_cookie(
        settings.signing_key(),
        request.cookies.get(auth.SESSION_COOKIE),
        settings.session_lifetime_hours * 3600,
    )
    if session:
        database = get_database(settings.db_path, url=settings.database_url)
        auth.end_session(database, session, auth.session_user(database, session))
    response = _pixel()
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


def _base_path() -> str:
    """The path the portal is served under (Streamlit's server.baseUrlPath), ending in "/"."""
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/" if base else "/"


def _start_page_with_error(code: str) -> str:
    return _base_path() + "?" + urlencode({SSO_ERROR_PARAM: code})


def _sets_identity_cookie(headers: list[tuple[bytes, bytes]]) -> bool:
    prefix = IDENTITY_COOKIE.encode() + b"="
    return any(
        name.lower() == b"set-cookie" and value.startswith(prefix) and b"max-age=0" not in value.lower()
        for name, value in headers
    )


class ProviderErrorMiddleware:
    """Turns a single sign-on that came back without an identity into ``/?sso_error=<code>``:
    the provider's error code, or ``sign_in_incomplete`` when Streamlit could not use the
    provider's answer. Only the code travels; the sign-in screen words the message itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith(CALLBACK_PATH):
            await self.app(scope, receive, send)
            return
        params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if params.get("error"):
            code = params["error"].strip().lower()
            code = code if sso.ERROR_CODE.match(code) else "unknown_error"
            _log.warning("Single sign-on failed at the provider: %s (%s)", code, params.get("error_description", ""))
            await RedirectResponse(_start_page_with_error(code), status_code=302)(scope, receive, send)
            return
        if "code" not in params:  # the provider sending the browser back after signing out
            await self.app(scope, receive, send)
            return

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                headers = list(message.get("headers", []))
                if not _sets_identity_cookie(headers):
                    location = _start_page_with_error(sso.INCOMPLETE).encode("latin-1")
                    headers = [(k, location if k.lower() == b"location" else v) for k, v in headers]
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, watch)


def routes() -> list[Route]:
    return [Route(SESSION_ROUTE, start_session), Route(END_ROUTE, end_session)]
