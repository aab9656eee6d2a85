"""Days as the pages write them."""

from __future__ import annotations

from datetime import date

from models.i18n import current_language, format_date


def day(value: date) -> str:
    """A day as a list writes it: "2026-03-05" in English, the language's own form otherwise
    ("05 бер. 2026")."""
    return f"{value:%Y-%m-%d}" if current_language() == "en" else format_date(value, "dd MMM y")
