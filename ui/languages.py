"""Which language a page run speaks: the person's own choice once signed in, else the
browser's preferred language, else the ``default_language`` setting."""

from __future__ import annotations

import contextlib
import functools
import json

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
    with contextlib.suppress(Exception):  # no page behind this run (a bare script run)
        show_page_language(language)
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


# Streamlit's dialog when the portal stops answering ("Connection error"), marked by the same script
_CONNECTION_DIALOG = "[data-testid='stDialog'] section[data-portal-dialog='connection']"

# Streamlit 1.67 writes the hint under a text field itself, in English ("Press Enter to apply"),
# with no parameter to change it; the same row may hold a count ("12/120"), and a style alone
# cannot tell a lone hint from a lone count. The page's script marks each hint with its kind
# (Streamlit's words, which name ⌘ on a Mac and Ctrl elsewhere); the style hides a marked hint
# and shows the catalogue's words for its kind in its place.
_STREAMLIT_HINTS = {  # Streamlit's words -> (kind, the catalogue's words)
    "Press Enter to apply": ("enter-apply", i18n.N_("Press Enter to apply")),
    "Press Enter to submit form": ("enter-submit", i18n.N_("Press Enter to submit the form")),
    "Press Ctrl+Enter to apply": ("ctrl-apply", i18n.N_("Press Ctrl+Enter to apply")),
    "Press ⌘+Enter to apply": ("cmd-apply", i18n.N_("Press ⌘+Enter to apply")),
    "Press Ctrl+Enter to submit form": ("ctrl-submit", i18n.N_("Press Ctrl+Enter to submit the form")),
    "Press ⌘+Enter to submit form": ("cmd-submit", i18n.N_("Press ⌘+Enter to submit the form")),
}
_INSTRUCTIONS = "[data-testid='InputInstructions']"
_MARK_HINTS = """(() => {
    if (window.portalMarksHints) return;
    window.portalMarksHints = true;
    const kinds = KINDS;
    const markAs = (element, name, kind) => {
        if (kind && element.dataset[name] !== kind) element.dataset[name] = kind;
        else if (!kind && element.dataset[name]) delete element.dataset[name];
    };
    const mark = () => {
        document.querySelectorAll("[data-testid='InputInstructions'] > span").forEach((span) => {
            markAs(span, "portalHint", kinds[span.textContent]);
        });
        document.querySelectorAll("[data-testid='stDialog'] section[role='dialog']").forEach((dialog) => {
            const title = dialog.querySelector("h2");
            markAs(dialog, "portalDialog", title && title.textContent === "Connection error" ? "connection" : "");
        });
    };
    new MutationObserver(mark).observe(document.body, {childList: true, subtree: true, characterData: true});
    mark();
})();""".replace("KINDS", json.dumps({english: kind for english, (kind, _words) in _STREAMLIT_HINTS.items()}))


# the element that holds the script setting the page's language: it shows nothing and takes no room
_LANGUAGE_SCRIPT = "[data-testid='stElementContainer']:has(script[data-portal-language])"


@functools.cache  # the same text for a language on every run: built once per language
def streamlit_words_style(language: str) -> str:
    """CSS that shows the catalogue's words where Streamlit writes its own English: the hints
    under a text field and the "Connection error" dialog (both marked by the page's script) and
    the "Skip to main content" link. In English Streamlit's own words stay."""
    from ui.widgets import css_string  # ui.widgets is the one place that quotes CSS text

    hide_script = f"{_LANGUAGE_SCRIPT} {{display: none}}"
    if language == i18n.SOURCE_LANGUAGE:
        return hide_script
    rules = [hide_script, f"{_INSTRUCTIONS} > span[data-portal-hint] {{display: none}}"]
    with i18n.use_language(language):
        for kind, words in _STREAMLIT_HINTS.values():
            hint = css_string(i18n._(words))
            rules.append(f"{_INSTRUCTIONS}:has(> span[data-portal-hint='{kind}'])::before {{content: {hint}}}")
        skip = css_string(i18n._("Skip to main content"))
        lost = css_string(i18n._("The portal is not answering"))
        reconnects = css_string(
            i18n._(
                "The connection to the portal was lost. Check your network; the page connects again by itself"
                " as soon as the portal answers."
            )
        )
    rules.append(f"{_CONNECTION_DIALOG} h2 {{font-size: 0}}")
    rules.append(f"{_CONNECTION_DIALOG} h2::after {{content: {lost}; font-size: 1.5rem}}")
    rules.append(f"{_CONNECTION_DIALOG} > div {{display: none}}")
    rules.append(f"{_CONNECTION_DIALOG}::after {{content: {reconnects}; display: block; padding: 0 1.5rem 1.5rem}}")
    rules.append("[data-testid='stSkipToContent'] {font-size: 0}")
    rules.append(f"[data-testid='stSkipToContent']::after {{content: {skip}; font-size: 0.875rem}}")
    return "\n".join(rules)


def show_page_language(language: str) -> None:
    """Tell the browser the page's language (``<html lang>``: screen readers pronounce the page in
    it, the browser hyphenates and offers no translation of it) and replace Streamlit's own
    English words with the catalogue's. Streamlit writes ``lang="en"`` and offers no setting, so
    a script sets it and marks the hints under text fields; its element is hidden."""
    st.html(f"<style>{streamlit_words_style(language)}</style>")
    st.html(
        f"<script data-portal-language>document.documentElement.lang = {json.dumps(language)};\n{_MARK_HINTS}</script>",
        unsafe_allow_javascript=True,
    )
