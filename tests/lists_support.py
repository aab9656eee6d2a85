"""Helpers for list tests: many people, accounts or audit entries put in with one statement
each, so a test can hold more rows than any page shows."""

from __future__ import annotations

from models.db import Database

FIRST_BULK_ID = 100_000


def bulk_people(database: Database, count: int, *, with_accounts: bool = False) -> None:
    """``count`` active people "Bulk Person 00000" … (employee numbers B0 …, emails bulk0@…),
    with accounts "bulk00000" … when asked."""

    def insert(connection):
        connection.execute(
            "INSERT INTO employees (id, employee_number, full_name, email, created_at, updated_at)"
            " SELECT ? + i, 'B' || i, 'Bulk Person ' || lpad(i::VARCHAR, 5, '0'), 'bulk' || i || '@example.org',"
            " now()::TIMESTAMP, now()::TIMESTAMP FROM range(?) numbers(i)",
            [FIRST_BULK_ID, count],
        )
        if with_accounts:
            connection.execute(
                "INSERT INTO accounts (id, employee_id, username, created_at)"
                " SELECT ? + i, ? + i, 'bulk' || lpad(i::VARCHAR, 5, '0'), now()::TIMESTAMP FROM range(?) numbers(i)",
                [FIRST_BULK_ID, FIRST_BULK_ID, count],
            )

    database.write(insert)


def bulk_audit_entries(database: Database, count: int, entity: str = "bulk_record") -> None:
    """``count`` audit entries of one kind of record, made by the system today."""
    database.write(
        lambda connection: connection.execute(
            "INSERT INTO audit_log (occurred_at, entity, entity_id, action)"
            " SELECT now()::TIMESTAMP, ?, i::VARCHAR, 'create' FROM range(?) numbers(i)",
            [entity, count],
        )
    )
