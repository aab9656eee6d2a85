"""What every area's demo step builds on: the organisation the people step created, the
progress callback, the demo logins, the demo texts kept as data files in ``data/demo/`` and
how much of everything a scale builds (``volumes``)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from models.access import CurrentUser, Role
from models.db import Database

DEMO_PASSWORD = "speakup-demo"  # noqa: S105 - documented demo password, demo mode only
DEMO_TEXTS = Path(__file__).resolve().parent.parent / "data" / "demo"

LARGE_SCALE = 33
"""The scale of the benchmark organisation of SPEC §10: about 5,000 employees, 1,000,000
complaints, 20,000 ideas over three years of quarterly cycles, 300,000 training records, a
year of kudos and eight surveys."""
DEMO_TEAMS = 10  # per unit of scale
DEMO_COMPLAINTS = 25_000  # at scale 1
DEMO_PAST_CYCLES = 3
DEMO_IDEAS_PER_PAST_CYCLE = 12  # per whole unit of scale
DEMO_IDEAS_IN_OPEN_CYCLE = 9  # per whole unit of scale
LARGE_COMPLAINTS = 1_000_000
LARGE_PAST_CYCLES = 12  # three years of quarterly cycles
LARGE_IDEAS_PER_PAST_CYCLE = 1_642  # with the open cycle's, about 20,000 ideas


@dataclass(frozen=True)
class DemoVolumes:
    """How much the demo steps build at one scale. Up to scale 1 everything grows in
    proportion to the scale (scale 1 is the demo); above it, the figures that SPEC fixes for
    the benchmark organisation grow in a straight line from the demo's to theirs at
    ``LARGE_SCALE``. People grow in proportion at every scale; training and kudos follow the
    people (two years of training, a year of kudos); the number of surveys is fixed."""

    teams: int
    complaints: int
    past_cycles: int
    ideas_per_past_cycle: int
    ideas_in_open_cycle: int


def _towards_large(scale: float, demo_figure: float, large_figure: float) -> float:
    """The demo's figure at scale 1, the benchmark's at ``LARGE_SCALE``, a straight line between (and beyond)."""
    return demo_figure + (large_figure - demo_figure) * (scale - 1) / (LARGE_SCALE - 1)


def volumes(scale: float) -> DemoVolumes:
    """The volumes of the demo organisation at ``scale`` (see ``DemoVolumes``)."""
    teams = max(1, round(DEMO_TEAMS * scale))
    whole = max(1, round(scale))  # the open cycle's ideas grow with whole units of the organisation
    if scale <= 1:
        return DemoVolumes(
            teams=teams,
            complaints=max(1000, round(DEMO_COMPLAINTS * scale)),
            past_cycles=DEMO_PAST_CYCLES,
            ideas_per_past_cycle=DEMO_IDEAS_PER_PAST_CYCLE,
            ideas_in_open_cycle=DEMO_IDEAS_IN_OPEN_CYCLE,
        )
    return DemoVolumes(
        teams=teams,
        complaints=round(_towards_large(scale, DEMO_COMPLAINTS, LARGE_COMPLAINTS)),
        past_cycles=round(_towards_large(scale, DEMO_PAST_CYCLES, LARGE_PAST_CYCLES)),
        ideas_per_past_cycle=round(_towards_large(scale, DEMO_IDEAS_PER_PAST_CYCLE, LARGE_IDEAS_PER_PAST_CYCLE)),
        ideas_in_open_cycle=DEMO_IDEAS_IN_OPEN_CYCLE * whole,
    )


DEMO_LOGINS = {
    Role.AGENT: "agent",
    Role.MODERATOR: "moderator",
    Role.TEAM_LEAD: "teamlead",
    Role.ANALYST: "analyst",
    Role.HR: "hr",
    Role.LEADERSHIP: "leader",
    Role.ADMIN: "admin",
}


@dataclass
class DemoOrganisation:
    """What the people step created, for the steps of later areas to build on."""

    rng: random.Random
    scale: float
    today: date
    _index: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    site_ids: list[int] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)
    employees: list[dict[str, Any]] = field(default_factory=list)  # id, team_id, roles, manager_id, login, …
    logins: dict[Role, int] = field(default_factory=dict)  # role -> employee id of its demo login

    def with_role(self, role: Role) -> list[dict[str, Any]]:
        return [person for person in self.employees if role in person["roles"]]

    def person(self, employee_id: int) -> dict[str, Any]:
        return self._by_id()[employee_id]

    def user(self, employee_id: int) -> CurrentUser:
        """The person as the domain functions receive them, to act as them in the demo's story."""
        person = self.person(employee_id)
        return CurrentUser(
            employee_id=employee_id,
            account_id=None,
            full_name=person["full_name"],
            email=person["email"],
            team_id=person["team_id"],
            roles=frozenset(person["roles"]) | {Role.AGENT},
        )

    def _by_id(self) -> dict[int, dict[str, Any]]:
        if len(self._index) != len(self.employees):
            self._index = {person["id"]: person for person in self.employees}
        return self._index


Progress = Callable[[float, str], None]
DemoStep = Callable[[Database, DemoOrganisation, Progress], None]
"""An area's demo step: fills the area through its own domain functions, inside the
demo's single write (``db.write`` calls made by the step join it)."""


@cache
def demo_texts(name: str) -> Any:
    """The demo texts of one area, from ``data/demo/<name>.json``."""
    return json.loads((DEMO_TEXTS / f"{name}.json").read_text(encoding="utf-8"))
