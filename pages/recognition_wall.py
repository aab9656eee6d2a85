"""A person's wall: the kudos that reached them and the badges they hold. Kudos are public
praise, so anyone may open anyone's wall; one's own opens first."""

import streamlit as st

from models.recognition import badges, kudos
from ui.context import page_context
from ui.text import escape_markdown
from ui.widgets import search_matches

user, db, settings = page_context()

colleagues = search_matches(
    "Find a colleague's wall (name, email or employee number)",
    "wall_person_search",
    lambda text: kudos.find_recipients(db, user, text, keep=[st.session_state.get("wall_person")]),
)
people = {user.employee_id: f"{user.full_name} (me)"} | {
    person["id"]: kudos.recipient_label(person) for person in colleagues
}
person_id = st.selectbox("Whose wall", list(people), format_func=people.get, key="wall_person")
name = kudos.person_name(db, person_id) or ""
st.title("My wall" if person_id == user.employee_id else f"Wall of {escape_markdown(name)}")

held = badges.badges_for(db, person_id)
received = kudos.kudos_received(db, user, person_id)
left, right = st.columns(2)
left.metric("Kudos received", len(received))
right.metric("Badges", len(held))

st.subheader("Badges")
if not held:
    st.info("No badges yet.")
for badge in held:
    st.success(f"**{escape_markdown(badge['kind_label'])}** — {escape_markdown(badge['message'])}",
               icon=":material/emoji_events:")  # fmt: skip

st.subheader("Kudos")
if not received:
    st.info("No kudos yet.")
for item in received:
    with st.container(border=True):
        team = " (to the team)" if item.team_id is not None else ""
        st.markdown(
            f"From **{escape_markdown(item.giver_name)}**{escape_markdown(team)} · {escape_markdown(item.tag)} · "
            f"{item.given_at:%Y-%m-%d}"
        )
        st.text(item.message)
