"""What every area's demo step builds on: the organisation the people step created, the
progress callback, the demo logins and the demo texts kept as data files in ``data/demo/``."""

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
