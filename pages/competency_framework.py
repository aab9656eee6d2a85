"""The competency framework: what each level looks like on a call, for every competency
(everyone reads it); HR rewords a level (a new version, the old one kept) and sets the
levels each role, or one team, requires."""

import pandas as pd
import streamlit as st

from models.access import ROLE_LABELS, Permission, Role
from models.competencies import framework, requirements
from models.competencies.framework import DescriptorInput
from models.competencies.levels import level_name
from models.i18n import _, format_date
from models.people.directory import list_teams
from ui.context import page_context
from ui.fields import max_chars
from ui.text import escape_markdown
from ui.widgets import download_buttons, show_table
from ui.writes import EditForm, run_write

user, db, settings = page_context()
hr = user.can(Permission.COMPETENCIES_MANAGE)

st.title(_("Competency framework"))
introduced = framework.introduction_date(db)
st.caption(
    _("Each competency is described as observable behaviour at four levels, from novice to expert.")
    + (" " + _("Introduced on {day}.", day=format_date(introduced, "dd MMMM y")) if introduced else "")
)
catalogue = framework.competencies(db)
if not catalogue:
    st.info(_("The competency catalogue is empty."))
    st.stop()
by_id = {c.id: c for c in catalogue}
chosen = st.selectbox(
    _("Competency"), list(by_id), format_func=lambda i: framework.shown_name(by_id[i]), key="framework_competency"
)
competency = by_id[chosen]
st.text(framework.shown_description(competency))


def render_level(descriptor: framework.Descriptor) -> None:
    st.markdown(f"**{level_name(descriptor.level)}** · " + _("version {version}", version=descriptor.version))
    st.text(framework.shown_descriptor(competency.code, descriptor))
    if not hr:
        return
    with st.expander(_("Reword {level}", level=level_name(descriptor.level).lower())):
        form = EditForm("descriptor", descriptor.id, descriptor.version)
        form.show_stale()
        text = st.text_area(
            _("Descriptor"),
            value=descriptor.descriptor,
            max_chars=max_chars(DescriptorInput, "descriptor"),
            key=f"{form.prefix}_text",
        )
        if st.button(_("Save a new version"), key=f"{form.prefix}_save"):
            run_write(
                lambda: framework.edit_descriptor(db, user, competency.id, descriptor.level, text, form.version),
                success=_("New version saved."),
                form=form,
                rerun=True,
            )


for descriptor in framework.current_descriptors(db, competency.id):
    render_level(descriptor)

with st.expander(_("Earlier versions")):
    history = framework.descriptor_history(db, competency.id)
    history_frame = pd.DataFrame(
        [
            {
                "level": level_name(d.level),
                "version": d.version,
                "descriptor": framework.shown_descriptor(competency.code, d),
                "saved": d.created_at,
                "by": d.created_by_name or _("Default framework"),
                "replaced": d.replaced_at,
            }
            for d in history
        ]
    )
    show_table(
        history_frame,
        labels={
            "level": _("Level"),
            "version": _("Version"),
            "descriptor": _("Descriptor"),
            "saved": _("Saved"),
            "by": _("By"),
            "replaced": _("Replaced"),
        },
    )
    download_buttons(history_frame, _("descriptor-versions"), f"descriptor_history_{competency.id}_download")

st.header(_("Required levels"))
current = [r for r in requirements.requirements(db) if r.competency_id == competency.id]
required = pd.DataFrame(
    [
        {
            "role": _(ROLE_LABELS.get(Role(r.role), r.role)),
            "team": r.team_name or _("Every team"),
            "required level": r.level_name,
            "set": r.set_at,
            "by": r.set_by_name or _("Default"),
        }
        for r in current
    ],
    columns=["role", "team", "required level", "set", "by"],
)
show_table(
    required,
    labels={
        "role": _("Role"),
        "team": _("Team"),
        "required level": _("Required level"),
        "set": _("Set"),
        "by": _("By"),
    },
)
download_buttons(required, _("required-levels"), f"required_levels_{competency.id}_download")

if hr:
    with st.form("requirement_form"):
        st.markdown(
            "**" + _("Set a required level for {name}", name=escape_markdown(framework.shown_name(competency))) + "**"
        )
        role = st.selectbox(
            _("Role"), [Role.AGENT, Role.TEAM_LEAD], format_func=lambda r: _(ROLE_LABELS[r]), key="req_role"
        )
        teams = {t["id"]: t["name"] for t in list_teams(db)}
        team = st.selectbox(
            _("Team"),
            [None, *teams],
            format_func=lambda t: _("Every team") if t is None else teams[t],
            key="req_team",
            placeholder=_("Every team"),
        )
        level = st.selectbox(
            _("Required level"),
            [1, 2, 3, 4, 0],
            index=2,
            format_func=lambda lvl: level_name(lvl) if lvl else _("Nothing required (this team)"),
            key="req_level",
        )
        if st.form_submit_button(_("Save requirement")):
            run_write(
                lambda: requirements.set_requirement(db, user, competency.id, role, level, team_id=team),
                success=_("Requirement saved."),
                rerun=True,
            )
