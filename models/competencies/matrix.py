"""The skills matrix (people × competencies, current level against required level) and the
gaps, with the courses that develop each missing competency, assignable in one step."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import BaseModel

from models.access import CurrentUser, Permission, require
from models.cache import cached_aggregate
from models.competencies import scope
from models.competencies.assessments import CURRENT_LEVELS_SQL
from models.competencies.framework import shown_competency_name
from models.competencies.levels import level_name
from models.competencies.requirements import REQUIRED_LEVELS_SQL
from models.db import Reader
from models.errors import InputError
from models.i18n import N_, _
from models.paging import PAGE_SIZE, PICKER_SIZE, like_pattern, matches_any, rows_with_total
from models.recognition import kudos
from models.training import assignments
from models.training.assignments import AssignmentResult
from models.training.courses import catalogue_text

if TYPE_CHECKING:
    from models.db import Database

GAP_LABELS = {
    "not_assessed": N_("Not assessed"),
    "below_2": N_("2+ levels below"),
    "below_1": N_("1 level below"),
    "meets": N_("Meets requirement"),
    "above": N_("Above requirement"),
    "no_requirement": N_("No requirement"),
}
"""How a cell of the matrix reads, from the largest gap to none (marked; shown with ``_``)."""


def gap_category(current: int | None, required: int | None) -> str:
    """The colour class of a cell: the gap between the current and the required level."""
    if required is None:
        return "no_requirement"
    if current is None:
        return "not_assessed"
    gap = required - current
    if gap >= 2:
        return "below_2"
    if gap == 1:
        return "below_1"
    return "meets" if gap == 0 else "above"


_MATRIX_TABLES = (
    "employees",
    "employee_roles",
    "teams",
    "competencies",
    "competency_requirements",
    "assessments",
    "courses",
)
"""Every table a figure of the matrix reads (its cached aggregates are fresh after a write to any)."""

_PERSON_ORDER = "coalesce(t.name, 'No team'), e.full_name, e.id"
"""The order of people in the matrix: by team (people without one under "No team"), then name."""


def _people_in(actor: CurrentUser, team_id: int | None) -> tuple[str, list[Any]]:
    """The condition on ``employees e`` (active) of the matrix's people, and its parameters."""
    clause, params = scope.people_clause(actor, "e")
    if team_id is not None:
        clause += " AND e.team_id = ?"
        params.append(team_id)
    return f"e.active AND {clause}", params


def _matrix_rows(
    db: Reader, actor: CurrentUser, team_id: int | None, employee_ids: list[int] | None = None
) -> list[dict]:
    """One row per person and competency, people in matrix order: everyone of the team (or the
    organisation) the actor may read, or only those of ``employee_ids`` (levels are then read
    for those people only, not for everyone)."""
    condition, params = _people_in(actor, team_id)
    only = "TRUE" if employee_ids is None else "list_contains(?::INTEGER[], employee_id)"
    only_params = [] if employee_ids is None else [list(employee_ids)]
    return db.query(
        f"""
        WITH people AS (
            SELECT e.id, e.full_name, e.team_id, t.name AS team_name,
                   row_number() OVER (ORDER BY {_PERSON_ORDER}) AS place
            FROM employees e LEFT JOIN teams t ON t.id = e.team_id
            WHERE {condition} AND {only.replace("employee_id", "e.id")}
        ),
        -- materialised: DuckDB then reads the levels of the people asked for only
        required AS MATERIALIZED (SELECT * FROM ({REQUIRED_LEVELS_SQL}) WHERE {only}),
        current_levels AS MATERIALIZED (SELECT * FROM ({CURRENT_LEVELS_SQL}) WHERE {only})
        SELECT p.id AS employee_id, p.full_name, p.team_id, p.team_name, c.id AS competency_id,
               c.name AS competency, c.code, cl.current_level, cl.assessed_on, r.required_level
        FROM people p
        CROSS JOIN competencies c
        LEFT JOIN current_levels cl ON cl.employee_id = p.id AND cl.competency_id = c.id
        LEFT JOIN required r ON r.employee_id = p.id AND r.competency_id = c.id
        WHERE c.active
        ORDER BY p.place, c.name
        """,  # noqa: S608 - the conditions are fixed text
        [*params, *only_params, *only_params, *only_params],
    )


def _with_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """The matrix's rows with each cell's gap, its category, and the levels in words."""
    if frame.empty:
        return frame
    frame["gap"] = frame["required_level"] - frame["current_level"]
    frame["category"] = [
        gap_category(None if pd.isna(c) else int(c), None if pd.isna(r) else int(r))
        for c, r in zip(frame["current_level"], frame["required_level"], strict=True)
    ]
    frame["status"] = frame["category"].map(lambda category: _(GAP_LABELS[category]))
    frame["competency"] = [
        shown_competency_name(code, name) for code, name in zip(frame["code"], frame["competency"], strict=True)
    ]
    frame["level"] = [level_name(None if pd.isna(c) else int(c)) for c in frame["current_level"]]
    return frame


