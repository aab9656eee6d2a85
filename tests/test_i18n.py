"""Languages: the catalogues are complete, plural forms follow each language, dates and numbers
take the language's form, and each person's language is theirs alone to choose."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from models import auth, i18n
from models.access import Role
from models.i18n import _, ngettext, use_language
from models.settings import SettingsError, load_settings
from tests.conftest import add_person

PROJECT = Path(__file__).resolve().parent.parent
# The same sources and keywords as `make messages`.
MESSAGE_SOURCES = ("portal.py", "pages", "ui", "models")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def extracted_messages() -> dict[str | tuple[str, str], list[str]]:
    """Every message marked in the code, with where it is marked."""
    files: list[Path] = []
    for source in MESSAGE_SOURCES:
        path = PROJECT / source
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    found: dict[str | tuple[str, str], list[str]] = {}
    for path in files:
        for line, message, _comments, context in extract_from_file("python", str(path), keywords=KEYWORDS):
            key = message if isinstance(message, str) else tuple(message)
            if context:
                key = InContext(context, key)
            found.setdefault(key, []).append(f"{path.relative_to(PROJECT)}:{line}")
        for line, key in marked_in_f_strings(path):  # Babel's extractor does not look inside them
            found.setdefault(key, []).append(f"{path.relative_to(PROJECT)}:{line}")
    return found


def marked_in_f_strings(path: Path) -> list[tuple[int, str | tuple[str, ...] | InContext]]:
    """The messages marked inside f-strings' replacement fields, such as f"{_('everyone')}"."""
    marked = []
    for string in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(string, ast.JoinedStr):
            continue
        for call in ast.walk(string):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in KEYWORDS):
                continue
            texts = [arg.value for arg in call.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
            if not texts:
                continue
            if call.func.id == "ngettext":
                marked.append((call.lineno, tuple(texts[:2])))
            elif call.func.id == "pgettext":
                marked.append((call.lineno, InContext(texts[0], texts[1])))
            else:
                marked.append((call.lineno, texts[0]))
    return marked


def test_a_message_marked_inside_an_f_string_is_found():
    found = extracted_messages()
    assert "pages/recognition_leaderboard.py" in " ".join(found.get("everyone", []))


@dataclass(frozen=True)
class InContext:
    """A message marked with ``pgettext``: the same English words with a meaning of their own."""

    context: str
    message: str


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def catalogue_problems(language: str, messages: dict) -> list[str]:
    catalogue = i18n.catalogue(language)
    problems = []
    for key, where in messages.items():
        context = key.context if isinstance(key, InContext) else None
        key = key.message if isinstance(key, InContext) else key
        msgid = key[0] if isinstance(key, tuple) else key
        entry = catalogue.get(msgid, context=context)
        label = f"{language}: {msgid!r} ({where[0]})"
        if entry is None:
            problems.append(f"{label} is not in the catalogue (run make messages)")
            continue
        if entry.fuzzy:
            problems.append(f"{label} is fuzzy: check the translation and remove the flag")
        if isinstance(key, tuple):
            forms = list(entry.string) if isinstance(entry.string, tuple | list) else [entry.string]
            expected = placeholders(key[1])
            if len(forms) != catalogue.num_plurals or not all(forms):
                problems.append(f"{label} needs {catalogue.num_plurals} plural forms, has {sum(map(bool, forms))}")
            problems += [
                f"{label} form {index} has placeholders {sorted(placeholders(form))}, not {sorted(expected)}"
                for index, form in enumerate(forms)
                if form and placeholders(form) != expected
            ]
        elif not entry.string:
            problems.append(f"{label} has no translation")
        elif placeholders(entry.string) != placeholders(msgid):
            problems.append(
                f"{label} has placeholders {sorted(placeholders(entry.string))}, not {sorted(placeholders(msgid))}"
            )
    return problems


@pytest.fixture(scope="module")
def messages() -> dict:
    return extracted_messages()


@pytest.mark.parametrize("language", i18n.TRANSLATED_LANGUAGES)
def test_every_message_in_the_code_is_translated_with_the_same_placeholders(language, messages):
    assert "Skills matrix" in messages and "Sign in" in messages  # the extraction finds the marked texts
    assert catalogue_problems(language, messages) == []


def test_the_catalogue_check_catches_a_missing_translation_and_a_changed_placeholder(messages):
    invented = {"A message nobody has translated yet": ["x.py:1"], "Inbox ({unread})": ["portal.py:1"]}
    assert len(catalogue_problems("uk", invented)) == 1
    with use_language("uk"):
        assert "{unread}" in i18n.translations("uk").gettext("Inbox ({unread})")


def test_navigation_titles_and_my_account_speak_each_language():
    expected = {"en": "Skills matrix", "uk": "Матриця навичок", "ru": "Матрица навыков", "lt": "Įgūdžių matrica"}
    for language, title in expected.items():
        with use_language(language):
            assert _("Skills matrix") == title
    with use_language("lt"):
        assert _("Inbox ({unread})", unread=3) == "Gautieji (3)"
    assert _("Skills matrix") == "Skills matrix"  # the block ended: English again


# -- plural forms ---------------------------------------------------------------------------
_COMMENT_FORMS = {
    "uk": ("{n} коментар", "{n} коментарі", "{n} коментарів"),
    "ru": ("{n} комментарий", "{n} комментария", "{n} комментариев"),
    "lt": ("{n} komentaras", "{n} komentarai", "{n} komentarų"),
}


@pytest.fixture
def comment_catalogues(tmp_path, monkeypatch):
    """Catalogues holding one counted message, written the way `make messages` writes them."""
    for language, forms in _COMMENT_FORMS.items():
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        header = read_po(i18n.catalogue_path(language).open("rb"), locale=language).plural_forms
        strings = "\n".join(
            f"msgstr[{index}] {json.dumps(form, ensure_ascii=False)}" for index, form in enumerate(forms)
        )
        (folder / "messages.po").write_text(
            f'msgid ""\nmsgstr ""\n"Language: {language}\\n"\n"Plural-Forms: {header}\\n"\n'
            '"Content-Type: text/plain; charset=utf-8\\n"\n\n'
            f'msgid "{{n}} comment"\nmsgid_plural "{{n}} comments"\n{strings}\n',
            encoding="utf-8",
        )
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()


@pytest.mark.parametrize(
    ("language", "counts"),
    [
        ("en", {1: "1 comment", 2: "2 comments", 5: "5 comments", 21: "21 comments"}),
        ("uk", {1: "1 коментар", 2: "2 коментарі", 5: "5 коментарів", 11: "11 коментарів", 21: "21 коментар"}),
        ("ru", {1: "1 комментарий", 3: "3 комментария", 5: "5 комментариев", 12: "12 комментариев"}),
        ("lt", {1: "1 komentaras", 2: "2 komentarai", 9: "9 komentarai", 10: "10 komentarų", 21: "21 komentaras"}),
    ],
)
def test_a_counted_message_takes_the_form_its_language_needs(comment_catalogues, language, counts):
    with use_language(language):
        shown = {n: ngettext("{n} comment", "{n} comments", n) for n in counts}
    assert shown == counts


# -- formatting -----------------------------------------------------------------------------
NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "day", "number", "percent", "money"),
    [
        ("en", "5 Mar 2026", "1,234,567.5", "25.6%", "€12,345.50"),
        ("uk", "5 бер. 2026\u202fр.", f"1{NBSP}234{NBSP}567,5", "25,6%", f"12{NBSP}345,50{NBSP}EUR"),
        ("ru", "5 мар. 2026\u202fг.", f"1{NBSP}234{NBSP}567,5", f"25,6{NBSP}%", f"12{NBSP}345,50{NBSP}€"),
        ("lt", "2026-03-05", f"1{NBSP}234{NBSP}567,5", f"25,6{NBSP}%", f"12{NBSP}345,50{NBSP}€"),
    ],
)
def test_dates_numbers_percentages_and_money_take_the_languages_form(language, day, number, percent, money):
    with use_language(language):
        assert i18n.format_date(date(2026, 3, 5)) == day
        assert i18n.format_date(datetime(2026, 3, 5, 23, 59)) == day
        assert i18n.format_number(1234567.5) == number
        assert i18n.format_percent(0.256, decimals=1) == percent
        assert i18n.format_money(12345.5, "EUR") == money


