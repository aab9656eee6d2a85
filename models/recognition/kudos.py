"""Kudos: given to a person or a team with a message and a tag, within the monthly allowance;
hidden by HR when they break the rules; read on the feed, the walls and as competency
evidence. Rules 1–3 and 5 of ``models.recognition``."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import BaseModel, Field

from models import audit
from models.access import CurrentUser, Permission, require
from models.competencies.framework import Competency, shown_name
from models.db import ConnectionReader, insert_row, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _, format_date
from models.inbox import messages as inbox
from models.inputs import InputRecord, entered_text
from models.people.directory import people_matching
from models.recognition import badges
from models.settings import get_settings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from models.db import Database, Reader

MESSAGE_MAX = 500
REASON_MAX = 500
COMPETENCY_TAG, VALUE_TAG = "competency", "value"


class KudosInput(InputRecord):
    """What a person enters to give kudos: a person or a team, a message and a tag
    (``"competency:<id>"`` or ``"value:<id>"``, as ``tag_choices`` names them)."""

    recipient_id: int | None = Field(default=None, title=N_("To"))
    team_id: int | None = Field(default=None, title=N_("To"))
    message: str = Field(title=N_("Message"), min_length=1, max_length=MESSAGE_MAX)
    tag: str = Field(title=N_("Tag"), min_length=1)


class Kudos(BaseModel):
    id: int
    giver_id: int
    giver_name: str
    to_name: str  # the person, or the team
    team_id: int | None
    message: str
    tag: str
    tag_kind: str
    given_at: datetime
    hidden_reason: str | None = None
    tag_code: str | None = None  # the competency's code, when the tag is a competency

    @property
    def shown_tag(self) -> str:
        """The tag in the reader's language when it is a competency of the default framework."""
        return competency_name(self.tag_code, self.tag) if self.tag_code else self.tag


def competency_name(code: str, name: str) -> str:
    """A competency's name as the framework shows it (the default ones in the reader's language)."""
    return shown_name(Competency(id=0, code=code, name=name, description=""))


def monthly_allowance() -> int:
    """Kudos a person may give per calendar month (0: no limit), from settings."""
    return get_settings().kudos_monthly_allowance


def tag_choices(db: Reader) -> dict[str, str]:
    """What a kudos may be tagged with: the framework's active competencies and the active
    company values, as ``{tag: label}``."""
    rows = db.query(
        "SELECT 'competency:' || id AS tag, 0 AS kind_order, name, code FROM competencies"
        " WHERE active UNION ALL SELECT 'value:' || id, 1, name, NULL FROM company_values WHERE active"
        " ORDER BY kind_order, name"
    )
    return {
        row["tag"]: _("Competency: {name}", name=competency_name(row["code"], row["name"]))
        if row["kind_order"] == 0
        else _("Value: {name}", name=row["name"])
        for row in rows
    }


def recipient_choices(db: Reader, viewer: CurrentUser) -> dict[int, str]:
    """The active colleagues a person may give kudos to (everyone but themselves), by name."""
    rows = db.query(
        "SELECT e.id, e.full_name || coalesce(' — ' || t.name, '') AS label FROM employees e"
        " LEFT JOIN teams t ON t.id = e.team_id WHERE e.active AND e.id <> ? ORDER BY e.full_name, e.id",
        [viewer.employee_id],
    )
    return {row["id"]: row["label"] for row in rows}


def find_recipients(
    db: Reader, viewer: CurrentUser, search: str = "", *, keep: Sequence[int | None] = ()
) -> tuple[list[dict[str, Any]], int]:
    """``recipient_choices`` searched: the first active colleagues matching ``search`` (name,
    email or employee number), those of ``keep`` (already chosen) first, and how many match."""
    return people_matching(db, search, among="e.active AND e.id <> ?", params=[viewer.employee_id], keep=keep)


def recipient_label(person: dict[str, Any]) -> str:
    """How a colleague is named in a picker: the name, and the team for clarity."""
    return person["full_name"] + (f" — {person['team_name']}" if person["team_name"] else "")


def team_choices(db: Reader) -> dict[int, str]:
    """The active teams, by name."""
    return {row["id"]: row["name"] for row in db.query("SELECT id, name FROM teams WHERE active ORDER BY name")}


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def given_this_month(db: Reader, giver_id: int, on: date) -> int:
    """Kudos the person gave in the calendar month of ``on`` (hidden ones included)."""
    start = _month_start(on)
    return int(
        db.scalar(
            "SELECT count(*) FROM kudos WHERE giver_id = ? AND given_at >= ? AND given_at < ?",
            [giver_id, start, _next_month(start)],
        )
    )


