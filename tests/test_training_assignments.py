"""Assignments: by rule when people join, change team or gain a role, in bulk with the people
skipped and why, refreshers before a certificate expires, cancelling, one open assignment per
person and course (also with two writers at once), and who may assign."""

from __future__ import annotations

import contextlib
import threading
from datetime import date, datetime, timedelta

import pytest

from models.access import PermissionDeniedError, Role
from models.db import Database, utc_now
from models.errors import InputError
from models.people import directory, hr_import
from models.training import assignments, courses
from models.training.completions import CompletionInput, record_completion, store_completions
from tests.training_helpers import course_id, join, open_courses

AGENT_COURSES = ["CS-ACTIVE-LISTENING", "CS-EMPATHY", "CS-POSITIVE-LANGUAGE"]


@pytest.fixture
def hr(make_user):
    return make_user(Role.HR, Role.ADMIN)


# -- by rule -------------------------------------------------------------------------------
def test_a_person_who_joins_is_assigned_the_courses_mandatory_for_agents(db, hr):
    person = join(db, hr)
    assert open_courses(db, person) == AGENT_COURSES
    row = db.query_one(
        "SELECT assigned_on, due_on, reason, mandatory FROM training_assignments WHERE employee_id = ?"
        " AND course_id = ?",
        [person, course_id(db, "CS-EMPATHY")],
    )
    assert row["reason"] == "joined" and row["mandatory"]
    assert row["due_on"] - row["assigned_on"] == timedelta(
        days=courses.course_by_code(db, "CS-EMPATHY").due_within_days
    )


def test_changing_team_assigns_the_new_teams_course_once(db, hr):
    harbour = directory.create_team(db, hr, "Harbour", None)
    bridge = directory.create_team(db, hr, "Bridge", None)
    courses.create_course(
        db,
        hr,
        {
            "code": "BRIDGE-PRODUCTS",
            "title": "Bridge products",
            "description": "The loan products the Bridge team handles, with their fees and hardship options.",
            "format": "e_learning",
            "hours": 1,
            "due_within_days": 14,
            "mandatory_team_ids": [bridge],
        },
    )
    person = join(db, hr, team_id=harbour)
    assert "BRIDGE-PRODUCTS" not in open_courses(db, person)

    employee = directory.get_employee(db, person)
    data = {**employee.model_dump(include={"employee_number", "full_name", "email", "hire_date"}), "team_id": bridge}
    directory.update_employee(db, hr, person, data, employee.version)
    assert open_courses(db, person) == sorted([*AGENT_COURSES, "BRIDGE-PRODUCTS"])

    employee = directory.get_employee(db, person)
    directory.update_employee(db, hr, person, {**data, "team_id": harbour}, employee.version)
    directory.update_employee(db, hr, person, {**data, "team_id": bridge}, employee.version + 1)
    assert open_courses(db, person).count("BRIDGE-PRODUCTS") == 1


def test_a_person_who_comes_back_is_assigned_what_became_mandatory_while_away(db, hr):
    person = join(db, hr)
    directory.set_active(db, hr, person, False)
    courses.create_course(
        db,
        hr,
        {
            "code": "ALL-PRIVACY",
            "title": "Privacy for everyone",
            "description": "How customer data is kept, shared and deleted, and what to do about a breach.",
            "format": "e_learning",
            "hours": 1,
            "due_within_days": 14,
            "mandatory_roles": ["agent"],
        },
    )
    directory.set_active(db, hr, person, True)
    assert "ALL-PRIVACY" in open_courses(db, person)
    assert open_courses(db, person).count("CS-EMPATHY") == 1  # still open from joining, not assigned twice


def test_gaining_the_team_lead_role_assigns_the_leads_courses_and_not_twice(db, hr):
    person = join(db, hr)
    lead_courses = sorted(c.code for c in courses.list_courses(db) if "team_lead" in c.mandatory_roles)

    directory.set_roles(db, hr, person, {Role.TEAM_LEAD})
    directory.set_roles(db, hr, person, {Role.TEAM_LEAD, Role.MODERATOR})

    assert open_courses(db, person) == sorted([*AGENT_COURSES, *lead_courses])
    reasons = {
        row["reason"] for row in db.query("SELECT reason FROM training_assignments WHERE employee_id = ?", [person])
    }
    assert reasons == {"joined", "role_gained"}


