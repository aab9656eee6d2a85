"""Coaching log: my coaching (acknowledge each session, close follow-ups) for everyone; the
team's sessions, recording and follow-ups for team leads; everyone's for HR and leadership."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from models.coaching import KIND_LABELS, KINDS, log, scope, sessions
from models.coaching.sessions import SessionInput
from models.i18n import N_, _, format_number, ngettext
from models.paging import PAGE_SIZE
from ui.context import page_context
from ui.dates import date_input_format
from ui.fields import bounds, max_chars
from ui.text import escape_markdown
from ui.widgets import download_buttons, pager, search_matches, show_table
from ui.writes import EditForm, run_write

user, db, settings = page_context()
TODAY = date.today()
MY_SESSIONS_SHOWN = 20  # of one's own sessions, each shown in full with its buttons
FOLLOW_UP_STATES = {"done": N_("done"), "overdue": N_("overdue"), "open": N_("open")}  # translated where shown


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def state_label(item: log.CoachingSession) -> str:
    state = _follow_up_state(item)
    return _(FOLLOW_UP_STATES[state]) if state else ""


def counted_sessions(n: int) -> str:
    return ngettext("{n} session", "{n} sessions", n, n=format_number(n))


def table_labels() -> dict[str, str]:
    return {
        "id": "#",
        "date": _("Date"),
        "person": _("Person"),
        "team": _("Team"),
        "coach": _("Coach"),
        "type": _("Type"),
        "minutes": _("Minutes"),
        "competency": _("Competency"),
        "shared_notes": _("Shared notes"),
        "follow_up": _("Follow up"),
        "follow_up_due": _("Follow up due"),
        "follow_up_state": _("Follow up state"),
        "acknowledged": _("Acknowledged"),
    }


def shown_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as the page shows it: kinds and follow-up states in words of the current language."""
    shown = frame.copy()
    if "type" in shown.columns:
        shown["type"] = shown["type"].map(lambda kind: _(kind) if kind in KIND_LABELS.values() else kind)
    if "follow_up_state" in shown.columns:
        shown["follow_up_state"] = shown["follow_up_state"].map(lambda s: _(FOLLOW_UP_STATES[s]) if s else s)
    return shown


def _follow_up_state(item: log.CoachingSession) -> str:
    if item.follow_up is None:
        return ""
    if item.follow_up_done_at is not None:
        return "done"
    return "overdue" if item.follow_up_overdue(TODAY) else "open"


def render_my_session(item: log.CoachingSession) -> None:
    with st.container(border=True):
        focus = " · " + _("focus: {name}", name=escape_markdown(item.competency_name)) if item.competency_name else ""
        st.markdown(
            f"**{item.coached_on:%Y-%m-%d}** · {kind_label(item.kind)} · "
            + _("{minutes} min", minutes=item.minutes)
            + " · "
            + _("coach: {name}", name=escape_markdown(item.coach_name))
            + focus
        )
        st.text(item.shared_notes)
        if item.follow_up:
            st.caption(
                _("Follow-up due {day} ({state})", day=f"{item.follow_up_due:%Y-%m-%d}", state=state_label(item))
            )
            st.text(item.follow_up)
        left, right = st.columns(2)
        if item.acknowledged_at is None:
            if left.button(_("Acknowledge"), key=f"ack_{item.id}", icon=":material/done:"):
                run_write(
                    lambda: sessions.acknowledge_session(db, user, item.id), success=_("Acknowledged."), rerun=True
                )
        else:
            left.caption(_("Acknowledged {day}", day=f"{item.acknowledged_at:%Y-%m-%d}"))
        if _follow_up_state(item) in ("open", "overdue") and right.button(
            _("Mark follow-up done"), key=f"my_done_{item.id}", icon=":material/task_alt:"
        ):
            run_write(lambda: sessions.complete_follow_up(db, user, item.id), success=_("Follow-up done."), rerun=True)


def render_my_coaching() -> None:
    total = log.count_my_sessions(db, user)
    waiting = log.unacknowledged_count(db, user)
    st.caption(
        _("The notes your coach shares with you. Acknowledge each session once you have read it.")
        + (" " + _("{count} waiting for your acknowledgement.", count=format_number(waiting)) if waiting else "")
    )
    if not total:
        st.info(_("No coaching sessions recorded for you yet."))
        return
    first = pager(total, "my_coaching_page", counted_sessions, page_size=MY_SESSIONS_SHOWN)
    for item in log.my_sessions(db, user, offset=first, limit=MY_SESSIONS_SHOWN):
        render_my_session(item)
    download_buttons(lambda: _table(log.my_sessions(db, user)), _("my-coaching"), "dl_my_coaching", rows=total)


