"""Speak-Up Day preparation: the coaching sessions between the shortlist and the day, who was
invited and attended, who is prepared for each shortlisted idea, the presenters' running order
and the judges present. Everyone sees the sessions they are invited to; trainers record
attendance at theirs; HR and leadership run it all."""

from datetime import date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from models.access import Permission
from models.people.directory import find_active_people
from models.speakup import cycles, day_plan, preparation
from models.speakup import preparation_views as views
from ui.context import page_context
from ui.fields import bounds, default, max_chars
from ui.ideas import plain
from ui.widgets import download_buttons, search_matches, show_table
from ui.writes import run_write

user, db, settings = page_context()
ATTENDANCE = {"Attended": True, "Did not attend": False, "Not recorded": None}


def attendance_label(attended: bool | None) -> str:
    return next(label for label, value in ATTENDANCE.items() if value is attended)


def render_my_invitations() -> None:
    st.subheader("My preparation sessions")
    mine = views.my_invitations(db, user)
    if not mine:
        st.caption(
            "When an idea of yours is shortlisted you are invited to the preparation sessions before Speak-Up Day: "
            "building the business case, presenting to leadership and planning the project."
        )
        return
    table = pd.DataFrame(
        [
            {
                "Cycle": row["cycle_name"],
                "Session": row["course_title"],
                "Starts": row["starts_at"],
                "Minutes": row["minutes"],
                "Place": row["place"],
                "Trainer": row["trainer_name"],
                "For the idea": row["idea_title"],
                "Attendance": attendance_label(row["attended"]),
            }
            for row in mine
        ]
    )
    show_table(table)


def render_attendance(session: dict) -> None:
    """A session's invitations; its trainer, HR and leadership record who attended."""
    invitations = views.session_invitations(db, user, session["id"])
    current = [row for row in invitations if row["withdrawn_at"] is None]
    withdrawn = [row for row in invitations if row["withdrawn_at"] is not None]
    if not current:
        st.caption("Nobody is invited: no idea is on the shortlist.")
    else:
        frame = pd.DataFrame(
            [
                {
                    "Invitation": row["id"],
                    "Person": row["full_name"],
                    "Team": row["team_name"] or "",
                    "For the idea": row["idea_title"],
                    "Attendance": attendance_label(row["attended"]),
                    "Recorded by": row["recorded_by"] or "",
                }
                for row in current
            ]
        )
        edited = st.data_editor(
            frame,
            key=f"attendance_{session['id']}",
            hide_index=True,
            width="stretch",
            disabled=["Invitation", "Person", "Team", "For the idea", "Recorded by"],
            column_config={"Attendance": st.column_config.SelectboxColumn(options=list(ATTENDANCE), required=True)},
        )
        if st.button("Save attendance", key=f"save_attendance_{session['id']}"):
            before = dict(zip(frame["Invitation"], frame["Attendance"], strict=True))
            changes = {
                int(row["Invitation"]): ATTENDANCE[row["Attendance"]]
                for row in edited.to_dict("records")
                if row["Attendance"] != before[row["Invitation"]]
            }
            run_write(
                lambda: preparation.record_session_attendance(db, user, changes),
                success="Attendance saved; attending completes the course in each transcript.",
                rerun=True,
            )
    if withdrawn:
        st.caption("Withdrawn invitations (their idea left the shortlist)")
        show_table(
            pd.DataFrame(
                [
                    {"Person": r["full_name"], "Withdrawn": r["withdrawn_at"], "Why": r["withdrawn_reason"]}
                    for r in withdrawn
                ]
            )
        )


def session_title(session: dict) -> str:
    full = " · over capacity" if session["over_capacity"] else ""
    return (
        f"{plain(session['course_title'])} — {session['starts_at']:%a %d %b %Y %H:%M} · {plain(session['place'])}"
        f" · {session['attended']} of {session['invited']} attended (capacity {session['capacity']}){full}"
    )


