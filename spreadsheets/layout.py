"""What a template's sheets and columns are, and how a table from a file is matched to them.

Columns are found by their header text in any of the app's languages, so a file made with
the English interface imports under the Indonesian one, and columns may come in any order.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from bartim.models import YEAR_MAX, YEAR_MIN
from helpers.formatting import format_number
from spreadsheets import cells
from spreadsheets.cells import CellError
from spreadsheets.reading import Table

REQUIRED = object()
HEADER_SEARCH_ROWS = 10


def normalize(text) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


def in_every_language(label) -> set[str]:
    names = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(normalize(label))
    return names


def display(value) -> str:
    """A value as the preview shows it, in the interface's number format."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        places = max(0, -value.normalize().as_tuple().exponent)
        return format_number(value, places)
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, frozenset | set):
        return "; ".join(sorted(value)) or "–"
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


@dataclass(frozen=True)
class Choice:
    code: str
    label: Any

    def names(self) -> set[str]:
        return {normalize(self.code)} | in_every_language(self.label)


@dataclass(frozen=True)
class Column:
    """One column of a template sheet.

    `parse` turns a non-blank cell into a value or raises CellError; None marks a column that
    only helps the reader (a name beside a code) and is never imported. `blank` is the value
    of a blank cell, or REQUIRED.
    """

    key: str
    label: Any
    parse: Callable[[Any, bool], Any] | None = None
    help: Any = ""
    identifying: bool = False
    required: bool = False
    blank: Any = None
    width: int = 14
    number_format: str = "General"
    validation: dict | None = None
    choices: tuple[Choice, ...] = ()
    show: Callable[[Any], str] = display

    @property
    def imported(self) -> bool:
        return self.parse is not None

    @property
    def header_required(self) -> bool:
        return self.identifying or self.required

    def names(self) -> set[str]:
        return in_every_language(self.label) | {normalize(self.key)}


@dataclass(frozen=True)
class SheetSpec:
    key: str
    title: Any
    columns: tuple[Column, ...]
    # New rows may be added below the pre-filled ones (the identifying columns stay open).
    allow_new_rows: bool = False
    # A pre-filled row whose value cells were left blank is not an import of blanks.
    skip_rows_without_values: bool = False
    help: Any = ""

    def column(self, key) -> Column:
        return next(c for c in self.columns if c.key == key)

    def names(self) -> set[str]:
        return in_every_language(self.title)


# Column types -------------------------------------------------------------------------------


def whole(minimum: int | None = 0, maximum: int | None = None):
    def parse(value, percent_cell=False):
        return cells.parse_whole(value, minimum=minimum, maximum=maximum)

    return parse


def decimal(places: int = 2, minimum=None, maximum=None, percent: bool = False):
    def parse(value, percent_cell=False):
        return cells.parse_decimal(
            value,
            decimal_places=places,
            minimum=minimum,
            maximum=maximum,
            percent_cell=percent and percent_cell,
        )

    return parse


def text(max_length: int):
    def parse(value, percent_cell=False):
        result = cells.clean_text(value)
        if len(result) > max_length:
            raise CellError(
                _("The text is %(length)d characters long; at most %(max)d are allowed.")
                % {"length": len(result), "max": max_length}
            )
        return result

    return parse


def date():
    def parse(value, percent_cell=False):
        return cells.parse_date(value)

    return parse


def choice(options: tuple[Choice, ...]):
    lookup = {name: option.code for option in options for name in option.names()}

    def parse(value, percent_cell=False):
        result = lookup.get(normalize(cells.clean_text(value)))
        if result is None:
            raise CellError(
                _('"%(value)s" is not one of the allowed values: %(allowed)s.')
                % {
                    "value": cells.clean_text(value)[:40],
                    "allowed": "; ".join(str(o.label) for o in options),
                }
            )
        return result

    return parse


