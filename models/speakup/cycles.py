"""Speak-Up cycles: the quarterly calendar, its judging criteria and green-light rule,
the phases a cycle moves through, and the freeze on its rules once scoring starts.

Ideas within a cycle live in ``models.ideas``; scoring in ``models.judging``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import BaseModel, Field, model_validator

from models import audit
from models.access import ROLE_PERMISSIONS, CurrentUser, Permission, require
from models.db import ConnectionReader, Reader, insert_with_new_id, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _, current_language, format_date
from models.inbox import messages as inbox
from models.inputs import InputRecord
from models.recognition import badges

if TYPE_CHECKING:
    from models.db import Database

PHASES = ("planned", "open", "review", "scoring", "closed")
PHASE_LABELS = {
    "planned": N_("Planned"),
    "open": N_("Open for submissions"),
    "review": N_("Submissions closed — moderation"),
    "scoring": N_("Speak-Up Day scoring"),
    "closed": N_("Closed"),
}

# the programme's standard rules (SPEC §5), taken by a new cycle unless leadership sets others
DEFAULT_GREEN_LIGHT_THRESHOLD = 3.5
DEFAULT_MIN_JUDGES = 3
DEFAULT_CRITERIA: tuple[dict[str, Any], ...] = (
    {
        "name": "Financial impact",
        "weight": 35,
        "anchor_1": "No measurable saving or revenue",
        "anchor_3": "Moderate saving, under 50,000 a year",
        "anchor_5": "Large saving or revenue, 250,000 a year or more",
    },
    {
        "name": "Customer impact",
        "weight": 30,
        "anchor_1": "Customers would not notice",
        "anchor_3": "Noticeably better for one customer group",
        "anchor_5": "Removes a top complaint driver for many customers",
    },
    {
        "name": "Ease of implementation",
        "weight": 20,
        "anchor_1": "Needs major system change or many teams",
        "anchor_3": "A few weeks of work within one department",
        "anchor_5": "Can be done by the team within a month",
    },
    {
        "name": "Strategic alignment",
        "weight": 15,
        "anchor_1": "Unrelated to our priorities",
        "anchor_3": "Supports one priority indirectly",
        "anchor_5": "Directly moves a strategic goal's KPI",
    },
)


class CriterionInput(InputRecord):
    name: str = Field(title=N_("Name"), min_length=2, max_length=60)
    weight: float = Field(title=N_("Weight"), gt=0, le=100)
    anchor_1: str = Field(title=N_("Description for 1"), min_length=1, max_length=300)
    anchor_3: str = Field(title=N_("Description for 3"), min_length=1, max_length=300)
    anchor_5: str = Field(title=N_("Description for 5"), min_length=1, max_length=300)


class CycleRules(InputRecord):
    """What is frozen once scoring starts: the criteria and the green-light rule."""

    green_light_threshold: float = Field(DEFAULT_GREEN_LIGHT_THRESHOLD, title=N_("Green-light threshold"), ge=1, le=5)
    min_judges: int = Field(DEFAULT_MIN_JUDGES, title=N_("Minimum judges"), ge=1, le=20)
    shortlist_size: int = Field(10, title=N_("Shortlist size"), ge=1, le=500)


class CycleInput(CycleRules):
    name: str = Field(title=N_("Name"), min_length=3, max_length=40)
    submission_opens: date = Field(title=N_("Submissions open"))
    submission_closes: date = Field(title=N_("Submissions close"))
    speakup_day: date = Field(title=N_("Speak-Up Day"))

    @model_validator(mode="after")
    def _dates_in_order(self) -> CycleInput:
        if self.submission_closes < self.submission_opens:
            raise ValueError(_("Submissions close: must be on or after the day submissions open"))
        if self.speakup_day < self.submission_closes:
            raise ValueError(_("Speak-Up Day: must be on or after the day submissions close"))
        return self


SUBMISSION_WINDOW = timedelta(days=45)  # a new cycle's submissions, from the day it is planned
SPEAKUP_DAY_AFTER = timedelta(days=60)  # a new cycle's Speak-Up Day, counted from the same day


def next_quarter_name(today: date) -> str:
    """ "2026 Q3" on a day in 2026 Q2: the quarter a cycle planned today runs in."""
    quarter = (today.month - 1) // 3 + 2
    year = today.year + (quarter > 4)
    return f"{year} Q{(quarter - 1) % 4 + 1}"


def proposed_cycle(today: date) -> dict[str, Any]:
    """What planning a new cycle starts from: next quarter's name, the usual window and day,
    the default green-light rule and the standard criteria."""
    return {
        "name": next_quarter_name(today),
        "submission_opens": today,
        "submission_closes": today + SUBMISSION_WINDOW,
        "speakup_day": today + SPEAKUP_DAY_AFTER,
        **CycleRules().model_dump(),
        "criteria": [dict(criterion) for criterion in DEFAULT_CRITERIA],
    }


class Criterion(BaseModel):
    id: int
    position: int
    name: str
    weight: float
    anchor_1: str
    anchor_3: str
    anchor_5: str


class Cycle(BaseModel):
    id: int
    name: str
    submission_opens: date
    submission_closes: date
    speakup_day: date
    green_light_threshold: float
    min_judges: int
    shortlist_size: int
    phase: str
    scoring_started_at: datetime | None
    closed_at: datetime | None
    criteria: list[Criterion] = []

    @property
    def frozen(self) -> bool:
        """Criteria and threshold cannot change once scoring has started."""
        return self.scoring_started_at is not None

    @property
    def phase_label(self) -> str:
        return _(PHASE_LABELS[self.phase])

    def accepts_submissions(self, today: date | None = None) -> bool:
        today = today or date.today()
        return self.phase == "open" and self.submission_opens <= today <= self.submission_closes


def _validate_cycle(data: dict[str, Any]) -> tuple[CycleInput, list[CriterionInput]]:
    """The cycle and its criteria, with every problem named ("Criterion 2 — Weight: …").
    What the data leaves out comes from the programme's standard rules, read at the call."""
    problems: list[tuple[str, str]] = []
    raw_criteria = data.get("criteria")
    if raw_criteria is None:
        raw_criteria = list(DEFAULT_CRITERIA)
    fields = {
        "green_light_threshold": DEFAULT_GREEN_LIGHT_THRESHOLD,
        "min_judges": DEFAULT_MIN_JUDGES,
        **{key: value for key, value in data.items() if key != "criteria"},
    }
    cycle = None
    try:
        cycle = validate(CycleInput, fields)
    except InputError as error:
        problems.extend(error.problems)
    criteria = _validate_criteria(raw_criteria, problems)
    if problems:
        raise InputError(problems)
    assert cycle is not None
    return cycle, criteria


