"""Getting a CSV export's text ready for DuckDB: a strict UTF-8 check that also refuses
NUL characters, the portal's text rule (``models.text``) applied to the whole file when
it holds a CR or a character the rule removes, other encodings transcoded, and the header row
found, split and named."""

from __future__ import annotations

import codecs
import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from models.complaints.field_mapping import COMPLAINT_ROWS, ExpectedRows, choose_header_row, unique_names
from models.errors import InputError
from models.i18n import N_, _, format_number
from models.text import needs_normalising, normalise_text, normalise_utf8, undecided_tail

ENCODINGS = {
    "utf-8": "UTF-8",
    "cp1252": N_("Windows-1252 (Western European)"),
    "latin-1": N_("Latin-1 (ISO 8859-1)"),
}
_CHUNK = 8 * 1024 * 1024
MAX_ROW_BYTES = 2_000_000  # the most one row of a CSV may hold (DuckDB's max_line_size)
HEADER_SEARCH_LINES = 20  # lines looked at for the header row
_NUL_MESSAGE = N_(
    "it holds a NUL character (byte 0x00) on line {line}, so it is binary data, not CSV text "
    "(a UTF-16 file without its byte-order mark looks like this too: save it as UTF-8 CSV)"
)


# A file labelled Latin-1 is read as Windows-1252, as browsers do (the WHATWG encoding
# standard): files saved as Windows-1252 are often called Latin-1, and read as Latin-1 their
# quotes, dashes and euro signs (bytes 0x80-0x9F) would be control characters the text rule
# removes. The five bytes Windows-1252 leaves undefined keep their Latin-1 reading.
_LATIN_1_AS_WINDOWS_1252 = "".join(bytes([byte]).decode("cp1252", "ignore") or chr(byte) for byte in range(256))


class _Latin1Decoder(codecs.IncrementalDecoder):
    """Latin-1 read as Windows-1252: one character per byte, so no byte waits for the next."""

    def decode(self, data: bytes, final: bool = False) -> str:
        return codecs.charmap_decode(data, self.errors, _LATIN_1_AS_WINDOWS_1252)[0]


def _decoder(encoding: str) -> codecs.IncrementalDecoder:
    return _Latin1Decoder("strict") if encoding == "latin-1" else codecs.getincrementaldecoder(encoding)("strict")


@dataclass
class CheckedText:
    sha256: str
    needs_normalising: bool  # holds a CR or a character the portal removes
    ascii_only: bool = False  # every byte is ASCII: a value's bytes are its characters


def _line_at(path: Path, offset: int) -> int:
    """The line (from 1) of the byte at ``offset``: counted only once a file is refused."""
    lines = 1
    with path.open("rb") as handle:
        while offset > 0 and (chunk := handle.read(min(_CHUNK, offset))):
            lines += chunk.count(b"\n")
            offset -= len(chunk)
    return lines


def _refuse_nul(path: Path, chunk: bytes, offset: int) -> None:
    position = chunk.find(b"\x00")
    if position >= 0:
        raise InputError.single(_("File"), _(_NUL_MESSAGE, line=_line_at(path, offset + position)))


def _bad_byte(path: Path, chunk: bytes, error: UnicodeDecodeError, offset: int) -> InputError:
    return InputError.single(
        _("File"),
        _(
            "it is not UTF-8 text (byte 0x{byte} on line {line}, position {position}). Choose the file's "
            "encoding (for example Windows-1252) or save it as UTF-8 CSV.",
            byte=f"{chunk[error.start]:02x}",
            line=_line_at(path, offset + error.start),
            position=offset + error.start + 1,
        ),
    )


def check_utf8(path: Path) -> CheckedText:
    """Stream the file through a strict UTF-8 decoder, naming the line of the first bad
    byte or NUL; say whether the text rule changes anything. One pass, with the SHA-256.

    The digest is computed in a second thread beside the checks: hashlib lets go of the
    GIL on large buffers, so on a machine with a core to spare it costs no time."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    digest = hashlib.sha256()
    offset = 0
    dirty = False
    ascii_only = True
    last = b""
    with path.open("rb") as handle, ThreadPoolExecutor(max_workers=1) as hasher:
        while chunk := handle.read(_CHUNK):
            hashed = hasher.submit(digest.update, chunk)
            _refuse_nul(path, chunk, offset)
            # a character the rule removes split between two reads is found where they meet
            dirty = dirty or needs_normalising(chunk) or needs_normalising(last + chunk[:2])
            last = chunk[-2:]
            # plain ASCII is valid UTF-8: skip decoding it unless a character began in the last chunk
            is_ascii = chunk.isascii()
            ascii_only = ascii_only and is_ascii
            if not (is_ascii and not decoder.getstate()[0]):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    raise _bad_byte(path, chunk, error, offset) from None
            offset += len(chunk)
            hashed.result()  # one chunk at a time in memory, hashed in order
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise InputError.single(
                _("File"), _("it ends in the middle of a UTF-8 character (is it cut short?)")
            ) from None
    return CheckedText(digest.hexdigest(), dirty, ascii_only)


def normalise_copy(path: Path, target: Path) -> None:
    """Copy checked UTF-8 text with the portal's text rule applied to every character."""
    carry = b""
    with path.open("rb") as source, target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            chunk = carry + chunk
            # a CR that may begin a CRLF, or the first bytes of a character the rule removes,
            # wait for the next read
            carry = chunk[len(chunk) - undecided_tail(chunk) :]
            out.write(normalise_utf8(chunk[: len(chunk) - len(carry)]))
        out.write(normalise_utf8(carry))


