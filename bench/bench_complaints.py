"""Complaint import and analysis on a million complaints made by the demo generator.

Times the import (rows per second) against DuckDB's bare ``read_csv`` of the same file in
the same run — on the generated complaints, on the real CFPB sample and on a file of as many
rows built from that sample — reports the peak memory of each (resident set of a child
process that does only that), times the reading of a 60,000-row XLSX export by the native reader against
openpyxl (checking both read the same rows), and times each analysis query.
``python -m bench.bench_complaints [rows] [--import-only]``: with ``--import-only`` only the
import of the generated complaints against the bare read (a few minutes less)."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
CFPB_SAMPLE = ROOT / ".." / "shared" / "data" / "cfpb_complaints_sample.csv"
ROWS = 1_000_000
QUERY_RUNS = 5
IMPORT_RUNS = 3
XLSX_ROWS = 60_000


def build_csv(path: Path, rows: int) -> float:
    """Write ``rows`` demo complaints as a portal-template CSV; return seconds taken."""
    from models.complaints import demo
    from models.complaints.analysis import FIELDS_BY_KEY

    started = time.perf_counter()
    connection = duckdb.connect()
    units = [f"Team {n}" for n in range(1, 41)]
    demo.generate(connection, count=rows, seed=2026, today=date.today(), units=units)
    columns = [
        "received_date",
        "channel",
        "product",
        "category",
        "sub_category",
        "narrative",
        "unit",
        "customer_id",
        "region",
        "resolution_date",
        "resolution_days",
        "response",
        "timely",
        "external_id",
    ]
    select = ", ".join(f'{key} AS "{FIELDS_BY_KEY[key].label}"' for key in columns)
    connection.execute(f"COPY (SELECT {select} FROM demo_complaints) TO '{path}' (HEADER, DELIMITER ',')")
    connection.close()
    return time.perf_counter() - started


def build_cfpb_csv(path: Path, rows: int) -> float:
    """Write ``rows`` complaints made of the real CFPB sample's rows over and over, each copy
    with complaint ids of its own (so none is a duplicate), under the sample's own header
    line; return seconds taken."""
    started = time.perf_counter()
    connection = duckdb.connect()
    source = f"read_csv('{CFPB_SAMPLE}', all_varchar=true)"
    columns = [row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    copies = -(-rows // connection.execute(f"SELECT count(*) FROM {source}").fetchone()[0])
    select = ", ".join(
        f'CAST(CAST("{name}" AS BIGINT) * {copies} + copy AS VARCHAR)' if name == "Complaint ID" else f'"{name}"'
        for name in columns
    )
    body = path.with_suffix(".body")
    connection.execute(
        f"COPY (SELECT {select} FROM (SELECT *, row_number() OVER () AS line FROM {source}), range({copies}) c(copy)"
        f" ORDER BY copy, line LIMIT {int(rows)}) TO '{body}' (HEADER false, DELIMITER ',')"
    )
    connection.close()
    with CFPB_SAMPLE.open("rb") as sample, path.open("wb") as out:
        out.write(sample.readline())
        with body.open("rb") as rows_written:
            while chunk := rows_written.read(8 * 1024 * 1024):
                out.write(chunk)
    body.unlink()
    return time.perf_counter() - started


def build_xlsx(csv_path: Path, path: Path, rows: int) -> float:
    """Write the CSV's first ``rows`` complaints as an XLSX export the way spreadsheets hold
    them: dates as date cells, days as numbers, the rest as text; return seconds taken."""
    from openpyxl import Workbook

    started = time.perf_counter()
    connection = duckdb.connect()
    relation = connection.execute(f"SELECT * FROM read_csv('{csv_path}') LIMIT {int(rows)}")
    header = [column[0] for column in relation.description]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Complaints")
    sheet.append(header)
    while batch := relation.fetchmany(10_000):
        for row in batch:
            sheet.append(row)
    workbook.save(path)
    connection.close()
    return time.perf_counter() - started


def time_xlsx_readers(path: Path) -> dict:
    """The same workbook read by openpyxl (the former path) and by the native reader."""
    from models.complaints import workbooks

    results = {}
    for label, reader in (("openpyxl", workbooks.OpenpyxlWorkbook), ("native", workbooks.NativeWorkbook)):
        started = time.perf_counter()
        read = workbooks.read_workbook(path, reader=reader)
        results[label] = (time.perf_counter() - started, read)
    openpyxl_read, native_read = results["openpyxl"][1], results["native"][1]
    same = (openpyxl_read.columns, openpyxl_read.header_row, openpyxl_read.notes) == (
        native_read.columns,
        native_read.header_row,
        native_read.notes,
    ) and openpyxl_read.table.equals(native_read.table)
    return {
        "rows": native_read.table.num_rows,
        "openpyxl_seconds": results["openpyxl"][0],
        "native_seconds": results["native"][0],
        "same": same,
    }


# -- child processes: each measures one thing and reports its own peak memory ----------
def _settings(connection: duckdb.DuckDBPyConnection) -> dict:
    """DuckDB's threads and memory limit: both children run with the defaults."""
    threads, memory = connection.execute(
        "SELECT current_setting('threads'), current_setting('memory_limit')"
    ).fetchone()
    return {"threads": threads, "memory_limit": memory}


