"""The quarterly programme report (SPEC §9): one page per quarter combining goals, complaints,
the action plan, the Speak-Up cycle, training, coaching, recognition, engagement, the voice of
the customer and service-standard compliance — each figure taken from its area's own function
for the quarter, as of the quarter's last day (or today, for the quarter still running), with
a one-line definition and the data of the section's chart (``sections``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from models.access import CurrentUser, Permission, require
from models.errors import InputError
from models.i18n import N_, _, current_language, use_language
from models.reports import sections
from models.reports.records import (
    Chart,
    ChartRow,
    Figure,
    Quarter,
    QuarterlyReport,
    Section,
    last_complete_quarter,
    quarter_of,
    shown,
)
from models.settings import get_settings

if TYPE_CHECKING:
    import pandas as pd

    from models.db import Database

__all__ = [
    "Chart",
    "ChartRow",
    "Figure",
    "Quarter",
    "QuarterlyReport",
    "Section",
    "available_quarters",
    "figures_frame",
    "last_complete_quarter",
    "quarter_of",
    "report",
    "shown",
]


def report(
    db: Database,
    user: CurrentUser,
    year: int,
    quarter: int,
    *,
    today: date | None = None,
    organisation: str | None = None,
) -> QuarterlyReport:
    """The report of a quarter (leadership: all dashboards), as of its last day — or as of
    ``today`` while it runs, written in the current language. A quarter that has not begun is
    refused, naming the field."""
    require(user, Permission.DASHBOARDS_ALL)
    today = today or date.today()
    if quarter not in (1, 2, 3, 4):
        raise InputError.single(_("Quarter"), _("must be 1, 2, 3 or 4, not {quarter}", quarter=quarter))
    period = Quarter(year=year, number=quarter)
    if period.start > today:
        raise InputError.single(_("Quarter"), _("{quarter} has not begun yet", quarter=period.title))
    start, as_of = period.start, min(period.end, today)
    settings = get_settings()
    built = [
        sections.goals_section(db, as_of),
        sections.complaints_section(db, user, start, as_of),
        sections.actions_section(db, start, as_of),
        sections.speakup_section(db, user, start, as_of),
        sections.training_section(db, user, as_of),
        sections.coaching_section(db, user, start, as_of),
        sections.recognition_section(db, start, as_of),
        sections.engagement_section(db, user, start, as_of, today),
        sections.customers_section(db, user, start, as_of),
        sections.standards_section(db, user, start, as_of),
    ]
    return QuarterlyReport(
        organisation=organisation or settings.organisation_name,
        quarter=period,
        as_of=as_of,
        currency=settings.currency,
        sections=built,
        language=current_language(),
    )


_FIRST_DAYS_SQL = """
    SELECT min(day) FROM (
        SELECT min(received_date) AS day FROM complaints
        UNION ALL SELECT min(coached_on) FROM coaching_sessions
        UNION ALL SELECT min(given_at)::DATE FROM kudos
        UNION ALL SELECT min(speakup_day) FROM idea_cycles
        UNION ALL SELECT min(answered_on) FROM customer_survey_answers
        UNION ALL SELECT min(audited_on) FROM mystery_audits
        UNION ALL SELECT min(closes_on) FROM surveys
    )
"""


def available_quarters(db: Database, today: date | None = None) -> list[Quarter]:
    """The quarters the portal has data for, newest first: from the quarter of the earliest
    complaint, coaching session, kudos, Speak-Up Day, customer answer, audit or survey to today's."""
    today = today or date.today()
    first = db.scalar(_FIRST_DAYS_SQL)
    current = quarter_of(today)
    if first is None:
        return [current]
    quarters, cursor = [], current
    first_quarter = quarter_of(min(first, today))
    while (cursor.year, cursor.number) >= (first_quarter.year, first_quarter.number):
        quarters.append(cursor)
        cursor = cursor.previous()
    return quarters


# The download's column headers, in the report's language
FRAME_COLUMNS = {
    "section": N_("section"),
    "figure": N_("figure"),
    "value": N_("value"),
    "unit": N_("unit"),
    "definition": N_("definition"),
    "quarter": N_("quarter"),
}


def figures_frame(report: QuarterlyReport) -> pd.DataFrame:
    """One row per figure — section, figure, value, unit, definition, quarter — for CSV/XLSX,
    headed in the report's language (the values are numbers, for a spreadsheet to compute)."""
    import pandas as pd

    with use_language(report.language):  # the download is built on click, outside the page run
        quarter = report.quarter.title
        headers = {key: _(header) for key, header in FRAME_COLUMNS.items()}
    frame = pd.DataFrame(
        [
            {
                "section": section.title,
                "figure": figure.name,
                "value": figure.value,
                "unit": figure.unit,
                "definition": figure.definition,
                "quarter": quarter,
            }
            for section, figure in report.figures()
        ],
        columns=list(FRAME_COLUMNS),
    )
    return frame.rename(columns=headers)
