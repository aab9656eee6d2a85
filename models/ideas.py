"""Speak-Up Day ideas: ideas with a business case, their lifecycle, the moderated board
(supports, comments, merges) and benefit reviews after green light.

Cycles, their criteria and phases live in ``models.cycles``; scoring and decisions in
``models.judging``."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import BaseModel, ConfigDict, Field, field_validator
from rapidfuzz import fuzz, utils

from models import audit
from models.auth import CurrentUser, Permission, require
from models.cycles import Cycle, get_cycle
from models.db import query_row, query_rows, utc_now
from models.errors import InputError, from_validation

if TYPE_CHECKING:
    from models.db import Database

# -- vocabulary ----------------------------------------------------------------------
STATUS_LABELS = {
    "draft": "Draft",
    "submitted": "Submitted",
    "needs_more_work": "Needs more work",
    "declined": "Declined",
    "merged": "Merged",
    "shortlisted": "Shortlisted",
    "scored": "Being scored",
    "green_lit": "Green-lit",
    "not_selected": "Not selected",
    "in_implementation": "In implementation",
    "implemented": "Implemented",
    "withdrawn": "Withdrawn",
}
PRIVATE_STATUSES = ("draft", "withdrawn")  # only the authors see these
OPEN_FOR_ENGAGEMENT = ("submitted", "needs_more_work", "shortlisted", "scored", "green_lit", "in_implementation")
MODERATABLE = ("submitted", "needs_more_work")
CARRYABLE = ("submitted", "needs_more_work", "not_selected")
GREEN_LIT_STATUSES = ("green_lit", "in_implementation", "implemented")
REVIEW_DAYS = (30, 90, 180)

TITLE_MAX = 120
TEXT_MAX = 2000
COMMENT_MAX = 1000
REASON_MAX = 500
MONEY_MAX = 1_000_000_000


# -- the business case ---------------------------------------------------------------
class BusinessCase(BaseModel):
    """The money side of an idea and the figures derived from it."""

    annual_savings: float = 0
    annual_revenue: float = 0
    one_off_cost: float = 0
    annual_running_cost: float = 0

    @property
    def net_annual_benefit(self) -> float:
        return self.annual_savings + self.annual_revenue - self.annual_running_cost

    @property
    def payback_months(self) -> float | None:
        """Months until the one-off cost is earned back; None when it never is."""
        if self.one_off_cost == 0:
            return 0.0
        if self.net_annual_benefit <= 0:
            return None
        return round(self.one_off_cost / self.net_annual_benefit * 12, 1)

    @property
    def first_year_net(self) -> float:
        return self.net_annual_benefit - self.one_off_cost


# SQL forms of the same figures, for aggregation in DuckDB
NET_ANNUAL_BENEFIT_SQL = "(i.annual_savings + i.annual_revenue - i.annual_running_cost)"
FIRST_YEAR_NET_SQL = f"({NET_ANNUAL_BENEFIT_SQL} - i.one_off_cost)"


# -- ideas ---------------------------------------------------------------------------
class MilestoneInput(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(title="Milestone", min_length=1, max_length=120)
    due_date: date = Field(title="Milestone date")


class IdeaInput(BaseModel):
    """What an author writes; checked whole before anything is stored."""

    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(title="Title", min_length=5, max_length=TITLE_MAX)
    problem: str = Field("", title="Problem", max_length=TEXT_MAX)
    proposed_change: str = Field("", title="Proposed change", max_length=TEXT_MAX)
    complaint_category: str | None = Field(None, title="Complaint category", max_length=120)
    finding_id: int | None = Field(None, title="Finding")
    annual_savings: float = Field(0, title="Annual savings")
    annual_revenue: float = Field(0, title="Annual extra revenue")
    one_off_cost: float = Field(0, title="One-off cost")
    annual_running_cost: float = Field(0, title="Annual running cost")
    customers_affected: int = Field(0, title="Customers affected per year", ge=0, le=100_000_000)
    kpi_name: str | None = Field(None, title="KPI expected to move", max_length=80)
    kpi_expected_change: float | None = Field(None, title="Expected KPI change")
    effort_days: float = Field(0, title="Effort (person-days)", ge=0, le=100_000)
    co_author_ids: list[int] = Field(default_factory=list, title="Co-authors", max_length=5)
    milestones: list[MilestoneInput] = Field(default_factory=list, title="Project plan", max_length=12)

    @field_validator("annual_savings", "annual_revenue", "one_off_cost", "annual_running_cost")
    @classmethod
    def _money(cls, value: float) -> float:
        if value < 0:
            raise ValueError("cannot be negative")
        if value > MONEY_MAX:
            raise ValueError(f"cannot exceed {MONEY_MAX:,}")
        return round(value, 2)

    @field_validator("complaint_category", "kpi_name")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @property
    def business_case(self) -> BusinessCase:
        return BusinessCase(**self.model_dump(include=set(BusinessCase.model_fields)))


def validate_idea(data: dict[str, Any]) -> IdeaInput:
    try:
        return IdeaInput.model_validate(data)
    except Exception as error:  # pydantic ValidationError
        if hasattr(error, "errors"):
            raise from_validation(error, IdeaInput) from None
        raise


class Idea(BaseModel):
    id: int
    cycle_id: int
    cycle_name: str
    author_id: int
    author_name: str
    team_id: int | None
    team_name: str | None
    title: str
    problem: str
    proposed_change: str
    complaint_category: str | None
    finding_id: int | None
    annual_savings: float
    annual_revenue: float
    one_off_cost: float
    annual_running_cost: float
    customers_affected: int
    kpi_name: str | None
    kpi_expected_change: float | None
    effort_days: float
    status: str
    status_note: str | None
    merged_into_id: int | None
    carried_from_cycle_id: int | None
    action_id: int | None
    action_owner_id: int | None
    action_due_date: date | None
    created_at: datetime
    submitted_at: datetime | None
    supporters: int
    comments: int
    co_authors: list[dict[str, Any]] = []
    milestones: list[dict[str, Any]] = []

    @property
    def business_case(self) -> BusinessCase:
        return BusinessCase(**self.model_dump(include=set(BusinessCase.model_fields)))

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def author_ids(self) -> set[int]:
        return {self.author_id, *(c["employee_id"] for c in self.co_authors)}


_IDEA_SQL = """
    SELECT i.*, c.name AS cycle_name, a.full_name AS author_name, t.name AS team_name,
           (SELECT count(*) FROM idea_supports s WHERE s.idea_id = i.id) AS supporters,
           (SELECT count(*) FROM idea_comments m WHERE m.idea_id = i.id AND NOT m.hidden) AS comments
    FROM ideas i
    JOIN idea_cycles c ON c.id = i.cycle_id
    JOIN employees a ON a.id = i.author_id
    LEFT JOIN teams t ON t.id = i.team_id
