"""Helpers for driving the portal with Streamlit's AppTest."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from models import auth
from models.access import CurrentUser
from models.db import utc_now

PORTAL = str(Path(__file__).resolve().parents[2] / "portal.py")


def portal_app() -> AppTest:
    return AppTest.from_file(PORTAL, default_timeout=30)


def signed_in_as(user: CurrentUser) -> AppTest:
    """The portal with ``user`` already signed in (as after the sign-in form)."""
    app = portal_app()
    app.session_state["portal_account"] = {
        "employee_id": user.employee_id,
        "method": "password",
        "session": None,
        "since": utc_now(),
    }
    return app


def open_page(app: AppTest, page: str) -> AppTest:
    """Run the portal, then switch to ``page`` (for example "pages/people.py")."""
    app.run()
    app.switch_page(page)
    app.run()
    return app


def shown(markdown: str) -> str:
    """Markdown as a reader sees it: escaped characters without their backslash."""
    return re.sub(r"\\(.)", r"\1", markdown)


def speaking(database: Any, person: CurrentUser, language: str) -> CurrentUser:
    """``person`` as signed in after choosing ``language`` on My account."""
    auth.change_own_language(database, person, person.account_id, language)
    return auth.load_user(database, employee_id=person.employee_id)


def decimal_field(app: AppTest, key: str) -> Any:
    """The text field of the decimal field ``key`` (``ui.widgets.decimal_input``)."""
    return app.text_input(key=f"{key}_text")


def set_decimal(app: AppTest, key: str, value: float | str) -> Any:
    """Type ``value`` into the decimal field ``key``: text as given ("1 234,5"), a number with a
    plain point, which every language accepts. Run the app to send it."""
    return decimal_field(app, key).input(value if isinstance(value, str) else str(value))
