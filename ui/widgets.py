"""Small widgets the pages share."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from models import exports
from models.errors import InputError
from ui.text import escape_markdown


def show_input_error(error: InputError) -> None:
    """One message per bad field, naming the field (both may quote an uploaded file: shown as text)."""
    for field, message in error.problems:
        st.error(f"**{escape_markdown(field)}**: {escape_markdown(message)}")


def download_buttons(frame: pd.DataFrame, file_stem: str, key: str) -> None:
    """CSV and XLSX downloads of a table, with formula-injection-safe cells."""
    left, right = st.columns(2)
    left.download_button(
        "Download CSV",
        exports.to_csv_bytes(frame),
        f"{file_stem}.csv",
        "text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
    )
    right.download_button(
        "Download XLSX",
        exports.to_xlsx_bytes(frame),
        f"{file_stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        icon=":material/download:",
    )
