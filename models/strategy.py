"""Strategy and KPIs (SPEC §2): the versioned vision, strategic priorities, the KPI
catalogue, goals with targets, their measurements and the computed goal status.

Some KPIs are computed by the portal from its own data (complaint volume and repeat
rate from the complaints); ``COMPUTED_KPIS`` maps their code to a function, and an area
that lands later adds its own with ``computed_kpi``. A computed KPI has no hand-entered
measurements."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from models import audit
from models.auth import CurrentUser, Permission, require
from models.db import utc_now
from models.errors import InputError, StaleRecordError, validate

if TYPE_CHECKING:
    import pandas as pd

    from models.db import Database

Direction = Literal["higher", "lower"]
Frequency = Literal["monthly", "quarterly"]
StatusName = Literal["achieved", "on_track", "at_risk", "off_track", "stale"]

# A goal is stale when no measurement arrived within its update frequency.
FREQUENCY_DAYS = {"monthly": 31, "quarterly": 92}
ON_TRACK_MARGIN = 0.10
AT_RISK_MARGIN = 0.25
STATUS_LABELS = {
    "achieved": "Achieved",
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "stale": "Stale",
}
STATUS_ORDER = ("off_track", "at_risk", "stale", "on_track", "achieved")
_EPSILON = 1e-9  # progress exactly on a boundary counts as reaching it


# -- vision --------------------------------------------------------------------------
class VisionVersion(BaseModel):
    id: int
    statement: str
    effective_date: date
    author_id: int | None
    author_name: str | None
    created_at: datetime


class VisionInput(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    statement: str = Field(title="Vision statement", min_length=10, max_length=2000)
    effective_date: date = Field(default_factory=date.today, title="Effective date")


_VISION_SQL = (
    "SELECT v.id, v.statement, v.effective_date, v.author_id, e.full_name AS author_name, v.created_at"
    " FROM vision_versions v LEFT JOIN employees e ON e.id = v.author_id"
)


def current_vision(db: Database, today: date | None = None) -> VisionVersion | None:
    """The vision in force: the latest version whose effective date has come."""
    row = db.query_one(
        _VISION_SQL + " WHERE v.effective_date <= ? ORDER BY v.effective_date DESC, v.id DESC LIMIT 1",
        [today or date.today()],
    )
    return VisionVersion(**row) if row else None


def vision_history(db: Database) -> list[VisionVersion]:
    """Every version ever written, newest first."""
    return [VisionVersion(**row) for row in db.query(_VISION_SQL + " ORDER BY v.effective_date DESC, v.id DESC")]


def revise_vision(db: Database, actor: CurrentUser, data: dict[str, Any]) -> int:
    """Leadership writes a new version of the vision; earlier versions are kept."""
    require(actor, Permission.STRATEGY_MANAGE)
    record = validate(VisionInput, data)

    def revise(connection):
        version_id = connection.execute(
            "INSERT INTO vision_versions (statement, effective_date, author_id, created_at) VALUES (?, ?, ?, ?)"
            " RETURNING id",
            [record.statement, record.effective_date, actor.employee_id, utc_now()],
        ).fetchone()[0]
        audit.record(connection, actor, "vision", version_id, "revise", after=record.model_dump())
        return version_id

    return db.write(revise)


# -- strategic priorities ------------------------------------------------------------
class PriorityInput(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(title="Title", min_length=3, max_length=120)
    description: str = Field(default="", title="Description", max_length=1000)
    position: int = Field(default=1, title="Position", ge=1, le=99)


class Priority(BaseModel):
    id: int
    title: str
    description: str
    position: int
    goals: int


def list_priorities(db: Database) -> list[Priority]:
    """The active pillars in their order, with how many goals hang under each."""
    rows = db.query(
        "SELECT p.id, p.title, p.description, p.position,"
        " (SELECT count(*) FROM goals g WHERE g.priority_id = p.id AND g.active) AS goals"
        " FROM strategic_priorities p WHERE p.active ORDER BY p.position, p.title"
    )
    return [Priority(**row) for row in rows]


def _title_clash(connection: duckdb.DuckDBPyConnection, title: str, priority_id: int | None) -> None:
    if connection.execute(
        "SELECT 1 FROM strategic_priorities WHERE lower(title) = lower(?) AND id IS DISTINCT FROM ?",
        [title, priority_id],
    ).fetchone():
        raise InputError.single("Title", f"a priority called {title!r} exists already")


def create_priority(db: Database, actor: CurrentUser, data: dict[str, Any]) -> int:
    require(actor, Permission.STRATEGY_MANAGE)
    record = validate(PriorityInput, data)

    def create(connection):
        _title_clash(connection, record.title, None)
        now = utc_now()
        priority_id = connection.execute(
            "INSERT INTO strategic_priorities (title, description, position, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            [record.title, record.description, record.position, now, now],
        ).fetchone()[0]
        audit.record(connection, actor, "priority", priority_id, "create", after=record.model_dump())
        return priority_id

    return db.write(create)


def update_priority(db: Database, actor: CurrentUser, priority_id: int, data: dict[str, Any]) -> None:
    require(actor, Permission.STRATEGY_MANAGE)
    record = validate(PriorityInput, data)

    def update(connection):
        before = audit.row_as_dict(connection, "strategic_priorities", "id", priority_id)
        if before is None:
            raise InputError.single("Priority", "no such priority")
        _title_clash(connection, record.title, priority_id)
        connection.execute(
            "UPDATE strategic_priorities SET title = ?, description = ?, position = ?, updated_at = ? WHERE id = ?",
            [record.title, record.description, record.position, utc_now(), priority_id],
        )
        after = audit.row_as_dict(connection, "strategic_priorities", "id", priority_id)
        audit.record(connection, actor, "priority", priority_id, "update", before, after)

    db.write(update)


# -- KPI catalogue -------------------------------------------------------------------
ComputeKpi = Callable[["Database", date, date], list[tuple[date, float]]]
COMPUTED_KPIS: dict[str, ComputeKpi] = {}


def computed_kpi(code: str) -> Callable[[ComputeKpi], ComputeKpi]:
    """Register ``function(db, start, end) -> [(month_end, value)]`` as the source of a KPI."""

    def register(function: ComputeKpi) -> ComputeKpi:
        COMPUTED_KPIS[code] = function
        return function

    return register


def table_exists(db: Database, name: str) -> bool:
    return bool(db.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]))


def _month_after(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def complete_complaint_months(db: Database, start: date, end: date) -> tuple[date, date] | None:
    """[first, stop): the months from ``start``'s month on whose whole calendar span the
    complaints cover (from the first complaint received to the last) and that ended
    before ``end``'s month. A partial first or last month would plot a fraction of a
    month beside whole ones. None when no month qualifies."""
    covered = db.query_one("SELECT min(received_date) AS first, max(received_date) AS last FROM complaints")
    if not covered or covered["first"] is None:
        return None
    first_covered = covered["first"] if covered["first"].day == 1 else _month_after(covered["first"])
    first = max(first_covered, start.replace(day=1))
    # a month lies within the covered range when it ends on or before the last complaint's day
    stop = min(end.replace(day=1), (covered["last"] + timedelta(days=1)).replace(day=1))
    return (first, stop) if first < stop else None


@computed_kpi("complaint_volume")
def complaint_volume(db: Database, start: date, end: date) -> list[tuple[date, float]]:
    """Complaints received per complete calendar month."""
    if not table_exists(db, "complaints"):
        return []
    months = complete_complaint_months(db, start, end)
    if months is None:
        return []
    rows = db.query(
        "SELECT last_day(date_trunc('month', received_date)) AS month, count(*) AS complaints FROM complaints"
        " WHERE received_date >= ? AND received_date < ? GROUP BY 1 ORDER BY 1",
        list(months),
    )
    return [(row["month"], float(row["complaints"])) for row in rows]


@computed_kpi("repeat_complaint_rate")
def repeat_complaint_rate(db: Database, start: date, end: date, repeat_days: int = 30) -> list[tuple[date, float]]:
    """% of a complete month's complaints (with a customer id) whose customer complained in
    the same category within the previous ``repeat_days`` days."""
    if not table_exists(db, "complaints"):
        return []
    months = complete_complaint_months(db, start, end)
    if months is None:
        return []
    first, stop = months
    if db.scalar(
        "SELECT count(*) FROM information_schema.columns"
        " WHERE table_name = 'complaints' AND column_name = 'days_since_previous'"
    ):
        # the complaints area keeps the gap to the previous complaint on every row
        gaps = "SELECT received_date, days_since_previous AS gap FROM complaints WHERE received_date < ?"
    else:
        gaps = (
            "SELECT received_date, date_diff('day', lag(received_date) OVER"
            " (PARTITION BY customer_id, category ORDER BY received_date), received_date) AS gap"
            " FROM complaints WHERE received_date < ?"
        )
    rows = db.query(
        f"WITH ordered AS ({gaps} AND customer_id IS NOT NULL)"
        " SELECT last_day(date_trunc('month', received_date)) AS month,"
        "  100.0 * count(*) FILTER (WHERE gap <= ?) / count(*) AS rate"
        " FROM ordered WHERE received_date >= ? GROUP BY 1 ORDER BY 1",
        [stop, repeat_days, first],
    )
    return [(row["month"], round(float(row["rate"]), 2)) for row in rows]


class Kpi(BaseModel):
    id: int
    code: str
    name: str
    unit: str
    direction: Direction
    definition: str

    @property
    def computed(self) -> bool:
        """Fed by the portal itself; measurements cannot be typed in."""
        return self.code in COMPUTED_KPIS


class KpiInput(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    code: str = Field(title="Code", min_length=2, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(title="Name", min_length=2, max_length=80)
    unit: str = Field(title="Unit", min_length=1, max_length=30)
    direction: Direction = Field(title="Direction")
    definition: str = Field(default="", title="Definition", max_length=1000)


def list_kpis(db: Database) -> list[Kpi]:
    rows = db.query("SELECT id, code, name, unit, direction, definition FROM kpis ORDER BY name")
    return [Kpi(**row) for row in rows]


def get_kpi(db: Database, kpi_id: int) -> Kpi | None:
    row = db.query_one("SELECT id, code, name, unit, direction, definition FROM kpis WHERE id = ?", [kpi_id])
    return Kpi(**row) if row else None


def kpi_by_code(db: Database, code: str) -> Kpi | None:
    row = db.query_one("SELECT id, code, name, unit, direction, definition FROM kpis WHERE code = ?", [code])
    return Kpi(**row) if row else None


def add_kpi(db: Database, actor: CurrentUser, data: dict[str, Any]) -> int:
    """Extend the catalogue with a KPI measured by hand or import."""
    require(actor, Permission.STRATEGY_MANAGE)
    record = validate(KpiInput, data)

    def add(connection):
        problems = []
        if connection.execute("SELECT 1 FROM kpis WHERE code = ?", [record.code]).fetchone():
            problems.append(("Code", f"a KPI with code {record.code!r} exists already"))
        if connection.execute("SELECT 1 FROM kpis WHERE lower(name) = lower(?)", [record.name]).fetchone():
            problems.append(("Name", f"a KPI called {record.name!r} exists already"))
        if problems:
            raise InputError(problems)
        kpi_id = connection.execute(
            "INSERT INTO kpis (code, name, unit, direction, definition, created_at) VALUES (?, ?, ?, ?, ?, ?)"
            " RETURNING id",
            [record.code, record.name, record.unit, record.direction, record.definition, utc_now()],
        ).fetchone()[0]
        audit.record(connection, actor, "kpi", kpi_id, "create", after=record.model_dump())
        return kpi_id

    return db.write(add)


# -- measurements ----------------------------------------------------------------------
class MeasurementInput(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    kpi_id: int = Field(title="KPI")
    goal_id: int | None = Field(default=None, title="Goal")
    measured_on: date = Field(title="Date")
    value: float = Field(title="Value")
    note: str = Field(default="", title="Note", max_length=500)
    source: str = Field(default="manual", title="Source", min_length=1, max_length=80)

    @field_validator("note", "source", mode="before")
    @classmethod
    def _none_is_default(cls, value: Any, info) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return "manual" if info.field_name == "source" else ""
        return value

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a number")
        return value

    @field_validator("measured_on")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > date.today():
            raise ValueError("cannot be in the future")
        return value


class Measurement(BaseModel):
    id: int | None = None  # None for computed values
    measured_on: date
    value: float
    note: str = ""
    source: str = "manual"
    goal_id: int | None = None


def _check_measurement(connection: duckdb.DuckDBPyConnection, record: MeasurementInput) -> None:
    kpi = connection.execute("SELECT code, name FROM kpis WHERE id = ?", [record.kpi_id]).fetchone()
    if kpi is None:
        raise InputError.single("KPI", "no such KPI")
    if kpi[0] in COMPUTED_KPIS:
        raise InputError.single("KPI", f"{kpi[1]} is computed by the portal and cannot be entered by hand")
    if record.goal_id is not None:
        goal = connection.execute("SELECT kpi_id FROM goals WHERE id = ?", [record.goal_id]).fetchone()
        if goal is None:
            raise InputError.single("Goal", "no such goal")
        if goal[0] != record.kpi_id:
            raise InputError.single("Goal", "the goal tracks a different KPI")


def _insert_measurement(connection: duckdb.DuckDBPyConnection, actor: CurrentUser, record: MeasurementInput) -> int:
    measurement_id = connection.execute(
        "INSERT INTO kpi_measurements (kpi_id, goal_id, measured_on, value, note, source, recorded_by, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [
            record.kpi_id,
            record.goal_id,
            record.measured_on,
            record.value,
            record.note,
            record.source,
            actor.employee_id,
            utc_now(),
        ],
    ).fetchone()[0]
    audit.record(connection, actor, "kpi_measurement", measurement_id, "create", after=record.model_dump())
    return measurement_id


def record_measurement(db: Database, actor: CurrentUser, data: dict[str, Any]) -> int:
    """Enter one KPI value by hand (for a goal, or for every goal on the KPI)."""
    require(actor, Permission.KPI_RECORD)
    record = validate(MeasurementInput, data)

    def store(connection):
        _check_measurement(connection, record)
        return _insert_measurement(connection, actor, record)

    return db.write(store)


def remove_measurement(db: Database, actor: CurrentUser, measurement_id: int) -> None:
    """Take back a value entered by mistake; the audit log keeps what it was."""
    require(actor, Permission.KPI_RECORD)

    def remove(connection):
        before = audit.row_as_dict(connection, "kpi_measurements", "id", measurement_id)
        if before is None:
            raise InputError.single("Measurement", "no such measurement (already removed?)")
        connection.execute("DELETE FROM kpi_measurements WHERE id = ?", [measurement_id])
        audit.record(connection, actor, "kpi_measurement", measurement_id, "remove", before=before)

    db.write(remove)


class ImportReport(BaseModel):
    imported: int
    rejected: list[tuple[int, str, str]]  # row number (header is row 1), column, reason


MEASUREMENT_COLUMNS = ("goal", "kpi", "date", "value", "note", "source")


def import_measurements(db: Database, actor: CurrentUser, content: bytes | str) -> ImportReport:
    """Import measurements from CSV (columns goal or kpi, date, value, note, source).

    ``goal`` is a goal id or exact name, ``kpi`` a KPI code or name. All rows are checked
    first; if any row is rejected nothing is stored and the report names each problem."""
    require(actor, Permission.KPI_RECORD)
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("date", "value") if c not in headers]
    if missing or not ({"goal", "kpi"} & set(headers)):
        wanted = ", ".join(missing + ([] if {"goal", "kpi"} & set(headers) else ["goal or kpi"]))
        raise InputError.single("File", f"the header row lacks the column(s): {wanted}")
    goals = {str(g["id"]): g for g in db.query("SELECT id, name, kpi_id FROM goals")}
    goals_by_name = {g["name"].lower(): g for g in goals.values()}
    kpis = list_kpis(db)
    kpi_lookup = {k.code: k for k in kpis} | {k.name.lower(): k for k in kpis}
    records: list[MeasurementInput] = []
    rejected: list[tuple[int, str, str]] = []
    for number, raw in enumerate(reader, start=2):
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in raw.items()}
        goal, kpi = None, None
        if row.get("goal"):
            goal = goals.get(row["goal"]) or goals_by_name.get(row["goal"].lower())
            if goal is None:
                rejected.append((number, "goal", f"no goal {row['goal']!r}"))
                continue
        if row.get("kpi"):
            kpi = kpi_lookup.get(row["kpi"]) or kpi_lookup.get(row["kpi"].lower())
            if kpi is None:
                rejected.append((number, "kpi", f"no KPI {row['kpi']!r}"))
                continue
        if goal is None and kpi is None:
            rejected.append((number, "goal", "give a goal or a KPI"))
            continue
        if goal is not None and kpi is not None and goal["kpi_id"] != kpi.id:
            rejected.append((number, "kpi", "the goal tracks a different KPI"))
            continue
        kpi_id = kpi.id if kpi is not None else goal["kpi_id"]
        kpi = kpi or next(k for k in kpis if k.id == kpi_id)
        if kpi.computed:
            rejected.append((number, "kpi", f"{kpi.name} is computed by the portal"))
            continue
        try:
            record = validate(
                MeasurementInput,
                {
                    "kpi_id": kpi_id,
                    "goal_id": goal["id"] if goal else None,
                    "measured_on": _parse_date(row.get("date", "")),
                    "value": row.get("value", "").replace(",", "") or None,
                    "note": row.get("note"),
                    "source": row.get("source") or "import",
                },
            )
        except InputError as error:
            for field, message in error.problems:
                column = {"Date": "date", "Value": "value", "Note": "note", "Source": "source"}.get(field, field)
                rejected.append((number, column, message))
            continue
        records.append(record)
    if rejected or not records:
        if not records and not rejected:
            rejected.append((1, "file", "no rows to import"))
        return ImportReport(imported=0, rejected=rejected)

    def store(connection):
        for record in records:
            _insert_measurement(connection, actor, record)

    db.write(store)
    return ImportReport(imported=len(records), rejected=[])


def _parse_date(text: str) -> str | date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return text  # pydantic names the problem


def kpi_series(
    db: Database, kpi: Kpi, *, goal_id: int | None = None, start: date | None = None, end: date | None = None
) -> list[Measurement]:
    """A KPI's values over time, oldest first: computed from portal data or as entered.

    With ``goal_id``, entered values are those for that goal plus those for the KPI as a whole."""
    end = end or date.today()
    start = start or end - timedelta(days=365 * 3)
    if kpi.computed:
        return [
            Measurement(measured_on=day, value=value, source="computed")
            for day, value in COMPUTED_KPIS[kpi.code](db, start, end)
        ]
    goal_clause = " AND (goal_id IS NULL OR goal_id = ?)" if goal_id is not None else ""
    params: list[Any] = [kpi.id, start, end] + ([goal_id] if goal_id is not None else [])
    rows = db.query(
        "SELECT id, measured_on, value, note, source, goal_id FROM kpi_measurements"
        " WHERE kpi_id = ? AND measured_on BETWEEN ? AND ?" + goal_clause + " ORDER BY measured_on, id",
        params,
    )
    return [Measurement(**row) for row in rows]


def kpi_window_mean(db: Database, kpi: Kpi, start: date, end: date) -> tuple[float | None, int]:
    """Mean and number of a KPI's values dated in [start, end)."""
    if kpi.computed:
        series = kpi_series(db, kpi, start=start, end=end + timedelta(days=31))
        values = [point.value for point in series if start <= point.measured_on < end]
        return (sum(values) / len(values) if values else None), len(values)
    row = db.query_one(
        "SELECT avg(value) AS mean, count(*) AS n FROM kpi_measurements"
        " WHERE kpi_id = ? AND measured_on >= ? AND measured_on < ?",
        [kpi.id, start, end],
    )
    return (row["mean"], int(row["n"])) if row else (None, 0)


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
    return f"{round(share * 100):d} %"


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
    numbers = f"progress {_pct(progress)}, expected {_pct(expected)}"
    last_seen = latest_date or baseline_date
    if (today - last_seen).days > FREQUENCY_DAYS[update_frequency]:
        since = f"since {latest_date:%Y-%m-%d}" if latest_date else "yet"
        status, reason = "stale", f"no measurement {since} (updated {update_frequency}); {numbers}"
    elif progress >= 1 - _EPSILON:
        status, reason = "achieved", f"target reached: {numbers}"
    elif today > target_date:
        status, reason = "off_track", f"target date {target_date:%Y-%m-%d} passed; {numbers}"
    elif progress >= expected - ON_TRACK_MARGIN - _EPSILON:
        status, reason = "on_track", numbers
    elif progress >= expected - AT_RISK_MARGIN - _EPSILON:
        status, reason = "at_risk", numbers
    else:
        status, reason = "off_track", numbers
    if latest_value is None and status != "stale":
        reason += " (no measurement yet: counted from the baseline)"
    return GoalStatus(
        status=status,
        progress=progress,
        expected=expected,
        current_value=current,
        last_measured_on=latest_date,
        reason=reason,
    )


