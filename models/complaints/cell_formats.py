"""Cells of an XLSX sheet shown as percentages, and the text such a cell shows.

A cell holding 0.92 with the format ``0%`` reads 92% on screen, and a CSV export of the
sheet holds "92%"; an import must read what a person reading the sheet reads, not 0.92.
The native workbook reader gives values without their formats, so which cells are shown
as percentages is read here from the workbook's styles and from the sheet's own XML."""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import cache
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

# Excel's built-in number formats that are percentages: 9 is 0%, 10 is 0.00%
_BUILT_IN_PERCENTS = {9: "0%", 10: "0.00%"}
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CHUNK = 8 * 1024 * 1024
# a row or cell start tag, with or without a namespace prefix
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(\s[^>]*)?/?>")
_STYLE = re.compile(rb'\ss="(\d+)"')
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_CELL_REFERENCE = re.compile(rb'\sr="([A-Z]+)(\d+)"')

PercentCells = dict[tuple[int, int], int]  # (row, column) from 0 -> the decimals shown


def percent_decimals(number_format: str | None) -> int | None:
    """The decimals a percentage format shows (``0%`` 0, ``0.00%`` 2), None for other formats.

    Quoted text, escaped characters and bracketed parts (colours, conditions) are not the
    format's digits; the first section (positive numbers) says how many decimals show."""
    if not number_format:
        return None
    plain = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.', "", number_format)
    section = plain.split(";", 1)[0]
    if "%" not in section:
        return None
    digits = re.search(r"\.([0#?]*)", section.split("%", 1)[0])
    return len(digits.group(1)) if digits else 0


def percent_text(value: float, decimals: int) -> str:
    """The number as its percentage format shows it: 0.92 -> 92%, rounded half away from zero."""
    with localcontext() as context:
        context.prec = 1000  # room for every digit of the largest float, 1.8e308
        shown = (Decimal(repr(float(value))) * 100).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{shown if shown else abs(shown):f}%"  # -0.001 shows as 0%, not -0%


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml(archive: zipfile.ZipFile, name: str) -> Element | None:
    """A small part of the workbook parsed, refusing entity tricks (the file is an upload)."""
    try:
        return fromstring(archive.read(name))
    except (KeyError, ParseError, DefusedXmlException):
        return None


def _parts(archive: zipfile.ZipFile) -> tuple[dict[str, str], str]:
    """Each sheet's name -> its part in the archive, and the styles part."""
    targets: dict[str, tuple[str, str]] = {}
    relationships = _xml(archive, "xl/_rels/workbook.xml.rels")
    for relation in relationships if relationships is not None else []:
        target = relation.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[relation.get("Id", "")] = (part, relation.get("Type", ""))
    styles = next((part for part, kind in targets.values() if kind.endswith("/styles")), "xl/styles.xml")
    sheets = {}
    workbook = _xml(archive, "xl/workbook.xml")
    for element in workbook.iter() if workbook is not None else []:
        if _local(element.tag) == "sheet" and element.get(_RELATIONSHIPS) in targets:
            sheets[element.get("name", "")] = targets[element.get(_RELATIONSHIPS, "")][0]
    return sheets, styles


def _percent_styles(archive: zipfile.ZipFile, styles_part: str) -> dict[int, int]:
    """Each cell style shown as a percentage -> the decimals it shows."""
    styles = _xml(archive, styles_part)
    if styles is None:
        return {}
    formats: dict[int, str] = dict(_BUILT_IN_PERCENTS)
    for element in styles.iter():
        if _local(element.tag) == "numFmt":
            formats[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
    cell_styles = next((e for e in styles if _local(e.tag) == "cellXfs"), None)
    percents = {}
    for index, style in enumerate(cell_styles if cell_styles is not None else []):
        decimals = percent_decimals(formats.get(int(style.get("numFmtId", "0"))))
        if decimals is not None:
            percents[index] = decimals
    return percents


@cache
def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def _whole_tags(handle: IO[bytes]) -> Iterator[bytes]:
    """The sheet's XML a chunk at a time, each chunk cut before a tag that may go on in the next."""
    carry = b""
    while chunk := handle.read(_CHUNK):
        text = carry + chunk
        cut = text.rfind(b"<")
        if cut <= 0:
            carry = text
            continue
        yield text[:cut]
        carry = text[cut:]
    yield carry


def _styled_cells(handle: IO[bytes], percents: dict[int, int]) -> PercentCells | None:
    """The percentage cells found by their references (r="C4"), looking only at cells whose
    style is a percentage; None when such a cell has no reference (its place must be counted)."""
    styles = b"|".join(str(index).encode() for index in percents)
    styled = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c((?=\s)[^>]*?\ss=\"(?:" + styles + rb")\"[^>]*)>")
    cells: PercentCells = {}
    for text in _whole_tags(handle):
        for cell in styled.finditer(text):
            attributes = cell.group(1)
            reference = _CELL_REFERENCE.search(attributes)
            if reference is None:
                return None
            style = _STYLE.search(attributes)
            cells[(int(reference.group(2)) - 1, _column_index(reference.group(1)))] = percents[int(style.group(1))]
    return cells


def _counted_cells(handle: IO[bytes], percents: dict[int, int]) -> PercentCells:
    """The percentage cells of a sheet whose rows or cells may leave out their references:
    each place is counted from the one before, as the format allows."""
    cells: PercentCells = {}
    row, column = -1, -1
    for text in _whole_tags(handle):
        for tag in _TAG.finditer(text):
            attributes = tag.group(2) or b""
            if tag.group(1) == b"row":
                number = _ROW_NUMBER.search(attributes)
                row, column = (int(number.group(1)) - 1 if number else row + 1), -1
                continue
            reference = _CELL_REFERENCE.search(attributes)
            if reference:
                row, column = int(reference.group(2)) - 1, _column_index(reference.group(1))
            else:
                column += 1
            style = _STYLE.search(attributes)
            if style and int(style.group(1)) in percents:
                cells[(row, column)] = percents[int(style.group(1))]
    return cells


def percent_cells(path: Path, sheet: str) -> PercentCells:
    """The cells of ``sheet`` shown as percentages, with the decimals each shows; none when
    the workbook's styles hold no percentage (its sheets are then not read again)."""
    try:
        with zipfile.ZipFile(path) as archive:
            sheets, styles_part = _parts(archive)
            percents = _percent_styles(archive, styles_part)
            if not percents or sheet not in sheets:
                return {}
            with archive.open(sheets[sheet]) as handle:
                cells = _styled_cells(handle, percents)
            if cells is None:
                with archive.open(sheets[sheet]) as handle:
                    cells = _counted_cells(handle, percents)
            return cells
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return {}  # the reader itself names what is wrong with a damaged file
