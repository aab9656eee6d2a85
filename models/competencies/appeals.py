"""The person's answer to an assessment — acknowledged, or appealed with a reason — and the
appeal's resolution by HR or a team lead who did not make the assessment. Appeals per month
is a KPI the portal computes."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

import duckdb
from pydantic import BaseModel

from models import audit
from models.access import CurrentUser, Permission, PermissionDeniedError, require
from models.competencies.assessments import ASSESSMENT_SQL, Assessment, _may_review
from models.competencies.levels import Level
from models.db import insert_row, utc_now
from models.errors import InputError
from models.inbox import messages as inbox
from models.inputs import entered_text

if TYPE_CHECKING:
    from models.db import Database, Reader

REASON_MIN = 10
REASON_MAX = 2000


class NotYourAssessmentError(PermissionDeniedError):
    def __init__(self, user: CurrentUser, what: str):
        PermissionError.__init__(self, f"{user.full_name} may not {what}.")
        self.permission = Permission.OWN_RECORDS_READ


def _reason(text: str | None, field: str) -> str:
    reason = entered_text(text)
    if len(reason) < REASON_MIN:
        raise InputError.single(field, f"give a reason of at least {REASON_MIN} characters")
    if len(reason) > REASON_MAX:
        raise InputError.single(field, f"use at most {REASON_MAX} characters")
    return reason


def _open_own(connection: duckdb.DuckDBPyConnection, actor: CurrentUser, assessment_id: int, version: int | None):
    row = audit.row_as_dict(connection, "assessments", "id", assessment_id)
    if row is None:
        raise InputError.single("Assessment", "no such assessment")
    if row["employee_id"] != actor.employee_id:
        raise NotYourAssessmentError(actor, "answer someone else's assessment")
    audit.check_not_stale(connection, "assessment", row, version, "assessment")
    if row["status"] != "open":
        raise InputError.single("Assessment", "it has been answered already")
    return row


def _update(connection: duckdb.DuckDBPyConnection, assessment_id: int, values: dict[str, Any], now: datetime) -> None:
    sets = ", ".join(f"{name} = ?" for name in values)
    connection.execute(
        f"UPDATE assessments SET {sets}, updated_at = ?, version = version + 1 WHERE id = ?",  # noqa: S608
        [*values.values(), now, assessment_id],
    )


def acknowledge(
    db: Database, actor: CurrentUser, assessment_id: int, expected_version: int | None, *, at: datetime | None = None
) -> None:
    """The person assessed accepts the assessment."""
    require(actor, Permission.OWN_RECORDS_READ)

    def save(connection: duckdb.DuckDBPyConnection) -> None:
        now = at or utc_now()
        row = _open_own(connection, actor, assessment_id, expected_version)
        _update(connection, assessment_id, {"status": "acknowledged", "acknowledged_at": now}, now)
        audit.record(
            connection, actor, "assessment", assessment_id, "acknowledge", {"status": row["status"]},
            {"status": "acknowledged"}, at=now,
        )  # fmt: skip

    db.write(save)


def appeal(
    db: Database,
    actor: CurrentUser,
    assessment_id: int,
    reason: str,
    expected_version: int | None,
    *,
    at: datetime | None = None,
) -> int:
    """The person assessed appeals, saying why; the appeal waits for HR or another team lead."""
    require(actor, Permission.OWN_RECORDS_READ)
    reason = _reason(reason, "Reason")

    def save(connection: duckdb.DuckDBPyConnection) -> int:
        now = at or utc_now()
        row = _open_own(connection, actor, assessment_id, expected_version)
        appeal_id = insert_row(
            connection, "assessment_appeals", {"assessment_id": assessment_id, "reason": reason, "appealed_at": now}
        )
        _update(connection, assessment_id, {"status": "appealed"}, now)
        audit.record(
            connection, actor, "assessment", assessment_id, "appeal", {"status": row["status"]},
            {"status": "appealed", "appeal_id": appeal_id, "reason": reason}, at=now,
        )  # fmt: skip
        return appeal_id

    return db.write(save)


def resolve_appeal(
    db: Database,
    actor: CurrentUser,
    assessment_id: int,
    outcome: Literal["upheld", "rejected"],
    note: str,
    expected_version: int | None,
    *,
    new_level: int | None = None,
    at: datetime | None = None,
) -> None:
    """HR or a team lead other than the assessor resolves the appeal: upheld with a new level
    (which becomes the person's current level) or rejected with a reason."""
    if not (actor.can(Permission.COMPETENCIES_MANAGE) or actor.can(Permission.TEAM_ASSESSMENTS)):
        require(actor, Permission.COMPETENCIES_MANAGE)
    if outcome not in ("upheld", "rejected"):
        raise InputError.single("Outcome", "choose upheld or rejected")
    note = _reason(note, "Resolution note" if outcome == "upheld" else "Reason for rejecting")
    if outcome == "upheld" and new_level not in {int(level) for level in Level}:
        raise InputError.single("New level", "choose the level the appeal grants")

    def save(connection: duckdb.DuckDBPyConnection) -> None:
        now = at or utc_now()
        row = audit.row_as_dict(connection, "assessments", "id", assessment_id)
        if row is None:
            raise InputError.single("Assessment", "no such assessment")
        if not _may_review(actor, row["assessor_id"], row["employee_id"]):
            raise NotYourAssessmentError(actor, "resolve an appeal of an assessment they made or received")
        audit.check_not_stale(connection, "assessment", row, expected_version, "assessment")
        if row["status"] != "appealed":
            raise InputError.single("Assessment", "it has no open appeal")
        if outcome == "upheld" and new_level == row["level"]:
            raise InputError.single("New level", "an upheld appeal changes the level")
        connection.execute(
            "UPDATE assessment_appeals SET outcome = ?, new_level = ?, resolution_note = ?, resolved_by = ?,"
            " resolved_at = ? WHERE assessment_id = ? AND outcome IS NULL",
            [outcome, new_level if outcome == "upheld" else None, note, actor.employee_id, now, assessment_id],
        )
        status = "upheld" if outcome == "upheld" else "appeal_rejected"
        _update(
            connection,
            assessment_id,
            {"status": status, "level_after_appeal": new_level if outcome == "upheld" else None},
            now,
        )
        audit.record(
            connection, actor, "assessment", assessment_id, "resolve_appeal", {"status": row["status"]},
            {"status": status, "new_level": new_level, "note": note}, at=now,
        )  # fmt: skip
        _tell_appellant(connection, actor, row, outcome, new_level, note, now)

    db.write(save)


def _tell_appellant(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser,
    assessment: dict[str, Any],
    outcome: str,
    new_level: int | None,
    note: str,
    now: datetime,
) -> None:
    """The person who appealed is told how the appeal was resolved and why."""
    competency = connection.execute(
        "SELECT name FROM competencies WHERE id = ?", [assessment["competency_id"]]
    ).fetchone()
    name = competency[0] if competency else "a competency"
    if outcome == "upheld" and new_level is not None:
        verdict = f"upheld: your level is now {Level(new_level).label}"
    else:
        verdict = f"rejected: your level stays {Level(assessment['level']).label}"
    inbox.notify(
        connection,
        [assessment["employee_id"]],
        "appeal_resolved",
        f"Your appeal of {name} was {outcome}",
        f"{actor.full_name} resolved your appeal of the {name} assessment — {verdict}.\n\n{note}",
        "assessments",
        now,
        actor=actor,
    )


def appeals_queue(db: Reader, actor: CurrentUser) -> list[Assessment]:
    """The open appeals the actor may resolve, oldest first: all for HR; for a team lead, the
    appeals of assessments they did not make."""
    if not (actor.can(Permission.COMPETENCIES_MANAGE) or actor.can(Permission.TEAM_ASSESSMENTS)):
        require(actor, Permission.COMPETENCIES_MANAGE)
    clause, params = "a.status = 'appealed' AND a.employee_id <> ?", [actor.employee_id]
    if not actor.can(Permission.COMPETENCIES_MANAGE):
        clause += " AND a.assessor_id <> ?"
        params.append(actor.employee_id)
    rows = db.query(ASSESSMENT_SQL + f" WHERE {clause} ORDER BY a.updated_at, a.id", params)  # noqa: S608
    return [Assessment(**row) for row in rows]


class AppealMonth(BaseModel):
    month: date
    appeals: int
    upheld: int
    assessments: int


def appeals_by_month(db: Reader, start: date, end: date) -> list[AppealMonth]:
    """Appeals raised, of them upheld, and assessments made, per calendar month from ``start``'s
    month to ``end``'s (organisation figures, no names)."""
    rows = db.query(
        "WITH months AS (SELECT unnest(generate_series(date_trunc('month', ?::DATE), date_trunc('month', ?::DATE),"
        " INTERVAL 1 MONTH))::DATE AS month)"
        " SELECT m.month,"
        "  (SELECT count(*) FROM assessment_appeals p WHERE date_trunc('month', p.appealed_at) = m.month) AS appeals,"
        "  (SELECT count(*) FROM assessment_appeals p WHERE date_trunc('month', p.appealed_at) = m.month"
        "   AND p.outcome = 'upheld') AS upheld,"
        "  (SELECT count(*) FROM assessments a WHERE date_trunc('month', a.assessed_on) = m.month) AS assessments"
        " FROM months m ORDER BY m.month",
        [start, end],
    )
    return [AppealMonth(**row) for row in rows]


def _last_day(month: date) -> date:
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def assessment_appeals(db: Database, start: date, end: date) -> list[tuple[date, float]]:
    """The KPI: appeals raised per complete month, from the first month assessments were made
    (or ``start``'s) to the month before ``end``'s; months without an appeal count zero."""
    first = db.scalar("SELECT min(assessed_on) FROM assessments")
    if first is None:
        return []
    begin = max(first.replace(day=1), start.replace(day=1))
    stop = end.replace(day=1)
    if begin >= stop:
        return []
    months = appeals_by_month(db, begin, date.fromordinal(stop.toordinal() - 1))
    return [(_last_day(row.month), float(row.appeals)) for row in months]


def acknowledge_many(db: Database, actor: CurrentUser, assessment_ids: list[int], *, at: datetime | None = None) -> int:
    """The person accepts several of their own open assessments at once; returns how many."""
    require(actor, Permission.OWN_RECORDS_READ)
    if not assessment_ids:
        return 0

    def save(connection: duckdb.DuckDBPyConnection) -> int:
        now = at or utc_now()
        rows = connection.execute(
            "SELECT id, employee_id, status FROM assessments WHERE id IN (SELECT unnest(?::INTEGER[]))",
            [list(assessment_ids)],
        ).fetchall()
        if len(rows) != len(set(assessment_ids)) or any(row[1] != actor.employee_id for row in rows):
            raise NotYourAssessmentError(actor, "answer someone else's assessment")
        if any(row[2] != "open" for row in rows):
            raise InputError.single("Assessment", "some have been answered already")
        ids = [row[0] for row in rows]
        connection.execute(
            "UPDATE assessments SET status = 'acknowledged', acknowledged_at = ?, updated_at = ?,"
            " version = version + 1 WHERE id IN (SELECT unnest(?::INTEGER[]))",
            [now, now, ids],
        )
        entries = [("assessment", i, "acknowledge", {"status": "open"}, {"status": "acknowledged"}) for i in ids]
        audit.record_many(connection, actor, entries, at=now)
        return len(ids)

    return db.write(save)
