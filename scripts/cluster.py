"""Several portal servers on one machine: PostgreSQL, two or more portal servers sharing it and
HAProxy in front, all on 127.0.0.1 (README, "Several servers").

``python -m scripts.cluster start [--servers N] [--port P]`` and ``python -m scripts.cluster stop``
(``make cluster`` and ``make cluster-stop``). Everything lives in ``data/cluster/``, readable
by its owner only:

- ``postgres/`` — PostgreSQL 15's data folder (Debian's package), made once by ``initdb``. It
  listens on 127.0.0.1 only, with no Unix socket, and asks for a password (scram-sha-256): on a
  shared machine anyone may connect to loopback, and trust would let any local user into the
  portal's data. The password is generated once into ``postgres_password``; the servers get it
  as ``PGPASSWORD``.
- ``secret_key`` — the key that signs sign-in cookies, generated once and given to every server
  as ``PORTAL_SECRET_KEY``, so a cookie from one server is good on all of them.
- ``servers/`` — each server's own files (``portal-N.duckdb``); one folder for all, so the
  survey key beside them is one key for every server.
- ``haproxy.cfg`` — the balancer: round robin, sticky by a cookie of its own (Streamlit's
  websocket and its media files stay on the server that runs the session), health checks on
  ``/_stcore/health``.
- ``pids/`` and ``logs/`` — what ``stop`` ends and what each process printed.

``start --from path/to/portal.duckdb`` (``make cluster FROM=…``) moves an existing portal's
DuckDB file into the cluster's PostgreSQL on a start that finds it empty, instead of the demo
(``models.pg_move``): the file is only read, its survey key is copied into ``servers/`` and its
cookie-signing key, when the cluster has none yet, into ``secret_key``. A start that finds the
database holding a portal leaves it as it is. ``--folder`` and ``--postgres-port`` start a
cluster on another such folder (a PostgreSQL data folder in ``postgres/``, its password in
``postgres_password``).

The first server starts alone: it migrates the database and, in demo mode, seeds the demo;
the others start once it answers, and find the migrations applied (two servers starting at
once would wait for each other on the migration lock, but only one of them should seed)."""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from models.db import PRIVATE_FILE_MODE, make_private, private_folder

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_BIN = Path(os.environ.get("PORTAL_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
POSTGRES_USER = "portal"
DATABASE_NAME = "portal"
BALANCER_COOKIE = "portal_server"
DEFAULT_FOLDER = ROOT / "data" / "cluster"
DEFAULT_PORT = 8501  # the balancer: where people open the portal, as with `make run`
DEFAULT_POSTGRES_PORT = 54329
START_TIMEOUT = 600.0  # the first server seeds the demo before it answers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(url: str, *, cookie: str | None = None, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """GET ``url`` (never through a proxy): status, headers (Set-Cookie joined) and body."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310 - loopback
    try:
        with opener.open(request, timeout=timeout) as reply:
            headers = {name.lower(): value for name, value in reply.headers.items()}
            headers["set-cookie"] = "; ".join(reply.headers.get_all("Set-Cookie") or [])
            return reply.status, headers, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, {}, b""


def healthy(base_url: str) -> bool:
    try:
        return http_get(f"{base_url}/_stcore/health", timeout=2)[0] == 200
    except OSError:
        return False


def private_secret(path: Path, make: Callable[[], str]) -> str:
    """The secret kept in ``path``, made once by ``make()`` (readable by its owner only)."""
    private_folder(path.parent)
    with contextlib.suppress(FileExistsError):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(make())
    make_private(path)
    return path.read_text().strip()


# -- processes ---------------------------------------------------------------------------------


def as_postgres_user() -> list[str]:
    """PostgreSQL refuses to run as root: as root, its programs run in a user namespace of their
    own under the postgres user's id, so the files stay root's and need no other permission."""
    if os.geteuid() != 0:
        return []
    try:
        uid = pwd.getpwnam("postgres").pw_uid
    except KeyError:
        uid = 1000
    unshare = shutil.which("unshare")
    if unshare is None:
        raise RuntimeError("running as root needs unshare (util-linux) to start PostgreSQL")
    return [unshare, "--user", f"--map-user={uid}", f"--map-group={uid}"]


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def stop_process_group(pid: int, *, expect: str, timeout: float = 20.0) -> bool:
    """End the process group that ``pid`` leads (SIGTERM, then SIGKILL after ``timeout``), if
    ``pid`` still runs a command line holding ``expect`` (a pid file outlives its process, and
    the number may belong to another by now). Whether something was stopped."""
    if expect not in _command_line(pid):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and expect in _command_line(pid) and not _is_zombie(pid):
        time.sleep(0.2)
    if expect in _command_line(pid) and not _is_zombie(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    return True


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


@dataclass
class PortalProcess:
    """One ``streamlit run portal.py`` on 127.0.0.1:``port`` in a process group of its own."""

    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
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
            "--browser.gatherUsageStats",
            "false",
        ]
        private_folder(self.log_path.parent)
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603 - this Python, fixed arguments
                command,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def wait_until_healthy(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{_tail(self.log_path)}")
            if healthy(self.url):
                return
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} did not answer in {timeout:g} s:\n{_tail(self.log_path)}")

    def kill(self) -> None:
        """Kill -9 the server, as a power cut or the kernel's OOM killer would."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop_process_group(self.process.pid, expect="streamlit")
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)


def _tail(path: Path, lines: int = 40) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


def haproxy_config(port: int, servers: list[PortalProcess]) -> str:
    """The balancer in front of ``servers``: round robin for a new visitor, then the same
    server for as long as the browser keeps the balancer's cookie (Streamlit's session — its
    websocket, a reconnect, its media files — lives in one server's memory)."""
    lines = [
        "global",
        "    maxconn 2000",
        "defaults",
        "    mode http",
        "    timeout connect 5s",
        "    timeout client 120s",
        "    timeout server 120s",
        "    timeout tunnel 8h",  # an open websocket: a person's tab
        "    option forwardfor",
        "frontend portal",
        f"    bind 127.0.0.1:{port}",
        "    default_backend portal_servers",
        "backend portal_servers",
        "    balance roundrobin",
        f"    cookie {BALANCER_COOKIE} insert indirect nocache httponly attr SameSite=Strict",
        "    option httpchk",
        "    http-check send meth GET uri /_stcore/health",
        "    http-check expect status 200",
    ]
    lines += [
        f"    server {server.name} 127.0.0.1:{server.port} check inter 2s fall 2 rise 2 cookie {server.name}"
        for server in servers
    ]
    return "\n".join(lines) + "\n"


@dataclass
class Balancer:
    """HAProxy (Debian's package) on 127.0.0.1:``port``, in front of the portal servers."""

    port: int
    config_path: Path
    log_path: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @staticmethod
    def program() -> str | None:
        return shutil.which("haproxy") or next(
            (str(path) for path in (Path("/usr/sbin/haproxy"),) if path.is_file()), None
        )

    def start(self, servers: list[PortalProcess]) -> None:
        program = self.program()
        if program is None:
            raise RuntimeError("HAProxy is not installed: run scripts/ensure-haproxy")
        private_folder(self.config_path.parent)
        self.config_path.write_text(haproxy_config(self.port, servers))
        make_private(self.config_path)
        subprocess.run([program, "-c", "-q", "-f", str(self.config_path)], check=True, timeout=30)  # noqa: S603
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603 - Debian's haproxy, our configuration
                [program, "-db", "-f", str(self.config_path)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def wait_until_healthy(self, timeout: float = 30.0) -> None:
        """Until the balancer answers the health check through a server it has found up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"HAProxy exited:\n{_tail(self.log_path)}")
            if healthy(self.url):
                return
            time.sleep(0.3)
        raise RuntimeError(f"HAProxy did not answer in {timeout:g} s:\n{_tail(self.log_path)}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop_process_group(self.process.pid, expect="haproxy")
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)


# -- PostgreSQL --------------------------------------------------------------------------------


@dataclass
class Postgres:
    """PostgreSQL 15 in a data folder of the cluster's own, made once by ``initdb``."""

    folder: Path
    port: int = DEFAULT_POSTGRES_PORT

    @property
    def data(self) -> Path:
        return self.folder / "postgres"

    @property
    def password_file(self) -> Path:
        return self.folder / "postgres_password"

    @property
    def log_path(self) -> Path:
        return self.folder / "logs" / "postgres.log"

    def password(self) -> str:
        return private_secret(self.password_file, lambda: secrets.token_urlsafe(32))

    def url(self, database: str = DATABASE_NAME) -> str:
        return f"postgresql://{POSTGRES_USER}@127.0.0.1:{self.port}/{database}"

    def url_with_password(self, database: str = DATABASE_NAME) -> str:
        """For this process's own connections only: never on a command line or in a log."""
        return f"postgresql://{POSTGRES_USER}:{quote(self.password(), safe='')}@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - PostgreSQL's own programs
            [*as_postgres_user(), *command],
            check=True,
            capture_output=True,
            text=True,
            cwd=self.folder,
            env={**os.environ, **(env or {})},
            timeout=120,
        )

    def initialise(self) -> None:
        """``initdb`` once: the portal's user with the generated password, scram-sha-256 on
        loopback, no Unix socket, listening on 127.0.0.1 only."""
        if (self.data / "PG_VERSION").exists():
            return
        if not (POSTGRES_BIN / "initdb").is_file():
            raise RuntimeError(f"PostgreSQL 15 is not installed ({POSTGRES_BIN}): run scripts/ensure-postgres")
        self.password()
        private_folder(self.folder)
        self._run(
            str(POSTGRES_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            POSTGRES_USER,
            f"--pwfile={self.password_file}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# the portal's cluster (scripts/cluster.py)\n"
                "listen_addresses = '127.0.0.1'\n"
                "unix_socket_directories = ''\n"
                "max_connections = 200\n"
            )

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists() and self._status() == 0

    def _status(self) -> int:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "status")
            return 0
        return 3

    def start(self) -> None:
        self.initialise()
        if self.running():
            return
        private_folder(self.log_path.parent)
        self._run(
            str(POSTGRES_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            f"-p {self.port}",
            "-l",
            str(self.log_path),
            "-w",
            "-t",
            "60",
            "start",
        )
        self.create_database(DATABASE_NAME)

    def create_database(self, name: str) -> None:
        psql = [str(POSTGRES_BIN / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", self.url("postgres")]
        env = {"PGPASSWORD": self.password()}
        exists = subprocess.run(  # noqa: S603
            [*psql, "-c", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            timeout=60,
        ).stdout.strip()
        if not exists:
            subprocess.run(  # noqa: S603
                [*psql, "-c", f'CREATE DATABASE "{name}"'],
                check=True,
                capture_output=True,
                env={**os.environ, **env},
                timeout=60,
            )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run(str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")


# -- the cluster -------------------------------------------------------------------------------


@dataclass
class Cluster:
    """PostgreSQL, ``servers`` portal servers and HAProxy on ``port``, kept in ``folder``."""

    folder: Path = DEFAULT_FOLDER
    servers: int = 2
    port: int = DEFAULT_PORT
    postgres_port: int = DEFAULT_POSTGRES_PORT
    server_ports: list[int] | None = None  # by default the ports from the balancer's + 10 on
    extra_env: dict[str, str] = field(default_factory=dict)
    move_from: Path | None = None  # a portal's DuckDB file, moved in on a start that finds PostgreSQL empty

    def __post_init__(self) -> None:
        self.postgres = Postgres(self.folder, self.postgres_port)

    @property
    def pids(self) -> Path:
        return self.folder / "pids"

    def secret_key(self) -> str:
        return private_secret(self.folder / "secret_key", lambda: secrets.token_urlsafe(48))

    def server_env(self, number: int) -> dict[str, str]:
        return {
            "PORTAL_DATABASE_URL": self.postgres.url(),
            "PGPASSWORD": self.postgres.password(),
            "PORTAL_SECRET_KEY": self.secret_key(),
            "PORTAL_DB_PATH": str(self.folder / "servers" / f"portal-{number}.duckdb"),
            "PORTAL_DEMO_MODE": os.environ.get("PORTAL_DEMO_MODE", "true"),
            **self.extra_env,
        }

    def portal_processes(self) -> list[PortalProcess]:
        ports = self.server_ports or [self.port + 10 + number for number in range(self.servers)]
        return [
            PortalProcess(
                f"portal-{number}",
                ports[number - 1],
                self.server_env(number),
                self.folder / "logs" / f"portal-{number}.log",
            )
            for number in range(1, self.servers + 1)
        ]

    def _write_pid(self, name: str, pid: int) -> None:
        private_folder(self.pids)
        (self.pids / f"{name}.pid").write_text(f"{pid}\n")

    def start(self, say: Callable[[str], object] = print) -> list[PortalProcess]:
        if self.running_pids():
            raise RuntimeError("the cluster is already running: `make cluster-stop` first")
        private_folder(self.folder)
        say(f"PostgreSQL on 127.0.0.1:{self.postgres.port} (data in {self.postgres.data})")
        self.postgres.start()
        if self.move_from is not None:
            self.move_in(self.move_from, say)
        portals = self.portal_processes()
        try:
            for position, portal in enumerate(portals):
                portal.start()
                self._write_pid(portal.name, portal.process.pid)
                if position == 0:  # it migrates and seeds alone; the others find it done
                    say(f"{portal.name} on {portal.url}: migrating (and seeding the demo in demo mode)…")
                    portal.wait_until_healthy()
            for portal in portals[1:]:
                portal.wait_until_healthy()
                say(f"{portal.name} on {portal.url}")
            balancer = Balancer(self.port, self.folder / "haproxy.cfg", self.folder / "logs" / "haproxy.log")
            balancer.start(portals)
            self._write_pid("haproxy", balancer.process.pid)
            balancer.wait_until_healthy()
        except BaseException:
            self.stop(say=lambda text: None)
            raise
        say(f"The portal: {balancer.url} (HAProxy in front of {len(portals)} servers). `make cluster-stop` ends it.")
        return portals

    def move_in(self, source: Path, say: Callable[[str], object] = print) -> None:
        """Move the portal of the DuckDB file ``source`` into the cluster's PostgreSQL, when it
        holds nothing yet; its keys go where the servers find them."""
        from models import pg_move  # the postgres extension loads only for a move

        url = self.postgres.url_with_password()
        if not pg_move.holds_nothing(url):
            say(f"PostgreSQL already holds a portal: {source} was not moved (remove {self.folder} to start afresh)")
            return
        say(f"Moving {source} into PostgreSQL…")
        try:
            report = pg_move.move_to_postgres(source, url, servers_folder=self.folder / "servers", progress=say)
        except pg_move.MoveError as error:
            raise RuntimeError(str(error)) from None
        signing_key = Path(source).resolve().parent / pg_move.SIGNING_KEY
        kept = self.folder / "secret_key"
        if signing_key.is_file() and not kept.exists():  # sign-ins made on the old server stay good
            private_secret(kept, lambda: signing_key.read_text().strip())
        say(f"Moved {report.rows:,} rows in {len(report.tables)} tables in {report.seconds:.1f} s.")

    def running_pids(self) -> dict[str, int]:
        found = {}
        for pid_file in sorted(self.pids.glob("*.pid")) if self.pids.is_dir() else []:
            with contextlib.suppress(ValueError, OSError):
                pid = int(pid_file.read_text())
                if _command_line(pid) and not _is_zombie(pid):
                    found[pid_file.stem] = pid
        return found

    def stop(self, say: Callable[[str], object] = print) -> None:
        """The balancer first (no new visitors), then the portal servers, then PostgreSQL."""
        pid_files = (
            sorted(self.pids.glob("*.pid"), key=lambda path: path.stem != "haproxy") if self.pids.is_dir() else []
        )
        for pid_file in pid_files:
            with contextlib.suppress(ValueError, OSError):
                pid = int(pid_file.read_text())
                expect = "haproxy" if pid_file.stem == "haproxy" else "streamlit"
                if stop_process_group(pid, expect=expect):
                    say(f"stopped {pid_file.stem}")
            pid_file.unlink(missing_ok=True)
        if self.postgres.running():
            self.postgres.stop()
            say("stopped PostgreSQL")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--servers", type=int, default=int(os.environ.get("PORTAL_SERVERS", "2")))
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="the balancer's port")
    parser.add_argument("--postgres-port", type=int, default=DEFAULT_POSTGRES_PORT)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument(
        "--from",
        dest="move_from",
        type=Path,
        default=os.environ.get("PORTAL_MOVE_FROM") or None,
        help="a portal's DuckDB file to move into PostgreSQL on a start that finds it empty (read only)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.servers <= 16:
        parser.error("--servers: 1 to 16")
    cluster = Cluster(args.folder.resolve(), args.servers, args.port, args.postgres_port, move_from=args.move_from)
    try:
        if args.action == "start":
            cluster.start()
        elif args.action == "stop":
            cluster.stop()
        else:
            running = cluster.running_pids()
            print("\n".join(f"{name}: pid {pid}" for name, pid in running.items()) or "not running")
            print("PostgreSQL: " + ("running" if cluster.postgres.running() else "stopped"))
    except (RuntimeError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", None)
        sys.exit(f"cluster: {error}" + (f"\n{detail}" if detail else ""))


if __name__ == "__main__":
    main()
