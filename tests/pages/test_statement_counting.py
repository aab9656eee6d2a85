"""The statements of a page run are counted even though AppTest runs the page script in a
thread of its own, and a second view of the complaint analysis takes its figures from the cache."""

from __future__ import annotations

from models.db import counting
from tests.pages.apptest import open_page, signed_in_as
from tests.pages.test_complaints_pages import ANALYSIS, seeded  # noqa: F401 - the fixture


def _complaint_figures(queries: list[str]) -> list[str]:
    return [sql for sql in queries if "FROM complaints" in sql and "data_versions" not in sql]


def test_a_page_run_is_counted_and_a_second_view_reads_the_figures_from_the_cache(seeded):  # noqa: F811
    _, analyst = seeded
    with counting() as this_thread, counting(all_threads=True) as first_view:
        app = open_page(signed_in_as(analyst), ANALYSIS)
    assert not app.exception
    assert this_thread.statements == 0  # the script ran in AppTest's own thread
    assert first_view.statements > 0
    assert _complaint_figures(first_view.queries)

    with counting(all_threads=True) as second_view:
        app.run()
    assert not app.exception
    assert second_view.statements > 0
    assert _complaint_figures(second_view.queries) == []
