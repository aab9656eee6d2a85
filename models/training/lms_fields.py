"""The fields of an LMS completion export: what each is called in the exports of common
learning systems, how a file's columns map to them, the checks on a mapping and the
portal's own template. Files are read with the complaint import's machinery."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from models.complaints.field_mapping import ExpectedRows, Mapping, _normalise_name
from models.errors import InputError


@dataclass(frozen=True)
class LmsField:
    key: str
    label: str
    synonyms: tuple[str, ...]  # column names of LMS exports that hold it
    help: str


LMS_FIELDS: tuple[LmsField, ...] = (
    LmsField(
        "employee_number",
        "Employee number",
        (
            "Employee number",
            "Employee No",
            "Employee ID",
            "Emp ID",
            "User ID",
            "Staff ID",
            "Person number",
            "Learner ID",
            "Personnel number",
        ),
        "The person's employee number in the portal. The employee number or the email identifies the person.",
    ),
    LmsField(
        "email",
        "Email",
        ("Email", "Email Address", "E-mail", "User Email", "Learner Email", "Work Email"),
        "The person's email address. Used when the file has no employee number or the row leaves it empty.",
    ),
    LmsField(
        "course_code",
        "Course code",
        (
            "Course code",
            "Course ID",
            "Course",
            "Module code",
            "Learning item ID",
            "Item ID",
            "Activity code",
            "Course number",
        ),
        "The portal's course code (upper or lower case), e.g. SU-PRESENTING.",
    ),
    LmsField(
        "completed_at",
        "Completed at",
        (
            "Completed at",
            "Completion Date",
            "Completed On",
            "Date Completed",
            "Completed Date",
            "Completion Time",
            "Finished On",
            "End Date",
        ),
        "The day the course was completed (a date or a date and time, e.g. 2024-03-29, 29/03/2024 14:05).",
    ),
    LmsField(
        "score",
        "Score",
        ("Score", "Final Score", "Grade", "Score (%)", "Percentage", "Result Score", "Mark"),
        "The score from 0 to 100 (optional; 85 or 85%).",
    ),
    LmsField(
        "passed",
        "Passed",
        ("Passed", "Pass", "Status", "Result", "Completion Status", "Outcome", "Pass/Fail"),
        "Yes/No, True/False, 1/0 or Passed/Failed (optional). When the file has no such column, or a row "
        "leaves it empty, the row passed if it has no score or a score of at least the pass mark.",
    ),
)
FIELDS_BY_KEY = {field.key: field for field in LMS_FIELDS}
PERSON_FIELDS = ("employee_number", "email")
REQUIRED_FIELDS = ("course_code", "completed_at")


def _known_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for field in LMS_FIELDS:
        for name in (field.key, field.label, *field.synonyms):
            names.setdefault(_normalise_name(name), field.key)
    return names


_KNOWN = _known_names()


def suggest_mapping(columns: list[str]) -> Mapping:
    """A mapping for these columns: each field's first column whose name is the field's,
    its label or a name LMS exports use for it."""
    mapping: Mapping = {}
    for column in columns:
        key = _KNOWN.get(_normalise_name(column))
        if key is not None and key not in mapping:
            mapping[key] = column
    return mapping


LMS_ROWS = ExpectedRows("completions", lambda names: len(suggest_mapping(names)))


def check_mapping(mapping: Mapping, columns: list[str], hint: str | None = None) -> Mapping:
    """The mapping without empty choices; errors name the field and the column."""
    cleaned = {key: column for key, column in mapping.items() if column}
    problems: list[tuple[str, str]] = [
        ("Mapping", f"{key!r} is not a completion field") for key in cleaned if key not in FIELDS_BY_KEY
    ]
    if not any(column in columns for column in cleaned.values()):
        listed = ", ".join(columns[:12]) or "no columns"
        where = f", but {hint}" if hint else ""
        problems.append(
            (
                "File",
                f"none of its columns can be used{where}: map the person, the course code and the completion date "
                f"(the file has: {listed})",
            )
        )
    else:
        for key, column in cleaned.items():
            if key in FIELDS_BY_KEY and column not in columns:
                problems.append((FIELDS_BY_KEY[key].label, f"column {column!r} is not in the file"))
    if not any(key in cleaned for key in PERSON_FIELDS):
        problems.append(("Employee number or email", "choose the column that identifies the person (required)"))
    for key in REQUIRED_FIELDS:
        if key not in cleaned:
            problems.append((FIELDS_BY_KEY[key].label, "choose the column that holds it (required)"))
    used: dict[str, str] = {}
    for key, column in cleaned.items():
        if column in used and key in FIELDS_BY_KEY:
            problems.append(
                (
                    FIELDS_BY_KEY[key].label,
                    f"column {column!r} is already mapped to {FIELDS_BY_KEY[used[column]].label}",
                )
            )
        used.setdefault(column, key)
    if problems:
        raise InputError(problems)
    return cleaned


def template_csv() -> bytes:
    """The portal's LMS import template: the header row and two example completions."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([field.label for field in LMS_FIELDS])
    writer.writerow(["E00123", "", "SU-PRESENTING", "2025-03-14", "86", "Yes"])
    writer.writerow(["", "jo.smith@example.org", "SU-BUSINESS-CASE", "2025-03-21 15:30", "", "Yes"])
    return buffer.getvalue().encode("utf-8")
