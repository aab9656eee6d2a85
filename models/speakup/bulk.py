"""Many ideas posted, supported, commented on and declined at once, each dated when it
happened, under the rules of ``ideas.save_draft``/``submit_idea``, ``board.support_idea``/
``add_comment`` and ``moderation.decline`` checked together: how the large organisation's
twenty thousand ideas are recorded in a few statements rather than hundreds of thousands.
Every change is audited as its actor's, on its own moment, and authors are told of supports
and comments as they would be."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import ConnectionReader, next_ids
from models.errors import InputError
from models.i18n import N_
from models.inbox import messages as inbox
from models.inputs import entered_text
from models.speakup.cycles import get_cycle
from models.speakup.ideas import _IDEA_FIELDS, COMMENT_MAX, MODERATABLE, _reason, validate_idea

if TYPE_CHECKING:
    from models.db import Database


@dataclass
class Post:
    """One idea written ``created_at`` and posted ``posted_at`` by ``author``, with the
    colleagues who supported it and the comments it drew (person, when; person, text, when)."""

    author: CurrentUser
    data: dict[str, Any]
    created_at: datetime
    posted_at: datetime
    supporters: list[tuple[CurrentUser, datetime]] = field(default_factory=list)
    comments: list[tuple[CurrentUser, str, datetime]] = field(default_factory=list)


def post_ideas_in_bulk(db: Database, cycle_id: int, posts: Sequence[Post]) -> list[int]:
    """Record every post in the open cycle ``cycle_id`` or, when one breaks a rule, none (the
    refusal names the post's position). Returns the new ideas' ids, in the order of ``posts``."""
    actors = {}
    for post in posts:
        actors[post.author.employee_id, Permission.IDEAS_SUBMIT] = post.author
        for person, _ in post.supporters:
            actors[person.employee_id, Permission.IDEAS_ENGAGE] = person
        for person, _, _ in post.comments:
            actors[person.employee_id, Permission.IDEAS_ENGAGE] = person
    for (_, permission), person in actors.items():
        require(person, permission)
    records = [_validated(number, post) for number, post in enumerate(posts, start=1)]
    bodies = [[entered_text(body) for _, body, _ in post.comments] for post in posts]
    _refuse_broken_posts(posts, records, bodies)
    if not posts:
        return []

    def store(connection: duckdb.DuckDBPyConnection) -> list[int]:
        cycle = get_cycle(ConnectionReader(connection), cycle_id)
        if cycle is None:
            raise InputError.single("Cycle", "no such Speak-Up cycle")
        late = [n for n, post in enumerate(posts, 1) if not cycle.accepts_submissions(post.posted_at.date())]
        if late:
            raise InputError.single("Cycle", f"idea {late[0]}: {cycle.name} does not accept submissions then")
        _refuse_inactive_co_authors(connection, records)
        ids = next_ids(connection, "ideas", len(posts))
        _insert_ideas(connection, cycle_id, posts, records, ids)
        _insert_parts(connection, cycle_id, posts, records, ids)
        _insert_engagement(connection, posts, records, bodies, ids)
        return ids

    return db.write(store)


def _validated(number: int, post: Post) -> Any:
    """The post's idea as ``save_draft`` validates it; a refusal names the post's position."""
    try:
        return validate_idea(post.data)
    except InputError as error:
        raise InputError([(field, f"idea {number}: {message}") for field, message in error.problems]) from None


def _refuse_broken_posts(posts: Sequence[Post], records: list[Any], bodies: list[list[str]]) -> None:
    problems: list[tuple[str, str]] = []
    for number, (post, record, texts) in enumerate(zip(posts, records, bodies, strict=True), start=1):
        authors = {post.author.employee_id, *record.co_author_ids}
        if post.author.employee_id in record.co_author_ids or len(set(record.co_author_ids)) != len(
            record.co_author_ids
        ):
            problems.append(("Co-authors", f"idea {number}: list other people, each once"))
        if len(record.problem) < 20 or len(record.proposed_change) < 20:
            problems.append(("Problem", f"idea {number}: describe the problem and the change in 20 characters"))
        if post.posted_at < post.created_at:
            problems.append(("Posted", f"idea {number}: posted before it was written"))
        supporters = [person.employee_id for person, _ in post.supporters]
        if set(supporters) & authors or len(set(supporters)) != len(supporters):
            problems.append(("Support", f"idea {number}: one support per person, never by its authors"))
        if any(at < post.posted_at for _, at in post.supporters) or any(
            at < post.posted_at for *_, at in post.comments
        ):
            problems.append(("Support", f"idea {number}: supported or commented on before it was posted"))
        if any(not text or len(text) > COMMENT_MAX for text in texts):
            problems.append(("Comment", f"idea {number}: write from 1 to {COMMENT_MAX} characters"))
        if len(problems) >= 5:
            break
    if problems:
        raise InputError(problems)


def _refuse_inactive_co_authors(connection: duckdb.DuckDBPyConnection, records: list[Any]) -> None:
    named = sorted({person for record in records for person in record.co_author_ids})
    if not named:
        return
    inactive = connection.execute(
        "SELECT unnest(?::INTEGER[]) AS id EXCEPT SELECT id FROM employees WHERE active", [named]
    ).fetchall()
    if inactive:
        raise InputError.single("Co-authors", f"employee {inactive[0][0]} is not an active employee")


def _insert_ideas(
    connection: duckdb.DuckDBPyConnection, cycle_id: int, posts: Sequence[Post], records: list[Any], ids: list[int]
) -> None:
    table = pa.Table.from_pylist(
        [
            {
                "id": idea_id,
                "author_id": post.author.employee_id,
                "team_id": post.author.team_id,
                **{name: getattr(record, name) for name in _IDEA_FIELDS},
                "created_at": post.created_at,
                "posted_at": post.posted_at,
            }
            for idea_id, post, record in zip(ids, posts, records, strict=True)
        ]
    )
    connection.register("incoming_ideas", table)
    try:
        connection.execute(
            f"INSERT INTO ideas (id, cycle_id, author_id, team_id, {', '.join(_IDEA_FIELDS)}, status, submitted_at,"
            f" created_at, updated_at) SELECT id, ?, author_id, team_id, {', '.join(_IDEA_FIELDS)}, 'submitted',"
            " posted_at, created_at, posted_at FROM incoming_ideas ORDER BY id",
            [cycle_id],
        )
    finally:
        connection.unregister("incoming_ideas")


def _insert_rows(connection: duckdb.DuckDBPyConnection, table: str, columns: dict[str, list[Any]]) -> None:
    """One INSERT of ``columns`` into ``table`` (names from this module, never from input)."""
    if not next(iter(columns.values())):
        return
    connection.register("incoming_rows", pa.table(columns))
    try:
        connection.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM incoming_rows")
    finally:
        connection.unregister("incoming_rows")


def _insert_parts(
    connection: duckdb.DuckDBPyConnection, cycle_id: int, posts: Sequence[Post], records: list[Any], ids: list[int]
) -> None:
    """Co-authors, plans, the status history (draft, then submitted) and each idea's audit entries."""
    pairs = [(idea_id, person) for idea_id, record in zip(ids, records, strict=True) for person in record.co_author_ids]
    _insert_rows(connection, "idea_coauthors", {"idea_id": [i for i, _ in pairs], "employee_id": [p for _, p in pairs]})
    steps = [
        (idea_id, position, milestone.title, milestone.due_date)
        for idea_id, record in zip(ids, records, strict=True)
        for position, milestone in enumerate(record.milestones, start=1)
    ]
    _insert_rows(
        connection,
        "idea_milestones",
        {name: [step[n] for step in steps] for n, name in enumerate(("idea_id", "position", "title", "due_date"))},
    )
    history = [
        row
        for idea_id, post in zip(ids, posts, strict=True)
        for row in (
            (idea_id, None, "draft", post.author.employee_id, post.created_at),
            (idea_id, "draft", "submitted", post.author.employee_id, post.posted_at),
        )
    ]
    _insert_rows(
        connection,
        "idea_status_history",
        {
            "idea_id": [row[0] for row in history],
            "cycle_id": [cycle_id] * len(history),
            "from_status": pa.array([row[1] for row in history], pa.string()),
            "to_status": [row[2] for row in history],
            "changed_by": [row[3] for row in history],
            "changed_at": [row[4] for row in history],
        },
    )
    audit.record_each(
        connection,
        [
            entry
            for idea_id, post, record in zip(ids, posts, records, strict=True)
            for entry in (
                (post.created_at, post.author, "idea", idea_id, "create", None, record.model_dump()),
                (
                    post.posted_at,
                    post.author,
                    "idea",
                    idea_id,
                    "submitted",
                    {"status": "draft"},
                    {"status": "submitted", "note": None, "submitted_at": post.posted_at},
                ),
            )
        ],
    )


def _insert_engagement(
    connection: duckdb.DuckDBPyConnection,
    posts: Sequence[Post],
    records: list[Any],
    bodies: list[list[str]],
    ids: list[int],
) -> None:
    """The supports and comments, audited as their people's, and the authors' messages about them."""
    supports = [
        (idea_id, person, at) for idea_id, post in zip(ids, posts, strict=True) for person, at in post.supporters
    ]
    _insert_rows(
        connection,
        "idea_supports",
        {
            "idea_id": [idea_id for idea_id, _, _ in supports],
            "employee_id": [person.employee_id for _, person, _ in supports],
            "supported_at": [at for _, _, at in supports],
        },
    )
    comments = [
        (idea_id, person, body, at)
        for idea_id, post, texts in zip(ids, posts, bodies, strict=True)
        for (person, _, at), body in zip(post.comments, texts, strict=True)
    ]
    comment_ids = next_ids(connection, "idea_comments", len(comments)) if comments else []
    _insert_rows(
        connection,
        "idea_comments",
        {
            "id": comment_ids,
            "idea_id": [idea_id for idea_id, *_ in comments],
            "author_id": [person.employee_id for _, person, _, _ in comments],
            "body": [body for _, _, body, _ in comments],
            "created_at": [at for *_, at in comments],
        },
    )
    audit.record_each(
        connection,
        [(at, person, "idea_support", idea_id, "support", None, {"employee_id": person.employee_id})
         for idea_id, person, at in supports]
        + [(at, person, "idea_comment", comment_id, "create", None, {"idea_id": idea_id, "body": body})
           for comment_id, (idea_id, person, body, at) in zip(comment_ids, comments, strict=True)],
    )  # fmt: skip
    authors = {
        idea_id: (post.data["title"], [post.author.employee_id, *record.co_author_ids])
        for idea_id, post, record in zip(ids, posts, records, strict=True)
    }
    _tell_authors(connection, authors, supports, comments)


def _tell_authors(
    connection: duckdb.DuckDBPyConnection,
    authors: dict[int, tuple[str, list[int]]],
    supports: list[tuple[int, CurrentUser, datetime]],
    comments: list[tuple[int, CurrentUser, str, datetime]],
) -> None:
    """Each author is told of each support and comment by someone else, dated when it happened."""
    support_notices = [
        inbox.Notice(author, inbox.text(N_("{name} supports your idea “{title}”"), name=person.full_name, title=title),
                     inbox.text(N_("{name} added their support to “{title}” on the idea board."),
                                name=person.full_name, title=title), "ideas", created_at=at)
        for idea_id, person, at in supports
        for title, people in [authors[idea_id]]
        for author in people
    ]  # fmt: skip
    comment_notices = [
        inbox.Notice(author, inbox.text(N_("{name} commented on your idea “{title}”"), name=person.full_name,
                                        title=title), body, "ideas", created_at=at)
        for idea_id, person, body, at in comments
        for title, people in [authors[idea_id]]
        for author in people
        if author != person.employee_id
    ]  # fmt: skip
    for kind, notices in (("idea_support", support_notices), ("idea_comment", comment_notices)):
        if notices:  # queued as email, if a server is configured, as of the last of them
            inbox.notify_each(connection, kind, notices, max(notice.created_at for notice in notices))


def decline_in_bulk(
    db: Database, actor: CurrentUser, idea_ids: Sequence[int], reason: str, moments: Sequence[datetime]
) -> None:
    """A moderator declines these posted ideas, each at its moment, with one reason (as
    ``moderation.decline`` does one): all of them, or none when one may not be declined."""
    require(actor, Permission.IDEAS_MODERATE)
    reason = _reason(reason, N_("Reason"))
    if len(idea_ids) != len(moments):
        raise ValueError("one moment per idea")
    if not idea_ids:
        return

    def do(connection: duckdb.DuckDBPyConnection) -> None:
        connection.register("declining", pa.table({"idea_id": list(idea_ids), "at": list(moments)}))
        try:
            refused = connection.execute(
                "SELECT d.idea_id, i.status, c.phase FROM declining d LEFT JOIN ideas i ON i.id = d.idea_id"
                " LEFT JOIN idea_cycles c ON c.id = i.cycle_id"
                " WHERE i.id IS NULL OR NOT list_contains(?, i.status) OR c.phase NOT IN ('open', 'review')"
                " ORDER BY d.idea_id LIMIT 1",
                [list(MODERATABLE)],
            ).fetchone()
            if refused is not None:
                raise InputError.single("Idea", f"idea {refused[0]} cannot be declined ({refused[1]}, {refused[2]})")
            before = connection.execute(
                "SELECT d.idea_id, i.status, i.cycle_id, d.at FROM declining d JOIN ideas i ON i.id = d.idea_id"
                " ORDER BY d.idea_id"
            ).fetchall()
            connection.execute(
                "UPDATE ideas SET status = 'declined', status_note = ?, updated_at = d.at FROM declining d"
                " WHERE ideas.id = d.idea_id",
                [reason],
            )
        finally:
            connection.unregister("declining")
        _insert_rows(
            connection,
            "idea_status_history",
            {
                "idea_id": [row[0] for row in before],
                "cycle_id": [row[2] for row in before],
                "from_status": [row[1] for row in before],
                "to_status": ["declined"] * len(before),
                "note": [reason] * len(before),
                "changed_by": [actor.employee_id] * len(before),
                "changed_at": [row[3] for row in before],
            },
        )
        audit.record_each(
            connection,
            [(at, actor, "idea", idea_id, "declined", {"status": status}, {"status": "declined", "note": reason})
             for idea_id, status, _, at in before],
        )  # fmt: skip

    db.write(do)