# -- goals -----------------------------------------------------------------------------
class GoalInput(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(title="Name", min_length=3, max_length=160)
    priority_id: int = Field(title="Strategic priority")
    kpi_id: int = Field(title="KPI")
    unit: str = Field(title="Unit", min_length=1, max_length=30)
    direction: Direction = Field(title="Direction")
    baseline_value: float = Field(title="Baseline value")
    baseline_date: date = Field(title="Baseline date")
    target_value: float = Field(title="Target value")
    target_date: date = Field(title="Target date")
    owner_id: int = Field(title="Owner")
    update_frequency: Frequency = Field(default="monthly", title="Update frequency")

    @field_validator("target_value")
    @classmethod
    def _target_beyond_baseline(cls, value: float, info: ValidationInfo) -> float:
        direction, baseline = info.data.get("direction"), info.data.get("baseline_value")
        if baseline is None or direction is None:
            return value
        if direction == "higher" and value <= baseline:
            raise ValueError("higher is better, so the target must be above the baseline value")
        if direction == "lower" and value >= baseline:
            raise ValueError("lower is better, so the target must be below the baseline value")
        return value

    @field_validator("target_date")
    @classmethod
    def _target_after_baseline(cls, value: date, info: ValidationInfo) -> date:
        baseline = info.data.get("baseline_date")
        if baseline is not None and value <= baseline:
            raise ValueError("must come after the baseline date")
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
    version: int
    status: GoalStatus | None = None

    @property
    def computed(self) -> bool:
        return self.kpi_code in COMPUTED_KPIS

    def as_input(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in GoalInput.model_fields}


_GOAL_SQL = """
    SELECT g.id, g.name, g.priority_id, p.title AS priority_title, p.position AS priority_position,
           g.kpi_id, k.code AS kpi_code, k.name AS kpi_name, g.unit, g.direction,
           g.baseline_value, g.baseline_date, g.target_value, g.target_date, g.owner_id,
           o.full_name AS owner_name, g.update_frequency, g.updated_by, u.full_name AS updated_by_name,
           g.updated_at, g.version
    FROM goals g
    LEFT JOIN strategic_priorities p ON p.id = g.priority_id
    LEFT JOIN kpis k ON k.id = g.kpi_id
    LEFT JOIN employees o ON o.id = g.owner_id
    LEFT JOIN employees u ON u.id = g.updated_by
"""


def _latest_entered(db: Database, goal_ids: list[int], today: date) -> dict[int, tuple[float, date]]:
    """Latest hand-entered or imported value per goal (its own or its KPI's), in one query."""
    if not goal_ids:
        return {}
    rows = db.query(
        "SELECT g.id AS goal_id, arg_max(m.value, (m.measured_on, m.id)) AS value, max(m.measured_on) AS measured_on"
        " FROM goals g JOIN kpi_measurements m ON m.kpi_id = g.kpi_id AND (m.goal_id IS NULL OR m.goal_id = g.id)"
        " WHERE list_contains(?, g.id) AND m.measured_on <= ? GROUP BY g.id",
        [goal_ids, today],
    )
    return {row["goal_id"]: (row["value"], row["measured_on"]) for row in rows}


def _with_status(db: Database, goals: list[Goal], today: date) -> list[Goal]:
    entered = _latest_entered(db, [g.id for g in goals if not g.computed], today)
    computed_latest: dict[str, tuple[float, date] | None] = {}
    for goal in goals:
        if goal.computed:
            if goal.kpi_code not in computed_latest:
                series = COMPUTED_KPIS[goal.kpi_code](db, today - timedelta(days=400), today)
                computed_latest[goal.kpi_code] = (series[-1][1], series[-1][0]) if series else None
            latest = computed_latest[goal.kpi_code]
        else:
            latest = entered.get(goal.id)
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


def get_goal(db: Database, goal_id: int, *, today: date | None = None) -> Goal | None:
    row = db.query_one(_GOAL_SQL + " WHERE g.id = ?", [goal_id])
    return _with_status(db, [Goal(**row)], today or date.today())[0] if row else None


def _check_goal_references(connection: duckdb.DuckDBPyConnection, record: GoalInput) -> None:
    problems = []
    if not connection.execute(
        "SELECT 1 FROM strategic_priorities WHERE id = ? AND active", [record.priority_id]
    ).fetchone():
        problems.append(("Strategic priority", "no such priority"))
    if not connection.execute("SELECT 1 FROM kpis WHERE id = ?", [record.kpi_id]).fetchone():
        problems.append(("KPI", "no such KPI"))
    if not connection.execute("SELECT 1 FROM employees WHERE id = ? AND active", [record.owner_id]).fetchone():
        problems.append(("Owner", "no such active employee"))
    if problems:
        raise InputError(problems)


def create_goal(db: Database, actor: CurrentUser, data: dict[str, Any]) -> int:
    """Leadership sets a measurable goal under a strategic priority."""
    require(actor, Permission.STRATEGY_MANAGE)
    record = validate(GoalInput, data)

    def create(connection):
        _check_goal_references(connection, record)
        now = utc_now()
        goal_id = connection.execute(
            "INSERT INTO goals (name, priority_id, kpi_id, unit, direction, baseline_value, baseline_date,"
            " target_value, target_date, owner_id, update_frequency, created_by, created_at, updated_by, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                *(getattr(record, name) for name in GoalInput.model_fields),
                actor.employee_id,
                now,
                actor.employee_id,
                now,
            ],
        ).fetchone()[0]
        audit.record(connection, actor, "goal", goal_id, "create", after=record.model_dump())
        return goal_id

    return db.write(create)


