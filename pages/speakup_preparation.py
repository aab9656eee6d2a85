"""Speak-Up Day preparation: the coaching sessions between the shortlist and the day, who was
invited and attended, who is prepared for each shortlisted idea, the presenters' running order
and the judges present. Everyone sees the sessions they are invited to; trainers record
attendance at theirs; HR and leadership run it all."""

from datetime import date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from models.access import Permission
from models.i18n import N_, _, current_language, format_date, format_datetime, format_number
from models.people.directory import find_active_people
from models.speakup import cycles, day_plan, preparation
from models.speakup import preparation_views as views
from ui.context import page_context
from ui.dates import date_input_format
from ui.fields import bounds, default, max_chars
from ui.ideas import plain
from ui.widgets import download_buttons, search_matches, show_table
from ui.writes import run_write

user, db, settings = page_context()
# an attendance as the editor holds it (a code, so an edit survives a language switch) and as stored
ATTENDANCE = {"attended": True, "absent": False, "unrecorded": None}
ATTENDANCE_LABELS = {"attended": N_("Attended"), "absent": N_("Did not attend"), "unrecorded": N_("Not recorded")}
# the part a person plays in a shortlisted idea (models.speakup.preparation_views.preparedness)
PARTS = {"Author": N_("Author"), "Co-author": N_("Co-author")}


def attendance_code(attended: bool | None) -> str:
    return next(code for code, value in ATTENDANCE.items() if value is attended)


def attendance_label(attended: bool | None) -> str:
    return _(ATTENDANCE_LABELS[attendance_code(attended)])


def part_label(part: str) -> str:
    label = PARTS.get(part, part)
    return _(label)


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def when(value: datetime, english: str, pattern: str) -> str:
    """A session's time as the portal's English has always written it, else in the language's form."""
    return value.strftime(english) if current_language() == "en" else format_datetime(value, pattern)


def render_my_invitations() -> None:
    st.subheader(_("My preparation sessions"))
    mine = views.my_invitations(db, user)
    if not mine:
        st.caption(
            _(
                "When an idea of yours is shortlisted you are invited to the preparation sessions before Speak-Up "
                "Day: building the business case, presenting to leadership and planning the project."
            )
        )
        return
    table = pd.DataFrame(
        [
            {
                _("Cycle"): row["cycle_name"],
                _("Session"): row["course_title"],
                _("Starts"): row["starts_at"],
                _("Minutes"): row["minutes"],
                _("Place"): row["place"],
                _("Trainer"): row["trainer_name"],
                _("For the idea"): row["idea_title"],
                _("Attendance"): attendance_label(row["attended"]),
            }
            for row in mine
        ]
    )
    show_table(table, key="my_preparation", download=_("my-preparation-sessions"))


