"""Import mystery audits (analysts): choose the checklist, upload a shopper's export (one row
per standard checked), map its columns, preview it with the date order chosen, import it and
read (and download) the per-row report."""

import streamlit as st

from models.complaints.sources import ENCODINGS, SourceFile
from models.errors import InputError
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
PREVIEW_LABELS = {"row": "Row", "problem": "Problem", "audit_id": "Audit ID", "audited_on": "Date"}
IMPORT_LABELS = {
    "imported_at": "Imported at (UTC)",
    "file_name": "File",
    "rows_read": "Rows read",
    "audits_imported": "Audits imported",
    "audits_duplicate": "Audits already in the portal",
    "rows_repeated": "Rows repeated",
    "rows_rejected": "Rows rejected",
}
ROW_NOTE = "Row numbers count the rows after the header row (row 1 is the first row of results)."


def render_report(report: audit_import.AuditImportReport) -> None:
    if report.stored:
        st.success(f"Import #{report.import_id} done. {report.summary}")
    else:
        st.error(f"Nothing was imported. {report.summary}")
    if report.rejections:
        st.caption(ROW_NOTE)
        frame = report.rejections_frame()
        if report.rejected_rows > len(report.rejections):
            st.caption(f"Listing the first {len(report.rejections):,} problems.")
        show_table(frame, key="audit_rejections")
        download_buttons(frame, "mystery-audit-import-report", "dl_audit_report")


def run_import(checklist_id: int, source: SourceFile, mapping: dict[str, str], mode: str, order) -> None:
    bar = st.progress(0.0, text="Starting…")

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
        upload = file_upload("Audit export", ["csv", "xlsx", "txt"], key="audit_upload")
    encoding = right.selectbox("Text encoding (CSV)", list(ENCODINGS), format_func=ENCODINGS.get, key="audit_encoding")
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
    for note in source.notes:
        st.info(escape_markdown(note))
    st.text(f"{source.file_name}: {len(source.columns)} columns.")  # a file name is the user's text
    st.subheader("Map the columns")
    mapping = imports.render_mapping(
        PREFIX,
        source,
        audit_fields.AUDIT_FIELDS,
        audit_fields.REQUIRED_FIELDS,
        audit_fields.suggest_mapping(source.columns),
    )
    st.subheader("Preview")
    try:
        guess = audit_import.date_order_guess(source, audit_fields.check_mapping(mapping, source.columns, source.hint))
        order, order_settled = imports.render_date_order(PREFIX, source, guess, "Date")
        frame = audit_import.preview(db, user, checklist["id"], source, mapping, date_order=order)
        show_table(frame, labels=PREVIEW_LABELS, key="audit_preview")
        mapping_ok = True
    except InputError as error:
        show_input_error(error)
        mapping_ok = order_settled = False
        order = None
    mode = st.radio("If some rows are invalid", list(ImportMode), format_func=IMPORT_MODE_LABELS.get, key="audit_mode")
    if st.button("Import", type="primary", disabled=not (mapping_ok and order_settled), key="audit_import_run"):
        run_import(checklist["id"], source, mapping, mode, order)


st.title("Import mystery audits")
st.caption(
    "CSV or XLSX exported by your mystery-shopping provider, one row per standard checked: the audit's id "
    "(optional), date, channel, team, agent (optional: employee number or email), the standard (code or title) "
    "and its result, and notes. The rows of one Audit ID — or, without one, of one date, channel, team and agent — "
    "are one audit. Re-importing a file adds no audit twice."
)
lists = audits.checklists(db)
if not lists:
    st.info("Build a checklist from the standards on Mystery audits first.")
else:
    by_id = {checklist["id"]: checklist for checklist in lists}
    chosen = st.selectbox(
        "Checklist", list(by_id), format_func=lambda i: by_id[i]["name"], key="audit_import_checklist"
    )
    checklist = by_id[chosen]
    st.caption(" · ".join(f"{escape_markdown(i['code'])} ({SCALE_LABELS[i['scale']]})" for i in checklist["items"]))
    st.download_button(
        "Download the import template",
        lambda: audit_fields.template_csv(checklist),
        "mystery-audits-template.csv",
        "text/csv",
        icon=":material/download:",
        key="audit_template",
    )
    render_file(checklist)

report = st.session_state.get(REPORT_KEY)
if report is not None:
    st.subheader("Import report")
    render_report(report)

st.subheader("Recent imports")
recent = audit_import.recent_imports(db, user)
if recent.empty:
    st.caption("No imports yet.")
else:
    recent["mode"] = recent["mode"].map(lambda mode: IMPORT_MODE_LABELS[ImportMode(mode)].split(" — ")[0])
    show_table(recent, labels=IMPORT_LABELS, key="audit_recent")
    download_buttons(recent, "mystery-audit-imports", "dl_audit_imports")
