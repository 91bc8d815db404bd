"""Reading a registry extract or a beneficiary list (XLSX or CSV) row by row, with the
columns found by their headers. The rows are streamed, so a 35,000-family extract is never
held whole in memory; the problems name a row and a column, never a cell's personal value."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

# A registry extract of a whole regency is a few megabytes; more is a damaged or hostile file.
MAX_FILE_BYTES = 40 * 1024 * 1024
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_COLUMNS = 40
# Problems listed on the page; the count covers them all.
MAX_LISTED_PROBLEMS = 500


class FileRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    aliases: tuple[str, ...]
    required: bool = True


@dataclass
class Problem:
    row: int
    column: str
    message: str
    # The column's key (REGISTRY_COLUMNS, BENEFICIARY_COLUMNS), whatever the language.
    key: str = ""


def _normal(text) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


def match_columns(header: tuple, columns: list[Column]) -> tuple[dict[str, int], list[str]]:
    """Index of each known column in `header`, and the labels of required ones missing."""
    positions = {}
    normal = [_normal(cell) for cell in header]
    for column in columns:
        names = {_normal(column.key), *map(_normal, column.aliases)}
        # A template downloaded in one language is uploaded by someone using the other.
        for language in ("id", "en"):
            with translation.override(language):
                names.add(_normal(column.label))
        for index, cell in enumerate(normal):
            if cell and cell in names:
                positions[column.key] = index
                break
    missing = [str(c.label) for c in columns if c.required and c.key not in positions]
    return positions, missing


def _xlsx_rows(content: bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FileRefused(_("This file is damaged or is not an Excel (XLSX) file.")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileRefused(_("This file unpacks to far more than a registry extract holds."))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise FileRefused(_("This file is damaged or is not an Excel (XLSX) file.")) from None
    sheet = workbook.worksheets[0]
    yield from enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1)
    workbook.close()


def _csv_rows(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for number, row in enumerate(reader, 1):
        yield number, tuple(row[:MAX_COLUMNS])


def read_rows(content: bytes, filename: str, columns: list[Column]):
    """(header problems, rows) where rows yields (row number, {key: raw value}) for every
    row with a value after the header (the first row naming a required column)."""
    if len(content) > MAX_FILE_BYTES:
        raise FileRefused(_("The file is larger than 40 MB."))
    if content[:2] == b"PK":
        rows = _xlsx_rows(content)
    elif filename.lower().endswith((".csv", ".txt")):
        rows = _csv_rows(content)
    else:
        raise FileRefused(_("Upload an Excel (XLSX) or CSV file."))
    positions = None
    for number, row in rows:
        if positions is None:
            found, missing = match_columns(row, columns)
            if len(found) >= 2:
                if missing:
                    raise FileRefused(
                        _("The file has no column %(columns)s (row %(row)d is its header).")
                        % {"columns": ", ".join(missing), "row": number}
                    )
                positions = found
            elif number >= 20:
                break
            continue
        if number > MAX_ROWS:
            raise FileRefused(_("The file has more than a million rows."))
        values = {key: row[index] if index < len(row) else None for key, index in positions.items()}
        if all(value in (None, "") for value in values.values()):
            continue
        yield number, values
    if positions is None:
        raise FileRefused(
            _("No header row with the expected columns was found in the first 20 rows.")
        )


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def whole_number(value):
    """The whole number in a cell, or None when it holds something else."""
    value = text(value)
    return int(value) if re.fullmatch(r"\d{1,9}", value) else None


YES = {"1", "ya", "y", "yes", "true", "benar"}
NO = {"0", "tidak", "t", "no", "n", "false", "salah"}


def flag(value):
    """True, False, or None for an empty cell; ValueError for anything else."""
    value = text(value).lower()
    if value == "":
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(value)


FLAG_HINT = gettext_lazy("Write ya or tidak (or 1 or 0), or leave the cell empty.")
