"""Recognition of a period in figures, for dashboards and reports: kudos given and the
people they reached, and badges awarded by kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from models.i18n import N_
from models.recognition.badges import BADGE_LABELS

if TYPE_CHECKING:
    from models.db import Reader

DEFINITIONS = {  # marked for the catalogue; shown with _()
    "kudos": N_("Kudos given within the period and not hidden by HR."),
    "people": N_("Different people who received at least one of those kudos (a team's kudos reaches each member)."),
    "badges": N_("Badges the portal awarded within the period and had not withdrawn by its last day."),
}


@dataclass(frozen=True)
class RecognitionSummary:
    kudos: int
    people_recognised: int
    badges: int
    badges_by_kind: dict[str, int] = field(default_factory=dict)  # badge label -> count


def period_summary(db: Reader, start: date, end: date) -> RecognitionSummary:
    """Recognition from ``start`` to ``end`` (both included)."""
    after = end + timedelta(days=1)
    kudos = db.query_one(
        "SELECT count(DISTINCT k.id) AS kudos, count(DISTINCT r.employee_id) AS people FROM kudos k"
        " LEFT JOIN kudos_recipients r ON r.kudos_id = k.id"
        " WHERE k.hidden_at IS NULL AND k.given_at >= ? AND k.given_at < ?",
        [start, after],
    ) or {"kudos": 0, "people": 0}
    rows = db.query(
        "SELECT kind, count(*) AS badges FROM recognitions"
        " WHERE awarded_at >= $start AND awarded_at < $after AND (withdrawn_at IS NULL OR withdrawn_at >= $after)"
        " GROUP BY kind ORDER BY badges DESC, kind",
        {"start": start, "after": after},
    )
    by_kind = {BADGE_LABELS.get(row["kind"], row["kind"]): int(row["badges"]) for row in rows}
    return RecognitionSummary(
        kudos=int(kudos["kudos"] or 0),
        people_recognised=int(kudos["people"] or 0),
        badges=sum(by_kind.values()),
        badges_by_kind=by_kind,
    )