def _validate_criteria(raw_criteria: list[dict[str, Any]], problems: list[tuple[str, str]]) -> list[CriterionInput]:
    criteria: list[CriterionInput] = []
    if not raw_criteria:
        problems.append((_("Criteria"), _("add at least one criterion")))
    if len(raw_criteria) > 10:
        problems.append((_("Criteria"), _("use at most {count} criteria", count=10)))
    for index, raw in enumerate(raw_criteria, start=1):
        try:
            criteria.append(validate(CriterionInput, raw))
        except InputError as error:
            problems.extend(
                (_("Criterion {number} — {field}", number=index, field=field), message)
                for field, message in error.problems
            )
    names = [criterion.name.lower() for criterion in criteria]
    if len(set(names)) != len(names):
        problems.append((_("Criteria"), _("two criteria have the same name")))
    return criteria


def _cycle_from_row(source: Reader, row: dict[str, Any]) -> Cycle:
    return _cycles_from_rows(source, [row])[0]


def _cycles_from_rows(source: Reader, rows: list[dict[str, Any]]) -> list[Cycle]:
    """Cycles with their criteria, read for all of them in one statement."""
    criteria: dict[int, list[Criterion]] = {row["id"]: [] for row in rows}
    for criterion in source.query(
        "SELECT cycle_id, id, position, name, weight, anchor_1, anchor_3, anchor_5 FROM idea_criteria"
        " WHERE list_contains(?, cycle_id) ORDER BY cycle_id, position",
        [list(criteria)],
    ):
        criteria[criterion.pop("cycle_id")].append(Criterion(**criterion))
    return [Cycle(**row, criteria=criteria[row["id"]]) for row in rows]


_CYCLE_COLUMNS = (
    "id, name, submission_opens, submission_closes, speakup_day, green_light_threshold, min_judges,"
    " shortlist_size, phase, scoring_started_at, closed_at"
)


def get_cycle(source: Reader, cycle_id: int) -> Cycle | None:
    row = source.query_one(f"SELECT {_CYCLE_COLUMNS} FROM idea_cycles WHERE id = ?", [cycle_id])
    return _cycle_from_row(source, row) if row else None


