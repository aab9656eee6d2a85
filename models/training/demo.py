"""Demo training: two years of the programme as HR and the portal's rules ran it — the
mandatory courses launched for everyone, newcomers assigned by rule on joining, a monthly
campaign of elective courses for some of the teams, refreshers as certificates near their
expiry, and completions coming back from the LMS each month with their true dates.

Teams differ: each has a diligence drawn once, so some finish nearly everything on time and
others late or not at all, and as of the organisation's ``today`` a few people are overdue
and a few certificates expire within the month. Everything goes through the training domain
(``assign_courses``, ``apply_assignment_rules``, ``assign_due_refreshers``,
``store_completions``, ``cancel_assignment``) dated with ``at``; completions are stored a
month at a time, set-based, so the benchmark organisation's hundreds of thousands of records
take seconds. Texts: ``data/demo/training.json``."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import duckdb

from models.access import Role
from models.db import ConnectionReader
from models.seeding import demo_texts
from models.training import assignments
from models.training.completions import CompletionInput, store_completions
from models.training.courses import list_courses

if TYPE_CHECKING:
    from models.db import Database
    from models.seeding import DemoOrganisation, Progress

HISTORY_MONTHS = 24
PASS_MARK = 70
CANCELLED_SHARE = 0.01
CAMPAIGN_COURSES = 2
FAILED_FIRST_ATTEMPT = 0.15


def _at(day: date, hour: int = 17) -> datetime:
    return datetime.combine(day, time(hour, 0))


def training_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    db.write(lambda connection: _Programme(db, connection, org).run(progress))


class _Programme:
    def __init__(self, db: Database, connection: duckdb.DuckDBPyConnection, org: DemoOrganisation):
        self.db, self.connection, self.org = db, connection, org
        self.rng = random.Random(org.rng.random())
        self.hr = org.user(org.logins[Role.HR])
        self.start = org.today - timedelta(days=HISTORY_MONTHS * 30)
        courses = list_courses(ConnectionReader(connection), active=True)
        self.mandatory = [c for c in courses if c.mandatory_roles and not c.code.startswith("SU-")]
        self.electives = [c for c in courses if not c.mandatory_roles and not c.code.startswith("SU-")]
        self.team_of = {person["id"]: person["team_id"] for person in org.employees}
        # diligence of each team: the share finished on time, and the share never finished
        self.diligence = {team_id: self.rng.choice((0.95, 0.9, 0.85, 0.75, 0.6, 0.5)) for team_id in org.team_ids}
        self.planned: dict[int, date | None] = {}  # assignment id -> day its pass comes back

    def run(self, progress: Progress) -> None:
        employed = [p["id"] for p in self.org.employees if p["hire_date"] <= self.start]
        for course in self.mandatory:
            people = [pid for pid in employed if set(course.mandatory_roles) & ({"agent"} | set(self._roles(pid)))]
            assignments.assign_courses(self.db, self.hr, course.id, people, due_on=None, at=_at(self.start, 9))
        joiners = defaultdict(list)
        for person in self.org.employees:
            if person["hire_date"] > self.start:
                joiners[person["hire_date"] - timedelta(days=person["hire_date"].weekday())].append(person)
        month_starts = [self.start + timedelta(days=30 * m) for m in range(HISTORY_MONTHS + 1)]
        for index, month in enumerate(month_starts):
            end = min(month + timedelta(days=30), self.org.today)
            self._joiners(joiners, month, end)
            self._campaign(index, month)
            assignments.assign_due_refreshers(self.connection, today=month, at=_at(month, 6))
            self._completions(month, end)
            progress(index / len(month_starts), f"Training: month {index + 1} of {len(month_starts)}…")
        assignments.assign_due_refreshers(self.connection, today=self.org.today, at=_at(self.org.today, 6))
        self._cancel_a_few()

    def _roles(self, employee_id: int) -> list[str]:
        return [role.value for role in self.org.person(employee_id)["roles"]]

    def _joiners(self, joiners: dict[date, list[dict[str, Any]]], month: date, end: date) -> None:
        for week in sorted(day for day in joiners if month <= day < end):
            people = joiners[week]
            day = max(person["hire_date"] for person in people)
            if day > self.org.today:
                continue
            assignments.apply_assignment_rules(
                self.connection, [p["id"] for p in people], reason="joined", today=day, at=_at(day, 10)
            )

    def _campaign(self, index: int, month: date) -> None:
        """HR's monthly campaign: two elective courses, each for most of the teams."""
        if not self.electives or month >= self.org.today:
            return
        for offset in range(CAMPAIGN_COURSES):
            course = self.electives[(index * CAMPAIGN_COURSES + offset) % len(self.electives)]
            teams = set(self.rng.sample(self.org.team_ids, k=max(1, len(self.org.team_ids) * 2 // 3)))
            people = [
                p["id"]
                for p in self.org.employees
                if p["team_id"] in teams and p["hire_date"] <= month and Role.TEAM_LEAD not in p["roles"]
            ]
            if people:
                assignments.assign_courses(self.db, self.hr, course.id, people, due_on=None, at=_at(month, 9))

    def _plan(self, row: tuple[int, int, int, date, date]) -> date | None:
        """The day this assignment's pass comes back: on time with the team's diligence,
        otherwise late, and now and then never."""
        _, employee_id, _, assigned_on, due_on = row
        on_time = self.diligence.get(self.team_of.get(employee_id), 0.85)
        draw = self.rng.random()
        if draw < on_time:
            return assigned_on + timedelta(days=self.rng.randint(0, max(0, (due_on - assigned_on).days)))
        if draw < on_time + (1 - on_time) * 0.8:
            return due_on + timedelta(days=1 + int(self.rng.expovariate(1 / 25)))
        return None

    def _completions(self, month: date, end: date) -> None:
        open_rows = self.connection.execute(
            "SELECT id, employee_id, course_id, assigned_on, due_on FROM training_assignments"
            " WHERE status = 'open' ORDER BY id"
        ).fetchall()
        batch: list[CompletionInput] = []
        for row in open_rows:
            if row[0] not in self.planned:
                self.planned[row[0]] = self._plan(row)
            day = self.planned[row[0]]
            if day is None or not (month <= day < end) or day > self.org.today:
                continue
            if self.rng.random() < FAILED_FIRST_ATTEMPT and day - timedelta(days=3) >= row[3]:
                failed = self.rng.randint(40, PASS_MARK - 1)
                batch.append(self._completion(row, day - timedelta(days=3), failed, passed=False))
            batch.append(self._completion(row, day, self.rng.randint(PASS_MARK, 100), passed=True))
        store_completions(
            self.connection, batch, source="import", import_id=None, recorded_by=self.hr.employee_id, at=_at(end, 18)
        )

    @staticmethod
    def _completion(row: tuple, day: date, score: int, *, passed: bool) -> CompletionInput:
        return CompletionInput(employee_id=row[1], course_id=row[2], completed_on=day, score=score, passed=passed)

    def _cancel_a_few(self) -> None:
        reasons = demo_texts("training")["cancel_reasons"]
        open_ids = [
            row[0]
            for row in self.connection.execute(
                "SELECT id FROM training_assignments WHERE status = 'open' AND NOT mandatory ORDER BY id"
            ).fetchall()
        ]
        for assignment_id in self.rng.sample(
            open_ids, k=min(len(open_ids), max(1, int(len(open_ids) * CANCELLED_SHARE)))
        ):
            assignments.cancel_assignment(
                self.db, self.hr, assignment_id, self.rng.choice(reasons), at=_at(self.org.today - timedelta(days=2))
            )
