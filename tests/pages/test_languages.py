"""Choosing a language in the portal: on My account once signed in, the browser's before."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from models import auth
from models.db import get_database
from tests.conftest import TEST_PASSWORD, add_person
from tests.pages.apptest import portal_app, signed_in_as


@pytest.fixture
def navigation_sections(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The section titles of each navigation portal.py builds (AppTest keeps only the pages)."""
    built: list[list[str]] = []
    original = st.navigation

    def recording(pages, *args, **kwargs):
        built.append(list(pages) if isinstance(pages, dict) else [])
        return original(pages, *args, **kwargs)

    monkeypatch.setattr(st, "navigation", recording)
    return built


def page_titles(app) -> set[str]:
    return {info["page_name"] for info in app._registered_pages.values()}


def choose_language(app, code: str):
    app.selectbox(key="account_language").select(code)
    return app.run()


def test_a_person_switches_to_ukrainian_and_back_keeping_what_they_typed(portal_env, navigation_sections):
    person = add_person(get_database(portal_env), username="sam")
    app = signed_in_as(person).run()
    app.switch_page("pages/my_account.py").run()
    assert app.title[0].value == "My account"
    assert {"Home", "My account", "Idea board", "Speak-Up Day preparation"} <= page_titles(app)
    typed_in = app.text_input(key="account_current_password")
    typed_in.input("half-typed secret")
    field_id = typed_in.id

    choose_language(app, "uk")
    assert not app.exception
    assert app.title[0].value == "Мій обліковий запис"  # the same page, now in Ukrainian
    assert {"Головна", "Мій обліковий запис", "Дошка ідей", "Підготовка до Дня Speak-Up"} <= page_titles(app)
    assert "Idea board" not in page_titles(app)
    assert navigation_sections[-1][0] == "Головна" and "Працівники та навички" in navigation_sections[-1]
    assert app.sidebar.button(key="sign_out").label == "Вийти"
    # the field is the same widget under its new label, so the browser keeps what was typed in it
    # (AppTest drops what was typed in a form before its submit; see the test below for the value)
    assert app.text_input(key="account_current_password").label == "Поточний пароль"
    assert app.text_input(key="account_current_password").id == field_id
    assert app.selectbox(key="account_language").value == "uk"
    assert auth.load_user(get_database(portal_env), employee_id=person.employee_id).language == "uk"

    choose_language(app, "en")
    assert app.title[0].value == "My account"
    assert {"Home", "Idea board"} <= page_titles(app)
    assert navigation_sections[-1][0] == "Home" and "People & skills" in navigation_sections[-1]
    assert app.text_input(key="account_current_password").id == field_id


def _translated_inputs() -> None:
    import streamlit as st

    from models import i18n
    from models.i18n import _

    i18n.activate(st.selectbox("Language", list(i18n.LANGUAGES), key="language"))
    st.text_input(_("Current password"), key="keyed_field")
    st.text_input(_("Repeat new password"))


def test_a_keyed_field_keeps_what_was_typed_when_its_label_changes_language():
    """The rule the README states for every page: an input widget has a key."""
    app = AppTest.from_function(_translated_inputs).run()
    app.text_input(key="keyed_field").input("typed in English")
    app.text_input[1].input("typed in English too")
    app.run()
    app.selectbox(key="language").select("lt").run()
    assert app.text_input[0].label == "Dabartinis slaptažodis"
    assert app.text_input(key="keyed_field").value == "typed in English"
    assert app.text_input[1].label == "Pakartokite naują slaptažodį"
    assert app.text_input[1].value == ""  # without a key the field is a new widget: what was typed is lost


def test_the_chosen_language_follows_the_person_to_a_new_sign_in(portal_env):
    database = get_database(portal_env)
    person = add_person(database, username="sam")
    auth.change_own_language(database, person, person.account_id, "lt")
    app = signed_in_as(auth.load_user(database, employee_id=person.employee_id)).run()
    assert {"Pradžia", "Mano paskyra", "Idėjų lenta"} <= page_titles(app)


def test_before_sign_in_the_browser_s_language_is_spoken(portal_env):
    add_person(get_database(portal_env), username="sam")
    app = portal_app()
    app.context["locale"] = "ru-RU"
    app.run()
    assert app.button[0].label == "Войти"
    assert "Портал культуры обслуживания" in app.caption[0].value


def test_a_browser_language_the_portal_lacks_falls_back_to_the_default_language(portal_env, monkeypatch):
    monkeypatch.setenv("PORTAL_DEFAULT_LANGUAGE", "uk")
    add_person(get_database(portal_env), username="sam")
    app = portal_app()
    app.context["locale"] = "pt-BR"
    app.run()
    assert app.button[0].label == "Увійти"
    app.text_input[0].input("sam")
    app.text_input[1].input(TEST_PASSWORD)
    app.button[0].click()
    app.run()
    assert "Головна" in page_titles(app)  # no language chosen: the same fallback once signed in


def test_a_refused_sign_in_is_explained_in_the_browser_s_language(portal_env):
    add_person(get_database(portal_env), username="sam")
    app = portal_app()
    app.context["locale"] = "uk-UA"
    app.run()
    app.text_input[0].input("sam")
    app.text_input[1].input("not-the-password")
    app.button[0].click()
    app.run()
    assert [error.value for error in app.error] == [
        "Неправильне ім'я користувача або пароль. Після 5 невдалих спроб поспіль обліковий запис блокується"
        " на 15 хвилин."
    ]
