"""Roles, the permission matrix of SPEC §0, the current user and ``require`` — the guard
every write in models/ calls first."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from models.i18n import N_, _

if TYPE_CHECKING:
    pass


class Role(StrEnum):
    AGENT = "agent"
    MODERATOR = "moderator"
    TEAM_LEAD = "team_lead"
    ANALYST = "analyst"
    HR = "hr"
    LEADERSHIP = "leadership"
    ADMIN = "admin"


ROLE_LABELS = {  # translated where shown
    Role.AGENT: N_("Agent"),
    Role.MODERATOR: N_("Moderator (idea champion)"),
    Role.TEAM_LEAD: N_("Team lead"),
    Role.ANALYST: N_("Analyst"),
    Role.HR: N_("HR / L&D"),
    Role.LEADERSHIP: N_("Leadership"),
    Role.ADMIN: N_("Administrator"),
}
# each role in a word, as the sidebar and the directory list a person's roles ("agent, team lead")
ROLE_WORDS = {
    Role.AGENT: N_("agent"),
    Role.MODERATOR: N_("moderator"),
    Role.TEAM_LEAD: N_("team lead"),
    Role.ANALYST: N_("analyst"),
    Role.HR: N_("hr"),
    Role.LEADERSHIP: N_("leadership"),
    Role.ADMIN: N_("admin"),
}


class Permission(StrEnum):
    # agent — every employee
    STRATEGY_READ = "strategy.read"
    IDEAS_SUBMIT = "ideas.submit"
    IDEAS_ENGAGE = "ideas.engage"  # comment on and support others' ideas
    OWN_RECORDS_READ = "own_records.read"
    KUDOS_GIVE = "kudos.give"
    SURVEYS_ANSWER = "surveys.answer"
    COMPLAINTS_AGGREGATES = "complaints.aggregates"
    DECISION_RIGHTS_USE = "decision_rights.use"  # log a use of a decision right held by one's role
    # moderator
    IDEAS_MODERATE = "ideas.moderate"
    # team lead
    TEAM_COACHING = "team.coaching"
    TEAM_ASSESSMENTS = "team.assessments"
    TEAM_TRAINING_READ = "team.training_read"
    TEAM_TRAINING_ASSIGN = "team.training_assign"  # assign courses to people of one's own team
    SKILLS_MATRIX = "skills.matrix"  # the skills matrix: team lead (own team), HR and leadership (any)
    # analyst
    COMPLAINTS_IMPORT = "complaints.import"
    COMPLAINTS_RAW = "complaints.raw"
    FINDINGS_MANAGE = "findings.manage"
    SERVICE_AUDITS_RECORD = "service_audits.record"  # audit checklists, mystery audits by hand or import
    # hr
    COURSES_MANAGE = "courses.manage"
    TRAINING_MANAGE = "training.manage"
    COMPETENCIES_MANAGE = "competencies.manage"
    RECOGNITION_MANAGE = "recognition.manage"
    SURVEYS_MANAGE = "surveys.manage"
    PEOPLE_READ = "people.read"
    PEOPLE_MANAGE = "people.manage"
    # leadership
    STRATEGY_MANAGE = "strategy.manage"
    KPI_RECORD = "kpi.record"
    ACTIONS_MANAGE = "actions.manage"
    SPEAKUP_MANAGE = "speakup.manage"
    IDEAS_JUDGE = "ideas.judge"
    DASHBOARDS_ALL = "dashboards.all"
    # admin
    USERS_MANAGE = "users.manage"
    ROLES_ASSIGN = "roles.assign"
    SETTINGS_MANAGE = "settings.manage"
    BACKUPS_MANAGE = "backups.manage"
    AUDIT_READ = "audit.read"


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.AGENT: frozenset(
        {
            P.STRATEGY_READ,
            P.IDEAS_SUBMIT,
            P.IDEAS_ENGAGE,
            P.OWN_RECORDS_READ,
            P.KUDOS_GIVE,
            P.SURVEYS_ANSWER,
            P.COMPLAINTS_AGGREGATES,
            P.DECISION_RIGHTS_USE,
        }
    ),
    Role.MODERATOR: frozenset({P.IDEAS_MODERATE}),
    Role.TEAM_LEAD: frozenset(
        {P.TEAM_COACHING, P.TEAM_ASSESSMENTS, P.TEAM_TRAINING_READ, P.TEAM_TRAINING_ASSIGN, P.SKILLS_MATRIX}
    ),
    Role.ANALYST: frozenset({P.COMPLAINTS_IMPORT, P.COMPLAINTS_RAW, P.FINDINGS_MANAGE, P.SERVICE_AUDITS_RECORD}),
    Role.HR: frozenset(
        {
            P.COURSES_MANAGE,
            P.TRAINING_MANAGE,
            P.COMPETENCIES_MANAGE,
            P.SKILLS_MATRIX,
            P.RECOGNITION_MANAGE,
            P.SURVEYS_MANAGE,
            P.PEOPLE_READ,
            P.PEOPLE_MANAGE,
        }
    ),
    Role.LEADERSHIP: frozenset(
        {
            P.STRATEGY_MANAGE,
            P.KPI_RECORD,
            P.ACTIONS_MANAGE,
            P.SPEAKUP_MANAGE,
            P.IDEAS_JUDGE,
            P.DASHBOARDS_ALL,
            P.SKILLS_MATRIX,
            P.COMPLAINTS_RAW,
            P.PEOPLE_READ,
        }
    ),
    Role.ADMIN: frozenset(
        {
            P.USERS_MANAGE,
            P.ROLES_ASSIGN,
            P.SETTINGS_MANAGE,
            P.BACKUPS_MANAGE,
            P.AUDIT_READ,
            P.PEOPLE_READ,
            P.PEOPLE_MANAGE,
        }
    ),
}


def permissions_for(roles: frozenset[Role] | set[Role]) -> frozenset[Permission]:
    """What a set of roles may do: the agent's base plus what each role adds."""
    granted = set(ROLE_PERMISSIONS[Role.AGENT])
    for role in roles:
        granted |= ROLE_PERMISSIONS[Role(role)]
    return frozenset(granted)


class CurrentUser(BaseModel):
    """The signed-in person as every domain function receives them."""

    model_config = ConfigDict(frozen=True)

    employee_id: int
    account_id: int | None
    full_name: str
    email: str
    team_id: int | None = None
    roles: frozenset[Role]
    language: str | None = None  # chosen on "My account"; None: the browser's or the portal's default

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_for(self.roles)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def has_role(self, role: Role) -> bool:
        return role in self.roles


class PermissionDeniedError(PermissionError):
    def __init__(self, user: CurrentUser | None, permission: Permission):
        who = user.full_name if user else _("Nobody signed in")
        super().__init__(
            _("{who} may not do this (needs permission '{permission}').", who=who, permission=permission.value)
        )
        self.permission = permission


def require(user: CurrentUser | None, permission: Permission) -> None:
    """Refuse unless the user holds the permission — the guard of every write."""
    if user is None or not user.can(permission):
        raise PermissionDeniedError(user, permission)
