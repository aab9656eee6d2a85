"""Streamlit 1.67 writes some words of its widgets itself, in English: the portal shows the
catalogue's words in their place (issue 16). What only a browser shows is checked in
tests/e2e/test_streamlit_words_browser.py; these check the styles and the widget calls."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from models.i18n import use_language
from ui.languages import streamlit_words_style
from ui.widgets import uploader_style

PROJECT = Path(__file__).resolve().parent.parent


def shown_words(style: str) -> list[str]:
    """The texts a style puts on screen (its ``content`` values, CSS escapes undone)."""
    quoted = re.findall(r'content: "((?:[^"\\]|\\.)*)"', style)
    return [re.sub(r"\\([0-9a-f]+) ", lambda code: chr(int(code.group(1), 16)), text) for text in quoted]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("uk", ["Натисніть Enter, щоб застосувати", "Натисніть ⌘+Enter, щоб надіслати форму", "Портал не відповідає"]),
        ("ru", ["Нажмите Enter, чтобы применить", "Нажмите Enter, чтобы отправить форму", "Перейти к основному"]),
        ("lt", ["Paspauskite Enter, kad pritaikytumėte", "Ryšys su portalu nutrūko", "Pereiti prie pagrindinio"]),
    ],
)
def test_the_hints_under_text_fields_and_the_skip_link_speak_the_readers_language(language, expected):
    words = shown_words(streamlit_words_style(language))
    for text in expected:
        assert any(word.startswith(text) for word in words), words
    # a hint for each of Streamlit's six (Enter or Ctrl/⌘+Enter, to apply or to submit a form),
    # the skip link, and the title and message of the dialog shown when the portal stops answering
    assert len(words) == 9
    assert not [text for text in words if "Press" in text or "Skip" in text or "The portal" in text], words


def test_in_english_streamlit_keeps_its_own_hints_which_name_the_key_of_each_keyboard():
    assert shown_words(streamlit_words_style("en")) == []


def test_the_uploaders_note_while_a_file_is_dragged_over_it_speaks_the_readers_language():
    with use_language("ru"):
        words = shown_words(uploader_style("complaints_file", 200, ["csv"]))
    assert "Отпустите файл здесь" in words, words
    assert not [text for text in words if "Drag" in text or "Drop" in text], words


def widget_calls(kinds: set[str]):
    """Every call of a Streamlit list widget in pages/, ui/ and portal.py, with where it is."""
    files = [*sorted((PROJECT / "pages").glob("*.py")), *sorted((PROJECT / "ui").glob("*.py")), PROJECT / "portal.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in kinds:
                arguments = {keyword.arg: keyword.value for keyword in node.keywords}
                yield f"{path.relative_to(PROJECT)}:{node.lineno}", node, node.func.attr, arguments


def may_choose_nothing(arguments: dict) -> bool:
    """Whether a selectbox may start with nothing chosen: ``index=None``, or an index worked out
    on the page that may be None (``… if known else None``)."""
    return _may_be_none(arguments.get("index"))


def _may_be_none(expression: ast.expr | None) -> bool:
    if isinstance(expression, ast.IfExp):
        return _may_be_none(expression.body) or _may_be_none(expression.orelse)
    return isinstance(expression, ast.Constant) and expression.value is None


def offers_none(call: ast.Call, arguments: dict) -> bool:
    """Whether a selectbox offers None among its options (``[None, *teams]``): Streamlit shows a
    chosen None as nothing chosen, with its placeholder, not with the page's words for it."""
    options = call.args[1] if len(call.args) > 1 else arguments.get("options")
    return options is not None and any(
        isinstance(part, ast.Constant) and part.value is None for part in ast.walk(options)
    )


def test_every_list_that_may_show_nothing_chosen_says_so_in_the_readers_words():
    """Without ``placeholder`` Streamlit writes "Choose an option" (or "Choose options") in English."""
    missing = [
        where
        for where, call, kind, arguments in widget_calls({"selectbox", "multiselect"})
        if (kind == "multiselect" or may_choose_nothing(arguments) or offers_none(call, arguments))
        and "placeholder" not in arguments
    ]
    assert missing == []


def test_the_check_for_a_missing_placeholder_finds_one():
    call = ast.parse("st.selectbox('Owner', owners, index=owners.index(x) if x in owners else None)").body[0].value
    assert may_choose_nothing({k.arg: k.value for k in call.keywords})
    fixed = ast.parse("st.selectbox('Owner', owners, index=owners.index(x) if x in owners else 0)").body[0].value
    assert not may_choose_nothing({k.arg: k.value for k in fixed.keywords})
    everyone = ast.parse("st.selectbox('Team', [None, *teams], format_func=names.get)").body[0].value
    assert offers_none(everyone, {}) and not offers_none(fixed, {})