"""


def get_idea(source, idea_id: int, viewer: CurrentUser | None = None) -> Idea | None:
    """One idea with co-authors and plan; a draft is only shown to its authors."""
    row = query_row(source, _IDEA_SQL + " WHERE i.id = ?", [idea_id])
    if row is None:
        return None
    row.pop("updated_at", None)
    co_authors = query_rows(
        source,
        "SELECT e.id AS employee_id, e.full_name FROM idea_coauthors c JOIN employees e ON e.id = c.employee_id"
        " WHERE c.idea_id = ? ORDER BY e.full_name",
        [idea_id],
    )
    milestones = query_rows(
        source, "SELECT title, due_date FROM idea_milestones WHERE idea_id = ? ORDER BY position", [idea_id]
    )
    idea = Idea(**row, co_authors=co_authors, milestones=milestones)
    if viewer is not None and idea.status in PRIVATE_STATUSES and viewer.employee_id not in idea.author_ids:
        return None
    return idea


def _idea_for_update(connection: duckdb.DuckDBPyConnection, idea_id: int) -> Idea:
    idea = get_idea(connection, idea_id)
    if idea is None:
        raise InputError.single("Idea", "no such idea")
    return idea


def _log_status(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    idea_id: int,
    cycle_id: int,
    from_status: str | None,
    to_status: str,
    note: str | None = None,
    at: datetime | None = None,
) -> None:
    connection.execute(
        "INSERT INTO idea_status_history (idea_id, cycle_id, from_status, to_status, note, changed_by, changed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [idea_id, cycle_id, from_status, to_status, note, actor.employee_id if actor else None, at or utc_now()],
    )


def set_status(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    idea: Idea,
    to_status: str,
    note: str | None = None,
    **columns: Any,
) -> None:
    """Change an idea's status inside an open write: history, audit and extra columns together."""
    assignments = ", ".join(f"{name} = ?" for name in columns)
    connection.execute(
        f"UPDATE ideas SET status = ?, status_note = ?, updated_at = ?{', ' + assignments if assignments else ''}"
        " WHERE id = ?",
        [to_status, note, utc_now(), *columns.values(), idea.id],
    )
    _log_status(connection, actor, idea.id, columns.get("cycle_id", idea.cycle_id), idea.status, to_status, note)
    audit.record(
        connection,
        actor,
        "idea",
        idea.id,
        to_status,
        {"status": idea.status},
        {"status": to_status, "note": note, **columns},
    )


def _check_people(connection: duckdb.DuckDBPyConnection, author_id: int, record: IdeaInput) -> None:
    problems = []
    if author_id in record.co_author_ids:
        problems.append(("Co-authors", "you are the author already; list only other people"))
    for employee_id in set(record.co_author_ids):
        if not connection.execute("SELECT 1 FROM employees WHERE id = ? AND active", [employee_id]).fetchone():
            problems.append(("Co-authors", f"employee {employee_id} is not an active employee"))
    if len(set(record.co_author_ids)) != len(record.co_author_ids):
        problems.append(("Co-authors", "a person is listed twice"))
    if problems:
        raise InputError(problems)


