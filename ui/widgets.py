"""Small widgets the pages share."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st
from babel import numbers
from streamlit.elements.lib.form_utils import current_form_id
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFile

from models import exports
from models.errors import InputError
from models.i18n import _, current_language, format_locale, format_number, parse_number, use_language
from models.paging import PAGE_SIZE
from models.settings import get_settings
from models.text import plural
from ui.text import escape_markdown


def show_input_error(error: InputError) -> None:
    """One message per bad field, naming the field (both may quote an uploaded file: shown as text)."""
    for field, message in error.problems:
        st.error(f"**{escape_markdown(field)}**: {escape_markdown(message)}")


MISSING = "—"  # what a table shows where a value is missing
_ACRONYMS = {"id": "ID", "kpi": "KPI", "nps": "NPS", "enps": "eNPS", "csat": "CSAT", "ces": "CES", "utc": "UTC"}


def column_label(name: str) -> str:
    """A column name in words: ``received_date`` → "Received date", ``customer_id`` → "Customer ID".
    A name already in words (it has capitals or spaces and no underscore) is kept as written."""
    if "_" not in name and name != name.lower():
        return name
    words = [_ACRONYMS.get(word.lower(), word) for word in name.replace("_", " ").strip().split(" ")]
    text = " ".join(words)
    return "#" if text == "ID" else text[:1].upper() + text[1:]


def _is_whole_days(column: pd.Series) -> bool:
    values = column.dropna()
    return bool(len(values) == 0 or (values == values.dt.normalize()).all())


def table_columns(frame: pd.DataFrame, labels: dict[str, str] | None = None) -> dict:
    """Column settings for ``st.dataframe``: headers in words, dates as dates, times to the minute,
    money (a header naming the currency, as "Net annual benefit (AUD)") with thousands separated."""
    money_unit = get_settings().currency
    config: dict = {}
    for name in frame.columns:
        label = (labels or {}).get(name) or column_label(str(name))
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            if _is_whole_days(column):
                config[name] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
            else:
                config[name] = st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm")
        elif pd.api.types.is_numeric_dtype(column) and f"({money_unit})" in label:
            config[name] = st.column_config.NumberColumn(label, format="localized")  # thousands separated
        else:
            config[name] = st.column_config.Column(label)
    return config


def with_labels(frame: pd.DataFrame, values: Mapping[str, Mapping[Any, str]]) -> pd.DataFrame:
    """A copy of ``frame`` whose coded columns read in words: ``{"remedy": REMEDY_LABELS}`` shows
    ``fee_waiver`` as "Fee waiver" (a value the mapping does not know is kept)."""
    labelled = frame.copy()
    for column, mapping in values.items():
        if column in labelled.columns:
            labelled[column] = labelled[column].map(lambda value, mapping=mapping: mapping.get(value, value))
    return labelled


def show_table(
    frame: pd.DataFrame,
    *,
    labels: dict[str, str] | None = None,
    values: Mapping[str, Mapping[Any, str]] | None = None,
    key: str | None = None,
    download: str | None = None,
    **extra: Any,
) -> None:
    """A table as people read it: headers in words, coded values in words (``values``, as in
    ``with_labels``), dates as dates, a dash where a value is missing. The frame keeps its
    own column names, so a download of it keeps the machine-friendly headers. With
    ``download`` (the files' name in words, as ``download_buttons`` takes it) the table's CSV
    and XLSX downloads follow it."""
    shown = with_labels(frame, values) if values else frame
    config = table_columns(shown, labels)
    config.update(extra.pop("column_config", {}))
    extra.setdefault("placeholder", MISSING)
    st.dataframe(shown, hide_index=True, width="stretch", key=key, column_config=config, **extra)
    if download is not None:
        download_buttons(frame, download, f"{key or file_stem(download)}_download")


_UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_stem(name: str) -> str:
    """A download's name (without its extension) from words in the reader's language: lower case,
    words joined by hyphens, no character a file system refuses ("Моє навчання: пройдено" →
    "моє-навчання-пройдено")."""
    return "-".join(_UNSAFE_IN_FILE_NAMES.sub(" ", name).lower().split()) or "download"


def download_buttons(
    frame: pd.DataFrame | Callable[[], pd.DataFrame], name: str, key: str, *, rows: int | None = None
) -> None:
    """CSV and XLSX downloads of a table, with formula-injection-safe cells. The files are built
    only when a button is clicked, never on a rerun, whether given the table or a function that
    returns it. A table longer than a spreadsheet should hold (``exports.XLSX_ROW_LIMIT``; give
    ``rows`` when passing a function), or a table given whole holding a text longer than a
    spreadsheet cell holds, gets the CSV only, and the page says why. ``name`` is the files'
    name in the reader's language (``_("green-lit-ideas")``), made safe by ``file_stem``."""
    build: Callable[[], pd.DataFrame] = frame if callable(frame) else lambda: frame
    stem = file_stem(name)
    if rows is None and isinstance(frame, pd.DataFrame):
        rows = len(frame)
    left, right = st.columns(2)
    left.download_button(
        _("Download CSV"),
        lambda: exports.to_csv_bytes(build()),
        f"{stem}.csv",
        "text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
    )
    if rows is not None and rows > exports.XLSX_ROW_LIMIT:
        right.caption(xlsx_too_long(rows))
        return
    if isinstance(frame, pd.DataFrame) and (long_cell := exports.longest_beyond_xlsx(frame)):
        right.caption(xlsx_text_too_long(long_cell.column, long_cell.length))
        return
    right.download_button(
        _("Download XLSX"),
        lambda: exports.to_xlsx_bytes(build()),
        f"{stem}.xlsx",
        XLSX_MIME,
        key=f"{key}_xlsx",
        icon=":material/download:",
    )


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_too_long(rows: int) -> str:
    return _(
        "No XLSX: {rows} rows are more than a spreadsheet should hold (at most {limit} rows here)."
        " Download the CSV instead.",
        rows=format_number(rows),
        limit=format_number(exports.XLSX_ROW_LIMIT),
    )


def xlsx_text_too_long(column: str, length: int) -> str:
    return _(
        "No XLSX: a text in the column “{column}” is {length} characters long, more than a spreadsheet"
        " cell holds ({limit}), and would be cut short. Download the CSV instead: it holds every text whole.",
        column=column,
        length=format_number(length),
        limit=format_number(exports.XLSX_CELL_LIMIT),
    )


def download_file(
    label: str, data: bytes | Callable[[], bytes], file_name: str, mime: str, key: str, **extra: Any
) -> None:
    """One download of a file other than a table (a PDF, a template); given a function, the file
    is built only when the button is clicked; the name is made safe as ``file_stem`` makes it."""
    stem, dot, extension = file_name.rpartition(".")
    safe_name = f"{file_stem(stem)}.{extension}" if dot else file_stem(file_name)
    st.download_button(label, data, safe_name, mime, key=key, icon=":material/download:", **extra)


def pager(
    total: int,
    key: str,
    noun: tuple[str, str] | Callable[[int], str],
    *,
    page_size: int = PAGE_SIZE,
    context: Any = None,
) -> int:
    """The first row of the page of a list to show: with more rows than a page, a page number
    and "Showing 51–100 of 5,291 accounts"; otherwise the count ("3 accounts"). A different
    ``context`` (the search, the filters) starts again at page 1.

    ``noun`` counts the rows in the current language: a function of the count, as
    ``lambda n: ngettext("{n} account", "{n} accounts", n, n=format_number(n))``; an English
    (singular, plural) pair is still shown as written."""
    pages = max(1, -(-total // page_size))
    seen = f"{key}_context"
    if st.session_state.get(seen) != repr(context):
        st.session_state[seen] = repr(context)
        st.session_state[key] = 1
    counted = noun if callable(noun) else None
    if pages == 1:
        st.caption(counted(total) if counted else plural(total, *noun))
        return 0
    if st.session_state.get(key, 1) > pages:
        st.session_state[key] = pages
    label = _("Page (of {pages})", pages=format_number(pages))
    page = st.number_input(label, min_value=1, max_value=pages, step=1, key=key, width=180)
    first = (int(page) - 1) * page_size
    shown = {"first": format_number(first + 1), "last": format_number(min(first + page_size, total))}
    if counted:
        st.caption(_("Showing {first}–{last} of {counted}", counted=counted(total), **shown))
    else:
        st.caption(f"Showing {shown['first']}–{shown['last']} of {format_number(total)} {noun[1]}")
    return first


def search_matches(label: str, key: str, find: Callable[[str], tuple[list, int]], **extra: Any) -> list:
    """A search box (outside any form) and the first options matching it, found in SQL by
    ``find(text) -> (first matches, how many match)``; says so when more match than are offered."""
    text = st.text_input(label, key=key, **extra)
    options, total = find(text)
    if total > len(options):
        st.caption(
            _(
                "Showing the first {shown} of {total} matches; type more to narrow them.",
                shown=format_number(len(options)),
                total=format_number(total),
            )
        )
    elif text.strip() and not options:
        st.caption(_("Nothing matches this search."))
    return options


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: quotes, backslashes, angle brackets and control
    characters escaped, so no text can end the string or the style element."""
    escaped = "".join(f"\\{ord(char):x} " if char in '"\\<>' or ord(char) < 32 else char for char in text)
    return f'"{escaped}"'


def uploader_style(key: str, limit_mb: int, types: list[str]) -> str:
    """CSS that shows the uploader's own words in the current language: Streamlit 1.67 writes its
    button ("Upload"), its limit ("200MB per file • CSV") and what it shows while a file is dragged
    over it ("Drag and drop a file here") in English and offers no parameter for them, so the
    English text is hidden and the catalogue's shown in its place."""
    uploader = f".st-key-{key} [data-testid='stFileUploaderDropzone']"
    limit = _("Up to {limit} MB per file", limit=format_number(limit_mb))
    drop_note = css_string(_("Drop the file here"))
    if types:
        limit += " • " + ", ".join(kind.upper() for kind in types)
    return (
        f"{uploader} button [data-testid='stMarkdownContainer'] > p {{display: none}}"
        f"{uploader} button [data-testid='stMarkdownContainer']::after {{content: {css_string(_('Choose a file'))}}}"
        f"{uploader} [data-testid='stFileUploaderDropzoneInstructions'] span {{font-size: 0}}"
        f"{uploader} [data-testid='stFileUploaderDropzoneInstructions'] span::after"
        f" {{content: {css_string(limit)}; font-size: 0.875rem}}"
        # the note over the field while a file is dragged onto it (the one div after the file input)
        f"{uploader} > input + div > span {{font-size: 0}}"
        f"{uploader} > input + div > span::after {{content: {drop_note}; font-size: 0.875rem}}"
    )


def file_upload(label: str, types: list[str], key: str) -> UploadedFile | None:
    """The one file uploader of the portal: it takes its size limit from the ``max_upload_mb``
    setting (the browser refuses a larger file) and refuses a larger file that arrives anyway,
    saying so; the uploaded file, or None."""
    limit_mb = get_settings().max_upload_mb
    st.html(f"<style>{uploader_style(key, limit_mb, types)}</style>")
    upload = st.file_uploader(label, type=types, key=key, max_upload_size=limit_mb)
    if upload is not None and upload.size > limit_mb * 1024 * 1024:
        st.error(
            _(
                "{file} is larger than {limit} MB, the largest file this portal accepts; split it into smaller files.",
                file=escape_markdown(upload.name),
                limit=format_number(limit_mb),
            )
        )
        return None
    return upload


# -- decimal fields ---------------------------------------------------------------------
# Streamlit 1.67's number input writes and accepts only a decimal point; Ukrainian, Russian and
# Lithuanian write a decimal comma and group thousands with a space. A decimal field is a labelled
# text field that shows and reads the number in the reader's language.
_DECIMAL_FIELDS = "portal_decimal_fields"  # session key: what each decimal field checks, by its key
_DECIMAL_PROBLEMS = "portal_decimal_problems"  # session key: the refusal of each field holding wrong text


def decimal_text(value: float | Decimal | None, decimals: int | None = 2) -> str:
    """A number as a decimal field shows it in the current language ("1 234,50" in Ukrainian,
    "1,234.50" in English); ``decimals=None`` shows as many digits as the value has."""
    if value is None:
        return ""
    if decimals is not None:
        return format_number(Decimal(str(value)), decimals)
    # every digit the value has (format_number's own default stops at three)
    return numbers.format_decimal(Decimal(str(value)), format="#,##0." + "#" * 12, locale=format_locale())


def _read_decimal(field: dict[str, Any], text: str) -> tuple[float | None, InputError | None]:
    """The number in ``text`` for the decimal field described by ``field`` (label, bounds,
    decimals), or the refusal naming the field and what is wrong."""
    label, decimals = field["label"], field["decimals"]
    try:
        value = parse_number(text, decimals)
    except ValueError:
        example = decimal_text(1234.5, 2 if decimals is None else max(decimals, 1))
        return None, InputError.single(
            label, _("“{typed}” is not a number; write it as {example}", typed=text.strip(), example=example)
        )
    if value is None:
        return None, (InputError.single(label, _("fill this in")) if field["required"] else None)
    low, high = field["min_value"], field["max_value"]
    if low is not None and value < Decimal(str(low)):
        return None, InputError.single(label, _("use {bound} or more", bound=decimal_text(low, decimals)))
    if high is not None and value > Decimal(str(high)):
        return None, InputError.single(label, _("use {bound} or less", bound=decimal_text(high, decimals)))
    return float(value), None


def decimal_input(
    label: str,
    *,
    key: str,
    value: float | None = None,
    min_value: float | None = None,
    max_value: float | None = None,
    decimals: int | None = 2,
    required: bool = False,
    help: str | None = None,
    placeholder: str | None = None,
) -> float | None:
    """A labelled text field for a number with decimals, in the reader's language: it shows the
    number as the language writes it ("1 234,50") and reads what is typed the same way (a plain
    point and any grouping space too). The number (None when the field is empty) is kept in
    ``st.session_state[key]``, where a page may also put one to show; the text is under
    ``f"{key}_text"``. Wrong text (not a number, below ``min_value``, above ``max_value``; empty
    when ``required``) stays as typed, is named under the field, gives None, and refuses every
    ``run_write`` of a run in which the field is drawn; a button callback reads the field with
    ``decimal_value``."""
    state = st.session_state
    text_key, shown_key = f"{key}_text", f"{key}_shown"
    field = {"label": label, "min_value": min_value, "max_value": max_value, "decimals": decimals, "required": required}
    state.setdefault(_DECIMAL_FIELDS, {})[key] = field
    language = current_language()
    if key not in state:
        state[key] = value
    number = state[key]
    shown = state.get(shown_key)  # (language, number): what the text in the field was read as
    typed = state.get(text_key)
    if typed is None or shown is None or shown[1] != number:  # new, or the page put a number here
        typed = decimal_text(number, decimals)
    elif shown[0] != language:  # the reader changed language: the same number in the new form
        with use_language(shown[0]):
            number, problem = _read_decimal(field, typed)
        if problem is None:
            typed = decimal_text(number, decimals)
    number, problem = _read_decimal(field, typed)
    if problem is None:
        typed = decimal_text(number, decimals)  # as the language writes it: "1 234,50"
    if state.get(text_key) != typed:
        state[text_key] = typed  # before the field is drawn in this run, so Streamlit allows it
    state[key] = number
    state[shown_key] = (language, number)
    st.text_input(label, key=text_key, help=help, placeholder=placeholder)
    problems = state.setdefault(_DECIMAL_PROBLEMS, {})
    if problem is None:
        problems.pop(text_key, None)
    else:
        problems[text_key] = (current_form_id(st._main), problem)  # the form it is in ("" for none)
        show_input_error(problem)
    return number


def decimal_value(key: str) -> float | None:
    """The number in the decimal field ``key`` as typed now, for a button callback (which runs
    before the field is drawn again); ``InputError`` naming the field when the text is wrong."""
    field = (st.session_state.get(_DECIMAL_FIELDS) or {}).get(key)
    if field is None:
        return st.session_state.get(key)
    # read in the language the field was shown in, whatever language the callback runs in: the
    # person typed "350 000,50" into a Ukrainian field
    shown = st.session_state.get(f"{key}_shown")
    with use_language(shown[0]) if shown else contextlib.nullcontext():
        number, problem = _read_decimal(field, st.session_state.get(f"{key}_text") or "")
    if problem is not None:
        raise problem
    return number


def decimal_problems() -> InputError | None:
    """The refusal naming every decimal field drawn in this run whose text is wrong (None when
    all read as numbers): ``run_write`` stores nothing while there is one. Called inside a form,
    only that form's fields count: wrong text left in another form holds up nothing else.

    The reason itself is already shown under each field; the refusal only names the fields."""
    problems: dict[str, tuple[str, InputError]] = st.session_state.get(_DECIMAL_PROBLEMS) or {}
    if not problems:
        return None
    # the keys of the widgets drawn so far in this run (Streamlit 1.67's run state); without it,
    # every field that held wrong text when it was last drawn counts
    ctx = get_script_run_ctx()
    drawn = getattr(getattr(ctx, "shared", None), "widget_user_keys_this_run", None)
    form = current_form_id(st._main)
    found = [
        (label, _("nothing was saved; correct the text under this field"))
        for key, (field_form, error) in problems.items()
        if (drawn is None or key in drawn) and (not form or field_form == form)
        for label, _reason in error.problems
    ]
    return InputError(found) if found else None
