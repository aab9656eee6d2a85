"""Numbers with decimals are typed and shown in the reader's language (ui.widgets.decimal_input):
"1 234,50" in Ukrainian, "1,234.50" in English; wrong text is kept, named and refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel import numbers
from streamlit.testing.v1 import AppTest

from models.access import Role
from models.db import get_database
from models.i18n import FORMAT_LOCALES, parse_number, use_language
from models.standards import rights
from tests.conftest import add_person
from tests.pages.apptest import decimal_field, open_page, set_decimal, shown, signed_in_as, speaking
from tests.speakup_helpers import open_cycle
from ui.widgets import decimal_text

UK_GROUP = numbers.get_group_symbol(FORMAT_LOCALES["uk"])  # the space Ukrainian groups thousands with


# -- reading and writing a number in each language -------------------------------------------------
@pytest.mark.parametrize(
    "language, typed",
    [
        ("uk", "1 234,5"),
        ("uk", f"1{UK_GROUP}234,5"),
        ("uk", "1\u202f234,5"),  # a narrow no-break space, as other programs group
        ("uk", "1234.5"),  # a plain point is read as the decimal sign too
        ("ru", "1 234,50"),
        ("lt", "1 234,5"),
        ("en", "1,234.5"),
        ("en", "1 234.5"),
        ("en", "1234.5"),
    ],
)
def test_a_number_typed_in_the_readers_form_is_read(language, typed):
    with use_language(language):
        assert parse_number(typed) == Decimal("1234.50")


def test_a_number_is_shown_in_the_readers_form():
    with use_language("uk"):
        assert decimal_text(1234.5) == f"1{UK_GROUP}234,50"
        assert decimal_text(-3) == "-3,00"
    with use_language("en"):
        assert decimal_text(1234.5) == "1,234.50"
    with use_language("lt"):
        assert parse_number("\u22123,5") == Decimal("-3.5")  # the minus sign Lithuanian writes
        assert decimal_text(0.25, decimals=None) == "0,25"


@pytest.mark.parametrize(
    "language, typed",
    [("uk", "12abc"), ("uk", "1.234,5"), ("uk", "1,2,3"), ("en", "1,5"), ("en", "1e5"), ("en", "NaN"), ("uk", "--3")],
)
def test_text_that_is_not_a_number_in_the_language_is_refused(language, typed):
    with use_language(language), pytest.raises(ValueError):
        parse_number(typed)


def test_decimals_are_rounded_to_the_fields_precision():
    with use_language("uk"):
        assert parse_number("10,005") == Decimal("10.01")
        assert parse_number("  ") is None


# -- the field on a page ---------------------------------------------------------------------------
def amount_form():
    """A form with one money field (0 to 10,000) whose save records what arrives."""
    import streamlit as st

    from models.i18n import activate
    from ui.widgets import decimal_input
    from ui.writes import run_write

    activate(st.session_state.get("language", "en"))
    with st.form("payment"):
        amount = decimal_input("Amount", key="amount", value=0.0, min_value=0.0, max_value=10_000.0, required=True)
        submitted = st.form_submit_button("Save")
    if submitted:
        run_write(lambda: st.session_state.setdefault("saved", []).append(amount), success="Saved.")


def form_app(language: str) -> AppTest:
    app = AppTest.from_function(amount_form, default_timeout=30)
    app.session_state["language"] = language
    return app.run()


def submit(app: AppTest, typed: str) -> AppTest:
    set_decimal(app, "amount", typed)
    return app.button[0].click().run()


def errors(app: AppTest) -> list[str]:
    """The error messages as the reader sees them."""
    return [shown(error.value) for error in app.error]


def test_a_ukrainian_amount_is_saved_and_shown_back_in_ukrainian_form():
    app = form_app("uk")
    assert decimal_field(app, "amount").value == "0,00"
    submit(app, "1 234,5")
    assert not app.exception, app.exception
    assert app.session_state["saved"] == [1234.5]
    assert decimal_field(app, "amount").value == f"1{UK_GROUP}234,50"
    assert not errors(app)


def test_an_english_amount_is_read_with_its_grouping_comma():
    app = submit(form_app("en"), "1,234.5")
    assert app.session_state["saved"] == [1234.5]
    assert decimal_field(app, "amount").value == "1,234.50"


def test_text_that_is_not_a_number_is_kept_named_and_nothing_is_saved():
    app = submit(form_app("uk"), "12abc")
    assert not app.exception, app.exception
    assert "saved" not in app.session_state
    assert decimal_field(app, "amount").value == "12abc"  # kept as typed, to be corrected
    said = errors(app)
    assert said and all(message.startswith("**Amount**:") for message in said)
    assert "12abc" in said[0] and "не число" in said[0] and f"1{UK_GROUP}234,50" in said[0]


@pytest.mark.parametrize("typed, refusal", [("-5", "use 0.00 or more"), ("10 000.01", "use 10,000.00 or less")])
def test_an_amount_outside_the_fields_limits_is_refused(typed, refusal):
    app = submit(form_app("en"), typed)
    assert "saved" not in app.session_state
    assert decimal_field(app, "amount").value == typed
    assert f"**Amount**: {refusal}" in errors(app)


def test_an_empty_required_amount_is_refused():
    app = submit(form_app("en"), "")
    assert "saved" not in app.session_state
    assert "**Amount**: fill this in" in errors(app)


def test_a_limit_is_named_in_the_readers_form():
    app = submit(form_app("uk"), "20000")
    assert f"**Amount**: вкажіть 10{UK_GROUP}000,00 або менше" in errors(app)


def test_switching_language_shows_the_same_number_in_the_new_form():
    app = submit(form_app("uk"), "1 234,5")
    app.session_state["language"] = "en"
    app.run()
    assert decimal_field(app, "amount").value == "1,234.50"
    app.button[0].click().run()
    assert app.session_state["saved"] == [1234.5, 1234.5]


def two_forms():
    """Two forms on one page, each with a money field, each saved inside its own form."""
    import streamlit as st

    from ui.widgets import decimal_input
    from ui.writes import run_write

    for name in ("first", "second"):
        with st.form(name):
            amount = decimal_input(f"Amount {name}", key=f"amount_{name}", min_value=0.0)
            if st.form_submit_button(f"Save {name}"):
                run_write(
                    lambda name=name, amount=amount: st.session_state.setdefault(f"saved_{name}", []).append(amount)
                )


def test_wrong_text_left_in_one_form_does_not_hold_up_another_forms_save():
    app = AppTest.from_function(two_forms, default_timeout=30).run()
    set_decimal(app, "amount_first", "lots")
    app.button[0].click().run()
    assert "saved_first" not in app.session_state
    # the reason once, under the field; the refusal of the save only names the field
    assert errors(app) == [
        "**Amount first**: “lots” is not a number; write it as 1,234.50",
        "**Amount first**: nothing was saved; correct the text under this field",
    ]
    set_decimal(app, "amount_second", "12.5")
    app.button[1].click().run()
    assert app.session_state["saved_second"] == [12.5]
    assert decimal_field(app, "amount_first").value == "lots"  # still there to be corrected
    app.button[0].click().run()  # the first form's own save is still refused
    assert "saved_first" not in app.session_state


def callback_page():
    """A Ukrainian field saved by a button callback that runs in another language (a callback
    runs before the page sets the run's language)."""
    import streamlit as st

    from models.i18n import activate, use_language
    from ui.widgets import decimal_input, decimal_value

    def save() -> None:
        with use_language("en"):
            st.session_state["got"] = decimal_value("amount")

    activate("uk")
    decimal_input("Amount", key="amount", min_value=0.0)
    st.button("Save", on_click=save)


def test_a_callback_reads_a_field_in_the_language_it_was_typed_in():
    app = AppTest.from_function(callback_page, default_timeout=30).run()
    set_decimal(app, "amount", "350 000,5")
    app.button[0].click().run()
    assert not app.exception, app.exception
    assert app.session_state["got"] == 350000.5


# -- real pages --------------------------------------------------------------------------------------
def test_a_business_case_typed_in_ukrainian_is_saved_as_typed(portal_env):
    db = get_database(portal_env)
    leader = add_person(db, Role.LEADERSHIP)
    open_cycle(db, leader)
    agent = speaking(db, add_person(db, Role.AGENT, full_name="Оксана Агент"), "uk")
    app = open_page(signed_in_as(agent), "pages/my_ideas.py")
    app.text_input(key="idea_title").input("Зворотний дзвінок у пікові години")
    set_decimal(app, "idea_savings", "350 000,50")
    set_decimal(app, "idea_one_off", "60000,25")
    set_decimal(app, "idea_effort", "12,5")
    app.run()
    assert not app.exception, app.exception
    assert decimal_field(app, "idea_savings").value == f"350{UK_GROUP}000,50"
    app.button(key="idea_save").click().run()
    assert not app.exception, app.exception
    saved = db.query("SELECT annual_savings, one_off_cost, effort_days FROM ideas")
    assert [(float(r["annual_savings"]), float(r["one_off_cost"]), float(r["effort_days"])) for r in saved] == [
        (350_000.5, 60_000.25, 12.5)
    ]


def test_a_business_case_that_is_not_a_number_is_refused_on_saving(portal_env):
    db = get_database(portal_env)
    open_cycle(db, add_person(db, Role.LEADERSHIP))
    agent = speaking(db, add_person(db, Role.AGENT), "uk")
    app = open_page(signed_in_as(agent), "pages/my_ideas.py")
    app.text_input(key="idea_title").input("Зворотний дзвінок у пікові години")
    set_decimal(app, "idea_savings", "350 тис.")
    app.button(key="idea_save").click().run()
    assert not app.exception, app.exception
    assert db.query("SELECT count(*) AS n FROM ideas") == [{"n": 0}]
    assert decimal_field(app, "idea_savings").value == "350 тис."
    assert any("350 тис." in message and "не число" in message for message in errors(app))


def test_a_use_of_a_decision_right_typed_in_ukrainian_is_logged(portal_env):
    db = get_database(portal_env)
    leader = add_person(db, Role.LEADERSHIP)
    rights.add_right(db, leader, {"role": "agent", "remedy": "refund", "limit_amount": 5000, "conditions": "Fee."})
    agent = speaking(db, add_person(db, Role.AGENT), "uk")
    app = open_page(signed_in_as(agent), "pages/decision_rights.py")
    set_decimal(app, "use_amount", "1 234,56")
    next(b for b in app.button if b.label == "Зареєструвати").click().run()
    assert not app.exception, app.exception
    assert [float(r["amount"]) for r in db.query("SELECT amount FROM decision_right_uses")] == [1234.56]


def optional_field_and_save():
    """A decimal field shown only while a box is ticked, and a save outside any form."""
    import streamlit as st

    from ui.widgets import decimal_input
    from ui.writes import run_write

    if st.checkbox("With a limit", value=True, key="with_limit"):
        decimal_input("Limit", key="limit", min_value=0.0)
    if st.button("Save"):
        run_write(lambda: st.session_state.setdefault("saved", []).append(True))


def test_wrong_text_in_a_field_no_longer_shown_does_not_hold_up_a_save():
    app = AppTest.from_function(optional_field_and_save, default_timeout=30).run()
    set_decimal(app, "limit", "lots").run()
    app.button[0].click().run()
    assert "saved" not in app.session_state
    assert "**Limit**: “lots” is not a number; write it as 1,234.50" in errors(app)
    app.checkbox(key="with_limit").uncheck().run()
    app.button[0].click().run()
    assert app.session_state["saved"] == [True]
    assert not errors(app)
