"""Badges the portal awards itself (SPEC §7), declared once below with the rule that earns
each: a query naming who holds it now, for which cause, since when and with which values of its
message — kept as the message and its values and shown in the reader's language.

``refresh_badges`` runs inside the writes of the events that can earn or reverse a badge (a
decision, an implementation, the day's running order and its phases, completions, kudos) and
on open. It is idempotent: a person holds a badge once per cause; a badge whose cause is
reversed — a green light superseded by a later decision, a presenter taken off the running
order, kudos hidden below the threshold — is withdrawn, kept and audited. The course-path
badge marks a milestone reached and stays when a refresher later falls due."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

from models import audit
from models.access import CurrentUser
from models.db import ConnectionReader, next_ids, utc_now
from models.i18n import N_, _
from models.inbox.texts import shown_stored, stored_text
from models.settings import get_settings
from models.training.mandatory import MANDATORY_PAIRS_SQL

if TYPE_CHECKING:
    from models.db import Reader

GREEN_LIT_IDEA = "green_lit_idea"
IDEA_IMPLEMENTED = "idea_implemented"
SPEAKUP_PRESENTER = "speakup_presenter"
COURSE_PATH = "course_path"
KUDOS_RECEIVED = "kudos_received"

_AUTHORS = (
    "(SELECT id AS idea_id, author_id AS employee_id FROM ideas UNION SELECT idea_id, employee_id FROM idea_coauthors)"
)


@dataclass(frozen=True)
class BadgeRule:
    """One badge: who holds it is whatever ``sql`` returns (``employee_id``, ``cause``,
    ``earned_at``, ``idea_id`` and the JSON ``values_json`` of its ``message``), reading
    ``params.today`` and ``params.threshold``."""

    kind: str
    label: str
    description: str
    message: str
    sql: str
    withdrawn_when_reversed: bool = True


BADGES: tuple[BadgeRule, ...] = (
    BadgeRule(
        GREEN_LIT_IDEA,
        N_("Green-lit idea"),
        "An idea you wrote or co-wrote is green-lit by its latest decision.",
        N_("Your idea “{title}” was green-lit on Speak-Up Day {cycle}."),
        f"""SELECT a.employee_id, 'idea:' || i.id AS cause, d.decided_at AS earned_at, i.id AS idea_id,
                json_object('title', i.title, 'cycle', c.name)::VARCHAR AS values_json
            FROM (SELECT idea_id, cycle_id, outcome, decided_at,
                         row_number() OVER (PARTITION BY idea_id ORDER BY id DESC) AS nth FROM idea_decisions) d
            JOIN ideas i ON i.id = d.idea_id JOIN idea_cycles c ON c.id = d.cycle_id
            JOIN {_AUTHORS} a ON a.idea_id = i.id
            WHERE d.nth = 1 AND d.outcome = 'green_lit'""",
    ),
    BadgeRule(
        IDEA_IMPLEMENTED,
        N_("Idea implemented"),
        "An idea you wrote or co-wrote is implemented.",
        N_("Your idea “{title}” is implemented."),
        f"""SELECT a.employee_id, 'idea:' || i.id AS cause, i.id AS idea_id,
                coalesce((SELECT max(h.changed_at) FROM idea_status_history h
                          WHERE h.idea_id = i.id AND h.to_status = 'implemented'), i.updated_at) AS earned_at,
                json_object('title', i.title)::VARCHAR AS values_json
            FROM ideas i JOIN {_AUTHORS} a ON a.idea_id = i.id
            WHERE i.status = 'implemented'""",
    ),
    BadgeRule(
        SPEAKUP_PRESENTER,
        N_("Speak-Up presenter"),
        "You presented an idea to leadership on Speak-Up Day.",
        N_("You presented {titles} on Speak-Up Day {cycle}."),
        """SELECT r.presenter_id AS employee_id, 'cycle:' || c.id AS cause, NULL::INTEGER AS idea_id,
                CAST(c.speakup_day AS TIMESTAMP) + INTERVAL 17 HOUR AS earned_at,
                json_object('titles', json_object('quoted', list(i.title ORDER BY r.position)),
                            'cycle', c.name)::VARCHAR AS values_json
            FROM speakup_running_order r JOIN idea_cycles c ON c.id = r.cycle_id JOIN ideas i ON i.id = r.idea_id
            WHERE c.phase IN ('scoring', 'closed') AND c.speakup_day <= (SELECT today FROM params)
            GROUP BY r.presenter_id, c.id, c.name, c.speakup_day""",
    ),
    BadgeRule(
        COURSE_PATH,
        N_("Course path completed"),
        "Every mandatory course of your role is completed and valid.",
        N_("You completed every mandatory course of your role."),
        f"""SELECT m.employee_id, 'path' AS cause, NULL::INTEGER AS idea_id,
                CAST(max(v.completed_on) AS TIMESTAMP) + INTERVAL 17 HOUR AS earned_at,
                NULL::VARCHAR AS values_json
            FROM ({MANDATORY_PAIRS_SQL}) m
            LEFT JOIN (SELECT employee_id, course_id, max(completed_on) AS completed_on FROM training_completions
                       WHERE passed AND completed_on <= (SELECT today FROM params)
                         AND (expires_on IS NULL OR expires_on > (SELECT today FROM params))
                       GROUP BY employee_id, course_id) v
                ON v.employee_id = m.employee_id AND v.course_id = m.course_id
            GROUP BY m.employee_id HAVING count(*) = count(v.completed_on)""",
        withdrawn_when_reversed=False,
    ),
    BadgeRule(
        KUDOS_RECEIVED,
        N_("Kudos received"),
        "Colleagues gave you as many kudos as the portal's badge threshold.",
        N_("Colleagues gave you {count} kudos."),
        """SELECT employee_id, 'kudos' AS cause, NULL::INTEGER AS idea_id, given_at AS earned_at,
                json_object('count', (SELECT threshold FROM params))::VARCHAR AS values_json
            FROM (SELECT r.employee_id, k.given_at,
                         row_number() OVER (PARTITION BY r.employee_id ORDER BY k.given_at, k.id) AS nth
                  FROM kudos_recipients r JOIN kudos k ON k.id = r.kudos_id WHERE k.hidden_at IS NULL) received
            WHERE nth = (SELECT threshold FROM params)""",
    ),
)
BADGE_LABELS = {rule.kind: rule.label for rule in BADGES}
REVERSED = N_("Its cause was reversed.")  # why a badge was withdrawn by the portal
BADGE_MESSAGES = {rule.kind: rule.message for rule in BADGES}
IDEA_BADGES = (GREEN_LIT_IDEA, IDEA_IMPLEMENTED)


def badge_label(kind: str) -> str:
    """A badge's name in the reader's language (a kind no rule declares, in words)."""
    return _(BADGE_LABELS[kind]) if kind in BADGE_LABELS else kind.replace("_", " ").capitalize()


def badge_threshold() -> int:
    """How many kudos received earn the kudos badge (setting ``kudos_badge_threshold``)."""
    return get_settings().kudos_badge_threshold


def _rules(kinds: Iterable[str] | None) -> list[BadgeRule]:
    wanted = None if kinds is None else set(kinds)
    unknown = (wanted or set()) - set(BADGE_LABELS)
    if unknown:
        raise ValueError(f"unknown badge kinds {sorted(unknown)}")
    return [rule for rule in BADGES if wanted is None or rule.kind in wanted]


def _due_sql(rules: Sequence[BadgeRule]) -> str:
    parts = [
        f"SELECT '{rule.kind}' AS kind, employee_id, cause, earned_at, idea_id, values_json FROM ({rule.sql})"
        for rule in rules
    ]
    return (
        "WITH params AS (SELECT CAST($today AS DATE) AS today, CAST($threshold AS INTEGER) AS threshold,"
        " CAST($people AS INTEGER[]) AS people)"
        " SELECT due.* FROM (" + " UNION ALL ".join(parts) + ") due"
        " WHERE (SELECT people FROM params) IS NULL OR list_contains((SELECT people FROM params), due.employee_id)"
    )


@dataclass(frozen=True)
class BadgeChanges:
    awarded: int
    withdrawn: int


def refresh_badges(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None = None,
    *,
    at: datetime | None = None,
    kinds: Iterable[str] | None = None,
    employee_ids: Sequence[int] | None = None,
) -> BadgeChanges:
    """Award every badge earned and not held, and withdraw every held badge whose cause is
    gone, inside the caller's write, as of ``at`` (default now); only ``kinds`` and
    ``employee_ids`` when given. Both are audited, naming ``actor`` (None: the portal)."""
    rules = _rules(kinds)
    if not rules or (employee_ids is not None and not employee_ids):
        return BadgeChanges(0, 0)
    now = at or utc_now()
    people = None if employee_ids is None else sorted(set(employee_ids))
    params = {"today": now.date(), "threshold": badge_threshold(), "people": people}
    connection.execute("CREATE OR REPLACE TEMP TABLE badges_due AS " + _due_sql(rules), params)
    try:
        withdrawn = _withdraw_reversed(
            connection, actor, [r.kind for r in rules if r.withdrawn_when_reversed], people, now
        )
        awarded = _award_new(connection, actor, now)
    finally:
        connection.execute("DROP TABLE IF EXISTS badges_due")
    return BadgeChanges(awarded, withdrawn)


def _withdraw_reversed(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    kinds: list[str],
    people: list[int] | None,
    now: datetime,
) -> int:
    if not kinds:
        return 0
    reversed_rows = ConnectionReader(connection).query(
        "SELECT r.id, r.employee_id, r.kind, r.cause FROM recognitions r"
        " WHERE r.withdrawn_at IS NULL AND r.cause IS NOT NULL AND list_contains(?, r.kind)"
        " AND (CAST(? AS INTEGER[]) IS NULL OR list_contains(?, r.employee_id))"
        " AND NOT EXISTS (SELECT 1 FROM badges_due d WHERE d.employee_id = r.employee_id"
        "  AND d.kind = r.kind AND d.cause = r.cause)",
        [kinds, people, people],
    )
    if not reversed_rows:
        return 0
    reason = REVERSED  # stored in English; the export puts it in its reader's language
    connection.execute(
        "UPDATE recognitions SET withdrawn_at = ?, withdrawn_reason = ? WHERE list_contains(?, id)",
        [now, reason, [row["id"] for row in reversed_rows]],
    )
    audit.record_many(
        connection,
        actor,
        [("recognition", row["id"], "withdraw", row, {"withdrawn_reason": reason}) for row in reversed_rows],
        at=now,
    )
    return len(reversed_rows)


def _award_new(connection: duckdb.DuckDBPyConnection, actor: CurrentUser | None, now: datetime) -> int:
    new_rows = ConnectionReader(connection).query(
        "SELECT d.* FROM badges_due d WHERE NOT EXISTS (SELECT 1 FROM recognitions r WHERE r.withdrawn_at IS NULL"
        " AND r.employee_id = d.employee_id AND r.kind = d.kind AND r.cause = d.cause)"
        " ORDER BY d.earned_at, d.employee_id, d.kind"
    )
    if not new_rows:
        return 0
    ids = next_ids(connection, "recognitions", len(new_rows))
    rows = [
        [
            badge_id,
            row["employee_id"],
            row["kind"],
            row["idea_id"],
            stored_text(BADGE_MESSAGES[row["kind"]], row["values_json"]).in_english(),
            min(row["earned_at"] or now, now),
            row["cause"],
            BADGE_MESSAGES[row["kind"]],
            row["values_json"],
        ]
        for badge_id, row in zip(ids, new_rows, strict=True)
    ]
    connection.executemany(
        "INSERT INTO recognitions (id, employee_id, kind, idea_id, message, awarded_at, cause, message_msgid,"
        " values_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    audit.record_many(
        connection,
        actor,
        [
            ("recognition", row[0], "award", None, {"employee_id": row[1], "kind": row[2], "cause": row[6]})
            for row in rows
        ],
        at=now,
    )
    return len(rows)


def badges_for(db: Reader, employee_id: int) -> list[dict[str, Any]]:
    """A person's badges held now, newest first, each with its label."""
    rows = db.query(
        "SELECT r.id, r.kind, r.idea_id, r.message, r.message_msgid, r.values_json, r.awarded_at,"
        " i.title AS idea_title FROM recognitions r LEFT JOIN ideas i ON i.id = r.idea_id"
        " WHERE r.employee_id = ? AND r.withdrawn_at IS NULL ORDER BY r.awarded_at DESC, r.id DESC",
        [employee_id],
    )
    return [_shown(row) for row in rows]


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """A badge held, with its label and message in the current language (a badge awarded before
    messages were kept: its message as stored)."""
    shown = {name: value for name, value in row.items() if name not in ("message_msgid", "values_json")}
    shown["message"] = shown_stored(row["message_msgid"], row["values_json"], row["message"])
    shown["kind_label"] = badge_label(row["kind"])
    return shown


def refresh_on_open(db: Any) -> BadgeChanges:
    """The check on open: badges whose cause came or went while nothing refreshed them (a
    Speak-Up Day passing, a course expiring) are put right."""
    return db.write(lambda connection: refresh_badges(connection))


def recent_badges(db: Reader, *, limit: int = 30) -> list[dict[str, Any]]:
    """The latest badges awarded and still held, for the feed, with the holder's name."""
    rows = db.query(
        "SELECT r.id, r.employee_id, e.full_name, r.kind, r.message, r.message_msgid, r.values_json, r.awarded_at"
        " FROM recognitions r JOIN employees e ON e.id = r.employee_id WHERE r.withdrawn_at IS NULL"
        " ORDER BY r.awarded_at DESC, r.id DESC LIMIT ?",
        [limit],
    )
    return [_shown(row) for row in rows]
