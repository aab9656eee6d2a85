"""My account: who I am in the portal and my password."""

import streamlit as st

from models import auth
from models.access import ROLE_LABELS
from ui import session
from ui.context import page_context
from ui.text import escape_markdown
from ui.writes import run_write

user, db, settings = page_context()

st.title("My account")
st.write(f"**{escape_markdown(user.full_name)}** · {escape_markdown(user.email)}")
st.write("Roles: " + ", ".join(ROLE_LABELS[role] for role in sorted(user.roles)))

if not auth.has_portal_password(db, user):
    st.info(
        "You sign in through your organisation's single sign-on, so the portal keeps no password for you: "
        "change it with your organisation's sign-in service."
    )
else:
    st.subheader("Change password")
    with st.form("change_password", clear_on_submit=False):
        current = st.text_input("Current password", type="password")
        new = st.text_input("New password (at least 10 characters)", type="password")
        repeat = st.text_input("Repeat new password", type="password")
        submitted = st.form_submit_button("Change password")
    if submitted:
        if new != repeat:
            st.error("Repeat new password: the two passwords differ.")
        elif run_write(
            lambda: session.change_own_password(db, user, current, new), refusals=(auth.SignInError, ValueError)
        ):
            st.success("Password changed. Other signed-in browsers must sign in again.")
