"""Altair charts of training compliance."""

from __future__ import annotations

import altair as alt
import pandas as pd

from models.i18n import _, format_number
from ui.charts import number_tooltip

COMPLIANCE_COLOURS = alt.Scale(
    domain=[0, 50, 80, 95, 100], range=["#c0392b", "#e67e22", "#f1c40f", "#7dbb5c", "#27ae60"]
)


def compliance_heat_map(cells: pd.DataFrame) -> alt.Chart:
    """Teams down, courses across, each cell coloured by its compliance, with the counts
    behind it in the tooltip; a cell with nothing due yet is grey."""
    data = cells.assign(
        shown=cells["compliance"].map(
            lambda value: "—" if pd.isna(value) else _("{rate} %", rate=format_number(value, 0))
        )
    )
    base = alt.Chart(data).encode(
        x=alt.X("course:N", title=_("Course"), axis=alt.Axis(labelAngle=-35, labelLimit=160)),
        y=alt.Y("team:N", title=_("Team")),
        tooltip=[
            alt.Tooltip("team:N", title=_("Team")),
            alt.Tooltip("course:N", title=_("Course")),
            number_tooltip("compliance:Q", _("Compliance %"), decimals=1),
            number_tooltip("compliant:Q", _("Completed on time and valid")),
            number_tooltip("due:Q", _("Due by the reporting date")),
            number_tooltip("overdue:Q", _("Overdue")),
            number_tooltip("expiring:Q", _("Expiring within 30 days")),
        ],
    )
    cells_layer = base.mark_rect(stroke="white").encode(
        color=alt.condition(
            "isValid(datum.compliance)",
            alt.Color("compliance:Q", title=_("Compliance %"), scale=COMPLIANCE_COLOURS),
            alt.value("#d5d8dc"),
        )
    )
    labels = base.mark_text(fontSize=11).encode(text=alt.Text("shown:N", title=None))
    height = max(120, 32 * data["team"].nunique())
    return alt.layer(cells_layer, labels).properties(height=height)
