"""Accounts (admin): who can sign in, who is locked out, new accounts and password resets."""

import pandas as pd
import streamlit as st

from models import auth
from models.access import ROLE_LABELS, Role
from models.paging import PICKER_SIZE
from models.people import accounts
from models.people.accounts import AccountRow
from ui.context import page_context
from ui.text import escape_markdown
from ui.widgets import download_buttons, pager, search_matches, show_table
from ui.writes import run_write

user, db, settings = page_context()


def _label(account: AccountRow) -> str:
    return f"{account.username} — {account.full_name}"


def accounts_frame(rows: list[AccountRow]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Username": row.username,
                "Person": row.full_name,
                "Team": row.team_name or "",
                "Roles": ", ".join(ROLE_LABELS.get(Role(role), role) for role in row.roles),
                "Last sign-in (UTC)": row.last_sign_in_at,
                "Locked until (UTC)": row.locked_until if row.is_locked() else None,
                "Failed attempts": row.failed_attempts,
                "Active": row.active,
            }
            for row in rows
        ],
        columns=[
            "Username",
            "Person",
            "Team",
            "Roles",
            "Last sign-in (UTC)",
            "Locked until (UTC)",
            "Failed attempts",
            "Active",
        ],
    )


def render_list(search: str) -> None:
    """The accounts matching the search, a page at a time; the download holds every match."""
    total = accounts.count_accounts(db, user, search=search)
    first = pager(total, "accounts_page", ("account", "accounts"), context=search)
    show_table(accounts_frame(accounts.list_accounts(db, user, search=search, offset=first)))
    if total:
        download_buttons(
            lambda: accounts_frame(accounts.list_accounts(db, user, search=search, limit=total)),
            "accounts",
            key="accounts",
            rows=total,
        )


def find_accounts(search: str) -> tuple[list[AccountRow], int]:
    return accounts.list_accounts(db, user, search=search, limit=PICKER_SIZE), accounts.count_accounts(
        db, user, search=search
    )


def render_unlock() -> None:
    st.subheader("Unlock an account")
    locked = accounts.list_accounts(db, user, locked_only=True, limit=PICKER_SIZE)
    locked_total = accounts.count_accounts(db, user, locked_only=True) if len(locked) == PICKER_SIZE else len(locked)
    if locked_total > len(locked):
        st.caption(f"The first {len(locked):,} of {locked_total:,} locked accounts, by username.")
    if not locked:
        st.caption("No account is locked.")
        return
    with st.form("unlock_account"):
        chosen = st.selectbox("Locked account", locked, format_func=_label)
        submitted = st.form_submit_button("Unlock", icon=":material/lock_open:")
    if (
        submitted
        and chosen is not None
        and run_write(lambda: auth.unlock_account(db, user, chosen.account_id), refusals=(ValueError,))
    ):
        st.session_state["accounts_notice"] = f"{chosen.username} is unlocked and may sign in again."
        st.rerun()


def render_reset_password() -> None:
    st.subheader("Reset a password")
    rows = search_matches("Find the account (username, name, email or team)", "reset_search", find_accounts)
    with st.form("reset_password", clear_on_submit=True):
        chosen = st.selectbox("Account", rows, format_func=_label, index=None, placeholder="Choose an account")
        password = st.text_input("New password (at least 10 characters)", type="password")
        repeat = st.text_input("Repeat the new password", type="password")
        submitted = st.form_submit_button("Set password", icon=":material/password:")
    if not submitted:
        return
    if chosen is None:
        st.error("**Account**: choose the account whose password to reset.")
    elif password != repeat:
        st.error("**Repeat the new password**: the two passwords differ.")
    elif run_write(lambda: auth.set_password(db, user, chosen.account_id, password), refusals=(ValueError,)):
        st.session_state["accounts_notice"] = (
            f"New password set for {chosen.username}; the account is unlocked and its sessions ended."
        )
        st.rerun()


def render_create_account() -> None:
    st.subheader("Create an account")
    if not accounts.employees_without_account(db, user, limit=1)[1]:
        st.caption("Every active person has an account.")
        return
    candidates = search_matches(
        "Find the person (name, employee number or email)",
        "create_search",
        lambda text: accounts.employees_without_account(db, user, search=text),
    )
    with st.form("create_account", clear_on_submit=True):
        person = st.selectbox(
            "Person without an account",
            candidates,
            format_func=lambda row: f"{row['full_name']} ({row['employee_number']}, {row['email']})",
            index=None,
            placeholder="Choose a person",
        )
        username = st.text_input("Username")
        password = st.text_input("First password (at least 10 characters)", type="password")
        submitted = st.form_submit_button("Create account", icon=":material/person_add:")
    if not submitted:
        return
    if person is None:
        st.error("**Person**: choose who the account is for.")
        return
    if run_write(lambda: accounts.create_account(db, user, person["id"], username, password)):
        st.session_state["accounts_notice"] = f"Account {username.strip().lower()} created for {person['full_name']}."
        st.rerun()


st.title("Accounts")
notice = st.session_state.pop("accounts_notice", None)
if notice:
    st.success(escape_markdown(notice))  # names and usernames, shown as text
search = st.text_input("Search by username, name, email or team")
render_list(search)
left, right = st.columns(2)
with left:
    render_unlock()
with right:
    render_reset_password()
render_create_account()
