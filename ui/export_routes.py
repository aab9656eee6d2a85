"""An HTTP route beside Streamlit that streams a large download: the complaints of a filter
as CSV, for a person signed in to the portal (its session cookie) who may see raw
complaints. A file sent over Streamlit's websocket is built whole in memory first; this
route sends it in pieces as DuckDB reads them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

import duckdb
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from models import auth
from models.access import CurrentUser, PermissionDeniedError
from models.complaints import rows
from models.complaints.analysis import ComplaintFilter
from models.db import Database, get_database
from models.i18n import _, accept_language_tags, use_language
from models.settings import get_settings
from ui.languages import language_for
from ui.widgets import file_stem

COMPLAINTS_CSV_ROUTE = "/export/complaints.csv"


def complaints_csv_address(complaint_filter: ComplaintFilter, drill: dict[str, Any] | None = None) -> str:
    """Where the browser fetches the CSV of a filter (and a drill-down's choices)."""
    query = {"filter": complaint_filter.model_dump_json()}
    if drill:
        query["drill"] = json.dumps(drill, default=str)
    return f"{COMPLAINTS_CSV_ROUTE}?{urlencode(query)}"


def attachment(file_name: str) -> str:
    """A Content-Disposition naming a download in the reader's language; a name beyond ASCII
    is sent as UTF-8 (RFC 6266's ``filename*``, which browsers prefer) beside a plain one."""
    if file_name.isascii():
        return f'attachment; filename="{file_name}"'
    return f"attachment; filename=\"complaints.csv\"; filename*=UTF-8''{quote(file_name, safe='')}"


def complaints_csv(request: Request) -> Response:
    """The CSV of a filter, named and refused in the person's language (as their pages speak)."""
    settings = get_settings()
    session = auth.read_cookie(
        settings.signing_key(), request.cookies.get(auth.SESSION_COOKIE), settings.session_lifetime_hours * 3600
    )
    database = get_database(settings.db_path, url=settings.database_url)
    user = auth.session_user(database, session) if session else None
    browser = accept_language_tags(request.headers.get("accept-language"))
    with use_language(language_for(user, settings, browser)):
        return _complaints_csv(request, database, user)


def _complaints_csv(request: Request, database: Database, user: CurrentUser | None) -> Response:
    if user is None:
        return PlainTextResponse(_("Sign in to the portal, then download again."), status_code=401)
    try:
        complaint_filter = ComplaintFilter.model_validate_json(request.query_params.get("filter") or "{}")
        drill = json.loads(request.query_params.get("drill") or "{}")
        if not isinstance(drill, dict):
            raise ValueError("drill")
        pieces = rows.csv_chunks(database, user, complaint_filter, drill)
    except PermissionDeniedError as refusal:
        return PlainTextResponse(str(refusal), status_code=403)
    except (ValidationError, ValueError, duckdb.Error):
        return PlainTextResponse(_("This download address is not one the portal made."), status_code=400)
    return StreamingResponse(
        pieces,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": attachment(f"{file_stem(_('complaints'))}.csv"), "Cache-Control": "no-store"},
    )


def routes() -> list[Route]:
    return [Route(COMPLAINTS_CSV_ROUTE, complaints_csv)]
