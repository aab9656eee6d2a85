"""The competency catalogue and the courses that develop each competency: records, queries,
HR's create / edit / retire / reactivate (every saved version kept in ``course_versions``),
and the default catalogue every new database starts with."""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import duckdb
from pydantic import BaseModel, Field, field_validator

from models import audit
from models.access import CurrentUser, Permission, Role, require
from models.db import insert_row, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _, pgettext
from models.inputs import InputRecord
from models.training.assignments import assign_course_by_rule, people_a_course_applies_to
from models.training.catalogue import catalogue_text, default_catalogue

if TYPE_CHECKING:
    import pandas as pd

    from models.db import Database, Reader

COURSE_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,39}$")
CourseFormat = Literal["e_learning", "classroom", "coaching", "on_the_job"]
FORMAT_LABELS: dict[str, str] = {
    "e_learning": N_("E-learning"),
    "classroom": N_("Classroom"),
    "coaching": N_("Coaching"),
    "on_the_job": N_("On the job"),
}


class Competency(BaseModel):
    id: int
    code: str
    name: str
    description: str
    active: bool


class Course(BaseModel):
    id: int
    code: str
    title: str
    description: str
    competency_id: int | None
    competency_code: str | None
    competency_name: str | None
    format: str
    hours: float
    due_within_days: int
    refresher_months: int | None
    active: bool
    version: int
    mandatory_roles: list[str]
    mandatory_team_ids: list[int]

    @property
    def format_label(self) -> str:
        return _(FORMAT_LABELS[self.format]) if self.format in FORMAT_LABELS else self.format


class CourseInput(InputRecord):
    """What HR enters for a course; checked before anything is stored."""

    code: str = Field(title=N_("Code"), min_length=2, max_length=40)
    title: str = Field(title=N_("Title"), min_length=3, max_length=120)
    description: str = Field(title=N_("Description"), min_length=20, max_length=2000)
    competency_id: int | None = Field(default=None, title=N_("Competency"))
    format: CourseFormat = Field(title=N_("Format"))
    hours: float = Field(title=N_("Hours"), gt=0, le=500)
    due_within_days: int = Field(title=N_("Due within (days)"), ge=1, le=365)
    refresher_months: int | None = Field(default=None, title=N_("Refresher every (months)"), ge=1, le=120)
    mandatory_roles: list[Role] = Field(default_factory=list, title=N_("Mandatory for roles"))
    mandatory_team_ids: list[int] = Field(default_factory=list, title=N_("Mandatory for teams"))

    @field_validator("code", mode="before")
    @classmethod
    def _code_upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("code")
    @classmethod
    def _code_shape(cls, value: str) -> str:
        if not COURSE_CODE_PATTERN.match(value):
            raise ValueError(_("use capital letters, digits, '-' or '_' (2 to 40), starting with a letter or digit"))
        return value


class CourseVersion(BaseModel):
    version: int
    changed_by: str | None
    changed_at: datetime
    snapshot: dict[str, Any]


# -- reading ---------------------------------------------------------------------------
def list_competencies(db: Reader, *, active_only: bool = False) -> list[Competency]:
    rows = db.query(
        "SELECT id, code, name, description, active FROM competencies"
        + (" WHERE active" if active_only else "")
        + " ORDER BY name"
    )
    return [Competency(**row) for row in rows]


_COURSE_SELECT = """
    SELECT c.id, c.code, c.title, c.description, c.competency_id, k.code AS competency_code,
           k.name AS competency_name, c.format, CAST(c.hours AS DOUBLE) AS hours, c.due_within_days,
           c.refresher_months, c.active, c.version,
           coalesce((SELECT list(r.role ORDER BY r.role) FROM course_mandatory_roles r
                     WHERE r.course_id = c.id), []) AS mandatory_roles,
           coalesce((SELECT list(t.team_id ORDER BY t.team_id) FROM course_mandatory_teams t
                     WHERE t.course_id = c.id), []) AS mandatory_team_ids
    FROM courses c LEFT JOIN competencies k ON k.id = c.competency_id
"""