def test_a_person_with_a_valid_completion_is_not_assigned_it_on_joining_another_role(db, hr):
    person = join(db, hr)
    lead_course = next(c for c in courses.list_courses(db) if "team_lead" in c.mandatory_roles)
    record_completion(
        db, hr, {"employee_id": person, "course_id": lead_course.id, "completed_on": date.today(), "passed": True}
    )

    directory.set_roles(db, hr, person, {Role.TEAM_LEAD})
    assert lead_course.code not in open_courses(db, person)


def test_the_hr_import_assigns_joiners_and_people_who_gain_a_role(db, hr):
    csv = (
        b"employee_number,full_name,email,team,roles,hire_date\n"
        b"N1,Nia New,nia@example.org,Harbour,agent,2021-02-01\n"
        b"N2,Noel New,noel@example.org,Harbour,agent,2021-02-01\n"
    )
    report = hr_import.import_people_csv(db, hr, csv)
    assert report.imported, report.errors
    nia = db.scalar("SELECT id FROM employees WHERE employee_number = 'N1'")
    assert open_courses(db, nia) == AGENT_COURSES

    promoted = csv.replace(
        b"N2,Noel New,noel@example.org,Harbour,agent", b"N2,Noel New,noel@example.org,Harbour,team_lead"
    )
    assert hr_import.import_people_csv(db, hr, promoted).imported
    noel = db.scalar("SELECT id FROM employees WHERE employee_number = 'N2'")
    assert any(code.startswith("TL-") for code in open_courses(db, noel))
    assert open_courses(db, nia) == AGENT_COURSES  # unchanged people gain nothing


# -- bulk ----------------------------------------------------------------------------------
def test_bulk_assignment_skips_open_and_valid_holders_and_says_why(db, hr):
    team = directory.create_team(db, hr, "Harbour", None)
    fresh, holder, completed = (join(db, hr, team_id=team) for _ in range(3))
    patience = course_id(db, "CS-PATIENCE")
    assignments.assign_courses(db, hr, patience, [holder], due_on=None)
    record_completion(
        db, hr, {"employee_id": completed, "course_id": patience, "completed_on": date.today(), "passed": True}
    )

    result = assignments.assign_courses(
        db, hr, patience, assignments.people_in(db, team_id=team), due_on=date.today() + timedelta(days=20)
    )

    assert result.assigned == 1
    assert result.skipped_count(assignments.SKIP_OPEN) == 1
    assert result.skipped_count(assignments.SKIP_VALID) == 1
    assert [p.employee_id for p in result.skipped] == [holder, completed]
    due = db.scalar("SELECT due_on FROM training_assignments WHERE id = ?", [result.assignment_ids[0]])
    assert due == date.today() + timedelta(days=20)
    assert fresh in [
        r["employee_id"]
        for r in db.query("SELECT employee_id FROM training_assignments WHERE id = ?", result.assignment_ids)
    ]


def test_bulk_by_role_and_site_pick_the_right_people(db, hr, make_user):
    site = directory.create_site(db, hr, "North", None)
    team = directory.create_team(db, hr, "North team", site)
    north = join(db, hr, team_id=team)
    lead = make_user(Role.TEAM_LEAD)
    assert assignments.people_in(db, site_id=site) == [north]
    assert lead.employee_id in assignments.people_in(db, role=Role.TEAM_LEAD)
    assert north not in assignments.people_in(db, role=Role.TEAM_LEAD)


def test_a_retired_course_or_a_past_due_date_is_refused(db, hr):
    person = join(db, hr)
    patience = course_id(db, "CS-PATIENCE")
    with pytest.raises(InputError, match="Due date"):
        assignments.assign_courses(db, hr, patience, [person], due_on=date.today() - timedelta(days=1))
    courses.set_course_active(db, hr, patience, False)
    with pytest.raises(InputError, match="retired"):
        assignments.assign_courses(db, hr, patience, [person], due_on=None)
    assert "CS-PATIENCE" not in open_courses(db, person)