def skills_matrix(db: Reader, actor: CurrentUser, *, team_id: int | None = None) -> pd.DataFrame:
    """One row per person and competency of a team (or of the organisation, ``team_id=None``):
    current level, required level, gap and its category. Team leads read their own team;
    HR and leadership any team or the whole organisation."""
    require_matrix(actor, team_id)
    return _with_categories(pd.DataFrame(_matrix_rows(db, actor, team_id)))


def matrix_people(db: Reader, actor: CurrentUser, *, team_id: int | None = None) -> int:
    """How many people the matrix of a team (or of the organisation) holds."""
    require_matrix(actor, team_id)
    condition, params = _people_in(actor, team_id)
    return db.scalar(f"SELECT count(*) FROM employees e WHERE {condition}", params)  # noqa: S608


def matrix_page(
    db: Reader, actor: CurrentUser, *, team_id: int | None = None, first: int = 0, size: int = PAGE_SIZE
) -> pd.DataFrame:
    """``skills_matrix`` for ``size`` people from the ``first`` (by team, then name), so a page
    of a large organisation's matrix reads only the people it shows."""
    require_matrix(actor, team_id)
    condition, params = _people_in(actor, team_id)
    shown = db.query(
        f"SELECT e.id FROM employees e LEFT JOIN teams t ON t.id = e.team_id WHERE {condition}"
        f" ORDER BY {_PERSON_ORDER} LIMIT ? OFFSET ?",  # noqa: S608 - the condition is fixed text
        [*params, size, first],
    )
    return _with_categories(pd.DataFrame(_matrix_rows(db, actor, team_id, [row["id"] for row in shown])))


def as_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The matrix as people read it: one row per person (team, name) and a column per
    competency holding the current level in words."""
    return (
        frame.assign(team_name=frame["team_name"].fillna(_("No team")))
        .pivot_table(index=["team_name", "full_name"], columns="competency", values="level", aggfunc="first")
        .reset_index()
    )


def matrix_table(db: Reader, actor: CurrentUser, *, team_id: int | None = None) -> pd.DataFrame:
    """The whole matrix of a team (or of the organisation) as ``as_table`` shows it, for a download."""
    return as_table(skills_matrix(db, actor, team_id=team_id))


def find_matrix_people(
    db: Reader, actor: CurrentUser, search: str = "", *, team_id: int | None = None, limit: int = PICKER_SIZE
) -> tuple[list[dict[str, Any]], int]:
    """For the person picker: the first ``limit`` people of the matrix (id, name, team) whose
    name contains ``search``, in matrix order, and how many match."""
    require_matrix(actor, team_id)
    condition, params = _people_in(actor, team_id)
    pattern = like_pattern(search)
    if pattern is not None:
        condition += " AND " + matches_any(["e.full_name"])
        params.append(pattern)
    return rows_with_total(
        db,
        f"SELECT e.id, e.full_name, t.name AS team_name FROM employees e LEFT JOIN teams t ON t.id = e.team_id"
        f" WHERE {condition}",  # noqa: S608 - the condition is fixed text
        params,
        order_by="coalesce(team_name, 'No team'), full_name, id",  # _PERSON_ORDER over the output columns
        limit=limit,
    )


def require_matrix(actor: CurrentUser, team_id: int | None) -> None:
    """Team leads see their own team's matrix; HR and leadership any team's or everyone's."""
    require(actor, Permission.SKILLS_MATRIX)
    scope.require_team_read(actor, team_id)


class Gap(BaseModel):
    employee_id: int
    full_name: str
    competency_id: int
    competency: str
    current_level: int | None
    required_level: int
    courses: list[dict[str, Any]]

    @property
    def levels_short(self) -> int:
        return self.required_level - (self.current_level or 0)


def courses_by_competency(db: Reader) -> dict[int, list[dict[str, Any]]]:
    """Active courses that develop each competency (``courses.competency_id``), the default
    courses' titles in the reader's language."""
    rows = db.query(
        "SELECT id, code, title, format, hours, competency_id FROM courses"
        " WHERE active AND competency_id IS NOT NULL ORDER BY title"
    )
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        row["title"] = catalogue_text(row["code"], "title", row["title"])
        grouped.setdefault(row["competency_id"], []).append(row)
    return grouped


