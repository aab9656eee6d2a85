"""Accounts (admin): who can sign in, who is locked out, new accounts and password resets."""

import pandas as pd
import streamlit as st

from models import auth
from models.access import ROLE_LABELS, Role
from models.i18n import _, format_number, ngettext
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
    columns = [
        _("Username"),
        _("Person"),
        _("Team"),
        _("Roles"),
        _("Last sign-in (UTC)"),
        _("Locked until (UTC)"),
        _("Failed attempts"),
        _("Active"),
    ]
    return pd.DataFrame(
        [
            (
                row.username,
                row.full_name,
                row.team_name or "",
                ", ".join(_(ROLE_LABELS.get(Role(role), role)) for role in row.roles),
                row.last_sign_in_at,
                row.locked_until if row.is_locked() else None,
                row.failed_attempts,
                row.active,
            )
            for row in rows
        ],
        columns=columns,
    )


def counted_accounts(n: int) -> str:
    return ngettext("{n} account", "{n} accounts", n, n=format_number(n))


def render_list(search: str) -> None:
    """The accounts matching the search, a page at a time; the download holds every match."""
    total = accounts.count_accounts(db, user, search=search)
    first = pager(total, "accounts_page", counted_accounts, context=search)
    show_table(accounts_frame(accounts.list_accounts(db, user, search=search, offset=first)))
    if total:
        download_buttons(
            lambda: accounts_frame(accounts.list_accounts(db, user, search=search, limit=total)),
            _("accounts"),
            key="accounts",
            rows=total,
        )


def find_accounts(search: str) -> tuple[list[AccountRow], int]:
    return accounts.list_accounts(db, user, search=search, limit=PICKER_SIZE), accounts.count_accounts(
        db, user, search=search
    )


def render_unlock() -> None:
    st.subheader(_("Unlock an account"))
    locked = accounts.list_accounts(db, user, locked_only=True, limit=PICKER_SIZE)
    locked_total = accounts.count_accounts(db, user, locked_only=True) if len(locked) == PICKER_SIZE else len(locked)
    if locked_total > len(locked):
        st.caption(
            _(
                "The first {shown} of {total} locked accounts, by username.",
                shown=format_number(len(locked)),
                total=format_number(locked_total),
            )
        )
    if not locked:
        st.caption(_("No account is locked."))
        return
    with st.form("unlock_account"):
        chosen = st.selectbox(_("Locked account"), locked, format_func=_label, key="unlock_account_choice")
        submitted = st.form_submit_button(_("Unlock"), icon=":material/lock_open:")
    if (
        submitted
        and chosen is not None
        and run_write(lambda: auth.unlock_account(db, user, chosen.account_id), refusals=(ValueError,))
    ):
        st.session_state["accounts_notice"] = _(
            "{username} is unlocked and may sign in again.", username=chosen.username
        )
        st.rerun()


def render_reset_password() -> None:
    st.subheader(_("Reset a password"))
    rows = search_matches(_("Find the account (username, name, email or team)"), "reset_search", find_accounts)
    with st.form("reset_password", clear_on_submit=True):
        chosen = st.selectbox(
            _("Account"),
            rows,
            format_func=_label,
            index=None,
            placeholder=_("Choose an account"),
            key="reset_account_choice",
        )
        password = st.text_input(_("New password (at least 10 characters)"), type="password", key="reset_password")
        repeat = st.text_input(_("Repeat the new password"), type="password", key="reset_password_repeat")
        submitted = st.form_submit_button(_("Set password"), icon=":material/password:")
    if not submitted:
        return
    if chosen is None:
        st.error("**" + _("Account") + "**: " + _("choose the account whose password to reset."))
    elif password != repeat:
        st.error("**" + _("Repeat the new password") + "**: " + _("the two passwords differ."))
    elif run_write(lambda: auth.set_password(db, user, chosen.account_id, password), refusals=(ValueError,)):
        st.session_state["accounts_notice"] = _(
            "New password set for {username}; the account is unlocked and its sessions ended.",
            username=chosen.username,
        )
        st.rerun()


def render_create_account() -> None:
    st.subheader(_("Create an account"))
    if not accounts.employees_without_account(db, user, limit=1)[1]:
        st.caption(_("Every active person has an account."))
        return
    candidates = search_matches(
        _("Find the person (name, employee number or email)"),
        "create_search",
        lambda text: accounts.employees_without_account(db, user, search=text),
    )
    with st.form("create_account", clear_on_submit=True):
        person = st.selectbox(
            _("Person without an account"),
            candidates,
            format_func=lambda row: f"{row['full_name']} ({row['employee_number']}, {row['email']})",
            index=None,
            placeholder=_("Choose a person"),
            key="create_account_person",
        )
        username = st.text_input(_("Username"), key="create_account_username")
        password = st.text_input(
            _("First password (at least 10 characters)"), type="password", key="create_account_password"
        )
        submitted = st.form_submit_button(_("Create account"), icon=":material/person_add:")
    if not submitted:
        return
    if person is None:
        st.error("**" + _("Person") + "**: " + _("choose who the account is for."))
        return
    if run_write(lambda: accounts.create_account(db, user, person["id"], username, password)):
        st.session_state["accounts_notice"] = _(
            "Account {username} created for {name}.", username=username.strip().lower(), name=person["full_name"]
        )
        st.rerun()


st.title(_("Accounts"))
notice = st.session_state.pop("accounts_notice", None)
if notice:
    st.success(escape_markdown(notice))  # names and usernames, shown as text
search = st.text_input(_("Search by username, name, email or team"), key="accounts_search")
render_list(search)
left, right = st.columns(2)
with left:
    render_unlock()
with right:
    render_reset_password()
render_create_account()