def _table(items: list[log.CoachingSession]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": s.id,
                "date": pd.Timestamp(s.coached_on),
                "person": s.employee_name,
                "team": s.team_name,
                "coach": s.coach_name,
                "type": KIND_LABELS.get(s.kind, s.kind),
                "minutes": s.minutes,
                "competency": s.competency_name,
                "shared_notes": s.shared_notes,
                "follow_up": s.follow_up,
                "follow_up_due": pd.Timestamp(s.follow_up_due) if s.follow_up_due else pd.NaT,
                "follow_up_state": _follow_up_state(s),
                "acknowledged": s.acknowledged_at is not None,
            }
            for s in items
        ],
        columns=[
            "id", "date", "person", "team", "coach", "type", "minutes", "competency", "shared_notes",
            "follow_up", "follow_up_due", "follow_up_state", "acknowledged",
        ],
    )  # fmt: skip


def _session_fields(prefix: str, current: log.CoachingSession | None, people: list[dict]) -> dict:
    """The fields of a session; ``current`` fills them when editing (the person then stays)."""
    competencies = {row["id"]: row["name"] for row in log.competency_choices(db)}
    choices = [None, *competencies]
    if current is None:
        by_id = {p["id"]: p for p in people}
        employee_id = st.selectbox(
            _("Person coached"),
            list(by_id),
            format_func=lambda i: f"{by_id[i]['full_name']} ({by_id[i]['team_name'] or _('no team')})",
            key=f"{prefix}_person",
        )
    else:
        employee_id = current.employee_id
    left, middle, right = st.columns(3)
    coached_on = left.date_input(
        _("Date"),
        current.coached_on if current else TODAY,
        max_value=TODAY,
        key=f"{prefix}_date",
        format=date_input_format(),
    )
    kind = middle.radio(
        _("Type"),
        KINDS,
        index=KINDS.index(current.kind) if current else 0,
        format_func=kind_label,
        key=f"{prefix}_kind",
    )
    high = bounds(SessionInput, "minutes")[1]
    minutes = right.number_input(
        _("Minutes"), min_value=1, max_value=high, value=current.minutes if current else 10, step=1, key=f"{prefix}_min"
    )
    competency_id = st.selectbox(
        _("Competency focus"),
        choices,
        index=choices.index(current.competency_id) if current and current.competency_id in choices else 0,
        format_func=lambda i: _("— none —") if i is None else competencies[i],
        key=f"{prefix}_competency",
    )
    shared = st.text_area(
        _("Notes shared with the person"),
        current.shared_notes if current else "",
        max_chars=max_chars(SessionInput, "shared_notes"),
        key=f"{prefix}_shared",
    )
    private = st.text_area(
        _("Private notes (you and HR only)"),
        (current.private_notes or "") if current else "",
        max_chars=max_chars(SessionInput, "private_notes"),
        key=f"{prefix}_private",
    )
    follow_left, follow_right = st.columns([3, 1])
    follow_up = follow_left.text_input(
        _("Follow-up action"),
        (current.follow_up or "") if current else "",
        max_chars=max_chars(SessionInput, "follow_up"),
        key=f"{prefix}_follow_up",
    )
    follow_up_due = follow_right.date_input(
        _("Follow-up due"), current.follow_up_due if current else None, key=f"{prefix}_due", format=date_input_format()
    )
    return {
        "employee_id": employee_id,
        "coached_on": coached_on,
        "kind": kind,
        "minutes": minutes,
        "competency_id": competency_id,
        "shared_notes": shared,
        "private_notes": private,
        "follow_up": follow_up,
        "follow_up_due": follow_up_due,
    }


def render_record() -> None:
    people = search_matches(
        _("Find the person coached (name, email or employee number)"),
        "new_session_search",
        lambda text: log.find_coachable(db, user, text),
    )
    if not people and not st.session_state.get("new_session_search", "").strip():
        st.info(_("Nobody to coach: your team has no other active members."))
        return
    with st.form("record_session"):
        data = _session_fields("new_session", None, people)
        if st.form_submit_button(_("Record session"), icon=":material/add:"):
            run_write(lambda: sessions.record_session(db, user, data), success=_("Coaching session recorded."))