def update_goal(db: Database, actor: CurrentUser, goal_id: int, data: dict[str, Any], expected_version: int) -> None:
    """Change a goal; refused when someone saved it since it was opened."""
    require(actor, Permission.STRATEGY_MANAGE)
    record = validate(GoalInput, data)

    def update(connection):
        before = audit.row_as_dict(connection, "goals", "id", goal_id)
        if before is None:
            raise InputError.single("Goal", "no such goal")
        if before["version"] != expected_version:
            who = connection.execute("SELECT full_name FROM employees WHERE id = ?", [before["updated_by"]]).fetchone()
            raise StaleRecordError("goal", who[0] if who else None, before["updated_at"])
        _check_goal_references(connection, record)
        assignments = ", ".join(f"{name} = ?" for name in GoalInput.model_fields)
        connection.execute(
            f"UPDATE goals SET {assignments}, updated_by = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [*(getattr(record, name) for name in GoalInput.model_fields), actor.employee_id, utc_now(), goal_id],
        )
        after = audit.row_as_dict(connection, "goals", "id", goal_id)
        audit.record(connection, actor, "goal", goal_id, "update", before, after)

    db.write(update)


def goal_series(db: Database, goal: Goal, *, today: date | None = None) -> list[Measurement]:
    """The measurements behind a goal's chart, from a little before its baseline."""
    kpi = get_kpi(db, goal.kpi_id)
    assert kpi is not None
    end = max(today or date.today(), goal.baseline_date)
    return kpi_series(db, kpi, goal_id=goal.id, start=goal.baseline_date - timedelta(days=31), end=end)


