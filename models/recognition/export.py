"""HR's export of recognition for a period: every kudos (hidden ones with their reason) and
every badge awarded (withdrawn ones with the day), one row each, for CSV or XLSX."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.access import CurrentUser, Permission, require
from models.recognition.badges import BADGE_LABELS
from models.recognition.leaderboard import period_bounds

if TYPE_CHECKING:
    from datetime import date

    import pandas as pd

    from models.db import Reader

_EXPORT_SQL = """
    SELECT k.given_at AS occurred_at, 'kudos' AS kind, g.full_name AS given_by,
           coalesce(p.full_name, 'Team ' || t.name) AS given_to,
           (SELECT count(*) FROM kudos_recipients r WHERE r.kudos_id = k.id) AS people_reached,
           coalesce('Competency: ' || c.name, 'Value: ' || v.name) AS tag, k.message,
           k.hidden_at IS NOT NULL AS hidden, k.hidden_reason AS hidden_or_withdrawn_reason
    FROM kudos k JOIN employees g ON g.id = k.giver_id
    LEFT JOIN employees p ON p.id = k.recipient_id LEFT JOIN teams t ON t.id = k.team_id
    LEFT JOIN competencies c ON c.id = k.competency_id LEFT JOIN company_values v ON v.id = k.value_id
    WHERE k.given_at >= $start AND k.given_at < $end
    UNION ALL
    SELECT r.awarded_at, 'badge', 'the portal', e.full_name, 1, coalesce(l.label, r.kind), r.message,
           r.withdrawn_at IS NOT NULL, r.withdrawn_reason
    FROM recognitions r JOIN employees e ON e.id = r.employee_id
    LEFT JOIN (SELECT unnest($kinds) AS kind, unnest($labels) AS label) l ON l.kind = r.kind
    WHERE r.awarded_at >= $start AND r.awarded_at < $end
    ORDER BY occurred_at, kind, given_to
"""


def recognition_export(db: Reader, viewer: CurrentUser, period: str, on: date) -> pd.DataFrame:
    """Recognition of the month, quarter or year holding ``on``, for HR."""
    require(viewer, Permission.RECOGNITION_MANAGE)
    start, end, _ = period_bounds(period, on)
    params = {"start": start, "end": end, "kinds": list(BADGE_LABELS), "labels": list(BADGE_LABELS.values())}
    return db.frame(_EXPORT_SQL, params)


def export_file_stem(period: str, on: date) -> str:
    """The downloaded file's name: ``recognition-2026-q1`` and the like."""
    _, _, label = period_bounds(period, on)
    return "recognition-" + label.lower().replace(" ", "-")
