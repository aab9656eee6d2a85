"""What every page needs: the signed-in person, the database and the settings."""

from __future__ import annotations

import streamlit as st

from models.access import CurrentUser
from models.db import Database, get_database
from models.settings import Settings


def page_context() -> tuple[CurrentUser, Database, Settings]:
    """Set by portal.py before it runs the page; a page never runs without a user."""
    user: CurrentUser | None = st.session_state.get("portal_user")
    settings: Settings | None = st.session_state.get("portal_settings")
    if user is None or settings is None:
        st.error("Please sign in first.")
        st.link_button("Go to sign-in", "/")
        st.stop()
    return user, get_database(settings.db_path, url=settings.database_url), settings
