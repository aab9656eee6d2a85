"""The idea board: similar ideas, search and sorting, supports and comments, and the
complaint categories or findings an idea may point to."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb
from rapidfuzz import fuzz, utils

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import insert_with_new_id, utc_now
from models.errors import InputError
from models.i18n import N_, _
from models.inbox import messages as inbox
from models.inputs import entered_text
from models.people.directory import people_matching
from models.speakup.ideas import (
    _IDEA_SQL,
    COMMENT_MAX,
    NET_ANNUAL_BENEFIT_SQL,
    OPEN_FOR_ENGAGEMENT,
    PRIVATE_STATUSES,
    STATUS_LABELS,
    Idea,
    _reason,
    shown_note,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from models.db import Database


# -- similar ideas -------------------------------------------------------------------
def similar_ideas(
    db: Database, text: str, *, exclude_id: int | None = None, limit: int = 5, min_score: float = 62
) -> list[dict[str, Any]]:
    """Posted ideas whose title or text resemble what is being typed (fuzzy, typo-tolerant)."""
    query = utils.default_process(text or "")
    if len(query) < 4:
        return []
    rows = db.query(
        "SELECT i.id, i.title, i.problem, i.status, c.name AS cycle_name FROM ideas i"
        " JOIN idea_cycles c ON c.id = i.cycle_id WHERE i.status NOT IN ('draft', 'withdrawn')"
        " AND i.id IS DISTINCT FROM ?",
        [exclude_id],
    )
    matches = []
    for row in rows:
        title = utils.default_process(row["title"])
        body = utils.default_process(f"{row['title']} {row['problem'][:400]}")
        score = max(
            fuzz.token_sort_ratio(query, title),
            fuzz.partial_ratio(query, title) * 0.95,
            fuzz.token_set_ratio(query, body) * 0.85,
        )
        if score >= min_score:
            matches.append({**row, "similarity": round(score), "status_label": STATUS_LABELS[row["status"]]})
    matches.sort(key=lambda match: (-match["similarity"], match["id"]))
    return matches[:limit]


# -- the board -----------------------------------------------------------------------
BOARD_SORTS = {
    N_("Newest"): "i.submitted_at DESC NULLS LAST, i.id DESC",
    N_("Most supported"): "supporters DESC, i.submitted_at DESC NULLS LAST",
    N_("Most discussed"): "comments DESC, i.submitted_at DESC NULLS LAST",
}


def _board_filter(
    search: str, statuses: list[str] | None, cycle_id: int | None, team_id: int | None
) -> tuple[str, list[Any]]:
    """The WHERE clause of the board's filters: posted ideas only (never drafts or withdrawn ones)."""
    clauses = ["i.status NOT IN ('draft', 'withdrawn')"]
    params: list[Any] = []
    if search.strip():
        clauses.append("(i.title ILIKE ? OR i.problem ILIKE ? OR i.proposed_change ILIKE ?)")
        params.extend([f"%{search.strip()}%"] * 3)
    if statuses:
        clauses.append("list_contains(?, i.status)")
        params.append(list(statuses))
    if cycle_id is not None:
        clauses.append("i.cycle_id = ?")
        params.append(cycle_id)
    if team_id is not None:
        clauses.append("i.team_id = ?")
        params.append(team_id)
    return " AND ".join(clauses), params


def board(
    db: Database,
    *,
    search: str = "",
    statuses: list[str] | None = None,
    cycle_id: int | None = None,
    team_id: int | None = None,
    sort: str = "Newest",
    limit: int = 200,
) -> list[Idea]:
    """Posted ideas (never drafts or withdrawn ones) with supporters and comments counted in DuckDB."""
    return board_page(db, search=search, statuses=statuses, cycle_id=cycle_id, team_id=team_id, sort=sort, limit=limit)[
        1
    ]


