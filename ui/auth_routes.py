"""Two small HTTP routes beside Streamlit that hold the sign-in cookie.

The browser cannot be given a cookie over Streamlit's websocket, so after a
successful sign-in the page shows a 1x1 image whose address carries a one-time grant
(valid 60 s, stored only as a hash). ``/auth/session`` spends the grant and answers
with a signed, HttpOnly, SameSite=Strict cookie; ``/auth/end`` ends that session and
clears the cookie."""

from __future__ import annotations

import base64
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models import auth
from models.db import get_database
from models.settings import get_settings

_PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
SESSION_ROUTE = "/auth/session"
END_ROUTE = "/auth/end"


def _pixel() -> Response:
    return Response(_PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})


def _is_https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def start_session(request: Request) -> Response:
    settings = get_settings()
    grant = request.query_params.get("grant", "")
    lifetime = timedelta(hours=settings.session_lifetime_hours)
    session = auth.redeem_grant(get_database(settings.db_path), grant, lifetime) if grant else None
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
    return response


def end_session(request: Request) -> Response:
    settings = get_settings()
    session = auth.read_cookie(
        settings.signing_key(),
        request.cookies.get(auth.SESSION_COOKIE),
        settings.session_lifetime_hours * 3600,
    )
    if session:
        database = get_database(settings.db_path)
        auth.end_session(database, session, auth.session_user(database, session))
    response = _pixel()
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


def routes() -> list[Route]:
    return [Route(SESSION_ROUTE, start_session), Route(END_ROUTE, end_session)]
