"""Complaint pages in AppTest: filters narrow the analysis, agents see aggregates only,
and the import page maps, previews and imports an uploaded file."""

from __future__ import annotations

from datetime import date

import pytest

from models.access import Role
from models.complaints import findings
from models.complaints.analysis import ComplaintFilter
from models.db import get_database
from tests.complaints_support import complaint, import_rows
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as
from ui.registry import pages_for

ANALYSIS = "pages/complaints_analysis.py"
SECRET = "Customer 4411 says her card number is 1234"


@pytest.fixture
def seeded(portal_env, tmp_path):
    database = get_database(portal_env)
    analyst = add_person(database, Role.ANALYST, full_name="Ann Analyst")
    rows = [complaint("2024-01-10", "Fees", channel="Phone", narrative=SECRET, external_id="1")]
    rows += [complaint("2024-01-11", "Fees", channel="Email", external_id=f"f{i}") for i in range(3)]
    rows += [complaint("2024-02-11", "Wait", channel="Phone", customer_id="C1", external_id=f"w{i}") for i in range(2)]
    import_rows(database, analyst, tmp_path, rows)
    return database, analyst


def _metric(app, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def _texts(app) -> str:
    return " ".join(
        [str(t.value) for t in app.text] + [str(m.value) for m in app.markdown] + [str(c.value) for c in app.caption]
    )


def _frames(app) -> list:
    return [frame.value for frame in app.dataframe]


def test_analysis_page_shows_figures_and_filters_narrow_them(seeded):
    database, analyst = seeded
    app = open_page(signed_in_as(analyst), ANALYSIS)
    assert not app.exception
    assert _metric(app, "Complaints") == "6"
    assert "Vital few" in _texts(app)
    assert "smallest set of categories" in _texts(app)
    app.multiselect(key="cf_channels").set_value(["Phone"]).run()
    assert not app.exception
    assert _metric(app, "Complaints") == "3"
    app.date_input(key="cf_period").set_value((date(2024, 2, 1), date(2024, 2, 11))).run()
    assert _metric(app, "Complaints") == "2"


def test_analyst_drills_down_to_the_complaints_with_their_narratives(seeded):
    database, analyst = seeded
    app = open_page(signed_in_as(analyst), ANALYSIS)
    app.selectbox(key="drill_category").set_value("Fees").run()
    assert not app.exception
    assert "4 complaints" in _texts(app)
    narratives = [value for frame in _frames(app) if "narrative" in frame.columns for value in frame["narrative"]]
    assert SECRET in narratives


def test_an_agent_sees_aggregates_but_never_a_narrative(seeded):
    database, _ = seeded
    agent = add_person(database, Role.AGENT)
    app = open_page(signed_in_as(agent), ANALYSIS)
    assert not app.exception
    assert _metric(app, "Complaints") == "6"
    app.selectbox(key="drill_category").set_value("Fees").run()
    assert not app.exception
    assert "4 complaints" in _texts(app)
    assert "Only analysts and leaders see individual complaints" in _texts(app)
    assert all("narrative" not in frame.columns for frame in _frames(app))
    assert SECRET not in _texts(app)
    assert not [b for b in app.button if b.key == "export_prepare"]


def test_an_analyst_records_a_finding_from_the_current_filter(seeded):
    database, analyst = seeded
    app = open_page(signed_in_as(analyst), ANALYSIS)
    app.multiselect(key="cf_categories").set_value(["Fees"]).run()
    app.text_input(key="why_1").input("The fee schedule changed without notice")
    form_title = next(t for t in app.text_input if t.label == "Title")
    form_title.input("Fee surprises")
    next(t for t in app.text_area if t.label == "Description").input("Customers were not told.")
    next(b for b in app.button if b.label == "Record finding").click().run()
    assert not app.exception
    assert any("recorded" in s.value for s in app.success)
    [finding] = findings.list_findings(database, analyst)
    assert finding.complaint_filter.categories == ["Fees"] and finding.snapshot["complaints"] == 4


def test_a_finding_with_missing_fields_names_them_and_keeps_what_was_typed(seeded):
    database, analyst = seeded
    app = open_page(signed_in_as(analyst), ANALYSIS)
    next(t for t in app.text_input if t.label == "Title").input("Fee surprises")
    next(b for b in app.button if b.label == "Record finding").click().run()
    assert any("5 whys" in e.value for e in app.error)
    assert next(t for t in app.text_input if t.label == "Title").value == "Fee surprises"
    assert database.scalar("SELECT count(*) FROM findings") == 0


def test_findings_page_shows_counts_then_and_now(seeded, tmp_path):
    database, analyst = seeded
    evidence = ComplaintFilter(categories=["Fees"])
    data = {
        "title": "Fee surprises",
        "description": "Customers were not told.",
        "root_cause": "communication",
        "five_whys": ["No letter was sent"],
    }
    findings.create_finding(database, analyst, data, evidence)
    import_rows(database, analyst, tmp_path, [complaint("2024-03-01", "Fees", external_id="new")], "more.csv")
    app = open_page(signed_in_as(analyst), "pages/complaints_findings.py")
    assert not app.exception
    assert _metric(app, "Complaints") == "5"
    evidence_table = next(frame for frame in _frames(app) if "when recorded" in frame.columns)
    assert list(evidence_table.iloc[0][["when recorded", "now"]]) == ["4", "5"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.AGENT, {"Complaint analysis", "Customer feedback"}),
        (Role.LEADERSHIP, {"Complaint analysis", "Customer feedback", "Findings"}),
        (
            Role.ANALYST,
            {"Complaint analysis", "Customer feedback", "Findings", "Import complaints", "Import survey answers"},
        ),
    ],
)
def test_the_complaints_section_lists_only_the_pages_a_role_may_open(seeded, role, expected):
    database, _ = seeded
    person = add_person(database, role)
    assert {page.title for page in pages_for(person)["Complaints"]} == expected


