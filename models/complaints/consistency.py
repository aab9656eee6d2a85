"""The check run whenever the database is opened: no complaint is there without its import.

An import stores its record (``complaint_imports``), its complaints and its audit entry in
one transaction, so after any stop the complaints of an import are all there with both, or
none is. DuckDB writes a large append's row groups to the database file before the commit
and names them in the write-ahead log; a process killed while the log is being written can
leave a log cut short from which DuckDB 1.5 recovers those row groups without the rest of
the transaction. The complaints of such an import — its record or its audit entry missing —
are removed here in one transaction, with an audit entry saying how many and why. Only the
appended row groups come back that way: the import's changes to stored complaints (their
repeat gaps) are replayed with its commit or not at all, so the complaints kept need no repair.

The demo's complaints are recorded as an import of source ``demo`` whose audit entry is the
demo seeding's own; they count as complete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from models import audit
from models.db import ConnectionReader, Reader

if TYPE_CHECKING:
    import duckdb

    from models.db import Database

# one pass over the complaints' import ids; the imports found are few, so the look-up of
# their records and audit entries costs nothing next to it
_INCOMPLETE_SQL = """
    SELECT p.import_id, p.complaints, i.id IS NOT NULL AS recorded
    FROM (SELECT import_id, count(*) AS complaints FROM complaints
          WHERE import_id IS NOT NULL GROUP BY import_id) AS p
    LEFT JOIN complaint_imports i ON i.id = p.import_id
    WHERE i.id IS NULL
       OR (i.source_format <> 'demo' AND NOT EXISTS (
             SELECT 1 FROM audit_log a WHERE a.entity = 'complaint_import' AND a.action = 'import'
             AND a.entity_id = CAST(p.import_id AS VARCHAR)))
    ORDER BY p.import_id
"""

REASON = (
    "the import was interrupted while it was being committed: its complaints were found without "
    "the import's record or audit entry, so they were removed and nothing of it is kept"
)


class IncompleteImport(BaseModel):
    import_id: int
    complaints: int
    recorded: bool  # its complaint_imports row was there (its audit entry was not)


def incomplete_imports(db: Reader) -> list[IncompleteImport]:
    """Imports whose complaints are stored without the import's record or audit entry."""
    return [IncompleteImport(**row) for row in db.query(_INCOMPLETE_SQL)]


def remove_incomplete_imports(db: Database) -> list[IncompleteImport]:
    """Remove the complaints (and record) of every incomplete import, one audit entry each,
    in one transaction; returns what was removed (usually nothing, after one cheap read)."""
    if not incomplete_imports(db):
        return []

    def remove(connection: duckdb.DuckDBPyConnection) -> list[IncompleteImport]:
        found = incomplete_imports(ConnectionReader(connection))
        for item in found:
            connection.execute("DELETE FROM complaints WHERE import_id = ?", [item.import_id])
            connection.execute("DELETE FROM complaint_imports WHERE id = ?", [item.import_id])
            audit.record(
                connection,
                None,
                "complaint_import",
                item.import_id,
                "remove_incomplete",
                before={"complaints": item.complaints, "import_record": item.recorded, "audit_entry": False},
                after={"complaints": 0, "import_record": False, "reason": REASON},
            )
        return found

    return db.write(remove)
