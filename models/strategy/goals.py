"""Goals with baselines and targets, and the goal status computed from their measurements
(SPEC §2): achieved, on track, at risk, off track, stale."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import BaseModel, Field, ValidationInfo, field_validator

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import insert_with_new_id, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _, format_date, format_datetime, format_number, pgettext
from models.inputs import InputRecord
from models.strategy.dimensions import WHOLE_ORGANISATION, Dimension, KpiSlice
from models.strategy.kpis import (
    COMPUTED_KPIS,
    SPLIT_KPIS,
    Direction,
    Frequency,
    Measurement,
    SplitPoint,
    StatusName,
    check_team_and_site,
    computed_values_of,
    get_kpi,
    kpi_series,
    kpi_split_series,
    kpis_by_id,
    shipped_text,
)

if TYPE_CHECKING:
    import pandas as pd

    from models.db import Database


# A goal is stale when no measurement arrived within its update frequency.
FREQUENCY_DAYS = {"monthly": 31, "quarterly": 92}
ON_TRACK_MARGIN = 0.10
AT_RISK_MARGIN = 0.25
STATUS_LABELS = {  # marked for the catalogue; shown with _()
    "achieved": N_("Achieved"),
    "on_track": N_("On track"),
    "at_risk": N_("At risk"),
    "off_track": N_("Off track"),
    "stale": N_("Stale"),
}
FREQUENCY_LABELS = {"monthly": N_("monthly"), "quarterly": N_("quarterly")}  # shown with _()
SOURCE_LABELS = {"manual": N_("Manual"), "import": N_("Imported"), "computed": N_("Computed")}  # shown with _()
# The date pattern (CLDR) of the goal and action pages: English keeps its ISO dates, each
# language writes its own numeric form.
DAY_PATTERN = N_("yyyy-MM-dd")
STATUS_ORDER = ("off_track", "at_risk", "stale", "on_track", "achieved")
_EPSILON = 1e-9  # progress exactly on a boundary counts as reaching it


# -- goal status -----------------------------------------------------------------------
class GoalStatus(BaseModel):
    """The computed status of a goal and the numbers behind it."""

    status: StatusName
    progress: float
    expected: float
    current_value: float
    last_measured_on: date | None
    reason: str

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def _pct(share: float) -> str:
    return format_number(round(share * 100))


def short_date(day: date | datetime) -> str:
    """A day as the goal and action pages write it, in the current language ("2026-03-05",
    "05.03.2026")."""
    return format_date(day, _(DAY_PATTERN))


def short_datetime(moment: datetime) -> str:
    """A moment as the goal and action pages write it ("2026-03-05 14:30")."""
    return format_datetime(moment, _(DAY_PATTERN) + " HH:mm")


def source_label(source: str) -> str:
    """Where a measurement came from: the portal's own sources in the current language, a
    source someone typed as entered (capitalised)."""
    return _(SOURCE_LABELS[source]) if source in SOURCE_LABELS else source.capitalize()


def compute_status(
    *,
    baseline_value: float,
    baseline_date: date,
    target_value: float,
    target_date: date,
    update_frequency: str,
    latest_value: float | None,
    latest_date: date | None,
    today: date,
) -> GoalStatus:
    """SPEC §2: progress = (current − baseline) / (target − baseline), which is
    direction-aware because a lower-is-better goal has its target below the baseline;
    expected = elapsed share of baseline→target. Rules, first that applies:

    - *stale*: no measurement within the update frequency (without any measurement,
      counted from the baseline date);
    - *achieved*: progress ≥ 1;
    - *off track*: the target date has passed without achieving it;
    - *on track*: progress ≥ expected − 0.10; *at risk*: ≥ expected − 0.25; else *off track*.
    """
    current = baseline_value if latest_value is None else latest_value
    span = target_value - baseline_value
    progress = (current - baseline_value) / span if span else 0.0
    period = max(1, (target_date - baseline_date).days)
    expected = min(1.0, max(0.0, (today - baseline_date).days / period))
    numbers = _("progress {progress} %, expected {expected} %", progress=_pct(progress), expected=_pct(expected))
    last_seen = latest_date or baseline_date
    if (today - last_seen).days > FREQUENCY_DAYS[update_frequency]:
        frequency = _(FREQUENCY_LABELS[update_frequency])
        reason = (
            _(
                "no measurement since {date} (updated {frequency}); {numbers}",
                date=short_date(latest_date),
                frequency=frequency,
                numbers=numbers,
            )
            if latest_date
            else _("no measurement yet (updated {frequency}); {numbers}", frequency=frequency, numbers=numbers)
        )
        status = "stale"
    elif progress >= 1 - _EPSILON:
        status, reason = "achieved", _("target reached: {numbers}", numbers=numbers)
    elif today > target_date:
        status = "off_track"
        reason = _("target date {date} passed; {numbers}", date=short_date(target_date), numbers=numbers)
    elif progress >= expected - ON_TRACK_MARGIN - _EPSILON:
        status, reason = "on_track", numbers
    elif progress >= expected - AT_RISK_MARGIN - _EPSILON:
        status, reason = "at_risk", numbers
    else:
        status, reason = "off_track", numbers
    if latest_value is None and status != "stale":
        reason = _("{reason} (no measurement yet: counted from the baseline)", reason=reason)
    return GoalStatus(
        status=status,
        progress=progress,
        expected=expected,
        current_value=current,
        last_measured_on=latest_date,
        reason=reason,
    )


# -- goals -----------------------------------------------------------------------------
class GoalInput(InputRecord):
    name: str = Field(title=N_("Name"), min_length=3, max_length=160)
    priority_id: int = Field(title=N_("Strategic priority"))
    kpi_id: int = Field(title=N_("KPI"))
    unit: str = Field(title=N_("Unit"), min_length=1, max_length=30)
    direction: Direction = Field(title=N_("Direction"))
    baseline_value: float = Field(title=N_("Baseline value"))
    baseline_date: date = Field(title=N_("Baseline date"))
    target_value: float = Field(title=N_("Target value"))
    target_date: date = Field(title=N_("Target date"))
    owner_id: int = Field(title=N_("Owner"))
    update_frequency: Frequency = Field(default="monthly", title=N_("Update frequency"))
    channel: str | None = Field(default=None, title=N_("Channel"), max_length=60)
    team_id: int | None = Field(default=None, title=N_("Team"))
    site_id: int | None = Field(default=None, title=N_("Site"))

    @field_validator("channel", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("site_id")
    @classmethod
    def _one_dimension(cls, value: int | None, info: ValidationInfo) -> int | None:
        given = [info.data.get("channel"), info.data.get("team_id"), value]
        if sum(item is not None for item in given) > 1:
            raise ValueError(_("a goal targets one channel, one team or one site, not several"))
        return value

    @field_validator("target_value")
    @classmethod
    def _target_beyond_baseline(cls, value: float, info: ValidationInfo) -> float:
        direction, baseline = info.data.get("direction"), info.data.get("baseline_value")
        if baseline is None or direction is None:
            return value
        if direction == "higher" and value <= baseline:
            raise ValueError(_("higher is better, so the target must be above the baseline value"))
        if direction == "lower" and value >= baseline:
            raise ValueError(_("lower is better, so the target must be below the baseline value"))
        return value

    @field_validator("target_date")
    @classmethod
    def _target_after_baseline(cls, value: date, info: ValidationInfo) -> date:
        baseline = info.data.get("baseline_date")
        if baseline is not None and value <= baseline:
            raise ValueError(_("must come after the baseline date"))
        return value


class Goal(BaseModel):
    id: int
    name: str
    priority_id: int
    priority_title: str | None
    priority_position: int | None
    kpi_id: int
    kpi_code: str
    kpi_name: str
    unit: str
    direction: Direction
    baseline_value: float
    baseline_date: date
    target_value: float
    target_date: date
    owner_id: int
    owner_name: str | None
    update_frequency: Frequency
    updated_by: int | None
    updated_by_name: str | None
    updated_at: datetime
    created_at: datetime | None = None
    version: int
    channel: str | None = None
    team_id: int | None = None
    team_name: str | None = None
    site_id: int | None = None
    site_name: str | None = None
    status: GoalStatus | None = None

    @property
    def computed(self) -> bool:
        return self.kpi_code in COMPUTED_KPIS

    @property
    def kpi_slice(self) -> KpiSlice:
        """The channel, team or site the goal targets (none: the whole organisation)."""
        return KpiSlice.of(self)

    @property
    def shown_kpi_name(self) -> str:
        """The KPI's name: a shipped KPI's in the current language, an added one's as entered."""
        return shipped_text(self.kpi_code, 0, self.kpi_name)

    @property
    def shown_unit(self) -> str:
        """The goal's unit; the shipped KPI's unit in the current language."""
        return shipped_text(self.kpi_code, 1, self.unit)

    @property
    def scope_label(self) -> str:
        """ "on Chat", "team Alpha", "site Harbour St" or "Whole organisation" (current language)."""
        if self.channel is not None:
            return _("on {channel}", channel=self.channel)
        if self.team_id is not None:
            return _("team {team}", team=self.team_name)
        if self.site_id is not None:
            return _("site {site}", site=self.site_name)
        return _(WHOLE_ORGANISATION)

    @property
    def headline(self) -> str:
        """The goal as one line: its KPI, its channel, team or site and its target, e.g.
        "Customer satisfaction (CSAT) on Chat ≥ 85 %"."""
        values = {
            "kpi": self.shown_kpi_name,
            "sign": "≥" if self.direction == "higher" else "≤",
            "target": format_number(self.target_value),
            "unit": self.shown_unit,
            "date": short_date(self.target_date),
        }
        if not self.kpi_slice.dimensions:
            return _("{kpi} {sign} {target} {unit} by {date}", **values)
        return _("{kpi} {scope} {sign} {target} {unit} by {date}", scope=self.scope_label, **values)

    def as_input(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in GoalInput.model_fields}


