"""The improvement action plan (SPEC §4): owned actions that come from goals, findings
and green-lit ideas, their status workflow, updates log and effectiveness review.

Other areas create actions through ``insert_action`` inside their own write (the
Speak-Up green light) or ``create_action``; they read them back with ``actions_for``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from models import audit
from models.auth import CurrentUser, Permission, PermissionDeniedError, require
from models.db import utc_now
from models.errors import InputError, StaleRecordError, validate

if TYPE_CHECKING:
    import pandas as pd

    from models.db import Database

ActionType = Literal["immediate", "corrective", "preventive", "improvement"]
Origin = Literal["goal", "finding", "idea", "other"]
ActionPriority = Literal["low", "medium", "high", "critical"]
Verdict = Literal["effective", "partly", "not_effective"]

ACTION_TYPES: tuple[str, ...] = ("immediate", "corrective", "preventive", "improvement")
ORIGINS: tuple[str, ...] = ("goal", "finding", "idea", "other")
PRIORITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
STATUSES: tuple[str, ...] = ("planned", "in_progress", "done", "blocked", "cancelled")
VERDICTS: tuple[str, ...] = ("effective", "partly", "not_effective")
STATUS_LABELS = {
    "planned": "Planned",
    "in_progress": "In progress",
    "done": "Done",
    "blocked": "Blocked",
    "cancelled": "Cancelled",
}
VERDICT_LABELS = {"effective": "Effective", "partly": "Partly effective", "not_effective": "Not effective"}
TYPE_LABELS = {
    "immediate": "Immediate",
    "corrective": "Corrective",
    "preventive": "Preventive",
    "improvement": "Improvement",
}
ORIGIN_LABELS = {"goal": "Goal", "finding": "Finding", "idea": "Green-lit idea", "other": "Other"}
UPDATE_KIND_LABELS = {
    "created": "Created",
    "edit": "Edited",
    "status": "Status change",
    "progress": "Progress",
    "note": "Note",
    "review": "Effectiveness review",
}

# planned → in progress → done; blocked and cancelled on the way; done and cancelled are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"in_progress", "blocked", "cancelled"}),
    "in_progress": frozenset({"done", "blocked", "cancelled"}),
    "blocked": frozenset({"planned", "in_progress", "cancelled"}),
    "done": frozenset(),
    "cancelled": frozenset(),
}
OPEN_STATUSES = ("planned", "in_progress", "blocked")
DEFAULT_REVIEW_WINDOW_DAYS = 90


class ActionInput(BaseModel):
    """What someone enters for an action; checked before anything is stored."""

    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(title="Title", min_length=3, max_length=200)
    description: str = Field(default="", title="Description", max_length=4000)
    action_type: ActionType = Field(default="improvement", title="Type")
    origin: Origin = Field(default="other", title="Origin")
    goal_id: int | None = Field(default=None, title="Goal", validate_default=True)
    finding_id: int | None = Field(default=None, title="Finding", validate_default=True)
    idea_id: int | None = Field(default=None, title="Idea", validate_default=True)
    owner_id: int = Field(title="Owner")
    team_id: int | None = Field(default=None, title="Team")
    start_date: date = Field(default_factory=date.today, title="Start date")
    due_date: date = Field(title="Due date")
    priority: ActionPriority = Field(default="medium", title="Priority")
    kpi_id: int | None = Field(default=None, title="KPI")
    expected_effect: str = Field(default="", title="Expected effect", max_length=1000)

    @field_validator("description", "expected_effect", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("goal_id", "finding_id", "idea_id")
    @classmethod
    def _origin_is_linked(cls, value: int | None, info: ValidationInfo) -> int | None:
        origin = info.data.get("origin")
        if value is None and origin == info.field_name.removesuffix("_id"):
            raise ValueError(f"an action that comes from a {origin} needs the {origin} it comes from")
        return value

    @field_validator("due_date")
    @classmethod
    def _due_after_start(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("start_date")
        if start is not None and value < start:
            raise ValueError("due date is before the start date")
        return value


class Action(BaseModel):
    """An action as the pages and other areas read it."""

    id: int
    title: str
    description: str
    action_type: str
    origin: str
    goal_id: int | None
    goal_name: str | None
    finding_id: int | None
    idea_id: int | None
    owner_id: int
    owner_name: str | None
    team_id: int | None
    team_name: str | None
    start_date: date
    due_date: date
    status: str
    priority: str
    progress_pct: int
    kpi_id: int | None
    kpi_name: str | None
    expected_effect: str
    completed_on: date | None
    effectiveness_verdict: str | None
    effectiveness_note: str | None
    updated_by: int | None
    updated_by_name: str | None
    updated_at: datetime
    version: int

    def is_overdue(self, today: date | None = None) -> bool:
        return self.status in OPEN_STATUSES and self.due_date < (today or date.today())


_ACTION_SQL = """
    SELECT a.id, a.title, a.description, a.action_type, a.origin, a.goal_id, g.name AS goal_name,
           a.finding_id, a.idea_id, a.owner_id, o.full_name AS owner_name, a.team_id, t.name AS team_name,
           a.start_date, a.due_date, a.status, a.priority, a.progress_pct, a.kpi_id, k.name AS kpi_name,
           a.expected_effect, a.completed_on, a.effectiveness_verdict, a.effectiveness_note,
           a.updated_by, u.full_name AS updated_by_name, a.updated_at, a.version
    FROM actions a
    LEFT JOIN goals g ON g.id = a.goal_id
    LEFT JOIN employees o ON o.id = a.owner_id
    LEFT JOIN teams t ON t.id = a.team_id
    LEFT JOIN kpis k ON k.id = a.kpi_id
    LEFT JOIN employees u ON u.id = a.updated_by