# -- cancelling ----------------------------------------------------------------------------
def test_cancelling_keeps_the_assignment_with_who_and_why(db, hr):
    person = join(db, hr)
    assignment = db.scalar("SELECT min(id) FROM training_assignments WHERE employee_id = ?", [person])
    assignments.cancel_assignment(db, hr, assignment, "On long-term leave")

    row = db.query_one(
        "SELECT status, cancelled_by, cancel_reason FROM training_assignments WHERE id = ?", [assignment]
    )
    assert row == {"status": "cancelled", "cancelled_by": hr.employee_id, "cancel_reason": "On long-term leave"}
    listed = assignments.list_assignments(db, hr, status="cancelled")
    assert [(a["id"], a["cancelled_by"]) for a in listed] == [(assignment, hr.full_name)]
    with pytest.raises(InputError, match="only an open assignment"):
        assignments.cancel_assignment(db, hr, assignment, "Again")


def test_a_cancellation_needs_a_reason(db, hr):
    person = join(db, hr)
    assignment = db.scalar("SELECT min(id) FROM training_assignments WHERE employee_id = ?", [person])
    with pytest.raises(InputError, match="Reason"):
        assignments.cancel_assignment(db, hr, assignment, "   ")
    assert db.scalar("SELECT status FROM training_assignments WHERE id = ?", [assignment]) == "open"


def test_after_cancelling_the_course_can_be_assigned_again(db, hr):
    person = join(db, hr)
    listening = course_id(db, "CS-ACTIVE-LISTENING")
    first = db.scalar(
        "SELECT id FROM training_assignments WHERE employee_id = ? AND course_id = ?", [person, listening]
    )
    assignments.cancel_assignment(db, hr, first, "Wrong due date")
    result = assignments.assign_courses(db, hr, listening, [person], due_on=None)
    assert result.assigned == 1


# -- refreshers ----------------------------------------------------------------------------
def test_a_refresher_is_assigned_30_days_before_expiry_due_the_day_it_expires(db, hr, make_user):
    person = make_user().employee_id  # added without the rules, so no assignment of their own
    listening = course_id(db, "CS-ACTIVE-LISTENING")  # refresher every 12 months
    completed = date(2023, 3, 15)
    db.write(
        lambda c: store_completions(
            c,
            [CompletionInput(employee_id=person, course_id=listening, completed_on=completed, score=88, passed=True)],
            source="import",
            import_id=None,
            recorded_by=hr.employee_id,
            at=datetime(2023, 3, 20, 9),
        )
    )
    expires = date(2024, 3, 15)

    def refreshers_on(day: date) -> int:
        return db.write(
            lambda c: assignments.assign_due_refreshers(c, today=day, at=datetime.combine(day, datetime.min.time()))
        )

    assert refreshers_on(expires - timedelta(days=31)) == 0
    assert refreshers_on(expires - timedelta(days=30)) == 1
    assert refreshers_on(expires - timedelta(days=29)) == 0  # not twice
    row = db.query_one(
        "SELECT assigned_on, due_on FROM training_assignments WHERE reason = 'refresher' AND employee_id = ?", [person]
    )
    assert row == {"assigned_on": expires - timedelta(days=30), "due_on": expires}


