"""Mystery audits: the audits a person may read (their own, their team's, everyone's for HR
and leadership), compliance per standard, team and month, the standards failing repeatedly
(made into a finding in one step by an analyst), and, for analysts, checklists, audits by
hand (files are imported on Import mystery audits)."""

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from models.access import Permission
from models.i18n import N_, _, format_number, ngettext, pgettext
from models.paging import PAGE_SIZE
from models.standards import audits, compliance, register
from models.standards.audits import SCALE_LABELS
from ui.charts import localized, month_axis, number_tooltip
from ui.context import page_context
from ui.dates import date_input_format, day
from ui.text import escape_markdown
from ui.widgets import download_buttons, pager, search_matches, show_table
from ui.writes import run_write

user, db, settings = page_context()
records = user.can(Permission.SERVICE_AUDITS_RECORD)
TODAY = date.today()
AUDIT_LABELS = {  # translated where shown
    "audited_on": N_("Date"),
    "channel": N_("Channel"),
    "team": N_("Team"),
    "agent": N_("Agent"),
    "checklist": N_("Checklist"),
    "checks": N_("Checks"),
    "complied": N_("Complied"),
    "notes": N_("Notes"),
    "source": N_("Source"),
}
SOURCES = {"hand": N_("By hand"), "import": N_("Imported")}
RESULT_LABELS = {
    "code": N_("Code"),
    "title": N_("Standard"),
    "scale": N_("Scale"),
    "score": N_("Score"),
    "complies": N_("Complied"),
}
COMPLIANCE_LABELS = {
    "month": N_("Month"),
    "code": N_("Code"),
    "standard": N_("Standard"),
    "team": N_("Team"),
    "checks": N_("Checks"),
    "complied": N_("Complied"),
    "compliance": N_("Compliance (%)"),
}
# An item's answer on the form: kept by these values, shown in the reader's language.
PASS_FAIL = {"Not checked": N_("Not checked"), "Pass": N_("Pass"), "Fail": N_("Fail")}


def in_words(labels: dict[str, str]) -> dict[str, str]:
    return {name: _(label) for name, label in labels.items()}


def scale_label(scale: str) -> str:
    return _(SCALE_LABELS[scale]) if scale in SCALE_LABELS else scale


def audit_table(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows).drop(columns=["team_id", "agent_id"], errors="ignore")
    if not frame.empty:
        frame["channel"] = frame["channel"].map(register.channel_label)
        frame["source"] = frame["source"].map(lambda source: _(SOURCES[source]) if source in SOURCES else source)
    return frame


def render_audits(start: date, end: date) -> None:
    st.header(_("Audits"))
    total = audits.count_audits(db, user, start=start, end=end)
    if not total:
        st.info(_("No audits you may read in this period."))
        return
    counted = lambda n: ngettext("{n} audit", "{n} audits", n, n=format_number(n))  # noqa: E731
    first = pager(total, "audits_page", counted, context=(start, end))
    rows = audits.list_audits(db, user, start=start, end=end, offset=first, limit=PAGE_SIZE)
    show_table(audit_table(rows), labels=in_words(AUDIT_LABELS), key="audits_table")
    every_audit = lambda: audit_table(audits.list_audits(db, user, start=start, end=end))  # noqa: E731
    download_buttons(every_audit, _("mystery-audits"), "dl_audits", rows=total)
    chosen = st.selectbox(
        _("Open an audit"), [row["id"] for row in rows], index=None, key="open_audit", placeholder=_("Choose an option")
    )
    if chosen is not None:
        opened = audits.get_audit(db, user, chosen)
        agent = escape_markdown(opened["agent"]) if opened["agent"] else _("team audit")
        st.caption(
            f"{day(opened['audited_on'])} · {escape_markdown(register.channel_label(opened['channel']))} · "
            f"{escape_markdown(opened['team'] or '')} · {agent}"
        )
        if opened["notes"]:
            st.text(opened["notes"])
        results = pd.DataFrame(opened["results"])
        if not results.empty:
            results["scale"] = results["scale"].map(scale_label)
        show_table(results, labels=in_words(RESULT_LABELS), key="audit_results")


