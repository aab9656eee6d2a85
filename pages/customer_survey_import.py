"""Import survey answers (analysts): upload a survey tool's export, map its columns, preview it
with the date order chosen, import it and read (and download) the per-row report."""

import streamlit as st

from models.complaints.sources import ENCODINGS, SourceFile
from models.customers import survey_fields, survey_import
from models.customers.scores import DEFINITIONS
from models.customers.survey_import import IMPORT_MODE_LABELS, ImportMode, SurveyImportRejectedError
from models.errors import InputError
from models.i18n import _, format_number, ngettext
from ui import imports
from ui.context import page_context
from ui.text import escape_markdown
from ui.widgets import download_buttons, file_upload, show_input_error, show_table
from ui.writes import run_write

user, db, settings = page_context()
REPORT_KEY = "survey_import_report"
PREVIEW_LABELS = {
    "row": _("Row"),
    "problem": _("Problem"),
    "answered_on": _("Date"),
    "survey_type": _("Survey type"),
    "customer_id": _("Customer ID"),
    "external_id": _("External ID"),
    "channel": _("Channel"),
    "team": _("Team or unit"),
    "score": _("Score"),
    "comment": _("Comment"),
}
IMPORT_LABELS = {
    "started_at": _("Started at (UTC)"),
    "file_name": _("File"),
    "rows_read": _("Rows read"),
    "rows_imported": _("Imported"),
    "rows_duplicate": _("Duplicates"),
    "rows_without_team": _("Without a team"),
    "rows_rejected": _("Rejected"),
    "mode": _("Mode"),
    "status": _("Status"),
    "imported_by": _("Imported by"),
}
REPORT_LABELS = {
    "row": _("Row"),
    "outcome": _("Outcome"),
    "column": _("Column"),
    "reason": _("Reason"),
    "value": _("Value"),
}
ROW_NOTE = _("Row numbers count the answers after the header row (row 1 is the first answer).")


def render_report(report: survey_import.SurveyImportReport) -> None:
    if report.stored:
        st.success(_("Import #{number} done.", number=report.import_id) + " " + report.summary)
    else:
        st.error(_("Nothing was imported.") + " " + report.summary)
    if report.rejections or report.team_notes:
        st.caption(ROW_NOTE)
        frame = report.report_frame()
        if report.rejected_rows > len(report.rejections):
            st.caption(_("Listing the first {count} problems.", count=format_number(len(report.rejections))))
        show_table(frame, labels=REPORT_LABELS, key="survey_rejections")
        download_buttons(frame, _("survey-import-report"), "dl_survey_report")


def run_import(source: SourceFile, mapping: dict[str, str], mode: str, order) -> None:
    bar = st.progress(0.0, text=_("Starting…"))

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


st.title(_("Import survey answers"))
st.caption(
    _(
        "CSV or XLSX exported from any survey tool: the date, channel, team or unit, survey type (NPS, CSAT or CES), "
        "score, the customer's comment and optionally the customer id and the tool's id of the answer."
    )
    + " "
    + " ".join(_(text) for text in DEFINITIONS.values())
)
st.caption(
    _(
        "Scores: NPS 0–10, CSAT 1–5, CES 1–7, whole numbers. A team or unit that names no portal team is kept as "
        "the unit given: the answer counts for the organisation and its channel but for no team, and the report "
        "lists it."
    )
)
st.download_button(
    _("Download the import template"),
    survey_fields.template_csv,
    _("survey-answers-template") + ".csv",
    "text/csv",
    icon=":material/download:",
    key="survey_template",
)

left, right = st.columns([3, 1])
with left:
    upload = file_upload(_("Survey export"), ["csv", "xlsx", "txt"], key="survey_upload")
encoding = right.selectbox(
    _("Text encoding (CSV)"),
    list(ENCODINGS),
    format_func={code: _(name) for code, name in ENCODINGS.items()}.get,
    key="survey_encoding",
)
source = None
if upload is not None:
    sheet, header_row = imports.render_layout("survey", upload)
    try:
        source = imports.current_source(
            "survey", survey_import.open_upload, upload, encoding, sheet, header_row, settings.max_upload_mb
        )
    except InputError as error:
        show_input_error(error)
else:
    imports.current_source("survey", survey_import.open_upload, None, encoding, None, None, settings.max_upload_mb)

if source is not None:
    imports.remember_sheets("survey", upload, source)
    for note in source.notes:
        st.info(escape_markdown(note))
    st.text(
        ngettext("{file}: {n} column.", "{file}: {n} columns.", len(source.columns), file=source.file_name)
    )  # a file name is the user's text
    st.subheader(_("Map the columns"))
    mapping = imports.render_mapping(
        "survey",
        source,
        survey_fields.SURVEY_FIELDS,
        survey_fields.REQUIRED_FIELDS,
        survey_fields.suggest_mapping(source.columns),
    )
    st.subheader(_("Preview"))
    try:
        guess = survey_import.date_order_guess(
            source, survey_fields.check_mapping(mapping, source.columns, source.hint)
        )
        order, order_settled = imports.render_date_order("survey", source, guess, _("Date"))
        frame = survey_import.preview(db, user, source, mapping, date_order=order)
        show_table(frame, labels=PREVIEW_LABELS, key="survey_preview")
        mapping_ok = True
    except InputError as error:
        show_input_error(error)
        mapping_ok = order_settled = False
        order = None
    mode = st.radio(
        _("If some rows are invalid"),
        list(ImportMode),
        format_func={mode: _(label) for mode, label in IMPORT_MODE_LABELS.items()}.get,
        key="survey_mode",
    )
    if st.button(_("Import"), type="primary", disabled=not (mapping_ok and order_settled), key="survey_import_run"):
        run_import(source, mapping, mode, order)

report = st.session_state.get(REPORT_KEY)
if report is not None:
    st.subheader(_("Import report"))
    render_report(report)

st.subheader(_("Recent imports"))
recent = survey_import.recent_imports(db, user)
if recent.empty:
    st.caption(_("No imports yet."))
else:
    recent["mode"] = recent["mode"].map(lambda mode: _(IMPORT_MODE_LABELS[ImportMode(mode)]).split(" — ")[0])
    show_table(recent, labels=IMPORT_LABELS, key="survey_recent")
    download_buttons(recent, _("survey-imports"), "dl_survey_imports")
