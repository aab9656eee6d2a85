"""Every page of the portal, warm, for a role that opens it, on the demo organisation (scale 1)
and on the large organisation: the median server time of a page run through Streamlit's AppTest,
signed in, and the SQL statements one run issues.

A run is what a person's click costs the server: portal.py (settings, sign-in, navigation) and the
page. Each page gets one AppTest session: it is opened once (the warm-up run), then rerun ``--runs``
times; the median time and the most statements of those runs are shown. The home is measured for
every demo login (it differs by role); every other page for the first role of ``ROLE_ORDER`` that
opens it, the role that sees the most. ``DETAILS`` adds the views a page shows only after a choice.

Targets (issue 15, SPEC §10) — a mark in the last column when one fails:
  ``> 300 ms``   the page is slower than 300 ms warm on the large organisation;
  ``> 3x``       it is more than three times slower there than on the demo organisation;
  ``stmts grow`` it issues more statements on the large organisation (a query per row).

``python -m bench.bench_pages [--pages substring] [--runs N] [--large-only] [--large-db FILE]
[--json out.json]``. The large organisation is ``--large-db`` (copied, never changed), else
``bench.large_org.large_database()`` (the demo generator at ``models.seeding.LARGE_SCALE``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

from bench.large_org import large_database as built_large_database
from models import db as storage
from models import demo
from models.access import CurrentUser, Role
from models.auth import load_user
from models.engagement import sealing
from models.seeding import DEMO_LOGINS
from ui.registry import PAGES, PageSpec

RUN_ALONE = True  # half an hour or more: not part of ``python -m bench``
RUNS = 5
RUN_TIMEOUT = 300.0  # seconds: a page of the large organisation may be slow before it is fixed
SLOW_MS = 300.0
GROWTH = 3.0

# The role whose view of a page is the widest comes first.
ROLE_ORDER = (Role.LEADERSHIP, Role.HR, Role.ANALYST, Role.MODERATOR, Role.TEAM_LEAD, Role.ADMIN, Role.AGENT)
# Pages another role sees more of than the first of ROLE_ORDER that opens them.
PAGE_ROLE = {"pages/people.py": Role.HR, "pages/complaints_findings.py": Role.ANALYST}

StateFor = Callable[[storage.Database, CurrentUser], dict[str, Any]]


def _first_person(database: storage.Database, user: CurrentUser) -> dict[str, Any]:
    return {"edit_person_id": database.scalar("SELECT min(id) FROM employees WHERE active")}


@dataclass(frozen=True)
class Detail:
    """A view of a page that shows only after a choice: the session state that makes the choice."""

    path: str
    role: Role
    name: str
    state: StateFor


DETAILS = (Detail("pages/people.py", Role.HR, "one person", _first_person),)


@dataclass(frozen=True)
class Case:
    """One page (or one view of a page) for one role."""

    page: PageSpec
    role: Role
    detail: Detail | None = None

    @property
    def label(self) -> str:
        return f"{self.page.title} — {self.detail.name}" if self.detail else self.page.title


@dataclass
class Timing:
    ms: float | None = None
    statements: int | None = None
    error: str | None = None


@dataclass
class Row:
    page: str
    path: str
    role: str
    small: Timing = field(default_factory=Timing)
    large: Timing = field(default_factory=Timing)

    @property
    def growth(self) -> float | None:
        if self.small.ms and self.large.ms is not None:
            return self.large.ms / self.small.ms
        return None

    @property
    def marks(self) -> list[str]:
        marks = [f"error ({which})" for which, timing in (("small", self.small), ("large", self.large)) if timing.error]
        if self.large.ms is not None and self.large.ms > SLOW_MS:
            marks.append(f"> {SLOW_MS:.0f} ms")
        if self.growth is not None and self.growth > GROWTH:
            marks.append(f"> {GROWTH:g}x")
        if (self.small.statements or 0) and (self.large.statements or 0) > (self.small.statements or 0):
            marks.append("stmts grow")
        return marks


# -- the cases --------------------------------------------------------------------------


def demo_users(database: storage.Database) -> dict[Role, CurrentUser]:
    """The signed-in person of each demo login."""
    users = {}
    for role, login in DEMO_LOGINS.items():
        employee_id = database.scalar("SELECT employee_id FROM accounts WHERE username = ?", [login])
        user = load_user(database, employee_id=employee_id) if employee_id is not None else None
        if user is not None:
            users[role] = user
    return users


def cases_for(users: dict[Role, CurrentUser], pages: str | None = None) -> list[Case]:
    """The home for every login, every other page for the widest role that opens it, then the details;
    ``pages`` (comma-separated) keeps those whose title or file contains one of its parts."""
    cases = []
    for page in PAGES:
        roles = [role for role in ROLE_ORDER if role in users and page.opens_for(users[role])]
        if page.path == "pages/home.py":
            cases.extend(Case(page, role) for role in roles)
        elif roles:
            cases.append(Case(page, PAGE_ROLE[page.path] if PAGE_ROLE.get(page.path) in roles else roles[0]))
    by_path = {page.path: page for page in PAGES}
    cases.extend(
        Case(by_path[detail.path], detail.role, detail)
        for detail in DETAILS
        if detail.role in users and by_path[detail.path].opens_for(users[detail.role])
    )
    if pages:
        wanted = [part.strip().lower() for part in pages.split(",") if part.strip()]
        cases = [case for case in cases if any(w in f"{case.label} {case.page.path}".lower() for w in wanted)]
    return cases


# -- counting statements ----------------------------------------------------------------


def statement_counter() -> contextlib.AbstractContextManager:
    """The store's process-wide statement counter: AppTest runs the page in a thread of its own,
    so every thread's statements count (nothing else runs in this process meanwhile)."""
    return storage.counting(all_threads=True)


