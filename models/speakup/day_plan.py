"""Speak-Up Day's plan, set by leadership (SPEC §5): the presenters' running order and the
judges present on the day.

The rules: the running order lists every shortlisted idea of the cycle once, at positions
1 to n, each presented by one of its authors or co-authors. The judges present are people
who may judge (leadership); a judge present who has a conflict of interest with a
shortlisted idea (an author, a co-author or an author's manager, as ``models.speakup.judging``
says) is flagged beside that idea. Both may change until the cycle is closed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import Field

from models import audit
from models.access import ROLE_PERMISSIONS, CurrentUser, Permission, require
from models.db import ConnectionReader, Reader, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _
from models.inputs import InputRecord
from models.recognition import badges
from models.speakup.cycles import Cycle, get_cycle
from models.speakup.judging import conflict_kind
from models.speakup.preparation import ON_SHORTLIST

if TYPE_CHECKING:
    from models.db import Database

PLANNING_PHASES = ("open", "review", "scoring")
# why a judge present may not score an idea, said of the judge (translated where shown)
JUDGE_IS_AUTHOR = N_("is an author of this idea")
JUDGE_MANAGES_AUTHOR = N_("manages an author of this idea")
JUDGE_ROLES = sorted(role.value for role, granted in ROLE_PERMISSIONS.items() if Permission.IDEAS_JUDGE in granted)


class RunningOrderEntry(InputRecord):
    position: int = Field(title=N_("Position"), ge=1)
    idea_id: int = Field(title=N_("Idea"))
    presenter_id: int = Field(title=N_("Presenter"))


def _plannable(connection: duckdb.DuckDBPyConnection, cycle_id: int) -> Cycle:
    cycle = get_cycle(ConnectionReader(connection), cycle_id)
    if cycle is None:
        raise InputError.single(_("Cycle"), _("no such cycle"))
    if cycle.phase not in PLANNING_PHASES:
        raise InputError.single(
            _("Cycle"),
            _(
                "{cycle} is {phase}; its day can no longer be planned",
                cycle=cycle.name,
                phase=cycle.phase_label.lower(),
            ),
        )
    return cycle


def shortlisted_ideas(source: Reader, cycle_id: int) -> dict[int, dict[str, Any]]:
    """The cycle's shortlisted ideas, each with its title and its authors (id → name)."""
    rows = source.query(
        "SELECT i.id, i.title, e.id AS employee_id, e.full_name FROM ideas i"
        " JOIN (SELECT id AS idea_id, author_id AS employee_id FROM ideas"
        "  UNION ALL SELECT idea_id, employee_id FROM idea_coauthors) a ON a.idea_id = i.id"
        " JOIN employees e ON e.id = a.employee_id"
        " WHERE i.cycle_id = ? AND list_contains(?, i.status) ORDER BY i.id, e.full_name",
        [cycle_id, list(ON_SHORTLIST)],
    )
    ideas: dict[int, dict[str, Any]] = {}
    for row in rows:
        idea = ideas.setdefault(row["id"], {"title": row["title"], "authors": {}})
        idea["authors"][row["employee_id"]] = row["full_name"]
    return ideas


# -- the running order ---------------------------------------------------------------
def _entries(entries: list[dict[str, Any]]) -> list[RunningOrderEntry]:
    parsed, problems = [], []
    for number, entry in enumerate(entries, start=1):
        try:
            parsed.append(validate(RunningOrderEntry, entry))
        except InputError as error:
            problems.extend(
                (_("Row {number} — {field}", number=number, field=field), message) for field, message in error.problems
            )
    if problems:
        raise InputError(problems)
    return parsed


