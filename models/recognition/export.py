"""HR's export of recognition for a period: every kudos (hidden ones with their reason) and
every badge awarded (withdrawn ones with the day), one row each, for CSV or XLSX."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.access import CurrentUser, Permission, require
from models.i18n import _
from models.inbox.texts import shown_stored
from models.recognition.badges import REVERSED, badge_label
from models.recognition.kudos import competency_name
from models.recognition.leaderboard import period_bounds

if TYPE_CHECKING:
    from datetime import date

    import pandas as pd

    from models.db import Reader

# the words of the export's own (who gave a badge, a team, a tag) are put in the exporter's
# language after the query; a kudos' message, a hiding reason and names stay as entered
_EXPORT_SQL = """
    SELECT k.given_at AS occurred_at, 'kudos' AS kind, g.full_name AS given_by,
           coalesce(p.full_name, 'Team ' || t.name) AS given_to, p.full_name AS person, t.name AS team,
           (SELECT count(*) FROM kudos_recipients r WHERE r.kudos_id = k.id) AS people_reached,
           c.code AS competency_code, c.name AS competency, v.name AS company_value, NULL AS badge,
           k.message, NULL AS message_msgid, NULL AS values_json,
           k.hidden_at IS NOT NULL AS hidden, k.hidden_reason AS hidden_or_withdrawn_reason
    FROM kudos k JOIN employees g ON g.id = k.giver_id
    LEFT JOIN employees p ON p.id = k.recipient_id LEFT JOIN teams t ON t.id = k.team_id
    LEFT JOIN competencies c ON c.id = k.competency_id LEFT JOIN company_values v ON v.id = k.value_id
    WHERE k.given_at >= $start AND k.given_at < $end
    UNION ALL
    SELECT r.awarded_at, 'badge', NULL, e.full_name, e.full_name, NULL, 1, NULL, NULL, NULL, r.kind,
           r.message, r.message_msgid, r.values_json, r.withdrawn_at IS NOT NULL, r.withdrawn_reason
    FROM recognitions r JOIN employees e ON e.id = r.employee_id
    WHERE r.awarded_at >= $start AND r.awarded_at < $end
    ORDER BY occurred_at, kind, given_to
"""
COLUMNS = [
    "occurred_at",
    "kind",
    "given_by",
    "given_to",
    "people_reached",
    "tag",
    "message",
    "hidden",
    "hidden_or_withdrawn_reason",
]


def recognition_export(db: Reader, viewer: CurrentUser, period: str, on: date) -> pd.DataFrame:
    """Recognition of the month, quarter or year holding ``on``, for HR, in HR's language."""
    require(viewer, Permission.RECOGNITION_MANAGE)
    start, end, _period = period_bounds(period, on)
    frame = db.frame(_EXPORT_SQL, {"start": start, "end": end})
    rows = frame.to_dict("records")
    frame["given_by"] = [row["given_by"] if row["kind"] == "kudos" else _("the portal") for row in rows]
    frame["given_to"] = [_given_to(row) for row in rows]
    frame["tag"] = [_tag(row) for row in rows]
    frame["message"] = [
        shown_stored(_stored(row["message_msgid"]), _stored(row["values_json"]), row["message"])
        if row["kind"] == "badge"
        else row["message"]
        for row in rows
    ]
    frame["hidden_or_withdrawn_reason"] = [
        _(REVERSED)
        if row["kind"] == "badge" and row["hidden_or_withdrawn_reason"] == REVERSED
        else row["hidden_or_withdrawn_reason"]
        for row in rows
    ]
    return frame[COLUMNS]


def _given_to(row: dict) -> str:
    if row["kind"] == "badge" or _present(row["person"]):
        return row["person"]
    return _("Team {name}", name=row["team"])


def _tag(row: dict) -> str | None:
    if row["kind"] == "badge":
        return badge_label(row["badge"])
    if _present(row["competency"]):
        return _("Competency: {name}", name=competency_name(row["competency_code"], row["competency"]))
    if _present(row["company_value"]):
        return _("Value: {name}", name=row["company_value"])
    return None


def _present(value: object) -> bool:
    return isinstance(value, str)


def _stored(value: object) -> str | None:
    """A text column's value (a missing one reads as NaN in a frame)."""
    return value if isinstance(value, str) else None


def export_file_stem(period: str, on: date) -> str:
    """The downloaded file's name: ``recognition-2026-q1`` and the like."""
    *_bounds, label = period_bounds(period, on)
    return _("recognition-{period}", period=label.lower().replace(" ", "-"))
