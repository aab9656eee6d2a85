"""Long lists on the pages: a visible total, the next page, searches that reach beyond the first
page, pickers that search; and downloads that are built only when a button is clicked."""

from __future__ import annotations

import io
from collections import Counter

import pandas as pd
import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from models import exports
from models.access import Role
from models.db import get_database
from tests.complaints_support import complaint, import_rows
from tests.conftest import add_person
from tests.lists_support import bulk_audit_entries, bulk_people
from tests.pages.apptest import open_page, signed_in_as


def _captions(app) -> list[str]:
    return [caption.value for caption in app.caption]


def _page_number(app, key: str):
    return app.number_input(key=key)


# -- accounts ---------------------------------------------------------------------------------
def test_accounts_beyond_5000_show_their_total_and_the_last_page_holds_the_last_account(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN, username="zz-admin")  # last by username
    bulk_people(database, 5_200, with_accounts=True)
    app = open_page(signed_in_as(admin), "pages/admin_accounts.py")
    assert not app.exception
    assert "Showing 1–50 of 5,201 accounts" in _captions(app)
    assert list(app.dataframe[0].value["Username"])[:2] == ["bulk00000", "bulk00001"]
    _page_number(app, "accounts_page").set_value(2).run()
    assert "Showing 51–100 of 5,201 accounts" in _captions(app)
    assert list(app.dataframe[0].value["Username"])[0] == "bulk00050"
    _page_number(app, "accounts_page").set_value(105).run()
    assert list(app.dataframe[0].value["Username"]) == ["zz-admin"]  # not cut at 5,000


def test_account_search_and_the_reset_picker_reach_an_account_beyond_the_first_page(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN, username="zz-admin")
    bulk_people(database, 300, with_accounts=True)
    app = open_page(signed_in_as(admin), "pages/admin_accounts.py")
    account_box = next(box for box in app.selectbox if box.label == "Account")
    assert len(account_box.options) == 50
    assert "Showing the first 50 of 301 matches; type more to narrow them." in _captions(app)
    app.text_input(key="reset_search").input("bulk00287").run()
    account_box = next(box for box in app.selectbox if box.label == "Account")
    assert account_box.options == ["bulk00287 — Bulk Person 00287"]
    app.text_input[0].input("Person 00299").run()
    assert list(app.dataframe[0].value["Username"]) == ["bulk00299"]
    assert "1 account" in _captions(app)


def test_the_new_account_picker_searches_the_people_without_an_account(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN)
    bulk_people(database, 120)
    app = open_page(signed_in_as(admin), "pages/admin_accounts.py")
    assert "Showing the first 50 of 120 matches; type more to narrow them." in _captions(app)
    app.text_input(key="create_search").input("B119").run()
    person_box = next(box for box in app.selectbox if box.label == "Person without an account")
    assert person_box.options == ["Bulk Person 00119 (B119, bulk119@example.org)"]


# -- people -----------------------------------------------------------------------------------
def test_the_directory_shows_its_total_pages_on_and_searches_beyond_the_first_page(portal_env):
    database = get_database(portal_env)
    hr = add_person(database, Role.HR, full_name="Zoe Hr")
    bulk_people(database, 120)
    app = open_page(signed_in_as(hr), "pages/people.py")
    assert not app.exception
    assert "Showing 1–50 of 121 people" in _captions(app)
    _page_number(app, "people_page").set_value(3).run()
    assert "Showing 101–121 of 121 people" in _captions(app)
    assert list(app.dataframe[0].value["Name"])[-1] == "Zoe Hr"
    app.text_input(key="people_search").input("Person 00117").run()
    assert list(app.dataframe[0].value["Name"]) == ["Bulk Person 00117"]
    assert "1 person" in _captions(app)


