"""The page benchmark's machinery on the demo organisation, so that it cannot rot unnoticed:
it runs pages signed in, counts their statements and tables them (no time is asserted)."""

from __future__ import annotations

from pathlib import Path

from bench import bench_pages
from tests.conftest import DatabaseTemplates


def test_the_page_benchmark_times_two_pages_and_counts_their_statements(
    tmp_path: Path, database_templates: DatabaseTemplates
) -> None:
    path = tmp_path / "demo" / "portal.duckdb"
    path.parent.mkdir()
    database_templates.copy_demo(path)

    measured = bench_pages.measure(path, runs=1, pages="inbox,kpi catalogue", say=lambda line: None)
    rows = bench_pages.rows_from(measured, [])

    assert [(row.page, row.role) for row in rows] == [("Inbox", "leadership"), ("KPI catalogue", "leadership")]
    for row in rows:
        assert row.small.error is None
        assert row.small.ms is not None
        assert row.small.statements > 0
        assert row.large.ms is None
    shown = bench_pages.table(rows)
    assert "Inbox" in shown
    assert "KPI catalogue" in shown
