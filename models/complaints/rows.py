"""The complaints themselves, raw rows with narratives (analysts and leaders only): a page of
those behind a chart, and every complaint of a filter as CSV, streamed in batches so a
million complaints never sit in memory at once.

The CSV's cells are safe the way ``models.exports`` makes them, done by DuckDB: every text
cell is normalised (line breaks as LF, no other control character) and each of its lines
that starts with ``=``, ``+``, ``-``, ``@`` or a tab gets a leading apostrophe."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow.csv as arrow_csv

from models.access import CurrentUser, Permission, require
from models.cache import cached_aggregate
from models.complaints.analysis import ComplaintFilter, filter_sql
from models.exports import XLSX_CELL_LIMIT, LongCell

if TYPE_CHECKING:
    from models.db import Database

ROW_COLUMNS = (
    "id",
    "external_id",
    "received_date",
    "channel",
    "product",
    "product_group",
    "category",
    "sub_category",
    "unit",
    "customer_id",
    "region",
    "resolution_date",
    "resolution_days",
    "response",
    "timely",
    "narrative",
)
CSV_BATCH_ROWS = 20_000
_ORDER = " ORDER BY received_date DESC, id DESC"
# the same rule as models.text.normalise_text and models.exports.neutralise, in RE2 syntax
_CONTROLS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x{9f}\x{fffe}\x{ffff}]"


def _safe_text(column: str) -> str:
    normalised = f"regexp_replace(regexp_replace({column}, '\\r\\n?', chr(10), 'g'), '{_CONTROLS}', '', 'g')"
    return f"regexp_replace({normalised}, '(?m)^([=+\\-@\\t])', '''\\1', 'g')"


def safe_text_sql(column: str) -> str:
    """A DuckDB expression: the text ``column`` as a spreadsheet may read it (see the module)."""
    return f"{_safe_text(column)} AS {column}"


def complaint_page(
    db: Database,
    actor: CurrentUser,
    complaint_filter: ComplaintFilter,
    drill: dict[str, Any] | None = None,
    *,
    offset: int = 0,
    limit: int = 50,
) -> pd.DataFrame:
    """A page of the complaints of a filter and drill-down, newest first; ``analysis.count_rows``
    gives the total."""
    require(actor, Permission.COMPLAINTS_RAW)
    where, params = filter_sql(complaint_filter, drill)
    return db.frame(
        f"SELECT {', '.join(ROW_COLUMNS)} FROM complaints {where}{_ORDER} LIMIT ? OFFSET ?",  # noqa: S608
        [*params, limit, offset],
    )


def longest_beyond_xlsx(
    db: Database, actor: CurrentUser, complaint_filter: ComplaintFilter, drill: dict[str, Any] | None = None
) -> LongCell | None:
    """The longest text of a filter's complaints as a download writes it (``LongCell``, its
    column named by its field), when it is longer than an XLSX cell holds; ``None`` when every
    text fits (see ``exports.longest_beyond_xlsx``)."""
    require(actor, Permission.COMPLAINTS_RAW)
    return _longest_beyond_xlsx(db, complaint_filter, drill)


@cached_aggregate(tables=("complaints",), reads_copy=False)  # the narratives are not in an analysis copy
def _longest_beyond_xlsx(
    db: Database, complaint_filter: ComplaintFilter, drill: dict[str, Any] | None
) -> LongCell | None:
    where, params = filter_sql(complaint_filter, drill)
    text = [column for column in ROW_COLUMNS if column in _text_columns(db)]
    half = XLSX_CELL_LIMIT // 2  # a text this long or shorter fits however it is neutralised
    lengths = ", ".join(
        f"max(CASE WHEN length({column}) > {half} THEN length({_safe_text(column)}) ELSE length({column}) END)"
        f" AS {column}"
        for column in text
    )
    row = db.query_one(f"SELECT {lengths} FROM complaints {where}", params) or {}  # noqa: S608
    longest = max(text, key=lambda column: row.get(column) or 0)
    length = row.get(longest) or 0
    return LongCell(longest, length) if length > XLSX_CELL_LIMIT else None


def _text_columns(db: Database) -> set[str]:
    rows = db.query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'complaints' AND data_type = 'VARCHAR'"
    )
    return {row["column_name"] for row in rows}


def csv_chunks(
    db: Database,
    actor: CurrentUser,
    complaint_filter: ComplaintFilter,
    drill: dict[str, Any] | None = None,
    *,
    batch_rows: int = CSV_BATCH_ROWS,
) -> Iterator[bytes]:
    """Every complaint of a filter (and drill-down), newest first, as UTF-8 CSV with a byte-order
    mark, in pieces of ``batch_rows`` rows. The permission is checked at once, before the
    first piece is asked for."""
    require(actor, Permission.COMPLAINTS_RAW)
    where, params = filter_sql(complaint_filter, drill)
    text = _text_columns(db)
    columns = ", ".join(safe_text_sql(column) if column in text else column for column in ROW_COLUMNS)
    sql = f"SELECT {columns} FROM complaints {where}{_ORDER}"  # noqa: S608 - fixed text, values are parameters
    connection = db.reader().cursor()  # its own connection: the stream outlives this call
    connection.execute(sql, params)

    def pieces() -> Iterator[bytes]:
        try:
            reader = connection.to_arrow_reader(batch_rows)
            yield "\ufeff".encode()
            header = True
            for batch in reader:
                buffer = io.BytesIO()
                arrow_csv.write_csv(batch, buffer, arrow_csv.WriteOptions(include_header=header))
                header = False
                yield buffer.getvalue()
            if header:  # no complaint: the header alone
                yield (",".join(ROW_COLUMNS) + "\n").encode()
        finally:
            connection.close()

    return pieces()