IMPORT = "pages/complaints_import.py"


def _upload(app, name: str, content: bytes):
    app.file_uploader(key="complaint_upload").set_value((name, content, "text/csv")).run()
    assert not app.exception
    return app


def test_import_page_maps_previews_and_reports_rejected_rows_by_number(portal_env, tmp_path):
    database = get_database(portal_env)
    analyst = add_person(database, Role.ANALYST)
    content = b"Date received,Issue,Submitted via,Complaint ID\n2024-01-02,Fees,Web,1\n31/31/2024,Fees,Web,2\n"
    app = _upload(open_page(signed_in_as(analyst), IMPORT), "export.csv", content)
    assert app.selectbox(key=next(k for k in _keys(app) if k.endswith("_received_date"))).value == "Date received"
    preview = app.dataframe[0].value
    assert list(preview["record"]) == [1, 2] and "not a date" in preview["problem"].iloc[1]

    next(b for b in app.button if b.label == "Import").click().run()
    assert any("Nothing was imported" in e.value for e in app.error)
    report = next(frame.value for frame in app.dataframe if "reason" in frame.value.columns)
    assert list(report["row"]) == [2] and list(report["column"]) == ["Date received"]
    assert database.scalar("SELECT count(*) FROM complaints") == 0

    app.radio(key="import_mode").set_value("valid_rows").run()
    next(b for b in app.button if b.label == "Import").click().run()
    assert any("1 imported" in s.value for s in app.success)
    assert database.scalar("SELECT count(*) FROM complaints") == 1


def test_import_page_names_an_encoding_problem_and_reads_the_file_in_the_chosen_encoding(portal_env):
    database = get_database(portal_env)
    analyst = add_person(database, Role.ANALYST)
    app = _upload(
        open_page(signed_in_as(analyst), IMPORT), "latin.csv", b"Received date,Category / issue\n2024-01-01,Caf\xe9\n"
    )
    assert any("not UTF-8" in shown(e.value) for e in app.error)
    app.selectbox(key="import_encoding").set_value("cp1252").run()
    assert not app.error, [e.value for e in app.error]
    assert list(app.dataframe[0].value["category"]) == ["Café"]


def _keys(app) -> list[str]:
    return [widget.key for widget in app.selectbox if widget.key]