def kudos_left(db: Reader, viewer: CurrentUser, on: date | None = None, *, allowance: int | None = None) -> int | None:
    """How many kudos the person may still give this month; None when there is no limit."""
    allowance = monthly_allowance() if allowance is None else allowance
    if allowance == 0:
        return None
    return max(0, allowance - given_this_month(db, viewer.employee_id, on or date.today()))


def _tag(reader: ConnectionReader, tag: str) -> tuple[int | None, int | None]:
    """(competency id, value id) of an active tag, or a refusal naming the Tag field."""
    kind, _sep, raw_id = tag.partition(":")
    table = {COMPETENCY_TAG: "competencies", VALUE_TAG: "company_values"}.get(kind)
    if (
        table is None
        or not raw_id.isdigit()
        or not reader.scalar(f"SELECT count(*) FROM {table} WHERE id = ? AND active", [int(raw_id)])
    ):
        raise InputError.single(_("Tag"), _("choose a competency of the framework or a company value"))
    return (int(raw_id), None) if kind == COMPETENCY_TAG else (None, int(raw_id))


def _recipients(reader: ConnectionReader, actor: CurrentUser, record: KudosInput) -> list[int]:
    """Who the kudos reaches: the person, or the team's active members but the giver."""
    if (record.recipient_id is None) == (record.team_id is None):
        raise InputError.single(_("To"), _("choose one colleague or one team"))
    if record.recipient_id is not None:
        if record.recipient_id == actor.employee_id:
            raise InputError.single(_("To"), _("kudos are for someone else: you cannot give kudos to yourself"))
        if not reader.scalar("SELECT count(*) FROM employees WHERE id = ? AND active", [record.recipient_id]):
            raise InputError.single(_("To"), _("choose an active colleague"))
        return [record.recipient_id]
    if not reader.scalar("SELECT count(*) FROM teams WHERE id = ? AND active", [record.team_id]):
        raise InputError.single(_("To"), _("choose an active team"))
    members = [
        row["id"]
        for row in reader.query("SELECT id FROM employees WHERE team_id = ? AND active ORDER BY id", [record.team_id])
    ]
    others = [member for member in members if member != actor.employee_id]
    if not others:
        problem = _("you are its only member: kudos are for someone else") if members else _("it has no active members")
        raise InputError.single(_("To"), problem)
    return others


def _validated(data: dict[str, Any]) -> KudosInput:
    """The record, or every problem at once: whom it is for among them."""
    problems: list[tuple[str, str]] = []
    if (data.get("recipient_id") is None) == (data.get("team_id") is None):
        problems.append((_("To"), _("choose one colleague or one team")))
    try:
        record = validate(KudosInput, data)
    except InputError as error:
        problems += error.problems
    if problems:
        raise InputError(problems)
    return record


def _check_allowance(reader: ConnectionReader, actor: CurrentUser, on: date, allowance: int) -> None:
    if allowance and given_this_month(reader, actor.employee_id, on) >= allowance:
        raise InputError.single(
            _("Kudos this month"),
            _(
                "you have given all {allowance} of your kudos for {month}: none are left until {day}",
                allowance=allowance,
                month=format_date(on, "LLLL y"),
                day=format_date(_next_month(on), "dd MMMM y"),
            ),
        )


def give_kudos(
    db: Database,
    actor: CurrentUser,
    data: dict[str, Any] | KudosInput,
    *,
    at: datetime | None = None,
    allowance: int | None = None,
) -> int:
    """Give kudos (``at``, default now) within the monthly allowance (default from settings);
    a team's kudos reach its active members at this moment. Returns the kudos' id."""
    require(actor, Permission.KUDOS_GIVE)
    record = _validated(data.model_dump() if isinstance(data, KudosInput) else data)
    allowance = monthly_allowance() if allowance is None else allowance
    now = at or utc_now()

    def store(connection: duckdb.DuckDBPyConnection) -> int:
        reader = ConnectionReader(connection)
        recipients = _recipients(reader, actor, record)
        competency_id, value_id = _tag(reader, record.tag)
        _check_allowance(reader, actor, now.date(), allowance)
        row = {
            "giver_id": actor.employee_id,
            "recipient_id": record.recipient_id,
            "team_id": record.team_id,
            "message": record.message,
            "competency_id": competency_id,
            "value_id": value_id,
            "given_at": now,
        }
        kudos_id = insert_row(connection, "kudos", row)
        connection.executemany(
            "INSERT INTO kudos_recipients (kudos_id, employee_id) VALUES (?, ?)", [(kudos_id, e) for e in recipients]
        )
        audit.record(connection, actor, "kudos", kudos_id, "give", None, {**row, "recipients": recipients}, at=now)
        badges.refresh_badges(connection, actor, at=now, kinds=[badges.KUDOS_RECEIVED], employee_ids=recipients)
        subject = N_("Kudos from {name} to your team") if record.team_id is not None else N_("Kudos from {name}")
        inbox.notify(
            connection, recipients, "kudos", inbox.text(subject, name=actor.full_name), record.message, "wall", now,
            actor=actor,
        )  # fmt: skip
        return kudos_id

    return db.write(store)


