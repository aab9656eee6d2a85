"""Mystery audits: the audits a person may read (their own, their team's, everyone's for HR
and leadership), compliance per standard, team and month, the standards failing repeatedly
(made into a finding in one step by an analyst), and, for analysts, checklists, audits by
hand (files are imported on Import mystery audits)."""

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from models.access import Permission
from models.paging import PAGE_SIZE
from models.standards import audits, compliance, register
from models.standards.audits import SCALE_LABELS
from ui.charts import month_axis
from ui.context import page_context
from ui.text import escape_markdown
from ui.widgets import download_buttons, pager, search_matches, show_table
from ui.writes import run_write

user, db, settings = page_context()
records = user.can(Permission.SERVICE_AUDITS_RECORD)
TODAY = date.today()


def audit_table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows).drop(columns=["team_id", "agent_id"], errors="ignore")


def render_audits(start: date, end: date) -> None:
    st.header("Audits")
    total = audits.count_audits(db, user, start=start, end=end)
    if not total:
        st.info("No audits you may read in this period.")
        return
    first = pager(total, "audits_page", ("audit", "audits"), context=(start, end))
    rows = audits.list_audits(db, user, start=start, end=end, offset=first, limit=PAGE_SIZE)
    show_table(audit_table(rows), key="audits_table")
    every_audit = lambda: audit_table(audits.list_audits(db, user, start=start, end=end))  # noqa: E731
    download_buttons(every_audit, "mystery-audits", "dl_audits", rows=total)
    chosen = st.selectbox("Open an audit", [row["id"] for row in rows], index=None, key="open_audit")
    if chosen is not None:
        opened = audits.get_audit(db, user, chosen)
        st.caption(
            f"{opened['audited_on']:%Y-%m-%d} · {escape_markdown(opened['channel'])} · "
            f"{escape_markdown(opened['team'] or '')} · {escape_markdown(opened['agent'] or 'team audit')}"
        )
        if opened["notes"]:
            st.text(opened["notes"])
        show_table(pd.DataFrame(opened["results"]), key="audit_results")


def compliance_chart(frame: pd.DataFrame) -> alt.Chart:
    monthly = frame.groupby(["month", "code"], as_index=False)[["checks", "complied"]].sum()
    monthly["compliance"] = (100 * monthly["complied"] / monthly["checks"]).round(1)
    return (
        alt.Chart(monthly)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title="Month", axis=month_axis()),
            y=alt.Y("compliance:Q", title="Compliance (%)", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("code:N", title="Standard"),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title="Month", format="%b %Y"),
                alt.Tooltip("code:N", title="Standard"),
                alt.Tooltip("checks:Q", title="Checks"),
                alt.Tooltip("compliance:Q", title="Compliance (%)"),
            ],
        )
    )


def render_per_standard(start: date, end: date) -> None:
    """Each standard's compliance over the period, worst first."""
    st.subheader("Per standard over the period")
    for row in compliance.compliance_by_standard(db, user, start, end).to_dict("records"):
        complied = row["checks"] - row["failed"]
        st.markdown(
            f"**{escape_markdown(row['code'])}** · {row['compliance']} % compliance — {complied:,} of "
            f"{row['checks']:,} checks complied · {escape_markdown(row['standard'])}"
        )


def render_compliance(start: date, end: date) -> None:
    st.header("Compliance")
    st.caption(compliance.COMPLIANCE_DEFINITION)
    frame = compliance.compliance(db, user, start, end)
    if frame.empty:
        st.info("No audits in this period.")
        return
    st.altair_chart(compliance_chart(frame), width="stretch")
    render_per_standard(start, end)
    show_table(frame, labels={"compliance": "Compliance (%)"}, key="compliance_table")
    download_buttons(frame, "compliance-by-standard-team-month", "dl_compliance")
    st.subheader("Standards failing repeatedly")
    failing = compliance.failing_standards(db, user, start, end)
    if not failing:
        st.success(f"No standard failed in {compliance.REPEATED_FAILURES} or more audits in this period.")
    for row in failing:
        with st.container(border=True):
            st.markdown(
                f"**{escape_markdown(row['code'])} · {escape_markdown(row['standard'])}** — failed {row['failed']} of "
                f"{row['checks']} checks ({row['compliance']} % compliance) across {row['teams']} team(s)"
            )
            if user.can(Permission.FINDINGS_MANAGE) and st.button(
                "Make a finding", key=f"finding_{row['standard_id']}", icon=":material/lightbulb:"
            ):
                run_write(
                    lambda row=row: compliance.finding_from_standard(db, user, row["standard_id"], start, end),
                    success="Finding recorded with its audits as evidence; open Findings to complete it.",
                )


