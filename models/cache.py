"""Cached aggregates with exact freshness: the one cache of the portal.

An aggregate many page views share is computed once per state of the tables it reads::

    @cached_aggregate(tables=("complaints",))
    def _filter_options(db: Database) -> dict[str, Any]: ...

A result is remembered under the function, its arguments and the versions of ``tables``
(``models.db``: every write moves the versions of the tables it changes in the same
transaction), and only when the versions did not move while it was computed, so a figure
is never served after a write to what it read. Permission checks stay outside, in the public
function that calls the cached one, so they run on every call.

Rules for a cached function:

- its first argument is the database; called with anything else (a ``ConnectionReader``
  inside a write) or inside a write transaction, it is computed afresh and not remembered;
- ``tables`` names every table its statements read (``tests/test_cache.py`` checks it);
- the result depends only on the arguments and those tables — no ``date.today()``, no setting
  read inside: pass them as arguments;
- a result that depends on who asks takes the user, or better what of the user decides the
  result (``key_by={"user": scope_of}``), so one person's scoped figure never reaches another;
- callers get a copy of what is remembered (a DataFrame copied, anything else deep-copied):
  changing it changes nothing for the next caller.

The cache is per process, thread-safe and bounded (least recently used entries go first). A
result is computed inside ``Database.reading_for_analysis(tables)``: on PostgreSQL its reads of
the large tables go to the server's up-to-date copy of them (``models.postgres_mirror``).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import inspect
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from enum import Enum
from typing import Any, ParamSpec, TypeVar

import duckdb
import pandas as pd
from pydantic import BaseModel

from models.db import VERSIONS_TABLE, Database, counting

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_MAX_ENTRIES = 128

# Tests turn this on: every computation then checks that its statements read only the tables
# the function declares, so a table left out (a figure that would go stale) fails a test.
verify_reads = False


class UndeclaredReadError(AssertionError):
    """A cached aggregate read a table it does not declare: its figure could go stale."""


_PARAMETER_TEXT_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/|\?|\$\w+", re.DOTALL)


def _parsable(match: re.Match[str]) -> str:
    found = match.group(0)
    if found.startswith("'"):
        return found
    return " " if found.startswith(("--", "/*")) else "(NULL)"


def tables_read(sql: str) -> set[str]:
    """The tables a statement names, lower case (its parameters are replaced for parsing)."""
    parsable = _PARAMETER_TEXT_OR_COMMENT.sub(_parsable, sql)
    return {name.lower() for name in duckdb.get_table_names(parsable, qualified=False)}


def _computed_checking_reads(name: str, tables: tuple[str, ...], compute: Callable[[], R]) -> R:
    with counting() as counter:
        value = compute()
    allowed = {table.lower() for table in tables} | {VERSIONS_TABLE}
    for sql in counter.queries:
        undeclared = tables_read(sql) - allowed
        if undeclared:
            raise UndeclaredReadError(f"{name} reads {', '.join(sorted(undeclared))} but declares only {tables}")
    return value


class _Remembered:
    """The bounded, thread-safe store of one cached function."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> tuple[bool, Any]:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return True, self._entries[key]
            self.misses += 1
            return False, None

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


_every_cache: list[Any] = []


def frozen(value: Any) -> Hashable:
    """A hashable stand-in for an argument: equal arguments give equal stand-ins."""
    if isinstance(value, BaseModel):
        return (type(value).__qualname__, value.model_dump_json())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__, frozen(dataclasses.asdict(value)))
    if isinstance(value, Enum):
        return (type(value).__qualname__, value.value)
    if isinstance(value, Mapping):
        return ("mapping", tuple(sorted((frozen(k), frozen(v)) for k, v in value.items())))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(map(repr, value))))
    if isinstance(value, (list, tuple)):
        return ("sequence", tuple(frozen(item) for item in value))
    hash(value)  # anything else must be hashable as it is
    return value


def handed_out(value: R) -> R:
    """What a caller gets of a remembered result: a copy it may change."""
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=True)  # type: ignore[return-value]
    return copy.deepcopy(value)


def cached_aggregate(
    *,
    tables: tuple[str, ...],
    key_by: Mapping[str, Callable[[Any], Any]] | None = None,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    reads_copy: bool = True,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Remember a function's results per arguments and versions of ``tables`` (see the module).

    ``key_by`` maps an argument's name to what of it the result depends on (the user to their
    scope). The decorated function keeps its signature and gains ``uncached`` (the function
    itself), ``tables``, ``cache`` (hits, misses, ``clear()``). With ``reads_copy=False`` the
    function reads the store itself, not a server's analysis copy (which leaves out columns no
    analysis needs, such as the complaints' narratives)."""
    if not tables:
        raise ValueError("a cached aggregate names the tables it reads")
    converters = dict(key_by or {})

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(function)
        unknown = set(converters) - set(signature.parameters)
        if unknown:
            raise ValueError(f"{function.__qualname__} has no argument {', '.join(sorted(unknown))}")
        remembered = _Remembered(max_entries)
        name = f"{function.__module__}.{function.__qualname__}"

        def key_of(args: tuple, kwargs: dict) -> Hashable:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            items = list(bound.arguments.items())[1:]  # the database is keyed by its token
            return tuple(
                (argument, frozen(converters[argument](value) if argument in converters else value))
                for argument, value in items
            )

        @functools.wraps(function)
        def cached(*args: P.args, **kwargs: P.kwargs) -> R:
            db = args[0] if args else None
            if not isinstance(db, Database) or db.in_write():
                return function(*args, **kwargs)
            versions = db.data_versions(tables)
            if versions is None:
                return function(*args, **kwargs)
            key = (name, db.cache_token, versions, key_of(args, kwargs))
            found, value = remembered.get(key)
            if found:
                return handed_out(value)
            with db.reading_for_analysis(tables) if reads_copy else contextlib.nullcontext():
                if verify_reads:
                    value = _computed_checking_reads(name, tables, lambda: function(*args, **kwargs))
                else:
                    value = function(*args, **kwargs)
            if db.data_versions(tables) == versions:
                remembered.put(key, value)
            return handed_out(value)

        cached.uncached = function  # type: ignore[attr-defined]
        cached.tables = tables  # type: ignore[attr-defined]
        cached.cache = remembered  # type: ignore[attr-defined]
        _every_cache.append(cached)
        return cached

    return decorate


def cached_functions() -> list[Any]:
    """Every cached aggregate defined so far (tests check what each declares)."""
    return list(_every_cache)


def clear_caches() -> None:
    """Forget every remembered result (tests; a database replaced under the same token never is)."""
    for cached in _every_cache:
        cached.cache.clear()
