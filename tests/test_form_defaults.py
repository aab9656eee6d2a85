"""Forms read their limits and defaults from the models: ui/fields.py, the proposed new cycle
and the green light's default action due date."""

from __future__ import annotations

from datetime import date, timedelta

from models.actions.plan import ActionInput
from models.speakup import decisions
from models.speakup.cycles import DEFAULT_CRITERIA, CriterionInput, CycleInput, CycleRules, proposed_cycle
from models.speakup.judging import ACTION_DUE_AFTER
from models.strategy.kpis import MeasurementInput
from ui.fields import bounds, default, max_chars


def test_max_chars_is_the_models_max_length():
    assert max_chars(ActionInput, "title") == 200
    assert max_chars(CycleInput, "name") == 40
    assert max_chars(ActionInput, "owner_id") is None


def test_bounds_are_the_models_least_and_greatest_values():
    assert bounds(CycleRules, "min_judges") == (1, 20)
    assert bounds(CycleRules, "green_light_threshold") == (1, 5)
    assert bounds(CriterionInput, "weight") == (0, 100)  # gt=0: the model refuses 0 itself
    assert bounds(ActionInput, "title") == (None, None)


def test_defaults_are_the_models_including_factories_and_none_when_required():
    assert default(MeasurementInput, "source") == "manual"
    assert default(ActionInput, "start_date") == date.today()
    assert default(ActionInput, "owner_id") is None


def test_a_new_cycle_is_proposed_for_next_quarter_with_the_default_rule_and_criteria():
    proposed = proposed_cycle(date(2026, 5, 10))
    assert proposed["name"] == "2026 Q3"
    assert proposed_cycle(date(2026, 11, 1))["name"] == "2027 Q1"
    assert proposed["submission_opens"] == date(2026, 5, 10)
    assert proposed["submission_closes"] < proposed["speakup_day"]
    rules = CycleRules()
    assert (proposed["green_light_threshold"], proposed["min_judges"], proposed["shortlist_size"]) == (
        rules.green_light_threshold,
        rules.min_judges,
        rules.shortlist_size,
    )
    assert proposed["criteria"] == list(DEFAULT_CRITERIA)
    CycleInput.model_validate({k: v for k, v in proposed.items() if k != "criteria"})


def test_the_green_lit_action_falls_due_after_speakup_day_or_after_today_once_it_passed():
    class Day:
        speakup_day = date(2026, 6, 1)

    assert decisions.default_action_due_date(Day(), date(2026, 5, 1)) == date(2026, 6, 1) + ACTION_DUE_AFTER
    assert decisions.default_action_due_date(Day(), date(2026, 7, 1)) == date(2026, 7, 1) + timedelta(days=90)