"""


# -- reading -------------------------------------------------------------------------
def get_action(db: Database, action_id: int) -> Action | None:
    row = db.query_one(_ACTION_SQL + " WHERE a.id = ?", [action_id])
    return Action(**row) if row else None


def actions_for(
    db: Database, *, idea_id: int | None = None, finding_id: int | None = None, goal_id: int | None = None
) -> list[Action]:
    """The actions linked to an idea, a finding and/or a goal (all given links must match)."""
    clauses, params = [], []
    for column, value in (("a.idea_id", idea_id), ("a.finding_id", finding_id), ("a.goal_id", goal_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return [Action(**row) for row in db.query(_ACTION_SQL + where + " ORDER BY a.due_date, a.id", params)]


def list_actions(
    db: Database,
    *,
    owner_id: int | None = None,
    goal_id: int | None = None,
    priority_id: int | None = None,
    statuses: list[str] | tuple[str, ...] | None = None,
    overdue_on: date | None = None,
) -> list[Action]:
    """The public action plan, filtered: by owner, goal, strategic priority, status, overdue."""
    clauses, params = [], []
    if owner_id is not None:
        clauses.append("a.owner_id = ?")
        params.append(owner_id)
    if goal_id is not None:
        clauses.append("a.goal_id = ?")
        params.append(goal_id)
    if priority_id is not None:
        clauses.append("g.priority_id = ?")
        params.append(priority_id)
    if statuses:
        clauses.append("list_contains(?, a.status)")
        params.append(list(statuses))
    if overdue_on is not None:
        clauses.append("a.status IN ('planned', 'in_progress', 'blocked') AND a.due_date < ?")
        params.append(overdue_on)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    order = (
        " ORDER BY CASE a.priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,"
        " a.due_date, a.id"
    )
    return [Action(**row) for row in db.query(_ACTION_SQL + where + order, params)]


def plan_summary(db: Database, today: date | None = None) -> dict[str, int]:
    """Counts for dashboards: actions per status and how many open ones are overdue."""
    row = db.query_one(
        "SELECT count(*) AS total,"
        " count(*) FILTER (WHERE status = 'planned') AS planned,"
        " count(*) FILTER (WHERE status = 'in_progress') AS in_progress,"
        " count(*) FILTER (WHERE status = 'blocked') AS blocked,"
        " count(*) FILTER (WHERE status = 'done') AS done,"
        " count(*) FILTER (WHERE status = 'cancelled') AS cancelled,"
        " count(*) FILTER (WHERE status IN ('planned', 'in_progress', 'blocked') AND due_date < ?) AS overdue"
        " FROM actions",
        [today or date.today()],
    )
    return {key: int(value or 0) for key, value in (row or {}).items()}


def counts_by(db: Database, dimension: Literal["status", "priority", "owner", "goal"]) -> pd.DataFrame:
    """How many actions, open and overdue, per status, priority, owner or goal."""
    label = {
        "status": "a.status",
        "priority": "a.priority",
        "owner": "coalesce(o.full_name, 'Unknown')",
        "goal": "coalesce(g.name, 'No goal')",
    }[dimension]
    return db.frame(
        f"SELECT {label} AS {dimension}, count(*) AS actions,"
        " count(*) FILTER (WHERE a.status IN ('planned', 'in_progress', 'blocked')) AS open,"
        " count(*) FILTER (WHERE a.status IN ('planned', 'in_progress', 'blocked') AND a.due_date < current_date)"
        " AS overdue, round(avg(a.progress_pct)) AS mean_progress_pct"
        " FROM actions a LEFT JOIN employees o ON o.id = a.owner_id LEFT JOIN goals g ON g.id = a.goal_id"
        " GROUP BY ALL ORDER BY actions DESC, 1"
    )


def updates_log(db: Database, action_id: int) -> list[dict[str, Any]]:
    """The updates of an action, newest first, with who posted them."""
    return db.query(
        "SELECT u.posted_at, e.full_name AS author, u.kind, u.from_status, u.to_status, u.progress_pct, u.note"
        " FROM action_updates u LEFT JOIN employees e ON e.id = u.author_id"
        " WHERE u.action_id = ? ORDER BY u.posted_at DESC, u.id DESC",
        [action_id],
    )


def updates_log_frame(db: Database, action_id: int) -> pd.DataFrame:
    """The updates log as shown and downloaded: human column names and status names."""
    import pandas as pd

    columns = ["Posted", "By", "Kind", "From", "To", "Progress %", "Note"]
    return pd.DataFrame(
        [
            {
                "Posted": entry["posted_at"],
                "By": entry["author"],
                "Kind": UPDATE_KIND_LABELS.get(entry["kind"], entry["kind"]),
                "From": STATUS_LABELS.get(entry["from_status"], entry["from_status"] or ""),
                "To": STATUS_LABELS.get(entry["to_status"], entry["to_status"] or ""),
                "Progress %": entry["progress_pct"],
                "Note": entry["note"],
            }
            for entry in updates_log(db, action_id)
        ],
        columns=columns,
    )


def allowed_next(status: str) -> list[str]:
    """The statuses an action may move to from ``status``, in workflow order."""
    return [s for s in STATUSES if s in TRANSITIONS.get(status, frozenset())]


def can_change(user: CurrentUser, action: Action | dict[str, Any]) -> bool:
    """Leadership changes any action; an owner changes their own."""
    owner_id = action["owner_id"] if isinstance(action, dict) else action.owner_id
    return user.can(Permission.ACTIONS_MANAGE) or user.employee_id == owner_id


# -- writing -------------------------------------------------------------------------
def _check_references(connection: duckdb.DuckDBPyConnection, record: ActionInput) -> None:
    problems = []
    if not connection.execute("SELECT 1 FROM employees WHERE id = ? AND active", [record.owner_id]).fetchone():
        problems.append(("Owner", "no such active employee"))
    checks = (
        ("Team", "teams", record.team_id),
        ("Goal", "goals", record.goal_id),
        ("KPI", "kpis", record.kpi_id),
    )
    for field, table, value in checks:
        if value is not None and not connection.execute(f"SELECT 1 FROM {table} WHERE id = ?", [value]).fetchone():
            problems.append((field, f"no such {field.lower() if field != 'KPI' else 'KPI'}"))
    if problems:
        raise InputError(problems)


def _log(
    connection: duckdb.DuckDBPyConnection,
    action_id: int,
    author: CurrentUser | None,
    kind: str,
    note: str = "",
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    progress_pct: int | None = None,
    posted_at: datetime | None = None,
) -> None:
    connection.execute(
        "INSERT INTO action_updates (action_id, author_id, posted_at, kind, from_status, to_status, progress_pct, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            action_id,
            author.employee_id if author else None,
            posted_at or utc_now(),
            kind,
            from_status,
            to_status,
            progress_pct,
            note,
        ],
    )


def insert_action(connection: duckdb.DuckDBPyConnection, actor: CurrentUser | None, record: ActionInput) -> int:
    """Store a validated action inside an already-open write; the caller checks permission.

    Used by ``create_action`` and by the Speak-Up green light. Records the audit entry and
    the first line of the updates log."""
    _check_references(connection, record)
    now = utc_now()
    actor_id = actor.employee_id if actor else None
    action_id = connection.execute(
        "INSERT INTO actions (title, description, action_type, origin, goal_id, finding_id, idea_id, owner_id,"
        " team_id, start_date, due_date, priority, kpi_id, expected_effect, created_by, created_at, updated_by,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [
            record.title,
            record.description,
            record.action_type,
            record.origin,
            record.goal_id,
            record.finding_id,
            record.idea_id,
            record.owner_id,
            record.team_id,
            record.start_date,
            record.due_date,
            record.priority,
            record.kpi_id,
            record.expected_effect,
            actor_id,
            now,
            actor_id,
            now,
        ],
    ).fetchone()[0]
    origin = ORIGIN_LABELS[record.origin].lower()
    _log(connection, action_id, actor, "created", f"Action created (origin: {origin})", to_status="planned")
    audit.record(connection, actor, "action", action_id, "create", after=record.model_dump())
    return action_id


def create_action(db: Database, actor: CurrentUser, data: dict[str, Any]) -> int:
    """Leadership adds an action to the plan."""
    require(actor, Permission.ACTIONS_MANAGE)
    record = validate(ActionInput, data)
    return db.write(lambda connection: insert_action(connection, actor, record))


def _load_for_change(
    connection: duckdb.DuckDBPyConnection, actor: CurrentUser, action_id: int, expected_version: int | None
) -> dict[str, Any]:
    """The action's row, after checking the actor may change it and nobody saved it meanwhile."""
    before = audit.row_as_dict(connection, "actions", "id", action_id)
    if before is None:
        raise InputError.single("Action", "no such action")
    if not can_change(actor, before):
        raise PermissionDeniedError(actor, Permission.ACTIONS_MANAGE)
    if expected_version is not None and before["version"] != expected_version:
        who = connection.execute("SELECT full_name FROM employees WHERE id = ?", [before["updated_by"]]).fetchone()
        raise StaleRecordError("action", who[0] if who else None, before["updated_at"])
    return before