def board_page(
    db: Database,
    *,
    search: str = "",
    statuses: list[str] | None = None,
    cycle_id: int | None = None,
    team_id: int | None = None,
    sort: str = "Newest",
    offset: int = 0,
    limit: int = 20,
) -> tuple[int, list[Idea]]:
    """How many posted ideas match, and one page of them: two statements, however many match."""
    where, params = _board_filter(search, statuses, cycle_id, team_id)
    order = BOARD_SORTS.get(sort, BOARD_SORTS["Newest"])
    rows = db.query(
        f"SELECT * FROM ({_IDEA_SQL} WHERE {where}) i, (SELECT count(*) AS matching FROM ideas i WHERE {where})"
        f" ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, *params, limit, offset],
    )
    total = rows[0]["matching"] if rows else _matching(db, where, params)
    co_authors = _co_authors_of(db, [row["id"] for row in rows])
    ideas = []
    for row in rows:
        row.pop("updated_at", None)
        row.pop("matching", None)
        ideas.append(Idea(**row, co_authors=co_authors.get(row["id"], [])))
    return total, ideas


def _matching(db: Database, where: str, params: list[Any]) -> int:
    return int(db.scalar(f"SELECT count(*) FROM ideas i WHERE {where}", params))


def board_table(
    db: Database,
    *,
    search: str = "",
    statuses: list[str] | None = None,
    cycle_id: int | None = None,
    team_id: int | None = None,
    sort: str = "Newest",
) -> list[dict[str, Any]]:
    """Every matching posted idea as table rows (for the table and its download), in one statement."""
    where, params = _board_filter(search, statuses, cycle_id, team_id)
    order = BOARD_SORTS.get(sort, BOARD_SORTS["Newest"])
    return db.query(
        f"SELECT i.id AS idea, i.title, i.status, i.cycle_name, i.author_name, i.team_name, i.supporters,"
        f" i.comments, CAST({NET_ANNUAL_BENEFIT_SQL} AS DOUBLE) AS net_annual_benefit, i.submitted_at"
        f" FROM ({_IDEA_SQL} WHERE {where}) i ORDER BY {order}",
        params,
    )


def milestones_of(db: Database, idea_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The project plans of these ideas, in one statement."""
    rows = db.query(
        "SELECT idea_id, title, due_date FROM idea_milestones WHERE list_contains(?, idea_id)"
        " ORDER BY idea_id, position",
        [idea_ids],
    )
    plans: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        plans.setdefault(row.pop("idea_id"), []).append(row)
    return plans


def _co_authors_of(db: Database, idea_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The co-authors of these ideas, in one statement (run for none too: a page reads as much
    with or without ideas)."""
    rows = db.query(
        "SELECT c.idea_id, e.id AS employee_id, e.full_name FROM idea_coauthors c"
        " JOIN employees e ON e.id = c.employee_id WHERE list_contains(?, c.idea_id) ORDER BY e.full_name",
        [idea_ids],
    )
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row.pop("idea_id"), []).append(row)
    return grouped


def my_ideas(db: Database, user: CurrentUser) -> list[Idea]:
    """Ideas the person wrote or co-wrote, drafts included, newest first, with co-authors and
    plans (three statements, however many ideas)."""
    rows = db.query(
        f"{_IDEA_SQL} WHERE i.author_id = ? OR i.id IN (SELECT idea_id FROM idea_coauthors WHERE employee_id = ?)"
        " ORDER BY i.created_at DESC, i.id DESC",
        [user.employee_id, user.employee_id],
    )
    ids = [row["id"] for row in rows]
    co_authors, plans = _co_authors_of(db, ids), milestones_of(db, ids)
    ideas = []
    for row in rows:
        row.pop("updated_at", None)
        ideas.append(Idea(**row, co_authors=co_authors.get(row["id"], []), milestones=plans.get(row["id"], [])))
    return ideas


def status_history(db: Database, idea_id: int) -> list[dict[str, Any]]:
    """Each status change with its note (the feedback authors receive), in the current language."""
    rows = db.query(
        "SELECT h.changed_at, h.from_status, h.to_status, h.note, h.note_msgid, h.note_values_json,"
        " e.full_name AS changed_by"
        " FROM idea_status_history h LEFT JOIN employees e ON e.id = h.changed_by"
        " WHERE h.idea_id = ? ORDER BY h.changed_at, h.id",
        [idea_id],
    )
    for row in rows:
        row["status"] = STATUS_LABELS[row["to_status"]]
        row["note"] = shown_note(row)
        del row["note_msgid"], row["note_values_json"]
    return rows


