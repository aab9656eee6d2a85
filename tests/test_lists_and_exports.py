"""Lists that can grow count every match in SQL and page through them; the complaint export
streams every complaint of a filter as formula-safe CSV; XLSX stops at a documented size."""

from __future__ import annotations

import csv
import io

import httpx
import pandas as pd
import pytest
from starlette.applications import Starlette

from models import audit, auth, exports
from models.access import PermissionDeniedError, Role
from models.complaints import rows
from models.complaints.analysis import ComplaintFilter
from models.db import get_database
from models.people import accounts, directory
from tests import async_support
from tests.complaints_support import complaint, import_rows
from tests.conftest import add_person
from tests.lists_support import bulk_audit_entries, bulk_people
from ui import export_routes

FORMULA = '=HYPERLINK("http://x")\n-2+3\n@SUM(A1)'


def test_accounts_beyond_5000_are_all_counted_and_the_last_page_reaches_the_last_one(db, make_user):
    admin = make_user(Role.ADMIN, username="zz-admin")  # last by username
    bulk_people(db, 5_200, with_accounts=True)
    assert accounts.count_accounts(db, admin) == 5_201
    last_page = accounts.list_accounts(db, admin, offset=5_200)
    assert [row.username for row in last_page] == ["zz-admin"]
    assert [row.username for row in accounts.list_accounts(db, admin, search="bulk05123")] == ["bulk05123"]
    assert accounts.count_accounts(db, admin, search="bulk0512") == 10


def test_a_person_picker_searches_every_person_and_says_how_many_match(db, make_user):
    hr = make_user(Role.HR)
    bulk_people(db, 300)
    first, total = directory.find_people(db, hr, "bulk person")
    assert (len(first), total) == (50, 300)
    found, total = directory.find_people(db, hr, "00299")
    assert [person["full_name"] for person in found] == ["Bulk Person 00299"] and total == 1
    assert directory.directory_count(db, hr) == 301
    assert [p.full_name for p in directory.directory(db, hr, offset=299, limit=50)] == [
        "Bulk Person 00299",
        hr.full_name,
    ]


def test_a_search_for_percent_or_underscore_matches_them_as_typed(db, make_user):
    hr = make_user(Role.HR)
    bulk_people(db, 20)
    assert directory.find_people(db, hr, "_")[1] == 0  # no name holds an underscore
    assert directory.find_people(db, hr, "%")[1] == 0


def test_the_audit_log_counts_every_entry_and_pages_through_them(db, make_user):
    admin = make_user(Role.ADMIN)
    bulk_audit_entries(db, 730)
    assert audit.count(db, admin, entity="bulk_record") == 730
    page = audit.search(db, admin, entity="bulk_record", offset=700, limit=50)
    assert [entry.entity_id for entry in page] == [str(n) for n in range(29, -1, -1)]  # newest first


def test_an_actor_picker_finds_actors_by_name(db, make_user):
    admin = make_user(Role.ADMIN, full_name="Ada Admin")
    hr = make_user(Role.HR, full_name="Harriet Hr")
    directory.create_site(db, admin, "North")
    directory.create_site(db, hr, "South")
    assert [row["actor_name"] for row in audit.find_actors(db, "harr")[0]] == ["Harriet Hr"]
    assert audit.find_actors(db)[1] == 2


# -- the streamed complaint CSV ---------------------------------------------------------------
@pytest.fixture
def complaints_db(db, make_user, tmp_path):
    analyst = make_user(Role.ANALYST)
    rows_in = [complaint("2024-03-01", "Fees", narrative=FORMULA, external_id="formula", channel="+Phone")]
    rows_in += [complaint("2024-02-01", "Wait", external_id=f"w{n}", customer_id=f"C{n}") for n in range(136)]
    import_rows(db, analyst, tmp_path, rows_in)
    return db, analyst


def _read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode()), "a byte-order mark, so spreadsheets read accents right"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_streamed_csv_holds_every_complaint_in_pieces_with_formula_safe_cells(complaints_db):
    db, analyst = complaints_db
    pieces = list(rows.csv_chunks(db, analyst, ComplaintFilter(), batch_rows=40))
    assert len(pieces) >= 4  # a header mark and at least four batches: never one whole file
    table = _read_csv(b"".join(pieces))
    assert len(table) == 137
    assert table[0]["external_id"] == "formula"  # newest first
    assert table[0]["narrative"] == "'=HYPERLINK(\"http://x\")\n'-2+3\n'@SUM(A1)"
    assert table[0]["channel"] == "'+Phone"
    lines = [line for row in table for cell in row.values() for line in cell.split("\n")]
    assert [line for line in lines if line.startswith(exports.FORMULA_STARTS)] == []
    assert {row["category"] for row in table} == {"Fees", "Wait"}


def test_the_streamed_csv_cleans_text_stored_before_the_rule_removed_noncharacters(complaints_db):
    db, analyst = complaints_db
    stored = "kept \ufffd, gone \ufffe\uffff\x85"
    db.write(lambda c: c.execute("UPDATE complaints SET narrative = ? WHERE external_id = 'formula'", [stored]))
    table = _read_csv(b"".join(rows.csv_chunks(db, analyst, ComplaintFilter(categories=["Fees"]))))
    assert [row["narrative"] for row in table] == [exports.neutralise(stored)] == ["kept \ufffd, gone "]


