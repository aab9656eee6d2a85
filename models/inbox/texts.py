"""Texts the portal writes now and a person reads later — inbox messages, their emails, badges —
kept as the message (its English msgid, marked for the catalogue) and its values, and put in
words in the reader's language when shown.

A value is one of:

- a ``str`` or an ``int``: shown as given (names, titles, what someone wrote; a count in the
  language's number form);
- ``Decimals(value, places)``: a number with a fixed count of decimals;
- a ``date``: the day written out ("05 March 2026", "5 березня 2026");
- ``ShortDay(day)``: a day with its month abbreviated in English ("05 Mar 2026"), as above in
  the other languages;
- a ``Text``: the portal's own words (a status, a level, a reason), translated in turn;
- ``Course(code, title)`` and ``Competency(code, name)``: a default course's or competency's
  name in the reader's language while it reads as shipped, else as entered;
- ``Quoted(items)``: titles each in the language's quotation marks, in a list.

Stored as JSON (``as_json``/``from_json``): a string or a number as itself, every other kind
as an object naming its kind."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from models.i18n import N_, SOURCE_LANGUAGE, current_language, format_date, format_number, translations, use_language

# A day inside a sentence: as the English messages always wrote it ("05 March 2026"), the month
# in words where the language writes it so without a closing abbreviation that would meet the
# sentence's full stop ("5 березня 2026"), and Lithuanian's own numeric form ("2026-03-05").
DAY_FORMATS = {"en": "dd MMMM y", "uk": "d MMMM y", "ru": "d MMMM y", "lt": "y-MM-dd"}
QUOTED = N_("“{title}”")  # one title in the language's quotation marks


@dataclass(frozen=True)
class Decimals:
    """A number shown with exactly ``places`` decimals (None: as many as it has)."""

    value: float
    places: int | None = None


@dataclass(frozen=True)
class ShortDay:
    """A day as the English notes write it, the month abbreviated ("05 Mar 2026"); the other
    languages write it as any day inside a sentence."""

    day: date


@dataclass(frozen=True)
class Course:
    """A course by its code and title as stored: the default catalogue's in the reader's language."""

    code: str
    title: str


@dataclass(frozen=True)
class Competency:
    """A competency by its code and name as stored: the default framework's in the reader's language."""

    code: str
    name: str


@dataclass(frozen=True)
class Quoted:
    """Titles as entered, each in the reader's quotation marks, separated by commas."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Text:
    """A message of the portal with its values, to be shown in whichever language reads it.
    ``plural`` and ``n``: a counted message (``ngettext``); ``lower``: begun in lower case
    inside a sentence (a status named mid-phrase; "HR" stays in capitals)."""

    message: str
    values: Mapping[str, Any] = field(default_factory=dict)
    plural: str | None = None
    n: int | None = None
    lower: bool = False

    def shown(self) -> str:
        """The text in the current language."""
        gettext = translations(current_language())
        if self.plural is not None and self.n is not None:
            pattern = gettext.ngettext(self.message, self.plural, self.n)
            values = {"n": format_number(self.n), **self.values}
        else:
            pattern = gettext.gettext(self.message) if self.message else self.message
            values = dict(self.values)
        shown = pattern.format(**{name: shown_value(value) for name, value in values.items()}) if values else pattern
        return shown[:1].lower() + shown[1:] if self.lower else shown

    def in_english(self) -> str:
        """The text as the portal writes it in English (what is stored beside the message)."""
        with use_language(SOURCE_LANGUAGE):
            return self.shown()

    def as_json(self) -> dict[str, Any]:
        stored: dict[str, Any] = {"message": self.message}
        if self.values:
            stored["values"] = values_as_json(self.values)
        if self.plural is not None:
            stored |= {"plural": self.plural, "n": self.n}
        if self.lower:
            stored["lower"] = True
        return stored

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> Text:
        return cls(
            stored["message"],
            values_from_json(stored.get("values") or {}),
            stored.get("plural"),
            stored.get("n"),
            bool(stored.get("lower")),
        )


def text(message: str, **values: Any) -> Text:
    """``message`` (marked with ``N_`` where it is written) with its values, shown later."""
    return Text(message, values)


def word(message: str, *, lower: bool = False) -> Text:
    """One of the portal's words (a status, a level, a reason) as a value, translated when shown."""
    return Text(message, lower=lower)