def status_histories(db: Database, idea_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """``status_history`` of several ideas in one statement, by idea."""
    rows = db.query(
        "SELECT h.idea_id, h.changed_at, h.from_status, h.to_status, h.note, h.note_msgid, h.note_values_json,"
        " e.full_name AS changed_by"
        " FROM idea_status_history h LEFT JOIN employees e ON e.id = h.changed_by"
        " WHERE list_contains(?, h.idea_id) ORDER BY h.changed_at, h.id",
        [idea_ids],
    )
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        row["status"] = STATUS_LABELS[row["to_status"]]
        row["note"] = shown_note(row)
        del row["note_msgid"], row["note_values_json"]
        grouped.setdefault(row.pop("idea_id"), []).append(row)
    return grouped


def team_choices(db: Database) -> list[dict[str, Any]]:
    return db.query("SELECT id, name FROM teams WHERE active ORDER BY name")


def colleague_choices(db: Database, exclude_id: int) -> list[dict[str, Any]]:
    """Active people who can be named co-authors."""
    return db.query(
        "SELECT e.id, e.full_name, t.name AS team_name FROM employees e LEFT JOIN teams t ON t.id = e.team_id"
        " WHERE e.active AND e.id <> ? ORDER BY e.full_name",
        [exclude_id],
    )


def find_colleagues(
    db: Database, exclude_id: int, search: str = "", *, keep: Sequence[int | None] = ()
) -> tuple[list[dict[str, Any]], int]:
    """``colleague_choices`` searched, for the co-author picker: the first active people but
    ``exclude_id`` matching ``search`` (name, email or employee number), those of ``keep``
    (already named) first, and how many match."""
    return people_matching(db, search, among="e.active AND e.id <> ?", params=[exclude_id], keep=keep)


def colleague_search(db: Database, words: str = "", *, limit: int = 20) -> tuple[int, list[dict[str, Any]]]:
    """Active people whose name contains ``words``: how many, and the first ``limit`` by name —
    a picker over thousands of people offers a searched few."""
    where, params = "e.active", []
    if words.strip():
        where += " AND contains(lower(e.full_name), lower(?))"
        params.append(words.strip())
    total = int(db.scalar(f"SELECT count(*) FROM employees e WHERE {where}", params))
    rows = db.query(
        "SELECT e.id, e.full_name, t.name AS team_name FROM employees e LEFT JOIN teams t ON t.id = e.team_id"
        f" WHERE {where} ORDER BY e.full_name, e.id LIMIT ?",
        [*params, limit],
    )
    return total, rows


# -- supports and comments -----------------------------------------------------------
def _engagement_target(connection: duckdb.DuckDBPyConnection, idea_id: int, employee_id: int) -> dict[str, Any]:
    """What a support or a comment checks about an idea — its status, its authors, whether this
    person supports it already, and its title for the authors' message. Single-table lookups in
    one statement: these are the board's busiest writes, and DuckDB answers this far faster than
    joins or subqueries."""
    rows = connection.execute(
        "SELECT 'author' AS part, author_id AS employee_id, status FROM ideas WHERE id = $idea"
        " UNION ALL SELECT 'title', NULL, title FROM ideas WHERE id = $idea"
        " UNION ALL SELECT 'co_author', employee_id, NULL FROM idea_coauthors WHERE idea_id = $idea"
        " UNION ALL SELECT 'supporter', employee_id, NULL FROM idea_supports"
        "  WHERE idea_id = $idea AND employee_id = $person",
        {"idea": idea_id, "person": employee_id},
    ).fetchall()
    status = next((status for part, _, status in rows if part == "author"), None)
    if status is None:
        raise InputError.single(_("Idea"), _("no such idea"))
    return {
        "status": status,
        "status_label": STATUS_LABELS[status],
        "authors": {person for part, person, _ in rows if part in ("author", "co_author")},
        "supported": any(part == "supporter" for part, _, _ in rows),
        "title": next((text for part, _, text in rows if part == "title"), ""),
    }


def support_idea(db: Database, actor: CurrentUser, idea_id: int, *, at: datetime | None = None) -> None:
    """One support per person, never on one's own idea (given ``at``, default now)."""
    require(actor, Permission.IDEAS_ENGAGE)

    def support(connection: duckdb.DuckDBPyConnection):
        idea = _engagement_target(connection, idea_id, actor.employee_id)
        if actor.employee_id in idea["authors"]:
            raise InputError.single(_("Support"), _("you cannot support your own idea"))
        if idea["status"] not in OPEN_FOR_ENGAGEMENT:
            raise InputError.single(
                _("Support"), _("an idea that is {status} cannot be supported", status=_status_word(idea["status"]))
            )
        if idea["supported"]:
            raise InputError.single(_("Support"), _("you support this idea already"))
        connection.execute("INSERT INTO idea_supports VALUES (?, ?, ?)", [idea_id, actor.employee_id, at or utc_now()])
        audit.record(
            connection, actor, "idea_support", idea_id, "support", after={"employee_id": actor.employee_id}, at=at
        )
        title = idea["title"]
        inbox.notify(
            connection,
            sorted(idea["authors"]),
            "idea_support",
            inbox.text(N_("{name} supports your idea “{title}”"), name=actor.full_name, title=title),
            inbox.text(
                N_("{name} added their support to “{title}” on the idea board."), name=actor.full_name, title=title
            ),
            "ideas",
            at,
            actor=actor,
        )

    db.write(support)


def withdraw_support(db: Database, actor: CurrentUser, idea_id: int) -> None:
    require(actor, Permission.IDEAS_ENGAGE)

    def withdraw(connection: duckdb.DuckDBPyConnection):
        supported = connection.execute(
            "SELECT 1 FROM idea_supports WHERE idea_id = ? AND employee_id = ?", [idea_id, actor.employee_id]
        ).fetchone()
        if supported is None:
            raise InputError.single(_("Support"), _("you do not support this idea"))
        connection.execute(
            "DELETE FROM idea_supports WHERE idea_id = ? AND employee_id = ?", [idea_id, actor.employee_id]
        )
        audit.record(connection, actor, "idea_support", idea_id, "unsupport", {"employee_id": actor.employee_id})

    db.write(withdraw)


def supports(db: Database, user: CurrentUser, idea_ids: list[int]) -> set[int]:
    """Which of these ideas the person supports."""
    if not idea_ids:
        return set()
    rows = db.query(
        "SELECT idea_id FROM idea_supports WHERE employee_id = ? AND list_contains(?, idea_id)",
        [user.employee_id, idea_ids],
    )
    return {row["idea_id"] for row in rows}


def add_comment(db: Database, actor: CurrentUser, idea_id: int, body: str, *, at: datetime | None = None) -> int:
    """A comment on a posted idea, written ``at`` (default now)."""
    require(actor, Permission.IDEAS_ENGAGE)
    body = entered_text(body)
    if not body:
        raise InputError.single(_("Comment"), _("write something first"))
    if len(body) > COMMENT_MAX:
        raise InputError.single(
            _("Comment"), _("use at most {limit} characters (you wrote {count})", limit=COMMENT_MAX, count=len(body))
        )

    def comment(connection: duckdb.DuckDBPyConnection):
        idea = _engagement_target(connection, idea_id, actor.employee_id)
        if idea["status"] in PRIVATE_STATUSES or idea["status"] == "merged":
            raise InputError.single(
                _("Comment"), _("an idea that is {status} takes no comments", status=_status_word(idea["status"]))
            )
        comment_id = insert_with_new_id(
            connection,
            "idea_comments",
            "INSERT INTO idea_comments (id, idea_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?)",
            [idea_id, actor.employee_id, body, at or utc_now()],
        )
        audit.record(
            connection, actor, "idea_comment", comment_id, "create", after={"idea_id": idea_id, "body": body}, at=at
        )
        title = idea["title"]
        inbox.notify(
            connection,
            sorted(idea["authors"]),
            "idea_comment",
            inbox.text(N_("{name} commented on your idea “{title}”"), name=actor.full_name, title=title),
            body,
            "ideas",
            at,
            actor=actor,
        )
        return comment_id

    return db.write(comment)


def comments_for(db: Database, idea_id: int, *, include_hidden: bool = False) -> list[dict[str, Any]]:
    return comments_of(db, [idea_id], include_hidden=include_hidden).get(idea_id, [])


def comments_of(db: Database, idea_ids: list[int], *, include_hidden: bool = False) -> dict[int, list[dict[str, Any]]]:
    """The comments on these ideas, oldest first, by idea: one statement for a page of ideas."""
    rows = db.query(
        "SELECT m.idea_id, m.id, m.body, m.created_at, m.hidden, m.hidden_reason, e.full_name AS author_name"
        " FROM idea_comments m JOIN employees e ON e.id = m.author_id"
        " WHERE list_contains(?, m.idea_id) AND (? OR NOT m.hidden) ORDER BY m.created_at, m.id",
        [idea_ids, include_hidden],
    )
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row.pop("idea_id"), []).append(row)
    return grouped


