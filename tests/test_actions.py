"""The improvement action plan: creating actions, the status workflow, who may change
what, the refusal of stale saves, the updates log and the effectiveness review."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.access import PermissionDeniedError, Role
from models.actions import effectiveness, plan, workflow
from models.errors import InputError, StaleRecordError
from models.strategy import goals, kpis, vision

TODAY = date.today()


def action_data(owner_id: int, **overrides) -> dict:
    data = {
        "title": "Call back every repeat complainer within a day",
        "description": "Team leads phone customers who complained twice in 30 days.",
        "action_type": "corrective",
        "origin": "other",
        "owner_id": owner_id,
        "start_date": TODAY - timedelta(days=10),
        "due_date": TODAY + timedelta(days=30),
        "priority": "high",
        "expected_effect": "Repeat-complaint rate down 2 points",
    }
    return data | overrides


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADERSHIP, full_name="Lena Leader")


@pytest.fixture
def owner(make_user):
    return make_user(Role.TEAM_LEAD, full_name="Oscar Owner")


def test_leader_creates_an_action_that_starts_planned_with_a_log_line(db, leader, owner):
    action_id = workflow.create_action(db, leader, action_data(owner.employee_id))
    action = plan.get_action(db, action_id)
    assert action.status == "planned" and action.version == 1
    assert action.owner_name == "Oscar Owner" and action.priority == "high"
    log = plan.updates_log(db, action_id)
    assert [entry["kind"] for entry in log] == ["created"]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'action' AND action = 'create'") == 1


def test_an_agent_cannot_create_an_action(db, make_user, owner):
    agent = make_user()
    with pytest.raises(PermissionDeniedError):
        workflow.create_action(db, agent, action_data(owner.employee_id))
    assert db.scalar("SELECT count(*) FROM actions") == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "x"}, "Title"),
        ({"due_date": TODAY - timedelta(days=20)}, "Due date"),
        ({"origin": "goal"}, "Goal"),
        ({"action_type": "someday"}, "Type"),
        ({"priority": "urgent"}, "Priority"),
    ],
)
def test_bad_action_input_names_the_field_and_stores_nothing(db, leader, owner, overrides, field):
    with pytest.raises(InputError) as caught:
        workflow.create_action(db, leader, action_data(owner.employee_id, **overrides))
    fields = [name for name, _ in caught.value.problems]
    assert field in fields
    assert db.scalar("SELECT count(*) FROM actions") == 0


def test_due_date_before_start_says_so(db, leader, owner):
    with pytest.raises(InputError, match="due date is before the start date"):
        workflow.create_action(db, leader, action_data(owner.employee_id, due_date=TODAY - timedelta(days=20)))


def test_unknown_owner_goal_and_kpi_are_refused(db, leader):
    with pytest.raises(InputError) as caught:
        workflow.create_action(db, leader, action_data(999_999, origin="goal", goal_id=777, kpi_id=888))
    assert {name for name, _ in caught.value.problems} == {"Owner", "Goal", "KPI"}
    assert db.scalar("SELECT count(*) FROM actions") == 0


def test_insert_action_works_inside_another_write_and_is_audited(db, owner):
    record = plan.ActionInput(**action_data(owner.employee_id, origin="idea", idea_id=42))

    def green_light(connection):
        return workflow.insert_action(connection, owner, record)

    action_id = db.write(green_light)
    linked = plan.actions_for(db, idea_id=42)
    assert [a.id for a in linked] == [action_id]
    assert plan.actions_for(db, idea_id=43) == []
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'action' AND entity_id = ?", [str(action_id)]) == 1


def test_a_failing_outer_write_leaves_no_action_behind(db, owner):
    record = plan.ActionInput(**action_data(owner.employee_id, origin="finding", finding_id=7))

    def fails_after_insert(connection):
        workflow.insert_action(connection, owner, record)
        raise RuntimeError("the rest of the green light failed")

    with pytest.raises(RuntimeError):
        db.write(fails_after_insert)
    assert plan.actions_for(db, finding_id=7) == []


# -- workflow ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["in_progress", "done"], True),
        (["blocked", "in_progress", "done"], True),
        (["in_progress", "blocked", "planned"], True),
        (["cancelled"], True),
        (["done"], False),  # planned cannot jump to done
        (["in_progress", "done", "in_progress"], False),  # done is final
        (["cancelled", "planned"], False),  # cancelled is final
        (["in_progress", "planned"], False),
    ],
)
def test_only_the_allowed_transitions_are_accepted(db, leader, owner, path, allowed):
    action_id = workflow.create_action(db, leader, action_data(owner.employee_id))
    *steps, last = path
    for status in steps:
        action = plan.get_action(db, action_id)
        workflow.change_status(db, leader, action_id, status, action.version, note="because")
    action = plan.get_action(db, action_id)
    if allowed:
        workflow.change_status(db, leader, action_id, last, action.version, note="because")
        assert plan.get_action(db, action_id).status == last
    else:
        with pytest.raises(InputError, match="cannot become"):
            workflow.change_status(db, leader, action_id, last, action.version, note="because")
        assert plan.get_action(db, action_id).status == action.status


def test_done_sets_completion_date_and_full_progress_and_logs_the_change(db, leader, owner):
    action_id = workflow.create_action(db, leader, action_data(owner.employee_id))
    workflow.change_status(db, owner, action_id, "in_progress", 1)
    workflow.change_status(db, owner, action_id, "done", 2, note="Rolled out", on=TODAY - timedelta(days=1))
    action = plan.get_action(db, action_id)
    assert action.completed_on == TODAY - timedelta(days=1) and action.progress_pct == 100
    log = plan.updates_log(db, action_id)
    assert (log[0]["from_status"], log[0]["to_status"], log[0]["note"]) == ("in_progress", "done", "Rolled out")
    assert log[0]["author"] == "Oscar Owner"


def test_an_action_cannot_be_done_on_a_day_still_to_come(db, leader, owner):
    action_id = workflow.create_action(db, leader, action_data(owner.employee_id))
    workflow.change_status(db, owner, action_id, "in_progress", 1)
    with pytest.raises(InputError) as caught:
        workflow.change_status(db, owner, action_id, "done", 2, on=TODAY + timedelta(days=400))
    assert caught.value.problems == [("Completion date", "cannot be in the future")]
    action = plan.get_action(db, action_id)
    assert (action.status, action.completed_on) == ("in_progress", None)
    workflow.change_status(db, owner, action_id, "done", 2, on=TODAY)  # today is fine


def test_blocking_needs_a_reason(db, leader, owner):
    action_id = workflow.create_action(db, leader, action_data(owner.employee_id))
    with pytest.raises(InputError) as caught:
        workflow.change_status(db, leader, action_id, "blocked", 1, note="  ")
    assert caught.value.problems[0][0] == "Note"
    assert plan.get_action(db, action_id).status == "planned"


def test_owner_changes_own_action_but_another_agent_cannot(db, leader, owner, make_user):
    action_id = workflow.create_action(db, leader, action_data(owner.employee_id))
    stranger = make_user(Role.TEAM_LEAD)
    with pytest.raises(PermissionDeniedError):
        workflow.change_status(db, stranger, action_id, "in_progress", 1)
    with pytest.raises(PermissionDeniedError):
        workflow.post_update(db, stranger, action_id, "I was here")
    with pytest.raises(PermissionDeniedError):
        workflow.update_action(db, stranger, action_id, action_data(owner.employee_id, title="Hijacked"), 1)
    workflow.change_status(db, owner, action_id, "in_progress", 1)
    workflow.post_update(db, owner, action_id, "Half the team trained", progress_pct=50)
    action = plan.get_action(db, action_id)
    assert action.status == "in_progress" and action.progress_pct == 50


def test_owner_cannot_hand_the_action_to_someone_else_but_leadership_can(db, leader, owner, make_user):
    action_id = workflow.create_action(db, leader, action_data(owner.employee_id))
    other = make_user(Role.TEAM_LEAD)
    with pytest.raises(PermissionDeniedError):
        workflow.update_action(db, owner, action_id, action_data(other.employee_id), 1)
    workflow.update_action(db, owner, action_id, action_data(owner.employee_id, title="Call back within 4 hours"), 1)
    workflow.update_action(db, leader, action_id, action_data(other.employee_id), 2)
    assert plan.get_action(db, action_id).owner_id == other.employee_id


def test_progress_outside_0_to_100_is_refused(db, leader, owner):
    action_id = workflow.create_action(db, leader, action_data(owner.employee_id))
    with pytest.raises(InputError, match="between 0 and 100"):
        workflow.post_update(db, owner, action_id, "too much", progress_pct=120)
    assert plan.get_action(db, action_id).progress_pct == 0


# -- two people editing ----------------------------------------------------------------
def test_second_save_of_the_same_version_is_refused_naming_who_changed_it(db, leader, owner):
    action_id = workflow.create_action(db, leader, action_data(owner.employee_id))
    first_session = plan.get_action(db, action_id)  # leader opens the action
    second_session = plan.get_action(db, action_id)  # owner opens it too
    workflow.update_action(
        db, leader, action_id, action_data(owner.employee_id, title="Leader's title"), first_session.version
    )
    with pytest.raises(StaleRecordError, match="Changed by Lena Leader at .* since you opened it"):
        workflow.update_action(
            db, owner, action_id, action_data(owner.employee_id, title="Owner's title"), second_session.version
        )
    assert plan.get_action(db, action_id).title == "Leader's title"


def test_a_save_without_changes_stores_nothing_and_leaves_other_sessions_current(db, leader, owner):
    action_id = workflow.create_action(db, leader, action_data(owner.employee_id))
    opened = plan.get_action(db, action_id).version
    assert workflow.update_action(db, leader, action_id, action_data(owner.employee_id), opened) == []
    assert plan.get_action(db, action_id).version == opened
    assert [entry["kind"] for entry in plan.updates_log(db, action_id)] == ["created"]
    # someone else who opened the same version can still save
    changed = workflow.update_action(db, owner, action_id, action_data(owner.employee_id, title="New title"), opened)
    assert changed == ["title"]
    assert plan.updates_log(db, action_id)[0]["note"] == "Changed title"  # newest first


def test_a_status_change_on_a_stale_version_is_refused(db, leader, owner):
    action_id = workflow.create_action(db, leader, action_data(owner.employee_id))
    opened = plan.get_action(db, action_id).version
    workflow.change_status(db, owner, action_id, "in_progress", opened)
    with pytest.raises(StaleRecordError, match="Changed by Oscar Owner"):
        workflow.change_status(db, leader, action_id, "cancelled", opened, note="not needed")
    assert plan.get_action(db, action_id).status == "in_progress"


# -- views -----------------------------------------------------------------------------
def test_views_my_actions_overdue_and_by_goal(db, leader, owner):
    late = workflow.create_action(
        db,
        leader,
        action_data(owner.employee_id, start_date=TODAY - timedelta(days=60), due_date=TODAY - timedelta(days=1)),
    )
    mine = workflow.create_action(db, leader, action_data(leader.employee_id, title="Leader's own action"))
    finished = workflow.create_action(
        db,
        leader,
        action_data(owner.employee_id, start_date=TODAY - timedelta(days=60), due_date=TODAY - timedelta(days=5)),
    )
    workflow.change_status(db, leader, finished, "in_progress", 1)
    workflow.change_status(db, leader, finished, "done", 2)
    assert [a.id for a in plan.list_actions(db, owner_id=leader.employee_id)] == [mine]
    assert [a.id for a in plan.list_actions(db, overdue_on=TODAY)] == [late]
    summary = plan.plan_summary(db, TODAY)
    assert summary["overdue"] == 1 and summary["done"] == 1 and summary["planned"] == 2
    by_owner = plan.counts_by(db, "owner")
    assert dict(zip(by_owner["owner"], by_owner["actions"], strict=True)) == {"Oscar Owner": 2, "Lena Leader": 1}


def test_action_tables_mix_done_and_open_actions_in_columns_arrow_takes_as_they_are(db, leader, owner):
    """Streamlit sends tables as Arrow: a column mixing dates and texts is logged and rewritten."""
    import pyarrow as pa

    finished = workflow.create_action(db, leader, action_data(owner.employee_id, title="Finished"))
    workflow.create_action(db, leader, action_data(owner.employee_id, title="Still open"))
    workflow.change_status(db, leader, finished, "in_progress", 1)
    workflow.change_status(db, leader, finished, "done", 2)
    actions = plan.list_actions(db)
    for frame in (plan.actions_frame(actions, TODAY), plan.linked_actions_frame(actions)):
        table = pa.Table.from_pandas(frame, preserve_index=False)  # raises on a mixed column
        assert table.schema.field("Completed").type == pa.date32()
        completed = dict(zip(frame["Action"], frame["Completed"], strict=True))
        assert completed == {"Finished": TODAY, "Still open": None}


# -- effectiveness ---------------------------------------------------------------------
def _kpi_with_values(db, leader, values_by_days_ago: dict[int, float]) -> int:
    kpi = kpis.kpi_by_code(db, "aht")
    for days_ago, value in values_by_days_ago.items():
        kpis.record_measurement(
            db, leader, {"kpi_id": kpi.id, "measured_on": TODAY - timedelta(days=days_ago), "value": value}
        )
    return kpi.id


def _done_action(db, leader, owner, kpi_id: int, completed_days_ago: int) -> int:
    action_id = workflow.create_action(
        db,
        leader,
        action_data(owner.employee_id, kpi_id=kpi_id, start_date=TODAY - timedelta(days=400)),
    )
    workflow.change_status(db, leader, action_id, "in_progress", 1)
    workflow.change_status(db, leader, action_id, "done", 2, on=TODAY - timedelta(days=completed_days_ago))
    return action_id


def test_effectiveness_compares_equal_windows_before_and_after_completion(db, leader, owner):
    # completed 100 days ago; 90-day windows: before = days 190..101 ago, after = days 100..11 ago
    kpi_id = _kpi_with_values(db, leader, {200: 999, 150: 400, 120: 380, 90: 330, 30: 310, 5: 1})
    action_id = _done_action(db, leader, owner, kpi_id, completed_days_ago=100)
    review = effectiveness.effectiveness(db, action_id, window_days=90)
    assert review.window_days == 90
    assert review.before_mean == pytest.approx(390) and review.before_count == 2
    assert review.after_mean == pytest.approx(320) and review.after_count == 2
    assert review.change == pytest.approx(-70)
    assert review.improved is True  # handle time is lower-is-better


def test_effectiveness_windows_shrink_to_the_days_since_completion(db, leader, owner):
    kpi_id = _kpi_with_values(db, leader, {50: 500, 15: 420, 5: 300})
    action_id = _done_action(db, leader, owner, kpi_id, completed_days_ago=10)
    review = effectiveness.effectiveness(db, action_id, window_days=90)
    assert review.window_days == 10
    assert review.before_mean == pytest.approx(420) and review.after_mean == pytest.approx(300)


def test_effectiveness_is_only_for_done_actions_with_a_kpi(db, leader, owner):
    open_action = workflow.create_action(db, leader, action_data(owner.employee_id))
    assert effectiveness.effectiveness(db, open_action) is None


def test_effectiveness_falls_back_to_the_linked_goals_kpi(db, leader, owner):
    kpi_id = _kpi_with_values(db, leader, {50: 500, 15: 420, 5: 300})
    priority_id = vision.create_priority(db, leader, {"title": "Effortless service", "position": 1})
    goal_id = goals.create_goal(
        db,
        leader,
        {
            "name": "Average handle time under 6 minutes",
            "priority_id": priority_id,
            "kpi_id": kpi_id,
            "unit": "seconds",
            "direction": "lower",
            "baseline_value": 420,
            "baseline_date": TODAY - timedelta(days=100),
            "target_value": 360,
            "target_date": TODAY + timedelta(days=100),
            "owner_id": leader.employee_id,
        },
    )
    action_id = workflow.create_action(
        db,
        leader,
        action_data(owner.employee_id, origin="goal", goal_id=goal_id, start_date=TODAY - timedelta(days=60)),
    )
    workflow.change_status(db, leader, action_id, "in_progress", 1)
    workflow.change_status(db, leader, action_id, "done", 2, on=TODAY - timedelta(days=10))
    review = effectiveness.effectiveness(db, action_id, window_days=90)
    assert review is not None and review.kpi_id == kpi_id
    assert review.before_mean == pytest.approx(420) and review.after_mean == pytest.approx(300)


def test_owner_records_a_verdict_on_a_done_action_only(db, leader, owner, make_user):
    kpi_id = _kpi_with_values(db, leader, {20: 400})
    action_id = _done_action(db, leader, owner, kpi_id, completed_days_ago=10)
    open_action = workflow.create_action(db, leader, action_data(owner.employee_id))
    with pytest.raises(InputError, match="only a done action"):
        effectiveness.record_verdict(db, owner, open_action, "effective")
    with pytest.raises(PermissionDeniedError):
        effectiveness.record_verdict(db, make_user(), action_id, "effective")
    with pytest.raises(InputError):
        effectiveness.record_verdict(db, owner, action_id, "great")
    effectiveness.record_verdict(db, owner, action_id, "partly", "Handle time fell but not by the hoped 60 s")
    action = plan.get_action(db, action_id)
    assert action.effectiveness_verdict == "partly"
    assert plan.updates_log(db, action_id)[0]["kind"] == "review"
