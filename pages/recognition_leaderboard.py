"""Leaderboard: kudos received, kudos given and ideas green-lit per month, quarter or year,
for everyone or one team — never ranking fewer than three people."""

from datetime import date

import pandas as pd
import streamlit as st

from models.recognition import kudos, leaderboard
from ui.context import page_context
from ui.text import escape_markdown
from ui.widgets import show_table

user, db, settings = page_context()

st.title("Leaderboard")
left, middle, right = st.columns(3)
period = left.selectbox("Period", list(leaderboard.PERIODS), format_func=leaderboard.PERIODS.get, key="board_period")
on = middle.date_input("Including the day", value=date.today(), key="board_on")
teams = kudos.team_choices(db)
team_id = right.selectbox("Team", [None, *teams], format_func=lambda t: "Everyone" if t is None else teams[t],
                          key="board_team")  # fmt: skip
board = leaderboard.leaderboard(db, user, period, on, team_id=team_id)
st.caption(f"{escape_markdown(board.period_label)} · {escape_markdown(board.team_name or 'everyone')}")
if not board.ranked:
    st.info(escape_markdown(board.message))
else:
    frame = pd.DataFrame(board.rows).drop(columns=["employee_id"])
    show_table(frame)
