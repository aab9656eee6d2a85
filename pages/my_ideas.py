"""Submit an idea and follow my ideas: a draft with its business case computed as it is
typed, similar ideas shown while the title is typed, and each status change with feedback."""

from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from models.recognition import awards
from models.speakup import benefits, board, cycles, decisions, ideas
from models.speakup.ideas import BusinessCase
from models.text import plural
from ui.context import page_context
from ui.ideas import business_case_metrics, comment_list, idea_details, money, plain, status_label
from ui.widgets import download_buttons, search_matches, show_table
from ui.writes import run_write, show_reported

user, db, settings = page_context()
CURRENCY = settings.currency

FORM_DEFAULTS = {
    "idea_title": "",
    "idea_problem": "",
    "idea_change": "",
    "idea_category": None,
    "idea_finding": None,
    "idea_savings": 0.0,
    "idea_revenue": 0.0,
    "idea_one_off": 0.0,
    "idea_running": 0.0,
    "idea_customers": 0,
    "idea_kpi": "",
    "idea_kpi_change": 0.0,
    "idea_effort": 0.0,
    "idea_coauthors": [],
    "idea_coauthor_search": "",
}
MILESTONE_COLUMNS = ["Milestone", "Date"]
MONEY_FIELDS = {
    "idea_savings": "Annual savings",
    "idea_revenue": "Annual extra revenue",
    "idea_one_off": "One-off cost",
    "idea_running": "Annual running cost",
}


def empty_plan() -> pd.DataFrame:
    return pd.DataFrame({"Milestone": pd.Series(dtype="object"), "Date": pd.Series(dtype="datetime64[ns]")})


def reset_form() -> None:
    for key, value in FORM_DEFAULTS.items():
        st.session_state[key] = value
    st.session_state["idea_editing"] = None
    st.session_state["idea_plan"] = empty_plan()
    st.session_state["idea_plan_version"] = st.session_state.get("idea_plan_version", 0) + 1


def load_into_form(idea_id: int) -> None:
    """Put one of my drafts into the form for editing."""
    idea = ideas.get_idea(db, idea_id, viewer=user)
    if idea is None:
        return
    st.session_state.update(
        {
            "idea_title": idea.title,
            "idea_problem": idea.problem,
            "idea_change": idea.proposed_change,
            "idea_category": idea.complaint_category,
            "idea_finding": idea.finding_id,
            "idea_savings": float(idea.annual_savings),
            "idea_revenue": float(idea.annual_revenue),
            "idea_one_off": float(idea.one_off_cost),
            "idea_running": float(idea.annual_running_cost),
            "idea_customers": idea.customers_affected,
            "idea_kpi": idea.kpi_name or "",
            "idea_kpi_change": float(idea.kpi_expected_change or 0),
            "idea_effort": float(idea.effort_days),
            "idea_coauthors": [c["employee_id"] for c in idea.co_authors if c["employee_id"] != user.employee_id],
            "idea_editing": idea.id,
            "idea_plan": pd.DataFrame(
                {
                    "Milestone": pd.Series([m["title"] for m in idea.milestones], dtype="object"),
                    "Date": pd.to_datetime(pd.Series([m["due_date"] for m in idea.milestones], dtype="object")),
                }
            ),
            "idea_plan_version": st.session_state.get("idea_plan_version", 0) + 1,
        }
    )


def form_data() -> dict:
    state = st.session_state
    plan = state.get("idea_plan_current")
    milestones = []
    if plan is not None:
        for row in plan.to_dict("records"):
            title, due = row.get("Milestone"), row.get("Date")
            if (isinstance(title, str) and title.strip()) or not pd.isna(due):
                milestones.append(
                    {
                        "title": title if isinstance(title, str) else "",
                        "due_date": None if pd.isna(due) else pd.Timestamp(due).date(),
                    }
                )
    return {
        "title": state["idea_title"],
        "problem": state["idea_problem"],
        "proposed_change": state["idea_change"],
        "complaint_category": state.get("idea_category"),
        "finding_id": state.get("idea_finding"),
        "annual_savings": state["idea_savings"],
        "annual_revenue": state["idea_revenue"],
        "one_off_cost": state["idea_one_off"],
        "annual_running_cost": state["idea_running"],
        "customers_affected": state["idea_customers"],
        "kpi_name": state["idea_kpi"],
        "kpi_expected_change": state["idea_kpi_change"] if state["idea_kpi"] else None,
        "effort_days": state["idea_effort"],
        "co_author_ids": state["idea_coauthors"],
        "milestones": milestones,
    }


