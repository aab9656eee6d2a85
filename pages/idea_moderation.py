"""Moderation (idea champions): shortlist ideas for Speak-Up Day, send them back with
feedback, decline with a reason, merge duplicates, hide comments, carry ideas forward."""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from models.errors import InputError
from models.i18n import _, format_number, ngettext
from models.speakup import board, ideas, moderation
from models.speakup.cycles import Cycle, current_cycle, list_cycles
from ui.context import page_context
from ui.ideas import idea_details, moment, plain, status_label
from ui.widgets import download_buttons, show_table
from ui.writes import run_write, show_reported

user, db, settings = page_context()
PAGE_SIZE = 20  # ideas listed at a time


def ideas_count(count: int) -> str:
    """ "1 idea", "1,200 ideas", in the current language's form."""
    return ngettext("{count} idea", "{count} ideas", count, count=format_number(count))


def problem_key(idea_id: int) -> str:
    """Where a refused moderation step waits to be shown under its idea."""
    return f"moderation_problem_{idea_id}"


def run(idea_id: int, action: Callable[..., object], *args: object) -> None:
    """Button callback: do the moderation step; on bad input keep what was typed."""
    if run_write(lambda: action(db, user, *args), success=_("Done."), report_at=problem_key(idea_id)):
        for key in (f"feedback_{idea_id}", f"reason_{idea_id}", f"merge_note_{idea_id}"):
            st.session_state.pop(key, None)


def merge_selected(idea_id: int) -> None:
    survivor = st.session_state.get(f"merge_into_{idea_id}")
    if survivor is None:
        st.session_state[problem_key(idea_id)] = InputError.single(_("Merge into"), _("choose the surviving idea"))
        return
    run(idea_id, moderation.merge, idea_id, survivor, st.session_state.get(f"merge_note_{idea_id}", ""))


def render_actions(idea: ideas.Idea, cycle: Cycle) -> None:
    """The moderation steps the idea's status allows, while the cycle is open or in review."""
    if cycle.phase not in ("open", "review"):
        return
    if idea.status == "shortlisted":
        st.text_input(_("Why it leaves the shortlist"), key=f"unlist_reason_{idea.id}", max_chars=ideas.REASON_MAX)
        st.button(
            _("Take off the shortlist"),
            key=f"unlist_{idea.id}",
            help=_("It is submitted again; its authors' preparation invitations not attended are withdrawn."),
            on_click=lambda i=idea.id: run(
                i, moderation.remove_from_shortlist, i, st.session_state.get(f"unlist_reason_{i}", "")
            ),
        )
        return
    left, middle, right = st.columns(3)
    with left:
        if idea.status == "submitted":
            st.button(
                _("Shortlist"),
                key=f"shortlist_{idea.id}",
                type="primary",
                on_click=run,
                args=(idea.id, moderation.shortlist, idea.id),
            )
            st.text_area(_("Feedback for the authors"), key=f"feedback_{idea.id}", max_chars=ideas.REASON_MAX)
            st.button(
                _("Needs more work"),
                key=f"send_back_{idea.id}",
                help=_("The authors are told and may resubmit the idea until scoring starts."),
                on_click=lambda i=idea.id: run(i, moderation.send_back, i, st.session_state.get(f"feedback_{i}", "")),
            )
    with middle:
        st.text_area(_("Reason for declining"), key=f"reason_{idea.id}", max_chars=ideas.REASON_MAX)
        st.button(
            _("Decline"),
            key=f"decline_{idea.id}",
            on_click=lambda i=idea.id: run(i, moderation.decline, i, st.session_state.get(f"reason_{i}", "")),
        )
    with right:
        render_merge(idea, cycle)


MERGE_CHOICES = 20  # ideas offered at a time in the "duplicate of" picker


