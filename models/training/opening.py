"""What the training area does each time the database is opened: remove the LMS import batches
a killed process left running, add the default catalogue's competencies and courses that are
missing (all of them, the first time) and assign the refreshers that have come due since the
last open."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from models.db import utc_now
from models.training.assignments import assign_due_refreshers, tell_overdue
from models.training.courses import install_default_catalogue
from models.training.lms_import import remove_interrupted_imports

if TYPE_CHECKING:
    from models.db import Database


def on_open(db: Database) -> None:
    remove_interrupted_imports(db)
    now = utc_now()

    def open_area(connection: duckdb.DuckDBPyConnection) -> None:
        install_default_catalogue(connection, at=now)
        assign_due_refreshers(connection, today=now.date(), at=now)

    db.write(open_area)


def daily(db: Database, now: datetime) -> None:
    """Refreshers come due with the calendar: a portal running for weeks assigns them on time,
    and tells each person once of an assignment that has become overdue."""

    def calendar(connection: duckdb.DuckDBPyConnection) -> None:
        assign_due_refreshers(connection, today=now.date(), at=now)
        tell_overdue(connection, today=now.date(), at=now)

    db.write(calendar)
