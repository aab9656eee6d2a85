"""Leaderboard: kudos received, kudos given and ideas green-lit per month, quarter or year,
for everyone or one team — never ranking fewer than three people."""

from datetime import date

import pandas as pd
import streamlit as st

from models.i18n import _
from models.recognition import kudos, leaderboard
from ui.context import page_context
from ui.dates import date_input_format
from ui.text import escape_markdown
from ui.widgets import download_buttons, show_table

user, db, settings = page_context()

st.title(_("Leaderboard"))
left, middle, right = st.columns(3)
period = left.selectbox(
    _("Period"), list(leaderboard.PERIODS), format_func=lambda p: _(leaderboard.PERIODS[p]), key="board_period"
)
on = middle.date_input(_("Including the day"), value=date.today(), key="board_on", format=date_input_format())
teams = kudos.team_choices(db)
team_id = right.selectbox(_("Team"), [None, *teams], format_func=lambda t: _("Everyone") if t is None else teams[t],
                          key="board_team", placeholder=_("Everyone"))  # fmt: skip
board = leaderboard.leaderboard(db, user, period, on, team_id=team_id)
whom = board.team_name or _("everyone")
st.caption(f"{escape_markdown(board.period_label)} · {escape_markdown(whom)}")
if not board.ranked:
    st.info(escape_markdown(board.message))
else:
    frame = pd.DataFrame(board.rows).drop(columns=["employee_id"])
    show_table(
        frame,
        labels={
            "rank": _("Rank"),
            "person": _("Person"),
            "team": _("Team"),
            "kudos_received": _("Kudos received"),
            "kudos_given": _("Kudos given"),
            "ideas_green_lit": _("Ideas green lit"),
        },
    )
    download_buttons(frame, _("kudos-leaderboard"), "leaderboard_download")
