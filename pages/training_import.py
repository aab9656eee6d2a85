"""Import completions (HR): upload an LMS export, map its columns, preview it with the date
order chosen, import it and read (and download) the per-row report."""

import streamlit as st

from models.complaints.dates import DATE_ORDER_LABELS, DateOrder
from models.complaints.sources import ENCODINGS, SourceFile
from models.errors import InputError
from models.training import lms_fields, lms_import
from models.training.lms_import import IMPORT_MODE_LABELS, ImportMode, LmsImportRejectedError
from ui.context import page_context
from ui.text import escape_markdown
from ui.widgets import download_buttons, file_upload, show_input_error, show_table
from ui.writes import run_write

user, db, settings = page_context()
NOT_MAPPED = "— not in this file —"
SOURCE_KEY = "lms_import_source"
REPORT_KEY = "lms_import_report"
PREVIEW_LABELS = {
    "row": "Row",
    "problem": "Problem",
    "person": "Person",
    "employee_number": "Employee number",
    "course_code": "Course",
    "completed_on": "Completed on",
    "score": "Score",
    "passed": "Passed",
}
IMPORT_LABELS = {
    "started_at": "Started at (UTC)",
    "file_name": "File",
    "rows_read": "Rows read",
    "rows_imported": "Imported",
    "rows_duplicate": "Duplicates",
    "rows_rejected": "Rejected",
}
ROW_NOTE = "Row numbers count the completions after the header row (row 1 is the first completion)."


def current_source(upload, encoding: str, sheet: str | None, header_row: int | None) -> SourceFile | None:
    """The uploaded export, opened once per upload, encoding, sheet and header row."""
    held = st.session_state.get(SOURCE_KEY)
    identity = None if upload is None else (upload.file_id, encoding, sheet, header_row)
    if held is not None and held[0] == identity:
        return held[1]
    if held is not None:
        held[1].close()
        del st.session_state[SOURCE_KEY]
    if upload is None:
        return None
    source = lms_import.open_upload(
        upload.getvalue(),
        upload.name,
        encoding=encoding,
        max_bytes=settings.max_upload_mb * 1024 * 1024,
        sheet=sheet,
        header_row=header_row,
    )
    st.session_state[SOURCE_KEY] = (identity, source)
    return source


def render_layout(upload) -> tuple[str | None, int | None]:
    """The sheet (of a workbook) and the header row, when the ones found are wrong."""
    left, right = st.columns(2)
    sheets = st.session_state.get(f"lms_sheets_{upload.file_id}") or []
    sheet = None
    if len(sheets) > 1:
        sheet = left.selectbox("Sheet", sheets, index=None, placeholder="As found", key=f"lms_sheet_{upload.file_id}")
    header_row = right.number_input(
        "Header row", min_value=1, value=None, step=1, placeholder="As found", key=f"lms_header_{upload.file_id}"
    )
    return sheet, int(header_row) if header_row else None


def render_mapping(source: SourceFile) -> dict[str, str]:
    suggested = lms_fields.suggest_mapping(source.columns)
    choices = [NOT_MAPPED, *source.columns]
    mapping: dict[str, str] = {}
    columns = st.columns(3)
    for index, field in enumerate(lms_fields.LMS_FIELDS):
        default = suggested.get(field.key)
        required = field.key in lms_fields.REQUIRED_FIELDS
        chosen = columns[index % 3].selectbox(
            field.label + (" *" if required else ""),
            choices,
            index=choices.index(default) if default in choices else 0,
            key=f"lms_map_{source.sha256[:12]}_{source.sheet}_{source.header_row}_{field.key}",
            help=field.help,
        )
        if chosen != NOT_MAPPED:
            mapping[field.key] = chosen
    st.caption("\\* required, and the employee number or the email (or both) to identify the person.")
    return mapping


