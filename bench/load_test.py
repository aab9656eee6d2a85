"""Many people using one portal server at once: concurrent sessions over Streamlit's own
websocket protocol, each signing in with a demo login and visiting the pages of its role
with a think time between visits, at several session counts.

``python -m bench.load_test [--db FILE] [--sessions 1 10 25 50] [--seconds 120]``
``python -m bench.load_test --url http://127.0.0.1:8501 [--cluster data/cluster] …``

The bench starts ``streamlit run portal.py`` on a free loopback port, on a copy of the
database (the large organisation by default), in demo mode so the demo logins work, and stops
it at the end — also on Ctrl-C. With ``--url`` it visits a portal that is already running
instead (the balancer of ``make cluster``, or any server in demo mode) and watches the memory
of the processes whose pid files ``--cluster`` names (each server's peak is printed). A tab
keeps every cookie it is given, the balancer's too, so it stays on one server as a browser
does. Each session does what a browser tab does: it opens
``/_stcore/stream``, asks for the start page, fills and submits the sign-in form, fetches the
one-time image that hands it the sign-in cookie, and then moves between the pages of the
navigation it was given. A page time runs from sending the rerun to the script-finished
message; an error is an exception shown on the page, a dropped connection or no answer
within the timeout. Printed per session count: visits, page time p50/p95/max, errors, the
server's peak memory and the load average. The target (issue 15): at 50 sessions
p95 ≤ 1 s, no errors, server memory ≤ 1 GiB."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from models.engagement import sealing
from models.seeding import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[1]
MAX_SESSIONS = 100
MAX_SECONDS = 600
SESSION_COUNTS = (1, 10, 25, 50)
SECONDS = 120
THINK_SECONDS = (5.0, 10.0)
PAGE_TIMEOUT = 60.0
# A working day's mix, repeated every 20 sessions: mostly agents, then team leads, analysts,
# HR and leadership. The first ten sessions already hold one of each.
ROLE_CYCLE = (
    "agent",
    "teamlead",
    "agent",
    "analyst",
    "agent",
    "hr",
    "agent",
    "leader",
    "agent",
    "teamlead",
    "agent",
    "agent",
    "analyst",
    "agent",
    "hr",
    "agent",
    "teamlead",
    "agent",
    "agent",
    "agent",
)
_GRANT_IMAGE = re.compile(r"\((/auth/session\?grant=[^)\s]+)\)")
_FINISHED = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}


class PageError(Exception):
    """A page run that a person would see fail: an exception on the page, a dropped
    connection, no answer in time, or a page the server does not know."""


@dataclass
class PageRun:
    """What one script run sent back."""

    seconds: float
    title: str = ""  # the page's h1 (st.title), empty when it has none
    exceptions: list[str] = field(default_factory=list)
    pages: list[tuple[str, str, str]] = field(default_factory=list)  # navigation: (hash, url path, name)
    widgets: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (widget id, kind)
    texts: list[str] = field(default_factory=list)  # the markdown shown, sidebar too (the person's name…)
    alerts: list[str] = field(default_factory=list)  # st.error, st.warning…: a refusal says why
    grant_image: str | None = None


@dataclass
class Visit:
    """One page visit of one session, as the stage's table counts it."""

    login: str
    page: str
    seconds: float
    title: str = ""
    error: str | None = None


