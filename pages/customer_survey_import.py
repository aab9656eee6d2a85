"""Import survey answers (analysts): upload a survey tool's export, map its columns, preview it
with the date order chosen, import it and read (and download) the per-row report."""

import streamlit as st

from models.complaints.dates import DATE_ORDER_LABELS, DateOrder
from models.complaints.sources import ENCODINGS, SourceFile
from models.customers import survey_fields, survey_import
from models.customers.scores import DEFINITIONS
from models.customers.survey_import import IMPORT_MODE_LABELS, ImportMode, SurveyImportRejectedError
from models.errors import InputError
from ui.context import page_context
from ui.text import escape_markdown
from ui.widgets import download_buttons, file_upload, show_input_error, show_table
from ui.writes import run_write

user, db, settings = page_context()
NOT_MAPPED = "— not in this file —"
SOURCE_KEY = "survey_import_source"
REPORT_KEY = "survey_import_report"
PREVIEW_LABELS = {
    "row": "Row",
    "problem": "Problem",
    "answered_on": "Date",
    "survey_type": "Survey type",
    "customer_id": "Customer ID",
    "external_id": "External ID",
}
IMPORT_LABELS = {
    "started_at": "Started at (UTC)",
    "file_name": "File",
    "rows_read": "Rows read",
    "rows_imported": "Imported",
    "rows_duplicate": "Duplicates",
    "rows_without_team": "Without a team",
    "rows_rejected": "Rejected",
}
ROW_NOTE = "Row numbers count the answers after the header row (row 1 is the first answer)."


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
    source = survey_import.open_upload(
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
    sheets = st.session_state.get(f"survey_sheets_{upload.file_id}") or []
    sheet = None
    if len(sheets) > 1:
        sheet = left.selectbox(
            "Sheet", sheets, index=None, placeholder="As found", key=f"survey_sheet_{upload.file_id}"
        )
    header_row = right.number_input(
        "Header row", min_value=1, value=None, step=1, placeholder="As found", key=f"survey_header_{upload.file_id}"
    )
    return sheet, int(header_row) if header_row else None


def render_mapping(source: SourceFile) -> dict[str, str]:
    suggested = survey_fields.suggest_mapping(source.columns)
    choices = [NOT_MAPPED, *source.columns]
    mapping: dict[str, str] = {}
    columns = st.columns(3)
    for index, field in enumerate(survey_fields.SURVEY_FIELDS):
        default = suggested.get(field.key)
        required = field.key in survey_fields.REQUIRED_FIELDS
        chosen = columns[index % 3].selectbox(
            field.label + (" *" if required else ""),
            choices,
            index=choices.index(default) if default in choices else 0,
            key=f"survey_map_{source.sha256[:12]}_{source.sheet}_{source.header_row}_{field.key}",
            help=field.help,
        )
        if chosen != NOT_MAPPED:
            mapping[field.key] = chosen
    st.caption("\\* required.")
    return mapping


def render_date_order(source: SourceFile, mapping: dict[str, str]) -> tuple[DateOrder | None, bool]:
    """The order of the answers' dates, as found from all their values or as chosen here;
    and whether it is settled (dates that fit several orders equally need a choice)."""
    guess = survey_import.date_order_guess(source, mapping)
    if guess is None:
        return None, True
    choices = list(DateOrder)
    chosen = st.selectbox(
        "Date order — Date",
        choices,
        index=None if guess.ambiguous else choices.index(guess.order),
        format_func=DATE_ORDER_LABELS.get,
        placeholder="Choose the order the file uses",
        key=f"survey_date_order_{source.sha256[:12]}_{guess.column}",
    )
    message = escape_markdown(f"Date (column {guess.column!r}): {guess.describe()}.")
    if guess.ambiguous:
        st.warning(message)
    else:
        st.caption(message)
    return chosen, chosen is not None


def render_report(report: survey_import.SurveyImportReport) -> None:
    if report.stored:
        st.success(f"Import #{report.import_id} done. {report.summary}")
    else:
        st.error(f"Nothing was imported. {report.summary}")
    if report.rejections or report.team_notes:
        st.caption(ROW_NOTE)
        frame = report.report_frame()
        if report.rejected_rows > len(report.rejections):
            st.caption(f"Listing the first {len(report.rejections):,} problems.")
        show_table(frame, key="survey_rejections")
        download_buttons(frame, "survey-import-report", "dl_survey_report")


def run_import(source: SourceFile, mapping: dict[str, str], mode: str, order) -> None:
    bar = st.progress(0.0, text="Starting…")

    def write() -> survey_import.SurveyImportReport:
        try:
            return survey_import.import_answers(
                db,
                user,
                source,
                mapping,
                mode,
                date_order=order,
                progress=lambda share, text: bar.progress(min(share, 1.0), text=text),
            )
        except SurveyImportRejectedError as refused:
            return refused.report  # reported row by row below, like an import that went through

    imported = run_write(write)
    if imported:
        st.session_state[REPORT_KEY] = imported.value
    bar.empty()


st.title("Import survey answers")
st.caption(
    "CSV or XLSX exported from any survey tool: the date, channel, team or unit, survey type (NPS, CSAT or CES), "
    "score, the customer's comment and optionally the customer id and the tool's id of the answer. "
    + " ".join(DEFINITIONS.values())
)
st.caption(
    "Scores: NPS 0–10, CSAT 1–5, CES 1–7, whole numbers. A team or unit that names no portal team is kept as "
    "the unit given: the answer counts for the organisation and its channel but for no team, and the report lists it."
)
st.download_button(
    "Download the import template",
    survey_fields.template_csv(),
    "survey-answers-template.csv",
    "text/csv",
    icon=":material/download:",
)

left, right = st.columns([3, 1])
with left:
    upload = file_upload("Survey export", ["csv", "xlsx", "txt"], key="survey_upload")
encoding = right.selectbox("Text encoding (CSV)", list(ENCODINGS), format_func=ENCODINGS.get, key="survey_encoding")
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
    st.session_state[f"survey_sheets_{upload.file_id}"] = source.sheets
    for note in source.notes:
        st.info(escape_markdown(note))
    st.text(f"{source.file_name}: {len(source.columns)} columns.")  # a file name is the user's text
    st.subheader("Map the columns")
    mapping = render_mapping(source)
    st.subheader("Preview")
    try:
        order, order_settled = render_date_order(
            source, survey_fields.check_mapping(mapping, source.columns, source.hint)
        )
        frame = survey_import.preview(db, user, source, mapping, date_order=order)
        show_table(frame, labels=PREVIEW_LABELS, key="survey_preview")
        mapping_ok = True
    except InputError as error:
        show_input_error(error)
        mapping_ok = order_settled = False
        order = None
    mode = st.radio("If some rows are invalid", list(ImportMode), format_func=IMPORT_MODE_LABELS.get, key="survey_mode")
    if st.button("Import", type="primary", disabled=not (mapping_ok and order_settled), key="survey_import_run"):
        run_import(source, mapping, mode, order)

report = st.session_state.get(REPORT_KEY)
if report is not None:
    st.subheader("Import report")
    render_report(report)

st.subheader("Recent imports")
recent = survey_import.recent_imports(db, user)
if recent.empty:
    st.caption("No imports yet.")
else:
    recent["mode"] = recent["mode"].map(lambda mode: IMPORT_MODE_LABELS[ImportMode(mode)].split(" — ")[0])
    show_table(recent, labels=IMPORT_LABELS, key="survey_recent")
    download_buttons(recent, "survey-imports", "dl_survey_imports")