def _field_titles(names: list[str]) -> str:
    """ "title, due date": the changed fields as the form names them."""
    return ", ".join((ActionInput.model_fields[name].title or name).lower() for name in names)


def update_action(
    db: Database, actor: CurrentUser, action_id: int, data: dict[str, Any], expected_version: int
) -> list[str]:
    """Change an action's details; refused when someone saved it since it was opened.
    Returns the fields that changed; a save without changes stores nothing, so the
    version stays and other open copies do not turn stale for nothing.

    An owner who is not leadership may change their action but not hand it to someone else."""
    record = validate(ActionInput, data)

    def update(connection):
        before = _load_for_change(connection, actor, action_id, expected_version)
        changed = sorted(key for key, value in record.model_dump().items() if before[key] != value)
        if not changed:
            return []
        if record.owner_id != before["owner_id"]:
            require(actor, Permission.ACTIONS_MANAGE)
        _check_references(connection, record)
        connection.execute(
            "UPDATE actions SET title = ?, description = ?, action_type = ?, origin = ?, goal_id = ?, finding_id = ?,"
            " idea_id = ?, owner_id = ?, team_id = ?, start_date = ?, due_date = ?, priority = ?, kpi_id = ?,"
            " expected_effect = ?, updated_by = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [
                record.title,
                record.description,
                record.action_type,
                record.origin,
                record.goal_id,
                record.finding_id,
                record.idea_id,
                record.owner_id,
                record.team_id,
                record.start_date,
                record.due_date,
                record.priority,
                record.kpi_id,
                record.expected_effect,
                actor.employee_id,
                utc_now(),
                action_id,
            ],
        )
        after = audit.row_as_dict(connection, "actions", "id", action_id)
        _log(connection, action_id, actor, "edit", "Changed " + _field_titles(changed))
        audit.record(connection, actor, "action", action_id, "update", before, after)
        return changed

    return db.write(update)


