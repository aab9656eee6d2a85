"""Speak-Up Day preparation: sessions between the shortlist and the day, automatic invitations,
withdrawal, attendance completing the course, the prepared rule, the running order and the
judges present on the day — and who may do each."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from models.access import PermissionDeniedError, Role
from models.db import utc_now
from models.errors import InputError
from models.speakup import cycles, day_plan, moderation, preparation
from models.speakup import preparation_views as views
from tests.speakup_helpers import open_cycle, submitted_idea


def preparation_course_ids(db) -> dict[str, int]:
    """The preparation courses of the default catalogue, by code."""
    courses = {row["code"]: row["id"] for row in preparation.preparation_courses(db)}
    assert set(courses) == set(preparation.PREPARATION_COURSES)
    return courses


@pytest.fixture
def prep(db, make_user):
    """An open cycle with two submitted ideas (one with a co-author), the people around them and
    the preparation courses; nothing shortlisted yet."""
    head = make_user(Role.LEADERSHIP, full_name="Helen Head")
    manager = make_user(Role.TEAM_LEAD, full_name="Tom Lead")
    author = make_user(Role.AGENT, manager_id=manager.employee_id, full_name="Ava Author")
    co_author = make_user(Role.AGENT, full_name="Cody Coauthor")
    other = make_user(Role.AGENT, full_name="Olly Other")
    cycle_id = open_cycle(db, head)
    idea_id = submitted_idea(db, author, co_author_ids=[co_author.employee_id])
    second_id = submitted_idea(db, other, title="Answer billing questions in the app chat")
    return SimpleNamespace(
        head=head,
        hr=make_user(Role.HR, full_name="Hana HR"),
        trainer=make_user(Role.AGENT, full_name="Trina Trainer"),
        moderator=make_user(Role.MODERATOR, full_name="Mo Moderator"),
        manager=manager,
        author=author,
        co_author=co_author,
        other=other,
        cycle_id=cycle_id,
        idea_id=idea_id,
        second_id=second_id,
        courses=preparation_course_ids(db),
    )


def session_data(prep, code: str = "SU-PRESENTING", *, in_days: float = 2, **overrides) -> dict:
    data = {
        "course_id": prep.courses[code],
        "starts_at": utc_now() + timedelta(days=in_days),
        "minutes": 90,
        "place": "Training room 2",
        "trainer_id": prep.trainer.employee_id,
        "capacity": 10,
    }
    return data | overrides


def invited(db, session_id: int) -> set[int]:
    rows = db.query(
        "SELECT employee_id FROM speakup_prep_invitations WHERE session_id = ? AND withdrawn_at IS NULL", [session_id]
    )
    return {row["employee_id"] for row in rows}


def invitation_of(db, session_id: int, employee_id: int) -> int:
    return db.scalar(
        "SELECT id FROM speakup_prep_invitations WHERE session_id = ? AND employee_id = ?", [session_id, employee_id]
    )


def fields(error: pytest.ExceptionInfo) -> list[str]:
    return [field for field, _ in error.value.problems]


# -- the window ----------------------------------------------------------------------
def test_no_session_before_the_cycle_has_a_shortlist(db, prep):
    with pytest.raises(InputError, match="no idea .* is shortlisted yet") as error:
        preparation.schedule_session(db, prep.hr, prep.cycle_id, session_data(prep))
    assert fields(error) == ["Cycle"]


def test_a_session_starts_after_now_and_before_speakup_day(db, prep):
    moderation.shortlist(db, prep.moderator, prep.idea_id)
    day = cycles.get_cycle(db, prep.cycle_id).speakup_day
    with pytest.raises(InputError, match="before Speak-Up Day") as error:
        preparation.schedule_session(
            db, prep.hr, prep.cycle_id, session_data(prep, in_days=(day - utc_now().date()).days)
        )
    assert fields(error) == ["Starts at"]
    with pytest.raises(InputError, match="has not passed"):
        preparation.schedule_session(db, prep.hr, prep.cycle_id, session_data(prep, in_days=-0.1))
    session_id = preparation.schedule_session(db, prep.hr, prep.cycle_id, session_data(prep))
    assert views.cycle_sessions(db, prep.head, prep.cycle_id)[0]["id"] == session_id


def test_no_session_once_scoring_has_started(db, prep):
    moderation.shortlist(db, prep.moderator, prep.idea_id)
    cycles.advance_phase(db, prep.head, prep.cycle_id)  # review: still fine
    preparation.schedule_session(db, prep.head, prep.cycle_id, session_data(prep))
    cycles.advance_phase(db, prep.head, prep.cycle_id)  # scoring: the day has come
    with pytest.raises(InputError, match="between the shortlist and Speak-Up Day"):
        preparation.schedule_session(db, prep.head, prep.cycle_id, session_data(prep))


def test_a_session_is_of_a_preparation_course_with_an_active_trainer(db, prep, make_user):
    moderation.shortlist(db, prep.moderator, prep.idea_id)
    with pytest.raises(InputError) as error:
        preparation.schedule_session(db, prep.hr, prep.cycle_id, session_data(prep, course_id=9999, trainer_id=9999))
    assert fields(error) == ["Course", "Trainer"]
    with pytest.raises(InputError) as error:
        preparation.schedule_session(db, prep.hr, prep.cycle_id, session_data(prep, place="", capacity=0))
    assert fields(error) == ["Place", "Capacity"]


# -- invitations ---------------------------------------------------------------------
def test_authors_and_co_authors_of_shortlisted_ideas_are_invited_when_a_session_is_scheduled(db, prep):
    moderation.shortlist(db, prep.moderator, prep.idea_id)
    session_id = preparation.schedule_session(db, prep.hr, prep.cycle_id, session_data(prep))
    assert invited(db, session_id) == {prep.author.employee_id, prep.co_author.employee_id}  # not the other idea's
    audited = db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'speakup_prep_invitation' AND action = 'invite'")
    assert audited == 2


def test_an_idea_shortlisted_later_is_invited_to_the_sessions_still_to_come(db, prep):
    moderation.shortlist(db, prep.moderator, prep.idea_id)
    soon = preparation.schedule_session(db, prep.hr, prep.cycle_id, session_data(prep, in_days=1))
    later = preparation.schedule_session(db, prep.hr, prep.cycle_id, session_data(prep, "SU-BUSINESS-CASE", in_days=5))
    moderation.shortlist(db, prep.moderator, prep.second_id, at=utc_now() + timedelta(days=3))
    assert prep.other.employee_id in invited(db, later)
    assert prep.other.employee_id not in invited(db, soon)  # it had taken place


def test_an_idea_taken_off_the_shortlist_withdraws_the_invitations_not_attended(db, prep):
    moderation.shortlist(db, prep.moderator, prep.idea_id)
    held = preparation.schedule_session(db, prep.hr, prep.cycle_id, session_data(prep, in_days=1))
    coming = preparation.schedule_session(db, prep.hr, prep.cycle_id, session_data(prep, "SU-PROJECT-PLAN", in_days=6))
    after_first = utc_now() + timedelta(days=2)
    preparation.record_attendance(
        db, prep.trainer, invitation_of(db, held, prep.author.employee_id), True, at=after_first
    )
    moderation.remove_from_shortlist(db, prep.moderator, prep.idea_id, "Overlaps a project under way", at=after_first)
    assert invited(db, coming) == set()
    assert invited(db, held) == {prep.author.employee_id}  # the attended one stays
    withdrawn = db.query_one(
        "SELECT withdrawn_reason FROM speakup_prep_invitations WHERE session_id = ? AND employee_id = ?",
        [coming, prep.co_author.employee_id],
    )
    assert withdrawn["withdrawn_reason"] == "Overlaps a project under way"
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'speakup_prep_invitation' AND action = 'withdraw'")
    assert views.my_invitations(db, prep.co_author) == []


def test_an_invitation_earned_by_another_shortlisted_idea_stays(db, prep, make_user):
    moderation.shortlist(db, prep.moderator, prep.idea_id)
    also = submitted_idea(db, prep.co_author, title="Plain-language letters for hardship customers")
    moderation.shortlist(db, prep.moderator, also)
    session_id = preparation.schedule_session(db, prep.hr, prep.cycle_id, session_data(prep))
    moderation.remove_from_shortlist(db, prep.moderator, prep.idea_id, "Not ready for the day")
    assert invited(db, session_id) == {prep.co_author.employee_id}
    assert views.my_invitations(db, prep.co_author)[0]["idea_title"] == "Plain-language letters for hardship customers"


def test_an_idea_back_on_the_shortlist_is_invited_again(db, prep):
    moderation.shortlist(db, prep.moderator, prep.idea_id)
    session_id = preparation.schedule_session(db, prep.hr, prep.cycle_id, session_data(prep))
    moderation.remove_from_shortlist(db, prep.moderator, prep.idea_id, "Needs the costs checked")
    moderation.shortlist(db, prep.moderator, prep.idea_id)
    assert invited(db, session_id) == {prep.author.employee_id, prep.co_author.employee_id}


# -- attendance ----------------------------------------------------------------------
def completions(db, employee_id: int) -> list[dict]:
    return db.query(
        "SELECT course_id, completed_on, passed, source FROM training_completions WHERE employee_id = ?", [employee_id]
    )


@pytest.fixture
def held_session(db, prep):
    moderation.shortlist(db, prep.moderator, prep.idea_id)
    starts = utc_now() + timedelta(days=1)
    session_id = preparation.schedule_session(db, prep.hr, prep.cycle_id, session_data(prep, starts_at=starts))
    return session_id, starts


def test_attending_completes_the_course_on_the_session_day(db, prep, held_session):
    session_id, starts = held_session
    after = starts + timedelta(hours=2)
    preparation.record_attendance(
        db, prep.trainer, invitation_of(db, session_id, prep.author.employee_id), True, at=after
    )
    preparation.record_attendance(
        db, prep.trainer, invitation_of(db, session_id, prep.co_author.employee_id), False, at=after
    )
    assert completions(db, prep.author.employee_id) == [
        {"course_id": prep.courses["SU-PRESENTING"], "completed_on": starts.date(), "passed": True, "source": "session"}
    ]
    assert completions(db, prep.co_author.employee_id) == []
    assert views.my_invitations(db, prep.author)[0]["attended"] is True


def test_attendance_waits_for_the_session_and_attending_is_not_taken_back(db, prep, held_session):
    session_id, starts = held_session
    invitation = invitation_of(db, session_id, prep.author.employee_id)
    with pytest.raises(InputError, match="once it has begun"):
        preparation.record_attendance(db, prep.trainer, invitation, True, at=starts - timedelta(minutes=5))
    preparation.record_attendance(db, prep.hr, invitation, True, at=starts + timedelta(hours=1))
    with pytest.raises(InputError, match="HR corrects the transcript"):
        preparation.record_attendance(db, prep.hr, invitation, False, at=starts + timedelta(hours=2))
    assert len(completions(db, prep.author.employee_id)) == 1


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.MODERATOR])
def test_only_the_trainer_hr_or_leadership_record_attendance(db, prep, held_session, make_user, role):
    session_id, starts = held_session
    invitation = invitation_of(db, session_id, prep.author.employee_id)
    with pytest.raises(PermissionDeniedError):
        preparation.record_attendance(db, make_user(role), invitation, True, at=starts + timedelta(hours=1))
    with pytest.raises(PermissionDeniedError):
        views.session_invitations(db, make_user(role), session_id)
    assert completions(db, prep.author.employee_id) == []
    preparation.record_attendance(db, prep.head, invitation, False, at=starts + timedelta(hours=1))
    assert len(views.session_invitations(db, prep.trainer, session_id)) == 2


# -- prepared ------------------------------------------------------------------------
def test_the_prepared_rule():
    assert preparation.is_prepared({1, 2}, {1, 2, 3})
    assert not preparation.is_prepared({1, 2}, {1})
    assert not preparation.is_prepared(set(), set())  # nothing scheduled: nobody is prepared


def test_prepared_means_a_session_of_each_course_scheduled_for_the_cycle(db, prep):
    moderation.shortlist(db, prep.moderator, prep.idea_id)
    first = utc_now() + timedelta(days=1)
    presenting = preparation.schedule_session(db, prep.hr, prep.cycle_id, session_data(prep, starts_at=first))
    case = preparation.schedule_session(
        db, prep.hr, prep.cycle_id, session_data(prep, "SU-BUSINESS-CASE", starts_at=first + timedelta(days=1))
    )
    after = first + timedelta(days=2)
    for session_id in (presenting, case):
        preparation.record_attendance(
            db, prep.trainer, invitation_of(db, session_id, prep.author.employee_id), True, at=after
        )
    preparation.record_attendance(
        db, prep.trainer, invitation_of(db, presenting, prep.co_author.employee_id), True, at=after
    )
    people = {p["employee_id"]: p for p in views.preparedness(db, prep.head, prep.cycle_id)}
    assert people[prep.author.employee_id]["prepared"]
    assert not people[prep.co_author.employee_id]["prepared"]
    assert people[prep.co_author.employee_id]["missing"] == ["Building a business case"]
    assert views.prepared_people(db, prep.hr, prep.cycle_id) == {prep.author.employee_id}
    with pytest.raises(PermissionDeniedError):
        views.preparedness(db, prep.author, prep.cycle_id)


def test_an_agent_sees_only_the_sessions_they_are_invited_to(db, prep):
    moderation.shortlist(db, prep.moderator, prep.idea_id)
    session_id = preparation.schedule_session(db, prep.hr, prep.cycle_id, session_data(prep))
    assert [row["id"] for row in views.cycle_sessions(db, prep.author, prep.cycle_id)] == [session_id]
    assert views.cycle_sessions(db, prep.other, prep.cycle_id) == []
    assert views.my_invitations(db, prep.other) == []
    assert views.my_invitations(db, prep.author)[0]["course_title"] == "Presenting to leadership"


# -- the running order ---------------------------------------------------------------
@pytest.fixture
def shortlisted(db, prep):
    moderation.shortlist(db, prep.moderator, prep.idea_id)
    moderation.shortlist(db, prep.moderator, prep.second_id)
    return prep


def test_a_running_order_presents_every_shortlisted_idea_once_by_one_of_its_authors(db, shortlisted):
    p = shortlisted
    problems = {
        "Running order": [{"position": 1, "idea_id": p.idea_id, "presenter_id": p.author.employee_id}],
        "Position": [
            {"position": 1, "idea_id": p.idea_id, "presenter_id": p.author.employee_id},
            {"position": 3, "idea_id": p.second_id, "presenter_id": p.other.employee_id},
        ],
        f"Presenter of #{p.second_id}": [
            {"position": 1, "idea_id": p.idea_id, "presenter_id": p.co_author.employee_id},
            {"position": 2, "idea_id": p.second_id, "presenter_id": p.author.employee_id},
        ],
        "Idea": [
            {"position": 1, "idea_id": p.idea_id, "presenter_id": p.author.employee_id},
            {"position": 2, "idea_id": p.idea_id, "presenter_id": p.author.employee_id},
            {"position": 3, "idea_id": p.second_id, "presenter_id": p.other.employee_id},
        ],
    }
    for field, entries in problems.items():
        with pytest.raises(InputError) as error:
            day_plan.set_running_order(db, p.head, p.cycle_id, entries)
        assert field in fields(error)
    assert day_plan.running_order(db, p.cycle_id) == []
    day_plan.set_running_order(
        db,
        p.head,
        p.cycle_id,
        [
            {"position": 2, "idea_id": p.idea_id, "presenter_id": p.co_author.employee_id},
            {"position": 1, "idea_id": p.second_id, "presenter_id": p.other.employee_id},
        ],
    )
    order = day_plan.running_order(db, p.cycle_id)
    assert [(row["idea_id"], row["presenter_name"]) for row in order] == [
        (p.second_id, "Olly Other"),
        (p.idea_id, "Cody Coauthor"),
    ]


def test_an_idea_off_the_shortlist_leaves_the_running_order(db, shortlisted):
    p = shortlisted
    day_plan.set_running_order(
        db,
        p.head,
        p.cycle_id,
        [
            {"position": 1, "idea_id": p.idea_id, "presenter_id": p.author.employee_id},
            {"position": 2, "idea_id": p.second_id, "presenter_id": p.other.employee_id},
        ],
    )
    moderation.remove_from_shortlist(db, p.moderator, p.idea_id, "Duplicates a project under way")
    assert [(row["position"], row["idea_id"]) for row in day_plan.running_order(db, p.cycle_id)] == [(1, p.second_id)]


def test_the_running_order_is_not_changed_after_the_cycle_closes(db, shortlisted):
    p = shortlisted
    for _ in range(3):
        cycles.advance_phase(db, p.head, p.cycle_id)
    with pytest.raises(InputError, match="can no longer be planned"):
        day_plan.set_running_order(db, p.head, p.cycle_id, [])


# -- the judges present --------------------------------------------------------------
def test_judges_present_are_leadership_and_conflicts_are_flagged(db, shortlisted, make_user):
    p = shortlisted
    judge = make_user(Role.LEADERSHIP, full_name="Jude Judge")
    boss = make_user(Role.LEADERSHIP, full_name="Bea Boss")
    db.write(
        lambda c: c.execute("UPDATE employees SET manager_id = ? WHERE id = ?", [boss.employee_id, p.other.employee_id])
    )
    with pytest.raises(InputError, match="Tom Lead may not judge") as error:
        day_plan.set_judges_present(db, p.head, p.cycle_id, [judge.employee_id, p.manager.employee_id])
    assert fields(error) == ["Judges present"]
    day_plan.set_judges_present(db, p.head, p.cycle_id, [judge.employee_id, boss.employee_id, p.head.employee_id])
    present = {row["full_name"]: row["conflicts"] for row in day_plan.judges_present(db, p.cycle_id)}
    assert present["Jude Judge"] == [] and present["Helen Head"] == []
    assert [(c["idea_id"], c["reason"]) for c in present["Bea Boss"]] == [
        (p.second_id, "manages an author of this idea")
    ]
    assert day_plan.judges_free_per_idea(db, p.cycle_id) == {p.idea_id: 3, p.second_id: 2}
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'speakup_judges_present'") == 1


def test_a_judge_present_who_authored_an_idea_is_flagged(db, prep, make_user):
    author_leader = make_user(Role.LEADERSHIP, full_name="Lee Leader")
    idea_id = submitted_idea(db, author_leader, title="Leaders answer the phones one day a quarter")
    moderation.shortlist(db, prep.moderator, idea_id)
    day_plan.set_judges_present(db, prep.head, prep.cycle_id, [author_leader.employee_id])
    conflicts = day_plan.judges_present(db, prep.cycle_id)[0]["conflicts"]
    assert [(c["idea_id"], c["reason"]) for c in conflicts] == [(idea_id, "is an author of this idea")]


# -- who may write -------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.MODERATOR])
def test_agents_team_leads_and_moderators_may_not_plan_preparation_or_the_day(db, shortlisted, make_user, role):
    p = shortlisted
    someone = make_user(role)
    order = [
        {"position": 1, "idea_id": p.idea_id, "presenter_id": p.author.employee_id},
        {"position": 2, "idea_id": p.second_id, "presenter_id": p.other.employee_id},
    ]
    writes = [
        lambda: preparation.schedule_session(db, someone, p.cycle_id, session_data(p)),
        lambda: day_plan.set_running_order(db, someone, p.cycle_id, order),
        lambda: day_plan.set_judges_present(db, someone, p.cycle_id, [p.head.employee_id]),
    ]
    for write in writes:
        with pytest.raises(PermissionDeniedError):
            write()
    assert db.scalar("SELECT count(*) FROM speakup_prep_sessions") == 0
    assert day_plan.running_order(db, p.cycle_id) == [] and day_plan.judges_present(db, p.cycle_id) == []


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.HR])
def test_only_moderators_take_an_idea_off_the_shortlist(db, shortlisted, make_user, role):
    with pytest.raises(PermissionDeniedError):
        moderation.remove_from_shortlist(db, make_user(role), shortlisted.idea_id, "Not ready for the day")
    assert db.scalar("SELECT status FROM ideas WHERE id = ?", [shortlisted.idea_id]) == "shortlisted"