def render_merge(idea: ideas.Idea, cycle: Cycle) -> None:
    """Merge the idea into another of the cycle, found by number or words of its title."""
    words = st.text_input(
        _("Find the surviving idea"),
        key=f"merge_find_{idea.id}",
        placeholder=_("Type a number or words of the title"),
    )
    total, found = moderation.merge_candidates(db, cycle.id, idea.id, words, limit=MERGE_CHOICES)
    others = {other["id"]: other["title"] for other in found}
    st.selectbox(
        _("Duplicate of"),
        list(others),
        index=None,
        key=f"merge_into_{idea.id}",
        placeholder=_("Choose the surviving idea") if others else _("No idea matches"),
        format_func=lambda i: f"#{i} {others.get(i, '')}",
    )
    if total > len(found):
        st.caption(
            _("Showing {count} of {ideas}; type to narrow them down.", count=len(found), ideas=ideas_count(total))
        )
    st.text_input(_("Merge note"), key=f"merge_note_{idea.id}", max_chars=ideas.REASON_MAX)
    st.button(_("Merge into it"), key=f"merge_{idea.id}", on_click=merge_selected, args=(idea.id,))


def render_idea(idea: ideas.Idea, cycle: Cycle) -> None:
    """The one idea being moderated: its text, its state and the steps it allows."""
    with st.container(border=True):
        st.markdown(f"#### #{idea.id} {plain(idea.title)}")
        st.caption(
            f"{status_label(idea.status)} · {plain(idea.author_name)} · "
            f"{ngettext('{n} supporter', '{n} supporters', idea.supporters)} · "
            f"{ngettext('{n} comment', '{n} comments', idea.comments)}"
        )
        show_reported(problem_key(idea.id))
        with st.expander(_("Read the idea")):
            idea_details(ideas.get_idea(db, idea.id), settings.currency)
        if idea.status == "needs_more_work":
            st.caption(
                _(
                    "Sent back for more work: the authors can rework and resubmit it until scoring starts; "
                    "it then comes back here as Submitted."
                )
            )
        render_actions(idea, cycle)


def queue_frame(queued: list[ideas.Idea]) -> pd.DataFrame:
    """Queued ideas as the list shows them and the download holds them."""
    return pd.DataFrame(
        [
            {
                "#": idea.id,
                _("Idea"): idea.title,
                _("Status"): status_label(idea.status),
                _("Author"): idea.author_name,
                _("Supporters"): idea.supporters,
                _("Comments"): idea.comments,
            }
            for idea in queued
        ]
    )


