"""The idea board: every posted idea with search, filters and sorting; support the ideas
you believe in (once, never your own) and discuss them."""

import pandas as pd
import streamlit as st

from models.access import Permission
from models.speakup import board, ideas
from models.speakup.cycles import current_cycle, list_cycles, open_cycle
from models.standards import proposals, rights
from ui.context import page_context
from ui.customer_words import render_customer_words
from ui.ideas import comment_list, idea_details, plain, status_label
from ui.right_proposals import proposal_form, proposal_table
from ui.widgets import download_buttons, show_table
from ui.writes import run_write, show_reported

user, db, settings = page_context()
PAGE_SIZE = 20
BOARD_STATUSES = [s for s in ideas.STATUS_LABELS if s not in ideas.PRIVATE_STATUSES]


def problem_key(idea_id: int) -> str:
    """Where a refused support or comment waits to be shown under its idea."""
    return f"board_problem_{idea_id}"


def toggle_support(idea_id: int, supported: bool) -> None:
    change = board.withdraw_support if supported else board.support_idea
    run_write(lambda: change(db, user, idea_id), report_at=problem_key(idea_id))


def post_comment(idea_id: int) -> None:
    key = f"comment_{idea_id}"
    text = st.session_state.get(key, "")
    if run_write(lambda: board.add_comment(db, user, idea_id, text), report_at=problem_key(idea_id)):
        st.session_state[key] = ""  # refused, the text stays in the box


def render_filters() -> dict:
    cycles = list_cycles(db)
    teams = {row["id"]: row["name"] for row in board.team_choices(db)}
    current = current_cycle(db)
    cols = st.columns([3, 2, 2, 2, 2])
    search = cols[0].text_input("Search ideas", key="board_search", placeholder="transfers, callback, knowledge base…")
    statuses = cols[1].multiselect(
        "Status", BOARD_STATUSES, key="board_status", format_func=status_label, placeholder="Any status"
    )
    cycle_names = {cycle.id: cycle.name for cycle in cycles}
    cycle_options = [None, *cycle_names]
    default_index = cycle_options.index(current.id) if current else 0
    cycle_id = cols[2].selectbox(
        "Cycle",
        cycle_options,
        index=default_index,
        key="board_cycle",
        format_func=lambda c: "All cycles" if c is None else cycle_names[c],
    )
    team_id = cols[3].selectbox(
        "Team", [None, *teams], key="board_team", format_func=lambda t: "All teams" if t is None else teams[t]
    )
    sort = cols[4].selectbox("Sort by", list(board.BOARD_SORTS), key="board_sort")
    return {"search": search, "statuses": statuses, "cycle_id": cycle_id, "team_id": team_id, "sort": sort}


def render_right_proposals(idea: ideas.Idea, linked: list[dict]) -> None:
    """Changes to decision rights proposed from the idea, and the form to propose one."""
    if linked:
        st.markdown("**Decision-right changes proposed**")
        proposal_table(linked, key=f"idea_proposals_{idea.id}")
    if proposals.may_propose_from_idea(user, idea):
        with st.popover("Propose a change to a decision right", icon=":material/gavel:"):
            proposal_form(db, user, current_rights, ("idea_id", idea.id), f"idea_proposal_{idea.id}")


def render_idea(idea: ideas.Idea, supported: bool) -> None:
    with st.container(border=True):
        st.markdown(f"#### {plain(idea.title)}")
        st.caption(
            f"#{idea.id} · {status_label(idea.status)} · {plain(idea.author_name)}"
            f" · {plain(idea.team_name or 'no team')}"
            f" · {idea.supporters} supporter{'s' if idea.supporters != 1 else ''}"
            f" · {idea.comments} comment{'s' if idea.comments != 1 else ''}"
        )
        if idea.merged_into_id:
            st.caption(f"Merged into idea #{idea.merged_into_id}")
        st.markdown(plain(idea.problem[:280] + ("…" if len(idea.problem) > 280 else "")))
        show_reported(problem_key(idea.id))
        own = user.employee_id in idea.author_ids
        if user.can(Permission.IDEAS_ENGAGE) and not own and idea.status in ideas.OPEN_FOR_ENGAGEMENT:
            st.button(
                "Withdraw support" if supported else "Support",
                key=f"support_{idea.id}",
                icon=":material/thumb_up:",
                type="secondary" if supported else "primary",
                on_click=toggle_support,
                args=(idea.id, supported),
            )
        elif own:
            st.caption("Your idea")
        with st.expander(f"Details and comments ({idea.comments})"):
            full = ideas.get_idea(db, idea.id, viewer=user)
            if full is not None:
                idea_details(full, settings.currency, counts=board.complaint_link_counts(db, full))
                render_customer_words(db, user, idea_id=full.id)
                render_right_proposals(full, linked_proposals.get(full.id, []))
            st.markdown("**Comments**")
            comment_list(board.comments_for(db, idea.id))
            if idea.status not in ("merged",) and user.can(Permission.IDEAS_ENGAGE):
                st.text_area("Add a comment", key=f"comment_{idea.id}", max_chars=ideas.COMMENT_MAX)
                st.button("Post comment", key=f"post_{idea.id}", on_click=post_comment, args=(idea.id,))


st.title("Idea board")
cycle = open_cycle(db)
if cycle and cycle.accepts_submissions():
    st.info(
        f"{plain(cycle.name)} is open for ideas until {cycle.submission_closes:%d %b %Y}; "
        "post yours under **Submit & my ideas**.",
        icon=":material/lightbulb:",
    )
filters = render_filters()
found = board.board(db, **filters, limit=500)
mine_supported = board.supports(db, user, [idea.id for idea in found])
linked_proposals = proposals.proposals_for(db, user, idea_ids=[idea.id for idea in found])
current_rights = rights.list_rights(db, user)
st.caption(f"{len(found)} idea{'s' if len(found) != 1 else ''}")
if not found:
    st.write("No ideas match. Try another search or filter.")
else:
    pages = (len(found) - 1) // PAGE_SIZE + 1
    page = st.number_input("Page", min_value=1, max_value=pages, value=1, key="board_page") if pages > 1 else 1
    for idea in found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        render_idea(idea, idea.id in mine_supported)
    table = pd.DataFrame(
        [
            {
                "Idea": idea.id,
                "Title": idea.title,
                "Status": status_label(idea.status),
                "Cycle": idea.cycle_name,
                "Author": idea.author_name,
                "Team": idea.team_name,
                "Supporters": idea.supporters,
                "Comments": idea.comments,
                "Net annual benefit": idea.business_case.net_annual_benefit,
                "Submitted": idea.submitted_at,
            }
            for idea in found
        ]
    )
    with st.expander("All matching ideas as a table"):
        show_table(table)
        download_buttons(table, "idea-board", key="board")
