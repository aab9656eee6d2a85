"""Demo training: two years of the programme as HR and the portal's rules ran it — the
organisation's own compliance modules added to the catalogue, the mandatory courses launched
for everyone, newcomers assigned by rule on joining, a monthly campaign of elective courses
for some of the teams, refreshers as certificates near their expiry, and completions coming
back from the LMS each month with their true dates.

Teams differ: each has a diligence drawn once, so some finish nearly everything on time and
others late or not at all, and as of the organisation's ``today`` a few people are overdue
and a few certificates expire within the month. Everything goes through the training domain
(``create_course``, ``assign_courses``, ``apply_assignment_rules``, ``assign_due_refreshers``,
``import_completion_rows``, ``cancel_assignment``) dated with ``at``.

Set-based, so the benchmark organisation's 300,000 records take about as many statements as
the small one's: each assignment's fate (the day its pass comes back, a failed attempt before
it, or never) is drawn once, when it first appears, and filed under the month it happens; each
month then sends that month's completions to the LMS import as one batch of columns, the last
months' as the CSV export HR uploads on the import page (listed among its recent imports). Texts:
``data/demo/training.json``."""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from models.access import Role
from models.complaints.dates import DateOrder
from models.db import ConnectionReader
from models.seeding import demo_texts
from models.strategy.demo import computed_goals_step
from models.training import assignments, lms_import
from models.training.completions import COMPLETION_ROWS, import_completion_rows
from models.training.courses import create_course, introduce_default_catalogue, list_competencies, list_courses
from models.training.lms_fields import suggest_mapping

if TYPE_CHECKING:
    from models.db import Database
    from models.seeding import DemoOrganisation, Progress

HISTORY_MONTHS = 24
MONTH_DAYS = 30
PASS_MARK = 70
CANCELLED_SHARE = 0.01
CAMPAIGN_COURSES = 2
FAILED_FIRST_ATTEMPT = 0.15
NEVER_FINISHED = 0.1  # of the assignments not finished on time
LMS_FILE_MONTHS = 2  # the last months' reports come in as export files, listed among the recent imports
LMS_STATUS = {True: "Passed", False: "Failed"}


def _at(day: date, hour: int = 17) -> datetime:
    return datetime.combine(day, time(hour, 0))


def training_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    db.write(lambda connection: _Programme(db, connection, org).run(progress))
    computed_goals_step(db, org, progress)  # the training goal starts from the computed compliance


