"""Assessments: my own (acknowledge or appeal), my team's (team leads assess their people),
everyone's for HR and leadership, and the appeals waiting for a reviewer."""

from datetime import date

import pandas as pd
import streamlit as st

from models.access import Permission
from models.coaching import KIND_LABELS
from models.competencies import appeals, assessments, framework, matrix, scope
from models.competencies.assessments import AssessmentInput
from models.competencies.levels import LEVEL_NAMES
from models.paging import PAGE_SIZE
from ui.context import page_context
from ui.fields import max_chars
from ui.text import escape_markdown
from ui.widgets import download_buttons, pager, show_table
from ui.writes import run_write

user, db, settings = page_context()
lead = user.can(Permission.TEAM_ASSESSMENTS)
reviewer = lead or user.can(Permission.COMPETENCIES_MANAGE)
sees_all = user.can(Permission.COMPETENCIES_MANAGE) or user.can(Permission.DASHBOARDS_ALL)


def as_table(items: list[assessments.Assessment]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": a.id,
                "date": a.assessed_on,
                "person": a.employee_name,
                "competency": a.competency_name,
                "level": LEVEL_NAMES[a.level],
                "current level": LEVEL_NAMES.get(a.current_level, ""),
                "method": a.method_label,
                "status": a.status_label,
                "assessor": a.assessor_name,
            }
            for a in items
        ],
        columns=["id", "date", "person", "competency", "level", "current level", "method", "status", "assessor"],
    )


def render_detail(item: assessments.Assessment) -> None:
    st.markdown(
        f"**{escape_markdown(item.competency_name)}** · {LEVEL_NAMES[item.level]} · {item.assessed_on:%d %b %Y}"
        f" · by {escape_markdown(item.assessor_name)} · {item.status_label}"
    )
    st.caption("Evidence")
    st.text(item.evidence)
    if item.descriptor:
        st.caption(
            f"Assessed against the descriptor of {LEVEL_NAMES[item.level].lower()} (version {item.descriptor_version})"
        )
        st.text(item.descriptor)
    else:
        st.caption("A checklist assessment, made before the competency framework was introduced.")
    if item.appeal_reason:
        st.caption("Appeal")
        st.text(item.appeal_reason)
    if item.appeal_note:
        outcome = assessments.APPEAL_OUTCOME_LABELS.get(item.appeal_outcome or "", "Appeal resolved")
        st.caption(f"{outcome} by {escape_markdown(item.appeal_resolved_by)}")
        st.text(item.appeal_note)
    if not scope.may_read_person(db, user, item.employee_id):
        return  # an appeal reviewed from another team: the assessment, not the person's other records
    evidence = matrix.kudos_evidence(db, user, item.employee_id, item.competency_id)
    if evidence:
        st.caption("Kudos as evidence")
        show_table(pd.DataFrame([e.model_dump() for e in evidence]))


def render_mine() -> None:
    mine = assessments.assessments_of(db, user, user.employee_id)
    if not mine:
        st.info("You have no assessments yet.")
        return
    show_table(as_table(mine).drop(columns=["person"]))
    by_id = {a.id: a for a in mine}
    chosen = st.selectbox(
        "Open an assessment",
        list(by_id),
        format_func=lambda i: f"{by_id[i].assessed_on} · {by_id[i].competency_name} · {by_id[i].status_label}",
        key="my_assessment",
    )
    item = by_id[chosen]
    render_detail(item)
    if item.status != "open":
        return
    if st.button("Acknowledge", key=f"ack_{item.id}", type="primary"):
        run_write(lambda: appeals.acknowledge(db, user, item.id, item.version), success="Acknowledged.", rerun=True)
    with st.form(f"appeal_{item.id}"):
        reason = st.text_area("Reason for appealing", max_chars=appeals.REASON_MAX)
        if st.form_submit_button("Appeal"):
            run_write(
                lambda: appeals.appeal(db, user, item.id, reason, item.version), success="Appeal sent.", rerun=True
            )


def session_label(session: dict) -> str:
    return f"{session['coached_on']:%d %b %Y} · {KIND_LABELS.get(session['kind'], session['kind'])}"


