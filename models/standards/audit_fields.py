"""The fields of a mystery-shopper export, one row per standard checked in an audit: what
shopper tools call each of them, the pass/fail words understood and the portal's template."""

from __future__ import annotations

import csv
import io
from typing import Any

from models.complaints.staging import FieldList, ImportField
from models.i18n import N_

PASSED = ("pass", "passed", "yes", "y", "true", "1", "met", "compliant")
FAILED = ("fail", "failed", "no", "n", "false", "0", "not met", "missed", "non-compliant")

AUDIT_FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "external_id",
        N_("Audit ID"),
        ("Audit ID", "Visit ID", "Shop ID", "Evaluation ID", "Mystery shop ID", "Reference", "ID"),
        N_(
            "The shopper's id of the audit (optional). Its rows are one audit, and re-importing it adds nothing "
            "twice. Without it, the rows of one date, channel, team and agent are one audit, known by its content."
        ),
    ),
    ImportField(
        "audited_on",
        N_("Date"),
        ("Date", "Audit date", "Visit date", "Shop date", "Evaluation date", "Contact date"),
        N_("The day of the audit (e.g. 2025-03-29, 29/03/2025); not in the future."),
    ),
    ImportField(
        "channel",
        N_("Channel"),
        ("Channel", "Contact channel", "Touchpoint", "Medium"),
        N_("Where the shopper was served: phone, chat, email… (required)."),
    ),
    ImportField(
        "team",
        N_("Team"),
        ("Team", "Team name", "Unit", "Department", "Queue", "Group"),
        N_("The portal team audited, by name (required)."),
    ),
    ImportField(
        "agent",
        N_("Agent"),
        ("Agent", "Employee", "Employee number", "Agent email", "Representative", "Rep", "Staff member"),
        N_("The agent audited, by employee number or email (optional: empty for an audit of the team)."),
    ),
    ImportField(
        "standard",
        N_("Standard"),
        ("Standard", "Standard code", "Item", "Checklist item", "Question", "Criterion"),
        N_("The standard checked, by its code or title; it must be on the checklist chosen."),
    ),
    ImportField(
        "result",
        N_("Result"),
        ("Result", "Outcome", "Score", "Rating", "Answer", "Pass/fail"),
        N_("Pass or fail (also yes/no, 1/0) for a pass/fail item; a whole number from 1 to 5 for a scored one."),
    ),
    ImportField(
        "notes",
        N_("Notes"),
        ("Notes", "Note", "Comment", "Comments", "Observations", "Remarks"),
        N_("What the shopper noted (optional); the notes of an audit's rows are kept together."),
    ),
)
REQUIRED_FIELDS = ("audited_on", "channel", "team", "standard", "result")
FIELD_LIST = FieldList(
    AUDIT_FIELDS, REQUIRED_FIELDS, N_("mystery audits"), N_("the date, channel, team, standard and result")
)
FIELDS_BY_KEY = FIELD_LIST.by_key
AUDIT_ROWS = FIELD_LIST.expected_rows
suggest_mapping = FIELD_LIST.suggest_mapping
check_mapping = FIELD_LIST.check_mapping


def template_csv(checklist: dict[str, Any]) -> bytes:
    """The import template for a checklist: the header row and one audit, a row per standard."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([field.label for field in AUDIT_FIELDS])
    for item in checklist["items"]:
        result = "Pass" if item["scale"] == "pass_fail" else "4"
        writer.writerow(
            ["MS-0001", "2025-03-14", "Phone", "Team name", "", item["code"], result, "Caller on hold 2 min"]
        )
    return buffer.getvalue().encode("utf-8")
