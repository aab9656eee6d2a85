"""Import complaints (analysts): upload a CSV or XLSX export, map its columns to the
portal's fields, preview, import in one transaction and read the report."""

import pandas as pd
import streamlit as st

from models.complaints import conversion, field_mapping, importer, sources
from models.complaints.analysis import FIELDS_BY_KEY, PORTAL_FIELDS
from models.complaints.dates import DateOrder
from models.complaints.field_mapping import PRESET_LABELS
from models.complaints.importer import IMPORT_MODE_LABELS, ImportMode, ImportRejectedError
from models.errors import InputError
from models.i18n import N_, _, current_language, format_number, ngettext, use_language
from ui.context import page_context
from ui.imports import render_date_order
from ui.text import escape_markdown
from ui.widgets import download_buttons, file_upload, show_input_error, show_table
from ui.writes import run_write

user, db, settings = page_context()
NOT_MAPPED = ""  # the mapping choice for a field the file does not hold
GUESS = "guess"
SOURCE_KEY = "complaint_import_source"
REPORT_KEY = "complaint_import_report"
LAYOUT_KEY = "complaint_import_layout"  # the upload's sheets, and the sheet and header row found
IMPORT_LABELS = {
    "imported_at": N_("Imported at (UTC)"),
    "file_name": N_("File"),
    "mode": N_("Mode"),
    "records_read": N_("Rows read"),
    "rows_imported": N_("Imported"),
    "rows_already_present": N_("Already in the portal"),
    "rows_repeated_in_file": N_("Repeated in the file"),
    "rows_rejected": N_("Rejected"),
}
REJECTION_LABELS = {"row": N_("Row"), "column": N_("Column"), "reason": N_("Problem"), "value": N_("Value")}
RECORD_NOTE = N_(
    "Row numbers count the complaints after the header row (row 1 is the first complaint); "
    "a narrative that spans several lines is still one row, so they can differ from a text editor's line numbers."
)


def translated(labels: dict[str, str]) -> dict[str, str]:
    """A table's column labels in the reader's language."""
    return {name: _(label) for name, label in labels.items()}


def field_labels() -> dict[str, str]:
    """The portal's fields in the reader's language, for the preview's headers."""
    return {field.key: _(field.label) for field in PORTAL_FIELDS} | {"record": _("Row"), "problem": _("Problem")}


def current_source(upload, encoding: str, sheet: str | None, header_row: int | None) -> sources.SourceFile | None:
    """The uploaded file, opened once per upload, encoding, sheet and header row and kept for the session."""
    held = st.session_state.get(SOURCE_KEY)
    if upload is None:
        if held is not None:
            held[1].close()
            del st.session_state[SOURCE_KEY]
        return None
    identity = (upload.file_id, encoding, sheet, header_row)
    if held is not None and held[0] == identity:
        return held[1]
    if held is not None:
        held[1].close()
        del st.session_state[SOURCE_KEY]
    source = sources.open_upload(
        upload.getvalue(),
        upload.name,
        encoding=encoding,
        max_bytes=settings.max_upload_mb * 1024 * 1024,
        sheet=sheet,
        header_row=header_row,
    )
    st.session_state[SOURCE_KEY] = (identity, source)
    return source


def layout_keys(upload) -> tuple[str, str]:
    """Session keys of the sheet and header-row choices: a new upload or sheet starts afresh."""
    sheet_key = f"import_sheet_{upload.file_id}"
    return sheet_key, f"import_header_{upload.file_id}_{st.session_state.get(sheet_key)}"


