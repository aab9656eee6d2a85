"""My account: who I am in the portal, the language the portal speaks to me, and my password."""

import streamlit as st

from models import auth, i18n
from models.access import ROLE_LABELS
from models.i18n import _
from ui import session
from ui.context import page_context
from ui.text import escape_markdown
from ui.writes import run_write

user, db, settings = page_context()

st.title(_("My account"))
st.write(f"**{escape_markdown(user.full_name)}** · {escape_markdown(user.email)}")
st.write(_("Roles: {roles}", roles=", ".join(_(ROLE_LABELS[role]) for role in sorted(user.roles))))

# The language applies at once: the choice is stored, and the page runs again in it. Every widget
# on the page has a key, so what was typed stays when the labels change language.
_LANGUAGE = "account_language"
_LANGUAGE_CHOSEN = "account_language_chosen"  # set when the person, not a page run, changed the choice
speaking = i18n.current_language()
language_chosen = st.session_state.pop(_LANGUAGE_CHOSEN, False)
if not language_chosen:
    st.session_state[_LANGUAGE] = speaking  # the choice shows the language spoken, even if chosen elsewhere
chosen = st.selectbox(
    _("Language"),
    options=list(i18n.LANGUAGES),
    format_func=i18n.language_name,
    key=_LANGUAGE,
    on_change=lambda: st.session_state.update({_LANGUAGE_CHOSEN: True}),
)
if (
    language_chosen
    and chosen != speaking
    and run_write(
        lambda: auth.change_own_language(db, user, user.account_id, chosen), refusals=(PermissionError, ValueError)
    )
):
    st.rerun()

if not auth.has_portal_password(db, user):
    st.info(
        _(
            "You sign in through your organisation's single sign-on, so the portal keeps no password for you: "
            "change it with your organisation's sign-in service."
        )
    )
else:
    st.subheader(_("Change password"))
    with st.form("change_password", clear_on_submit=False):
        current = st.text_input(_("Current password"), type="password", key="account_current_password")
        new = st.text_input(
            _("New password (at least {count} characters)", count=auth.PASSWORD_MIN_LENGTH),
            type="password",
            key="account_new_password",
        )
        repeat = st.text_input(_("Repeat new password"), type="password", key="account_repeat_password")
        submitted = st.form_submit_button(_("Change password"))
    if submitted:
        if new != repeat:
            st.error(_("Repeat new password: the two passwords differ."))
        elif run_write(
            lambda: session.change_own_password(db, user, current, new), refusals=(auth.SignInError, ValueError)
        ):
            st.success(_("Password changed. Other signed-in browsers must sign in again."))