def list_courses(
    db: Reader,
    *,
    competency_id: int | None = None,
    course_format: str | None = None,
    active: bool | None = None,
    mandatory_only: bool = False,
    search: str | None = None,
) -> list[Course]:
    """Courses by title, filtered by competency, format, active flag, mandatory and a search
    in code and title."""
    clauses, params = ["TRUE"], []
    if competency_id is not None:
        clauses.append("c.competency_id = ?")
        params.append(competency_id)
    if course_format:
        clauses.append("c.format = ?")
        params.append(course_format)
    if active is not None:
        clauses.append("c.active = ?")
        params.append(active)
    if mandatory_only:
        clauses.append(
            "(EXISTS (SELECT 1 FROM course_mandatory_roles r WHERE r.course_id = c.id)"
            " OR EXISTS (SELECT 1 FROM course_mandatory_teams t WHERE t.course_id = c.id))"
        )
    if search:
        clauses.append("(c.code ILIKE ? OR c.title ILIKE ?)")
        params += [f"%{search}%", f"%{search}%"]
    rows = db.query(f"{_COURSE_SELECT} WHERE {' AND '.join(clauses)} ORDER BY c.title", params)  # noqa: S608
    return [Course(**row) for row in rows]


def get_course(db: Reader, course_id: int) -> Course | None:
    row = db.query_one(f"{_COURSE_SELECT} WHERE c.id = ?", [course_id])  # noqa: S608 - fixed text
    return Course(**row) if row else None


def course_by_code(db: Reader, code: str) -> Course | None:
    row = db.query_one(f"{_COURSE_SELECT} WHERE c.code = ?", [code.strip().upper()])  # noqa: S608
    return Course(**row) if row else None


def course_history(db: Reader, course_id: int) -> list[CourseVersion]:
    """Every saved version of a course, newest first, with who saved it."""
    rows = db.query(
        "SELECT v.version, e.full_name AS changed_by, v.changed_at, v.snapshot_json FROM course_versions v"
        " LEFT JOIN employees e ON e.id = v.changed_by WHERE v.course_id = ? ORDER BY v.version DESC",
        [course_id],
    )
    return [
        CourseVersion(
            version=row["version"],
            changed_by=row["changed_by"],
            changed_at=row["changed_at"],
            snapshot=json.loads(row["snapshot_json"]),
        )
        for row in rows
    ]


# -- writing ---------------------------------------------------------------------------
def _snapshot(connection: duckdb.DuckDBPyConnection, course_id: int) -> dict[str, Any]:
    row = audit.row_as_dict(connection, "courses", "id", course_id) or {}
    row["mandatory_roles"] = [
        r[0]
        for r in connection.execute(
            "SELECT role FROM course_mandatory_roles WHERE course_id = ? ORDER BY role", [course_id]
        ).fetchall()
    ]
    row["mandatory_team_ids"] = [
        r[0]
        for r in connection.execute(
            "SELECT team_id FROM course_mandatory_teams WHERE course_id = ? ORDER BY team_id", [course_id]
        ).fetchall()
    ]
    return {key: float(value) if isinstance(value, Decimal) else value for key, value in row.items()}


def _save_version(
    connection: duckdb.DuckDBPyConnection, course_id: int, actor: CurrentUser | None, at: datetime
) -> dict[str, Any]:
    snapshot = _snapshot(connection, course_id)
    connection.execute(
        "INSERT INTO course_versions VALUES (?, ?, ?, ?, ?)",
        [course_id, snapshot["version"], audit.to_json(snapshot), actor.employee_id if actor else None, at],
    )
    return snapshot


