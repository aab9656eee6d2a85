"""The competencies part of the demo: two years of quarterly assessment rounds by each team
lead, progressing faster in teams whose lead coaches mostly on the floor; checklist
assessments with many appeals before the framework's introduction (about 14 months ago) and
few after it. Built through the area's own functions, dated with ``at``: every round's
assessments in one bulk write, every appeal with its resolution in another and everyone's
acknowledgements in a third (the checks, audit entries and messages of one call each)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from models.access import CurrentUser, Role
from models.competencies import appeals, assessments, framework
from models.db import ConnectionReader, Database
from models.seeding import DemoOrganisation, Progress, demo_texts

HISTORY_DAYS = 730
INTRODUCED_DAYS_AGO = 425  # about 14 months
ROUNDS = 8  # quarterly
PER_ROUND = 3  # competencies assessed per person per round
# Chance that an assessment is appealed: checklist ratings were contested far more often.
# At the demo's size (about 150 agents assessed ~150 times a month) that is about 12 appeals a
# month before the framework and 1–2 after it, scaling with the organisation.
APPEAL_CHANCE = {"checklist": 0.08, "framework": 0.01}
UPHELD_CHANCE = {"checklist": 0.4, "framework": 0.25}
STYLES = (0.85, 0.75, 0.7, 0.3, 0.2, 0.15)  # integrated share when the coaching log has none


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour))


def competencies_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    db.write(lambda connection: _Rounds(db, ConnectionReader(connection), org).run(progress))


class _Rounds:
    def __init__(self, db: Database, reader: ConnectionReader, org: DemoOrganisation):
        self.db, self.reader, self.org = db, reader, org
        self.rng = random.Random(org.rng.random())
        self.texts = demo_texts("competencies")
        self.start = org.today - timedelta(days=HISTORY_DAYS)
        self.introduced = org.today - timedelta(days=INTRODUCED_DAYS_AGO)
        self.competencies = {c.id: c.name for c in framework.competencies(reader)}
        self.hr = org.user(org.logins[Role.HR])
        self.leads = {p["team_id"]: p for p in org.with_role(Role.TEAM_LEAD) if p["team_id"] is not None}
        self.share = self._integrated_share()
        self.level: dict[tuple[int, int], float] = {}
        self.rounds: list[tuple[CurrentUser, list[dict[str, Any]], datetime]] = []  # (lead, rows, at)
        self.appealed: list[tuple[tuple[int, int], appeals.Appeal]] = []  # (place in the rounds, appeal)

    def _integrated_share(self) -> dict[int, float]:
        """Each team's share of integrated coaching from the coaching log, or a style of its own."""
        logged = {
            row["team_id"]: float(row["share"])
            for row in self.reader.query(
                "SELECT e.team_id, avg(CASE WHEN s.kind = 'integrated' THEN 1.0 ELSE 0.0 END) AS share"
                " FROM coaching_sessions s JOIN employees e ON e.id = s.employee_id GROUP BY e.team_id"
            )
        }
        return {team: logged.get(team, STYLES[index % len(STYLES)]) for index, team in enumerate(self.org.team_ids)}

    def run(self, progress: Progress) -> None:
        framework.introduce_framework(self.db, _at(self.introduced, 8))
        if not self.competencies:  # a database opened without the areas' checks has no catalogue
            return
        members = defaultdict(list)
        for person in self.org.employees:
            if person["team_id"] in self.leads and person["id"] != self.leads[person["team_id"]]["id"]:
                members[person["team_id"]].append(person)
        for round_number in range(ROUNDS):
            first = self.start + timedelta(days=round_number * HISTORY_DAYS // ROUNDS)
            for team_id, people in members.items():
                self._assess_team(team_id, people, first, round_number)
            progress(0.5 * (round_number + 1) / ROUNDS, "Assessing competencies…")
        ids = assessments.record_assessments_in_bulk(self.db, self.rounds)
        progress(0.7, "Appealing assessments…")
        appeals.appeal_in_bulk(
            self.db, [replace(appeal, assessment_id=ids[batch][row]) for (batch, row), appeal in self.appealed]
        )
        progress(0.8, "Acknowledging assessments…")
        self._acknowledge()
        self._appeal_waiting()

    def _assess_team(self, team_id: int, people: list[dict[str, Any]], first: date, round_number: int) -> None:
        lead = self.org.user(self.leads[team_id]["id"])
        rows, days = [], []
        codes = sorted(self.competencies)
        for person in people:
            if person.get("hire_date") and person["hire_date"] > first:
                continue
            for offset in range(PER_ROUND):
                competency_id = codes[(round_number * PER_ROUND + offset + person["id"]) % len(codes)]
                day = min(first + timedelta(days=self.rng.randrange(0, 90)), self.org.today - timedelta(days=1))
                level = self._level(person, competency_id, team_id, day)
                rows.append(self._row(person["id"], competency_id, day, level))
                days.append(day)
        if rows:
            self.rounds.append((lead, rows, _at(max(days), 17)))
            self._appeals(len(self.rounds) - 1, rows)

    def _level(self, person: dict[str, Any], competency_id: int, team_id: int, day: date) -> int:
        """A person's true level grows each quarter, faster where coaching is integrated."""
        key = (person["id"], competency_id)
        if key not in self.level:
            self.level[key] = self.rng.uniform(1.4, 3.0)
        quarters = (day - self.start).days / 91
        grown = self.level[key] + quarters * (0.04 + 0.2 * self.share[team_id])
        noise = self.rng.choice((-1, 0, 0, 0, 0, 1)) * 0.6
        return max(1, min(4, int(grown + noise)))

    def _row(self, employee_id: int, competency_id: int, day: date, level: int) -> dict[str, Any]:
        template = self.rng.choice(self.texts["evidence"][str(level)])
        return {
            "employee_id": employee_id,
            "competency_id": competency_id,
            "assessed_on": day,
            "level": level,
            "evidence": template.format(competency=self.competencies[competency_id].lower()),
        }

    def _appeals(self, batch: int, rows: list[dict[str, Any]]) -> None:
        """Some people appeal the round's assessments, most appeals resolved by HR within a
        fortnight; each kept with its assessment's place among the rounds until it has an id."""
        for index, row in enumerate(rows):
            method = "checklist" if row["assessed_on"] < self.introduced else "framework"
            appealed_on = row["assessed_on"] + timedelta(days=self.rng.randrange(1, 6))
            if self.rng.random() >= APPEAL_CHANCE[method] or appealed_on >= self.org.today:
                continue
            person = self.org.user(row["employee_id"])
            reason = self.rng.choice(self.texts["appeal_reasons"])
            appeal = appeals.Appeal(person, 0, reason, _at(appealed_on, 12))
            resolved_on = appealed_on + timedelta(days=self.rng.randrange(3, 15))
            if resolved_on < self.org.today:
                upheld = self.rng.random() < UPHELD_CHANCE[method]
                new_level = min(4, row["level"] + 1) if upheld and row["level"] < 4 else None
                outcome = "upheld" if new_level else "rejected"
                note = self.rng.choice(self.texts["upheld_notes" if new_level else "rejected_notes"])
                resolution = appeals.Resolution(self.hr, outcome, note, new_level, _at(resolved_on, 15))
                appeal = replace(appeal, resolution=resolution)
            self.appealed.append(((batch, index), appeal))

    def _acknowledge(self) -> None:
        """Each person acknowledges their open assessments, but for the last few weeks'."""
        recent = self.org.today - timedelta(days=21)
        open_ones = defaultdict(list)
        for row in self.reader.query(
            "SELECT id, employee_id, assessed_on FROM assessments WHERE status = 'open' AND assessed_on < ?", [recent]
        ):
            open_ones[row["employee_id"]].append(row)
        answers = []
        for employee_id, rows in open_ones.items():
            latest = max(row["assessed_on"] for row in rows)
            at = _at(min(latest + timedelta(days=3), self.org.today), 11)
            answers.append((self.org.user(employee_id), [row["id"] for row in rows], at))
        appeals.acknowledge_in_bulk(self.db, answers)

    def _appeal_waiting(self) -> None:
        """One recent assessment appealed and not yet resolved, so HR and the other leads find
        an appeal waiting (the demo's appeals are otherwise resolved within a fortnight)."""
        if self.reader.scalar("SELECT count(*) FROM assessments WHERE status = 'appealed'"):
            return
        latest = self.reader.query_one(
            "SELECT id, employee_id, assessed_on FROM assessments WHERE status = 'open' AND assessed_on < ?"
            " ORDER BY assessed_on DESC, id DESC LIMIT 1",
            [self.org.today],
        )
        if latest is None:
            return
        appealed_on = min(latest["assessed_on"] + timedelta(days=1), self.org.today)
        reason = self.rng.choice(self.texts["appeal_reasons"])
        person = self.org.user(latest["employee_id"])
        appeals.appeal(self.db, person, latest["id"], reason, None, at=_at(appealed_on, 12))
