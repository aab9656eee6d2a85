"""The fields of a customer survey export: what survey tools call each of them, how a
file's columns map to them, the checks on a mapping, the survey types with their scales and
the portal's own template. Files are read with the complaint import's machinery."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from models.complaints.field_mapping import ExpectedRows, Mapping, _normalise_name
from models.errors import InputError


@dataclass(frozen=True)
class SurveyType:
    code: str  # the KPI code it feeds
    label: str
    lowest: int
    highest: int
    names: tuple[str, ...]  # how files name it


SURVEY_TYPES: tuple[SurveyType, ...] = (
    SurveyType("nps", "NPS", 0, 10, ("NPS", "Net Promoter Score", "Net Promoter", "Promoter score", "Recommend")),
    SurveyType(
        "csat",
        "CSAT",
        1,
        5,
        ("CSAT", "Customer satisfaction", "Satisfaction", "Customer satisfaction score", "CSAT score"),
    ),
    SurveyType(
        "ces",
        "CES",
        1,
        7,
        ("CES", "Customer effort", "Customer effort score", "Effort", "Effort score", "Ease"),
    ),
)
TYPES_BY_CODE = {survey_type.code: survey_type for survey_type in SURVEY_TYPES}


def type_key(name: str) -> str:
    """A survey type's name as compared: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]+", "", name.lower())


TYPE_NAMES = {type_key(name): t.code for t in SURVEY_TYPES for name in (t.code, t.label, *t.names)}


@dataclass(frozen=True)
class SurveyField:
    key: str
    label: str
    synonyms: tuple[str, ...]  # column names of survey exports that hold it
    help: str


SURVEY_FIELDS: tuple[SurveyField, ...] = (
    SurveyField(
        "answered_at",
        "Date",
        ("Date", "Answered at", "Response date", "Survey date", "Submitted at", "Completed at", "Response Time"),
        "The day the customer answered (a date or a date and time, e.g. 2025-03-29, 29/03/2025 14:05).",
    ),
    SurveyField(
        "channel",
        "Channel",
        ("Channel", "Contact channel", "Touchpoint", "Source channel", "Medium"),
        "Where the customer was served: phone, chat, email, app… (required).",
    ),
    SurveyField(
        "team",
        "Team or unit",
        ("Team or unit", "Team", "Unit", "Department", "Queue", "Group", "Business unit"),
        "The portal team that served the customer. A name that matches no team is kept as the unit given; "
        "the answer then counts for the organisation and its channel but for no team.",
    ),
    SurveyField(
        "survey_type",
        "Survey type",
        ("Survey type", "Survey", "Type", "Metric", "Question type", "Survey name"),
        "NPS, CSAT or CES (also Net Promoter Score, Customer satisfaction, Customer effort).",
    ),
    SurveyField(
        "score",
        "Score",
        ("Score", "Rating", "Answer", "Value", "Response score"),
        "A whole number on the survey's scale: NPS 0-10, CSAT 1-5, CES 1-7.",
    ),
    SurveyField(
        "comment",
        "Comment",
        ("Comment", "Comments", "Verbatim", "Feedback", "Open answer", "Free text", "Reason"),
        "What the customer wrote (optional). It may hold personal data: only analysts and leadership read it.",
    ),
    SurveyField(
        "customer_id",
        "Customer ID",
        ("Customer ID", "Customer", "Customer number", "Account ID", "Client ID"),
        "The customer's id in your systems (optional).",
    ),
    SurveyField(
        "external_id",
        "External ID",
        ("External ID", "Response ID", "Answer ID", "Survey response ID", "Record ID", "ID"),
        "The survey tool's id of the answer (optional). Re-importing a file never adds an answer twice: "
        "by this id when given, else by the answer's content.",
    ),
)
FIELDS_BY_KEY = {field.key: field for field in SURVEY_FIELDS}
REQUIRED_FIELDS = ("answered_at", "channel", "survey_type", "score")


def _known_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for field in SURVEY_FIELDS:
        for name in (field.key, field.label, *field.synonyms):
            names.setdefault(_normalise_name(name), field.key)
    return names


_KNOWN = _known_names()


def suggest_mapping(columns: list[str]) -> Mapping:
    """A mapping for these columns: each field's first column whose name is the field's, its
    label or a name survey exports use for it."""
    mapping: Mapping = {}
    for column in columns:
        key = _KNOWN.get(_normalise_name(column))
        if key is not None and key not in mapping:
            mapping[key] = column
    return mapping


SURVEY_ROWS = ExpectedRows("survey answers", lambda names: len(suggest_mapping(names)))


def check_mapping(mapping: Mapping, columns: list[str], hint: str | None = None) -> Mapping:
    """The mapping without empty choices; errors name the field and the column."""
    cleaned = {key: column for key, column in mapping.items() if column}
    problems: list[tuple[str, str]] = [
        ("Mapping", f"{key!r} is not a survey answer field") for key in cleaned if key not in FIELDS_BY_KEY
    ]
    if not any(column in columns for column in cleaned.values()):
        listed = ", ".join(columns[:12]) or "no columns"
        where = f", but {hint}" if hint else ""
        problems.append(
            (
                "File",
                f"none of its columns can be used{where}: map the date, channel, survey type and score "
                f"(the file has: {listed})",
            )
        )
    else:
        for key, column in cleaned.items():
            if key in FIELDS_BY_KEY and column not in columns:
                problems.append((FIELDS_BY_KEY[key].label, f"column {column!r} is not in the file"))
    for key in REQUIRED_FIELDS:
        if key not in cleaned:
            problems.append((FIELDS_BY_KEY[key].label, "choose the column that holds it (required)"))
    used: dict[str, str] = {}
    for key, column in cleaned.items():
        if column in used and key in FIELDS_BY_KEY:
            other = FIELDS_BY_KEY[used[column]].label
            problems.append((FIELDS_BY_KEY[key].label, f"column {column!r} is already mapped to {other}"))
        used.setdefault(column, key)
    if problems:
        raise InputError(problems)
    return cleaned


def template_csv() -> bytes:
    """The portal's survey import template: the header row and three example answers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([field.label for field in SURVEY_FIELDS])
    writer.writerow(["2025-03-14", "Chat", "Cards & Payments", "CSAT", "5", "Quick and friendly, thanks.", "", "R-1"])
    writer.writerow(["2025-03-14", "Phone", "Home Loans", "NPS", "6", "Transferred twice.", "C-000123", "R-2"])
    writer.writerow(["2025-03-15", "Email", "", "CES", "5", "", "", "R-3"])
    return buffer.getvalue().encode("utf-8")
