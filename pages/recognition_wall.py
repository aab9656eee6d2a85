"""A person's wall: the kudos that reached them and the badges they hold. Kudos are public
praise, so anyone may open anyone's wall; one's own opens first."""

import streamlit as st

from models.i18n import _, format_number
from models.recognition import badges, kudos
from ui.context import page_context
from ui.dates import day
from ui.text import escape_markdown
from ui.widgets import search_matches

user, db, settings = page_context()


colleagues = search_matches(
    _("Find a colleague's wall (name, email or employee number)"),
    "wall_person_search",
    lambda text: kudos.find_recipients(db, user, text, keep=[st.session_state.get("wall_person")]),
)
people = {user.employee_id: _("{name} (me)", name=user.full_name)} | {
    person["id"]: kudos.recipient_label(person) for person in colleagues
}
person_id = st.selectbox(_("Whose wall"), list(people), format_func=people.get, key="wall_person")
name = kudos.person_name(db, person_id) or ""
st.title(_("My wall") if person_id == user.employee_id else _("Wall of {name}", name=escape_markdown(name)))

held = badges.badges_for(db, person_id)
received = kudos.kudos_received(db, user, person_id)
left, right = st.columns(2)
left.metric(_("Kudos received"), format_number(len(received)))
right.metric(_("Badges"), format_number(len(held)))

st.subheader(_("Badges"))
if not held:
    st.info(_("No badges yet."))
for badge in held:
    st.success(f"**{escape_markdown(badge['kind_label'])}** — {escape_markdown(badge['message'])}",
               icon=":material/emoji_events:")  # fmt: skip

st.subheader(_("Kudos"))
if not received:
    st.info(_("No kudos yet."))
for item in received:
    with st.container(border=True):
        giver = escape_markdown(item.giver_name)
        heading = (
            _("From **{giver}** (to the team)", giver=giver)
            if item.team_id is not None
            else _("From **{giver}**", giver=giver)
        )
        st.markdown(f"{heading} · {escape_markdown(item.shown_tag)} · {day(item.given_at)}")
        st.text(item.message)