def test_money_rounded_to_whole_units_keeps_the_languages_form():
    with use_language("en"):
        assert i18n.format_money(12345.5, "AUD", decimals=0) == "A$12,346"
        assert i18n.format_number(1234.5, decimals=2) == "1,234.50"
    with use_language("ru"):
        assert i18n.format_money(12345.5, "AUD", decimals=0) == f"12{NBSP}346{NBSP}A$"


# -- choosing the language ------------------------------------------------------------------
def test_an_unknown_language_is_refused():
    with pytest.raises(i18n.UnknownLanguageError, match="'de' is not one of the portal's languages"):
        i18n.activate("de")
    assert i18n.current_language() == "en"


def test_the_browser_s_preferred_language_is_negotiated():
    assert i18n.accept_language_tags("de-DE,lt;q=0.8,en;q=0.5") == ["de-DE", "lt", "en"]
    assert i18n.accept_language_tags("en;q=0.2, uk-UA, *;q=0.1, ru;q=0") == ["uk-UA", "en"]
    assert i18n.negotiate(i18n.accept_language_tags("de-DE,lt;q=0.8,en;q=0.5")) == "lt"
    assert i18n.negotiate(["ru-RU"]) == "ru"
    assert i18n.negotiate(["pt-BR", "fr"]) is None
    assert i18n.negotiate([]) is None