def render_assess() -> None:
    people = assessments.assessable_people(db, user)
    if not people:
        st.info("Your team has nobody to assess.")
        return
    names = {p["id"]: p["full_name"] for p in people}
    competencies = {c.id: c.name for c in framework.competencies(db)}
    person = st.selectbox("Person", list(names), format_func=names.get, key="assess_person")
    sessions = {s["id"]: s for s in assessments.sessions_for(db, user, person)}
    with st.form("assess_form"):
        competency = st.selectbox("Competency", list(competencies), format_func=competencies.get)
        assessed_on = st.date_input("Date", value=date.today(), max_value=date.today())
        level = st.radio("Level", [1, 2, 3, 4], index=1, format_func=LEVEL_NAMES.get, horizontal=True)
        evidence = st.text_area("Evidence", max_chars=max_chars(AssessmentInput, "evidence"))
        session = st.selectbox(
            "Coaching session (optional)",
            [None, *sessions],
            format_func=lambda s: "No session" if s is None else session_label(sessions[s]),
        )
        if st.form_submit_button("Record assessment", type="primary"):
            data = {
                "employee_id": person,
                "competency_id": competency,
                "assessed_on": assessed_on,
                "level": level,
                "evidence": evidence,
                "coaching_session_id": session,
            }
            run_write(lambda: assessments.record_assessment(db, user, data), success="Assessment recorded.", rerun=True)
    descriptors = {d.level: d.descriptor for d in framework.current_descriptors(db, competency)}
    with st.expander("What each level looks like"):
        for number, text in descriptors.items():
            st.markdown(f"**{LEVEL_NAMES[number]}**")
            st.text(text)


def render_list(team_id: int | None) -> None:
    total = assessments.count_visible_assessments(db, user, team_id=team_id)
    if not total:
        st.info("No assessments yet.")
        return
    first = pager(total, f"assessments_page_{team_id}", ("assessment", "assessments"))
    items = assessments.visible_assessments(db, user, team_id=team_id, offset=first, limit=PAGE_SIZE)
    show_table(as_table(items))
    every_assessment = lambda: as_table(assessments.visible_assessments(db, user, team_id=team_id, limit=None))  # noqa: E731
    download_buttons(every_assessment, "assessments", f"dl_assessments_{team_id}", rows=total)
    by_id = {a.id: a for a in items}
    chosen = st.selectbox(
        "Open an assessment",
        list(by_id),
        format_func=lambda i: f"#{i} {by_id[i].employee_name} · {by_id[i].competency_name}",
        key=f"list_assessment_{team_id}",
    )
    render_detail(by_id[chosen])


def render_queue() -> None:
    queue = appeals.appeals_queue(db, user)
    if not queue:
        st.info("No appeals are waiting for you.")
        return
    by_id = {a.id: a for a in queue}
    chosen = st.selectbox(
        "Appeal",
        list(by_id),
        format_func=lambda i: f"#{i} {by_id[i].employee_name} · {by_id[i].competency_name}",
        key="appeal_open",
    )
    item = by_id[chosen]
    render_detail(item)
    with st.form(f"resolve_{item.id}"):
        outcome = st.radio("Outcome", ["upheld", "rejected"], format_func=str.capitalize, horizontal=True)
        new_level = st.selectbox("New level (when upheld)", [1, 2, 3, 4], index=min(item.level, 3),
                                 format_func=LEVEL_NAMES.get)  # fmt: skip
        note = st.text_area("Resolution note or reason for rejecting", max_chars=appeals.REASON_MAX)
        if st.form_submit_button("Resolve appeal"):
            run_write(
                lambda: appeals.resolve_appeal(
                    db, user, item.id, outcome, note, item.version, new_level=new_level if outcome == "upheld" else None
                ),
                success="Appeal resolved.",
                rerun=True,
            )


st.title("Assessments")
tabs = ["My assessments"]
if lead:
    tabs += ["Assess my team", "My team's assessments"]
if sees_all:
    tabs += ["All assessments"]
if reviewer:
    tabs += ["Appeals"]
drawn = dict(zip(tabs, st.tabs(tabs), strict=True))
with drawn["My assessments"]:
    render_mine()
if lead:
    with drawn["Assess my team"]:
        render_assess()
    with drawn["My team's assessments"]:
        render_list(user.team_id)
if sees_all:
    with drawn["All assessments"]:
        render_list(None)
if reviewer:
    with drawn["Appeals"]:
        render_queue()