def list_cycles(db: Database) -> list[Cycle]:
    """Every cycle, newest Speak-Up Day first."""
    rows = db.query(f"SELECT {_CYCLE_COLUMNS} FROM idea_cycles ORDER BY speakup_day DESC, id DESC")
    return _cycles_from_rows(db, rows)


def open_cycle(db: Database) -> Cycle | None:
    """The one cycle accepting submissions, if any."""
    row = db.query_one(f"SELECT {_CYCLE_COLUMNS} FROM idea_cycles WHERE phase = 'open'")
    return _cycle_from_row(db, row) if row else None


def current_cycle(db: Database) -> Cycle | None:
    """The cycle people are working on: open, in review or scoring; else the latest."""
    row = db.query_one(
        f"SELECT {_CYCLE_COLUMNS} FROM idea_cycles ORDER BY phase IN ('open', 'review', 'scoring') DESC,"
        " speakup_day DESC LIMIT 1"
    )
    return _cycle_from_row(db, row) if row else None


def insert_cycle(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    cycle: CycleInput,
    criteria: list[CriterionInput],
    *,
    at: datetime | None = None,
) -> int:
    """Store a validated cycle and its criteria inside an open write, created ``at`` (default now)."""
    if connection.execute("SELECT 1 FROM idea_cycles WHERE lower(name) = lower(?)", [cycle.name]).fetchone():
        raise InputError.single(_("Name"), _("a cycle called '{name}' exists already", name=cycle.name))
    cycle_id = insert_with_new_id(
        connection,
        "idea_cycles",
        "INSERT INTO idea_cycles (id, name, submission_opens, submission_closes, speakup_day, "
        "green_light_threshold, min_judges, shortlist_size, created_by, created_at) VALUES (?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?)",
        [
            cycle.name,
            cycle.submission_opens,
            cycle.submission_closes,
            cycle.speakup_day,
            cycle.green_light_threshold,
            cycle.min_judges,
            cycle.shortlist_size,
            actor.employee_id if actor else None,
            at or utc_now(),
        ],
    )
    _insert_criteria(connection, cycle_id, criteria)
    audit.record(
        connection,
        actor,
        "idea_cycle",
        cycle_id,
        "create",
        after={**cycle.model_dump(), "criteria": [c.model_dump() for c in criteria]},
        at=at,
    )
    return cycle_id


def _insert_criteria(connection: duckdb.DuckDBPyConnection, cycle_id: int, criteria: list[CriterionInput]) -> None:
    for position, criterion in enumerate(criteria, start=1):
        connection.execute(
            "INSERT INTO idea_criteria (cycle_id, position, name, weight, anchor_1, anchor_3, anchor_5)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                cycle_id,
                position,
                criterion.name,
                criterion.weight,
                criterion.anchor_1,
                criterion.anchor_3,
                criterion.anchor_5,
            ],
        )


