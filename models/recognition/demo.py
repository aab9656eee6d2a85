"""Demo recognition: HR's company values; a year of kudos, most between teammates, a few
enthusiastic givers who give most of them and two quiet teams that give and receive little;
one kudos HR hid; and the badges the demo's ideas, Speak-Up Days, training and kudos have
earned. Texts: ``data/demo/recognition.json``."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from models.access import Role
from models.recognition import badges, bulk, kudos, values
from models.seeding import demo_texts

if TYPE_CHECKING:
    from models.db import Database
    from models.seeding import DemoOrganisation, Progress

HISTORY_DAYS = 365
ENTHUSIASTS_SHARE = 0.04  # of the people, at least 3
PER_MONTH = {"enthusiast": 4.0, "usual": 0.35, "quiet": 0.05}
QUIET_TEAMS = 2
TEAM_KUDOS_SHARE = 0.06
SAME_TEAM_SHARE = 0.7
COMPETENCY_TAG_SHARE = 0.6


def recognition_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    texts = demo_texts("recognition")
    hr = org.user(org.logins[Role.HR])
    for value in texts["values"]:
        values.add_value(
            db, hr, value["name"], value["description"], at=_at(org.today - timedelta(days=HISTORY_DAYS + 5))
        )
    progress(0.2, "Company values…")
    gifts = _Kudos(db, org, texts).gifts()
    bulk.give_kudos_in_bulk(db, gifts, at=_at(org.today, 7))
    progress(0.7, f"{len(gifts)} kudos…")
    hidden = next((gift for gift in reversed(gifts) if gift.recipient_id is not None), None)
    if hidden is not None:
        kudos_id = db.scalar(
            "SELECT id FROM kudos WHERE giver_id = ? AND given_at = ? ORDER BY id LIMIT 1",
            [hidden.giver.employee_id, hidden.given_at],
        )
        kudos.hide_kudos(db, hr, kudos_id, texts["hide_reason"], at=hidden.given_at + timedelta(hours=3))
    db.write(lambda connection: badges.refresh_badges(connection, at=_at(org.today, 7)))
    progress(1.0, "Recognition ready.")


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour))


class _Kudos:
    """A year of kudos drawn from the organisation, within each giver's monthly allowance."""

    def __init__(self, db: Database, org: DemoOrganisation, texts: dict[str, Any]):
        self.org, self.texts = org, texts
        self.rng = random.Random(org.rng.random())
        self.people = [p for p in org.employees if p.get("active", True) and p["team_id"] is not None]
        self.quiet_teams = set(org.team_ids[-QUIET_TEAMS:]) if len(org.team_ids) > QUIET_TEAMS else set()
        self.by_team: dict[int, list[dict[str, Any]]] = {}
        for person in self.people:
            self.by_team.setdefault(person["team_id"], []).append(person)
        count = max(3, round(len(self.people) * ENTHUSIASTS_SHARE))
        pool = [p for p in self.people if p["team_id"] not in self.quiet_teams]
        self.enthusiasts = {p["id"] for p in self.rng.sample(pool, min(count, len(pool)))}
        self.competencies = [row["id"] for row in db.query("SELECT id FROM competencies WHERE active ORDER BY id")]
        self.values = [row["id"] for row in db.query("SELECT id FROM company_values WHERE active ORDER BY id")]
        self.allowance = kudos.monthly_allowance()
        self.start = org.today - timedelta(days=HISTORY_DAYS)

    def _rate(self, person: dict[str, Any]) -> float:
        if person["id"] in self.enthusiasts:
            return PER_MONTH["enthusiast"]
        return PER_MONTH["quiet"] if person["team_id"] in self.quiet_teams else PER_MONTH["usual"]

    def gifts(self) -> list[bulk.Gift]:
        gifts: list[bulk.Gift] = []
        for person in self.people:
            expected = self._rate(person) * 12
            count = int(expected) + (1 if self.rng.random() < expected - int(expected) else 0)
            days = sorted(self.rng.randrange(HISTORY_DAYS) for _ in range(count))
            given: dict[tuple[int, int], int] = {}
            for offset in days:
                day = self.start + timedelta(days=offset + 1)
                month = (day.year, day.month)
                if self.allowance and given.get(month, 0) >= self.allowance:
                    continue
                gift = self._gift(person, day)
                if gift is not None:
                    given[month] = given.get(month, 0) + 1
                    gifts.append(gift)
        return sorted(gifts, key=lambda gift: gift.given_at)

    def _gift(self, giver: dict[str, Any], day: date) -> bulk.Gift | None:
        rng = self.rng
        when = datetime.combine(day, time(rng.randrange(8, 18), rng.randrange(60)))
        tag = self._tag()
        if rng.random() < TEAM_KUDOS_SHARE and len(self.by_team.get(giver["team_id"], [])) > 1:
            message = rng.choice(self.texts["team_messages"])
            return bulk.Gift(giver=self.org.user(giver["id"]), team_id=giver["team_id"], message=message,
                             given_at=when, **tag)  # fmt: skip
        recipient = self._recipient(giver)
        if recipient is None:
            return None
        pool = self.texts["competency_messages"] if "competency_id" in tag else self.texts["value_messages"]
        return bulk.Gift(giver=self.org.user(giver["id"]), recipient_id=recipient, message=rng.choice(pool),
                         given_at=when, **tag)  # fmt: skip

    def _tag(self) -> dict[str, int]:
        if self.values and (not self.competencies or self.rng.random() >= COMPETENCY_TAG_SHARE):
            return {"value_id": self.rng.choice(self.values)}
        return {"competency_id": self.rng.choice(self.competencies)}

    def _recipient(self, giver: dict[str, Any]) -> int | None:
        """Mostly a teammate; otherwise anyone, rarely someone of a quiet team."""
        teammates = [p["id"] for p in self.by_team.get(giver["team_id"], []) if p["id"] != giver["id"]]
        if teammates and self.rng.random() < SAME_TEAM_SHARE:
            return self.rng.choice(teammates)
        for _ in range(5):
            other = self.rng.choice(self.people)
            if other["id"] == giver["id"]:
                continue
            if other["team_id"] in self.quiet_teams and self.rng.random() < 0.8:
                continue
            return other["id"]
        return None
