"""Accounts (admin)."""

import streamlit as st

from ui.context import page_context

user, db, settings = page_context()
st.title("Accounts")