def create_cycle(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """Leadership plans a quarterly cycle; criteria and rules default to the standard ones."""
    require(actor, Permission.SPEAKUP_MANAGE)
    cycle, criteria = _validate_cycle(data)
    return db.write(lambda connection: insert_cycle(connection, actor, cycle, criteria, at=at))


def frozen_reason(cycle: Cycle) -> str | None:
    """Why the criteria and threshold of a cycle can no longer change, if they cannot."""
    if cycle.scoring_started_at is None:
        return None
    started = cycle.scoring_started_at
    return _(
        "Scoring started on {date}: criteria, weights and the threshold are frozen so that every idea is judged "
        "by the same rule.",
        date=f"{started:%d %b %Y}" if current_language() == "en" else format_date(started, "dd MMM y"),
    )


def update_rules(db: Database, actor: CurrentUser, cycle_id: int, data: dict[str, Any]) -> None:
    """Change criteria, threshold, minimum judges and shortlist size — only before scoring starts."""
    require(actor, Permission.SPEAKUP_MANAGE)
    problems: list[tuple[str, str]] = []
    rules = None
    try:
        rules = validate(CycleRules, {k: v for k, v in data.items() if k != "criteria"})
    except InputError as error:
        problems.extend(error.problems)
    criteria = _validate_criteria(data.get("criteria") or [], problems)
    if problems:
        raise InputError(problems)
    assert rules is not None

    def change(connection: duckdb.DuckDBPyConnection):
        cycle = get_cycle(ConnectionReader(connection), cycle_id)
        if cycle is None:
            raise InputError.single(_("Cycle"), _("no such cycle"))
        reason = frozen_reason(cycle)
        if (
            reason
            or connection.execute(
                "SELECT 1 FROM idea_scores s JOIN ideas i ON i.id = s.idea_id WHERE i.cycle_id = ? LIMIT 1", [cycle_id]
            ).fetchone()
        ):
            raise InputError.single(_("Criteria"), reason or _("scores exist already; criteria are frozen"))
        before = {
            **cycle.model_dump(include={"green_light_threshold", "min_judges", "shortlist_size"}),
            "criteria": [c.model_dump(exclude={"id"}) for c in cycle.criteria],
        }
        connection.execute(
            "UPDATE idea_cycles SET green_light_threshold = ?, min_judges = ?, shortlist_size = ? WHERE id = ?",
            [rules.green_light_threshold, rules.min_judges, rules.shortlist_size, cycle_id],
        )
        connection.execute("DELETE FROM idea_criteria WHERE cycle_id = ?", [cycle_id])
        _insert_criteria(connection, cycle_id, criteria)
        after = {**rules.model_dump(), "criteria": [c.model_dump() for c in criteria]}
        audit.record(connection, actor, "idea_cycle", cycle_id, "update_rules", before, after)

    db.write(change)


_NEXT_PHASE = {"planned": "open", "open": "review", "review": "scoring", "scoring": "closed"}


def advance_phase(db: Database, actor: CurrentUser, cycle_id: int, *, at: datetime | None = None) -> str:
    """Move a cycle to its next phase (``at``, default now); only one cycle may accept
    submissions at a time."""
    require(actor, Permission.SPEAKUP_MANAGE)

    def advance(connection: duckdb.DuckDBPyConnection):
        cycle = get_cycle(ConnectionReader(connection), cycle_id)
        if cycle is None:
            raise InputError.single(_("Cycle"), _("no such cycle"))
        target = _NEXT_PHASE.get(cycle.phase)
        if target is None:
            raise InputError.single(_("Phase"), _("{name} is closed already", name=cycle.name))
        if target == "open":
            other = connection.execute(
                "SELECT name FROM idea_cycles WHERE phase = 'open' AND id <> ?", [cycle_id]
            ).fetchone()
            if other:
                raise InputError.single(
                    _("Phase"),
                    _(
                        "{other} is accepting submissions; close it before opening {name}",
                        other=other[0],
                        name=cycle.name,
                    ),
                )
        if target == "scoring" and not cycle.criteria:
            raise InputError.single(_("Criteria"), _("add criteria before scoring starts"))
        now = at or utc_now()
        connection.execute(
            "UPDATE idea_cycles SET phase = ?,"
            " scoring_started_at = CASE WHEN ? = 'scoring' THEN ? ELSE scoring_started_at END,"
            " closed_at = CASE WHEN ? = 'closed' THEN ? ELSE closed_at END WHERE id = ?",
            [target, target, now, target, now, cycle_id],
        )
        audit.record(
            connection, actor, "idea_cycle", cycle_id, "phase", {"phase": cycle.phase}, {"phase": target}, at=now
        )
        if target in ("scoring", "closed"):  # Speak-Up Day: its presenters earn their badge
            badges.refresh_badges(connection, actor, at=now, kinds=[badges.SPEAKUP_PRESENTER])
        if target == "scoring":
            _tell_judges(connection, actor, cycle, now)
        return target

    return db.write(advance)


def _tell_judges(connection: duckdb.DuckDBPyConnection, actor: CurrentUser, cycle: Cycle, now: datetime) -> None:
    """Scoring opens: each judge of the cycle is told — the judges present on the day when
    leadership named them, otherwise everyone who may judge."""
    judges = [row[0] for row in connection.execute(
        "SELECT judge_id FROM speakup_judges_present WHERE cycle_id = ? ORDER BY judge_id", [cycle.id]
    ).fetchall()]  # fmt: skip
    if not judges:
        roles = sorted(role.value for role, granted in ROLE_PERMISSIONS.items() if Permission.IDEAS_JUDGE in granted)
        judges = [row[0] for row in connection.execute(
            "SELECT DISTINCT employee_id FROM employee_roles WHERE list_contains(?, role) ORDER BY 1", [roles]
        ).fetchall()]  # fmt: skip
    inbox.notify(
        connection,
        judges,
        "scoring_open",
        inbox.text(N_("Scoring is open for {cycle}"), cycle=cycle.name),
        inbox.text(
            N_(
                "{cycle} has reached Speak-Up Day scoring: score each shortlisted idea you may judge on the"
                " cycle's criteria. Your scores stay hidden from the other judges until you submit."
            ),
            cycle=cycle.name,
        ),
        "judging",
        now,
        actor=actor,
    )