def render_attendance(session: dict) -> None:
    """A session's invitations; its trainer, HR and leadership record who attended."""
    invitations = views.session_invitations(db, user, session["id"])
    current = [row for row in invitations if row["withdrawn_at"] is None]
    withdrawn = [row for row in invitations if row["withdrawn_at"] is not None]
    if not current:
        st.caption(_("Nobody is invited: no idea is on the shortlist."))
    else:
        # the editor keeps its own column names (its edits are kept under them) and shows them translated
        frame = pd.DataFrame(
            [
                {
                    "Invitation": row["id"],
                    "Person": row["full_name"],
                    "Team": row["team_name"] or "",
                    "For the idea": row["idea_title"],
                    "Attendance": attendance_code(row["attended"]),
                    "Recorded by": row["recorded_by"] or "",
                }
                for row in current
            ]
        )
        labels = {code: _(label) for code, label in ATTENDANCE_LABELS.items()}
        headers = {
            "Invitation": _("Invitation"),
            "Person": _("Person"),
            "Team": _("Team"),
            "For the idea": _("For the idea"),
            "Recorded by": _("Recorded by"),
        }
        edited = st.data_editor(
            frame,
            key=f"attendance_{session['id']}",
            hide_index=True,
            width="stretch",
            disabled=list(headers),
            column_config={
                **{name: st.column_config.Column(header) for name, header in headers.items()},
                "Attendance": st.column_config.SelectboxColumn(
                    _("Attendance"), options=list(ATTENDANCE), format_func=labels.get, required=True
                ),
            },
        )
        if st.button(_("Save attendance"), key=f"save_attendance_{session['id']}"):
            before = dict(zip(frame["Invitation"], frame["Attendance"], strict=True))
            changes = {
                int(row["Invitation"]): ATTENDANCE[row["Attendance"]]
                for row in edited.to_dict("records")
                if row["Attendance"] != before[row["Invitation"]]
            }
            run_write(
                lambda: preparation.record_session_attendance(db, user, changes),
                success=_("Attendance saved; attending completes the course in each transcript."),
                rerun=True,
            )
    if withdrawn:
        st.caption(_("Withdrawn invitations (their idea left the shortlist)"))
        show_table(
            pd.DataFrame(
                [
                    {_("Person"): r["full_name"], _("Withdrawn"): r["withdrawn_at"], _("Why"): r["withdrawn_reason"]}
                    for r in withdrawn
                ]
            ),
            key="withdrawn_invitations",
            download=_("withdrawn-invitations"),
        )


def session_title(session: dict) -> str:
    full = " · " + _("over capacity") if session["over_capacity"] else ""
    starts = when(session["starts_at"], "%a %d %b %Y %H:%M", "EEE dd MMM y HH:mm")
    attended = _(
        "{attended} of {invited} attended (capacity {capacity})",
        attended=format_number(session["attended"]),
        invited=format_number(session["invited"]),
        capacity=format_number(session["capacity"]),
    )
    return f"{plain(session['course_title'])} — {starts} · {plain(session['place'])} · {attended}{full}"


def render_sessions(cycle: cycles.Cycle) -> None:
    sessions = views.cycle_sessions(db, user, cycle.id)
    if sessions:
        table = pd.DataFrame(
            [
                {
                    _("Course"): s["course_title"],
                    _("Starts"): s["starts_at"],
                    _("Minutes"): s["minutes"],
                    _("Place"): s["place"],
                    _("Trainer"): s["trainer_name"],
                    _("Capacity"): s["capacity"],
                    _("Invited"): s["invited"],
                    _("Attended"): s["attended"],
                    _("Not recorded"): s["not_recorded"],
                }
                for s in sessions
            ]
        )
        show_table(table)
        download_buttons(table, _("preparation-sessions-{number}", number=cycle.id), key="prep_sessions")
        for session in sessions:
            with st.expander(session_title(session)):
                render_attendance(session)
    else:
        st.caption(_("No preparation session is scheduled for this cycle."))
    render_schedule_form(cycle)