def hide_comment(db: Database, actor: CurrentUser, comment_id: int, reason: str) -> None:
    """A moderator hides a comment that breaks the forum's rules; it stays in the record."""
    require(actor, Permission.IDEAS_MODERATE)
    reason = _reason(reason, N_("Reason"))

    def hide(connection: duckdb.DuckDBPyConnection):
        before = audit.row_as_dict(connection, "idea_comments", "id", comment_id)
        if before is None:
            raise InputError.single(_("Comment"), _("no such comment"))
        connection.execute(
            "UPDATE idea_comments SET hidden = TRUE, hidden_by = ?, hidden_reason = ? WHERE id = ?",
            [actor.employee_id, reason, comment_id],
        )
        audit.record(connection, actor, "idea_comment", comment_id, "hide", before, {"hidden_reason": reason})

    db.write(hide)


# -- complaint link (optional: only when the complaints area is installed) -----------------
def complaint_categories(db: Database) -> list[dict[str, Any]]:
    """Complaint categories with their complaint counts, most complained about first."""
    return db.query(
        "SELECT category, count(*) AS complaints FROM complaints WHERE category IS NOT NULL"
        " GROUP BY category ORDER BY complaints DESC"
    )


def findings(db: Database) -> list[dict[str, Any]]:
    """Findings to link an idea to, newest first."""
    return db.query("SELECT id, title FROM findings ORDER BY id DESC")


