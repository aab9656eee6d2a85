"""On PostgreSQL each server answers the complaint and survey analyses from a copy of the large
tables of its own (``models.postgres_mirror``): after another server imports, deletes or changes
rows, every figure still equals the one computed straight from PostgreSQL at that moment."""

from __future__ import annotations

import inspect
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from models.access import Role
from models.cache import cached_functions
from models.complaints import analysis
from models.complaints.analysis import ComplaintFilter
from models.customers import scores
from models.db import changed_tables, list_migrations, open_database
from models.postgres import PostgresDatabase, migration_sql
from models.postgres_mirror import MIRRORED
from tests.complaints_support import complaint, import_rows
from tests.conftest import add_person
from tests.postgres_support import PostgresServer
from tests.test_customer_surveys import answers_file, run_import

pytestmark = pytest.mark.postgres

EVERYTHING = ComplaintFilter()


@pytest.fixture
def servers(tmp_path: Path, postgres_server: PostgresServer) -> Iterator[Callable[[], PostgresDatabase]]:
    """``servers()`` → one more portal server on this test's migrated PostgreSQL database."""
    url = postgres_server.new_database(migrated=True)
    opened: list[PostgresDatabase] = []

    def open_server() -> PostgresDatabase:
        folder = tmp_path / f"server-{len(opened) + 1}"
        folder.mkdir()
        database = open_database(folder / "portal.duckdb", url=url)
        opened.append(database)
        return database

    yield open_server
    for database in opened:
        database.close()


def _complaint_figures(db: PostgresDatabase, analyst) -> dict[str, object]:
    """What the complaints page shows, each figure as the cached analysis gives it."""
    return {
        "summary": analysis.summary(db, analyst, EVERYTHING),
        "pareto": analysis.pareto(db, analyst, EVERYTHING).to_dict("records"),
        "months": analysis.volume_by_month(db, analyst, EVERYTHING).to_dict("records"),
        "channels": analysis.channel_mix(db, analyst, EVERYTHING).to_dict("records"),
        "repeats": analysis.repeat_complaints(db, analyst, EVERYTHING)["repeating_customers"],
        "options": analysis.filter_options(db, analyst),
    }


def _straight_from_postgresql(db: PostgresDatabase) -> dict[str, object]:
    """The same figures computed by the same functions on PostgreSQL's own tables, bypassing
    both the cache and the copy."""
    return {
        "summary": analysis._summary.uncached(db, EVERYTHING),
        "pareto": analysis._pareto.uncached(db, EVERYTHING).to_dict("records"),
        "months": analysis._volume_by_month.uncached(db, EVERYTHING).to_dict("records"),
        "channels": analysis._channel_mix.uncached(db, EVERYTHING).to_dict("records"),
        "repeats": analysis._repeat_complaints.uncached(db, EVERYTHING, 30)["repeating_customers"],
        "options": analysis._filter_options.uncached(db),
    }


FIRST_BATCH = [
    complaint("2025-01-05", "Fees", channel="Phone", customer_id="C1"),
    complaint("2025-01-20", "Fees", channel="Email", customer_id="C1"),
    complaint("2025-02-07", "Cards", channel="Phone", customer_id="C2"),
]
SECOND_BATCH = [
    complaint("2025-03-02", "Cards", channel="Web", customer_id="C2"),
    complaint("2025-03-09", "Delays", channel="Web", customer_id="C3"),
    complaint("2025-03-10", "Delays", channel="Branch"),
]


def test_figures_after_an_import_on_another_server_equal_postgresqls_and_only_new_rows_are_copied(
    servers, tmp_path: Path
) -> None:
    here, there = servers(), servers()
    analyst_here, analyst_there = add_person(here, Role.ANALYST), add_person(there, Role.ANALYST)
    import_rows(there, analyst_there, tmp_path, FIRST_BATCH, "first.csv")
    assert _complaint_figures(here, analyst_here) == _straight_from_postgresql(here)
    copies_before = here.analysis_mirror.copies_taken

    import_rows(there, analyst_there, tmp_path, SECOND_BATCH, "second.csv")

    figures = _complaint_figures(here, analyst_here)
    assert figures == _straight_from_postgresql(here)
    assert figures["summary"]["complaints"] == 6
    assert here.analysis_mirror.copies_taken == copies_before  # appended, not copied again
    assert here.analysis_mirror.appends >= 1


