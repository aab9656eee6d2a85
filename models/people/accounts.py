"""Account administration: the list of sign-ins for the admin page, and the system
actions of the admin command line (an extra administrator, a password reset).

Functions for a signed-in administrator take ``actor`` and check its permission. The
command line acts as the system: it passes ``actor=None`` together with
``system=True``, and its changes are audited as made by the system."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import duckdb
from pydantic import BaseModel

from models import audit
from models.access import CurrentUser, Permission, Role, require
from models.auth import check_password_rules, hash_password
from models.db import insert_with_new_id, utc_now
from models.errors import InputError, validate
from models.i18n import _
from models.paging import PAGE_SIZE, PICKER_SIZE, like_pattern, matches_any, rows_with_total
from models.people.directory import USERNAME_PATTERN, EmployeeInput, _check_references, insert_employee

if TYPE_CHECKING:
    from models.db import Database


class AccountRow(BaseModel):
    """One local sign-in as the Accounts page lists it."""

    account_id: int
    username: str
    employee_id: int
    employee_number: str
    full_name: str
    email: str
    team_name: str | None
    roles: list[str]
    last_sign_in_at: datetime | None
    locked_until: datetime | None
    failed_attempts: int
    active: bool

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utc_now())


def _require_unless_system(actor: CurrentUser | None, permission: Permission, system: bool) -> None:
    if not (system and actor is None):
        require(actor, permission)


_ACCOUNT_SEARCH = matches_any(["a.username", "e.full_name", "e.email", "t.name"])
_ACCOUNT_FROM = " FROM accounts a JOIN employees e ON e.id = a.employee_id LEFT JOIN teams t ON t.id = e.team_id"


def _account_where(search: str, locked_only: bool) -> tuple[str, list]:
    clauses, params = [], []
    pattern = like_pattern(search)
    if pattern:
        clauses.append(_ACCOUNT_SEARCH)
        params.extend([pattern] * 4)
    if locked_only:
        clauses.append("a.locked_until > ?")
        params.append(utc_now())
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def list_accounts(
    db: Database,
    actor: CurrentUser,
    *,
    search: str = "",
    locked_only: bool = False,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> list[AccountRow]:
    """One page of the local accounts (by username) with their person, team and lockout state,
    matching ``search`` in username, name, email or team (administrators); ``count_accounts``
    gives the total."""
    require(actor, Permission.USERS_MANAGE)
    where, params = _account_where(search, locked_only)
    rows = db.query(
        "SELECT a.id AS account_id, a.username, e.id AS employee_id, e.employee_number, e.full_name, e.email,"
        " t.name AS team_name,"
        " coalesce((SELECT list(r.role ORDER BY r.role) FROM employee_roles r WHERE r.employee_id = e.id), [])"
        " AS roles,"
        " a.last_sign_in_at, a.locked_until, a.failed_attempts, e.active"
        + _ACCOUNT_FROM
        + where
        + " ORDER BY a.username LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [AccountRow(**row) for row in rows]


def count_accounts(db: Database, actor: CurrentUser, *, search: str = "", locked_only: bool = False) -> int:
    """How many accounts ``list_accounts`` pages through for the same search."""
    require(actor, Permission.USERS_MANAGE)
    where, params = _account_where(search, locked_only)
    return db.scalar("SELECT count(*)" + _ACCOUNT_FROM + where, params)


def employees_without_account(
    db: Database, actor: CurrentUser, *, search: str = "", limit: int = PICKER_SIZE
) -> tuple[list[dict], int]:
    """Active people who cannot sign in locally yet, candidates for a new account: the first
    ``limit`` matching ``search`` (name, employee number or email) by name, and how many match."""
    require(actor, Permission.USERS_MANAGE)
    where = " WHERE e.active AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.employee_id = e.id)"
    params: list = []
    pattern = like_pattern(search)
    if pattern:
        where += " AND " + matches_any(["e.full_name", "e.employee_number", "e.email"])
        params.extend([pattern] * 3)
    return rows_with_total(
        db,
        "SELECT e.id, e.employee_number, e.full_name, e.email FROM employees e" + where,
        params,
        order_by="full_name, employee_number",
        limit=limit,
    )


def account_id_for(db: Database, username: str) -> int | None:
    return db.scalar("SELECT id FROM accounts WHERE lower(username) = lower(?)", [username.strip()])


def _password_problem(error: ValueError) -> tuple[str, str]:
    """The password rule's refusal ("Password: use at least …") as a field and its problem."""
    return _("Password"), str(error).partition(": ")[2] or str(error)


def _checked_hash(password: str) -> str:
    try:
        check_password_rules(password)
    except ValueError as error:
        raise InputError([_password_problem(error)]) from None
    return hash_password(password)