def save(submit: bool) -> None:
    """Button callback: keep the draft, and post it when asked; the form keeps its values on error."""
    post = ideas.save_and_submit if submit else ideas.save_draft
    saved = run_write(
        lambda: post(db, user, form_data(), st.session_state.get("idea_editing")), report_at="idea_errors"
    )
    if not saved:
        return
    st.session_state["idea_editing"] = saved.value
    title = plain(st.session_state["idea_title"])
    st.session_state["idea_flash"] = (
        f"“{title}” is on the idea board."
        if submit
        else f"Draft “{title}” saved — finish it any time before the window closes."
    )
    reset_form()


def render_form(cycle: cycles.Cycle, *, reworking: bool = False) -> None:
    editing = st.session_state.get("idea_editing")
    st.subheader("Rework and resubmit" if reworking else "Edit draft" if editing else "New idea")
    days_left = (cycle.submission_closes - date.today()).days
    if reworking and not cycle.accepts_submissions():
        st.caption(
            f"{plain(cycle.name)} is in review: the moderators sent this idea back for more work, and you can "
            f"resubmit it until scoring starts (Speak-Up Day is {cycle.speakup_day:%d %b %Y})."
        )
    else:
        st.caption(
            f"{plain(cycle.name)}: submissions close on {cycle.submission_closes:%d %b %Y} "
            f"({plural(max(days_left, 0), 'day')} left); Speak-Up Day is {cycle.speakup_day:%d %b %Y}."
        )
    st.text_input("Title", key="idea_title", max_chars=ideas.TITLE_MAX, placeholder="e.g. Callback scheduling at peak")
    render_similar(editing)
    st.text_area("Problem", key="idea_problem", max_chars=ideas.TEXT_MAX, help="What goes wrong today, for whom?")
    st.text_area("Proposed change", key="idea_change", max_chars=ideas.TEXT_MAX)
    render_complaint_link()

    st.markdown("**Business case** (per year unless stated)")
    cols = st.columns(4)
    # no widget minimum: a negative amount stays as typed and is named below and refused on saving
    for column, (key, label) in zip(cols, MONEY_FIELDS.items(), strict=True):
        column.number_input(f"{label} ({CURRENCY})", key=key, step=1000.0)
    cols = st.columns(4)
    cols[0].number_input("Customers affected per year", key="idea_customers", min_value=0, step=100)
    cols[1].text_input("KPI expected to move", key="idea_kpi", max_chars=80, placeholder="e.g. Transfer rate %")
    cols[2].number_input("Expected KPI change", key="idea_kpi_change", step=0.5, help="e.g. -3 for three points less")
    cols[3].number_input("Effort (person-days)", key="idea_effort", min_value=0.0, step=1.0)
    state = st.session_state
    negative = [label for key, label in MONEY_FIELDS.items() if (state[key] or 0) < 0]
    if negative:
        st.warning(f"{', '.join(negative)}: cannot be negative — enter 0 or more to see the business case.")
    else:
        business_case_metrics(
            BusinessCase(
                annual_savings=state["idea_savings"],
                annual_revenue=state["idea_revenue"],
                one_off_cost=state["idea_one_off"],
                annual_running_cost=state["idea_running"],
            ),
            CURRENCY,
        )
    st.markdown("**Project plan** — milestones with dates")
    st.session_state["idea_plan_current"] = st.data_editor(
        st.session_state["idea_plan"],
        key=f"idea_plan_editor_{st.session_state['idea_plan_version']}",
        num_rows="dynamic",
        width="stretch",
        column_config={
            "Milestone": st.column_config.TextColumn(max_chars=120),
            "Date": st.column_config.DateColumn(min_value=date.today() - timedelta(days=30)),
        },
    )
    found = search_matches(
        "Find co-authors (name, email or employee number)",
        "idea_coauthor_search",
        lambda text: board.find_colleagues(
            db, user.employee_id, text, keep=st.session_state.get("idea_coauthors") or []
        ),
    )
    colleagues = {row["id"]: row for row in found}
    st.multiselect(
        "Co-authors",
        list(colleagues),
        key="idea_coauthors",
        format_func=lambda i: f"{colleagues[i]['full_name']} ({colleagues[i]['team_name'] or 'no team'})",
        max_selections=5,
    )
    show_reported("idea_errors", keep=True)
    cols = st.columns([1, 1, 1, 3])
    cols[0].button("Save draft", key="idea_save", on_click=save, args=(False,), icon=":material/save:")
    cols[1].button("Submit idea", key="idea_submit", type="primary", on_click=save, args=(True,))
    if editing:
        cols[2].button("New idea instead", key="idea_new", on_click=reset_form)