def render_checklist_form() -> None:
    standards = register.list_standards(db, user)
    by_id = {standard.id: standard for standard in standards}
    with st.expander("Build a checklist"), st.form("new_checklist"):
        name = st.text_input("Checklist name", key="checklist_name")
        chosen = st.multiselect(
            "Standards checked", list(by_id), format_func=lambda i: by_id[i].code, key="checklist_standards"
        )
        scored = st.multiselect(
            "Scored 1–5 (the others are pass / fail)", list(by_id), format_func=lambda i: by_id[i].code, key="scored"
        )
        if st.form_submit_button("Create checklist"):
            items = [(i, "score" if i in scored else "pass_fail") for i in chosen]
            run_write(
                lambda: audits.create_checklist(db, user, {"name": name, "items": items}),
                success="Checklist created.",
                rerun=True,
            )


def render_record_form(checklist: dict) -> None:
    teams = {team["id"]: team["name"] for team in audits.audit_choices(db, user)["teams"]}
    with st.expander("Record an audit by hand"):
        agents = search_matches(
            "Find the agent (name, email or employee number)",
            "audit_agent_search",
            lambda text: audits.find_agents(db, user, text),
        )
        people = {agent["id"]: f"{agent['full_name']} ({agent['team_name']})" for agent in agents}
        render_audit_form(checklist, teams, people)


def render_audit_form(checklist: dict, teams: dict[int, str], people: dict[int, str]) -> None:
    with st.form("new_audit"):
        audited_on = st.date_input("Date", TODAY, max_value=TODAY, key="audit_date")
        channel = st.selectbox("Channel", register.CHANNELS, key="audit_channel")
        team_id = st.selectbox("Team", list(teams), format_func=lambda i: teams[i], index=None, key="audit_team")
        agent_id = st.selectbox(
            "Agent (optional)", list(people), format_func=lambda i: people[i], index=None, key="audit_agent"
        )
        results = {}
        for item in checklist["items"]:
            label = escape_markdown(f"{item['code']} · {item['title']}")
            if item["scale"] == "pass_fail":
                answer = st.radio(label, ["Not checked", "Pass", "Fail"], horizontal=True, key=f"item_{item['code']}")
                if answer != "Not checked":
                    results[item["standard_id"]] = answer == "Pass"
            else:
                score = st.radio(label, ["Not checked", 1, 2, 3, 4, 5], horizontal=True, key=f"item_{item['code']}")
                if score != "Not checked":
                    results[item["standard_id"]] = score
        notes = st.text_area("Notes", max_chars=audits.NOTES_MAX, key="audit_notes")
        if st.form_submit_button("Record audit", type="primary"):
            data = {
                "checklist_id": checklist["id"],
                "audited_on": audited_on,
                "channel": channel,
                "team_id": team_id,
                "agent_id": agent_id,
                "results": results,
                "notes": notes,
            }
            run_write(lambda: audits.record_audit(db, user, data), success="Audit recorded.")


def render_recording() -> None:
    st.header("Record audits")
    render_checklist_form()
    lists = audits.checklists(db)
    if not lists:
        st.info("Build a checklist from the standards first.")
        return
    by_id = {checklist["id"]: checklist for checklist in lists}
    chosen = st.selectbox("Checklist", list(by_id), format_func=lambda i: by_id[i]["name"], key="audit_checklist")
    checklist = by_id[chosen]
    st.caption(" · ".join(f"{escape_markdown(i['code'])} ({SCALE_LABELS[i['scale']]})" for i in checklist["items"]))
    render_record_form(checklist)
    st.page_link(
        "pages/mystery_audit_import.py", label="Import audits from a shopper's file", icon=":material/upload_file:"
    )


st.title("Mystery audits")
left, right = st.columns(2)
period_start = left.date_input("From", (TODAY - timedelta(days=365)).replace(day=1), key="audits_from")
period_end = right.date_input("To", TODAY, key="audits_to")
if records:
    render_recording()
if audits.reads_compliance(user):
    render_compliance(period_start, period_end)
render_audits(period_start, period_end)
