"""Compliance on a reporting day R (rules 5–8 of ``models.training``): the state of every
assignment, the compliance of a group, the team × course heat map, the overdue and expiring
lists, a person's transcript and their own training — all aggregated in DuckDB, each read
limited to what the reader may see. The monthly KPI is ``models.training.kpis``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from models.access import CurrentUser, Permission, PermissionDeniedError
from models.cache import cached_aggregate
from models.figures import share
from models.i18n import N_, _

if TYPE_CHECKING:
    from models.db import Reader

EXPIRING_WITHIN_DAYS = 30  # a valid completion expiring within this many days of R (included) is expiring
# the team of a person without one: the queries name it in English (their results are cached for
# every language), ``team_shown`` in the reader's language
NO_TEAM = N_("(no team)")

STATE_LABELS = {  # translated where shown
    "cancelled": N_("Cancelled"),
    "completed_on_time": N_("Completed on time"),
    "completed_late": N_("Completed late"),
    "not_yet_due": N_("Open, not yet due"),
    "overdue": N_("Overdue"),
}
VALIDITY_LABELS = {"valid": N_("Valid"), "expiring": N_("Expiring"), "expired": N_("Expired")}
COMPLETION_STATUS_LABELS = {**VALIDITY_LABELS, "failed": N_("Failed")}
SOURCE_LABELS = {"manual": N_("Recorded by hand"), "import": N_("LMS import"), "session": N_("Preparation session")}


def in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table with its ``state``, ``validity``, completion ``status`` and ``source``
    codes as people read them."""
    words = frame.copy()
    for column, labels in (
        ("state", STATE_LABELS),
        ("validity", VALIDITY_LABELS),
        ("status", COMPLETION_STATUS_LABELS),
        ("source", SOURCE_LABELS),
    ):
        if column in words:
            words[column] = words[column].map(lambda code, labels=labels: _(labels[code]) if code in labels else "")
    return words


def team_shown(team: str) -> str:
    """A team as a reader sees it: ``NO_TEAM`` in their language, a team's own name as it is."""
    return _(NO_TEAM) if team == NO_TEAM else team


def teams_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table with the ``team`` (or ``team_name``) of people without one in the
    reader's language."""
    shown = frame.copy()
    for column in ("team", "team_name"):
        if column in shown:
            shown[column] = shown[column].map(lambda team: team_shown(team) if isinstance(team, str) else team)
    return shown


DEFINITION = (
    "Compliance on the reporting date is the share of mandatory assignments due on or before that date "
    "(not cancelled by then, of people employed on that date) that were completed by their due date and "
    f"whose person still holds a valid completion of the course. A completion is expiring when it expires "
    f"within {EXPIRING_WITHIN_DAYS} days."
)


def definition() -> str:
    """``DEFINITION`` in the reader's language."""
    return _(
        "Compliance on the reporting date is the share of mandatory assignments due on or before that date "
        "(not cancelled by then, of people employed on that date) that were completed by their due date and "
        "whose person still holds a valid completion of the course. A completion is expiring when it expires "
        "within {days} days.",
        days=EXPIRING_WITHIN_DAYS,
    )


# -- who sees what (rule 8) ------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """The people whose training a reader sees: everyone, their team and themselves, or
    themselves only."""

    employee_id: int
    everyone: bool = False
    team_id: int | None = None

    def covers(self, employee_id: int, team_id: int | None) -> bool:
        if self.everyone or employee_id == self.employee_id:
            return True
        return self.team_id is not None and team_id == self.team_id

    def clause(self) -> tuple[str, dict[str, Any]]:
        """A condition on the person ``e`` and its parameters."""
        if self.everyone:
            return "TRUE", {}
        if self.team_id is None:
            return "e.id = $scope_person", {"scope_person": self.employee_id}
        return "(e.id = $scope_person OR e.team_id = $scope_team)", {
            "scope_person": self.employee_id,
            "scope_team": self.team_id,
        }

    def completions_clause(self) -> str:
        """The same people as a condition on a completion's ``employee_id`` (parameters of ``clause``),
        so the validity of completions is worked out for the people in view only."""
        if self.everyone:
            return "TRUE"
        if self.team_id is None:
            return "employee_id = $scope_person"
        return "(employee_id = $scope_person OR employee_id IN (SELECT id FROM employees WHERE team_id = $scope_team))"


def scope_of(user: CurrentUser) -> Scope:
    """HR and leadership see everyone, a team lead the people of their team and themselves,
    anyone else themselves."""
    if user.can(Permission.TRAINING_MANAGE) or user.can(Permission.DASHBOARDS_ALL):
        return Scope(user.employee_id, everyone=True)
    if user.can(Permission.TEAM_TRAINING_READ) and user.team_id is not None:
        return Scope(user.employee_id, team_id=user.team_id)
    return Scope(user.employee_id)


def sees_others(user: CurrentUser) -> bool:
    """Whether the reader sees anyone's training but their own."""
    scope = scope_of(user)
    return scope.everyone or scope.team_id is not None


