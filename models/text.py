"""Text as the portal stores it: one rule for everything typed into a form or read from an
imported file, so no stored value carries a control character that could hurt downstream."""

from __future__ import annotations

import re

_LINE_BREAKS = re.compile(r"\r\n?")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f]")  # C0 controls except tab (\x09) and newline (\x0a)


def clean_text(value: str) -> str:
    """``value`` with CRLF and bare CR turned into LF and every other C0 control character
    except tab and newline removed (NUL, ``\\x01``, escape ``\\x1b``, …)."""
    return _CONTROL_CHARACTERS.sub("", _LINE_BREAKS.sub("\n", value))
