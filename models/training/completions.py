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
from models.db import next_ids, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _, ngettext
from models.inputs import InputRecord
from models.recognition import badges
from models.training.assignments import assign_due_refreshers, refresh_open_keys

if TYPE_CHECKING:
    from models.db import Database

SOURCES = ("manual", "import", "session")


class CompletionInput(InputRecord):
    """One completion as it happened: the day, the score (0–100) and whether it was passed."""

    employee_id: int = Field(title=N_("Person"))
    course_id: int = Field(title=N_("Course"))
    completed_on: date = Field(title=N_("Completed on"))
    score: float | None = Field(default=None, title=N_("Score"), ge=0, le=100)
    passed: bool = Field(title=N_("Passed"))


class StoredCompletions(BaseModel):
    inserted: int
    duplicates: int


COMPLETION_ROWS = pa.schema(
    [
        ("employee_id", pa.int32()),
        ("course_id", pa.int32()),
        ("completed_on", pa.date32()),
        ("score", pa.float64()),
        ("passed", pa.bool_()),
    ]
)
"""The columns of ``store_completion_rows``: one completion a row, as ``CompletionInput`` has them."""


def _rows(items: Sequence[CompletionInput]) -> pa.Table:
    return pa.table(
        {
            "employee_id": [item.employee_id for item in items],
            "course_id": [item.course_id for item in items],
            "completed_on": [item.completed_on for item in items],
            "score": [item.score for item in items],
            "passed": [item.passed for item in items],
        },
        schema=COMPLETION_ROWS,
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
    """Store checked completions (see ``store_completion_rows``). Runs inside the caller's
    write; the caller checks permission and audits."""
    return store_completion_rows(
        connection, _rows(items), source=source, import_id=import_id, recorded_by=recorded_by, at=at
    )


def store_completion_rows(
    connection: duckdb.DuckDBPyConnection,
    rows: pa.Table,
    *,
    source: str,
    import_id: int | None,
    recorded_by: int | None,
    at: datetime,
) -> StoredCompletions:
    """Store completions given as columns (``COMPLETION_ROWS``) in one statement, skipping any
    already recorded (same person, course and day, in the database or earlier in ``rows``),
    with the day each expires (rule 5); then close the assignments they close (rule 4) and
    assign the refreshers that have come due.

    The rows are taken as they are: what people enter is checked first (``CompletionInput``
    and ``completion_problems`` one at a time, ``row_problems`` for a batch), and a batch
    needs no record a row.
    Runs inside the caller's write; the caller checks permission and audits."""
    if source not in SOURCES:
        raise ValueError(f"unknown completion source {source!r}")
    if rows.num_rows == 0:
        return StoredCompletions(inserted=0, duplicates=0)
    incoming = rows.select(COMPLETION_ROWS.names).cast(COMPLETION_ROWS)
    incoming = incoming.append_column("position", pa.array(range(incoming.num_rows), pa.int64()))
    connection.register("incoming_completions", incoming)
    try:
        inserted = _insert_new_completions(
            connection, source=source, import_id=import_id, recorded_by=recorded_by, at=at
        )
        connection.execute(
            "CREATE OR REPLACE TEMP TABLE training_touched_pairs AS"
            " SELECT DISTINCT employee_id, course_id FROM incoming_completions"
        )
    finally:
        connection.unregister("incoming_completions")
    _close_assignments(connection, "training_touched_pairs", at)
    connection.execute("DROP TABLE training_touched_pairs")
    assign_due_refreshers(connection, today=at.date(), at=at)
    people = sorted(set(incoming.column("employee_id").to_pylist()))
    badges.refresh_badges(connection, at=at, kinds=[badges.COURSE_PATH], employee_ids=people)
    return StoredCompletions(inserted=int(inserted), duplicates=rows.num_rows - int(inserted))


def _insert_new_completions(
    connection: duckdb.DuckDBPyConnection, *, source: str, import_id: int | None, recorded_by: int | None, at: datetime
) -> int:
    """Insert the rows of ``incoming_completions`` not yet recorded; returns how many. Ids follow
    the rows' order (taken with ``next_ids``, not drawn while a parallel scan runs), so the
    same rows always get the same ids and the demo is the same on every build."""
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE training_new_completions AS"
        " SELECT row_number() OVER (ORDER BY i.position) AS rank, i.employee_id, i.course_id, i.completed_on,"
        " i.score, i.passed, CASE WHEN i.passed AND c.refresher_months IS NOT NULL"
        " THEN CAST(i.completed_on + to_months(c.refresher_months) AS DATE) END AS expires_on"
        " FROM (SELECT *, row_number() OVER (PARTITION BY employee_id, course_id, completed_on"
        " ORDER BY position) AS nth FROM incoming_completions) i JOIN courses c ON c.id = i.course_id"
        " WHERE i.nth = 1 AND NOT EXISTS (SELECT 1 FROM training_completions t WHERE t.employee_id = i.employee_id"
        " AND t.course_id = i.course_id AND t.completed_on = i.completed_on)"
    )
    try:
        count = connection.execute("SELECT count(*) FROM training_new_completions").fetchone()[0]
        if not count:
            return 0
        ids = pa.table(
            {
                "rank": pa.array(range(1, count + 1), pa.int64()),
                "id": pa.array(next_ids(connection, "training_completions", count), pa.int64()),
            }
        )
        connection.register("new_completion_ids", ids)
        try:
            connection.execute(
                "INSERT INTO training_completions (id, employee_id, course_id, completed_on, score, passed, expires_on,"
                " source, import_id, recorded_by, recorded_at)"
                " SELECT n.id, r.employee_id, r.course_id, r.completed_on, r.score, r.passed, r.expires_on, ?, ?, ?, ?"
                " FROM training_new_completions r JOIN new_completion_ids n USING (rank)",
                [source, import_id, recorded_by, at],
            )
        finally:
            connection.unregister("new_completion_ids")
        return int(count)
    finally:
        connection.execute("DROP TABLE training_new_completions")


