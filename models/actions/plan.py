"""The improvement action plan (SPEC §4): owned actions that come from goals, findings
and green-lit ideas, their status workflow, updates log and effectiveness review.

Other areas create actions through ``insert_action`` inside their own write (the
Speak-Up green light) or ``create_action``; they read them back with ``actions_for``."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from models.access import CurrentUser, Permission
from models.i18n import N_, _, pgettext
from models.inputs import InputRecord
from models.people.directory import people_matching

if TYPE_CHECKING:
    from collections.abc import Sequence

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
# The names of the stored codes, marked for the catalogue: shown with _() (``label``).
STATUS_LABELS = {
    "planned": N_("Planned"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "blocked": N_("Blocked"),
    "cancelled": N_("Cancelled"),
}
VERDICT_LABELS = {"effective": N_("Effective"), "partly": N_("Partly effective"), "not_effective": N_("Not effective")}
TYPE_LABELS = {
    "immediate": N_("Immediate"),
    "corrective": N_("Corrective"),
    "preventive": N_("Preventive"),
    "improvement": N_("Improvement"),
}
ORIGIN_LABELS = {"goal": N_("Goal"), "finding": N_("Finding"), "idea": N_("Green-lit idea"), "other": N_("Other")}
PRIORITY_LABELS = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High"), "critical": N_("Critical")}


def actions_table_columns() -> list[str]:
    """The action plan table's headings in the current language ("Completed" is the day an
    action was finished, not a course passed)."""
    return [
        *(_("Id"), _("Action"), _("Type"), _("Origin"), _("Goal"), _("Owner"), _("Team"), _("Priority")),
        *(
            _("Status"),
            _("Progress %"),
            _("Start"),
            _("Due"),
            _("Overdue"),
            pgettext("the day an action was finished", "Completed"),
            _("Verdict"),
        ),
    ]


UPDATE_KIND_LABELS = {
    "created": N_("Created"),
    "edit": N_("Edited"),
    "status": N_("Status change"),
    "progress": N_("Progress"),
    "note": N_("Note"),
    "review": N_("Effectiveness review"),
}
ORIGIN_NEEDS = {  # an action said to come from a goal, finding or idea names it; shown with _()
    "goal": N_("an action that comes from a goal needs the goal it comes from"),
    "finding": N_("an action that comes from a finding needs the finding it comes from"),
    "idea": N_("an action that comes from an idea needs the idea it comes from"),
}


def label(labels: dict[str, str], code: str | None) -> str:
    """The name of a stored code (a status, priority, type…) in the current language; a code
    the table does not know, as stored."""
    return _(labels[code]) if code in labels else (code or "")


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
NOTE_MAX = 2000  # characters of a status note, an update or a verdict's reason


class ActionInput(InputRecord):
    """What someone enters for an action; checked before anything is stored."""

    title: str = Field(title=N_("Title"), min_length=3, max_length=200)
    description: str = Field(default="", title=N_("Description"), max_length=4000)
    action_type: ActionType = Field(default="improvement", title=N_("Type"))
    origin: Origin = Field(default="other", title=N_("Origin"))
    goal_id: int | None = Field(default=None, title=N_("Goal"), validate_default=True)
    finding_id: int | None = Field(default=None, title=N_("Finding"), validate_default=True)
    idea_id: int | None = Field(default=None, title=N_("Idea"), validate_default=True)
    owner_id: int = Field(title=N_("Owner"))
    team_id: int | None = Field(default=None, title=N_("Team"))
    start_date: date = Field(default_factory=date.today, title=N_("Start date"))
    due_date: date = Field(title=N_("Due date"))
    priority: ActionPriority = Field(default="medium", title=N_("Priority"))
    kpi_id: int | None = Field(default=None, title=N_("KPI"))
    expected_effect: str = Field(default="", title=N_("Expected effect"), max_length=1000)

    @field_validator("description", "expected_effect", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("goal_id", "finding_id", "idea_id")
    @classmethod
    def _origin_is_linked(cls, value: int | None, info: ValidationInfo) -> int | None:
        origin = info.data.get("origin")
        if value is None and origin == info.field_name.removesuffix("_id"):
            raise ValueError(_(ORIGIN_NEEDS[origin]))
        return value

    @field_validator("due_date")
    @classmethod
    def _due_after_start(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("start_date")
        if start is not None and value < start:
            raise ValueError(_("due date is before the start date"))
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
    kpi_code: str | None = None
    expected_effect: str
    completed_on: date | None
    effectiveness_verdict: str | None
    effectiveness_note: str | None
    updated_by: int | None
    updated_by_name: str | None
    updated_at: datetime
    version: int

    @property
    def shown_kpi_name(self) -> str | None:
        """The KPI's name: a shipped KPI's in the current language, an added one's as entered."""
        from models.strategy.kpis import shipped_text  # the KPIs' module reads the areas, which read actions

        return shipped_text(self.kpi_code, 0, self.kpi_name) if self.kpi_name else None

    def is_overdue(self, today: date | None = None) -> bool:
        return self.status in OPEN_STATUSES and self.due_date < (today or date.today())


