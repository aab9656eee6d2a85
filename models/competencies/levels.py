"""The four levels of every competency, from novice to expert."""

from __future__ import annotations

from enum import IntEnum


class Level(IntEnum):
    NOVICE = 1
    DEVELOPING = 2
    PROFICIENT = 3
    EXPERT = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


LEVEL_NAMES: dict[int, str] = {level.value: level.label for level in Level}


def level_name(level: int | None) -> str:
    """``3`` → "Proficient"; no level → "Not assessed"."""
    return "Not assessed" if level is None else LEVEL_NAMES.get(int(level), str(level))
