"""The default course catalogue every new database starts with (a data file beside this one),
and its courses' titles and descriptions in the reader's language.

Nothing of the portal is imported here, so any module — the inbox putting a course's title into
words among them — may read the catalogue without importing the courses' module."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

from models.i18n import current_language

DEFAULT_CATALOGUE = Path(__file__).resolve().parent / "default_catalogue.json"
CATALOGUE_TRANSLATIONS = Path(__file__).resolve().parent / "default_catalogue_translations.json"


def default_catalogue() -> dict[str, list[dict[str, Any]]]:
    """The competencies and courses every new database starts with."""
    return json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))


@cache
def _default_course_texts() -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, dict[str, str]]]]:
    english = {item["code"]: item for item in default_catalogue()["courses"]}
    return english, json.loads(CATALOGUE_TRANSLATIONS.read_text(encoding="utf-8"))


def catalogue_text(code: str, field: Literal["title", "description"], shown: str) -> str:
    """A default course's ``title`` or ``description`` in the reader's language while it still
    reads as the default catalogue wrote it; a course HR added or reworded is shown as entered."""
    language = current_language()
    english, translated = _default_course_texts()
    default = english.get(code)
    if default is None or default.get(field) != shown:
        return shown
    return translated.get(code, {}).get(language, {}).get(field, shown)