def reworked_idea() -> cycles.Cycle | None:
    """The cycle of the idea in the form when it was sent back and may still be resubmitted."""
    editing = st.session_state.get("idea_editing")
    idea = ideas.get_idea(db, editing, viewer=user) if editing else None
    if idea is None or idea.status != "needs_more_work":
        return None
    cycle = cycles.get_cycle(db, idea.cycle_id)
    return cycle if cycle is not None and ideas.may_resubmit(cycle) else None


def render_similar(editing: int | None) -> None:
    text = st.session_state.get("idea_title", "")
    matches = board.similar_ideas(db, text, exclude_id=editing)
    if matches:
        with st.container(border=True):
            st.markdown("**Similar ideas already posted** — support one of them instead of posting a duplicate?")
            for match in matches:
                st.markdown(
                    f"- #{match['id']} {plain(match['title'])} — {match['status_label']}, "
                    f"{plain(match['cycle_name'])} ({match['similarity']} % similar)"
                )


def render_complaint_link() -> None:
    categories = board.complaint_categories(db)
    found = board.findings(db)
    if not categories and not found:
        return
    cols = st.columns(2)
    if categories:
        counts = {row["category"]: row["complaints"] for row in categories}
        cols[0].selectbox(
            "Complaint category (optional)",
            [None, *counts],
            key="idea_category",
            format_func=lambda c: "—" if c is None else f"{c} ({plural(counts[c], 'complaint')})",
        )
    if found:
        titles = {row["id"]: row["title"] for row in found}
        cols[1].selectbox(
            "Finding (optional)",
            [None, *titles],
            key="idea_finding",
            format_func=lambda f: "—" if f is None else f"#{f} {titles[f]}",
        )


def act(action: Callable[..., object], idea_id: int) -> None:
    """Button callback: withdraw one of my ideas; a refusal shows above my ideas."""
    run_write(lambda: action(db, user, idea_id), report_at="my_idea_error")