def render_schedule_form(cycle: cycles.Cycle) -> None:
    if cycle.phase not in preparation.SCHEDULING_PHASES:
        return
    courses = {row["id"]: row["title"] for row in preparation.preparation_courses(db)}
    trainers = search_matches(
        _("Find the trainer (name, email or employee number)"),
        "prep_trainer_search",
        lambda text: find_active_people(db, user, text, keep=[st.session_state.get("prep_trainer")]),
    )
    people = {row["id"]: row["full_name"] for row in trainers}
    first_day = max(date.today() + timedelta(days=1), cycle.submission_closes)
    with st.form(f"schedule_{cycle.id}"):
        st.markdown("**" + _("Schedule a session") + "**")
        cols = st.columns(3)
        course_id = cols[0].selectbox(_("Course"), list(courses), format_func=courses.get, key="prep_course")
        day = cols[1].date_input(
            _("Day"), value=min(first_day, cycle.speakup_day), key="prep_day", format=date_input_format()
        )
        starts = cols[2].time_input(_("Starts at"), value=time(17, 30), key="prep_time")
        cols = st.columns(3)
        low, high = bounds(preparation.SessionInput, "minutes")
        minutes = cols[0].number_input(
            _("Minutes"), low, high, default(preparation.SessionInput, "minutes"), 15, key="prep_minutes"
        )
        low, high = bounds(preparation.SessionInput, "capacity")
        capacity = cols[1].number_input(
            _("Capacity"), low, high, default(preparation.SessionInput, "capacity"), key="prep_capacity"
        )
        trainer_id = cols[2].selectbox(
            _("Trainer"),
            list(people),
            format_func=people.get,
            index=None,
            key="prep_trainer",
            placeholder=_("Choose an option"),
        )
        place = st.text_input(_("Place"), max_chars=max_chars(preparation.SessionInput, "place"), key="prep_place")
        submitted = st.form_submit_button(_("Schedule and invite"), type="primary")
    if submitted:
        data = {
            "course_id": course_id,
            "starts_at": datetime.combine(day, starts),
            "minutes": minutes,
            "capacity": capacity,
            "trainer_id": trainer_id,
            "place": place,
        }
        run_write(
            lambda: preparation.schedule_session(db, user, cycle.id, data),
            success=_("Session scheduled; the shortlisted ideas' authors are invited."),
            rerun=True,
        )


def render_preparedness(cycle: cycles.Cycle) -> None:
    st.caption(_(preparation.PREPARED_RULE))
    people = views.preparedness(db, user, cycle.id)
    if not people:
        st.caption(_("No idea of this cycle is on the shortlist."))
        return
    table = pd.DataFrame(
        [
            {
                _("Idea"): f"#{p['idea_id']} {p['idea_title']}",
                _("Person"): p["full_name"],
                _("Part"): part_label(p["part"]),
                _("Prepared"): yes_no(p["prepared"]),
                _("Attended"): ", ".join(p["attended"]),
                _("Still to attend"): ", ".join(p["missing"]),
            }
            for p in people
        ]
    )
    show_table(table)
    download_buttons(table, _("preparedness-{number}", number=cycle.id), key="prep_prepared")


def render_running_order(cycle: cycles.Cycle) -> None:
    shortlist = day_plan.shortlisted_ideas(db, cycle.id)
    saved = {row["idea_id"]: row for row in day_plan.running_order(db, cycle.id)}
    prepared = views.prepared_people(db, user, cycle.id)
    if not shortlist:
        st.caption(_("No idea of this cycle is on the shortlist."))
        return
    if user.can(Permission.SPEAKUP_MANAGE) and cycle.phase in day_plan.PLANNING_PHASES:
        render_order_editor(cycle, shortlist, saved, prepared)
    if saved:
        order = pd.DataFrame(
            [
                {
                    _("Position"): r["position"],
                    _("Idea"): r["idea_title"],
                    _("Presenter"): r["presenter_name"],
                    _("Presenter prepared"): yes_no(r["presenter_id"] in prepared),
                }
                for r in saved.values()
            ]
        )
        st.caption(_("Saved running order"))
        show_table(order)
        download_buttons(order, _("running-order-{number}", number=cycle.id), key="prep_order")
    else:
        st.caption(_("No running order saved yet."))


def render_order_editor(cycle: cycles.Cycle, shortlist: dict, saved: dict, prepared: set[int]) -> None:
    st.caption(_("Every shortlisted idea is presented once, at positions 1 to n, by one of its authors."))
    prepared_mark = _(" (prepared)")
    entries = []
    for number, (idea_id, idea) in enumerate(shortlist.items(), start=1):
        row = saved.get(idea_id)
        authors = idea["authors"]
        cols = st.columns([1, 4, 3])
        position = cols[0].number_input(
            _("Position"), 1, len(shortlist), row["position"] if row else number, key=f"order_{cycle.id}_{idea_id}"
        )
        cols[1].markdown(f"#{idea_id} {plain(idea['title'])}")
        presenters = {i: name + (prepared_mark if i in prepared else "") for i, name in authors.items()}
        presenter = cols[2].selectbox(
            _("Presenter"),
            list(presenters),
            index=list(presenters).index(row["presenter_id"]) if row and row["presenter_id"] in presenters else 0,
            format_func=presenters.get,
            key=f"presenter_{cycle.id}_{idea_id}",
        )
        entries.append({"position": position, "idea_id": idea_id, "presenter_id": presenter})
    if st.button(_("Save running order"), key=f"save_order_{cycle.id}"):
        run_write(
            lambda: day_plan.set_running_order(db, user, cycle.id, entries),
            success=_("Running order saved."),
            rerun=True,
        )


