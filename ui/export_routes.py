"""An HTTP route beside Streamlit that streams a large download: the complaints of a filter
as CSV, for a person signed in to the portal (its session cookie) who may see raw
complaints. A file sent over Streamlit's websocket is built whole in memory first; this
route sends it in pieces as DuckDB reads them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import duckdb
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from models import auth
from models.access import PermissionDeniedError
from models.complaints import rows
from models.complaints.analysis import ComplaintFilter
from models.db import get_database
from models.settings import get_settings

COMPLAINTS_CSV_ROUTE = "/export/complaints.csv"


def complaints_csv_address(complaint_filter: ComplaintFilter, drill: dict[str, Any] | None = None) -> str:
    """Where the browser fetches the CSV of a filter (and a drill-down's choices)."""
    query = {"filter": complaint_filter.model_dump_json()}
    if drill:
        query["drill"] = json.dumps(drill, default=str)
    return f"{COMPLAINTS_CSV_ROUTE}?{urlencode(query)}"


def complaints_csv(request: Request) -> Response:
    settings = get_settings()
    session = auth.read_cookie(
        settings.signing_key(), request.cookies.get(auth.SESSION_COOKIE), settings.session_lifetime_hours * 3600
    )
    database = get_database(settings.db_path, url=settings.database_url)
    user = auth.session_user(database, session) if session else None
    if user is None:
        return PlainTextResponse("Sign in to the portal, then download again.", status_code=401)
    try:
        complaint_filter = ComplaintFilter.model_validate_json(request.query_params.get("filter") or "{}")
        drill = json.loads(request.query_params.get("drill") or "{}")
        if not isinstance(drill, dict):
            raise ValueError("drill")
        pieces = rows.csv_chunks(database, user, complaint_filter, drill)
    except PermissionDeniedError as refusal:
        return PlainTextResponse(str(refusal), status_code=403)
    except (ValidationError, ValueError, duckdb.Error):
        return PlainTextResponse("This download address is not one the portal made.", status_code=400)
    return StreamingResponse(
        pieces,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="complaints.csv"', "Cache-Control": "no-store"},
    )


def routes() -> list[Route]:
    return [Route(COMPLAINTS_CSV_ROUTE, complaints_csv)]
