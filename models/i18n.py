"""The portal's languages: the message catalogues, the language of the current page run, and
dates, numbers and money in that language's form.

Every text a person reads goes through ``_`` (or ``ngettext`` when it counts something);
a text written at module level is marked with ``N_`` and translated where it is shown.
The catalogues are ``locales/<lang>/LC_MESSAGES/messages.po``, read with Babel and compiled
in memory once per process: nothing is built before the portal or the tests start.

Streamlit runs each page run in a thread of its own; portal.py sets the language at the start
of every run, and ``use_language`` sets it for a block (tests, exports). A thread a page starts
does not inherit it: such work takes the language as an argument and calls ``use_language``."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path

from babel import Locale, dates, negotiate_locale, numbers
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from models.figures import rounded

SOURCE_LANGUAGE = "en"  # the language the messages are written in
# Each language in its own name, as the language choice shows it.
LANGUAGES: dict[str, str] = {"en": "English", "uk": "Українська", "ru": "Русский", "lt": "Lietuvių"}
TRANSLATED_LANGUAGES = tuple(code for code in LANGUAGES if code != SOURCE_LANGUAGE)
# The Babel locale that formats dates and numbers in each language: the portal's English writes
# the day before the month ("5 Mar 2026"), as it always has.
FORMAT_LOCALES: dict[str, str] = {"en": "en_GB", "uk": "uk_UA", "ru": "ru_RU", "lt": "lt_LT"}

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
CATALOGUE_DOMAIN = "messages"

_current_language: ContextVar[str] = ContextVar("portal_language", default=SOURCE_LANGUAGE)

Number = int | float | Decimal


class UnknownLanguageError(ValueError):
    """A language code the portal does not speak."""


def check_language(code: str) -> str:
    """``code`` when the portal speaks it, else a clear refusal naming the languages it has."""
    if code not in LANGUAGES:
        raise UnknownLanguageError(
            _(
                "Language: '{code}' is not one of the portal's languages ({languages}).",
                code=code,
                languages=", ".join(LANGUAGES),
            )
        )
    return code


# -- the current language -------------------------------------------------------------
def current_language() -> str:
    """The language of this page run (or of the enclosing ``use_language`` block)."""
    return _current_language.get()


def activate(code: str) -> None:
    """Make ``code`` the language of the rest of this page run (portal.py, at its start)."""
    _current_language.set(check_language(code))


@contextmanager
def use_language(code: str) -> Iterator[None]:
    """Speak ``code`` inside the block, then the language that was current before."""
    token = _current_language.set(check_language(code))
    try:
        yield
    finally:
        _current_language.reset(token)


def negotiate(preferred: Iterable[str]) -> str | None:
    """The first of the portal's languages among ``preferred`` (browser language tags such as
    "uk-UA" or "lt"), or None when it speaks none of them."""
    tags = [tag.strip().replace("_", "-") for tag in preferred if tag and tag.strip()]
    if not tags:
        return None
    return negotiate_locale(tags, list(LANGUAGES), sep="-")


_QUALITY = re.compile(r"^\s*q\s*=\s*([0-9.]+)\s*$")


def accept_language_tags(header: str | None) -> list[str]:
    """The language tags of an Accept-Language header, most preferred first."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, *parameters = part.split(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for parameter in parameters:
            if match := _QUALITY.match(parameter):
                try:
                    quality = float(match.group(1))
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


# -- messages -------------------------------------------------------------------------
def catalogue_path(code: str) -> Path:
    return LOCALES_DIR / code / "LC_MESSAGES" / f"{CATALOGUE_DOMAIN}.po"


def catalogue_paths(code: str) -> list[Path]:
    """Every catalogue file of ``code``: ``messages.po`` first, then one per area of the portal
    (``<area>.po``) while an area's translations are kept apart."""
    folder = catalogue_path(code).parent
    others = sorted(path for path in folder.glob("*.po") if path.name != f"{CATALOGUE_DOMAIN}.po")
    main = catalogue_path(code)
    return ([main] if main.is_file() else []) + others


class ConflictingTranslationError(ValueError):
    """One message translated two ways in two catalogue files of a language."""


def catalogue(code: str) -> Catalog | None:
    """The messages of ``code`` from all its catalogue files, as one catalogue (None when it has
    none). A message in two files must read the same in both."""
    merged: Catalog | None = None
    for path in catalogue_paths(code):
        with path.open("rb") as handle:
            part = read_po(handle, locale=code, domain=CATALOGUE_DOMAIN)
        if merged is None:
            merged = part
            continue
        for message in part:
            if not message.id:
                continue
            known = merged.get(message.id, context=message.context)
            if known is None:
                merged[message.id] = message
            elif known.string != message.string and message.string and known.string:
                raise ConflictingTranslationError(
                    f"{code}: {message.id!r} is translated differently in {path.name} and another catalogue"
                )
    return merged


@cache
def translations(code: str) -> NullTranslations:
    """The compiled catalogue of ``code``, built in memory the first time it is needed;
    English (the source) and a language without a catalogue show the messages as written.
    Fuzzy entries are left out, as gettext's compiler does."""
    check_language(code)
    merged = None if code == SOURCE_LANGUAGE else catalogue(code)
    if merged is None:
        return NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, merged)
    compiled.seek(0)
    return Translations(fp=compiled, domain=CATALOGUE_DOMAIN)


