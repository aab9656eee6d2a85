"""How a source file's columns map to the portal's complaint fields: limits, presets
(CFPB, the portal's template) and the checks on a mapping."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from models.complaints.analysis import FIELDS_BY_KEY, PORTAL_FIELDS
from models.errors import InputError
from models.i18n import N_, _
from models.text import clean_text

if TYPE_CHECKING:
    pass

Progress = Callable[[float, str], None]


# -- limits, column mapping and presets ------------------------------------------------
MAX_TEXT_LENGTH = 500  # any field but the narrative
EARLIEST_DATE = date(1990, 1, 1)
REJECTIONS_KEPT = 5000  # rows listed in a report; the count is always complete

Mapping = dict[str, str]  # portal field key -> source column name


class Preset(StrEnum):
    CFPB = "cfpb"
    PORTAL = "portal"


PRESET_LABELS = {
    Preset.CFPB: N_("CFPB Consumer Complaint Database"),
    Preset.PORTAL: N_("Portal template"),
}
PRESETS: dict[Preset, Mapping] = {
    Preset.CFPB: {
        "received_date": "Date received",
        "channel": "Submitted via",
        "product": "Product",
        "category": "Issue",
        "sub_category": "Sub-issue",
        "narrative": "Consumer complaint narrative",
        "unit": "Company",
        "region": "State",
        "response": "Company response to consumer",
        "timely": "Timely response?",
        "external_id": "Complaint ID",
    },
    Preset.PORTAL: {f.key: f.label for f in PORTAL_FIELDS},
}


def template_csv() -> bytes:
    """The portal's own import template: the header row and one example complaint."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f.label for f in PORTAL_FIELDS])
    writer.writerow(
        [
            "2026-03-02",
            "Phone",
            "Credit card",
            "Fees or interest",
            "Unexpected fee",
            "I was charged a late fee although I paid on time.",
            "Cards & Payments",
            "C-000123",
            "NSW",
            "2026-03-09",
            "",
            "Closed with explanation",
            "Yes",
            "HV-2026-000001",
        ]
    )
    return buffer.getvalue().encode("utf-8")


def _normalise_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


def suggest_mapping(columns: list[str], preset: Preset | None = None) -> Mapping:
    """A mapping for these columns: a preset's names where present, else names that match
    a portal field's key, label or a known preset name."""
    by_name = {_normalise_name(c): c for c in columns}
    presets = [PRESETS[preset]] if preset else list(PRESETS.values())
    mapping: Mapping = {}
    for portal_field in PORTAL_FIELDS:
        candidates = [p[portal_field.key] for p in presets if portal_field.key in p]
        if preset is None:
            candidates += [portal_field.key, portal_field.label]
        for candidate in candidates:
            column = by_name.get(_normalise_name(candidate))
            if column is not None and column not in mapping.values():
                mapping[portal_field.key] = column
                break
    return mapping


def check_mapping(mapping: Mapping, columns: list[str], hint: str | None = None) -> Mapping:
    """The mapping without empty choices; errors name the portal field and the column, in the
    current language (the file's column names as the file gives them).

    ``hint`` says where the complaints seem to be (another sheet, a lower header row) when
    none of the columns can be used."""
    cleaned = {key: column for key, column in mapping.items() if column}
    problems: list[tuple[str, str]] = []
    unknown = [key for key in cleaned if key not in FIELDS_BY_KEY]
    for key in unknown:
        problems.append((_("Mapping"), _("{key} is not a portal field", key=repr(key))))
    if not any(column in columns for column in cleaned.values()):
        listed = ", ".join(columns[:12]) or _("no columns")
        if hint:
            problems.append(
                (
                    _("File"),
                    _(
                        "none of the chosen header's columns can be used, but {hint} (it has: {columns})",
                        hint=hint,
                        columns=listed,
                    ),
                )
            )
        else:
            problems.append(
                (
                    _("File"),
                    _(
                        "none of its columns can be used: map at least the received date and the category "
                        "(the file has: {columns})",
                        columns=listed,
                    ),
                )
            )
    else:
        for key, column in cleaned.items():
            if key in FIELDS_BY_KEY and column not in columns:
                problems.append(
                    (_(FIELDS_BY_KEY[key].label), _("column {column} is not in the file", column=repr(column)))
                )
    for portal_field in PORTAL_FIELDS:
        if portal_field.required and portal_field.key not in cleaned:
            problems.append((_(portal_field.label), _("choose the column that holds it (required)")))
    used: dict[str, str] = {}
    for key, column in cleaned.items():
        if column in used and key in FIELDS_BY_KEY:
            other = _(FIELDS_BY_KEY[used[column]].label)
            problems.append(
                (
                    _(FIELDS_BY_KEY[key].label),
                    _("column {column} is already mapped to {field}", column=repr(column), field=other),
                )
            )
        used.setdefault(column, key)
    if problems:
        raise InputError(problems)
    return cleaned


@dataclass(frozen=True)
class ExpectedRows:
    """What an import expects a file to hold: its rows in words ("complaints") and how many
    of a header's names it knows, so the header row and sheet are found for any import."""

    noun: str  # marked for the catalogue, translated where said
    count_known: Callable[[list[str]], int]


COMPLAINT_ROWS = ExpectedRows(N_("complaints"), lambda names: len(suggest_mapping(names)))


def choose_header_row(rows: list[list[str]], expected: ExpectedRows = COMPLAINT_ROWS) -> int:
    """Index of the row most likely to name the columns: the first that names most of the
    expected fields; when none names any, the first with two values or more (a title row
    above the header holds one)."""
    scores = [expected.count_known([str(c).strip() for c in row if c is not None and str(c).strip()]) for row in rows]
    if scores and max(scores) > 0:
        return scores.index(max(scores))
    widths = [sum(1 for c in row if c is not None and str(c).strip()) for row in rows]
    return next((index for index, width in enumerate(widths) if width >= 2), 0)


def unique_names(header: list[str]) -> tuple[list[str], list[str]]:
    """Headings made unique and non-empty, and a note for each name the file repeats."""
    names: list[str] = []
    seen: dict[str, list[int]] = {}
    for index, heading in enumerate(header, start=1):
        name = clean_text(heading) or f"Column {index}"
        seen.setdefault(name, []).append(index)
        copy = 2
        unique = name
        while unique in names:
            unique = f"{name} ({copy})"
            copy += 1
        names.append(unique)
    notes = [
        _(
            "{count} columns are named {name} (columns {places}); they are listed as {listed}.",
            count=len(places),
            name=repr(name),
            places=", ".join(map(str, places)),
            listed=", ".join(repr(names[p - 1]) for p in places),
        )
        for name, places in seen.items()
        if len(places) > 1
    ]
    return names, notes