def ngettext(singular: str, plural: str, n: int, /, **values: Any) -> Text:
    """``models.i18n.ngettext`` kept to be shown later: the same name, so the catalogue's
    extraction finds the counted message where it is written."""
    return Text(singular, values, plural, n)


# -- values ---------------------------------------------------------------------------------------
def shown_value(value: Any) -> str:
    """One value in the current language."""
    if isinstance(value, Text):
        return value.shown()
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, Decimals):
        return format_number(value.value, value.places)
    if isinstance(value, date):
        return _day(value.date() if isinstance(value, datetime) else value, current_language())
    if isinstance(value, ShortDay):
        language = current_language()
        return format_date(value.day, "dd MMM y") if language == SOURCE_LANGUAGE else _day(value.day, language)
    if isinstance(value, Course):
        from models.training.catalogue import catalogue_text

        return catalogue_text(value.code, "title", value.title)
    if isinstance(value, Competency):
        from models.competencies.framework import shown_competency_name

        return shown_competency_name(value.code, value.name)
    if isinstance(value, Quoted):
        quote = translations(current_language()).gettext(QUOTED)
        return ", ".join(quote.format(title=item) for item in value.items)
    return str(value)


@lru_cache(maxsize=4096)
def _day(day: date, language: str) -> str:
    """A day in a sentence of ``language`` (many messages name the same few days)."""
    return format_date(day, DAY_FORMATS.get(language, "long"))


def values_as_json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _value_as_json(value) for name, value in values.items()}


def _value_as_json(value: Any) -> Any:
    if isinstance(value, Text):
        return {"text": value.as_json()}
    if isinstance(value, Decimals):
        return {"number": value.value, "places": value.places}
    if isinstance(value, date):
        return {"date": (value.date() if isinstance(value, datetime) else value).isoformat()}
    if isinstance(value, ShortDay):
        return {"short_day": value.day.isoformat()}
    if isinstance(value, Course):
        return {"course": value.code, "title": value.title}
    if isinstance(value, Competency):
        return {"competency": value.code, "name": value.name}
    if isinstance(value, Quoted):
        return {"quoted": list(value.items)}
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"a stored text's value cannot be {type(value).__name__}")


def values_from_json(stored: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _value_from_json(value) for name, value in stored.items()}


def _value_from_json(stored: Any) -> Any:
    if not isinstance(stored, Mapping):
        return stored
    if "text" in stored:
        return Text.from_json(stored["text"])
    if "number" in stored:
        return Decimals(stored["number"], stored.get("places"))
    if "date" in stored:
        return date.fromisoformat(stored["date"])
    if "short_day" in stored:
        return ShortDay(date.fromisoformat(stored["short_day"]))
    if "course" in stored:
        return Course(stored["course"], stored["title"])
    if "competency" in stored:
        return Competency(stored["competency"], stored["name"])
    if "quoted" in stored:
        return Quoted(tuple(stored["quoted"] or ()))
    raise ValueError(f"a stored text's value of an unknown kind: {sorted(stored)}")


def dumps(values: Mapping[str, Any]) -> str | None:
    """The values as the JSON stored beside a message (None: no values)."""
    return json.dumps(values_as_json(values), ensure_ascii=False, sort_keys=True) if values else None


def stored_text(message: str, values_json: str | None) -> Text:
    """A message and the JSON of its values, as stored, as a ``Text``."""
    return Text(message, values_from_json(json.loads(values_json)) if values_json else {})


def shown_stored(message: str | None, values_json: str | None, stored: str) -> str:
    """A stored text in the current language: its message and values when it has them, else
    the text stored (a message written before messages were kept, or one written by a person)."""
    return stored_text(message, values_json).shown() if message else stored


def shown_message(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored inbox message (a row with ``subject``, ``body``, ``subject_msgid``,
    ``body_msgid`` and ``values_json``) with its subject and body in the current language,
    the last three columns left out."""
    shown = dict(row)
    subject_msgid, body_msgid, values_json = (shown.pop(k) for k in ("subject_msgid", "body_msgid", "values_json"))
    shown["subject"] = shown_stored(subject_msgid, values_json, shown["subject"])
    shown["body"] = shown_stored(body_msgid, values_json, shown["body"])
    return shown
