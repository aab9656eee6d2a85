"""Speak-Up Day ideas: ideas with a business case, their lifecycle, the moderated board
(supports, comments, merges) and benefit reviews after green light.

Cycles, their criteria and phases live in ``models.cycles``; scoring and decisions in
``models.judging``."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import BaseModel, Field, field_validator

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import ConnectionReader, Reader, insert_with_new_id, utc_now
from models.errors import InputError, from_validation
from models.figures import rounded
from models.i18n import N_, _, current_language, format_date, format_number, ngettext
from models.inbox import texts
from models.inputs import InputRecord, entered_text
from models.speakup.cycles import Cycle, get_cycle

if TYPE_CHECKING:
    from models.db import Database


# -- vocabulary ----------------------------------------------------------------------
STATUS_LABELS = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "needs_more_work": N_("Needs more work"),
    "declined": N_("Declined"),
    "merged": N_("Merged"),
    "shortlisted": N_("Shortlisted"),
    "scored": N_("Being scored"),
    "green_lit": N_("Green-lit"),
    "not_selected": N_("Not selected"),
    "in_implementation": N_("In implementation"),
    "implemented": N_("Implemented"),
    "withdrawn": N_("Withdrawn"),
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
        """Months until the one-off cost is earned back: 0 with no one-off cost and a positive
        benefit; None (never) when the net annual benefit is zero or negative."""
        if self.net_annual_benefit <= 0:
            return None
        if self.one_off_cost == 0:
            return 0.0
        return rounded(self.one_off_cost / self.net_annual_benefit * 12, 1)

    @property
    def payback(self) -> str:
        """The payback as people read it; see ``payback_wording``."""
        return payback_wording(self)

    @property
    def first_year_net(self) -> float:
        return self.net_annual_benefit - self.one_off_cost


PAYBACK_IN_YEARS_FROM = 24  # months; a longer payback reads in years
PAYBACK_RULE = N_(
    "Payback = one-off cost ÷ (net annual benefit ÷ 12): immediate with no one-off cost and a positive net "
    "benefit, never when the net annual benefit is zero or negative; two years or more read in years."
)


def payback_wording(case: BusinessCase) -> str:
    """How a payback is worded wherever it is shown (SPEC §5): "never" when the net annual
    benefit is zero or negative, "immediate" with no one-off cost and a positive benefit,
    months (one decimal) under two years, and years from two years on — "2.5 years",
    "1,000,000 years" — never an exponent."""
    months = case.payback_months
    if months is None:
        return _("never")
    if case.one_off_cost == 0:
        return _("immediate")
    if months < 0.1:
        return _("under 0.1 months")
    if months < PAYBACK_IN_YEARS_FROM:
        return _counted_time(months, months, "month")
    years = case.one_off_cost / case.net_annual_benefit
    return _counted_time(rounded(years, 1) if years < 100 else round(rounded(years)), years, "year")


def _counted_time(value: float, exact: float, unit: str) -> str:
    """ "1 month", "2.5 years", "1,000,000 years" in the current language: a whole number takes
    the plural form its language gives it, a fraction the form for fractions."""
    english = current_language() == "en"
    shown = (f"{value:g}" if exact < 100 or unit == "month" else f"{exact:,.0f}") if english else format_number(value)
    if value % 1:
        return _("{count} months", count=shown) if unit == "month" else _("{count} years", count=shown)
    if unit == "month":
        return ngettext("{count} month", "{count} months", int(value), count=shown)
    return ngettext("{count} year", "{count} years", 2 if english else int(value), count=shown)


# SQL forms of the same figures, for aggregation in DuckDB
NET_ANNUAL_BENEFIT_SQL = "(i.annual_savings + i.annual_revenue - i.annual_running_cost)"
FIRST_YEAR_NET_SQL = f"({NET_ANNUAL_BENEFIT_SQL} - i.one_off_cost)"


# -- ideas ---------------------------------------------------------------------------
class MilestoneInput(InputRecord):
    title: str = Field(title=N_("Milestone"), min_length=1, max_length=120)
    due_date: date = Field(title=N_("Milestone date"))


class IdeaInput(InputRecord):
    """What an author writes; checked whole before anything is stored."""

    title: str = Field(title=N_("Title"), min_length=5, max_length=TITLE_MAX)
    problem: str = Field("", title=N_("Problem"), max_length=TEXT_MAX)
    proposed_change: str = Field("", title=N_("Proposed change"), max_length=TEXT_MAX)
    complaint_category: str | None = Field(None, title=N_("Complaint category"), max_length=120)
    finding_id: int | None = Field(None, title=N_("Finding"))
    annual_savings: float = Field(0, title=N_("Annual savings"))
    annual_revenue: float = Field(0, title=N_("Annual extra revenue"))
    one_off_cost: float = Field(0, title=N_("One-off cost"))
    annual_running_cost: float = Field(0, title=N_("Annual running cost"))
    customers_affected: int = Field(0, title=N_("Customers affected per year"), ge=0, le=100_000_000)
    kpi_name: str | None = Field(None, title=N_("KPI expected to move"), max_length=80)
    kpi_expected_change: float | None = Field(None, title=N_("Expected KPI change"))
    effort_days: float = Field(0, title=N_("Effort (person-days)"), ge=0, le=100_000)
    co_author_ids: list[int] = Field(default_factory=list, title=N_("Co-authors"), max_length=5)
    milestones: list[MilestoneInput] = Field(default_factory=list, title=N_("Project plan"), max_length=12)

    @field_validator("annual_savings", "annual_revenue", "one_off_cost", "annual_running_cost")
    @classmethod
    def _money(cls, value: float) -> float:
        if value < 0:
            raise ValueError(_("cannot be negative"))
        if value > MONEY_MAX:
            raise ValueError(_("cannot exceed {amount}", amount=format_number(MONEY_MAX)))
        return rounded(value, 2)

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
        return _(STATUS_LABELS[self.status])

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


# One idea's names, counts, co-authors and plan, one row per part, in a single statement of
# single-table lookups: every write on an idea reads it first, and DuckDB answers this far
# faster than joins, correlated counts or a statement per part.
_IDEA_PARTS_SQL = """
    SELECT 'cycle_name' AS part, NULL::BIGINT AS number, name AS text, NULL::DATE AS day
      FROM idea_cycles WHERE id = $cycle
    UNION ALL SELECT 'author_name', NULL, full_name, NULL FROM employees WHERE id = $author
    UNION ALL SELECT 'team_name', NULL, name, NULL FROM teams WHERE id = $team
    UNION ALL SELECT 'supporters', count(*), NULL, NULL FROM idea_supports WHERE idea_id = $idea
    UNION ALL SELECT 'comments', count(*), NULL, NULL FROM idea_comments WHERE idea_id = $idea AND NOT hidden
    UNION ALL SELECT 'co_author', id, full_name, NULL FROM employees
      WHERE id IN (SELECT employee_id FROM idea_coauthors WHERE idea_id = $idea)
    UNION ALL SELECT 'milestone', position, title, due_date FROM idea_milestones WHERE idea_id = $idea
