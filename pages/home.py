"""Home: how the programme is doing and what to do next, by role, in one screen."""

from datetime import date

import streamlit as st

from models.home import SECTION_TITLES, sections_for
from models.i18n import _, format_number, ngettext
from models.people import overview
from models.strategy import vision
from ui import home_people, home_programme
from ui.context import page_context
from ui.text import escape_markdown

user, db, settings = page_context()
today = date.today()

RENDERERS = {
    "speakup": home_programme.render_speakup,
    "my_training": home_people.render_my_training,
    "my_development": home_people.render_my_development,
    "my_kudos": home_people.render_my_kudos,
    "my_survey": home_people.render_my_survey,
    "goals": home_programme.render_goals,
    "complaints": home_programme.render_complaints,
    "actions": home_programme.render_actions,
    "training": home_programme.render_training,
    "engagement": home_programme.render_engagement,
    "customers": home_programme.render_customers,
    "standards": home_programme.render_standards,
    "coaching": home_people.render_coaching,
    "skills": home_people.render_skills,
    "team_ideas": home_people.render_team_ideas,
    "recognition": home_people.render_recognition,
    "moderation": home_people.render_moderation,
    "portal": home_people.render_portal,
}
WIDE = {"goals"}  # a table of reasons needs the whole width


def render_header() -> None:
    profile = overview.my_profile(db, user)
    st.title(_("Welcome, {name}", name=escape_markdown(user.full_name.split()[0])))
    place = [settings.organisation_name]
    if profile.get("team_name"):
        size = int(profile.get("team_size") or 0)
        place.append(
            ngettext(
                "{team} ({n} person)", "{team} ({n} people)", size, team=profile["team_name"], n=format_number(size)
            )
        )
    if profile.get("site_name"):
        place.append(profile["site_name"])
    if profile.get("manager_name"):
        place.append(_("Manager: {name}", name=profile["manager_name"]))
    st.caption(" · ".join(escape_markdown(part) for part in place))
    current = vision.current_vision(db)
    if current is not None:
        with st.container(border=True):
            st.caption(_("Our vision"))
            st.text(current.statement)


def render_section(key: str) -> None:
    with st.container(border=True):
        st.subheader(_(SECTION_TITLES[key]))
        RENDERERS[key](db, user, today)


def render_sections(keys: list[str]) -> None:
    """Sections two to a row (a wide one takes its row), in the order given."""
    pending: list[str] = []
    for key in [*keys, None]:
        if key is not None and key not in WIDE:
            pending.append(key)
        if len(pending) == 2 or key is None or key in WIDE:
            if pending:
                for column, queued in zip(st.columns(2), pending, strict=False):
                    with column:
                        render_section(queued)
                pending = []
            if key in WIDE:
                render_section(key)


render_header()
render_sections(sections_for(user))
