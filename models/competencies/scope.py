"""Who reads whose competency records (rule 7): a person their own, a team lead their team's,
HR and leadership everyone's."""

from __future__ import annotations

from typing import Any

from models.access import CurrentUser, Permission, PermissionDeniedError
from models.db import Reader
from models.i18n import _


class NotYourTeamError(PermissionDeniedError):
    """A team lead acting on someone outside their team, or anyone on another person's record."""

    def __init__(self, user: CurrentUser, what: str | None = None):
        PermissionError.__init__(
            self,
            _(
                "{name} may not see or change {what}: only the person, their team lead, HR and leadership may.",
                name=user.full_name,
                what=what or _("this person's competency records"),
            ),
        )
        self.permission = Permission.TEAM_ASSESSMENTS


def sees_everyone(actor: CurrentUser) -> bool:
    return actor.can(Permission.COMPETENCIES_MANAGE) or actor.can(Permission.DASHBOARDS_ALL)


def leads_team(actor: CurrentUser, team_id: int | None) -> bool:
    """Whether the actor is a team lead of ``team_id``."""
    return actor.can(Permission.TEAM_ASSESSMENTS) and actor.team_id is not None and actor.team_id == team_id


def may_read(actor: CurrentUser, employee_id: int, team_id: int | None) -> bool:
    return actor.employee_id == employee_id or sees_everyone(actor) or leads_team(actor, team_id)


def team_of(db: Reader, employee_id: int) -> dict[str, Any] | None:
    return db.query_one("SELECT id, full_name, team_id, active FROM employees WHERE id = ?", [employee_id])


def may_read_person(db: Reader, actor: CurrentUser, employee_id: int) -> bool:
    """Whether the actor may read this person's competency records (a lead of another team
    reviewing an appeal sees the appealed assessment, not the rest of the person's records)."""
    person = team_of(db, employee_id)
    return person is not None and may_read(actor, employee_id, person["team_id"])


def require_read(db: Reader, actor: CurrentUser, employee_id: int) -> None:
    """Refuse unless the actor may read this person's competency records."""
    person = team_of(db, employee_id)
    if person is None or not may_read(actor, employee_id, person["team_id"]):
        raise NotYourTeamError(actor)


def require_team_read(actor: CurrentUser, team_id: int | None) -> None:
    """Refuse a team's (or, with None, the organisation's) records to whoever may not read them."""
    if sees_everyone(actor) or (team_id is not None and leads_team(actor, team_id)):
        return
    raise NotYourTeamError(actor, _("this team's competency records"))


def people_clause(actor: CurrentUser, alias: str = "e") -> tuple[str, list[Any]]:
    """A SQL condition on ``employees {alias}`` keeping the people the actor may read."""
    if sees_everyone(actor):
        return "TRUE", []
    if actor.can(Permission.TEAM_ASSESSMENTS) and actor.team_id is not None:
        return f"({alias}.team_id = ? OR {alias}.id = ?)", [actor.team_id, actor.employee_id]
    return f"{alias}.id = ?", [actor.employee_id]
