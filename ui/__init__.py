"""Streamlit-side helpers shared by portal.py and the pages: page registry, session,
sign-in routes and small widgets. Rules and queries stay in models/."""
