"""Backups (admin): the finished backups and a button to make one now."""

import pandas as pd
import streamlit as st

from models import backup
from ui.context import page_context
from ui.widgets import show_table

user, db, settings = page_context()
folder = backup.default_folder(settings.db_path)


def render_backup_now() -> None:
    if st.button("Back up now", icon=":material/backup:", type="primary"):
        try:
            with st.spinner("Exporting the database…"):
                target = backup.backup(db, user, folder)
        except backup.BackupError as error:
            st.error(str(error))
        except OSError as error:
            st.error(f"The backup could not be written to {folder}: {error.strerror or error}. Nothing was saved.")
        else:
            st.session_state["backups_notice"] = f"Backed up to {target}"
            st.rerun()


def render_list() -> None:
    found = backup.list_backups(user, folder)
    if not found:
        st.info(f"No backups yet in {folder}.")
        return
    st.caption(f"{len(found)} backups in {folder}, newest first")
    show_table(pd.DataFrame([backup.describe(info) for info in found]))


st.title("Backups")
st.write(
    "A backup exports every table of the database as Parquet files into a new dated folder. "
    "Copy the folders somewhere safe: they sit beside the database file."
)
notice = st.session_state.pop("backups_notice", None)
if notice:
    st.success(notice)
render_backup_now()
render_list()

st.subheader("Restoring a backup")
st.write(
    "Restoring replaces the whole database, so it is done from the command line while the portal is "
    "stopped: DuckDB lets only one process open the database file, and a restore must not happen "
    "under people who are still working. Stop the portal, then run:"
)
st.code("python -m models.admin restore data/backups/portal-YYYYmmdd-HHMMSS", language="bash")
st.write(
    "The current database is kept beside it as `portal.duckdb.before-restore-<time>`, and everyone "
    "signs in again afterwards."
)