def _order_problems(
    cycle: Cycle, entries: list[RunningOrderEntry], shortlist: dict[int, dict[str, Any]]
) -> list[tuple[str, str]]:
    problems = []
    if sorted(entry.position for entry in entries) != list(range(1, len(entries) + 1)):
        problems.append(
            (_("Position"), _("number the presentations 1 to {count}, each position once", count=len(entries)))
        )
    listed = [entry.idea_id for entry in entries]
    for idea_id in sorted({i for i in listed if listed.count(i) > 1}):
        problems.append(
            (_("Idea"), _("#{number} is listed more than once; each idea is presented once", number=idea_id))
        )
    for idea_id in sorted(set(listed) - set(shortlist)):
        problems.append((_("Idea"), _("#{number} is not on {cycle}'s shortlist", number=idea_id, cycle=cycle.name)))
    missing = sorted(set(shortlist) - set(listed))
    if missing:
        problems.append(
            (_("Running order"), _("every shortlisted idea is presented; missing {ideas}", ideas=_ideas(missing)))
        )
    for entry in entries:
        idea = shortlist.get(entry.idea_id)
        if idea is not None and entry.presenter_id not in idea["authors"]:
            problems.append(
                (
                    _("Presenter of #{number}", number=entry.idea_id),
                    _("choose one of the idea's authors or co-authors"),
                )
            )
    return problems


def _ideas(idea_ids: list[int]) -> str:
    return ", ".join(f"#{idea_id}" for idea_id in idea_ids)


def set_running_order(
    db: Database, actor: CurrentUser, cycle_id: int, entries: list[dict[str, Any]], *, at: datetime | None = None
) -> None:
    """Leadership sets who presents which idea in what order (replacing the order saved before)."""
    require(actor, Permission.SPEAKUP_MANAGE)
    parsed = _entries(entries)
    now = at or utc_now()

    def save(connection: duckdb.DuckDBPyConnection) -> None:
        cycle = _plannable(connection, cycle_id)
        problems = _order_problems(cycle, parsed, shortlisted_ideas(ConnectionReader(connection), cycle_id))
        if problems:
            raise InputError(problems)
        before = _stored_order(ConnectionReader(connection), cycle_id)
        connection.execute("DELETE FROM speakup_running_order WHERE cycle_id = ?", [cycle_id])
        ordered = sorted(parsed, key=lambda entry: entry.position)
        connection.executemany(
            "INSERT INTO speakup_running_order (cycle_id, position, idea_id, presenter_id, set_by, set_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(cycle_id, e.position, e.idea_id, e.presenter_id, actor.employee_id, now) for e in ordered],
        )
        after = [e.model_dump() for e in ordered]
        audit.record(
            connection, actor, "speakup_running_order", cycle_id, "set", {"order": before}, {"order": after}, at=now
        )
        presenters = {row["presenter_id"] for row in before} | {e.presenter_id for e in ordered}
        badges.refresh_badges(
            connection, actor, at=now, kinds=[badges.SPEAKUP_PRESENTER], employee_ids=sorted(presenters)
        )

    db.write(save)


def _stored_order(source: Reader, cycle_id: int) -> list[dict[str, Any]]:
    return source.query(
        "SELECT position, idea_id, presenter_id FROM speakup_running_order WHERE cycle_id = ? ORDER BY position",
        [cycle_id],
    )


def drop_from_running_order(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    cycle_id: int,
    idea_id: int,
    *,
    at: datetime | None = None,
) -> None:
    """Inside an open write, when an idea leaves the shortlist: it leaves the running order and
    the ideas after it move up one place. Audited when the order changed."""
    before = _stored_order(ConnectionReader(connection), cycle_id)
    if not any(row["idea_id"] == idea_id for row in before):
        return
    connection.execute("DELETE FROM speakup_running_order WHERE cycle_id = ? AND idea_id = ?", [cycle_id, idea_id])
    connection.execute(
        "UPDATE speakup_running_order SET position = new_position FROM (SELECT idea_id AS moved,"
        " row_number() OVER (ORDER BY position) AS new_position FROM speakup_running_order WHERE cycle_id = ?)"
        " WHERE cycle_id = ? AND idea_id = moved",
        [cycle_id, cycle_id],
    )
    after = _stored_order(ConnectionReader(connection), cycle_id)
    audit.record(
        connection, actor, "speakup_running_order", cycle_id, "drop", {"order": before}, {"order": after}, at=at
    )
    presenters = sorted({row["presenter_id"] for row in before})
    badges.refresh_badges(connection, actor, at=at, kinds=[badges.SPEAKUP_PRESENTER], employee_ids=presenters)


