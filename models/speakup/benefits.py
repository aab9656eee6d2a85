"""Benefit reviews of green-lit ideas at 30, 90 and 180 days."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import duckdb

from models import audit
from models.access import CurrentUser, Permission, require
from models.actions import plan
from models.db import ConnectionReader, Reader, utc_now
from models.errors import InputError
from models.i18n import N_, _, current_language, format_date, format_number
from models.inbox import texts
from models.recognition import badges
from models.speakup.ideas import (
    GREEN_LIT_STATUSES,
    MONEY_MAX,
    NET_ANNUAL_BENEFIT_SQL,
    REVIEW_DAYS,
    _idea_for_update,
    _reason,
    set_status,
)

if TYPE_CHECKING:
    from models.db import Database


# -- benefit reviews -----------------------------------------------------------------
def _review_day(value: date) -> str:
    """A day in a refusal: as the portal's English has always written it, else in the language's form."""
    return f"{value:%d %b %Y}" if current_language() == "en" else format_date(value, "dd MMM y")


def record_benefit_review(
    db: Database,
    actor: CurrentUser,
    idea_id: int,
    review_day: int,
    realised_savings: float,
    note: str = "",
    *,
    implemented: bool = False,
    today: date | None = None,
    at: datetime | None = None,
) -> None:
    """The action owner records realised savings at 30, 90 or 180 days after green light,
    each review from its day on. ``at`` (default now) dates the review and, unless
    ``today`` is given, is the day checked against."""
    today = today or (at.date() if at else date.today())
    if review_day not in REVIEW_DAYS:
        raise InputError.single(_("Review"), _("choose one of {days} days", days=", ".join(map(str, REVIEW_DAYS))))
    if realised_savings is None or realised_savings < 0:
        raise InputError.single(_("Realised savings"), _("cannot be negative"))
    if realised_savings > MONEY_MAX:
        raise InputError.single(_("Realised savings"), _("cannot exceed {amount}", amount=format_number(MONEY_MAX)))
    note = _reason(note, N_("Note"), required=False)
    if actor is None or action_owner(db, idea_id) != actor.employee_id:
        require(actor, Permission.SPEAKUP_MANAGE)

    def do(connection: duckdb.DuckDBPyConnection):
        idea = _idea_for_update(connection, idea_id)
        if idea.status not in ("in_implementation", "implemented", "green_lit"):
            raise InputError.single(_("Idea"), _("benefits are reviewed only for green-lit ideas"))
        green_lit_on = green_light_date(ConnectionReader(connection), idea_id)
        if green_lit_on is not None and today < green_lit_on + timedelta(days=review_day):
            due = green_lit_on + timedelta(days=review_day)
            raise InputError.single(
                _("Review"),
                _(
                    "the {days}-day review is due on {due} ({days} days after the green light on {green_lit}); "
                    "record it from then on",
                    days=review_day,
                    due=_review_day(due),
                    green_lit=_review_day(green_lit_on),
                ),
            )
        before = ConnectionReader(connection).query_one(
            "SELECT * FROM idea_benefit_reviews WHERE idea_id = ? AND review_day = ?", [idea_id, review_day]
        )
        if before:
            connection.execute(
                "UPDATE idea_benefit_reviews SET realised_savings = ?, note = ?, recorded_by = ?, recorded_at = ?"
                " WHERE id = ?",
                [realised_savings, note or None, actor.employee_id, at or utc_now(), before["id"]],
            )
        else:
            connection.execute(
                "INSERT INTO idea_benefit_reviews (idea_id, review_day, realised_savings, note, recorded_by,"
                " recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                [idea_id, review_day, realised_savings, note or None, actor.employee_id, at or utc_now()],
            )
        audit.record(
            connection,
            actor,
            "idea_benefit_review",
            idea_id,
            "record",
            before,
            {"review_day": review_day, "realised_savings": realised_savings, "note": note},
            at=at,
        )
        if implemented and idea.status != "implemented":
            text = texts.text(N_("Implemented; {days}-day review recorded"), days=review_day)
            set_status(connection, actor, idea, "implemented", text, at=at)
            badges.refresh_badges(
                connection, actor, at=at, kinds=[badges.IDEA_IMPLEMENTED], employee_ids=sorted(idea.author_ids)
            )

    db.write(do)


def green_light_date(source: Reader, idea_id: int) -> date | None:
    """The day the idea was last green-lit, from its status history."""
    row = source.query_one(
        "SELECT max(changed_at) AS at FROM idea_status_history WHERE idea_id = ? AND to_status = 'green_lit'",
        [idea_id],
    )
    return row["at"].date() if row and row["at"] is not None else None


def action_owner(db: Database, idea_id: int) -> int | None:
    """Who owns the green-lit idea's action now (the plan may have handed it on)."""
    row = db.query_one("SELECT action_id, action_owner_id FROM ideas WHERE id = ?", [idea_id])
    if row is None:
        return None
    if row["action_id"] is not None:
        action = plan.get_action(db, row["action_id"])
        if action is not None:
            return action.owner_id
    return row["action_owner_id"]


def benefit_reviews(db: Database, idea_id: int) -> list[dict[str, Any]]:
    return benefit_reviews_of(db, [idea_id]).get(idea_id, [])


def benefit_reviews_of(db: Database, idea_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The benefit reviews of these ideas by day, by idea, in one statement."""
    rows = db.query(
        "SELECT r.idea_id, r.review_day, r.realised_savings, r.note, r.recorded_at, e.full_name AS recorded_by"
        " FROM idea_benefit_reviews r JOIN employees e ON e.id = r.recorded_by WHERE list_contains(?, r.idea_id)"
        " ORDER BY r.review_day",
        [idea_ids],
    )
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row.pop("idea_id"), []).append(row)
    return grouped


def green_lit_ideas(db: Database, *, owner_id: int | None = None) -> list[dict[str, Any]]:
    """Green-lit ideas with projected figures beside the latest realised savings."""
    return db.query(
        "SELECT i.id, i.title, c.name AS cycle_name, i.status, i.action_id,"
        " coalesce(a.owner_id, i.action_owner_id) AS action_owner_id, o.full_name AS action_owner,"
        " coalesce(a.due_date, i.action_due_date) AS action_due_date, i.annual_savings AS projected_annual_savings,"
        f" {NET_ANNUAL_BENEFIT_SQL} AS projected_net_annual_benefit,"
        " (SELECT r.realised_savings FROM idea_benefit_reviews r WHERE r.idea_id = i.id"
        "  ORDER BY r.review_day DESC LIMIT 1) AS realised_savings,"
        " (SELECT max(r.review_day) FROM idea_benefit_reviews r WHERE r.idea_id = i.id) AS latest_review_day"
        " FROM ideas i JOIN idea_cycles c ON c.id = i.cycle_id LEFT JOIN actions a ON a.id = i.action_id"
        " LEFT JOIN employees o ON o.id = coalesce(a.owner_id, i.action_owner_id)"
        " WHERE list_contains(?, i.status) AND (? IS NULL OR coalesce(a.owner_id, i.action_owner_id) = ?)"
        " ORDER BY c.speakup_day DESC, i.id",
        [list(GREEN_LIT_STATUSES), owner_id, owner_id],
    )


def to_json(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)
