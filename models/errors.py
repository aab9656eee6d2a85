"""Input errors that name the field and the problem, ready to show to the user."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from models.i18n import N_, _, format_datetime, ngettext

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
        return _(field.title)  # translated when the catalogue has the field's title
    return name.replace("_", " ").capitalize()


_BOUNDS = {
    "greater_than_equal": ("ge", N_("use {bound} or more")),
    "greater_than": ("gt", N_("use more than {bound}")),
    "less_than_equal": ("le", N_("use {bound} or less")),
    "less_than": ("lt", N_("use less than {bound}")),
}


def _choices(expected: str) -> str:
    return expected.replace("'", "").replace(" or ", ", ")


# pydantic's kinds of problem that need no figure, in the portal's words
_PLAIN = {
    "int_parsing": N_("enter a whole number"),
    "int_type": N_("enter a whole number"),
    "int_from_float": N_("enter a whole number"),
    "float_parsing": N_("enter a number"),
    "float_type": N_("enter a number"),
    "decimal_parsing": N_("enter a number"),
    "decimal_type": N_("enter a number"),
    "finite_number": N_("enter a number"),
    "multiple_of": N_("enter a number"),
    "string_type": N_("enter text"),
    "bool_type": N_("choose yes or no"),
    "bool_parsing": N_("choose yes or no"),
    "string_pattern_mismatch": N_("is not in the expected form"),
    "list_type": N_("give a list"),
    "set_type": N_("give a list"),
    "tuple_type": N_("give a list"),
    "frozen_set_type": N_("give a list"),
}


def plain_message(issue: dict) -> str:
    """One pydantic error in the portal's words ("use at least 3 characters") in the current
    language; a message a validator wrote itself (from the catalogue) is kept as written, and
    a kind of problem not named here reads "is not valid", never pydantic's English."""
    kind, context = issue.get("type", ""), issue.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and context.get("min_length") == 1):
        return _("fill this in")
    if kind in _PLAIN:
        return _(_PLAIN[kind])
    if kind in _BOUNDS:
        bound, phrase = _BOUNDS[kind]
        return _(phrase, bound=context.get(bound))
    if kind in ("value_error", "assertion_error"):  # a validator's own words, from the catalogue
        return str(issue.get("msg") or "").removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return _counted_message(kind, context) or _("is not valid")  # pydantic's own sentence is English


def _counted_message(kind: str, context: dict) -> str | None:
    if kind == "string_too_short":
        return ngettext("use at least {n} character", "use at least {n} characters", context["min_length"])
    if kind == "string_too_long":
        return ngettext("use at most {n} character", "use at most {n} characters", context["max_length"])
    if kind == "too_short":
        return ngettext("give at least {n} item", "give at least {n} items", context.get("min_length"))
    if kind == "too_long":
        return ngettext("give at most {n} item", "give at most {n} items", context.get("max_length"))
    if kind in ("literal_error", "enum"):
        return _("choose one of: {choices}", choices=_choices(context.get("expected", "")))
    if kind.startswith(("date_", "datetime_")):
        return _("enter a date as YYYY-MM-DD")
    return None


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


# The records a stale save names ("reload the goal"), for the catalogue: check_not_stale's nouns.
STALE_NOUNS = (
    N_("action"),
    N_("assessment"),
    N_("coaching session"),
    N_("course"),
    N_("decision right"),
    N_("descriptor"),
    N_("finding"),
    N_("goal"),
    N_("record"),
    N_("standard"),
    N_("survey"),
)


class StaleRecordError(ValueError):
    """Someone saved the record after it was opened; the save was refused. Raised only by
    ``models.audit.check_not_stale``, the one check every versioned record uses."""

    def __init__(self, noun: str, changed_by: str | None, changed_at: datetime | None):
        who = changed_by or _("someone")
        if changed_at:
            message = _(
                "Changed by {who} at {when} UTC since you opened it; your edits are still on screen — "
                "reload the {noun} and apply them again.",
                who=who,
                when=format_datetime(changed_at, "yyyy-MM-dd HH:mm"),
                noun=_(noun),
            )
        else:
            message = _(
                "Changed by {who} since you opened it; your edits are still on screen — "
                "reload the {noun} and apply them again.",
                who=who,
                noun=_(noun),
            )
        super().__init__(message)
        self.noun, self.changed_by, self.changed_at = noun, changed_by, changed_at
