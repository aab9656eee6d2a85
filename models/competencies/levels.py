"""The four levels of every competency, from novice to expert."""

from __future__ import annotations

from enum import IntEnum

from models.i18n import N_, _


class Level(IntEnum):
    NOVICE = 1
    DEVELOPING = 2
    PROFICIENT = 3
    EXPERT = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


# The levels' names as written (English); ``level_name`` gives them in the current language.
LEVEL_NAMES: dict[int, str] = {1: N_("Novice"), 2: N_("Developing"), 3: N_("Proficient"), 4: N_("Expert")}


def level_name(level: int | None) -> str:
    """``3`` → "Proficient" (in the current language); no level → "Not assessed"."""
    if level is None:
        return _("Not assessed")
    name = LEVEL_NAMES.get(int(level))
    return _(name) if name else str(level)