@dataclass(frozen=True)
class Filters:
    """Narrowing of a compliance view by team, site and course (None: all)."""

    team_id: int | None = None
    site_id: int | None = None
    course_id: int | None = None

    def clause(self) -> tuple[str, dict[str, Any]]:
        parts, params = [], {}
        if self.team_id is not None:
            parts.append("e.team_id = $team_id")
            params["team_id"] = self.team_id
        if self.site_id is not None:
            parts.append("coalesce(e.site_id, t.site_id) = $site_id")
            params["site_id"] = self.site_id
        if self.course_id is not None:
            parts.append("a.course_id = $course_id")
            params["course_id"] = self.course_id
        return " AND ".join(parts) or "TRUE", params


# -- the state of every assignment on R (rules 5 and 6) ----------------------------------
# $r is the reporting day. A person is employed on R when hired on or before it (or with no
# hire date) and not deactivated before it.
EMPLOYED_ON_R = (
    "((e.hire_date IS NULL OR e.hire_date <= $r)"
    " AND (e.active OR coalesce(CAST(e.deactivated_at AS DATE) >= $r, FALSE)))"
)
NEVER = "DATE '9999-12-31'"

_STATES = f"""
WITH validity AS (
    -- the latest expiry of the person's passed completions of the course done by R
    SELECT employee_id, course_id, max(coalesce(expires_on, {NEVER})) AS valid_until
    FROM training_completions
    WHERE passed AND completed_on <= $r AND {{completions_scope}}
    GROUP BY employee_id, course_id
), states AS (
    SELECT a.id AS assignment_id, a.employee_id, e.employee_number, e.full_name,
        e.team_id, coalesce(t.name, '{NO_TEAM}') AS team_name,
        coalesce(e.site_id, t.site_id) AS site_id,
        a.course_id, co.code AS course_code, co.title AS course_title,
        co.refresher_months IS NOT NULL AS refresher,
        a.mandatory, a.reason, a.assigned_on, a.due_on,
        CASE WHEN done.completed_on <= $r THEN done.completed_on END AS completed_on,
        CASE WHEN done.completed_on <= $r THEN done.score END AS score,
        CASE WHEN a.status = 'cancelled' THEN CAST(a.cancelled_at AS DATE) END AS cancelled_on,
        a.cancel_reason,
        {EMPLOYED_ON_R} AS employed,
        CASE
            WHEN a.status = 'cancelled' AND CAST(a.cancelled_at AS DATE) <= $r THEN 'cancelled'
            WHEN done.completed_on <= $r AND done.completed_on <= a.due_on THEN 'completed_on_time'
            WHEN done.completed_on <= $r THEN 'completed_late'
            WHEN $r <= a.due_on THEN 'not_yet_due'
            ELSE 'overdue'
        END AS state,
        coalesce(v.valid_until, DATE '0001-01-01') > $r AS holds_valid,
        CASE WHEN v.valid_until > $r AND v.valid_until < {NEVER} THEN v.valid_until END AS valid_until
    FROM training_assignments a
    JOIN employees e ON e.id = a.employee_id
    JOIN courses co ON co.id = a.course_id
    LEFT JOIN teams t ON t.id = e.team_id
    LEFT JOIN training_completions done ON done.id = a.completion_id
    LEFT JOIN validity v ON v.employee_id = a.employee_id AND v.course_id = a.course_id
    WHERE a.assigned_on <= $r AND {{scope}} AND {{filters}}
), judged AS (
    SELECT *,
        CASE
            WHEN NOT refresher OR state NOT IN ('completed_on_time', 'completed_late') THEN NULL
            WHEN NOT holds_valid THEN 'expired'
            WHEN valid_until <= $r + {EXPIRING_WITHIN_DAYS} THEN 'expiring'
            ELSE 'valid'
        END AS validity,
        -- rule 7: counted when mandatory, due by R, not cancelled by R, of a person employed on R
        mandatory AND employed AND due_on <= $r AND state <> 'cancelled' AS counted,
        state = 'completed_on_time' AND holds_valid AS compliant
    FROM states
)
"""


