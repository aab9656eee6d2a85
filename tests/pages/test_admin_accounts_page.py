"""The Accounts and Backups pages, driven through the portal as a signed-in person."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from models import auth
from models.access import Role
from models.db import get_database, utc_now
from models.people.directory import create_employee
from tests.conftest import TEST_PASSWORD, add_person
from tests.pages.apptest import open_page, signed_in_as

PAGE = "pages/admin_accounts.py"


def lock(database, username: str) -> None:
    database.write(
        lambda c: c.execute(
            "UPDATE accounts SET locked_until = ?, failed_attempts = 0 WHERE username = ?",
            [utc_now() + timedelta(minutes=15), username],
        )
    )


def test_admin_sees_every_account_with_its_person(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN, username="root", full_name="Ada Admin")
    add_person(database, username="sam", full_name="Sam Agent")
    app = open_page(signed_in_as(admin), PAGE)
    assert not app.exception
    table = app.dataframe[0].value
    assert set(table["Username"]) == {"root", "sam"}
    assert "Sam Agent" in set(table["Person"])
    assert app.caption[0].value.startswith("2 accounts")


def test_search_narrows_the_list(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN, username="root")
    add_person(database, username="sam", full_name="Sam Agent")
    app = open_page(signed_in_as(admin), PAGE)
    app.text_input[0].input("sam").run()
    assert list(app.dataframe[0].value["Username"]) == ["sam"]


def test_admin_unlocks_a_locked_account(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN, username="root")
    add_person(database, username="sam", full_name="Sam Agent")
    lock(database, "sam")
    with pytest.raises(auth.SignInError, match="locked"):
        auth.sign_in(database, "sam", TEST_PASSWORD)

    app = open_page(signed_in_as(admin), PAGE)
    unlock_box = next(box for box in app.selectbox if box.label == "Locked account")
    assert unlock_box.options == ["sam — Sam Agent"]
    next(button for button in app.button if button.label == "Unlock").click().run()
    assert not app.exception
    assert any("sam is unlocked" in message.value for message in app.success)
    assert auth.sign_in(database, "sam", TEST_PASSWORD).full_name == "Sam Agent"


def test_admin_resets_a_password(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN, username="root")
    add_person(database, username="sam", full_name="Sam Agent")
    app = open_page(signed_in_as(admin), PAGE)
    next(box for box in app.selectbox if box.label == "Account").select_index(1)
    fields = {field.label: field for field in app.text_input}
    fields["New password (at least 10 characters)"].input("a-fresh-password")
    fields["Repeat the new password"].input("a-fresh-password")
    next(button for button in app.button if button.label == "Set password").click().run()
    assert not app.exception
    assert any("New password set for sam" in message.value for message in app.success)
    assert auth.sign_in(database, "sam", "a-fresh-password").full_name == "Sam Agent"


def test_a_mismatched_repeat_changes_no_password(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN, username="root")
    add_person(database, username="sam")
    app = open_page(signed_in_as(admin), PAGE)
    next(box for box in app.selectbox if box.label == "Account").select_index(1)
    fields = {field.label: field for field in app.text_input}
    fields["New password (at least 10 characters)"].input("a-fresh-password")
    fields["Repeat the new password"].input("another-password")
    next(button for button in app.button if button.label == "Set password").click().run()
    assert any("differ" in message.value for message in app.error)
    assert auth.sign_in(database, "sam", TEST_PASSWORD) is not None


def test_admin_creates_an_account_for_a_person_without_one(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN, username="root")
    create_employee(database, admin, {"employee_number": "N1", "full_name": "Nina New", "email": "nina@x.org"})
    app = open_page(signed_in_as(admin), PAGE)
    next(box for box in app.selectbox if box.label == "Person without an account").select_index(0)
    fields = {field.label: field for field in app.text_input}
    fields["Username"].input("nina")
    fields["First password (at least 10 characters)"].input("ninas-first-password")
    next(button for button in app.button if button.label == "Create account").click().run()
    assert not app.exception
    assert any("Account nina created" in message.value for message in app.success)
    assert auth.sign_in(database, "nina", "ninas-first-password").full_name == "Nina New"


def registered_pages(app) -> set[str]:
    return {Path(str(info.get("script_path", ""))).name for info in app._registered_pages.values()}


def test_a_person_who_is_not_an_administrator_cannot_reach_accounts_or_backups(portal_env):
    database = get_database(portal_env)
    for role in (Role.HR, Role.LEADERSHIP, Role.AGENT):
        app = signed_in_as(add_person(database, role)).run()
        assert not {"admin_accounts.py", "admin_backups.py"} & registered_pages(app)
        for page in (PAGE, "pages/admin_backups.py"):
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                app.switch_page(page)


def test_an_administrator_finds_accounts_and_backups_in_the_navigation(portal_env):
    app = signed_in_as(add_person(get_database(portal_env), Role.ADMIN)).run()
    assert {"admin_accounts.py", "admin_backups.py"} <= registered_pages(app)


def test_backups_page_makes_a_backup_and_lists_it(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN, username="root")
    app = open_page(signed_in_as(admin), "pages/admin_backups.py")
    assert not app.exception
    assert any("No backups yet" in message.value for message in app.info)
    next(button for button in app.button if button.label == "Back up now").click().run()
    assert not app.exception
    assert any("Backed up to" in message.value for message in app.success)
    assert len(app.dataframe[0].value) == 1
    assert any("command line" in block.value for block in app.markdown)
