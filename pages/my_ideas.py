"""Submit an idea and follow my ideas: a draft with its business case computed as it is
typed, similar ideas shown while the title is typed, and each status change with feedback."""

from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from models.i18n import N_, _, format_number, ngettext, use_language
from models.recognition import awards
from models.speakup import benefits, board, cycles, decisions, ideas
from models.speakup.ideas import BusinessCase
from ui.context import page_context
from ui.ideas import business_case_metrics, comment_list, day, idea_details, money, plain, status_label
from ui.languages import language_for
from ui.widgets import decimal_input, decimal_value, download_buttons, search_matches, show_table
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
MILESTONE_COLUMNS = ["Milestone", "Date"]  # the plan editor's own column names; shown translated
MONEY_FIELDS = {
    "idea_savings": N_("Annual savings"),
    "idea_revenue": N_("Annual extra revenue"),
    "idea_one_off": N_("One-off cost"),
    "idea_running": N_("Annual running cost"),
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
            "idea_coauthors": [c["employee_id"] for c in idea.co_authors],  # an editing co-author among them
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
        # the decimal fields as typed now (a button callback runs before they are drawn again)
        "annual_savings": decimal_value("idea_savings"),
        "annual_revenue": decimal_value("idea_revenue"),
        "one_off_cost": decimal_value("idea_one_off"),
        "annual_running_cost": decimal_value("idea_running"),
        "customers_affected": state["idea_customers"],
        "kpi_name": state["idea_kpi"],
        "kpi_expected_change": decimal_value("idea_kpi_change") if state["idea_kpi"] else None,
        "effort_days": decimal_value("idea_effort"),
        "co_author_ids": state["idea_coauthors"],
        "milestones": milestones,
    }


def save(submit: bool) -> None:
    """Button callback: keep the draft, and post it when asked; the form keeps its values on error."""
    editing = st.session_state.get("idea_editing")
    with use_language(language_for(user, settings)):  # a callback runs before the page sets the language
        saved = run_write(
            lambda: ideas.save_idea(db, user, form_data(), editing, submit=submit), report_at="idea_errors"
        )
    if not saved:
        return
    # worded on the next run, in the language the page speaks then
    st.session_state["idea_flash"] = (submit, st.session_state["idea_title"], saved.value.supports_withdrawn)
    reset_form()


def show_flash() -> None:
    """The confirmation of the last save or submission, once."""
    flash = st.session_state.pop("idea_flash", None)
    if not flash:
        return
    submitted, title, supports_withdrawn = flash
    st.success(
        _("“{title}” is on the idea board.", title=plain(title))
        if submitted
        else _("Draft “{title}” saved — finish it any time before the window closes.", title=plain(title))
    )
    if supports_withdrawn:
        st.info(
            ngettext(
                "Support withdrawn because they became a co-author (nobody supports their own idea): {names}.",
                "Supports withdrawn because they became co-authors (nobody supports their own idea): {names}.",
                len(supports_withdrawn),
                names=", ".join(plain(name) for name in supports_withdrawn),
            )
        )


