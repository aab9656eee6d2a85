"""Backups (admin): the finished backups and a button to make one now."""

import pandas as pd
import streamlit as st

from models import backup
from models.i18n import _, format_number, ngettext
from ui.context import page_context
from ui.widgets import show_table

user, db, settings = page_context()
folder = backup.default_folder(settings.db_path)


def render_backup_now() -> None:
    if st.button(_("Back up now"), icon=":material/backup:", type="primary"):
        try:
            with st.spinner(_("Exporting the database…")):
                target = backup.backup(db, user, folder)
        except backup.BackupError as error:
            st.error(str(error))
        except OSError as error:
            st.error(
                _(
                    "The backup could not be written to {folder}: {error}. Nothing was saved.",
                    folder=folder,
                    error=error.strerror or error,
                )
            )
        else:
            st.session_state["backups_notice"] = _("Backed up to {target}", target=target)
            st.rerun()


def render_list() -> None:
    found = backup.list_backups(user, folder)
    if not found:
        st.info(_("No backups yet in {folder}.", folder=folder))
        return
    st.caption(
        ngettext(
            "{count} backup in {folder}, newest first",
            "{count} backups in {folder}, newest first",
            len(found),
            count=format_number(len(found)),
            folder=folder,
        )
    )
    show_table(pd.DataFrame([{_(column): value for column, value in backup.describe(info).items()} for info in found]))


st.title(_("Backups"))
st.write(
    _(
        "A backup exports every table of the database as Parquet files into a new dated folder. "
        "Copy the folders somewhere safe: they sit beside the database file."
    )
)
notice = st.session_state.pop("backups_notice", None)
if notice:
    st.success(notice)
render_backup_now()
render_list()

st.subheader(_("Restoring a backup"))
st.write(
    _(
        "Restoring replaces the whole database, so it is done from the command line while the portal is "
        "stopped: DuckDB lets only one process open the database file, and a restore must not happen "
        "under people who are still working. Stop the portal, then run:"
    )
)
st.code("python -m models.admin restore data/backups/portal-YYYYmmdd-HHMMSS", language="bash")
st.write(
    _(
        "The current database is kept beside it as `portal.duckdb.before-restore-<time>`, and everyone "
        "signs in again afterwards."
    )
)
