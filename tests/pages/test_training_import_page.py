"""The Import completions page in AppTest: HR uploads an LMS export, previews it with the
date order found, imports it and reads the per-row report; an agent cannot open it."""

from __future__ import annotations

import pytest

from models.access import Role
from models.db import get_database
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as
from tests.test_training_import import add_course, number_of
from ui.registry import pages_for

IMPORT = "pages/training_import.py"


def _upload(app, name: str, content: bytes):
    app.file_uploader(key="lms_upload").set_value((name, content, "text/csv")).run()
    assert not app.exception
    return app


def _import_button(app):
    return next(b for b in app.button if b.label == "Import")


def test_hr_previews_imports_and_reads_the_report_of_an_lms_export(portal_env):
    database = get_database(portal_env)
    hr = add_person(database, Role.HR)
    ann = add_person(database, Role.AGENT, full_name="Ann Agent")
    add_course(database, "LMS-LISTEN")
    number = number_of(database, ann.employee_id)
    content = (
        f"User ID,Course ID,Completion Date,Score\n{number},LMS-LISTEN,29/03/2024,91\n{number},NOPE,30/03/2024,80\n"
    ).encode()
    app = _upload(open_page(signed_in_as(hr), IMPORT), "lms.csv", content)
    order = next(s for s in app.selectbox if s.label == "Date order — Completed at")
    assert order.value == "DMY"
    preview = app.dataframe[0].value
    assert list(preview["person"]) == ["Ann Agent", "Ann Agent"]
    assert preview["problem"].iloc[0] == "" and "unknown course" in preview["problem"].iloc[1]

    _import_button(app).click().run()
    assert any("Nothing was imported" in e.value for e in app.error)
    assert database.scalar("SELECT count(*) FROM training_completions") == 0

    app.radio(key="lms_mode").set_value("valid_rows").run()
    _import_button(app).click().run()
    assert not app.exception
    assert any("1 imported" in s.value and "1 rejected" in s.value for s in app.success)
    report = next(frame.value for frame in app.dataframe if "reason" in frame.value.columns)
    assert list(report["row"]) == [2] and list(report["column"]) == ["Course ID"]
    assert any(b.label == "Download CSV" for b in app.get("download_button"))
    assert str(database.scalar("SELECT completed_on FROM training_completions")) == "2024-03-29"
    recent = next(frame.value for frame in app.dataframe if "rows_imported" in frame.value.columns)
    assert list(recent["status"]) == ["Completed"]


def test_a_file_without_a_person_column_is_refused_naming_the_field(portal_env):
    database = get_database(portal_env)
    hr = add_person(database, Role.HR)
    app = _upload(open_page(signed_in_as(hr), IMPORT), "lms.csv", b"Course code,Completed at\nX,2024-01-02\n")
    assert any("Employee number or email" in shown(e.value) for e in app.error)
    assert _import_button(app).disabled


def test_an_agent_is_not_offered_the_import_page_and_cannot_open_it(portal_env):
    database = get_database(portal_env)
    agent = add_person(database, Role.AGENT)
    titles = [page.title for pages in pages_for(agent).values() for page in pages]
    assert "Import completions" not in titles
    app = signed_in_as(agent)
    app.run()
    with pytest.raises(ValueError, match="navigation page"):
        app.switch_page(IMPORT)
    hr_titles = [page.title for pages in pages_for(add_person(database, Role.HR)).values() for page in pages]
    assert "Import completions" in hr_titles
