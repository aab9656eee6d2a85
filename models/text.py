"""The portal's one rule for text people bring in: imported files, typed input, exports.

Line breaks are kept as LF: a CRLF pair or a lone CR becomes LF. Tab is kept. Every other
control character — C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F) — is removed:
such characters are invisible, can drive a terminal, and never belong to a complaint. So are
the noncharacters U+FFFE and U+FFFF: valid UTF-8, but no text holds them, and an XLSX file
holding one is a damaged workbook. A value is then trimmed of white space at both ends, and
an empty value is no value.

Files are read in bulk, so the same rule is also given for UTF-8 bytes; a file holding a
NUL character is refused before this rule applies (see ``complaints.text_files``)."""

from __future__ import annotations

import re

import numpy as np

_REMOVED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")
_C1_BYTES = b"\xc2"
_NONCHARACTERS_UTF8 = re.compile(b"\xef\xbf[\xbe\xbf]")  # U+FFFE and U+FFFF
_NONCHARACTER_START = b"\xef\xbf"
_SLICE = 256 * 1024
# white space trimmed from the ends of a value: tab, line feed and Unicode separators (Z*)
WHITE_SPACE_SQL_CLASS = r"[\t\n\p{Z}]"


def normalise_text(text: str) -> str:
    """Line breaks as LF, tab kept, other control characters and U+FFFE, U+FFFF removed (no trimming)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _REMOVED.sub("", text)


def clean_text(value: str | None) -> str | None:
    """A value as the portal stores it: normalised, trimmed, ``None`` when nothing is left."""
    if value is None:
        return None
    cleaned = normalise_text(value).strip()
    return cleaned or None


def needs_normalising(chunk: bytes) -> bool:
    """Whether UTF-8 bytes hold a CR or a character ``normalise_text`` would remove."""
    if b"\r" in chunk or b"\x7f" in chunk:
        return True
    # the other control bytes are those below 0x20 but tab and line feed: below 0x09, or from
    # 0x0B to 0x1F (below 0x15 once 0x0B is subtracted with wrap-around); compared a slice that
    # stays in the processor's cache at a time, several times faster than the whole at once
    values = np.frombuffer(chunk, dtype=np.uint8)
    for start in range(0, len(values), _SLICE):
        part = values[start : start + _SLICE]
        if (part < 0x09).any() or ((part - np.uint8(0x0B)) < 0x15).any():
            return True
    if _C1_BYTES in chunk and _C1_UTF8.search(chunk) is not None:
        return True
    return _NONCHARACTER_START in chunk and _NONCHARACTERS_UTF8.search(chunk) is not None


def normalise_utf8(chunk: bytes) -> bytes:
    """``normalise_text`` on UTF-8 bytes, for files too large to decode at once.

    A chunk must not end inside a CRLF pair or a UTF-8 character: the caller carries the
    last ``undecided_tail`` bytes over to the next chunk."""
    if b"\r" in chunk:
        chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    chunk = chunk.translate(None, _CONTROL_BYTES)
    if _C1_BYTES in chunk:
        chunk = _C1_UTF8.sub(b"", chunk)
    if _NONCHARACTER_START in chunk:
        chunk = _NONCHARACTERS_UTF8.sub(b"", chunk)
    return chunk


def undecided_tail(chunk: bytes) -> int:
    """How many bytes at the end of UTF-8 ``chunk`` the rule cannot judge without the bytes
    that follow: a CR (the first half of a CRLF?), or the first bytes of a character it
    removes (a C1 character, U+FFFE or U+FFFF)."""
    if chunk.endswith(_NONCHARACTER_START):
        return 2
    return 1 if chunk[-1:] in (b"\r", _C1_BYTES, b"\xef") else 0


def plural(count: int, noun: str, many: str | None = None) -> str:
    """A count with its noun agreeing: ``plural(1, "comment")`` → "1 comment", ``plural(1200,
    "idea")`` → "1,200 ideas", ``plural(2, "person", "people")`` → "2 people"."""
    return f"{count:,} {noun if count == 1 else (many or noun + 's')}"
