"""People directory (HR, leadership, admin)."""

import pandas as pd
import streamlit as st

from models import people
from ui.context import page_context

user, db, settings = page_context()

st.title("People")
search = st.text_input("Search by name, email or employee number")
rows = people.directory(db, user, search=search)
st.dataframe(pd.DataFrame([row.model_dump() for row in rows]), hide_index=True)
