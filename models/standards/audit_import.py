"""Mystery audits imported from a CSV (rule 2 of ``models.standards``): a simple import, all
or nothing, with a report naming each rejected row, column and reason.

Columns: ``date``, ``channel``, ``team`` (name), optional ``agent`` (employee number or email)
and ``notes``, and one column per standard of the chosen checklist, headed by its code:
pass/fail, yes/no, 1/0 for a pass/fail item, 1–5 for a scored one, empty when not checked."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from models.access import CurrentUser, Permission, require
from models.db import utc_now
from models.errors import InputError, validate
from models.standards.audits import AuditInput, checked_results, checklists, store_audits

if TYPE_CHECKING:
    from models.db import Database

BASE_COLUMNS = ("date", "channel", "team", "agent", "notes")
PASSED = {"pass", "passed", "yes", "y", "true", "1"}
FAILED = {"fail", "failed", "no", "n", "false", "0"}
DATE_PATTERNS = ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d")


class AuditImportReport(BaseModel):
    imported: int
    duplicates: int
    rejected: list[tuple[int, str, str]]  # row number (header is row 1), column, reason


class _Rejected(Exception):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column, self.reason = column, reason


def template_csv(checklist: dict[str, Any]) -> str:
    """A header row and one example row for a checklist's import."""
    codes = [item["code"] for item in checklist["items"]]
    example = ["pass" if item["scale"] == "pass_fail" else "4" for item in checklist["items"]]
    return (
        ",".join([*BASE_COLUMNS, *codes])
        + "\n"
        + ",".join([date.today().isoformat(), "Phone", "Team name", "", "Caller was transferred once", *example])
        + "\n"
    )


def _parse_date(text: str) -> date:
    for pattern in DATE_PATTERNS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise _Rejected("date", f"{text!r} is not a date (use YYYY-MM-DD)" if text else "fill this in")


def _result(item: dict[str, Any], text: str) -> bool | int:
    value = text.strip().lower()
    if item["scale"] == "pass_fail":
        if value in PASSED or value in FAILED:
            return value in PASSED
        raise _Rejected(item["code"], f"{text!r} is not pass or fail")
    if value.isdigit() and 1 <= int(value) <= 5:
        return int(value)
    raise _Rejected(item["code"], f"{text!r} is not a score from 1 to 5")


class _Lookup:
    """Teams by name and people by employee number or email, to read one row."""

    def __init__(self, db: Database, checklist: dict[str, Any], today: date):
        self.checklist, self.today = checklist, today
        self.teams = {row["name"].lower(): row["id"] for row in db.query("SELECT id, name FROM teams")}
        people = db.query("SELECT id, employee_number, email FROM employees")
        self.people = {str(row["employee_number"]).lower(): row["id"] for row in people}
        self.people |= {str(row["email"]).lower(): row["id"] for row in people if row["email"]}

    def record(self, row: dict[str, str]) -> AuditInput:
        audited_on = _parse_date(row.get("date", ""))
        team_id = self.teams.get(row.get("team", "").lower())
        if team_id is None:
            raise _Rejected("team", f"no team {row.get('team', '')!r}" if row.get("team") else "fill this in")
        agent_id = None
        if row.get("agent"):
            agent_id = self.people.get(row["agent"].lower())
            if agent_id is None:
                raise _Rejected("agent", f"no person with employee number or email {row['agent']!r}")
        results = {
            item["standard_id"]: _result(item, row[item["code"].lower()])
            for item in self.checklist["items"]
            if row.get(item["code"].lower())
        }
        data = {
            "checklist_id": self.checklist["id"],
            "audited_on": audited_on,
            "channel": row.get("channel", ""),
            "team_id": team_id,
            "agent_id": agent_id,
            "results": results,
            "notes": row.get("notes") or None,
        }
        try:
            record = validate(AuditInput, data, context={"today": self.today})
            checked_results(self.checklist["items"], record.results)
        except InputError as error:
            field, message = error.problems[0]
            raise _Rejected(field.lower(), message) from None
        return record


def import_audits(
    db: Database, actor: CurrentUser, checklist_id: int, content: bytes | str, *, at: datetime | None = None
) -> AuditImportReport:
    """Import audits of one checklist from CSV: every row is checked first; if any is rejected
    nothing is stored and the report names each problem. A row already in the portal, or
    earlier in the file, is a duplicate and is stored once."""
    require(actor, Permission.SERVICE_AUDITS_RECORD)
    checklist = next((c for c in checklists(db) if c["id"] == checklist_id), None)
    if checklist is None:
        raise InputError.single("Checklist", "choose a checklist")
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    except UnicodeDecodeError:
        raise InputError.single("File", "the file is not UTF-8 text; save it as CSV UTF-8") from None
    reader = csv.DictReader(io.StringIO(text))
    headers = {(name or "").strip().lower() for name in reader.fieldnames or []}
    missing = [name for name in ("date", "channel", "team") if name not in headers]
    if missing:
        raise InputError.single("File", f"the header row lacks the column(s): {', '.join(missing)}")
    if not headers & {item["code"].lower() for item in checklist["items"]}:
        raise InputError.single("File", "no column is headed by a standard code of the checklist")
    now = at or utc_now()
    lookup = _Lookup(db, checklist, now.date())
    records: list[AuditInput] = []
    rejected: list[tuple[int, str, str]] = []
    for number, raw in enumerate(reader, start=2):
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in raw.items() if key}
        try:
            records.append(lookup.record(row))
        except _Rejected as rejection:
            rejected.append((number, rejection.column, rejection.reason))
    if rejected or not records:
        return AuditImportReport(imported=0, duplicates=0, rejected=rejected or [(1, "file", "no rows to import")])
    ids, duplicates = db.write(lambda connection: store_audits(connection, actor, records, source="import", at=now))
    return AuditImportReport(imported=len(ids), duplicates=duplicates, rejected=[])