def test_the_person_to_edit_is_found_by_a_search_beyond_the_first_fifty(portal_env):
    database = get_database(portal_env)
    hr = add_person(database, Role.HR)
    bulk_people(database, 120)
    app = open_page(signed_in_as(hr), "pages/people.py")
    assert len(app.selectbox(key="edit_person_id").options) == 50
    app.text_input(key="edit_person_search").input("Person 00118").run()
    assert app.selectbox(key="edit_person_id").options == ["Bulk Person 00118 (B118)"]


# -- audit log --------------------------------------------------------------------------------
def test_the_audit_log_shows_every_entry_a_page_at_a_time(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN)
    bulk_audit_entries(database, 620)
    app = open_page(signed_in_as(admin), "pages/admin_audit.py")
    next(box for box in app.selectbox if box.label == "Record kind").set_value("bulk_record").run()
    assert "Showing 1–50 of 620 entries" in _captions(app)  # no longer "at most 500"
    _page_number(app, "audit_page").set_value(13).run()
    assert "Showing 601–620 of 620 entries" in _captions(app)
    assert list(app.dataframe[0].value["Record"])[-1] == "Bulk record 0"


# -- complaints -------------------------------------------------------------------------------
@pytest.fixture
def many_complaints(portal_env, tmp_path):
    database = get_database(portal_env)
    analyst = add_person(database, Role.ANALYST)
    rows = [
        complaint(f"2024-01-{day:02d}", "Fees", external_id=f"f{n}-{day}") for n in range(3) for day in range(1, 29)
    ]
    import_rows(database, analyst, tmp_path, rows)
    return database, analyst


def test_the_complaints_behind_a_chart_page_through_all_of_them(many_complaints):
    _, analyst = many_complaints
    app = open_page(signed_in_as(analyst), "pages/complaints_analysis.py")
    app.selectbox(key="drill_category").set_value("Fees").run()
    assert "Showing 1–50 of 84 complaints" in _captions(app)
    _page_number(app, "drill_page").set_value(2).run()
    assert "Showing 51–84 of 84 complaints" in _captions(app)
    rows = next(frame.value for frame in app.dataframe if "narrative" in frame.value.columns)
    assert len(rows) == 34


def test_the_complaint_export_offers_the_streamed_csv_and_says_when_it_is_too_long_for_xlsx(
    many_complaints, monkeypatch
):
    _, analyst = many_complaints
    monkeypatch.setattr(exports, "XLSX_ROW_LIMIT", 80)
    app = open_page(signed_in_as(analyst), "pages/complaints_analysis.py")
    assert not app.exception
    links = [link for link in app.get("link_button") if link.proto.label == "Download CSV"]
    assert links and links[0].proto.url.startswith("/export/complaints.csv?filter=")
    assert any(
        caption.startswith("No XLSX: 84 rows are more than a spreadsheet should hold") for caption in _captions(app)
    )
    monkeypatch.setattr(exports, "XLSX_ROW_LIMIT", 100)
    app.run()
    assert not any(caption.startswith("No XLSX") for caption in _captions(app))
    assert "Download XLSX" in [button.label for button in app.get("download_button")]


def test_a_narrative_longer_than_an_xlsx_cell_gets_the_csv_only_and_the_page_says_why(portal_env, tmp_path):
    database = get_database(portal_env)
    analyst = add_person(database, Role.ANALYST)
    narrative = "The bank charged me twice. " * 1777 + "I want my money back now"  # 48,003 characters
    rows = [complaint("2024-01-02", "Fees", narrative=narrative, external_id="long")]
    rows += [complaint("2024-01-03", "Wait", narrative="Short.", external_id="short")]
    import_rows(database, analyst, tmp_path, rows)
    app = open_page(signed_in_as(analyst), "pages/complaints_analysis.py")
    assert not app.exception
    said = (
        "No XLSX: a text in the column “Narrative” is 48,003 characters long, more than a spreadsheet cell"
        " holds (32,767), and would be cut short. Download the CSV instead: it holds every text whole."
    )
    assert said in _captions(app)
    assert [link.proto.label for link in app.get("link_button")] == ["Download CSV"]
    app.selectbox(key="drill_category").set_value("Wait").run()  # its complaints all fit
    assert _captions(app).count(said) == 1  # the export of every complaint still says it
    assert len(app.get("link_button")) == 2


