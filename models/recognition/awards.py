"""A person's recognitions as the Speak-Up pages show them: the badges they hold now (the
rules that award them are declared in ``models.recognition.badges``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from models.recognition.badges import GREEN_LIT_IDEA, badges_for

if TYPE_CHECKING:
    from models.db import Reader

__all__ = ["GREEN_LIT_IDEA", "recognitions_for"]


def recognitions_for(db: Reader, employee_id: int) -> list[dict[str, Any]]:
    """A person's badges held now, newest first (withdrawn ones are not shown)."""
    return badges_for(db, employee_id)
