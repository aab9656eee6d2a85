"""Account administration in models.accounts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import auth
from models.access import PermissionDeniedError, Role
from models.db import insert_row, utc_now
from models.errors import InputError
from models.people import accounts

PASSWORD = "another-good-password"


def test_accounts_list_shows_person_team_and_lockout(db, make_user):
    admin = make_user(Role.ADMIN, username="root")
    team_id = db.write(lambda c: insert_row(c, "teams", {"name": "Retention"}))
    agent = make_user(team_id=team_id, username="sam", full_name="Sam Agent")
    db.write(
        lambda c: c.execute(
            "UPDATE accounts SET locked_until = ?, failed_attempts = 0 WHERE employee_id = ?",
            [utc_now() + timedelta(minutes=10), agent.employee_id],
        )
    )
    rows = {row.username: row for row in accounts.list_accounts(db, admin)}
    assert set(rows) == {"root", "sam"}
    assert rows["sam"].full_name == "Sam Agent" and rows["sam"].team_name == "Retention"
    assert rows["sam"].is_locked() and not rows["root"].is_locked()
    assert rows["root"].roles == ["admin"]
    assert [row.username for row in accounts.list_accounts(db, admin, search="retent")] == ["sam"]


def test_only_administrators_list_accounts(db, make_user):
    for role in (Role.HR, Role.LEADERSHIP, Role.TEAM_LEAD):
        with pytest.raises(PermissionDeniedError):
            accounts.list_accounts(db, make_user(role))
        with pytest.raises(PermissionDeniedError):
            accounts.employees_without_account(db, make_user(role))


def test_people_without_an_account_are_offered_for_a_new_one(db, make_user):
    admin = make_user(Role.ADMIN)
    from models.people.directory import create_employee

    newcomer = create_employee(db, admin, {"employee_number": "N1", "full_name": "New Comer", "email": "n@x.org"})
    assert [row["id"] for row in accounts.employees_without_account(db, admin)[0]] == [newcomer]


def test_create_admin_needs_an_administrator_or_the_system(db, make_user):
    details = {"full_name": "Extra Admin", "email": "extra@x.org", "username": "extra", "password": PASSWORD}
    with pytest.raises(PermissionDeniedError):
        accounts.create_admin(db, make_user(Role.HR), **details)
    with pytest.raises(PermissionDeniedError):
        accounts.create_admin(db, None, **details)
    assert db.scalar("SELECT count(*) FROM accounts WHERE username = 'extra'") == 0
    accounts.create_admin(db, make_user(Role.ADMIN), **details)
    assert Role.ADMIN in auth.sign_in(db, "extra", PASSWORD).roles


def test_create_admin_refuses_an_email_in_use(db, make_user):
    admin = make_user(Role.ADMIN)
    with pytest.raises(InputError, match="Email"):
        accounts.create_admin(
            db, None, full_name="Twin", email=admin.email, username="twin", password=PASSWORD, system=True
        )
    assert db.scalar("SELECT count(*) FROM employees") == 1


def test_reset_password_needs_the_users_permission(db, make_user):
    target = make_user(username="target")
    with pytest.raises(PermissionDeniedError):
        accounts.reset_password(db, make_user(Role.HR), "target", PASSWORD)
    with pytest.raises(PermissionDeniedError):
        accounts.reset_password(db, None, "target", PASSWORD)
    accounts.reset_password(db, make_user(Role.ADMIN), "target", PASSWORD)
    assert auth.sign_in(db, "target", PASSWORD).employee_id == target.employee_id
