"""Accounts: hashing, sign-in messages, lockout, tokens and cookies, the permission matrix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher, Type

from models import access, auth
from models.access import Permission, PermissionDeniedError, Role
from models.auth import SignInError
from models.db import utc_now
from models.people import directory
from tests.conftest import PORTAL_HASHER, TEST_PASSWORD


def test_the_portal_hashes_with_argon2id_at_the_librarys_recommended_cost():
    """The tests hash cheaply (tests/conftest.py); the portal itself must not."""
    recommended = PasswordHasher()
    assert PORTAL_HASHER.type is Type.ID
    assert (PORTAL_HASHER.time_cost, PORTAL_HASHER.memory_cost, PORTAL_HASHER.parallelism) == (
        recommended.time_cost,
        recommended.memory_cost,
        recommended.parallelism,
    )
    assert PORTAL_HASHER.hash(TEST_PASSWORD).startswith("$argon2id$")


def test_passwords_are_stored_as_argon2id_hashes(db, make_user):
    user = make_user(username="hashme")
    stored = db.scalar("SELECT password_hash FROM accounts WHERE id = ?", [user.account_id])
    assert stored.startswith("$argon2id$")
    assert TEST_PASSWORD not in stored
    assert auth.verify_password(stored, TEST_PASSWORD)
    assert not auth.verify_password(stored, TEST_PASSWORD + "x")


def test_sign_in_by_username_or_email(db, make_user):
    user = make_user(username="sam")
    assert auth.sign_in(db, "sam", TEST_PASSWORD).employee_id == user.employee_id
    assert auth.sign_in(db, user.email.upper(), TEST_PASSWORD).employee_id == user.employee_id


def test_wrong_password_and_unknown_user_get_the_same_message(db, make_user):
    make_user(username="sam")
    with pytest.raises(SignInError, match="^Wrong username or password"):
        auth.sign_in(db, "sam", "wrong-password")
    with pytest.raises(SignInError, match="^Wrong username or password"):
        auth.sign_in(db, "nobody", "wrong-password")


def test_a_locked_account_is_refused_exactly_as_an_unknown_username(db, make_user):
    """The lockout must not tell a stranger that an account exists."""
    make_user(username="sam")
    now = utc_now()
    refusals = []
    for login, password in [("nobody", "bad-password")] * 6 + [("sam", "bad-password")] * 5:
        with pytest.raises(SignInError) as refused:
            auth.sign_in(db, login, password, now=now)
        refusals.append(str(refused.value))
    with pytest.raises(SignInError) as locked:
        auth.sign_in(db, "sam", TEST_PASSWORD, now=now + timedelta(minutes=1))
    assert set(refusals) == {str(locked.value)} == {auth.SIGN_IN_REFUSED}
    assert "locked for 15 minutes" in auth.SIGN_IN_REFUSED


def test_empty_fields_are_asked_for(db):
    with pytest.raises(SignInError, match="Enter your username and password"):
        auth.sign_in(db, "  ", "")


def test_five_failures_lock_the_account_for_fifteen_minutes(db, make_user):
    make_user(username="sam")
    now = utc_now()
    for _ in range(4):
        with pytest.raises(SignInError, match="^Wrong username or password"):
            auth.sign_in(db, "sam", "bad-password", now=now)
    with pytest.raises(SignInError, match="locked for 15 minutes"):
        auth.sign_in(db, "sam", "bad-password", now=now)
    with pytest.raises(SignInError, match="^Wrong username or password"):
        auth.sign_in(db, "sam", TEST_PASSWORD, now=now + timedelta(minutes=14))
    user = auth.sign_in(db, "sam", TEST_PASSWORD, now=now + timedelta(minutes=15, seconds=1))
    assert user.full_name


def test_a_good_sign_in_resets_the_failure_count(db, make_user):
    make_user(username="sam")
    for _ in range(4):
        with pytest.raises(SignInError):
            auth.sign_in(db, "sam", "bad-password")
    auth.sign_in(db, "sam", TEST_PASSWORD)
    for _ in range(4):
        with pytest.raises(SignInError, match="^Wrong username or password"):
            auth.sign_in(db, "sam", "bad-password")


def test_an_inactive_account_is_told_so(db, make_user):
    admin = make_user(Role.ADMIN)
    leaver = make_user(username="leaver")
    directory.set_active(db, admin, leaver.employee_id, False)
    with pytest.raises(SignInError, match="inactive"):
        auth.sign_in(db, "leaver", TEST_PASSWORD)


def test_sign_ins_and_failures_are_audited(db, make_user):
    make_user(username="sam")
    with pytest.raises(SignInError):
        auth.sign_in(db, "sam", "bad-password")
    auth.sign_in(db, "sam", TEST_PASSWORD)
    actions = [row["action"] for row in db.query("SELECT action FROM audit_log WHERE entity = 'account' ORDER BY id")]
    assert actions[-2:] == ["sign_in_failed", "sign_in"]


def test_a_grant_works_once_and_gives_a_session(db, make_user):
    user = make_user()
    grant = auth.issue_grant(db, user)
    session = auth.redeem_grant(db, grant, timedelta(hours=1))
    assert session and auth.session_user(db, session).employee_id == user.employee_id
    assert auth.redeem_grant(db, grant, timedelta(hours=1)) is None


def test_a_grant_expires_after_a_minute(db, make_user):
    user = make_user()
    grant = auth.issue_grant(db, user)
    assert auth.redeem_grant(db, grant, timedelta(hours=1), now=utc_now() + timedelta(seconds=61)) is None


def test_tokens_are_stored_only_as_hashes(db, make_user):
    user = make_user()
    grant = auth.issue_grant(db, user)
    session = auth.redeem_grant(db, grant, timedelta(hours=1))
    stored = {row["token_hash"] for row in db.query("SELECT token_hash FROM sign_in_tokens")}
    assert grant not in stored and session not in stored


def test_a_session_ends_at_sign_out_and_at_its_lifetime(db, make_user):
    user = make_user()
    session = auth.redeem_grant(db, auth.issue_grant(db, user), timedelta(hours=2))
    assert auth.session_user(db, session, now=utc_now() + timedelta(hours=2, seconds=1)) is None
    auth.end_session(db, session, user)
    assert auth.session_user(db, session) is None


def test_deactivation_ends_live_sessions(db, make_user):
    admin = make_user(Role.ADMIN)
    user = make_user()
    session = auth.redeem_grant(db, auth.issue_grant(db, user), timedelta(hours=2))
    directory.set_active(db, admin, user.employee_id, False)
    assert auth.session_user(db, session) is None


def test_cookie_signature_rejects_forgery_and_age():
    cookie = auth.sign_cookie("k" * 40, "token-123")
    assert auth.read_cookie("k" * 40, cookie, 3600) == "token-123"
    assert auth.read_cookie("other-key" * 5, cookie, 3600) is None
    assert auth.read_cookie("k" * 40, cookie[:-2] + "xx", 3600) is None
    assert auth.read_cookie("k" * 40, cookie, -1) is None
    assert auth.read_cookie("k" * 40, None, 3600) is None


def test_changing_a_password_needs_the_current_one_and_ends_sessions(db, make_user):
    user = make_user(username="sam")
    session = auth.redeem_grant(db, auth.issue_grant(db, user), timedelta(hours=2))
    with pytest.raises(SignInError):
        auth.change_own_password(db, user, "not-current", "a-brand-new-password")
    auth.change_own_password(db, user, TEST_PASSWORD, "a-brand-new-password")
    assert auth.session_user(db, session) is None
    assert auth.sign_in(db, "sam", "a-brand-new-password").employee_id == user.employee_id


def test_short_passwords_are_refused(db, make_user):
    user = make_user()
    with pytest.raises(ValueError, match="at least 10"):
        auth.set_password(db, user, user.account_id, "short")


def test_only_an_admin_resets_someone_elses_password_or_unlocks(db, make_user):
    agent, other, admin = make_user(), make_user(), make_user(Role.ADMIN)
    with pytest.raises(PermissionDeniedError):
        auth.set_password(db, agent, other.account_id, "a-long-enough-password")
    with pytest.raises(PermissionDeniedError):
        auth.unlock_account(db, agent, other.account_id)
    auth.set_password(db, admin, other.account_id, "a-long-enough-password")
    auth.unlock_account(db, admin, other.account_id)


# -- the matrix of SPEC §0 -----------------------------------------------------------
def test_every_employee_is_an_agent(db, make_user):
    assert make_user(Role.ANALYST).roles >= {Role.AGENT, Role.ANALYST}


@pytest.mark.parametrize(
    ("role", "granted", "refused"),
    [
        (Role.AGENT, Permission.IDEAS_SUBMIT, Permission.IDEAS_MODERATE),
        (Role.MODERATOR, Permission.IDEAS_MODERATE, Permission.IDEAS_JUDGE),
        (Role.TEAM_LEAD, Permission.TEAM_COACHING, Permission.PEOPLE_MANAGE),
        (Role.ANALYST, Permission.COMPLAINTS_IMPORT, Permission.STRATEGY_MANAGE),
        (Role.HR, Permission.PEOPLE_MANAGE, Permission.AUDIT_READ),
        (Role.LEADERSHIP, Permission.IDEAS_JUDGE, Permission.USERS_MANAGE),
        (Role.ADMIN, Permission.AUDIT_READ, Permission.IDEAS_JUDGE),
    ],
)
def test_each_role_widens_only_what_the_matrix_grants(role, granted, refused):
    permissions = access.permissions_for({role})
    assert granted in permissions
    assert refused not in permissions


def test_only_analysts_and_leadership_see_raw_complaints():
    allowed = {role for role in Role if Permission.COMPLAINTS_RAW in access.permissions_for({role})}
    assert allowed == {Role.ANALYST, Role.LEADERSHIP}


def test_roles_add_up(db, make_user):
    both = make_user(Role.HR, Role.ANALYST)
    assert both.can(Permission.PEOPLE_MANAGE) and both.can(Permission.COMPLAINTS_IMPORT)


def test_require_names_the_missing_permission(db, make_user):
    agent = make_user(full_name="Alex Agent")
    with pytest.raises(PermissionDeniedError, match="Alex Agent may not.*people.manage"):
        access.require(agent, Permission.PEOPLE_MANAGE)
    with pytest.raises(PermissionDeniedError):
        access.require(None, Permission.STRATEGY_READ)


def test_many_sign_ins_at_once_check_passwords_a_few_at_a_time(db, make_user, monkeypatch):
    """Fifty people signing in together must not hold fifty password checks' memory at once."""
    import threading
    import time

    make_user(Role.AGENT, username="crowd")
    running, most = 0, 0
    lock = threading.Lock()
    real = auth._hasher

    class CountingHasher:
        def verify(self, password_hash, password):
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.02)
            with lock:
                running -= 1
            return real.verify(password_hash, password)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(auth, "_hasher", CountingHasher())
    signed_in: list[str] = []
    threads = [
        threading.Thread(target=lambda: signed_in.append(auth.sign_in(db, "crowd", TEST_PASSWORD).full_name))
        for _ in range(12)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(signed_in) == 12
    assert most <= auth.HASHING_AT_ONCE < 12
