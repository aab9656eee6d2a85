"""Demo data for strategy and the action plan: a vision, four priorities, ten goals with
two years of monthly KPI history that between them show every status, and about forty
actions in every state. Deterministic from the organisation's seed, dated from its today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from models import audit
from models.access import Role
from models.actions import plan, workflow
from models.complaints.kpis import complaint_volume
from models.db import ConnectionReader, utc_now
from models.strategy.goals import AT_RISK_MARGIN, ON_TRACK_MARGIN

if TYPE_CHECKING:
    from models.db import Database
    from models.seeding import DemoOrganisation, Progress

VISIONS = (
    (730, "Customers get an answer they trust from the first person they speak to."),
    (
        120,
        "Effortless, honest service: every customer is helped at first contact, every complaint teaches us "
        "something, and every one of us owns the improvement.",
    ),
)

PRIORITIES = (
    ("Listen to every complaint", "Treat complaints as free consulting: find root causes and remove them."),
    ("Effortless service at first contact", "Resolve more at first contact, faster, with less customer effort."),
    ("Everyone improves the service", "Front-line ideas brought to Speak-Up Day become owned improvements."),
    ("Skilled, coached, engaged people", "Soft skills, on-the-floor coaching and recognition for every agent."),
)


@dataclass(frozen=True)
class DemoGoal:
    name: str
    priority: int  # index into PRIORITIES
    kpi_code: str
    baseline: float
    target: float
    target_in_days: int  # from today; negative: the target date has passed
    shape: str  # achieved | on_track | at_risk | off_track | stale | missed
    frequency: str = "monthly"
    decimals: int = 1


GOALS = (
    DemoGoal("Lift CSAT to 85 %", 1, "csat", 72, 85, 150, "achieved"),
    DemoGoal("Raise NPS to +35", 1, "nps", 18, 35, 365, "on_track", decimals=0),
    DemoGoal("First-contact resolution at 80 %", 1, "fcr", 68, 80, 120, "at_risk"),
    DemoGoal("Average handle time under 6 minutes", 1, "aht", 420, 355, 200, "on_track", decimals=0),
    DemoGoal("First response within 2 hours", 0, "first_response_time", 6, 2, 90, "off_track"),
    DemoGoal("Customer effort score 2.8 or better", 1, "ces", 3.4, 2.8, 300, "stale", decimals=2),
    DemoGoal("Resolve complaints within 7 days", 0, "avg_resolution_time", 12, 7, -30, "missed"),
    DemoGoal("eNPS of +20", 3, "enps", 5, 20, 270, "on_track", frequency="quarterly", decimals=0),
    DemoGoal(
        "A third of agents bring an idea each year", 2, "speakup_participation", 8, 33, 400, "on_track", "quarterly"
    ),
    DemoGoal("Mandatory training 95 % on time", 3, "training_compliance", 78, 95, 60, "at_risk"),
    # baseline, baseline date and target are read off the computed series once the complaints
    # are seeded (computed_goals_step)
    DemoGoal("Cut monthly complaints by a fifth", 0, "complaint_volume", 900, 720, 240, "computed", decimals=0),
)

ACTION_TITLES = {
    "csat": ("Post-call survey on every channel", "Close the loop on every low CSAT score", "Plain-language letters"),
    "nps": ("Detractor call-back programme", "Fix the top three NPS detractor themes", "Customer panel each quarter"),
    "fcr": ("Knowledge base rewrite for top 20 issues", "Give agents refund authority up to AUD 200", "Warm transfers"),
    "aht": ("One-screen customer view", "Remove duplicate identity checks", "After-call work templates"),
    "first_response_time": ("Triage queue for written complaints", "Weekend cover for complaints", "Auto-acknowledge"),
    "ces": ("Callback instead of hold", "Single number for card issues", "Fewer forms for hardship requests"),
    "avg_resolution_time": ("Daily huddle on aged complaints", "Escalation path to product teams", "Case ownership"),
    "enps": ("Schedule swaps in the app", "Speak-Up Day coaching evenings", "Team lead listening sessions"),
    "training_compliance": ("Monthly training hour per agent", "Compliance nudges to team leads", "Shorter modules"),
    "speakup_participation": ("Business-case coaching evenings", "Idea board champions per team"),
    "complaint_volume": ("Fix the fee disclosure wording", "Proactive outage messages", "Root-cause review of fees"),
}
EXTRA_ACTIONS = (
    ("Consolidate card disputes into the contact centre", "idea", "improvement", "critical"),
    ("Coaching on the floor every day", "other", "improvement", "high"),
    ("Hardship letters reviewed by customers", "finding", "corrective", "medium"),
    ("Stop sending duplicate statements", "finding", "preventive", "high"),
    ("Apology and refund script for billing errors", "finding", "immediate", "critical"),
    ("Recognition wall in each site", "idea", "improvement", "low"),
    ("Quarterly complaint root-cause forum", "other", "preventive", "medium"),
    ("Plain-English fee table on the website", "idea", "preventive", "medium"),
    ("Self-service address change", "idea", "improvement", "high"),
    ("Review of the complaint categories", "other", "corrective", "low"),
)
# the lifecycle each demo action ends in; several open ones are overdue
STATE_CYCLE = ("done", "in_progress", "planned", "done", "blocked", "in_progress", "done", "cancelled", "planned")


def _month_ends(start: date, until: date) -> list[date]:
    """Last day of every complete month from ``start``'s month to before ``until``'s month."""
    ends, year, month = [], start.year, start.month
    while (year, month) < (until.year, until.month):
        following = date(year + (month == 12), month % 12 + 1, 1)
        ends.append(following - timedelta(days=1))
        year, month = following.year, following.month
    return ends


def _final_progress(goal: DemoGoal, expected: float) -> float:
    return {
        "achieved": 1.06,
        "on_track": max(0.05, expected - 0.03),
        "at_risk": expected - (ON_TRACK_MARGIN + AT_RISK_MARGIN) / 2,
        "off_track": expected - AT_RISK_MARGIN - 0.15,
        "stale": expected - 0.05,
        "missed": 0.7,
    }.get(goal.shape, expected)


def _strategy_step_rows(connection: duckdb.DuckDBPyConnection, org: DemoOrganisation, progress: Progress) -> None:
    """Vision, priorities, goals with KPI history and the action plan."""
    rng = org.rng
    today = org.today
    now = utc_now()
    leaders = org.with_role(Role.LEADERSHIP)
    head = leaders[0]["id"]
    for days_ago, statement in VISIONS:
        connection.execute(
            "INSERT INTO vision_versions (statement, effective_date, author_id, created_at) VALUES (?, ?, ?, ?)",
            [statement, today - timedelta(days=days_ago), head, now],
        )
    priority_ids = [
        connection.execute(
            "INSERT INTO strategic_priorities (title, description, position, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            [title, description, position, now, now],
        ).fetchone()[0]
        for position, (title, description) in enumerate(PRIORITIES, start=1)
    ]
    # the catalogue is extendable: the demo adds a KPI of its own for the Speak-Up programme
    connection.execute(
        "INSERT INTO kpis (code, name, unit, direction, definition, created_at) SELECT ?, ?, ?, ?, ?, ?"
        " WHERE NOT EXISTS (SELECT 1 FROM kpis WHERE code = ?)",
        [
            "speakup_participation",
            "Speak-Up participation",
            "% of agents",
            "higher",
            "Share of agents who submitted or co-authored an idea in the last four Speak-Up cycles",
            now,
            "speakup_participation",
        ],
    )
    kpi_ids = {row[0]: row[1] for row in connection.execute("SELECT code, id FROM kpis").fetchall()}
    kpi_units = {
        row[0]: (row[1], row[2]) for row in connection.execute("SELECT code, unit, direction FROM kpis").fetchall()
    }

    progress(0.2, "Adding goals and two years of KPI history…")
    baseline_date = date(today.year - 2, today.month, 1)
    month_ends = _month_ends(baseline_date, today)
    measurements: dict[str, list] = {"kpi_id": [], "goal_id": [], "measured_on": [], "value": [], "note": []}
    goal_rows: list[tuple[int, DemoGoal]] = []
    for index, goal in enumerate(GOALS):
        target_date = today + timedelta(days=goal.target_in_days)
        unit, direction = kpi_units[goal.kpi_code]
        owner = leaders[index % len(leaders)]["id"]
        goal_id = connection.execute(
            "INSERT INTO goals (name, priority_id, kpi_id, unit, direction, baseline_value, baseline_date,"
            " target_value, target_date, owner_id, update_frequency, created_by, created_at, updated_by, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                goal.name,
                priority_ids[goal.priority],
                kpi_ids[goal.kpi_code],
                unit,
                direction,
                goal.baseline,
                baseline_date,
                goal.target,
                target_date,
                owner,
                goal.frequency,
                head,
                now,
                head,
                now,
            ],
        ).fetchone()[0]
        goal_rows.append((goal_id, goal))
        if goal.shape == "computed":
            continue
        expected = min(1.0, (today - baseline_date).days / (target_date - baseline_date).days)
        final = _final_progress(goal, expected)
        dates = month_ends if goal.frequency == "monthly" else [d for d in month_ends if d.month % 3 == 0]
        if goal.shape == "stale":
            dates = [d for d in dates if d < today - timedelta(days=100)]
        span = goal.target - goal.baseline
        for position, day in enumerate(dates, start=1):
            share = final * position / len(dates)
            wobble = 0 if position == len(dates) else rng.uniform(-0.04, 0.04)
            value = round(goal.baseline + span * (share + wobble), goal.decimals)
            if position == len(dates):  # the latest value lands exactly where the story needs it
                value = round(goal.baseline + span * final, goal.decimals)
            measurements["kpi_id"].append(kpi_ids[goal.kpi_code])
            measurements["goal_id"].append(goal_id)
            measurements["measured_on"].append(day)
            measurements["value"].append(float(value))
            measurements["note"].append("")
    connection.register("demo_measurements", pa.table(measurements))
    connection.execute(
        "INSERT INTO kpi_measurements (kpi_id, goal_id, measured_on, value, note, source, recorded_by, recorded_at)"
        " SELECT kpi_id, goal_id, measured_on, value, note, 'demo import', ?, ? FROM demo_measurements",
        [head, now],
    )
    connection.unregister("demo_measurements")

    progress(0.6, "Adding the action plan…")
    _demo_actions(connection, org, goal_rows, kpi_ids)
    audit.record(connection, None, "demo", "strategy", "seed", after={"goals": len(goal_rows)})


def _computed_goals_step_rows(connection: duckdb.DuckDBPyConnection, org: DemoOrganisation, progress: Progress) -> None:
    """Once the complaints are seeded, the goals on computed KPIs take their baseline and
    target from the series the portal computes, so the goal page's chart and status agree."""
    rows = connection.execute(
        "SELECT g.id, g.baseline_date FROM goals g JOIN kpis k ON k.id = g.kpi_id WHERE k.code = 'complaint_volume'"
    ).fetchall()
    for goal_id, baseline_date in rows:
        derived = _from_complaints(connection, baseline_date, org.today)
        if derived is not None:
            connection.execute(
                "UPDATE goals SET baseline_date = ?, baseline_value = ?, target_value = ? WHERE id = ?",
                [*derived, goal_id],
            )