def _(message: str, **values: object) -> str:
    """``message`` in the current language, with ``{name}`` placeholders filled from ``values``."""
    text = translations(current_language()).gettext(message) if message else message
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, n: int, /, **values: object) -> str:
    """The form of a counted message that fits ``n`` in the current language ("1 comment",
    "5 comments"); ``{n}`` in the message is the count unless ``values`` names it otherwise."""
    text = translations(current_language()).ngettext(singular, plural, n)
    return text.format(**{"n": n, **values})


def pgettext(context: str, message: str, **values: object) -> str:
    """``message`` in the current language where the same English words mean something else
    elsewhere ("Current" value of a KPI, "Current" standard): ``context`` tells them apart."""
    text = translations(current_language()).pgettext(context, message)
    return text.format(**values) if values else text


def N_(message: str) -> str:  # noqa: N802 - the conventional name of gettext's marker
    """Mark a module-level text for the catalogue; it is translated with ``_`` where shown."""
    return message


# -- formatting in the current locale --------------------------------------------------
def format_locale() -> str:
    """The Babel locale the current language's dates and numbers are written in."""
    return FORMAT_LOCALES[current_language()]


def format_date(value: date | datetime, format: str = "medium") -> str:
    """A date as the current language writes it ("5 Mar 2026", "5 бер. 2026 р.")."""
    day = value.date() if isinstance(value, datetime) else value
    return dates.format_date(day, format=format, locale=format_locale())


def format_datetime(value: datetime, format: str = "medium") -> str:
    """A date and time as the current language writes it."""
    return dates.format_datetime(value, format=format, locale=format_locale())


@contextmanager
def _halves_away_from_zero() -> Iterator[None]:
    """Babel rounds a number it writes in the decimal context's way, half to even by default
    (6.25 → "6.2"); the portal rounds halves away from zero wherever a figure is made
    (``models.figures``, SQL's round), so what is written agrees with it (6.25 → "6.3")."""
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        yield


def format_number(value: Number, decimals: int | None = None) -> str:
    """A number with the current language's grouping and decimal sign; ``decimals`` fixes
    how many digits follow the sign (default: as many as the value has)."""
    if decimals is None:
        return numbers.format_decimal(value, locale=format_locale())
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    with _halves_away_from_zero():
        return numbers.format_decimal(value, format=pattern, locale=format_locale())


def format_signed(value: Number) -> str:
    """A score such as an NPS with its sign, rounded to a whole number as ``models.figures``
    rounds and written as the language writes whole numbers: "+12", "-3", and "0" with no sign."""
    whole = rounded(value)
    return "0" if whole == 0 else ("+" if whole > 0 else "") + format_number(whole, 0)


# Any kind of space groups thousands when a number is read: space, no-break, narrow no-break,
# thin and figure space; the minus sign, figure dash and en dash are read as "-".
_SPACES = " \u00a0\u202f\u2009\u2007"
_MINUS_SIGNS = "\u2212\u2012\u2013"


def parse_number(text: str, decimals: int | None = 2) -> Decimal | None:
    """A number a person wrote, read in the current language: its decimal sign and grouping
    ("1 234,5" in Ukrainian, "1,234.5" in English), a plain point as the decimal sign too, any
    kind of space as grouping; rounded to ``decimals`` (None: every digit kept). None when empty;
    ``ValueError`` when it is not a number (letters, two decimal signs, misplaced grouping, an
    exponent). Decimal fields and imports read numbers with it."""
    locale = format_locale()
    group, point = numbers.get_group_symbol(locale), numbers.get_decimal_symbol(locale)
    typed = text.strip()
    if not typed:
        return None
    for sign in _MINUS_SIGNS:
        typed = typed.replace(sign, "-")
    typed = re.sub(f"[{_SPACES}]+", group, typed.removeprefix("+"))
    if point != "." and group != "." and point not in typed and typed.count(".") == 1:
        typed = typed.replace(".", point)
    if not re.fullmatch(rf"-?\d[\d{re.escape(group + point)}]*", typed):
        raise ValueError(text)
    value = numbers.parse_decimal(typed, locale, strict=True)  # NumberFormatError is a ValueError
    if not math.isfinite(float(value)):
        raise ValueError(text)
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return value


def format_percent(share: Number, decimals: int = 0) -> str:
    """A share (0.25) as a percentage in the current language ("25%", "25 %")."""
    pattern = _with_decimals(Locale.parse(format_locale()).percent_formats[None].pattern, decimals)
    with _halves_away_from_zero():
        return numbers.format_percent(share, format=pattern, locale=format_locale())


def format_money(amount: Number, currency: str, decimals: int | None = None) -> str:
    """An amount of ``currency`` (the organisation's setting, ISO 4217) in the current
    language's form; ``decimals=0`` rounds to whole units for summaries."""
    if decimals is None:
        with _halves_away_from_zero():
            return numbers.format_currency(amount, currency, locale=format_locale())
    with _halves_away_from_zero():
        return numbers.format_currency(
            amount,
            currency,
            locale=format_locale(),
            currency_digits=False,
            format=_with_decimals(Locale.parse(format_locale()).currency_formats["standard"].pattern, decimals),
        )


def _with_decimals(pattern: str, decimals: int) -> str:
    """A locale's number pattern (its positive part) showing exactly ``decimals`` digits after
    the decimal sign, its grouping, signs and spacing kept."""
    positive = pattern.split(";")[0]
    fraction = "." + "0" * decimals if decimals > 0 else ""
    return re.sub(r"0(?:\.0+)?(?![0-9.])", "0" + fraction, positive, count=1)


def language_name(code: str) -> str:
    """A language in its own name (for the language choice)."""
    return LANGUAGES[check_language(code)]
