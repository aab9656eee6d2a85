"""A killed import never leaves half of itself: after any stop, reopening the database shows
the complaints before the import or before plus the whole file, and every complaint's import
has its record and its audit entry.

DuckDB writes a large append's row groups to the file before the commit; a write-ahead log
cut short at the commit can bring those rows back without the rest of the transaction. The
check run when the database is opened (``models.complaints.consistency``) removes them."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from models.access import Role
from models.db import Database, forget_database, get_database
from tests.complaints_support import TEMPLATE_HEADER, complaint, import_rows, write_csv
from tests.conftest import add_person

PROJECT = Path(__file__).resolve().parents[1]
FILE_ROWS = 20_000
KILLS = 24  # spread over the commit window, two processes at a time
WAIT = 120.0  # seconds a process may take to reach a point before the test gives up
STARTED: list[subprocess.Popen] = []  # every process the tests start, all ended and reaped by the end

# complaints whose import lacks its record or its audit entry: never there after a reopen
UNACCOUNTED_SQL = """
    SELECT count(*) FROM complaints c
    WHERE NOT EXISTS (SELECT 1 FROM complaint_imports i WHERE i.id = c.import_id)
       OR NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'complaint_import' AND a.action = 'import'
                      AND a.entity_id = CAST(c.import_id AS VARCHAR))
