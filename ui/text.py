"""Showing text people typed: as text, never as Markdown or HTML."""

from __future__ import annotations

import re

# "=" and "-" under a line of text would make it a heading
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&$:=])")


def escape_markdown(text: str | None) -> str:
    """Text safe to place inside a Markdown label or heading: every markup character is escaped."""
    return _MARKDOWN.sub(r"\\\1", text or "")