def complaint_link_counts(db: Database, idea: Idea) -> dict[str, Any]:
    """What the idea's linked complaint category or finding stands for, in numbers."""
    return complaint_link_counts_of(db, [idea]).get(idea.id, {})


def complaint_link_counts_of(db: Database, ideas: list[Idea]) -> dict[int, dict[str, Any]]:
    """``complaint_link_counts`` for a page of ideas: the complaints of their categories counted
    once, and their findings' titles, in one statement (whatever the ideas link to)."""
    categories = sorted({idea.complaint_category for idea in ideas if idea.complaint_category})
    finding_ids = sorted({idea.finding_id for idea in ideas if idea.finding_id is not None})
    found = (
        db.query_one(
            "SELECT (SELECT list({'category': category, 'complaints': complaints}) FROM (SELECT category,"
            "   count(*) AS complaints FROM complaints WHERE list_contains(?::VARCHAR[], category) GROUP BY category)"
            " ) AS categories,"
            " (SELECT list({'id': id, 'title': title}) FROM findings WHERE list_contains(?::BIGINT[], id)) AS findings",
            [categories, finding_ids],
        )
        or {}
    )
    in_category = {row["category"]: row["complaints"] for row in found.get("categories") or []}
    titles = {row["id"]: row["title"] for row in found.get("findings") or []}
    counts: dict[int, dict[str, Any]] = {}
    for idea in ideas:
        figures: dict[str, Any] = {}
        if idea.complaint_category:
            figures["complaints_in_category"] = in_category.get(idea.complaint_category, 0)
        if idea.finding_id is not None:
            figures["finding_title"] = titles.get(idea.finding_id)
        if figures:
            counts[idea.id] = figures
    return counts


def _status_word(status: str) -> str:
    """An idea's status as a word inside a sentence ("an idea that is merged …")."""
    return _(STATUS_LABELS[status]).lower()