def render_form(cycle: cycles.Cycle, *, reworking: bool = False) -> None:
    editing = st.session_state.get("idea_editing")
    st.subheader(_("Rework and resubmit") if reworking else _("Edit draft") if editing else _("New idea"))
    days_left = max((cycle.submission_closes - date.today()).days, 0)
    if reworking and not cycle.accepts_submissions():
        st.caption(
            _(
                "{cycle} is in review: the moderators sent this idea back for more work, and you can resubmit it "
                "until scoring starts (Speak-Up Day is {day}).",
                cycle=plain(cycle.name),
                day=day(cycle.speakup_day),
            )
        )
    else:
        st.caption(
            ngettext(
                "{cycle}: submissions close on {closes} ({n} day left); Speak-Up Day is {day}.",
                "{cycle}: submissions close on {closes} ({n} days left); Speak-Up Day is {day}.",
                days_left,
                cycle=plain(cycle.name),
                closes=day(cycle.submission_closes),
                day=day(cycle.speakup_day),
            )
        )
    st.text_input(
        _("Title"), key="idea_title", max_chars=ideas.TITLE_MAX, placeholder=_("e.g. Callback scheduling at peak")
    )
    render_similar(editing)
    st.text_area(_("Problem"), key="idea_problem", max_chars=ideas.TEXT_MAX, help=_("What goes wrong today, for whom?"))
    st.text_area(_("Proposed change"), key="idea_change", max_chars=ideas.TEXT_MAX)
    render_complaint_link()

    st.markdown(_("**Business case** (per year unless stated)"))
    cols = st.columns(4)
    # no widget minimum: a negative amount stays as typed and is named below and refused on saving
    for column, (key, label) in zip(cols, MONEY_FIELDS.items(), strict=True):
        with column:
            decimal_input(_("{field} ({currency})", field=_(label), currency=CURRENCY), key=key)
    cols = st.columns(4)
    cols[0].number_input(_("Customers affected per year"), key="idea_customers", min_value=0, step=100)
    cols[1].text_input(_("KPI expected to move"), key="idea_kpi", max_chars=80, placeholder=_("e.g. Transfer rate %"))
    with cols[2]:
        decimal_input(_("Expected KPI change"), key="idea_kpi_change", help=_("e.g. -3 for three points less"))
    with cols[3]:
        decimal_input(_("Effort (person-days)"), key="idea_effort", min_value=0.0, decimals=1)
    state = st.session_state
    negative = [_(label) for key, label in MONEY_FIELDS.items() if (state[key] or 0) < 0]
    if negative:
        st.warning(
            _(
                "{fields}: cannot be negative — enter 0 or more to see the business case.",
                fields=", ".join(negative),
            )
        )
    else:
        business_case_metrics(
            BusinessCase(
                annual_savings=state["idea_savings"] or 0,  # None: empty or not a number (said above)
                annual_revenue=state["idea_revenue"] or 0,
                one_off_cost=state["idea_one_off"] or 0,
                annual_running_cost=state["idea_running"] or 0,
            ),
            CURRENCY,
        )
    st.markdown(_("**Project plan** — milestones with dates"))
    st.session_state["idea_plan_current"] = st.data_editor(
        st.session_state["idea_plan"],
        key=f"idea_plan_editor_{st.session_state['idea_plan_version']}",
        num_rows="dynamic",
        width="stretch",
        column_config={
            "Milestone": st.column_config.TextColumn(_("Milestone"), max_chars=120),
            "Date": st.column_config.DateColumn(_("Date"), min_value=date.today() - timedelta(days=30)),
        },
    )
    render_co_authors(editing)
    show_reported("idea_errors", keep=True)
    cols = st.columns([1, 1, 1, 3])
    cols[0].button(_("Save draft"), key="idea_save", on_click=save, args=(False,), icon=":material/save:")
    cols[1].button(_("Submit idea"), key="idea_submit", type="primary", on_click=save, args=(True,))
    if editing:
        cols[2].button(_("New idea instead"), key="idea_new", on_click=reset_form)


def render_co_authors(editing: int | None) -> None:
    """The author picks the co-authors; a co-author editing sees them as they are,
    themselves included, since only the author changes them."""
    idea = ideas.get_idea(db, editing, viewer=user) if editing else None
    if idea is not None and idea.author_id != user.employee_id:
        names = {person["employee_id"]: person["full_name"] for person in idea.co_authors}
        st.multiselect(
            _("Co-authors"),
            list(names),
            key="idea_coauthors",
            format_func=names.get,
            disabled=True,
            placeholder=_("Choose options"),
        )
        st.caption(
            _(
                "Only the idea's author, {name}, changes its co-authors: your save keeps them as they are.",
                name=plain(idea.author_name),
            )
        )
        return
    found = search_matches(
        _("Find co-authors (name, email or employee number)"),
        "idea_coauthor_search",
        lambda text: board.find_colleagues(
            db, user.employee_id, text, keep=st.session_state.get("idea_coauthors") or []
        ),
    )
    no_team = _("no team")
    colleagues = {row["id"]: f"{row['full_name']} ({row['team_name'] or no_team})" for row in found}
    st.multiselect(
        _("Co-authors"),
        list(colleagues),
        key="idea_coauthors",
        format_func=colleagues.get,
        max_selections=5,
        placeholder=_("Choose options"),
    )


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
            st.markdown(_("**Similar ideas already posted** — support one of them instead of posting a duplicate?"))
            for match in matches:
                st.markdown(
                    _(
                        "- #{number} {title} — {status}, {cycle} ({similarity} % similar)",
                        number=match["id"],
                        title=plain(match["title"]),
                        status=status_label(match["status"]),
                        cycle=plain(match["cycle_name"]),
                        similarity=format_number(match["similarity"]),
                    )
                )


def render_complaint_link() -> None:
    categories = board.complaint_categories(db)
    found = board.findings(db)
    if not categories and not found:
        return
    cols = st.columns(2)
    if categories:
        counted = {
            row["category"]: ngettext(
                "{category} ({count} complaint)",
                "{category} ({count} complaints)",
                row["complaints"],
                category=row["category"],
                count=format_number(row["complaints"]),
            )
            for row in categories
        }
        cols[0].selectbox(
            _("Complaint category (optional)"),
            [None, *counted],
            key="idea_category",
            format_func=lambda c: "—" if c is None else counted[c],
            placeholder="—",
        )
    if found:
        titles = {row["id"]: f"#{row['id']} {row['title']}" for row in found}
        cols[1].selectbox(
            _("Finding (optional)"),
            [None, *titles],
            key="idea_finding",
            format_func=lambda f: "—" if f is None else titles[f],
            placeholder="—",
        )