def test_a_deleted_or_changed_complaint_is_seen_by_the_other_server(servers, tmp_path: Path) -> None:
    here, there = servers(), servers()
    analyst_here, analyst_there = add_person(here, Role.ANALYST), add_person(there, Role.ANALYST)
    import_rows(there, analyst_there, tmp_path, FIRST_BATCH + SECOND_BATCH)
    assert _complaint_figures(here, analyst_here)["summary"]["complaints"] == 6

    there.write(lambda c: c.execute("DELETE FROM complaints WHERE category = 'Delays' AND channel = 'Branch'"))
    after_delete = _complaint_figures(here, analyst_here)
    there.write(lambda c: c.execute("UPDATE complaints SET category = 'Fees', channel = 'Post' WHERE channel = 'Web'"))
    after_update = _complaint_figures(here, analyst_here)

    assert after_update == _straight_from_postgresql(here)
    assert after_delete["summary"]["complaints"] == 5
    assert {row["category"]: row["complaints"] for row in after_update["pareto"]} == {"Fees": 4, "Cards": 1}
    assert "Post" in after_update["options"]["channels"] and "Web" not in after_update["options"]["channels"]


def test_an_import_dated_between_stored_complaints_changes_their_repeat_gaps_there_too(servers, tmp_path) -> None:
    """Such an import rewrites stored rows (their days since the previous complaint): the copy
    cannot take the new rows only."""
    here, there = servers(), servers()
    analyst_here, analyst_there = add_person(here, Role.ANALYST), add_person(there, Role.ANALYST)
    import_rows(
        there,
        analyst_there,
        tmp_path,
        [complaint("2025-01-01", "Fees", customer_id="C9"), complaint("2025-03-01", "Fees", customer_id="C9")],
        "a.csv",
    )
    assert analysis.repeat_complaints(here, analyst_here, EVERYTHING)["repeating_customers"] == 0  # 59 days apart

    import_rows(there, analyst_there, tmp_path, [complaint("2025-02-15", "Fees", customer_id="C9")], "b.csv")

    assert analysis.repeat_complaints(here, analyst_here, EVERYTHING)["repeating_customers"] == 1
    assert _complaint_figures(here, analyst_here) == _straight_from_postgresql(here)


def test_customer_scores_follow_an_import_and_its_removal_on_another_server(servers, tmp_path: Path) -> None:
    here, there = servers(), servers()
    analyst_here, analyst_there = add_person(here, Role.ANALYST), add_person(there, Role.ANALYST)
    run_import(there, analyst_there, answers_file(tmp_path, [("2025-01-10", "Phone", "", "NPS", 10)], "a.csv"))
    assert scores.scores(here, analyst_here, "nps", ("month",))["value"].tolist() == [100.0]

    later = run_import(
        there, analyst_there, answers_file(tmp_path, [("2025-01-11", "Phone", "", "NPS", s) for s in (0, 3)], "b.csv")
    )
    assert scores.scores(here, analyst_here, "nps", ("month",))["value"].tolist() == [round(100 * (1 - 2) / 3, 1)]

    there.write(lambda c: c.execute("DELETE FROM customer_survey_answers WHERE import_id = ?", [later.import_id]))
    table = scores.scores(here, analyst_here, "nps", ("month",))
    assert table["value"].tolist() == [100.0]
    assert table.equals(scores.score_table.uncached(here, "nps", ("month",)))


def test_a_statement_that_changes_no_row_leaves_the_copy_to_grow(servers, tmp_path: Path) -> None:
    here, there = servers(), servers()
    analyst_here, analyst_there = add_person(here, Role.ANALYST), add_person(there, Role.ANALYST)
    import_rows(there, analyst_there, tmp_path, FIRST_BATCH, "first.csv")
    analysis.summary(here, analyst_here, EVERYTHING)
    copies_before = here.analysis_mirror.copies_taken

    there.write(lambda c: c.execute("DELETE FROM complaints WHERE category = 'No such category'"))
    import_rows(there, analyst_there, tmp_path, SECOND_BATCH, "second.csv")

    assert analysis.summary(here, analyst_here, EVERYTHING)["complaints"] == 6
    assert here.analysis_mirror.copies_taken == copies_before


