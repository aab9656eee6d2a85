"""Two portal servers on one PostgreSQL database, as ``make cluster`` runs them (scripts/cluster.py):
real ``streamlit run`` processes on 127.0.0.1, driven the way a browser tab drives them (the load
test's client), and stopped after. A sign-in, a sign-out and a lockout made on one server hold
on the other; sign-ins on both at once lose nothing; a server killed in the middle of a write
leaves nothing of it behind while the other keeps serving; HAProxy shares visitors between them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bench import load_test
from models import auth
from models.access import Role
from models.db import forget_database, open_database, utc_now
from scripts import cluster
from tests import async_support
from tests.conftest import PORTAL_HASHER, TEST_PASSWORD, add_person
from tests.postgres_support import POSTGRES_BIN, PostgresServer

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("cluster"), pytest.mark.timeout(600)]

PEOPLE = 6  # people with an account, each signing in on both servers


@dataclass
class Pair:
    """Two portal servers sharing one PostgreSQL database, and the people who can sign in."""

    url: str
    a: cluster.PortalProcess
    b: cluster.PortalProcess
    people: list[tuple[str, str]]  # (username, full name)
    folder: Path


def _server(name: str, url: str, folder: Path) -> cluster.PortalProcess:
    env = {
        "PORTAL_DATABASE_URL": url,
        "PORTAL_SECRET_KEY": "cluster-test-" + "s" * 40,  # shared by both, as make cluster shares it
        "PORTAL_DB_PATH": str(folder / "servers" / f"{name}.duckdb"),
        "PORTAL_DEMO_MODE": "false",
        "TMPDIR": str(folder),
    }
    return cluster.PortalProcess(name, cluster.free_port(), env, folder / f"{name}.log")


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer) -> Iterator[Pair]:
    folder = tmp_path_factory.mktemp("cluster")
    url = postgres_server.new_database(migrated=True)
    setup = open_database(folder / "setup" / "portal.duckdb", url=url)
    setup.start_up()
    people = []
    for number in range(1, PEOPLE + 1):
        person = add_person(setup, Role.ANALYST, username=f"person{number}", full_name=f"Cluster Person {number}")
        people.append((f"person{number}", person.full_name))
    # a hash of the portal's own cost, as real accounts have: the tests' cheap one would be rehashed
    # on each first sign-in, inside the sign-in's transaction
    portal_hash = PORTAL_HASHER.hash(TEST_PASSWORD)
    setup.write(lambda connection: connection.execute("UPDATE accounts SET password_hash = ?", [portal_hash]))
    setup.close()
    servers = [_server("portal-a", url, folder), _server("portal-b", url, folder)]
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_until_healthy(timeout=180)
        yield Pair(url, servers[0], servers[1], people, folder)
    finally:
        for server in servers:
            server.stop()
        forget_database(folder / "check" / "portal.duckdb", url=url)


def _database(pair: Pair):
    """The shared database as the test reads it (a third process's view)."""
    database = open_database(pair.folder / "check" / "portal.duckdb", url=pair.url)
    database.start_up()
    return database


async def _signed_in_tab(base_url: str, login: str, password: str = TEST_PASSWORD) -> load_test.BrowserTab:
    tab = load_test.BrowserTab(base_url, timeout=120)
    await tab.open()
    await tab.sign_in(login, password)
    return tab


async def _start_page(base_url: str, cookie: str | None) -> load_test.PageRun:
    tab = load_test.BrowserTab(base_url, timeout=120)
    tab.cookie = cookie
    await tab.open()
    try:
        return await tab.run()
    finally:
        await tab.close()


def _shows_sign_in_form(run: load_test.PageRun) -> bool:
    return {"Username or email", "Password", "Sign in"} <= set(run.widgets)


def test_a_sign_in_on_one_server_holds_on_the_other_and_a_sign_out_on_it_ends_it_there(pair: Pair) -> None:
    login, full_name = pair.people[0]

    async def scenario():
        on_a = await _signed_in_tab(pair.a.url, login)
        await on_a.close()
        tab_on_b = load_test.BrowserTab(pair.b.url, timeout=120)
        tab_on_b.cookie = on_a.cookie
        await tab_on_b.open()
        before = await tab_on_b.run()
        status = (await asyncio.to_thread(cluster.http_get, pair.a.url + "/auth/end", cookie=on_a.cookie))[0]
        again_on_b = await tab_on_b.run()  # the tab that was open on B when A signed out
        await tab_on_b.close()
        new_tab_on_b = await _start_page(pair.b.url, on_a.cookie)
        return before, status, again_on_b, new_tab_on_b

    before, status, again_on_b, new_tab_on_b = async_support.run(scenario())

    assert before.title == f"Welcome, {full_name.split()[0]}"  # B knows the person by A's cookie alone
    assert f"**{full_name}**" in before.texts
    assert status == 200
    assert _shows_sign_in_form(again_on_b)
    assert _shows_sign_in_form(new_tab_on_b)


def test_failed_sign_ins_on_one_server_lock_the_account_on_the_other(pair: Pair) -> None:
    login, _name = pair.people[1]

    async def scenario():
        tab = await _signed_in_tab(pair.b.url, login)  # the right password works on B
        await tab.close()
        for _attempt in range(auth.MAX_FAILED_ATTEMPTS):
            with pytest.raises(load_test.PageError, match="was not signed in"):
                await _signed_in_tab(pair.a.url, login, "not the password")
        with pytest.raises(load_test.PageError, match="was not signed in"):
            await _signed_in_tab(pair.b.url, login)

    async_support.run(scenario())

    database = _database(pair)
    locked_until = database.scalar("SELECT locked_until FROM accounts WHERE username = ?", [login])
    assert locked_until is not None


def test_sign_ins_on_both_servers_at_once_lose_nothing(pair: Pair) -> None:
    logins = [login for login, _name in pair.people[2:]]
    database = _database(pair)
    ids = database.scalar("SELECT list(id) FROM accounts WHERE username IN (SELECT unnest(?))", [logins])
    sessions_before = database.scalar(
        "SELECT count(*) FROM sign_in_tokens WHERE kind = 'session' AND account_id IN (SELECT unnest(?))", [ids]
    )

    async def everyone_on_both():
        tabs = await asyncio.gather(
            *(_signed_in_tab(server.url, login) for login in logins for server in (pair.a, pair.b))
        )
        for tab in tabs:
            await tab.close()
        return tabs

    tabs = async_support.run(everyone_on_both())

    assert all(tab.cookie for tab in tabs)
    sessions = database.scalar(
        "SELECT count(*) FROM sign_in_tokens WHERE kind = 'session' AND account_id IN (SELECT unnest(?))", [ids]
    )
    assert sessions - sessions_before == 2 * len(logins)
    started = database.query(
        "SELECT id FROM audit_log WHERE entity = 'account' AND action = 'session_started'"
        " AND entity_id IN (SELECT unnest(?))",
        [[str(account_id) for account_id in ids]],
    )
    assert len(started) == sessions  # every session's audit record, each with an id of its own
    assert len({row["id"] for row in started}) == len(started)


def test_the_balancer_shares_visitors_between_the_servers_and_keeps_each_on_its_own(pair: Pair) -> None:
    if cluster.Balancer.program() is None:
        pytest.skip("HAProxy is not installed (scripts/ensure-haproxy)")
    balancer = cluster.Balancer(cluster.free_port(), pair.folder / "haproxy.cfg", pair.folder / "haproxy.log")
    balancer.start([pair.a, pair.b])
    try:
        balancer.wait_until_healthy()
        deadline = time.monotonic() + 30  # until both servers have passed their health checks
        served_by: set[str] = set()
        while served_by != {pair.a.name, pair.b.name} and time.monotonic() < deadline:
            status, headers, body = cluster.http_get(balancer.url + "/")
            assert status == 200 and b"<html" in body.lower()
            served_by.add(headers["set-cookie"].split(";")[0].partition("=")[2])
            time.sleep(0.2)
        assert served_by == {pair.a.name, pair.b.name}
        sticky = cluster.http_get(balancer.url + "/", cookie=f"{cluster.BALANCER_COOKIE}={pair.b.name}")
        assert sticky[0] == 200 and not sticky[1]["set-cookie"]  # kept on B: no new server chosen
        assert cluster.http_get(balancer.url + "/_stcore/health")[0] == 200

        login, full_name = pair.people[0]
        tab = async_support.run(_signed_in_tab(balancer.url, login))
        async_support.run(tab.close())
        assert tab.cookies[cluster.BALANCER_COOKIE] in {pair.a.name, pair.b.name}
        # the sign-in cookie alone (a new tab, not yet given a server) holds on whichever server it lands
        assert f"**{full_name}**" in async_support.run(_start_page(balancer.url, tab.cookie)).texts
    finally:
        balancer.stop()


class _RowLock:
    """A PostgreSQL session (psql) holding a row lock until ``release()``: it makes a server's
    write wait in the middle of its transaction, where the test can kill the server."""

    def __init__(self, url: str, statement: str):
        self.process = subprocess.Popen(
            [str(POSTGRES_BIN / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.process.stdin.write(f"BEGIN;\n{statement};\n")
        self.process.stdin.flush()

    def release(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write("ROLLBACK;\n\\q\n")
            self.process.stdin.close()
            self.process.wait(timeout=30)


def _native(url: str, query: str) -> str:
    return subprocess.run(
        [str(POSTGRES_BIN / "psql"), "-X", "-q", "-t", "-A", "-d", url, "-c", query],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()


_WAITING_FOR_A_LOCK = (
    "SELECT string_agg(pid::text, ',') FROM pg_stat_activity"
    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


def _fetch_ignoring_failure(url: str) -> None:
    with contextlib.suppress(OSError):
        cluster.http_get(url, timeout=120)


def _wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_server_killed_in_the_middle_of_a_write_leaves_nothing_of_it_and_the_other_serves_on(pair: Pair) -> None:
    """Spending a sign-in grant is a write of several rows in one transaction: the grant marked
    used, the session added, expired tokens removed, the audit record. A row lock held by
    another session stops server A after the first two, and A is killed there (kill -9)."""
    login, full_name = pair.people[0]
    database = _database(pair)
    account_id = database.scalar("SELECT id FROM accounts WHERE username = ?", [login])
    long_ago = utc_now() - timedelta(days=3)
    database.write(
        lambda connection: connection.execute(
            "INSERT INTO sign_in_tokens (token_hash, kind, account_id, created_at, expires_at)"
            " VALUES ('an-expired-token', 'session', ?, ?, ?)",
            [account_id, long_ago, long_ago + timedelta(hours=12)],
        )
    )
    started_before = database.scalar("SELECT count(*) FROM audit_log WHERE action = 'session_started'")
    lock = _RowLock(pair.url, "SELECT 1 FROM sign_in_tokens WHERE token_hash = 'an-expired-token' FOR UPDATE")
    try:

        async def sign_in_on_a_without_its_cookie():
            tab = load_test.BrowserTab(pair.a.url, timeout=120)
            await tab.open()
            start = await tab.run()
            signed_in = await tab.run(
                widget_states=[
                    (start.widgets["Username or email"][0], "string_value", login),
                    (start.widgets["Password"][0], "string_value", TEST_PASSWORD),
                    (start.widgets["Sign in"][0], "trigger_value", True),
                ]
            )
            await tab.close()
            return signed_in.grant_image

        grant_image = async_support.run(sign_in_on_a_without_its_cookie())
        assert grant_image is not None
        grant = grant_image.split("grant=", 1)[1]
        # the browser fetching its cookie from A: A's write starts, and waits for the lock
        spending = threading.Thread(target=_fetch_ignoring_failure, args=(pair.a.url + grant_image,), daemon=True)
        spending.start()
        _wait_for(lambda: _native(pair.url, _WAITING_FOR_A_LOCK) != "")  # A is inside its transaction
        a_backend = _native(pair.url, _WAITING_FOR_A_LOCK)
        pair.a.kill()
        spending.join(timeout=30)
    finally:
        lock.release()
    # the killed server's backend goes on once the lock is free, finds its client gone and rolls back
    _wait_for(lambda: _native(pair.url, f"SELECT count(*) FROM pg_stat_activity WHERE pid = {int(a_backend)}") == "0")

    grant_row = database.query_one(
        "SELECT used_at FROM sign_in_tokens WHERE token_hash = ? AND kind = 'grant'", [auth._digest(grant)]
    )
    session_hash = auth._digest(auth.session_for_grant(grant))
    assert grant_row is not None and grant_row["used_at"] is None  # not spent
    assert database.scalar("SELECT count(*) FROM sign_in_tokens WHERE token_hash = ?", [session_hash]) == 0
    assert database.scalar("SELECT count(*) FROM audit_log WHERE action = 'session_started'") == started_before
    assert database.scalar("SELECT count(*) FROM sign_in_tokens WHERE token_hash = 'an-expired-token'") == 1

    assert pair.a.process.poll() is not None
    assert cluster.healthy(pair.b.url)
    status, headers, _body = cluster.http_get(pair.b.url + grant_image)  # B spends the grant A could not
    assert status == 200 and auth.SESSION_COOKIE in headers["set-cookie"]
    cookie = headers["set-cookie"].split(";")[0]
    assert f"**{full_name}**" in async_support.run(_start_page(pair.b.url, cookie)).texts
    assert database.scalar("SELECT count(*) FROM sign_in_tokens WHERE token_hash = ?", [session_hash]) == 1
    assert database.scalar("SELECT count(*) FROM sign_in_tokens WHERE token_hash = 'an-expired-token'") == 0


def test_the_launcher_starts_postgresql_the_servers_and_the_balancer_and_stops_them_all(tmp_path: Path) -> None:
    if cluster.Balancer.program() is None:
        pytest.skip("HAProxy is not installed (scripts/ensure-haproxy)")
    launched = cluster.Cluster(
        tmp_path / "cluster",
        servers=2,
        port=cluster.free_port(),
        postgres_port=cluster.free_port(),
        server_ports=[cluster.free_port(), cluster.free_port()],
        extra_env={"PORTAL_DEMO_MODE": "false", "TMPDIR": str(tmp_path)},
    )
    portals = launched.start(say=lambda text: None)
    try:
        balancer_url = f"http://127.0.0.1:{launched.port}"
        assert cluster.http_get(balancer_url + "/_stcore/health")[0] == 200
        assert all(cluster.healthy(portal.url) for portal in portals)
        assert set(launched.running_pids()) == {"haproxy", "portal-1", "portal-2"}
        for secret in ("secret_key", "postgres_password"):
            assert (launched.folder / secret).stat().st_mode & 0o077 == 0  # the owner's only
        without_password = subprocess.run(
            [str(POSTGRES_BIN / "psql"), "-X", "-w", "-d", launched.postgres.url(), "-c", "SELECT 1"],
            capture_output=True,
            text=True,
            env={key: value for key, value in os.environ.items() if key != "PGPASSWORD"},
            timeout=60,
        )
        assert without_password.returncode != 0  # loopback asks for the password too
    finally:
        launched.stop(say=lambda text: None)

    assert launched.running_pids() == {}
    assert not launched.postgres.running()
    assert all(portal.process.wait(timeout=30) is not None for portal in portals)
    assert not cluster.healthy(balancer_url)