def _from_complaints(
    connection: duckdb.DuckDBPyConnection, baseline_date: date, today: date
) -> tuple[date, float, float] | None:
    """The volume goal is read off the series the portal computes from the seeded complaints,
    so the goal page's chart, baseline and status agree. Leadership set the goal after the
    busiest month of the year before the last six months: that month is its baseline, and
    the target a fifth lower."""
    series = complaint_volume(ConnectionReader(connection), baseline_date, today)  # type: ignore[arg-type]
    if not series:
        return None
    latest_month = series[-1][0]
    candidates = [
        (day, value)
        for day, value in series
        if latest_month - timedelta(days=548) <= day <= latest_month - timedelta(days=180)
    ]
    if not candidates:
        return None
    start, baseline = max(candidates, key=lambda point: point[1])
    return start, baseline, round(baseline * 0.8, -1)


def _table_exists(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        connection.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchone()[0]
    )


def _existing_ids(connection: duckdb.DuckDBPyConnection, table: str, where: str = "") -> list[int]:
    """Ids of rows of another area's table when that area has seeded it (else none)."""
    if not _table_exists(connection, table):
        return []
    try:
        return [row[0] for row in connection.execute(f"SELECT id FROM {table} {where} ORDER BY id").fetchall()]
    except duckdb.Error:  # the other area's table has a different shape than expected
        return []