_GOAL_SQL = """
    SELECT g.id, g.name, g.priority_id, p.title AS priority_title, p.position AS priority_position,
           g.kpi_id, k.code AS kpi_code, k.name AS kpi_name, g.unit, g.direction,
           g.baseline_value, g.baseline_date, g.target_value, g.target_date, g.owner_id,
           o.full_name AS owner_name, g.update_frequency, g.updated_by, u.full_name AS updated_by_name,
           g.updated_at, g.created_at, g.version, g.channel, g.team_id, tm.name AS team_name, g.site_id,
           st.name AS site_name
    FROM goals g
    LEFT JOIN strategic_priorities p ON p.id = g.priority_id
    LEFT JOIN kpis k ON k.id = g.kpi_id
    LEFT JOIN employees o ON o.id = g.owner_id
    LEFT JOIN employees u ON u.id = g.updated_by
    LEFT JOIN teams tm ON tm.id = g.team_id
    LEFT JOIN sites st ON st.id = g.site_id
"""


def _latest_entered(db: Database, goal_ids: list[int], today: date) -> dict[int, tuple[float, date]]:
    """Latest hand-entered or imported value per goal (its own or its KPI's, of exactly its
    channel, team or site), in one query."""
    if not goal_ids:
        return {}
    rows = db.query(
        "SELECT g.id AS goal_id, arg_max(m.value, (m.measured_on, m.id)) AS value, max(m.measured_on) AS measured_on"
        " FROM goals g JOIN kpi_measurements m ON m.kpi_id = g.kpi_id AND (m.goal_id IS NULL OR m.goal_id = g.id)"
        " AND lower(m.channel) IS NOT DISTINCT FROM lower(g.channel) AND m.team_id IS NOT DISTINCT FROM g.team_id"
        " AND m.site_id IS NOT DISTINCT FROM g.site_id"
        " WHERE list_contains(?, g.id) AND m.measured_on <= ? GROUP BY g.id",
        [goal_ids, today],
    )
    return {row["goal_id"]: (row["value"], row["measured_on"]) for row in rows}