def render_layout(upload, source: sources.SourceFile | None) -> None:
    """The sheet and the header row: found when the file was first opened, changed here when
    the finding is wrong (still offered when the file cannot be read as chosen)."""
    if source is not None and source_layout_chosen(upload) == (None, None):
        st.session_state[LAYOUT_KEY] = (upload.file_id, source.kind, source.sheets, source.sheet, source.header_row)
    found = st.session_state.get(LAYOUT_KEY)
    if found is None or found[0] != upload.file_id:
        return
    _file_id, kind, sheets, sheet, header_row = found
    sheet_key, header_key = layout_keys(upload)
    left, right = st.columns(2)
    if kind == "xlsx":
        left.selectbox(_("Sheet"), sheets, index=None, placeholder=_("{value} (found)", value=sheet), key=sheet_key)
    right.number_input(
        _("Header row") if kind == "xlsx" else _("Header line"),
        min_value=1,
        value=None,
        step=1,
        placeholder=_("{value} (found)", value=header_row),
        key=header_key,
    )
    for note in source.notes if source is not None else []:
        st.info(escape_markdown(note))


def source_layout_chosen(upload) -> tuple[str | None, int | None]:
    """The sheet and header row the user chose for this upload (None: as found)."""
    sheet_key, header_key = layout_keys(upload)
    return st.session_state.get(sheet_key), st.session_state.get(header_key)


def render_date_orders(source: sources.SourceFile, mapping: dict[str, str]) -> tuple[dict[str, DateOrder], bool]:
    """The order of each mapped date column, as found from all its values or as chosen here;
    and whether every column whose values fit several orders equally has been given one."""
    guesses = conversion.guess_date_orders(source, mapping)
    orders: dict[str, DateOrder] = {}
    settled = True
    for key, guess in guesses.items():
        chosen, column_settled = render_date_order(key, source, guess, _(FIELDS_BY_KEY[key].label))
        settled = settled and column_settled
        if chosen is not None:
            orders[key] = chosen
    return orders, settled


def best_preset(columns: list[str]) -> str:
    """The preset that recognises most of the file's columns (guessing when none does)."""
    scores = {preset.value: len(field_mapping.suggest_mapping(columns, preset)) for preset in field_mapping.Preset}
    best = max(scores, key=lambda name: scores[name])
    return best if scores[best] else GUESS


def render_mapping(source: sources.SourceFile, preset_choice: str) -> dict[str, str]:
    preset = None if preset_choice == GUESS else field_mapping.Preset(preset_choice)
    suggested = field_mapping.suggest_mapping(source.columns, preset)
    choices = [NOT_MAPPED, *source.columns]
    shown = {NOT_MAPPED: _("— not in this file —")} | {column: column for column in source.columns}
    mapping: dict[str, str] = {}
    columns = st.columns(3)
    for index, field in enumerate(PORTAL_FIELDS):
        default = suggested.get(field.key)
        label = _(field.label) + (" *" if field.required else "")
        chosen = columns[index % 3].selectbox(
            label,
            choices,
            index=choices.index(default) if default in choices else 0,
            format_func=shown.__getitem__,
            key=f"map_{preset_choice}_{source.sha256[:12]}_{source.sheet}_{source.header_row}_{field.key}",
            help=_(field.help) if field.help else None,
        )
        if chosen != NOT_MAPPED:
            mapping[field.key] = chosen
    return mapping


def render_report(report: importer.ImportReport) -> None:
    if report.stored:
        st.success(_("Import #{id} done. {summary}", id=report.import_id, summary=report.summary))
    else:
        st.error(_("Nothing was imported. {summary}", summary=report.summary))
    if report.rejections:
        st.caption(_(RECORD_NOTE))
        frame = pd.DataFrame([r.model_dump() for r in report.rejections]).rename(columns={"record": "row"})
        if report.rejected_records > len(report.rejections):
            st.caption(
                ngettext(
                    "Listing the first {n} problem.",
                    "Listing the first {n} problems.",
                    len(report.rejections),
                    n=format_number(len(report.rejections)),
                )
            )
        show_table(frame, labels=translated(REJECTION_LABELS))
        download_buttons(frame, _("complaint-import-rejections"), "dl_rejections")


