"""Every page, opened by every demo login in Ukrainian, shows none of its English texts (issue 16).

Each page is walked twice on the same demo organisation: once in English and once in Ukrainian.
A text the Ukrainian walk shows that the English walk showed too, in English words, is a page text
left untranslated — unless it is the organisation's own content (a name, an idea's title, a demo
complaint's category), which is shown as entered in every language. The organisation's content is
every text value stored in the database; the programme's words kept in Latin letters in every
language (eNPS, KPI, …) are not English."""

from __future__ import annotations

import re
from typing import Any

import pytest

from models import auth, i18n
from models.access import Role
from models.auth import load_user
from models.db import get_database
from models.i18n import use_language
from models.seeding import DEMO_LOGINS
from models.settings import get_settings
from tests.pages.apptest import signed_in_as
from tests.pages.test_finished_product import Seen, rendered
from ui.registry import pages_for

# words that read the same in every language of the portal: the programme's own terms and
# abbreviations the glossary keeps, file formats, units
SAME_IN_EVERY_LANGUAGE = {
    "enps", "nps", "csat", "ces", "kpi", "kpis", "csv", "xlsx", "pdf", "json", "sso", "cfpb", "lms", "id", "url",
    "ms", "mib", "speak-up", "http", "https", "www", "latin",
}  # fmt: skip
ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")
SEPARATORS = re.compile(r"\s*(?:·|—|–|→|:|\||;|\(|\)|\[|\]|\*\*|#\d+)\s*")


def english_words(text: str) -> list[str]:
    """The words of ``text`` in English: Latin letters, not an abbreviation or code in capitals
    (AUD, CHAT-2M) and not a word every language keeps."""
    return [
        word
        for word in ENGLISH_WORD.findall(text)
        if not word.isupper() and word.lower().strip("'’-") not in SAME_IN_EVERY_LANGUAGE
    ]


def _plain(text: str) -> str:
    """A text as its words read: Markdown marks at its ends and line breaks a chart made gone."""
    return " ".join(text.split()).strip(" #>*_-.:").lower()


def stored_texts(db: Any) -> set[str]:
    """Every text value the organisation stores (names, titles, descriptions, demo data), each
    also split at its lines, lowered: what the portal shows as entered."""
    texts: set[str] = set()
    tables = db.query(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE data_type = 'VARCHAR'"
        " AND database_name = current_database() AND schema_name = current_schema()"  # the portal's own tables
    )
    for row in tables:
        for (value,) in (
            db.reader()
            .execute(
                f'SELECT DISTINCT "{row["column_name"]}" FROM "{row["table_name"]}"'  # noqa: S608 - catalogue names
                f' WHERE "{row["column_name"]}" IS NOT NULL'
            )
            .fetchall()
        ):
            value = str(value).strip()
            texts.add(_plain(value))
            texts.update(_plain(line) for line in value.splitlines() if line.strip())
    settings = get_settings()
    texts |= {_plain(settings.organisation_name)}
    texts |= {_plain(i18n.language_name(code)) for code in i18n.LANGUAGES}  # each named in its own language
    return texts


def untranslated(seen: Seen, in_english: set[str], stored: set[str]) -> bool:
    """Whether a text of the Ukrainian walk is an English page text: shown in English too, with
    English words left once the organisation's own content in it is taken out."""
    text = seen.text.strip()
    if text not in in_english or not english_words(text):
        return False
    remaining = _plain(text)
    if remaining in stored:
        return False
    remaining = _without_cut_text(remaining, stored)
    for value in sorted((value for value in stored if len(value) >= 4 and value in remaining), key=len, reverse=True):
        remaining = remaining.replace(value, " ")
    return bool(english_words(remaining))


def _without_cut_text(text: str, stored: set[str]) -> str:
    """``text`` without a stored text it ends with, cut short to fit (a kudos' first words)."""
    text = text.rstrip().removesuffix("…").rstrip()
    for value in stored:
        if len(value) <= CUT_AT_LEAST:
            continue
        start = text.find(value[:CUT_AT_LEAST])
        while start != -1:
            if len(text) - start >= CUT_AT_LEAST and len(value) > len(text) - start and value.startswith(text[start:]):
                return text[:start]
            start = text.find(value[:CUT_AT_LEAST], start + 1)
    return text


CUT_AT_LEAST = 20  # characters of a stored text left when a page cuts it short


def walk(app: Any, page_path: str) -> list[Seen]:
    app.switch_page(page_path)
    app.run()
    if app.exception:
        return [Seen("exception", str(app.exception[0].value))]
    return list(rendered(app))


def _language(db: Any, employee_id: int, language: str) -> Any:
    user = load_user(db, employee_id=employee_id)
    auth.change_own_language(db, user, user.account_id, language)
    return load_user(db, employee_id=employee_id)


@pytest.mark.parametrize("role", list(DEMO_LOGINS), ids=lambda role: DEMO_LOGINS[role])
def test_every_page_shows_none_of_its_english_texts_in_ukrainian(demo_portal: Any, role: Role) -> None:
    db = get_database(get_settings().db_path)
    employee_id = demo_portal.logins[role]
    english_user = _language(db, employee_id, "en")
    pages = [page for section in pages_for(english_user).values() for page in section]
    english_app = signed_in_as(english_user).run()
    in_english = {page.path: {seen.text.strip() for seen in walk(english_app, page.path)} for page in pages}
    stored = stored_texts(db)
    failures: list[str] = []
    # AppTest calls a widget's format_func in this thread, where Streamlit calls it in the run's
    with use_language("uk"):
        ukrainian_app = signed_in_as(_language(db, employee_id, "uk")).run()
        for page in pages:
            for seen in walk(ukrainian_app, page.path):
                if seen.place == "exception" or untranslated(seen, in_english[page.path], stored):
                    failures.append(f"{page.path} / {seen.place}: {seen.text[:120]!r}")
    _language(db, employee_id, "en")
    unique = list(dict.fromkeys(failures))
    assert not unique, f"{len(unique)} English texts as {DEMO_LOGINS[role]} in Ukrainian:\n" + "\n".join(unique[:300])


def test_the_walk_tells_page_texts_from_the_organisations_own() -> None:
    stored = {
        "checking or savings account",
        "ada agent",
        "faster callbacks for repeat callers",
        "what a week, the whole team cleared the backlog",
        "callers first",
    }
    shown = [
        "Record session",
        "Ada Agent",
        "Checking or savings account",
        "eNPS",
        "#6 Faster callbacks for repeat callers",
        "#613 Ada Agent → Ada Agent: What a week, the whole team cl…",
        "#614 Ada Agent → Ada Agent: What a week, the whole team c",
        "Record callers",
        "Recorded by Ada Agent",
        "AUD 0",
    ]
    english = set(shown)
    for page_text in ("Record session", "Recorded by Ada Agent", "Record callers"):  # a name or a cut in English words
        assert untranslated(Seen("button", page_text), english, stored), page_text
    for own in [text for text in shown if not text.startswith("Record")]:  # names, data, codes, texts cut short
        assert not untranslated(Seen("option", own), english, stored), own
    assert not untranslated(Seen("button", "Record session"), {"Записати сесію"}, stored)