def _latest_computed(
    db: Database, goals: list[Goal], today: date
) -> dict[tuple[int, KpiSlice], tuple[float, date] | None]:
    """Latest computed value per KPI and slice of these goals: each KPI read once for all its slices."""
    slices: dict[int, list[KpiSlice]] = {}
    for goal in goals:
        slices.setdefault(goal.kpi_id, []).append(goal.kpi_slice)
    kpis = kpis_by_id(db, list(slices))
    latest: dict[tuple[int, KpiSlice], tuple[float, date] | None] = {}
    for kpi_id, wanted in slices.items():
        series_of = computed_values_of(db, kpis[kpi_id], today - timedelta(days=400), today, wanted)
        for of, series in series_of.items():
            latest[(kpi_id, of)] = (series[-1][1], series[-1][0]) if series else None
    return latest


def _with_status(db: Database, goals: list[Goal], today: date) -> list[Goal]:
    entered = _latest_entered(db, [g.id for g in goals if not g.computed], today)
    computed_latest = _latest_computed(db, [g for g in goals if g.computed], today)
    for goal in goals:
        latest = computed_latest[goal.kpi_id, goal.kpi_slice] if goal.computed else entered.get(goal.id)
        goal.status = compute_status(
            baseline_value=goal.baseline_value,
            baseline_date=goal.baseline_date,
            target_value=goal.target_value,
            target_date=goal.target_date,
            update_frequency=goal.update_frequency,
            latest_value=latest[0] if latest else None,
            latest_date=latest[1] if latest else None,
            today=today,
        )
    return goals