def person_gaps(db: Reader, actor: CurrentUser, employee_id: int) -> list[Gap]:
    """The competencies a person is below requirement in (never assessed counts as below),
    with the courses that develop them — to the person, their team lead, HR and leadership."""
    scope.require_read(db, actor, employee_id)
    courses = courses_by_competency(db)
    return [
        Gap(
            **{**row, "competency": shown_competency_name(row["code"], row["competency"])},
            courses=courses.get(row["competency_id"], []),
        )
        for row in _matrix_rows(db, actor, None, [employee_id])
        if row["required_level"] is not None and (row["current_level"] or 0) < row["required_level"]
    ]


def team_gaps(db: Reader, actor: CurrentUser, *, team_id: int | None) -> pd.DataFrame:
    """Per competency of a team (or the organisation): how many people are below requirement
    (never assessed counts as below), who they are, and the courses that develop it; the
    competencies with most people below first."""
    require_matrix(actor, team_id)
    condition, params = _people_in(actor, team_id)
    gaps = _team_gaps(db, condition, tuple(params)).copy()
    courses = courses_by_competency(db)  # the courses' titles in the reader's language
    gaps["competency"] = [
        shown_competency_name(code, name) for code, name in zip(gaps["code"], gaps["competency"], strict=True)
    ]
    gaps["courses"] = [
        ", ".join(course["title"] for course in courses.get(cid, [])) or "—" for cid in gaps["competency_id"]
    ]
    return gaps.drop(columns=["code"])


@cached_aggregate(tables=_MATRIX_TABLES)
def _team_gaps(db: Reader, condition: str, params: tuple) -> pd.DataFrame:
    """``team_gaps`` of the people of ``condition`` (the reader's scope and the team chosen:
    people who see the same people share the figure), without the courses: their titles are
    read in the reader's language."""
    gaps = db.frame(
        f"""
        WITH people AS (SELECT e.id FROM employees e WHERE {condition}),
        required AS ({REQUIRED_LEVELS_SQL}), current_levels AS ({CURRENT_LEVELS_SQL}),
        below AS (
            SELECT c.id AS competency_id, c.name AS competency, c.code, count(*) AS people_below,
                   list(p.id ORDER BY p.id) AS employee_ids
            FROM people p
            CROSS JOIN competencies c
            JOIN required r ON r.employee_id = p.id AND r.competency_id = c.id
            LEFT JOIN current_levels cl ON cl.employee_id = p.id AND cl.competency_id = c.id
            WHERE c.active AND (cl.current_level IS NULL OR cl.current_level < r.required_level)
            GROUP BY ALL
        )
        SELECT b.competency_id, b.competency, b.code, b.people_below, b.employee_ids
        FROM below b
        ORDER BY b.people_below DESC, b.competency
        """,  # noqa: S608 - the condition is fixed text
        list(params),
    )
    gaps["employee_ids"] = [[int(employee_id) for employee_id in ids] for ids in gaps["employee_ids"]]
    return gaps


def gaps_in(db: Reader, frame: pd.DataFrame) -> pd.DataFrame:
    """The gaps of ``team_gaps`` from a team's skills matrix already read (``skills_matrix``), so
    a view showing one team's matrix and its gaps reads the matrix once."""
    if frame.empty:
        return frame
    below = frame[frame["category"].isin(["not_assessed", "below_2", "below_1"])]
    courses = courses_by_competency(db)
    summary = (
        below.groupby(["competency_id", "competency"])
        .agg(people_below=("employee_id", "nunique"), employee_ids=("employee_id", lambda ids: sorted(set(ids))))
        .reset_index()
        .sort_values("people_below", ascending=False)
    )
    summary["courses"] = [
        ", ".join(course["title"] for course in courses.get(cid, [])) or "—" for cid in summary["competency_id"]
    ]
    return summary


def assign_course(
    db: Database,
    actor: CurrentUser,
    course_id: int,
    employee_ids: list[int],
    *,
    due_on: date | None = None,
    at: datetime | None = None,
) -> AssignmentResult:
    """Assign a course that closes a gap in one step, through training's assignments and its
    rules: HR to anyone, a team lead to people of their own team only; people who already hold
    the course open or completed are skipped and named."""
    if not employee_ids:
        raise InputError.single(_("People"), _("choose at least one person"))
    return assignments.assign_courses(db, actor, course_id, list(employee_ids), due_on=due_on, at=at)


class EvidenceItem(BaseModel):
    """Something that shows a person's behaviour in a competency, from another area."""

    on: date
    source: str
    text: str
    by: str | None = None


def kudos_evidence(db: Reader, actor: CurrentUser, employee_id: int, competency_id: int) -> list[EvidenceItem]:
    """Kudos tagged with this competency that the person received, as evidence on their
    competency record (hidden kudos are not evidence)."""
    scope.require_read(db, actor, employee_id)
    return [
        EvidenceItem(on=item.given_at.date(), source=_("Kudos"), text=item.message, by=item.giver_name)
        for item in kudos.kudos_received(db, actor, employee_id, competency_id=competency_id)
    ]
