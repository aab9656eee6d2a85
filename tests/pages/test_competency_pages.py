"""The competency pages as a team lead, HR and an agent use them."""

from __future__ import annotations

from datetime import date

import pytest

from models.access import Role
from models.coaching import sessions
from models.competencies import appeals, assessments, framework, requirements
from models.db import counting, get_database
from models.people.directory import create_team
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as

FRAMEWORK = "pages/competency_framework.py"
ASSESSMENTS = "pages/assessments.py"
MATRIX = "pages/skills_matrix.py"


@pytest.fixture
def org(portal_env):
    db = get_database(portal_env)
    hr = add_person(db, Role.HR, full_name="Hana Resources")
    team = create_team(db, hr, "Harbour", None)
    other = create_team(db, hr, "Bay", None)
    return {
        "db": db,
        "hr": hr,
        "lead": add_person(db, Role.TEAM_LEAD, team_id=team, full_name="Lee Lead"),
        "agent": add_person(db, Role.AGENT, team_id=team, full_name="Ada Agent"),
        "other_agent": add_person(db, Role.AGENT, team_id=other, full_name="Otto Other"),
        "team": team,
    }


def page(user, path):
    app = open_page(signed_in_as(user), path)
    assert not app.exception, app.exception
    return app


def button(app, label: str):
    (found,) = [b for b in app.button if b.label == label]
    return found


def texts(app) -> list[str]:
    return [element.value for element in app.text]


def errors(app) -> list[str]:
    return [shown(element.value) for element in app.error]


def empathy(db) -> int:
    return next(c.id for c in framework.competencies(db) if c.code == "EMPATHY")


def an_assessment(org, level=2) -> int:
    data = {
        "employee_id": org["agent"].employee_id,
        "competency_id": empathy(org["db"]),
        "assessed_on": date.today(),
        "level": level,
        "evidence": "Acknowledged the customer's worry on both calls reviewed.",
    }
    return assessments.record_assessment(org["db"], org["lead"], data)


def test_everyone_reads_the_framework_and_only_hr_rewords_it(org):
    agent_view = page(org["agent"], FRAMEWORK)
    agent_view.selectbox(key="framework_competency").set_value(empathy(org["db"])).run()
    assert any("upset customer" in text for text in texts(agent_view))
    assert not [b for b in agent_view.button if b.label == "Save a new version"]
    app = page(org["hr"], FRAMEWORK)
    app.selectbox(key="framework_competency").set_value(empathy(org["db"])).run()
    (novice,) = [area for area in app.text_area if area.key and area.key.endswith("_text") and "scripted" in area.value]
    novice.input("Offers a stock apology and moves straight to the process, whatever the customer says.").run()
    save = [b for b in app.button if b.label == "Save a new version" and b.key.startswith(novice.key[:-5])]
    save[0].click().run()
    assert not app.exception
    history = framework.descriptor_history(org["db"], empathy(org["db"]))
    assert [d.version for d in history if d.level == 1] == [2, 1]


def test_team_lead_records_an_assessment_and_a_missing_evidence_is_named(org):
    app = page(org["lead"], ASSESSMENTS)
    app.selectbox(key="assess_person").set_value(org["agent"].employee_id).run()
    button(app, "Record assessment").click().run()
    assert any("Evidence" in error and "at least" in error for error in errors(app))
    assert org["db"].scalar("SELECT count(*) FROM assessments") == 0
    (evidence,) = [area for area in app.text_area if area.label == "Evidence"]
    evidence.input("Listened to three calls: calm and clear with an upset customer.")
    button(app, "Record assessment").click().run()
    assert not errors(app)
    row = org["db"].query_one("SELECT employee_id, assessor_id FROM assessments")
    assert row == {"employee_id": org["agent"].employee_id, "assessor_id": org["lead"].employee_id}
    assert [p for p in app.selectbox(key="assess_person").options] == ["Ada Agent"]


def test_agent_acknowledges_their_assessment(org):
    assessment_id = an_assessment(org)
    app = page(org["agent"], ASSESSMENTS)
    assert [tab.label for tab in app.tabs] == ["My assessments"]
    button(app, "Acknowledge").click().run()
    assert assessments.get_assessment(org["db"], org["agent"], assessment_id).status == "acknowledged"


