"""The pieces every mapped file import shares (LMS completions, survey answers, mystery audits):
a file's mapped columns staged as cleaned text, per-row problems written as SQL, the date
order chosen or guessed, and the temporary tables dropped afterwards.

Each import keeps its own conversion (what a row means and when it is valid); these helpers
only stage, describe and clean up."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import duckdb

from models.complaints.conversion import _cleaned, _quote, guess_date_orders
from models.complaints.dates import DATE_MACROS, DateGuess, DateOrder
from models.complaints.field_mapping import ExpectedRows, Mapping, _normalise_name
from models.complaints.sources import SourceFile, _extra_values_sql, _registered, _relation_params, _relation_sql
from models.errors import InputError
from models.i18n import _


def text_sql(mapping: Mapping, key: str) -> str:
    """The cleaned text of the column mapped to ``key`` (NULL when none is)."""
    return _cleaned(_quote(mapping[key])) if key in mapping else "CAST(NULL AS VARCHAR)"


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def problem_sql(condition: str, column: str, reason: str, value: str = "NULL") -> str:
    """One problem of a row, as a struct when ``condition`` holds (SQL expressions throughout)."""
    return f"CASE WHEN {condition} THEN {{'column': {column}, 'reason': {reason}, 'value': {value}}} END"


def rejections_sql(problems: Sequence[str], table: str) -> str:
    """One row per problem of each invalid row of ``table``: row number, column, reason, value."""
    return (
        "SELECT row_no, problem.column AS column_name, problem.reason, problem.value FROM ("
        f" SELECT row_no, unnest(list_filter([{', '.join(problems)}], p -> p IS NOT NULL)) AS problem"
        f" FROM {table} WHERE NOT valid) ORDER BY row_no, column_name"
    )


def stage_source(
    connection: duckdb.DuckDBPyConnection,
    source: SourceFile,
    mapping: Mapping,
    keys: Iterable[str],
    table: str,
    limit: int | None = None,
) -> None:
    """The file's rows as the temporary table ``table``: ``<key>_text`` for each field key, and
    ``extra_values`` (more values than the header names), in file order."""
    texts = ", ".join(f"{text_sql(mapping, key)} AS {key}_text" for key in keys)
    limit_sql = f" LIMIT {int(limit)}" if limit is not None else ""
    connection.execute(DATE_MACROS)
    with _registered(connection, source):
        connection.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {texts}, {_extra_values_sql(source)} AS extra_values"
            f" FROM {_relation_sql(source)}{limit_sql}",
            _relation_params(source),
        )


def drop_tables(connection: duckdb.DuckDBPyConnection, *tables: str) -> None:
    for table in tables:
        with contextlib.suppress(duckdb.Error):
            connection.execute(f"DROP TABLE IF EXISTS {table}")


def date_order_guess(source: SourceFile, mapping: Mapping, key: str) -> DateGuess | None:
    """How the values of the column mapped to ``key`` fit each date order, and the order
    chosen; None when no column is mapped to it."""
    return guess_date_orders(source, mapping, (key,)).get(key)


def chosen_date_order(
    source: SourceFile,
    mapping: Mapping,
    key: str,
    chosen: DateOrder | str | None,
    *,
    guess_ties: bool,
    field_label: str,
) -> DateOrder:
    """The order given, else the one the column's values fit best; a tie is refused (naming
    ``field_label``) unless ``guess_ties`` (a preview shows the first of the tied orders)."""
    if chosen is not None:
        if chosen not in set(DateOrder):
            raise InputError.single(_("Date order"), _("use one of {choices}", choices=", ".join(DateOrder)))
        return DateOrder(chosen)
    guess = date_order_guess(source, mapping, key)
    if guess is None:
        return DateOrder.YMD
    if guess.ambiguous and not guess_ties:
        raise InputError.single(
            _(field_label),
            _("{guess} ({orders}); nothing was imported", guess=guess.describe(), orders="/".join(guess.tied)),
        )
    return guess.order


# -- the fields of an export and how a file's columns map to them ----------------------------
@dataclass(frozen=True)
class ImportField:
    key: str
    label: str
    synonyms: tuple[str, ...]  # column names exports use for it
    help: str


@dataclass(frozen=True)
class FieldList:
    """The fields of one kind of export: which are required, the names files give them, and
    the checks on a mapping of a file's columns to them."""

    fields: tuple[ImportField, ...]  # labels (and the words below) marked for the catalogue, translated where said
    required: tuple[str, ...]
    noun: str  # the rows in words: "survey answers"
    needed: str  # what to map, in words: "the date, channel, survey type and score"
    one_of: tuple[str, ...] = ()  # fields of which at least one is required (e.g. employee number or email)
    one_of_problem: tuple[str, str] = ("", "")  # the field named and the message when none of them is mapped
    by_key: dict[str, ImportField] = field(init=False, repr=False)
    _known: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        known: dict[str, str] = {}
        for item in self.fields:
            for name in (item.key, item.label, *item.synonyms):
                known.setdefault(_normalise_name(name), item.key)
        object.__setattr__(self, "by_key", {item.key: item for item in self.fields})
        object.__setattr__(self, "_known", known)

    @property
    def expected_rows(self) -> ExpectedRows:
        return ExpectedRows(self.noun, lambda names: len(self.suggest_mapping(names)))

    def suggest_mapping(self, columns: list[str]) -> Mapping:
        """Each field's first column whose name is the field's, its label or a synonym."""
        mapping: Mapping = {}
        for column in columns:
            key = self._known.get(_normalise_name(column))
            if key is not None and key not in mapping:
                mapping[key] = column
        return mapping

    def check_mapping(self, mapping: Mapping, columns: list[str], hint: str | None = None) -> Mapping:
        """The mapping without empty choices; errors name the field and the column, in the
        current language (the file's column names as the file gives them)."""
        cleaned = {key: column for key, column in mapping.items() if column}
        label = {key: _(item.label) for key, item in self.by_key.items()}
        problems = [
            (_("Mapping"), _("{key} is not a field of {rows}", key=repr(key), rows=_(self.noun)))
            for key in cleaned
            if key not in self.by_key
        ]
        if not any(column in columns for column in cleaned.values()):
            listed = ", ".join(columns[:12]) or _("no columns")
            needed = _(self.needed)
            problems.append(
                (
                    _("File"),
                    _(
                        "none of its columns can be used, but {hint}: map {needed} (the file has: {columns})",
                        hint=hint,
                        needed=needed,
                        columns=listed,
                    )
                    if hint
                    else _(
                        "none of its columns can be used: map {needed} (the file has: {columns})",
                        needed=needed,
                        columns=listed,
                    ),
                )
            )
        else:
            problems += [
                (label[key], _("column {column} is not in the file", column=repr(column)))
                for key, column in cleaned.items()
                if key in self.by_key and column not in columns
            ]
        if self.one_of and not any(key in cleaned for key in self.one_of):
            field_name, message = self.one_of_problem
            problems.append((_(field_name), _(message)))
        problems += [
            (label[key], _("choose the column that holds it (required)")) for key in self.required if key not in cleaned
        ]
        used: dict[str, str] = {}
        for key, column in cleaned.items():
            if column in used and key in self.by_key:
                problems.append(
                    (
                        label[key],
                        _(
                            "column {column} is already mapped to {field}",
                            column=repr(column),
                            field=label[used[column]],
                        ),
                    )
                )
            used.setdefault(column, key)
        if problems:
            raise InputError(problems)
        return cleaned
