"""The effectiveness review of a finished action: its KPI before and after, and the verdict."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import duckdb
from pydantic import BaseModel

from models import audit
from models.access import CurrentUser
from models.actions.plan import DEFAULT_REVIEW_WINDOW_DAYS, NOTE_MAX, VERDICT_LABELS, VERDICTS, get_action
from models.actions.workflow import _load_for_change, _log, note_too_long
from models.db import utc_now
from models.errors import InputError
from models.i18n import _
from models.inputs import entered_text

if TYPE_CHECKING:
    from models.db import Database


# -- effectiveness review ------------------------------------------------------------
class EffectivenessReview(BaseModel):
    """The KPI's mean over equal windows before and after an action was completed."""

    kpi_id: int
    kpi_name: str
    unit: str
    direction: str
    completed_on: date
    window_days: int
    before_mean: float | None
    after_mean: float | None
    before_count: int
    after_count: int

    @property
    def change(self) -> float | None:
        if self.before_mean is None or self.after_mean is None:
            return None
        return self.after_mean - self.before_mean

    @property
    def improved(self) -> bool | None:
        """Did the KPI move the right way (up when higher is better, down when lower)?"""
        if self.change is None:
            return None
        return self.change > 0 if self.direction == "higher" else self.change < 0


def effectiveness(
    db: Database, action_id: int, *, window_days: int = DEFAULT_REVIEW_WINDOW_DAYS, today: date | None = None
) -> EffectivenessReview | None:
    """Before/after means of the linked KPI around the completion date, over equal windows.

    When less than ``window_days`` have passed since completion, both windows shrink to
    the days that have passed so they stay equal. The action's own KPI, else its goal's.
    None unless the action is done and has a KPI either way."""
    from models.strategy import kpis

    action = get_action(db, action_id)
    if action is None or action.status != "done" or action.completed_on is None:
        return None
    kpi_id = action.kpi_id
    if kpi_id is None and action.goal_id is not None:  # the linked goal's KPI stands in
        goal = db.query_one("SELECT kpi_id FROM goals WHERE id = ?", [action.goal_id])
        kpi_id = goal["kpi_id"] if goal else None
    if kpi_id is None:
        return None
    kpi = kpis.get_kpi(db, kpi_id)
    if kpi is None:
        return None
    elapsed = ((today or date.today()) - action.completed_on).days
    window = max(0, min(window_days, elapsed))
    done = action.completed_on
    before = kpis.kpi_window_mean(db, kpi, done - timedelta(days=window), done)
    after = kpis.kpi_window_mean(db, kpi, done, done + timedelta(days=window))
    return EffectivenessReview(
        kpi_id=kpi.id,
        kpi_name=kpi.shown_name,
        unit=kpi.shown_unit,
        direction=kpi.direction,
        completed_on=done,
        window_days=window,
        before_mean=before[0],
        after_mean=after[0],
        before_count=before[1],
        after_count=after[1],
    )


def record_verdict(
    db: Database,
    actor: CurrentUser,
    action_id: int,
    verdict: str,
    note: str = "",
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> None:
    """The owner (or leadership) says whether a done action moved the KPI (``at``, default now)."""
    if verdict not in VERDICTS:
        raise InputError.single(_("Verdict"), _("choose effective, partly or not effective"))
    note = entered_text(note)
    if len(note) > NOTE_MAX:
        raise InputError.single(_("Note"), note_too_long())

    def review(connection: duckdb.DuckDBPyConnection):
        now = at or utc_now()
        before = _load_for_change(connection, actor, action_id, expected_version)
        if before["status"] != "done":
            raise InputError.single(_("Verdict"), _("only a done action can be reviewed"))
        connection.execute(
            "UPDATE actions SET effectiveness_verdict = ?, effectiveness_note = ?, reviewed_by = ?, reviewed_at = ?,"
            " updated_by = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [verdict, note, actor.employee_id, now, actor.employee_id, now, action_id],
        )
        _log(connection, action_id, actor, "review", f"{VERDICT_LABELS[verdict]}. {note}".strip(), posted_at=now)
        after = audit.row_as_dict(connection, "actions", "id", action_id)
        audit.record(connection, actor, "action", action_id, "review", before, after, at=now)

    db.write(review)
