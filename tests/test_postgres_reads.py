"""A portal server's reads on PostgreSQL leave nothing open behind them, and a server keeps serving
the restored data across a forced restore: its pooled connections were ended under it, its copy
of the large tables and its cached figures are those of before."""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.access import Role
from models.admin import main
from models.complaints import analysis
from models.complaints.analysis import ComplaintFilter
from models.db import StoreUnavailableError, open_database
from models.postgres import PostgresDatabase
from models.postgres_mirror import MIRRORED
from models.settings import get_settings
from tests.complaints_support import complaint, import_rows
from tests.conftest import add_person
from tests.postgres_support import PostgresServer, psql_rows

pytestmark = pytest.mark.postgres


def sessions_in_transaction(url: str) -> list[list[str]]:
    """The other sessions of the database that hold a transaction open: state and query."""
    return psql_rows(
        url,
        "SELECT state, left(query, 80) FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL",
    )


@pytest.fixture
def server(tmp_path: Path, postgres_server: PostgresServer) -> Iterator[PostgresDatabase]:
    """A portal server on a migrated PostgreSQL database of this test's own, with some people
    (more rows than one read fetches at once) and a few complaints."""
    url = postgres_server.new_database(migrated=True)
    database = open_database(tmp_path / "server" / "portal.duckdb", url=url)
    database.start_up()
    psql_rows(
        url,
        "INSERT INTO employees (employee_number, full_name, email, created_at, updated_at)"
        " SELECT 'P' || n, 'Person ' || n, n || '@example.org', now(), now() FROM generate_series(1, 5000) AS n",
    )
    try:
        yield database
    finally:
        database.close()


def test_after_a_page_of_reads_no_connection_of_the_server_stays_in_a_transaction(server, tmp_path):
    analyst = add_person(server, Role.ANALYST)
    import_rows(server, analyst, tmp_path, [complaint("2025-01-05", "Fees"), complaint("2025-01-20", "Cards")])

    def page() -> None:  # what a page view reads: a cached analysis, a frame, rows, a first value
        analysis.summary(server, analyst, ComplaintFilter())
        server.frame("SELECT team_id, count(*) AS people FROM employees GROUP BY team_id")
        server.query_one("SELECT full_name FROM employees ORDER BY id")
        server.scalar("SELECT id FROM employees ORDER BY id")

    page()
    shown, closing = threading.Barrier(3), threading.Event()

    def view() -> None:  # a script run's thread, still there after its page was shown
        page()
        shown.wait()
        closing.wait()

    views = [threading.Thread(target=view) for _ in range(2)]
    for thread in views:
        thread.start()
    shown.wait()
    try:
        assert sessions_in_transaction(server.url) == []
    finally:
        closing.set()
        for thread in views:
            thread.join()
    # so another server's migration gets its lock at once
    psql_rows(server.url, "SET lock_timeout = '2s'; ALTER TABLE employees ADD COLUMN IF NOT EXISTS nickname TEXT")


def test_a_read_that_fails_leaves_no_transaction_open_and_the_next_read_works(server):
    with pytest.raises(Exception, match="nowhere"):
        server.scalar("SELECT nowhere FROM employees")
    assert sessions_in_transaction(server.url) == []
    assert server.scalar("SELECT count(*) FROM employees") == 5000