def test_a_column_name_from_the_file_is_shown_as_text_not_as_a_link(portal_env):
    database = get_database(portal_env)
    analyst = add_person(database, Role.ANALYST)
    content = b"[x](https://example.org),Other\n1,2\n"
    app = _upload(open_page(signed_in_as(analyst), IMPORT), "links.csv", content)
    quoting = [e.value for e in app.error if "none of its columns" in e.value]
    assert quoting, [e.value for e in app.error]
    assert "\\[x\\]\\(https" in quoting[0]
    assert "[x](" not in quoting[0]
    assert quoting[0].startswith("**File**: ")


def _countshown(app) -> str:
    return next(m.value for m in app.markdown if m.value.endswith(("complaint**", "complaints**")))


def test_drill_choices_combine_and_clear_then_work_again(seeded):
    database, analyst = seeded
    app = open_page(signed_in_as(analyst), ANALYSIS)
    app.selectbox(key="drill_category").set_value("Fees").run()
    assert _countshown(app) == "**4 complaints**"
    app.selectbox(key="drill_channel").set_value("Phone").run()
    assert _countshown(app) == "**1 complaint**"  # both choices apply, the second does not replace the first
    next(b for b in app.button if b.key == "drill_clear").click().run()
    assert app.selectbox(key="drill_category").value is None and app.selectbox(key="drill_channel").value is None
    assert not [m for m in app.markdown if m.value.endswith(("complaint**", "complaints**"))]
    app.selectbox(key="drill_category").set_value("Fees").run()
    assert _countshown(app) == "**4 complaints**"


def test_a_chart_click_shows_in_the_drill_choices_and_a_choice_narrows_it(seeded):
    database, analyst = seeded
    app = open_page(signed_in_as(analyst), ANALYSIS)
    app.session_state["drill_category"] = "Wait"  # what a click on the Wait bar of the Pareto sets
    app.run()
    assert app.selectbox(key="drill_category").value == "Wait"
    assert _countshown(app) == "**2 complaints**"
    app.selectbox(key="drill_month").set_value(date(2024, 2, 1)).run()
    assert _countshown(app) == "**2 complaints**" and "month: 2024-02" in _texts(app)


def _headers(app, column: str) -> list[str]:
    import json

    return [
        json.loads(frame.proto.columns).get(column, {}).get("label")
        for frame in app.dataframe
        if column in frame.value.columns
    ]


def test_tables_have_headers_in_words_and_dates_as_dates(seeded):
    import json

    database, analyst = seeded
    app = open_page(signed_in_as(analyst), ANALYSIS)
    assert _headers(app, "repeating_customers") == ["Repeating customers"]
    app.selectbox(key="drill_category").set_value("Fees").run()
    drill = next(frame for frame in app.dataframe if "narrative" in frame.value.columns)
    config = json.loads(drill.proto.columns)
    assert config["received_date"]["label"] == "Received date"
    assert config["received_date"]["type_config"] == {"type": "date", "format": "YYYY-MM-DD"}


def test_a_single_date_in_the_period_is_that_day(seeded):
    database, analyst = seeded
    app = open_page(signed_in_as(analyst), ANALYSIS)
    app.date_input(key="cf_period").set_value((date(2024, 1, 11),)).run()
    assert not app.exception
    assert _metric(app, "Complaints") == "3"
    assert "choose a second date" in _texts(app)


def _import_button(app):
    return next(b for b in app.button if b.label == "Import")


def test_the_preview_says_which_date_order_it_chose_from_the_whole_column(portal_env):
    database = get_database(portal_env)
    analyst = add_person(database, Role.ANALYST)
    content = b"Date received,Issue\n5/3/24,Fees\n25/3/24,Wait\n"
    app = _upload(open_page(signed_in_as(analyst), IMPORT), "dayfirst.csv", content)
    order = next(s for s in app.selectbox if s.label == "Date order — Received date")
    assert order.value == "DMY"
    assert any("read as day/month/year: 2 of its 2 dates like 25/3/24 fit" in shown(c.value) for c in app.caption)
    assert [str(d.date()) for d in app.dataframe[0].value["received_date"]] == ["2024-03-05", "2024-03-25"]
    _import_button(app).click().run()
    assert any("2 imported" in s.value for s in app.success)


