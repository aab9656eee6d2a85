"""Findings (analysts and leaders): root causes backed by complaint evidence, their counts
then and now, and the actions and ideas that take them up."""

import pandas as pd
import streamlit as st

from models.access import Permission
from models.complaints import findings
from models.complaints.findings import FindingInput
from models.i18n import N_, _, format_date, format_number, format_percent
from models.standards import compliance, proposals, rights
from ui.context import page_context
from ui.customer_words import render_customer_words
from ui.fields import max_chars
from ui.right_proposals import proposal_form, proposal_table
from ui.text import escape_markdown
from ui.widgets import download_buttons, show_table
from ui.writes import EditForm, run_write

user, db, settings = page_context()
ANALYSIS_PAGE = "pages/complaints_analysis.py"
LIST_LABELS = {
    "id": "#",
    "title": N_("Title"),
    "root_cause": N_("Root-cause category"),
    "severity": N_("Severity"),
    "status": N_("Status"),
    "complaints_then": N_("Complaints when recorded"),
    "recorded": N_("Recorded"),
    "by": N_("Recorded by"),
}
EVIDENCE_FIGURES = (
    N_("complaints"),
    N_("timely share"),
    N_("repeat rate"),
    N_("median days to resolve"),
    N_("vital few"),
)


def code_labels(labels: dict[str, str]) -> dict[str, str]:
    """A finding's codes (cause, severity, status) in the reader's language."""
    return {code: _(label) for code, label in labels.items()}


def render_list(all_findings: list[findings.Finding]) -> findings.Finding | None:
    frame = pd.DataFrame(
        [
            {
                "id": f.id,
                "title": f.title,
                "root_cause": f.root_cause,
                "severity": f.severity,
                "status": f.status,
                "complaints_then": f.snapshot.get("complaints"),
                "recorded": f.created_at.date(),
                "by": f.created_by_name,
            }
            for f in all_findings
        ]
    )
    show_table(
        frame,
        labels={name: label if name == "id" else _(label) for name, label in LIST_LABELS.items()},
        values={
            "root_cause": code_labels(findings.ROOT_CAUSE_LABELS),
            "severity": code_labels(findings.SEVERITY_LABELS),
            "status": code_labels(findings.STATUS_LABELS),
        },
    )
    download_buttons(frame, _("findings"), "dl_findings")
    titles = {f.id: f"#{f.id} {f.title}" for f in all_findings}  # titles as written
    by_id = {f.id: f for f in all_findings}
    chosen = st.selectbox(_("Open a finding"), list(titles), format_func=titles.__getitem__, key="finding_open")
    return by_id.get(chosen)


def _share(value) -> str:
    return "—" if value is None else format_percent(value, 1)


def _days(value) -> str:
    return "—" if value is None else format_number(value)


def render_counts(finding: findings.Finding) -> None:
    then = finding.snapshot
    current = findings.counts_now(db, user, finding)
    now = current["now"]
    st.subheader(_("Evidence: then and now"))
    st.text(_("Filter: {filter}", filter=finding.complaint_filter.describe()))
    left, middle, right = st.columns(3)
    change = now["complaints"] - then["complaints"]
    left.metric(
        _("Complaints"),
        format_number(now["complaints"]),
        delta=_("{change} since recorded", change=("+" if change >= 0 else "") + format_number(change)),
    )
    middle.metric(
        _("Timely"), _share(now["timely_share"]), help=_("When recorded: {value}", value=_share(then["timely_share"]))
    )
    right.metric(
        _("Repeat rate"),
        _share(now["repeat_rate"]),
        help=_("When recorded: {value}", value=_share(then["repeat_rate"])),
    )
    table = pd.DataFrame(
        {
            "figure": [_(figure) for figure in EVIDENCE_FIGURES],
            "when recorded": [
                format_number(then["complaints"]),
                _share(then["timely_share"]),
                _share(then["repeat_rate"]),
                _days(then.get("median_resolution_days")),
                ", ".join(then.get("vital_few", [])),
            ],
            "now": [
                format_number(now["complaints"]),
                _share(now["timely_share"]),
                _share(now["repeat_rate"]),
                _days(now.get("median_resolution_days")),
                ", ".join(now.get("vital_few", [])),
            ],
        }
    )
    labels = {"figure": _("Figure"), "when recorded": _("When recorded"), "now": _("Now")}
    latest = current["latest_period"]
    if latest is not None:
        table["latest period"] = [
            format_number(latest["complaints"]),
            _share(latest["timely_share"]),
            _share(latest["repeat_rate"]),
            _days(latest.get("median_resolution_days")),
            "",
        ]
        labels["latest period"] = _("Latest period ({period})", period=latest["period"])
    show_table(table, labels=labels)
    download_buttons(table, _("finding-{number}-evidence", number=finding.id), "dl_evidence")
    if st.button(_("Open this evidence in the analysis"), icon=":material/query_stats:", key="finding_evidence_open"):
        st.session_state["complaints_filter_preset"] = finding.complaint_filter
        st.switch_page(ANALYSIS_PAGE)


def render_detail(finding: findings.Finding) -> None:
    st.header(f"#{finding.id} {escape_markdown(finding.title)}")
    st.caption(
        _(
            "Root cause: {cause} · severity: {severity} · status: {status} · recorded {date}",
            cause=_(findings.ROOT_CAUSE_LABELS.get(finding.root_cause, finding.root_cause)),
            severity=_(findings.SEVERITY_LABELS.get(finding.severity, finding.severity)),
            status=_(findings.STATUS_LABELS.get(finding.status, finding.status)),
            date=format_date(finding.created_at),
        )
    )
    st.text(finding.description)
    st.markdown("**" + _("5 whys") + "**")
    st.text("\n".join(_("Why {n}?", n=n) + f" {answer}" for n, answer in enumerate(finding.five_whys, start=1)))
    render_counts(finding)
    render_audit_evidence(finding)
    render_links(finding)
    render_customer_words(db, user, finding_id=finding.id)
    if user.can(Permission.FINDINGS_MANAGE):
        render_edit(finding)