class BrowserTab:
    """One browser tab on the portal: a websocket session that runs pages as the browser's
    Streamlit client asks for them."""

    def __init__(self, base_url: str, timeout: float = PAGE_TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies: dict[str, str] = {}  # the sign-in cookie, and the balancer's when there is one
        self.pages: list[tuple[str, str, str]] = []
        self._socket = None

    async def open(self) -> None:
        url = self.base_url.replace("http://", "ws://", 1) + "/_stcore/stream"
        headers = {"Cookie": self.cookie_header} if self.cookies else None
        self._socket = await websockets.connect(
            url,
            subprotocols=["streamlit"],
            origin=self.base_url,
            additional_headers=headers,
            max_size=None,
            ping_interval=None,  # a browser does not ping; it answers the server's pings
            proxy=None,  # loopback only
            open_timeout=self.timeout,
        )
        self.keep_cookies(self._socket.response.headers.get_all("Set-Cookie"))

    @property
    def cookie(self) -> str | None:
        """The portal's sign-in cookie (``name=value``), once the tab has one."""
        from models.auth import SESSION_COOKIE

        value = self.cookies.get(SESSION_COOKIE)
        return f"{SESSION_COOKIE}={value}" if value else None

    @cookie.setter
    def cookie(self, cookie: str | None) -> None:
        """Give the tab a sign-in cookie (``name=value``) another tab was given: the same browser."""
        from models.auth import SESSION_COOKIE

        self.cookies.pop(SESSION_COOKIE, None)
        if cookie:
            self.keep_cookies([cookie])

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def keep_cookies(self, set_cookies: list[str]) -> None:
        for set_cookie in set_cookies:
            name, _, value = set_cookie.split(";", 1)[0].partition("=")
            if name:
                self.cookies[name.strip()] = value.strip()

    async def close(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close()
            self._socket = None

    async def run(self, *, page_hash: str = "", widget_states: list[tuple[str, str, object]] = ()) -> PageRun:
        """Ask for a script run (the start page, another page, or a form submitted) and read
        what comes back until the script has finished; a run cut short by ``st.rerun`` is
        followed to the end of the run it asked for."""
        back = BackMsg()
        rerun = back.rerun_script
        rerun.page_script_hash = page_hash
        rerun.context_info.timezone = "UTC"
        rerun.context_info.url = self.base_url + "/"
        rerun.widget_states.SetInParent()
        for widget_id, kind, value in widget_states:
            state = rerun.widget_states.widgets.add()
            state.id = widget_id
            setattr(state, kind, value)
        started = time.perf_counter()
        await self._socket.send(back.SerializeToString())
        result = PageRun(seconds=0.0)
        deadline = started + self.timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise PageError(f"no answer within {self.timeout:g} s")
            try:
                data = await asyncio.wait_for(self._socket.recv(), remaining)
            except TimeoutError:
                raise PageError(f"no answer within {self.timeout:g} s") from None
            except websockets.ConnectionClosed as closed:
                raise PageError(f"the server closed the connection ({closed.rcvd})") from None
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "delta":
                _read_delta(message, result)
            elif kind == "navigation":
                result.pages = [
                    (page.page_script_hash, page.url_pathname, page.page_name)
                    for page in message.navigation.app_pages
                    if not page.is_hidden
                ]
                self.pages = result.pages
            elif kind == "page_not_found":
                raise PageError("page not found")
            elif kind == "script_finished" and message.script_finished in _FINISHED:
                result.seconds = time.perf_counter() - started
                return result
            elif kind == "script_finished":  # cut short by st.rerun: the browser shows the next run
                result.title, result.widgets, result.texts, result.alerts = "", {}, [], []

    async def sign_in(self, login: str, password: str) -> PageRun:
        """Open the start page, fill the sign-in form and submit it, then fetch the image that
        hands the browser its sign-in cookie, as the page asks the browser to."""
        start = await self.run()
        try:
            username_id = start.widgets["Username or email"][0]
            password_id = start.widgets["Password"][0]
            submit_id = start.widgets["Sign in"][0]
        except KeyError:
            raise PageError(f"no sign-in form on the start page (title {start.title!r})") from None
        signed_in = await self.run(
            widget_states=[
                (username_id, "string_value", login),
                (password_id, "string_value", password),
                (submit_id, "trigger_value", True),
            ]
        )
        if signed_in.grant_image is None:
            raise PageError(f"{login} was not signed in" + "".join(f": {alert}" for alert in signed_in.alerts))
        self.keep_cookies(
            await asyncio.to_thread(_fetch_cookies, self.base_url + signed_in.grant_image, self.cookie_header)
        )
        if self.cookie is None:
            raise PageError(f"{login} was given no sign-in cookie")
        return signed_in


def _read_delta(message: ForwardMsg, result: PageRun) -> None:
    """Note the parts of a page the load test looks at: its title, the widgets a form
    needs, exceptions, and the sign-in image."""
    if message.delta.WhichOneof("type") != "new_element":
        return
    element = message.delta.new_element
    kind = element.WhichOneof("type")
    if kind == "exception":
        result.exceptions.append(f"{element.exception.type}: {element.exception.message}")
    elif kind == "heading" and element.heading.tag == "h1" and not result.title:
        if list(message.metadata.delta_path[:1]) == [0]:  # the page, not the sidebar
            result.title = element.heading.body
    elif kind in ("text_input", "button"):
        widget = getattr(element, kind)
        result.widgets[widget.label] = (widget.id, kind)
    elif kind == "alert":
        result.alerts.append(element.alert.body)
    elif kind == "markdown":
        result.texts.append(element.markdown.body)
        if found := _GRANT_IMAGE.search(element.markdown.body):
            result.grant_image = found.group(1)


def _fetch_cookies(url: str, cookie_header: str = "") -> list[str]:
    """GET the sign-in image with the tab's cookies; the cookies it sets (Set-Cookie values)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
    request = urllib.request.Request(url, headers={"Cookie": cookie_header} if cookie_header else {})  # noqa: S310
    with opener.open(request, timeout=PAGE_TIMEOUT) as reply:  # noqa: S310 - the bench's own server
        return reply.headers.get_all("Set-Cookie") or []


async def user_session(
    base_url: str,
    login: str,
    *,
    until: float,
    think: tuple[float, float],
    rng: random.Random,
    visits: list[Visit],
    timeout: float = PAGE_TIMEOUT,
) -> None:
    """One person until ``until`` (a ``time.monotonic`` time): sign in, visit pages of the
    navigation in random order with a think time between them. A dropped connection or a
    page with no answer is an error; the person opens the portal again (the browser keeps the
    cookie) and goes on."""
    tab = BrowserTab(base_url, timeout)
    while time.monotonic() < until:
        page = "sign in"
        try:
            await tab.open()
            if tab.cookie is None:
                signed_in = await tab.sign_in(login, DEMO_PASSWORD)
                visits.append(Visit(login, "sign in", signed_in.seconds, signed_in.title))
            else:
                start = await tab.run()
                visits.append(Visit(login, "start page", start.seconds, start.title, _exceptions(start)))
            while time.monotonic() < until:
                await asyncio.sleep(min(rng.uniform(*think), max(0.0, until - time.monotonic())))
                if time.monotonic() >= until:
                    break
                page_hash, url_path, page = rng.choice(tab.pages)
                run = await tab.run(page_hash=page_hash)
                visits.append(Visit(login, url_path or page, run.seconds, run.title, _exceptions(run)))
        except (PageError, OSError, websockets.InvalidHandshake) as error:
            visits.append(Visit(login, page, timeout, error=str(error) or type(error).__name__))
            await asyncio.sleep(think[0])  # a person reloads the tab after a moment, not at once
        finally:
            await tab.close()


def _exceptions(run: PageRun) -> str | None:
    return "; ".join(run.exceptions) if run.exceptions else None


def roles_for(sessions: int) -> list[str]:
    """The demo login of each session: the day's mix (``ROLE_CYCLE``), in order."""
    return [ROLE_CYCLE[index % len(ROLE_CYCLE)] for index in range(sessions)]


async def run_sessions(
    base_url: str,
    sessions: int,
    seconds: float,
    *,
    think: tuple[float, float] = THINK_SECONDS,
    seed: int = 15,
    timeout: float = PAGE_TIMEOUT,
) -> list[Visit]:
    """``sessions`` people on the portal at once for ``seconds``; every visit they made.
    People arrive spread over the first think time, as they would, not all in one instant."""
    if not 1 <= sessions <= MAX_SESSIONS or not 0 < seconds <= MAX_SECONDS:
        raise ValueError(f"sessions 1–{MAX_SESSIONS} and seconds up to {MAX_SECONDS}")
    visits: list[Visit] = []
    until = time.monotonic() + seconds
    rng = random.Random(seed)

    async def arrive(login: str, delay: float, person_seed: int) -> None:
        await asyncio.sleep(delay)
        await user_session(
            base_url,
            login,
            until=until,
            think=think,
            rng=random.Random(person_seed),
            visits=visits,
            timeout=timeout,
        )

    await asyncio.gather(
        *(
            arrive(login, rng.uniform(0, think[0]) if sessions > 1 else 0.0, rng.randrange(2**32))
            for login in roles_for(sessions)
        )
    )
    return visits


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PortalServer:
    """``streamlit run portal.py`` on a free loopback port, on the database ``db_path``, in
    demo mode; ``stop()`` ends it and whatever it started."""

    def __init__(self, db_path: Path, log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = {
            **os.environ,
            "PORTAL_DB_PATH": str(db_path),
            "PORTAL_DEMO_MODE": "true",
            "PORTAL_SECRET_KEY": "load-test-" + "k" * 40,
            "TMPDIR": str(log_path.parent),
        }
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 300) -> None:
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "portal.py",
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(self.port),
            "--server.fileWatcherType",
            "none",
        ]
        with self.log_path.open("w") as log:
            # its own process group: stop() ends the server and anything it started, nothing else
            self.process = subprocess.Popen(  # noqa: S603 - this Python, fixed arguments
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the portal exited early:\n{self.log_path.read_text()}")
            if "The portal is ready" in self.log_path.read_text() or self._healthy():
                return
            time.sleep(0.5)
        raise RuntimeError(f"the portal did not start in {timeout:g} s:\n{self.log_path.read_text()}")

    def _healthy(self) -> bool:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(f"{self.url}/_stcore/health", timeout=2) as reply:
                return reply.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# --- what the machine does -------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                found.extend(int(child) for child in children.read().split())
    return found


def _status_kib(pid: int, field_name: str) -> int:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        total += _status_kib(current, "VmRSS")
        pending.extend(_children(current))
    return total


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


class MemoryWatch:
    """Samples the resident memory of each server (with its children) twice a second while open."""

    def __init__(self, *pids: int, every: float = 0.5):
        self.pids, self.every = pids, every
        self.peaks_kib = dict.fromkeys(pids, 0)
        self.peak_load = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            for pid in self.pids:
                self.peaks_kib[pid] = max(self.peaks_kib[pid], tree_rss_kib(pid))
            self.peak_load = max(self.peak_load, load_average()[0])
            self._stop.wait(self.every)

    @property
    def peak_kib(self) -> int:
        """The largest server's peak."""
        return max(self.peaks_kib.values(), default=0)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --- figures -------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` between 0 and 1); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


@dataclass
class StageFigures:
    sessions: int
    visits: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    errors: int
    sign_in_p95_ms: float
    peak_rss_mib: float
    hwm_mib: float
    peak_rss_each_mib: tuple[float, ...]
    load_end: tuple[float, float, float]
    peak_load: float
    slowest: str


def stage_figures(sessions: int, visits: list[Visit], watch: MemoryWatch) -> StageFigures:
    pages = [visit for visit in visits if visit.page != "sign in" and visit.error is None]
    page_ms = [visit.seconds * 1000 for visit in pages]
    sign_ins = [visit.seconds * 1000 for visit in visits if visit.page == "sign in" and visit.error is None]
    slowest = max(pages, key=lambda visit: visit.seconds, default=None)
    return StageFigures(
        sessions=sessions,
        visits=len(page_ms),
        p50_ms=percentile(page_ms, 0.50),
        p95_ms=percentile(page_ms, 0.95),
        max_ms=max(page_ms, default=float("nan")),
        errors=sum(1 for visit in visits if visit.error),
        sign_in_p95_ms=percentile(sign_ins, 0.95),
        peak_rss_mib=watch.peak_kib / 1024,
        hwm_mib=max((_status_kib(pid, "VmHWM") for pid in watch.pids), default=0) / 1024,
        peak_rss_each_mib=tuple(kib / 1024 for kib in watch.peaks_kib.values()),
        load_end=load_average(),
        peak_load=watch.peak_load,
        slowest=f"{slowest.page} ({slowest.login})" if slowest else "",
    )


def print_table(rows: list[StageFigures]) -> None:
    header = (
        f"{'sessions':>8} {'visits':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'errors':>6} "
        f"{'sign-in p95':>11} {'peak RSS MiB':>12} {'VmHWM MiB':>9} {'load 1/5/15 at end':>18} "
        f"{'peak load':>9}  slowest"
    )
    print(header)
    for row in rows:
        load = "/".join(f"{value:.2f}" for value in row.load_end)
        print(
            f"{row.sessions:>8} {row.visits:>6} {row.p50_ms:>7.0f} {row.p95_ms:>7.0f} {row.max_ms:>7.0f} "
            f"{row.errors:>6} {row.sign_in_p95_ms:>11.0f} {row.peak_rss_mib:>12.0f} {row.hwm_mib:>9.0f} "
            f"{load:>18} {row.peak_load:>9.2f}  {row.slowest}"
        )
        if len(row.peak_rss_each_mib) > 1:
            print(f"{'':>8} peak RSS of each server, MiB: " + " / ".join(f"{mib:.0f}" for mib in row.peak_rss_each_mib))
    print("target at 50 sessions: p95 ≤ 1000 ms, 0 errors, server memory ≤ 1024 MiB")


def print_slowest_pages(visits: list[Visit], count: int = 5) -> None:
    """The pages that took longest in a stage (by median): where to look first."""
    by_page: dict[str, list[float]] = {}
    for visit in visits:
        if visit.error is None and visit.page != "sign in":
            by_page.setdefault(visit.page, []).append(visit.seconds * 1000)
    slowest = sorted(by_page.items(), key=lambda item: percentile(item[1], 0.5), reverse=True)[:count]
    print("  slowest pages: " + ", ".join(f"{page} {percentile(ms, 0.5):.0f} ms (×{len(ms)})" for page, ms in slowest))


# --- the command -----------------------------------------------------------------------------


def default_database() -> Path:
    """The large organisation of the benchmark."""
    try:
        from bench.large_org import large_database
    except ImportError:
        sys.exit("No large organisation generator here: name a database with --db FILE.")
    return large_database()


@contextlib.contextmanager
def database_copy(source: Path) -> Iterator[Path]:
    """A private copy of ``source`` (its write-ahead log and survey key too): the original is never opened."""
    folder = Path(tempfile.mkdtemp(prefix="portal-load-"))
    try:
        target = folder / "portal.duckdb"
        shutil.copyfile(source, target)
        wal = source.with_name(source.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, target.with_name(target.name + ".wal"))
        key = source.with_name(sealing.KEY_FILE_NAME)  # the open surveys' sealed answers
        if key.exists():
            shutil.copy2(key, folder / sealing.KEY_FILE_NAME)
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def warm_up(base_url: str) -> None:
    """Every page of the mix's navigations is opened once (by the first login that has it),
    so that the stages measure a warm server (modules imported, caches filled), as people
    would find it."""
    opened: set[str] = set()

    async def visit_all(login: str) -> None:
        tab = BrowserTab(base_url)
        try:
            await tab.open()
            await tab.sign_in(login, DEMO_PASSWORD)
            for page_hash, url_path, _ in list(tab.pages):
                if url_path not in opened:
                    opened.add(url_path)
                    await tab.run(page_hash=page_hash)
        finally:
            await tab.close()

    async def everyone() -> None:
        for login in dict.fromkeys(ROLE_CYCLE):
            await visit_all(login)

    asyncio.run(everyone())


def _stop_on_signals() -> None:
    """Ctrl-C and a plain ``kill`` both end the run through ``finally``, which stops the server
    (SIGINT too: a shell starts a background job with it ignored)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)


def server_pids(cluster_folder: Path) -> list[int]:
    """The portal servers of a running cluster (``scripts/cluster.py`` keeps their pid files)."""
    pids_folder = cluster_folder / "pids"
    if not pids_folder.is_dir():
        sys.exit(f"No pid files in {pids_folder}: is the cluster running (`make cluster`)?")
    return [int(path.read_text()) for path in sorted(pids_folder.glob("portal-*.pid"))]


def run_stages(url: str, pids: list[int], args: argparse.Namespace) -> list[StageFigures]:
    """Warm the portal up, then each session count for ``args.seconds``; one row a stage."""
    rows: list[StageFigures] = []
    if not args.no_warm_up:
        started = time.perf_counter()
        warm_up(url)
        print(f"warm-up: every page of each login once, {time.perf_counter() - started:.1f} s", flush=True)
    for sessions in args.sessions:
        with MemoryWatch(*pids) as watch:
            visits = asyncio.run(
                run_sessions(url, sessions, args.seconds, think=tuple(args.think), timeout=args.timeout)
            )
        rows.append(stage_figures(sessions, visits, watch))
        for visit in visits:
            if visit.error:
                print(f"  error: {visit.login} on {visit.page}: {visit.error[:300]}")
        print_table(rows[-1:])
        print_slowest_pages(visits)
        print(flush=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="database to copy (default: the large organisation)")
    parser.add_argument("--url", help="a portal already running (in demo mode) to visit instead of starting one")
    parser.add_argument(
        "--cluster", type=Path, help="with --url: the cluster's folder, whose servers' memory is watched"
    )
    parser.add_argument("--sessions", type=int, nargs="+", default=list(SESSION_COUNTS))
    parser.add_argument("--seconds", type=float, default=SECONDS, help="length of each stage")
    parser.add_argument("--think", type=float, nargs=2, default=THINK_SECONDS, metavar=("MIN", "MAX"))
    parser.add_argument("--timeout", type=float, default=PAGE_TIMEOUT, help="seconds a page may take")
    parser.add_argument("--no-warm-up", action="store_true")
    args = parser.parse_args(argv)
    if any(not 1 <= count <= MAX_SESSIONS for count in args.sessions) or not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"sessions 1–{MAX_SESSIONS}, seconds up to {MAX_SECONDS}")
    if args.cluster and not args.url:
        parser.error("--cluster goes with --url")
    _stop_on_signals()
    rows: list[StageFigures] = []
    if args.url:
        pids = server_pids(args.cluster) if args.cluster else []
        print(f"portal on {args.url}, {len(pids)} server(s) watched", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            rows = run_stages(args.url.rstrip("/"), pids, args)
    else:
        source = args.db or default_database()
        with database_copy(source) as db_path:
            server = PortalServer(db_path, db_path.with_name("server.log"))
            try:
                started = time.perf_counter()
                server.start()
                print(
                    f"portal on {server.url} ({source.name}) ready in {time.perf_counter() - started:.1f} s", flush=True
                )
                rows = run_stages(server.url, [server.process.pid], args)
            except KeyboardInterrupt:
                print("interrupted: stopping the portal", file=sys.stderr)
            finally:
                server.stop()
    if rows:
        print_table(rows)


if __name__ == "__main__":
    main()
