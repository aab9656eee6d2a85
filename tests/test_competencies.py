"""The competency framework: default wording, versions, required levels, assessments and
their appeals, who reads what, gaps and the appeals KPI."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from models.access import PermissionDeniedError, Role
from models.competencies import appeals, assessments, framework, matrix, requirements
from models.competencies.framework import default_framework
from models.errors import InputError, StaleRecordError
from models.people.directory import create_team

TODAY = date.today()


def competency(db, code: str) -> int:
    return next(c.id for c in framework.competencies(db) if c.code == code)


@pytest.fixture
def org(db, make_user):
    """Two teams with a lead and two agents each, and HR."""
    hr = make_user(Role.HR)
    first = create_team(db, hr.model_copy(update={"roles": frozenset({Role.HR, Role.ADMIN})}), "Harbour", None)
    second = create_team(db, hr.model_copy(update={"roles": frozenset({Role.HR, Role.ADMIN})}), "Bay", None)
    return {
        "hr": hr,
        "lead": make_user(Role.TEAM_LEAD, team_id=first),
        "agent": make_user(Role.AGENT, team_id=first),
        "colleague": make_user(Role.AGENT, team_id=first),
        "other_lead": make_user(Role.TEAM_LEAD, team_id=second),
        "other_agent": make_user(Role.AGENT, team_id=second),
        "leader": make_user(Role.LEADERSHIP),
        "team": first,
        "other_team": second,
    }


def assess(db, lead, person, code="EMPATHY", level=2, on=None, **extra) -> int:
    data = {
        "employee_id": person.employee_id,
        "competency_id": competency(db, code),
        "assessed_on": on or TODAY,
        "level": level,
        "evidence": "Two calls reviewed: acknowledged the customer's worry before solving.",
        **extra,
    }
    return assessments.record_assessment(db, lead, data)


# -- the framework -------------------------------------------------------------------
def test_every_competency_of_the_catalogue_has_four_real_descriptors(db):
    catalogue = framework.competencies(db)
    assert len(catalogue) == 12
    current = framework.current_descriptors(db)
    assert {(d.competency_id, d.level) for d in current} == {(c.id, lvl) for c in catalogue for lvl in (1, 2, 3, 4)}
    texts = [d.descriptor for d in current]
    assert len(set(texts)) == 48  # no wording repeated
    assert all(len(text) > 80 and "todo" not in text.lower() and "lorem" not in text.lower() for text in texts)
    assert set(default_framework()) == {c.code for c in catalogue}


def test_empathy_describes_a_novice_and_an_expert_with_an_upset_customer_differently(db):
    levels = {d.level: d.descriptor for d in framework.current_descriptors(db, competency(db, "EMPATHY"))}
    assert "upset customer" in levels[1] and "scripted" in levels[1]
    assert "angry caller" in levels[4]


def test_opening_again_saves_no_second_framework(db):
    before = len(framework.descriptor_history(db, competency(db, "EMPATHY")))
    db.start_up()
    assert len(framework.descriptor_history(db, competency(db, "EMPATHY"))) == before == 4
    assert framework.introduction_date(db) is not None


def test_hr_rewording_adds_a_version_and_the_assessment_keeps_its_descriptor(db, org):
    empathy = competency(db, "EMPATHY")
    assessment_id = assess(db, org["lead"], org["agent"], level=2)
    old = assessments.get_assessment(db, org["agent"], assessment_id)
    new_text = "Acknowledges the customer's feelings in their own words on most calls, not only a stock phrase."
    framework.edit_descriptor(db, org["hr"], empathy, 2, new_text, expected_version=1)
    history = [d for d in framework.descriptor_history(db, empathy) if d.level == 2]
    assert [d.version for d in history] == [2, 1]
    assert history[0].replaced_at is None and history[1].replaced_at is not None
    assert assessments.get_assessment(db, org["agent"], assessment_id).descriptor == old.descriptor != new_text
    later = assess(db, org["lead"], org["colleague"], level=2)
    assert assessments.get_assessment(db, org["lead"], later).descriptor == new_text


def test_a_rewording_on_a_replaced_version_is_refused_as_stale(db, org):
    empathy = competency(db, "EMPATHY")
    framework.edit_descriptor(db, org["hr"], empathy, 3, "A first new wording of the proficient level here.", 1)
    with pytest.raises(StaleRecordError):
        framework.edit_descriptor(db, org["hr"], empathy, 3, "A second wording typed in an older form.", 1)


def test_only_hr_rewords_the_framework(db, org):
    with pytest.raises(PermissionDeniedError):
        framework.edit_descriptor(db, org["lead"], competency(db, "EMPATHY"), 1, "x" * 40, 1)


def test_assessments_before_the_introduction_are_checklist_assessments(db, org):
    introduced = framework.introduction_date(db)
    before = assess(db, org["lead"], org["agent"], on=introduced - timedelta(days=1))
    after = assess(db, org["lead"], org["agent"], on=introduced)
    first, second = (assessments.get_assessment(db, org["hr"], i) for i in (before, after))
    assert (first.method, first.descriptor_id) == ("checklist", None)
    assert second.method == "framework" and second.descriptor is not None


# -- required levels -----------------------------------------------------------------
def test_default_requirements_hold_agents_to_proficient_listening(db, org):
    assert requirements.required_level(db, org["agent"].employee_id, competency(db, "ACTIVE_LISTENING")) == 3
    assert requirements.required_level(db, org["lead"].employee_id, competency(db, "OWNERSHIP")) == 4


def test_a_teams_own_requirement_wins_over_the_roles(db, org):
    listening = competency(db, "ACTIVE_LISTENING")
    requirements.set_requirement(db, org["hr"], listening, Role.AGENT, 4, team_id=org["team"])
    assert requirements.required_level(db, org["agent"].employee_id, listening) == 4
    assert requirements.required_level(db, org["other_agent"].employee_id, listening) == 3
    requirements.set_requirement(db, org["hr"], listening, Role.AGENT, 2)
    assert requirements.required_level(db, org["agent"].employee_id, listening) == 4
    assert requirements.required_level(db, org["other_agent"].employee_id, listening) == 2


def test_only_hr_sets_requirements_and_a_bad_level_names_the_field(db, org):
    with pytest.raises(PermissionDeniedError):
        requirements.set_requirement(db, org["lead"], competency(db, "EMPATHY"), Role.AGENT, 4)
    with pytest.raises(InputError, match="Required level"):
        requirements.set_requirement(db, org["hr"], competency(db, "EMPATHY"), Role.AGENT, 7)


# -- assessing -----------------------------------------------------------------------
def test_a_lead_assesses_their_own_team_only(db, org):
    assess(db, org["lead"], org["agent"])
    with pytest.raises(PermissionDeniedError):
        assess(db, org["other_lead"], org["agent"])
    with pytest.raises(PermissionDeniedError):
        assess(db, org["agent"], org["colleague"])
    with pytest.raises(InputError, match="themselves"):
        assess(db, org["lead"], org["lead"])


def test_bad_assessment_input_names_the_field(db, org):
    with pytest.raises(InputError) as refused:
        assess(db, org["lead"], org["agent"], on=TODAY + timedelta(days=1), evidence="")
    fields = {field for field, _ in refused.value.problems}
    assert {"Date", "Evidence"} <= fields
    assert db.scalar("SELECT count(*) FROM assessments") == 0


def test_the_coaching_session_must_be_the_same_persons(db, org):
    def session(connection):
        connection.execute(
            "INSERT INTO coaching_sessions (id, coached_on, coach_id, employee_id, kind, minutes, shared_notes,"
            " created_at, updated_at) VALUES (1, ?, ?, ?, 'integrated', 10, 'notes', now(), now())",
            [TODAY, org["lead"].employee_id, org["colleague"].employee_id],
        )

    db.write(session)
    with pytest.raises(InputError, match="same person"):
        assess(db, org["lead"], org["agent"], coaching_session_id=1)
    assert assess(db, org["lead"], org["colleague"], coaching_session_id=1)


# -- reading ---------------------------------------------------------------------------
def test_who_reads_an_assessment(db, org):
    assessment_id = assess(db, org["lead"], org["agent"])
    for reader in ("agent", "lead", "hr", "leader"):
        assert assessments.get_assessment(db, org[reader], assessment_id).id == assessment_id
    for outsider in ("colleague", "other_lead", "other_agent"):
        with pytest.raises(PermissionDeniedError):
            assessments.get_assessment(db, org[outsider], assessment_id)
    with pytest.raises(PermissionDeniedError):
        assessments.assessments_of(db, org["colleague"], org["agent"].employee_id)
    assert [a.id for a in assessments.visible_assessments(db, org["colleague"])] == []
    assert [a.id for a in assessments.visible_assessments(db, org["lead"])] == [assessment_id]
    assert assessments.visible_assessments(db, org["other_lead"]) == []


# -- acknowledge and appeal --------------------------------------------------------------
def test_the_person_acknowledges_their_own_assessment_only(db, org):
    assessment_id = assess(db, org["lead"], org["agent"])
    with pytest.raises(PermissionDeniedError):
        appeals.acknowledge(db, org["colleague"], assessment_id, 1)
    appeals.acknowledge(db, org["agent"], assessment_id, 1)
    assert assessments.get_assessment(db, org["agent"], assessment_id).status == "acknowledged"
    with pytest.raises(StaleRecordError):
        appeals.appeal(db, org["agent"], assessment_id, "The call reviewed was not mine at all.", 1)


def test_an_appeal_upheld_by_another_lead_changes_the_current_level(db, org):
    assessment_id = assess(db, org["lead"], org["agent"], level=2)
    with pytest.raises(InputError, match="Reason"):
        appeals.appeal(db, org["agent"], assessment_id, "no", 1)
    appeals.appeal(db, org["agent"], assessment_id, "The sampled call was transferred to me half-way.", 1)
    assert [a.id for a in appeals.appeals_queue(db, org["hr"])] == [assessment_id]
    assert [a.id for a in appeals.appeals_queue(db, org["other_lead"])] == [assessment_id]
    assert appeals.appeals_queue(db, org["lead"]) == []
    with pytest.raises(PermissionDeniedError):
        appeals.resolve_appeal(db, org["lead"], assessment_id, "upheld", "I reconsidered the call.", 2, new_level=3)
    with pytest.raises(PermissionDeniedError):
        appeals.resolve_appeal(db, org["agent"], assessment_id, "upheld", "I reconsidered the call.", 2, new_level=3)
    appeals.resolve_appeal(db, org["other_lead"], assessment_id, "upheld", "Three more calls show it.", 2, new_level=3)
    seen = assessments.get_assessment(db, org["agent"], assessment_id)
    assert (seen.status, seen.level, seen.current_level, seen.appeal_outcome) == ("upheld", 2, 3, "upheld")
    frame = matrix.skills_matrix(db, org["lead"], team_id=org["team"])
    row = frame[(frame.employee_id == org["agent"].employee_id) & (frame.code == "EMPATHY")].iloc[0]
    assert row.current_level == 3 and row.category == "meets"
    actions = db.query("SELECT action FROM audit_log WHERE entity = 'assessment' ORDER BY id")
    assert [a["action"] for a in actions] == ["create", "appeal", "resolve_appeal"]


def test_hr_rejects_an_appeal_with_a_reason_and_the_level_stands(db, org):
    assessment_id = assess(db, org["lead"], org["agent"], level=2)
    appeals.appeal(db, org["agent"], assessment_id, "The system froze during the call reviewed.", None)
    with pytest.raises(InputError, match="Reason for rejecting"):
        appeals.resolve_appeal(db, org["hr"], assessment_id, "rejected", "", None)
    appeals.resolve_appeal(db, org["hr"], assessment_id, "rejected", "The recording shows the rating fits.", None)
    seen = assessments.get_assessment(db, org["agent"], assessment_id)
    assert (seen.status, seen.current_level, seen.appeal_note) == (
        "appeal_rejected",
        2,
        "The recording shows the rating fits.",
    )


def test_nobody_resolves_the_appeal_of_their_own_assessment(db, org, make_user):
    """A second lead of a team may assess the first; HR may be assessed by their team's lead. Neither
    then sees their own appeal in the queue nor resolves it, whatever their role."""
    co_lead = make_user(Role.TEAM_LEAD, team_id=org["team"])
    hr_in_team = make_user(Role.HR, team_id=org["team"])
    for person in (co_lead, hr_in_team):
        assessment_id = assess(db, org["lead"], person, level=2)
        appeals.appeal(db, person, assessment_id, "The sampled call was transferred to me half-way.", None)
        assert assessment_id not in [a.id for a in appeals.appeals_queue(db, person)]
        with pytest.raises(PermissionDeniedError):
            appeals.resolve_appeal(db, person, assessment_id, "upheld", "I think I was right after all.", None,
                                   new_level=4)  # fmt: skip
        assert assessments.get_assessment(db, org["hr"], assessment_id).status == "appealed"


def test_the_appeals_kpi_is_computed_and_refused_by_hand(db, org):
    from models.strategy import kpis

    kpi = db.scalar("SELECT id FROM kpis WHERE code = 'assessment_appeals'")
    with pytest.raises(InputError, match="computed by the portal"):
        kpis.record_measurement(db, org["leader"], {"kpi_id": kpi, "measured_on": TODAY, "value": 3})


def test_appeals_per_month_kpi_counts_complete_months(db, org):
    start = TODAY.replace(day=1) - timedelta(days=70)
    month_before = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
    for day in (start, start + timedelta(days=1)):
        assessment_id = assess(db, org["lead"], org["agent"], on=day)
        appeals.appeal(db, org["agent"], assessment_id, "Not my call, it was transferred to me.", None,
                       at=datetime.combine(day, datetime.min.time()) + timedelta(hours=12))  # fmt: skip
    assess(db, org["lead"], org["agent"], on=TODAY)
    series = dict(appeals.assessment_appeals(db, date(2000, 1, 1), TODAY))
    months = sorted(series)
    assert months[0].replace(day=1) == start.replace(day=1) and months[-1].replace(day=1) == month_before
    assert series[months[0]] == 2 and sum(series.values()) == 2


# -- gaps and the one-step assignment ------------------------------------------------------
def test_gaps_list_competencies_below_requirement_with_their_courses(db, org):
    assess(db, org["lead"], org["agent"], code="EMPATHY", level=2)
    assess(db, org["lead"], org["agent"], code="ACTIVE_LISTENING", level=3)
    gaps = {g.competency: g for g in matrix.person_gaps(db, org["agent"], org["agent"].employee_id)}
    assert gaps["Empathy"].current_level == 2 and gaps["Empathy"].required_level == 3
    assert "Empathy in every contact" in [c["title"] for c in gaps["Empathy"].courses]
    assert "Active listening" not in gaps  # proficient meets the requirement
    assert gaps["Patience"].current_level is None  # never assessed counts as below
    with pytest.raises(PermissionDeniedError):
        matrix.person_gaps(db, org["colleague"], org["agent"].employee_id)
    team = matrix.team_gaps(db, org["lead"], team_id=org["team"])
    assert "Empathy in every contact" in team[team.competency == "Empathy"].courses.iloc[0]


def test_matrix_is_the_leads_own_team_or_anyone_for_hr(db, org):
    assert set(matrix.skills_matrix(db, org["lead"], team_id=org["team"]).employee_id) >= {org["agent"].employee_id}
    with pytest.raises(PermissionDeniedError):
        matrix.skills_matrix(db, org["lead"], team_id=org["other_team"])
    with pytest.raises(PermissionDeniedError):
        matrix.skills_matrix(db, org["agent"], team_id=org["team"])
    assert not matrix.skills_matrix(db, org["hr"], team_id=None).empty


def test_one_step_assignment_by_a_lead_is_for_their_team_only(db, org):
    course = db.scalar("SELECT id FROM courses WHERE code = 'CS-EMPATHY'")
    result = matrix.assign_course(db, org["lead"], course, [org["agent"].employee_id], due_on=None)
    assert len(result.assignment_ids) == 1
    assigned = db.query_one("SELECT employee_id, assigned_by FROM training_assignments WHERE id = ?",
                            [result.assignment_ids[0]])  # fmt: skip
    assert assigned == {"employee_id": org["agent"].employee_id, "assigned_by": org["lead"].employee_id}
    with pytest.raises(PermissionDeniedError):
        matrix.assign_course(db, org["lead"], course, [org["other_agent"].employee_id], due_on=None)
    with pytest.raises(PermissionDeniedError):
        matrix.assign_course(db, org["agent"], course, [org["colleague"].employee_id], due_on=None)
    hr_result = matrix.assign_course(db, org["hr"], course, [org["other_agent"].employee_id], due_on=None)
    assert len(hr_result.assignment_ids) == 1


def test_kudos_evidence_is_read_under_the_competency_record_s_scope(db, org):
    assert matrix.kudos_evidence(db, org["agent"], org["agent"].employee_id, competency(db, "EMPATHY")) == []
    with pytest.raises(PermissionDeniedError):
        matrix.kudos_evidence(db, org["colleague"], org["agent"].employee_id, competency(db, "EMPATHY"))
