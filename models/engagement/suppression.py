"""Which groups may be shown (rule 5 of the package): at least the threshold each, and the
hidden ones never recoverable by subtracting the shown ones from the total."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping


def shown_groups(counts: Mapping[Hashable, int], threshold: int) -> set:
    """The groups of a partition that may be shown.

    A group with fewer than ``threshold`` answers is hidden; while the hidden groups hold fewer than
    ``threshold`` answers together, the next smallest shown group is hidden too. A single
    hidden group therefore always takes another with it, and the total minus the shown
    groups — the sum of the hidden ones — never describes fewer than ``threshold`` answers.
    People without a team (or site) form a group of their own: never listed by name, but
    counted here, since subtraction would reveal them like any other group."""
    hidden = {group for group, count in counts.items() if 0 < count < threshold}
    candidates = sorted(
        (group for group in counts if group not in hidden and counts[group] > 0),
        key=lambda group: (counts[group], str(group)),
    )
    while hidden and sum(counts[group] for group in hidden) < threshold and candidates:
        hidden.add(candidates.pop(0))
    return {group for group in counts if group not in hidden}


def shown_labels(
    counts: Mapping[tuple[Hashable, Hashable], int], threshold: int
) -> tuple[set[Hashable], set[Hashable]]:
    """For answers counted by (team, site): the teams and the sites that may be shown. Sites
    are suppressed within the organisation and teams within their site; the teams of a
    hidden site are hidden with it (otherwise its shown teams would add up to it).

    A team whose people answered from more than one site is shown only when its answers at
    every one of those sites may be shown: its one row then adds them up, and no part of it
    that is hidden can be found by subtracting the rest."""
    site_counts: dict[Hashable, int] = defaultdict(int)
    team_counts: dict[Hashable, dict[Hashable, int]] = defaultdict(lambda: defaultdict(int))
    for (team, site), count in counts.items():
        site_counts[site] += count
        team_counts[site][team] += count
    sites = shown_groups(site_counts, threshold)
    shown_at: dict[Hashable, set[Hashable]] = defaultdict(set)
    for site, counts_at_site in team_counts.items():
        if site in sites:
            for team in shown_groups(counts_at_site, threshold):
                shown_at[team].add(site)
    sites_of: dict[Hashable, set[Hashable]] = defaultdict(set)
    for (team, site), count in counts.items():
        if count > 0:
            sites_of[team].add(site)
    teams = {team for team, at in shown_at.items() if sites_of[team] <= at}
    return teams, sites
