"""The pages of long lists and downloads (Accounts, Audit log, People, Complaint analysis), warm,
as Streamlit's AppTest runs them, median of several runs after a warm-up, with the SQL
statements one run issues. On the demo organisation at a scale, or on a copy of a database
file: ``python -m bench.bench_lists [scale | path/to/portal.duckdb]``."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

from models import demo
from models.access import Role
from models.auth import load_user
from models.db import Database, wal_path
from models.seeding import DEMO_LOGINS

RUNS = 5
PAGES = (
    ("pages/admin_accounts.py", Role.ADMIN),
    ("pages/admin_audit.py", Role.ADMIN),
    ("pages/people.py", Role.ADMIN),
    ("pages/complaints_analysis.py", Role.ANALYST),
)


class StatementCounter:
    """Counts the statements DuckDB connections run while it is installed."""

    def __init__(self) -> None:
        self.count = 0
        self._original = duckdb.DuckDBPyConnection.execute

    def __enter__(self) -> StatementCounter:
        counter = self

        def counting(connection, *args, **kwargs):
            counter.count += 1
            return counter._original(connection, *args, **kwargs)

        duckdb.DuckDBPyConnection.execute = counting  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc) -> None:
        duckdb.DuckDBPyConnection.execute = self._original  # type: ignore[method-assign]


def page_figures(path: Path, page: str, role: Role, runs: int = RUNS) -> tuple[float, int]:
    """Median warm milliseconds of one page through AppTest, and the statements of one run."""
    os.environ.update(PORTAL_DB_PATH=str(path), PORTAL_DEMO_MODE="false", PORTAL_SECRET_KEY="b" * 40)
    from models.settings import get_settings
    from tests.pages.apptest import open_page, signed_in_as

    get_settings.cache_clear()
    database = Database(path)
    employee_id = database.scalar("SELECT employee_id FROM accounts WHERE username = ?", [DEMO_LOGINS[role]])
    user = load_user(database, employee_id=employee_id)
    database.close()
    assert user is not None
    app = open_page(signed_in_as(user), page)  # warm: imports, caches, first queries
    assert not app.exception, app.exception
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        app.run()
        times.append((time.perf_counter() - started) * 1000)
    with StatementCounter() as counter:
        app.run()
    return statistics.median(times), counter.count


def measure(path: Path, label: str) -> None:
    print(f"lists: {label}  (load average {os.getloadavg()[0]:.1f})")
    for page, role in PAGES:
        milliseconds, statements = page_figures(path, page, role)
        print(f"  {page:<32} {role.value:<8} {milliseconds:7.0f} ms  {statements:4d} statements")


def main(argument: str = "1") -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "portal.duckdb"
        if Path(argument).exists():
            shutil.copyfile(argument, path)
            if wal_path(Path(argument)).exists():
                shutil.copyfile(wal_path(Path(argument)), wal_path(path))
            measure(path, f"copy of {Path(argument).name}")
            return
        database = Database(path)
        database.start_up()
        demo.seed(database, scale=float(argument), today=date.today())
        database.close()
        measure(path, f"demo organisation at scale {argument}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "1")