def year_column(label=None, **kwargs) -> Column:
    return Column(
        key="year",
        label=label or gettext_lazy("Year"),
        parse=whole(YEAR_MIN, YEAR_MAX),
        blank=REQUIRED,
        width=8,
        number_format="0",
        validation={"type": "whole", "operator": "between", "min": YEAR_MIN, "max": YEAR_MAX},
        **kwargs,
    )


# Reading a table against a sheet -------------------------------------------------------------


@dataclass
class Problem:
    """An error the preview lists: where it is and what is wrong."""

    sheet: str
    row: int | None
    column: str
    message: str


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)
    # Every value cell was blank in a sheet where that means "not filled in".
    without_values: bool = False

    def ok(self, *keys) -> bool:
        """Whether the cells of `keys` (all cells when none are named) were read."""
        return not (self.failed & set(keys)) if keys else not self.failed


@dataclass
class ParsedSheet:
    spec: SheetSpec
    name: str
    header_row: int
    positions: dict[str, int]
    rows: list[ParsedRow]
    ignored_headers: list[str]

    @property
    def present(self) -> set[str]:
        return set(self.positions)

    def column_name(self, key: str | None) -> str:
        if key is None or key not in self.positions:
            return str(self.spec.column(key).label) if key else ""
        return f"{get_column_letter(self.positions[key] + 1)} ({self.spec.column(key).label})"

    @property
    def display_name(self) -> str:
        return self.name or str(self.spec.title)


def find_header(table: Table, spec: SheetSpec):
    """The header row of `table` for `spec`: (row number, {column key: index}, missing
    required columns, headers that match no column). The first of the first rows holding
    every required header wins; failing that, the row matching most headers."""
    names = {name: column for column in spec.columns for name in column.names()}
    best = None
    for number, values in table.rows[:HEADER_SEARCH_ROWS]:
        positions, ignored = {}, []
        for index, value in enumerate(values):
            if cells.is_blank(value) or isinstance(value, cells.Formula):
                continue
            column = names.get(normalize(value))
            if column is None:
                ignored.append(str(value).strip())
            elif column.key not in positions:
                positions[column.key] = index
        missing = [c for c in spec.columns if c.header_required and c.key not in positions]
        if not missing:
            return number, positions, [], ignored
        if best is None or len(positions) > len(best[1]):
            best = (number, positions, missing, ignored)
    if best is None:
        return None, {}, [c for c in spec.columns if c.header_required], []
    return best


def parse_table(table: Table, spec: SheetSpec, errors: list[Problem]) -> ParsedSheet | None:
    header_row, positions, missing, ignored = find_header(table, spec)
    sheet = ParsedSheet(spec, table.name, header_row or 1, positions, [], ignored)
    if missing:
        for column in missing:
            errors.append(
                Problem(
                    sheet.display_name,
                    header_row,
                    str(column.label),
                    _("The column is missing. Use the template's column headers."),
                )
            )
        return None
    imported = [c for c in spec.columns if c.imported and c.key in positions]
    for number, values in table.rows:
        if number <= header_row or all(cells.is_blank(v) for v in values):
            continue
        row = ParsedRow(number)
        raw = {}
        for column in imported:
            index = positions[column.key]
            raw[column.key] = values[index] if index < len(values) else None
        if spec.skip_rows_without_values:
            row.without_values = all(
                cells.is_blank(raw[c.key]) for c in imported if not c.identifying
            )
        for column in imported:
            if row.without_values and not column.identifying:
                continue
            index = positions[column.key]
            value = raw[column.key]
            try:
                if cells.is_blank(value):
                    if column.blank is REQUIRED:
                        raise CellError(_("Fill in this cell."))
                    row.values[column.key] = column.blank
                else:
                    row.values[column.key] = column.parse(
                        value, (number, index) in table.percent_cells
                    )
            except CellError as error:
                row.failed.add(column.key)
                errors.append(
                    Problem(
                        sheet.display_name, number, sheet.column_name(column.key), error.message
                    )
                )
        sheet.rows.append(row)
    return sheet
