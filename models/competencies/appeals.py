"""The person's answer to an assessment — acknowledged, or appealed with a reason — and the
appeal's resolution by HR or a team lead who did not make the assessment. Appeals per month
is a KPI the portal computes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import pyarrow as pa
from pydantic import BaseModel

from models import audit
from models.access import CurrentUser, Permission, PermissionDeniedError, require
from models.competencies.assessments import ASSESSMENT_SQL, Assessment, _may_review
from models.competencies.levels import LEVEL_NAMES, Level
from models.db import insert_row, next_ids, utc_now
from models.errors import InputError
from models.i18n import N_, _
from models.inbox import messages as inbox
from models.inputs import entered_text

if TYPE_CHECKING:
    from models.db import Database, Reader

REASON_MIN = 10
REASON_MAX = 2000
_STAMP = pa.timestamp("us")
_APPEALS_SCHEMA = pa.schema(
    [
        ("id", pa.int32()), ("assessment_id", pa.int32()), ("reason", pa.string()), ("appealed_at", _STAMP),
        ("outcome", pa.string()), ("new_level", pa.int32()), ("note", pa.string()), ("resolved_by", pa.int32()),
        ("resolved_at", _STAMP), ("status", pa.string()), ("level_after_appeal", pa.int32()),
        ("versions", pa.int32()), ("updated_at", _STAMP),
    ]
)  # fmt: skip


class NotYourAssessmentError(PermissionDeniedError):
    def __init__(self, user: CurrentUser, what: str):
        PermissionError.__init__(self, _("{name} may not {what}.", name=user.full_name, what=_(what)))
        self.permission = Permission.OWN_RECORDS_READ


def _reason(text: str | None, field: str) -> str:
    reason = entered_text(text)
    if len(reason) < REASON_MIN:
        raise InputError.single(field, _("give a reason of at least {count} characters", count=REASON_MIN))
    if len(reason) > REASON_MAX:
        raise InputError.single(field, _("use at most {count} characters", count=REASON_MAX))
    return reason


def _open_own(connection: duckdb.DuckDBPyConnection, actor: CurrentUser, assessment_id: int, version: int | None):
    row = audit.row_as_dict(connection, "assessments", "id", assessment_id)
    if row is None:
        raise InputError.single(_("Assessment"), _("no such assessment"))
    if row["employee_id"] != actor.employee_id:
        raise NotYourAssessmentError(actor, N_("answer someone else's assessment"))
    audit.check_not_stale(connection, "assessment", row, version, "assessment")
    if row["status"] != "open":
        raise InputError.single(_("Assessment"), _("it has been answered already"))
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
    reason = _reason(reason, _("Reason"))

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


def _checked_resolution(outcome: str, note: str, new_level: int | None) -> str:
    """A resolution's outcome and level checked; returns its note as stored."""
    if outcome not in ("upheld", "rejected"):
        raise InputError.single(_("Outcome"), _("choose upheld or rejected"))
    note = _reason(note, _("Resolution note") if outcome == "upheld" else _("Reason for rejecting"))
    if outcome == "upheld" and new_level not in {int(level) for level in Level}:
        raise InputError.single(_("New level"), _("choose the level the appeal grants"))
    return note


def _resolution_note(resolution: Resolution) -> str:
    """A resolution checked as ``resolve_appeal`` checks it; returns its note as stored."""
    actor = resolution.actor
    if not (actor.can(Permission.COMPETENCIES_MANAGE) or actor.can(Permission.TEAM_ASSESSMENTS)):
        require(actor, Permission.COMPETENCIES_MANAGE)
    return _checked_resolution(resolution.outcome, resolution.note, resolution.new_level)


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
    note = _checked_resolution(outcome, note, new_level)

    def save(connection: duckdb.DuckDBPyConnection) -> None:
        now = at or utc_now()
        row = audit.row_as_dict(connection, "assessments", "id", assessment_id)
        if row is None:
            raise InputError.single(_("Assessment"), _("no such assessment"))
        if not _may_review(actor, row["assessor_id"], row["employee_id"]):
            raise NotYourAssessmentError(actor, N_("resolve an appeal of an assessment they made or received"))
        audit.check_not_stale(connection, "assessment", row, expected_version, "assessment")
        if row["status"] != "appealed":
            raise InputError.single(_("Assessment"), _("it has no open appeal"))
        if outcome == "upheld" and new_level == row["level"]:
            raise InputError.single(_("New level"), _("an upheld appeal changes the level"))
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
        "SELECT name, code FROM competencies WHERE id = ?", [assessment["competency_id"]]
    ).fetchone()
    told = {
        **assessment,
        "competency": competency[0] if competency else None,
        "competency_code": competency and competency[1],
    }
    inbox.notify_each(
        connection, "appeal_resolved", [_appeal_resolved(actor, told, outcome, new_level, note)], now, actor=actor
    )


