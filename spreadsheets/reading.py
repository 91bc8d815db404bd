"""Reading an uploaded file into tables of raw cell values: an Excel workbook (XLSX) through
openpyxl, or a CSV file through the standard csv module. Anything else is refused here, with
a message the person can act on, before any of it is interpreted."""

import csv
import datetime
import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from defusedxml import ElementTree
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from helpers.exports import FORMULA_STARTS
from spreadsheets.cells import Formula

MARKER_SHEET = "_template"
# A 5 MB XLSX file unpacks to far less than this; more means a damaged or hostile file.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Rows per sheet, empty ones included; the largest real import (every village over twenty
# years) has about 2,100.
MAX_ROWS = 20_000
# Cells stored in the whole workbook, empty formatted ones included: the largest real import
# has about 31,000. openpyxl spends about 20 microseconds on every cell, also on those beyond
# the columns read, so they are counted before it starts; at this cap a file costs about 2 s.
MAX_CELLS = 100_000
# XML elements in the whole workbook (cells, their values, rows, shared strings, styles).
MAX_XML_ELEMENTS = 1_500_000
# Parts other than the sheets and their shared strings (styles, workbook, relations) are
# parsed whole into memory by openpyxl; a real one is at most a few hundred kilobytes.
MAX_OTHER_PART_BYTES = 5 * 1024 * 1024
# Columns read from each sheet: the widest template has 15, and people add columns of their
# own. openpyxl pads every row to its last cell, so an unbounded read of a row holding cells A
# and XFD costs 16,384 cells.
MAX_COLUMNS = 50
READ_CHUNK = 1024 * 1024
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

    def to_json(self) -> dict:
        """The upload as JSON, kept between the preview and the confirmation so that the
        file is parsed once."""
        return {
            "format": self.format,
            "marker": self.marker,
            "tables": [
                {
                    "name": table.name,
                    "rows": [
                        [number, [_encode(v) for v in values]] for number, values in table.rows
                    ],
                    "percent_cells": sorted(table.percent_cells),
                }
                for table in self.tables
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> "Upload":
        return cls(
            format=data["format"],
            marker=data["marker"],
            tables=[
                Table(
                    name=table["name"],
                    rows=[
                        (number, tuple(_decode(v) for v in values))
                        for number, values in table["rows"]
                    ],
                    percent_cells={tuple(cell) for cell in table["percent_cells"]},
                )
                for table in data["tables"]
            ],
        )


# Cell values JSON cannot hold as they are, each as a one-key object; a plain cell value is
# never an object, so decoding is unambiguous.
ENCODED_TYPES = (
    ("datetime", datetime.datetime, datetime.datetime.fromisoformat),
    ("date", datetime.date, datetime.date.fromisoformat),
    ("time", datetime.time, datetime.time.fromisoformat),
)


def _encode(value):
    if isinstance(value, Formula):
        return {"formula": value.text}
    if isinstance(value, float) and not math.isfinite(value):
        return {"float": repr(value)}
    if isinstance(value, datetime.timedelta):
        return {"timedelta": value.total_seconds()}
    for key, kind, _parse in ENCODED_TYPES:
        if isinstance(value, kind):
            return {key: value.isoformat()}
    if value is None or isinstance(value, str | int | float):
        return value
    # A type openpyxl has not given so far: kept as its text, which the columns then judge.
    return str(value)


def _decode(value):
    if not isinstance(value, dict):
        return value
    ((key, text),) = value.items()
    if key == "formula":
        return Formula(text)
    if key == "float":
        return float(text)
    if key == "timedelta":
        return datetime.timedelta(seconds=text)
    return next(parse for name, _kind, parse in ENCODED_TYPES if name == key)(text)


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
            if "xl/workbook.xml" not in names:
                if "content.xml" in names:
                    raise UploadRefused(
                        _(
                            "This is an OpenDocument spreadsheet (.ods). Save it as an Excel "
                            "Workbook (.xlsx) or as CSV and upload that file."
                        )
                    )
                raise UploadRefused(_not_a_spreadsheet())
            if unpacked > MAX_UNPACKED_BYTES:
                raise UploadRefused(_too_large())
            _inspect_archive(archive)
    except zipfile.BadZipFile:
        raise UploadRefused(_not_a_spreadsheet()) from None
    try:
        # data_only=False keeps formulas as formulas, so that they can be refused: their
        # cached results may be stale or missing in a file saved by another program.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors for damaged files
        raise UploadRefused(_damaged()) from None
    try:
        marker = {}
        tables = []
        for worksheet in workbook.worksheets:
            # In read-only mode the sheet is parsed while its rows are read, so a damaged
            # sheet fails here, not in load_workbook.
            try:
                if worksheet.title == MARKER_SHEET:
                    marker = _read_marker(worksheet)
                else:
                    tables.append(_read_worksheet(worksheet))
            except UploadRefused:
                raise
            except Exception:
                raise UploadRefused(
                    _(
                        'Sheet "%(sheet)s" could not be read: its content is damaged. Open the '
                        "file in Excel, save it again as an Excel Workbook (.xlsx) and upload it "
                        "again."
                    )
                    % {"sheet": worksheet.title}
                ) from None
    finally:
        workbook.close()
    return Upload(format="xlsx", tables=tables, marker=marker)


def _damaged() -> str:
    return _(
        "The Excel file could not be read; it may be damaged. Open it in Excel, save it again "
        "as an Excel Workbook (.xlsx) and upload it again."
    )


def _too_large() -> str:
    return _(
        "The workbook is too large once unpacked. Remove unused sheets and rows and try again."
    )


START_TAG = re.compile(rb"<[A-Za-z_]")
CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
DIMENSION = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref=[\"']\$?[A-Z]*\$?\d*(?::\$?([A-Z]+)\$?(\d+))?[\"']"
)
DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")


def _inspect_archive(archive: zipfile.ZipFile) -> None:
    """Unpack every part once, without parsing it, and refuse the workbook before openpyxl
    pays for it: a part whose checksum or size lies, XML declaring entities or a document type
    (Excel writes neither; they are how "billion laughs" files expand), a sheet declaring more
    rows or columns than are read, and more cells or XML elements than an import can hold."""
    cells = elements = 0
    titles = None
    for info in archive.infolist():
        name = info.filename
        if not name.endswith((".xml", ".rels", ".vml")):
            continue
        is_sheet = name.startswith("xl/worksheets/") and name.count("/") == 2
        if is_sheet and titles is None:
            titles = _sheet_titles(archive)
        parsed_whole = not is_sheet and name != "xl/sharedStrings.xml"
        if parsed_whole and info.file_size > MAX_OTHER_PART_BYTES:
            raise UploadRefused(_too_large())
        rows = 0
        carry = b""
        first = True
        try:
            with archive.open(info) as part:
                while chunk := part.read(READ_CHUNK):
                    data = carry + chunk
                    # Tags never contain "<", so cutting before the last one splits no tag.
                    cut = data.rfind(b"<")
                    if cut <= 0 or len(data) - cut > READ_CHUNK:
                        cut = len(data)
                    data, carry = data[:cut], data[cut:]
                    if any(declaration in data for declaration in DECLARATIONS):
                        raise UploadRefused(_declares_entities())
                    if first and is_sheet:
                        _check_dimension(data, _sheet_label(name, titles))
                        first = False
                    elements += len(START_TAG.findall(data))
                    if is_sheet:
                        cells += len(CELL_TAG.findall(data))
                        rows += len(ROW_TAG.findall(data))
                    if rows > MAX_ROWS:
                        raise UploadRefused(_too_many_rows(_sheet_label(name, titles)))
                    if cells > MAX_CELLS:
                        raise UploadRefused(_too_many_cells())
                    if elements > MAX_XML_ELEMENTS:
                        raise UploadRefused(_too_large())
            if any(declaration in carry for declaration in DECLARATIONS):
                raise UploadRefused(_declares_entities())
        except zipfile.BadZipFile:
            # A checksum or a size that does not match what the part unpacks to.
            raise UploadRefused(
                _(
                    'The Excel file is damaged: its part "%(part)s" does not unpack to what the '
                    "file says it holds. Open it in Excel, save it again as an Excel Workbook "
                    "(.xlsx) and upload it again."
                )
                % {"part": name}
            ) from None
        except (NotImplementedError, RuntimeError, EOFError, ValueError, OSError):
            # Compression methods Python does not know, encrypted parts, truncated data.
            raise UploadRefused(_damaged()) from None


def _declares_entities() -> str:
    return _(
        "The Excel file was refused: it contains XML entity or document type declarations, "
        "which Excel never writes and which can make a file expand without limit. Open it in "
        "Excel, save it again as an Excel Workbook (.xlsx) and upload it again."
    )


def _sheet_titles(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name -> the sheet's title, from the workbook's own list, so that a refusal names
    the sheet as the person sees it. Empty when the list cannot be read: the part's name is
    then used."""
    relations = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        parts = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
        if any(archive.getinfo(part).file_size > MAX_OTHER_PART_BYTES for part in parts):
            return {}
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        links = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:  # whatever is wrong here, openpyxl reports it when it reads the file
        return {}
    targets = {}
    for link in links:
        target = link.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[link.get("Id")] = target
    return {
        targets.get(sheet.get(relations), ""): sheet.get("name", "")
        for sheet in workbook.iter()
        if sheet.tag.endswith("}sheet")
    }


def _sheet_label(name: str, titles: dict[str, str]) -> str:
    return titles.get(name) or name.rsplit("/", 1)[-1].removesuffix(".xml")


def _check_dimension(data: bytes, sheet: str) -> None:
    """Excel states each sheet's used range at its top; a range beyond what is read means
    cells far to the right or below the data (often formatting that looks empty)."""
    match = DIMENSION.search(data[:4096])
    if not match or not match.group(1):
        return
    last_column = column_index_from_string(match.group(1).decode())
    last_row = int(match.group(2))
    if last_row > MAX_ROWS:
        raise UploadRefused(_too_many_rows(sheet))
    if last_column > MAX_COLUMNS:
        raise UploadRefused(
            _(
                'Sheet "%(sheet)s" uses columns up to %(column)s, but only the first %(count)s '
                "columns (up to %(last)s) are read. Delete the columns to the right of your "
                "data, even if they look empty, and try again."
            )
            % {
                "sheet": sheet,
                "column": match.group(1).decode(),
                "count": MAX_COLUMNS,
                "last": get_column_letter(MAX_COLUMNS),
            }
        )


def _too_many_rows(sheet: str) -> str:
    return _(
        'Sheet "%(sheet)s" has more than %(rows)s rows. Delete the empty rows below your data, '
        "or split the file."
    ) % {"sheet": sheet, "rows": _thousands(MAX_ROWS)}


def _too_many_cells() -> str:
    return _(
        "The workbook holds more than %(cells)s cells (formatted empty cells included). Delete "
        "the rows and columns you do not use, or split the file."
    ) % {"cells": _thousands(MAX_CELLS)}


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


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
    # Files from other programs may state a wrong used range (or none): the rows and columns
    # read are bounded here instead, so that no row is padded beyond MAX_COLUMNS.
    worksheet.reset_dimensions()
    rows = worksheet.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS)
    for number, cells in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise UploadRefused(_too_many_rows(worksheet.title))
        values = []
        for index, cell in enumerate(cells):
            if cell is EMPTY_CELL:
                # Most cells of a bounded row are padding; skipping them keeps reading fast.
                values.append(None)
                continue
            value = cell.value
            if cell.data_type == "f" or isinstance(value, ArrayFormula | DataTableFormula):
                value = Formula(getattr(value, "text", None) or str(value))
            elif isinstance(value, str):
                value = _text(value)
            elif isinstance(value, int | float) and "%" in (cell.number_format or ""):
                table.percent_cells.add((number, index))
            values.append(value)
        table.rows.append((number, _trimmed(values)))
    return table


def _text(value: str):
    """A text cell: one starting like a formula is refused as one, unless the app wrote it
    neutralised (helpers.exports.neutralise), when it is the text without the apostrophe."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    if value.startswith("="):
        return Formula(value)
    return value


def _trimmed(values: list) -> tuple:
    # Empty cells at the end of a row carry nothing; dropping them keeps the stored tables small.
    end = len(values)
    while end and values[end - 1] is None:
        end -= 1
    return tuple(values[:end])


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
    filled = 0
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            if number > MAX_ROWS:
                raise UploadRefused(
                    _("The file has more than %(rows)s rows. Split it into smaller files.")
                    % {"rows": _thousands(MAX_ROWS)}
                )
            # The same bounds as a workbook's: the columns read, and the cells held.
            cells = cells[:MAX_COLUMNS]
            while cells and not cells[-1]:
                cells.pop()
            filled += len(cells)
            if filled > MAX_CELLS:
                raise UploadRefused(_too_many_cells())
            table.rows.append(
                (number, tuple(Formula(c) if c.strip().startswith("=") else c for c in cells))
            )
    except csv.Error:
        raise UploadRefused(_not_a_spreadsheet()) from None
    return Upload(format="csv", tables=[table], marker={})
