"""Input errors that name the field and the problem, ready to show to the user."""

from __future__ import annotations

from pydantic import ValidationError


class InputError(ValueError):
    """Bad input: one message per field; nothing was stored."""

    def __init__(self, problems: dict[str, str] | list[tuple[str, str]]):
        self.problems = list(problems.items()) if isinstance(problems, dict) else list(problems)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.problems))

    @classmethod
    def single(cls, field: str, message: str) -> InputError:
        return cls([(field, message)])


def _field_label(model, name: str) -> str:
    field = model.model_fields.get(name) if model is not None else None
    if field is not None and field.title:
        return field.title
    return name.replace("_", " ").capitalize()


def from_validation(error: ValidationError, model=None) -> InputError:
    """Turn pydantic's errors into field-named messages in plain words."""
    problems = []
    for issue in error.errors():
        name = str(issue["loc"][0]) if issue["loc"] else "input"
        message = issue["msg"].removeprefix("Value error, ")
        problems.append((_field_label(model, name), message))
    return InputError(problems)


def validate(model, data: dict):
    """Build a pydantic record or raise ``InputError`` naming each bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise from_validation(error, model) from None
