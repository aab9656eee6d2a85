"""Lists that can grow are read a page at a time, with their total counted in SQL, so a
list is never cut at a limit nobody sees; pickers over many options show the first matches
of a search and how many matched."""

from __future__ import annotations

PAGE_SIZE = 50  # rows of a list shown at once
PICKER_SIZE = 50  # options a searchable picker offers at once


def like_pattern(search: str) -> str | None:
    """The ILIKE pattern of a search box's text (``%`` and ``_`` typed are matched as
    themselves), or None when the box is empty."""
    text = (search or "").strip()
    if not text:
        return None
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matches_any(columns: list[str]) -> str:
    """A WHERE condition: any of ``columns`` contains the search (one ``like_pattern`` parameter
    per column). Column names are the caller's own text, never the user's."""
    return "(" + " OR ".join(f"{column} ILIKE ? ESCAPE '\\'" for column in columns) + ")"
