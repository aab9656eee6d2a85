"""The KPI catalogue and its measurements: entered by hand, imported from CSV, or computed
by the portal for the KPIs an area provides (declared in ``models.areas``)."""

from __future__ import annotations

import csv
import io
import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import duckdb
from pydantic import BaseModel, Field, ValidationInfo, field_validator

from models import areas, audit
from models.access import CurrentUser, Permission, require
from models.cache import cached_aggregate
from models.db import insert_with_new_id, next_ids, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _, format_number, parse_number
from models.inputs import InputRecord, not_in_future
from models.strategy.dimensions import ORGANISATION, Dimension, KpiSlice, names
from models.text import normalise_text

if TYPE_CHECKING:
    from models.db import Database


Direction = Literal["higher", "lower"]
Frequency = Literal["monthly", "quarterly"]
StatusName = Literal["achieved", "on_track", "at_risk", "off_track", "stale"]


# -- KPI catalogue -------------------------------------------------------------------
COMPUTED_KPIS = areas.computed_kpis()  # KPI code -> the area's function; never entered by hand
SPLIT_KPIS = areas.split_kpis()  # of those, the ones also computed per channel, team or site


# The KPIs the portal ships with, by their stable code: name, unit and definition as the
# migrations store them, marked for the catalogue so each language shows its own (``shown_*``).
SHIPPED_KPI_TEXTS: dict[str, tuple[str, str, str]] = {
    "nps": (
        N_("Net Promoter Score"),
        N_("points"),
        N_("% promoters (9-10) minus % detractors (0-6) among surveyed customers"),
    ),
    "csat": (
        N_("Customer satisfaction (CSAT)"),
        N_("%"),
        N_("Share of surveyed customers answering satisfied or very satisfied"),
    ),
    "enps": (
        N_("Employee NPS (eNPS)"),
        N_("points"),
        N_("% promoters minus % detractors in the staff pulse survey"),
    ),
    "ces": (
        N_("Customer effort score"),
        N_("score 1-7"),
        N_('Mean answer to "how easy was it to get your issue handled" (1 = very easy)'),
    ),
    "first_response_time": (
        N_("First response time"),
        N_("hours"),
        N_("Mean time from a customer contact to the first answer"),
    ),
    "avg_resolution_time": (
        N_("Average resolution time"),
        N_("days"),
        N_("Mean days from a complaint or case being received to its resolution"),
    ),
    "aht": (
        N_("Average handle time"),
        N_("seconds"),
        N_("Mean talk + hold + wrap-up time per contact"),
    ),
    "fcr": (
        N_("First-contact resolution"),
        N_("%"),
        N_("Share of contacts resolved without the customer coming back"),
    ),
    "complaint_volume": (
        N_("Complaint volume"),
        N_("complaints / month"),
        N_("Complaints received per month (computed from the complaints)"),
    ),
    "repeat_complaint_rate": (
        N_("Repeat-complaint rate"),
        N_("%"),
        N_(
            "Share of complaints from a customer who complained in the "
            "same category within 30 days (computed from the complaints)"
        ),
    ),
    "training_compliance": (
        N_("Training compliance"),
        N_("%"),
        N_("Share of mandatory course assignments completed on time"),
    ),
    "assessment_appeals": (
        N_("Assessment appeals"),
        N_("appeals / month"),
        N_("Appeals against competency assessments raised per month (computed from the assessments)"),
    ),
    "integrated_coaching_share": (
        N_("Integrated coaching share"),
        N_("%"),
        N_(
            "Share of coaching sessions held on the floor (integrated) rather "
            "than scheduled, per month (computed from the coaching log)"
        ),
    ),
    "call_transfer_rate": (
        N_("Call-transfer rate"),
        N_("%"),
        N_("Share of answered calls transferred to another team or line before the customer's issue was handled"),
    ),
    "hold_time": (
        N_("Hold time"),
        N_("seconds"),
        N_("Mean time a customer spends on hold per answered call"),
    ),
    "speed_of_answer": (
        N_("Speed of answer"),
        N_("seconds"),
        N_("Mean time from a contact entering the queue to an agent answering it (ASA)"),
    ),
    "cost_per_contact": (
        N_("Cost per contact"),
        N_("currency / contact"),
        N_("Operating cost of the contact centre in the period divided by the contacts handled in it"),
    ),
    "ticket_backlog": (
        N_("Ticket backlog"),
        N_("open tickets"),
        N_("Tickets open and unresolved at the end of the period"),
    ),
    "quality_score": (
        N_("Quality score"),
        N_("%"),
        N_("Mean score of the contacts reviewed for quality in the period (share of the review's points met)"),
    ),
    "contacts_per_hour": (
        N_("Contacts per hour"),
        N_("contacts / hour"),
        N_("Contacts handled per logged-in productive hour (productivity)"),
    ),
    "attrition": (
        N_("Attrition"),
        N_("%"),
        N_(
            "Leavers in the 12 months to the month's end divided by the average headcount "
            "at the ends of those 12 months (computed from the people data)"
        ),
    ),
    "early_attrition": (
        N_("Early attrition"),
        N_("%"),
        N_(
            "Of the people who left in the 12 months to the month's end, the share who "
            "left within 90 days of their hire date (computed from the people data)"
        ),
    ),
}