"""


def get_idea(source: Reader, idea_id: int, viewer: CurrentUser | None = None) -> Idea | None:
    """One idea with co-authors and plan; a draft is only shown to its authors."""
    row = source.query_one("SELECT * FROM ideas WHERE id = ?", [idea_id])
    if row is None:
        return None
    row.pop("updated_at", None)
    parts = source.query(
        _IDEA_PARTS_SQL, {"cycle": row["cycle_id"], "author": row["author_id"], "team": row["team_id"], "idea": idea_id}
    )
    named = {part["part"]: part for part in parts}
    co_authors = [
        {"employee_id": part["number"], "full_name": part["text"]} for part in parts if part["part"] == "co_author"
    ]
    plan = sorted((part for part in parts if part["part"] == "milestone"), key=lambda part: part["number"])
    idea = Idea(
        **row,
        cycle_name=named["cycle_name"]["text"],
        author_name=named["author_name"]["text"],
        team_name=named["team_name"]["text"] if "team_name" in named else None,
        supporters=named["supporters"]["number"],
        comments=named["comments"]["number"],
        co_authors=sorted(co_authors, key=lambda person: person["full_name"]),
        milestones=[{"title": part["text"], "due_date": part["day"]} for part in plan],
    )
    if viewer is not None and idea.status in PRIVATE_STATUSES and viewer.employee_id not in idea.author_ids:
        return None
    return idea


def _idea_for_update(connection: duckdb.DuckDBPyConnection, idea_id: int) -> Idea:
    idea = get_idea(ConnectionReader(connection), idea_id)
    if idea is None:
        raise InputError.single(_("Idea"), _("no such idea"))
    return idea


def _log_status(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    idea_id: int,
    cycle_id: int,
    from_status: str | None,
    to_status: str,
    note: str | texts.Text | None = None,
    at: datetime | None = None,
) -> None:
    """One status change in the history; a note of the portal's own words (a ``Text``) is kept
    as its message and values beside its English, so it reads in the reader's language."""
    msgid, values = (note.message, texts.dumps(note.values)) if isinstance(note, texts.Text) else (None, None)
    connection.execute(
        "INSERT INTO idea_status_history (idea_id, cycle_id, from_status, to_status, note, note_msgid,"
        " note_values_json, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            idea_id,
            cycle_id,
            from_status,
            to_status,
            stored_note(note),
            msgid,
            values,
            actor.employee_id if actor else None,
            at or utc_now(),
        ],
    )


