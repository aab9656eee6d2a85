"""Assessments: my own (acknowledge or appeal), my team's (team leads assess their people),
everyone's for HR and leadership, and the appeals waiting for a reviewer."""

from datetime import date

import pandas as pd
import streamlit as st

from models.access import Permission
from models.coaching import KIND_LABELS
from models.competencies import appeals, assessments, framework, matrix, scope
from models.competencies.assessments import AssessmentInput
from models.competencies.levels import level_name
from models.i18n import N_, _, format_date, format_number, ngettext
from models.paging import PAGE_SIZE
from ui.context import page_context
from ui.dates import date_input_format
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
                "level": level_name(a.level),
                "current level": level_name(a.current_level) if a.current_level else "",
                "method": a.method_label,
                "status": a.status_label,
                "assessor": a.assessor_name,
            }
            for a in items
        ],
        columns=["id", "date", "person", "competency", "level", "current level", "method", "status", "assessor"],
    )


def table_labels() -> dict[str, str]:
    return {
        "id": "#",
        "date": _("Date"),
        "person": _("Person"),
        "competency": _("Competency"),
        "level": _("Level"),
        "current level": _("Current level"),
        "method": _("Method"),
        "status": _("Status"),
        "assessor": _("Assessor"),
    }


def render_detail(item: assessments.Assessment) -> None:
    st.markdown(
        f"**{escape_markdown(item.competency_name)}** · {level_name(item.level)}"
        f" · {format_date(item.assessed_on, 'dd MMM y')} · "
        + _("by {name}", name=escape_markdown(item.assessor_name))
        + f" · {item.status_label}"
    )
    st.caption(_("Evidence"))
    st.text(item.evidence)
    if item.descriptor:
        st.caption(
            _(
                "Assessed against the descriptor of {level} (version {version})",
                level=level_name(item.level).lower(),
                version=item.descriptor_version,
            )
        )
        st.text(item.descriptor)
    else:
        st.caption(_("A checklist assessment, made before the competency framework was introduced."))
    if item.appeal_reason:
        st.caption(_("Appeal"))
        st.text(item.appeal_reason)
    if item.appeal_note:
        outcome = _(assessments.APPEAL_OUTCOME_LABELS.get(item.appeal_outcome or "", "Appeal resolved"))
        st.caption(outcome + " " + _("by {name}", name=escape_markdown(item.appeal_resolved_by)))
        st.text(item.appeal_note)
    if not scope.may_read_person(db, user, item.employee_id):
        return  # an appeal reviewed from another team: the assessment, not the person's other records
    evidence = matrix.kudos_evidence(db, user, item.employee_id, item.competency_id)
    if evidence:
        st.caption(_("Kudos as evidence"))
        show_table(
            pd.DataFrame([e.model_dump() for e in evidence]),
            labels={"on": _("On"), "source": _("Source"), "text": _("Text"), "by": _("By")},
            values={"source": {"Kudos": _("Kudos")}},
            key=f"evidence_{item.id}",
            download=_("kudos-as-evidence"),
        )


def render_mine() -> None:
    mine = assessments.assessments_of(db, user, user.employee_id)
    if not mine:
        st.info(_("You have no assessments yet."))
        return
    show_table(as_table(mine).drop(columns=["person"]), labels=table_labels())
    download_buttons(as_table(mine).drop(columns=["person"]), _("my-assessments"), "my_assessments_download")
    by_id = {a.id: a for a in mine}
    chosen = st.selectbox(
        _("Open an assessment"),
        list(by_id),
        format_func=lambda i: f"{by_id[i].assessed_on} · {by_id[i].competency_name} · {by_id[i].status_label}",
        key="my_assessment",
    )
    item = by_id[chosen]
    render_detail(item)
    if item.status != "open":
        return
    if st.button(_("Acknowledge"), key=f"ack_{item.id}", type="primary"):
        run_write(lambda: appeals.acknowledge(db, user, item.id, item.version), success=_("Acknowledged."), rerun=True)
    with st.form(f"appeal_{item.id}"):
        reason = st.text_area(_("Reason for appealing"), max_chars=appeals.REASON_MAX, key=f"appeal_reason_{item.id}")
        if st.form_submit_button(_("Appeal")):
            run_write(
                lambda: appeals.appeal(db, user, item.id, reason, item.version), success=_("Appeal sent."), rerun=True
            )


def session_label(session: dict) -> str:
    kind = KIND_LABELS.get(session["kind"])
    return f"{format_date(session['coached_on'], 'dd MMM y')} · {_(kind) if kind else session['kind']}"