def _states_query(
    who: CurrentUser | Scope, on: date, filters: Filters | None, select: str
) -> tuple[str, dict[str, Any]]:
    """``select`` run over ``judged``, the assignments of the people in view (those the reader
    sees, or a scope) with their state on ``on``."""
    scope = who if isinstance(who, Scope) else scope_of(who)
    scope_sql, scope_params = scope.clause()
    filter_sql, filter_params = (filters or Filters()).clause()
    sql = (
        _STATES.replace("{completions_scope}", scope.completions_clause())
        .replace("{scope}", scope_sql)
        .replace("{filters}", filter_sql)
        + select
    )
    return sql, {"r": on, **scope_params, **filter_params}


def assignment_states(db: Reader, user: CurrentUser, *, on: date, filters: Filters | None = None) -> pd.DataFrame:
    """Every assignment the reader sees that existed on ``on``, with its state and, for a
    course with a refresher, the validity of the person's completion."""
    sql, params = _states_query(
        user,
        on,
        filters,
        "SELECT assignment_id, employee_id, employee_number, full_name, team_name, course_code, course_title,"
        " mandatory, assigned_on, due_on, completed_on, score, state, validity, valid_until, cancelled_on,"
        " counted, compliant FROM judged ORDER BY full_name, employee_id, course_code, assigned_on, assignment_id",
    )
    return db.frame(sql, params)


def _seen_by(user: CurrentUser) -> Scope | str:
    """What of a reader decides a compliance figure: everyone's reader all see the same."""
    scope = scope_of(user)
    return "everyone" if scope.everyone else scope


# a compliance figure is remembered per scope of its reader (``models.cache``)
_compliance_figure = cached_aggregate(
    tables=("training_assignments", "training_completions", "employees", "courses", "teams"),
    key_by={"user": _seen_by},
)


# -- group compliance (rule 7) --------------------------------------------------------------
@dataclass(frozen=True)
class Compliance:
    """Compliance of a group on a day with the counts behind it."""

    compliant: int  # numerator: completed by their due date and still valid
    due: int  # denominator: mandatory assignments due by R, not cancelled, of people employed
    overdue: int
    expiring: int  # people whose valid completion of a course expires within 30 days

    @property
    def rate(self) -> float | None:
        """Compliance in %, None when nothing was due."""
        return share(self.compliant, self.due)


_CELL_FIGURES = (
    "count(*) FILTER (WHERE counted AND compliant) AS compliant,"
    " count(*) FILTER (WHERE counted) AS due,"
    " count(*) FILTER (WHERE counted AND state = 'overdue') AS overdue,"
    " count(DISTINCT employee_id) FILTER (WHERE mandatory AND employed AND validity = 'expiring') AS expiring,"
    " round(100.0 * count(*) FILTER (WHERE counted AND compliant) / nullif(count(*) FILTER (WHERE counted), 0), 1)"
    " AS compliance"
)


@_compliance_figure
def group_compliance(db: Reader, user: CurrentUser, *, on: date, filters: Filters | None = None) -> Compliance:
    """Compliance on ``on`` of everyone the reader sees (narrowed by ``filters``)."""
    sql, params = _states_query(user, on, filters, f"SELECT {_CELL_FIGURES} FROM judged")
    row = db.query_one(sql, params) or {}
    return Compliance(
        compliant=int(row.get("compliant") or 0),
        due=int(row.get("due") or 0),
        overdue=int(row.get("overdue") or 0),
        expiring=int(row.get("expiring") or 0),
    )