def render_audit_evidence(finding: findings.Finding) -> None:
    """A finding made from a failing service standard: the mystery audits it rests on, and
    the changes to decision rights proposed from it."""
    evidence = compliance.finding_evidence(db, user, finding.id)
    if not evidence.empty:
        st.subheader(_("Mystery audits as evidence"))
        show_table(
            evidence,
            labels={name: _(label) for name, label in EVIDENCE_LABELS.items()},
            key="finding_audit_evidence",
            download=_("finding-{number}-audit-evidence", number=finding.id),
        )
    proposed = proposals.proposals_for(db, user, finding_id=finding.id).get(finding.id)
    if proposed:
        st.subheader(_("Decision-right changes proposed"))
        proposal_table(proposed, key="finding_right_proposals")
    if user.can(Permission.FINDINGS_MANAGE):
        with st.expander(_("Propose a change to a decision right")):
            proposal_form(db, user, rights.list_rights(db, user), ("finding_id", finding.id), "finding_proposal")


def render_links(finding: findings.Finding) -> None:
    st.subheader(_("Linked actions and ideas"))
    linked = findings.linked_items(db, finding.id)
    if not linked:
        st.caption(_("The action plan and the idea board will list here what takes this finding up."))
        return
    for table, rows in linked.items():
        st.markdown("**" + _(LINKED_NAMES[table][0]) + "**")
        if rows:
            show_table(
                pd.DataFrame(rows),
                labels={name: _(label) for name, label in LINKED_LABELS.items()},
                key=f"linked_{table}",
                download=_("finding-{number}-linked-{kind}", number=finding.id, kind=_(LINKED_NAMES[table][0]).lower()),
            )
        else:
            st.caption(_(LINKED_NAMES[table][1]))


LINKED_NAMES = {
    "actions": (N_("Actions"), N_("No actions linked yet.")),
    "ideas": (N_("Ideas"), N_("No ideas linked yet.")),
}
EVIDENCE_LABELS = {
    "audited_on": N_("Audited on"),
    "channel": N_("Channel"),
    "team": N_("Team"),
    "standard": N_("Standard"),
    "score": N_("Score"),
    "complies": N_("Complies"),
}
LINKED_LABELS = {"id": "#", "title": N_("Title"), "status": N_("Status"), "due_date": N_("Due date")}


def render_edit(finding: findings.Finding) -> None:
    """The finding's fields; a save is refused when someone saved it since it was opened."""
    form = EditForm("finding", finding.id, finding.version)
    prefix = form.prefix
    with st.expander(_("Edit this finding"), icon=":material/edit:", expanded=bool(form.stale)):
        form.show_stale()
        with st.form(f"edit_finding_{finding.id}"):
            title = st.text_input(
                _("Title"), finding.title, max_chars=max_chars(FindingInput, "title"), key=f"{prefix}_title"
            )
            description = st.text_area(
                _("Description"),
                finding.description,
                max_chars=max_chars(FindingInput, "description"),
                key=f"{prefix}_description",
            )
            left, middle, right = st.columns(3)
            causes, severities, statuses = (
                code_labels(findings.ROOT_CAUSE_LABELS),
                code_labels(findings.SEVERITY_LABELS),
                code_labels(findings.STATUS_LABELS),
            )
            root_cause = left.selectbox(
                _("Root-cause category"),
                findings.ROOT_CAUSES,
                index=findings.ROOT_CAUSES.index(finding.root_cause),
                format_func=causes.__getitem__,
                key=f"{prefix}_root_cause",
            )
            severity = middle.selectbox(
                _("Severity"),
                findings.SEVERITIES,
                index=findings.SEVERITIES.index(finding.severity),
                format_func=severities.__getitem__,
                key=f"{prefix}_severity",
            )
            status = right.selectbox(
                _("Status"),
                findings.STATUSES,
                index=findings.STATUSES.index(finding.status),
                format_func=statuses.__getitem__,
                key=f"{prefix}_status",
            )
            answers = [*finding.five_whys, *[""] * (findings.MAX_WHYS - len(finding.five_whys))]
            whys = [
                st.text_input(_("Why {n}?", n=n), answers[n - 1], max_chars=findings.WHY_MAX, key=f"{prefix}_why_{n}")
                for n in range(1, findings.MAX_WHYS + 1)
            ]
            submitted = st.form_submit_button(_("Save changes"), type="primary")
    if submitted:
        data = {
            "title": title,
            "description": description,
            "root_cause": root_cause,
            "severity": severity,
            "status": status,
            "five_whys": whys,
        }
        run_write(
            lambda: findings.update_finding(db, user, finding.id, data, form.version),
            success=_("Saved."),
            form=form,
            rerun=True,
        )


st.title(_("Findings"))
status_choices = {None: _("All")} | code_labels(findings.STATUS_LABELS)
status_filter = st.selectbox(
    _("Status"), list(status_choices), format_func=status_choices.__getitem__, key="findings_status"
)
all_findings = findings.list_findings(db, user, status=status_filter)
if not all_findings:
    st.info(_("No findings yet. Analysts record them from the Complaint analysis page, from the current filter."))
else:
    chosen = render_list(all_findings)
    if chosen is not None:
        render_detail(chosen)
