"""Completions with their true dates (rules 4 and 5 of ``models.training``): HR records one by
hand, imports and Speak-Up attendance store many at once through ``store_completions``, and
after each store the closing rule is recomputed for the (person, course) pairs it touched, so a
completion dated years back closes the assignments that were open on its date and no other."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
from pydantic import BaseModel, Field

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import utc_now
from models.errors import InputError, validate
from models.inputs import InputRecord
from models.recognition import badges
from models.training.assignments import assign_due_refreshers, refresh_open_keys

if TYPE_CHECKING:
    from models.db import Database

SOURCES = ("manual", "import", "session")


class CompletionInput(InputRecord):
    """One completion as it happened: the day, the score (0–100) and whether it was passed."""

    employee_id: int = Field(title="Person")
    course_id: int = Field(title="Course")
    completed_on: date = Field(title="Completed on")
    score: float | None = Field(default=None, title="Score", ge=0, le=100)
    passed: bool = Field(title="Passed")


class StoredCompletions(BaseModel):
    inserted: int
    duplicates: int


_INCOMING_SCHEMA = pa.schema(
    [
        ("position", pa.int64()),
        ("employee_id", pa.int32()),
        ("course_id", pa.int32()),
        ("completed_on", pa.date32()),
        ("score", pa.float64()),
        ("passed", pa.bool_()),
    ]
)


def _incoming(items: Sequence[CompletionInput]) -> pa.Table:
    return pa.table(
        {
            "position": list(range(len(items))),
            "employee_id": [item.employee_id for item in items],
            "course_id": [item.course_id for item in items],
            "completed_on": [item.completed_on for item in items],
            "score": [item.score for item in items],
            "passed": [item.passed for item in items],
        },
        schema=_INCOMING_SCHEMA,
    )


def store_completions(
    connection: duckdb.DuckDBPyConnection,
    items: Sequence[CompletionInput],
    *,
    source: str,
    import_id: int | None,
    recorded_by: int | None,
    at: datetime,
) -> StoredCompletions:
    """Store completions in one statement, skipping any already recorded (same person, course
    and day, in the database or earlier in ``items``), with the day each expires (rule 5); then
    close the assignments they close (rule 4) and assign the refreshers that have come due.
    Runs inside the caller's write; the caller checks permission and audits."""
    if source not in SOURCES:
        raise ValueError(f"unknown completion source {source!r}")
    if not items:
        return StoredCompletions(inserted=0, duplicates=0)
    connection.register("incoming_completions", _incoming(items))
    try:
        inserted = connection.execute(
            "INSERT INTO training_completions (id, employee_id, course_id, completed_on, score, passed, expires_on,"
            " source, import_id, recorded_by, recorded_at)"
            " SELECT nextval('seq_training_completions'), i.employee_id, i.course_id, i.completed_on, i.score,"
            " i.passed, CASE WHEN i.passed AND c.refresher_months IS NOT NULL"
            " THEN CAST(i.completed_on + to_months(c.refresher_months) AS DATE) END, ?, ?, ?, ?"
            " FROM (SELECT *, row_number() OVER (PARTITION BY employee_id, course_id, completed_on"
            " ORDER BY position) AS nth FROM incoming_completions) i JOIN courses c ON c.id = i.course_id"
            " WHERE i.nth = 1 AND NOT EXISTS (SELECT 1 FROM training_completions t WHERE t.employee_id = i.employee_id"
            " AND t.course_id = i.course_id AND t.completed_on = i.completed_on)"
            " ORDER BY i.position",
            [source, import_id, recorded_by, at],
        ).fetchone()[0]
        connection.execute(
            "CREATE OR REPLACE TEMP TABLE training_touched_pairs AS"
            " SELECT DISTINCT employee_id, course_id FROM incoming_completions"
        )
    finally:
        connection.unregister("incoming_completions")
    _close_assignments(connection, "training_touched_pairs", at)
    connection.execute("DROP TABLE training_touched_pairs")
    assign_due_refreshers(connection, today=at.date(), at=at)
    people = sorted({item.employee_id for item in items})
    badges.refresh_badges(connection, at=at, kinds=[badges.COURSE_PATH], employee_ids=people)
    return StoredCompletions(inserted=int(inserted), duplicates=len(items) - int(inserted))


