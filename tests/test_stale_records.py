"""The one stale-record check: every versioned record refuses a save made on a version someone
else has since saved, with the same error and message, and keeps the first save."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from models import audit
from models.access import CurrentUser, Role
from models.actions import plan, workflow
from models.complaints import findings
from models.complaints.analysis import ComplaintFilter
from models.db import Database
from models.errors import StaleRecordError
from models.people import directory
from models.strategy import goals, kpis, vision
from tests.complaints_support import complaint, import_rows
from tests.test_actions import action_data


@dataclass
class Versioned:
    """How to create, save and read back one kind of versioned record in these tests."""

    noun: str
    role: Role
    create: Callable[[Database, CurrentUser], int]
    save: Callable[[Database, CurrentUser, int, str, int], Any]
    read: Callable[[Database, int], str]


def _create_action(db: Database, actor: CurrentUser) -> int:
    return workflow.create_action(db, actor, action_data(actor.employee_id))


def _goal_data(db: Database, actor: CurrentUser, name: str) -> dict[str, Any]:
    priority = vision.list_priorities(db)
    priority_id = (
        priority[0].id if priority else vision.create_priority(db, actor, {"title": "Effortless", "position": 1})
    )
    csat = kpis.kpi_by_code(db, "csat")
    return {
        "name": name,
        "priority_id": priority_id,
        "kpi_id": csat.id,
        "unit": csat.unit,
        "direction": csat.direction,
        "baseline_value": 70,
        "baseline_date": date(2025, 1, 1),
        "target_value": 85,
        "target_date": date(2099, 1, 1),
        "owner_id": actor.employee_id,
    }


def _person_data(name: str) -> dict[str, Any]:
    return {"employee_number": "E7001", "full_name": name, "email": "edited@example.org"}


def _create_finding(db: Database, actor: CurrentUser) -> int:
    with tempfile.TemporaryDirectory() as folder:
        import_rows(db, actor, Path(folder), [complaint("2024-01-10", "Fees", external_id="f1")])
    return findings.create_finding(db, actor, _finding_data("Late fees"), ComplaintFilter())


def _finding_data(title: str) -> dict[str, Any]:
    return {"title": title, "description": "Fees after a payment holiday.", "root_cause": "systems"}


RECORDS = {
    "action": Versioned(
        "action",
        Role.LEADERSHIP,
        _create_action,
        lambda db, actor, record_id, title, version: workflow.update_action(
            db, actor, record_id, action_data(plan.get_action(db, record_id).owner_id, title=title), version
        ),
        lambda db, record_id: plan.get_action(db, record_id).title,
    ),
    "goal": Versioned(
        "goal",
        Role.LEADERSHIP,
        lambda db, actor: goals.create_goal(db, actor, _goal_data(db, actor, "Lift CSAT")),
        lambda db, actor, record_id, name, version: goals.update_goal(
            db,
            actor,
            record_id,
            _goal_data(db, actor, name) | {"owner_id": goals.get_goal(db, record_id).owner_id},
            version,
        ),
        lambda db, record_id: goals.get_goal(db, record_id).name,
    ),
    "person": Versioned(
        "record",
        Role.HR,
        lambda db, actor: directory.create_employee(db, actor, _person_data("Mary Seacole")),
        lambda db, actor, record_id, name, version: directory.update_employee(
            db, actor, record_id, _person_data(name), expected_version=version
        ),
        lambda db, record_id: directory.get_employee(db, record_id).full_name,
    ),
    "finding": Versioned(
        "finding",
        Role.ANALYST,
        _create_finding,
        lambda db, actor, record_id, title, version: findings.update_finding(
            db, actor, record_id, _finding_data(title), version
        ),
        lambda db, record_id: db.scalar("SELECT title FROM findings WHERE id = ?", [record_id]),
    ),
}


@pytest.mark.parametrize("kind", list(RECORDS))
def test_a_save_on_a_version_someone_else_saved_is_refused_naming_them(db, make_user, kind):
    record = RECORDS[kind]
    first = make_user(record.role, full_name="Frieda First")
    second = make_user(record.role, full_name="Sam Second")
    record_id = record.create(db, first)
    record.save(db, first, record_id, "Saved by the first", 1)

    with pytest.raises(StaleRecordError) as refused:
        record.save(db, second, record_id, "Saved by the second", 1)

    message = str(refused.value)
    assert message.startswith("Changed by Frieda First at ")
    assert "UTC since you opened it" in message
    assert f"reload the {record.noun}" in message
    assert record.read(db, record_id) == "Saved by the first"


@pytest.mark.parametrize("kind", list(RECORDS))
def test_a_save_on_the_current_version_goes_through(db, make_user, kind):
    record = RECORDS[kind]
    editor = make_user(record.role)
    record_id = record.create(db, editor)
    record.save(db, editor, record_id, "First change", 1)
    record.save(db, editor, record_id, "Second change", 2)
    assert record.read(db, record_id) == "Second change"


def test_no_expected_version_means_nothing_can_be_stale(db):
    row = {"id": 1, "version": 5, "updated_at": datetime(2026, 1, 1)}
    db.write(lambda connection: audit.check_not_stale(connection, "finding", row, None, "finding"))


def test_a_change_nobody_is_recorded_for_is_said_to_be_by_someone(db):
    row = {"id": 99, "version": 2, "updated_at": datetime(2026, 3, 4, 5, 6)}
    with pytest.raises(StaleRecordError, match="Changed by someone at 2026-03-04 05:06 UTC since you opened it"):
        db.write(lambda connection: audit.check_not_stale(connection, "finding", row, 1, "finding"))