def change_status(
    db: Database,
    actor: CurrentUser,
    action_id: int,
    new_status: str,
    expected_version: int,
    *,
    note: str = "",
    on: date | None = None,
) -> None:
    """Move an action along its workflow; only the allowed transitions are accepted.

    Done sets progress to 100 % and the completion date (``on``, default today)."""
    if new_status not in STATUSES:
        raise InputError.single("Status", f"unknown status {new_status!r}")
    note = (note or "").strip()
    if new_status in ("blocked", "cancelled") and not note:
        raise InputError.single("Note", f"say why the action is {STATUS_LABELS[new_status].lower()}")
    completed_on = on or date.today()

    def change(connection):
        before = _load_for_change(connection, actor, action_id, expected_version)
        if new_status not in TRANSITIONS[before["status"]]:
            allowed = ", ".join(STATUS_LABELS[s] for s in allowed_next(before["status"])) or "none (it is final)"
            raise InputError.single(
                "Status",
                f"an action that is {STATUS_LABELS[before['status']].lower()} cannot become "
                f"{STATUS_LABELS[new_status].lower()}; allowed: {allowed}",
            )
        if new_status == "done" and completed_on < before["start_date"]:
            raise InputError.single("Completion date", "is before the action's start date")
        connection.execute(
            "UPDATE actions SET status = ?, completed_on = ?, progress_pct = ?, updated_by = ?, updated_at = ?,"
            " version = version + 1 WHERE id = ?",
            [
                new_status,
                completed_on if new_status == "done" else None,
                100 if new_status == "done" else before["progress_pct"],
                actor.employee_id,
                utc_now(),
                action_id,
            ],
        )
        _log(connection, action_id, actor, "status", note, from_status=before["status"], to_status=new_status)
        after = audit.row_as_dict(connection, "actions", "id", action_id)
        audit.record(connection, actor, "action", action_id, "status", before, after)

    db.write(change)


