"""The KPI catalogue: what each KPI means, which way is better, and which ones the
portal computes itself. Leadership extends it."""

import pandas as pd
import streamlit as st

from models.access import Permission
from models.i18n import _
from models.people import kpis as people_kpis
from models.strategy import kpis
from models.strategy.dimensions import DIMENSION_LABELS
from models.strategy.kpis import KpiInput
from ui.context import page_context
from ui.fields import max_chars
from ui.widgets import download_buttons, show_table
from ui.writes import run_write

user, db, settings = page_context()

st.title(_("KPI catalogue"))
catalogue = kpis.list_kpis(db)
frame = pd.DataFrame(
    [
        {
            _("Import code"): k.code,
            _("KPI"): k.shown_name,
            _("Unit"): k.shown_unit,
            _("Better when"): _("Higher") if k.direction == "higher" else _("Lower"),
            _("Source"): _("Computed by the portal") if k.computed else _("Entered or imported"),
            _("By channel, team or site"): (
                (", ".join(_(DIMENSION_LABELS[d]) for d in k.computed_dimensions) or _("Organisation only"))
                if k.computed
                else _("As entered")
            ),
            _("Definition"): k.shown_definition,
        }
        for k in catalogue
    ]
)
show_table(frame)
download_buttons(frame, _("kpi-catalogue"), key="kpis")
st.caption(
    _(
        "Computed KPIs are filled from the portal's own data (complaints) and cannot be entered by hand; "
        "the others are recorded on the Goals page or imported from CSV. A value may be for the whole organisation "
        "or for a channel, a team and/or a site; a goal may target one channel, team or site."
    )
)
st.markdown("**" + _("How the portal computes attrition") + "**")
for definition in people_kpis.DEFINITIONS.values():
    st.markdown("- " + _(definition, days=people_kpis.EARLY_DAYS))

if user.can(Permission.STRATEGY_MANAGE):
    with st.form("new_kpi"):
        st.markdown("**" + _("Add a KPI") + "**")
        cols = st.columns(4)
        code = cols[0].text_input(
            _("Import code"),
            max_chars=max_chars(KpiInput, "code"),
            key="kpi_code",
            help=_(
                "Lower-case letters, digits and underscores (such as complaint_volume): the kpi column "
                "of a CSV import names the KPI by it."
            ),
        )
        name = cols[1].text_input(_("Name"), max_chars=max_chars(KpiInput, "name"), key="kpi_name")
        unit = cols[2].text_input(_("Unit"), max_chars=max_chars(KpiInput, "unit"), key="kpi_unit")
        direction = cols[3].selectbox(
            _("Better when"),
            ["higher", "lower"],
            format_func=lambda d: _("higher is better") if d == "higher" else _("lower is better"),
            key="kpi_direction",
        )
        definition = st.text_area(_("Definition"), max_chars=max_chars(KpiInput, "definition"), key="kpi_definition")
        submitted = st.form_submit_button(_("Add KPI"), type="primary")
    if submitted:
        kpi = {"code": code, "name": name, "unit": unit, "direction": direction, "definition": definition}
        if run_write(lambda: kpis.add_kpi(db, user, kpi), success=_("KPI added.")):
            for field in ("code", "name", "unit", "definition"):
                st.session_state.pop(f"kpi_{field}", None)
            st.rerun()
