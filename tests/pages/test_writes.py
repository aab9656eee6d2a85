"""The one page-write helper (ui/writes.py) in AppTest: field-named input errors, plain
refusals shown as text, a toast on success, and a stale save that keeps the edits on screen
and offers Reload — on a small script and on the findings and goals pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from models.access import Role
from models.complaints import findings
from models.complaints.analysis import ComplaintFilter
from models.db import get_database
from models.strategy import goals, kpis, vision
from tests.complaints_support import complaint, import_rows
from tests.conftest import add_person
from tests.pages.apptest import open_page, set_decimal, shown, signed_in_as

FINDINGS = "pages/complaints_findings.py"


def write_script() -> None:
    """A form whose "Save" runs the write chosen in session state through run_write."""
    from datetime import datetime

    import streamlit as st

    from models.access import Permission, PermissionDeniedError
    from models.db import WriteConflictError
    from models.errors import InputError, StaleRecordError
    from ui.writes import EditForm, run_write

    outcomes = {
        "input": lambda: (_ for _ in ()).throw(
            InputError([("Title", "use at least 3 characters"), ("Due *date*", "is before the start")])
        ),
        "permission": lambda: (_ for _ in ()).throw(PermissionDeniedError(None, Permission.ACTIONS_MANAGE)),
        "conflict": lambda: (_ for _ in ()).throw(WriteConflictError(3)),
        "stale": lambda: (_ for _ in ()).throw(StaleRecordError("note", "**Bold** Bea", datetime(2026, 5, 4, 3, 2))),
        "ok": lambda: 42,
    }
    stored_version = st.session_state.setdefault("stored_version", 1)
    form = EditForm("note", 7, stored_version)
    st.text_input("Title", value=f"saved at version {stored_version}", key=f"{form.prefix}_title")
    form.show_stale()
    if st.button("Save"):
        written = run_write(outcomes[st.session_state["outcome"]], success="Saved *note*.", form=form)
        st.session_state["written"] = (written.ok, written.value)


def script_app(outcome: str) -> AppTest:
    app = AppTest.from_function(write_script, default_timeout=30)
    app.session_state["outcome"] = outcome
    return app.run()


def click(app: AppTest, label: str) -> AppTest:
    matches = [b for b in app.button if b.label == label]
    assert matches, f"no button {label!r}; have {[b.label for b in app.button]}"
    return matches[0].click().run()


def test_bad_input_is_shown_one_message_per_field_naming_the_field():
    app = click(script_app("input"), "Save")
    assert not app.exception
    assert [shown(e.value) for e in app.error] == [
        "**Title**: use at least 3 characters",
        "**Due *date***: is before the start",
    ]
    assert app.session_state["written"] == (False, None)
    assert not app.toast


@pytest.mark.parametrize(
    ("outcome", "refusal"),
    [("permission", "Nobody signed in may not do this"), ("conflict", "could not be saved: the same record")],
)
def test_a_refused_write_is_shown_plainly_and_nothing_is_toasted(outcome, refusal):
    app = click(script_app(outcome), "Save")
    assert not app.exception
    assert len(app.error) == 1 and refusal in shown(app.error[0].value)
    assert app.session_state["written"] == (False, None)
    assert not app.toast


def test_a_write_that_goes_through_is_toasted_as_text_and_returns_its_value():
    app = click(script_app("ok"), "Save")
    assert not app.exception and not app.error
    assert app.session_state["written"] == (True, 42)
    assert [toast.value for toast in app.toast] == [r"Saved \*note\*\."]


def test_a_stale_save_keeps_the_edits_names_who_saved_and_offers_reload():
    app = script_app("stale")
    app.text_input(key="note_7_v1_title").input("my unsaved edit")
    click(app, "Save")
    assert not app.exception
    [refusal] = [e.value for e in app.error]
    assert "\\*\\*Bold\\*\\* Bea" in refusal  # the name is shown as text, not as Markdown
    assert shown(refusal).startswith("Changed by **Bold** Bea at 2026-05-04 03:02 UTC since you opened it")
    assert app.text_input(key="note_7_v1_title").value == "my unsaved edit"
    assert [b.label for b in app.button if b.label == "Reload"] == ["Reload"]

    app.session_state["stored_version"] = 2  # what the reload will find saved now
    click(app, "Reload")
    assert not app.exception and not app.error
    assert app.text_input(key="note_7_v2_title").value == "saved at version 2"
    assert not [b for b in app.button if b.label == "Reload"]


def callback_script() -> None:
    """Buttons whose callbacks write through run_write, reporting under a session key."""
    import streamlit as st

    from models.errors import InputError
    from ui.writes import run_write, show_reported

    def refused() -> None:
        error = InputError.single("Reason", "fill this in")
        run_write(lambda: (_ for _ in ()).throw(error), report_at="problem")

    st.button("Refused", on_click=refused)
    st.button("Accepted", on_click=lambda: run_write(lambda: None, success="Done.", report_at="problem"))
    show_reported("problem", keep=st.session_state.get("keep", False))


@pytest.mark.parametrize("keep", [False, True])
def test_a_refusal_in_a_button_callback_is_shown_where_the_page_asks(keep):
    app = AppTest.from_function(callback_script, default_timeout=30)
    app.session_state["keep"] = keep
    click(app.run(), "Refused")
    assert [shown(e.value) for e in app.error] == ["**Reason**: fill this in"]
    app.run()
    assert bool(app.error) is keep  # shown once, or kept until the next attempt
    click(app, "Accepted")
    assert not app.error and [toast.value for toast in app.toast] == [r"Done\."]


# -- the pages ---------------------------------------------------------------------------
@pytest.fixture
def finding_opened_twice(portal_env, tmp_path):
    """A finding, an analyst with it open on the findings page, and a colleague who saves it first."""
    database = get_database(portal_env)
    analyst = add_person(database, Role.ANALYST, full_name="Ann Analyst")
    colleague = add_person(database, Role.ANALYST, full_name="Cole Colleague")
    import_rows(database, analyst, tmp_path, [complaint("2024-01-10", "Fees", external_id="1")])
    data = {"title": "Fee surprises", "description": "Customers were not told.", "root_cause": "policy"}
    finding_id = findings.create_finding(database, analyst, {**data, "five_whys": ["No letter"]}, ComplaintFilter())
    app = open_page(signed_in_as(analyst), FINDINGS)
    findings.update_finding(
        database, colleague, finding_id, {**data, "title": "Fee surprises (confirmed)", "five_whys": ["No letter"]}, 1
    )
    return database, finding_id, app


def test_a_stale_finding_save_is_refused_keeps_the_edits_and_offers_reload(finding_opened_twice):
    database, finding_id, app = finding_opened_twice
    prefix = f"finding_{finding_id}_v1"
    app.text_input(key=f"{prefix}_title").input("Fee surprises after a rate change")
    click(app, "Save changes")

    assert not app.exception
    errors = " ".join(shown(e.value) for e in app.error)
    assert "Changed by Cole Colleague at" in errors and "since you opened it" in errors
    assert app.text_input(key=f"{prefix}_title").value == "Fee surprises after a rate change"
    assert database.scalar("SELECT title FROM findings WHERE id = ?", [finding_id]) == "Fee surprises (confirmed)"

    click(app, "Reload")
    assert not app.exception and not app.error
    fresh = app.text_input(key=f"finding_{finding_id}_v2_title")
    assert fresh.value == "Fee surprises (confirmed)"
    fresh.input("Fee surprises, confirmed by two")
    click(app, "Save changes")
    assert database.scalar("SELECT title FROM findings WHERE id = ?", [finding_id]) == "Fee surprises, confirmed by two"


def test_a_finding_saved_with_a_missing_field_names_it(finding_opened_twice):
    database, finding_id, app = finding_opened_twice
    app.text_area(key=f"finding_{finding_id}_v1_description").input("")
    click(app, "Save changes")
    assert any(shown(e.value).startswith("**Description**:") for e in app.error)


def test_a_stale_goal_save_offers_reload_which_shows_the_goal_as_saved(portal_env):
    database = get_database(portal_env)
    leader = add_person(database, Role.LEADERSHIP, full_name="Lena Leader")
    other = add_person(database, Role.LEADERSHIP, full_name="Omar Other")
    priority_id = vision.create_priority(database, leader, {"title": "Effortless service", "position": 1})
    csat = kpis.kpi_by_code(database, "csat")
    goal = {
        "name": "Lift CSAT",
        "priority_id": priority_id,
        "kpi_id": csat.id,
        "unit": "%",
        "direction": "higher",
        "baseline_value": 70,
        "baseline_date": date.today() - timedelta(days=30),
        "target_value": 85,
        "target_date": date.today() + timedelta(days=300),
        "owner_id": leader.employee_id,
    }
    goal_id = goals.create_goal(database, leader, goal)
    app = open_page(signed_in_as(leader), "pages/goals.py")
    goals.update_goal(database, other, goal_id, {**goal, "target_value": 90}, 1)

    set_decimal(app, f"goal_{goal_id}_v1_target_value", 80.0)
    click(app, "Save goal")
    assert "Changed by Omar Other at" in " ".join(shown(e.value) for e in app.error)
    click(app, "Reload")
    assert not app.error
    assert app.session_state[f"goal_{goal_id}_v2_target_value"] == 90.0
