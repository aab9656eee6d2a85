"""Pieces of the Speak-Up screens that several pages show: an idea's text and business
case, its comments, and plain rendering of what people typed."""

from __future__ import annotations

from datetime import date, datetime

import altair as alt
import pandas as pd
import streamlit as st

from models.i18n import N_, _, current_language, format_date, format_datetime, format_money, format_number, ngettext
from models.speakup import ideas
from models.speakup.ideas import BusinessCase, Idea
from ui.charts import localized, number_tooltip
from ui.text import escape_markdown
from ui.widgets import show_table


def plain(text: str | None) -> str:
    """User text escaped so Markdown shows it exactly as typed (no links, images or styling)."""
    return escape_markdown(text).replace("\n", "  \n")


def money(value: float | None, currency: str) -> str:
    """An amount in whole units with the currency's sign where the language puts it
    ("A$1,200", "1 200 AUD")."""
    if value is None:
        return "—"
    return format_money(value, currency, decimals=0)


def day(value: date) -> str:
    """A date as the Speak-Up pages write it: "05 Mar 2026", "05 бер. 2026"."""
    if current_language() == "en":
        return f"{value:%d %b %Y}"
    return format_date(value, "dd MMM y")


def moment(value: datetime) -> str:
    """A date and time to the minute: "05 Mar 2026 09:05"."""
    if current_language() == "en":
        return f"{value:%d %b %Y %H:%M}"
    return format_datetime(value, "dd MMM y HH:mm")


def business_case_metrics(case: BusinessCase, currency: str) -> None:
    """Net annual benefit, payback and first-year net, side by side."""
    cols = st.columns(3)
    cols[0].metric(_("Net annual benefit"), money(case.net_annual_benefit, currency))
    cols[1].metric(
        _("Payback"),
        case.payback,
        help=_(ideas.PAYBACK_RULE),
    )
    cols[2].metric(_("First-year net"), money(case.first_year_net, currency))


def idea_details(idea: Idea, currency: str, *, counts: dict | None = None) -> None:
    """Problem, change, business case and project plan of one idea."""
    authors = ", ".join([idea.author_name, *(c["full_name"] for c in idea.co_authors)])
    team = plain(idea.team_name) if idea.team_name else _("no team")
    st.caption(f"{plain(authors)} · {team} · {plain(idea.cycle_name)}")
    st.markdown("**" + _("Problem") + "**")
    st.markdown(plain(idea.problem) or "—")
    st.markdown("**" + _("Proposed change") + "**")
    st.markdown(plain(idea.proposed_change) or "—")
    if idea.complaint_category or idea.finding_id:
        link = []
        if idea.complaint_category:
            link.append(_("complaint category {category}", category=idea.complaint_category))
            if counts and counts.get("complaints_in_category") is not None:
                n = counts["complaints_in_category"]
                link.append("(" + ngettext("{count} complaint", "{count} complaints", n, count=format_number(n)) + ")")
        if idea.finding_id:
            link.append(_("finding #{number}", number=idea.finding_id))
            if counts and counts.get("finding_title"):
                link.append(f"“{counts['finding_title']}”")
        st.caption(_("Linked to {what}", what=plain(" ".join(link))))
    business_case_metrics(idea.business_case, currency)
    facts = {
        _("Annual savings"): money(idea.annual_savings, currency),
        _("Annual extra revenue"): money(idea.annual_revenue, currency),
        _("One-off cost"): money(idea.one_off_cost, currency),
        _("Annual running cost"): money(idea.annual_running_cost, currency),
        _("Customers affected per year"): format_number(idea.customers_affected),
        _("KPI expected to move"): (
            _("{kpi} by {change}", kpi=idea.kpi_name, change=format_number(idea.kpi_expected_change))
            if idea.kpi_name and idea.kpi_expected_change is not None
            else idea.kpi_name or "—"
        ),
        _("Effort"): _("{days} person-days", days=format_number(idea.effort_days)),
    }
    show_table(
        pd.DataFrame({_("Business case"): list(facts), _("Value"): list(facts.values())}),
        key=f"business_case_{idea.id}",
        download=_("idea-{number}-business-case", number=idea.id),
    )
    if idea.milestones:
        st.markdown("**" + _("Project plan") + "**")
        show_table(
            pd.DataFrame(idea.milestones).rename(columns={"title": _("Milestone"), "due_date": _("Date")}),
            key=f"project_plan_{idea.id}",
            download=_("idea-{number}-project-plan", number=idea.id),
        )


def comment_list(comments: list[dict]) -> None:
    if not comments:
        st.caption(_("No comments yet."))
    for comment in comments:
        with st.container(border=True):
            st.caption(f"{plain(comment['author_name'])} · {moment(comment['created_at'])}")
            st.markdown(plain(comment["body"]))


def status_label(status: str) -> str:
    return _(ideas.STATUS_LABELS[status]) if status in ideas.STATUS_LABELS else status


# the stages of the cycle report's funnel (models.speakup.cycle_report.funnel), translated where shown
FUNNEL_STAGES = (N_("Submitted"), N_("Shortlisted"), N_("Scored"), N_("Green-lit"), N_("Implemented"))


def funnel_chart(funnel: pd.DataFrame, x_title: str) -> alt.Chart:
    """Ideas reaching each stage: every stage named, whole ideas on the axis."""
    funnel = funnel.assign(stage=funnel["stage"].map(lambda stage: _(stage)))
    return localized(
        alt.Chart(funnel)
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", sort=alt.SortField("position"), title=None, axis=alt.Axis(labelOverlap=False)),
            x=alt.X("ideas:Q", title=x_title, axis=alt.Axis(tickMinStep=1, format=",d")),
            tooltip=[alt.Tooltip("stage:N", title=_("Stage")), number_tooltip("ideas:Q", x_title)],
        )
        .properties(height=alt.Step(28))
    )