def render_assess() -> None:
    people = assessments.assessable_people(db, user)
    if not people:
        st.info(_("Your team has nobody to assess."))
        return
    names = {p["id"]: p["full_name"] for p in people}
    competencies = {c.id: framework.shown_name(c) for c in framework.competencies(db)}
    person = st.selectbox(_("Person"), list(names), format_func=names.get, key="assess_person")
    sessions = {s["id"]: s for s in assessments.sessions_for(db, user, person)}
    with st.form("assess_form"):
        competency = st.selectbox(
            _("Competency"), list(competencies), format_func=competencies.get, key="assess_competency"
        )
        assessed_on = st.date_input(
            _("Date"), value=date.today(), max_value=date.today(), key="assess_date", format=date_input_format()
        )
        level = st.radio(_("Level"), [1, 2, 3, 4], index=1, format_func=level_name, horizontal=True, key="assess_level")
        evidence = st.text_area(_("Evidence"), max_chars=max_chars(AssessmentInput, "evidence"), key="assess_evidence")
        session = st.selectbox(
            _("Coaching session (optional)"),
            [None, *sessions],
            format_func=lambda s: _("No session") if s is None else session_label(sessions[s]),
            key="assess_session",
            placeholder=_("No session"),
        )
        if st.form_submit_button(_("Record assessment"), type="primary"):
            data = {
                "employee_id": person,
                "competency_id": competency,
                "assessed_on": assessed_on,
                "level": level,
                "evidence": evidence,
                "coaching_session_id": session,
            }
            run_write(
                lambda: assessments.record_assessment(db, user, data), success=_("Assessment recorded."), rerun=True
            )
    code = next((c.code for c in framework.competencies(db) if c.id == competency), "")
    descriptors = {d.level: framework.shown_descriptor(code, d) for d in framework.current_descriptors(db, competency)}
    with st.expander(_("What each level looks like")):
        for number, text in descriptors.items():
            st.markdown(f"**{level_name(number)}**")
            st.text(text)


def render_list(team_id: int | None) -> None:
    total = assessments.count_visible_assessments(db, user, team_id=team_id)
    if not total:
        st.info(_("No assessments yet."))
        return
    first = pager(
        total,
        f"assessments_page_{team_id}",
        lambda n: ngettext("{n} assessment", "{n} assessments", n, n=format_number(n)),
    )
    items = assessments.visible_assessments(db, user, team_id=team_id, offset=first, limit=PAGE_SIZE)
    show_table(as_table(items), labels=table_labels())
    every_assessment = lambda: as_table(assessments.visible_assessments(db, user, team_id=team_id, limit=None))  # noqa: E731
    download_buttons(every_assessment, _("assessments"), f"dl_assessments_{team_id}", rows=total)
    by_id = {a.id: a for a in items}
    chosen = st.selectbox(
        _("Open an assessment"),
        list(by_id),
        format_func=lambda i: f"#{i} {by_id[i].employee_name} · {by_id[i].competency_name}",
        key=f"list_assessment_{team_id}",
    )
    render_detail(by_id[chosen])


def render_queue() -> None:
    queue = appeals.appeals_queue(db, user)
    if not queue:
        st.info(_("No appeals are waiting for you."))
        return
    by_id = {a.id: a for a in queue}
    chosen = st.selectbox(
        _("Appeal"),
        list(by_id),
        format_func=lambda i: f"#{i} {by_id[i].employee_name} · {by_id[i].competency_name}",
        key="appeal_open",
    )
    item = by_id[chosen]
    render_detail(item)
    with st.form(f"resolve_{item.id}"):
        outcome = st.radio(
            _("Outcome"),
            ["upheld", "rejected"],
            format_func=lambda o: _("Upheld") if o == "upheld" else _("Rejected"),
            horizontal=True,
            key=f"resolve_outcome_{item.id}",
        )
        new_level = st.selectbox(_("New level (when upheld)"), [1, 2, 3, 4], index=min(item.level, 3),
                                 format_func=level_name, key=f"resolve_level_{item.id}")  # fmt: skip
        note = st.text_area(
            _("Resolution note or reason for rejecting"), max_chars=appeals.REASON_MAX, key=f"resolve_note_{item.id}"
        )
        if st.form_submit_button(_("Resolve appeal")):
            run_write(
                lambda: appeals.resolve_appeal(
                    db, user, item.id, outcome, note, item.version, new_level=new_level if outcome == "upheld" else None
                ),
                success=_("Appeal resolved."),
                rerun=True,
            )


st.title(_("Assessments"))
tabs = ["My assessments"]
if lead:
    tabs += ["Assess my team", "My team's assessments"]
if sees_all:
    tabs += ["All assessments"]
if reviewer:
    tabs += ["Appeals"]
TAB_TITLES = {
    "My assessments": N_("My assessments"),
    "Assess my team": N_("Assess my team"),
    "My team's assessments": N_("My team's assessments"),
    "All assessments": N_("All assessments"),
    "Appeals": N_("Appeals"),
}
drawn = dict(zip(tabs, st.tabs([_(TAB_TITLES[tab]) for tab in tabs]), strict=True))
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
