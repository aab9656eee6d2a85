"""Recognition feed: give kudos to a colleague or a team, and the latest kudos and badges."""

from datetime import date

import streamlit as st

from models.i18n import N_, _, ngettext
from models.recognition import badges, kudos
from ui.context import page_context
from ui.dates import day
from ui.text import escape_markdown
from ui.widgets import search_matches
from ui.writes import run_write

user, db, settings = page_context()
FORM = "kudos_form"
GIVE_TO = {"A colleague": N_("A colleague"), "A team": N_("A team")}  # translated where shown


def render_give() -> None:
    st.subheader(_("Give kudos"))
    left = kudos.kudos_left(db, user, date.today())
    if left is not None:
        st.caption(
            ngettext("You have {n} kudos left this month.", "You have {n} kudos left this month.", left)
            if left
            else _("You have no kudos left this month.")
        )
    tags = kudos.tag_choices(db)
    give_to = {choice: _(label) for choice, label in GIVE_TO.items()}
    to_team = (
        st.radio(_("Give to"), list(give_to), format_func=give_to.__getitem__, horizontal=True, key=f"{FORM}_kind")
        == "A team"
    )
    if not to_team:
        colleagues = search_matches(
            _("Find the colleague (name, email or employee number)"),
            f"{FORM}_person_search",
            lambda text: kudos.find_recipients(db, user, text, keep=[st.session_state.get(f"{FORM}_person")]),
        )
        people = {person["id"]: kudos.recipient_label(person) for person in colleagues}
    with st.form(FORM, clear_on_submit=True):
        if to_team:
            teams = kudos.team_choices(db)
            team_id = st.selectbox(
                _("Team"),
                list(teams),
                format_func=teams.get,
                index=None,
                key=f"{FORM}_team",
                placeholder=_("Choose an option"),
            )
            recipient_id = None
        else:
            recipient_id = st.selectbox(_("Colleague"), list(people), format_func=people.get, index=None,
                                        key=f"{FORM}_person", placeholder=_("Choose an option"))  # fmt: skip
            team_id = None
        tag = st.selectbox(_("Tag"), list(tags), format_func=tags.get, index=None, key=f"{FORM}_tag",
                           help=_("A competency of the framework or a company value."),
                           placeholder=_("Choose an option"))  # fmt: skip
        message = st.text_area(_("Message"), max_chars=kudos.MESSAGE_MAX, key=f"{FORM}_message")
        if st.form_submit_button(_("Give kudos"), icon=":material/celebration:"):
            data = {"recipient_id": recipient_id, "team_id": team_id, "message": message, "tag": tag or ""}
            run_write(lambda: kudos.give_kudos(db, user, data), success=_("Kudos given."))


def render_feed() -> None:
    st.subheader(_("Latest kudos and badges"))
    items = [("kudos", item.given_at, item) for item in kudos.recent_kudos(db, user)]
    items += [("badge", badge["awarded_at"], badge) for badge in badges.recent_badges(db)]
    if not items:
        st.info(_("No kudos or badges yet."))
        return
    for kind, _when, item in sorted(items, key=lambda entry: entry[1], reverse=True)[:40]:
        with st.container(border=True):
            if kind == "kudos":
                st.markdown(
                    f"**{escape_markdown(item.giver_name)}** → **{escape_markdown(item.to_name)}** · "
                    f"{escape_markdown(item.shown_tag)} · {day(item.given_at)}"
                )
                st.text(item.message)
            else:
                earned = _(
                    "**{name}** earned **{badge}**",
                    name=escape_markdown(item["full_name"]),
                    badge=escape_markdown(item["kind_label"]),
                )
                st.markdown(f":material/emoji_events: {earned} · {day(item['awarded_at'])}")
                st.text(item["message"])


st.title(_("Recognition feed"))
render_give()
st.divider()
render_feed()