def _store_parts(connection: duckdb.DuckDBPyConnection, idea_id: int, record: IdeaInput) -> None:
    connection.execute("DELETE FROM idea_coauthors WHERE idea_id = ?", [idea_id])
    connection.execute("DELETE FROM idea_milestones WHERE idea_id = ?", [idea_id])
    for employee_id in record.co_author_ids:
        connection.execute("INSERT INTO idea_coauthors VALUES (?, ?)", [idea_id, employee_id])
    for position, milestone in enumerate(record.milestones, start=1):
        connection.execute(
            "INSERT INTO idea_milestones (idea_id, position, title, due_date) VALUES (?, ?, ?, ?)",
            [idea_id, position, milestone.title, milestone.due_date],
        )


_IDEA_FIELDS = (
    "title",
    "problem",
    "proposed_change",
    "complaint_category",
    "finding_id",
    "annual_savings",
    "annual_revenue",
    "one_off_cost",
    "annual_running_cost",
    "customers_affected",
    "kpi_name",
    "kpi_expected_change",
    "effort_days",
)


def insert_idea(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    author_id: int,
    team_id: int | None,
    cycle_id: int,
    record: IdeaInput,
    *,
    created_at: datetime | None = None,
) -> int:
    """Store a validated draft inside an open write (also used by the demo)."""
    now = created_at or utc_now()
    idea_id = connection.execute(
        f"INSERT INTO ideas (cycle_id, author_id, team_id, {', '.join(_IDEA_FIELDS)}, status, created_at, updated_at)"
        f" VALUES (?, ?, ?, {', '.join('?' for _ in _IDEA_FIELDS)}, 'draft', ?, ?) RETURNING id",
        [cycle_id, author_id, team_id, *(getattr(record, name) for name in _IDEA_FIELDS), now, now],
    ).fetchone()[0]
    _store_parts(connection, idea_id, record)
    _log_status(connection, actor, idea_id, cycle_id, None, "draft", at=now)
    audit.record(connection, actor, "idea", idea_id, "create", after=record.model_dump())
    return idea_id


def save_draft(db: Database, actor: CurrentUser, data: dict[str, Any], idea_id: int | None = None) -> int:
    """Keep an idea as a draft in the open cycle: a new one, or changes to one's own draft."""
    require(actor, Permission.IDEAS_SUBMIT)
    record = validate_idea(data)

    def save(connection):
        _check_people(connection, actor.employee_id, record)
        if idea_id is None:
            cycle_row = connection.execute("SELECT id FROM idea_cycles WHERE phase = 'open'").fetchone()
            if cycle_row is None:
                raise InputError.single("Cycle", "no Speak-Up cycle is accepting ideas at the moment")
            return insert_idea(connection, actor, actor.employee_id, actor.team_id, cycle_row[0], record)
        idea = _idea_for_update(connection, idea_id)
        if actor.employee_id not in idea.author_ids:
            raise InputError.single("Idea", "only its authors may change an idea")
        if idea.status not in ("draft", "needs_more_work"):
            raise InputError.single("Idea", f"a {idea.status_label.lower()} idea can no longer be edited")
        before = {name: getattr(idea, name) for name in _IDEA_FIELDS}
        connection.execute(
            f"UPDATE ideas SET {', '.join(f'{name} = ?' for name in _IDEA_FIELDS)}, updated_at = ? WHERE id = ?",
            [*(getattr(record, name) for name in _IDEA_FIELDS), utc_now(), idea_id],
        )
        _store_parts(connection, idea_id, record)
        audit.record(connection, actor, "idea", idea_id, "edit", before, record.model_dump())
        return idea_id

    return db.write(save)


def save_and_submit(
    db: Database, actor: CurrentUser, data: dict[str, Any], idea_id: int | None = None, *, today: date | None = None
) -> int:
    """Save the form and post it in one write: when posting is refused, nothing is stored."""
    return db.write(lambda _connection: _save_then_submit(db, actor, data, idea_id, today))


def _save_then_submit(db: Database, actor: CurrentUser, data: dict[str, Any], idea_id: int | None, today) -> int:
    saved_id = save_draft(db, actor, data, idea_id)  # joins the open write
    submit_idea(db, actor, saved_id, today=today)
    return saved_id


def may_resubmit(cycle: Cycle) -> bool:
    """An idea sent back as needing more work may come back until scoring starts."""
    return cycle.phase in ("open", "review")


