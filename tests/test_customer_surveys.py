"""Customer survey answers: each KPI definition on hand cases, the import's per-row report,
both modes, duplicates and interrupted batches, and who may read scores and comments."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from models import areas
from models.access import PermissionDeniedError, Role
from models.customers import comments, scores, survey_import
from models.customers.scores import ScoreFilter
from models.customers.survey_fields import suggest_mapping, template_csv
from models.customers.survey_import import ImportMode, SurveyImportRejectedError
from models.db import Database, insert_row, insert_with_new_id, utc_now
from models.errors import InputError

HEADER = ["Date", "Channel", "Team", "Survey type", "Score", "Comment", "Customer ID", "Response ID"]
TODAY = utc_now().date()


def add_team(db: Database, name: str) -> int:
    return db.write(lambda c: insert_row(c, "teams", {"name": name}))


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run_import(db, actor, path: Path, mode=ImportMode.VALID_ROWS, **options):
    source = survey_import.open_export(path)
    try:
        return survey_import.import_answers(db, actor, source, suggest_mapping(source.columns), mode, **options)
    finally:
        source.close()


def answers_file(tmp_path: Path, rows: list[tuple], name: str = "answers.csv") -> Path:
    """Rows of (date, channel, team, type, score[, comment]) as a survey export."""
    lines = [[d, channel, team, kind, str(score), *rest, "", ""][:8] for d, channel, team, kind, score, *rest in rows]
    return write_csv(tmp_path / name, lines)


@pytest.fixture
def analyst(make_user):
    return make_user(Role.ANALYST)


# -- the KPI definitions ------------------------------------------------------------------------
def test_nps_is_promoters_minus_detractors_and_a_month_of_passives_scores_zero(db, analyst, tmp_path):
    rows = [("2025-01-10", "Phone", "", "NPS", s) for s in (10, 9, 9, 8, 7, 6, 0, 3, 10, 10)]
    rows += [("2025-02-10", "Phone", "", "NPS", s) for s in (7, 8, 8, 7)]
    run_import(db, analyst, answers_file(tmp_path, rows))
    series = scores.nps_kpi(db, date(2025, 1, 1), date(2025, 3, 15))
    # January: 5 promoters, 2 passives, 3 detractors of 10 -> 50 % - 30 % = 20
    assert series == [(date(2025, 1, 31), 20.0), (date(2025, 2, 28), 0.0)]
    table = scores.scores(db, analyst, "nps", ("month",))
    assert table[["promoters", "passives", "detractors"]].values.tolist() == [[5, 2, 3], [0, 4, 0]]


def test_csat_is_the_share_of_fours_and_fives_and_ces_the_mean(db, analyst, tmp_path):
    rows = [("2025-03-03", "Chat", "", "CSAT", s) for s in (5, 4, 3, 1, 4, 2, 5, 5)]
    rows += [("2025-03-04", "Chat", "", "CES", s) for s in (1, 2, 7, 3)]
    run_import(db, analyst, answers_file(tmp_path, rows))
    assert scores.csat_kpi(db, date(2025, 1, 1), date(2025, 3, 31)) == [(date(2025, 3, 31), 62.5)]
    assert scores.ces_kpi(db, date(2025, 1, 1), date(2025, 4, 30)) == [(date(2025, 3, 31), 3.25)]


def test_a_month_still_running_gives_no_kpi_value(db, analyst, tmp_path):
    run_import(db, analyst, answers_file(tmp_path, [("2025-03-03", "Chat", "", "CSAT", 5)]))
    assert scores.csat_kpi(db, date(2025, 1, 1), date(2025, 3, 30)) == []


def test_scores_split_by_channel_and_team_and_an_empty_channel_has_no_value(db, analyst, tmp_path):
    north = add_team(db, "North")
    add_team(db, "South")
    rows = [
        ("2025-03-03", "Chat", "North", "CSAT", 5),
        ("2025-03-03", "Chat", "south", "CSAT", 4),
        ("2025-03-03", "Phone", "North", "CSAT", 2),
        ("2025-03-03", "Phone", "South", "CSAT", 5),
        ("2025-03-03", "Email", "North", "NPS", 9),  # email has NPS answers but no CSAT
    ]
    run_import(db, analyst, answers_file(tmp_path, rows))
    by_channel = scores.scores(db, analyst, "csat", ("channel",))
    assert dict(zip(by_channel["channel"], by_channel["value"], strict=True)) == {"Chat": 100.0, "Phone": 50.0}
    by_team = scores.scores(db, analyst, "csat", ("team",))
    assert dict(zip(by_team["team"], by_team["value"], strict=True)) == {"North": 50.0, "South": 100.0}
    only_email = scores.scores(db, analyst, "csat", ("month",), ScoreFilter(channel="Email"))
    assert only_email.empty
    north_chat = scores.scores(db, analyst, "csat", (), ScoreFilter(channel="Chat", team_id=north))
    assert north_chat["value"].tolist() == [100.0] and north_chat["answers"].tolist() == [1]


def test_survey_kpis_are_computed_and_cannot_be_typed_in(db):
    assert {"nps", "csat", "ces"} <= set(areas.computed_kpis())


# -- the import -----------------------------------------------------------------------------------
def test_every_problem_of_a_row_is_named_with_its_row_number_and_column(db, analyst, tmp_path):
    add_team(db, "North")
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    rows = [
        ["2025-03-03", "Chat", "North", "CSAT", "5", "Lovely", "", ""],  # 1: fine
        ["2025-03-03", "Chat", "North", "Loyalty", "5", "", "", ""],  # 2: unknown survey type
        ["2025-03-03", "Chat", "North", "NPS", "11", "", "", ""],  # 3: NPS above 10
        ["2025-03-03", "Chat", "North", "CSAT", "0", "", "", ""],  # 4: CSAT below 1
        ["2025-03-03", "Chat", "North", "CES", "8", "", "", ""],  # 5: CES above 7
        ["2025-03-03", "Chat", "North", "CSAT", "4.5", "", "", ""],  # 6: not whole
        ["2025-03-03", "Chat", "North", "CSAT", "great", "", "", ""],  # 7: not a number
        [tomorrow, "Chat", "North", "CSAT", "5", "", "", ""],  # 8: in the future
        ["someday", "Chat", "North", "CSAT", "5", "", "", ""],  # 9: unreadable date
        ["2025-03-03", "", "North", "CSAT", "5", "", "", ""],  # 10: channel missing
        ["2025-03-03", "Phone", "Nowhere", "NPS", "0", "", "", ""],  # 11: kept, unit matches no team
        ["2025-03-03", "Phone", "North", "CES", "7", "", "", ""],  # 12: fine, top of CES's scale
    ]
    report = run_import(db, analyst, write_csv(tmp_path / "answers.csv", rows))
    problems = {r.record: (r.column, r.reason) for r in report.rejections}
    expected = {
        2: ("Survey type", "unknown survey type"),
        3: ("Score", "out of range for NPS: use 0 to 10"),
        4: ("Score", "out of range for CSAT: use 1 to 5"),
        5: ("Score", "out of range for CES: use 1 to 7"),
        6: ("Score", "not a whole number"),
        7: ("Score", "not a number"),
        8: ("Date", "in the future"),
        9: ("Date", "not a date"),
        10: ("Channel", "missing"),
    }
    assert set(problems) == set(expected)
    for row, (column, reason) in expected.items():
        assert problems[row][0] == column, row
        assert reason in problems[row][1], row
    assert (report.imported, report.rejected_rows, report.without_team) == (3, 9, 1)
    assert [(n.record, n.value) for n in report.team_notes] == [(11, "Nowhere")]
    stored = db.query_one("SELECT team_id, unit FROM customer_survey_answers WHERE score = 0")
    assert stored == {"team_id": None, "unit": "Nowhere"}
    frame = report.report_frame()
    assert frame.columns.tolist() == ["row", "outcome", "column", "reason", "value"]
    assert set(frame["outcome"]) == {"rejected", "imported without a team"}


def test_all_or_nothing_stores_nothing_when_a_row_is_invalid(db, analyst, tmp_path):
    path = answers_file(tmp_path, [("2025-03-03", "Chat", "", "CSAT", 5), ("2025-03-03", "Chat", "", "CSAT", 6)])
    with pytest.raises(SurveyImportRejectedError) as refused:
        run_import(db, analyst, path, ImportMode.ALL_OR_NOTHING)
    assert "1 of 2 rows are invalid; nothing was imported" in str(refused.value)
    assert "row 2, Score" in str(refused.value)
    assert db.scalar("SELECT count(*) FROM customer_survey_answers") == 0
    assert db.scalar("SELECT count(*) FROM customer_survey_imports") == 0


def test_importing_the_same_file_again_adds_nothing_and_counts_duplicates(db, analyst, tmp_path):
    rows = [
        ["2025-03-03", "Chat", "", "CSAT", "5", "Quick", "", "R-1"],
        ["2025-03-03", "Chat", "", "CSAT", "5", "Quick", "", ""],
        ["2025-03-03", "Chat", "", "CSAT", "5", "Quick", "", ""],  # another customer's answer, word for word
        ["2025-03-04", "Phone", "", "NPS", "3", "", "", "R-1"],  # the same external id again
    ]
    path = write_csv(tmp_path / "answers.csv", rows)
    first = run_import(db, analyst, path)
    assert (first.imported, first.repeated_in_file, first.already_present) == (3, 1, 0)
    again = run_import(db, analyst, path)
    assert (again.imported, again.already_present, again.repeated_in_file) == (0, 3, 1)
    assert db.scalar("SELECT count(*) FROM customer_survey_answers") == 3
    overlapping = write_csv(tmp_path / "more.csv", [rows[1], rows[1], rows[1]])  # one more such answer
    assert run_import(db, analyst, overlapping).imported == 1
    batch = db.query_one(
        "SELECT status, rows_imported, rows_duplicate FROM customer_survey_imports WHERE id = ?", [again.import_id]
    )
    assert batch == {"status": "completed", "rows_imported": 0, "rows_duplicate": 4}
    entry = db.query_one(
        "SELECT actor_id FROM audit_log WHERE entity = 'customer_survey_import' AND entity_id = ?",
        [str(first.import_id)],
    )
    assert entry == {"actor_id": analyst.employee_id}


def test_an_export_with_other_column_names_and_day_first_dates_is_mapped_and_read(db, analyst, tmp_path):
    path = write_csv(
        tmp_path / "vendor.csv",
        [["29/03/2025", "App", "Net Promoter Score", "10", "Easy"], ["04/03/2025", "App", "csat", "4", ""]],
        ["Response date", "Touchpoint", "Metric", "Rating", "Verbatim"],
    )
    report = run_import(db, analyst, path)
    assert report.imported == 2 and report.date_order == "DMY"
    stored = db.query("SELECT answered_on, survey_type FROM customer_survey_answers ORDER BY answered_on")
    assert [(r["answered_on"], r["survey_type"]) for r in stored] == [
        (date(2025, 3, 4), "csat"),
        (date(2025, 3, 29), "nps"),
    ]


def test_a_mapping_without_the_score_is_refused_naming_the_field(db, analyst, tmp_path):
    path = write_csv(tmp_path / "a.csv", [["2025-03-03", "Chat", "CSAT"]], ["Date", "Channel", "Survey type"])
    with pytest.raises(InputError) as refused:
        run_import(db, analyst, path)
    assert ("Score", "choose the column that holds it (required)") in refused.value.problems


def test_the_template_imports_as_it_is(db, analyst, tmp_path):
    path = tmp_path / "template.csv"
    path.write_bytes(template_csv())
    report = run_import(db, analyst, path, ImportMode.ALL_OR_NOTHING)
    assert report.imported == 3 and report.without_team == 2  # the example units are no teams here


def test_a_batch_left_running_is_removed_with_its_answers_when_the_database_opens(db, analyst, tmp_path):
    report = run_import(db, analyst, answers_file(tmp_path, [("2025-03-03", "Chat", "", "CSAT", 5)]))
    db.write(lambda c: c.execute("UPDATE customer_survey_imports SET status = 'running'"))
    areas.on_open(db)
    assert db.scalar("SELECT count(*) FROM customer_survey_answers") == 0
    assert db.scalar("SELECT count(*) FROM customer_survey_imports") == 0
    entry = db.query_one(
        "SELECT action FROM audit_log WHERE entity = 'customer_survey_import' AND entity_id = ?"
        " AND action = 'remove_incomplete'",
        [str(report.import_id)],
    )
    assert entry == {"action": "remove_incomplete"}


def test_only_analysts_import_survey_answers(db, make_user, tmp_path):
    path = answers_file(tmp_path, [("2025-03-03", "Chat", "", "CSAT", 5)])
    for role in (Role.AGENT, Role.TEAM_LEAD, Role.HR, Role.LEADERSHIP):
        with pytest.raises(PermissionDeniedError):
            run_import(db, make_user(role), path)
    assert db.scalar("SELECT count(*) FROM customer_survey_answers") == 0


# -- comments -------------------------------------------------------------------------------------
@pytest.fixture
def commented(db, analyst, tmp_path):
    rows = [
        ("2025-03-03", "Phone", "", "NPS", 3, "I was transferred three times, 100% wasted_time"),
        ("2025-03-04", "Chat", "", "CSAT", 5, "Anna on chat fixed it in minutes"),
        ("2025-03-05", "Email", "", "CES", 6, ""),
    ]
    run_import(db, analyst, answers_file(tmp_path, rows))
    return {r["comment"]: r["id"] for r in db.query("SELECT id, comment FROM customer_survey_answers")}


def test_comments_are_searched_in_any_case_and_wildcards_are_taken_literally(db, analyst, commented):
    assert comments.search_comments(db, analyst, "TRANSFERRED")["score"].tolist() == [3]
    assert comments.search_comments(db, analyst, "100%")["channel"].tolist() == ["Phone"]
    assert comments.search_comments(db, analyst, "e_t").empty  # "_" is not a wildcard
    assert len(comments.search_comments(db, analyst, "")) == 2  # answers without a comment are not listed


def test_an_agent_or_a_team_lead_reading_customer_comments_is_refused(db, make_user, commented):
    for role in (Role.AGENT, Role.TEAM_LEAD, Role.HR):
        reader = make_user(role)
        with pytest.raises(PermissionDeniedError):
            comments.search_comments(db, reader, "transferred")
        with pytest.raises(PermissionDeniedError):
            comments.comments_for(db, reader, idea_id=1)
        assert not scores.scores(db, reader, "nps", ("channel",)).empty  # the aggregates are everyone's
    leader = make_user(Role.LEADERSHIP)
    assert len(comments.search_comments(db, leader, "chat")) == 1


def add_finding(db: Database, analyst) -> int:
    """A finding straight into its table, with the snapshot of counts its page shows (attaching
    only needs it to exist)."""
    now = utc_now()
    snapshot = '{"complaints": 0, "timely_share": null, "repeat_rate": null, "top_categories": []}'
    return db.write(
        lambda c: insert_with_new_id(
            c,
            "findings",
            "INSERT INTO findings (id, title, description, root_cause, five_whys, severity, status, filter_json,"
            " snapshot_json, created_by, created_at, updated_at) VALUES (?, 'Transfers lose customers',"
            " 'Calls bounce between teams.', 'process', ['Why?'], 'high', 'open', '{}', ?, ?, ?, ?)",
            [snapshot, analyst.employee_id, now, now],
        )
    )


def test_a_comment_is_attached_to_a_finding_as_the_customers_own_words(db, analyst, make_user, commented):
    finding_id = add_finding(db, analyst)
    answer_id = commented["I was transferred three times, 100% wasted_time"]
    comments.attach_comment(db, analyst, answer_id, finding_id=finding_id, note="typical")
    attached = comments.comments_for(db, analyst, finding_id=finding_id)
    assert [(c["comment"], c["note"]) for c in attached] == [
        ("I was transferred three times, 100% wasted_time", "typical")
    ]
    assert comments.attached_count(db, finding_id=finding_id) == 1
    with pytest.raises(InputError, match="already attached"):
        comments.attach_comment(db, analyst, answer_id, finding_id=finding_id)
    leader = make_user(Role.LEADERSHIP)
    with pytest.raises(PermissionDeniedError):  # leadership reads findings but does not manage them
        comments.attach_comment(db, leader, commented["Anna on chat fixed it in minutes"], finding_id=finding_id)
    with pytest.raises(PermissionDeniedError):
        comments.attach_comment(db, make_user(Role.AGENT), answer_id, finding_id=finding_id)
    entry = db.query_one("SELECT actor_id, action FROM audit_log WHERE entity = 'customer_comment_link'")
    assert entry == {"actor_id": analyst.employee_id, "action": "attach"}
    link_id = attached[0]["link_id"]
    comments.detach_comment(db, analyst, link_id)
    assert comments.attached_count(db, finding_id=finding_id) == 0


def test_attaching_needs_one_existing_finding_or_idea_and_a_comment(db, analyst, commented):
    answer_id = commented["Anna on chat fixed it in minutes"]
    with pytest.raises(InputError) as neither:
        comments.attach_comment(db, analyst, answer_id)
    assert neither.value.problems[0][0] == "Attach to"
    with pytest.raises(InputError) as missing:
        comments.attach_comment(db, analyst, answer_id, idea_id=999)
    assert missing.value.problems[0][0] == "Idea"
    silent = db.scalar("SELECT id FROM customer_survey_answers WHERE comment IS NULL")
    finding_id = add_finding(db, analyst)
    with pytest.raises(InputError) as no_comment:
        comments.attach_comment(db, analyst, silent, finding_id=finding_id)
    assert no_comment.value.problems[0][0] == "Comment"
    with pytest.raises(InputError) as long_note:
        comments.attach_comment(db, analyst, answer_id, finding_id=finding_id, note="x" * 501)
    assert long_note.value.problems[0][0] == "Note"


# -- the demo -----------------------------------------------------------------------------------
def test_the_demo_has_two_years_of_answers_whose_csat_differs_by_channel_and_team(seeded_db):
    db, org = seeded_db()
    first, last = db.query_one(
        "SELECT min(answered_on) AS f, max(answered_on) AS l FROM customer_survey_answers"
    ).values()
    assert (last - first).days >= 720 and last < org.today
    by_channel = scores.score_table(db, "csat", ("channel",))
    channel_csat = dict(zip(by_channel["channel"], by_channel["value"], strict=True))
    assert channel_csat["Chat"] - channel_csat["Email"] >= 10  # clearly different, not noise
    by_team = scores.score_table(db, "csat", ("team",))
    assert by_team["value"].max() - by_team["value"].min() >= 8
    assert db.scalar("SELECT count(DISTINCT comment) FROM customer_survey_answers") >= 20
    analyst = org.user(org.logins[Role.ANALYST])
    links = db.query("SELECT finding_id, idea_id FROM customer_comment_links")
    assert any(link["finding_id"] for link in links) and any(link["idea_id"] for link in links)
    finding_id = next(link["finding_id"] for link in links if link["finding_id"])
    assert comments.comments_for(db, analyst, finding_id=finding_id)
    csat_goal = db.query_one(
        "SELECT baseline_value, baseline_date FROM goals g JOIN kpis k ON k.id = g.kpi_id"
        " WHERE k.code = 'csat' AND g.channel IS NULL AND g.team_id IS NULL AND g.site_id IS NULL"
    )  # the organisation's goal; the goal on chat starts from chat's answers (tests/test_kpi_dimensions.py)
    series = dict(scores.csat_kpi(db, csat_goal["baseline_date"], org.today))
    assert series[csat_goal["baseline_date"]] == float(csat_goal["baseline_value"])  # the goal starts from the data


def test_the_words_of_several_ideas_read_at_once_are_each_ideas_own(db, analyst, make_user, commented):
    from tests.speakup_helpers import open_cycle, submitted_idea

    leader, author = make_user(Role.LEADERSHIP), make_user(Role.AGENT)
    open_cycle(db, leader)
    first, second, bare = (submitted_idea(db, author, title=f"Idea number {n} of three") for n in range(3))
    transferred, chat = (
        commented["I was transferred three times, 100% wasted_time"],
        commented["Anna on chat fixed it in minutes"],
    )
    comments.attach_comment(db, analyst, transferred, idea_id=first)
    comments.attach_comment(db, analyst, chat, idea_id=first)
    comments.attach_comment(db, analyst, chat, idea_id=second, note="praise")
    ids = [first, second, bare]
    together = comments.comments_for_ideas(db, analyst, ids)
    assert together == {idea_id: comments.comments_for(db, analyst, idea_id=idea_id) for idea_id in ids}
    assert [c["comment"] for c in together[first]] == [
        "I was transferred three times, 100% wasted_time",
        "Anna on chat fixed it in minutes",
    ]
    assert comments.attached_counts_of_ideas(db, ids) == {first: 2, second: 1, bare: 0}
    with pytest.raises(PermissionDeniedError):
        comments.comments_for_ideas(db, author, ids)
