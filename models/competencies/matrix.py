"""The skills matrix (people × competencies, current level against required level) and the
gaps, with the courses that develop each missing competency, assignable in one step."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import BaseModel

from models.access import CurrentUser, Permission, require
from models.competencies import scope
from models.competencies.assessments import CURRENT_LEVELS_SQL
from models.competencies.levels import level_name
from models.competencies.requirements import REQUIRED_LEVELS_SQL
from models.db import Reader
from models.errors import InputError
from models.i18n import _
from models.recognition import kudos
from models.training import assignments
from models.training.assignments import AssignmentResult

if TYPE_CHECKING:
    from models.db import Database

GAP_LABELS = {
    "not_assessed": "Not assessed",
    "below_2": "2+ levels below",
    "below_1": "1 level below",
    "meets": "Meets requirement",
    "above": "Above requirement",
    "no_requirement": "No requirement",
}
"""How a cell of the matrix reads, from the largest gap to none."""


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


def _matrix_rows(db: Reader, actor: CurrentUser, team_id: int | None, employee_id: int | None) -> list[dict]:
    clause, params = scope.people_clause(actor, "e")
    if team_id is not None:
        clause += " AND e.team_id = ?"
        params.append(team_id)
    if employee_id is not None:
        clause += " AND e.id = ?"
        params.append(employee_id)
    return db.query(
        f"""
        WITH required AS ({REQUIRED_LEVELS_SQL}), current_levels AS ({CURRENT_LEVELS_SQL})
        SELECT e.id AS employee_id, e.full_name, e.team_id, t.name AS team_name, c.id AS competency_id,
               c.name AS competency, c.code, cl.current_level, cl.assessed_on, r.required_level
        FROM employees e
        CROSS JOIN competencies c
        LEFT JOIN teams t ON t.id = e.team_id
        LEFT JOIN current_levels cl ON cl.employee_id = e.id AND cl.competency_id = c.id
        LEFT JOIN required r ON r.employee_id = e.id AND r.competency_id = c.id
        WHERE e.active AND c.active AND {clause}
        ORDER BY t.name, e.full_name, c.name
        """,  # noqa: S608 - the clause is fixed text
        params,
    )


def skills_matrix(db: Reader, actor: CurrentUser, *, team_id: int | None = None) -> pd.DataFrame:
    """One row per person and competency of a team (or of the organisation, ``team_id=None``):
    current level, required level, gap and its category. Team leads read their own team;
    HR and leadership any team or the whole organisation."""
    require_matrix(actor, team_id)
    frame = pd.DataFrame(_matrix_rows(db, actor, team_id, None))
    if frame.empty:
        return frame
    frame["gap"] = frame["required_level"] - frame["current_level"]
    frame["category"] = [
        gap_category(None if pd.isna(c) else int(c), None if pd.isna(r) else int(r))
        for c, r in zip(frame["current_level"], frame["required_level"], strict=True)
    ]
    frame["status"] = frame["category"].map(GAP_LABELS)
    frame["level"] = [level_name(None if pd.isna(c) else int(c)) for c in frame["current_level"]]
    return frame


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
    """Active courses that develop each competency (``courses.competency_id``)."""
    rows = db.query(
        "SELECT id, code, title, format, hours, competency_id FROM courses"
        " WHERE active AND competency_id IS NOT NULL ORDER BY title"
    )
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["competency_id"], []).append(row)
    return grouped


def person_gaps(db: Reader, actor: CurrentUser, employee_id: int) -> list[Gap]:
    """The competencies a person is below requirement in (never assessed counts as below),
    with the courses that develop them — to the person, their team lead, HR and leadership."""
    scope.require_read(db, actor, employee_id)
    courses = courses_by_competency(db)
    return [
        Gap(**row, courses=courses.get(row["competency_id"], []))
        for row in _matrix_rows(db, actor, None, employee_id)
        if row["required_level"] is not None and (row["current_level"] or 0) < row["required_level"]
    ]


def team_gaps(db: Reader, actor: CurrentUser, *, team_id: int | None) -> pd.DataFrame:
    """Per competency of a team (or the organisation): how many people are below requirement,
    who they are, and the courses that develop it."""
    return gaps_in(db, skills_matrix(db, actor, team_id=team_id))


def gaps_in(db: Reader, frame: pd.DataFrame) -> pd.DataFrame:
    """``team_gaps`` of a skills matrix already read (``skills_matrix``), so a page showing
    both reads the matrix once."""
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
        EvidenceItem(on=item.given_at.date(), source="Kudos", text=item.message, by=item.giver_name)
        for item in kudos.kudos_received(db, actor, employee_id, competency_id=competency_id)
    ]