def _child_bare(csv_path: str, db_path: str) -> dict:
    """DuckDB's own read_csv of the whole file into a table, committed and checkpointed."""
    connection = duckdb.connect(db_path)
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        rows = connection.execute(f"CREATE TABLE bare AS SELECT * FROM read_csv('{csv_path}')").fetchone()[0]
    except duckdb.NotImplementedException:  # its parallel reader cannot split the file: as the import does
        rows = connection.execute(
            f"CREATE OR REPLACE TABLE bare AS SELECT * FROM read_csv('{csv_path}', parallel=false)"
        ).fetchone()[0]
    connection.execute("CHECKPOINT")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    settings = _settings(connection)
    connection.close()
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "rows": rows, **settings}


def _child_converted(csv_path: str, db_path: str, preset: str = "portal") -> dict:
    """The least an import can do: the import's own reading and conversion of the file written
    straight into a table, committed and checkpointed — no row checked or refused, no duplicate
    looked for, no repeat gap, nothing audited. The file's own check is done before the clock
    starts. How close the import is to this says what its checks cost; how far this is from
    the bare read says what converting and storing the portal's columns cost."""
    from models.complaints import field_mapping, importer, sources
    from models.complaints.conversion import _STORED, _STORED_FROM_STAGED, _converted_sql
    from models.complaints.dates import DATE_MACROS
    from models.complaints.sources import _extra_values_sql, _registered, _relation_params, _relation_sql

    source = sources.open_source(Path(csv_path))
    mapping = field_mapping.suggest_mapping(source.columns, field_mapping.Preset(preset))
    orders, _undecided = importer.known_date_orders(source, mapping, None)
    connection = duckdb.connect(db_path)
    connection.execute(DATE_MACROS)
    converted = _converted_sql(
        mapping, _relation_sql(source), orders, numbered=None, extra_values=_extra_values_sql(source)
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    with _registered(connection, source):
        rows = connection.execute(
            f"CREATE TABLE converted AS SELECT {_STORED_FROM_STAGED}, days_since_previous FROM ({converted}) c",
            _relation_params(source),
        ).fetchone()[0]
    connection.execute("CHECKPOINT")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    settings = _settings(connection)
    connection.close()
    source.close()
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "rows": rows, "stored": _STORED, **settings}


