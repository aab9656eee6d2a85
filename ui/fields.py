"""A form's limits and defaults read from the pydantic model that checks its input, so each
is written once, in ``models``: ``st.text_input("Title", max_chars=max_chars(ActionInput, "title"))``."""

from __future__ import annotations

from typing import Any

from annotated_types import Ge, Gt, Le, Lt, MaxLen
from pydantic import BaseModel
from pydantic_core import PydanticUndefined


def _metadata(model: type[BaseModel], name: str) -> list[Any]:
    return model.model_fields[name].metadata


def max_chars(model: type[BaseModel], name: str) -> int | None:
    """The field's ``max_length``, for ``max_chars=`` of a text input."""
    return next((item.max_length for item in _metadata(model, name) if isinstance(item, MaxLen)), None)


def bounds(model: type[BaseModel], name: str) -> tuple[Any, Any]:
    """The field's least and greatest allowed values (``ge``/``gt``, ``le``/``lt``; ``None`` when
    open), for ``min_value=`` and ``max_value=`` of a number input."""
    low = high = None
    for item in _metadata(model, name):
        if isinstance(item, (Ge, Gt)):
            low = item.ge if isinstance(item, Ge) else item.gt
        elif isinstance(item, (Le, Lt)):
            high = item.le if isinstance(item, Le) else item.lt
    return low, high


def default(model: type[BaseModel], name: str) -> Any:
    """The value the model takes when the field is left out (``None`` when it has none)."""
    field = model.model_fields[name]
    if field.default_factory is not None:
        return field.default_factory()  # type: ignore[call-arg]
    return None if field.default is PydanticUndefined else field.default
