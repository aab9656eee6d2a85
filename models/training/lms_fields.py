"""The fields of an LMS completion export: what each is called in the exports of common
learning systems, how a file's columns map to them, the checks on a mapping and the
portal's own template. Files are read with the complaint import's machinery."""

from __future__ import annotations

import csv
import io

from models.complaints.staging import FieldList, ImportField
from models.i18n import N_

LMS_FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "employee_number",
        N_("Employee number"),
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
        N_("The person's employee number in the portal. The employee number or the email identifies the person."),
    ),
    ImportField(
        "email",
        N_("Email"),
        ("Email", "Email Address", "E-mail", "User Email", "Learner Email", "Work Email"),
        N_("The person's email address. Used when the file has no employee number or the row leaves it empty."),
    ),
    ImportField(
        "course_code",
        N_("Course code"),
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
        N_("The portal's course code (upper or lower case), e.g. SU-PRESENTING."),
    ),
    ImportField(
        "completed_at",
        N_("Completed at"),
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
        N_("The day the course was completed (a date or a date and time, e.g. 2024-03-29, 29/03/2024 14:05)."),
    ),
    ImportField(
        "score",
        N_("Score"),
        ("Score", "Final Score", "Grade", "Score (%)", "Percentage", "Result Score", "Mark"),
        N_("The score from 0 to 100 (optional; 85 or 85%)."),
    ),
    ImportField(
        "passed",
        N_("Passed"),
        ("Passed", "Pass", "Status", "Result", "Completion Status", "Outcome", "Pass/Fail"),
        N_(
            "Yes/No, True/False, 1/0 or Passed/Failed (optional). When the file has no such column, or a row "
            "leaves it empty, the row passed if it has no score or a score of at least the pass mark."
        ),
    ),
)
PERSON_FIELDS = ("employee_number", "email")
REQUIRED_FIELDS = ("course_code", "completed_at")
FIELD_LIST = FieldList(
    LMS_FIELDS,
    REQUIRED_FIELDS,
    N_("completions"),
    N_("the person, the course code and the completion date"),
    one_of=PERSON_FIELDS,
    one_of_problem=(N_("Employee number or email"), N_("choose the column that identifies the person (required)")),
)
FIELDS_BY_KEY = FIELD_LIST.by_key
LMS_ROWS = FIELD_LIST.expected_rows
suggest_mapping = FIELD_LIST.suggest_mapping
check_mapping = FIELD_LIST.check_mapping


def template_csv() -> bytes:
    """The portal's LMS import template: the header row and two example completions."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([field.label for field in LMS_FIELDS])
    writer.writerow(["E00123", "", "SU-PRESENTING", "2025-03-14", "86", "Yes"])
    writer.writerow(["", "jo.smith@example.org", "SU-BUSINESS-CASE", "2025-03-21 15:30", "", "Yes"])
    return buffer.getvalue().encode("utf-8")