def _check_course(connection: duckdb.DuckDBPyConnection, record: CourseInput, course_id: int | None) -> None:
    problems = []
    clash = connection.execute(
        "SELECT title FROM courses WHERE code = ? AND id IS DISTINCT FROM ?", [record.code, course_id]
    ).fetchone()
    if clash:
        problems.append((_("Code"), _("{code} is already the code of “{title}”", code=record.code, title=clash[0])))
    if (
        record.competency_id is not None
        and not connection.execute("SELECT 1 FROM competencies WHERE id = ?", [record.competency_id]).fetchone()
    ):
        problems.append((_("Competency"), _("no such competency")))
    for team_id in record.mandatory_team_ids:
        if not connection.execute("SELECT 1 FROM teams WHERE id = ?", [team_id]).fetchone():
            problems.append((_("Mandatory for teams"), _("no team with id {team_id}", team_id=team_id)))
    if problems:
        raise InputError(problems)


def _store_rules(connection: duckdb.DuckDBPyConnection, course_id: int, record: CourseInput) -> None:
    connection.execute("DELETE FROM course_mandatory_roles WHERE course_id = ?", [course_id])
    connection.execute("DELETE FROM course_mandatory_teams WHERE course_id = ?", [course_id])
    for role in sorted({Role(role).value for role in record.mandatory_roles}):
        connection.execute("INSERT INTO course_mandatory_roles VALUES (?, ?)", [course_id, role])
    for team_id in sorted(set(record.mandatory_team_ids)):
        connection.execute("INSERT INTO course_mandatory_teams VALUES (?, ?)", [course_id, team_id])


def _course_values(record: CourseInput) -> dict[str, Any]:
    return record.model_dump(exclude={"mandatory_roles", "mandatory_team_ids"})


def insert_course(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    record: CourseInput,
    at: datetime,
    *,
    audited: bool = True,
) -> int:
    """Store a checked new course, its first version and (unless it comes with the portal's
    default catalogue, like the rest of the schema) its audit entry, inside a write."""
    _check_course(connection, record, None)
    course_id = insert_row(connection, "courses", {**_course_values(record), "created_at": at, "updated_at": at})
    _store_rules(connection, course_id, record)
    snapshot = _save_version(connection, course_id, actor, at)
    if audited:
        audit.record(connection, actor, "course", course_id, "create", None, snapshot, at=at)
    return course_id


def introduce_default_catalogue(connection: duckdb.DuckDBPyConnection, *, at: datetime) -> None:
    """The default catalogue as introduced at ``at`` (an organisation that used it before the
    portal, or the demo): added then when missing; default competencies and courses saved
    later and never changed since are dated back to ``at``. Inside a write."""
    install_default_catalogue(connection, at=at)
    catalogue = default_catalogue()
    competencies = [item["code"] for item in catalogue["competencies"]]
    courses = [item["code"] for item in catalogue["courses"]]
    connection.execute(
        "UPDATE competencies SET created_at = ?, updated_at = ?"
        " WHERE code IN (SELECT unnest(?)) AND version = 1 AND created_at > ?",
        [at, at, competencies, at],
    )
    connection.execute(
        "UPDATE course_versions SET changed_at = ? WHERE version = 1 AND changed_by IS NULL AND changed_at > ?"
        " AND course_id IN (SELECT id FROM courses WHERE code IN (SELECT unnest(?)) AND version = 1)",
        [at, at, courses],
    )
    connection.execute(
        "UPDATE courses SET created_at = ?, updated_at = ? WHERE code IN (SELECT unnest(?)) AND version = 1"
        " AND created_at > ?",
        [at, at, courses, at],
    )
    audit.record(connection, None, "course_catalogue", None, "introduced", after={"at": at}, at=at)