def submit_idea(db: Database, actor: CurrentUser, idea_id: int, *, today: date | None = None) -> None:
    """Post a draft to the board while its cycle's window is open; an idea sent back as
    needing more work may be resubmitted until scoring starts."""
    require(actor, Permission.IDEAS_SUBMIT)

    def submit(connection):
        idea = _idea_for_update(connection, idea_id)
        if actor.employee_id not in idea.author_ids:
            raise InputError.single("Idea", "only its authors may submit an idea")
        if idea.status not in ("draft", "needs_more_work"):
            raise InputError.single("Idea", f"a {idea.status_label.lower()} idea cannot be submitted again")
        cycle = get_cycle(connection, idea.cycle_id)
        assert cycle is not None
        reworked = idea.status == "needs_more_work" and may_resubmit(cycle)
        if not reworked and not cycle.accepts_submissions(today):
            raise InputError.single(
                "Cycle",
                f"{cycle.name} does not accept submissions now (window {cycle.submission_opens:%d %b} – "
                f"{cycle.submission_closes:%d %b %Y})",
            )
        problems = []
        if len(idea.problem) < 20:
            problems.append(("Problem", "describe the problem in at least 20 characters before submitting"))
        if len(idea.proposed_change) < 20:
            problems.append(("Proposed change", "describe the change in at least 20 characters before submitting"))
        if problems:
            raise InputError(problems)
        set_status(connection, actor, idea, "submitted", submitted_at=utc_now())

    db.write(submit)


def withdraw_idea(db: Database, actor: CurrentUser, idea_id: int) -> None:
    """The author takes an idea back before it is shortlisted."""
    require(actor, Permission.IDEAS_SUBMIT)

    def withdraw(connection):
        idea = _idea_for_update(connection, idea_id)
        if idea.author_id != actor.employee_id:
            raise InputError.single("Idea", "only the author may withdraw an idea")
        if idea.status not in ("draft", "submitted", "needs_more_work"):
            raise InputError.single("Idea", f"a {idea.status_label.lower()} idea can no longer be withdrawn")
        set_status(connection, actor, idea, "withdrawn")

    db.write(withdraw)


# -- similar ideas -------------------------------------------------------------------
def similar_ideas(
    db: Database, text: str, *, exclude_id: int | None = None, limit: int = 5, min_score: float = 62
) -> list[dict[str, Any]]:
    """Posted ideas whose title or text resemble what is being typed (fuzzy, typo-tolerant)."""
    query = utils.default_process(text or "")
    if len(query) < 4:
        return []
    rows = db.query(
        "SELECT i.id, i.title, i.problem, i.status, c.name AS cycle_name FROM ideas i"
        " JOIN idea_cycles c ON c.id = i.cycle_id WHERE i.status NOT IN ('draft', 'withdrawn')"
        " AND i.id IS DISTINCT FROM ?",
        [exclude_id],
    )
    matches = []
    for row in rows:
        title = utils.default_process(row["title"])
        body = utils.default_process(f"{row['title']} {row['problem'][:400]}")
        score = max(
            fuzz.token_sort_ratio(query, title),
            fuzz.partial_ratio(query, title) * 0.95,
            fuzz.token_set_ratio(query, body) * 0.85,
        )
        if score >= min_score:
            matches.append({**row, "similarity": round(score), "status_label": STATUS_LABELS[row["status"]]})
    matches.sort(key=lambda match: (-match["similarity"], match["id"]))
    return matches[:limit]


# -- the board -----------------------------------------------------------------------
BOARD_SORTS = {
    "Newest": "i.submitted_at DESC NULLS LAST, i.id DESC",
    "Most supported": "supporters DESC, i.submitted_at DESC NULLS LAST",
    "Most discussed": "comments DESC, i.submitted_at DESC NULLS LAST",
}


def board(
    db: Database,
    *,
    search: str = "",
    statuses: list[str] | None = None,
    cycle_id: int | None = None,
    team_id: int | None = None,
    sort: str = "Newest",
    limit: int = 200,
) -> list[Idea]:
    """Posted ideas (never drafts or withdrawn ones) with supporters and comments counted in DuckDB."""
    clauses = ["i.status NOT IN ('draft', 'withdrawn')"]
    params: list[Any] = []
    if search.strip():
        clauses.append("(i.title ILIKE ? OR i.problem ILIKE ? OR i.proposed_change ILIKE ?)")
        params.extend([f"%{search.strip()}%"] * 3)
    if statuses:
        clauses.append("list_contains(?, i.status)")
        params.append(list(statuses))
    if cycle_id is not None:
        clauses.append("i.cycle_id = ?")
        params.append(cycle_id)
    if team_id is not None:
        clauses.append("i.team_id = ?")
        params.append(team_id)
    order = BOARD_SORTS.get(sort, BOARD_SORTS["Newest"])
    rows = db.query(f"{_IDEA_SQL} WHERE {' AND '.join(clauses)} ORDER BY {order} LIMIT ?", [*params, limit])
    co_authors = _co_authors_of(db, [row["id"] for row in rows])
    ideas = []
    for row in rows:
        row.pop("updated_at", None)
        ideas.append(Idea(**row, co_authors=co_authors.get(row["id"], [])))
    return ideas


def _co_authors_of(db: Database, idea_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    if not idea_ids:
        return {}
    rows = db.query(
        "SELECT c.idea_id, e.id AS employee_id, e.full_name FROM idea_coauthors c"
        " JOIN employees e ON e.id = c.employee_id WHERE list_contains(?, c.idea_id) ORDER BY e.full_name",
        [idea_ids],
    )
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row.pop("idea_id"), []).append(row)
    return grouped


