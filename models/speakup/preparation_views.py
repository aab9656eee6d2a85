"""What people read of Speak-Up Day preparation: a cycle's sessions, a session's invitations
and attendance, one's own invitations, and who is prepared for each shortlisted idea.

HR and leadership see everything; a trainer sees the sessions they run with their
invitations; everyone sees the sessions they are invited to (SPEC §0: nobody sees another
agent's attendance otherwise). The rules themselves are in ``models.speakup.preparation``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from models.access import CurrentUser, Permission, PermissionDeniedError
from models.speakup.preparation import ON_SHORTLIST, is_prepared, may_manage, require_manager

if TYPE_CHECKING:
    from models.db import Database

_SESSION_SQL = """
    SELECT s.id, s.cycle_id, y.name AS cycle_name, s.course_id, c.code AS course_code, c.title AS course_title,
           s.starts_at, s.minutes, s.place, s.trainer_id, t.full_name AS trainer_name, s.capacity,
           count(v.id) FILTER (WHERE v.withdrawn_at IS NULL) AS invited,
           count(v.id) FILTER (WHERE v.withdrawn_at IS NULL AND v.attended) AS attended,
           count(v.id) FILTER (WHERE v.withdrawn_at IS NULL AND v.attended IS NULL) AS not_recorded
    FROM speakup_prep_sessions s
    JOIN idea_cycles y ON y.id = s.cycle_id
    JOIN courses c ON c.id = s.course_id
    JOIN employees t ON t.id = s.trainer_id
    LEFT JOIN speakup_prep_invitations v ON v.session_id = s.id
"""
_SESSION_GROUP = " GROUP BY ALL ORDER BY s.starts_at, s.id"


def cycle_sessions(db: Database, viewer: CurrentUser, cycle_id: int) -> list[dict[str, Any]]:
    """The cycle's sessions with their counts: all of them for HR and leadership, otherwise the
    ones the viewer runs or is invited to."""
    visible = (
        "$viewer = $viewer"
        if may_manage(viewer)
        else "(s.trainer_id = $viewer OR s.id IN (SELECT session_id FROM speakup_prep_invitations"
        " WHERE employee_id = $viewer AND withdrawn_at IS NULL))"
    )
    rows = db.query(
        f"{_SESSION_SQL} WHERE s.cycle_id = $cycle AND {visible}{_SESSION_GROUP}",  # noqa: S608 - fixed text
        {"cycle": cycle_id, "viewer": viewer.employee_id},
    )
    for row in rows:
        row["over_capacity"] = row["invited"] > row["capacity"]
    return rows


def session_invitations(db: Database, viewer: CurrentUser, session_id: int) -> list[dict[str, Any]]:
    """A session's invitations with attendance, withdrawn ones last: for its trainer, HR and
    leadership."""
    trainer = db.scalar("SELECT trainer_id FROM speakup_prep_sessions WHERE id = ?", [session_id])
    if trainer != viewer.employee_id:
        require_manager(viewer)
    return db.query(
        "SELECT v.id, v.employee_id, e.full_name, t.name AS team_name, v.idea_id, i.title AS idea_title,"
        " v.invited_at, v.attended, r.full_name AS recorded_by, v.recorded_at, v.withdrawn_at, v.withdrawn_reason"
        " FROM speakup_prep_invitations v JOIN employees e ON e.id = v.employee_id"
        " LEFT JOIN teams t ON t.id = e.team_id JOIN ideas i ON i.id = v.idea_id"
        " LEFT JOIN employees r ON r.id = v.recorded_by"
        " WHERE v.session_id = ? ORDER BY v.withdrawn_at IS NOT NULL, e.full_name, v.id",
        [session_id],
    )


def my_invitations(db: Database, viewer: CurrentUser) -> list[dict[str, Any]]:
    """The sessions the viewer is invited to, latest first, with whether they attended."""
    return db.query(
        "SELECT v.id, y.name AS cycle_name, c.title AS course_title, s.starts_at, s.minutes, s.place,"
        " t.full_name AS trainer_name, i.title AS idea_title, v.attended"
        " FROM speakup_prep_invitations v JOIN speakup_prep_sessions s ON s.id = v.session_id"
        " JOIN idea_cycles y ON y.id = s.cycle_id JOIN courses c ON c.id = s.course_id"
        " JOIN employees t ON t.id = s.trainer_id JOIN ideas i ON i.id = v.idea_id"
        " WHERE v.employee_id = ? AND v.withdrawn_at IS NULL ORDER BY s.starts_at DESC",
        [viewer.employee_id],
    )


def trainer_sessions(db: Database, viewer: CurrentUser) -> list[dict[str, Any]]:
    """The sessions the viewer runs, in every cycle."""
    return db.query(f"{_SESSION_SQL} WHERE s.trainer_id = ?{_SESSION_GROUP}", [viewer.employee_id])  # noqa: S608


def preparedness(db: Database, viewer: CurrentUser, cycle_id: int) -> list[dict[str, Any]]:
    """Each author and co-author of the cycle's shortlisted ideas with the preparation courses
    they attended and still miss, and whether they are prepared: for HR and leadership."""
    if viewer is None or not may_manage(viewer):
        raise PermissionDeniedError(viewer, Permission.SPEAKUP_MANAGE)
    required = {
        row["id"]: row["title"]
        for row in db.query(
            "SELECT DISTINCT c.id, c.title FROM speakup_prep_sessions s JOIN courses c ON c.id = s.course_id"
            " WHERE s.cycle_id = ?",
            [cycle_id],
        )
    }
    attended: dict[int, set[int]] = {}
    for row in db.query(
        "SELECT DISTINCT v.employee_id, s.course_id FROM speakup_prep_invitations v"
        " JOIN speakup_prep_sessions s ON s.id = v.session_id WHERE s.cycle_id = ? AND v.attended",
        [cycle_id],
    ):
        attended.setdefault(row["employee_id"], set()).add(row["course_id"])
    people = db.query(
        "SELECT i.id AS idea_id, i.title AS idea_title, i.author_id AS employee_id, 'Author' AS part FROM ideas i"
        " WHERE i.cycle_id = $cycle AND list_contains($statuses, i.status)"
        " UNION ALL SELECT i.id, i.title, c.employee_id, 'Co-author' FROM ideas i"
        " JOIN idea_coauthors c ON c.idea_id = i.id WHERE i.cycle_id = $cycle AND list_contains($statuses, i.status)",
        {"cycle": cycle_id, "statuses": list(ON_SHORTLIST)},
    )
    names = _names(db, {person["employee_id"] for person in people})
    for person in people:
        done = attended.get(person["employee_id"], set())
        person["full_name"] = names.get(person["employee_id"], "")
        person["attended"] = sorted(required[c] for c in done if c in required)
        person["missing"] = sorted(title for course_id, title in required.items() if course_id not in done)
        person["prepared"] = is_prepared(set(required), done)
    return sorted(people, key=lambda p: (p["idea_id"], p["part"] != "Author", p["full_name"]))


def prepared_people(db: Database, viewer: CurrentUser, cycle_id: int) -> set[int]:
    """The authors of the cycle's shortlisted ideas who are prepared."""
    return {person["employee_id"] for person in preparedness(db, viewer, cycle_id) if person["prepared"]}


def _names(db: Database, employee_ids: set[int]) -> dict[int, str]:
    rows = db.query("SELECT id, full_name FROM employees WHERE list_contains(?, id)", [sorted(employee_ids)])
    return {row["id"]: row["full_name"] for row in rows}
