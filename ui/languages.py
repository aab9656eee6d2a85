"""Which language a page run speaks: the person's own choice once signed in, else the
browser's preferred language, else the ``default_language`` setting."""

from __future__ import annotations

import contextlib

import streamlit as st

from models import i18n
from models.access import CurrentUser
from models.settings import Settings


def browser_languages() -> list[str]:
    """The browser's preferred languages, most preferred first: its Accept-Language header,
    then the language it reports (navigator.language)."""
    tags: list[str] = []
    with contextlib.suppress(Exception):  # no browser behind this run (a bare script run, a test)
        tags += i18n.accept_language_tags(st.context.headers.get("Accept-Language"))
    with contextlib.suppress(Exception):
        if locale := st.context.locale:
            tags.append(locale)
    return tags


def language_for(user: CurrentUser | None, settings: Settings, browser: list[str] | None = None) -> str:
    """The language this page run speaks to ``user`` (None: before sign-in); ``browser``: the
    browser's preferred languages when they do not come from Streamlit (a route of its own)."""
    if user is not None and user.language in i18n.LANGUAGES:
        return user.language
    return i18n.negotiate(browser_languages() if browser is None else browser) or settings.default_language


def speak_to(user: CurrentUser | None, settings: Settings) -> str:
    """Set this page run's language for ``user`` and return it (portal.py, every run)."""
    language = language_for(user, settings)
    i18n.activate(language)
    with contextlib.suppress(Exception):  # no session behind this run (a bare script run)
        st.session_state[_SESSION_LANGUAGE] = language
    return language


_SESSION_LANGUAGE = "portal_language"


def session_language() -> str:
    """The language of this session's page runs: a widget's callback runs before ``portal.py``
    sets the run's language, so what it says is said in the one the last run spoke."""
    with contextlib.suppress(Exception):
        if (language := st.session_state.get(_SESSION_LANGUAGE)) in i18n.LANGUAGES:
            return language
    return i18n.current_language()