def _child_import(csv_path: str, db_path: str, preset: str = "portal") -> dict:
    from models.access import Role
    from models.auth import load_user
    from models.complaints import field_mapping, importer, sources
    from models.db import Database
    from models.people.directory import EmployeeInput, insert_employee

    db = Database(db_path)
    db.migrate()
    employee_id = db.write(
        lambda c: insert_employee(
            c,
            None,
            EmployeeInput(employee_number="B1", full_name="Bench Analyst", email="b@example.org"),
            {Role.ANALYST},
        )
    )
    analyst = load_user(db, employee_id=employee_id)
    steps: dict[str, float] = {}
    started, cpu_started = time.perf_counter(), time.process_time()
    source = sources.open_source(Path(csv_path), check_later=True)  # as the command line opens it
    steps["open the file (checked beside the reading)"] = time.perf_counter() - started
    mapping = field_mapping.suggest_mapping(source.columns, field_mapping.Preset(preset))
    last = [time.perf_counter(), "check the mapping"]

    def progress(share: float, text: str) -> None:
        now = time.perf_counter()
        steps[last[1]] = steps.get(last[1], 0) + now - last[0]
        last[0], last[1] = now, text

    report = importer.import_complaints(db, analyst, source, mapping, importer.ImportMode.ALL_OR_NOTHING, progress)
    with db.exclusive() as connection:
        connection.execute("CHECKPOINT")  # as the bare read_csv does
        settings = _settings(connection)
    total, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    steps["commit and checkpoint"] = time.perf_counter() - last[0]
    again_started = time.perf_counter()
    again = importer.import_complaints(db, analyst, source, mapping, importer.ImportMode.ALL_OR_NOTHING)
    again_seconds = time.perf_counter() - again_started
    source.close()
    db.close()
    return {
        "seconds": total,
        "cpu_seconds": cpu_seconds,
        "imported": report.imported,
        "rejected": report.rejected_records,
        "steps": steps,
        "reimport_seconds": again_seconds,
        "reimport_added": again.imported,
        **settings,
    }


def _peak_mib() -> float:
    """This process's peak resident memory.

    Linux keeps ``ru_maxrss`` across exec, so a child would report at least its parent's
    size at fork; VmHWM belongs to the new program only."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # KiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_child(kind: str, csv_path: Path, db_path: Path, preset: str = "portal") -> dict:
    output = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.bench_complaints", "--child", kind, str(csv_path), str(db_path), preset],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


# -- analysis queries --------------------------------------------------------------------
def compare_import(
    csv_path: Path, work: Path, name: str, preset: str, floors: list[dict] | None = None
) -> list[tuple[dict, dict]]:
    """Bare read_csv and the portal import of the same file, alternating, so a burst of other
    load hits both sides alike; each in a fresh database of its own. With ``floors`` the
    conversion alone (``_child_converted``) runs between them too and is added there."""
    pairs = []
    for run in range(IMPORT_RUNS):
        bare = _run_child("bare", csv_path, work / f"bare-{name}{run}.duckdb")
        if floors is not None:
            floors.append(_run_child("converted", csv_path, work / f"converted-{name}{run}.duckdb", preset))
        imported = _run_child("import", csv_path, work / f"{name}{run}.duckdb", preset)
        pairs.append((bare, imported))
    return pairs


def print_comparison(label: str, pairs: list[tuple[dict, dict]]) -> None:
    """One file's runs, the ratio of the best times (best of the runs) and the median ratio."""
    rows = pairs[0][1]["imported"] + pairs[0][1]["rejected"]
    print(f"  import against bare read_csv on {label}, {rows:,} rows:")
    for run, (bare, imported) in enumerate(pairs, start=1):
        print(
            f"      run {run}: bare {bare['seconds']:6.2f} s, import {imported['seconds']:6.2f} s,"
            f" {imported['seconds'] / bare['seconds']:.2f}×; CPU bare {bare['cpu_seconds']:.2f} s,"
            f" import {imported['cpu_seconds']:.2f} s"
        )
    best_bare, best_import = min(b["seconds"] for b, _ in pairs), min(i["seconds"] for _, i in pairs)
    ratios = [i["seconds"] / b["seconds"] for b, i in pairs]
    print(
        f"      best of {len(pairs)}: bare {best_bare:.2f} s, import {best_import:.2f} s,"
        f" {best_import / best_bare:.2f}×; median of the per-run ratios {statistics.median(ratios):.2f}×"
        f" (range {min(ratios):.2f}–{max(ratios):.2f}×)"
    )


