"""AppTest of the service pages: service standards, mystery audits and decision rights, as
the roles that use them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.access import Role
from models.db import get_database, insert_row
from models.standards import audits, compliance, register, rights
from tests.conftest import add_person
from tests.pages.apptest import open_page, set_decimal, signed_in_as
from tests.speakup_helpers import open_cycle, submitted_idea

STANDARDS, AUDITS, RIGHTS = "pages/service_standards.py", "pages/mystery_audits.py", "pages/decision_rights.py"
TODAY = date.today()


@pytest.fixture
def org(portal_env):
    db = get_database(portal_env)
    red = db.write(lambda c: insert_row(c, "teams", {"name": "Red"}))
    people = {
        "db": db,
        "red": red,
        "leader": add_person(db, Role.LEADERSHIP, full_name="Lea Leader"),
        "analyst": add_person(db, Role.ANALYST),
        "lead": add_person(db, Role.TEAM_LEAD, team_id=red),
        "ann": add_person(db, team_id=red, full_name="Ann Agent"),
        "bob": add_person(db, team_id=red, full_name="Bob Agent"),
    }
    people["standard"] = register.add_standard(
        db,
        people["leader"],
        {
            "code": "XFER-CB",
            "title": "After a transfer, the first rep calls back",
            "expectation": "Call the customer back the same day after transferring them.",
            "channels": ["Phone"],
            "owner_id": people["leader"].employee_id,
        },
    )
    people["checklist"] = audits.create_checklist(
        db, people["analyst"], {"name": "Monthly call", "items": [(people["standard"], "pass_fail")]}
    )
    rights.add_right(
        db, people["leader"], {"role": "agent", "remedy": "refund", "limit_amount": 100, "conditions": "Fee in error."}
    )
    return people


def _audit(org, *, agent: str | None, passed: bool, days_ago: int) -> int:
    return audits.record_audit(
        org["db"],
        org["analyst"],
        {
            "checklist_id": org["checklist"],
            "audited_on": TODAY - timedelta(days=days_ago),
            "channel": "Phone",
            "team_id": org["red"],
            "agent_id": org[agent].employee_id if agent else None,
            "results": {org["standard"]: passed},
            "notes": f"Audit note {days_ago}",
        },
    )


def text_of(app) -> str:
    parts = [e.value for e in app.markdown] + [e.value for e in app.text] + [e.value for e in app.caption]
    parts += [e.value for e in app.error] + [e.value for e in app.info] + [e.value for e in app.subheader]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def table_with(app, column: str):
    """The first table showing ``column``."""
    matches = [frame.value for frame in app.dataframe if column in frame.value.columns]
    assert matches, f"no table with {column!r}"
    return matches[0]


def button(app, label: str):
    matches = [b for b in app.button if b.label == label]
    assert matches, f"no button {label!r}; have {[b.label for b in app.button]}"
    return matches[0]


def test_an_agent_reads_the_standards_and_cannot_edit_them(org):
    app = open_page(signed_in_as(org["ann"]), STANDARDS)
    assert not app.exception, app.exception
    assert "After a transfer, the first rep calls back" in text_of(app)
    assert not [b for b in app.button if b.label in ("Add standard", "Save new version")]


def test_leadership_adds_a_standard_from_the_page(org):
    app = open_page(signed_in_as(org["leader"]), STANDARDS)
    app.text_input(key="new_standard_code").input("EMAIL-1H")
    app.text_input(key="new_standard_title").input("Acknowledge an email within an hour")
    app.text_area(key="new_standard_expectation").input("A personal acknowledgement within one hour.")
    app.selectbox(key="new_standard_owner").select(org["leader"].employee_id)
    button(app, "Add standard").click().run()
    assert not app.exception, app.exception
    assert [s.code for s in register.list_standards(org["db"], org["ann"])] == ["EMAIL-1H", "XFER-CB"]


def test_bad_standard_input_is_shown_naming_the_field_and_nothing_is_stored(org):
    app = open_page(signed_in_as(org["leader"]), STANDARDS)
    app.text_input(key="new_standard_code").input("X")
    button(app, "Add standard").click().run()
    assert "Code" in "\n".join(e.value for e in app.error)
    assert len(register.list_standards(org["db"], org["ann"])) == 1


def test_an_agent_sees_their_own_audit_and_not_a_colleagues(org):
    _audit(org, agent="ann", passed=True, days_ago=3)
    _audit(org, agent="bob", passed=False, days_ago=4)
    app = open_page(signed_in_as(org["ann"]), AUDITS)
    assert not app.exception, app.exception
    table = table_with(app, "checklist")
    assert list(table["agent"]) == ["Ann Agent"]
    assert "Compliance" not in [h.value for h in app.header]
    assert not [b for b in app.button if b.label in ("Record audit", "Import")]


def test_an_analyst_records_an_audit_and_makes_a_finding_from_a_failing_standard(org):
    for days in (5, 6):
        _audit(org, agent=None, passed=False, days_ago=days)
    app = open_page(signed_in_as(org["analyst"]), AUDITS)
    assert not app.exception, app.exception
    app.selectbox(key="audit_team").select(org["red"])
    app.radio(key="item_XFER-CB").set_value("Fail")
    app.text_area(key="audit_notes").input("Transferred to billing, no callback.")
    button(app, "Record audit").click().run()
    assert not app.exception, app.exception
    assert org["db"].scalar("SELECT count(*) FROM mystery_audits") == 3
    assert "failed 3 of 3 checks" in text_of(app)
    assert "**XFER-CB** · 0.0 % compliance — 0 of 3 checks complied" in text_of(app)
    button(app, "Make a finding").click().run()
    assert not app.exception, app.exception
    assert org["db"].scalar("SELECT count(*) FROM standard_findings") == 3


def test_a_team_lead_sees_compliance_and_their_teams_audits(org):
    _audit(org, agent="bob", passed=True, days_ago=2)
    app = open_page(signed_in_as(org["lead"]), AUDITS)
    assert not app.exception, app.exception
    assert "Compliance" in [h.value for h in app.header]
    assert list(table_with(app, "checklist")["agent"]) == ["Bob Agent"]
    assert not [b for b in app.button if b.label == "Make a finding"]


def test_an_agent_logs_a_use_above_the_limit_and_is_told_it_is_flagged(org):
    app = open_page(signed_in_as(org["ann"]), RIGHTS)
    assert not app.exception, app.exception
    assert "Fee in error." in table_with(app, "conditions")["conditions"].tolist()
    set_decimal(app, "use_amount", 140.0)
    app.text_input(key="use_reference").input("C-4711")
    button(app, "Log use").click().run()
    assert not app.exception, app.exception
    assert "flagged" in "\n".join(w.value for w in app.warning)
    assert org["db"].query("SELECT amount, over_limit FROM decision_right_uses") == [
        {"amount": 140, "over_limit": True}
    ]
    assert "Use against limits" not in [h.value for h in app.header]


def test_leadership_sees_use_against_limits(org):
    rights.log_use(org["db"], org["ann"], {"remedy": "refund", "used_on": TODAY, "amount": 60})
    app = open_page(signed_in_as(org["leader"]), RIGHTS)
    assert not app.exception, app.exception
    frame = table_with(app, "mean_share_of_limit")
    assert (frame["team"].tolist(), frame["uses"].tolist()) == (["Red"], [1])


def test_the_findings_page_shows_the_audits_a_finding_from_a_standard_rests_on(org):
    for days in (5, 6, 7):
        _audit(org, agent="ann", passed=False, days_ago=days)
    compliance.finding_from_standard(org["db"], org["analyst"], org["standard"], TODAY - timedelta(days=30), TODAY)
    app = open_page(signed_in_as(org["analyst"]), "pages/complaints_findings.py")
    assert not app.exception, app.exception
    assert "Mystery audits as evidence" in [s.value for s in app.subheader]
    evidence = table_with(app, "complies")
    assert len(evidence) == 3 and "agent" not in evidence.columns


# -- the import page ---------------------------------------------------------------------------
IMPORT = "pages/mystery_audit_import.py"


def _upload(app, *rows: str):
    content = "\n".join(["Visit ID,Visit date,Touchpoint,Team,Employee,Question,Outcome,Remarks", *rows]) + "\n"
    app.file_uploader(key="audit_upload").set_value(("shops.csv", content.encode(), "text/csv")).run()
    assert not app.exception, app.exception
    return app


def test_an_analyst_imports_a_shoppers_file_and_a_second_import_adds_nothing(org):
    day = (TODAY - timedelta(days=3)).isoformat()
    rows = (f"V-1,{day},Phone,Red,,XFER-CB,fail,No callback", f"V-2,{day},Phone,Red,,XFER-CB,pass,")
    app = _upload(open_page(signed_in_as(org["analyst"]), IMPORT), *rows)
    preview = table_with(app, "problem")
    assert (preview["team"].tolist(), preview["problem"].tolist()) == (["Red", "Red"], ["", ""])
    button(app, "Import").click().run()
    assert not app.exception, app.exception
    assert "2 audits imported" in "\n".join(s.value for s in app.success)
    assert org["db"].scalar("SELECT count(*) FROM mystery_audits") == 2
    again = _upload(open_page(signed_in_as(org["analyst"]), IMPORT), *rows)
    button(again, "Import").click().run()
    assert "0 audits imported, 2 already in the portal" in "\n".join(s.value for s in again.success)
    assert org["db"].scalar("SELECT count(*) FROM mystery_audits") == 2


def test_a_bad_row_is_reported_by_row_column_and_reason_and_nothing_is_stored(org):
    day = (TODAY - timedelta(days=3)).isoformat()
    app = _upload(
        open_page(signed_in_as(org["analyst"]), IMPORT),
        f"V-1,{day},Phone,Red,,XFER-CB,pass,",
        f"V-2,{day},Phone,Purple,,XFER-CB,pass,",
    )
    button(app, "Import").click().run()
    assert not app.exception, app.exception
    assert "Nothing was imported" in "\n".join(e.value for e in app.error)
    report = table_with(app, "reason")
    assert (report["row"].tolist(), report["column"].tolist()) == ([2], ["Team"])
    assert org["db"].scalar("SELECT count(*) FROM mystery_audits") == 0


def test_only_analysts_reach_the_import(org):
    for person in ("ann", "lead"):
        app = signed_in_as(org[person]).run()
        with pytest.raises(ValueError, match="navigation page"):
            app.switch_page(IMPORT)


def test_an_agent_can_open_only_their_own_audit(org):
    mine = _audit(org, agent="ann", passed=True, days_ago=3)
    _audit(org, agent="bob", passed=False, days_ago=4)
    app = open_page(signed_in_as(org["ann"]), AUDITS)
    assert not app.exception, app.exception
    assert app.selectbox(key="open_audit").options == [str(mine)]
    app.selectbox(key="open_audit").select(mine).run()
    assert "Audit note 3" in text_of(app)
    assert "Audit note 4" not in text_of(app)


# -- changes to rights proposed from an idea or a finding ----------------------------------------
def test_an_ideas_author_proposes_a_change_from_the_board_and_sees_it_with_its_status(org):
    open_cycle(org["db"], org["leader"])
    idea_id = submitted_idea(org["db"], org["ann"])
    app = open_page(signed_in_as(org["ann"]), "pages/idea_board.py")
    assert not app.exception, app.exception
    app.session_state[f"board_details_{idea_id}"] = True  # "Details and comments" opened
    app.run()
    set_decimal(app, f"idea_proposal_{idea_id}_limit", 250.0)
    app.text_area(key=f"idea_proposal_{idea_id}_reason").input("Refunds up to 250 are always approved anyway.")
    button(app, "Propose a change to this right").click().run()
    assert not app.exception, app.exception
    assert org["db"].query("SELECT idea_id, proposed_limit, status FROM decision_right_proposals") == [
        {"idea_id": idea_id, "proposed_limit": 250, "status": "open"}
    ]
    board = open_page(signed_in_as(org["bob"]), "pages/idea_board.py")
    board.session_state[f"board_details_{idea_id}"] = True
    board.run()
    assert not board.exception, board.exception
    shown = table_with(board, "proposed_limit")
    assert shown["status"].tolist() == ["Open — waiting for leadership"]
    assert not [t for t in board.text_area if t.key == f"idea_proposal_{idea_id}_reason"]  # not bob's idea


def test_an_analyst_proposes_a_change_from_a_finding_and_the_finding_lists_it(org):
    for days in (5, 6, 7):
        _audit(org, agent=None, passed=False, days_ago=days)
    compliance.finding_from_standard(org["db"], org["analyst"], org["standard"], TODAY - timedelta(days=30), TODAY)
    app = open_page(signed_in_as(org["analyst"]), "pages/complaints_findings.py")
    app.text_area(key="finding_proposal_conditions").input("Any customer who was transferred gets a callback.")
    app.text_area(key="finding_proposal_reason").input("Callbacks fail in every team's audits.")
    button(app, "Propose a change to this right").click().run()
    assert not app.exception, app.exception
    app = open_page(signed_in_as(org["analyst"]), "pages/complaints_findings.py")
    assert table_with(app, "proposed_conditions")["status"].tolist() == ["Open — waiting for leadership"]


def test_an_agent_reads_the_earlier_versions_of_a_right(org):
    refund = rights.list_rights(org["db"], org["ann"])[0]
    rights.update_right(org["db"], org["leader"], refund.id, {"limit_amount": 150}, refund.version)
    app = open_page(signed_in_as(org["ann"]), RIGHTS)
    assert not app.exception, app.exception
    app.selectbox(key="right_versions").select(refund.id).run()
    history = table_with(app, "changed_by")
    assert history["version"].tolist() == [2, 1]
    assert [float(limit) for limit in history["limit_amount"]] == [150, 100]


# -- long lists -------------------------------------------------------------------------------
def test_an_agent_pages_through_every_audit_of_theirs_with_the_total_shown_and_none_of_a_colleague(org):
    for days in range(1, 56):
        _audit(org, agent="ann", passed=True, days_ago=days)
    _audit(org, agent="bob", passed=False, days_ago=1)
    app = open_page(signed_in_as(org["ann"]), AUDITS)
    assert not app.exception, app.exception
    assert "Showing 1–50 of 55 audits" in text_of(app)
    first = table_with(app, "checklist")
    assert len(first) == 50 and set(first["agent"]) == {"Ann Agent"}
    app.number_input(key="audits_page").set_value(2).run()
    assert not app.exception, app.exception
    assert "Showing 51–55 of 55 audits" in text_of(app)
    second = table_with(app, "checklist")
    assert set(second["agent"]) == {"Ann Agent"}
    assert sorted(first["id"].tolist() + second["id"].tolist()) == sorted(
        row["id"] for row in audits.list_audits(org["db"], org["ann"])
    )  # every audit of hers once, none cut


def test_the_analysts_agent_picker_finds_an_agent_beyond_the_first_options_by_search(org):
    from tests.lists_support import FIRST_BULK_ID, bulk_people

    bulk_people(org["db"], 80)  # with Ann, Bob and their lead: 83 people in teams
    org["db"].write(lambda c: c.execute("UPDATE employees SET team_id = ? WHERE id >= ?", [org["red"], FIRST_BULK_ID]))
    app = open_page(signed_in_as(org["analyst"]), AUDITS)
    assert not app.exception, app.exception
    assert len(app.selectbox(key="audit_agent").options) == 50
    assert "Showing the first 50 of 83 matches; type more to narrow them." in text_of(app)
    app.text_input(key="audit_agent_search").input("Person 00079").run()
    assert app.selectbox(key="audit_agent").options == ["Bulk Person 00079 (Red)"]
    app.selectbox(key="audit_agent").select_index(0)
    app.selectbox(key="audit_team").select(org["red"])
    app.radio(key="item_XFER-CB").set_value("Pass")
    button(app, "Record audit").click().run()
    assert not app.exception, app.exception
    assert org["db"].scalar("SELECT agent_id FROM mystery_audits") == FIRST_BULK_ID + 79


def test_leadership_finds_a_standards_owner_beyond_the_first_options_and_the_owner_stays_on_saving(org):
    from tests.lists_support import FIRST_BULK_ID, bulk_people

    bulk_people(org["db"], 80)  # all named before Lea Leader, the owner of the standard
    app = open_page(signed_in_as(org["leader"]), STANDARDS)
    assert not app.exception, app.exception
    assert len(app.selectbox(key="new_standard_owner").options) == 50
    app.text_input(key="new_standard_owner_search").input("Person 00079").run()
    assert app.selectbox(key="new_standard_owner").options == ["Bulk Person 00079"]
    app.text_input(key="new_standard_code").input("EMAIL-1H")
    app.text_input(key="new_standard_title").input("Acknowledge an email within an hour")
    app.text_area(key="new_standard_expectation").input("A personal acknowledgement within one hour.")
    app.selectbox(key="new_standard_owner").select_index(0)
    button(app, "Add standard").click().run()
    assert not app.exception, app.exception
    owners = {s.code: s.owner_id for s in register.list_standards(org["db"], org["ann"])}
    assert owners == {"EMAIL-1H": FIRST_BULK_ID + 79, "XFER-CB": org["leader"].employee_id}

    app = open_page(signed_in_as(org["leader"]), STANDARDS)
    app.selectbox(key="edit_standard").select(org["standard"]).run()
    prefix = f"standard_{org['standard']}_v1"
    assert app.selectbox(key=f"{prefix}_owner").value == org["leader"].employee_id
    app.text_input(key=f"{prefix}_owner_search").input("Person 0000").run()  # the owner does not match
    assert app.selectbox(key=f"{prefix}_owner").options[0] == "Lea Leader"
    app.text_input(key=f"{prefix}_title").input("After a transfer, the first rep calls back the same day")
    button(app, "Save new version").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    saved = next(s for s in register.list_standards(org["db"], org["ann"]) if s.id == org["standard"])
    assert (saved.version, saved.owner_id) == (2, org["leader"].employee_id)
