"""Every uploader goes through ui.widgets.file_upload, which takes its size limit from the
``max_upload_mb`` setting and refuses a larger file with a message."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from models.access import Role
from models.db import get_database
from models.settings import get_settings
from models.standards import audits, register
from tests.conftest import add_person
from tests.pages.apptest import open_page, signed_in_as

PROJECT = Path(__file__).resolve().parents[2]
HELPER = PROJECT / "ui" / "widgets.py"

UPLOADERS = [
    ("pages/goals.py", Role.LEADERSHIP, "measurements_upload"),
    ("pages/people.py", Role.HR, "people_import_file"),
    ("pages/complaints_import.py", Role.ANALYST, "complaint_upload"),
    ("pages/training_import.py", Role.HR, "lms_upload"),
    ("pages/customer_survey_import.py", Role.ANALYST, "survey_upload"),
    ("pages/mystery_audit_import.py", Role.ANALYST, "audit_upload"),
]


def _a_checklist(db, analyst) -> None:
    """Mystery audits are imported against a checklist of standards."""
    leader = add_person(db, Role.LEADERSHIP)
    data = {"code": "S1", "title": "Greet the customer", "expectation": "Say hello.", "owner_id": leader.employee_id}
    standard_id = register.add_standard(db, leader, data)
    audits.create_checklist(db, analyst, {"name": "Monthly", "items": [(standard_id, "pass_fail")]})


PREPARE = {"pages/mystery_audit_import.py": _a_checklist}  # what a page needs before it shows its uploader


def _direct_uploader_calls(path: Path) -> list[str]:
    return [
        f"{path.relative_to(PROJECT)}:{node.lineno}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "file_uploader"
    ]


def test_no_page_calls_the_streamlit_uploader_itself():
    sources = [*PROJECT.glob("pages/*.py"), *PROJECT.glob("ui/*.py"), PROJECT / "portal.py"]
    offenders = [call for path in sources if path != HELPER for call in _direct_uploader_calls(path)]
    assert offenders == []
    assert _direct_uploader_calls(HELPER)  # the helper is where it is called


def test_every_uploader_page_is_listed_here():
    pages = {path for path in PROJECT.glob("pages/*.py") if "file_upload(" in path.read_text(encoding="utf-8")}
    assert {PROJECT / page for page, _, _ in UPLOADERS} == pages


@pytest.fixture
def one_mb_limit(portal_env, monkeypatch):
    monkeypatch.setenv("PORTAL_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    return portal_env


@pytest.mark.parametrize(("page", "role", "key"), UPLOADERS)
def test_each_uploader_takes_the_limit_from_the_setting_and_refuses_a_larger_file(one_mb_limit, page, role, key):
    user = add_person(get_database(one_mb_limit), role)
    if page in PREPARE:
        PREPARE[page](get_database(one_mb_limit), user)
    app = open_page(signed_in_as(user), page)
    assert not app.exception, app.exception
    uploader = app.file_uploader(key=key)
    assert uploader.proto.max_upload_size_mb == 1

    too_big = b"goal,date,value\n" + b"x" * (1024 * 1024)
    uploader.set_value(("big.csv", too_big, "text/csv")).run()
    assert not app.exception, app.exception
    assert any("big.csv is larger than 1 MB" in message.value.replace("\\", "") for message in app.error)
