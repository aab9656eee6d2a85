"""Demo data for strategy and the action plan: a vision, four priorities, ten goals with
two years of monthly KPI history that between them show every status, and about forty
actions in every state. Deterministic from the organisation's seed, dated from its today.

Everything is written through the strategy and action-plan domain as the people who would
do it, dated with the domain's ``at``; the texts come from ``data/demo/strategy.json``."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from random import Random
from typing import TYPE_CHECKING, Any

from models.access import CurrentUser, Role
from models.actions import effectiveness, plan, workflow
from models.complaints.kpis import complaint_volume
from models.seeding import demo_texts
from models.strategy import goals, kpis, vision
from models.strategy.goals import AT_RISK_MARGIN, ON_TRACK_MARGIN

if TYPE_CHECKING:
    from models.db import Database
    from models.seeding import DemoOrganisation, Progress


@dataclass(frozen=True)
class DemoGoal:
    name: str
    priority: int  # index into the priorities
    kpi: str
    baseline: float
    target: float
    target_in_days: int  # from today; negative: the target date has passed
    shape: str  # achieved | on_track | at_risk | off_track | stale | missed | computed
    frequency: str = "monthly"
    decimals: int = 1
    channel: str | None = None  # a goal on one channel
    team: int | None = None  # a goal for one team: index into the demo's teams


# the lifecycle each demo action ends in; several open ones are overdue
STATE_CYCLE = ("done", "in_progress", "planned", "done", "blocked", "in_progress", "done", "cancelled", "planned")
STATUS_PATHS = {
    "planned": (),
    "in_progress": ("in_progress",),
    "blocked": ("in_progress", "blocked"),
    "cancelled": ("cancelled",),
    "done": ("in_progress", "done"),
}


def _texts() -> dict[str, Any]:
    return demo_texts("strategy")


def _demo_goals() -> list[DemoGoal]:
    return [DemoGoal(**goal) for goal in _texts()["goals"]]


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


def _baseline_date(today: date) -> date:
    return date(today.year - 2, today.month, 1)


def strategy_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    """Vision, priorities, goals with KPI history and the action plan, set by leadership."""
    texts = _texts()
    today = org.today
    leader = org.user(org.logins[Role.LEADERSHIP])
    set_up = datetime.combine(_baseline_date(today), time(9))
    for version in texts["visions"]:
        effective = today - timedelta(days=version["days_ago"])
        data = {"statement": version["statement"], "effective_date": effective}
        vision.revise_vision(db, leader, data, at=datetime.combine(effective, time(9)))
    priority_ids = [
        vision.create_priority(db, leader, {**priority, "position": position}, at=set_up)
        for position, priority in enumerate(texts["priorities"], start=1)
    ]
    kpis.introduce_catalogue(db, leader, set_up)  # the shipped KPIs were measured from the start
    # the catalogue is extendable: the demo adds the KPIs of its own story
    for kpi in texts["kpis"]:
        if kpis.kpi_by_code(db, kpi["code"]) is None:
            kpis.add_kpi(db, leader, kpi, at=set_up)
    catalogue = {kpi.code: kpi for kpi in kpis.list_kpis(db)}

    progress(0.2, "Adding goals and two years of KPI history…")
    goal_rows = _add_goals(db, org, leader, priority_ids, catalogue, set_up)
    progress(0.6, "Adding the action plan…")
    _add_actions(db, org, leader, goal_rows, catalogue)


def _add_goals(
    db: Database,
    org: DemoOrganisation,
    leader: CurrentUser,
    priority_ids: list[int],
    catalogue: dict[str, kpis.Kpi],
    set_up: datetime,
) -> list[tuple[int, DemoGoal]]:
    """The goals, then two years of the monthly KPI report imported month by month, with
    the values each goal's story needs."""
    today, rng = org.today, org.rng
    leaders = org.with_role(Role.LEADERSHIP)
    baseline_date = _baseline_date(today)
    month_ends = _month_ends(baseline_date, today)
    goal_rows: list[tuple[int, DemoGoal]] = []
    reports: dict[date, list[dict[str, Any]]] = {day: [] for day in month_ends}
    for index, goal in enumerate(_demo_goals()):
        kpi = catalogue[goal.kpi]
        target_date = today + timedelta(days=goal.target_in_days)
        data = {
            "name": goal.name,
            "priority_id": priority_ids[goal.priority],
            "kpi_id": kpi.id,
            "unit": kpi.unit,
            "direction": kpi.direction,
            "baseline_value": goal.baseline,
            "baseline_date": baseline_date,
            "target_value": goal.target,
            "target_date": target_date,
            "owner_id": leaders[index % len(leaders)]["id"],
            "update_frequency": goal.frequency,
            "channel": goal.channel,
            "team_id": org.team_ids[goal.team] if goal.team is not None else None,
        }
        goal_id = goals.create_goal(db, leader, data, at=set_up)
        goal_rows.append((goal_id, goal))
        if goal.shape == "computed":  # computed by the portal, or recorded by the area it comes from
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
            reports[day].append({"goal": goal_id, "date": day.isoformat(), "value": value})
    source = _texts()["measurement_source"]
    for day, rows in reports.items():
        if rows:
            report = _csv([{**row, "source": source} for row in rows])
            imported = kpis.import_measurements(
                db, leader, report, at=datetime.combine(day + timedelta(days=1), time(10))
            )
            if imported.rejected:
                raise RuntimeError(f"the demo's KPI report of {day} was refused: {imported.rejected}")
    return goal_rows


