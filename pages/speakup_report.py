"""Cycle report: how many took part, the funnel from submitted to implemented, scores
against the threshold, projected and realised savings; downloadable."""

import altair as alt
import streamlit as st

from models.i18n import N_, _, current_language, format_number, format_percent, format_signed
from models.speakup import cycle_report, ideas
from models.speakup.cycles import list_cycles
from ui.charts import by_number, idea_label, localized, number_tooltip, wrapped_axis
from ui.context import page_context
from ui.ideas import funnel_chart, money, status_label
from ui.widgets import download_buttons, show_table

user, db, settings = page_context()
CURRENCY = settings.currency
ENPS_LABELS = {"before": lambda: _("eNPS before"), "after": lambda: _("eNPS after")}
# the report table's columns as headed (the English the page has always shown)
IDEA_COLUMNS = {
    "idea": N_("Idea"),
    "title": N_("Title"),
    "author": N_("Author"),
    "team": N_("Team"),
    "status": N_("Status"),
    "carried_in": N_("Carried in"),
    "supporters": N_("Supporters"),
    "comments": N_("Comments"),
    "judges": N_("Judges"),
    "score": N_("Score"),
    "spread": N_("Spread"),
    "net_annual_benefit": N_("Net annual benefit"),
    "payback": N_("Payback"),
    "first_year_net": N_("First year net"),
    "realised_savings": N_("Realised savings"),
}


def render_scores(table, threshold: float) -> None:
    """Each scored idea against the green-light threshold, full width so titles can be read."""
    st.subheader(_("Scores against the threshold"))
    scored = table.dropna(subset=["score"]).copy()
    if scored.empty:
        st.caption(_("No idea of this cycle has been scored yet."))
    else:
        scored["label"] = [
            idea_label(idea_id, title) for idea_id, title in zip(scored["idea"], scored["title"], strict=True)
        ]
        scored["status"] = scored["status"].map(status_label)
        bars = (
            alt.Chart(scored)
            .mark_bar()
            .encode(
                y=alt.Y("label:N", sort=by_number("idea"), title=None, axis=wrapped_axis()),
                x=alt.X("score:Q", scale=alt.Scale(domain=[0, 5]), title=_("Score"), axis=alt.Axis(tickMinStep=0.5)),
                color=alt.Color("status:N", title=_("Status"), legend=alt.Legend(orient="bottom", labelLimit=0)),
                tooltip=[
                    alt.Tooltip("title:N", title=_("Idea")),
                    number_tooltip("score:Q", _("Score"), decimals=2),
                    number_tooltip("spread:Q", _("Spread"), decimals=2),
                    number_tooltip("judges:Q", _("Judges")),
                    alt.Tooltip("status:N", title=_("Status")),
                ],
            )
        )
        rule = (
            alt.Chart(scored.assign(threshold=threshold))
            .mark_rule(strokeDash=[4, 4])
            .encode(
                x=alt.X("threshold:Q", title=_("Score")),
                tooltip=[number_tooltip("threshold:Q", _("Green-light threshold"))],
            )
        )
        st.altair_chart(localized((bars + rule).properties(height=alt.Step(28))), width="stretch")


st.title(_("Speak-Up cycle report"))
cycles = list_cycles(db)
if not cycles:
    st.info(_("No Speak-Up cycle yet."))
    st.stop()
by_id = {c.id: c for c in cycles}
decided = cycle_report.latest_decided_cycle_id(db)
cycle = by_id[
    st.selectbox(
        _("Cycle"),
        list(by_id),
        index=list(by_id).index(decided) if decided in by_id else 0,
        key="report_cycle",
        format_func=lambda c: f"{by_id[c].name} — {by_id[c].phase_label}",
        help=_("Opens on the latest cycle with Speak-Up Day decisions."),
    )
]
report = cycle_report.cycle_report(db, user, cycle.id)
cols = st.columns(4)
cols[0].metric(
    _("Ideas submitted"),
    format_number(report["submitted"]),
    help=_("Ideas posted in this cycle, {count} of them carried in from an earlier cycle.", count=report["carried_in"])
    + " "
    + _(cycle_report.REPORT_RULE),
)
cols[1].metric(
    _("Agents who took part"),
    f"{report['participation']:.0%}" if current_language() == "en" else format_percent(report["participation"]),
    help=_("{count} of {total} agents.", count=report["participating_agents"], total=report["agents"])
    + " "
    + _(cycle_report.PARTICIPATION_RULE),
)
cols[2].metric(_("Shortlisted"), format_number(report["shortlisted"]))
cols[3].metric(_("Green-lit"), format_number(report["green_lit"]))
st.caption(f"{_(cycle_report.REPORT_RULE)} {_(cycle_report.PARTICIPATION_RULE)}")
cols = st.columns(3)
cols[0].metric(_("Projected annual savings"), money(float(report["projected_annual_savings"]), CURRENCY))
cols[1].metric(_("Projected net annual benefit"), money(float(report["projected_net_annual_benefit"]), CURRENCY))
cols[2].metric(_("Realised savings so far"), money(float(report["realised_savings"]), CURRENCY))
cols = st.columns(3)
for col, side in zip(cols, ("before", "after"), strict=False):
    value, note = report[f"enps_{side}"], report[f"enps_{side}_note"]
    shown = "—" if value is None else format_signed(value)
    col.metric(ENPS_LABELS[side](), shown, help=_(cycle_report.ENGAGEMENT_RULE))
    if note:
        col.caption(note[0].upper() + note[1:])
st.caption(_(cycle_report.ENGAGEMENT_RULE))

st.subheader(_("Funnel"))
st.altair_chart(funnel_chart(cycle_report.funnel(db, user, cycle.id), _("Ideas")), width="stretch")
table = cycle_report.idea_table(db, user, cycle.id)
render_scores(table, cycle.green_light_threshold)

st.subheader(_("Ideas of the cycle"))
table["status"] = table["status"].map(status_label)
table = table.rename(columns=lambda name: _(IDEA_COLUMNS.get(name, name.replace("_", " ").capitalize())))
show_table(table)
st.caption(_(ideas.PAYBACK_RULE))
download_buttons(table, _("speakup-report-{cycle}", cycle=cycle.name.replace(" ", "-")), key="report")