def _appeal_resolved(
    actor: CurrentUser,
    assessment: dict[str, Any],
    outcome: str,
    new_level: int | None,
    note: str,
    at: datetime | None = None,
) -> inbox.Notice:
    """The message telling the person assessed (with the competency's name) the appeal's outcome."""
    competency = (
        inbox.Competency(assessment["competency_code"], assessment["competency"])
        if assessment["competency"]
        else inbox.word(N_("a competency"))
    )
    if outcome == "upheld" and new_level is not None:
        body, level = (
            N_(
                "{name} resolved your appeal of the {competency} assessment — upheld: your level is now"
                " {level}.\n\n{note}"
            ),
            new_level,
        )
    else:
        body, level = (
            N_(
                "{name} resolved your appeal of the {competency} assessment — rejected: your level stays"
                " {level}.\n\n{note}"
            ),
            assessment["level"],
        )
    subject = (
        N_("Your appeal of {competency} was upheld")
        if outcome == "upheld"
        else N_("Your appeal of {competency} was rejected")
    )
    values = {"name": actor.full_name, "competency": competency, "level": inbox.word(LEVEL_NAMES[level]), "note": note}
    return inbox.Notice(
        assessment["employee_id"], inbox.text(subject, **values), inbox.text(body, **values), "assessments",
        created_at=at,
    )  # fmt: skip


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
            raise NotYourAssessmentError(actor, N_("answer someone else's assessment"))
        if any(row[2] != "open" for row in rows):
            raise InputError.single(_("Assessment"), _("some have been answered already"))
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


# -- many people's answers at once (the demo's large organisation) -------------------------------
def acknowledge_in_bulk(db: Database, batches: Sequence[tuple[CurrentUser, list[int], datetime]]) -> int:
    """Many people accept their own open assessments in one write, each batch (person,
    assessments, when) as ``acknowledge_many`` would; returns how many."""
    for person, _ids, _at in batches:
        require(person, Permission.OWN_RECORDS_READ)
    wanted = [(person, sorted(set(ids)), at) for person, ids, at in batches if ids]
    every = [i for _, ids, _ in wanted for i in ids]
    if not every:
        return 0
    if len(every) != len(set(every)):
        raise InputError.single(_("Assessment"), _("some have been answered already"))

    def save(connection: duckdb.DuckDBPyConnection) -> int:
        rows = {
            row[0]: row[1:]
            for row in connection.execute(
                "SELECT id, employee_id, status FROM assessments WHERE id IN (SELECT unnest(?::INTEGER[]))", [every]
            ).fetchall()
        }
        for person, ids, _at in wanted:
            if any(rows.get(i, (None,))[0] != person.employee_id for i in ids):
                raise NotYourAssessmentError(person, N_("answer someone else's assessment"))
            if any(rows[i][1] != "open" for i in ids):
                raise InputError.single(_("Assessment"), _("some have been answered already"))
        table = pa.table(
            {"id": pa.array(every, pa.int32()), "at": pa.array([at for _, ids, at in wanted for _ in ids], _STAMP)}
        )
        connection.register("acknowledged_assessments", table)
        try:
            connection.execute(
                "UPDATE assessments SET status = 'acknowledged', acknowledged_at = a.at, updated_at = a.at,"
                " version = version + 1 FROM acknowledged_assessments a WHERE assessments.id = a.id"
            )
        finally:
            connection.unregister("acknowledged_assessments")
        audit.record_each(
            connection,
            [
                (at, person, "assessment", i, "acknowledge", {"status": "open"}, {"status": "acknowledged"})
                for person, ids, at in wanted
                for i in ids
            ],
        )
        return len(every)

    return db.write(save)


@dataclass(frozen=True)
class Resolution:
    """How an appeal was resolved, by whom and when (see ``resolve_appeal``)."""

    actor: CurrentUser
    outcome: Literal["upheld", "rejected"]
    note: str
    new_level: int | None
    at: datetime


@dataclass(frozen=True)
class Appeal:
    """One person's appeal of their assessment on ``at``, and its resolution if it has one."""

    actor: CurrentUser
    assessment_id: int
    reason: str
    at: datetime
    resolution: Resolution | None = None