# -- across a forced restore -----------------------------------------------------------------------
def admin(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, confirm=lambda prompt: "restore")
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def command_line_on(server, tmp_path, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("PORTAL_DATABASE_URL", server.url)
    monkeypatch.setenv("PORTAL_DB_PATH", str(tmp_path / "command-line" / "portal.duckdb"))
    monkeypatch.setenv("PORTAL_DEMO_MODE", "false")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x" * 40)
    get_settings.cache_clear()
    yield server.url
    get_settings.cache_clear()


def test_a_running_server_serves_the_restored_figures_after_a_forced_restore_and_writes(
    server, command_line_on, tmp_path
):
    analyst = add_person(server, Role.ANALYST)
    rows = [complaint("2025-01-05", "Fees"), complaint("2025-01-20", "Cards"), complaint("2025-02-02", "Fees")]
    import_rows(server, analyst, tmp_path, rows)
    backed_up_figures = analysis.summary(server, analyst, ComplaintFilter())
    code, out, err = admin("backup")
    assert code == 0, err
    folder = Path(out.strip().splitlines()[-1].split(" to ")[-1])

    server.write(lambda c: c.execute("DELETE FROM complaints WHERE category = 'Cards'"))
    import_rows(
        server, analyst, tmp_path, [complaint(f"2025-03-0{day}", "Delays") for day in range(1, 5)], name="later.csv"
    )
    changed_figures = analysis.summary(server, analyst, ComplaintFilter())  # warm copy and cache
    assert changed_figures["complaints"] == 6 != backed_up_figures["complaints"]
    assert server.scalar("SELECT count(*) FROM complaints") == 6

    code, out, err = admin("restore", str(folder), "--force")
    assert code == 0, err

    assert analysis.summary(server, analyst, ComplaintFilter()) == backed_up_figures
    assert server.scalar("SELECT count(*) FROM complaints") == 3
    import_rows(server, analyst, tmp_path, [complaint("2025-04-01", "Delays")], name="after.csv")
    assert analysis.summary(server, analyst, ComplaintFilter())["complaints"] == 4
    assert server.scalar("SELECT count(*) FROM complaints WHERE category = 'Delays'") == 1


# -- connections ended under a running server ------------------------------------------------------
def end_sessions_soon(url: str, *, after: float = 0.7) -> threading.Thread:
    """End every other session of the database (as ``restore --force`` does) in a moment."""

    server, name = url.rsplit("/", 1)

    def end() -> None:
        time.sleep(after)
        psql_rows(
            f"{server}/postgres",
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            " AND backend_type = 'client backend'",
        )

    ending = threading.Thread(target=end)
    ending.start()
    return ending


SLOW_READ = "SELECT count(*) AS slept FROM postgres_query('pg', 'SELECT pg_sleep(1.5)')"


def test_a_read_whose_connection_is_ended_under_it_is_answered_all_the_same(server):
    ending = end_sessions_soon(server.url)
    try:
        assert server.scalar(SLOW_READ) == 1
    finally:
        ending.join()
    assert server.scalar("SELECT count(*) FROM employees") == 5000


def test_a_write_whose_connection_is_ended_under_it_is_saved_once(server):
    def change(connection) -> None:
        connection.execute("INSERT INTO sites (id, name) VALUES (901, 'Saved once')")
        connection.execute(SLOW_READ).fetchall()

    ending = end_sessions_soon(server.url)
    try:
        server.write(change)
    finally:
        ending.join()
    assert server.scalar("SELECT count(*) FROM sites WHERE name = 'Saved once'") == 1


def test_a_database_that_cannot_be_reached_is_said_plainly_without_the_password(server, postgres_server):
    name = server.url.rsplit("/", 1)[-1]
    with_password = server.url.replace("portal@", "portal:do-not-show-7@")
    database = PostgresDatabase(with_password, server.path)
    try:
        database.scalar("SELECT count(*) FROM sites")
        psql_rows(postgres_server.url("postgres"), f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
        end_sessions_soon(server.url, after=0).join()
        with pytest.raises(StoreUnavailableError) as refused:
            database.scalar("SELECT count(*) FROM sites")
        assert "could not be reached" in str(refused.value) and "do-not-show-7" not in str(refused.value)
        with pytest.raises(StoreUnavailableError, match="Nothing was changed"):
            database.write(lambda c: c.execute("INSERT INTO sites (id, name) VALUES (902, 'Never')"))
    finally:
        psql_rows(postgres_server.url("postgres"), f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        database.close()
    assert server.scalar("SELECT count(*) FROM sites WHERE id = 902") == 0


# -- warming up the analysis copy ----------------------------------------------------------------
def test_a_started_server_takes_its_analysis_copy_in_the_background_and_the_first_analysis_uses_it(server, tmp_path):
    analyst = add_person(server, Role.ANALYST)
    import_rows(server, analyst, tmp_path, [complaint("2025-01-05", "Fees"), complaint("2025-01-20", "Cards")])
    restarted = open_database(tmp_path / "restarted" / "portal.duckdb", url=server.url)
    try:
        restarted.start_up()
        restarted.warm_up()
        restarted.analysis_mirror._warming.join(timeout=60)
        assert restarted.analysis_mirror.copies_taken == len(MIRRORED)

        assert analysis.summary(restarted, analyst, ComplaintFilter())["complaints"] == 2
        assert restarted.analysis_mirror.copies_taken == len(MIRRORED)  # nothing copied again
    finally:
        restarted.close()


def test_closing_a_server_while_it_warms_up_ends_the_warm_up_quietly(server, tmp_path, caplog):
    restarted = open_database(tmp_path / "restarted" / "portal.duckdb", url=server.url)
    restarted.start_up()
    copying = threading.Event()
    taking = restarted.analysis_mirror._bring_up_to_date

    def slow_copy(tables):
        copying.set()
        restarted.analysis_mirror._copier.execute("SELECT count(*) FROM range(1e12::BIGINT)").fetchall()  # hours
        taking(tables)

    restarted.analysis_mirror._bring_up_to_date = slow_copy
    restarted.warm_up()
    assert copying.wait(timeout=30)
    restarted.close()
    assert not restarted.analysis_mirror._warming.is_alive()  # the copy under way was interrupted
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_a_warm_up_that_cannot_reach_the_database_is_logged_without_the_password(server, postgres_server, caplog):
    name = server.url.rsplit("/", 1)[-1]
    restarted = PostgresDatabase(server.url.replace("portal@", "portal:do-not-show-7@"), server.path)
    try:
        restarted.start_up()
        psql_rows(postgres_server.url("postgres"), f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
        end_sessions_soon(server.url, after=0).join()
        with caplog.at_level(logging.WARNING):
            restarted.warm_up()
            restarted.analysis_mirror._warming.join(timeout=60)
    finally:
        psql_rows(postgres_server.url("postgres"), f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        restarted.close()
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "analysis copy was not taken" in logged and "do-not-show-7" not in logged
    assert server.scalar("SELECT count(*) FROM sites") == 0  # the running server reconnects
