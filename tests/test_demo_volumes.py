"""How much the demo builds at each scale: the demo itself at scale 1 and below, SPEC §10's
large benchmark organisation at ``LARGE_SCALE`` (arithmetic only: no large build)."""

from __future__ import annotations

from datetime import date

import pytest

from models.engagement.demo import PAST_SURVEYS
from models.people.demo import AGENTS_PER_TEAM
from models.recognition.demo import HISTORY_DAYS
from models.seeding import LARGE_SCALE, DemoVolumes, volumes
from models.speakup.demo import IDEAS_IN_OPEN_CYCLE, IDEAS_PER_PAST_CYCLE

TODAY = date(2026, 11, 25)
DEMO = DemoVolumes(teams=10, complaints=25_000, past_cycles=3, ideas_per_past_cycle=12, ideas_in_open_cycle=9)


def people(volume: DemoVolumes) -> int:
    """A team lead and the agents of each team, and the dozen leaders and staff around them."""
    return volume.teams * (1 + AGENTS_PER_TEAM) + 12


def ideas(volume: DemoVolumes) -> int:
    return volume.past_cycles * volume.ideas_per_past_cycle + volume.ideas_in_open_cycle


def test_scale_one_is_the_demo_as_it_was():
    assert volumes(1) == DEMO
    assert (IDEAS_PER_PAST_CYCLE, IDEAS_IN_OPEN_CYCLE) == (12, 9)


@pytest.mark.parametrize(("scale", "teams", "complaints"), [(0.5, 5, 12_500), (0.2, 2, 5_000), (0.01, 1, 1_000)])
def test_below_scale_one_people_and_complaints_shrink_and_the_cycles_stay(scale, teams, complaints):
    assert volumes(scale) == DemoVolumes(teams, complaints, 3, 12, 9)


def test_the_large_scale_is_the_benchmark_organisation_of_the_spec():
    large = volumes(LARGE_SCALE)
    assert 5_000 <= people(large) <= 5_500
    assert large.complaints == 1_000_000
    assert large.past_cycles == 12  # three years of quarterly cycles
    assert 19_800 <= ideas(large) <= 20_200
    assert PAST_SURVEYS == 8


def test_volumes_grow_steadily_from_the_demo_to_the_large_organisation():
    figures = [volumes(scale) for scale in (1, 1.5, 2, 5, 10, 20, LARGE_SCALE)]
    for field in ("teams", "complaints", "past_cycles", "ideas_per_past_cycle", "ideas_in_open_cycle"):
        values = [getattr(volume, field) for volume in figures]
        assert values == sorted(values), field
    assert ideas(volumes(2)) > ideas(volumes(1))


def test_training_and_kudos_follow_the_people_to_the_large_figures(seeded_db):
    """Two years of training and a year of kudos per person: the demo's records per person,
    at the large organisation's people, make SPEC's 300,000 training records."""
    database, organisation = seeded_db(today=TODAY)
    per_person = database.query_one(
        "SELECT ((SELECT count(*) FROM training_assignments) + (SELECT count(*) FROM training_completions))"
        " / count(*) AS training, (SELECT min(given_at)::DATE FROM kudos) AS first_kudos FROM employees"
    )
    assert 250_000 <= per_person["training"] * people(volumes(LARGE_SCALE)) <= 350_000
    assert (TODAY - per_person["first_kudos"]).days <= HISTORY_DAYS
    assert database.scalar("SELECT count(*) FROM surveys") == PAST_SURVEYS + 1  # and this quarter's, open
