"""The customer pages in AppTest: an analyst imports survey answers and reads CSAT by channel,
searches the comments and attaches one to a finding, which the finding's page then shows; an
agent sees the scores but neither the comments nor the import."""

from __future__ import annotations

import pytest

from models.access import Role
from models.db import get_database
from tests.conftest import add_person
from tests.pages.apptest import open_page, signed_in_as
from tests.test_customer_surveys import add_finding, add_team
from ui.registry import pages_for

IMPORT = "pages/customer_survey_import.py"
FEEDBACK = "pages/customer_feedback.py"
ANSWERS = (
    b"Date,Channel,Team,Survey type,Score,Comment\n"
    b"2025-03-03,Chat,North,CSAT,5,Anna fixed it in minutes\n"
    b"2025-03-03,Phone,North,CSAT,2,I was transferred three times\n"
    b"2025-03-04,Phone,North,CSAT,4,\n"
    b"2025-03-04,Phone,Nowhere,NPS,9,Good\n"
    b"2025-03-05,Email,North,CSAT,9,\n"
)


def _import(app):
    app.file_uploader(key="survey_upload").set_value(("answers.csv", ANSWERS, "text/csv")).run()
    assert not app.exception
    return app


def _button(app, label: str):
    return next(b for b in app.button if b.label == label)


def test_an_analyst_imports_answers_and_reads_csat_by_channel(portal_env):
    database = get_database(portal_env)
    add_team(database, "North")
    analyst = add_person(database, Role.ANALYST)
    app = _import(open_page(signed_in_as(analyst), IMPORT))
    preview = app.dataframe[0].value
    assert "out of range for CSAT" in preview["problem"].iloc[4]
    assert preview["team"].iloc[3] == "Nowhere (no such team)"

    _button(app, "Import").click().run()
    assert any("Nothing was imported" in e.value for e in app.error)
    app.radio(key="survey_mode").set_value("valid_rows").run()
    _button(app, "Import").click().run()
    assert not app.exception
    assert any("4 imported" in s.value and "1 rejected" in s.value for s in app.success)
    report = next(frame.value for frame in app.dataframe if "outcome" in frame.value.columns)
    assert list(report["row"]) == [5, 4]
    assert list(report["outcome"]) == ["rejected", "imported without a team"]

    app.switch_page(FEEDBACK).run()
    assert not app.exception
    by_channel = next(frame.value for frame in app.dataframe if "channel" in frame.value.columns)
    assert dict(zip(by_channel["channel"], by_channel["value"], strict=True)) == {"Chat": 100.0, "Phone": 50.0}
    assert any("NPS = % promoters (9–10) − % detractors (0–6)" in c.value for c in app.caption)


def test_an_analyst_attaches_a_customers_comment_to_a_finding(portal_env):
    database = get_database(portal_env)
    add_team(database, "North")
    analyst = add_person(database, Role.ANALYST)
    app = _import(open_page(signed_in_as(analyst), IMPORT))
    app.radio(key="survey_mode").set_value("valid_rows").run()
    _button(app, "Import").click().run()
    finding_id = add_finding(database, analyst)

    app.switch_page(FEEDBACK).run()
    app.text_input(key="cf_comment_search").set_value("TRANSFERRED").run()
    found = next(frame.value for frame in app.dataframe if "comment" in frame.value.columns)
    assert list(found["comment"]) == ["I was transferred three times"]
    app.radio(key="cf_attach_kind").set_value("finding").run()
    app.selectbox(key="cf_attach_finding").set_value(finding_id).run()
    _button(app, "Attach").click().run()
    assert not app.exception and not app.error
    assert database.scalar("SELECT count(*) FROM customer_comment_links WHERE finding_id = ?", [finding_id]) == 1

    app.switch_page("pages/complaints_findings.py").run()
    assert not app.exception
    words = next(frame.value for frame in app.dataframe if "comment" in frame.value.columns)
    assert list(words["comment"]) == ["I was transferred three times"]


def test_an_agent_sees_the_scores_but_neither_comments_nor_the_import(portal_env):
    database = get_database(portal_env)
    add_team(database, "North")
    analyst = add_person(database, Role.ANALYST)
    app = _import(open_page(signed_in_as(analyst), IMPORT))
    app.radio(key="survey_mode").set_value("valid_rows").run()
    _button(app, "Import").click().run()

    agent = add_person(database, Role.AGENT)
    titles = [page.title for pages in pages_for(agent).values() for page in pages]
    assert "Customer feedback" in titles and "Import survey answers" not in titles
    app = open_page(signed_in_as(agent), FEEDBACK)
    assert not app.exception
    assert [m.value for m in app.metric if m.label == "Answers"] == ["3"]
    assert not [t for t in app.text_input if t.key == "cf_comment_search"]
    assert not any("transferred" in str(frame.value.to_dict()) for frame in app.dataframe)
    agent_app = signed_in_as(agent)
    agent_app.run()
    with pytest.raises(ValueError, match="navigation page"):
        agent_app.switch_page(IMPORT)
