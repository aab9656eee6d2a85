"""The fields of a customer survey export: what survey tools call each of them, how a
file's columns map to them, the checks on a mapping, the survey types with their scales and
the portal's own template. Files are read with the complaint import's machinery."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from models.complaints.staging import FieldList, ImportField
from models.i18n import N_


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


SURVEY_FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "answered_at",
        N_("Date"),
        ("Date", "Answered at", "Response date", "Survey date", "Submitted at", "Completed at", "Response Time"),
        N_("The day the customer answered (a date or a date and time, e.g. 2025-03-29, 29/03/2025 14:05)."),
    ),
    ImportField(
        "channel",
        N_("Channel"),
        ("Channel", "Contact channel", "Touchpoint", "Source channel", "Medium"),
        N_("Where the customer was served: phone, chat, email, app… (required)."),
    ),
    ImportField(
        "team",
        N_("Team or unit"),
        ("Team or unit", "Team", "Unit", "Department", "Queue", "Group", "Business unit"),
        N_(
            "The portal team that served the customer. A name that matches no team is kept as the unit given; "
            "the answer then counts for the organisation and its channel but for no team."
        ),
    ),
    ImportField(
        "survey_type",
        N_("Survey type"),
        ("Survey type", "Survey", "Type", "Metric", "Question type", "Survey name"),
        N_("NPS, CSAT or CES (also Net Promoter Score, Customer satisfaction, Customer effort)."),
    ),
    ImportField(
        "score",
        N_("Score"),
        ("Score", "Rating", "Answer", "Value", "Response score"),
        N_("A whole number on the survey's scale: NPS 0-10, CSAT 1-5, CES 1-7."),
    ),
    ImportField(
        "comment",
        N_("Comment"),
        ("Comment", "Comments", "Verbatim", "Feedback", "Open answer", "Free text", "Reason"),
        N_("What the customer wrote (optional). It may hold personal data: only analysts and leadership read it."),
    ),
    ImportField(
        "customer_id",
        N_("Customer ID"),
        ("Customer ID", "Customer", "Customer number", "Account ID", "Client ID"),
        N_("The customer's id in your systems (optional)."),
    ),
    ImportField(
        "external_id",
        N_("External ID"),
        ("External ID", "Response ID", "Answer ID", "Survey response ID", "Record ID", "ID"),
        N_(
            "The survey tool's id of the answer (optional). Re-importing a file never adds an answer twice: "
            "by this id when given, else by the answer's content."
        ),
    ),
)
REQUIRED_FIELDS = ("answered_at", "channel", "survey_type", "score")
FIELD_LIST = FieldList(
    SURVEY_FIELDS, REQUIRED_FIELDS, N_("survey answers"), N_("the date, channel, survey type and score")
)
FIELDS_BY_KEY = FIELD_LIST.by_key
SURVEY_ROWS = FIELD_LIST.expected_rows
suggest_mapping = FIELD_LIST.suggest_mapping
check_mapping = FIELD_LIST.check_mapping


def template_csv() -> bytes:
    """The portal's survey import template: the header row and three example answers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([field.label for field in SURVEY_FIELDS])
    writer.writerow(["2025-03-14", "Chat", "Cards & Payments", "CSAT", "5", "Quick and friendly, thanks.", "", "R-1"])
    writer.writerow(["2025-03-14", "Phone", "Home Loans", "NPS", "6", "Transferred twice.", "C-000123", "R-2"])
    writer.writerow(["2025-03-15", "Email", "", "CES", "5", "", "", "R-3"])
    return buffer.getvalue().encode("utf-8")
