"""Decision rights (rule 5 of ``models.standards``): what each role may decide for a customer
without asking, versioned and read by everyone; the uses people log, flagged above their
limit; and leadership's view of use against limits by team and month."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import pandas as pd
from pydantic import BaseModel, Field, field_validator

from models import audit
from models.access import ROLE_LABELS, CurrentUser, Permission, Role, require
from models.db import insert_row, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _
from models.inputs import InputRecord, not_in_future
from models.standards.register import save_version

if TYPE_CHECKING:
    from models.db import Database

Remedy = Literal["refund", "goodwill_credit", "fee_waiver", "replacement", "callback", "other"]
REMEDY_LABELS = {
    "refund": N_("Refund"),
    "goodwill_credit": N_("Goodwill credit"),
    "fee_waiver": N_("Fee waiver"),
    "replacement": N_("Replacement"),
    "callback": N_("Callback"),
    "other": N_("Other remedy"),
}
NO_TEAM = N_("(no team)")  # the team of a use logged by a person in none (translated where shown)
MONEY_MAX = Decimal("1000000")


class RightInput(InputRecord):
    """What leadership enters for a decision right."""

    role: Role = Field(title=N_("Role"))
    remedy: Remedy = Field(title=N_("Kind of remedy"))
    limit_amount: Decimal | None = Field(default=None, title=N_("Limit"), ge=0, le=MONEY_MAX, decimal_places=2)
    conditions: str = Field(title=N_("Conditions"), min_length=1, max_length=1000)
    active: bool = Field(default=True, title=N_("Current"))


class Right(BaseModel):
    id: int
    role: str
    remedy: str
    limit_amount: Decimal | None
    conditions: str
    active: bool
    version: int
    updated_at: datetime

    @property
    def label(self) -> str:
        """The right as a choice names it: its role and kind of remedy, in the current language."""
        return f"{_(ROLE_LABELS[Role(self.role)])} — {_(REMEDY_LABELS[self.remedy])}"


def add_right(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """Add a right to the register (version 1); one right per role and kind of remedy."""
    require(actor, Permission.STRATEGY_MANAGE)
    record = validate(RightInput, data)
    now = at or utc_now()

    def add(connection: duckdb.DuckDBPyConnection) -> int:
        taken = connection.execute(
            "SELECT 1 FROM decision_rights WHERE role = ? AND remedy = ?", [record.role.value, record.remedy]
        ).fetchone()
        if taken:
            raise InputError.single(_("Kind of remedy"), _("this role holds a right of this kind already; edit it"))
        right_id = insert_row(
            connection,
            "decision_rights",
            {**record.model_dump(mode="json"), "limit_amount": record.limit_amount, "created_at": now}
            | {"updated_at": now},
        )
        row = audit.row_as_dict(connection, "decision_rights", "id", right_id) or {}
        save_version(connection, "decision_right_versions", "right_id", row, actor, now)
        audit.record(connection, actor, "decision_right", right_id, "create", after=row, at=now)
        return right_id

    return db.write(add)


def change_right(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser,
    right_id: int,
    changes: dict[str, Any],
    expected_version: int | None,
    at: datetime,
) -> None:
    """Save a new version of a right with ``changes`` (limit, conditions, current) inside the
    caller's write — an edit, or an accepted proposal."""
    require(actor, Permission.STRATEGY_MANAGE)
    before = audit.row_as_dict(connection, "decision_rights", "id", right_id)
    if before is None:
        raise InputError.single(_("Right"), _("no such decision right"))
    audit.check_not_stale(connection, "decision_right", before, expected_version, "decision right")
    merged = {key: before[key] for key in ("role", "remedy", "limit_amount", "conditions", "active")} | changes
    record = validate(RightInput, merged)
    connection.execute(
        "UPDATE decision_rights SET limit_amount = ?, conditions = ?, active = ?, updated_at = ?,"
        " version = version + 1 WHERE id = ?",
        [record.limit_amount, record.conditions, record.active, at, right_id],
    )
    after = audit.row_as_dict(connection, "decision_rights", "id", right_id) or {}
    save_version(connection, "decision_right_versions", "right_id", after, actor, at)
    audit.record(connection, actor, "decision_right", right_id, "update", before, after, at=at)


def update_right(
    db: Database,
    actor: CurrentUser,
    right_id: int,
    changes: dict[str, Any],
    expected_version: int | None,
    *,
    at: datetime | None = None,
) -> None:
    """Change a right's limit, conditions or whether it is current (a new version)."""
    require(actor, Permission.STRATEGY_MANAGE)
    db.write(lambda connection: change_right(connection, actor, right_id, changes, expected_version, at or utc_now()))


def list_rights(db: Database, actor: CurrentUser, *, include_retired: bool = False) -> list[Right]:
    """The register of decision rights by role and remedy — for everyone."""
    require(actor, Permission.STRATEGY_READ)
    where = "" if include_retired else " WHERE active"
    rows = db.query("SELECT * FROM decision_rights" + where + " ORDER BY role, remedy")
    return [Right(**{key: row[key] for key in Right.model_fields}) for row in rows]


