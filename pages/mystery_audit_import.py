"""Import mystery audits (analysts): choose the checklist, upload a shopper's export (one row
per standard checked), map its columns, preview it with the date order chosen, import it and
read (and download) the per-row report."""

import streamlit as st

from models.complaints.sources import SourceFile
from models.errors import InputError
from models.i18n import N_, _, format_number, ngettext
from models.standards import audit_fields, audit_import, audits
from models.standards.audit_import import IMPORT_MODE_LABELS, AuditImportRejectedError, ImportMode
from models.standards.audits import SCALE_LABELS
from ui import imports
from ui.context import page_context
from ui.text import escape_markdown
from ui.widgets import download_buttons, file_upload, show_input_error, show_table
from ui.writes import run_write

user, db, settings = page_context()
PREFIX = "audit"
REPORT_KEY = "audit_import_report"
PREVIEW_LABELS = {  # translated where shown
    "row": N_("Row"),
    "problem": N_("Problem"),
    "audit_id": N_("Audit ID"),
    "audited_on": N_("Date"),
    "channel": N_("Channel"),
    "team": N_("Team"),
    "agent": N_("Agent"),
    "standard": N_("Standard"),
    "result": N_("Result"),
    "notes": N_("Notes"),
    "repeated": N_("Repeated"),
}
IMPORT_LABELS = {
    "imported_at": N_("Imported at (UTC)"),
    "file_name": N_("File"),
    "checklist": N_("Checklist"),
    "mode": N_("Mode"),
    "rows_read": N_("Rows read"),
    "audits_imported": N_("Audits imported"),
    "audits_duplicate": N_("Audits already in the portal"),
    "rows_repeated": N_("Rows repeated"),
    "rows_rejected": N_("Rows rejected"),
    "imported_by": N_("Imported by"),
}
REPORT_LABELS = {"row": N_("Row"), "column": N_("Column"), "reason": N_("Reason"), "value": N_("Value")}
ROW_NOTE = N_("Row numbers count the rows after the header row (row 1 is the first row of results).")


def in_words(labels: dict[str, str]) -> dict[str, str]:
    return {name: _(label) for name, label in labels.items()}


def scale_label(scale: str) -> str:
    return _(SCALE_LABELS[scale]) if scale in SCALE_LABELS else scale


def render_report(report: audit_import.AuditImportReport) -> None:
    if report.stored:
        st.success(_("Import #{number} done. {summary}", number=report.import_id, summary=report.summary))
    else:
        st.error(_("Nothing was imported. {summary}", summary=report.summary))
    if report.rejections:
        st.caption(_(ROW_NOTE))
        frame = report.rejections_frame()
        if report.rejected_rows > len(report.rejections):
            st.caption(
                ngettext(
                    "Listing the first {count} problem.",
                    "Listing the first {count} problems.",
                    len(report.rejections),
                    count=format_number(len(report.rejections)),
                )
            )
        show_table(frame, labels=in_words(REPORT_LABELS), key="audit_rejections")
        download_buttons(frame, _("mystery-audit-import-report"), "dl_audit_report")


def run_import(checklist_id: int, source: SourceFile, mapping: dict[str, str], mode: str, order) -> None:
    bar = st.progress(0.0, text=_("Starting…"))

    def write() -> audit_import.AuditImportReport:
        try:
            return audit_import.import_audits(
                db,
                user,
                checklist_id,
                source,
                mapping,
                mode,
                date_order=order,
                progress=lambda share, text: bar.progress(min(share, 1.0), text=text),
            )
        except AuditImportRejectedError as refused:
            return refused.report  # reported row by row below, like an import that went through

    imported = run_write(write)
    if imported:
        st.session_state[REPORT_KEY] = imported.value
    bar.empty()


def render_file(checklist: dict) -> None:
    left, right = st.columns([3, 1])
    with left:
        upload = file_upload(_("Audit export"), ["csv", "xlsx", "txt"], key="audit_upload")
    encoding = imports.choose_encoding(right, key="audit_encoding")
    if upload is None:
        imports.current_source(PREFIX, audit_import.open_upload, None, encoding, None, None, settings.max_upload_mb)
        return
    sheet, header_row = imports.render_layout(PREFIX, upload)
    try:
        source = imports.current_source(
            PREFIX, audit_import.open_upload, upload, encoding, sheet, header_row, settings.max_upload_mb
        )
    except InputError as error:
        show_input_error(error)
        return
    imports.remember_sheets(PREFIX, upload, source)
    imports.describe_source(source)
    st.subheader(_("Map the columns"))
    mapping = imports.render_mapping(
        PREFIX,
        source,
        audit_fields.AUDIT_FIELDS,
        audit_fields.REQUIRED_FIELDS,
        audit_fields.suggest_mapping(source.columns),
    )
    st.subheader(_("Preview"))
    try:
        guess = audit_import.date_order_guess(source, audit_fields.check_mapping(mapping, source.columns, source.hint))
        order, order_settled = imports.render_date_order(PREFIX, source, guess, _("Date"))
        frame = audit_import.preview(db, user, checklist["id"], source, mapping, date_order=order)
        show_table(frame, labels=in_words(PREVIEW_LABELS), key="audit_preview")
        mapping_ok = True
    except InputError as error:
        show_input_error(error)
        mapping_ok = order_settled = False
        order = None
    modes = {mode: _(label) for mode, label in IMPORT_MODE_LABELS.items()}
    mode = st.radio(_("If some rows are invalid"), list(modes), format_func=modes.__getitem__, key="audit_mode")
    if st.button(_("Import"), type="primary", disabled=not (mapping_ok and order_settled), key="audit_import_run"):
        run_import(checklist["id"], source, mapping, mode, order)


st.title(_("Import mystery audits"))
st.caption(
    _(
        "CSV or XLSX exported by your mystery-shopping provider, one row per standard checked: the audit's id "
        "(optional), date, channel, team, agent (optional: employee number or email), the standard (code or "
        "title) and its result, and notes. The rows of one Audit ID — or, without one, of one date, channel, "
        "team and agent — are one audit. Re-importing a file adds no audit twice."
    )
)
lists = audits.checklists(db)
if not lists:
    st.info(_("Build a checklist from the standards on Mystery audits first."))
else:
    by_id = {checklist["id"]: checklist for checklist in lists}
    names = {checklist_id: checklist["name"] for checklist_id, checklist in by_id.items()}
    chosen = st.selectbox(_("Checklist"), list(names), format_func=names.__getitem__, key="audit_import_checklist")
    checklist = by_id[chosen]
    st.caption(" · ".join(f"{escape_markdown(i['code'])} ({scale_label(i['scale'])})" for i in checklist["items"]))
    st.download_button(
        _("Download the import template"),
        lambda: audit_fields.template_csv(checklist),
        _("mystery-audits-template") + ".csv",
        "text/csv",
        icon=":material/download:",
        key="audit_template",
    )
    render_file(checklist)

report = st.session_state.get(REPORT_KEY)
if report is not None:
    st.subheader(_("Import report"))
    render_report(report)

st.subheader(_("Recent imports"))
recent = audit_import.recent_imports(db, user)
if recent.empty:
    st.caption(_("No imports yet."))
else:
    recent["mode"] = recent["mode"].map(lambda mode: _(IMPORT_MODE_LABELS[ImportMode(mode)]).split(" — ")[0])
    show_table(recent, labels=in_words(IMPORT_LABELS), key="audit_recent")
    download_buttons(recent, _("mystery-audit-imports"), "dl_audit_imports")