def test_analyses_read_safely_while_the_copy_is_brought_up_to_date(servers, tmp_path: Path) -> None:
    """One thread keeps reading the complaints' figures while another server imports and deletes
    and this one brings its copy up to date: every read succeeds and sees a whole state."""
    here, there = servers(), servers()
    analyst_here, analyst_there = add_person(here, Role.ANALYST), add_person(there, Role.ANALYST)
    import_rows(there, analyst_there, tmp_path, FIRST_BATCH, "first.csv")
    seen: list[int] = []
    failures: list[BaseException] = []
    done = threading.Event()

    def keep_reading() -> None:
        while not done.is_set():
            try:
                # uncached, on the copy: a read of the very table being replaced or appended to
                with here.reading_for_analysis(("complaints",)):
                    seen.append(analysis._summary.uncached(here, EVERYTHING)["complaints"])
            except BaseException as error:  # noqa: BLE001 - the test reports it
                failures.append(error)
                return

    reader = threading.Thread(target=keep_reading)
    reader.start()
    try:
        for round_number in range(3):
            import_rows(there, analyst_there, tmp_path, SECOND_BATCH, f"again-{round_number}.csv")
            here.analysis_mirror.bring_up_to_date()
            there.write(lambda c: c.execute("DELETE FROM complaints WHERE channel IN ('Web', 'Branch')"))
            here.analysis_mirror.bring_up_to_date()
    finally:
        done.set()
        reader.join(timeout=60)

    assert failures == []
    assert seen and set(seen) <= {3, 6}
    assert analysis.summary(here, analyst_here, EVERYTHING)["complaints"] == 3


def test_released_survey_answers_follow_every_change_on_another_server(servers) -> None:
    """Engagement answers have random ids: any change makes the copy be taken again."""
    here, there = servers(), servers()
    answers = "SELECT enps, comment, comment_hidden FROM survey_answers ORDER BY enps"

    def on_the_copy() -> list[dict[str, object]]:
        with here.reading_for_analysis(("survey_answers", "teams")):
            return here.query(answers)

    def add_answer(enps: int, comment: str) -> None:
        there.write(
            lambda c: c.execute(
                "INSERT INTO survey_answers (id, survey_id, enps, comment) VALUES (?::UUID, 1, ?, ?)",
                [str(uuid.uuid4()), enps, comment],
            )
        )

    add_answer(9, "Good team")
    assert on_the_copy() == here.query(answers) == [{"enps": 9, "comment": "Good team", "comment_hidden": False}]
    add_answer(3, "Too many meetings")
    there.write(lambda c: c.execute("UPDATE survey_answers SET comment_hidden = TRUE WHERE enps = 9"))

    assert on_the_copy() == here.query(answers)
    assert [row["comment_hidden"] for row in on_the_copy()] == [False, True]
    there.write(lambda c: c.execute("DELETE FROM survey_answers WHERE enps = 3"))
    assert on_the_copy() == here.query(answers) == [{"enps": 9, "comment": "Good team", "comment_hidden": True}]
    assert here.analysis_mirror.copies_taken == 3  # one per change seen


def test_the_triggers_migration_changes_no_table_the_versions_would_name() -> None:
    """Its AFTER UPDATE ON … names no table a write changes: no version row 'on' appears."""
    twin = next(path for _version, name, path in list_migrations() if name == "rewrites_counted")
    assert changed_tables(migration_sql(twin)) == set()


def test_no_cached_analysis_reads_a_column_the_copy_leaves_out() -> None:
    """On PostgreSQL such an analysis would fail on the copy: read it outside the cache instead."""
    import models.areas  # noqa: F401 - every area's cached analyses are defined

    for cached in cached_functions():
        source = inspect.getsource(cached.uncached)
        for table in MIRRORED:
            if table.name in cached.tables:
                named = [column for column in table.left_out if re.search(rf"\b{column}\b", source)]
                assert named == [], f"{cached.__qualname__} names {named} of {table.name}"


def test_imports_on_two_servers_at_once_all_reach_the_copy_of_a_third(servers, tmp_path: Path) -> None:
    """Writers of one table commit one after the other (the version row), so the rows a copy
    appends by id never skip an import that committed later with smaller ids."""
    first, second, third = servers(), servers(), servers()
    analysts = {server: add_person(server, Role.ANALYST) for server in (first, second, third)}
    done = threading.Event()

    def import_batches(server: PostgresDatabase, name: str) -> None:
        for number in range(3):
            rows = [complaint(f"2025-0{number + 1}-1{day}", "Fees", channel=name) for day in range(4)]
            import_rows(server, analysts[server], tmp_path / name, rows, f"{number}.csv")

    def keep_copying() -> None:
        while not done.is_set():
            third.analysis_mirror.bring_up_to_date()

    (tmp_path / "North").mkdir(), (tmp_path / "South").mkdir()
    copier = threading.Thread(target=keep_copying)
    copier.start()
    importers = [
        threading.Thread(target=import_batches, args=(server, name))
        for server, name in ((first, "North"), (second, "South"))
    ]
    for thread in importers:
        thread.start()
    for thread in importers:
        thread.join(timeout=300)
    done.set()
    copier.join(timeout=60)

    figures = _complaint_figures(third, analysts[third])
    assert figures["summary"]["complaints"] == 24
    assert figures == _straight_from_postgresql(third)