def _csv(rows: list[dict[str, Any]]) -> str:
    """Rows as the CSV the KPI import reads."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# computed KPIs whose goal starts from the series' first value (of its channel, team or site) and
# keeps leadership's target
_STARTING_FROM_SERIES = {"training_compliance", "nps", "csat", "ces"}


def computed_goals_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    """Once an area's data are seeded, the goals on the KPIs it computes take their baseline
    (and the volume goal its target) from the series the portal computes, so the goal page's
    chart and status agree. Run after the complaints, the training and the customer surveys;
    a goal whose series is still empty is left as set."""
    leader = org.user(org.logins[Role.LEADERSHIP])
    for goal in goals.list_goals(db, today=org.today):
        if goal.kpi_code == "complaint_volume":
            derived = _from_complaints(db, goal.baseline_date, org.today)
        elif goal.kpi_code in _STARTING_FROM_SERIES:
            kpi = kpis.kpi_by_code(db, goal.kpi_code)
            assert kpi is not None
            series = kpis.computed_values(db, kpi, goal.baseline_date, org.today, goal.kpi_slice)
            derived = (series[0][0], series[0][1], _target_beyond(goal, series[0][1])) if series else None
        else:
            continue
        if derived is None or derived[:2] == (goal.baseline_date, goal.baseline_value):
            continue
        start, baseline, target = derived
        data = {**goal.as_input(), "baseline_date": start, "baseline_value": baseline, "target_value": target}
        set_on = datetime.combine(start + timedelta(days=1), time(9))
        goals.update_goal(db, leader, goal.id, data, goal.version, at=set_on)


def _target_beyond(goal: goals.Goal, baseline: float) -> float:
    """Leadership's target, or a little beyond a baseline that already passed it."""
    if goal.direction == "higher":
        return max(goal.target_value, baseline + 5)
    return min(goal.target_value, baseline - 0.2)


def _from_complaints(db: Database, baseline_date: date, today: date) -> tuple[date, float, float] | None:
    """The volume goal is read off the series the portal computes from the seeded complaints,
    so the goal page's chart, baseline and status agree. Leadership set the goal after the
    busiest month of the year before the last six months: that month is its baseline, and
    the target a fifth lower."""
    series = complaint_volume(db, baseline_date, today)
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