def shipped_text(code: str | None, index: int, stored: str) -> str:
    """``stored`` (a KPI's name, unit or definition: ``index`` 0, 1, 2) in the current language
    when it is the shipped KPI's text, else as entered."""
    shipped = SHIPPED_KPI_TEXTS.get(code or "")
    return _(stored) if shipped and shipped[index] == stored else stored


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

    @property
    def computed_dimensions(self) -> tuple[Dimension, ...]:
        """The dimensions a computed KPI is computed by (none for an entered KPI: any)."""
        return SPLIT_KPIS[self.code].dimensions if self.code in SPLIT_KPIS else ()

    def _shipped(self, index: int, stored: str) -> str:
        return shipped_text(self.code, index, stored)

    @property
    def shown_name(self) -> str:
        """The name to show: a shipped KPI's in the current language, an added one's as entered."""
        return self._shipped(0, self.name)

    @property
    def shown_unit(self) -> str:
        return self._shipped(1, self.unit)

    @property
    def shown_definition(self) -> str:
        return self._shipped(2, self.definition)


class KpiInput(InputRecord):
    code: str = Field(title=N_("Code"), min_length=2, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(title=N_("Name"), min_length=2, max_length=80)
    unit: str = Field(title=N_("Unit"), min_length=1, max_length=30)
    direction: Direction = Field(title=N_("Direction"))
    definition: str = Field(default="", title=N_("Definition"), max_length=1000)


def list_kpis(db: Database) -> list[Kpi]:
    rows = db.query("SELECT id, code, name, unit, direction, definition FROM kpis ORDER BY name")
    return [Kpi(**row) for row in rows]


def get_kpi(db: Database, kpi_id: int) -> Kpi | None:
    row = db.query_one("SELECT id, code, name, unit, direction, definition FROM kpis WHERE id = ?", [kpi_id])
    return Kpi(**row) if row else None


def kpis_by_id(db: Database, kpi_ids: list[int]) -> dict[int, Kpi]:
    """These KPIs by id, in one statement (a list of goals reads its KPIs at once)."""
    if not kpi_ids:
        return {}
    rows = db.query(
        "SELECT id, code, name, unit, direction, definition FROM kpis WHERE list_contains(?, id)",
        [sorted(set(kpi_ids))],
    )
    return {row["id"]: Kpi(**row) for row in rows}


def kpi_by_code(db: Database, code: str) -> Kpi | None:
    row = db.query_one("SELECT id, code, name, unit, direction, definition FROM kpis WHERE code = ?", [code])
    return Kpi(**row) if row else None


def introduce_catalogue(db: Database, actor: CurrentUser, at: datetime) -> None:
    """The KPIs the portal ships with as in use from ``at`` (an organisation that measured them
    before the portal, or the demo): those it saved later (not added by hand) are
    dated back to it."""
    require(actor, Permission.STRATEGY_MANAGE)

    def introduce(connection: duckdb.DuckDBPyConnection) -> None:
        connection.execute(
            "UPDATE kpis SET created_at = ? WHERE created_at > ? AND NOT EXISTS"
            " (SELECT 1 FROM audit_log a WHERE a.entity = 'kpi' AND a.entity_id = CAST(kpis.id AS VARCHAR)"
            " AND a.action = 'create')",
            [at, at],
        )
        audit.record(connection, actor, "kpi_catalogue", None, "introduced", after={"at": at}, at=at)

    db.write(introduce)


def add_kpi(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """Extend the catalogue with a KPI measured by hand or import (``at``, default now)."""
    require(actor, Permission.STRATEGY_MANAGE)
    record = validate(KpiInput, data)

    def add(connection: duckdb.DuckDBPyConnection):
        problems = []
        if connection.execute("SELECT 1 FROM kpis WHERE code = ?", [record.code]).fetchone():
            problems.append((_("Code"), _("a KPI with code {code} exists already", code=repr(record.code))))
        if connection.execute("SELECT 1 FROM kpis WHERE lower(name) = lower(?)", [record.name]).fetchone():
            problems.append((_("Name"), _("a KPI called {name} exists already", name=repr(record.name))))
        if problems:
            raise InputError(problems)
        kpi_id = insert_with_new_id(
            connection,
            "kpis",
            "INSERT INTO kpis (id, code, name, unit, direction, definition, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [record.code, record.name, record.unit, record.direction, record.definition, at or utc_now()],
        )
        audit.record(connection, actor, "kpi", kpi_id, "create", after=record.model_dump(), at=at)
        return kpi_id

    return db.write(add)


# -- measurements ----------------------------------------------------------------------
class MeasurementInput(InputRecord):
    kpi_id: int = Field(title=N_("KPI"))
    goal_id: int | None = Field(default=None, title=N_("Goal"))
    measured_on: date = Field(title=N_("Date"))
    value: float = Field(title=N_("Value"))
    note: str = Field(default="", title=N_("Note"), max_length=500)
    source: str = Field(default="manual", title=N_("Source"), min_length=1, max_length=80)
    channel: str | None = Field(default=None, title=N_("Channel"), max_length=60)
    team_id: int | None = Field(default=None, title=N_("Team"))
    site_id: int | None = Field(default=None, title=N_("Site"))

    @field_validator("channel", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("note", "source", mode="before")
    @classmethod
    def _none_is_default(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return "manual" if info.field_name == "source" else ""
        return value

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError(_("must be a number"))
        return value

    _not_future = field_validator("measured_on")(not_in_future)


class Measurement(BaseModel):
    id: int | None = None  # None for computed values
    measured_on: date
    value: float
    note: str = ""
    source: str = "manual"
    goal_id: int | None = None
    channel: str | None = None
    team_id: int | None = None
    site_id: int | None = None


def check_team_and_site(connection: duckdb.DuckDBPyConnection, team_id: int | None, site_id: int | None) -> None:
    """Refuse a team or site that does not exist, naming the field."""
    problems = []
    if team_id is not None and not connection.execute("SELECT 1 FROM teams WHERE id = ?", [team_id]).fetchone():
        problems.append((_("Team"), _("no such team")))
    if site_id is not None and not connection.execute("SELECT 1 FROM sites WHERE id = ?", [site_id]).fetchone():
        problems.append((_("Site"), _("no such site")))
    if problems:
        raise InputError(problems)


def _check_measurement(connection: duckdb.DuckDBPyConnection, record: MeasurementInput) -> None:
    kpi = connection.execute("SELECT code, name FROM kpis WHERE id = ?", [record.kpi_id]).fetchone()
    if kpi is None:
        raise InputError.single(_("KPI"), _("no such KPI"))
    if kpi[0] in COMPUTED_KPIS:
        raise InputError.single(
            _("KPI"),
            _("{kpi} is computed by the portal and cannot be entered by hand", kpi=shipped_text(kpi[0], 0, kpi[1])),
        )
    check_team_and_site(connection, record.team_id, record.site_id)
    if record.goal_id is not None:
        goal = connection.execute(
            "SELECT kpi_id, channel, team_id, site_id FROM goals WHERE id = ?", [record.goal_id]
        ).fetchone()
        if goal is None:
            raise InputError.single(_("Goal"), _("no such goal"))
        if goal[0] != record.kpi_id:
            raise InputError.single(_("Goal"), _("the goal tracks a different KPI"))
        _check_goal_slice(KpiSlice(goal[1], goal[2], goal[3]), KpiSlice.of(record))


def _check_goal_slice(goal_slice: KpiSlice, measured: KpiSlice) -> None:
    """A value for a goal is of the goal's channel, team or site (or, for an organisation-wide
    goal, of the organisation): anything else would count for no goal."""
    same_channel = (goal_slice.channel or "").lower() == (measured.channel or "").lower()
    if not same_channel or (goal_slice.team_id, goal_slice.site_id) != (measured.team_id, measured.site_id):
        raise InputError.single(_("Goal"), _("the value is for a different channel, team or site than the goal"))


def _insert_measurement(
    connection: duckdb.DuckDBPyConnection, actor: CurrentUser, record: MeasurementInput, at: datetime | None = None
) -> int:
    measurement_id = insert_with_new_id(
        connection,
        "kpi_measurements",
        "INSERT INTO kpi_measurements (id, kpi_id, goal_id, measured_on, value, note, source, "
        "recorded_by, recorded_at, channel, team_id, site_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            record.kpi_id,
            record.goal_id,
            record.measured_on,
            record.value,
            record.note,
            record.source,
            actor.employee_id,
            at or utc_now(),
            record.channel,
            record.team_id,
            record.site_id,
        ],
    )
    audit.record(connection, actor, "kpi_measurement", measurement_id, "create", after=record.model_dump(), at=at)
    return measurement_id


def record_measurement(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """Enter one KPI value by hand (for a goal, or for every goal on the KPI), recorded
    ``at`` (default now): a value cannot be dated after that day."""
    require(actor, Permission.KPI_RECORD)
    record = validate(MeasurementInput, data, context={"today": at.date()} if at else None)

    def store(connection: duckdb.DuckDBPyConnection):
        _check_measurement(connection, record)
        return _insert_measurement(connection, actor, record, at)

    return db.write(store)


def remove_measurement(db: Database, actor: CurrentUser, measurement_id: int) -> None:
    """Take back a value entered by mistake; the audit log keeps what it was."""
    require(actor, Permission.KPI_RECORD)

    def remove(connection: duckdb.DuckDBPyConnection):
        before = audit.row_as_dict(connection, "kpi_measurements", "id", measurement_id)
        if before is None:
            raise InputError.single(_("Measurement"), _("no such measurement (already removed?)"))
        connection.execute("DELETE FROM kpi_measurements WHERE id = ?", [measurement_id])
        audit.record(connection, actor, "kpi_measurement", measurement_id, "remove", before=before)

    db.write(remove)


class ImportReport(BaseModel):
    imported: int
    rejected: list[tuple[int, str, str]]  # row number (header is row 1), column, reason


MEASUREMENT_COLUMNS = ("goal", "kpi", "date", "value", "note", "source", "channel", "team", "site")


class _RowRejected(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(problems)
        self.problems = problems


class _MeasurementLookup:
    """Goals and KPIs by id, code or name, to turn one CSV row into a measurement."""

    _COLUMNS = {"Date": "date", "Value": "value", "Note": "note", "Source": "source", "Channel": "channel"}

    def __init__(self, db: Database, today: date | None = None):
        self.today = today  # the day the rules take as today (a dated import); None: today
        self.goals = {
            str(g["id"]): g for g in db.query("SELECT id, name, kpi_id, channel, team_id, site_id FROM goals")
        }
        self.goals_by_name = {g["name"].lower(): g for g in self.goals.values()}
        self.kpis = list_kpis(db)
        self.kpi_by_key = {k.code: k for k in self.kpis} | {k.name.lower(): k for k in self.kpis}
        self.teams = _by_id_or_name(db.query("SELECT id, name FROM teams"))
        self.sites = _by_id_or_name(db.query("SELECT id, name FROM sites"))

    def _slice(self, row: dict[str, str], goal: dict[str, Any] | None) -> KpiSlice:
        """The row's channel, team and site (a team or site by id or name); a goal's row
        without any of them is of the goal's."""
        problems = []
        team_id, site_id = None, None
        if row.get("team"):
            team_id = self.teams.get(row["team"].lower())
            if team_id is None:
                problems.append(("team", _("no team {name}", name=repr(row["team"]))))
        if row.get("site"):
            site_id = self.sites.get(row["site"].lower())
            if site_id is None:
                problems.append(("site", _("no site {name}", name=repr(row["site"]))))
        if problems:
            raise _RowRejected(problems)
        measured = KpiSlice(row.get("channel") or None, team_id, site_id)
        if goal is not None:
            goal_slice = KpiSlice(goal["channel"], goal["team_id"], goal["site_id"])
            if measured == ORGANISATION:
                return goal_slice
            try:
                _check_goal_slice(goal_slice, measured)
            except InputError:
                raise _RowRejected(
                    [("goal", _("the row is for a different channel, team or site than the goal"))]
                ) from None
        return measured

    def _goal_and_kpi(self, row: dict[str, str]) -> tuple[dict[str, Any] | None, Kpi]:
        goal, kpi = None, None
        if row.get("goal"):
            goal = self.goals.get(row["goal"]) or self.goals_by_name.get(row["goal"].lower())
            if goal is None:
                raise _RowRejected([("goal", _("no goal {name}", name=repr(row["goal"])))])
        if row.get("kpi"):
            kpi = self.kpi_by_key.get(row["kpi"]) or self.kpi_by_key.get(row["kpi"].lower())
            if kpi is None:
                raise _RowRejected([("kpi", _("no KPI {name}", name=repr(row["kpi"])))])
        if goal is None and kpi is None:
            raise _RowRejected([("goal", _("give a goal or a KPI"))])
        if goal is not None and kpi is not None and goal["kpi_id"] != kpi.id:
            raise _RowRejected([("kpi", _("the goal tracks a different KPI"))])
        kpi = kpi or next(k for k in self.kpis if k.id == goal["kpi_id"])
        if kpi.computed:
            raise _RowRejected([("kpi", _("{kpi} is computed by the portal", kpi=kpi.shown_name))])
        return goal, kpi

    def record(self, row: dict[str, str]) -> MeasurementInput:
        """The row as a checked measurement, or ``_RowRejected`` with every problem by column."""
        goal, kpi = self._goal_and_kpi(row)
        measured = self._slice(row, goal)
        value, value_problem = _read_value(row.get("value", ""))
        try:
            record = validate(
                MeasurementInput,
                {
                    "kpi_id": kpi.id,
                    "goal_id": goal["id"] if goal else None,
                    "measured_on": _parse_date(row.get("date", "")),
                    "value": 0 if value_problem else value,  # the other columns are still checked
                    "note": row.get("note"),
                    "source": row.get("source") or "import",
                    "channel": measured.channel,
                    "team_id": measured.team_id,
                    "site_id": measured.site_id,
                },
                context={"today": self.today} if self.today else None,
            )
        except InputError as error:
            columns = {_(title): code for title, code in self._COLUMNS.items()}  # the fields as the error names them
            problems = [(columns.get(field, field), message) for field, message in error.problems]
        else:
            problems = []
        if value_problem:
            problems.append(("value", value_problem))
        if problems:
            raise _RowRejected(problems)
        return record


def _read_value(text: str) -> tuple[float | None, str | None]:
    """A row's value written as the importing person's language writes a number ("77,5" and
    "1 234,5" in Ukrainian, "1,234.5" in English; a plain point in every language), or why
    it is not one, with an example of the right form. None when the cell is empty."""
    try:
        value = parse_number(text, decimals=None)
    except ValueError:
        example = format_number(Decimal("1234.5"))
        return None, _("“{typed}” is not a number; write it as {example}", typed=text.strip(), example=example)
    return (None if value is None else float(value)), None


def _by_id_or_name(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {str(row["id"]): row["id"] for row in rows} | {row["name"].lower(): row["id"] for row in rows}


def import_measurements(
    db: Database, actor: CurrentUser, content: bytes | str, *, at: datetime | None = None
) -> ImportReport:
    """Import measurements from CSV (columns goal or kpi, date, value, note, source, channel,
    team, site).

    ``goal`` is a goal id or exact name, ``kpi`` a KPI code or name, ``team`` and ``site`` an id
    or name (blank: the organisation; a goal's row without them is of the goal's). All rows are checked
    first; if any row is rejected nothing is stored and the report names each problem.
    ``at`` (default now) dates the import: no value may be dated after its day."""
    require(actor, Permission.KPI_RECORD)
    headers, rows = _measurement_csv(content)
    missing = [c for c in ("date", "value") if c not in headers]
    if missing or not ({"goal", "kpi"} & set(headers)):
        wanted = ", ".join(missing + ([] if {"goal", "kpi"} & set(headers) else [_("goal or kpi")]))
        raise InputError.single(_("File"), _("the header row lacks the column(s): {columns}", columns=wanted))
    lookup = _MeasurementLookup(db, today=at.date() if at else None)
    records: list[MeasurementInput] = []
    rejected: list[tuple[int, str, str]] = []
    for number, cells in rows:
        if len(cells) > len(headers):
            reason = _(
                "the row has {values} values but the header has {columns} columns",
                values=len(cells),
                columns=len(headers),
            )
            rejected.append((number, "", reason))
            continue
        row = {key: value.strip() for key, value in zip(headers, cells, strict=False)}
        try:
            records.append(lookup.record(row))
        except _RowRejected as rejection:
            rejected += [(number, column, reason) for column, reason in rejection.problems]
    if rejected or not records:
        if not records and not rejected:
            rejected.append((1, "file", _("no rows to import")))
        return ImportReport(imported=0, rejected=rejected)

    db.write(lambda connection: _store_many(connection, actor, records, at))
    return ImportReport(imported=len(records), rejected=[])


def _measurement_csv(content: bytes | str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header's column names (trimmed, lower case) and each row's values with its number
    (the header is row 1), blank lines left out; a file that is not UTF-8 CSV text is refused
    naming the problem. CR and CRLF line endings are line breaks (the portal's text rule)."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InputError.single(
                _("File"),
                _(
                    "The file is not UTF-8 text (unreadable byte at position {position}). "
                    "Save it from your spreadsheet as 'CSV UTF-8' and try again.",
                    position=error.start + 1,
                ),
            ) from None
    if "\x00" in content:  # binary data, or UTF-16 without its byte-order mark
        line = normalise_text(content[: content.index("\x00")]).count("\n") + 1
        raise InputError.single(
            _("File"),
            _(
                "it holds a NUL character (byte 0x00) on line {line}, so it is binary data, not CSV text "
                "(a UTF-16 file without its byte-order mark looks like this too: save it as UTF-8 CSV)",
                line=line,
            ),
        )
    # strict: a quote left open, or text after a closing quote, is an error rather than a value
    # that silently runs on into the rows after it
    reader = csv.reader(io.StringIO(normalise_text(content), newline=""), strict=True)
    read = 0  # rows read so far, the header included: the next one is row read + 1
    rows: list[tuple[int, list[str]]] = []
    try:
        headers = _header(next(reader, []))
        read = 1
        for read, cells in enumerate(reader, start=2):
            if cells:
                rows.append((read, cells))
    except csv.Error as error:
        raise InputError.single(_("File"), _unreadable_row(read + 1, error)) from None
    return headers, rows


def _header(names: list[str]) -> list[str]:
    """The header's column names, trimmed and in lower case; a column named twice refuses the
    file, since only one of its values could be kept."""
    headers = [name.strip().lower() for name in names]
    for position, name in enumerate(headers):
        if name and name in headers[:position]:
            raise InputError.single(
                _("File"), _("Column '{column}' appears twice in the header.", column=names[position].strip())
            )
    return headers


def _unreadable_row(row: int, error: csv.Error) -> str:
    """Why the CSV reader stopped at ``row``, in words."""
    if str(error) == "unexpected end of data":  # the file ended inside a quoted value
        return _(
            'row {row} has a quoted value that is not closed: add the closing quote (") or remove the opening one',
            row=row,
        )
    if "expected after" in str(error):  # a quoted value's closing quote is followed by more text
        return _(
            "row {row} has text after the closing quote of a value: a quote inside a quoted value "
            'is written twice ("")',
            row=row,
        )
    return _("The file is not a readable CSV (row {row}): {error}.", row=row, error=error)


def _store_many(
    connection: duckdb.DuckDBPyConnection, actor: CurrentUser, records: list[MeasurementInput], at: datetime | None
) -> list[int]:
    """Checked measurements in one statement, and their audit entries in another."""
    now = at or utc_now()
    rows = list(zip(next_ids(connection, "kpi_measurements", len(records)), records, strict=True))
    connection.executemany(
        "INSERT INTO kpi_measurements (id, kpi_id, goal_id, measured_on, value, note, source, recorded_by,"
        " recorded_at, channel, team_id, site_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [row_id, r.kpi_id, r.goal_id, r.measured_on, r.value, r.note, r.source, actor.employee_id, now]
            + [r.channel, r.team_id, r.site_id]
            for row_id, r in rows
        ],
    )
    entries = [("kpi_measurement", row_id, "create", None, r.model_dump()) for row_id, r in rows]
    audit.record_many(connection, actor, entries, at=now)
    return [row_id for row_id, _ in rows]


def record_measurements(
    db: Database, actor: CurrentUser, data: list[dict[str, Any]], *, at: datetime | None = None
) -> list[int]:
    """Enter many KPI values at once (a monthly report per team, say), all or none, recorded
    ``at`` (default now); each is checked as one entered by hand."""
    require(actor, Permission.KPI_RECORD)
    context = {"today": at.date()} if at else None
    records = [validate(MeasurementInput, item, context=context) for item in data]

    def store(connection: duckdb.DuckDBPyConnection) -> list[int]:
        checked: set[tuple[Any, ...]] = set()  # a monthly report repeats each KPI, goal and slice
        for record in records:
            shape = (record.kpi_id, record.goal_id, record.channel, record.team_id, record.site_id)
            if shape not in checked:
                _check_measurement(connection, record)
                checked.add(shape)
        return _store_many(connection, actor, records, at)

    return db.write(store) if records else []


def _parse_date(text: str) -> str | date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return text  # pydantic names the problem


def kpi_series(
    db: Database,
    kpi: Kpi,
    *,
    goal_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    of: KpiSlice = ORGANISATION,
) -> list[Measurement]:
    """A KPI's values over time for one slice (default: the organisation), oldest first:
    computed from portal data or as entered.

    With ``goal_id``, entered values are those for that goal plus those for the KPI as a whole.
    Only values of exactly the slice count (``models.strategy.dimensions``)."""
    end = end or date.today()
    start = start or end - timedelta(days=365 * 3)
    if kpi.computed:
        return [
            Measurement(measured_on=day, value=value, source="computed", **_slice_fields(of))
            for day, value in computed_values(db, kpi, start, end, of)
        ]
    return _entered_series(db, kpi.id, goal_id, start, end, of)


@cached_aggregate(tables=("kpi_measurements",))
def _entered_series(
    db: Database, kpi_id: int, goal_id: int | None, start: date, end: date, of: KpiSlice
) -> list[Measurement]:
    """A KPI's entered values for one slice (``kpi_series``)."""
    goal_clause = " AND (goal_id IS NULL OR goal_id = ?)" if goal_id is not None else ""
    slice_clause, slice_params = of.sql()
    params: list[Any] = [kpi_id, start, end] + ([goal_id] if goal_id is not None else []) + slice_params
    rows = db.query(
        "SELECT id, measured_on, value, note, source, goal_id, channel, team_id, site_id FROM kpi_measurements"
        " WHERE kpi_id = ? AND measured_on BETWEEN ? AND ?" + goal_clause + slice_clause + " ORDER BY measured_on, id",
        params,
    )
    return [Measurement(**row) for row in rows]


def _slice_fields(of: KpiSlice) -> dict[str, Any]:
    return {"channel": of.channel, "team_id": of.team_id, "site_id": of.site_id}


def computed_values(db: Database, kpi: Kpi, start: date, end: date, of: KpiSlice) -> list[tuple[date, float]]:
    """A computed KPI's monthly values for the organisation or one channel, team or site; a
    slice the KPI is not computed by has none."""
    dimensions = of.dimensions
    if not dimensions:
        return COMPUTED_KPIS[kpi.code](db, start, end)
    if len(dimensions) > 1 or dimensions[0] not in kpi.computed_dimensions:
        return []
    return [
        (day, value)
        for day, key, value in SPLIT_KPIS[kpi.code].compute(db, start, end, dimensions[0])
        if of.matches(key)
    ]


def computed_values_of(
    db: Database, kpi: Kpi, start: date, end: date, slices: list[KpiSlice]
) -> dict[KpiSlice, list[tuple[date, float]]]:
    """``computed_values`` of several slices of one KPI, computing each dimension once (goals
    on many teams of one KPI read its figures per team once, not once per goal)."""
    found: dict[KpiSlice, list[tuple[date, float]]] = {}
    split: dict[Dimension, list[tuple[date, str | int, float]]] = {}
    for of in dict.fromkeys(slices):
        dimensions = of.dimensions
        if len(dimensions) != 1 or dimensions[0] not in kpi.computed_dimensions:
            found[of] = computed_values(db, kpi, start, end, of)  # the organisation, or none
            continue
        by = dimensions[0]
        if by not in split:
            split[by] = SPLIT_KPIS[kpi.code].compute(db, start, end, by)
        found[of] = [(day, value) for day, key, value in split[by] if of.matches(key)]
    return found


class SplitPoint(BaseModel):
    """One value of a chart split by channel, team or site: ``label`` names the line."""

    measured_on: date
    value: float
    label: str
    source: str
    note: str = ""


def kpi_split_series(
    db: Database, kpi: Kpi, by: Dimension, *, goal_id: int | None = None, start: date, end: date
) -> list[SplitPoint]:
    """A KPI's values per channel, team or site (``by``), oldest first: one line per value of
    ``by``, from the values of that dimension alone (a value for a team on chat is in neither
    the channel's nor the team's line). A computed KPI not computed by ``by`` has none."""
    labels = names(db)
    if kpi.computed:
        if by not in kpi.computed_dimensions:
            return []
        return [
            SplitPoint(measured_on=day, value=value, label=labels.key_label(by, key), source="computed")
            for day, key, value in SPLIT_KPIS[kpi.code].compute(db, start, end, by)
        ]
    column = {"channel": "channel", "team": "team_id", "site": "site_id"}[by]
    others = " AND ".join(f"{name} IS NULL" for name in ("channel", "team_id", "site_id") if name != column)
    goal_clause = " AND (goal_id IS NULL OR goal_id = ?)" if goal_id is not None else ""
    rows = db.query(
        f"SELECT measured_on, value, note, source, {column} AS key FROM kpi_measurements"
        f" WHERE kpi_id = ? AND measured_on BETWEEN ? AND ? AND {column} IS NOT NULL AND {others}"
        + goal_clause
        + " ORDER BY measured_on, id",  # noqa: S608 - the columns are fixed text
        [kpi.id, start, end] + ([goal_id] if goal_id is not None else []),
    )
    return [
        SplitPoint(
            measured_on=row["measured_on"],
            value=row["value"],
            label=labels.key_label(by, row["key"]),
            source=row["source"],
            note=row["note"],
        )
        for row in rows
    ]


def kpi_window_mean(db: Database, kpi: Kpi, start: date, end: date) -> tuple[float | None, int]:
    """Mean and number of a KPI's organisation-wide values dated in [start, end)."""
    if kpi.computed:
        series = kpi_series(db, kpi, start=start, end=end + timedelta(days=31))
        values = [point.value for point in series if start <= point.measured_on < end]
        return (sum(values) / len(values) if values else None), len(values)
    slice_clause, slice_params = ORGANISATION.sql()
    row = db.query_one(
        "SELECT avg(value) AS mean, count(*) AS n FROM kpi_measurements"
        " WHERE kpi_id = ? AND measured_on >= ? AND measured_on < ?" + slice_clause,
        [kpi.id, start, end, *slice_params],
    )
    return (row["mean"], int(row["n"])) if row else (None, 0)


def team_means(db: Database, codes: list[str], start: date, end: date) -> list[dict[str, Any]]:
    """The mean of each team's entered values of the KPIs ``codes`` dated in [start, end]:
    ``{"team_id", "code", "mean", "values"}`` per team and KPI with values (team-only values:
    no channel or site). No permission check: callers check."""
    return db.query(
        "SELECT m.team_id, k.code, avg(m.value) AS mean, count(*) AS values FROM kpi_measurements m"
        " JOIN kpis k ON k.id = m.kpi_id WHERE list_contains(?, k.code) AND m.measured_on BETWEEN ? AND ?"
        " AND m.team_id IS NOT NULL AND m.channel IS NULL AND m.site_id IS NULL GROUP BY ALL ORDER BY 1, 2",
        [codes, start, end],
    )
