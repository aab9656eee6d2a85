"""The complaint analyses on PostgreSQL, straight from PostgreSQL against each server's copy
(``models.postgres_mirror``), and what keeping the copy costs: the first copy, the check when
nothing changed, the rows appended by another server per 100,000, and a whole copy again after
a deletion. Starts a throwaway PostgreSQL 15 on 127.0.0.1 (as the tests do) and stops it.
Prints figures; asserts nothing about times. ``python -m bench.bench_pg_mirror [rows]``."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

RUN_ALONE = True  # starts a PostgreSQL server of its own and loads a million rows
ROWS = 1_000_000
APPENDED = 100_000
QUERY_RUNS = 3


def _append_generated(database, count: int, seed: int) -> float:
    """``count`` demo complaints stored through the portal's writer; seconds taken."""
    from models.complaints import demo

    started = time.perf_counter()

    def store(connection) -> None:
        units = [f"Team {n}" for n in range(1, 41)]
        demo.generate(connection, count=count, seed=seed, today=date(2026, 11, 1), units=units, table="bench_rows")
        demo.insert_generated(connection, None, table="bench_rows")
        connection.execute("DROP TABLE bench_rows")

    database.write(store)
    return time.perf_counter() - started


def _median_ms(run: Callable[[], object]) -> float:
    times = []
    for _ in range(QUERY_RUNS):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _page_queries(database) -> dict[str, Callable[[], object]]:
    """The complaints page's analyses, uncached: what a page view computes after a change."""
    from models.complaints import analysis

    everything = analysis.ComplaintFilter()
    return {
        "filter options": lambda: analysis._filter_options.uncached(database),
        "summary": lambda: analysis._summary.uncached(database, everything),
        "volume by month": lambda: analysis._volume_by_month.uncached(database, everything),
        "pareto": lambda: analysis._pareto.uncached(database, everything),
        "channel mix": lambda: analysis._channel_mix.uncached(database, everything),
        "category × month": lambda: analysis._category_month.uncached(database, everything, 12),
        "resolution": lambda: analysis._resolution_distribution.uncached(database, everything),
        "repeats": lambda: analysis._repeat_complaints.uncached(database, everything, 30),
    }


def _timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main(rows: int = ROWS) -> None:
    from models.db import open_database
    from tests.postgres_support import PostgresServer

    with tempfile.TemporaryDirectory(prefix="bench-pg-mirror-") as folder:
        server = PostgresServer(Path(folder))
        server.start()
        try:
            url = server.new_database(migrated=True)
            there = open_database(Path(folder) / "there" / "portal.duckdb", url=url)
            here = open_database(Path(folder) / "here" / "portal.duckdb", url=url)
            print(f"PostgreSQL mirror: {rows:,} complaints")
            print(f"  stored through the writer: {_append_generated(there, rows, 2026):.1f} s")

            mirror = here.analysis_mirror
            first = _timed(mirror.bring_up_to_date)
            print(f"  first copy of the analysis tables: {first:.2f} s ({first / rows * 1e6:.2f} s per million)")
            print(f"  check when nothing changed: {_median_ms(mirror.bring_up_to_date):.1f} ms")

            print("  analysis (median of 3)        PostgreSQL    copy")
            total_direct = total_copy = 0.0
            for name, run in _page_queries(here).items():
                direct = _median_ms(run)
                with here.reading_for_analysis(("complaints",)):
                    on_copy = _median_ms(run)
                total_direct, total_copy = total_direct + direct, total_copy + on_copy
                print(f"    {name:<26} {direct:8.1f} ms {on_copy:7.1f} ms")
            print(f"    {'the whole page':<26} {total_direct:8.1f} ms {total_copy:7.1f} ms")

            stored = _append_generated(there, APPENDED, 7)
            copies = mirror.copies_taken
            appended = _timed(mirror.bring_up_to_date)
            how = "rows appended" if mirror.copies_taken == copies else "copied again"
            print(f"  {APPENDED:,} rows appended by another server (stored in {stored:.1f} s):")
            print(f"    {how} in {appended:.2f} s ({appended / APPENDED * 1e5:.2f} s per 100k rows)")

            there.write(lambda c: c.execute("DELETE FROM complaints WHERE id = (SELECT min(id) FROM complaints)"))
            again = _timed(mirror.bring_up_to_date)
            print(f"  one complaint deleted by another server: copied again in {again:.2f} s")
            memory = here.scalar("SELECT sum(memory_usage_bytes) FROM duckdb_memory()")
            print(f"  DuckDB memory of the server with the copy: {memory / 2**20:.0f} MiB")
            here.close()
            there.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else ROWS)
