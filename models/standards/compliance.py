"""Compliance with the service standards per standard, team and month, the standards that
fail repeatedly, and the finding an analyst makes from one in one step (rule 3 of
``models.standards``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from models.access import CurrentUser, Permission, require
from models.complaints import findings
from models.complaints.analysis import ComplaintFilter
from models.db import utc_now
from models.errors import InputError, validate
from models.i18n import N_, _, ngettext
from models.standards.audits import require_compliance_reader

if TYPE_CHECKING:
    from models.db import Database

REPEATED_FAILURES = 3  # failed checks within the period that make a standard "failing repeatedly"
COMPLIANCE_DEFINITION = N_(  # shown with _()
    "Compliance = checks that complied ÷ checks made, per standard, team and month. A pass/fail item "
    "complies when it passed; a scored item complies at 4 or 5."
)


def compliance(db: Database, actor: CurrentUser, start: date, end: date) -> pd.DataFrame:
    """One row per standard, team and month of audits between ``start`` and ``end``: checks,
    checks that complied and compliance (%)."""
    require_compliance_reader(actor)
    return db.frame(
        """
        SELECT date_trunc('month', a.audited_on)::DATE AS month, s.code, s.title AS standard, t.name AS team,
               count(*) AS checks, count(*) FILTER (WHERE r.complies) AS complied,
               round(100.0 * count(*) FILTER (WHERE r.complies) / count(*), 1) AS compliance
        FROM mystery_audit_results r
        JOIN mystery_audits a ON a.id = r.audit_id
        JOIN service_standards s ON s.id = r.standard_id
        LEFT JOIN teams t ON t.id = a.team_id
        WHERE a.audited_on BETWEEN ? AND ?
        GROUP BY ALL ORDER BY month, s.code, team
        """,
        [start, end],
    )


def compliance_by_standard(db: Database, actor: CurrentUser, start: date, end: date) -> pd.DataFrame:
    """One row per standard over the period: checks, failures, compliance (%), audits, teams."""
    require_compliance_reader(actor)
    return db.frame(
        """
        SELECT s.id AS standard_id, s.code, s.title AS standard, count(*) AS checks,
               count(*) FILTER (WHERE NOT r.complies) AS failed,
               round(100.0 * count(*) FILTER (WHERE r.complies) / count(*), 1) AS compliance,
               count(DISTINCT a.team_id) AS teams
        FROM mystery_audit_results r
        JOIN mystery_audits a ON a.id = r.audit_id
        JOIN service_standards s ON s.id = r.standard_id
        WHERE a.audited_on BETWEEN ? AND ?
        GROUP BY ALL ORDER BY compliance, s.code
        """,
        [start, end],
    )


def failing_standards(
    db: Database, actor: CurrentUser, start: date, end: date, *, min_failures: int = REPEATED_FAILURES
) -> list[dict[str, Any]]:
    """The standards that failed in at least ``min_failures`` audits between ``start`` and ``end``,
    worst compliance first."""
    frame = compliance_by_standard(db, actor, start, end)
    return frame[frame["failed"] >= min_failures].to_dict("records")


def _failed_audits(db: Database, standard_id: int, start: date, end: date) -> list[int]:
    rows = db.query(
        "SELECT a.id FROM mystery_audit_results r JOIN mystery_audits a ON a.id = r.audit_id"
        " WHERE r.standard_id = ? AND NOT r.complies AND a.audited_on BETWEEN ? AND ? ORDER BY a.id",
        [standard_id, start, end],
    )
    return [row["id"] for row in rows]


def _finding_text(standard: dict[str, Any], figures: dict[str, Any], start: date, end: date) -> dict[str, Any]:
    """The finding's first wording, in the language of the analyst who makes it (they edit it after)."""
    share = figures["compliance"]
    period = _("{start} to {end}", start=start.isoformat(), end=end.isoformat())
    values = {"title": standard["title"], "checks": figures["checks"], "failed": figures["failed"], "period": period}
    return {
        "title": _("Standard {code} failing: {title}", code=standard["code"], title=standard["title"])[:150],
        "description": (
            ngettext(
                'Mystery-shopper audits from {period} checked the standard "{title}" {checks} times; '
                "it failed {failed} times (compliance {share} %), across {n} team(s).",
                'Mystery-shopper audits from {period} checked the standard "{title}" {checks} times; '
                "it failed {failed} times (compliance {share} %), across {n} team(s).",
                int(figures["teams"]),
                share=share,
                **values,
            )
            + "\n\n"
            + _("What is expected: {expectation}", expectation=standard["expectation"])
        )[:5000],
        "root_cause": "process",
        "five_whys": [
            _(
                'Why do customers not get "{title}"? It failed in {failed} of {checks} mystery-shopper checks '
                "({period}).",
                **values,
            )[:500]
        ],
        "severity": "high" if share < 50 else "medium",
        "status": "open",
    }


def finding_from_standard(
    db: Database, actor: CurrentUser, standard_id: int, start: date, end: date, *, at: datetime | None = None
) -> int:
    """Make a finding from a standard failing repeatedly between ``start`` and ``end``, its
    failed audits linked as evidence, in one step; returns the finding's id."""
    require(actor, Permission.FINDINGS_MANAGE)
    figures = next((row for row in failing_standards(db, actor, start, end) if row["standard_id"] == standard_id), None)
    if figures is None:
        raise InputError.single(
            _("Standard"),
            _(
                "it did not fail in {count} or more audits in this period: no finding to make",
                count=REPEATED_FAILURES,
            ),
        )
    standard = db.query_one("SELECT * FROM service_standards WHERE id = ?", [standard_id]) or {}
    record = validate(findings.FindingInput, _finding_text(standard, figures, start, end))
    audit_ids = _failed_audits(db, standard_id, start, end)
    complaint_filter = ComplaintFilter(date_from=start, date_to=end, channels=list(standard["channels"]))
    snapshot = findings.evidence_counts(db, complaint_filter)
    now = at or utc_now()
    snapshot["taken_at"] = now.isoformat(timespec="seconds")
    snapshot["mystery_audits"] = {
        "standard": standard["code"],
        "checks": int(figures["checks"]),
        "failed": int(figures["failed"]),
        "compliance": float(figures["compliance"]),
        "audits": audit_ids,
    }

    def create(connection: duckdb.DuckDBPyConnection) -> int:
        finding_id = findings.insert_finding(connection, actor, record, complaint_filter, snapshot, at=now)
        connection.executemany(
            "INSERT INTO standard_findings (finding_id, standard_id, audit_id) VALUES (?, ?, ?)",
            [[finding_id, standard_id, audit_id] for audit_id in audit_ids],
        )
        return finding_id

    return db.write(create)


def finding_evidence(db: Database, actor: CurrentUser, finding_id: int) -> pd.DataFrame:
    """The mystery audits a finding rests on (day, channel, team, standard, result) — no agent
    is named, so the evidence reads like the finding's other aggregates."""
    require(actor, Permission.COMPLAINTS_RAW)
    return db.frame(
        """
        SELECT a.audited_on, a.channel, t.name AS team, s.code AS standard, r.score, r.complies
        FROM standard_findings f
        JOIN mystery_audits a ON a.id = f.audit_id
        JOIN mystery_audit_results r ON r.audit_id = a.id AND r.standard_id = f.standard_id
        JOIN service_standards s ON s.id = f.standard_id
        LEFT JOIN teams t ON t.id = a.team_id
        WHERE f.finding_id = ? ORDER BY a.audited_on, a.id
        """,
        [finding_id],
    )
