"""Exports of a table's filtered, sorted rows (every page) to CSV and XLSX, from
django-tables2's own `Table.as_values()` (each column's value_FOO/value()).

CSV opens in Excel as the reader's regional settings expect (Indonesian: semicolons between
columns and a decimal comma, `1250000000;6,66`; English: commas and a decimal point), UTF-8
with a byte-order mark, numbers without grouping, sent as it is written. XLSX is for people:
real numbers with a number format, which Excel then shows in the reader's own locale
(1.250.000.000 in Indonesian Excel). django-tables2's own TableExport (tablib) writes neither
the number formats nor inert formulas, hence this module."""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.formats import get_format
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CSV = "csv"
XLSX = "xlsx"
FORMATS = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
# Excel reads a CSV as UTF-8 only after a byte-order mark, and where the decimal separator is
# a comma (Indonesian regional settings) it splits columns on semicolons.
BYTE_ORDER_MARK = "\ufeff"


# Number formats of the workbooks' numeric columns.
WHOLE = "#,##0"
TWO_DECIMALS = "0.00"
# A stored quantity (a count or a measure in a decimal column): its decimals only when it has
# a fraction. Excel's "#,##0.##" would leave a bare separator after a whole number ("120,"),
# so a whole number in such a column gets WHOLE instead (number_format_for).
QUANTITY = "#,##0.##"


def number_format_for(value, number_format: str) -> str:
    if number_format == QUANTITY and value == int(value):
        return WHOLE
    return number_format


def neutralise(value):
    """Text that a spreadsheet would run as a formula, made inert by a leading apostrophe.
    Numbers stay numbers: a negative achievement is not text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _export_columns(table):
    # The columns Table.as_values() writes.
    return [column for column in table.columns.iterall() if not column.column.exclude_from_export]


def rows(table):
    """The header, then one list of export values per row of the table, every page."""
    for values in table.as_values():
        yield [neutralise(value) for value in values]


class _Echo:
    def write(self, value):
        return value


def csv_response(table, filename: str) -> StreamingHttpResponse:
    return csv_rows_response(table.as_values(), filename)


def xlsx_response(table, filename: str, title: str) -> HttpResponse:
    # Write-only mode streams the sheet to a temporary file instead of holding every cell.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(force_str(title).translate(SHEET_TITLE_FORBIDDEN)[:31] or "Data")
    columns = _export_columns(table)
    formats = [getattr(column.column, "excel_format", None) for column in columns]
    for index, number_format in enumerate(formats, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 14 if number_format else 30
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    iterator = rows(table)
    header = []
    for text in next(iterator):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for values in iterator:
        cells = []
        for value, number_format in zip(values, formats, strict=True):
            if number_format and value is not None and not isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format_for(value, number_format)
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=FORMATS[XLSX])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_response(table, export_format: str, filename: str, title: str):
    if export_format == CSV:
        return csv_response(table, filename)
    return xlsx_response(table, filename, title)


def write_sheet(workbook, title, headers, rows, formats) -> None:
    """Add a sheet to a write-only workbook: bold headers, then `rows`. `formats` maps a 1-based
    column to its number format (the cells stay numbers); other columns are text, neutralised."""
    sheet = workbook.create_sheet(title.translate(SHEET_TITLE_FORBIDDEN)[:31])
    for index in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 14 if index in formats else 30
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=neutralise(str(text)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for index, value in enumerate(row, start=1):
            if index in formats and value is not None:
                # A text in a number column (a placeholder, say) is neutralised too.
                cell = WriteOnlyCell(sheet, value=neutralise(value))
                cell.number_format = (
                    formats[index]
                    if isinstance(value, str)
                    else number_format_for(value, formats[index])
                )
                cells.append(cell)
            else:
                cells.append(neutralise(value))
        sheet.append(cells)


def workbook_response(fill, filename: str) -> HttpResponse:
    """A write-only workbook filled by `fill(workbook)`, as an XLSX attachment."""
    workbook = Workbook(write_only=True)
    fill(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=FORMATS[XLSX])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_separators() -> tuple[str, str]:
    """The column and decimal separators of the active language, as Excel expects them."""
    decimal = get_format("DECIMAL_SEPARATOR")
    return (";" if decimal == "," else ","), decimal


def _csv_cell(value, decimal: str):
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", decimal)
    return neutralise(value)


def csv_rows_response(rows, filename: str) -> StreamingHttpResponse:
    """A CSV download of `rows` (the header first), neutralised, in the request's language
    and separators."""
    language = translation.get_language()

    def lines():
        # The body is written after the view has returned; keep the request's language.
        with translation.override(language):
            delimiter, decimal = csv_separators()
            writer = csv.writer(_Echo(), delimiter=delimiter)
            yield BYTE_ORDER_MARK
            for row in rows:
                yield writer.writerow([_csv_cell(value, decimal) for value in row])

    response = StreamingHttpResponse(lines(), content_type=FORMATS[CSV])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
