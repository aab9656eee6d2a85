"""The whole demo organisation seeds unchanged on PostgreSQL, and what the portal shows of it
equals what it shows of the DuckDB file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from models import demo
from models.auth import load_user
from models.complaints import analysis
from models.complaints.analysis import ComplaintFilter
from models.db import Database, list_migrations, open_database
from models.strategy import goals
from tests.postgres_support import PostgresServer

pytestmark = pytest.mark.postgres

TODAY = date(2026, 11, 25)


def _table_sizes(database: Database) -> dict[str, int]:
    names = [
        row["table_name"]
        for row in database.query(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
            " AND schema_name = current_schema() AND NOT temporary ORDER BY table_name"
        )
    ]
    # data_versions: the tables that have a version (on PostgreSQL a table may have a row per
    # server, and the rewrites of the copied tables are counted too: '<table>:rewritten')
    return {
        name: database.scalar(
            "SELECT count(DISTINCT table_name) FROM data_versions WHERE table_name NOT LIKE '%:rewritten'"
            if name == "data_versions"
            else f"SELECT count(*) FROM {name}"  # noqa: S608 - catalogue names
        )
        for name in names
    }


def _an_analyst(database: Database):
    employee_id = database.scalar("SELECT min(employee_id) FROM employee_roles WHERE role = 'analyst'")
    return load_user(database, employee_id=employee_id)


def test_the_demo_seeds_on_postgresql_and_shows_the_same_figures(
    tmp_path: Path, postgres_server: PostgresServer, seeded_db
) -> None:
    on_file, _organisation = seeded_db(today=TODAY)
    on_postgres = open_database(tmp_path / "server" / "portal.duckdb", url=postgres_server.new_database(migrated=True))
    try:
        demo.seed(on_postgres, today=TODAY)

        sizes, file_sizes = _table_sizes(on_postgres), _table_sizes(on_file)
        assert sizes["schema_migrations"] == len(list_migrations())
        assert sizes == file_sizes  # every table of the demo row for row, and a version for each table it changed
        analyst_on_file, analyst_on_postgres = _an_analyst(on_file), _an_analyst(on_postgres)
        everything = ComplaintFilter()
        assert analysis.summary(on_postgres, analyst_on_postgres, everything) == analysis.summary(
            on_file, analyst_on_file, everything
        )
        assert analysis.pareto(on_postgres, analyst_on_postgres, everything).equals(
            analysis.pareto(on_file, analyst_on_file, everything)
        )
        assert goals.status_counts(on_postgres, TODAY) == goals.status_counts(on_file, TODAY)
    finally:
        on_postgres.close()