def compliance_chart(frame: pd.DataFrame) -> alt.Chart:
    monthly = frame.groupby(["month", "code"], as_index=False)[["checks", "complied"]].sum()
    monthly["compliance"] = (100 * monthly["complied"] / monthly["checks"]).round(1)
    return localized(
        alt.Chart(monthly)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title=_("Month"), axis=month_axis()),
            y=alt.Y("compliance:Q", title=_("Compliance (%)"), scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("code:N", title=_("Standard")),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title=_("Month"), format="%b %Y"),
                alt.Tooltip("code:N", title=_("Standard")),
                number_tooltip("checks:Q", _("Checks")),
                number_tooltip("compliance:Q", _("Compliance (%)")),
            ],
        )
    )


def render_per_standard(start: date, end: date) -> None:
    """Each standard's compliance over the period, worst first."""
    st.subheader(_("Per standard over the period"))
    for row in compliance.compliance_by_standard(db, user, start, end).to_dict("records"):
        line = ngettext(
            "{share} % compliance — {complied} of {checks} checks complied",
            "{share} % compliance — {complied} of {checks} checks complied",
            int(row["checks"]),
            share=format_number(row["compliance"], 1),
            complied=format_number(row["checks"] - row["failed"]),
            checks=format_number(row["checks"]),
        )
        st.markdown(f"**{escape_markdown(row['code'])}** · {line} · {escape_markdown(row['standard'])}")


def render_compliance(start: date, end: date) -> None:
    st.header(_("Compliance"))
    st.caption(_(compliance.COMPLIANCE_DEFINITION))
    frame = compliance.compliance(db, user, start, end)
    if frame.empty:
        st.info(_("No audits in this period."))
        return
    st.altair_chart(compliance_chart(frame), width="stretch")
    render_per_standard(start, end)
    show_table(frame, labels=in_words(COMPLIANCE_LABELS), key="compliance_table")
    download_buttons(frame, _("compliance-by-standard-team-month"), "dl_compliance")
    st.subheader(_("Standards failing repeatedly"))
    failing = compliance.failing_standards(db, user, start, end)
    if not failing:
        st.success(
            _(
                "No standard failed in {count} or more audits in this period.",
                count=format_number(compliance.REPEATED_FAILURES),
            )
        )
    for row in failing:
        with st.container(border=True):
            figures = ngettext(
                "failed {failed} of {checks} checks ({share} % compliance) across {n} team(s)",
                "failed {failed} of {checks} checks ({share} % compliance) across {n} team(s)",
                int(row["teams"]),
                failed=format_number(row["failed"]),
                checks=format_number(row["checks"]),
                share=format_number(row["compliance"], 1),
                n=format_number(row["teams"]),
            )
            st.markdown(f"**{escape_markdown(row['code'])} · {escape_markdown(row['standard'])}** — {figures}")
            if user.can(Permission.FINDINGS_MANAGE) and st.button(
                _("Make a finding"), key=f"finding_{row['standard_id']}", icon=":material/lightbulb:"
            ):
                run_write(
                    lambda row=row: compliance.finding_from_standard(db, user, row["standard_id"], start, end),
                    success=_("Finding recorded with its audits as evidence; open Findings to complete it."),
                )


def render_checklist_form() -> None:
    standards = register.list_standards(db, user)
    by_id = {standard.id: standard for standard in standards}
    codes = {standard_id: standard.code for standard_id, standard in by_id.items()}
    with st.expander(_("Build a checklist")), st.form("new_checklist"):
        name = st.text_input(_("Checklist name"), key="checklist_name")
        chosen = st.multiselect(
            _("Standards checked"),
            list(codes),
            format_func=codes.get,
            key="checklist_standards",
            placeholder=_("Choose options"),
        )
        scored = st.multiselect(
            _("Scored 1–5 (the others are pass / fail)"),
            list(codes),
            format_func=codes.get,
            key="scored",
            placeholder=_("Choose options"),
        )
        if st.form_submit_button(_("Create checklist")):
            items = [(i, "score" if i in scored else "pass_fail") for i in chosen]
            run_write(
                lambda: audits.create_checklist(db, user, {"name": name, "items": items}),
                success=_("Checklist created."),
                rerun=True,
            )


