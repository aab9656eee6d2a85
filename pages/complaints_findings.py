"""Findings (analysts and leaders): root causes backed by complaint evidence, their counts
then and now, and the actions and ideas that take them up."""

import pandas as pd
import streamlit as st

from models.access import Permission
from models.audit import code_label
from models.complaints import findings
from models.complaints.findings import FindingInput
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
    show_table(frame, labels={"complaints_then": "Complaints when recorded", "by": "Recorded by"})
    download_buttons(frame, "findings", "dl_findings")
    by_id = {f.id: f for f in all_findings}
    chosen = st.selectbox(
        "Open a finding", list(by_id), format_func=lambda i: f"#{i} {by_id[i].title}", key="finding_open"
    )
    return by_id.get(chosen)


def _share(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def render_counts(finding: findings.Finding) -> None:
    then = finding.snapshot
    current = findings.counts_now(db, user, finding)
    now = current["now"]
    st.subheader("Evidence: then and now")
    st.text(f"Filter: {finding.complaint_filter.describe()}")
    left, middle, right = st.columns(3)
    left.metric(
        "Complaints", f"{now['complaints']:,}", delta=f"{now['complaints'] - then['complaints']:+,} since recorded"
    )
    middle.metric("Timely", _share(now["timely_share"]), help=f"When recorded: {_share(then['timely_share'])}")
    right.metric("Repeat rate", _share(now["repeat_rate"]), help=f"When recorded: {_share(then['repeat_rate'])}")
    table = pd.DataFrame(
        {
            "figure": ["complaints", "timely share", "repeat rate", "median days to resolve", "vital few"],
            "when recorded": [
                f"{then['complaints']:,}",
                _share(then["timely_share"]),
                _share(then["repeat_rate"]),
                str(then.get("median_resolution_days")),
                ", ".join(then.get("vital_few", [])),
            ],
            "now": [
                f"{now['complaints']:,}",
                _share(now["timely_share"]),
                _share(now["repeat_rate"]),
                str(now.get("median_resolution_days")),
                ", ".join(now.get("vital_few", [])),
            ],
        }
    )
    latest = current["latest_period"]
    if latest is not None:
        table[f"latest period ({latest['period']})"] = [
            f"{latest['complaints']:,}",
            _share(latest["timely_share"]),
            _share(latest["repeat_rate"]),
            str(latest.get("median_resolution_days")),
            "",
        ]
    show_table(table)
    download_buttons(table, f"finding-{finding.id}-evidence", "dl_evidence")
    if st.button("Open this evidence in the analysis", icon=":material/query_stats:"):
        st.session_state["complaints_filter_preset"] = finding.complaint_filter
        st.switch_page(ANALYSIS_PAGE)


def render_detail(finding: findings.Finding) -> None:
    st.header(f"#{finding.id} {escape_markdown(finding.title)}")
    st.caption(
        f"Root cause: {code_label(finding.root_cause).lower()} · severity: {finding.severity} · "
        f"status: {code_label(finding.status).lower()} · "
        f"recorded {finding.created_at:%Y-%m-%d}"
    )
    st.text(finding.description)
    st.markdown("**5 whys**")
    st.text("\n".join(f"Why {n}? {answer}" for n, answer in enumerate(finding.five_whys, start=1)))
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
        st.subheader("Mystery audits as evidence")
        show_table(evidence, key="finding_audit_evidence")
    proposed = proposals.proposals_for(db, user, finding_id=finding.id).get(finding.id)
    if proposed:
        st.subheader("Decision-right changes proposed")
        proposal_table(proposed, key="finding_right_proposals")
    if user.can(Permission.FINDINGS_MANAGE):
        with st.expander("Propose a change to a decision right"):
            proposal_form(db, user, rights.list_rights(db, user), ("finding_id", finding.id), "finding_proposal")


def render_links(finding: findings.Finding) -> None:
    st.subheader("Linked actions and ideas")
    linked = findings.linked_items(db, finding.id)
    if not linked:
        st.caption("The action plan and the idea board will list here what takes this finding up.")
        return
    for table, rows in linked.items():
        st.markdown(f"**{table.capitalize()}**")
        if rows:
            show_table(pd.DataFrame(rows))
        else:
            st.caption(f"No {table} linked yet.")


def render_edit(finding: findings.Finding) -> None:
    """The finding's fields; a save is refused when someone saved it since it was opened."""
    form = EditForm("finding", finding.id, finding.version)
    prefix = form.prefix
    with st.expander("Edit this finding", icon=":material/edit:", expanded=bool(form.stale)):
        form.show_stale()
        with st.form(f"edit_finding_{finding.id}"):
            title = st.text_input(
                "Title", finding.title, max_chars=max_chars(FindingInput, "title"), key=f"{prefix}_title"
            )
            description = st.text_area(
                "Description",
                finding.description,
                max_chars=max_chars(FindingInput, "description"),
                key=f"{prefix}_description",
            )
            left, middle, right = st.columns(3)
            root_cause = left.selectbox(
                "Root-cause category",
                findings.ROOT_CAUSES,
                index=findings.ROOT_CAUSES.index(finding.root_cause),
                key=f"{prefix}_root_cause",
            )
            severity = middle.selectbox(
                "Severity",
                findings.SEVERITIES,
                index=findings.SEVERITIES.index(finding.severity),
                key=f"{prefix}_severity",
            )
            status = right.selectbox(
                "Status", findings.STATUSES, index=findings.STATUSES.index(finding.status), key=f"{prefix}_status"
            )
            answers = [*finding.five_whys, *[""] * (findings.MAX_WHYS - len(finding.five_whys))]
            whys = [
                st.text_input(f"Why {n}?", answers[n - 1], max_chars=findings.WHY_MAX, key=f"{prefix}_why_{n}")
                for n in range(1, findings.MAX_WHYS + 1)
            ]
            submitted = st.form_submit_button("Save changes", type="primary")
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
            success="Saved.",
            form=form,
            rerun=True,
        )


st.title("Findings")
status_filter = st.selectbox(
    "Status", [None, *findings.STATUSES], format_func=lambda s: s or "All", key="findings_status"
)
all_findings = findings.list_findings(db, user, status=status_filter)
if not all_findings:
    st.info("No findings yet. Analysts record them from the Complaint analysis page, from the current filter.")
else:
    chosen = render_list(all_findings)
    if chosen is not None:
        render_detail(chosen)