def test_a_narrative_longer_than_an_xlsx_cell_is_found_for_its_filter_and_is_whole_in_the_csv(db, make_user, tmp_path):
    analyst = make_user(Role.ANALYST)
    narrative = "The bank charged me twice. " * 1777 + "I want my money back now"  # 48,003 characters
    rows_in = [complaint("2024-03-01", "Fees", narrative=narrative, external_id="long")]
    rows_in += [complaint("2024-02-01", "Wait", narrative="=1\n" * 9_999 + "=1", external_id="formulas")]
    import_rows(db, analyst, tmp_path, rows_in)
    assert db.scalar("SELECT length(narrative) FROM complaints WHERE external_id = 'long'") == 48_003
    assert rows.longest_beyond_xlsx(db, analyst, ComplaintFilter()) == exports.LongCell("narrative", 48_003)
    # 29,999 characters stored, 39,999 written: every line gets its apostrophe
    waits = ComplaintFilter(categories=["Wait"])
    assert rows.longest_beyond_xlsx(db, analyst, waits) == exports.LongCell("narrative", 39_999)
    assert rows.longest_beyond_xlsx(db, analyst, ComplaintFilter(), {"category": "Nothing"}) is None
    fees = _read_csv(b"".join(rows.csv_chunks(db, analyst, ComplaintFilter(categories=["Fees"]))))
    assert [row["narrative"] for row in fees] == [narrative]
    with pytest.raises(PermissionDeniedError):
        rows.longest_beyond_xlsx(db, make_user(Role.TEAM_LEAD), ComplaintFilter())


def test_the_streamed_csv_follows_the_filter_and_the_drill_down(complaints_db):
    db, analyst = complaints_db
    fees = _read_csv(b"".join(rows.csv_chunks(db, analyst, ComplaintFilter(categories=["Fees"]))))
    assert [row["external_id"] for row in fees] == ["formula"]
    none = _read_csv(b"".join(rows.csv_chunks(db, analyst, ComplaintFilter(), {"category": "Nothing"})))
    assert none == []


def test_only_people_who_see_raw_complaints_get_the_csv(complaints_db, make_user):
    db, _ = complaints_db
    with pytest.raises(PermissionDeniedError):
        rows.csv_chunks(db, make_user(Role.TEAM_LEAD), ComplaintFilter())  # refused before any piece


def _get(address: str, cookie: str | None = None) -> httpx.Response:
    """The portal's download route answering a browser that holds ``cookie``."""

    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=Starlette(routes=export_routes.routes()))
        cookies = {auth.SESSION_COOKIE: cookie} if cookie else None
        async with httpx.AsyncClient(transport=transport, base_url="http://portal", cookies=cookies) as client:
            return await client.get(address)

    return async_support.run(fetch())


def _session_cookie(database, user) -> str:
    from datetime import timedelta

    from models.settings import get_settings

    session = auth.redeem_grant(database, auth.issue_grant(database, user), timedelta(hours=1))
    return auth.sign_cookie(get_settings().signing_key(), session)


def test_the_download_route_streams_the_csv_to_a_signed_in_analyst(portal_env, tmp_path):
    database = get_database(portal_env)
    analyst = add_person(database, Role.ANALYST)
    import_rows(
        database,
        analyst,
        tmp_path,
        [complaint("2024-01-0" + str(day), "Fees", narrative="-1", external_id=str(day)) for day in range(1, 8)],
    )
    address = export_routes.complaints_csv_address(ComplaintFilter(), {"category": "Fees"})
    response = _get(address, _session_cookie(database, analyst))
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="complaints.csv"'
    table = _read_csv(response.content)
    assert len(table) == 7 and {row["narrative"] for row in table} == {"'-1"}


def test_the_download_route_refuses_strangers_and_people_without_the_permission(portal_env):
    database = get_database(portal_env)
    agent = add_person(database)
    address = export_routes.complaints_csv_address(ComplaintFilter())
    assert _get(address).status_code == 401
    assert _get(address, _session_cookie(database, agent)).status_code == 403
    analyst = _session_cookie(database, add_person(database, Role.ANALYST))
    assert _get(export_routes.COMPLAINTS_CSV_ROUTE + "?filter=nonsense", analyst).status_code == 400
    assert _get(address, analyst).status_code == 200


# -- XLSX size --------------------------------------------------------------------------------
def test_an_xlsx_longer_than_the_documented_limit_is_refused_and_one_at_it_is_built(monkeypatch):
    monkeypatch.setattr(exports, "XLSX_ROW_LIMIT", 10)
    with pytest.raises(ValueError, match="more than an XLSX download holds"):
        exports.to_xlsx_bytes(pd.DataFrame({"n": range(11)}))
    assert len(pd.read_excel(io.BytesIO(exports.to_xlsx_bytes(pd.DataFrame({"n": range(10)}))))) == 10