def _close_assignments(connection: duckdb.DuckDBPyConnection, pairs_table: str, at: datetime) -> None:
    """Rule 4, recomputed for every assignment of the pairs in ``pairs_table`` at once: closed
    by the earliest passed completion dated on or after the day it was made and before the day
    it was cancelled; otherwise open, or cancelled when it was."""
    connection.execute(
        "UPDATE training_assignments SET status = n.status, completion_id = n.completion_id,"  # noqa: S608 - our name
        " updated_at = ?, version = version + 1"
        " FROM (SELECT id, CASE WHEN first_completion IS NOT NULL THEN 'completed'"
        " WHEN cancelled_at IS NOT NULL THEN 'cancelled' ELSE 'open' END AS status,"
        " first_completion AS completion_id FROM ("
        "   SELECT a.id, a.cancelled_at, arg_min(c.id, c.completed_on) AS first_completion"
        "   FROM training_assignments a LEFT JOIN training_completions c ON c.employee_id = a.employee_id"
        "   AND c.course_id = a.course_id AND c.passed AND c.completed_on >= a.assigned_on"
        "   AND (a.cancelled_at IS NULL OR c.completed_on < CAST(a.cancelled_at AS DATE))"
        f"   WHERE (a.employee_id, a.course_id) IN (SELECT employee_id, course_id FROM {pairs_table})"
        "   GROUP BY a.id, a.cancelled_at)) n"
        " WHERE training_assignments.id = n.id AND (training_assignments.status IS DISTINCT FROM n.status"
        " OR training_assignments.completion_id IS DISTINCT FROM n.completion_id)",
        [at],
    )
    refresh_open_keys(connection, pairs_table)


def apply_closing_rule(
    connection: duckdb.DuckDBPyConnection, pairs: Sequence[tuple[int, int]] | None, *, at: datetime
) -> None:
    """Recompute rule 4 for these (employee_id, course_id) pairs, or for every assignment when
    ``pairs`` is None — after completions were removed, say. Runs inside the caller's write."""
    if pairs is None:
        source = "SELECT DISTINCT employee_id, course_id FROM training_assignments"
        connection.execute(f"CREATE OR REPLACE TEMP TABLE training_touched_pairs AS {source}")  # noqa: S608
    else:
        table = pa.table(
            {"employee_id": [pair[0] for pair in pairs], "course_id": [pair[1] for pair in pairs]},
            schema=pa.schema([("employee_id", pa.int32()), ("course_id", pa.int32())]),
        )
        connection.register("given_training_pairs", table)
        try:
            connection.execute(
                "CREATE OR REPLACE TEMP TABLE training_touched_pairs AS"
                " SELECT DISTINCT employee_id, course_id FROM given_training_pairs"
            )
        finally:
            connection.unregister("given_training_pairs")
    _close_assignments(connection, "training_touched_pairs", at)
    connection.execute("DROP TABLE training_touched_pairs")


def completion_problems(
    connection: duckdb.DuckDBPyConnection, item: CompletionInput, today: date
) -> list[tuple[str, str]]:
    """What is wrong with one completion, field by field: an unknown person or course, a day
    in the future or before the person was hired."""
    problems = []
    person = connection.execute(
        "SELECT full_name, hire_date FROM employees WHERE id = ?", [item.employee_id]
    ).fetchone()
    if person is None:
        problems.append(("Person", "no such employee"))
    if not connection.execute("SELECT 1 FROM courses WHERE id = ?", [item.course_id]).fetchone():
        problems.append(("Course", "no such course"))
    if item.completed_on > today:
        problems.append(("Completed on", "cannot be in the future"))
    elif person is not None and person[1] is not None and item.completed_on < person[1]:
        problems.append(("Completed on", f"cannot be before {person[0]} was hired ({person[1]:%Y-%m-%d})"))
    return problems


def record_completion(
    db: Database, actor: CurrentUser, item: CompletionInput | dict, *, at: datetime | None = None
) -> int:
    """HR records one completion by hand, dated the day it happened; returns its id."""
    require(actor, Permission.TRAINING_MANAGE)
    record = item if isinstance(item, CompletionInput) else validate(CompletionInput, item)
    when = at or utc_now()

    def store(connection: duckdb.DuckDBPyConnection) -> int:
        problems = completion_problems(connection, record, when.date())
        if problems:
            raise InputError(problems)
        stored = store_completions(
            connection, [record], source="manual", import_id=None, recorded_by=actor.employee_id, at=when
        )
        if stored.inserted == 0:
            raise InputError.single("Completed on", "a completion of this course on that day is already recorded")
        completion_id = connection.execute(
            "SELECT id FROM training_completions WHERE employee_id = ? AND course_id = ? AND completed_on = ?",
            [record.employee_id, record.course_id, record.completed_on],
        ).fetchone()[0]
        after = audit.row_as_dict(connection, "training_completions", "id", completion_id)
        audit.record(connection, actor, "training_completion", completion_id, "record", None, after, at=when)
        return int(completion_id)

    return db.write(store)
