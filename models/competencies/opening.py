"""What the competencies area does each time the database is opened (after training has
added the catalogue): save the default descriptors and required levels of the competencies
that have none. Nothing is saved the second time, nor over what HR changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from models.competencies import framework, requirements
from models.db import utc_now

if TYPE_CHECKING:
    from models.db import Database


def on_open(db: Database) -> None:
    now = utc_now()

    def open_area(connection: duckdb.DuckDBPyConnection) -> None:
        framework.install_default_framework(connection, at=now)
        requirements.install_default_requirements(connection, at=now)

    db.write(open_area)