def test_the_default_language_setting_refuses_a_language_the_portal_lacks():
    with pytest.raises(SettingsError, match="PORTAL_DEFAULT_LANGUAGE") as refusal:
        load_settings(default_language="de")
    assert "'de' is not one of the portal's languages" in str(refusal.value)
    assert load_settings(default_language="LT").default_language == "lt"
    assert load_settings().default_language == "en"


def test_a_person_s_language_is_stored_with_their_account_and_audited(db):
    person = add_person(db)
    assert person.language is None
    auth.change_own_language(db, person, person.account_id, "uk")
    assert auth.load_user(db, employee_id=person.employee_id).language == "uk"
    entry = db.query_one(
        "SELECT actor_id, entity, entity_id, action, before_json, after_json FROM audit_log"
        " WHERE action = 'language_set'"
    )
    assert entry == {
        "actor_id": person.employee_id,
        "entity": "account",
        "entity_id": str(person.account_id),
        "action": "language_set",
        "before_json": json.dumps({"language": None}),
        "after_json": json.dumps({"language": "uk"}),
    }


def test_nobody_else_changes_a_person_s_language_not_even_an_administrator(db):
    person = add_person(db)
    admin = add_person(db, Role.ADMIN)
    with pytest.raises(PermissionError, match="only their own language"):
        auth.change_own_language(db, admin, person.account_id, "ru")
    assert auth.load_user(db, employee_id=person.employee_id).language is None
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'language_set'") == 0


def test_a_language_the_portal_lacks_is_not_stored(db):
    person = add_person(db)
    with pytest.raises(ValueError, match="'xx' is not one of the portal's languages"):
        auth.change_own_language(db, person, person.account_id, "xx")
    assert auth.load_user(db, employee_id=person.employee_id).language is None


def _write_catalogue(path, language: str, entries: dict[str, str]) -> None:
    body = "".join(f"\nmsgid {json.dumps(k)}\nmsgstr {json.dumps(v, ensure_ascii=False)}\n" for k, v in entries.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'msgid ""\nmsgstr ""\n"Language: {language}\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n{body}',
        encoding="utf-8",
    )


def test_an_areas_catalogue_file_is_read_with_the_main_one_and_may_not_contradict_it(tmp_path, monkeypatch):
    folder = tmp_path / "uk" / "LC_MESSAGES"
    _write_catalogue(folder / "messages.po", "uk", {"Save": "Зберегти"})
    _write_catalogue(folder / "training.po", "uk", {"Course": "Курс", "Save": "Зберегти"})
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        with i18n.use_language("uk"):
            assert (i18n._("Save"), i18n._("Course")) == ("Зберегти", "Курс")
        _write_catalogue(folder / "training.po", "uk", {"Save": "Записати"})
        i18n.translations.cache_clear()
        with pytest.raises(i18n.ConflictingTranslationError, match="training.po"):
            i18n.translations("uk")
    finally:
        i18n.translations.cache_clear()


def test_the_same_english_words_with_another_meaning_are_translated_apart():
    from models.i18n import pgettext

    with use_language("uk"):
        assert pgettext("a KPI's value", "Current") == "Поточне значення"  # a goal's figure
        assert _("Current") == "Чинний"  # a service standard in force
    assert pgettext("a KPI's value", "Current") == "Current"