def render_sessions(cycle: cycles.Cycle) -> None:
    sessions = views.cycle_sessions(db, user, cycle.id)
    if sessions:
        table = pd.DataFrame(
            [
                {
                    "Course": s["course_title"],
                    "Starts": s["starts_at"],
                    "Minutes": s["minutes"],
                    "Place": s["place"],
                    "Trainer": s["trainer_name"],
                    "Capacity": s["capacity"],
                    "Invited": s["invited"],
                    "Attended": s["attended"],
                    "Not recorded": s["not_recorded"],
                }
                for s in sessions
            ]
        )
        show_table(table)
        download_buttons(table, f"preparation-sessions-{cycle.id}", key="prep_sessions")
        for session in sessions:
            with st.expander(session_title(session)):
                render_attendance(session)
    else:
        st.caption("No preparation session is scheduled for this cycle.")
    render_schedule_form(cycle)


def render_schedule_form(cycle: cycles.Cycle) -> None:
    if cycle.phase not in preparation.SCHEDULING_PHASES:
        return
    courses = {row["id"]: row["title"] for row in preparation.preparation_courses(db)}
    trainers = search_matches(
        "Find the trainer (name, email or employee number)",
        "prep_trainer_search",
        lambda text: find_active_people(db, user, text, keep=[st.session_state.get("prep_trainer")]),
    )
    people = {row["id"]: row["full_name"] for row in trainers}
    first_day = max(date.today() + timedelta(days=1), cycle.submission_closes)
    with st.form(f"schedule_{cycle.id}"):
        st.markdown("**Schedule a session**")
        cols = st.columns(3)
        course_id = cols[0].selectbox("Course", list(courses), format_func=courses.get, key="prep_course")
        day = cols[1].date_input("Day", value=min(first_day, cycle.speakup_day), key="prep_day")
        starts = cols[2].time_input("Starts at", value=time(17, 30), key="prep_time")
        cols = st.columns(3)
        low, high = bounds(preparation.SessionInput, "minutes")
        minutes = cols[0].number_input("Minutes", low, high, default(preparation.SessionInput, "minutes"), 15)
        low, high = bounds(preparation.SessionInput, "capacity")
        capacity = cols[1].number_input("Capacity", low, high, default(preparation.SessionInput, "capacity"))
        trainer_id = cols[2].selectbox("Trainer", list(people), format_func=people.get, index=None, key="prep_trainer")
        place = st.text_input("Place", max_chars=max_chars(preparation.SessionInput, "place"), key="prep_place")
        submitted = st.form_submit_button("Schedule and invite", type="primary")
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
            success="Session scheduled; the shortlisted ideas' authors are invited.",
            rerun=True,
        )


def render_preparedness(cycle: cycles.Cycle) -> None:
    st.caption(preparation.PREPARED_RULE)
    people = views.preparedness(db, user, cycle.id)
    if not people:
        st.caption("No idea of this cycle is on the shortlist.")
        return
    table = pd.DataFrame(
        [
            {
                "Idea": f"#{p['idea_id']} {p['idea_title']}",
                "Person": p["full_name"],
                "Part": p["part"],
                "Prepared": "Yes" if p["prepared"] else "No",
                "Attended": ", ".join(p["attended"]),
                "Still to attend": ", ".join(p["missing"]),
            }
            for p in people
        ]
    )
    show_table(table)
    download_buttons(table, f"preparedness-{cycle.id}", key="prep_prepared")


def render_running_order(cycle: cycles.Cycle) -> None:
    shortlist = day_plan.shortlisted_ideas(db, cycle.id)
    saved = {row["idea_id"]: row for row in day_plan.running_order(db, cycle.id)}
    prepared = views.prepared_people(db, user, cycle.id)
    if not shortlist:
        st.caption("No idea of this cycle is on the shortlist.")
        return
    if user.can(Permission.SPEAKUP_MANAGE) and cycle.phase in day_plan.PLANNING_PHASES:
        render_order_editor(cycle, shortlist, saved, prepared)
    if saved:
        order = pd.DataFrame(
            [
                {
                    "Position": r["position"],
                    "Idea": r["idea_title"],
                    "Presenter": r["presenter_name"],
                    "Presenter prepared": "Yes" if r["presenter_id"] in prepared else "No",
                }
                for r in saved.values()
            ]
        )
        st.caption("Saved running order")
        show_table(order)
        download_buttons(order, f"running-order-{cycle.id}", key="prep_order")
    else:
        st.caption("No running order saved yet.")