_ACTION_SQL = """
    SELECT a.id, a.title, a.description, a.action_type, a.origin, a.goal_id, g.name AS goal_name,
           a.finding_id, a.idea_id, a.owner_id, o.full_name AS owner_name, a.team_id, t.name AS team_name,
           a.start_date, a.due_date, a.status, a.priority, a.progress_pct, a.kpi_id, k.name AS kpi_name,
           k.code AS kpi_code, a.expected_effect, a.completed_on, a.effectiveness_verdict, a.effectiveness_note,
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
    group, params = {
        "status": ("a.status", []),
        "priority": ("a.priority", []),
        "owner": ("coalesce(o.full_name, ?)", [_("Unknown")]),
        "goal": ("coalesce(g.name, ?)", [_("No goal")]),
    }[dimension]
    return db.frame(
        f"SELECT {group} AS {dimension}, count(*) AS actions,"
        " count(*) FILTER (WHERE a.status IN ('planned', 'in_progress', 'blocked')) AS open,"
        " count(*) FILTER (WHERE a.status IN ('planned', 'in_progress', 'blocked') AND a.due_date < current_date)"
        " AS overdue, round(avg(a.progress_pct)) AS mean_progress_pct"
        " FROM actions a LEFT JOIN employees o ON o.id = a.owner_id LEFT JOIN goals g ON g.id = a.goal_id"
        " GROUP BY ALL ORDER BY actions DESC, 1",
        params or None,
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
    """The updates log as shown and downloaded: column names, kinds and status names in the
    current language; the portal's own notes too, people's notes as written."""
    import pandas as pd

    columns = [_("Posted"), _("By"), _("Kind"), _("From"), _("To"), _("Progress %"), _("Note")]
    return pd.DataFrame(
        [
            (
                entry["posted_at"],
                entry["author"],
                label(UPDATE_KIND_LABELS, entry["kind"]),
                label(STATUS_LABELS, entry["from_status"]),
                label(STATUS_LABELS, entry["to_status"]),
                entry["progress_pct"],
                shown_note(entry["kind"], entry["note"]),
            )
            for entry in updates_log(db, action_id)
        ],
        columns=columns,
    )


_CREATED_NOTE = re.compile(r"Action created \(origin: (?P<origin>.+)\)")


def shown_note(kind: str, note: str | None) -> str:
    """A note of the updates log in the current language when the portal wrote it (stored in
    English: "Action created (origin: goal)", "Changed title, due date", "Effective. …");
    what a person wrote, as written."""
    note = note or ""
    if kind == "created" and (found := _CREATED_NOTE.fullmatch(note)):
        origins = {name.lower(): code for code, name in ORIGIN_LABELS.items()}
        code = origins.get(found.group("origin"))
        if code is not None:
            return _("Action created (origin: {origin})", origin=label(ORIGIN_LABELS, code).lower())
    if kind == "edit" and note.startswith("Changed "):
        titles = {(field.title or name).lower(): field.title for name, field in ActionInput.model_fields.items()}
        changed = note.removeprefix("Changed ").split(", ")
        if all(title in titles for title in changed):
            return _("Changed {fields}", fields=", ".join(_(titles[title] or title).lower() for title in changed))
    if kind == "review":
        for verdict in VERDICT_LABELS.values():
            if note == f"{verdict}." or note.startswith(f"{verdict}. "):
                return _(verdict) + note.removeprefix(verdict)
    return note


def actions_frame(actions: list[Action], today: date) -> pd.DataFrame:
    """The action-plan table as shown and downloaded. Every column holds one kind of value:
    an action not yet completed has no Completed date (None), never a text in its place."""
    import pandas as pd

    return pd.DataFrame(
        [
            (
                a.id,
                a.title,
                label(TYPE_LABELS, a.action_type),
                label(ORIGIN_LABELS, a.origin),
                a.goal_name or "",
                a.owner_name,
                a.team_name or "",
                label(PRIORITY_LABELS, a.priority),
                label(STATUS_LABELS, a.status),
                a.progress_pct,
                a.start_date,
                a.due_date,
                a.is_overdue(today),
                a.completed_on,
                label(VERDICT_LABELS, a.effectiveness_verdict),
            )
            for a in actions
        ],
        columns=actions_table_columns(),
    )


def linked_actions_frame(actions: list[Action]) -> pd.DataFrame:
    """A goal's linked actions as shown and downloaded on the Goals page."""
    import pandas as pd

    return pd.DataFrame(
        [(a.title, a.owner_name, label(STATUS_LABELS, a.status), a.due_date, a.completed_on) for a in actions],
        columns=[
            _("Action"),
            _("Owner"),
            _("Status"),
            _("Due"),
            pgettext("the day an action was finished", "Completed"),
        ],
    )


def allowed_next(status: str) -> list[str]:
    """The statuses an action may move to from ``status``, in workflow order."""
    return [s for s in STATUSES if s in TRANSITIONS.get(status, frozenset())]


def can_change(user: CurrentUser, action: Action | dict[str, Any]) -> bool:
    """Leadership changes any action; an owner changes their own."""
    owner_id = action["owner_id"] if isinstance(action, dict) else action.owner_id
    return user.can(Permission.ACTIONS_MANAGE) or user.employee_id == owner_id


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
                "status": label(STATUS_LABELS, a.status),
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
    return {row["id"]: f"{row['full_name']} ({row['team'] or _('no team')})" for row in rows}


def find_owners(db: Database, search: str = "", *, keep: Sequence[int | None] = ()) -> tuple[list[dict[str, Any]], int]:
    """``owner_choices`` searched: the first active people matching ``search`` (name, email or
    employee number), those of ``keep`` (the owner already chosen) first, and how many match."""
    return people_matching(db, search, keep=keep)


def owner_label(person: dict[str, Any]) -> str:
    """How an owner is named in a picker: the name, and the team for clarity."""
    return f"{person['full_name']} ({person['team_name'] or _('no team')})"


def linkable(db: Database, table: Literal["findings", "ideas"]) -> dict[int, str]:
    """Findings or green-lit ideas an action can come from: id → title."""
    where = " WHERE status IN ('green_lit', 'in_implementation', 'implemented')" if table == "ideas" else ""
    rows = db.query(f"SELECT id, title FROM {table}{where} ORDER BY id DESC")  # table is a Literal
    return {row["id"]: f"#{row['id']} {row['title']}" for row in rows}
