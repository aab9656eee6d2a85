"""The column headers of the training tables, in the reader's language. The tables keep their
own column names, so a download keeps the machine-friendly headers."""

from __future__ import annotations

from models.i18n import _


def training_column_labels() -> dict[str, str]:
    """Headers of the columns the training pages show (English as ``column_label`` writes them)."""
    return {
        "code": _("Code"),
        "title": _("Title"),
        "name": _("Name"),
        "description": _("Description"),
        "competency": _("Competency"),
        "format": _("Format"),
        "hours": _("Hours"),
        "due_within_days": _("Due within days"),
        "refresher_months": _("Refresher months"),
        "mandatory_for": _("Mandatory for"),
        "mandatory_roles": _("Mandatory roles"),
        "active": _("Active"),
        "version": _("Version"),
        "saved_at": _("Saved at"),
        "saved_by": _("Saved by"),
        "course_code": _("Course code"),
        "course": _("Course"),
        "mandatory": _("Mandatory"),
        "assigned_on": _("Assigned on"),
        "due_on": _("Due on"),
        "days_overdue": _("Days overdue"),
        "days_left": _("Days left"),
        "expires_on": _("Expires on"),
        "refresher_due_on": _("Refresher due on"),
        "completed_on": _("Completed on"),
        "score": _("Score"),
        "passed": _("Passed"),
        "state": _("State"),
        "validity": _("Validity"),
        "valid_until": _("Valid until"),
        "days_to_due": _("Days to due"),
        "days_valid_left": _("Days valid left"),
        "cancelled_on": _("Cancelled on"),
        "cancel_reason": _("Cancel reason"),
        "status": _("Status"),
        "source": _("Source"),
        "team": _("Team"),
        "people": _("People"),
        "person": _("Person"),
        "employee_number": _("Employee number"),
        "compliant": _("Compliant"),
        "due": _("Due"),
        "overdue": _("Overdue"),
        "expiring": _("Expiring"),
        "compliance": _("Compliance"),
    }
