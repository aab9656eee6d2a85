"""Days as the pages write them."""

from __future__ import annotations

from datetime import date

from models.i18n import current_language, format_date


def day(value: date) -> str:
    """A day as a list writes it: "2026-03-05" in English, the language's own form otherwise
    ("05 бер. 2026")."""
    return f"{value:%Y-%m-%d}" if current_language() == "en" else format_date(value, "dd MMM y")


# how each language types a date into a date field (Streamlit's own formats; the portal's English
# keeps Streamlit's year-first default)
DATE_INPUT_FORMATS = {"en": "YYYY/MM/DD", "uk": "DD.MM.YYYY", "ru": "DD.MM.YYYY", "lt": "YYYY-MM-DD"}


def date_input_format() -> str:
    """The order and separator of a date field in the current language ("05.03.2026" in Ukrainian
    and Russian, "2026-03-05" in Lithuanian): the ``format`` of every ``st.date_input``."""
    return DATE_INPUT_FORMATS[current_language()]
