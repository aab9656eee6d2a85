"""Helpers for complaint tests: write a small export and import it with the portal template."""

from __future__ import annotations

import csv
from pathlib import Path

from models.access import CurrentUser
from models.complaints import analysis, field_mapping, importer, sources
from models.db import Database

TEMPLATE_HEADER = [field.label for field in analysis.PORTAL_FIELDS]


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, newline: str = "\n") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator=newline)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def complaint(received: str, category: str, **values: str) -> list[str]:
    """One template row: the received date and category, other fields by key."""
    row = {"received_date": received, "category": category, **values}
    return [row.get(field.key, "") for field in analysis.PORTAL_FIELDS]


def import_rows(
    db: Database, user: CurrentUser, tmp_path: Path, rows: list[list[str]], name: str = "complaints.csv"
) -> importer.ImportReport:
    path = write_csv(tmp_path / name, TEMPLATE_HEADER, rows)
    source = sources.open_source(path)
    try:
        mapping = field_mapping.suggest_mapping(source.columns, field_mapping.Preset.PORTAL)
        return importer.import_complaints(db, user, source, mapping, importer.ImportMode.ALL_OR_NOTHING)
    finally:
        source.close()
