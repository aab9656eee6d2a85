"""Home: what the signed-in person's roles need first, composed from the areas' own read
functions (a figure an area computes is never computed again here).

Which sections a person sees, and in which order, is stated once (``sections_for``):

1. **Sections by role.** Every person is an agent and sees the personal sections (the
   Speak-Up cycle, my training, my coaching and assessments, kudos received, a survey to
   answer); leadership, HR, team leads, analysts, moderators and administrators each add
   theirs (``ROLE_SECTIONS``).
2. **Permission.** A section appears only when the person may read its area: the same
   permission that opens the area's page (``SECTION_READERS``); its figures are scoped as
   the area scopes them (a team lead's training compliance is their team's).
3. **Once.** A person with several roles sees each section once, where it first comes.
4. **Order.** Leadership, HR and team leads see their overview first and their personal
   sections after it; anyone else sees the personal sections first.

The figures live in ``programme`` (the programme at a glance: goals, complaints, actions,
Speak-Up, training, engagement, customers, standards — reusable by reports, each with an
``as_of`` day), ``team`` (coaching, skills, a team's ideas, recognition, moderation) and
``personal`` (the person's own next steps).
"""

from __future__ import annotations

from collections.abc import Callable

from models.access import CurrentUser, Permission, Role
from models.i18n import N_
from models.standards.audits import reads_compliance

SECTION_TITLES: dict[str, str] = {  # marked for the catalogue; shown with _()
    "speakup": N_("Speak-Up Day"),
    "my_training": N_("My training"),
    "my_development": N_("My coaching and assessments"),
    "my_kudos": N_("Kudos received"),
    "my_survey": N_("Pulse survey"),
    "goals": N_("Goals"),
    "complaints": N_("Complaints"),
    "actions": N_("Action plan"),
    "training": N_("Training compliance"),
    "engagement": N_("Engagement"),
    "customers": N_("Customer feedback"),
    "standards": N_("Service standards"),
    "coaching": N_("Coaching this month"),
    "skills": N_("Assessments and skill gaps"),
    "team_ideas": N_("My team's ideas"),
    "recognition": N_("Recognition this month"),
    "moderation": N_("Ideas to moderate"),
    "portal": N_("Portal health"),
}

PERSONAL_SECTIONS = ("speakup", "my_training", "my_development", "my_kudos", "my_survey")

ROLE_SECTIONS: dict[Role, tuple[str, ...]] = {
    Role.LEADERSHIP: (
        "goals",
        "complaints",
        "actions",
        "speakup",
        "training",
        "engagement",
        "customers",
        "standards",
    ),
    Role.HR: ("training", "coaching", "recognition", "engagement"),
    Role.TEAM_LEAD: ("training", "coaching", "skills", "team_ideas"),
    Role.ANALYST: ("complaints", "standards"),
    Role.MODERATOR: ("moderation",),
    Role.ADMIN: ("portal",),
}
OVERVIEW_ROLES = (Role.LEADERSHIP, Role.HR, Role.TEAM_LEAD)  # their overview comes before their own steps


def _any(*permissions: Permission) -> Callable[[CurrentUser], bool]:
    return lambda user: any(user.can(permission) for permission in permissions)


def _leads_a_team_or_sees_all(user: CurrentUser) -> bool:
    return user.team_id is not None or user.can(Permission.COMPETENCIES_MANAGE) or user.can(Permission.DASHBOARDS_ALL)


SECTION_READERS: dict[str, Callable[[CurrentUser], bool]] = {
    "speakup": lambda user: True,  # the idea board is open to everyone
    "my_training": lambda user: True,  # everyone reads their own training
    "my_development": _any(Permission.OWN_RECORDS_READ),
    "my_kudos": _any(Permission.KUDOS_GIVE),
    "my_survey": _any(Permission.SURVEYS_ANSWER),
    "goals": _any(Permission.STRATEGY_READ),
    "complaints": _any(Permission.COMPLAINTS_AGGREGATES),
    "actions": _any(Permission.STRATEGY_READ),
    "training": _any(Permission.TRAINING_MANAGE, Permission.DASHBOARDS_ALL, Permission.TEAM_TRAINING_READ),
    "engagement": _any(Permission.SURVEYS_ANSWER),
    "customers": _any(Permission.COMPLAINTS_AGGREGATES),
    "standards": reads_compliance,
    "coaching": _any(Permission.TEAM_COACHING, Permission.COMPETENCIES_MANAGE, Permission.DASHBOARDS_ALL),
    "skills": lambda user: user.can(Permission.SKILLS_MATRIX) and _leads_a_team_or_sees_all(user),
    "team_ideas": lambda user: user.has_role(Role.TEAM_LEAD) and user.team_id is not None,
    "recognition": _any(Permission.RECOGNITION_MANAGE),
    "moderation": _any(Permission.IDEAS_MODERATE),
    "portal": _any(Permission.USERS_MANAGE),
}


def sections_for(user: CurrentUser) -> list[str]:
    """The sections of this person's home, in order, each once (rules 1 to 4 above)."""
    role_sections = [key for role in ROLE_SECTIONS if user.has_role(role) for key in ROLE_SECTIONS[role]]
    overview_first = any(user.has_role(role) for role in OVERVIEW_ROLES)
    ordered = [*role_sections, *PERSONAL_SECTIONS] if overview_first else [*PERSONAL_SECTIONS, *role_sections]
    return [key for key in dict.fromkeys(ordered) if SECTION_READERS[key](user)]