st.title(_("Import complaints"))
st.caption(
    _(
        "CSV or XLSX from any complaint system. Map its columns to the portal's fields; "
        "presets fill the mapping for the CFPB Consumer Complaint Database and for the portal's own template."
    )
)
st.download_button(
    _("Download the portal's import template"),
    field_mapping.template_csv,
    _("complaints-template") + ".csv",
    "text/csv",
    icon=":material/download:",
    key="complaint_template",
)

left, right = st.columns([3, 1])
with left:
    upload = file_upload(_("Complaint file"), ["csv", "xlsx", "txt"], key="complaint_upload")
encodings = {code: _(name) for code, name in sources.ENCODINGS.items()}
encoding = right.selectbox(
    _("Text encoding (CSV)"), list(encodings), format_func=encodings.__getitem__, key="import_encoding"
)
source = failure = None
try:
    chosen_layout = source_layout_chosen(upload) if upload is not None else (None, None)
    source = current_source(upload, encoding, *chosen_layout)
except InputError as error:
    failure = error
if upload is not None:
    render_layout(upload, source)
if failure is not None:
    show_input_error(failure)

if source is not None:
    st.text(  # a file name is the user's text
        ngettext(
            "{file}: {n} column.",
            "{file}: {n} columns.",
            len(source.columns),
            file=source.file_name,
            n=format_number(len(source.columns)),
        )
    )
    presets = {preset.value: _(label) for preset, label in PRESET_LABELS.items()} | {
        GUESS: _("Guess from the column names")
    }
    preset_choices = [field_mapping.Preset.CFPB.value, field_mapping.Preset.PORTAL.value, GUESS]
    preset_choice = st.radio(
        _("Preset"),
        preset_choices,
        index=preset_choices.index(best_preset(source.columns)),
        format_func=presets.__getitem__,
        horizontal=True,
        key=f"import_preset_{source.sha256[:12]}",
    )
    st.subheader(_("Map the columns"))
    mapping = render_mapping(source, preset_choice)
    st.subheader(_("Preview"))
    try:
        orders, orders_settled = render_date_orders(source, conversion.checked_mapping(source, mapping))
        show_table(conversion.preview(source, mapping, orders=orders), labels=field_labels())
        mapping_ok = True
    except InputError as error:
        show_input_error(error)
        mapping_ok = orders_settled = False
        orders = {}
    modes = {mode: _(label) for mode, label in IMPORT_MODE_LABELS.items()}
    mode = st.radio(_("If some rows are invalid"), list(modes), format_func=modes.__getitem__, key="import_mode")
    if st.button(_("Import"), type="primary", disabled=not (mapping_ok and orders_settled), key="import_run"):
        bar = st.progress(0.0, text=_("Starting…"))

        language = current_language()

        def show_progress(share: float, step: str) -> None:
            with use_language(language):  # the import may report from the portal's writer thread
                bar.progress(min(share, 1.0), text=_(step))

        def run_import() -> importer.ImportReport:
            try:
                return importer.import_complaints(
                    db,
                    user,
                    source,
                    mapping,
                    mode,
                    progress=show_progress,
                    orders=orders,
                )
            except ImportRejectedError as refused:
                return refused.report  # reported row by row below, like an import that went through

        imported = run_write(run_import)
        if imported:
            st.session_state[REPORT_KEY] = imported.value
        bar.empty()

report = st.session_state.get(REPORT_KEY)
if report is not None:
    st.subheader(_("Import report"))
    render_report(report)

st.subheader(_("Recent imports"))
recent = importer.recent_imports(db, user)
if recent.empty:
    st.caption(_("No imports yet."))
else:
    recent["mode"] = recent["mode"].map(lambda mode: _(IMPORT_MODE_LABELS[ImportMode(mode)]).split(" — ")[0])
    show_table(recent, labels=translated(IMPORT_LABELS))
    download_buttons(recent, _("complaint-imports"), "dl_imports")