def render_judges(cycle: cycles.Cycle) -> None:
    present = day_plan.judges_present(db, cycle.id)
    choices = {row["id"]: row["full_name"] for row in day_plan.judge_choices(db)}
    if user.can(Permission.SPEAKUP_MANAGE) and cycle.phase in day_plan.PLANNING_PHASES:
        chosen = st.multiselect(
            _("Judges present on the day"),
            list(choices),
            default=[j["judge_id"] for j in present if j["judge_id"] in choices],
            format_func=choices.get,
            key=f"judges_{cycle.id}",
            placeholder=_("Choose options"),
        )
        if st.button(_("Save judges present"), key=f"save_judges_{cycle.id}"):
            run_write(
                lambda: day_plan.set_judges_present(db, user, cycle.id, chosen),
                success=_("Judges saved."),
                rerun=True,
            )
    if not present:
        st.caption(_("No judges recorded as present yet."))
        return
    for judge in present:
        if judge["conflicts"]:
            ideas_named = "; ".join(f"#{c['idea_id']} {c['idea_title']} ({c['reason']})" for c in judge["conflicts"])
            warning = _("{judge} may not score {ideas}", judge=judge["full_name"], ideas=ideas_named)
            st.warning(plain(warning), icon=":material/flag:")
        else:
            st.markdown(f"- {plain(judge['full_name'])}")
    for idea_id, free in day_plan.judges_free_per_idea(db, cycle.id).items():
        if free < cycle.min_judges:
            st.error(
                _(
                    "Only {count} judges present may score #{number}; the cycle needs {minimum}.",
                    count=free,
                    number=idea_id,
                    minimum=cycle.min_judges,
                )
            )


def render_trainer_sessions() -> None:
    runs = views.trainer_sessions(db, user)
    if not runs:
        return
    st.subheader(_("Sessions I run"))
    for session in runs:
        session["over_capacity"] = session["invited"] > session["capacity"]
        with st.expander(f"{plain(session['cycle_name'])}: {session_title(session)}"):
            render_attendance(session)


st.title(_("Speak-Up Day preparation"))
if preparation.may_manage(user):
    all_cycles = cycles.list_cycles(db)
    if not all_cycles:
        st.info(_("No Speak-Up cycle yet."))
    else:
        by_id = {c.id: c for c in all_cycles}
        cycle_labels = {c.id: f"{c.name} — {c.phase_label}" for c in all_cycles}
        current = cycles.current_cycle(db)
        chosen = st.selectbox(
            _("Cycle"),
            list(by_id),
            index=list(by_id).index(current.id) if current else 0,
            format_func=cycle_labels.get,
            key="prep_cycle",
        )
        cycle = by_id[chosen]
        speakup_day = (
            f"{cycle.speakup_day:%A %d %B %Y}"
            if current_language() == "en"
            else format_date(cycle.speakup_day, "EEEE d MMMM y")
        )
        st.caption(_("Speak-Up Day {day} · {phase}", day=speakup_day, phase=cycle.phase_label))
        tabs = st.tabs([_("Sessions"), _("Who is prepared"), _("Running order"), _("Judges present")])
        with tabs[0]:
            render_sessions(cycle)
        with tabs[1]:
            render_preparedness(cycle)
        with tabs[2]:
            render_running_order(cycle)
        with tabs[3]:
            render_judges(cycle)
else:
    render_trainer_sessions()
render_my_invitations()