def my_ideas(db: Database, user: CurrentUser) -> list[Idea]:
    """Ideas the person wrote or co-wrote, drafts included, newest first."""
    rows = db.query(
        f"{_IDEA_SQL} WHERE i.author_id = ? OR i.id IN (SELECT idea_id FROM idea_coauthors WHERE employee_id = ?)"
        " ORDER BY i.created_at DESC, i.id DESC",
        [user.employee_id, user.employee_id],
    )
    ideas = []
    for row in rows:
        idea = get_idea(db, row["id"])
        if idea is not None:
            ideas.append(idea)
    return ideas


def status_history(db: Database, idea_id: int) -> list[dict[str, Any]]:
    """Each status change with its note (the feedback authors receive)."""
    rows = db.query(
        "SELECT h.changed_at, h.from_status, h.to_status, h.note, e.full_name AS changed_by"
        " FROM idea_status_history h LEFT JOIN employees e ON e.id = h.changed_by"
        " WHERE h.idea_id = ? ORDER BY h.changed_at, h.id",
        [idea_id],
    )
    for row in rows:
        row["status"] = STATUS_LABELS[row["to_status"]]
    return rows


def team_choices(db: Database) -> list[dict[str, Any]]:
    return db.query("SELECT id, name FROM teams WHERE active ORDER BY name")


def colleague_choices(db: Database, exclude_id: int) -> list[dict[str, Any]]:
    """Active people who can be named co-authors."""
    return db.query(
        "SELECT e.id, e.full_name, t.name AS team_name FROM employees e LEFT JOIN teams t ON t.id = e.team_id"
        " WHERE e.active AND e.id <> ? ORDER BY e.full_name",
        [exclude_id],
    )


# -- supports and comments -----------------------------------------------------------
def support_idea(db: Database, actor: CurrentUser, idea_id: int) -> None:
    """One support per person, never on one's own idea."""
    require(actor, Permission.IDEAS_ENGAGE)

    def support(connection):
        idea = _idea_for_update(connection, idea_id)
        if actor.employee_id in idea.author_ids:
            raise InputError.single("Support", "you cannot support your own idea")
        if idea.status not in OPEN_FOR_ENGAGEMENT:
            raise InputError.single("Support", f"a {idea.status_label.lower()} idea cannot be supported")
        if connection.execute(
            "SELECT 1 FROM idea_supports WHERE idea_id = ? AND employee_id = ?", [idea_id, actor.employee_id]
        ).fetchone():
            raise InputError.single("Support", "you support this idea already")
        connection.execute("INSERT INTO idea_supports VALUES (?, ?, ?)", [idea_id, actor.employee_id, utc_now()])
        audit.record(connection, actor, "idea_support", idea_id, "support", after={"employee_id": actor.employee_id})

    db.write(support)


def withdraw_support(db: Database, actor: CurrentUser, idea_id: int) -> None:
    require(actor, Permission.IDEAS_ENGAGE)

    def withdraw(connection):
        removed = connection.execute(
            "DELETE FROM idea_supports WHERE idea_id = ? AND employee_id = ? RETURNING idea_id",
            [idea_id, actor.employee_id],
        ).fetchone()
        if removed is None:
            raise InputError.single("Support", "you do not support this idea")
        audit.record(connection, actor, "idea_support", idea_id, "unsupport", {"employee_id": actor.employee_id})

    db.write(withdraw)


def supports(db: Database, user: CurrentUser, idea_ids: list[int]) -> set[int]:
    """Which of these ideas the person supports."""
    if not idea_ids:
        return set()
    rows = db.query(
        "SELECT idea_id FROM idea_supports WHERE employee_id = ? AND list_contains(?, idea_id)",
        [user.employee_id, idea_ids],
    )
    return {row["idea_id"] for row in rows}


def add_comment(db: Database, actor: CurrentUser, idea_id: int, body: str) -> int:
    require(actor, Permission.IDEAS_ENGAGE)
    body = (body or "").strip()
    if not body:
        raise InputError.single("Comment", "write something first")
    if len(body) > COMMENT_MAX:
        raise InputError.single("Comment", f"use at most {COMMENT_MAX} characters (you wrote {len(body)})")

    def comment(connection):
        idea = _idea_for_update(connection, idea_id)
        if idea.status in PRIVATE_STATUSES or idea.status == "merged":
            raise InputError.single("Comment", f"a {idea.status_label.lower()} idea takes no comments")
        comment_id = connection.execute(
            "INSERT INTO idea_comments (idea_id, author_id, body, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            [idea_id, actor.employee_id, body, utc_now()],
        ).fetchone()[0]
        audit.record(connection, actor, "idea_comment", comment_id, "create", after={"idea_id": idea_id, "body": body})
        return comment_id

    return db.write(comment)