def stored_note(note: str | texts.Text | None) -> str | None:
    """A status note as stored: a person's words as typed, the portal's own in English."""
    return note.in_english() if isinstance(note, texts.Text) else note


def shown_note(row: dict[str, Any]) -> str | None:
    """A stored status note (``note``, ``note_msgid``, ``note_values_json``) in the current
    language: the portal's words translated, a person's as typed, an old row as stored."""
    if row.get("note_msgid"):
        return texts.shown_stored(row["note_msgid"], row.get("note_values_json"), row["note"])
    return row["note"]


def set_status(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    idea: Idea,
    to_status: str,
    note: str | texts.Text | None = None,
    *,
    at: datetime | None = None,
    **columns: Any,
) -> None:
    """Change an idea's status inside an open write (``at``, default now): history, audit and
    extra columns together. ``note``: what a person wrote, or the portal's own words as a
    ``Text`` (stored in English, shown in the reader's language)."""
    now = at or utc_now()
    assignments = ", ".join(f"{name} = ?" for name in columns)
    connection.execute(
        f"UPDATE ideas SET status = ?, status_note = ?, updated_at = ?{', ' + assignments if assignments else ''}"
        " WHERE id = ?",
        [to_status, stored_note(note), now, *columns.values(), idea.id],
    )
    cycle_id = columns.get("cycle_id", idea.cycle_id)
    _log_status(connection, actor, idea.id, cycle_id, idea.status, to_status, note, at=now)
    audit.record(
        connection,
        actor,
        "idea",
        idea.id,
        to_status,
        {"status": idea.status},
        {"status": to_status, "note": stored_note(note), **columns},
        at=now,
    )


def _check_people(connection: duckdb.DuckDBPyConnection, author_id: int, record: IdeaInput) -> None:
    """The co-authors the idea's author names: never the author, nobody twice, active people."""
    problems = []
    if author_id in record.co_author_ids:
        problems.append((_("Co-authors"), _("you are the author already; list only other people")))
    for employee_id in set(record.co_author_ids):
        if not connection.execute("SELECT 1 FROM employees WHERE id = ? AND active", [employee_id]).fetchone():
            problems.append((_("Co-authors"), _("employee {number} is not an active employee", number=employee_id)))
    if len(set(record.co_author_ids)) != len(record.co_author_ids):
        problems.append((_("Co-authors"), _("a person is listed twice")))
    if problems:
        raise InputError(problems)


def _check_co_authors_kept(idea: Idea, record: IdeaInput) -> None:
    """A co-author's save keeps the co-authors as they are: only the author changes them, so
    no co-author drops themselves, or names the author, by accident."""
    if set(record.co_author_ids) != {person["employee_id"] for person in idea.co_authors}:
        raise InputError.single(
            _("Co-authors"), _("only the idea's author, {name}, changes its co-authors", name=idea.author_name)
        )