def _demo_actions(connection, org, goal_rows, kpi_ids) -> None:
    rng = org.rng
    today = org.today
    leads = org.with_role(Role.TEAM_LEAD)
    owners = leads + org.with_role(Role.LEADERSHIP)
    findings = _existing_ids(connection, "findings")
    ideas = _existing_ids(connection, "ideas", "WHERE status IN ('green_lit', 'in_implementation', 'implemented')")
    plans = []
    for goal_id, goal in goal_rows:
        for title in ACTION_TITLES[goal.kpi_code]:
            plans.append((title, "goal", rng.choice(("corrective", "preventive", "improvement")), goal_id, goal))
    for title, origin, action_type, _ in EXTRA_ACTIONS:
        if origin == "finding" and not findings or origin == "idea" and not ideas:
            origin = "other"
        plans.append((title, origin, action_type, None, None))
    for index, (title, origin, action_type, goal_id, goal) in enumerate(plans):
        state = STATE_CYCLE[index % len(STATE_CYCLE)]
        owner = rng.choice(owners)
        start = today - timedelta(days=rng.randint(30, 540) if state == "done" else rng.randint(5, 200))
        due = start + timedelta(days=rng.randint(45, 200))
        if state == "planned" and index % 2:
            start = today + timedelta(days=rng.randint(3, 40))
            due = start + timedelta(days=rng.randint(30, 120))
        record = plan.ActionInput(
            title=title,
            description=f"{title}. Agreed at the monthly service-culture review.",
            action_type=action_type,
            origin=origin,
            goal_id=goal_id,
            finding_id=rng.choice(findings) if origin == "finding" else None,
            idea_id=rng.choice(ideas) if origin == "idea" else None,
            owner_id=owner["id"],
            team_id=owner["team_id"],
            start_date=start,
            due_date=due,
            priority=rng.choice(plan.PRIORITIES) if index % 7 else "critical",
            kpi_id=kpi_ids[goal.kpi_code] if goal else None,
            expected_effect=f"Helps reach the goal “{goal.name}”" if goal else "",
        )
        action_id = workflow.insert_action(connection, None, record)
        created_at = datetime.combine(start, time(9))
        connection.execute(
            "UPDATE action_updates SET posted_at = ?, author_id = ? WHERE action_id = ?",
            [created_at, owner["id"], action_id],
        )
        _advance(connection, action_id, owner["id"], state, start, due, today, rng)


