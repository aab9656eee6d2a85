"""KPIs by channel, team and site: what a measurement carries besides its KPI, what a goal may
target, and the names shown for them.

A measurement's *slice* is its channel, team and site (each may be empty; all empty is the
whole organisation). A goal targets at most one of them, and its status and chart use only
the measurements of exactly its slice: a value for chat counts for a goal on chat, not for the
organisation-wide goal, and an organisation-wide value does not count for a goal on chat. A
channel is compared without regard to case ("Chat" is "chat")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from models.areas import Dimension
from models.i18n import N_
from models.people import directory

if TYPE_CHECKING:
    from models.db import Database

DIMENSIONS: tuple[Dimension, ...] = ("channel", "team", "site")
DIMENSION_LABELS: dict[Dimension, str] = {"channel": N_("Channel"), "team": N_("Team"), "site": N_("Site")}
DIMENSION_COLUMNS: dict[Dimension, str] = {"channel": "channel", "team": "team_id", "site": "site_id"}
WHOLE_ORGANISATION = N_("Whole organisation")  # shown with _()


@dataclass(frozen=True)
class KpiSlice:
    """The channel, team and site of a measurement or a goal; none of them: the organisation."""

    channel: str | None = None
    team_id: int | None = None
    site_id: int | None = None

    @classmethod
    def of(cls, record: Any) -> KpiSlice:
        """The slice of any record with ``channel``, ``team_id`` and ``site_id``."""
        return cls(channel=record.channel or None, team_id=record.team_id, site_id=record.site_id)

    @property
    def dimensions(self) -> list[Dimension]:
        """The dimensions given, in the order channel, team, site."""
        given = {"channel": self.channel, "team": self.team_id, "site": self.site_id}
        return [name for name in DIMENSIONS if given[name] is not None]

    @property
    def key(self) -> str | int | None:
        """The value of the one dimension given (the channel, the team or site id), else None."""
        return self.channel if self.channel is not None else self.team_id if self.team_id is not None else self.site_id

    def matches(self, key: str | int) -> bool:
        """Whether a computed value's key (channel name, team or site id) is this slice's."""
        if self.channel is not None:
            return isinstance(key, str) and key.lower() == self.channel.lower()
        return key == self.key

    def sql(self, alias: str = "") -> tuple[str, list[Any]]:
        """The condition that a measurement row is of exactly this slice."""
        prefix = f"{alias}." if alias else ""
        return (
            f" AND lower({prefix}channel) IS NOT DISTINCT FROM lower(?::VARCHAR)"
            f" AND {prefix}team_id IS NOT DISTINCT FROM ?::INTEGER AND {prefix}site_id IS NOT DISTINCT FROM ?::INTEGER",
            [self.channel, self.team_id, self.site_id],
        )


ORGANISATION = KpiSlice()


@dataclass(frozen=True)
class Names:
    """Team and site names by id, to label slices and chart lines."""

    teams: dict[int, str]
    sites: dict[int, str]

    def key_label(self, dimension: Dimension, key: str | int) -> str:
        if dimension == "team":
            return self.teams.get(int(key), f"team {key}")
        if dimension == "site":
            return self.sites.get(int(key), f"site {key}")
        return str(key)

    def slice_label(self, kpi_slice: KpiSlice) -> str:
        """ "on Chat", "team Alpha", "site Harbour St, team Alpha"… or the whole organisation."""
        parts = []
        if kpi_slice.channel is not None:
            parts.append(f"on {kpi_slice.channel}")
        if kpi_slice.team_id is not None:
            parts.append(f"team {self.key_label('team', kpi_slice.team_id)}")
        if kpi_slice.site_id is not None:
            parts.append(f"site {self.key_label('site', kpi_slice.site_id)}")
        return ", ".join(parts) if parts else WHOLE_ORGANISATION


def names(db: Database) -> Names:
    return Names(
        teams={row["id"]: row["name"] for row in directory.list_teams(db)},
        sites={row["id"]: row["name"] for row in directory.list_sites(db)},
    )
