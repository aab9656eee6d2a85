"""Lists that can grow are read a page at a time, with their total counted in SQL, so a
list is never cut at a limit nobody sees; pickers over many options show the first matches
of a search and how many matched."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.db import Reader

PAGE_SIZE = 50  # rows of a list shown at once
PICKER_SIZE = 50  # options a searchable picker offers at once


def like_pattern(search: str) -> str | None:
    """The ILIKE pattern of a search box's text (``%`` and ``_`` typed are matched as
    themselves), or None when the box is empty."""
    text = (search or "").strip()
    if not text:
        return None
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matches_any(columns: list[str]) -> str:
    """A WHERE condition: any of ``columns`` contains the search (one ``like_pattern`` parameter
    per column). Column names are the caller's own text, never the user's."""
    return "(" + " OR ".join(f"{column} ILIKE ? ESCAPE '\\'" for column in columns) + ")"


def rows_with_total(
    db: Reader,
    sql: str,
    params: Sequence[Any] = (),
    *,
    order_by: str,
    limit: int | None,
    offset: int = 0,
    order_params: Sequence[Any] = (),
) -> tuple[list[dict[str, Any]], int]:
    """The rows of ``sql`` (a SELECT without ORDER BY or LIMIT, the caller's fixed text) in the
    order ``order_by`` over its output columns, ``limit`` of them from ``offset``, and how many
    it returns in all — in one statement.

    The total is a scalar count over the same rows, never ``count(*) OVER ()``: DuckDB 1.5.5's
    parallel window operator now and then fails an aggregate over an empty window frame
    ("Attempted to access index 0 within vector of size 0", duckdb issue 25713) and the failure
    invalidates the whole database until the process restarts."""
    rows = db.query(
        f"WITH matched AS ({sql}) SELECT *, (SELECT count(*) FROM matched) AS {_TOTAL}"  # noqa: S608 - fixed text
        f" FROM matched ORDER BY {order_by} LIMIT ? OFFSET ?",
        [*params, *order_params, limit, offset],
    )
    total = rows[0][_TOTAL] if rows else 0
    for row in rows:
        del row[_TOTAL]
    return rows, total


_TOTAL = "rows_in_all__"