def _advance(connection, action_id: int, owner_id: int, state: str, start: date, due: date, today: date, rng) -> None:
    """Walk a demo action along the workflow to ``state``, logging each step."""
    path = {
        "planned": [],
        "in_progress": ["in_progress"],
        "blocked": ["in_progress", "blocked"],
        "cancelled": ["cancelled"],
        "done": ["in_progress", "done"],
    }[state]
    previous, when = "planned", start
    progress_pct, completed_on = 0, None
    for step in path:
        when = min(today, when + timedelta(days=rng.randint(3, 30)))
        note = {
            "in_progress": "Started with the pilot team.",
            "blocked": "Waiting for the system change from IT.",
            "cancelled": "Superseded by a wider change.",
            "done": "Rolled out to all teams.",
        }[step]
        if step == "done":
            completed_on = min(today - timedelta(days=1), max(when, due - timedelta(days=rng.randint(-20, 20))))
            completed_on = max(completed_on, start)
            when = completed_on
            progress_pct = 100
        connection.execute(
            "INSERT INTO action_updates (action_id, author_id, posted_at, kind, from_status, to_status, note)"
            " VALUES (?, ?, ?, 'status', ?, ?, ?)",
            [action_id, owner_id, datetime.combine(when, time(14)), previous, step, note],
        )
        previous = step
    if state in ("in_progress", "blocked"):
        progress_pct = rng.choice((10, 25, 40, 60, 75))
        connection.execute(
            "INSERT INTO action_updates (action_id, author_id, posted_at, kind, progress_pct, note)"
            " VALUES (?, ?, ?, 'progress', ?, 'Weekly check-in.')",
            [action_id, owner_id, datetime.combine(min(today, when + timedelta(days=7)), time(16)), progress_pct],
        )
    verdict = None
    if state == "done" and rng.random() < 0.5:
        verdict = rng.choice(plan.VERDICTS)
    connection.execute(
        "UPDATE actions SET status = ?, progress_pct = ?, completed_on = ?, effectiveness_verdict = ?,"
        " updated_by = ? WHERE id = ?",
        [state, progress_pct, completed_on, verdict, owner_id, action_id],
    )


def strategy_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    db.write(lambda connection: _strategy_step_rows(connection, org, progress))


def computed_goals_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    db.write(lambda connection: _computed_goals_step_rows(connection, org, progress))
