"""Import completions (HR): upload an LMS export, map its columns, preview it with the date
order chosen, import it and read (and download) the per-row report."""

import streamlit as st

from models.complaints.sources import SourceFile
from models.errors import InputError
from models.i18n import N_, _, format_number, ngettext
from models.training import lms_fields, lms_import
from models.training.lms_import import ImportMode, LmsImportRejectedError
from ui import imports
from ui.context import page_context
from ui.widgets import decimal_input, download_buttons, file_upload, show_input_error, show_table
from ui.writes import run_write

user, db, settings = page_context()
REPORT_KEY = "lms_import_report"
PREVIEW_LABELS = {  # translated where shown
    "row": N_("Row"),
    "problem": N_("Problem"),
    "person": N_("Person"),
    "employee_number": N_("Employee number"),
    "course_code": N_("Course"),
    "completed_on": N_("Completed on"),
    "score": N_("Score"),
    "passed": N_("Passed"),
}
IMPORT_LABELS = {
    "started_at": N_("Started at (UTC)"),
    "file_name": N_("File"),
    "rows_read": N_("Rows read"),
    "rows_imported": N_("Imported"),
    "rows_duplicate": N_("Duplicates"),
    "rows_rejected": N_("Rejected"),
    "mode": N_("Mode"),
    "status": N_("Status"),
}
MODE_LABELS = {  # the import modes as the complaint import names them
    ImportMode.ALL_OR_NOTHING: N_("All or nothing — any invalid row stops the import"),
    ImportMode.VALID_ROWS: N_("Import the valid rows — invalid rows are listed and skipped"),
}
ROW_NOTE = N_("Row numbers count the completions after the header row (row 1 is the first completion).")


def in_words(labels: dict[str, str]) -> dict[str, str]:
    return {name: _(label) for name, label in labels.items()}


def render_report(report: lms_import.LmsImportReport) -> None:
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
        show_table(frame, key="lms_rejections")
        download_buttons(frame, _("lms-import-report"), "dl_lms_report")


def run_import(source: SourceFile, mapping: dict[str, str], mode: str, order, pass_mark: float) -> None:
    bar = st.progress(0.0, text=_("Starting…"))

    def write() -> lms_import.LmsImportReport:
        try:
            return lms_import.import_completions(
                db,
                user,
                source,
                mapping,
                mode,
                date_order=order,
                pass_mark=pass_mark,
                progress=lambda share, text: bar.progress(min(share, 1.0), text=text),
            )
        except LmsImportRejectedError as refused:
            return refused.report  # reported row by row below, like an import that went through

    imported = run_write(write)
    if imported:
        st.session_state[REPORT_KEY] = imported.value
    bar.empty()


st.title(_("Import completions"))
st.caption(
    _(
        "CSV or XLSX exported from any learning system: the employee number or email, the course code, "
        "the day it was completed, the score and whether it was passed. Completions keep their own dates and "
        "close the assignments that were open on that day."
    )
)
st.download_button(
    _("Download the import template"),
    lms_fields.template_csv,
    _("completions-template") + ".csv",
    "text/csv",
    icon=":material/download:",
    key="lms_template",
)

left, right = st.columns([3, 1])
with left:
    upload = file_upload(_("LMS export"), ["csv", "xlsx", "txt"], key="lms_upload")
encoding = imports.choose_encoding(right, key="lms_encoding")
source = None
if upload is not None:
    sheet, header_row = imports.render_layout("lms", upload)
    try:
        source = imports.current_source(
            "lms", lms_import.open_upload, upload, encoding, sheet, header_row, settings.max_upload_mb
        )
    except InputError as error:
        show_input_error(error)
else:
    imports.current_source("lms", lms_import.open_upload, None, encoding, None, None, settings.max_upload_mb)

if source is not None:
    imports.remember_sheets("lms", upload, source)
    imports.describe_source(source)
    st.subheader(_("Map the columns"))
    mapping = imports.render_mapping(
        "lms",
        source,
        lms_fields.LMS_FIELDS,
        lms_fields.REQUIRED_FIELDS,
        lms_fields.suggest_mapping(source.columns),
        _("\\* required, and the employee number or the email (or both) to identify the person."),
    )
    pass_mark = decimal_input(
        _("Pass mark"),
        min_value=0.0,
        max_value=100.0,
        value=lms_import.DEFAULT_PASS_MARK,
        decimals=None,
        required=True,
        key="lms_pass_mark",
        help=_("A row without a passed value passed when it has no score or a score of at least this."),
    )
    st.subheader(_("Preview"))
    try:
        if pass_mark is None:  # empty or not a number: said under the field
            raise InputError([])
        guess = lms_import.date_order_guess(source, lms_fields.check_mapping(mapping, source.columns, source.hint))
        order, order_settled = imports.render_date_order("lms", source, guess, _("Completed at"))
        frame = lms_import.preview(db, user, source, mapping, date_order=order, pass_mark=pass_mark)
        show_table(frame, labels=in_words(PREVIEW_LABELS), key="lms_preview")
        mapping_ok = True
    except InputError as error:
        show_input_error(error)
        mapping_ok = order_settled = False
        order = None
    mode = st.radio(
        _("If some rows are invalid"), list(ImportMode), format_func=lambda m: _(MODE_LABELS[m]), key="lms_mode"
    )
    if st.button(_("Import"), type="primary", disabled=not (mapping_ok and order_settled), key="lms_import_run"):
        run_import(source, mapping, mode, order, pass_mark)

report = st.session_state.get(REPORT_KEY)
if report is not None:
    st.subheader(_("Import report"))
    render_report(report)

st.subheader(_("Recent imports"))
recent = lms_import.recent_imports(db, user)
if recent.empty:
    st.caption(_("No imports yet."))
else:
    recent["mode"] = recent["mode"].map(lambda mode: _(MODE_LABELS[ImportMode(mode)]).split(" — ")[0])
    recent["status"] = recent["status"].map(lms_import.batch_status_label)
    show_table(recent, labels=in_words(IMPORT_LABELS), key="lms_recent")
    download_buttons(recent, _("completion-imports"), "dl_lms_imports")