@_compliance_figure
def heat_map(db: Reader, user: CurrentUser, *, on: date, filters: Filters | None = None) -> pd.DataFrame:
    """One row per team and mandatory course: compliance (%, empty when nothing was due yet)
    with the counts behind it (compliant, due, overdue, expiring)."""
    sql, params = _states_query(
        user,
        on,
        filters,
        f"SELECT team_name AS team, course_code, course_title AS course, {_CELL_FIGURES}"
        " FROM judged WHERE mandatory AND employed AND state <> 'cancelled'"
        " GROUP BY team_name, course_code, course_title ORDER BY team_name, course_code",
    )
    return db.frame(sql, params)


@_compliance_figure
def team_summary(db: Reader, user: CurrentUser, *, on: date, filters: Filters | None = None) -> pd.DataFrame:
    """One row per team the reader sees, then the whole of what they see ("All teams")."""
    sql, params = _states_query(
        user,
        on,
        filters,
        f"SELECT coalesce(team_name, 'All teams') AS team, count(DISTINCT employee_id) AS people, {_CELL_FIGURES}"
        " FROM judged WHERE employed GROUP BY ROLLUP (team_name)"
        " ORDER BY team_name IS NULL, team_name",
    )
    return db.frame(sql, params)


# -- lists HR acts on --------------------------------------------------------------------------
@_compliance_figure
def overdue_list(
    db: Reader, user: CurrentUser, *, on: date, filters: Filters | None = None, longest: int | None = None
) -> pd.DataFrame:
    """Open assignments past their due date of people employed on ``on``, longest overdue first
    (the ``longest`` of them only, when given: a summary's top of the list)."""
    sql, params = _states_query(
        user,
        on,
        filters,
        "SELECT employee_number, full_name AS person, team_name AS team, course_code, course_title AS course,"
        " mandatory, assigned_on, due_on, datediff('day', due_on, $r) AS days_overdue"
        " FROM judged WHERE state = 'overdue' AND employed"
        " ORDER BY days_overdue DESC, person, course_code" + (" LIMIT $longest" if longest is not None else ""),
    )
    return db.frame(sql, {**params, "longest": longest} if longest is not None else params)


def expiring_list(db: Reader, user: CurrentUser, *, on: date, filters: Filters | None = None) -> pd.DataFrame:
    """People employed on ``on`` whose valid completion of a course expires within 30 days,
    soonest first, with the due date of their open refresher if one is assigned."""
    sql, params = _states_query(
        user,
        on,
        filters,
        "SELECT employee_number, full_name AS person, team_name AS team, course_code, course_title AS course,"
        " max(valid_until) AS expires_on, datediff('day', $r, max(valid_until)) AS days_left,"
        " min(due_on) FILTER (WHERE state IN ('not_yet_due', 'overdue')) AS refresher_due_on"
        " FROM judged WHERE employed"
        " GROUP BY employee_id, employee_number, full_name, team_name, course_code, course_title"
        " HAVING bool_or(validity = 'expiring')"
        " ORDER BY days_left, person, course_code",
    )
    return db.frame(sql, params)


# -- a person's transcript ----------------------------------------------------------------------
@dataclass(frozen=True)
class Transcript:
    """Everything assigned to a person and everything they completed, as of a day."""

    employee_id: int
    full_name: str
    team_name: str
    assignments: pd.DataFrame  # course, dates, score, state, validity, days to due or of validity left
    completions: pd.DataFrame  # course, completed on, score, passed, expires on, status on the day