def list_goals(db: Database, *, priority_id: int | None = None, today: date | None = None) -> list[Goal]:
    """Active goals in priority order, each with its computed status."""
    where, params = " WHERE g.active", []
    if priority_id is not None:
        where += " AND g.priority_id = ?"
        params.append(priority_id)
    rows = db.query(_GOAL_SQL + where + " ORDER BY p.position, g.name", params)
    return _with_status(db, [Goal(**row) for row in rows], today or date.today())


def goal_names(db: Database) -> dict[int, str]:
    """Active goals' names in priority order, id → name: for pickers and filters, which need
    no status (computing each goal's status reads its KPI's figures)."""
    rows = db.query(
        "SELECT g.id, g.name FROM goals g LEFT JOIN strategic_priorities p ON p.id = g.priority_id"
        " WHERE g.active ORDER BY p.position, g.name"
    )
    return {row["id"]: row["name"] for row in rows}


def get_goal(db: Database, goal_id: int, *, today: date | None = None) -> Goal | None:
    row = db.query_one(_GOAL_SQL + " WHERE g.id = ?", [goal_id])
    return _with_status(db, [Goal(**row)], today or date.today())[0] if row else None


NOT_COMPUTED_PER = {  # a goal on a computed KPI the portal does not split that way; shown with _()
    "channel": N_("{kpi} is not computed per channel: leave the channel blank"),
    "team": N_("{kpi} is not computed per team: leave the team blank"),
    "site": N_("{kpi} is not computed per site: leave the site blank"),
}


def _check_goal_references(connection: duckdb.DuckDBPyConnection, record: GoalInput) -> None:
    problems = []
    if not connection.execute(
        "SELECT 1 FROM strategic_priorities WHERE id = ? AND active", [record.priority_id]
    ).fetchone():
        problems.append((_("Strategic priority"), _("no such priority")))
    kpi = connection.execute("SELECT code, name FROM kpis WHERE id = ?", [record.kpi_id]).fetchone()
    if not kpi:
        problems.append((_("KPI"), _("no such KPI")))
    elif kpi[0] in COMPUTED_KPIS and KpiSlice.of(record).dimensions:
        dimension = KpiSlice.of(record).dimensions[0]
        if dimension not in (SPLIT_KPIS[kpi[0]].dimensions if kpi[0] in SPLIT_KPIS else ()):
            problems.append(
                (
                    _("KPI"),
                    _(
                        NOT_COMPUTED_PER[dimension],
                        kpi=shipped_text(kpi[0], 0, kpi[1]),
                    ),
                )
            )
    if not connection.execute("SELECT 1 FROM employees WHERE id = ? AND active", [record.owner_id]).fetchone():
        problems.append((_("Owner"), _("no such active employee")))
    if problems:
        raise InputError(problems)
    check_team_and_site(connection, record.team_id, record.site_id)


