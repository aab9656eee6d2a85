"""The coaching part of the demo: two years of sessions in which the team leads coach in
clearly different styles (some mostly integrated on the floor, some mostly scheduled), most
sessions acknowledged, most follow-ups done and a few overdue now. Everything goes through
the coaching log's own functions, dated with their ``at`` argument: every lead's sessions, as
each logged them, are recorded in one bulk write, every person's acknowledgements in another
and the follow-ups done in a third (the checks, audit entries and notes of one call each), so
the step makes a few writes however large the organisation."""

from __future__ import annotations

import calendar
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from models.access import CurrentUser, Role
from models.coaching import log, sessions
from models.seeding import DemoOrganisation, Progress, demo_texts
from models.strategy import kpis

if TYPE_CHECKING:
    from models.db import Database

MONTHS = 24
# the integrated share each lead aims at, in turn: clearly different coaching styles
STYLES = (0.82, 0.2, 0.75, 0.25, 0.55, 0.85, 0.18, 0.65, 0.3, 0.8)
ACKNOWLEDGED = 0.9  # of the sessions older than a fortnight
FOLLOW_UP_DONE = 0.85  # of the follow-ups due in the last two months; older ones are all done
# the seed's story: teams coaching mostly on the floor perform 12 % above the average team, teams
# relying on scheduled sessions 5 % below; each month's team results follow that month's coaching mix
INTEGRATED_EFFECT, SCHEDULED_EFFECT = 0.12, -0.05
TEAM_RESULTS = {"quality_score": (80.0, 1), "contacts_per_hour": (7.5, 2)}  # the average team, decimals
TEAM_REPORT_SOURCE = "Monthly team report"