def post_update(
    db: Database,
    actor: CurrentUser,
    action_id: int,
    note: str,
    *,
    progress_pct: int | None = None,
    expected_version: int | None = None,
) -> None:
    """Add a line to the updates log, optionally with the new progress %."""
    note = (note or "").strip()
    problems = []
    if not note and progress_pct is None:
        problems.append(("Note", "write what happened"))
    if len(note) > 2000:
        problems.append(("Note", "use at most 2000 characters"))
    if progress_pct is not None and not 0 <= progress_pct <= 100:
        problems.append(("Progress", "must be between 0 and 100 %"))
    if problems:
        raise InputError(problems)

    def post(connection):
        before = _load_for_change(connection, actor, action_id, expected_version)
        if progress_pct is not None and progress_pct != before["progress_pct"]:
            if before["status"] in ("done", "cancelled"):
                raise InputError.single("Progress", "a finished action's progress cannot change")
            connection.execute(
                "UPDATE actions SET progress_pct = ?, updated_by = ?, updated_at = ?, version = version + 1"
                " WHERE id = ?",
                [progress_pct, actor.employee_id, utc_now(), action_id],
            )
            _log(connection, action_id, actor, "progress", note, progress_pct=progress_pct)
        else:
            _log(connection, action_id, actor, "note", note)
        audit.record(
            connection, actor, "action_update", action_id, "post", after={"note": note, "progress_pct": progress_pct}
        )

    db.write(post)


# -- effectiveness review ------------------------------------------------------------
class EffectivenessReview(BaseModel):
    """The KPI's mean over equal windows before and after an action was completed."""

    kpi_id: int
    kpi_name: str
    unit: str
    direction: str
    completed_on: date
    window_days: int
    before_mean: float | None
    after_mean: float | None
    before_count: int
    after_count: int

    @property
    def change(self) -> float | None:
        if self.before_mean is None or self.after_mean is None:
            return None
        return self.after_mean - self.before_mean

    @property
    def improved(self) -> bool | None:
        """Did the KPI move the right way (up when higher is better, down when lower)?"""
        if self.change is None:
            return None
        return self.change > 0 if self.direction == "higher" else self.change < 0


