"""The idea board: every posted idea with search, filters and sorting; support the ideas
you believe in (once, never your own) and discuss them."""

import pandas as pd
import streamlit as st

from models.access import Permission
from models.i18n import _, format_number, ngettext
from models.speakup import board, ideas
from models.speakup.cycles import current_cycle, list_cycles, open_cycle
from models.standards import proposals, rights
from ui.context import page_context
from ui.customer_words import read_ideas_words, render_customer_words
from ui.ideas import comment_list, day, idea_details, plain, status_label
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
    search = cols[0].text_input(
        _("Search ideas"), key="board_search", placeholder=_("transfers, callback, knowledge base…")
    )
    statuses = cols[1].multiselect(
        _("Status"), BOARD_STATUSES, key="board_status", format_func=status_label, placeholder=_("Any status")
    )
    cycle_names = {cycle.id: cycle.name for cycle in cycles}
    cycle_options = [None, *cycle_names]
    default_index = cycle_options.index(current.id) if current else 0
    cycle_id = cols[2].selectbox(
        _("Cycle"),
        cycle_options,
        index=default_index,
        key="board_cycle",
        format_func={None: _("All cycles"), **cycle_names}.get,
    )
    team_id = cols[3].selectbox(
        _("Team"),
        [None, *teams],
        key="board_team",
        format_func={None: _("All teams"), **teams}.get,
        placeholder=_("All teams"),
    )
    sort = cols[4].selectbox(
        _("Sort by"),
        list(board.BOARD_SORTS),
        key="board_sort",
        format_func={sort: _(sort) for sort in board.BOARD_SORTS}.get,
    )
    return {"search": search, "statuses": statuses, "cycle_id": cycle_id, "team_id": team_id, "sort": sort}


def render_right_proposals(idea: ideas.Idea, linked: list[dict], current_rights: list) -> None:
    """Changes to decision rights proposed from the idea, and the form to propose one."""
    if linked:
        st.markdown("**" + _("Decision-right changes proposed") + "**")
        proposal_table(linked, key=f"idea_proposals_{idea.id}")
    if proposals.may_propose_from_idea(user, idea):
        with st.popover(_("Propose a change to a decision right"), icon=":material/gavel:"):
            proposal_form(db, user, current_rights, ("idea_id", idea.id), f"idea_proposal_{idea.id}")


def details_key(idea_id: int) -> str:
    """The idea's details expander: its details are read only while it is open."""
    return f"board_details_{idea_id}"


def render_idea(idea: ideas.Idea, supported: bool, opened: dict) -> None:
    with st.container(border=True):
        st.markdown(f"#### {plain(idea.title)}")
        supporters = ngettext("{n} supporter", "{n} supporters", idea.supporters)
        comments = ngettext("{n} comment", "{n} comments", idea.comments)
        team = plain(idea.team_name) if idea.team_name else _("no team")
        st.caption(
            f"#{idea.id} · {status_label(idea.status)} · {plain(idea.author_name)} · {team} · {supporters} · {comments}"
        )
        if idea.merged_into_id:
            st.caption(_("Merged into idea #{number}", number=idea.merged_into_id))
        st.markdown(plain(idea.problem[:280] + ("…" if len(idea.problem) > 280 else "")))
        show_reported(problem_key(idea.id))
        own = user.employee_id in idea.author_ids
        if user.can(Permission.IDEAS_ENGAGE) and not own and idea.status in ideas.OPEN_FOR_ENGAGEMENT:
            st.button(
                _("Withdraw support") if supported else _("Support"),
                key=f"support_{idea.id}",
                icon=":material/thumb_up:",
                type="secondary" if supported else "primary",
                on_click=toggle_support,
                args=(idea.id, supported),
            )
        elif own:
            st.caption(_("Your idea"))
        details = st.expander(
            _("Details and comments ({count})", count=idea.comments), key=details_key(idea.id), on_change="rerun"
        )
        with details:
            if details.open:
                render_details(idea, opened)


