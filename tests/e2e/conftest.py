"""Browser tests: the real portal served by ``streamlit run`` and driven in headless
Chromium through Playwright (the system chromium; Playwright's own download is not used)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from models import auth
from models.settings import Settings

# a busy 2-core machine can take many seconds to run a page: wait generously, never on a clock
expect.set_options(timeout=60_000)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PortalServer:
    """``streamlit run portal.py`` on a free loopback port with its own database.

    ``address=None`` starts it as ``make run`` does, on every interface of the machine."""

    def __init__(self, data_dir: Path, port: int | None = None, *, address: str | None = "127.0.0.1", **env: str):
        """``port``: one chosen beforehand (a sign-in provider must know the portal's address
        first); by default a free one."""
        self.address = address
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "server.log"
        self.env = {
            # the store is the one ``env`` names (the DuckDB file unless it gives PORTAL_DATABASE_URL)
            **{name: value for name, value in os.environ.items() if name != "PORTAL_DATABASE_URL"},
            "PORTAL_DB_PATH": str(data_dir / "portal.duckdb"),
            "PORTAL_SECRET_KEY": "e2e-" + "k" * 40,
            "PORTAL_DEMO_MODE": "true",
            "TMPDIR": str(data_dir),  # what the portal leaves in temporary folders goes with the test's folder
            **env,
        }
        self.process: subprocess.Popen | None = None

    def launch(self) -> None:
        """Start the process; it answers once the portal is prepared (``ui.startup``).

        No flag for usage statistics: .streamlit/config.toml turns them off, as for anyone
        who starts the portal with a plain ``streamlit run portal.py``."""
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "portal.py",
            "--server.headless",
            "true",
            *(["--server.address", self.address] if self.address else []),
            "--server.port",
            str(self.port),
            "--server.fileWatcherType",
            "none",
        ]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def healthy(self) -> bool:
        """True once the server answers its health check; raises if the process has ended."""
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"portal exited early:\n{self.log.read_text()}")
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as reply:  # noqa: S310
                return reply.status == 200
        except OSError:
            return False

    def wait_for_log(self, text: str, timeout: float = 120) -> str:
        """The terminal output once it shows ``text``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            output = self.log.read_text()
            if text in output:
                return output
            if self.process and self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"the portal never printed {text!r}:\n{self.log.read_text()}")

    def start(self, timeout: float = 180) -> None:
        """Launch and wait until the server answers (the demo is seeded before it does)."""
        self.launch()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.healthy():
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"portal did not become healthy:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def serve(data_dir: Path, **env: str) -> Iterator[PortalServer]:
    """A demo portal on the database in ``data_dir`` (seeded at its first visit when empty)."""
    server = PortalServer(data_dir, **env)
    server.start()
    yield server
    server.stop()


def store_settings(database_templates, path: Path) -> dict[str, str]:
    """The settings that put a portal on the database the store under test made at ``path``:
    on PostgreSQL its URL (the folder of ``path`` keeps the server's own files either way)."""
    url = database_templates.url(path)
    return {"PORTAL_DATABASE_URL": url} if url else {}


@pytest.fixture(scope="module")
def portal_server(tmp_path_factory: pytest.TempPathFactory, database_templates) -> Iterator[PortalServer]:
    """A demo portal for the tests of one module, on a copy of the demo organisation that
    the session seeded once (with the seed and scale of the default settings), on the store
    under test."""
    data_dir = tmp_path_factory.mktemp("portal")
    path = data_dir / "portal.duckdb"
    defaults = Settings.model_fields
    database_templates.copy_demo(path, seed=defaults["demo_seed"].default, scale=defaults["demo_scale"].default)
    try:
        yield from serve(data_dir, **store_settings(database_templates, path))
    finally:
        database_templates.release(path)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright launches the system Chromium with these flags."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script for what is on screen."""
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=timeout)


def sign_in(page, base_url: str, username: str, password: str) -> None:
    """Sign in on the form and, when it succeeds, wait until the browser holds the session
    cookie (set by a request the page makes after signing in), so that the next address typed
    — ``page.goto`` — is a signed-in visit too. A refused sign-in returns once it is shown."""
    before = _session_cookie(page)
    page.goto(base_url)
    wait_for_app(page)
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).first.fill(password)
    page.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    signed_in = page.get_by_role("button", name="Sign out")
    refused = page.get_by_test_id("stAlert")
    expect(signed_in.or_(refused).first).to_be_visible()
    if signed_in.count():
        deadline = time.monotonic() + 60
        # a cookie left by an earlier user's session is not this sign-in's: wait for a new value
        while _session_cookie(page) in (None, before):
            assert time.monotonic() < deadline, "the session cookie was never set after signing in"
            page.wait_for_timeout(100)


def _session_cookie(page) -> str | None:
    """The value of the portal's session cookie in the browser, or None."""
    for cookie in page.context.cookies():
        if cookie["name"] == auth.SESSION_COOKIE:
            return cookie["value"]
    return None


@pytest.fixture(autouse=True)
def patient_page(request: pytest.FixtureRequest) -> None:
    """Clicks, fills and page loads wait as long as the assertions do."""
    if "page" in request.fixturenames:
        page = request.getfixturevalue("page")
        page.set_default_timeout(60_000)
        page.set_default_navigation_timeout(90_000)
