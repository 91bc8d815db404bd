"""Reading an uploaded file into tables of raw cell values: an Excel workbook (XLSX) through
openpyxl, or a CSV file through the standard csv module. Anything else is refused here, with
a message the person can act on, before any of it is interpreted."""

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from helpers.exports import FORMULA_STARTS
from spreadsheets.cells import Formula

MARKER_SHEET = "_template"
# A 5 MB XLSX file unpacks to far less than this; more means a damaged or hostile file.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Rows per sheet, empty ones included; the largest real import (every village over twenty
# years) has about 2,100.
MAX_ROWS = 20_000
CSV_DELIMITERS = (";", ",", "\t")
OTHER_FORMATS = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
)


class UploadRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """One sheet: each row as its number in the file and its cells' values."""

    name: str
    rows: list[tuple[int, tuple]] = field(default_factory=list)
    # (row number, column index) of cells Excel shows as a percentage: 6,66% is stored as 0.0666.
    percent_cells: set[tuple[int, int]] = field(default_factory=set)


@dataclass
class Upload:
    format: str
    tables: list[Table]
    # What the template's hidden sheet says (kind, version, year, quarter); empty for a CSV
    # file or a workbook not made from a template.
    marker: dict[str, str]


def max_upload_size() -> int:
    return settings.IMPORT_MAX_UPLOAD_SIZE


def check_size(size: int) -> None:
    if size > max_upload_size():
        raise UploadRefused(
            _(
                "The file is %(size)s; files up to %(limit)s are accepted. Split it into "
                "smaller files."
            )
            % {"size": filesizeformat(size), "limit": filesizeformat(max_upload_size())}
        )


def read_upload(content: bytes) -> Upload:
    check_size(len(content))
    if not content.strip():
        raise UploadRefused(_("The file is empty."))
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise UploadRefused(
            _(
                "This is an old Excel 97-2003 file (.xls). Open it in Excel, save it as an "
                "Excel Workbook (.xlsx) or as CSV, and upload that file."
            )
        )
    for signature, name in OTHER_FORMATS:
        if content.startswith(signature):
            raise UploadRefused(_not_a_spreadsheet(name))
    return _read_csv(content)


def _not_a_spreadsheet(what: str = "") -> str:
    if what:
        return _(
            "This is a %(format)s file, not a spreadsheet. Upload the Excel template (.xlsx) "
            "or a CSV file."
        ) % {"format": what}
    return _("This file is not a spreadsheet. Upload the Excel template (.xlsx) or a CSV file.")


def _read_xlsx(content: bytes) -> Upload:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UploadRefused(_not_a_spreadsheet()) from None
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise UploadRefused(
                _(
                    "This is an OpenDocument spreadsheet (.ods). Save it as an Excel Workbook "
                    "(.xlsx) or as CSV and upload that file."
                )
            )
        raise UploadRefused(_not_a_spreadsheet())
    if unpacked > MAX_UNPACKED_BYTES:
        raise UploadRefused(
            _(
                "The workbook is too large once unpacked. Remove unused sheets and rows and "
                "try again."
            )
        )
    try:
        # data_only=False keeps formulas as formulas, so that they can be refused: their
        # cached results may be stale or missing in a file saved by another program.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors for damaged files
        raise UploadRefused(
            _(
                "The Excel file could not be read; it may be damaged. Open it in Excel, save it "
                "again as an Excel Workbook (.xlsx) and upload it again."
            )
        ) from None
    try:
        marker = {}
        tables = []
        for worksheet in workbook.worksheets:
            if worksheet.title == MARKER_SHEET:
                marker = _read_marker(worksheet)
            else:
                tables.append(_read_worksheet(worksheet))
    finally:
        workbook.close()
    return Upload(format="xlsx", tables=tables, marker=marker)


def _read_marker(worksheet) -> dict[str, str]:
    marker = {}
    for row in worksheet.iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
        if len(row) == 2 and row[0] is not None:
            value = row[1]
            if isinstance(value, str):
                value = _text(value)
            marker[str(row[0]).strip()] = (
                "" if value is None else str(getattr(value, "text", value)).strip()
            )
    return marker


def _read_worksheet(worksheet) -> Table:
    table = Table(name=worksheet.title)
    # Files from other programs may state a wrong used range; reading every row they hold
    # is the only safe choice.
    worksheet.reset_dimensions()
    for number, cells in enumerate(worksheet.iter_rows(min_row=1), start=1):
        if number > MAX_ROWS:
            raise UploadRefused(
                _(
                    'Sheet "%(sheet)s" has more than %(rows)s rows. Delete the empty rows below '
                    "your data, or split the file."
                )
                % {"sheet": worksheet.title, "rows": f"{MAX_ROWS:,}".replace(",", ".")}
            )
        values = []
        for index, cell in enumerate(cells):
            value = cell.value
            if cell.data_type == "f" or isinstance(value, ArrayFormula | DataTableFormula):
                value = Formula(getattr(value, "text", None) or str(value))
            elif isinstance(value, str):
                value = _text(value)
            elif isinstance(value, int | float) and "%" in (cell.number_format or ""):
                table.percent_cells.add((number, index))
            values.append(value)
        table.rows.append((number, tuple(values)))
    return table


def _text(value: str):
    """A text cell: one starting like a formula is refused as one, unless the app wrote it
    neutralised (helpers.exports.neutralise), when it is the text without the apostrophe."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    if value.startswith("="):
        return Formula(value)
    return value


def _read_csv(content: bytes) -> Upload:
    if b"\x00" in content:
        raise UploadRefused(_not_a_spreadsheet())
    # Excel on Windows saves "CSV" in the ANSI code page; everything else writes UTF-8.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UploadRefused(_not_a_spreadsheet())
    controls = sum(
        1 for char in text[:20000] if unicodedata.category(char) == "Cc" and char not in "\t\r\n"
    )
    if controls > 10:
        raise UploadRefused(_not_a_spreadsheet())
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: header.count(delimiter) for delimiter in CSV_DELIMITERS}
    delimiter = max(CSV_DELIMITERS, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise UploadRefused(
            _(
                "This file is not a spreadsheet: a CSV file needs its columns separated by "
                "semicolons (;) or commas (,)."
            )
        )
    table = Table(name="")
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            if number > MAX_ROWS:
                raise UploadRefused(
                    _("The file has more than %(rows)s rows. Split it into smaller files.")
                    % {"rows": f"{MAX_ROWS:,}".replace(",", ".")}
                )
            table.rows.append(
                (number, tuple(Formula(c) if c.strip().startswith("=") else c for c in cells))
            )
    except csv.Error:
        raise UploadRefused(_not_a_spreadsheet()) from None
    return Upload(format="csv", tables=[table], marker={})