def time_queries(db_path: Path) -> list[tuple[str, str, float]]:
    from models.access import CurrentUser, Role
    from models.complaints import analysis, findings
    from models.complaints.analysis import ComplaintFilter
    from models.db import Database

    db = Database(db_path)
    analyst = CurrentUser(
        employee_id=1, account_id=None, full_name="Bench", email="b@example.org", roles={Role.ANALYST}
    )
    last = db.scalar("SELECT max(received_date) FROM complaints")
    filters = {
        "all": ComplaintFilter(),
        "filtered": ComplaintFilter(
            date_from=last - timedelta(days=365), date_to=last, channels=["Phone", "Email"], regions=["NSW", "VIC"]
        ),
    }
    queries = {
        "filter options": lambda f: analysis.filter_options(db, analyst),
        "summary": lambda f: analysis.summary(db, analyst, f),
        "volume by month": lambda f: analysis.volume_by_month(db, analyst, f),
        "pareto": lambda f: analysis.pareto(db, analyst, f),
        "channel mix": lambda f: analysis.channel_mix(db, analyst, f),
        "category x month": lambda f: analysis.category_month(db, analyst, f),
        "resolution bands": lambda f: analysis.resolution_distribution(db, analyst, f),
        "repeats (30 days)": lambda f: analysis.repeat_complaints(db, analyst, f, 30),
        "growing issues": lambda f: analysis.growing_issues(db, analyst, f, last_days=90),
        "drill-down rows": lambda f: analysis.complaint_rows(db, analyst, f, {"category": "Fees and charges"}),
        "finding evidence": lambda f: findings.evidence_counts(db, f),
        "category counts": lambda f: analysis.category_counts(db, "Fees and charges"),
    }
    results = []
    for name, run in queries.items():
        for label, chosen in filters.items():
            run(chosen)  # warm
            times = []
            for _ in range(QUERY_RUNS):
                started = time.perf_counter()
                run(chosen)
                times.append(time.perf_counter() - started)
            results.append((name, label, statistics.median(times)))
    db.close()
    return results


def print_import(
    rows: int,
    size_mb: float,
    built: float,
    pairs: list[tuple[dict, dict]],
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
    floors: list[dict] | None = None,
) -> None:
    """The import of the generated complaints against the bare read: each run, the medians, the
    ratios (wall and CPU time) and the steps of the last import."""
    bare_seconds = statistics.median(b["seconds"] for b, _ in pairs)
    import_seconds = statistics.median(i["seconds"] for _, i in pairs)
    ratios = [i["seconds"] / b["seconds"] for b, i in pairs]
    bare, imported = pairs[-1]
    print(f"Complaints benchmark — {os.cpu_count()} CPU cores, {rows:,} complaints, CSV {size_mb:,.0f} MiB")
    print(
        f"  load average before {' '.join(f'{x:.2f}' for x in load_before)},"
        f" after {' '.join(f'{x:.2f}' for x in load_after)}"
    )
    print(
        f"  DuckDB settings (defaults): bare threads={bare['threads']} memory={bare['memory_limit']};"
        f" import threads={imported['threads']} memory={imported['memory_limit']}"
    )
    print(f"  generate + write CSV          {built:6.2f} s")
    print(f"  import against bare read_csv, {IMPORT_RUNS} alternating runs (each committed and checkpointed):")
    for run, ((bare_run, import_run), ratio) in enumerate(zip(pairs, ratios, strict=True), start=1):
        print(
            f"      run {run}: bare {bare_run['seconds']:5.2f} s, import {import_run['seconds']:5.2f} s"
            f" ({rows / import_run['seconds']:,.0f} rows/s), {ratio:.2f}×;"
            f" CPU bare {bare_run['cpu_seconds']:.2f} s, import {import_run['cpu_seconds']:.2f} s;"
            f" peak RSS bare {bare_run['peak_mib']:,.0f} MiB, import {import_run['peak_mib']:,.0f} MiB"
        )
    print(f"  bare read_csv into a table    {bare_seconds:6.2f} s  {rows / bare_seconds:>10,.0f} rows/s (median)")
    print(
        f"  portal import                 {import_seconds:6.2f} s  {rows / import_seconds:>10,.0f} rows/s (median)"
        f"  {import_seconds / bare_seconds:.2f}× bare read_csv"
    )
    print(
        f"  ratio per run: median {statistics.median(ratios):.2f}×, range {min(ratios):.2f}–{max(ratios):.2f}×;"
        f" CPU time ratio median {statistics.median(i['cpu_seconds'] / b['cpu_seconds'] for b, i in pairs):.2f}×"
    )
    if floors:
        matched = list(zip(pairs, floors, strict=True))
        floor_ratios = [floor["seconds"] / b["seconds"] for (b, _), floor in matched]
        floor_cpu = statistics.median(floor["cpu_seconds"] / b["cpu_seconds"] for (b, _), floor in matched)
        runs = ", ".join(f"{floor['seconds']:.2f}" for floor in floors)
        print(
            f"  conversion alone into a table {statistics.median(f['seconds'] for f in floors):6.2f} s (median;"
            f" runs {runs} s): the least an import can do, no row checked, no duplicate or repeat looked for;\n"
            f"      per run {statistics.median(floor_ratios):.2f}× bare read_csv"
            f" (range {min(floor_ratios):.2f}–{max(floor_ratios):.2f}×), CPU {floor_cpu:.2f}×"
        )
    print(f"  peak RSS of an import         {max(i['peak_mib'] for _, i in pairs):,.0f} MiB (largest of the runs)")
    print("  steps of the last import:")
    for step, seconds in imported["steps"].items():
        print(f"      {step:<48} {seconds:6.2f} s")


