"""Green-lit ideas: the business case's projection beside the savings realised, with the
30/90/180-day benefit reviews that action owners record."""

import altair as alt
import pandas as pd
import streamlit as st

from models.access import Permission
from models.i18n import _, format_number, ngettext
from models.speakup import benefits, ideas
from ui.charts import by_number, idea_label, localized, number_tooltip, wrapped_axis
from ui.context import page_context
from ui.ideas import money, plain, status_label
from ui.widgets import decimal_input, download_buttons, show_table
from ui.writes import run_write

user, db, settings = page_context()
CURRENCY = settings.currency


def render_overview(rows: list[dict]) -> None:
    table = pd.DataFrame(
        [
            {
                _("Idea"): row["id"],
                _("Title"): row["title"],
                _("Cycle"): row["cycle_name"],
                _("Status"): status_label(row["status"]),
                _("Action"): row["action_id"],
                _("Owner"): row["action_owner"],
                _("Due"): row["action_due_date"],
                _("Projected annual savings ({currency})", currency=CURRENCY): float(row["projected_annual_savings"]),
                _("Projected net annual benefit ({currency})", currency=CURRENCY): float(
                    row["projected_net_annual_benefit"]
                ),
                _("Realised savings ({currency})", currency=CURRENCY): None
                if row["realised_savings"] is None
                else float(row["realised_savings"]),
                _("Latest review (days)"): row["latest_review_day"],
            }
            for row in rows
        ]
    )
    show_table(table)
    download_buttons(table, _("green-lit-ideas"), key="green")
    chart_rows = []
    for row in rows:
        label = idea_label(row["id"], row["title"])
        for figure, amount in (
            (_("Projected annual savings"), row["projected_annual_savings"]),
            (_("Realised so far"), row["realised_savings"] or 0),
        ):
            chart_rows.append({"idea_id": row["id"], "idea": label, "figure": figure, "amount": float(amount)})
    chart = (
        alt.Chart(pd.DataFrame(chart_rows))
        .mark_bar()
        .encode(
            y=alt.Y("idea:N", title=None, sort=by_number(), axis=wrapped_axis()),
            x=alt.X("amount:Q", title=_("Savings ({currency})", currency=CURRENCY), axis=alt.Axis(format=",.0f")),
            yOffset=alt.YOffset("figure:N", title=None),
            color=alt.Color("figure:N", title=None),
            tooltip=[
                alt.Tooltip("idea:N", title=_("Idea")),
                alt.Tooltip("figure:N", title=_("Figure")),
                number_tooltip("amount:Q", _("Amount ({currency})", currency=CURRENCY), decimals=0),
            ],
        )
        .properties(height=max(200, 40 * len(rows)))
    )
    st.altair_chart(localized(chart), width="stretch")


def render_review_form(rows: list[dict]) -> None:
    mine = [
        r for r in rows if user.can(Permission.SPEAKUP_MANAGE) or benefits.action_owner(db, r["id"]) == user.employee_id
    ]
    if not mine:
        return
    st.subheader(_("Record a benefit review"))
    st.caption(_("Action owners record the savings realised so far at 30, 90 and 180 days after the green light."))
    labels = {r["id"]: f"#{r['id']} {r['title']}" for r in mine}
    with st.form("benefit_review"):
        idea_id = st.selectbox(_("Idea"), list(labels), format_func=lambda i: labels[i], key="review_idea")
        cols = st.columns(2)
        review_day = cols[0].selectbox(
            _("Review"), ideas.REVIEW_DAYS, format_func=lambda d: ngettext("{n} day", "{n} days", d), key="review_day"
        )
        with cols[1]:
            realised = decimal_input(
                _("Savings realised so far ({currency})", currency=CURRENCY),
                value=0.0,
                min_value=0.0,
                required=True,
                key="review_realised",
            )
        note = st.text_area(_("Note"), max_chars=ideas.REASON_MAX, key="review_note")
        implemented = st.checkbox(_("The change is fully implemented"), key="review_implemented")
        submitted = st.form_submit_button(_("Save review"), type="primary")
    if submitted:

        def record() -> None:
            benefits.record_benefit_review(db, user, idea_id, review_day, realised, note, implemented=implemented)

        run_write(record, success=_("Review saved."), rerun=True)


def render_reviews(rows: list[dict]) -> None:
    labels = {r["id"]: f"#{r['id']} {r['title']}" for r in rows}
    idea_id = st.selectbox(_("Reviews of"), list(labels), key="reviews_of", format_func=lambda i: labels[i])
    reviews = benefits.benefit_reviews(db, idea_id)
    if not reviews:
        st.caption(_("No benefit review yet."))
        return
    for review in reviews:
        st.markdown(
            f"- **{ngettext('{n} day', '{n} days', review['review_day'])}**: "
            f"{money(float(review['realised_savings']), CURRENCY)} — "
            f"{plain(review['note'] or '')} ({plain(review['recorded_by'])})"
        )


st.title(_("Green-lit ideas"))
rows = benefits.green_lit_ideas(db)
if not rows:
    st.info(_("No idea has been green-lit yet."))
else:
    total_projected = sum(float(r["projected_annual_savings"]) for r in rows)
    total_realised = sum(float(r["realised_savings"] or 0) for r in rows)
    cols = st.columns(3)
    cols[0].metric(_("Green-lit ideas"), format_number(len(rows)))
    cols[1].metric(_("Projected annual savings"), money(total_projected, CURRENCY))
    cols[2].metric(_("Realised so far"), money(total_realised, CURRENCY))
    render_overview(rows)
    render_reviews(rows)
    render_review_form(rows)