def test_a_date_column_that_fits_two_orders_is_flagged_and_import_waits_for_a_choice(portal_env):
    database = get_database(portal_env)
    analyst = add_person(database, Role.ANALYST)
    content = b"Date received,Issue\n3/5/2020,Fees\n4/6/2020,Wait\n"
    app = _upload(open_page(signed_in_as(analyst), IMPORT), "tied.csv", content)
    assert any("fit month/day/year and day/month/year equally" in shown(w.value) for w in app.warning)
    order = next(s for s in app.selectbox if s.label == "Date order — Received date")
    assert order.value is None and _import_button(app).disabled
    order.set_value("DMY").run()
    assert not _import_button(app).disabled
    assert str(app.dataframe[0].value["received_date"].iloc[0].date()) == "2020-05-03"
    _import_button(app).click().run()
    assert database.scalar("SELECT min(received_date) FROM complaints").isoformat() == "2020-05-03"


def _report_workbook() -> bytes:
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Cover"
    workbook.active.append(["Complaints report"])
    data = workbook.create_sheet("Data")
    data.append(["Exported from the CRM"])
    data.append(["Notes: none"])
    data.append(["Date received", "Issue", "Complaint ID"])
    data.append(["2024-03-01", "Fees", "1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_workbook_shows_the_sheet_and_header_row_found_and_lets_the_user_choose(portal_env):
    database = get_database(portal_env)
    analyst = add_person(database, Role.ANALYST)
    app = _upload(open_page(signed_in_as(analyst), IMPORT), "report.xlsx", _report_workbook())
    infos = [shown(i.value) for i in app.info]
    assert "Reading sheet 'Data' (found; the workbook has 2 sheets: Cover, Data)." in infos
    assert "The header is on row 3 (found); the rows above it are skipped." in infos
    sheet = next(s for s in app.selectbox if s.label == "Sheet")
    assert sheet.options == ["Cover", "Data"] and sheet.value is None
    assert list(app.dataframe[0].value["category"]) == ["Fees"]

    sheet.set_value("Cover").run()
    assert any("sheet 'Data' has a header on row 3" in shown(e.value) for e in app.error)
    sheet = next(s for s in app.selectbox if s.label == "Sheet")
    sheet.set_value("Data").run()
    next(n for n in app.number_input if n.label == "Header row").set_value(2).run()
    assert any("sheet 'Data' has a header on row 3" in shown(e.value) for e in app.error)
    next(n for n in app.number_input if n.label == "Header row").set_value(3).run()
    assert not app.error, [e.value for e in app.error]
    _import_button(app).click().run()
    assert database.scalar("SELECT count(*) FROM complaints") == 1


def test_repeated_column_names_are_named_in_the_mapping_step(portal_env):
    database = get_database(portal_env)
    analyst = add_person(database, Role.ANALYST)
    content = b"Date received,Issue,Issue\n2024-03-01,Fees,Late fee\n"
    app = _upload(open_page(signed_in_as(analyst), IMPORT), "twice.csv", content)
    assert any("2 columns are named 'Issue'" in shown(i.value) for i in app.info)
    assert "Issue (2)" in next(s for s in app.selectbox if s.key and s.key.endswith("_sub_category")).options


def test_the_analysis_page_says_when_equal_counts_straddle_the_80_percent_line(portal_env, tmp_path):
    database = get_database(portal_env)
    analyst = add_person(database, Role.ANALYST, full_name="Ann Analyst")
    counts = {"Fees": 4, "Wait": 3, "Apps": 1, "Branch": 1, "Cards": 1}
    rows = [complaint("2024-01-10", name, external_id=f"{name}{i}") for name, n in counts.items() for i in range(n)]
    import_rows(database, analyst, tmp_path, rows)
    app = open_page(signed_in_as(analyst), ANALYSIS)
    assert not app.exception
    assert "Apps has as many complaints (1) as Branch, Cards" in _texts(app)


def test_a_findings_heading_carries_its_title(seeded):
    database, analyst = seeded[0], seeded[1]
    finding_id = findings.create_finding(
        database,
        analyst,
        {
            "title": "Fee letters confuse customers",
            "description": "Many ask what the fee is for",
            "root_cause": "process",
        },
        ComplaintFilter(),
    )
    app = open_page(signed_in_as(analyst), "pages/complaints_findings.py")
    assert not app.exception
    assert f"#{finding_id} Fee letters confuse customers" in [shown(h.value) for h in app.header]