def choose_idea(cycle: Cycle) -> ideas.Idea | None:
    """A page of the queue as a compact list, and the one idea chosen from it (the queue is
    filtered, counted and paged in DuckDB)."""
    left, right = st.columns([1, 2])
    statuses = left.multiselect(
        _("Status"),
        list(moderation.QUEUE_STATUSES),
        format_func=status_label,
        key="moderation_statuses",
        placeholder=_("All"),
    )
    words = right.text_input(_("Find"), key="moderation_find", placeholder=_("Number or words of the title")).strip()
    page = max(1, int(st.session_state.get("moderation_page") or 1))
    total, shown_ideas = moderation.queue_page(
        db, cycle.id, statuses=statuses, words=words, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    if not total:
        st.info(_("No idea in the queue matches."))
        return None
    pages = (total - 1) // PAGE_SIZE + 1
    if page > pages:  # the filter changed under a later page: back to the first
        page = 1
        st.session_state.pop("moderation_page", None)
        total, shown_ideas = moderation.queue_page(db, cycle.id, statuses=statuses, words=words, limit=PAGE_SIZE)
    if pages > 1:
        page = st.number_input(_("Page (of {pages})", pages=pages), 1, pages, 1, key="moderation_page")
    first = (page - 1) * PAGE_SIZE
    st.caption(
        _(
            "{ideas}; showing {first}–{last}",
            ideas=ideas_count(total),
            first=format_number(first + 1),
            last=format_number(first + len(shown_ideas)),
        )
    )
    show_table(queue_frame(shown_ideas), key="moderation_list")
    download_buttons(
        lambda: queue_frame(
            moderation.queue_page(db, cycle.id, statuses=statuses, words=words, limit=max(total, 1))[1]
        ),
        _("moderation-queue"),
        "moderation_download",
        rows=total,
    )
    by_id = {idea.id: idea for idea in shown_ideas}
    if st.session_state.get("moderation_idea") not in by_id:
        st.session_state["moderation_idea"] = shown_ideas[0].id
    chosen = st.selectbox(
        _("Moderate idea"), list(by_id), key="moderation_idea", format_func=lambda i: f"#{i} {by_id[i].title}"
    )
    return by_id[chosen]


def render_comments(idea: ideas.Idea) -> None:
    comments = board.comments_for(db, idea.id)
    st.subheader(_("Comments on #{number} ({count})", number=idea.id, count=len(comments)))
    if not comments:
        st.caption(_("No comments yet."))
        return
    st.caption(_("Hide a comment that breaks the forum's rules; it stays in the record with your reason."))
    for comment in comments:
        with st.container(border=True):
            st.caption(f"{plain(comment['author_name'])} · {moment(comment['created_at'])}")
            st.markdown(plain(comment["body"]))
            reason = st.text_input(_("Reason"), key=f"hide_reason_{comment['id']}", max_chars=ideas.REASON_MAX)
            if st.button(_("Hide comment"), key=f"hide_{comment['id']}"):
                run_write(
                    lambda comment_id=comment["id"], reason=reason: board.hide_comment(db, user, comment_id, reason),
                    rerun=True,
                )


def render_carry_forward(cycle: Cycle) -> None:
    if cycle.phase not in ("planned", "open"):
        return
    words = st.session_state.get("carry_find", "")
    total, candidates = moderation.carryable_ideas(db, cycle.id, words, limit=MERGE_CHOICES)
    if not total and not words:
        return
    st.subheader(_("Carry ideas into {cycle}", cycle=plain(cycle.name)))
    st.caption(_("Ideas of earlier cycles that were not shortlisted keep their supporters and comments."))
    st.text_input(_("Find an idea"), key="carry_find", placeholder=_("Type a number or words of the title"))
    labels = {i.id: f"#{i.id} {i.title} ({i.cycle_name}, {status_label(i.status)})" for i in candidates}
    chosen = st.selectbox(
        _("Idea"), [None, *labels], key="carry_idea", format_func=lambda i: labels.get(i, "—"), placeholder="—"
    )
    if total > len(candidates):
        st.caption(
            _(
                "Showing the newest {count} of {ideas}; type to narrow them down.",
                count=len(candidates),
                ideas=ideas_count(total),
            )
        )
    if st.button(_("Carry forward"), key="carry_button", disabled=chosen is None):
        run_write(lambda: moderation.carry_forward(db, user, chosen, cycle.id), rerun=True)


st.title(_("Idea moderation"))
cycles = list_cycles(db)
if not cycles:
    st.info(_("No Speak-Up cycle exists yet; leadership creates one under Speak-Up cycles."))
    st.stop()
current = current_cycle(db)
names = {c.id: c for c in cycles}
cycle_id = st.selectbox(
    _("Cycle"),
    list(names),
    index=list(names).index(current.id),
    key="moderation_cycle",
    format_func=lambda c: f"{names[c].name} — {names[c].phase_label}",
)
cycle = names[cycle_id]
totals = moderation.queue_totals(db, cycle.id)
st.caption(
    _(
        "{ideas} to look after · shortlist {shortlisted} of {size} · {phase}",
        ideas=ideas_count(totals["queued"]),
        shortlisted=totals["shortlisted"],
        size=cycle.shortlist_size,
        phase=cycle.phase_label,
    )
)
if cycle.phase not in ("open", "review"):
    st.info(
        _(
            "{cycle} is {phase}: ideas are moderated while a cycle is open or in review.",
            cycle=plain(cycle.name),
            phase=cycle.phase_label.lower(),
        )
    )
chosen_idea = choose_idea(cycle) if totals["queued"] else None
if chosen_idea is not None:
    render_idea(chosen_idea, cycle)
    render_comments(chosen_idea)
render_carry_forward(cycle)
