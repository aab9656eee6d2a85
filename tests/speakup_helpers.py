"""Small builders shared by the Speak-Up tests: an open cycle and a well-formed idea."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from models.access import CurrentUser
from models.db import Database
from models.speakup import cycles, ideas


def cycle_data(name: str = "2026 Q4", **overrides: Any) -> dict[str, Any]:
    today = date.today()
    data = {
        "name": name,
        "submission_opens": today - timedelta(days=10),
        "submission_closes": today + timedelta(days=20),
        "speakup_day": today + timedelta(days=30),
    }
    data.update(overrides)
    return data


def open_cycle(db: Database, leader: CurrentUser, name: str = "2026 Q4", **overrides: Any) -> int:
    """A cycle accepting submissions today, with the default criteria."""
    cycle_id = cycles.create_cycle(db, leader, cycle_data(name, **overrides))
    cycles.advance_phase(db, leader, cycle_id)
    return cycle_id


def idea_data(title: str = "Schedule callbacks instead of holding customers", **overrides: Any) -> dict[str, Any]:
    data = {
        "title": title,
        "problem": "Customers wait more than 15 minutes at peak and many hang up before reaching us.",
        "proposed_change": "Offer a callback slot in the IVR when the queue is longer than five minutes.",
        "annual_savings": 120_000,
        "annual_revenue": 0,
        "one_off_cost": 30_000,
        "annual_running_cost": 12_000,
        "customers_affected": 40_000,
        "kpi_name": "Average handle time",
        "kpi_expected_change": -20,
        "effort_days": 25,
        "milestones": [{"title": "IVR change live", "due_date": date.today() + timedelta(days=60)}],
    }
    data.update(overrides)
    return data


def submitted_idea(db: Database, author: CurrentUser, **overrides: Any) -> int:
    idea_id = ideas.save_draft(db, author, idea_data(**overrides))
    ideas.submit_idea(db, author, idea_id)
    return idea_id


def scores_for(cycle: cycles.Cycle, *values: int) -> dict[int, int]:
    """A score sheet: one value for every criterion, or one value per criterion in order."""
    if len(values) == 1:
        values = values * len(cycle.criteria)
    return {criterion.id: value for criterion, value in zip(cycle.criteria, values, strict=True)}


def count(db: Database, sql: str, params: list[Any] | None = None) -> int:
    return db.scalar(sql, params or [])
