"""Strategy: the versioned vision, priorities, the KPI catalogue, goals, measurements
(by hand and from CSV), computed KPIs and the goal status rule of SPEC §2."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.access import PermissionDeniedError, Role
from models.errors import InputError, StaleRecordError
from models.i18n import use_language
from models.strategy import goals, kpis, vision
from tests.complaints_support import complaint, import_rows

TODAY = date.today()
BASELINE_DAY = date(2026, 1, 1)
TARGET_DAY = date(2026, 1, 1) + timedelta(days=100)


def status_at(
    latest_value,
    *,
    baseline=0.0,
    target=100.0,
    elapsed_days=50,
    measured_days_ago=5,
    frequency="monthly",
):
    """Status of a goal running 100 days from BASELINE_DAY, looked at after ``elapsed_days``."""
    today = BASELINE_DAY + timedelta(days=elapsed_days)
    return goals.compute_status(
        baseline_value=baseline,
        baseline_date=BASELINE_DAY,
        target_value=target,
        target_date=TARGET_DAY,
        update_frequency=frequency,
        latest_value=latest_value,
        latest_date=None if latest_value is None else today - timedelta(days=measured_days_ago),
        today=today,
    )


# -- the status rule ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected_status"),
    [
        (100, "achieved"),
        (120, "achieved"),
        (99.9, "on_track"),
        (40, "on_track"),  # exactly expected (0.50) − 0.10
        (39.9, "at_risk"),
        (25, "at_risk"),  # exactly expected − 0.25
        (24.9, "off_track"),
        (-10, "off_track"),
    ],
)
def test_status_boundaries_for_higher_is_better(value, expected_status):
    status = status_at(value)
    assert status.expected == pytest.approx(0.5)
    assert status.status == expected_status


@pytest.mark.parametrize(
    ("value", "expected_status"),
    [
        (20, "achieved"),  # target 20 from a baseline of 60
        (44, "on_track"),  # progress 0.40 = expected − 0.10
        (44.1, "at_risk"),
        (50, "at_risk"),  # progress 0.25 = expected − 0.25
        (50.1, "off_track"),
        (70, "off_track"),  # moved the wrong way
    ],
)
def test_status_of_a_lower_is_better_goal(value, expected_status):
    status = status_at(value, baseline=60, target=20)
    assert status.status == expected_status


def test_status_reason_states_progress_and_expected():
    status = status_at(42, elapsed_days=55)
    assert status.reason == "progress 42 %, expected 55 %"
    assert status.label == "At risk"


def test_a_passed_target_date_without_reaching_it_is_off_track_but_reaching_it_is_achieved():
    assert status_at(95, elapsed_days=101).status == "off_track"
    assert "target date 2026-04-11 passed" in status_at(95, elapsed_days=101).reason
    assert status_at(100, elapsed_days=130).status == "achieved"
    assert status_at(95, elapsed_days=100).status == "on_track"  # on the target day itself


def test_expected_never_exceeds_the_whole_period():
    assert status_at(95, elapsed_days=150).expected == 1.0
    assert status_at(0, elapsed_days=-10).expected == 0.0


def test_without_measurements_the_goal_counts_from_its_baseline_until_it_goes_stale():
    early = status_at(None, elapsed_days=5)
    assert early.status == "on_track" and early.progress == 0 and early.current_value == 0
    assert "no measurement yet" in early.reason
    assert status_at(None, elapsed_days=20).status == "at_risk"  # expected 0.20, progress 0
    late = status_at(None, elapsed_days=40)
    assert late.status == "stale" and "no measurement yet" in late.reason


@pytest.mark.parametrize(
    ("frequency", "days_ago", "expected_status"),
    [("monthly", 31, "on_track"), ("monthly", 32, "stale"), ("quarterly", 92, "on_track"), ("quarterly", 93, "stale")],
)
def test_stale_when_no_measurement_arrived_within_the_update_frequency(frequency, days_ago, expected_status):
    status = status_at(90, elapsed_days=95, measured_days_ago=days_ago, frequency=frequency)
    assert status.status == expected_status


# -- vision and priorities -----------------------------------------------------------------
@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADERSHIP, full_name="Lena Leader")


def test_vision_versions_are_kept_and_the_current_one_is_the_latest_in_force(db, leader):
    vision.revise_vision(
        db, leader, {"statement": "Every customer is helped at first contact.", "effective_date": date(2025, 1, 1)}
    )
    vision.revise_vision(
        db, leader, {"statement": "Effortless service, owned by every one of us.", "effective_date": TODAY}
    )
    vision.revise_vision(
        db, leader, {"statement": "A future vision not yet in force.", "effective_date": TODAY + timedelta(days=30)}
    )
    current = vision.current_vision(db)
    assert current.statement == "Effortless service, owned by every one of us."
    assert current.author_name == "Lena Leader"
    assert [v.effective_date for v in vision.vision_history(db)] == [
        TODAY + timedelta(days=30),
        TODAY,
        date(2025, 1, 1),
    ]


def test_vision_needs_leadership_and_a_real_statement(db, leader, make_user):
    with pytest.raises(PermissionDeniedError):
        vision.revise_vision(db, make_user(Role.HR), {"statement": "Something long enough"})
    with pytest.raises(InputError) as caught:
        vision.revise_vision(db, leader, {"statement": "short"})
    assert caught.value.problems[0][0] == "Vision statement"
    assert vision.vision_history(db) == []


def test_priorities_are_ordered_and_titles_unique(db, leader, make_user):
    vision.create_priority(db, leader, {"title": "Effortless service", "position": 2})
    first = vision.create_priority(db, leader, {"title": "Listen to customers", "position": 1})
    assert [p.title for p in vision.list_priorities(db)] == ["Listen to customers", "Effortless service"]
    with pytest.raises(InputError, match="exists already"):
        vision.create_priority(db, leader, {"title": "effortless service"})
    vision.update_priority(db, leader, first, {"title": "Listen to customers", "position": 3})
    assert [p.title for p in vision.list_priorities(db)] == ["Effortless service", "Listen to customers"]
    with pytest.raises(PermissionDeniedError):
        vision.create_priority(db, make_user(Role.ANALYST), {"title": "Analysts' pillar"})
    with pytest.raises(PermissionDeniedError):
        vision.update_priority(db, make_user(), first, {"title": "Agents' pillar"})


# -- KPI catalogue -----------------------------------------------------------------------
def test_catalogue_is_seeded_and_marks_computed_kpis(db):
    catalogue = {k.code: k for k in kpis.list_kpis(db)}
    for code in ("nps", "csat", "enps", "ces", "first_response_time", "avg_resolution_time", "aht", "fcr"):
        assert code in catalogue
    assert catalogue["complaint_volume"].computed and catalogue["repeat_complaint_rate"].computed
    assert catalogue["nps"].computed and catalogue["csat"].computed and catalogue["ces"].computed  # from surveys
    assert not catalogue["fcr"].computed
    assert catalogue["aht"].direction == "lower" and catalogue["csat"].direction == "higher"


def test_leadership_extends_the_catalogue(db, leader, make_user):
    abandon = {"code": "abandon_rate", "name": "Abandon rate", "unit": "%", "direction": "lower"}
    kpis.add_kpi(db, leader, abandon)
    assert kpis.kpi_by_code(db, "abandon_rate").name == "Abandon rate"
    with pytest.raises(InputError) as caught:
        kpis.add_kpi(db, leader, {"code": "abandon_rate", "name": "Abandon rate", "unit": "%", "direction": "lower"})
    assert {field for field, _ in caught.value.problems} == {"Code", "Name"}
    with pytest.raises(PermissionDeniedError):
        kpis.add_kpi(db, make_user(), {"code": "x_rate", "name": "X", "unit": "%", "direction": "lower"})


# -- goals -------------------------------------------------------------------------------
@pytest.fixture
def priority_id(db, leader):
    return vision.create_priority(db, leader, {"title": "Effortless service", "position": 1})


def goal_data(db, priority_id, owner_id, **overrides):
    kpi = kpis.kpi_by_code(db, overrides.pop("kpi_code", "fcr"))
    data = {
        "name": "Lift CSAT to 85 %",
        "priority_id": priority_id,
        "kpi_id": kpi.id,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "baseline_value": 70,
        "baseline_date": TODAY - timedelta(days=100),
        "target_value": 85,
        "target_date": TODAY + timedelta(days=100),
        "owner_id": owner_id,
        "update_frequency": "monthly",
    }
    return data | overrides


def test_goal_status_follows_recorded_measurements(db, leader, priority_id):
    goal_id = goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id))
    goal = goals.get_goal(db, goal_id)
    assert goal.status.status == "stale"  # 100 days since the baseline and nothing measured
    kpi_id = goal.kpi_id
    kpis.record_measurement(
        db, leader, {"kpi_id": kpi_id, "goal_id": goal_id, "measured_on": TODAY - timedelta(days=3), "value": 76}
    )
    goal = goals.get_goal(db, goal_id)
    assert goal.status.status == "on_track" and goal.status.current_value == 76  # progress 0.40, expected 0.50
    kpis.record_measurement(db, leader, {"kpi_id": kpi_id, "goal_id": goal_id, "measured_on": TODAY, "value": 74})
    assert goals.get_goal(db, goal_id).status.status == "at_risk"  # progress 0.27
    kpis.record_measurement(db, leader, {"kpi_id": kpi_id, "measured_on": TODAY, "value": 86, "note": "KPI-wide"})
    assert goals.get_goal(db, goal_id).status.status == "achieved"  # latest KPI-wide value counts too


def test_goal_tables_of_measured_and_unmeasured_goals_convert_to_arrow_as_they_are(db, leader, priority_id):
    """Streamlit sends tables as Arrow: a column mixing dates and texts is logged and rewritten."""
    import pyarrow as pa

    measured = goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id, name="Measured"))
    goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id, name="Not measured yet"))
    kpi_id = goals.get_goal(db, measured).kpi_id
    kpis.record_measurement(db, leader, {"kpi_id": kpi_id, "goal_id": measured, "measured_on": TODAY, "value": 76})
    shown = goals.list_goals(db)
    pa.Table.from_pandas(goals.goals_frame(shown), preserve_index=False)  # raises on a mixed column
    for goal in shown:
        series = goals.goal_series(db, goal)
        pa.Table.from_pandas(goals.measurements_frame(goal, series), preserve_index=False)


def test_goal_input_rules_name_the_field(db, leader, priority_id):
    bad = [
        ({"target_value": 60}, "Target value"),  # higher is better but the target is below the baseline
        ({"direction": "lower", "target_value": 90}, "Target value"),
        ({"target_date": TODAY - timedelta(days=200)}, "Target date"),
        ({"name": ""}, "Name"),
        ({"update_frequency": "weekly"}, "Update frequency"),
    ]
    for overrides, field in bad:
        with pytest.raises(InputError) as caught:
            goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id, **overrides))
        assert field in [name for name, _ in caught.value.problems], overrides
    with pytest.raises(InputError) as caught:
        goals.create_goal(db, leader, goal_data(db, 999, 999))
    assert {name for name, _ in caught.value.problems} == {"Strategic priority", "Owner"}
    assert db.scalar("SELECT count(*) FROM goals") == 0


def test_only_leadership_writes_goals_and_records_measurements(db, leader, priority_id, make_user):
    analyst = make_user(Role.ANALYST)
    with pytest.raises(PermissionDeniedError):
        goals.create_goal(db, analyst, goal_data(db, priority_id, leader.employee_id))
    goal_id = goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id))
    with pytest.raises(PermissionDeniedError):
        goals.update_goal(db, analyst, goal_id, goal_data(db, priority_id, leader.employee_id), 1)
    kpi_id = goals.get_goal(db, goal_id).kpi_id
    with pytest.raises(PermissionDeniedError):
        kpis.record_measurement(db, make_user(), {"kpi_id": kpi_id, "measured_on": TODAY, "value": 80})
    with pytest.raises(PermissionDeniedError):
        kpis.import_measurements(db, make_user(), "kpi,date,value\nfcr,2026-01-01,80\n")
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 0


def test_second_goal_save_of_the_same_version_is_refused(db, leader, priority_id, make_user):
    other_leader = make_user(Role.LEADERSHIP, full_name="Omar Other")
    goal_id = goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id))
    first = goals.get_goal(db, goal_id)
    second = goals.get_goal(db, goal_id)
    goals.update_goal(db, other_leader, goal_id, first.as_input() | {"target_value": 90}, first.version)
    with pytest.raises(StaleRecordError, match="Changed by Omar Other at .* since you opened it"):
        goals.update_goal(db, leader, goal_id, second.as_input() | {"target_value": 80}, second.version)
    assert goals.get_goal(db, goal_id).target_value == 90


def test_measurement_input_is_checked(db, leader, priority_id):
    goal_id = goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id))
    csat = kpis.kpi_by_code(db, "fcr").id
    nps = kpis.kpi_by_code(db, "aht").id
    with pytest.raises(InputError, match="cannot be in the future"):
        kpis.record_measurement(db, leader, {"kpi_id": csat, "measured_on": TODAY + timedelta(days=1), "value": 1})
    with pytest.raises(InputError) as caught:
        kpis.record_measurement(db, leader, {"kpi_id": csat, "measured_on": TODAY, "value": "lots"})
    assert caught.value.problems[0][0] == "Value"
    with pytest.raises(InputError, match="different KPI"):
        kpis.record_measurement(db, leader, {"kpi_id": nps, "goal_id": goal_id, "measured_on": TODAY, "value": 1})
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 0


def test_computed_kpis_cannot_be_entered_by_hand(db, leader):
    volume = kpis.kpi_by_code(db, "complaint_volume")
    with pytest.raises(InputError, match="computed by the portal"):
        kpis.record_measurement(db, leader, {"kpi_id": volume.id, "measured_on": TODAY, "value": 10})
    report = kpis.import_measurements(db, leader, f"kpi,date,value\ncomplaint_volume,{TODAY},10\n")
    assert report.imported == 0 and report.rejected[0][1] == "kpi"
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 0


# -- CSV import --------------------------------------------------------------------------
def test_csv_import_stores_every_row_when_all_are_good(db, leader, priority_id):
    goal_id = goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id))
    content = (
        "goal,kpi,date,value,note,source\n"
        f"{goal_id},,2026-01-31,71.5,January,survey tool\n"
        f"Lift CSAT to 85 %,,31/03/2026,73,,\n"
        ",aht,2026-02-28,12,,\n"
    ).encode()
    report = kpis.import_measurements(db, leader, content)
    assert report.imported == 3 and report.rejected == []
    rows = db.query("SELECT goal_id, measured_on, value, source FROM kpi_measurements ORDER BY measured_on")
    assert [(r["goal_id"], r["measured_on"], r["value"], r["source"]) for r in rows] == [
        (goal_id, date(2026, 1, 31), 71.5, "survey tool"),
        (None, date(2026, 2, 28), 12.0, "import"),
        (goal_id, date(2026, 3, 31), 73.0, "import"),
    ]


def test_csv_import_reports_each_bad_row_and_stores_nothing(db, leader, priority_id):
    goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id))
    content = (
        "goal,kpi,date,value\n"
        ",fcr,2026-01-31,71\n"
        "No such goal,,2026-01-31,71\n"
        ",fcr,yesterday,71\n"
        ",fcr,2026-02-28,seventy\n"
        ",,2026-02-28,70\n"
    )
    report = kpis.import_measurements(db, leader, content)
    assert report.imported == 0
    assert [(row, column) for row, column, _ in report.rejected] == [
        (3, "goal"),
        (4, "date"),
        (5, "value"),
        (6, "goal"),
    ]
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 0


def test_csv_without_the_needed_columns_is_refused(db, leader):
    with pytest.raises(InputError, match="date"):
        kpis.import_measurements(db, leader, "kpi,value\nfcr,1\n")


def imported_values(db) -> list[float]:
    return [row["value"] for row in db.query("SELECT value FROM kpi_measurements ORDER BY id")]


@pytest.mark.parametrize("language", ["uk", "ru", "lt"])
def test_a_value_with_a_decimal_comma_is_read_as_the_importing_persons_language_writes_it(db, leader, language):
    content = f'kpi,date,value\nfcr,{TODAY},"77,5"\nfcr,{TODAY},"1 234,5"\nfcr,{TODAY},77.5\n'
    with use_language(language):
        report = kpis.import_measurements(db, leader, content.encode())
    assert report.rejected == [] and report.imported == 3
    assert imported_values(db) == [77.5, 1234.5, 77.5]


def test_an_english_value_groups_thousands_with_a_comma(db, leader):
    with use_language("en"):
        report = kpis.import_measurements(db, leader, f'kpi,date,value\nfcr,{TODAY},"1,234.5"\nfcr,{TODAY},77.5\n')
    assert report.rejected == []
    assert imported_values(db) == [1234.5, 77.5]


@pytest.mark.parametrize(
    ("language", "written", "example"),
    [("uk", "1.234,5", "1\u00a0234,5"), ("en", "77,5", "1,234.5"), ("en", "about 80", "1,234.5")],
)
def test_a_value_not_written_as_a_number_of_the_language_is_refused_with_an_example(
    db, leader, language, written, example
):
    with use_language(language):
        report = kpis.import_measurements(db, leader, f'kpi,date,value\nfcr,{TODAY},71\nfcr,{TODAY},"{written}"\n')
    assert report.imported == 0
    [(row, column, reason)] = report.rejected
    assert (row, column) == (3, "value")
    assert written in reason and example in reason
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 0


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (f"kpi,date,value,note\nfcr,{TODAY},71,Caf\u00e9 survey\n".encode("cp1252"), "not UTF-8 text"),
        (f"kpi,date,value\nfcr,{TODAY},71\n".encode("utf-16"), "not UTF-8 text"),
        (f"kpi,date,value\nfcr,{TODAY},71\n".encode("utf-16-le"), "NUL character (byte 0x00) on line 1"),
        (f"kpi,date,value\nfcr,{TODAY},71\nfcr,{TODAY},7\x002\n".encode(), "NUL character (byte 0x00) on line 3"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8 text"),
    ],
    ids=["windows-1252", "utf-16", "utf-16 without byte-order mark", "nul byte", "binary"],
)
def test_a_file_that_is_not_utf8_csv_text_is_refused_naming_the_problem(db, leader, content, problem):
    with pytest.raises(InputError) as refused:
        kpis.import_measurements(db, leader, content)
    [(field, message)] = refused.value.problems
    assert field == "File" and problem in message
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 0


@pytest.mark.parametrize("line_break", ["\r", "\r\n"], ids=["CR", "CRLF"])
def test_cr_and_crlf_line_endings_are_line_breaks(db, leader, line_break):
    content = line_break.join(["kpi,date,value,note", f"fcr,{TODAY},71,first", f"fcr,{TODAY},72,second", ""])
    report = kpis.import_measurements(db, leader, content.encode())
    assert report.rejected == [] and report.imported == 2
    assert [r["note"] for r in db.query("SELECT note FROM kpi_measurements ORDER BY value")] == ["first", "second"]


def test_a_row_with_more_values_than_the_header_is_rejected_naming_it(db, leader):
    content = f"kpi,date,value\nfcr,{TODAY},71\nfcr,{TODAY},72,late delivery\n"
    report = kpis.import_measurements(db, leader, content.encode())
    assert report.imported == 0
    assert report.rejected == [(3, "", "the row has 4 values but the header has 3 columns")]
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 0


def test_a_row_the_csv_reader_cannot_read_refuses_the_file_naming_the_row(db, leader):
    too_long = "x" * 200_000  # longer than any value the CSV reader takes
    content = f"kpi,date,value,note\nfcr,{TODAY},71,\nfcr,{TODAY},72,{too_long}\n"
    with pytest.raises(InputError, match=r"not a readable CSV \(row 3\)"):
        kpis.import_measurements(db, leader, content.encode())
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 0


@pytest.mark.parametrize(
    ("last_row", "problem"),
    [
        (f"fcr,{TODAY},72,plain note", "row 3 has a quoted value that is not closed"),
        (f'fcr,{TODAY},72,"quoted note"', "row 3 has text after the closing quote of a value"),
    ],
    ids=["to the end of the file", "up to a later quoted value"],
)
def test_a_quote_left_open_refuses_the_file_naming_its_row_instead_of_swallowing_the_rows_after_it(
    db, leader, last_row, problem
):
    content = f'kpi,date,value,note\nfcr,{TODAY},71,\nfcr,{TODAY},70,"unterminated\n{last_row}\n'
    with pytest.raises(InputError) as refused:
        kpis.import_measurements(db, leader, content.encode())
    [(field, message)] = refused.value.problems
    assert field == "File" and message.startswith(problem)
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 0


def test_a_column_named_twice_in_the_header_refuses_the_file_naming_it(db, leader):
    content = f"kpi,date,value,Value\nfcr,{TODAY},71,72\n"
    with pytest.raises(InputError, match="Column 'Value' appears twice in the header"):
        kpis.import_measurements(db, leader, content.encode())
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 0


# -- computed KPIs ---------------------------------------------------------------------
def test_computed_kpis_yield_nothing_until_complaints_exist(db):
    assert db.scalar("SELECT count(*) FROM complaints") == 0
    volume = kpis.kpi_by_code(db, "complaint_volume")
    assert kpis.kpi_series(db, volume) == []


def test_complaint_volume_and_repeat_rate_are_computed_from_complete_months(
    db, leader, priority_id, make_user, tmp_path
):
    rows = [
        complaint("2026-02-14", "Cards", customer_id="C9", external_id="0"),  # February is covered only in part
        complaint("2026-03-02", "Fees", customer_id="C1", external_id="1"),
        complaint("2026-03-20", "Fees", customer_id="C1", external_id="2"),  # repeat: same customer and category
        complaint("2026-03-21", "Cards", customer_id="C1", external_id="3"),  # other category: not a repeat
        complaint("2026-03-25", "Fees", customer_id="C2", external_id="4"),
        complaint("2026-04-30", "Fees", customer_id="C1", external_id="5"),  # 41 days after the last Fees: no
        complaint("2026-05-10", "Fees", customer_id="C1", external_id="6"),  # 10 days: a repeat
        complaint("2026-06-03", "Cards", customer_id="C3", external_id="7"),  # June is covered only in part
    ]
    report = import_rows(db, make_user(Role.ANALYST), tmp_path, rows)
    assert report.imported == len(rows)
    volume = kpis.kpi_by_code(db, "complaint_volume")
    repeat = kpis.kpi_by_code(db, "repeat_complaint_rate")
    series = kpis.kpi_series(db, volume, start=date(2026, 1, 1), end=date(2026, 5, 15))
    assert [(p.measured_on, p.value) for p in series] == [(date(2026, 3, 31), 4.0), (date(2026, 4, 30), 1.0)]
    whole_range = kpis.kpi_series(db, volume, start=date(2026, 1, 1), end=date(2026, 8, 1))
    assert [p.measured_on for p in whole_range] == [date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]
    rates = kpis.kpi_series(db, repeat, start=date(2026, 1, 1), end=date(2026, 8, 1))
    assert [(p.measured_on, p.value) for p in rates] == [
        (date(2026, 3, 31), 25.0),
        (date(2026, 4, 30), 0.0),
        (date(2026, 5, 31), 100.0),
    ]
    goal_id = goals.create_goal(
        db,
        leader,
        goal_data(
            db,
            priority_id,
            leader.employee_id,
            kpi_code="complaint_volume",
            name="Halve complaints",
            baseline_value=8,
            target_value=4,
            baseline_date=date(2026, 1, 1),
            target_date=date(2026, 12, 31),
        ),
    )
    goal = goals.get_goal(db, goal_id, today=date(2026, 5, 15))
    assert goal.computed and goal.status.current_value == 1.0 and goal.status.status == "achieved"


# -- demo ------------------------------------------------------------------------------
def test_demo_organisation_shows_every_goal_status_and_every_action_state(seeded_db):
    from models.actions import effectiveness, plan
    from models.strategy import goals, vision

    db, _ = seeded_db(seed=7)
    assert vision.current_vision(db) is not None and len(vision.vision_history(db)) == 2
    assert len(vision.list_priorities(db)) >= 4
    seeded = goals.list_goals(db)
    assert len(seeded) >= 10
    assert {g.status.status for g in seeded} == set(goals.STATUS_LABELS)
    history = db.scalar("SELECT max(measured_on) - min(measured_on) FROM kpi_measurements")
    assert history >= 600  # about two years of monthly values
    summary = plan.plan_summary(db)
    assert summary["total"] >= 40 and summary["overdue"] > 0
    assert all(summary[state] > 0 for state in plan.STATUSES)
    done_with_kpi = db.scalar(  # the one done longest ago: its review has months on both sides
        "SELECT id FROM actions WHERE status = 'done' AND kpi_id IS NOT NULL ORDER BY completed_on, id LIMIT 1"
    )
    review = effectiveness.effectiveness(db, done_with_kpi)
    assert review is not None and review.before_count > 0
    # the computed volume goal starts from what the portal computes from the seeded complaints
    volume_goal = next(g for g in seeded if g.kpi_code == "complaint_volume")
    series = {p.measured_on: p.value for p in goals.goal_series(db, volume_goal)}
    assert series[volume_goal.baseline_date] == volume_goal.baseline_value
    assert volume_goal.target_value < volume_goal.baseline_value
    assert volume_goal.status.progress > -0.5  # not a baseline far below every computed month


def test_repeat_rate_uses_the_gap_the_complaints_area_keeps_when_present(db):
    db.write(
        lambda c: c.execute(
            "DROP TABLE IF EXISTS complaints;"
            " CREATE TABLE complaints (id INTEGER, received_date DATE, category VARCHAR, customer_id VARCHAR,"
            " days_since_previous INTEGER)"
        )
    )
    rows = [(d, date(2026, 3, d), "Fees", f"C{d}", gap) for d, gap in ((1, None), (2, 5), (3, 30), (4, 31))]
    rows.append((9, date(2026, 4, 1), "Cards", "C9", None))  # March is covered to its end
    db.write(lambda c: c.executemany("INSERT INTO complaints VALUES (?, ?, ?, ?, ?)", rows))
    repeat = kpis.kpi_by_code(db, "repeat_complaint_rate")
    rates = kpis.kpi_series(db, repeat, start=date(2026, 1, 1), end=date(2026, 4, 2))
    assert [(p.measured_on, p.value) for p in rates] == [(date(2026, 3, 31), 50.0)]


def test_a_measurement_entered_by_mistake_is_removed_and_the_audit_keeps_it(db, leader, priority_id, make_user):
    goal_id = goals.create_goal(db, leader, goal_data(db, priority_id, leader.employee_id))
    kpi_id = goals.get_goal(db, goal_id).kpi_id
    kpis.record_measurement(db, leader, {"kpi_id": kpi_id, "goal_id": goal_id, "measured_on": TODAY, "value": 76})
    wrong = kpis.record_measurement(
        db, leader, {"kpi_id": kpi_id, "goal_id": goal_id, "measured_on": TODAY, "value": 7.6}
    )
    assert goals.get_goal(db, goal_id).status.current_value == 7.6
    with pytest.raises(PermissionDeniedError):
        kpis.remove_measurement(db, make_user(Role.TEAM_LEAD), wrong)
    kpis.remove_measurement(db, leader, wrong)
    assert goals.get_goal(db, goal_id).status.current_value == 76
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'kpi_measurement' AND action = 'remove'") == 1


def test_demo_links_to_complaints_findings_and_green_lit_ideas_seeded_before_it(db, monkeypatch):
    """When the complaint and Speak-Up areas seed first, the demo plan builds on their data."""
    from models import demo
    from models.strategy.demo import computed_goals_step, strategy_step

    def earlier_areas(connection, org, progress):
        connection.execute("DROP TABLE IF EXISTS complaints; DROP TABLE IF EXISTS findings; DROP TABLE IF EXISTS ideas")
        connection.execute(
            "CREATE TABLE complaints (id INTEGER, received_date DATE, category VARCHAR, customer_id VARCHAR)"
        )
        # two years up to yesterday, from ten complaints a day falling to six: a partial first month
        connection.execute(
            "INSERT INTO complaints SELECT row_number() OVER (), ?::DATE + d::INTEGER, 'Fees', 'C' || d || '-' || k"
            " FROM range(730) a(d), range(10) b(k) WHERE k < 10 - d // 146",
            [org.today - timedelta(days=730)],
        )
        connection.execute("CREATE TABLE findings (id INTEGER, title VARCHAR)")
        connection.execute("INSERT INTO findings VALUES (5, 'Fee wording confuses customers')")
        connection.execute("CREATE TABLE ideas (id INTEGER, title VARCHAR, status VARCHAR)")
        connection.execute("INSERT INTO ideas VALUES (8, 'Card disputes in the contact centre', 'green_lit')")

    from models.people.demo import people_step

    steps = [
        ("people", people_step),
        ("earlier areas", lambda database, org, progress: database.write(lambda c: earlier_areas(c, org, progress))),
        ("strategy", strategy_step),
        ("goals on computed KPIs", computed_goals_step),
    ]
    demo.seed(db, seed=3, steps=steps)
    volume_goal = next(g for g in goals.list_goals(db) if g.kpi_code == "complaint_volume")
    series = {p.measured_on: p.value for p in goals.goal_series(db, volume_goal)}
    assert series[volume_goal.baseline_date] == volume_goal.baseline_value  # the chart and the goal agree
    assert volume_goal.target_value < volume_goal.baseline_value
    assert volume_goal.status.status == "achieved"  # the volume fell by more than a fifth
    assert db.scalar("SELECT count(*) FROM actions WHERE finding_id = 5 AND origin = 'finding'") > 0
    assert db.scalar("SELECT count(*) FROM actions WHERE idea_id = 8 AND origin = 'idea'") > 0
