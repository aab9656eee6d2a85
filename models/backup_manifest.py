"""What a backup folder is, for both stores: its manifest (``backup.json``, written last), how a
finished backup is read from it, and the error a backup or restore reports. ``models.backup``
(the DuckDB file) and ``models.pg_backup`` (PostgreSQL) both build on it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel

from models.db import list_migrations
from models.i18n import _

MANIFEST = "backup.json"
BACKUP_PREFIX = "portal-"


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why and what to do."""


class BackupInfo(BaseModel):
    """One finished backup as the Backups page and the command line list it."""

    name: str
    path: Path
    created_at: datetime
    created_by: str
    size_bytes: int
    tables: dict[str, int]
    schema_version: int
    store: str = "duckdb"  # or "postgresql" (models.pg_backup)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def read_backup(path: Path | str) -> BackupInfo:
    """What a backup folder holds, from its manifest; a folder without one is refused."""
    path = Path(path)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        return BackupInfo(
            name=path.name,
            path=path.resolve(),
            created_at=datetime.fromisoformat(manifest["created_at"]),
            created_by=manifest.get("created_by", ""),
            size_bytes=sum(file.stat().st_size for file in path.iterdir() if file.is_file()),
            tables={str(name): int(count) for name, count in manifest["tables"].items()},
            schema_version=int(manifest["schema_version"]),
            store=str(manifest.get("store", "duckdb")),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BackupError(
            _("{folder} is not a finished portal backup (no readable {manifest}).", folder=path, manifest=MANIFEST)
        ) from error


def check_schema_version(info: BackupInfo) -> None:
    """Refuse a backup made by a newer portal, whose tables this one does not know."""
    known = max((version for version, _, _ in list_migrations()), default=0)  # numbers may have gaps
    if info.schema_version > known:
        raise BackupError(
            _(
                "The backup has schema version {version} but this portal knows only {known}: "
                "update the portal before restoring it.",
                version=info.schema_version,
                known=known,
            )
        )


def free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name-2``, ``name-3``… when that is taken."""
    candidate, number = folder / name, 2
    while candidate.exists():
        candidate, number = folder / f"{name}-{number}", number + 1
    return candidate