def act(action: Callable[..., object], idea_id: int) -> None:
    """Button callback: withdraw one of my ideas; a refusal shows above my ideas."""
    with use_language(language_for(user, settings)):  # a callback runs before the page sets the language
        run_write(lambda: action(db, user, idea_id), report_at="my_idea_error")


def render_my_ideas() -> None:
    st.subheader(_("My ideas"))
    show_reported("my_idea_error")
    mine = board.my_ideas(db, user)
    if not mine:
        st.caption(_("You have no ideas yet. Every improvement starts with someone who noticed a problem."))
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
            cols[0].metric(_("Supporters"), format_number(idea.supporters))
            cols[1].metric(_("Comments"), format_number(idea.comments))
            cols[2].metric(_("Status"), status_label(idea.status))
            if idea.status == "needs_more_work":
                st.info(
                    _(
                        "The moderators sent this idea back for more work (see their feedback below). Edit it and "
                        "resubmit it — while the cycle is in review you can until scoring starts."
                    )
                )
            if idea.status in ("draft", "needs_more_work"):
                buttons = st.columns([1, 1, 4])
                buttons[0].button(_("Edit"), key=f"edit_{idea.id}", on_click=load_into_form, args=(idea.id,))
                if idea.author_id == user.employee_id:
                    buttons[1].button(
                        _("Withdraw"), key=f"withdraw_{idea.id}", on_click=act, args=(ideas.withdraw_idea, idea.id)
                    )
            elif idea.status == "submitted" and idea.author_id == user.employee_id:
                st.button(_("Withdraw"), key=f"withdraw_{idea.id}", on_click=act, args=(ideas.withdraw_idea, idea.id))
            feedback = outcomes.get(idea.id)
            if feedback:
                with st.container(border=True):
                    st.markdown("**" + _("Speak-Up Day outcome: {outcome}", outcome=feedback["outcome"]) + "**")
                    if feedback["score"] is not None:
                        st.caption(
                            ngettext(
                                "Score {score} from {n} judge (threshold {threshold})",
                                "Score {score} from {n} judges (threshold {threshold})",
                                feedback["judges"],
                                score=format_number(feedback["score"], 2),
                                threshold=format_number(feedback["threshold"]),
                            )
                        )
                    st.markdown(plain(feedback["rationale"]))
                    for comment in feedback["comments"]:
                        st.markdown(f"> {plain(comment)}")
            if idea.status in ideas.GREEN_LIT_STATUSES:
                render_benefits(idea, reviews.get(idea.id, []))
            st.markdown("**" + _("Status changes and feedback") + "**")
            columns = [_("When"), _("Status"), _("Feedback"), _("By")]
            history = pd.DataFrame(
                [
                    (row["changed_at"], status_label(row["to_status"]), row["note"] or "", row["changed_by"] or "")
                    for row in histories.get(idea.id, [])
                ],
                columns=columns,
            )
            show_table(history)
            download_buttons(
                lambda history=history: history,
                _("idea-{number}-status-changes", number=idea.id),
                key=f"history_{idea.id}",
            )
            idea_details(idea, CURRENCY, counts=counts.get(idea.id, {}))
            st.markdown("**" + _("Comments") + "**")
            comment_list(comments.get(idea.id, []))


def render_benefits(idea: ideas.Idea, reviews: list[dict]) -> None:
    """What the green-lit idea has saved so far beside what its business case projected."""
    realised = float(reviews[-1]["realised_savings"]) if reviews else None
    cols = st.columns(3)
    cols[0].metric(_("Projected annual savings"), money(float(idea.annual_savings), CURRENCY))
    cols[1].metric(_("Realised so far"), money(realised, CURRENCY))
    latest = (
        ngettext("{n} day", "{n} days", reviews[-1]["review_day"], n=format_number(reviews[-1]["review_day"]))
        if reviews
        else _("not yet")
    )
    cols[2].metric(_("Latest benefit review"), latest)


def render_recognitions() -> None:
    badges = awards.recognitions_for(db, user.employee_id)
    if badges:
        st.subheader(_("Recognition"))
        for badge in badges:
            kind = badge["kind_label"]  # the badge's name, translated once the catalogue has it
            st.success(f"**{_(kind)}** — {plain(badge['message'])}", icon=":material/emoji_events:")


st.title(_("Submit & my ideas"))
if "idea_editing" not in st.session_state:
    reset_form()
show_flash()
cycle = cycles.open_cycle(db)
reworked = reworked_idea()
if reworked is not None:
    render_form(reworked, reworking=True)
elif cycle is None or not cycle.accepts_submissions():
    st.info(_("No Speak-Up cycle is accepting ideas right now. Your drafts and ideas stay below."))
else:
    render_form(cycle)
st.divider()
render_my_ideas()
render_recognitions()
