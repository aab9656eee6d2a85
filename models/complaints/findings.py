"""Findings: root causes an analyst records from a complaint filter, with a 5-whys chain
and a snapshot of the evidence at the time, linked later to actions and ideas."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import duckdb
from pydantic import BaseModel, Field, field_validator

from models import audit
from models.access import CurrentUser, Permission, require
from models.complaints.analysis import NOT_GIVEN, ComplaintFilter, filter_sql, pareto, vital_few
from models.db import insert_with_new_id, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _, format_date, ngettext
from models.inputs import InputRecord

if TYPE_CHECKING:
    from models.db import Database

ROOT_CAUSES = ("people", "process", "product", "policy", "systems", "communication")
SEVERITIES = ("low", "medium", "high", "critical")
STATUSES = ("open", "investigating", "confirmed", "addressed", "closed")
MAX_WHYS = 5
WHY_MAX = 500  # characters of one answer to "why?"

# The codes in words, marked for the catalogue and translated where shown.
ROOT_CAUSE_LABELS = {
    "people": N_("people"),
    "process": N_("process"),
    "product": N_("product"),
    "policy": N_("policy"),
    "systems": N_("systems"),
    "communication": N_("communication"),
}
SEVERITY_LABELS = {"low": N_("low"), "medium": N_("medium"), "high": N_("high"), "critical": N_("critical")}
STATUS_LABELS = {
    "open": N_("open"),
    "investigating": N_("investigating"),
    "confirmed": N_("confirmed"),
    "addressed": N_("addressed"),
    "closed": N_("closed"),
}

RootCause = Literal["people", "process", "product", "policy", "systems", "communication"]
Severity = Literal["low", "medium", "high", "critical"]
Status = Literal["open", "investigating", "confirmed", "addressed", "closed"]


class FindingInput(InputRecord):
    """What an analyst enters for a finding; every field is checked before anything is stored."""

    title: str = Field(title=N_("Title"), min_length=3, max_length=150)
    description: str = Field(title=N_("Description"), min_length=1, max_length=5000)
    root_cause: RootCause = Field(title=N_("Root-cause category"))
    five_whys: list[str] = Field(default_factory=list, title=N_("5 whys"))
    severity: Severity = Field(default="medium", title=N_("Severity"))
    status: Status = Field(default="open", title=N_("Status"))

    @field_validator("five_whys")
    @classmethod
    def _whys(cls, value: list[str]) -> list[str]:
        answers = [answer.strip() for answer in value if answer and answer.strip()]
        if not answers:
            raise ValueError(_("answer at least the first 'why?'"))
        if len(answers) > MAX_WHYS:
            raise ValueError(ngettext("at most {n} answer", "at most {n} answers", MAX_WHYS))
        if any(len(answer) > WHY_MAX for answer in answers):
            raise ValueError(
                ngettext("keep each answer under {n} character", "keep each answer under {n} characters", WHY_MAX)
            )
        return answers


class Finding(BaseModel):
    id: int
    title: str
    description: str
    root_cause: str
    five_whys: list[str]
    severity: str
    status: str
    complaint_filter: ComplaintFilter
    snapshot: dict[str, Any]
    created_by: int
    created_by_name: str | None
    created_at: datetime
    updated_at: datetime
    version: int


def evidence_counts(db: Database, complaint_filter: ComplaintFilter, *, repeat_days: int = 30) -> dict[str, Any]:
    """The figures a finding keeps as its evidence: volume, timely share, repeats, top categories.

    One pass over the complaints counts them per category and days to resolve; the totals,
    the median days and the top categories are then read off those few hundred cells."""
    where, params = filter_sql(complaint_filter)
    row = db.query_one(
        f"""
        WITH cells AS MATERIALIZED (
          SELECT coalesce(category, '{NOT_GIVEN}') AS category, resolution_days AS days, count(*) AS complaints,
                 min(received_date) AS first_date, max(received_date) AS last_date,
                 count(timely) AS with_timely_flag, count(*) FILTER (WHERE timely) AS timely,
                 count(customer_id) AS with_customer,
                 count(*) FILTER (WHERE customer_id IS NOT NULL AND days_since_previous <= ?) AS repeats
          FROM complaints {where}
          GROUP BY ALL
        ),
        resolved AS (
          SELECT days, sum(sum(complaints)) OVER (ORDER BY days) AS running,
                 (SELECT sum(complaints) FROM cells WHERE days IS NOT NULL) AS total
          FROM cells WHERE days IS NOT NULL GROUP BY days
        )
        SELECT coalesce(sum(complaints), 0) AS complaints, min(first_date) AS first_date, max(last_date) AS last_date,
               sum(timely) / nullif(sum(with_timely_flag), 0) AS timely_share,
               coalesce(sum(with_customer), 0) AS with_customer, coalesce(sum(repeats), 0) AS repeats,
               -- the median: the mean of the middle two positions (one position when the count is odd)
               (SELECT (min(days) FILTER (WHERE running > (total - 1) // 2)
                        + min(days) FILTER (WHERE running > total // 2)) / 2 FROM resolved) AS median_resolution_days,
               (SELECT list({{'category': category, 'complaints': complaints}} ORDER BY complaints DESC, category)[1:5]
                FROM (SELECT category, sum(complaints) AS complaints FROM cells GROUP BY 1)) AS top_categories
        FROM cells
        """,
        [repeat_days, *params],
    )
    return {
        "complaints": int(row["complaints"]),
        "first_date": row["first_date"].isoformat() if row["first_date"] else None,
        "last_date": row["last_date"].isoformat() if row["last_date"] else None,
        "timely_share": row["timely_share"],
        "median_resolution_days": row["median_resolution_days"],
        "repeat_days": repeat_days,
        "repeats": int(row["repeats"]),
        "repeat_rate": row["repeats"] / row["with_customer"] if row["with_customer"] else None,
        "top_categories": [
            {"category": top["category"], "complaints": int(top["complaints"])} for top in row["top_categories"] or []
        ],
    }


def _evidence_with_pareto(
    db: Database, actor: CurrentUser, complaint_filter: ComplaintFilter, at: datetime | None = None
) -> dict[str, Any]:
    counts = evidence_counts(db, complaint_filter)
    counts["vital_few"] = vital_few(pareto(db, actor, complaint_filter))
    counts["taken_at"] = (at or utc_now()).isoformat(timespec="seconds")
    return counts


def create_finding(
    db: Database,
    actor: CurrentUser,
    data: dict[str, Any] | FindingInput,
    complaint_filter: ComplaintFilter,
    *,
    at: datetime | None = None,
) -> int:
    """Record a finding with the filter that defines its evidence and a snapshot of its counts,
    taken ``at`` (default now)."""
    require(actor, Permission.FINDINGS_MANAGE)
    record = data if isinstance(data, FindingInput) else validate(FindingInput, data)
    now = at or utc_now()
    snapshot = _evidence_with_pareto(db, actor, complaint_filter, now)
    if snapshot["complaints"] == 0:
        raise InputError.single(_("Evidence"), _("the current filter matches no complaints; widen it first"))

    return db.write(lambda connection: insert_finding(connection, actor, record, complaint_filter, snapshot, at=now))


def insert_finding(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser,
    record: FindingInput,
    complaint_filter: ComplaintFilter,
    snapshot: dict[str, Any],
    *,
    at: datetime | None = None,
) -> int:
    """Store a checked finding with its evidence inside the caller's write (another area that
    makes a finding from evidence of its own, such as failing mystery audits, calls this);
    returns its id."""
    require(actor, Permission.FINDINGS_MANAGE)
    now = at or utc_now()
    finding_id = insert_with_new_id(
        connection,
        "findings",
        "INSERT INTO findings (id, title, description, root_cause, five_whys, severity, status, "
        "filter_json, snapshot_json, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?)",
        [
            record.title,
            record.description,
            record.root_cause,
            record.five_whys,
            record.severity,
            record.status,
            complaint_filter.model_dump_json(),
            json.dumps(snapshot, default=str),
            actor.employee_id,
            now,
            now,
        ],
    )
    audit.record(
        connection,
        actor,
        "finding",
        finding_id,
        "create",
        after={**record.model_dump(), "filter": complaint_filter.model_dump(mode="json")},
        at=now,
    )
    return finding_id


def update_finding(
    db: Database,
    actor: CurrentUser,
    finding_id: int,
    data: dict[str, Any] | FindingInput,
    expected_version: int,
    *,
    at: datetime | None = None,
) -> None:
    """Change a finding's text, cause, severity or status; a stale edit is refused, never merged."""
    require(actor, Permission.FINDINGS_MANAGE)
    record = data if isinstance(data, FindingInput) else validate(FindingInput, data)

    def update(connection: duckdb.DuckDBPyConnection):
        before = audit.row_as_dict(connection, "findings", "id", finding_id)
        if before is None:
            raise InputError.single(_("Finding"), _("no such finding"))
        audit.check_not_stale(connection, "finding", before, expected_version, "finding")
        connection.execute(
            "UPDATE findings SET title = ?, description = ?, root_cause = ?, five_whys = ?, severity = ?, status = ?,"
            " updated_at = ?, version = version + 1 WHERE id = ?",
            [
                record.title,
                record.description,
                record.root_cause,
                record.five_whys,
                record.severity,
                record.status,
                at or utc_now(),
                finding_id,
            ],
        )
        changed_before = {key: before[key] for key in record.model_dump()}
        audit.record(connection, actor, "finding", finding_id, "update", changed_before, record.model_dump())

    db.write(update)


_FINDING_SQL = "SELECT f.*, e.full_name AS created_by_name FROM findings f LEFT JOIN employees e ON e.id = f.created_by"


def _finding(row: dict[str, Any]) -> Finding:
    return Finding(
        **{key: row[key] for key in Finding.model_fields if key in row and key not in ("complaint_filter", "snapshot")},
        complaint_filter=ComplaintFilter.model_validate_json(row["filter_json"]),
        snapshot=json.loads(row["snapshot_json"]),
    )


def list_findings(db: Database, actor: CurrentUser, *, status: str | None = None) -> list[Finding]:
    """Findings, newest first (analyst and leadership: they rest on raw complaints)."""
    require(actor, Permission.COMPLAINTS_RAW)
    if status:
        rows = db.query(_FINDING_SQL + " WHERE f.status = ? ORDER BY f.id DESC", [status])
    else:
        rows = db.query(_FINDING_SQL + " ORDER BY f.id DESC")
    return [_finding(row) for row in rows]


def get_finding(db: Database, actor: CurrentUser, finding_id: int) -> Finding | None:
    require(actor, Permission.COMPLAINTS_RAW)
    row = db.query_one(_FINDING_SQL + " WHERE f.id = ?", [finding_id])
    return _finding(row) if row else None


def counts_now(db: Database, actor: CurrentUser, finding: Finding) -> dict[str, Any]:
    """The finding's filter run again today, and over the latest period of the same length."""
    require(actor, Permission.COMPLAINTS_AGGREGATES)
    now = _evidence_with_pareto(db, actor, finding.complaint_filter)
    latest = None
    chosen = finding.complaint_filter
    if chosen.date_from and chosen.date_to:
        last = db.scalar("SELECT max(received_date) FROM complaints")
        if last and last > chosen.date_to:
            length = (chosen.date_to - chosen.date_from).days
            window = chosen.model_copy(update={"date_from": last - timedelta(days=length), "date_to": last})
            latest = evidence_counts(db, window)
            latest["period"] = _(
                "{first} to {last}", first=format_date(window.date_from), last=format_date(window.date_to)
            )
    return {"now": now, "latest_period": latest}


def finding_titles(db: Database) -> list[dict[str, Any]]:
    """Findings to choose from when linking an idea or action (titles only, for everyone)."""
    return db.query("SELECT id, title, status, root_cause FROM findings ORDER BY id DESC")


def finding_summary(db: Database, finding_id: int) -> dict[str, Any]:
    """A finding's title and counts (then and now) for the idea board; aggregates only."""
    row = db.query_one(
        "SELECT id, title, status, severity, root_cause, filter_json, snapshot_json, created_at"
        " FROM findings WHERE id = ?",
        [finding_id],
    )
    if row is None:
        return {}
    complaint_filter = ComplaintFilter.model_validate_json(row["filter_json"])
    snapshot = json.loads(row["snapshot_json"])
    where, params = filter_sql(complaint_filter)
    complaints_now = db.scalar(f"SELECT count(*) FROM complaints {where}", params)
    return {
        "id": row["id"],
        "title": row["title"],
        "status": row["status"],
        "severity": row["severity"],
        "root_cause": row["root_cause"],
        "evidence": complaint_filter.describe(),
        "complaints_then": snapshot.get("complaints", 0),
        "complaints_now": complaints_now,
        "repeat_rate_then": snapshot.get("repeat_rate"),
        "top_categories_then": snapshot.get("top_categories", []),
        "recorded_on": row["created_at"].date() if isinstance(row["created_at"], datetime) else row["created_at"],
    }


def linked_items(db: Database, finding_id: int) -> dict[str, list[dict[str, Any]]]:
    """Actions and ideas that name this finding."""
    return {
        "actions": db.query(
            "SELECT id, title, status, due_date FROM actions WHERE finding_id = ? ORDER BY id", [finding_id]
        ),
        "ideas": db.query("SELECT id, title, status FROM ideas WHERE finding_id = ? ORDER BY id", [finding_id]),
    }


def snapshot_date(finding: Finding) -> date | None:
    taken = finding.snapshot.get("taken_at")
    return datetime.fromisoformat(taken).date() if taken else None