def render_record_form(checklist: dict) -> None:
    teams = {team["id"]: team["name"] for team in audits.audit_choices(db, user)["teams"]}
    with st.expander(_("Record an audit by hand")):
        agents = search_matches(
            _("Find the agent (name, email or employee number)"),
            "audit_agent_search",
            lambda text: audits.find_agents(db, user, text),
        )
        people = {agent["id"]: f"{agent['full_name']} ({agent['team_name']})" for agent in agents}
        render_audit_form(checklist, teams, people)


def render_audit_form(checklist: dict, teams: dict[int, str], people: dict[int, str]) -> None:
    with st.form("new_audit"):
        channels = {channel: register.channel_label(channel) for channel in register.CHANNELS}
        answers = {answer: _(label) for answer, label in PASS_FAIL.items()}
        scores = {"Not checked": answers["Not checked"]} | {score: format_number(score) for score in range(1, 6)}
        audited_on = st.date_input(_("Date"), TODAY, max_value=TODAY, key="audit_date", format=date_input_format())
        channel = st.selectbox(_("Channel"), list(channels), format_func=channels.__getitem__, key="audit_channel")
        team_id = st.selectbox(
            _("Team"),
            list(teams),
            format_func=teams.__getitem__,
            index=None,
            key="audit_team",
            placeholder=_("Choose an option"),
        )
        agent_id = st.selectbox(
            _("Agent (optional)"),
            list(people),
            format_func=people.__getitem__,
            index=None,
            key="audit_agent",
            placeholder=_("Choose an option"),
        )
        results = {}
        for item in checklist["items"]:
            label = escape_markdown(f"{item['code']} · {item['title']}")
            key = f"item_{item['code']}"
            if item["scale"] == "pass_fail":
                answer = st.radio(label, list(answers), format_func=answers.__getitem__, horizontal=True, key=key)
                if answer != "Not checked":
                    results[item["standard_id"]] = answer == "Pass"
            else:
                score = st.radio(label, list(scores), format_func=scores.__getitem__, horizontal=True, key=key)
                if score != "Not checked":
                    results[item["standard_id"]] = score
        notes = st.text_area(_("Notes"), max_chars=audits.NOTES_MAX, key="audit_notes")
        if st.form_submit_button(_("Record audit"), type="primary"):
            data = {
                "checklist_id": checklist["id"],
                "audited_on": audited_on,
                "channel": channel,
                "team_id": team_id,
                "agent_id": agent_id,
                "results": results,
                "notes": notes,
            }
            run_write(lambda: audits.record_audit(db, user, data), success=_("Audit recorded."))


def render_recording() -> None:
    st.header(_("Record audits"))
    render_checklist_form()
    lists = audits.checklists(db)
    if not lists:
        st.info(_("Build a checklist from the standards first."))
        return
    by_id = {checklist["id"]: checklist for checklist in lists}
    names = {checklist_id: checklist["name"] for checklist_id, checklist in by_id.items()}
    chosen = st.selectbox(_("Checklist"), list(names), format_func=names.__getitem__, key="audit_checklist")
    checklist = by_id[chosen]
    st.caption(" · ".join(f"{escape_markdown(i['code'])} ({scale_label(i['scale'])})" for i in checklist["items"]))
    render_record_form(checklist)
    st.page_link(
        "pages/mystery_audit_import.py", label=_("Import audits from a shopper's file"), icon=":material/upload_file:"
    )


st.title(_("Mystery audits"))
left, right = st.columns(2)
period_start = left.date_input(
    pgettext("the first day of a period", "From"),
    (TODAY - timedelta(days=365)).replace(day=1),
    key="audits_from",
    format=date_input_format(),
)
period_end = right.date_input(
    pgettext("the last day of a period", "To"), TODAY, key="audits_to", format=date_input_format()
)
if records:
    render_recording()
if audits.reads_compliance(user):
    render_compliance(period_start, period_end)
render_audits(period_start, period_end)