def test_agent_appeals_and_hr_upholds_it(org):
    assessment_id = an_assessment(org, level=2)
    app = page(org["agent"], ASSESSMENTS)
    (reason,) = [area for area in app.text_area if area.label == "Reason for appealing"]
    reason.input("The call reviewed was transferred to me half-way through.")
    button(app, "Appeal").click().run()
    assert not errors(app), errors(app)
    assert assessments.get_assessment(org["db"], org["agent"], assessment_id).status == "appealed"
    hr_view = page(org["hr"], ASSESSMENTS)
    assert "Appeals" in [tab.label for tab in hr_view.tabs]
    (outcome,) = [r for r in hr_view.radio if r.label == "Outcome"]
    outcome.set_value("upheld")
    (note,) = [area for area in hr_view.text_area if area.label == "Resolution note or reason for rejecting"]
    note.input("Two further calls show the proficient behaviour.")
    button(hr_view, "Resolve appeal").click().run()
    seen = assessments.get_assessment(org["db"], org["agent"], assessment_id)
    assert (seen.status, seen.current_level) == ("upheld", 3)
    assert appeals.appeals_queue(org["db"], org["hr"]) == []


def test_agent_sees_only_their_own_assessments(org):
    an_assessment(org)
    app = page(org["other_agent"], ASSESSMENTS)
    assert any("no assessments yet" in info.value for info in app.info)
    assert "Acknowledge" not in [b.label for b in app.button]


def test_team_lead_sees_the_matrix_of_their_team_and_an_agent_cannot_open_it(org):
    an_assessment(org, level=2)
    app = page(org["lead"], MATRIX)
    tables = [t.value for t in app.dataframe if "Person" in t.value.columns or "full_name" in t.value.columns]
    names = set(tables[0]["full_name"]) if tables else set()
    assert names == {"Ada Agent", "Lee Lead"}
    assert any(b.label.startswith("Assign") for b in app.button)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(signed_in_as(org["agent"]), MATRIX)


def test_team_lead_assigns_a_gap_course_in_one_step_and_is_told_who_already_had_it(org):
    an_assessment(org, level=2)  # empathy: developing, proficient required
    course = org["db"].scalar("SELECT id FROM courses WHERE code = 'CS-EMPATHY'")
    key = f"team_{org['team']}_{empathy(org['db'])}_{course}"
    app = page(org["lead"], MATRIX)
    app.button(key=key).click().run()
    assert not app.exception and not errors(app)
    assigned = org["db"].query("SELECT employee_id FROM training_assignments WHERE course_id = ?", [course])
    assert org["agent"].employee_id in {row["employee_id"] for row in assigned}
    assert any("Assigned to" in toast.value for toast in app.toast)
    app.button(key=key).click().run()  # everyone below requirement holds it now
    assert not any("Assigned to" in toast.value for toast in app.toast)
    assert any("Nobody was assigned" in shown(info.value) and "Ada Agent" in shown(info.value) for info in app.info)


def test_the_assessment_pages_read_in_words_not_codes(org):
    db = org["db"]
    floor = {"kind": "integrated", "minutes": 10, "shared_notes": "Good opening."}
    sessions.record_session(
        db, org["lead"], {"employee_id": org["agent"].employee_id, "coached_on": date.today(), **floor}
    )
    an_assessment(org)
    app = page(org["lead"], ASSESSMENTS)
    app.selectbox(key="assess_person").set_value(org["agent"].employee_id).run()
    (linked,) = [box for box in app.selectbox if box.label == "Coaching session (optional)"]
    assert linked.options[0] == "No session" and "Integrated (on the floor)" in linked.options[1]
    team_table = next(t.value for t in app.dataframe if "method" in t.value.columns)
    assert set(team_table["method"]) == {"Framework"}
    requirements.set_requirement(db, org["hr"], empathy(db), Role.AGENT, 0, team_id=org["team"])
    framework_page = page(org["agent"], FRAMEWORK)
    framework_page.selectbox(key="framework_competency").set_value(empathy(db)).run()
    levels = next(t.value for t in framework_page.dataframe if "required level" in t.value.columns)
    assert "Nothing required" in set(levels["required level"]) and "None" not in set(levels["required level"])


def test_the_agent_reads_who_resolved_their_appeal_and_how(org):
    assessment_id = an_assessment(org, level=2)
    appeals.appeal(org["db"], org["agent"], assessment_id, "The call reviewed was transferred to me.", None)
    appeals.resolve_appeal(org["db"], org["hr"], assessment_id, "upheld", "Two more calls show it.", None, new_level=3)
    app = page(org["agent"], ASSESSMENTS)
    assert "Appeal upheld by Hana Resources" in [shown(c.value) for c in app.caption]