def render_details(idea: ideas.Idea, opened: dict) -> None:
    """The open idea's text, business case, links and comments, read for every open idea at once."""
    full = idea.model_copy(update={"milestones": opened["plans"].get(idea.id, [])})
    idea_details(full, settings.currency, counts=opened["counts"].get(idea.id, {}))
    render_customer_words(db, user, idea_id=idea.id, read=opened["words"].get(idea.id))
    render_right_proposals(full, opened["proposals"].get(idea.id, []), opened["rights"])
    st.markdown("**" + _("Comments") + "**")
    comment_list(opened["comments"].get(idea.id, []))
    if idea.status not in ("merged",) and user.can(Permission.IDEAS_ENGAGE):
        st.text_area(_("Add a comment"), key=f"comment_{idea.id}", max_chars=ideas.COMMENT_MAX)
        st.button(_("Post comment"), key=f"post_{idea.id}", on_click=post_comment, args=(idea.id,))


def read_opened(shown: list[ideas.Idea]) -> dict:
    """Plans, complaint counts, decision-right proposals, comments and customers' words of the
    ideas whose details are open, one statement each (nothing when none is open)."""
    opened = [idea for idea in shown if st.session_state.get(details_key(idea.id))]
    ids = [idea.id for idea in opened]
    if not ids:
        return {"plans": {}, "counts": {}, "proposals": {}, "comments": {}, "rights": [], "words": {}}
    return {
        "plans": board.milestones_of(db, ids),
        "counts": board.complaint_link_counts_of(db, opened),
        "proposals": proposals.proposals_for(db, user, idea_ids=ids),
        "comments": board.comments_of(db, ids),
        "rights": rights.list_rights(db, user),
        "words": read_ideas_words(db, user, ids),
    }


def table_of(filters: dict) -> pd.DataFrame:
    """Every matching idea as a table (read only when the table is opened or downloaded)."""
    rows = board.board_table(db, **filters)
    columns = {
        "idea": _("Idea"),
        "title": _("Title"),
        "status": _("Status"),
        "cycle_name": _("Cycle"),
        "author_name": _("Author"),
        "team_name": _("Team"),
        "supporters": _("Supporters"),
        "comments": _("Comments"),
        "net_annual_benefit": _("Net annual benefit"),
        "submitted_at": _("Submitted"),
    }
    return pd.DataFrame(
        [
            {label: status_label(row[name]) if name == "status" else row[name] for name, label in columns.items()}
            for row in rows
        ],
        columns=list(columns.values()),
    )


st.title(_("Idea board"))
cycle = open_cycle(db)
if cycle and cycle.accepts_submissions():
    st.info(
        _(
            "{cycle} is open for ideas until {date}; post yours under **Submit & my ideas**.",
            cycle=plain(cycle.name),
            date=day(cycle.submission_closes),
        ),
        icon=":material/lightbulb:",
    )
filters = render_filters()
page = max(1, int(st.session_state.get("board_page") or 1))
total, shown = board.board_page(db, **filters, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
pages = max(1, (total - 1) // PAGE_SIZE + 1)
if page > pages:  # the filters changed under a later page: back to the first
    page = 1
    st.session_state.pop("board_page", None)
    total, shown = board.board_page(db, **filters, offset=0, limit=PAGE_SIZE)
if not total:
    st.caption(ngettext("{n} idea", "{n} ideas", 0))
    st.write(_("No ideas match. Try another search or filter."))
else:
    if pages > 1:
        page = st.number_input(
            _("Page (of {pages})", pages=pages), min_value=1, max_value=pages, value=1, key="board_page"
        )
    first = (page - 1) * PAGE_SIZE
    counted = ngettext("{n} idea", "{n} ideas", total)
    if pages > 1:
        counted = _(
            "{ideas}; showing {first}–{last}",
            ideas=counted,
            first=format_number(first + 1),
            last=format_number(first + len(shown)),
        )
    st.caption(counted)
    mine_supported = board.supports(db, user, [idea.id for idea in shown])
    opened = read_opened(shown)
    for idea in shown:
        render_idea(idea, idea.id in mine_supported, opened)
    table = st.expander(_("All matching ideas as a table"), key="board_table", on_change="rerun")
    with table:
        if table.open:
            show_table(table_of(filters))
            download_buttons(lambda: table_of(filters), _("idea-board"), key="board")