def _month_starts(today: date) -> list[date]:
    first = today.replace(day=1)
    months = []
    for back in range(MONTHS - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(date(year, month + 1, 1))
    return months


def _session(rng: random.Random, agent_id: int, day: date, share: float, competencies: list[int]) -> dict[str, Any]:
    texts = demo_texts("coaching")
    integrated = rng.random() < share
    record: dict[str, Any] = {
        "employee_id": agent_id,
        "coached_on": day,
        "kind": "integrated" if integrated else "scheduled",
        "minutes": rng.randint(5, 15) if integrated else rng.choice((30, 30, 45, 45, 60)),
        "competency_id": rng.choice(competencies) if competencies else None,
        "shared_notes": rng.choice(texts["integrated_notes" if integrated else "scheduled_notes"]),
        "private_notes": rng.choice(texts["private_notes"]) if rng.random() < 0.15 else None,
    }
    if rng.random() < (0.12 if integrated else 0.4):
        record["follow_up"] = rng.choice(texts["follow_ups"])
        record["follow_up_due"] = day + timedelta(days=rng.randint(7, 21))
    return record


def _lead_month(
    rng: random.Random, team: list[int], month: date, today: date, share: float, competencies: list[int]
) -> list[dict[str, Any]]:
    """One lead's sessions in one month: an integrated coach is on the floor often, a
    scheduled coach books fewer, longer sessions."""
    last_day = min(date(month.year, month.month, calendar.monthrange(month.year, month.month)[1]), today)
    records = []
    for agent_id in team:
        for _ in range(rng.choice((1, 1, 2, 2, 3) if share >= 0.5 else (0, 1, 1, 1, 2))):
            day = month + timedelta(days=rng.randint(0, (last_day - month).days))
            records.append(_session(rng, agent_id, day, share, competencies))
    return records


def _logged_with(coached_on: date, today: date) -> date:
    """The first day of the batch a session is logged with: its month, its week in the last five
    weeks, its own day in the last week (so no past session waits until today to be logged)."""
    if coached_on < today - timedelta(days=35):
        return coached_on.replace(day=1)
    if coached_on < today - timedelta(days=7):
        return coached_on - timedelta(days=coached_on.weekday())
    return coached_on


def coaching_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    """Each team lead coaches their team for two years, in their own style."""
    rng = org.rng
    competencies = [row["id"] for row in log.competency_choices(db)]
    leads = org.with_role(Role.TEAM_LEAD)
    agents_of: dict[int, list[int]] = defaultdict(list)
    for person in org.employees:
        if person["team_id"] is not None and Role.TEAM_LEAD not in person["roles"]:
            agents_of[person["team_id"]].append(person["id"])
    created: list[tuple[int, dict[str, Any]]] = []  # (coach id, the session as recorded)
    batches: list[tuple[CurrentUser, list[dict[str, Any]], datetime]] = []  # a lead's log, as each logged it
    months = _month_starts(org.today)
    for index, lead in enumerate(leads):
        coach = org.user(lead["id"])
        share = STYLES[index % len(STYLES)]
        logged: dict[date, list[dict[str, Any]]] = defaultdict(list)  # a lead's log: monthly, weekly of late
        for month in months:
            for record in _lead_month(rng, agents_of[lead["team_id"]], month, org.today, share, competencies):
                logged[_logged_with(record["coached_on"], org.today)].append(record)
        for records in logged.values():
            recorded_at = datetime.combine(max(record["coached_on"] for record in records), time(17, 30))
            batches.append((coach, records, recorded_at))
        progress(0.4 * (index + 1) / len(leads), f"Coaching sessions of {index + 1} team leads written…")
    for (coach, records, _), ids in zip(batches, sessions.record_sessions_in_bulk(db, batches), strict=True):
        created += [(coach.employee_id, {"id": i, **record}) for i, record in zip(ids, records, strict=True)]
    progress(0.8, f"Coaching sessions of {len(created)} recorded…")
    _acknowledge(db, org, rng, created)
    progress(0.9, "Coaching sessions acknowledged…")
    _complete_follow_ups(db, org, rng, created)
    _team_results(db, org, rng, created)


def _acknowledge(db: Database, org: DemoOrganisation, rng: random.Random, created: list[tuple[int, dict]]) -> None:
    """Most people acknowledge their sessions, each person's at once, dated a few days after the
    last of them; everyone's recorded in one bulk write."""
    recent = org.today - timedelta(days=14)
    batches: dict[int, list[dict]] = defaultdict(list)
    for _, record in created:
        if record["coached_on"] < recent and rng.random() < ACKNOWLEDGED:
            batches[record["employee_id"]].append(record)
    acknowledged = []
    for employee_id, records in batches.items():
        latest = max(record["coached_on"] for record in records)
        at = datetime.combine(min(latest + timedelta(days=rng.randint(1, 5)), org.today), time(9, 15))
        acknowledged.append((org.user(employee_id), [record["id"] for record in records], at))
    sessions.acknowledge_sessions_in_bulk(db, acknowledged)


def _complete_follow_ups(
    db: Database, org: DemoOrganisation, rng: random.Random, created: list[tuple[int, dict]]
) -> None:
    """Coaches close follow-ups each quarter, everyone's recorded in one bulk write; a few
    recent ones stay overdue."""
    recent = org.today - timedelta(days=60)
    batches: dict[tuple[int, date], list[dict]] = defaultdict(list)
    for coach_id, record in created:
        due = record.get("follow_up_due")
        if due is None or due >= org.today or (due >= recent and rng.random() > FOLLOW_UP_DONE):
            continue
        batches[(coach_id, date(due.year, (due.month - 1) // 3 * 3 + 1, 1))].append(record)
    done = []
    for (coach_id, _), records in batches.items():
        latest = max(record["follow_up_due"] for record in records)
        at = datetime.combine(min(latest + timedelta(days=1), org.today), time(16, 0))
        done.append((org.user(coach_id), [record["id"] for record in records], at))
    sessions.complete_follow_ups_in_bulk(db, done)


def _team_results(db: Database, org: DemoOrganisation, rng: random.Random, created: list[tuple[int, dict]]) -> None:
    """Leadership records each team's monthly quality score and contacts per hour, one report a
    month: a team whose sessions that month were mostly integrated does better than the average
    team by ``INTEGRATED_EFFECT``, one mostly scheduled worse by ``SCHEDULED_EFFECT`` (a little
    noise on both), so the coaching report finds the seed's effect in the organisation's data."""
    leader = org.user(org.logins[Role.LEADERSHIP])
    team_of = {person["id"]: person["team_id"] for person in org.employees}
    mix: dict[tuple[date, int], list[int]] = defaultdict(lambda: [0, 0])  # (month, team) -> [integrated, all]
    for _, record in created:
        counts = mix[(record["coached_on"].replace(day=1), team_of[record["employee_id"]])]
        counts[0] += record["kind"] == "integrated"
        counts[1] += 1
    kpi_ids = {code: kpis.kpi_by_code(db, code).id for code in TEAM_RESULTS}  # type: ignore[union-attr]
    reports: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for (month, team_id), (integrated, total) in sorted(mix.items()):
        month_end = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
        if month_end >= org.today:
            continue  # the month's report is not out yet
        effect = INTEGRATED_EFFECT if integrated / total >= 0.5 else SCHEDULED_EFFECT
        for code, (average, decimals) in TEAM_RESULTS.items():
            value = average * (1 + effect + rng.uniform(-0.02, 0.02))
            reports[month_end].append(
                {
                    "kpi_id": kpi_ids[code],
                    "measured_on": month_end,
                    "value": round(min(value, 100.0), decimals),
                    "team_id": team_id,
                    "source": TEAM_REPORT_SOURCE,
                }
            )
    for month_end, rows in reports.items():
        at = datetime.combine(min(month_end + timedelta(days=3), org.today), time(10))
        kpis.record_measurements(db, leader, rows, at=at)
