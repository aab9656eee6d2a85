"""The service-standards part of the demo: leadership's register of standards and decision
rights, two years of monthly mystery-shopper audits across the teams in which one standard
(the callback after a transfer) fails often, the finding an analyst made from it, the change
of right proposed from that finding, and a year of rights used by agents and team leads."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from models.access import Role
from models.seeding import demo_texts
from models.standards import audits, compliance, proposals, register, rights

if TYPE_CHECKING:
    from models.db import Database
    from models.seeding import DemoOrganisation, Progress

MONTHS = 24
USE_MONTHS = 12
ABOVE_LIMIT = 0.06  # share of uses a little above the limit, flagged


def _month_starts(today: date, months: int) -> list[date]:
    first = today.replace(day=1)
    starts = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        starts.append(date(year, month + 1, 1))
    return starts


def _day_in(rng: random.Random, month: date, today: date) -> date:
    return min(month + timedelta(days=rng.randint(0, 27)), today)


def standards_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    texts = demo_texts("standards")
    leader = org.user(org.logins[Role.LEADERSHIP])
    analyst = org.user(org.logins[Role.ANALYST])
    set_up = datetime.combine(org.today - timedelta(days=MONTHS * 31 + 10), time(10))
    standard_ids = {
        standard["code"]: register.add_standard(
            db,
            leader,
            {key: standard[key] for key in ("code", "title", "expectation", "measurable_target", "channels")}
            | {"owner_id": leader.employee_id},
            at=set_up,
        )
        for standard in texts["standards"]
    }
    items = [(standard_ids[s["code"]], s["scale"]) for s in texts["standards"]]
    checklist_id = audits.create_checklist(db, analyst, {"name": texts["checklist"], "items": items}, at=set_up)
    progress(0.2, "Mystery-shopper audits…")
    _audits(db, org, analyst, checklist_id, standard_ids)
    progress(0.6, "A finding from a failing standard…")
    finding_id = _finding(db, org, analyst, standard_ids)
    progress(0.7, "Decision rights and their use…")
    right_ids = {
        (right["role"], right["remedy"]): rights.add_right(db, leader, right, at=set_up) for right in texts["rights"]
    }
    proposal = texts["proposal"]
    proposals.propose_change(
        db,
        analyst,
        {"right_id": right_ids[("agent", "callback")], "finding_id": finding_id, **proposal},
        at=datetime.combine(org.today - timedelta(days=5), time(15)),
    )
    _uses(db, org, texts)


def _result(rng: random.Random, standard: dict[str, Any], month_index: int) -> bool | int:
    rate = standard["pass_rate"]
    if standard.get("failing"):
        rate -= 0.1 * month_index / MONTHS  # it gets worse, which is why it became a finding
    if standard["scale"] == "pass_fail":
        return rng.random() < rate
    return rng.choice((4, 5)) if rng.random() < rate else rng.choice((1, 2, 3))


def _audits(db: Database, org: DemoOrganisation, analyst: Any, checklist_id: int, standard_ids: dict[str, int]) -> None:
    """Each team is shopped twice a month: once as a team and once of a named agent."""
    texts = demo_texts("standards")
    rng = org.rng
    agents_of: dict[int, list[int]] = defaultdict(list)
    for person in org.employees:
        if person["team_id"] is not None and Role.TEAM_LEAD not in person["roles"]:
            agents_of[person["team_id"]].append(person["id"])
    for index, month in enumerate(_month_starts(org.today, MONTHS)):
        records = []
        for team_id in org.team_ids:
            for named in (False, True):
                results = {
                    standard_ids[standard["code"]]: _result(rng, standard, index) for standard in texts["standards"]
                }
                agent = rng.choice(agents_of[team_id]) if named and agents_of[team_id] else None
                data = {
                    "checklist_id": checklist_id,
                    "audited_on": _day_in(rng, month, org.today),
                    "channel": rng.choice(texts["audit_channels"]),
                    "team_id": team_id,
                    "agent_id": agent,
                    "results": results,
                    "notes": rng.choice(texts["audit_notes"]),
                }
                records.append(audits.AuditInput(**data))
        at = datetime.combine(max(record.audited_on for record in records), time(18))
        db.write(lambda c, records=records, at=at: audits.store_audits(c, analyst, records, source="import", at=at))


def _finding(db: Database, org: DemoOrganisation, analyst: Any, standard_ids: dict[str, int]) -> int:
    """The analyst turns the standard failing most over the last quarter into a finding."""
    end = org.today - timedelta(days=7)
    start = end - timedelta(days=90)
    failing = compliance.failing_standards(db, analyst, start, end)
    worst = failing[0]["standard_id"] if failing else standard_ids["XFER-CB"]
    return compliance.finding_from_standard(db, analyst, worst, start, end, at=datetime.combine(end, time(14)))


def _uses(db: Database, org: DemoOrganisation, texts: dict[str, Any]) -> None:
    """A year of rights used: a few uses per team each month, most within the limit."""
    rng = org.rng
    by_team: dict[int, list[int]] = defaultdict(list)
    for person in org.employees:
        if person["team_id"] is not None:
            by_team[person["team_id"]].append(person["id"])
    limits = {(right["role"], right["remedy"]): right["limit_amount"] for right in texts["rights"]}
    for month in _month_starts(org.today, USE_MONTHS):
        for people in by_team.values():
            for _ in range(rng.randint(2, 4)):
                person = org.user(rng.choice(people))
                role = "team_lead" if person.has_role(Role.TEAM_LEAD) else "agent"
                remedy = rng.choice([remedy for (owner, remedy) in limits if owner == role])
                limit = limits[(role, remedy)]
                amount = 0 if limit is None else round(limit * rng.uniform(0.2, 0.95), 2)
                if limit is not None and rng.random() < ABOVE_LIMIT:
                    amount = round(limit * rng.uniform(1.05, 1.4), 2)
                used_on = _day_in(rng, month, org.today)
                data = {
                    "remedy": remedy,
                    "used_on": used_on,
                    "amount": amount,
                    "complaint_reference": f"C-{rng.randint(10000, 99999)}" if rng.random() < 0.6 else None,
                    "note": rng.choice(texts["use_notes"]),
                }
                rights.log_use(db, person, data, at=datetime.combine(used_on, time(16)))
