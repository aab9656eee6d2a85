"""The base of every record of what a person enters (a form, an imported row): its text is
cleaned the one way, ``models.text.normalise_text``, before any other check, and trimmed."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from models.i18n import _
from models.text import normalise_text


def clean_strings(value: Any) -> Any:
    """``value`` with ``clean_text`` applied to it when it is text, or to each text item of a
    list, tuple or dictionary (one level, as input records hold them); anything else as it is."""
    if isinstance(value, str):
        return normalise_text(value)
    if isinstance(value, (list, tuple)):
        return type(value)(normalise_text(item) if isinstance(item, str) else item for item in value)
    if isinstance(value, dict):
        return {key: normalise_text(item) if isinstance(item, str) else item for key, item in value.items()}
    return value


class InputRecord(BaseModel):
    """Every text field of a subclass is cleaned (line breaks as LF, no other control
    characters) and trimmed before its length and shape are checked."""

    model_config = ConfigDict(str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _normalise_text(cls, value: Any) -> Any:
        return clean_strings(value)


def entered_text(value: str | None) -> str:
    """A free-text argument (a note, a comment, a reason) cleaned as an input record's text."""
    return normalise_text(value or "").strip()


def not_in_future(value: date, info: ValidationInfo) -> date:
    """A date field's check, used as ``field_validator(name)(not_in_future)``: not after today
    (the validation context's ``today`` when given, else the clock's)."""
    today = (info.context or {}).get("today") or date.today()
    if value > today:
        raise ValueError(_("cannot be in the future"))
    return value
