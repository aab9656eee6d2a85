"""Cycle report: how many took part, the funnel from submitted to implemented, scores
against the threshold, projected and realised savings; downloadable."""

import altair as alt
import streamlit as st

from models import ideas, judging
from models.cycles import list_cycles
from ui.context import page_context
from ui.ideas import money
from ui.widgets import download_buttons

user, db, settings = page_context()
CURRENCY = settings.currency

st.title("Speak-Up cycle report")
cycles = list_cycles(db)
if not cycles:
    st.info("No Speak-Up cycle yet.")
    st.stop()
by_id = {c.id: c for c in cycles}
cycle = by_id[
    st.selectbox(
        "Cycle", list(by_id), key="report_cycle", format_func=lambda c: f"{by_id[c].name} — {by_id[c].phase_label}"
    )
]
report = judging.cycle_report(db, user, cycle.id)
share = report["participants"] / report["front_line"] if report["front_line"] else 0
cols = st.columns(4)
cols[0].metric("Ideas submitted", report["submitted"])
cols[1].metric(
    "Agents who took part", f"{share:.0%}", help=f"{report['participants']} of {report['front_line']} people in teams"
)
cols[2].metric("Shortlisted", report["shortlisted"])
cols[3].metric("Green-lit", report["green_lit"])
cols = st.columns(3)
cols[0].metric("Projected annual savings", money(float(report["projected_annual_savings"]), CURRENCY))
cols[1].metric("Projected net annual benefit", money(float(report["projected_net_annual_benefit"]), CURRENCY))
cols[2].metric("Realised savings so far", money(float(report["realised_savings"]), CURRENCY))

left, right = st.columns(2)
with left:
    st.subheader("Funnel")
    funnel = judging.funnel(db, user, cycle.id)
    chart = (
        alt.Chart(funnel)
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", sort=alt.SortField("position"), title=None),
            x=alt.X("ideas:Q", title="Ideas"),
            tooltip=["stage", "ideas"],
        )
    )
    st.altair_chart(chart, width="stretch")
table = judging.idea_table(db, user, cycle.id)
with right:
    st.subheader("Scores against the threshold")
    scored = table.dropna(subset=["score"]).copy()
    if scored.empty:
        st.caption("No idea of this cycle has been scored yet.")
    else:
        scored["label"] = "#" + scored["idea"].astype(str) + " " + scored["title"].str.slice(0, 35)
        bars = (
            alt.Chart(scored)
            .mark_bar()
            .encode(
                y=alt.Y("label:N", sort="-x", title=None),
                x=alt.X("score:Q", scale=alt.Scale(domain=[0, 5]), title="Score"),
                color=alt.Color("status:N", title="Status"),
                tooltip=["title", "score", "spread", "judges", "status"],
            )
        )
        rule = (
            alt.Chart(scored.assign(threshold=cycle.green_light_threshold))
            .mark_rule(strokeDash=[4, 4])
            .encode(x="threshold:Q", tooltip=["threshold"])
        )
        st.altair_chart((bars + rule).properties(height=max(200, 26 * len(scored))), width="stretch")

st.subheader("Ideas of the cycle")
table["status"] = table["status"].map(ideas.STATUS_LABELS)
table = table.rename(columns=lambda name: name.replace("_", " ").capitalize())
st.dataframe(table, hide_index=True, width="stretch")
download_buttons(table, f"speakup-report-{cycle.name.replace(' ', '-')}", key="report")