def comments_for(db: Database, idea_id: int, *, include_hidden: bool = False) -> list[dict[str, Any]]:
    return db.query(
        "SELECT m.id, m.body, m.created_at, m.hidden, m.hidden_reason, e.full_name AS author_name"
        " FROM idea_comments m JOIN employees e ON e.id = m.author_id"
        " WHERE m.idea_id = ? AND (? OR NOT m.hidden) ORDER BY m.created_at, m.id",
        [idea_id, include_hidden],
    )


def hide_comment(db: Database, actor: CurrentUser, comment_id: int, reason: str) -> None:
    """A moderator hides a comment that breaks the forum's rules; it stays in the record."""
    require(actor, Permission.IDEAS_MODERATE)
    reason = _reason(reason, "Reason")

    def hide(connection):
        before = audit.row_as_dict(connection, "idea_comments", "id", comment_id)
        if before is None:
            raise InputError.single("Comment", "no such comment")
        connection.execute(
            "UPDATE idea_comments SET hidden = TRUE, hidden_by = ?, hidden_reason = ? WHERE id = ?",
            [actor.employee_id, reason, comment_id],
        )
        audit.record(connection, actor, "idea_comment", comment_id, "hide", before, {"hidden_reason": reason})

    db.write(hide)


# -- moderation ----------------------------------------------------------------------
def _reason(text: str | None, field: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and len(text) < 5:
        raise InputError.single(field, "give a reason of at least 5 characters")
    if len(text) > REASON_MAX:
        raise InputError.single(field, f"use at most {REASON_MAX} characters (you wrote {len(text)})")
    return text


def _moderatable(connection: duckdb.DuckDBPyConnection, idea_id: int, allowed=MODERATABLE) -> tuple[Idea, Cycle]:
    idea = _idea_for_update(connection, idea_id)
    if idea.status not in allowed:
        raise InputError.single("Idea", f"a {idea.status_label.lower()} idea cannot be moderated this way")
    cycle = get_cycle(connection, idea.cycle_id)
    assert cycle is not None
    if cycle.phase not in ("open", "review"):
        raise InputError.single("Cycle", f"{cycle.name} is {cycle.phase_label.lower()}; moderation has ended")
    return idea, cycle


def shortlist(db: Database, actor: CurrentUser, idea_id: int, note: str = "") -> None:
    """Put an idea on the list for Speak-Up Day, within the cycle's shortlist size."""
    require(actor, Permission.IDEAS_MODERATE)
    note = _reason(note, "Note", required=False)

    def do(connection):
        idea, cycle = _moderatable(connection, idea_id, ("submitted",))
        taken = connection.execute(
            "SELECT count(*) FROM ideas WHERE cycle_id = ? AND status NOT IN"
            " ('draft', 'submitted', 'needs_more_work', 'declined', 'merged', 'withdrawn')",
            [cycle.id],
        ).fetchone()[0]
        if taken >= cycle.shortlist_size:
            raise InputError.single("Shortlist", f"{cycle.name}'s shortlist is full ({cycle.shortlist_size} ideas)")
        set_status(connection, actor, idea, "shortlisted", note or None)

    db.write(do)


def send_back(db: Database, actor: CurrentUser, idea_id: int, feedback: str) -> None:
    """Mark an idea "needs more work" with feedback; its authors can edit and resubmit."""
    require(actor, Permission.IDEAS_MODERATE)
    feedback = _reason(feedback, "Feedback")

    def do(connection):
        idea, _ = _moderatable(connection, idea_id, ("submitted",))
        set_status(connection, actor, idea, "needs_more_work", feedback)

    db.write(do)


def decline(db: Database, actor: CurrentUser, idea_id: int, reason: str) -> None:
    require(actor, Permission.IDEAS_MODERATE)
    reason = _reason(reason, "Reason")

    def do(connection):
        idea, _ = _moderatable(connection, idea_id)
        set_status(connection, actor, idea, "declined", reason)

    db.write(do)


def merge(db: Database, actor: CurrentUser, duplicate_id: int, survivor_id: int, note: str = "") -> int:
    """Merge a duplicate into another idea: its supporters (never counted twice, never an
    author of the survivor) and its comments move to the survivor. Returns supporters moved."""
    require(actor, Permission.IDEAS_MODERATE)
    note = _reason(note, "Note", required=False)
    if duplicate_id == survivor_id:
        raise InputError.single("Merge into", "an idea cannot be merged into itself")

    def do(connection):
        duplicate, _ = _moderatable(connection, duplicate_id)
        survivor = _idea_for_update(connection, survivor_id)
        if survivor.status in ("draft", "withdrawn", "merged", "declined"):
            raise InputError.single("Merge into", f"cannot merge into a {survivor.status_label.lower()} idea")
        if survivor.cycle_id != duplicate.cycle_id and survivor.status not in OPEN_FOR_ENGAGEMENT:
            raise InputError.single(
                "Merge into",
                f"#{survivor.id} is {survivor.status_label.lower()} in {survivor.cycle_name}, so it takes no more "
                "supporters; decline this idea with a pointer to it, or carry that idea forward first",
            )
        survivor_authors = list(survivor.author_ids)
        moved = connection.execute(
            "INSERT INTO idea_supports SELECT ?, s.employee_id, s.supported_at FROM idea_supports s"
            " WHERE s.idea_id = ? AND NOT list_contains(?, s.employee_id)"
            " AND s.employee_id NOT IN (SELECT employee_id FROM idea_supports WHERE idea_id = ?)",
            [survivor_id, duplicate_id, survivor_authors, survivor_id],
        ).fetchone()[0]
        connection.execute("DELETE FROM idea_supports WHERE idea_id = ?", [duplicate_id])
        comments_moved = connection.execute(
            "UPDATE idea_comments SET idea_id = ? WHERE idea_id = ?", [survivor_id, duplicate_id]
        ).fetchone()[0]
        text = f"Merged into #{survivor_id} “{survivor.title}”" + (f": {note}" if note else "")
        set_status(connection, actor, duplicate, "merged", text, merged_into_id=survivor_id)
        audit.record(
            connection,
            actor,
            "idea",
            survivor_id,
            "merge_received",
            after={"from": duplicate_id, "supporters_moved": moved, "comments_moved": comments_moved},
        )
        return moved

    return db.write(do)


def carry_forward(db: Database, actor: CurrentUser, idea_id: int, cycle_id: int) -> None:
    """Bring an idea that was not shortlisted into a later cycle, keeping supports and comments."""
    require(actor, Permission.IDEAS_MODERATE)

    def do(connection):
        idea = _idea_for_update(connection, idea_id)
        if idea.status not in CARRYABLE:
            raise InputError.single("Idea", f"a {idea.status_label.lower()} idea cannot be carried forward")
        target = get_cycle(connection, cycle_id)
        if target is None or target.id == idea.cycle_id:
            raise InputError.single("Next cycle", "choose a different cycle")
        if target.phase not in ("planned", "open"):
            raise InputError.single("Next cycle", f"{target.name} is {target.phase_label.lower()}")
        set_status(
            connection,
            actor,
            idea,
            "submitted",
            f"Carried from {idea.cycle_name} into {target.name}",
            cycle_id=cycle_id,
            carried_from_cycle_id=idea.cycle_id,
        )

    db.write(do)


def moderation_queue(db: Database, cycle_id: int) -> list[Idea]:
    return board(db, cycle_id=cycle_id, statuses=["submitted", "needs_more_work", "shortlisted"], sort="Most supported")


def carryable_ideas(db: Database, before_cycle_id: int) -> list[Idea]:
    """Ideas of earlier cycles that were not shortlisted and may be carried into this one."""
    return [idea for idea in board(db, statuses=list(CARRYABLE), limit=500) if idea.cycle_id != before_cycle_id]


# -- complaint link (optional: only when the complaints area is installed) -----------------
def _has_columns(db: Database, table: str, columns: tuple[str, ...]) -> bool:
    found = db.scalar(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND list_contains(?, column_name)",
        [table, list(columns)],
    )
    return found == len(columns)


def complaint_categories(db: Database) -> list[dict[str, Any]]:
    """Complaint categories with their complaint counts, when complaints exist in the portal."""
    if not _has_columns(db, "complaints", ("category",)):
        return []
    return db.query(
        "SELECT category, count(*) AS complaints FROM complaints WHERE category IS NOT NULL"
        " GROUP BY category ORDER BY complaints DESC"
    )


def findings(db: Database) -> list[dict[str, Any]]:
    """Findings to link an idea to, when the complaints area is installed."""
    if not _has_columns(db, "findings", ("id", "title")):
        return []
    return db.query("SELECT id, title FROM findings ORDER BY id DESC")


def complaint_link_counts(db: Database, idea: Idea) -> dict[str, Any]:
    """What the idea's linked complaint category or finding stands for, in numbers."""
    counts: dict[str, Any] = {}
    if idea.complaint_category and _has_columns(db, "complaints", ("category",)):
        counts["complaints_in_category"] = db.scalar(
            "SELECT count(*) FROM complaints WHERE category = ?", [idea.complaint_category]
        )
    if idea.finding_id is not None and _has_columns(db, "findings", ("id", "title")):
        counts["finding_title"] = db.scalar("SELECT title FROM findings WHERE id = ?", [idea.finding_id])
    return counts


# -- benefit reviews -----------------------------------------------------------------
def record_benefit_review(
    db: Database,
    actor: CurrentUser,
    idea_id: int,
    review_day: int,
    realised_savings: float,
    note: str = "",
    *,
    implemented: bool = False,
    today: date | None = None,
) -> None:
    """The action owner records realised savings at 30, 90 or 180 days after green light,
    each review from its day on."""
    today = today or date.today()
    if review_day not in REVIEW_DAYS:
        raise InputError.single("Review", f"choose one of {', '.join(map(str, REVIEW_DAYS))} days")
    if realised_savings is None or realised_savings < 0:
        raise InputError.single("Realised savings", "cannot be negative")
    if realised_savings > MONEY_MAX:
        raise InputError.single("Realised savings", f"cannot exceed {MONEY_MAX:,}")
    note = _reason(note, "Note", required=False)
    if actor is None or action_owner(db, idea_id) != actor.employee_id:
        require(actor, Permission.SPEAKUP_MANAGE)

    def do(connection):
        idea = _idea_for_update(connection, idea_id)
        if idea.status not in ("in_implementation", "implemented", "green_lit"):
            raise InputError.single("Idea", "benefits are reviewed only for green-lit ideas")
        green_lit_on = green_light_date(connection, idea_id)
        if green_lit_on is not None and today < green_lit_on + timedelta(days=review_day):
            due = green_lit_on + timedelta(days=review_day)
            raise InputError.single(
                "Review",
                f"the {review_day}-day review is due on {due:%d %b %Y} ({review_day} days after the green light "
                f"on {green_lit_on:%d %b %Y}); record it from then on",
            )
        before = query_row(
            connection, "SELECT * FROM idea_benefit_reviews WHERE idea_id = ? AND review_day = ?", [idea_id, review_day]
        )
        if before:
            connection.execute(
                "UPDATE idea_benefit_reviews SET realised_savings = ?, note = ?, recorded_by = ?, recorded_at = ?"
                " WHERE id = ?",
                [realised_savings, note or None, actor.employee_id, utc_now(), before["id"]],
            )
        else:
            connection.execute(
                "INSERT INTO idea_benefit_reviews (idea_id, review_day, realised_savings, note, recorded_by,"
                " recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                [idea_id, review_day, realised_savings, note or None, actor.employee_id, utc_now()],
            )
        audit.record(
            connection,
            actor,
            "idea_benefit_review",
            idea_id,
            "record",
            before,
            {"review_day": review_day, "realised_savings": realised_savings, "note": note},
        )
        if implemented and idea.status != "implemented":
            set_status(connection, actor, idea, "implemented", f"Implemented; {review_day}-day review recorded")

    db.write(do)


def green_light_date(source, idea_id: int) -> date | None:
    """The day the idea was last green-lit, from its status history."""
    row = query_row(
        source,
        "SELECT max(changed_at) AS at FROM idea_status_history WHERE idea_id = ? AND to_status = 'green_lit'",
        [idea_id],
    )
    return row["at"].date() if row and row["at"] is not None else None


def action_owner(db: Database, idea_id: int) -> int | None:
    """Who owns the green-lit idea's action now (the plan may have handed it on)."""
    row = db.query_one("SELECT action_id, action_owner_id FROM ideas WHERE id = ?", [idea_id])
    if row is None:
        return None
    if row["action_id"] is not None:
        try:
            from models import actions
        except ImportError:  # the action plan area is not installed
            return row["action_owner_id"]
        action = actions.get_action(db, row["action_id"])
        if action is not None:
            return action.owner_id
    return row["action_owner_id"]


def benefit_reviews(db: Database, idea_id: int) -> list[dict[str, Any]]:
    return db.query(
        "SELECT r.review_day, r.realised_savings, r.note, r.recorded_at, e.full_name AS recorded_by"
        " FROM idea_benefit_reviews r JOIN employees e ON e.id = r.recorded_by WHERE r.idea_id = ?"
        " ORDER BY r.review_day",
        [idea_id],
    )


def green_lit_ideas(db: Database, *, owner_id: int | None = None) -> list[dict[str, Any]]:
    """Green-lit ideas with projected figures beside the latest realised savings."""
    return db.query(
        "SELECT i.id, i.title, c.name AS cycle_name, i.status, i.action_id,"
        " coalesce(a.owner_id, i.action_owner_id) AS action_owner_id, o.full_name AS action_owner,"
        " coalesce(a.due_date, i.action_due_date) AS action_due_date, i.annual_savings AS projected_annual_savings,"
        f" {NET_ANNUAL_BENEFIT_SQL} AS projected_net_annual_benefit,"
        " (SELECT r.realised_savings FROM idea_benefit_reviews r WHERE r.idea_id = i.id"
        "  ORDER BY r.review_day DESC LIMIT 1) AS realised_savings,"
        " (SELECT max(r.review_day) FROM idea_benefit_reviews r WHERE r.idea_id = i.id) AS latest_review_day"
        " FROM ideas i JOIN idea_cycles c ON c.id = i.cycle_id LEFT JOIN actions a ON a.id = i.action_id"
        " LEFT JOIN employees o ON o.id = coalesce(a.owner_id, i.action_owner_id)"
        " WHERE list_contains(?, i.status) AND (? IS NULL OR coalesce(a.owner_id, i.action_owner_id) = ?)"
        " ORDER BY c.speakup_day DESC, i.id",
        [list(GREEN_LIT_STATUSES), owner_id, owner_id],
    )


def to_json(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)