# -- running pages ----------------------------------------------------------------------


@contextlib.contextmanager
def streamlit_as_in_tests() -> Iterator[None]:
    """AppTest as tests/pages/conftest.py sets it up: portal.py's navigation runs on every rerun
    (not the page file alone), and installed components are scanned once, not per AppTest."""
    from streamlit.components.v2 import manifest_scanner
    from streamlit.runtime.pages_manager import PagesManager

    installed = manifest_scanner.scan_component_manifests()
    original_init = PagesManager.__init__

    def init_without_pages_folder(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    with (
        mock.patch.object(manifest_scanner, "scan_component_manifests", lambda max_workers=None: list(installed)),
        mock.patch.object(PagesManager, "__init__", init_without_pages_folder),
    ):
        yield


@contextlib.contextmanager
def portal_on(path: Path) -> Iterator[storage.Database]:
    """The portal's settings pointed at ``path`` (no demo seeding), and its process-wide database."""
    from models.settings import get_settings

    names = ("PORTAL_DB_PATH", "PORTAL_DEMO_MODE", "PORTAL_SECRET_KEY")
    before = {name: os.environ.get(name) for name in names}
    os.environ.update(PORTAL_DB_PATH=str(path), PORTAL_DEMO_MODE="false", PORTAL_SECRET_KEY="b" * 40)
    get_settings.cache_clear()
    try:
        yield storage.get_database(path)
    finally:
        storage.forget_database(path)
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def _failure(app: Any) -> str | None:
    if app.exception:
        return str(app.exception[0].message).splitlines()[0][:200]
    return None


def time_case(database: storage.Database, user: CurrentUser, case: Case, runs: int = RUNS) -> Timing:
    """Open the page signed in as ``user`` (the warm-up), then rerun it ``runs`` times."""
    from tests.pages.apptest import signed_in_as

    app = signed_in_as(user)
    if case.detail:
        for key, value in case.detail.state(database, user).items():
            app.session_state[key] = value
    try:
        app.run(timeout=RUN_TIMEOUT)
        app.switch_page(case.page.path)
        app.run(timeout=RUN_TIMEOUT)
        if failure := _failure(app):
            return Timing(error=failure)
        times, statements = [], []
        for _ in range(runs):
            with statement_counter() as counter:
                started = time.perf_counter()
                app.run(timeout=RUN_TIMEOUT)
                times.append((time.perf_counter() - started) * 1000)
            statements.append(counter.statements)
            if failure := _failure(app):
                return Timing(error=failure)
    except Exception as error:  # a timeout or a crash of the run: report it, measure the rest
        return Timing(error=f"{type(error).__name__}: {error}"[:200])
    return Timing(ms=statistics.median(times), statements=max(statements))


def measure(path: Path, runs: int, pages: str | None = None, say: Callable = print) -> list[tuple[Case, Timing]]:
    """Time every case (``pages``: those whose title or file contains it) on the database at ``path``."""
    measured = []
    with streamlit_as_in_tests(), portal_on(path) as database:
        users = demo_users(database)
        for case in cases_for(users, pages):
            timing = time_case(database, users[case.role], case, runs)
            measured.append((case, timing))
            figure = f"{timing.ms:8.0f} ms {timing.statements:5d} statements" if timing.ms is not None else timing.error
            say(f"  {case.label:<40} {case.role.value:<11} {figure}")
    return measured


# -- the databases ----------------------------------------------------------------------


def demo_database(folder: Path, scale: float = 1.0) -> Path:
    """A fresh demo organisation at ``scale`` in ``folder``."""
    path = folder / f"demo-{scale:g}.duckdb"
    database = storage.Database(path)
    try:
        database.start_up()
        demo.seed(database, scale=scale, today=date.today())
        with database.exclusive() as connection:
            connection.execute("CHECKPOINT")
    finally:
        database.close()
    return path


def copy_database(source: Path, folder: Path) -> Path:
    """A copy of a database (its write-ahead log, the key of its sealed survey answers) to measure on,
    so the source never changes."""
    target = folder / "large.duckdb"
    shutil.copyfile(source, target)
    for beside in (storage.wal_path(source), source.with_name(sealing.KEY_FILE_NAME)):
        if beside.exists():
            shutil.copyfile(beside, folder / beside.name.replace(source.name, target.name))
    return target


def large_database(folder: Path, given: Path | None, say: Callable = print) -> Path:
    """A copy of the given database, else of the large benchmark organisation (built once by
    ``bench.large_org`` and reused while the demo code is unchanged)."""
    if given is None:
        say("pages: the large organisation (built once by bench.large_org; several minutes the first time)…")
        given = built_large_database()
    return copy_database(given, folder)


# -- the table --------------------------------------------------------------------------


def rows_from(small: Sequence[tuple[Case, Timing]], large: Sequence[tuple[Case, Timing]]) -> list[Row]:
    """One row per page and role, in the order measured."""
    rows: dict[tuple[str, str], Row] = {}
    for which, measured in (("small", small), ("large", large)):
        for case, timing in measured:
            row = rows.setdefault((case.label, case.role.value), Row(case.label, case.page.path, case.role.value))
            setattr(row, which, timing)
    return list(rows.values())


def table(rows: Sequence[Row]) -> str:
    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:,.0f}"

    def count(value: int | None) -> str:
        return "—" if value is None else str(value)

    header = ("page", "role", "small ms", "large ms", "growth", "stmts small", "stmts large", "fails")
    lines = [
        (
            row.page,
            row.role,
            ms(row.small.ms),
            ms(row.large.ms),
            "—" if row.growth is None else f"{row.growth:.1f}x",
            count(row.small.statements),
            count(row.large.statements),
            ", ".join(row.marks),
        )
        for row in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]
    numeric = {2, 3, 4, 5, 6}

    def render(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([render(header), render(["-" * width for width in widths]), *map(render, lines)])


def as_json(rows: Sequence[Row], runs: int) -> dict[str, Any]:
    return {
        "runs": runs,
        "load_average": os.getloadavg(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "targets": {"large_ms": SLOW_MS, "growth": GROWTH},
        "pages": [{**asdict(row), "growth": row.growth, "fails": row.marks} for row in rows],
    }


def run(
    runs: int = RUNS,
    pages: str | None = None,
    large_only: bool = False,
    large_db: Path | None = None,
    small_only: bool = False,
    say: Callable = print,
) -> list[Row]:
    """Measure and return the rows of the table (printing progress through ``say``)."""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage()  # said by every AppTest
    )
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        small: list[tuple[Case, Timing]] = []
        large: list[tuple[Case, Timing]] = []
        if not large_only:
            started = time.perf_counter()
            path = demo_database(folder, 1.0)
            say(f"pages: demo organisation (scale 1) seeded in {time.perf_counter() - started:.0f} s")
            small = measure(path, runs, pages, say)
        if not small_only:
            path = large_database(folder, large_db, say)
            say(f"pages: large organisation, {path.stat().st_size / 2**20:,.0f} MiB")
            large = measure(path, runs, pages, say)
    return rows_from(small, large)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_pages", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", help="only the pages whose title or file contains this (comma-separated: any)")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs per page after the warm-up ({RUNS})")
    parser.add_argument("--large-only", action="store_true", help="skip the demo organisation")
    parser.add_argument("--small-only", action="store_true", help="skip the large organisation")
    parser.add_argument("--large-db", type=Path, help="the large organisation's database file (copied first)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    options = parser.parse_args(argv)
    rows = run(options.runs, options.pages, options.large_only, options.large_db, options.small_only)
    print()
    print(table(rows))
    failing = sum(1 for row in rows if row.marks)
    print(f"\n{len(rows)} pages, {failing} miss a target; load average {os.getloadavg()[0]:.2f}")
    if options.json:
        options.json.write_text(json.dumps(as_json(rows, options.runs), indent=2, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