def render_my_ideas() -> None:
    st.subheader("My ideas")
    show_reported("my_idea_error")
    mine = board.my_ideas(db, user)
    if not mine:
        st.caption("You have no ideas yet. Every improvement starts with someone who noticed a problem.")
        return
    ids = [idea.id for idea in mine]
    outcomes = decisions.feedback_for_authors_of(db, user, mine)
    histories = board.status_histories(db, ids)
    counts = board.complaint_link_counts_of(db, mine)
    comments = board.comments_of(db, ids)
    green_lit = [idea.id for idea in mine if idea.status in ideas.GREEN_LIT_STATUSES]
    reviews = benefits.benefit_reviews_of(db, green_lit) if green_lit else {}
    for idea in mine:
        with st.expander(f"{plain(idea.title)} — {status_label(idea.status)} · {plain(idea.cycle_name)}"):
            cols = st.columns(3)
            cols[0].metric("Supporters", idea.supporters)
            cols[1].metric("Comments", idea.comments)
            cols[2].metric("Status", status_label(idea.status))
            if idea.status == "needs_more_work":
                st.info(
                    "The moderators sent this idea back for more work (see their feedback below). Edit it and "
                    "resubmit it — while the cycle is in review you can until scoring starts."
                )
            if idea.status in ("draft", "needs_more_work"):
                buttons = st.columns([1, 1, 4])
                buttons[0].button("Edit", key=f"edit_{idea.id}", on_click=load_into_form, args=(idea.id,))
                if idea.author_id == user.employee_id:
                    buttons[1].button(
                        "Withdraw", key=f"withdraw_{idea.id}", on_click=act, args=(ideas.withdraw_idea, idea.id)
                    )
            elif idea.status == "submitted" and idea.author_id == user.employee_id:
                st.button("Withdraw", key=f"withdraw_{idea.id}", on_click=act, args=(ideas.withdraw_idea, idea.id))
            feedback = outcomes.get(idea.id)
            if feedback:
                with st.container(border=True):
                    st.markdown(f"**Speak-Up Day outcome: {feedback['outcome']}**")
                    if feedback["score"] is not None:
                        st.caption(
                            f"Score {feedback['score']:.2f} from {plural(feedback['judges'], 'judge')} "
                            f"(threshold {feedback['threshold']:g})"
                        )
                    st.markdown(plain(feedback["rationale"]))
                    for comment in feedback["comments"]:
                        st.markdown(f"> {plain(comment)}")
            if idea.status in ideas.GREEN_LIT_STATUSES:
                render_benefits(idea, reviews.get(idea.id, []))
            st.markdown("**Status changes and feedback**")
            history = pd.DataFrame(
                [
                    {
                        "When": row["changed_at"],
                        "Status": row["status"],
                        "Feedback": row["note"] or "",
                        "By": row["changed_by"] or "",
                    }
                    for row in histories.get(idea.id, [])
                ],
                columns=["When", "Status", "Feedback", "By"],
            )
            show_table(history)
            download_buttons(
                lambda history=history: history, f"idea-{idea.id}-status-changes", key=f"history_{idea.id}"
            )
            idea_details(idea, CURRENCY, counts=counts.get(idea.id, {}))
            st.markdown("**Comments**")
            comment_list(comments.get(idea.id, []))


def render_benefits(idea: ideas.Idea, reviews: list[dict]) -> None:
    """What the green-lit idea has saved so far beside what its business case projected."""
    realised = float(reviews[-1]["realised_savings"]) if reviews else None
    cols = st.columns(3)
    cols[0].metric("Projected annual savings", money(float(idea.annual_savings), CURRENCY))
    cols[1].metric("Realised so far", money(realised, CURRENCY))
    cols[2].metric("Latest benefit review", f"{reviews[-1]['review_day']} days" if reviews else "not yet")


def render_recognitions() -> None:
    badges = awards.recognitions_for(db, user.employee_id)
    if badges:
        st.subheader("Recognition")
        for badge in badges:
            st.success(f"**{badge['kind_label']}** — {plain(badge['message'])}", icon=":material/emoji_events:")


st.title("Submit & my ideas")
if "idea_editing" not in st.session_state:
    reset_form()
flash = st.session_state.pop("idea_flash", None)
if flash:
    st.success(flash)
cycle = cycles.open_cycle(db)
reworked = reworked_idea()
if reworked is not None:
    render_form(reworked, reworking=True)
elif cycle is None or not cycle.accepts_submissions():
    st.info("No Speak-Up cycle is accepting ideas right now. Your drafts and ideas stay below.")
else:
    render_form(cycle)
st.divider()
render_my_ideas()
render_recognitions()