def render_date_order(source: SourceFile, mapping: dict[str, str]) -> tuple[DateOrder | None, bool]:
    """The order of the completion dates, as found from all their values or as chosen here;
    and whether it is settled (dates that fit several orders equally need a choice)."""
    guess = lms_import.date_order_guess(source, mapping)
    if guess is None:
        return None, True
    choices = list(DateOrder)
    chosen = st.selectbox(
        "Date order — Completed at",
        choices,
        index=None if guess.ambiguous else choices.index(guess.order),
        format_func=DATE_ORDER_LABELS.get,
        placeholder="Choose the order the file uses",
        key=f"lms_date_order_{source.sha256[:12]}_{guess.column}",
    )
    message = escape_markdown(f"Completed at (column {guess.column!r}): {guess.describe()}.")
    if guess.ambiguous:
        st.warning(message)
    else:
        st.caption(message)
    return chosen, chosen is not None


def render_report(report: lms_import.LmsImportReport) -> None:
    if report.stored:
        st.success(f"Import #{report.import_id} done. {report.summary}")
    else:
        st.error(f"Nothing was imported. {report.summary}")
    if report.rejections:
        st.caption(ROW_NOTE)
        frame = report.rejections_frame()
        if report.rejected_rows > len(report.rejections):
            st.caption(f"Listing the first {len(report.rejections):,} problems.")
        show_table(frame, key="lms_rejections")
        download_buttons(frame, "lms-import-report", "dl_lms_report")


def run_import(source: SourceFile, mapping: dict[str, str], mode: str, order, pass_mark: float) -> None:
    bar = st.progress(0.0, text="Starting…")

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


st.title("Import completions")
st.caption(
    "CSV or XLSX exported from any learning system: the employee number or email, the course code, "
    "the day it was completed, the score and whether it was passed. Completions keep their own dates and "
    "close the assignments that were open on that day."
)
st.download_button(
    "Download the import template",
    lms_fields.template_csv(),
    "completions-template.csv",
    "text/csv",
    icon=":material/download:",
)

left, right = st.columns([3, 1])
with left:
    upload = file_upload("LMS export", ["csv", "xlsx", "txt"], key="lms_upload")
encoding = right.selectbox("Text encoding (CSV)", list(ENCODINGS), format_func=ENCODINGS.get, key="lms_encoding")
source = None
if upload is not None:
    sheet, header_row = render_layout(upload)
    try:
        source = current_source(upload, encoding, sheet, header_row)
    except InputError as error:
        show_input_error(error)
else:
    current_source(None, encoding, None, None)

if source is not None:
    st.session_state[f"lms_sheets_{upload.file_id}"] = source.sheets
    for note in source.notes:
        st.info(escape_markdown(note))
    st.text(f"{source.file_name}: {len(source.columns)} columns.")  # a file name is the user's text
    st.subheader("Map the columns")
    mapping = render_mapping(source)
    pass_mark = st.number_input(
        "Pass mark",
        min_value=0.0,
        max_value=100.0,
        value=lms_import.DEFAULT_PASS_MARK,
        step=1.0,
        key="lms_pass_mark",
        help="A row without a passed value passed when it has no score or a score of at least this.",
    )
    st.subheader("Preview")
    try:
        order, order_settled = render_date_order(source, lms_fields.check_mapping(mapping, source.columns, source.hint))
        frame = lms_import.preview(db, user, source, mapping, date_order=order, pass_mark=pass_mark)
        show_table(frame, labels=PREVIEW_LABELS, key="lms_preview")
        mapping_ok = True
    except InputError as error:
        show_input_error(error)
        mapping_ok = order_settled = False
        order = None
    mode = st.radio("If some rows are invalid", list(ImportMode), format_func=IMPORT_MODE_LABELS.get, key="lms_mode")
    if st.button("Import", type="primary", disabled=not (mapping_ok and order_settled), key="lms_import_run"):
        run_import(source, mapping, mode, order, pass_mark)

report = st.session_state.get(REPORT_KEY)
if report is not None:
    st.subheader("Import report")
    render_report(report)

st.subheader("Recent imports")
recent = lms_import.recent_imports(db, user)
if recent.empty:
    st.caption("No imports yet.")
else:
    recent["mode"] = recent["mode"].map(lambda mode: IMPORT_MODE_LABELS[ImportMode(mode)].split(" — ")[0])
    recent["status"] = recent["status"].map(lambda status: lms_import.BATCH_STATUS_LABELS.get(status, status))
    show_table(recent, labels=IMPORT_LABELS, key="lms_recent")
    download_buttons(recent, "completion-imports", "dl_lms_imports")