# -- one open assignment, two writers --------------------------------------------------------
def test_two_writers_at_once_leave_one_open_assignment(db, hr, database_templates):
    person = join(db, hr)
    patience = course_id(db, "CS-PATIENCE")
    db.close()
    writers = [database_templates.open(db.path, retry_delay=0.01) for _ in range(2)]
    both_checked = threading.Barrier(2)
    results, errors = [], []

    def assign(writer: Database) -> None:
        def work(connection):
            made = assignments.apply_assignment_rules.__globals__["_insert_assignments"]  # the insert under test
            rows = connection.execute(
                "SELECT ?::INTEGER AS employee_id, ?::INTEGER AS course_id, current_date AS assigned_on,"
                " current_date + 30 AS due_on, FALSE AS mandatory, 'bulk' AS reason, NULL::INTEGER AS assigned_by"
                " WHERE NOT EXISTS (SELECT 1 FROM training_assignments WHERE employee_id = ? AND course_id = ?"
                " AND status = 'open')",
                [person, patience, person, patience],
            ).to_arrow_table()
            ids = made(connection, rows, utc_now())
            # both have looked and inserted before either commits; the retry runs alone
            with contextlib.suppress(threading.BrokenBarrierError):
                both_checked.wait(timeout=2)
            return ids

        try:
            results.append(writer.write(work))
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)

    threads = [threading.Thread(target=assign, args=(writer,)) for writer in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count = writers[0].scalar(
        "SELECT count(*) FROM training_assignments WHERE employee_id = ? AND course_id = ? AND status = 'open'",
        [person, patience],
    )
    for writer in writers:
        writer.close()
    assert errors == []
    assert sorted(len(ids) for ids in results) == [0, 1]
    assert count == 1


def test_concurrent_bulk_assignments_of_the_same_course_leave_one_open(db, hr, database_templates):
    team = directory.create_team(db, hr, "Harbour", None)
    people = [join(db, hr, team_id=team) for _ in range(5)]
    patience = course_id(db, "CS-PATIENCE")
    db.close()
    writers = [database_templates.open(db.path, retry_delay=0.01) for _ in range(2)]
    results = []
    threads = [
        threading.Thread(
            target=lambda w=w: results.append(assignments.assign_courses(w, hr, patience, people, due_on=None))
        )
        for w in writers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = writers[0].query(
        "SELECT employee_id, count(*) AS n FROM training_assignments WHERE course_id = ? AND status = 'open'"
        " GROUP BY ALL",
        [patience],
    )
    for writer in writers:
        writer.close()
    assert sum(r.assigned for r in results) == 5
    assert sorted(r["n"] for r in counts) == [1] * 5


# -- permissions ---------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD])
def test_agents_and_team_leads_may_not_assign_or_cancel(db, hr, make_user, role):
    someone = make_user(role)
    person = join(db, hr)
    assignment = db.scalar("SELECT min(id) FROM training_assignments WHERE employee_id = ?", [person])
    with pytest.raises(PermissionDeniedError):
        assignments.assign_courses(db, someone, course_id(db, "CS-PATIENCE"), [person], due_on=None)
    with pytest.raises(PermissionDeniedError):
        assignments.cancel_assignment(db, someone, assignment, "Not needed")
    with pytest.raises(PermissionDeniedError):
        assignments.list_assignments(db, someone)
    assert open_courses(db, person) == AGENT_COURSES


def test_a_team_lead_assigns_a_course_to_their_own_team_only(db, hr, make_user):
    own_team = directory.create_team(db, hr, "Lead's own team", None)
    other_team = directory.create_team(db, hr, "Another team", None)
    lead = make_user(Role.TEAM_LEAD, team_id=own_team)
    mine, theirs = join(db, hr, team_id=own_team), join(db, hr, team_id=other_team)
    patience = course_id(db, "CS-PATIENCE")
    with pytest.raises(PermissionDeniedError):
        assignments.assign_courses(db, lead, patience, [mine, theirs], due_on=None)
    assert "CS-PATIENCE" not in open_courses(db, mine)
    assert assignments.assign_courses(db, lead, patience, [mine], due_on=None).assigned == 1
    assert "CS-PATIENCE" in open_courses(db, mine)
    assert (
        db.scalar("SELECT actor_id FROM audit_log WHERE entity = 'training_assignments' ORDER BY id DESC LIMIT 1")
        == lead.employee_id
    )


def test_a_running_portal_assigns_a_refresher_on_the_day_it_falls_due_without_a_restart(db, hr, make_user):
    """The calendar work the server runs hourly (models.areas.run_daily), not only an open."""
    from models import areas

    person = make_user().employee_id
    listening = course_id(db, "CS-ACTIVE-LISTENING")  # refresher every 12 months
    record_completion(
        db,
        hr,
        CompletionInput(employee_id=person, course_id=listening, completed_on=date(2023, 3, 15), score=90, passed=True),
        at=datetime(2023, 3, 20, 9),
    )
    areas.run_daily(db, datetime(2024, 2, 13, 10))  # 31 days before it expires
    assert "CS-ACTIVE-LISTENING" not in open_courses(db, person)
    areas.run_daily(db, datetime(2024, 2, 14, 10))  # 30 days before
    assert "CS-ACTIVE-LISTENING" in open_courses(db, person)


def elective(db, hr, **overrides) -> int:
    data = {
        "code": "BRIDGE-HARDSHIP",
        "title": "Hardship conversations",
        "description": "How to offer the hardship options of the Bridge team's loans, with the words that help.",
        "format": "e_learning",
        "hours": 1,
        "due_within_days": 21,
        **overrides,
    }
    return courses.create_course(db, hr, data)


def open_assignments_of(db: Database, code: str) -> dict[int, list[str]]:
    rows = db.query(
        "SELECT a.employee_id, a.reason FROM training_assignments a JOIN courses c ON c.id = a.course_id"
        " WHERE c.code = ? AND a.status = 'open' ORDER BY a.employee_id, a.id",
        [code],
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["employee_id"], []).append(row["reason"])
    return found


def test_making_a_course_mandatory_for_a_team_assigns_it_to_its_current_staff_once(db, hr):
    bridge = directory.create_team(db, hr, "Bridge", None)
    harbour = directory.create_team(db, hr, "Harbour", None)
    newcomer, already_assigned, already_passed = (join(db, hr, team_id=bridge) for _ in range(3))
    elsewhere = join(db, hr, team_id=harbour)
    course = elective(db, hr)
    assignments.assign_courses(db, hr, course, [already_assigned], due_on=None)
    record_completion(
        db, hr, {"employee_id": already_passed, "course_id": course, "completed_on": date.today(), "passed": True}
    )
    data = courses.get_course(db, course).model_dump(include=set(courses.CourseInput.model_fields))

    courses.update_course(db, hr, course, {**data, "mandatory_team_ids": [bridge]}, 1)

    assert open_assignments_of(db, "BRIDGE-HARDSHIP") == {newcomer: ["made_mandatory"], already_assigned: ["bulk"]}
    row = db.query_one(
        "SELECT assigned_on, due_on, mandatory FROM training_assignments WHERE employee_id = ? AND course_id = ?",
        [newcomer, course],
    )
    assert row["mandatory"] and row["due_on"] - row["assigned_on"] == timedelta(days=21)
    entry = db.query_one(
        "SELECT actor_id, after_json FROM audit_log WHERE entity = 'training_assignments'"
        " AND after_json LIKE '%made_mandatory%'"
    )
    assert entry["actor_id"] == hr.employee_id
    assert elsewhere not in open_assignments_of(db, "BRIDGE-HARDSHIP")

    # an edit that leaves the team's rule as it was assigns nobody again, not even a cancelled one
    new_id = db.scalar(
        "SELECT id FROM training_assignments WHERE employee_id = ? AND course_id = ?", [newcomer, course]
    )
    assignments.cancel_assignment(db, hr, new_id, "On parental leave until spring")
    courses.update_course(db, hr, course, {**data, "mandatory_team_ids": [bridge], "hours": 2}, 2)
    assert open_assignments_of(db, "BRIDGE-HARDSHIP") == {already_assigned: ["bulk"]}


def test_a_mandatory_course_brought_back_is_assigned_to_who_joined_while_it_was_retired(db, hr):
    course = elective(db, hr, code="HV-CONDUCT", mandatory_roles=["agent"])
    courses.set_course_active(db, hr, course, False, 1)
    joined_meanwhile = join(db, hr)
    assert "HV-CONDUCT" not in open_courses(db, joined_meanwhile)

    courses.set_course_active(db, hr, course, True, 2)
    assert open_assignments_of(db, "HV-CONDUCT")[joined_meanwhile] == ["made_mandatory"]
