"""Input errors that name the field and the problem, ready to show to the user."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

Record = TypeVar("Record", bound=BaseModel)


class InputError(ValueError):
    """Bad input: one message per field; nothing was stored."""

    def __init__(self, problems: dict[str, str] | list[tuple[str, str]]):
        self.problems = list(problems.items()) if isinstance(problems, dict) else list(problems)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.problems))

    @classmethod
    def single(cls, field: str, message: str) -> InputError:
        return cls([(field, message)])


def _field_label(model: type[BaseModel] | None, name: str) -> str:
    field = model.model_fields.get(name) if model is not None else None
    if field is not None and field.title:
        return field.title
    return name.replace("_", " ").capitalize()


_BOUNDS = {
    "greater_than_equal": ("ge", "use {} or more"),
    "greater_than": ("gt", "use more than {}"),
    "less_than_equal": ("le", "use {} or less"),
    "less_than": ("lt", "use less than {}"),
}


def _choices(expected: str) -> str:
    return expected.replace("'", "").replace(" or ", ", ")


def _characters(count: int) -> str:
    return f"{count} character" + ("" if count == 1 else "s")


def plain_message(issue: dict) -> str:
    """One pydantic error in the portal's words ("use at least 3 characters"), for the
    common kinds of problem; a message a validator wrote itself is kept as written."""
    kind, context = issue.get("type", ""), issue.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and context.get("min_length") == 1):
        return "fill this in"
    if kind == "string_too_short":
        return f"use at least {_characters(context['min_length'])}"
    if kind == "string_too_long":
        return f"use at most {_characters(context['max_length'])}"
    if kind in ("too_short", "too_long"):
        bound = context.get("min_length") if kind == "too_short" else context.get("max_length")
        return f"give {'at least' if kind == 'too_short' else 'at most'} {bound} items"
    if kind in ("literal_error", "enum"):
        return f"choose one of: {_choices(context.get('expected', ''))}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "enter a whole number"
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type"):
        return "enter a number"
    if kind in _BOUNDS:
        bound, phrase = _BOUNDS[kind]
        return phrase.format(context.get(bound))
    if kind.startswith(("date_", "datetime_")):
        return "enter a date as YYYY-MM-DD"
    if kind == "string_type":
        return "enter text"
    if kind in ("bool_type", "bool_parsing"):
        return "choose yes or no"
    return str(issue.get("msg", "is not valid")).removeprefix("Value error, ")


def from_validation(error: ValidationError, model: type[BaseModel] | None = None) -> InputError:
    """Turn pydantic's errors into field-named messages in plain words."""
    problems = []
    for issue in error.errors():
        name = str(issue["loc"][0]) if issue["loc"] else "input"
        problems.append((_field_label(model, name), plain_message(issue)))
    return InputError(problems)


def validate(model: type[Record], data: dict[str, Any], context: dict[str, Any] | None = None) -> Record:
    """Build a pydantic record or raise ``InputError`` naming each bad field; ``context``
    reaches the model's validators (such as the day a rule takes as today)."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        raise from_validation(error, model) from None


class StaleRecordError(ValueError):
    """Someone saved the record after it was opened; the save was refused. Raised only by
    ``models.audit.check_not_stale``, the one check every versioned record uses."""

    def __init__(self, noun: str, changed_by: str | None, changed_at: datetime | None):
        when = f" at {changed_at:%Y-%m-%d %H:%M} UTC" if changed_at else ""
        super().__init__(
            f"Changed by {changed_by or 'someone'}{when} since you opened it; "
            f"your edits are still on screen — reload the {noun} and apply them again."
        )
        self.noun, self.changed_by, self.changed_at = noun, changed_by, changed_at
