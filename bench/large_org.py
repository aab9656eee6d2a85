"""The large benchmark organisation of SPEC §10, built by the demo generator at
``LARGE_SCALE``: about 5,000 employees, 1,000,000 complaints, 20,000 ideas over three years
of quarterly cycles with their supports, comments and scores, 300,000 training records, a
year of kudos and eight surveys.

Benchmarks call ``large_database()`` for the file: built once under ``data/bench/`` and
reused while the seed, the scale, the day and the demo's code and migrations are the same (a
change to any of them builds it afresh). ``python -m bench.large_org`` builds it (or finds
it) and prints each area's seconds and what it holds."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

from models import areas, demo
from models.db import Database
from models.seeding import LARGE_SCALE

SEED = 2026
ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "data" / "bench"
# what the demo builds from: its steps, their bulk writes, its texts and the schema
DEMO_SOURCES = (
    "models/demo.py",
    "models/seeding.py",
    "models/areas.py",
    "models/*/demo*.py",
    "models/*/bulk.py",
    "data/demo/*",
    "models/migrations/*.sql",
)
COUNTS = {
    "employees": "SELECT count(*) FROM employees",
    "complaints": "SELECT count(*) FROM complaints",
    "ideas": "SELECT count(*) FROM ideas",
    "supports": "SELECT count(*) FROM idea_supports",
    "comments": "SELECT count(*) FROM idea_comments",
    "scores": "SELECT count(*) FROM idea_scores",
    "training assignments": "SELECT count(*) FROM training_assignments",
    "training completions": "SELECT count(*) FROM training_completions",
    "kudos": "SELECT count(*) FROM kudos",
    "surveys": "SELECT count(*) FROM surveys",
    "survey answers": "SELECT count(*) FROM survey_answers",
    "survey participation": "SELECT count(*) FROM survey_participation",
}


def build_key(seed: int = SEED, scale: float = LARGE_SCALE, today: date | None = None) -> str:
    """What the built file depends on: seed, scale, day and a hash of the demo's sources."""
    digest = hashlib.sha256()
    for pattern in DEMO_SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file():
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return f"seed{seed}-scale{scale:g}-{(today or date.today()).isoformat()}-{digest.hexdigest()[:12]}"


def large_database(path: Path | None = None) -> Path:
    """The large organisation's database file, built if it is missing or out of date.
    Default: ``data/bench/large-org-<key>.duckdb``. Open a copy to write to it."""
    key = build_key()
    target = Path(path) if path is not None else FOLDER / f"large-org-{key}.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_suffix(".lock"), "w") as lock:  # one build at a time; the others wait and reuse it
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _built_info(target).get("key") != key:
            _build(target, key)
    return target


def _info_path(target: Path) -> Path:
    return target.with_suffix(".json")


def _built_info(target: Path) -> dict:
    """What the last build of ``target`` recorded (key, seconds per area, counts), if it finished."""
    info = _info_path(target)
    if not target.exists() or not info.exists():
        return {}
    return json.loads(info.read_text(encoding="utf-8"))


def _build(target: Path, key: str) -> None:
    building = target.with_name(f"{target.name}.building")
    for leftover in (building, building.with_name(f"{building.name}.wal"), target, _info_path(target)):
        leftover.unlink(missing_ok=True)
    if target.parent == FOLDER:  # earlier days' or code's builds are of no more use
        for stale in FOLDER.glob("large-org-*.duckdb"):
            if stale != target:
                for part in (stale, stale.with_suffix(".json"), stale.with_suffix(".lock")):
                    part.unlink(missing_ok=True)
    database = Database(building)
    database.start_up()  # the schema and the default catalogue, as the portal opens it
    seconds: dict[str, float] = {}
    cpu_seconds: dict[str, float] = {}  # on a shared machine the wall time is mostly waiting

    def timed(name, step):
        def run(db, org, progress):
            started, cpu_started = time.perf_counter(), time.process_time()
            step(db, org, progress)
            seconds[name] = round(time.perf_counter() - started, 2)
            cpu_seconds[name] = round(time.process_time() - cpu_started, 2)
            print(f"  {name:<14} {seconds[name]:8.1f} s (CPU {cpu_seconds[name]:.1f} s)", flush=True)

        return run

    started = time.perf_counter()
    print(f"Building the large organisation (scale {LARGE_SCALE}, seed {SEED})…", flush=True)
    steps = [(name, timed(name, step)) for name, step in areas.demo_steps()]
    demo.seed(database, seed=SEED, scale=LARGE_SCALE, steps=steps)
    seconds["total"] = round(time.perf_counter() - started, 2)
    cpu_seconds["total"] = round(sum(cpu_seconds.values()), 2)
    counts = {name: database.scalar(sql) for name, sql in COUNTS.items()}
    database.close()  # closing checkpoints: the file alone is the whole database
    building.replace(target)
    info = {"key": key, "seconds": seconds, "cpu_seconds": cpu_seconds, "counts": counts, "load_after": os.getloadavg()}
    _info_path(target).write_text(json.dumps(info, indent=2), encoding="utf-8")


def main() -> None:
    load_before = os.getloadavg()
    path = large_database(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    info = _built_info(path)
    print(f"Large organisation — {path} — {os.cpu_count()} CPU cores")
    print(
        f"  load average before {' '.join(f'{x:.2f}' for x in load_before)},"
        f" after the build {' '.join(f'{x:.2f}' for x in info['load_after'])}"
    )
    print("  seconds per area when it was built (wall, CPU):")
    for name, value in info["seconds"].items():
        print(f"    {name:<14} {value:8.1f} {info['cpu_seconds'].get(name, float('nan')):8.1f}")
    print("  counts:")
    for name, value in info["counts"].items():
        print(f"    {name:<22} {value:>10,}")
    counts = info["counts"]
    print(f"    {'training records':<22} {counts['training assignments'] + counts['training completions']:>10,}")


if __name__ == "__main__":
    main()