def transcript(db: Reader, user: CurrentUser, employee_id: int, *, on: date) -> Transcript:
    """A person's training as of ``on``; refused unless the reader may see that person."""
    person = db.query_one(
        "SELECT e.id, e.full_name, e.team_id, coalesce(t.name, ?) AS team_name"
        " FROM employees e LEFT JOIN teams t ON t.id = e.team_id WHERE e.id = ?",
        [NO_TEAM, employee_id],
    )
    if person is None or not scope_of(user).covers(employee_id, person["team_id"]):
        raise PermissionDeniedError(user, Permission.TEAM_TRAINING_READ)
    sql, params = _states_query(
        Scope(employee_id),
        on,
        None,
        "SELECT course_code, course_title AS course, mandatory, assigned_on, due_on, completed_on, score, state,"
        " validity, valid_until,"
        " CASE WHEN state IN ('not_yet_due', 'overdue') THEN datediff('day', $r, due_on) END AS days_to_due,"
        " CASE WHEN validity IS NOT NULL AND holds_valid THEN datediff('day', $r, valid_until) END AS days_valid_left,"
        " cancelled_on, cancel_reason"
        " FROM judged ORDER BY coalesce(completed_on, due_on) DESC, course_code",
    )
    assignments = db.frame(sql, params)
    completions = db.frame(
        "SELECT co.code AS course_code, co.title AS course, c.completed_on, c.score, c.passed, c.expires_on,"
        " CASE WHEN NOT c.passed THEN 'failed'"
        f" WHEN c.expires_on IS NULL THEN 'valid' WHEN c.expires_on <= $r THEN 'expired'"
        f" WHEN c.expires_on <= $r + {EXPIRING_WITHIN_DAYS} THEN 'expiring' ELSE 'valid' END AS status,"
        " c.source"
        " FROM training_completions c JOIN courses co ON co.id = c.course_id"
        " WHERE c.employee_id = $person AND c.completed_on <= $r ORDER BY c.completed_on DESC, co.code",
        {"r": on, "person": employee_id},
    )
    return Transcript(employee_id, person["full_name"], person["team_name"], assignments, completions)


def people_in_view(db: Reader, user: CurrentUser) -> list[dict[str, Any]]:
    """The people whose transcript the reader may open: id, name, number, team; active first."""
    scope_sql, params = scope_of(user).clause()
    return db.query(
        "SELECT e.id, e.full_name, e.employee_number, coalesce(t.name, $no_team) AS team_name, e.active"
        " FROM employees e LEFT JOIN teams t ON t.id = e.team_id WHERE "
        + scope_sql
        + " ORDER BY e.active DESC, e.full_name, e.employee_number",
        {**params, "no_team": NO_TEAM},
    )


def course_choices(db: Reader) -> list[dict[str, Any]]:
    """Courses to filter the views by: id, code, title; active ones first."""
    return db.query("SELECT id, code, title, active FROM courses ORDER BY active DESC, title, code")


# -- a person's own training ----------------------------------------------------------------------
@dataclass(frozen=True)
class MyTraining:
    """What a person has to do and has done, as of a day."""

    overdue: pd.DataFrame  # course, due on, days overdue
    due: pd.DataFrame  # course, due on, days left
    expiring: pd.DataFrame  # course, expires on, days left, refresher due on
    completed: pd.DataFrame  # course, completed on, score, on time or late, valid until, validity


def my_training(db: Reader, user: CurrentUser, *, on: date) -> MyTraining:
    """The reader's own training on ``on`` — everyone may read their own."""
    own = Scope(user.employee_id)

    def frame(select: str) -> pd.DataFrame:
        sql, params = _states_query(own, on, None, select)
        return db.frame(sql, params)

    course = "course_code, course_title AS course, mandatory"
    return MyTraining(
        overdue=frame(
            f"SELECT {course}, assigned_on, due_on, datediff('day', due_on, $r) AS days_overdue"
            " FROM judged WHERE state = 'overdue' ORDER BY due_on, course_code"
        ),
        due=frame(
            f"SELECT {course}, assigned_on, due_on, datediff('day', $r, due_on) AS days_left"
            " FROM judged WHERE state = 'not_yet_due' ORDER BY due_on, course_code"
        ),
        expiring=frame(
            "SELECT course_code, course_title AS course, max(valid_until) AS expires_on,"
            " datediff('day', $r, max(valid_until)) AS days_left,"
            " min(due_on) FILTER (WHERE state IN ('not_yet_due', 'overdue')) AS refresher_due_on"
            " FROM judged GROUP BY course_code, course_title HAVING bool_or(validity = 'expiring')"
            " ORDER BY days_left, course_code"
        ),
        completed=frame(
            f"SELECT {course}, due_on, completed_on, score, state, validity, valid_until"
            " FROM judged WHERE state IN ('completed_on_time', 'completed_late')"
            " ORDER BY completed_on DESC, course_code"
        ),
    )
