"""Demo inbox: the demo's story has told people what happened to them through the areas' own
hooks (kudos, courses, assessments, coaching notes, outcomes of ideas…). The calendar work of
the demo's day runs once (courses overdue, surveys open), and then each person has read all
but their newest few messages, as someone who uses the portal would have."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

import duckdb

from models.db import ConnectionReader
from models.engagement.surveys import announce_open_surveys
from models.inbox import messages
from models.training.assignments import tell_overdue

if TYPE_CHECKING:
    from models.db import Database
    from models.seeding import DemoOrganisation, Progress

UNREAD_KEPT = 4  # a realistic handful waiting for each person


def inbox_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    morning = datetime.combine(org.today, time(7, 0))

    def calendar(connection: duckdb.DuckDBPyConnection) -> None:
        tell_overdue(connection, today=org.today, at=morning)
        announce_open_surveys(connection, today=org.today, at=morning)

    db.write(calendar)
    progress(0.3, "Messages of the day…")
    older = db.write(
        lambda connection: ConnectionReader(connection).query(
            "SELECT recipient_id, list(id ORDER BY id) AS ids FROM (SELECT recipient_id, id, row_number() OVER"
            " (PARTITION BY recipient_id ORDER BY created_at DESC, id DESC) AS newest FROM inbox_messages"
            " WHERE read_at IS NULL) WHERE newest > ? GROUP BY recipient_id ORDER BY recipient_id",
            [UNREAD_KEPT],
        )
    )
    people = {person["id"] for person in org.employees}
    reads = [(org.user(row["recipient_id"]), row["ids"]) for row in older if row["recipient_id"] in people]
    messages.mark_read_in_bulk(db, reads, at=morning)
    progress(1.0, "Messages read…")