def _add_actions(
    db: Database,
    org: DemoOrganisation,
    leader: CurrentUser,
    goal_rows: list[tuple[int, DemoGoal]],
    catalogue: dict[str, kpis.Kpi],
) -> None:
    """The action plan leadership agreed, each action walked along its workflow by its owner."""
    texts = _texts()
    rng, today = org.rng, org.today
    owners = org.with_role(Role.TEAM_LEAD) + org.with_role(Role.LEADERSHIP)
    findings = sorted(plan.linkable(db, "findings"))
    ideas = sorted(plan.linkable(db, "ideas"))
    plans = []
    for goal_id, goal in goal_rows:
        for title in texts["action_titles"][goal.kpi]:
            plans.append((title, "goal", rng.choice(("corrective", "preventive", "improvement")), goal_id, goal))
    for extra in texts["extra_actions"]:
        origin = extra["origin"]
        if origin == "finding" and not findings or origin == "idea" and not ideas:
            origin = "other"
        plans.append((extra["title"], origin, extra["action_type"], None, None))
    for index, (title, origin, action_type, goal_id, goal) in enumerate(plans):
        state = STATE_CYCLE[index % len(STATE_CYCLE)]
        owner = rng.choice(owners)
        start = today - timedelta(days=rng.randint(30, 540) if state == "done" else rng.randint(5, 200))
        due = start + timedelta(days=rng.randint(45, 200))
        if state == "planned" and index % 2:
            start = today + timedelta(days=rng.randint(3, 40))
            due = start + timedelta(days=rng.randint(30, 120))
        data = {
            "title": title,
            "description": texts["action_description"].format(title=title),
            "action_type": action_type,
            "origin": origin,
            "goal_id": goal_id,
            "finding_id": rng.choice(findings) if origin == "finding" else None,
            "idea_id": rng.choice(ideas) if origin == "idea" else None,
            "owner_id": owner["id"],
            "team_id": owner["team_id"],
            "start_date": start,
            "due_date": due,
            "priority": rng.choice(plan.PRIORITIES) if index % 7 else "critical",
            "kpi_id": catalogue[goal.kpi].id if goal else None,
            "expected_effect": texts["action_effect"].format(goal=goal.name) if goal else "",
        }
        agreed = datetime.combine(min(start, today), time(9))
        action_id = workflow.create_action(db, leader, data, at=agreed)
        _advance(db, org.user(owner["id"]), action_id, state, start, due, today, rng)


def _advance(
    db: Database, owner: CurrentUser, action_id: int, state: str, start: date, due: date, today: date, rng: Random
) -> None:
    """The owner walks a demo action along the workflow to ``state``, logging each step."""
    texts = _texts()
    when, completed_on = start, None
    for step in STATUS_PATHS[state]:
        previous = when
        when = min(today, when + timedelta(days=rng.randint(3, 30)))
        if step == "done":
            completed_on = min(today - timedelta(days=1), max(when, due - timedelta(days=rng.randint(-20, 20))))
            completed_on = max(completed_on, start, previous)
            when = completed_on
        note = texts["status_notes"][step]
        at = datetime.combine(when, time(14))
        workflow.change_status(db, owner, action_id, step, None, note=note, on=completed_on, at=at)
    if state in ("in_progress", "blocked"):
        pct = rng.choice((10, 25, 40, 60, 75))
        at = datetime.combine(min(today, when + timedelta(days=7)), time(16))
        workflow.post_update(db, owner, action_id, texts["check_in_note"], progress_pct=pct, at=at)
    if completed_on is not None and rng.random() < 0.5:
        verdict = rng.choice(plan.VERDICTS)
        at = datetime.combine(min(today, completed_on + timedelta(days=14)), time(11))
        effectiveness.record_verdict(db, owner, action_id, verdict, texts["review_note"], at=at)