# -- downloads built on click -----------------------------------------------------------------
@pytest.fixture
def builds(monkeypatch) -> Counter:
    """How many CSV and XLSX files were built."""
    counted: Counter = Counter()
    for name in ("to_csv_bytes", "to_xlsx_bytes"):
        original = getattr(exports, name)

        def counting(*args, _name=name, _original=original, **kwargs):
            counted[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(exports, name, counting)
    return counted


@pytest.mark.parametrize(
    ("role", "page"),
    [
        (Role.ADMIN, "pages/admin_accounts.py"),
        (Role.ADMIN, "pages/admin_audit.py"),
        (Role.HR, "pages/people.py"),
        (Role.ANALYST, "pages/complaints_analysis.py"),
    ],
)
def test_no_download_is_built_when_a_page_runs_or_reruns(many_complaints, builds, role, page):
    database, _ = many_complaints
    bulk_people(database, 60, with_accounts=True)
    app = open_page(signed_in_as(add_person(database, role)), page)
    app.run()
    app.run()
    assert not app.exception
    assert len(app.get("download_button")) >= 2
    assert builds == Counter()


def _download_page() -> None:
    import pandas as pd

    from ui.widgets import download_buttons

    download_buttons(pd.DataFrame({"name": ["=cmd", "Ann"]}), "names", key="names")


@pytest.fixture
def handed(monkeypatch) -> dict[str, object]:
    """What each download button was handed to build its file, by the button's label."""
    handed: dict[str, object] = {}
    original = DeltaGenerator.download_button

    def recording(self, label, data, *args, **kwargs):
        handed[label] = data
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    return handed


def test_a_download_button_builds_its_file_from_the_table_when_clicked(portal_env, builds, handed):
    app = AppTest.from_function(_download_page)
    app.run()
    app.run()
    assert not app.exception and builds == Counter()
    assert callable(handed["Download CSV"]) and callable(handed["Download XLSX"])
    assert handed["Download CSV"]().decode("utf-8-sig").splitlines() == ["name", "'=cmd", "Ann"]
    assert builds["to_csv_bytes"] == 1  # built when the click asked for it
    workbook = pd.read_excel(io.BytesIO(handed["Download XLSX"]()))
    assert list(workbook["name"]) == ["'=cmd", "Ann"]


def _long_text_page() -> None:
    import pandas as pd

    from ui.widgets import download_buttons

    narrative = "The bank charged me twice. " * 1777 + "I want my money back now"  # 48,003 characters
    download_buttons(pd.DataFrame({"Comment": ["Fine.", narrative]}), "comments", key="comments")


def test_a_table_holding_a_text_longer_than_a_spreadsheet_cell_is_offered_as_csv_only(portal_env, handed):
    app = AppTest.from_function(_long_text_page)
    app.run()
    assert [button.label for button in app.get("download_button")] == ["Download CSV"]
    assert app.caption[0].value == (
        "No XLSX: a text in the column “Comment” is 48,003 characters long, more than a spreadsheet cell"
        " holds (32,767), and would be cut short. Download the CSV instead: it holds every text whole."
    )
    written = pd.read_csv(io.BytesIO(handed["Download CSV"]()), encoding="utf-8-sig")
    assert [len(text) for text in written["Comment"]] == [5, 48_003]


def _long_table_page() -> None:
    import pandas as pd

    from ui.widgets import download_buttons

    download_buttons(pd.DataFrame({"n": range(100_001)}), "long", key="long")


def test_a_table_longer_than_a_spreadsheet_should_hold_is_offered_as_csv_only(portal_env):
    app = AppTest.from_function(_long_table_page)
    app.run()
    assert [button.label for button in app.get("download_button")] == ["Download CSV"]
    assert app.caption[0].value == (
        "No XLSX: 100,001 rows are more than a spreadsheet should hold (at most 100,000 rows here). "
        "Download the CSV instead."
    )
