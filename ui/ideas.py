"""Pieces of the Speak-Up screens that several pages show: an idea's text and business
case, its comments, and plain rendering of what people typed."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from models.speakup import ideas
from models.speakup.ideas import BusinessCase, Idea
from models.text import plural
from ui.text import escape_markdown
from ui.widgets import show_table


def plain(text: str | None) -> str:
    """User text escaped so Markdown shows it exactly as typed (no links, images or styling)."""
    return escape_markdown(text).replace("\n", "  \n")


def money(value: float | None, currency: str) -> str:
    return "—" if value is None else f"{currency} {value:,.0f}"


def business_case_metrics(case: BusinessCase, currency: str) -> None:
    """Net annual benefit, payback and first-year net, side by side."""
    cols = st.columns(3)
    cols[0].metric("Net annual benefit", money(case.net_annual_benefit, currency))
    cols[1].metric(
        "Payback",
        case.payback,
        help=ideas.PAYBACK_RULE,
    )
    cols[2].metric("First-year net", money(case.first_year_net, currency))


def idea_details(idea: Idea, currency: str, *, counts: dict | None = None) -> None:
    """Problem, change, business case and project plan of one idea."""
    authors = ", ".join([idea.author_name, *(c["full_name"] for c in idea.co_authors)])
    st.caption(f"{plain(authors)} · {plain(idea.team_name or 'no team')} · {plain(idea.cycle_name)}")
    st.markdown("**Problem**")
    st.markdown(plain(idea.problem) or "—")
    st.markdown("**Proposed change**")
    st.markdown(plain(idea.proposed_change) or "—")
    if idea.complaint_category or idea.finding_id:
        link = []
        if idea.complaint_category:
            link.append(f"complaint category {idea.complaint_category}")
            if counts and counts.get("complaints_in_category") is not None:
                link.append(f"({plural(counts['complaints_in_category'], 'complaint')})")
        if idea.finding_id:
            link.append(f"finding #{idea.finding_id}")
            if counts and counts.get("finding_title"):
                link.append(f"“{counts['finding_title']}”")
        st.caption("Linked to " + plain(" ".join(link)))
    business_case_metrics(idea.business_case, currency)
    facts = {
        "Annual savings": money(idea.annual_savings, currency),
        "Annual extra revenue": money(idea.annual_revenue, currency),
        "One-off cost": money(idea.one_off_cost, currency),
        "Annual running cost": money(idea.annual_running_cost, currency),
        "Customers affected per year": f"{idea.customers_affected:,}",
        "KPI expected to move": (
            f"{idea.kpi_name} by {idea.kpi_expected_change:g}"
            if idea.kpi_name and idea.kpi_expected_change is not None
            else idea.kpi_name or "—"
        ),
        "Effort": f"{idea.effort_days:g} person-days",
    }
    show_table(pd.DataFrame({"Business case": list(facts), "Value": list(facts.values())}))
    if idea.milestones:
        st.markdown("**Project plan**")
        show_table(
            pd.DataFrame(idea.milestones).rename(columns={"title": "Milestone", "due_date": "Date"}),
        )


def comment_list(comments: list[dict]) -> None:
    if not comments:
        st.caption("No comments yet.")
    for comment in comments:
        with st.container(border=True):
            st.caption(f"{plain(comment['author_name'])} · {comment['created_at']:%d %b %Y %H:%M}")
            st.markdown(plain(comment["body"]))


def status_label(status: str) -> str:
    return ideas.STATUS_LABELS.get(status, status)


def funnel_chart(funnel: pd.DataFrame, x_title: str) -> alt.Chart:
    """Ideas reaching each stage: every stage named, whole ideas on the axis."""
    return (
        alt.Chart(funnel)
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", sort=alt.SortField("position"), title=None, axis=alt.Axis(labelOverlap=False)),
            x=alt.X("ideas:Q", title=x_title, axis=alt.Axis(tickMinStep=1, format="d")),
            tooltip=["stage", "ideas"],
        )
        .properties(height=alt.Step(28))
    )