class _Programme:
    def __init__(self, db: Database, connection: duckdb.DuckDBPyConnection, org: DemoOrganisation):
        self.db, self.connection, self.org = db, connection, org
        self.rng = random.Random(org.rng.random())
        self.hr = org.user(org.logins[Role.HR])
        self.start = org.today - timedelta(days=HISTORY_MONTHS * MONTH_DAYS)
        self.team_of = {person["id"]: person["team_id"] for person in org.employees}
        # diligence of each team: the share finished on time, and the share never finished
        self.diligence = {team_id: self.rng.choice((0.95, 0.9, 0.85, 0.75, 0.6, 0.5)) for team_id in org.team_ids}
        self.planned_up_to = 0  # the highest assignment id whose completion is planned
        self.refreshed_on: date | None = None  # the last day refreshers were assigned
        self.by_month: dict[int, list[tuple[int, int, date, float, bool]]] = defaultdict(list)
        self.mandatory: list[Any] = []
        self.electives: list[Any] = []

    def run(self, progress: Progress) -> None:
        introduce_default_catalogue(self.connection, at=_at(self.start, 8))  # in use from the start
        self._add_organisation_courses()
        courses = list_courses(ConnectionReader(self.connection), active=True)
        self.mandatory = [c for c in courses if c.mandatory_roles and not c.code.startswith("SU-")]
        self.electives = [c for c in courses if not c.mandatory_roles and not c.code.startswith("SU-")]
        employed = [p["id"] for p in self.org.employees if p["hire_date"] <= self.start]
        for course in self.mandatory:
            people = [pid for pid in employed if set(course.mandatory_roles) & ({"agent"} | set(self._roles(pid)))]
            assignments.assign_courses(self.db, self.hr, course.id, people, due_on=None, at=_at(self.start, 9))
        joiners = defaultdict(list)
        for person in self.org.employees:
            if person["hire_date"] > self.start:
                joiners[person["hire_date"] - timedelta(days=person["hire_date"].weekday())].append(person)
        for index in range(HISTORY_MONTHS + 1):
            month = self.start + timedelta(days=MONTH_DAYS * index)
            end = min(month + timedelta(days=MONTH_DAYS), self.org.today)
            self._joiners(joiners, month, end)
            self._campaign(index, month)
            if self.refreshed_on != month:  # a month's import assigns them on its last day
                assignments.assign_due_refreshers(self.connection, today=month, at=_at(month, 6))
            self._plan_new_assignments(index)
            self._completions(index, end)
            progress(index / (HISTORY_MONTHS + 1), f"Training: month {index + 1} of {HISTORY_MONTHS + 1}…")
        assignments.assign_due_refreshers(self.connection, today=self.org.today, at=_at(self.org.today, 6))
        self._cancel_a_few()

    def _roles(self, employee_id: int) -> list[str]:
        return [role.value for role in self.org.person(employee_id)["roles"]]

    def _add_organisation_courses(self) -> None:
        """HR adds the organisation's own compliance modules before the programme starts."""
        competencies = {c.code: c.id for c in list_competencies(ConnectionReader(self.connection))}
        for course in demo_texts("training")["organisation_courses"]:
            data = {key: value for key, value in course.items() if key != "competency"}
            data["competency_id"] = competencies.get(course["competency"])
            create_course(self.db, self.hr, data, at=_at(self.start - timedelta(days=7), 11))

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

    def _plan_new_assignments(self, index: int) -> None:
        """Draw the fate of every assignment made since the last month, once: the completions
        it will bring are filed under the month they happen (a month already past: never)."""
        rows = self.connection.execute(
            "SELECT id, employee_id, course_id, assigned_on, due_on FROM training_assignments"
            " WHERE status = 'open' AND id > ? ORDER BY id",
            [self.planned_up_to],
        ).fetchall()
        for assignment_id, employee_id, course_id, assigned_on, due_on in rows:
            self.planned_up_to = max(self.planned_up_to, assignment_id)
            day = self._pass_day(employee_id, assigned_on, due_on)
            if day is None or day >= self.org.today or (day - self.start).days // MONTH_DAYS < index:
                continue
            month = self.by_month[(day - self.start).days // MONTH_DAYS]
            if self.rng.random() < FAILED_FIRST_ATTEMPT and day - timedelta(days=3) >= assigned_on:
                month.append((employee_id, course_id, day - timedelta(days=3), self._between(40, PASS_MARK - 1), False))
            month.append((employee_id, course_id, day, self._between(PASS_MARK, 100), True))

    def _between(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``, both included (a cheaper ``randint``)."""
        return low + int(self.rng.random() * (high - low + 1))

    def _pass_day(self, employee_id: int, assigned_on: date, due_on: date) -> date | None:
        """The day this assignment's pass comes back: on time with the team's diligence,
        otherwise late, and now and then never."""
        on_time = self.diligence.get(self.team_of.get(employee_id), 0.85)
        draw = self.rng.random()
        if draw < on_time:
            return assigned_on + timedelta(days=self._between(0, max(0, (due_on - assigned_on).days)))
        if draw < on_time + (1 - on_time) * (1 - NEVER_FINISHED):
            return due_on + timedelta(days=1 + int(self.rng.expovariate(1 / 25)))
        return None

    def _completions(self, index: int, end: date) -> None:
        """The month's LMS report, imported as HR at the month's end: the last months' as the
        export files HR uploads on the import page (so its recent imports list them), the
        earlier ones as columns, which is far quicker for two years of history."""
        rows = self.by_month.pop(index, [])
        if not rows:
            return
        # the month still running was reported yesterday evening: its completions are all before today
        when = _at(end, 18) if end < self.org.today else _at(end - timedelta(days=1), 18)
        if index >= HISTORY_MONTHS - LMS_FILE_MONTHS:
            self._import_export_file(rows, end, when)
        else:
            columns = list(zip(*rows, strict=True))
            table = pa.table(dict(zip(COMPLETION_ROWS.names, columns, strict=True)), schema=COMPLETION_ROWS)
            import_completion_rows(self.db, self.hr, table, at=when)
        self.refreshed_on = end

    def _import_export_file(self, rows: list[tuple[int, int, date, float, bool]], end: date, when: datetime) -> None:
        """The month's completions written as the LMS exports them and imported through the import page's path."""
        codes = {course.id: course.code for course in list_courses(ConnectionReader(self.connection))}
        numbers = dict(self.connection.execute("SELECT id, employee_number FROM employees").fetchall())
        export = io.StringIO()
        writer = csv.writer(export, lineterminator="\n")
        writer.writerow(["Employee ID", "Course ID", "Completion Date", "Score", "Status"])
        for employee_id, course_id, day, score, passed in rows:
            writer.writerow([numbers[employee_id], codes[course_id], day.isoformat(), score, LMS_STATUS[passed]])
        source = lms_import.open_upload(export.getvalue().encode("utf-8"), f"lms-completions-{end:%Y-%m}.csv")
        try:
            mapping = suggest_mapping(source.columns)
            lms_import.import_completions(
                self.db, self.hr, source, mapping, date_order=DateOrder.YMD, pass_mark=PASS_MARK, at=when
            )
        finally:
            source.close()

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