"""


def rows(count: int, start: int = 0) -> list[list[str]]:
    """Template rows with distinct external ids; customers repeat, so imports find repeats."""
    return [
        complaint(
            f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
            f"Category {n % 9}",
            channel=("Phone", "Email", "Web form")[n % 3],
            customer_id=f"C{n % 4000:05d}",
            narrative="" if n % 4 else f"Complaint number {n}, about a fee.",
            external_id=f"K{n:07d}",
        )
        for n in range(start, start + count)
    ]


def make_base(folder: Path, stored: list[list[str]]) -> Path:
    """A closed database with an analyst who signs in as ``analyst`` and ``stored`` imported."""
    path = folder / "base.duckdb"
    database = Database(path)
    try:
        database.migrate()
        analyst = add_person(database, Role.ANALYST, username="analyst")
        import_rows(database, analyst, folder, stored, "stored.csv")
    finally:
        database.close()
    return path


@dataclass
class State:
    complaints: int
    imports: int
    unaccounted: int
    rows_of_newest: int | None
    removed_on_open: int = field(default=0)


def reopen(path: Path) -> State:
    """Open the file as the portal does (migrations and the checks on open), then look."""
    database = get_database(path)
    try:
        return State(
            complaints=database.scalar("SELECT count(*) FROM complaints"),
            imports=database.scalar("SELECT count(*) FROM complaint_imports"),
            unaccounted=database.scalar(UNACCOUNTED_SQL),
            rows_of_newest=database.scalar("SELECT rows_imported FROM complaint_imports ORDER BY id DESC LIMIT 1"),
            removed_on_open=database.scalar("SELECT count(*) FROM audit_log WHERE action = 'remove_incomplete'"),
        )
    finally:
        forget_database(path)


def assert_all_or_nothing(state: State, before: State, file_rows: int, where: str) -> str:
    """Before, or before plus the whole file with its one import record; never anything else."""
    assert state.unaccounted == 0, f"{where}: complaints without their import's record or audit entry"
    if state.complaints == before.complaints:
        assert state.imports == before.imports, f"{where}: an import record without its complaints"
        return "before"
    assert state.complaints == before.complaints + file_rows, f"{where}: {state.complaints:,} complaints"
    assert (state.imports, state.rows_of_newest) == (before.imports + 1, file_rows), where
    return "imported"


# -- the real command line, killed ------------------------------------------------------
@dataclass
class Run:
    """One ``python -m models.admin import-complaints`` process and when it printed what."""

    process: subprocess.Popen
    log: Path
    seen: dict[str, float] = field(default_factory=dict)
    events: dict[str, threading.Event] = field(
        default_factory=lambda: {"100%": threading.Event(), "Imported": threading.Event()}
    )

    def watch(self) -> None:
        for line in self.process.stdout:
            for marker, event in self.events.items():
                if marker in line and not event.is_set():
                    self.seen[marker] = time.monotonic()
                    event.set()

    def wait_for(self, marker: str) -> float:
        """When the marker line was printed, or now when the process ended without it."""
        deadline = time.monotonic() + WAIT
        while not self.events[marker].wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                return time.monotonic()
        return self.seen[marker]

    def wait_for_log(self, present: bool) -> float:
        """When the write-ahead log file appeared (the commit writes it) or went (the
        checkpoint on close), or now when the process ended first."""
        deadline = time.monotonic() + WAIT
        while self.log.exists() != present and self.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.0002)
        return time.monotonic()


def start_import(db_path: Path, csv_path: Path) -> Run:
    process = subprocess.Popen(
        [sys.executable, "-m", "models.admin", "--db", str(db_path), "import-complaints", str(csv_path),
         "--as", "analyst", "--preset", "portal"],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    STARTED.append(process)
    run = Run(process, Path(f"{db_path}.wal"))
    threading.Thread(target=run.watch, daemon=True).start()
    return run


@dataclass(frozen=True)
class Kill:
    after: str  # "100%": the line printed just before COMMIT; "log": the log file appearing
    delay: float  # seconds after that

    def __str__(self) -> str:
        return f"killed {self.delay * 1000:.1f} ms after {self.after}"


def timed_import(base: Path, db_path: Path, csv_path: Path) -> dict[str, float]:
    """An uninterrupted import: seconds from the "100%" line to the log file appearing, to
    its removal by the checkpoint on close, and to the "Imported" line."""
    shutil.copy(base, db_path)
    run = start_import(db_path, csv_path)
    try:
        committing = run.wait_for("100%")
        log_written = run.wait_for_log(present=True)
        log_gone = run.wait_for_log(present=False)
        done = run.wait_for("Imported")
        assert run.process.wait(WAIT) == 0
        return {"log": log_written - committing, "checkpointed": log_gone - log_written, "done": done - committing}
    finally:
        end(run)


def killed_import(base: Path, db_path: Path, csv_path: Path, kill: Kill) -> None:
    """Copy the base, import the file into it and SIGKILL the process at ``kill``."""
    shutil.copy(base, db_path)
    run = start_import(db_path, csv_path)
    try:
        moment = run.wait_for("100%")
        if kill.after == "log":
            moment = run.wait_for_log(present=True)
        time.sleep(max(0.0, moment + kill.delay - time.monotonic()))
        run.process.send_signal(signal.SIGKILL)
        run.process.wait(WAIT)
    finally:
        end(run)


def end(run: Run) -> None:
    if run.process.poll() is None:
        run.process.kill()
    run.process.wait()
    run.process.stdout.close()


def kill_plan(timing: dict[str, float]) -> list[Kill]:
    """Half the kills spread evenly from the "100%" line to past the end of the work, half
    from the log file appearing to past the checkpoint, closest where the log is written."""
    half = KILLS // 2
    return [Kill("100%", 1.2 * timing["done"] * k / (half - 1)) for k in range(half)] + [
        Kill("log", 1.2 * timing["checkpointed"] * (k / (half - 1)) ** 2) for k in range(half)
    ]


def test_a_command_line_import_killed_anywhere_in_its_commit_leaves_all_of_it_or_none(tmp_path):
    base = make_base(tmp_path, rows(1_000, start=FILE_ROWS))
    csv_path = write_csv(tmp_path / "complaints.csv", TEMPLATE_HEADER, rows(FILE_ROWS))
    before = reopen(base)
    lanes = [tmp_path / "lane0.duckdb", tmp_path / "lane1.duckdb"]  # two processes at a time
    outcomes: list[str] = []
    with ThreadPoolExecutor(max_workers=len(lanes)) as pool:
        timings = list(pool.map(lambda lane: timed_import(base, lane, csv_path), lanes))
        for lane in lanes:
            assert assert_all_or_nothing(reopen(lane), before, FILE_ROWS, "uninterrupted") == "imported"
        timing = {key: max(t[key] for t in timings) for key in timings[0]}
        plan = kill_plan(timing)
        for first in range(0, len(plan), len(lanes)):
            jobs = list(zip(lanes, plan[first : first + len(lanes)], strict=False))
            list(pool.map(lambda job: killed_import(base, job[0], csv_path, job[1]), jobs))
            for lane, kill in jobs:
                outcomes.append(assert_all_or_nothing(reopen(lane), before, FILE_ROWS, str(kill)))
    assert len(outcomes) >= 20
    assert len(STARTED) == len(plan) + len(lanes) and all(p.returncode is not None for p in STARTED)
    print(
        f"after the 100% line: log at {timing['log'] * 1000:.0f} ms, checkpointed "
        f"{timing['checkpointed'] * 1000:.0f} ms later, done at {timing['done'] * 1000:.0f} ms; "
        f"{len(outcomes)} kills: {outcomes.count('before')} before, {outcomes.count('imported')} imported"
    )


# -- the log cut short, deterministically -----------------------------------------------
def test_a_commit_cut_short_in_the_log_never_shows_complaints_without_their_import(tmp_path):
    """The write-ahead log of a committed import is cut at many points, as a kill during its
    write would leave it; every reopen shows the import whole or not at all."""
    base_rows = rows(1_000, start=200_000)
    big = rows(123_000)  # more than a row group (122,880): appended to the file before the commit
    path = tmp_path / "portal.duckdb"
    database = Database(path)
    try:
        database.migrate()
        analyst = add_person(database, Role.ANALYST, username="analyst")
        import_rows(database, analyst, tmp_path, base_rows, "stored.csv")
        database.scalar("SET threads = 1")  # one writer thread: the row group is written before the commit
        database.scalar("CHECKPOINT")
        import_rows(database, analyst, tmp_path, big, "big.csv")
        wal = Path(f"{path}.wal")
        shutil.copy(path, tmp_path / "kept.duckdb")
        log = wal.read_bytes()
    finally:
        database.close()
    before = State(complaints=len(base_rows), imports=1, unaccounted=0, rows_of_newest=len(base_rows))
    # evenly over the log, and finely over its end, where the last entries and the commit are
    cuts = sorted({len(log) * k // 16 for k in range(17)} | {len(log) - 128 * k for k in range(1, 17)})
    outcomes = []
    for cut in cuts:
        torn = tmp_path / "torn.duckdb"
        shutil.copy(tmp_path / "kept.duckdb", torn)
        Path(f"{torn}.wal").write_bytes(log[: max(cut, 0)])
        outcomes.append(assert_all_or_nothing(reopen(torn), before, len(big), f"log cut at byte {cut}"))
    assert outcomes[0] == "before" and outcomes[-1] == "imported"
