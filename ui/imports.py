"""The screens of a mapped file import (LMS completions, survey answers, mystery audits): the
uploaded file opened once, its sheet and header row, the column mapping and the date order.
Each import's page passes its prefix (the widgets' keys), its opener and its fields."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from models.complaints.dates import DATE_ORDER_LABELS, DateGuess, DateOrder
from models.complaints.sources import ENCODINGS, SourceFile
from models.complaints.staging import ImportField
from models.i18n import _, format_number, ngettext
from ui.text import escape_markdown

NOT_MAPPED = "— not in this file —"  # the choice's value; shown in the current language
Opener = Callable[..., SourceFile]


def current_source(
    prefix: str, opener: Opener, upload: Any, encoding: str, sheet: str | None, header_row: int | None, max_mb: int
) -> SourceFile | None:
    """The uploaded export, opened once per upload, encoding, sheet and header row (the one
    held before is closed when another is opened, or when the upload is removed)."""
    key = f"{prefix}_import_source"
    held = st.session_state.get(key)
    identity = None if upload is None else (upload.file_id, encoding, sheet, header_row)
    if held is not None and held[0] == identity:
        return held[1]
    if held is not None:
        held[1].close()
        del st.session_state[key]
    if upload is None:
        return None
    source = opener(
        upload.getvalue(),
        upload.name,
        encoding=encoding,
        max_bytes=max_mb * 1024 * 1024,
        sheet=sheet,
        header_row=header_row,
    )
    st.session_state[key] = (identity, source)
    return source


def choose_encoding(column: DeltaGenerator, key: str) -> str:
    """The text encoding of a CSV export (a code of ``ENCODINGS``), each named in the reader's
    language; the code is what is kept, so a language switch keeps the choice."""
    names = {code: _(name) for code, name in ENCODINGS.items()}
    return column.selectbox(_("Text encoding (CSV)"), list(names), format_func=names.__getitem__, key=key)


def render_layout(prefix: str, upload: Any) -> tuple[str | None, int | None]:
    """The sheet (of a workbook) and the header row, when the ones found are wrong."""
    left, right = st.columns(2)
    sheets = st.session_state.get(f"{prefix}_sheets_{upload.file_id}") or []
    sheet = None
    if len(sheets) > 1:
        sheet = left.selectbox(
            _("Sheet"), sheets, index=None, placeholder=_("As found"), key=f"{prefix}_sheet_{upload.file_id}"
        )
    header_row = right.number_input(
        _("Header row"),
        min_value=1,
        value=None,
        step=1,
        placeholder=_("As found"),
        key=f"{prefix}_header_{upload.file_id}",
    )
    return sheet, int(header_row) if header_row else None


def remember_sheets(prefix: str, upload: Any, source: SourceFile) -> None:
    st.session_state[f"{prefix}_sheets_{upload.file_id}"] = source.sheets


def describe_source(source: SourceFile) -> None:
    """What reading the file noticed, and how many columns it has (the file name is the user's text)."""
    for note in source.notes:
        st.info(escape_markdown(note))
    st.text(
        ngettext(
            "{file}: {count} column.",
            "{file}: {count} columns.",
            len(source.columns),
            file=source.file_name,
            count=format_number(len(source.columns)),
        )
    )


def render_mapping(
    prefix: str,
    source: SourceFile,
    fields: Sequence[ImportField],
    required: Sequence[str],
    suggested: dict[str, str],
    note: str | None = None,
) -> dict[str, str]:
    """A choice of column per field, the suggested one first."""
    choices = [NOT_MAPPED, *source.columns]
    mapping: dict[str, str] = {}
    columns = st.columns(3)
    for index, field in enumerate(fields):
        default = suggested.get(field.key)
        chosen = columns[index % 3].selectbox(
            _(field.label) + (" *" if field.key in required else ""),
            choices,
            format_func=lambda column, none=_(NOT_MAPPED): none if column == NOT_MAPPED else column,
            index=choices.index(default) if default in choices else 0,
            key=f"{prefix}_map_{source.sha256[:12]}_{source.sheet}_{source.header_row}_{field.key}",
            help=_(field.help),
        )
        if chosen != NOT_MAPPED:
            mapping[field.key] = chosen
    st.caption(_("\\* required.") if note is None else note)
    return mapping


def render_date_order(
    prefix: str, source: SourceFile, guess: DateGuess | None, label: str
) -> tuple[DateOrder | None, bool]:
    """The order of the dates of the column ``label``, as found from all its values or as
    chosen here; and whether it is settled (dates that fit several orders equally need a choice)."""
    if guess is None:
        return None, True
    choices = list(DateOrder)
    chosen = st.selectbox(
        _("Date order — {field}", field=label),
        choices,
        index=None if guess.ambiguous else choices.index(guess.order),
        format_func={order: _(DATE_ORDER_LABELS[order]) for order in choices}.get,
        placeholder=_("Choose the order the file uses"),
        key=f"{prefix}_date_order_{source.sha256[:12]}_{guess.column}",
    )
    message = escape_markdown(
        _(
            "{field} (column {column}): {description}.",
            field=label,
            column=repr(guess.column),
            description=guess.describe(),
        )
    )
    if guess.ambiguous:
        st.warning(message)
    else:
        st.caption(message)
    return chosen, chosen is not None