def running_order(db: Database, cycle_id: int) -> list[dict[str, Any]]:
    """The saved running order with each idea's title and presenter."""
    return db.query(
        "SELECT o.position, o.idea_id, i.title AS idea_title, o.presenter_id, e.full_name AS presenter_name"
        " FROM speakup_running_order o JOIN ideas i ON i.id = o.idea_id JOIN employees e ON e.id = o.presenter_id"
        " WHERE o.cycle_id = ? ORDER BY o.position",
        [cycle_id],
    )


# -- the judges present --------------------------------------------------------------
def judge_choices(db: Database) -> list[dict[str, Any]]:
    """Active people who may judge, by name."""
    return db.query(
        "SELECT id, full_name FROM employees WHERE active AND id IN"
        " (SELECT employee_id FROM employee_roles WHERE list_contains(?, role)) ORDER BY full_name",
        [JUDGE_ROLES],
    )


def set_judges_present(
    db: Database, actor: CurrentUser, cycle_id: int, judge_ids: list[int], *, at: datetime | None = None
) -> None:
    """Leadership records the judges present on the day (replacing the list saved before)."""
    require(actor, Permission.SPEAKUP_MANAGE)
    chosen = sorted(set(judge_ids))
    now = at or utc_now()

    def save(connection: duckdb.DuckDBPyConnection) -> None:
        _plannable(connection, cycle_id)
        reader = ConnectionReader(connection)
        allowed = {
            row["id"]
            for row in reader.query(
                "SELECT id FROM employees WHERE active AND list_contains(?, id) AND id IN"
                " (SELECT employee_id FROM employee_roles WHERE list_contains(?, role))",
                [chosen, JUDGE_ROLES],
            )
        }
        refused = [judge for judge in chosen if judge not in allowed]
        if refused:
            names = ", ".join(_name(reader, judge) for judge in refused)
            raise InputError.single(
                _("Judges present"), _("{names} may not judge (only leadership judges)", names=names)
            )
        before = [row["judge_id"] for row in _stored_judges(reader, cycle_id)]
        connection.execute("DELETE FROM speakup_judges_present WHERE cycle_id = ?", [cycle_id])
        connection.executemany(
            "INSERT INTO speakup_judges_present (cycle_id, judge_id, set_by, set_at) VALUES (?, ?, ?, ?)",
            [(cycle_id, judge, actor.employee_id, now) for judge in chosen],
        )
        audit.record(
            connection, actor, "speakup_judges_present", cycle_id, "set", {"judges": before}, {"judges": chosen}, at=now
        )

    db.write(save)


def _name(source: Reader, employee_id: int) -> str:
    return source.scalar("SELECT full_name FROM employees WHERE id = ?", [employee_id]) or f"Employee {employee_id}"


def _stored_judges(source: Reader, cycle_id: int) -> list[dict[str, Any]]:
    return source.query(
        "SELECT p.judge_id, e.full_name FROM speakup_judges_present p JOIN employees e ON e.id = p.judge_id"
        " WHERE p.cycle_id = ? ORDER BY e.full_name",
        [cycle_id],
    )


def judges_present(db: Database, cycle_id: int) -> list[dict[str, Any]]:
    """The judges present, each with the shortlisted ideas they may not score and why."""
    shortlist = shortlisted_ideas(db, cycle_id)
    judges = _stored_judges(db, cycle_id)
    for judge in judges:
        judge["conflicts"] = []
        for idea_id, idea in shortlist.items():
            kind = conflict_kind(db, judge["judge_id"], idea_id)
            if kind:
                reason = JUDGE_IS_AUTHOR if kind == "author" else JUDGE_MANAGES_AUTHOR
                why = _(reason)
                judge["conflicts"].append({"idea_id": idea_id, "idea_title": idea["title"], "reason": why})
    return judges


def judges_free_per_idea(db: Database, cycle_id: int) -> dict[int, int]:
    """For each shortlisted idea, how many judges present may score it."""
    judges = judges_present(db, cycle_id)
    shortlist = shortlisted_ideas(db, cycle_id)
    return {
        idea_id: sum(1 for judge in judges if all(c["idea_id"] != idea_id for c in judge["conflicts"]))
        for idea_id in shortlist
    }