def hide_kudos(db: Database, actor: CurrentUser, kudos_id: int, reason: str, *, at: datetime | None = None) -> None:
    """HR hides a kudos that breaks the rules: kept with the reason, audited, shown and
    counted no more (a kudos badge it completed is withdrawn)."""
    require(actor, Permission.RECOGNITION_MANAGE)
    reason = entered_text(reason)
    if not reason:
        raise InputError.single(_("Reason"), _("say which rule the kudos breaks"))
    if len(reason) > REASON_MAX:
        raise InputError.single(_("Reason"), _("use at most {count} characters", count=REASON_MAX))
    now = at or utc_now()

    def store(connection: duckdb.DuckDBPyConnection) -> None:
        reader = ConnectionReader(connection)
        row = reader.query_one("SELECT giver_id, message, hidden_at FROM kudos WHERE id = ?", [kudos_id])
        if row is None:
            raise InputError.single(_("Kudos"), _("no such kudos"))
        if row["hidden_at"] is not None:
            raise InputError.single(_("Kudos"), _("this kudos is hidden already"))
        connection.execute(
            "UPDATE kudos SET hidden_at = ?, hidden_by = ?, hidden_reason = ? WHERE id = ?",
            [now, actor.employee_id, reason, kudos_id],
        )
        audit.record(connection, actor, "kudos", kudos_id, "hide", row, {"hidden_reason": reason}, at=now)
        receivers = [
            r["employee_id"]
            for r in reader.query("SELECT employee_id FROM kudos_recipients WHERE kudos_id = ?", [kudos_id])
        ]
        badges.refresh_badges(connection, actor, at=now, kinds=[badges.KUDOS_RECEIVED], employee_ids=receivers)

    db.write(store)


_KUDOS_SQL = """
    SELECT k.id, k.giver_id, g.full_name AS giver_name, coalesce(p.full_name, t.name) AS to_name, k.team_id,
           k.message, coalesce(c.name, v.name) AS tag, CASE WHEN c.id IS NULL THEN 'value' ELSE 'competency' END
           AS tag_kind, k.given_at, k.hidden_reason, c.code AS tag_code
    FROM kudos k JOIN employees g ON g.id = k.giver_id
    LEFT JOIN employees p ON p.id = k.recipient_id LEFT JOIN teams t ON t.id = k.team_id
    LEFT JOIN competencies c ON c.id = k.competency_id LEFT JOIN company_values v ON v.id = k.value_id
"""


def recent_kudos(db: Reader, viewer: CurrentUser, *, limit: int = 30) -> list[Kudos]:
    """The latest kudos shown on the feed (hidden ones are not)."""
    require(viewer, Permission.KUDOS_GIVE)
    rows = db.query(_KUDOS_SQL + " WHERE k.hidden_at IS NULL ORDER BY k.given_at DESC, k.id DESC LIMIT ?", [limit])
    return [Kudos(**row) for row in rows]


def kudos_received(
    db: Reader, viewer: CurrentUser, employee_id: int, *, competency_id: int | None = None
) -> list[Kudos]:
    """The kudos that reached a person (theirs or their team's), newest first; anyone may
    read a wall (rule 5). Only those tagged with ``competency_id`` when given."""
    require(viewer, Permission.KUDOS_GIVE)
    rows = db.query(
        _KUDOS_SQL + " JOIN kudos_recipients r ON r.kudos_id = k.id WHERE r.employee_id = ? AND k.hidden_at IS NULL"
        " AND (CAST(? AS INTEGER) IS NULL OR k.competency_id = ?) ORDER BY k.given_at DESC, k.id DESC",
        [employee_id, competency_id, competency_id],
    )
    return [Kudos(**row) for row in rows]


def hidden_kudos(db: Reader, viewer: CurrentUser) -> list[Kudos]:
    """Kudos HR hid, newest first, with the reason: for HR only."""
    require(viewer, Permission.RECOGNITION_MANAGE)
    rows = db.query(_KUDOS_SQL + " WHERE k.hidden_at IS NOT NULL ORDER BY k.hidden_at DESC, k.id DESC")
    return [Kudos(**row) for row in rows]


def person_name(db: Reader, employee_id: int) -> str | None:
    """The name on a wall, or None for nobody."""
    return db.scalar("SELECT full_name FROM employees WHERE id = ?", [employee_id])
