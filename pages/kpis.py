"""The KPI catalogue: what each KPI means, which way is better, and which ones the
portal computes itself. Leadership extends it."""

import pandas as pd
import streamlit as st

from models.access import Permission
from models.people import kpis as people_kpis
from models.strategy import kpis
from models.strategy.dimensions import DIMENSION_LABELS
from models.strategy.kpis import KpiInput
from ui.context import page_context
from ui.fields import max_chars
from ui.widgets import download_buttons, show_table
from ui.writes import run_write

user, db, settings = page_context()

st.title("KPI catalogue")
catalogue = kpis.list_kpis(db)
frame = pd.DataFrame(
    [
        {
            "Import code": k.code,
            "KPI": k.name,
            "Unit": k.unit,
            "Better when": "Higher" if k.direction == "higher" else "Lower",
            "Source": "Computed by the portal" if k.computed else "Entered or imported",
            "By channel, team or site": (
                (", ".join(DIMENSION_LABELS[d] for d in k.computed_dimensions) or "Organisation only")
                if k.computed
                else "As entered"
            ),
            "Definition": k.definition,
        }
        for k in catalogue
    ]
)
show_table(frame)
download_buttons(frame, "kpi-catalogue", key="kpis")
st.caption(
    "Computed KPIs are filled from the portal's own data (complaints) and cannot be entered by hand; "
    "the others are recorded on the Goals page or imported from CSV. A value may be for the whole organisation or "
    "for a channel, a team and/or a site; a goal may target one channel, team or site."
)
st.markdown("**How the portal computes attrition**")
for definition in people_kpis.DEFINITIONS.values():
    st.markdown(f"- {definition}")

if user.can(Permission.STRATEGY_MANAGE):
    with st.form("new_kpi"):
        st.markdown("**Add a KPI**")
        cols = st.columns(4)
        code = cols[0].text_input(
            "Import code",
            max_chars=max_chars(KpiInput, "code"),
            key="kpi_code",
            help="Lower-case letters, digits and underscores (such as complaint_volume): the kpi column "
            "of a CSV import names the KPI by it.",
        )
        name = cols[1].text_input("Name", max_chars=max_chars(KpiInput, "name"), key="kpi_name")
        unit = cols[2].text_input("Unit", max_chars=max_chars(KpiInput, "unit"), key="kpi_unit")
        direction = cols[3].selectbox(
            "Better when",
            ["higher", "lower"],
            format_func=lambda d: f"{d} is better",
            key="kpi_direction",
        )
        definition = st.text_area("Definition", max_chars=max_chars(KpiInput, "definition"), key="kpi_definition")
        submitted = st.form_submit_button("Add KPI", type="primary")
    if submitted:
        kpi = {"code": code, "name": name, "unit": unit, "direction": direction, "definition": definition}
        if run_write(lambda: kpis.add_kpi(db, user, kpi), success="KPI added."):
            for field in ("code", "name", "unit", "definition"):
                st.session_state.pop(f"kpi_{field}", None)
            st.rerun()