def appeal_in_bulk(db: Database, appeals: Sequence[Appeal]) -> list[int]:
    """Many appeals, and the resolutions of those resolved, in one write, each as ``appeal`` and
    ``resolve_appeal`` would record them: the same checks, audit entries and messages; all or,
    when one is refused, none. Returns the appeals' ids, in order."""
    reasons, notes = [], []
    for item in appeals:
        require(item.actor, Permission.OWN_RECORDS_READ)
        reasons.append(_reason(item.reason, _("Reason")))
        notes.append(_resolution_note(item.resolution) if item.resolution else None)
    wanted = [item.assessment_id for item in appeals]
    if not wanted:
        return []
    if len(wanted) != len(set(wanted)):
        raise InputError.single(_("Assessment"), _("it has been answered already"))

    def save(connection: duckdb.DuckDBPyConnection) -> list[int]:
        found = {
            row["id"]: row
            for row in connection.execute(
                "SELECT a.id, a.employee_id, a.assessor_id, a.status, a.level, c.name AS competency,"
                " c.code AS competency_code FROM assessments a"
                " JOIN competencies c ON c.id = a.competency_id WHERE a.id IN (SELECT unnest(?::INTEGER[]))",
                [wanted],
            )
            .to_arrow_table()
            .to_pylist()
        }
        _check_appeals(found, appeals)
        ids = next_ids(connection, "assessment_appeals", len(appeals))
        records, entries, notices = [], [], []
        for appeal_id, item, reason, note in zip(ids, appeals, reasons, notes, strict=True):
            done, row = item.resolution, found[item.assessment_id]
            upheld = done is not None and done.outcome == "upheld"
            status = "appealed" if done is None else "upheld" if upheld else "appeal_rejected"
            records.append(
                {
                    "id": appeal_id, "assessment_id": item.assessment_id, "reason": reason, "appealed_at": item.at,
                    "outcome": done.outcome if done else None, "new_level": done.new_level if upheld else None,
                    "note": note, "resolved_by": done.actor.employee_id if done else None,
                    "resolved_at": done.at if done else None, "status": status,
                    "level_after_appeal": done.new_level if upheld else None,
                    "versions": 1 if done is None else 2, "updated_at": done.at if done else item.at,
                }
            )  # fmt: skip
            entries.append(
                (item.at, item.actor, "assessment", item.assessment_id, "appeal", {"status": "open"},
                 {"status": "appealed", "appeal_id": appeal_id, "reason": reason})
            )  # fmt: skip
            if done is not None:
                entries.append(
                    (done.at, done.actor, "assessment", item.assessment_id, "resolve_appeal", {"status": "appealed"},
                     {"status": status, "new_level": done.new_level, "note": note})
                )  # fmt: skip
                told = _appeal_resolved(done.actor, row, done.outcome, done.new_level, note, done.at)
                notices.append((done.actor, told))
        connection.register("bulk_appeals", pa.Table.from_pylist(records, _APPEALS_SCHEMA))
        try:
            connection.execute(
                "INSERT INTO assessment_appeals (id, assessment_id, reason, appealed_at, outcome, new_level,"
                " resolution_note, resolved_by, resolved_at) SELECT id, assessment_id, reason, appealed_at, outcome,"
                " new_level, note, resolved_by, resolved_at FROM bulk_appeals ORDER BY id"
            )
            connection.execute(
                "UPDATE assessments SET status = b.status, level_after_appeal = b.level_after_appeal,"
                " updated_at = b.updated_at, version = version + b.versions FROM bulk_appeals b"
                " WHERE assessments.id = b.assessment_id"
            )
        finally:
            connection.unregister("bulk_appeals")
        audit.record_each(connection, entries)
        _tell_appellants(connection, notices)
        return ids

    return db.write(save)


def _check_appeals(found: dict[int, dict[str, Any]], appeals: Sequence[Appeal]) -> None:
    """The checks of ``appeal`` and ``resolve_appeal`` on each appeal, its assessment found."""
    for item in appeals:
        row = found.get(item.assessment_id)
        if row is None:
            raise InputError.single(_("Assessment"), _("no such assessment"))
        if row["employee_id"] != item.actor.employee_id:
            raise NotYourAssessmentError(item.actor, N_("answer someone else's assessment"))
        if row["status"] != "open":
            raise InputError.single(_("Assessment"), _("it has been answered already"))
        done = item.resolution
        if done is None:
            continue
        if not _may_review(done.actor, row["assessor_id"], row["employee_id"]):
            raise NotYourAssessmentError(done.actor, N_("resolve an appeal of an assessment they made or received"))
        if done.outcome == "upheld" and done.new_level == row["level"]:
            raise InputError.single(_("New level"), _("an upheld appeal changes the level"))


def _tell_appellants(connection: duckdb.DuckDBPyConnection, notices: list[tuple[CurrentUser, inbox.Notice]]) -> None:
    """Each person who appealed is told of the resolution; a few statements per reviewer."""
    by_reviewer: dict[int, tuple[CurrentUser, list[inbox.Notice]]] = {}
    for reviewer, notice in notices:
        by_reviewer.setdefault(reviewer.employee_id, (reviewer, []))[1].append(notice)
    for reviewer, told in by_reviewer.values():
        latest = max(notice.created_at for notice in told if notice.created_at)
        inbox.notify_each(connection, "appeal_resolved", told, latest, actor=reviewer)