def effectiveness(
    db: Database, action_id: int, *, window_days: int = DEFAULT_REVIEW_WINDOW_DAYS, today: date | None = None
) -> EffectivenessReview | None:
    """Before/after means of the linked KPI around the completion date, over equal windows.

    When less than ``window_days`` have passed since completion, both windows shrink to
    the days that have passed so they stay equal. The action's own KPI, else its goal's.
    None unless the action is done and has a KPI either way."""
    from models import strategy

    action = get_action(db, action_id)
    if action is None or action.status != "done" or action.completed_on is None:
        return None
    kpi_id = action.kpi_id
    if kpi_id is None and action.goal_id is not None:  # the linked goal's KPI stands in
        goal = db.query_one("SELECT kpi_id FROM goals WHERE id = ?", [action.goal_id])
        kpi_id = goal["kpi_id"] if goal else None
    if kpi_id is None:
        return None
    kpi = strategy.get_kpi(db, kpi_id)
    if kpi is None:
        return None
    elapsed = ((today or date.today()) - action.completed_on).days
    window = max(0, min(window_days, elapsed))
    done = action.completed_on
    before = strategy.kpi_window_mean(db, kpi, done - timedelta(days=window), done)
    after = strategy.kpi_window_mean(db, kpi, done, done + timedelta(days=window))
    return EffectivenessReview(
        kpi_id=kpi.id,
        kpi_name=kpi.name,
        unit=kpi.unit,
        direction=kpi.direction,
        completed_on=done,
        window_days=window,
        before_mean=before[0],
        after_mean=after[0],
        before_count=before[1],
        after_count=after[1],
    )


def record_verdict(
    db: Database,
    actor: CurrentUser,
    action_id: int,
    verdict: str,
    note: str = "",
    *,
    expected_version: int | None = None,
) -> None:
    """The owner (or leadership) says whether a done action moved the KPI."""
    if verdict not in VERDICTS:
        raise InputError.single("Verdict", "choose effective, partly or not effective")
    note = (note or "").strip()
    if len(note) > 2000:
        raise InputError.single("Note", "use at most 2000 characters")

    def review(connection):
        before = _load_for_change(connection, actor, action_id, expected_version)
        if before["status"] != "done":
            raise InputError.single("Verdict", "only a done action can be reviewed")
        connection.execute(
            "UPDATE actions SET effectiveness_verdict = ?, effectiveness_note = ?, reviewed_by = ?, reviewed_at = ?,"
            " updated_by = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [verdict, note, actor.employee_id, utc_now(), actor.employee_id, utc_now(), action_id],
        )
        _log(connection, action_id, actor, "review", f"{VERDICT_LABELS[verdict]}. {note}".strip())
        after = audit.row_as_dict(connection, "actions", "id", action_id)
        audit.record(connection, actor, "action", action_id, "review", before, after)

    db.write(review)


def timeline_frame(actions: list[Action]) -> pd.DataFrame:
    """Rows for the Gantt-like timeline: one bar per action from start to due (or done)."""
    import pandas as pd

    today = date.today()
    return pd.DataFrame(
        [
            {
                "id": a.id,
                "action": f"#{a.id} {a.title}",
                "owner": a.owner_name,
                "status": STATUS_LABELS[a.status],
                "priority": a.priority,
                "start": a.start_date,
                "end": a.completed_on or a.due_date,
                "due": a.due_date,
                "progress_pct": a.progress_pct,
                "overdue": a.is_overdue(today),
            }
            for a in actions
        ],
        columns=["id", "action", "owner", "status", "priority", "start", "end", "due", "progress_pct", "overdue"],
    )


def owner_choices(db: Database) -> dict[int, str]:
    """Active people who can own an action or a goal: id → name (team shown for clarity)."""
    rows = db.query(
        "SELECT e.id, e.full_name, t.name AS team FROM employees e LEFT JOIN teams t ON t.id = e.team_id"
        " WHERE e.active ORDER BY e.full_name, e.id"
    )
    return {row["id"]: f"{row['full_name']} ({row['team'] or 'no team'})" for row in rows}


def linkable(db: Database, table: Literal["findings", "ideas"]) -> dict[int, str]:
    """Findings or ideas an action can come from, when that area exists: id → title."""
    if not db.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]):
        return {}
    where = " WHERE status IN ('green_lit', 'in_implementation', 'implemented')" if table == "ideas" else ""
    try:
        rows = db.query(f"SELECT id, title FROM {table}{where} ORDER BY id DESC LIMIT 500")
    except duckdb.Error:  # the other area's table has a different shape than expected
        return {}
    return {row["id"]: f"#{row['id']} {row['title']}" for row in rows}
