"""Many kudos given at once, each dated when it was given, under the same rules as
``kudos.give_kudos`` checked set-based: how a year of the large organisation's kudos is
recorded in one statement rather than tens of thousands."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
from pydantic import BaseModel, ConfigDict

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import next_ids, utc_now
from models.errors import InputError
from models.i18n import N_
from models.inbox import messages as inbox
from models.recognition import badges
from models.recognition.kudos import MESSAGE_MAX, monthly_allowance

if TYPE_CHECKING:
    from models.db import Database


class Gift(BaseModel):
    """One kudos of a batch: who gave it, to whom (a person or a team), with what tag, when."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    giver: CurrentUser
    recipient_id: int | None = None
    team_id: int | None = None
    message: str
    competency_id: int | None = None
    value_id: int | None = None
    given_at: datetime


_PROBLEMS_SQL = """
    SELECT g.position, CASE
        WHEN (g.recipient_id IS NULL) = (g.team_id IS NULL) THEN 'To|choose one colleague or one team'
        WHEN g.recipient_id = g.giver_id THEN 'To|you cannot give kudos to yourself'
        WHEN g.recipient_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM employees e WHERE e.id = g.recipient_id
            AND e.active) THEN 'To|choose an active colleague'
        WHEN g.team_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM employees e WHERE e.team_id = g.team_id
            AND e.active AND e.id <> g.giver_id) THEN 'To|the team has no active member but the giver'
        WHEN (g.competency_id IS NULL) = (g.value_id IS NULL)
            OR (g.competency_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM competencies c
                WHERE c.id = g.competency_id AND c.active))
            OR (g.value_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM company_values v
                WHERE v.id = g.value_id AND v.active))
            THEN 'Tag|choose a competency of the framework or a company value'
        WHEN length(trim(g.message)) = 0 OR length(g.message) > $message_max THEN 'Message|give a message of at most '
            || $message_max || ' characters'
        WHEN $allowance > 0 AND g.nth_in_month + (SELECT count(*) FROM kudos k WHERE k.giver_id = g.giver_id
            AND date_trunc('month', k.given_at) = date_trunc('month', g.given_at)) > $allowance
            THEN 'Kudos this month|the giver has no kudos left that month'
        END AS problem
    FROM (SELECT *, row_number() OVER (PARTITION BY giver_id, date_trunc('month', given_at) ORDER BY given_at, position)
          AS nth_in_month FROM incoming_kudos) g
    WHERE problem IS NOT NULL ORDER BY g.position LIMIT 5
"""


def give_kudos_in_bulk(
    db: Database, gifts: Sequence[Gift], *, at: datetime | None = None, allowance: int | None = None
) -> int:
    """Record every gift or, when one breaks a rule, none (the refusal names the gift's
    position and field). Team kudos reach the team's active members but the giver. Badges
    follow once, ``at`` (default now). Returns how many were recorded."""
    for giver in {gift.giver.employee_id: gift.giver for gift in gifts}.values():
        require(giver, Permission.KUDOS_GIVE)
    if not gifts:
        return 0
    allowance = monthly_allowance() if allowance is None else allowance
    now = at or utc_now()

    def store(connection: duckdb.DuckDBPyConnection) -> int:
        ids = next_ids(connection, "kudos", len(gifts))
        table = pa.Table.from_pylist(
            [
                {
                    "position": position,
                    "id": kudos_id,
                    "giver_id": gift.giver.employee_id,
                    **gift.model_dump(exclude={"giver"}),
                }
                for position, (kudos_id, gift) in enumerate(zip(ids, gifts, strict=True), start=1)
            ]
        )
        connection.register("incoming_kudos", table)
        try:
            _refuse_problems(connection, allowance)
            connection.execute(
                "INSERT INTO kudos (id, giver_id, recipient_id, team_id, message, competency_id, value_id, given_at)"
                " SELECT id, giver_id, recipient_id, team_id, trim(message), competency_id, value_id, given_at"
                " FROM incoming_kudos ORDER BY position"
            )
            connection.execute(
                "INSERT INTO kudos_recipients (kudos_id, employee_id)"
                " SELECT id, recipient_id FROM incoming_kudos WHERE recipient_id IS NOT NULL"
                " UNION ALL SELECT g.id, e.id FROM incoming_kudos g JOIN employees e ON e.team_id = g.team_id"
                " AND e.active AND e.id <> g.giver_id"
            )
        finally:
            connection.unregister("incoming_kudos")
        audit.record_many(
            connection,
            None,
            [
                ("kudos", kudos_id, "give", None, {"giver_id": gift.giver.employee_id, "given_at": gift.given_at})
                for kudos_id, gift in zip(ids, gifts, strict=True)
            ],  # fmt: skip
            at=now,
        )
        receivers = [row[0] for row in connection.execute(
            "SELECT DISTINCT employee_id FROM kudos_recipients WHERE list_contains(?, kudos_id)", [ids]
        ).fetchall()]  # fmt: skip
        badges.refresh_badges(connection, at=now, kinds=[badges.KUDOS_RECEIVED], employee_ids=receivers)
        _tell_receivers(connection, ids)
        return len(ids)

    return db.write(store)


def _tell_receivers(connection: duckdb.DuckDBPyConnection, kudos_ids: list[int]) -> None:
    """Every person each kudos reached is told, dated when it was given (as ``give_kudos`` tells)."""
    rows = connection.execute(
        "SELECT r.employee_id, g.full_name, k.team_id IS NOT NULL, k.message, k.given_at FROM kudos_recipients r"
        " JOIN kudos k ON k.id = r.kudos_id JOIN employees g ON g.id = k.giver_id"
        " WHERE list_contains(?, r.kudos_id) ORDER BY k.id, r.employee_id",
        [kudos_ids],
    ).fetchall()
    notices = [
        inbox.Notice(
            person,
            inbox.text(N_("Kudos from {name} to your team") if to_team else N_("Kudos from {name}"), name=giver),
            message,
            "wall",
            created_at=given_at,
        )
        for person, giver, to_team, message, given_at in rows
    ]
    inbox.notify_each(connection, "kudos", notices)


def _refuse_problems(connection: duckdb.DuckDBPyConnection, allowance: int) -> None:
    problems = connection.execute(_PROBLEMS_SQL, {"allowance": allowance, "message_max": MESSAGE_MAX}).fetchall()
    if problems:
        raise InputError(
            [(problem.split("|")[0], f"kudos {position}: {problem.split('|')[1]}") for position, problem in problems]
        )
