"""Recognition feed: give kudos to a colleague or a team, and the latest kudos and badges."""

from datetime import date

import streamlit as st

from models.recognition import badges, kudos
from ui.context import page_context
from ui.text import escape_markdown
from ui.widgets import search_matches
from ui.writes import run_write

user, db, settings = page_context()
FORM = "kudos_form"


def render_give() -> None:
    st.subheader("Give kudos")
    left = kudos.kudos_left(db, user, date.today())
    if left is not None:
        st.caption(f"You have {left} kudos left this month." if left else "You have no kudos left this month.")
    tags = kudos.tag_choices(db)
    to_team = st.radio("Give to", ["A colleague", "A team"], horizontal=True, key=f"{FORM}_kind") == "A team"
    if not to_team:
        colleagues = search_matches(
            "Find the colleague (name, email or employee number)",
            f"{FORM}_person_search",
            lambda text: kudos.find_recipients(db, user, text, keep=[st.session_state.get(f"{FORM}_person")]),
        )
        people = {person["id"]: kudos.recipient_label(person) for person in colleagues}
    with st.form(FORM, clear_on_submit=True):
        if to_team:
            teams = kudos.team_choices(db)
            team_id = st.selectbox("Team", list(teams), format_func=teams.get, index=None, key=f"{FORM}_team")
            recipient_id = None
        else:
            recipient_id = st.selectbox("Colleague", list(people), format_func=people.get, index=None,
                                        key=f"{FORM}_person")  # fmt: skip
            team_id = None
        tag = st.selectbox("Tag", list(tags), format_func=tags.get, index=None, key=f"{FORM}_tag",
                           help="A competency of the framework or a company value.")  # fmt: skip
        message = st.text_area("Message", max_chars=kudos.MESSAGE_MAX, key=f"{FORM}_message")
        if st.form_submit_button("Give kudos", icon=":material/celebration:"):
            data = {"recipient_id": recipient_id, "team_id": team_id, "message": message, "tag": tag or ""}
            run_write(lambda: kudos.give_kudos(db, user, data), success="Kudos given.")


def render_feed() -> None:
    st.subheader("Latest kudos and badges")
    items = [("kudos", item.given_at, item) for item in kudos.recent_kudos(db, user)]
    items += [("badge", badge["awarded_at"], badge) for badge in badges.recent_badges(db)]
    if not items:
        st.info("No kudos or badges yet.")
        return
    for kind, _, item in sorted(items, key=lambda entry: entry[1], reverse=True)[:40]:
        with st.container(border=True):
            if kind == "kudos":
                st.markdown(
                    f"**{escape_markdown(item.giver_name)}** → **{escape_markdown(item.to_name)}** · "
                    f"{escape_markdown(item.tag)} · {item.given_at:%Y-%m-%d}"
                )
                st.text(item.message)
            else:
                st.markdown(
                    f":material/emoji_events: **{escape_markdown(item['full_name'])}** earned "
                    f"**{escape_markdown(item['kind_label'])}** · {item['awarded_at']:%Y-%m-%d}"
                )
                st.text(item["message"])


st.title("Recognition feed")
render_give()
st.divider()
render_feed()