def create_goal(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """Leadership sets a measurable goal under a strategic priority (``at``, default now)."""
    require(actor, Permission.STRATEGY_MANAGE)
    record = validate(GoalInput, data)

    def create(connection: duckdb.DuckDBPyConnection):
        _check_goal_references(connection, record)
        now = at or utc_now()
        goal_id = insert_with_new_id(
            connection,
            "goals",
            "INSERT INTO goals (id, name, priority_id, kpi_id, unit, direction, baseline_value, "
            "baseline_date, target_value, target_date, owner_id, update_frequency, channel, team_id, site_id, "
            "created_by, created_at, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?)",
            [
                *(getattr(record, name) for name in GoalInput.model_fields),
                actor.employee_id,
                now,
                actor.employee_id,
                now,
            ],
        )
        audit.record(connection, actor, "goal", goal_id, "create", after=record.model_dump(), at=now)
        return goal_id

    return db.write(create)


def update_goal(
    db: Database,
    actor: CurrentUser,
    goal_id: int,
    data: dict[str, Any],
    expected_version: int,
    *,
    at: datetime | None = None,
) -> None:
    """Change a goal (``at``, default now); refused when someone saved it since it was opened."""
    require(actor, Permission.STRATEGY_MANAGE)
    record = validate(GoalInput, data)

    def update(connection: duckdb.DuckDBPyConnection):
        before = audit.row_as_dict(connection, "goals", "id", goal_id)
        if before is None:
            raise InputError.single(_("Goal"), _("no such goal"))
        audit.check_not_stale(connection, "goal", before, expected_version, "goal")
        _check_goal_references(connection, record)
        assignments = ", ".join(f"{name} = ?" for name in GoalInput.model_fields)
        connection.execute(
            f"UPDATE goals SET {assignments}, updated_by = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [*(getattr(record, name) for name in GoalInput.model_fields), actor.employee_id, at or utc_now(), goal_id],
        )
        after = audit.row_as_dict(connection, "goals", "id", goal_id)
        audit.record(connection, actor, "goal", goal_id, "update", before, after, at=at)

    db.write(update)


def goal_series(db: Database, goal: Goal, *, today: date | None = None) -> list[Measurement]:
    """The measurements behind a goal's chart, from a little before its baseline."""
    kpi = get_kpi(db, goal.kpi_id)
    assert kpi is not None
    end = max(today or date.today(), goal.baseline_date)
    return kpi_series(
        db, kpi, goal_id=goal.id, start=goal.baseline_date - timedelta(days=31), end=end, of=goal.kpi_slice
    )


def goal_split_series(db: Database, goal: Goal, by: Dimension, *, today: date | None = None) -> list[SplitPoint]:
    """The goal's KPI per channel, team or site (``by``) over the goal's chart period, one line
    per value, to read against the goal's target."""
    kpi = get_kpi(db, goal.kpi_id)
    assert kpi is not None
    end = max(today or date.today(), goal.baseline_date)
    return kpi_split_series(db, kpi, by, goal_id=goal.id, start=goal.baseline_date - timedelta(days=31), end=end)


def status_counts(db: Database, today: date | None = None) -> dict[str, int]:
    """How many goals are in each status on ``today`` (for dashboards and past quarters): a goal
    set after that day is not counted."""
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for goal in list_goals(db, today=today):
        if today is not None and goal.created_at is not None and goal.created_at.date() > today:
            continue
        assert goal.status is not None
        counts[goal.status.status] += 1
    return counts


def measurements_frame(goal: Goal, series: list[Measurement]) -> pd.DataFrame:
    """A goal's measurements as shown and downloaded, newest first."""
    import pandas as pd

    day, value, note, source = _("Date"), _("Value ({unit})", unit=goal.shown_unit), _("Note"), _("Source")
    return pd.DataFrame(
        [{day: p.measured_on, value: p.value, note: p.note, source: source_label(p.source)} for p in reversed(series)],
        columns=[day, value, note, source],
    )


def goals_frame(goals: list[Goal]) -> pd.DataFrame:
    """The goals table as shown and downloaded, headed in the current language."""
    import pandas as pd

    columns = {
        "priority": _("Priority"),
        "goal": _("Goal"),
        "kpi": _("KPI"),
        "for": _("For"),
        "status": _("Status"),
        "progress": _("Progress %"),
        "expected": _("Expected %"),
        "current": pgettext("a KPI's value", "Current"),
        "baseline": _("Baseline"),
        "target": _("Target"),
        "unit": _("Unit"),
        "target_date": _("Target date"),
        "owner": _("Owner"),
        "last_measured": _("Last measured"),
    }
    rows = [
        {
            "priority": g.priority_title,
            "goal": g.name,
            "kpi": g.shown_kpi_name,
            "for": g.scope_label,
            "status": _(g.status.label) if g.status else "",
            "progress": round(g.status.progress * 100) if g.status else None,
            "expected": round(g.status.expected * 100) if g.status else None,
            "current": round(g.status.current_value, 2) if g.status and g.status.last_measured_on else None,
            "baseline": g.baseline_value,
            "target": g.target_value,
            "unit": g.shown_unit,
            "target_date": g.target_date,
            "owner": g.owner_name,
            "last_measured": g.status.last_measured_on if g.status else None,
        }
        for g in goals
    ]
    return pd.DataFrame(rows, columns=list(columns)).rename(columns=columns)
