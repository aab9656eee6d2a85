"""Cycle report: how many took part, the funnel from submitted to implemented, scores
against the threshold, projected and realised savings; downloadable."""

import altair as alt
import streamlit as st

from models.speakup import cycle_report, ideas
from models.speakup.cycles import list_cycles
from ui.charts import by_number, idea_label, wrapped_axis
from ui.context import page_context
from ui.ideas import funnel_chart, money
from ui.widgets import download_buttons, show_table

user, db, settings = page_context()
CURRENCY = settings.currency


def render_scores(table, threshold: float) -> None:
    """Each scored idea against the green-light threshold, full width so titles can be read."""
    st.subheader("Scores against the threshold")
    scored = table.dropna(subset=["score"]).copy()
    if scored.empty:
        st.caption("No idea of this cycle has been scored yet.")
    else:
        scored["label"] = [
            idea_label(idea_id, title) for idea_id, title in zip(scored["idea"], scored["title"], strict=True)
        ]
        scored["status"] = scored["status"].map(ideas.STATUS_LABELS)
        bars = (
            alt.Chart(scored)
            .mark_bar()
            .encode(
                y=alt.Y("label:N", sort=by_number("idea"), title=None, axis=wrapped_axis()),
                x=alt.X("score:Q", scale=alt.Scale(domain=[0, 5]), title="Score", axis=alt.Axis(tickMinStep=0.5)),
                color=alt.Color("status:N", title="Status", legend=alt.Legend(orient="bottom", labelLimit=0)),
                tooltip=[
                    alt.Tooltip("title:N", title="Idea"),
                    alt.Tooltip("score:Q", title="Score", format=".2f"),
                    alt.Tooltip("spread:Q", title="Spread", format=".2f"),
                    alt.Tooltip("judges:Q", title="Judges"),
                    alt.Tooltip("status:N", title="Status"),
                ],
            )
        )
        rule = (
            alt.Chart(scored.assign(threshold=threshold))
            .mark_rule(strokeDash=[4, 4])
            .encode(
                x=alt.X("threshold:Q", title="Score"),
                tooltip=[alt.Tooltip("threshold:Q", title="Green-light threshold")],
            )
        )
        st.altair_chart((bars + rule).properties(height=alt.Step(28)), width="stretch")


st.title("Speak-Up cycle report")
cycles = list_cycles(db)
if not cycles:
    st.info("No Speak-Up cycle yet.")
    st.stop()
by_id = {c.id: c for c in cycles}
decided = cycle_report.latest_decided_cycle_id(db)
cycle = by_id[
    st.selectbox(
        "Cycle",
        list(by_id),
        index=list(by_id).index(decided) if decided in by_id else 0,
        key="report_cycle",
        format_func=lambda c: f"{by_id[c].name} — {by_id[c].phase_label}",
        help="Opens on the latest cycle with Speak-Up Day decisions.",
    )
]
report = cycle_report.cycle_report(db, user, cycle.id)
cols = st.columns(4)
cols[0].metric(
    "Ideas submitted",
    report["submitted"],
    help=f"Ideas posted in this cycle, {report['carried_in']} of them carried in from an earlier cycle. "
    + cycle_report.REPORT_RULE,
)
cols[1].metric(
    "Agents who took part",
    f"{report['participation']:.0%}",
    help=f"{report['participating_agents']} of {report['agents']} agents. " + cycle_report.PARTICIPATION_RULE,
)
cols[2].metric("Shortlisted", report["shortlisted"])
cols[3].metric("Green-lit", report["green_lit"])
st.caption(f"{cycle_report.REPORT_RULE} {cycle_report.PARTICIPATION_RULE}")
cols = st.columns(3)
cols[0].metric("Projected annual savings", money(float(report["projected_annual_savings"]), CURRENCY))
cols[1].metric("Projected net annual benefit", money(float(report["projected_net_annual_benefit"]), CURRENCY))
cols[2].metric("Realised savings so far", money(float(report["realised_savings"]), CURRENCY))
cols = st.columns(3)
for col, side in zip(cols, ("before", "after"), strict=False):
    value, note = report[f"enps_{side}"], report[f"enps_{side}_note"]
    col.metric(f"eNPS {side}", "—" if value is None else f"{value:+.0f}", help=cycle_report.ENGAGEMENT_RULE)
    if note:
        col.caption(note[0].upper() + note[1:])
st.caption(cycle_report.ENGAGEMENT_RULE)

st.subheader("Funnel")
st.altair_chart(funnel_chart(cycle_report.funnel(db, user, cycle.id), "Ideas"), width="stretch")
table = cycle_report.idea_table(db, user, cycle.id)
render_scores(table, cycle.green_light_threshold)

st.subheader("Ideas of the cycle")
table["status"] = table["status"].map(ideas.STATUS_LABELS)
table = table.rename(columns=lambda name: name.replace("_", " ").capitalize())
show_table(table)
st.caption(ideas.PAYBACK_RULE)
download_buttons(table, f"speakup-report-{cycle.name.replace(' ', '-')}", key="report")