def _undecodable(path: Path, encoding: str, error: UnicodeDecodeError, offset: int) -> InputError:
    """The byte a single-byte encoding has no character for, with its line, and what to do."""
    label = _(ENCODINGS[encoding]) if encoding in ENCODINGS else encoding
    if encoding == "utf-16":  # two bytes a character: a byte's place says little, the reason more
        return InputError.single(
            _("File"), _("it cannot be read as {encoding}: {reason}", encoding=label, reason=error.reason)
        )
    return InputError.single(
        _("File"),
        _(
            "it cannot be read as {encoding}: byte 0x{byte} on line {line}, position {position}, stands for no "
            "character in it. Choose the file's encoding (for example UTF-8 or Latin-1) or save it as UTF-8 CSV.",
            encoding=label,
            byte=f"{error.object[error.start]:02x}",
            line=_line_at(path, offset + error.start),
            position=offset + error.start + 1,
        ),
    )


def transcode(path: Path, encoding: str, target: Path) -> None:
    """Rewrite text in another encoding as UTF-8, with the portal's text rule applied."""
    decoder = _decoder(encoding)
    lines = 0
    offset = 0  # bytes read before the chunk being decoded
    carry = ""
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        try:
            while chunk := source.read(_CHUNK):
                text = carry + decoder.decode(chunk)
                if "\x00" in text:
                    line = lines + text.count("\n", 0, text.index("\x00")) + 1
                    raise InputError.single(_("File"), _(_NUL_MESSAGE, line=line))
                carry = text[-1:] if text.endswith("\r") else ""
                text = text[: len(text) - len(carry)]
                lines += text.count("\n")
                offset += len(chunk)
                out.write(normalise_text(text))
            out.write(normalise_text(carry + decoder.decode(b"", final=True)))
        except UnicodeDecodeError as error:
            raise _undecodable(path, encoding, error, offset) from None


# -- the header row ----------------------------------------------------------------------
def sniff_delimiter(header_line: str) -> str:
    counts = {d: 0 for d in (",", ";", "\t", "|")}
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def split_record(text: str, delimiter: str) -> list[str]:
    """The values of one CSV record (quotes doubled inside quoted values)."""
    values: list[str] = []
    current: list[str] = []
    quoted = False
    index = 0
    while index < len(text):
        char = text[index]
        if quoted and char == '"' and text[index + 1 : index + 2] == '"':
            current.append('"')
            index += 1
        elif char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            values.append("".join(current))
            current = []
        elif char != "\n" or quoted:
            current.append(char)
        index += 1
    values.append("".join(current))
    return values


def head_lines(path: Path, count: int = HEADER_SEARCH_LINES) -> tuple[list[str], bool]:
    """The first ``count`` lines of UTF-8 text, and whether the file goes on after them.

    A data line too long for the reader ends the head (reading the file names its row); a
    first line that long is refused here."""
    lines: list[str] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        while len(lines) < count:
            line = handle.readline(MAX_ROW_BYTES + 1)
            if not line:
                return lines, False
            if len(line) > MAX_ROW_BYTES and not line.endswith("\n"):
                if any(earlier.strip() for earlier in lines):
                    return lines, True
                raise InputError.single(
                    _("File"),
                    _(
                        "line {line} is longer than {limit} bytes, the most one row may hold; is it a CSV file?",
                        line=len(lines) + 1,
                        limit=format_number(MAX_ROW_BYTES),
                    ),
                )
            lines.append(line)
        return lines, bool(handle.read(1))


def _record_at(lines: list[str], start: int) -> tuple[str, int]:
    """The record that begins on ``lines[start]`` (a quoted value may span lines) and the
    number of lines it takes."""
    text = lines[start]
    end = start + 1
    while text.count('"') % 2 and end < len(lines):
        text += lines[end]
        end += 1
    return text.rstrip("\n"), end - start


@dataclass
class CsvHeader:
    line: int  # 1-based line of the header row
    delimiter: str
    names: list[str]
    notes: list[str]
    hint: str | None  # the line that names portal fields, when the chosen one names none


def _knows(record: list[str], expected: ExpectedRows) -> int:
    return expected.count_known([value.strip() for value in record if value.strip()])


def read_header(path: Path, header_row: int | None = None, expected: ExpectedRows = COMPLAINT_ROWS) -> CsvHeader:
    """The header row (chosen, else the line among the first that names most expected fields),
    its delimiter and its column names."""
    lines, more = head_lines(path)
    nonblank = [index for index, line in enumerate(lines) if line.strip()]
    if not nonblank:
        raise InputError.single(_("File"), _("its first lines are empty; a header row must name the columns"))
    candidates = [split_record(_record_at(lines, i)[0], sniff_delimiter(lines[i])) for i in nonblank]
    best = nonblank[choose_header_row(candidates, expected)]
    if header_row is not None and (header_row > len(lines) or not lines[header_row - 1].strip()):
        raise InputError.single(_("Header row"), _("line {line} of the file is empty or missing", line=header_row))
    start = best if header_row is None else header_row - 1
    text, taken = _record_at(lines, start)
    delimiter = sniff_delimiter(text)
    raw = split_record(text, delimiter)
    names, notes = unique_names(raw)
    if not more and not any(line.strip() for line in lines[start + taken :]):
        raise InputError.single(_("File"), _("it has a header row but no {rows}", rows=_(expected.noun)))
    hint = None
    if start != best and not _knows(raw, expected) and _knows(candidates[nonblank.index(best)], expected):
        hint = _("line {line} names portal fields: choose it as the header row", line=best + 1)
    return CsvHeader(line=start + 1, delimiter=delimiter, names=names, notes=notes, hint=hint)