def status_counts(db: Database, today: date | None = None) -> dict[str, int]:
    """How many goals are in each status (for dashboards)."""
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for goal in list_goals(db, today=today):
        assert goal.status is not None
        counts[goal.status.status] += 1
    return counts


def measurements_frame(goal: Goal, series: list[Measurement]) -> pd.DataFrame:
    """A goal's measurements as shown and downloaded, newest first."""
    import pandas as pd

    value = f"Value ({goal.unit})"
    return pd.DataFrame(
        [
            {"Date": p.measured_on, value: p.value, "Note": p.note, "Source": p.source.capitalize()}
            for p in reversed(series)
        ],
        columns=["Date", value, "Note", "Source"],
    )


def goals_frame(goals: list[Goal]) -> pd.DataFrame:
    """The goals table as shown and downloaded."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "Priority": g.priority_title,
                "Goal": g.name,
                "KPI": g.kpi_name,
                "Status": g.status.label if g.status else "",
                "Progress %": round(g.status.progress * 100) if g.status else None,
                "Expected %": round(g.status.expected * 100) if g.status else None,
                "Current": round(g.status.current_value, 2) if g.status and g.status.last_measured_on else None,
                "Baseline": g.baseline_value,
                "Target": g.target_value,
                "Unit": g.unit,
                "Target date": g.target_date,
                "Owner": g.owner_name,
                "Last measured": g.status.last_measured_on if g.status else None,
            }
            for g in goals
        ],
        columns=[
            "Priority",
            "Goal",
            "KPI",
            "Status",
            "Progress %",
            "Expected %",
            "Current",
            "Baseline",
            "Target",
            "Unit",
            "Target date",
            "Owner",
            "Last measured",
        ],
    )