def _store_parts(
    connection: duckdb.DuckDBPyConnection,
    idea_id: int,
    record: IdeaInput,
    *,
    new: bool = False,
    co_authors: bool = True,
) -> None:
    """The idea's plan and, unless ``co_authors`` is false, its co-authors, replacing what an
    edited idea had."""
    if not new:
        if co_authors:
            connection.execute("DELETE FROM idea_coauthors WHERE idea_id = ?", [idea_id])
        connection.execute("DELETE FROM idea_milestones WHERE idea_id = ?", [idea_id])
    for employee_id in record.co_author_ids if co_authors else ():
        connection.execute("INSERT INTO idea_coauthors VALUES (?, ?)", [idea_id, employee_id])
    if record.milestones:
        connection.execute(
            "INSERT INTO idea_milestones (idea_id, position, title, due_date) VALUES "
            + ", ".join("(?, ?, ?, ?)" for _ in record.milestones),
            [
                value
                for position, milestone in enumerate(record.milestones, start=1)
                for value in (idea_id, position, milestone.title, milestone.due_date)
            ],
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
    """Store a validated draft inside an open write, created ``created_at`` (default now)."""
    now = created_at or utc_now()
    idea_id = insert_with_new_id(
        connection,
        "ideas",
        f"INSERT INTO ideas (id, cycle_id, author_id, team_id, {', '.join(_IDEA_FIELDS)}, status, "
        f"created_at, updated_at)"
        f" VALUES (?, ?, ?, ?, {', '.join('?' for _ in _IDEA_FIELDS)}, 'draft', ?, ?)",
        [cycle_id, author_id, team_id, *(getattr(record, name) for name in _IDEA_FIELDS), now, now],
    )
    _store_parts(connection, idea_id, record, new=True)
    _log_status(connection, actor, idea_id, cycle_id, None, "draft", at=now)
    audit.record(connection, actor, "idea", idea_id, "create", after=record.model_dump(), at=now)
    return idea_id


class SavedIdea(BaseModel):
    """What a save did: the idea's number, and the people whose support was withdrawn because
    they became its co-authors (an idea is never supported by its own authors)."""

    idea_id: int
    supports_withdrawn: list[str] = []


def save_idea(
    db: Database,
    actor: CurrentUser,
    data: dict[str, Any],
    idea_id: int | None = None,
    *,
    submit: bool = False,
    at: datetime | None = None,
    today: date | None = None,
) -> SavedIdea:
    """Keep an idea as a draft in the open cycle (``at``, default now): a new one, or changes to
    an idea one wrote or co-wrote; with ``submit``, post it in the same write, so that when
    posting is refused nothing is stored. Only the author changes who the co-authors are; a
    co-author's save keeps them as stored."""
    require(actor, Permission.IDEAS_SUBMIT)
    record = validate_idea(data)

    def save(connection: duckdb.DuckDBPyConnection) -> SavedIdea:
        saved = _save_draft(connection, actor, record, idea_id, at)
        if submit:
            submit_idea(db, actor, saved.idea_id, today=today)  # joins the open write
        return saved

    return db.write(save)


def save_draft(
    db: Database, actor: CurrentUser, data: dict[str, Any], idea_id: int | None = None, *, at: datetime | None = None
) -> int:
    """``save_idea`` without posting: the idea's number."""
    return save_idea(db, actor, data, idea_id, at=at).idea_id


def save_and_submit(
    db: Database, actor: CurrentUser, data: dict[str, Any], idea_id: int | None = None, *, today: date | None = None
) -> int:
    """``save_idea`` posting the idea: its number."""
    return save_idea(db, actor, data, idea_id, submit=True, today=today).idea_id


def _save_draft(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser,
    record: IdeaInput,
    idea_id: int | None,
    at: datetime | None,
) -> SavedIdea:
    """The draft part of ``save_idea``, inside its write."""
    if idea_id is None:
        _check_people(connection, actor.employee_id, record)
        cycle_row = connection.execute("SELECT id FROM idea_cycles WHERE phase = 'open'").fetchone()
        if cycle_row is None:
            raise InputError.single(_("Cycle"), _("no Speak-Up cycle is accepting ideas at the moment"))
        new_id = insert_idea(connection, actor, actor.employee_id, actor.team_id, cycle_row[0], record, created_at=at)
        return SavedIdea(idea_id=new_id)
    idea = _idea_for_update(connection, idea_id)
    if actor.employee_id not in idea.author_ids:
        raise InputError.single(_("Idea"), _("only its authors may change an idea"))
    if idea.status not in ("draft", "needs_more_work"):
        raise InputError.single(
            _("Idea"), _("a {status} idea can no longer be edited", status=idea.status_label.lower())
        )
    by_author = actor.employee_id == idea.author_id
    if by_author:
        _check_people(connection, idea.author_id, record)
    else:
        _check_co_authors_kept(idea, record)
    before = {name: getattr(idea, name) for name in _IDEA_FIELDS}
    connection.execute(
        f"UPDATE ideas SET {', '.join(f'{name} = ?' for name in _IDEA_FIELDS)}, updated_at = ? WHERE id = ?",
        [*(getattr(record, name) for name in _IDEA_FIELDS), at or utc_now(), idea_id],
    )
    _store_parts(connection, idea_id, record, co_authors=by_author)
    audit.record(connection, actor, "idea", idea_id, "edit", before, record.model_dump(), at=at)
    return SavedIdea(idea_id=idea_id, supports_withdrawn=_withdraw_co_authors_supports(connection, actor, idea_id, at))


def _withdraw_co_authors_supports(
    connection: duckdb.DuckDBPyConnection, actor: CurrentUser, idea_id: int, at: datetime | None
) -> list[str]:
    """Withdraw, audited, the supports of people who are now the idea's co-authors (SPEC §5: a
    support is never on one's own idea, as ``moderation.merge`` keeps authors out of the
    supporters it moves); their names, for the author."""
    withdrawn = connection.execute(
        "SELECT s.employee_id, e.full_name FROM idea_supports s JOIN employees e ON e.id = s.employee_id"
        " WHERE s.idea_id = ? AND s.employee_id IN (SELECT employee_id FROM idea_coauthors WHERE idea_id = ?)"
        " ORDER BY e.full_name, e.id",
        [idea_id, idea_id],
    ).fetchall()
    if withdrawn:
        connection.execute(
            "DELETE FROM idea_supports WHERE idea_id = ? AND list_contains(?, employee_id)",
            [idea_id, [employee_id for employee_id, _name in withdrawn]],
        )
    for employee_id, _name in withdrawn:
        audit.record(
            connection,
            actor,
            "idea_support",
            idea_id,
            "unsupport",
            {"employee_id": employee_id},
            {"reason": "became a co-author of the idea"},
            at=at,
        )
    return [name for _employee_id, name in withdrawn]


def may_resubmit(cycle: Cycle) -> bool:
    """An idea sent back as needing more work may come back until scoring starts."""
    return cycle.phase in ("open", "review")


def submit_idea(
    db: Database, actor: CurrentUser, idea_id: int, *, today: date | None = None, at: datetime | None = None
) -> None:
    """Post a draft to the board while its cycle's window is open; an idea sent back as
    needing more work may be resubmitted until scoring starts. ``at`` dates the posting
    and, unless ``today`` is given, is the day the window is checked against."""
    require(actor, Permission.IDEAS_SUBMIT)
    today = today or (at.date() if at else None)

    def submit(connection: duckdb.DuckDBPyConnection):
        idea = _idea_for_update(connection, idea_id)
        if actor.employee_id not in idea.author_ids:
            raise InputError.single(_("Idea"), _("only its authors may submit an idea"))
        if idea.status not in ("draft", "needs_more_work"):
            raise InputError.single(
                _("Idea"), _("a {status} idea cannot be submitted again", status=idea.status_label.lower())
            )
        cycle = get_cycle(ConnectionReader(connection), idea.cycle_id)
        assert cycle is not None
        reworked = idea.status == "needs_more_work" and may_resubmit(cycle)
        if not reworked and not cycle.accepts_submissions(today):
            raise InputError.single(
                _("Cycle"),
                _(
                    "{cycle} does not accept submissions now (window {opens} – {closes})",
                    cycle=cycle.name,
                    opens=_day(cycle.submission_opens, "%d %b", "dd MMM"),
                    closes=_day(cycle.submission_closes, "%d %b %Y", "dd MMM y"),
                ),
            )
        problems = []
        if len(idea.problem) < 20:
            problems.append((_("Problem"), _("describe the problem in at least 20 characters before submitting")))
        if len(idea.proposed_change) < 20:
            problems.append(
                (_("Proposed change"), _("describe the change in at least 20 characters before submitting"))
            )
        if problems:
            raise InputError(problems)
        now = at or utc_now()
        set_status(connection, actor, idea, "submitted", at=now, submitted_at=now)

    db.write(submit)


def withdraw_idea(db: Database, actor: CurrentUser, idea_id: int) -> None:
    """The author takes an idea back before it is shortlisted."""
    require(actor, Permission.IDEAS_SUBMIT)

    def withdraw(connection: duckdb.DuckDBPyConnection):
        idea = _idea_for_update(connection, idea_id)
        if idea.author_id != actor.employee_id:
            raise InputError.single(_("Idea"), _("only the author may withdraw an idea"))
        if idea.status not in ("draft", "submitted", "needs_more_work"):
            raise InputError.single(
                _("Idea"), _("a {status} idea can no longer be withdrawn", status=idea.status_label.lower())
            )
        set_status(connection, actor, idea, "withdrawn")

    db.write(withdraw)


def _reason(text: str | None, field: str, *, required: bool = True) -> str:
    """The reason typed into ``field`` (its English name, shown translated), trimmed and checked."""
    text, field = entered_text(text), _(field)
    if required and len(text) < 5:
        raise InputError.single(field, _("give a reason of at least {count} characters", count=5))
    if len(text) > REASON_MAX:
        raise InputError.single(
            field, _("use at most {limit} characters (you wrote {count})", limit=REASON_MAX, count=len(text))
        )
    return text


def _day(value: date, english: str, pattern: str) -> str:
    """A date in a refusal: as the portal's English has always written it, else in the language's form."""
    return value.strftime(english) if current_language() == "en" else format_date(value, pattern)