def create_course(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """HR adds a course to the catalogue."""
    require(actor, Permission.COURSES_MANAGE)
    record = validate(CourseInput, data)
    return db.write(lambda connection: insert_course(connection, actor, record, at or utc_now()))


def update_course(
    db: Database,
    actor: CurrentUser,
    course_id: int,
    data: dict[str, Any],
    expected_version: int | None,
    *,
    at: datetime | None = None,
) -> None:
    """HR edits a course; refused when someone saved it since it was opened. The version as
    saved is kept in the course's history."""
    require(actor, Permission.COURSES_MANAGE)
    record = validate(CourseInput, data)
    when = at or utc_now()

    def update(connection: duckdb.DuckDBPyConnection) -> None:
        before = _existing(connection, course_id, expected_version)
        _check_course(connection, record, course_id)
        covered_before = people_a_course_applies_to(connection, course_id)
        values = _course_values(record)
        assignments = ", ".join(f"{name} = ?" for name in values)
        connection.execute(
            f"UPDATE courses SET {assignments}, updated_at = ?, version = version + 1 WHERE id = ?",  # noqa: S608
            [*values.values(), when, course_id],
        )
        _store_rules(connection, course_id, record)
        after = _save_version(connection, course_id, actor, when)
        audit.record(connection, actor, "course", course_id, "update", before, after, at=when)
        assign_course_by_rule(connection, actor, course_id, covered_before=covered_before, at=when)

    db.write(update)


def set_course_active(
    db: Database,
    actor: CurrentUser,
    course_id: int,
    active: bool,
    expected_version: int | None = None,
    *,
    at: datetime | None = None,
) -> None:
    """Retire a course (no new assignments; its history and records stay) or bring it back.
    A course is never deleted."""
    require(actor, Permission.COURSES_MANAGE)
    when = at or utc_now()

    def change(connection: duckdb.DuckDBPyConnection) -> None:
        before = _existing(connection, course_id, expected_version)
        if before["active"] == active:
            raise InputError.single(
                pgettext("field", "Active"),
                _("the course is already active") if active else _("the course is already retired"),
            )
        connection.execute(
            "UPDATE courses SET active = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [active, when, course_id],
        )
        after = _save_version(connection, course_id, actor, when)
        audit.record(
            connection, actor, "course", course_id, "reactivate" if active else "retire", before, after, at=when
        )
        if active:  # brought back, it applies again to everyone its rules name
            assign_course_by_rule(connection, actor, course_id, covered_before=[], at=when)

    db.write(change)


def _existing(connection: duckdb.DuckDBPyConnection, course_id: int, expected_version: int | None) -> dict[str, Any]:
    before = _snapshot(connection, course_id)
    if not before.get("id"):
        raise InputError.single(_("Course"), _("no such course"))
    audit.check_not_stale(connection, "course", before, expected_version, "course")
    return before


# -- the default catalogue ----------------------------------------------------------------
def in_reader_language(course: Course) -> Course:
    """``course`` with the default catalogue's title and description in the reader's language."""
    return course.model_copy(
        update={
            "title": catalogue_text(course.code, "title", course.title),
            "description": catalogue_text(course.code, "description", course.description),
        }
    )


def catalogue_titles(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table of courses (``course_code`` and its ``course`` title) with the default
    courses' titles in the reader's language."""
    if frame.empty or "course_code" not in frame or "course" not in frame:
        return frame
    shown = frame.copy()
    shown["course"] = [
        catalogue_text(code, "title", title) if isinstance(title, str) else title
        for code, title in zip(shown["course_code"], shown["course"], strict=True)
    ]
    return shown


def install_default_catalogue(connection: duckdb.DuckDBPyConnection, *, at: datetime) -> int:
    """Add the default competencies and courses whose codes are not in the database yet;
    returns how many records were added. Nothing HR changed or retired is touched."""
    catalogue = default_catalogue()
    known = {row[0] for row in connection.execute("SELECT code FROM competencies").fetchall()}
    added = 0
    for item in catalogue["competencies"]:
        if item["code"] not in known:
            insert_row(connection, "competencies", {**item, "created_at": at, "updated_at": at})
            added += 1
    competency_ids = dict(connection.execute("SELECT code, id FROM competencies").fetchall())
    known = {row[0] for row in connection.execute("SELECT code FROM courses").fetchall()}
    for item in catalogue["courses"]:
        if item["code"] in known:
            continue
        fields = {key: value for key, value in item.items() if key != "competency"}
        record = CourseInput(**fields, competency_id=competency_ids[item["competency"]])
        insert_course(connection, None, record, at, audited=False)
        added += 1
    return added