_ROW_CHECKS = (  # the field and the problem, marked for the catalogue and translated where said
    (N_("Person"), N_("no such employee"), "e.id IS NULL"),
    (N_("Course"), N_("no such course"), "c.id IS NULL"),
    (N_("Completed on"), N_("missing"), "r.completed_on IS NULL"),
    (N_("Completed on"), N_("cannot be in the future"), "r.completed_on > ?::DATE"),
    (N_("Completed on"), N_("cannot be before the person was hired"), "r.completed_on < e.hire_date"),
    (N_("Score"), N_("use 0 to 100"), "r.score < 0 OR r.score > 100"),
    (N_("Passed"), N_("missing"), "r.passed IS NULL"),
)


def row_problems(connection: duckdb.DuckDBPyConnection, rows: pa.Table, today: date) -> list[tuple[str, str]]:
    """What ``completion_problems`` finds, for a whole batch of rows in one query: each problem
    once, naming the field, with how many rows have it and the first of them (counted from 1)."""
    if rows.num_rows == 0:
        return []
    checked = rows.select(COMPLETION_ROWS.names).cast(COMPLETION_ROWS)
    checked = checked.append_column("position", pa.array(range(1, rows.num_rows + 1), pa.int64()))
    counts = ", ".join(
        f"count(*) FILTER ({condition}), min(r.position) FILTER ({condition})" for *_, condition in _ROW_CHECKS
    )
    connection.register("checked_completions", checked)
    try:
        found = connection.execute(
            f"SELECT {counts} FROM checked_completions r LEFT JOIN employees e ON e.id = r.employee_id"  # noqa: S608
            " LEFT JOIN courses c ON c.id = r.course_id",
            [today, today],  # the future check appears twice, in its count and its first row
        ).fetchone()
    finally:
        connection.unregister("checked_completions")
    problems = []
    for index, (field, message, _condition) in enumerate(_ROW_CHECKS):
        count, first = found[2 * index], found[2 * index + 1]
        if count:
            rows_text = (
                _("row {row}", row=first)
                if count == 1
                else ngettext("{n} row, the first row {row}", "{n} rows, the first row {row}", count, row=first)
            )
            problems.append((_(field), f"{_(message)} ({rows_text})"))
    return problems


