"""Cached aggregates are never stale: each family computed, changed through the domain's own
write, computed again and compared with the uncached computation; a rolled-back write moves no
version; readers with different scopes get their own figures; the statement counter counts
reads and writes; and the demo's writes all move the versions of the tables they fill."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pandas as pd
import pytest

from models import backup, cache
from models.access import Role
from models.coaching import kpis as coaching_kpis
from models.coaching import sessions
from models.complaints import analysis
from models.complaints import kpis as complaint_kpis
from models.db import Database, counting, insert_row, next_id
from models.engagement import answers, results, surveys
from models.people import directory
from models.people import kpis as people_kpis
from models.strategy import kpis
from models.training import compliance
from models.training import kpis as training_kpis
from models.training.completions import record_completion
from tests.complaints_support import complaint, import_rows
from tests.conftest import add_person
from tests.training_helpers import add_course, assign

TODAY = date.today()
EVERYTHING = analysis.ComplaintFilter()
DAYS_5 = timedelta(days=5)


def versions(db, *tables: str) -> dict[str, int]:
    return dict(zip(tables, db.data_versions(tables), strict=True))


def a_team(db, name: str) -> int:
    def create(connection):
        site_id = insert_row(connection, "sites", {"name": f"{name} site"})
        return insert_row(connection, "teams", {"name": name, "site_id": site_id})

    return db.write(create)


def cached_twice(function, *args, **kwargs):
    """The figure, asked for twice: the second time it must come from the cache."""
    hits = function.cache.hits
    first = function(*args, **kwargs)
    second = function(*args, **kwargs)
    assert function.cache.hits == hits + 1, f"{function.__name__} was not remembered"
    return first, second


def assert_same(figure, fresh):
    if isinstance(figure, pd.DataFrame):
        pd.testing.assert_frame_equal(figure, fresh)
    else:
        assert figure == fresh


# -- counting statements ------------------------------------------------------------------
def test_the_counter_counts_every_read_and_write_statement_of_its_thread(db):
    with counting() as counter:
        db.query("SELECT 1 AS one")
        db.scalar("SELECT 2")
        db.frame("SELECT 3 AS three")
        db.reader().execute("SELECT 4").fetchall()

        def work(connection):
            connection.execute("CREATE TEMP TABLE scratch (n INTEGER)")
            connection.executemany("INSERT INTO scratch VALUES (?)", [[1], [2], [3]])
            return connection.execute("SELECT count(*) FROM scratch").fetchone()[0]

        assert db.write(work) == 3
    assert counter.statements == 7
    assert counter.queries[4] == "CREATE TEMP TABLE scratch (n INTEGER)"
    with counting() as idle:
        pass
    assert idle.statements == 0


def test_counting_every_thread_sees_the_statements_of_a_page_run_in_another_thread(db):
    def page_script():
        db.query("SELECT 1")
        db.query_one("SELECT 2 AS two")

    with counting() as this_thread, counting(all_threads=True) as process:
        script = threading.Thread(target=page_script)
        script.start()
        script.join()
    assert this_thread.statements == 0
    assert process.statements == 2


# -- data versions -----------------------------------------------------------------------------
def test_a_write_moves_the_versions_of_exactly_the_tables_it_changes(db):
    before = versions(db, "sites", "teams", "employees")
    a_team(db, "Cards")
    after = versions(db, "sites", "teams", "employees")
    assert after == {"sites": before["sites"] + 1, "teams": before["teams"] + 1, "employees": before["employees"]}


def test_a_rolled_back_write_moves_no_version(db):
    before = versions(db, "sites", "teams")

    def half_done(connection):
        insert_row(connection, "sites", {"name": "Never"})
        raise RuntimeError("stopped half-way")

    with pytest.raises(RuntimeError):
        db.write(half_done)
    assert versions(db, "sites", "teams") == before
    assert db.scalar("SELECT count(*) FROM sites WHERE name = 'Never'") == 0


def test_a_change_outside_a_transaction_moves_the_version_too(db):
    before = versions(db, "sites")[("sites")]
    with db.exclusive() as connection:
        connection.execute("INSERT INTO sites (id, name) VALUES (?, 'Outside')", [next_id(connection, "sites")])
    db.reader().execute("UPDATE sites SET name = 'Renamed' WHERE name = 'Outside'")
    assert versions(db, "sites")["sites"] >= before + 2


def test_every_table_the_demo_fills_has_its_version_moved(db, seeded_db):
    """A write path that bypassed the versions would leave a table filled by the demo at the
    version it had on the empty database."""
    demo, _ = seeded_db()
    tables = [
        row["table_name"]
        for row in db.query(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary"
            " AND database_name = current_database() AND schema_name = current_schema()"  # the portal's own
        )
    ]
    counts = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{name}") AS "{name}"' for name in tables)
    empty_rows, demo_rows = db.query_one(counts), demo.query_one(counts)
    empty_versions, demo_versions = versions(db, *tables), versions(demo, *tables)
    filled = [name for name in tables if demo_rows[name] != empty_rows[name] and name != "data_versions"]
    assert "complaints" in filled and "training_completions" in filled
    unmoved = [name for name in filled if demo_versions[name] <= empty_versions[name]]
    assert unmoved == []


# -- each family stays fresh after a write --------------------------------------------------
def test_complaint_figures_follow_an_import(db, make_user, tmp_path):
    analyst = make_user(Role.ANALYST)
    import_rows(db, analyst, tmp_path, [complaint("2025-01-05", "Fees"), complaint("2025-02-07", "Cards")], "a.csv")
    options, _ = cached_twice(analysis._filter_options, db)
    summary, _ = cached_twice(analysis._summary, db, EVERYTHING)
    cached_twice(analysis._pareto, db, EVERYTHING)
    assert analysis.filter_options(db, analyst) == options
    volume, _ = cached_twice(complaint_kpis.complaint_volume, db, date(2024, 1, 1), date(2026, 1, 1))
    assert options["categories"] == ["Cards", "Fees"] and summary["complaints"] == 2

    more = [complaint("2025-03-09", "Delays"), complaint("2025-03-10", "Fees"), complaint("2025-04-01", "Fees")]
    import_rows(db, analyst, tmp_path, more, "b.csv")

    options = analysis.filter_options(db, analyst)
    assert options == analysis._filter_options.uncached(db)
    assert options["categories"] == ["Cards", "Delays", "Fees"]
    assert analysis.summary(db, analyst, EVERYTHING) == analysis._summary.uncached(db, EVERYTHING)
    assert analysis.summary(db, analyst, EVERYTHING)["complaints"] == 5
    assert_same(analysis.pareto(db, analyst, EVERYTHING), analysis._pareto.uncached(db, EVERYTHING))
    assert analysis.pareto(db, analyst, EVERYTHING)["complaints"].tolist() == [3, 1, 1]
    fresh_volume = complaint_kpis.complaint_volume(db, date(2024, 1, 1), date(2026, 1, 1))
    assert fresh_volume == complaint_kpis.complaint_volume.uncached(db, date(2024, 1, 1), date(2026, 1, 1))
    assert fresh_volume != volume


def test_an_entered_kpi_series_follows_a_recorded_measurement(db, make_user):
    leader = make_user(Role.LEADERSHIP)
    kpi = kpis.kpi_by_code(db, "fcr")
    start, end = TODAY - timedelta(days=60), TODAY
    before, _ = cached_twice(kpis._entered_series, db, kpi.id, None, start, end, kpis.ORGANISATION)
    assert before == []
    kpis.record_measurement(db, leader, {"kpi_id": kpi.id, "measured_on": TODAY - timedelta(days=3), "value": 71})
    series = kpis.kpi_series(db, kpi, start=start, end=end)
    assert [point.value for point in series] == [71]
    assert series == kpis._entered_series.uncached(db, kpi.id, None, start, end, kpis.ORGANISATION)


def test_training_compliance_follows_a_recorded_completion(db, make_user):
    hr = make_user(Role.HR)
    person = make_user(team_id=a_team(db, "Cards"))
    course = add_course(db)
    assign(db, person.employee_id, course, assigned_on=TODAY - timedelta(days=40), due_on=TODAY - timedelta(days=5))
    before, _ = cached_twice(compliance.group_compliance, db, hr, on=TODAY)
    kpi_end = TODAY.replace(day=1) + timedelta(days=40)
    cached_twice(training_kpis.training_compliance, db, TODAY - timedelta(days=400), kpi_end)
    assert (before.compliant, before.due, before.overdue) == (0, 1, 1)

    record_completion(
        db,
        hr,
        {"employee_id": person.employee_id, "course_id": course, "completed_on": TODAY - timedelta(days=6)}
        | {"passed": True},
    )

    after = compliance.group_compliance(db, hr, on=TODAY)
    assert after == compliance.group_compliance.uncached(db, hr, on=TODAY)
    assert (after.compliant, after.due, after.overdue) == (1, 1, 0)
    assert_same(compliance.heat_map(db, hr, on=TODAY), compliance.heat_map.uncached(db, hr, on=TODAY))
    monthly = training_kpis.training_compliance(db, TODAY - timedelta(days=400), kpi_end)
    assert monthly == training_kpis.training_compliance.uncached(db, TODAY - timedelta(days=400), kpi_end)


def test_two_team_leads_get_the_compliance_of_their_own_team(db, make_user):
    hr = make_user(Role.HR)
    cards, loans = a_team(db, "Cards"), a_team(db, "Loans")
    course = add_course(db)
    cards_lead = make_user(Role.TEAM_LEAD, team_id=cards)
    loans_lead = make_user(Role.TEAM_LEAD, team_id=loans)
    for team, people in ((cards, 1), (loans, 3)):
        for _ in range(people):
            member = make_user(team_id=team)
            assign(db, member.employee_id, course, assigned_on=TODAY - timedelta(days=40), due_on=TODAY - DAYS_5)
    assert compliance.group_compliance(db, hr, on=TODAY).due == 4
    assert compliance.group_compliance(db, cards_lead, on=TODAY).due == 1
    assert compliance.group_compliance(db, loans_lead, on=TODAY).due == 3
    assert compliance.group_compliance(db, cards_lead, on=TODAY).due == 1  # from the cache, still their own
    summary = compliance.team_summary(db, loans_lead, on=TODAY)
    assert "Cards" not in summary["team"].tolist()


def test_a_remembered_result_changed_by_its_caller_stays_as_computed(db, make_user, tmp_path):
    analyst = make_user(Role.ANALYST)
    import_rows(db, analyst, tmp_path, [complaint("2025-01-05", "Fees")])
    options = analysis.filter_options(db, analyst)
    options["categories"].append("Invented")
    frame = analysis.pareto(db, analyst, EVERYTHING)
    frame.loc[0, "complaints"] = 999
    assert analysis.filter_options(db, analyst)["categories"] == ["Fees"]
    assert analysis.pareto(db, analyst, EVERYTHING)["complaints"].tolist() == [1]


def test_coaching_share_follows_a_recorded_session(db, make_user):
    team = a_team(db, "Cards")
    lead = make_user(Role.TEAM_LEAD, team_id=team)
    person = make_user(team_id=team)
    last_month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
    start, end = last_month - timedelta(days=90), TODAY
    before, _ = cached_twice(coaching_kpis.integrated_coaching_share, db, start, end)
    assert before == []
    data = {"employee_id": person.employee_id, "coached_on": last_month, "kind": "integrated", "minutes": 10}
    sessions.record_session(db, lead, {**data, "shared_notes": "Good call handling"})
    after = coaching_kpis.integrated_coaching_share(db, start, end)
    assert [value for _, value in after] == [100.0]
    assert after == coaching_kpis.integrated_coaching_share.uncached(db, start, end)


def test_attrition_follows_a_person_leaving(db, make_user):
    hr = make_user(Role.HR)
    team = a_team(db, "Cards")
    staying = [make_user(team_id=team) for _ in range(3)]
    leaving = make_user(team_id=team)
    end = TODAY.replace(day=28) + timedelta(days=4)
    end = end.replace(day=1) - timedelta(days=1)  # the last day of this month
    cached_twice(people_kpis.turnover, db, TODAY - timedelta(days=90), end)
    before = people_kpis.attrition(db, TODAY - timedelta(days=90), end)
    directory.set_active(db, hr, leaving.employee_id, False)
    after = people_kpis.attrition(db, TODAY - timedelta(days=90), end)
    assert after != before and after[-1][1] > 0
    assert people_kpis.turnover(db, TODAY - timedelta(days=90), end) == people_kpis.turnover.uncached(
        db, TODAY - timedelta(days=90), end
    )
    assert staying


def test_enps_results_follow_closing_a_survey_and_hiding_a_comment(db, make_user):
    hr = make_user(Role.HR)
    team = a_team(db, "Cards")
    staff = [add_person(db, Role.AGENT, team_id=team) for _ in range(answers.anonymity_threshold() + 1)]
    survey_id = surveys.create_survey(
        db,
        hr,
        {
            "title": "Pulse this quarter",
            "opens_on": TODAY - timedelta(days=1),
            "closes_on": TODAY + timedelta(days=10),
            "questions": [{"text": "I have the tools I need", "scale": "agreement"}],
            "comment_prompt": "Anything else?",
        },
    )
    for number, person in enumerate(staff):
        answers.submit_answer(db, person, survey_id, {"enps": 9, "answers": {1: 4}, "comment": f"Comment {number}"})
    threshold = answers.anonymity_threshold()
    before, _ = cached_twice(results._trend_with, db, TODAY, threshold)
    assert [point.survey_id for point in before] == []

    answers.close_survey(db, hr, survey_id)

    trend = results.enps_trend(db, hr)
    assert [point.survey_id for point in trend] == [survey_id]
    assert trend == results._trend_with.uncached(db, TODAY, threshold)
    seen = results.survey_results(db, hr, survey_id)
    assert len(seen.comments) == len(staff)

    results.hide_comment(db, hr, seen.comments[0].id, reason="Names a colleague")

    again = results.survey_results(db, hr, survey_id)
    assert len(again.comments) == len(staff) - 1
    assert again == results._results_seen.uncached(db, again.survey, threshold, True, None)


def test_customer_scores_follow_an_import_of_survey_answers(db, make_user, tmp_path):
    from models.customers import scores
    from tests.test_customer_surveys import answers_file, run_import

    analyst = make_user(Role.ANALYST)
    january = scores.ScoreFilter(date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))
    run_import(db, analyst, answers_file(tmp_path, [("2025-01-10", "Phone", "", "NPS", 10)], "first.csv"))
    before, _ = cached_twice(scores.score_table, db, "nps", ("channel",), january)
    assert before["value"].tolist() == [100.0]
    cached_twice(scores._split_values, db, "nps", date(2025, 1, 1), date(2025, 1, 31), "channel")

    run_import(db, analyst, answers_file(tmp_path, [("2025-01-20", "Phone", "", "NPS", 0)], "second.csv"))

    after = scores.scores(db, analyst, "nps", ("channel",), january)
    assert after["value"].tolist() == [0.0]  # one promoter and one detractor
    assert_same(after, scores.score_table.uncached(db, "nps", ("channel",), january))
    split = scores.split_kpi("nps")(db, date(2025, 1, 1), date(2025, 1, 31), "channel")
    assert split == [(date(2025, 1, 31), "Phone", 0.0)]


def test_the_overdue_list_follows_a_recorded_completion_and_keeps_each_readers_scope(db, make_user):
    hr = make_user(Role.HR)
    cards, loans = a_team(db, "Cards"), a_team(db, "Loans")
    course = add_course(db)
    in_cards, in_loans = make_user(team_id=cards), make_user(team_id=loans)
    cards_lead = make_user(Role.TEAM_LEAD, team_id=cards)
    for person, days_late in ((in_cards, 5), (in_loans, 9)):
        assign(
            db, person.employee_id, course, assigned_on=TODAY - timedelta(days=40), due_on=TODAY - timedelta(days_late)
        )
    listed, _ = cached_twice(compliance.overdue_list, db, hr, on=TODAY)
    assert listed["person"].tolist() == [in_loans.full_name, in_cards.full_name]  # the longest overdue first
    assert compliance.overdue_list(db, hr, on=TODAY, longest=1)["person"].tolist() == [in_loans.full_name]
    assert compliance.overdue_list(db, cards_lead, on=TODAY)["person"].tolist() == [in_cards.full_name]

    record_completion(
        db,
        hr,
        {"employee_id": in_loans.employee_id, "course_id": course, "completed_on": TODAY - timedelta(days=1)}
        | {"passed": True},
    )

    after = compliance.overdue_list(db, hr, on=TODAY)
    assert after["person"].tolist() == [in_cards.full_name]
    assert_same(after, compliance.overdue_list.uncached(db, hr, on=TODAY))


def test_a_cycle_report_follows_a_newly_submitted_idea(db, make_user):
    from models.speakup import cycle_report
    from tests.speakup_helpers import open_cycle, submitted_idea

    leader = make_user(Role.LEADERSHIP)
    cycle_id = open_cycle(db, leader)
    submitted_idea(db, make_user(team_id=a_team(db, "Cards")), title="Call customers back")
    cached_twice(cycle_report._cycle_figures, db, cycle_id)
    before, _ = cached_twice(cycle_report._funnel, db, cycle_id)
    assert cycle_report.cycle_report(db, leader, cycle_id)["submitted"] == 1
    assert before["ideas"].tolist()[0] == 1

    submitted_idea(db, make_user(team_id=a_team(db, "Loans")), title="Text customers their case number")

    report = cycle_report.cycle_report(db, leader, cycle_id)
    assert (report["submitted"], report["participants"]) == (2, 2)
    fresh = cycle_report._cycle_figures.uncached(db, cycle_id)
    assert {key: report[key] for key in fresh} == fresh
    after = cycle_report.funnel(db, leader, cycle_id)
    assert after["ideas"].tolist()[0] == 2
    assert_same(after, cycle_report._funnel.uncached(db, cycle_id))


def test_every_cached_aggregate_declares_what_it_reads():
    assert cache.verify_reads  # the tests above checked each computation's statements
    declared = {function.__name__: function.tables for function in cache.cached_functions()}
    assert declared["_filter_options"] == ("complaints",)
    assert all(tables for tables in declared.values())


@pytest.mark.duckdb_file_only(reason="restores a backup into the DuckDB file")
def test_a_restore_moves_the_version_of_every_table(db, make_user, tmp_path):
    admin = make_user(Role.ADMIN)
    a_team(db, "Cards")
    folder = backup.backup(db, admin, tmp_path / "backups")
    before = versions(db, "sites", "teams", "complaints")
    db.close()
    backup.restore(tmp_path / "portal.duckdb", folder)
    restored = Database(tmp_path / "portal.duckdb")
    try:
        after = versions(restored, "sites", "teams", "complaints")
    finally:
        restored.close()
    assert all(after[table] > before[table] for table in before)