def right_history(db: Database, actor: CurrentUser, right_id: int) -> list[dict[str, Any]]:
    """Every saved version of a right, newest first."""
    require(actor, Permission.STRATEGY_READ)
    return db.query(
        "SELECT v.version, v.changed_at, e.full_name AS changed_by,"
        " json_extract_string(v.snapshot_json, '$.limit_amount') AS limit_amount,"
        " json_extract_string(v.snapshot_json, '$.conditions') AS conditions,"
        " json_extract(v.snapshot_json, '$.active')::BOOLEAN AS current"
        " FROM decision_right_versions v LEFT JOIN employees e ON e.id = v.changed_by"
        " WHERE v.right_id = ? ORDER BY v.version DESC",
        [right_id],
    )


def rights_of(db: Database, actor: CurrentUser) -> dict[str, Right]:
    """The current rights ``actor``'s roles hold, by kind of remedy: the highest limit among
    their roles (no limit — no money involved — counts below any money limit)."""
    roles = sorted({Role.AGENT.value, *(role.value for role in actor.roles)})
    rows = db.query(
        "SELECT * FROM decision_rights WHERE active AND list_contains(?, role)"
        " ORDER BY remedy, limit_amount DESC NULLS LAST, id",
        [roles],
    )
    held: dict[str, Right] = {}
    for row in rows:
        held.setdefault(row["remedy"], Right(**{key: row[key] for key in Right.model_fields}))
    return held


# -- uses -----------------------------------------------------------------------------
class UseInput(InputRecord):
    """What a person logs when they used a right."""

    remedy: Remedy = Field(title=N_("Kind of remedy"))
    used_on: date = Field(title=N_("Date"))
    amount: Decimal = Field(default=Decimal(0), title=N_("Amount"), ge=0, le=MONEY_MAX, decimal_places=2)
    complaint_reference: str | None = Field(default=None, title=N_("Complaint reference"), max_length=60)
    note: str | None = Field(default=None, title=N_("Note"), max_length=1000)

    _not_future = field_validator("used_on")(not_in_future)

    @field_validator("complaint_reference", "note", mode="after")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None


class LoggedUse(BaseModel):
    id: int
    over_limit: bool
    limit_amount: Decimal | None


def log_use(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> LoggedUse:
    """Log a use of a right ``actor``'s roles hold; a use above the limit is stored and flagged
    (rule 5), a kind of remedy none of their roles holds is refused."""
    require(actor, Permission.DECISION_RIGHTS_USE)
    now = at or utc_now()
    record = validate(UseInput, data, context={"today": now.date()})
    right = rights_of(db, actor).get(record.remedy)
    if right is None:
        raise InputError.single(
            _("Kind of remedy"),
            _(
                "none of your roles may give a {remedy} without asking; ask your team lead",
                remedy=_(REMEDY_LABELS[record.remedy]).lower(),
            ),
        )
    limit = right.limit_amount if right.limit_amount is not None else Decimal(0)
    over_limit = record.amount > limit

    def store(connection: duckdb.DuckDBPyConnection) -> int:
        values = {
            "employee_id": actor.employee_id,
            "team_id": actor.team_id,
            "right_id": right.id,
            "right_version": right.version,
            **record.model_dump(),
            "limit_amount": right.limit_amount,
            "over_limit": over_limit,
            "recorded_at": now,
        }
        use_id = insert_row(connection, "decision_right_uses", values)
        audit.record(connection, actor, "decision_right_use", use_id, "create", after=values, at=now)
        return use_id

    return LoggedUse(id=db.write(store), over_limit=over_limit, limit_amount=right.limit_amount)


def my_uses(db: Database, actor: CurrentUser, *, limit: int = 200) -> list[dict[str, Any]]:
    """The uses ``actor`` logged, newest first."""
    require(actor, Permission.DECISION_RIGHTS_USE)
    return db.query(
        "SELECT used_on, remedy, amount, limit_amount, over_limit, complaint_reference, note"
        " FROM decision_right_uses WHERE employee_id = ? ORDER BY used_on DESC, id DESC LIMIT ?",
        [actor.employee_id, limit],
    )


def use_against_limits(db: Database, actor: CurrentUser, start: date, end: date) -> pd.DataFrame:
    """Leadership's view: per team, month and kind of remedy, the uses, the amount given, the
    mean share of the limit used and the uses flagged above the limit."""
    require(actor, Permission.DASHBOARDS_ALL)
    return db.frame(
        """
        SELECT date_trunc('month', u.used_on)::DATE AS month, coalesce(t.name, ?) AS team, u.remedy,
               count(*) AS uses, sum(u.amount) AS amount,
               round(100 * avg(u.amount / u.limit_amount) FILTER (WHERE u.limit_amount > 0), 1)
                 AS mean_share_of_limit,
               count(*) FILTER (WHERE u.over_limit) AS above_limit
        FROM decision_right_uses u LEFT JOIN teams t ON t.id = u.team_id
        WHERE u.used_on BETWEEN ? AND ?
        GROUP BY ALL ORDER BY month, team, u.remedy
        """,
        [NO_TEAM, start, end],
    )


def uses_above_limit(db: Database, actor: CurrentUser, start: date, end: date) -> pd.DataFrame:
    """The flagged uses of the period, newest first, with who logged them."""
    require(actor, Permission.DASHBOARDS_ALL)
    return db.frame(
        "SELECT u.used_on, e.full_name AS person, t.name AS team, u.remedy, u.amount, u.limit_amount,"
        " u.complaint_reference, u.note FROM decision_right_uses u JOIN employees e ON e.id = u.employee_id"
        " LEFT JOIN teams t ON t.id = u.team_id WHERE u.over_limit AND u.used_on BETWEEN ? AND ?"
        " ORDER BY u.used_on DESC, u.id DESC",
        [start, end],
    )