def render_order_editor(cycle: cycles.Cycle, shortlist: dict, saved: dict, prepared: set[int]) -> None:
    st.caption("Every shortlisted idea is presented once, at positions 1 to n, by one of its authors.")
    entries = []
    for number, (idea_id, idea) in enumerate(shortlist.items(), start=1):
        row = saved.get(idea_id)
        authors = idea["authors"]
        cols = st.columns([1, 4, 3])
        position = cols[0].number_input(
            "Position", 1, len(shortlist), row["position"] if row else number, key=f"order_{cycle.id}_{idea_id}"
        )
        cols[1].markdown(f"#{idea_id} {plain(idea['title'])}")
        presenters = list(authors)
        presenter = cols[2].selectbox(
            "Presenter",
            presenters,
            index=presenters.index(row["presenter_id"]) if row and row["presenter_id"] in presenters else 0,
            format_func=lambda i, a=authors: a[i] + (" (prepared)" if i in prepared else ""),
            key=f"presenter_{cycle.id}_{idea_id}",
        )
        entries.append({"position": position, "idea_id": idea_id, "presenter_id": presenter})
    if st.button("Save running order", key=f"save_order_{cycle.id}"):
        run_write(
            lambda: day_plan.set_running_order(db, user, cycle.id, entries), success="Running order saved.", rerun=True
        )


def render_judges(cycle: cycles.Cycle) -> None:
    present = day_plan.judges_present(db, cycle.id)
    choices = {row["id"]: row["full_name"] for row in day_plan.judge_choices(db)}
    if user.can(Permission.SPEAKUP_MANAGE) and cycle.phase in day_plan.PLANNING_PHASES:
        chosen = st.multiselect(
            "Judges present on the day",
            list(choices),
            default=[j["judge_id"] for j in present if j["judge_id"] in choices],
            format_func=choices.get,
            key=f"judges_{cycle.id}",
        )
        if st.button("Save judges present", key=f"save_judges_{cycle.id}"):
            run_write(
                lambda: day_plan.set_judges_present(db, user, cycle.id, chosen), success="Judges saved.", rerun=True
            )
    if not present:
        st.caption("No judges recorded as present yet.")
        return
    for judge in present:
        if judge["conflicts"]:
            ideas_named = "; ".join(f"#{c['idea_id']} {c['idea_title']} ({c['reason']})" for c in judge["conflicts"])
            st.warning(plain(f"{judge['full_name']} may not score {ideas_named}"), icon=":material/flag:")
        else:
            st.markdown(f"- {plain(judge['full_name'])}")
    for idea_id, free in day_plan.judges_free_per_idea(db, cycle.id).items():
        if free < cycle.min_judges:
            st.error(f"Only {free} judges present may score #{idea_id}; the cycle needs {cycle.min_judges}.")


def render_trainer_sessions() -> None:
    runs = views.trainer_sessions(db, user)
    if not runs:
        return
    st.subheader("Sessions I run")
    for session in runs:
        session["over_capacity"] = session["invited"] > session["capacity"]
        with st.expander(f"{plain(session['cycle_name'])}: {session_title(session)}"):
            render_attendance(session)


st.title("Speak-Up Day preparation")
if preparation.may_manage(user):
    all_cycles = cycles.list_cycles(db)
    if not all_cycles:
        st.info("No Speak-Up cycle yet.")
    else:
        by_id = {c.id: c for c in all_cycles}
        current = cycles.current_cycle(db)
        chosen = st.selectbox(
            "Cycle",
            list(by_id),
            index=list(by_id).index(current.id) if current else 0,
            format_func=lambda c: f"{by_id[c].name} — {by_id[c].phase_label}",
            key="prep_cycle",
        )
        cycle = by_id[chosen]
        st.caption(f"Speak-Up Day {cycle.speakup_day:%A %d %B %Y} · {cycle.phase_label}")
        tabs = st.tabs(["Sessions", "Who is prepared", "Running order", "Judges present"])
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
