"""The training demo step on the small organisation and the benchmark one.

Seeds the demo organisation at scale 1 and at the chosen scale (33 by default: about 5,300
people), each into a file of its own with every demo step, and reports the training step's
time (wall and CPU) and what it made: assignments, completions, records per person, people
overdue and certificates expiring within 30 days. ``python -m bench.bench_training_demo [scale]``."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from models import areas, demo
from models.db import Database

SCALE = 33.0
SEED = 2026


def seed_and_time(path: Path, scale: float) -> dict:
    """Seed the whole demo at ``scale`` into ``path``; the training step's times and records."""
    database = Database(path)
    database.start_up()  # the schema and the default catalogue, as the portal opens it
    timings: dict[str, float] = {}
    steps = []
    for name, step in areas.demo_steps():
        if name == "training":

            def timed(db, org, progress, step=step):
                started, cpu_started = time.perf_counter(), time.process_time()
                step(db, org, progress)
                timings["seconds"] = time.perf_counter() - started
                timings["cpu_seconds"] = time.process_time() - cpu_started

            steps.append((name, timed))
        else:
            steps.append((name, step))
    started = time.perf_counter()
    today = date.today()
    demo.seed(database, seed=SEED, scale=scale, today=today, steps=steps)
    timings["seed_seconds"] = time.perf_counter() - started
    counts = database.query_one(
        "SELECT (SELECT count(*) FROM employees) AS people,"
        " (SELECT count(*) FROM training_assignments) AS assignments,"
        " (SELECT count(*) FROM training_completions) AS completions,"
        " (SELECT count(DISTINCT employee_id) FROM training_assignments WHERE status = 'open' AND due_on < ?)"
        "   AS overdue_people,"
        " (SELECT count(*) FROM training_completions WHERE passed AND expires_on > ? AND expires_on <= ? + 30)"
        "   AS expiring",
        [today, today, today],
    )
    database.close()
    return {**timings, **counts}


def main(scale: float = SCALE) -> None:
    load_before = os.getloadavg()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-training-") as folder:
        for each in dict.fromkeys((1.0, scale)):
            results.append((each, seed_and_time(Path(folder) / f"demo-{each}.duckdb", each)))
    load_after = os.getloadavg()
    print(f"Training demo benchmark — {os.cpu_count()} CPU cores, seed {SEED}")
    print(
        f"  load average before {' '.join(f'{x:.2f}' for x in load_before)},"
        f" after {' '.join(f'{x:.2f}' for x in load_after)}"
    )
    for each, result in results:
        records = result["assignments"] + result["completions"]
        print(
            f"  scale {each:g}: {result['people']:,} people; training step {result['seconds']:6.2f} s"
            f" (CPU {result['cpu_seconds']:.2f} s) of a {result['seed_seconds']:.1f} s seed"
        )
        print(
            f"      {records:,} records ({result['assignments']:,} assignments, {result['completions']:,}"
            f" completions), {records / result['people']:.1f} a person, {records / result['seconds']:,.0f} a second;"
            f" {result['overdue_people']:,} people overdue, {result['expiring']:,} certificates expiring within 30 days"
        )


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else SCALE)