def test_the_organisation_matrix_holds_people_without_a_team(org):
    app = page(org["hr"], MATRIX)
    table = next(t.value for t in app.dataframe if "full_name" in t.value.columns)
    assert "Hana Resources" in set(table["full_name"])  # HR has no team
    assert "Ada Agent" in set(table["full_name"])


def test_an_assessment_shows_the_descriptor_it_was_made_against_after_hr_rewords_it(org):
    db = org["db"]
    before = next(d for d in framework.current_descriptors(db, empathy(db)) if d.level == 2)
    an_assessment(org, level=2)
    framework.edit_descriptor(db, org["hr"], empathy(db), 2, "Names the feeling, then solves; a new wording.", 1)
    app = page(org["agent"], ASSESSMENTS)
    assert before.descriptor in texts(app)
    assert "Names the feeling, then solves; a new wording." not in texts(app)
    assert any("version 1" in caption.value for caption in app.caption)


def test_a_lead_reviewing_another_teams_appeal_opens_the_assessments_page_and_reads_the_appeal(org):
    db = org["db"]
    other_lead = add_person(db, Role.TEAM_LEAD, team_id=create_team(db, org["hr"], "Cove", None), full_name="Cora Cove")
    assessment_id = an_assessment(org)
    appeals.appeal(db, org["agent"], assessment_id, "The call reviewed was transferred to me.", None)
    assert [a.id for a in appeals.appeals_queue(db, other_lead)] == [assessment_id]  # a lead of another team reviews it
    app = open_page(signed_in_as(other_lead), "pages/assessments.py")
    assert not app.exception, app.exception
    assert not errors(app), errors(app)
    assert "The call reviewed was transferred to me." in texts(app)


def test_the_lead_pages_through_every_assessment_of_their_team_and_none_of_another_teams(org):
    from datetime import timedelta

    db, competency = org["db"], empathy(org["db"])
    bay_lead = add_person(db, Role.TEAM_LEAD, team_id=org["other_agent"].team_id, full_name="Bay Lead")
    for lead, person, count in ((org["lead"], org["agent"], 55), (bay_lead, org["other_agent"], 2)):
        for day in range(count):
            data = {
                "employee_id": person.employee_id,
                "competency_id": competency,
                "assessed_on": date.today() - timedelta(days=day),
                "level": 2,
                "evidence": f"Call review {day}.",
            }
            assessments.record_assessment(db, lead, data)
    app = page(org["lead"], ASSESSMENTS)
    assert "Showing 1–50 of 55 assessments" in [c.value for c in app.caption]
    app.number_input(key=f"assessments_page_{org['team']}").set_value(2).run()
    assert not app.exception, app.exception
    assert "Showing 51–55 of 55 assessments" in [c.value for c in app.caption]
    (last_page,) = [t.value for t in app.dataframe if len(t.value) == 5]
    assert set(last_page.iloc[:, list(last_page.columns).index("person")]) == {"Ada Agent"}
    hr_app = page(org["hr"], ASSESSMENTS)
    assert "Showing 1–50 of 57 assessments" in [c.value for c in hr_app.caption]  # HR sees both teams'


def test_the_matrix_shows_a_page_of_people_and_its_statements_do_not_grow_with_them(org):
    """Ten times the people: the same statements per view, a page of the matrix at a time with the
    total, the gaps counting everyone below requirement."""

    def statements_of_a_view(app) -> int:
        app.run()  # figures remembered after a change are read again once
        with counting(all_threads=True) as view:
            app.run()
        assert not app.exception, app.exception
        return view.statements

    app = page(org["hr"], MATRIX)
    few = statements_of_a_view(app)
    for number in range(60):
        add_person(org["db"], Role.AGENT, team_id=org["team"], full_name=f"Agent {number:02d}")
    many = statements_of_a_view(app)
    assert many == few
    people = org["db"].scalar("SELECT count(*) FROM employees WHERE active")
    assert f"Showing 1–50 of {people} people" in [c.value for c in app.caption]
    table = next(t.value for t in app.dataframe if "full_name" in t.value.columns)
    assert len(table) == 50
    gaps = next(t.value for t in app.dataframe if "people_below" in t.value.columns)
    assert gaps["people_below"].max() == people  # nobody is assessed: everyone is below in a required one
    app.text_input(key="gap_person_search").input("Agent 07").run()
    assert app.selectbox(key="gap_person").options == ["Agent 07 (Harbour)"]
    assert any("Empathy" in shown(m.value) for m in app.markdown)  # never assessed: below in each required one
