"""Who sees whose coaching (rule 3 of ``models.coaching``): the one place that turns the
acting person into the set of people whose sessions they may read, as an SQL condition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.access import CurrentUser, Permission, PermissionDeniedError, Role


@dataclass(frozen=True)
class Scope:
    """The people whose coaching ``actor`` reads: everyone, one team, or only themselves."""

    everyone: bool = False
    team_id: int | None = None
    employee_id: int | None = None

    def condition(self, person: str = "e") -> tuple[str, list[Any]]:
        """A condition on the employees row ``person`` (alias) and its parameters."""
        if self.everyone:
            return "TRUE", []
        if self.team_id is not None:
            return f"{person}.team_id = ?", [self.team_id]
        return f"{person}.id = ?", [self.employee_id]


def reads_everyone(actor: CurrentUser) -> bool:
    """HR and leadership read everyone's coaching."""
    return actor.has_role(Role.HR) or actor.can(Permission.DASHBOARDS_ALL)


def leads_team(actor: CurrentUser) -> int | None:
    """The team whose coaching ``actor`` keeps as its lead, if any."""
    return actor.team_id if actor.can(Permission.TEAM_COACHING) else None


def scope_of(actor: CurrentUser) -> Scope:
    """The widest set of people whose sessions ``actor`` may read (their own at least)."""
    if reads_everyone(actor):
        return Scope(everyone=True)
    if leads_team(actor) is not None:
        return Scope(team_id=leads_team(actor))
    return Scope(employee_id=actor.employee_id)


def sees_private_notes(actor: CurrentUser, coach_id: int) -> bool:
    """Private notes are for their author and HR only."""
    return actor.employee_id == coach_id or actor.has_role(Role.HR)


def may_read(actor: CurrentUser, employee_id: int, employee_team_id: int | None) -> bool:
    """Whether ``actor`` may read the coaching of this person."""
    if actor.employee_id == employee_id or reads_everyone(actor):
        return True
    team = leads_team(actor)
    return team is not None and team == employee_team_id


def refuse_reading(actor: CurrentUser) -> PermissionDeniedError:
    """The refusal given for another person's coaching: the permission a reader lacked."""
    return PermissionDeniedError(actor, Permission.TEAM_COACHING)


def may_coach(actor: CurrentUser) -> bool:
    """Whether ``actor`` logs coaching: a team lead with a team, or HR."""
    return actor.has_role(Role.HR) or leads_team(actor) is not None


def reads_others(actor: CurrentUser) -> bool:
    """Whether ``actor`` reads anyone's coaching but their own."""
    return reads_everyone(actor) or leads_team(actor) is not None