def main(rows: int = ROWS, *, import_only: bool = False) -> None:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-complaints-") as folder:
        work = Path(folder)
        csv_path = work / "complaints.csv"
        built = build_csv(csv_path, rows)
        size_mb = csv_path.stat().st_size / 1048576
        floors: list[dict] = []
        pairs = compare_import(csv_path, work, "portal", "portal", floors)
        if import_only:
            print_import(rows, size_mb, built, pairs, load_before, os.getloadavg(), floors)
            return
        cfpb_path = work / "cfpb.csv"
        cfpb_built = build_cfpb_csv(cfpb_path, rows)
        cfpb = {
            f"the real CFPB sample ({CFPB_SAMPLE.name})": compare_import(CFPB_SAMPLE, work, "sample", "cfpb"),
            f"the CFPB sample repeated ({cfpb_path.stat().st_size / 1048576:,.0f} MiB)": compare_import(
                cfpb_path, work, "cfpb", "cfpb"
            ),
        }
        xlsx_path = work / "complaints.xlsx"
        xlsx_built = build_xlsx(csv_path, xlsx_path, min(rows, XLSX_ROWS))
        xlsx = time_xlsx_readers(xlsx_path)
        queries = time_queries(work / f"portal{IMPORT_RUNS - 1}.duckdb")
    load_after = os.getloadavg()

    print_import(rows, size_mb, built, pairs, load_before, load_after, floors)
    print(f"  the CFPB sample repeated written in {cfpb_built:.1f} s")
    for label, cfpb_pairs in cfpb.items():
        print_comparison(label, cfpb_pairs)
    imported = pairs[-1][1]
    print(
        f"  re-import of the same file    {imported['reimport_seconds']:6.2f} s  "
        f"(added {imported['reimport_added']:,} rows)"
    )
    print(f"  XLSX export of {xlsx['rows']:,} complaints (written in {xlsx_built:.1f} s), read by each reader:")
    for label in ("openpyxl", "native"):
        seconds = xlsx[f"{label}_seconds"]
        print(f"      {label:<10} {seconds:7.2f} s  {xlsx['rows'] / seconds:>10,.0f} rows/s")
    print(
        f"      native reader {xlsx['openpyxl_seconds'] / xlsx['native_seconds']:.1f}× faster;"
        f" same rows and columns: {'yes' if xlsx['same'] else 'NO'}"
    )
    print(f"  analysis queries (median of {QUERY_RUNS} runs):")
    for name, label, seconds in queries:
        print(f"      {name:<22} {label:<9} {seconds * 1000:8.1f} ms")
    print(f"  slowest query: {max(seconds for _, _, seconds in queries) * 1000:.1f} ms")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, csv_file, database_file, preset = sys.argv[2:6]
        children = {"bare": _child_bare, "converted": _child_converted, "import": _child_import}
        result = (
            _child_bare(csv_file, database_file) if kind == "bare" else children[kind](csv_file, database_file, preset)
        )
        result["peak_mib"] = _peak_mib()
        print(json.dumps(result))
    else:
        arguments = [argument for argument in sys.argv[1:] if argument != "--import-only"]
        main(int(arguments[0]) if arguments else ROWS, import_only="--import-only" in sys.argv[1:])
