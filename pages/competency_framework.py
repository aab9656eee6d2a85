"""The competency framework: what each level looks like on a call, for every competency
(everyone reads it); HR rewords a level (a new version, the old one kept) and sets the
levels each role, or one team, requires."""

import pandas as pd
import streamlit as st

from models.access import ROLE_LABELS, Permission, Role
from models.competencies import framework, requirements
from models.competencies.framework import DescriptorInput
from models.competencies.levels import LEVEL_NAMES
from models.people.directory import list_teams
from ui.context import page_context
from ui.fields import max_chars
from ui.text import escape_markdown
from ui.widgets import show_table
from ui.writes import EditForm, run_write

user, db, settings = page_context()
hr = user.can(Permission.COMPETENCIES_MANAGE)

st.title("Competency framework")
introduced = framework.introduction_date(db)
st.caption(
    "Each competency is described as observable behaviour at four levels, from novice to expert."
    + (f" Introduced on {introduced:%d %B %Y}." if introduced else "")
)
catalogue = framework.competencies(db)
if not catalogue:
    st.info("The competency catalogue is empty.")
    st.stop()
by_id = {c.id: c for c in catalogue}
chosen = st.selectbox("Competency", list(by_id), format_func=lambda i: by_id[i].name, key="framework_competency")
competency = by_id[chosen]
st.text(competency.description)


def render_level(descriptor: framework.Descriptor) -> None:
    st.markdown(f"**{LEVEL_NAMES[descriptor.level]}** · version {descriptor.version}")
    st.text(descriptor.descriptor)
    if not hr:
        return
    with st.expander(f"Reword {LEVEL_NAMES[descriptor.level].lower()}"):
        form = EditForm("descriptor", descriptor.id, descriptor.version)
        form.show_stale()
        text = st.text_area(
            "Descriptor",
            value=descriptor.descriptor,
            max_chars=max_chars(DescriptorInput, "descriptor"),
            key=f"{form.prefix}_text",
        )
        if st.button("Save a new version", key=f"{form.prefix}_save"):
            run_write(
                lambda: framework.edit_descriptor(db, user, competency.id, descriptor.level, text, form.version),
                success="New version saved.",
                form=form,
                rerun=True,
            )


for descriptor in framework.current_descriptors(db, competency.id):
    render_level(descriptor)

with st.expander("Earlier versions"):
    history = framework.descriptor_history(db, competency.id)
    show_table(
        pd.DataFrame(
            [
                {
                    "level": LEVEL_NAMES[d.level],
                    "version": d.version,
                    "descriptor": d.descriptor,
                    "saved": d.created_at,
                    "by": d.created_by_name or "Default framework",
                    "replaced": d.replaced_at,
                }
                for d in history
            ]
        )
    )

st.header("Required levels")
current = [r for r in requirements.requirements(db) if r.competency_id == competency.id]
show_table(
    pd.DataFrame(
        [
            {
                "role": ROLE_LABELS.get(Role(r.role), r.role),
                "team": r.team_name or "Every team",
                "required level": r.level_name,
                "set": r.set_at,
                "by": r.set_by_name or "Default",
            }
            for r in current
        ],
        columns=["role", "team", "required level", "set", "by"],
    )
)

if hr:
    with st.form("requirement_form"):
        st.markdown(f"**Set a required level for {escape_markdown(competency.name)}**")
        role = st.selectbox("Role", [Role.AGENT, Role.TEAM_LEAD], format_func=lambda r: ROLE_LABELS[r])
        teams = {t["id"]: t["name"] for t in list_teams(db)}
        team = st.selectbox(
            "Team", [None, *teams], format_func=lambda t: "Every team" if t is None else teams[t], key="req_team"
        )
        level = st.selectbox(
            "Required level",
            [1, 2, 3, 4, 0],
            index=2,
            format_func=lambda lvl: LEVEL_NAMES.get(lvl, "Nothing required (this team)"),
        )
        if st.form_submit_button("Save requirement"):
            run_write(
                lambda: requirements.set_requirement(db, user, competency.id, role, level, team_id=team),
                success="Requirement saved.",
                rerun=True,
            )
