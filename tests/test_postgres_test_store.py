"""The PostgreSQL test store makes copies of its templates ahead of the tests that take them:
each copy is still a database of one test's own, as fresh as the template."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.access import Role
from models.postgres import PostgresDatabase
from tests.conftest import add_person
from tests.postgres_support import PostgresServer

pytestmark = pytest.mark.postgres


def _people(server: PostgresServer, url: str, folder: Path) -> int:
    database = PostgresDatabase(url, folder / "portal.duckdb")
    try:
        return database.scalar("SELECT count(*) FROM employees")
    finally:
        database.close()


def _migrated_with(postgres_server: PostgresServer, folder: Path, *roles: Role) -> str:
    """A new migrated database with one person of each of ``roles`` added; its URL."""
    url = postgres_server.new_database(migrated=True)
    database = PostgresDatabase(url, folder / "portal.duckdb")
    try:
        for role in roles:
            add_person(database, role)
    finally:
        database.close()
    return url


def test_a_copy_taken_after_another_test_wrote_to_its_copy_holds_none_of_its_rows(
    postgres_server: PostgresServer, tmp_path: Path
):
    first = _migrated_with(postgres_server, tmp_path / "first", Role.AGENT, Role.HR)
    taken = [postgres_server.new_database(migrated=True) for _ in range(3)]  # made ahead meanwhile

    assert len({first, *taken}) == 4, "each copy is handed out once"
    assert _people(postgres_server, first, tmp_path / "first") == 2
    assert [_people(postgres_server, url, tmp_path / f"copy-{n}") for n, url in enumerate(taken)] == [0, 0, 0]


def test_a_copy_made_ahead_of_a_template_and_renamed_keeps_the_templates_rows(
    postgres_server: PostgresServer, tmp_path: Path
):
    source = _migrated_with(postgres_server, tmp_path / "source", Role.LEADERSHIP)
    template = source.rsplit("/", 1)[-1]
    copies = [postgres_server.new_database(template=template) for _ in range(2)]  # the second made ahead
    renamed = postgres_server.new_database(template=template, name=f"{template}_renamed")

    assert renamed.endswith(f"/{template}_renamed")
    assert [_people(postgres_server, url, tmp_path / f"copy-{n}") for n, url in enumerate([*copies, renamed])] == [
        1,
        1,
        1,
    ]