def import_completion_rows(
    db: Database, actor: CurrentUser, rows: pa.Table, *, at: datetime | None = None
) -> StoredCompletions:
    """HR brings in a batch of completions the LMS reported, as columns (``COMPLETION_ROWS``)
    already checked, in one write with one audit entry for the batch."""
    require(actor, Permission.TRAINING_MANAGE)
    when = at or utc_now()

    def store(connection: duckdb.DuckDBPyConnection) -> StoredCompletions:
        problems = row_problems(connection, rows, when.date())
        if problems:
            raise InputError(problems)
        stored = store_completion_rows(
            connection, rows, source="import", import_id=None, recorded_by=actor.employee_id, at=when
        )
        audit.record(
            connection,
            actor,
            "training_completions",
            None,
            "import",
            None,
            {"rows": rows.num_rows, **stored.model_dump()},
            at=when,
        )
        return stored

    return db.write(store)


def _close_assignments(connection: duckdb.DuckDBPyConnection, pairs_table: str, at: datetime) -> None:
    """Rule 4, recomputed for every assignment of the pairs in ``pairs_table`` at once: closed
    by the earliest passed completion dated on or after the day it was made and before the day
    it was cancelled; otherwise open, or cancelled when it was."""
    # the completions are joined on person and course only, the rest filtered after, so the
    # join stays a hash join however many assignments and completions there are
    connection.execute(
        f"WITH touched AS (SELECT a.id, a.employee_id, a.course_id, a.assigned_on, a.cancelled_at"  # noqa: S608 - our name
        f" FROM training_assignments a SEMI JOIN {pairs_table} p"
        " ON p.employee_id = a.employee_id AND p.course_id = a.course_id),"
        " closing AS (SELECT t.id, arg_min(c.id, c.completed_on) AS completion_id"
        " FROM touched t JOIN training_completions c ON c.employee_id = t.employee_id AND c.course_id = t.course_id"
        " WHERE c.passed AND c.completed_on >= t.assigned_on"
        " AND (t.cancelled_at IS NULL OR c.completed_on < CAST(t.cancelled_at AS DATE)) GROUP BY t.id),"
        " n AS (SELECT t.id, closing.completion_id, CASE WHEN closing.completion_id IS NOT NULL THEN 'completed'"
        " WHEN t.cancelled_at IS NOT NULL THEN 'cancelled' ELSE 'open' END AS status"
        " FROM touched t LEFT JOIN closing USING (id))"
        " UPDATE training_assignments SET status = n.status, completion_id = n.completion_id,"
        " updated_at = ?, version = version + 1 FROM n"
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
        problems.append((_("Person"), _("no such employee")))
    if not connection.execute("SELECT 1 FROM courses WHERE id = ?", [item.course_id]).fetchone():
        problems.append((_("Course"), _("no such course")))
    if item.completed_on > today:
        problems.append((_("Completed on"), _("cannot be in the future")))
    elif person is not None and person[1] is not None and item.completed_on < person[1]:
        problems.append(
            (
                _("Completed on"),
                _("cannot be before {name} was hired ({day})", name=person[0], day=f"{person[1]:%Y-%m-%d}"),
            )
        )
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
            raise InputError.single(_("Completed on"), _("a completion of this course on that day is already recorded"))
        completion_id = connection.execute(
            "SELECT id FROM training_completions WHERE employee_id = ? AND course_id = ? AND completed_on = ?",
            [record.employee_id, record.course_id, record.completed_on],
        ).fetchone()[0]
        after = audit.row_as_dict(connection, "training_completions", "id", completion_id)
        audit.record(connection, actor, "training_completion", completion_id, "record", None, after, at=when)
        return int(completion_id)

    return db.write(store)
