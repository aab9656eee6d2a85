"""The inbox: each event tells exactly the people it concerns — never the actor — in the
event's own transaction; a person reads and marks only their own messages."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from models import areas
from models.access import Role
from models.coaching import sessions
from models.competencies import appeals, assessments, framework
from models.engagement import surveys
from models.errors import InputError
from models.inbox import messages as inbox
from models.people.directory import create_team
from models.recognition import kudos
from models.speakup import board, cycles, day_plan, decisions, judging, moderation
from models.training import assignments
from tests.speakup_helpers import open_cycle, scores_for, submitted_idea
from tests.training_helpers import add_course

TODAY = date.today()


def told(db, kind: str) -> dict[int, int]:
    """How many messages of ``kind`` each person received."""
    rows = db.query("SELECT recipient_id, count(*) AS n FROM inbox_messages WHERE kind = ? GROUP BY ALL", [kind])
    return {row["recipient_id"]: row["n"] for row in rows}


def only(db, user, kind: str) -> inbox.InboxMessage:
    found = [message for message in inbox.messages(db, user) if message.kind == kind]
    assert len(found) == 1, found
    return found[0]


# -- the board ---------------------------------------------------------------------------
@pytest.fixture
def idea(db, make_user):
    leader = make_user(Role.LEADERSHIP)
    author, co_author, colleague = make_user(), make_user(), make_user()
    cycle_id = open_cycle(db, leader)
    idea_id = submitted_idea(db, author, co_author_ids=[co_author.employee_id])
    return {
        "leader": leader,
        "author": author,
        "co_author": co_author,
        "colleague": colleague,
        "cycle_id": cycle_id,
        "idea_id": idea_id,
    }


def test_a_comment_tells_the_authors_and_co_authors_once_and_never_the_commenter(db, idea):
    board.add_comment(db, idea["colleague"], idea["idea_id"], "Could the IVR offer a time window too?")
    assert told(db, "idea_comment") == {idea["author"].employee_id: 1, idea["co_author"].employee_id: 1}
    message = only(db, idea["author"], "idea_comment")
    assert idea["colleague"].full_name in message.subject
    assert message.body == "Could the IVR offer a time window too?"
    assert message.link == "ideas"
    # an author answering on their own idea tells the co-author, not themselves
    board.add_comment(db, idea["author"], idea["idea_id"], "Yes, a 30-minute window.")
    assert told(db, "idea_comment") == {idea["author"].employee_id: 1, idea["co_author"].employee_id: 2}


def test_a_support_tells_the_authors_and_never_the_supporter(db, idea):
    board.support_idea(db, idea["colleague"], idea["idea_id"])
    assert told(db, "idea_support") == {idea["author"].employee_id: 1, idea["co_author"].employee_id: 1}
    assert inbox.unread_count(db, idea["colleague"]) == 0


@pytest.fixture
def scoring(db, idea, make_user):
    """The idea shortlisted, three judges present, scoring started."""
    judges = [make_user(Role.LEADERSHIP) for _ in range(3)]
    moderation.shortlist(db, make_user(Role.MODERATOR), idea["idea_id"])
    cycles.advance_phase(db, idea["leader"], idea["cycle_id"])  # review
    day_plan.set_judges_present(db, idea["leader"], idea["cycle_id"], [judge.employee_id for judge in judges])
    cycles.advance_phase(db, idea["leader"], idea["cycle_id"])  # scoring
    return {**idea, "judges": judges, "cycle": cycles.get_cycle(db, idea["cycle_id"])}


def test_scoring_opening_tells_each_judge_present_once(db, scoring):
    assert told(db, "scoring_open") == {judge.employee_id: 1 for judge in scoring["judges"]}
    assert only(db, scoring["judges"][0], "scoring_open").link == "judging"


def test_without_judges_named_scoring_opening_tells_everyone_who_may_judge_but_the_actor(db, idea, make_user):
    other_leader = make_user(Role.LEADERSHIP)
    moderation.shortlist(db, make_user(Role.MODERATOR), idea["idea_id"])
    cycles.advance_phase(db, idea["leader"], idea["cycle_id"])
    cycles.advance_phase(db, idea["leader"], idea["cycle_id"])
    assert told(db, "scoring_open") == {other_leader.employee_id: 1}


def test_the_outcome_reaches_the_authors_with_the_judges_comments_but_no_names_or_scores(db, scoring):
    comments = ["Clear business case.", "Check the IVR vendor's lead time.", ""]
    for judge, comment in zip(scoring["judges"], comments, strict=True):
        judging.submit_scores(db, judge, scoring["idea_id"], scores_for(scoring["cycle"], 4), comment)
    decisions.decide(db, scoring["leader"], scoring["idea_id"], "Cheap to build and customers feel it.")
    assert told(db, "idea_outcome") == {scoring["author"].employee_id: 1, scoring["co_author"].employee_id: 1}
    message = only(db, scoring["co_author"], "idea_outcome")
    assert "green-lit" in message.subject.lower()
    assert "Cheap to build and customers feel it." in message.body
    assert "Clear business case." in message.body and "Check the IVR vendor's lead time." in message.body
    for judge in scoring["judges"]:
        assert judge.full_name not in message.body


# -- training ---------------------------------------------------------------------------
def test_a_bulk_assignment_tells_each_person_once_and_not_the_assigner(db, make_user):
    hr = make_user(Role.HR)
    people = [make_user() for _ in range(5)]
    course = add_course(db, title="Empathy on the phone")
    result = assignments.assign_courses(
        db, hr, course, [hr.employee_id, *(p.employee_id for p in people)], due_on=TODAY + timedelta(days=10)
    )
    assert result.assigned == 6
    assert told(db, "course_assigned") == {person.employee_id: 1 for person in people}
    message = only(db, people[0], "course_assigned")
    assert "Empathy on the phone" in message.subject and message.link == "my-training"


def test_an_overdue_assignment_is_told_once_however_often_the_calendar_work_runs(db, make_user):
    hr, person = make_user(Role.HR), make_user()
    course = add_course(db, title="Positive language")
    assignments.assign_courses(db, hr, course, [person.employee_id], due_on=TODAY)
    areas.run_daily(db, datetime.combine(TODAY, datetime.min.time()))
    assert told(db, "course_overdue") == {}  # due today: not overdue yet
    later = datetime.combine(TODAY + timedelta(days=3), datetime.min.time())
    areas.run_daily(db, later)
    areas.run_daily(db, later + timedelta(hours=1))
    assert told(db, "course_overdue") == {person.employee_id: 1}


# -- competencies and coaching ----------------------------------------------------------
@pytest.fixture
def team(db, make_user):
    hr = make_user(Role.HR)
    team_id = create_team(db, hr.model_copy(update={"roles": frozenset({Role.HR, Role.ADMIN})}), "Harbour", None)
    return {
        "hr": hr,
        "lead": make_user(Role.TEAM_LEAD, team_id=team_id),
        "agent": make_user(team_id=team_id),
        "colleague": make_user(team_id=team_id),
        "team_id": team_id,
    }


def empathy(db) -> int:
    return next(c.id for c in framework.competencies(db) if c.code == "EMPATHY")


def assess(db, lead, person) -> int:
    data = {
        "employee_id": person.employee_id,
        "competency_id": empathy(db),
        "assessed_on": TODAY,
        "level": 2,
        "evidence": "Two calls reviewed.",
    }
    return assessments.record_assessment(db, lead, data)


def test_an_assessment_asks_the_person_assessed_to_acknowledge_it(db, team):
    assess(db, team["lead"], team["agent"])
    assert told(db, "assessment") == {team["agent"].employee_id: 1}
    assert only(db, team["agent"], "assessment").link == "assessments"


def test_a_review_round_tells_each_person_assessed_once(db, team):
    rows = [
        {
            "employee_id": person.employee_id,
            "competency_id": empathy(db),
            "assessed_on": TODAY,
            "level": 3,
            "evidence": "Review round of two calls.",
        }
        for person in (team["agent"], team["colleague"])
    ]
    assessments.record_team_assessments(db, team["lead"], rows)
    assert told(db, "assessment") == {team["agent"].employee_id: 1, team["colleague"].employee_id: 1}


def test_a_resolved_appeal_tells_the_person_who_appealed(db, team):
    assessment_id = assess(db, team["lead"], team["agent"])
    appeals.appeal(db, team["agent"], assessment_id, "The sampled call was transferred to me half-way.", None)
    appeals.resolve_appeal(db, team["hr"], assessment_id, "upheld", "Three more calls show it.", None, new_level=3)
    assert told(db, "appeal_resolved") == {team["agent"].employee_id: 1}
    message = only(db, team["agent"], "appeal_resolved")
    assert "upheld" in message.subject and "Three more calls show it." in message.body


def test_a_coaching_note_is_told_to_the_person_coached_without_the_private_notes(db, team):
    sessions.record_session(
        db,
        team["lead"],
        {
            "employee_id": team["agent"].employee_id,
            "coached_on": TODAY,
            "kind": "integrated",
            "minutes": 10,
            "shared_notes": "Summarise the next step before closing.",
            "private_notes": "Seems tired this week.",
        },
    )
    assert told(db, "coaching_note") == {team["agent"].employee_id: 1}
    message = only(db, team["agent"], "coaching_note")
    assert "Summarise the next step before closing." in message.body
    assert "tired" not in message.body


# -- recognition and engagement --------------------------------------------------------
def test_kudos_reach_the_person_and_team_kudos_every_member_but_the_giver(db, team):
    thank(db, team["lead"], "Calm under fire!", to=team["agent"])
    assert told(db, "kudos") == {team["agent"].employee_id: 1}
    thank(db, team["agent"], "Great week, team.", team_id=team["team_id"])
    assert told(db, "kudos") == {
        team["agent"].employee_id: 1,
        team["lead"].employee_id: 1,
        team["colleague"].employee_id: 1,
    }
    assert only(db, team["colleague"], "kudos").body == "Great week, team."


def thank(db, giver, message: str, *, to=None, team_id: int | None = None) -> int:
    tag = f"competency:{empathy(db)}"
    data = {"recipient_id": to.employee_id if to else None, "team_id": team_id, "message": message, "tag": tag}
    return kudos.give_kudos(db, giver, data)


def survey(db, hr, opens_on: date, **changes) -> int:
    data = {
        "title": "Pulse this quarter",
        "opens_on": opens_on,
        "closes_on": opens_on + timedelta(days=10),
        "questions": [{"text": "I have the tools I need", "scale": "agreement"}],
        **changes,
    }
    return surveys.create_survey(db, hr, data)


def test_a_survey_open_today_is_announced_to_its_audience_once(db, team, make_user):
    outsider = make_user()
    survey(db, team["hr"], TODAY, audience_team_ids=[team["team_id"]])
    expected = {person.employee_id: 1 for person in (team["lead"], team["agent"], team["colleague"])}
    assert told(db, "survey_open") == expected
    areas.run_daily(db, datetime.combine(TODAY, datetime.min.time()))
    assert told(db, "survey_open") == expected
    assert inbox.unread_count(db, outsider) == 0


def test_a_planned_survey_is_announced_by_the_calendar_work_on_its_opening_day(db, team):
    opens = TODAY + timedelta(days=5)
    survey(db, team["hr"], opens)
    assert told(db, "survey_open") == {}
    areas.run_daily(db, datetime.combine(opens, datetime.min.time()))
    everyone = (team["hr"], team["lead"], team["agent"], team["colleague"])
    assert told(db, "survey_open") == {person.employee_id: 1 for person in everyone}


# -- the same transaction --------------------------------------------------------------
class Interrupted(RuntimeError):
    pass


def test_a_rolled_back_write_leaves_no_message(db, team):
    def give_then_fail(connection):
        thank(db, team["lead"], "Thank you!", to=team["agent"])
        assert told(db, "kudos") == {team["agent"].employee_id: 1}  # inside the write, it is there
        raise Interrupted

    with pytest.raises(Interrupted):
        db.write(give_then_fail)
    assert db.scalar("SELECT count(*) FROM kudos") == 0
    assert inbox.messages(db, team["agent"]) == []


def test_a_refused_event_tells_nobody(db, idea):
    with pytest.raises(InputError):
        board.support_idea(db, idea["author"], idea["idea_id"])  # one's own idea
    assert told(db, "idea_support") == {}


def test_an_inactive_person_is_told_nothing(db, team):
    db.write(lambda c: c.execute("UPDATE employees SET active = FALSE WHERE id = ?", [team["colleague"].employee_id]))
    stored = db.write(
        lambda c: inbox.notify(
            c, [team["agent"].employee_id, team["colleague"].employee_id], "kudos", "Hello", "Body", None
        )
    )
    assert stored == 1 and told(db, "kudos") == {team["agent"].employee_id: 1}


# -- reading and marking ----------------------------------------------------------------
def test_a_person_reads_and_marks_only_their_own_messages(db, team):
    thank(db, team["lead"], "Calm under fire!", to=team["agent"])
    thank(db, team["lead"], "Well handled.", to=team["colleague"])
    theirs = inbox.messages(db, team["colleague"])[0]
    assert [m.body for m in inbox.messages(db, team["agent"])] == ["Calm under fire!"]
    with pytest.raises(InputError, match="Messages"):
        inbox.mark_read(db, team["agent"], [theirs.id])
    assert inbox.unread_count(db, team["colleague"]) == 1  # nothing was marked
    mine = inbox.messages(db, team["agent"])[0]
    assert inbox.mark_read(db, team["agent"], [mine.id]) == 1
    assert inbox.unread_count(db, team["agent"]) == 0
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'inbox_message' AND action = 'mark_read'") == 1


def test_marking_read_in_bulk_marks_each_persons_own_messages_as_one_at_a_time_would(db, team):
    for text in ("One", "Two", "Three"):
        thank(db, team["lead"], text, to=team["agent"])
    thank(db, team["lead"], "Yours", to=team["colleague"])
    agent_ids = [m.id for m in inbox.messages(db, team["agent"])]
    colleague_ids = [m.id for m in inbox.messages(db, team["colleague"])]
    with pytest.raises(InputError, match="Messages"):  # someone else's message refuses the batch
        inbox.mark_read_in_bulk(db, [(team["agent"], [agent_ids[0], colleague_ids[0]])])
    assert inbox.unread_count(db, team["agent"]) == 3
    at = datetime(2026, 11, 2, 7, 0)
    read = [(team["agent"], agent_ids[1:]), (team["colleague"], colleague_ids)]
    assert inbox.mark_read_in_bulk(db, read, at=at) == 3
    assert [m.body for m in inbox.messages(db, team["agent"], unread_only=True)] == ["Three"]
    assert inbox.unread_count(db, team["colleague"]) == 0
    audited = db.query(
        "SELECT actor_id, after_json, occurred_at FROM audit_log WHERE entity = 'inbox_message'"
        " AND action = 'mark_read' ORDER BY id"
    )
    assert [(row["actor_id"], row["occurred_at"]) for row in audited] == [
        (team["agent"].employee_id, at),
        (team["colleague"].employee_id, at),
    ]
    assert str(sorted(agent_ids[1:])[0]) in audited[0]["after_json"]


def test_mark_all_read_leaves_a_message_that_arrived_after_the_list_was_shown(db, team):
    for text in ("One", "Two"):
        thank(db, team["lead"], text, to=team["agent"])
    shown = inbox.messages(db, team["agent"])
    assert [m.body for m in shown] == ["Two", "One"]  # newest first
    thank(db, team["colleague"], "Three", to=team["agent"])
    assert inbox.mark_all_read(db, team["agent"], up_to_id=max(m.id for m in shown)) == 2
    assert [m.body for m in inbox.messages(db, team["agent"], unread_only=True)] == ["Three"]
    assert inbox.mark_all_read(db, team["agent"]) == 1
    assert inbox.unread_count(db, team["agent"]) == 0