def create_admin(
    db: Database,
    actor: CurrentUser | None,
    *,
    full_name: str,
    email: str,
    username: str,
    password: str,
    system: bool = False,
) -> int:
    """Add a new person holding the administrator role, with a local account.

    For the command line (``system=True``) on a portal that already has accounts;
    an administrator in the portal needs the people, roles and users permissions."""
    _require_unless_system(actor, Permission.USERS_MANAGE, system)
    _require_unless_system(actor, Permission.ROLES_ASSIGN, system)
    username = _check_username(username)
    password_hash = _checked_hash(password)

    def create(connection: duckdb.DuckDBPyConnection):
        numbers = {
            row[0] for row in connection.execute("SELECT employee_number FROM employees").fetchall()
        }  # ADMIN-1 is the first administrator's; take the next free number
        number = next(f"ADMIN-{n}" for n in range(1, len(numbers) + 2) if f"ADMIN-{n}" not in numbers)
        record = validate(EmployeeInput, {"employee_number": number, "full_name": full_name, "email": email})
        _check_references(connection, record, None)
        employee_id = insert_employee(connection, actor, record, {Role.ADMIN})
        insert_account(connection, actor, employee_id, username, password_hash)
        return employee_id

    return db.write(create)


def reset_password(
    db: Database, actor: CurrentUser | None, username: str, password: str, *, system: bool = False
) -> int:
    """Set a new password for an account, unlock it and end its sessions; returns its id."""
    _require_unless_system(actor, Permission.USERS_MANAGE, system)
    password_hash = _checked_hash(password)

    def reset(connection: duckdb.DuckDBPyConnection):
        row = connection.execute(
            "SELECT id, locked_until FROM accounts WHERE lower(username) = lower(?)", [username.strip()]
        ).fetchone()
        if row is None:
            raise InputError.single(_("Username"), _("no account is called '{username}'", username=username.strip()))
        account_id, locked_until = row
        now = utc_now()
        connection.execute(
            "UPDATE accounts SET password_hash = ?, password_changed_at = ?, failed_attempts = 0,"
            " locked_until = NULL WHERE id = ?",
            [password_hash, now, account_id],
        )
        connection.execute(
            "UPDATE sign_in_tokens SET used_at = ? WHERE account_id = ? AND used_at IS NULL", [now, account_id]
        )
        audit.record(
            connection,
            actor,
            "account",
            account_id,
            "password_set",
            {"locked_until": locked_until},
            {"locked_until": None, "via": "command line" if actor is None else "portal"},
        )
        return account_id

    return db.write(reset)


# -- accounts ------------------------------------------------------------------------
def _check_username(username: str) -> str:
    username = (username or "").strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise InputError.single(
            _("Username"),
            _("use 2 to 40 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"),
        )
    return username


def insert_account(
    connection: duckdb.DuckDBPyConnection,
    actor: CurrentUser | None,
    employee_id: int,
    username: str,
    password_hash: str | None,
) -> int:
    if connection.execute("SELECT 1 FROM accounts WHERE lower(username) = ?", [username]).fetchone():
        raise InputError.single(_("Username"), _("'{username}' is taken", username=username))
    if connection.execute("SELECT 1 FROM accounts WHERE employee_id = ?", [employee_id]).fetchone():
        raise InputError.single(_("Account"), _("this person has an account already"))
    account_id = insert_with_new_id(
        connection,
        "accounts",
        "INSERT INTO accounts (id, employee_id, username, password_hash, password_changed_at, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [employee_id, username, password_hash, utc_now(), utc_now()],
    )
    audit.record(
        connection, actor, "account", account_id, "create", after={"employee_id": employee_id, "username": username}
    )
    return account_id


def create_account(db: Database, actor: CurrentUser, employee_id: int, username: str, password: str) -> int:
    """Give a person a local sign-in."""
    require(actor, Permission.USERS_MANAGE)
    username = _check_username(username)
    try:
        check_password_rules(password)
    except ValueError as error:
        raise InputError([_password_problem(error)]) from None
    password_hash = hash_password(password)

    def create(connection: duckdb.DuckDBPyConnection):
        if not connection.execute("SELECT 1 FROM employees WHERE id = ?", [employee_id]).fetchone():
            raise InputError.single(_("Employee"), _("no such employee"))
        return insert_account(connection, actor, employee_id, username, password_hash)

    return db.write(create)


def create_first_admin(db: Database, *, full_name: str, email: str, username: str, password: str) -> int:
    """The first administrator of an empty portal; refused once any account exists."""
    problems: list[tuple[str, str]] = []
    record = username_ok = None
    try:
        record = validate(EmployeeInput, {"employee_number": "ADMIN-1", "full_name": full_name, "email": email})
    except InputError as error:
        problems += error.problems
    try:
        username_ok = _check_username(username)
    except InputError as error:
        problems += error.problems
    try:
        check_password_rules(password)
    except ValueError as error:
        problems.append(_password_problem(error))
    if problems:
        raise InputError(problems)
    username = username_ok
    password_hash = hash_password(password)

    def create(connection: duckdb.DuckDBPyConnection):
        if connection.execute("SELECT count(*) FROM accounts").fetchone()[0]:
            raise PermissionError(_("The portal already has accounts; ask an administrator."))
        _check_references(connection, record, None)
        employee_id = insert_employee(connection, None, record, {Role.ADMIN})
        insert_account(connection, None, employee_id, username, password_hash)
        return employee_id

    return db.write(create)