def render_edit(item: log.CoachingSession) -> None:
    form = EditForm("coaching_session", item.id, item.version)
    with st.expander(_("Edit this session"), icon=":material/edit:", expanded=bool(form.stale)):
        form.show_stale()
        with st.form(f"edit_session_{item.id}"):
            data = _session_fields(form.prefix, item, [])
            if st.form_submit_button(_("Save changes")):
                run_write(
                    lambda: sessions.update_session(db, user, item.id, data, form.version),
                    success=_("Session saved."),
                    form=form,
                    rerun=True,
                )


def render_detail(item: log.CoachingSession) -> None:
    st.markdown(
        f"**{escape_markdown(item.employee_name)}** · {item.coached_on:%Y-%m-%d} · {kind_label(item.kind)} · "
        + _("{minutes} min", minutes=item.minutes)
        + " · "
        + _("coach: {name}", name=escape_markdown(item.coach_name))
    )
    st.caption(_("Shared with the person"))
    st.text(item.shared_notes)
    if item.private_notes is not None:
        st.caption(_("Private notes (the coach and HR only)"))
        st.text(item.private_notes)
    if item.follow_up:
        st.caption(_("Follow-up due {day} ({state})", day=f"{item.follow_up_due:%Y-%m-%d}", state=state_label(item)))
        st.text(item.follow_up)
        closable = _follow_up_state(item) in ("open", "overdue") and item.coach_id == user.employee_id
        if closable and st.button(_("Mark follow-up done"), key=f"done_{item.id}", icon=":material/task_alt:"):
            run_write(lambda: sessions.complete_follow_up(db, user, item.id), success=_("Done."), rerun=True)
    st.caption(_("Acknowledged") if item.acknowledged_at else _("Not acknowledged yet"))
    if item.coach_id == user.employee_id:
        render_edit(item)


def render_team_sessions() -> None:
    since = st.date_input(_("Sessions since"), TODAY - timedelta(days=90), key="team_since", format=date_input_format())
    total = log.count_sessions(db, user, since=since)
    if not total:
        st.info(_("No coaching sessions in this period."))
        return
    first = pager(total, "team_sessions_page", counted_sessions, context=since)
    items = log.sessions(db, user, since=since, offset=first, limit=PAGE_SIZE)
    show_table(shown_table(_table(items)), labels=table_labels(), key="team_sessions_table")
    every_session = lambda: _table(log.sessions(db, user, since=since))  # noqa: E731
    download_buttons(every_session, _("coaching-sessions"), "dl_team_sessions", rows=total)
    by_id = {s.id: s for s in items}
    chosen = st.selectbox(
        _("Open a session"),
        list(by_id),
        format_func=lambda i: f"#{i} {by_id[i].coached_on:%Y-%m-%d} {by_id[i].employee_name}",
        key="open_session",
    )
    if chosen is not None:
        render_detail(by_id[chosen])


def render_overdue() -> None:
    overdue = log.overdue_follow_ups(db, user, TODAY)
    if not overdue:
        st.success(_("No overdue follow-ups."))
        return
    st.caption(
        ngettext(
            "{n} follow-up action is past its due date and not done.",
            "{n} follow-up actions are past their due date and not done.",
            len(overdue),
        )
    )
    frame = _table(overdue)[["id", "person", "team", "coach", "follow_up", "follow_up_due", "date"]]
    show_table(shown_table(frame), labels=table_labels(), key="overdue_table")
    download_buttons(frame, _("overdue-follow-ups"), "dl_overdue")


st.title(_("Coaching log"))
labels = [N_("My coaching")]
if scope.may_coach(user):
    labels.append(N_("Record a session"))
if scope.reads_others(user):
    labels += [N_("Sessions"), N_("Overdue follow-ups")]
else:
    labels.append(N_("Overdue follow-ups"))
tabs = dict(zip(labels, st.tabs([_(label) for label in labels]), strict=True))
with tabs["My coaching"]:
    render_my_coaching()
if "Record a session" in tabs:
    with tabs["Record a session"]:
        render_record()
if "Sessions" in tabs:
    with tabs["Sessions"]:
        render_team_sessions()
with tabs["Overdue follow-ups"]:
    render_overdue()
