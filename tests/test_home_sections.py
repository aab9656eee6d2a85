"""Which sections a home shows, in which order, each once (rules of ``models.home``)."""

from __future__ import annotations

from models.access import CurrentUser, Role
from models.home import PERSONAL_SECTIONS, sections_for


def person(*roles: Role, team_id: int | None = 1) -> CurrentUser:
    return CurrentUser(
        employee_id=1, account_id=1, full_name="Pat Person", email="pat@example.org", team_id=team_id, roles=roles
    )


def test_an_agent_sees_their_own_next_steps_only():
    assert sections_for(person(Role.AGENT)) == list(PERSONAL_SECTIONS)


def test_leadership_sees_the_programme_before_their_own_steps():
    keys = sections_for(person(Role.AGENT, Role.LEADERSHIP))
    assert keys[:3] == ["goals", "complaints", "actions"]
    assert keys.index("standards") < keys.index("my_training")


def test_an_analyst_sees_their_own_steps_first_then_complaints():
    keys = sections_for(person(Role.AGENT, Role.ANALYST))
    assert keys[: len(PERSONAL_SECTIONS)] == list(PERSONAL_SECTIONS)
    assert keys[len(PERSONAL_SECTIONS) :] == ["complaints", "standards"]


def test_several_roles_see_each_section_once():
    keys = sections_for(person(*Role))
    assert len(keys) == len(set(keys))
    assert {"training", "engagement", "coaching", "skills", "team_ideas", "recognition", "portal"} <= set(keys)


def test_a_team_lead_without_a_team_gets_no_team_sections():
    keys = sections_for(person(Role.AGENT, Role.TEAM_LEAD, team_id=None))
    assert "team_ideas" not in keys and "skills" not in keys
