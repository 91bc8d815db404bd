"""Writing a template: an XLSX workbook with the rows the person may change, the identifying
cells locked, Excel's own data validation on the value cells, an instructions sheet and a
hidden sheet that tells the importer which template (kind, version, period) it is.

The sheet protection has no password: it prevents accidents, not changes. The importer
checks everything again.

Every cell is written through `_cell`, which neutralises text a spreadsheet would run as a
formula (helpers.exports.neutralise, as in every other workbook the app writes): a programme
named =HYPERLINK(...) must reach Excel as text. The importer takes the apostrophe off again."""

import io
from decimal import Decimal

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bartim.models import Quarter
from helpers.exports import neutralise
from spreadsheets.reading import MARKER_SHEET, max_upload_size

LAST_ROW = 1_048_576
HEADER_FILL = PatternFill("solid", fgColor="C6E0B4")
LOCKED_FILL = PatternFill("solid", fgColor="E7E6E6")
LOCKED = Protection(locked=True)
OPEN = Protection(locked=False)
# Excel refuses longer validation messages.
EXCEL_MESSAGE_LENGTH = 255

STEPS = (
    gettext_lazy(
        "Fill in the white cells. Grey cells identify the row or help you read it; they are locked."
    ),
    gettext_lazy(
        "Keep the column headers as they are. Columns may be moved: they are recognised by "
        "their header."
    ),
    gettext_lazy("Type or paste values only, no formulas: a cell with a formula is refused."),
    gettext_lazy(
        "Numbers may be typed the Indonesian way: 8.740 is eight thousand seven hundred and "
        "forty, 6,66 is six point six six."
    ),
    gettext_lazy(
        "Upload the file on the application's Excel page, as .xlsx or as CSV (columns "
        "separated by semicolons or commas, with the same headers)."
    ),
    gettext_lazy(
        "You then see every new and changed value and every error. Nothing is saved until you "
        "confirm, and a file with any error saves nothing: correct it and upload it again."
    ),
    gettext_lazy(
        "The sheets are protected without a password, only against accidents: Review > "
        "Unprotect Sheet removes the protection. The application checks every value again."
    ),
    gettext_lazy(
        "Do not rename the sheets and do not delete the hidden sheet: it tells the application "
        "which template this is."
    ),
)


def build_template(kind, user, *, year=None, quarter=None) -> bytes:
    content = kind.content(user, year=year, quarter=quarter)
    workbook = Workbook()
    workbook.remove(workbook.active)
    list_ranges = _write_lists(workbook, content.lists) if content.lists else {}
    specs = kind.specs()
    for spec in specs:
        _write_sheet(workbook, spec, content.rows.get(spec.key, []), list_ranges)
    _write_instructions(workbook, kind, specs, content, user, year, quarter)
    if content.lists:
        workbook.move_sheet(_("Lists"), offset=len(workbook.sheetnames))
    _write_marker(workbook, kind, user, year, quarter)
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet, row, column, value):
    return sheet.cell(row=row, column=column, value=neutralise(value))


def _write_sheet(workbook, spec, rows, list_ranges) -> None:
    sheet = workbook.create_sheet(str(spec.title)[:31])
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        header = _cell(sheet, 1, index, str(column.label))
        header.font = Font(bold=True)
        header.fill = HEADER_FILL
        header.alignment = Alignment(wrap_text=True, vertical="top")
        header.protection = LOCKED
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if spec.allow_new_rows and column.imported:
            # Cells below the pre-filled rows take the column's style: open, for new rows.
            dimension.protection = OPEN
            dimension.number_format = column.number_format
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(spec.columns, start=1):
            value = row.values.get(column.key)
            if isinstance(value, Decimal) and value == value.to_integral_value():
                value = int(value)
            cell = _cell(sheet, number, index, value)
            cell.number_format = column.number_format
            editable = column.imported and not column.identifying
            cell.protection = OPEN if editable else LOCKED
            if not editable:
                cell.fill = LOCKED_FILL
    last = LAST_ROW if spec.allow_new_rows else max(len(rows) + 1, 2)
    for index, column in enumerate(spec.columns, start=1):
        if not column.imported or (column.identifying and not spec.allow_new_rows):
            continue
        validation = _validation(column, list_ranges)
        if validation is not None:
            letter = get_column_letter(index)
            validation.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 45
    sheet.protection.sheet = True
    # Widening a column or a row is no accident worth preventing.
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def allowed_values(column) -> str:
    """The rule a column's cells follow, in words: for Excel's error message and the
    instructions sheet."""
    rule = column.validation or {}
    low, high = rule.get("min"), rule.get("max")
    if rule.get("type") == "whole":
        if low is not None and high is not None:
            return _("A whole number from %(min)s to %(max)s.") % {"min": low, "max": high}
        return _("A whole number of %(min)s or more.") % {"min": low}
    if rule.get("type") == "decimal":
        if low is not None and high is not None:
            return _("A number from %(min)s to %(max)s.") % {"min": low, "max": high}
        if low is not None:
            return _("A number of %(min)s or more.") % {"min": low}
        return _("A number.")
    if column.choices:
        return _("One of: %(values)s.") % {
            "values": "; ".join(str(c.label) for c in column.choices)
        }
    if rule.get("type") == "list":
        return _("A value from the drop-down list.")
    return ""


def _validation(column, list_ranges) -> DataValidation | None:
    rule = column.validation
    if not rule:
        return None
    if rule["type"] == "list":
        if rule["list"] not in list_ranges:
            return None
        validation = DataValidation(type="list", formula1=list_ranges[rule["list"]])
    else:
        low, high = rule.get("min"), rule.get("max")
        if low is not None and high is not None:
            operator, first, second = "between", low, high
        elif low is not None:
            operator, first, second = "greaterThanOrEqual", low, None
        else:
            # Any number, but not text.
            operator, first, second = "between", -(10**15), 10**15
        validation = DataValidation(
            type=rule["type"],
            operator=operator,
            formula1=str(first),
            formula2=None if second is None else str(second),
        )
    validation.allow_blank = True
    validation.showErrorMessage = True
    validation.errorTitle = str(column.label)[:32]
    validation.error = allowed_values(column)[:EXCEL_MESSAGE_LENGTH]
    if column.help:
        validation.showInputMessage = True
        validation.promptTitle = str(column.label)[:32]
        validation.prompt = str(column.help)[:EXCEL_MESSAGE_LENGTH]
    return validation


def _write_lists(workbook, lists: dict[str, list[str]]) -> dict[str, str]:
    title = _("Lists")
    sheet = workbook.create_sheet(title)
    sheet.sheet_state = "hidden"
    ranges = {}
    for index, (key, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        _cell(sheet, 1, index, key)
        for number, value in enumerate(values, start=2):
            _cell(sheet, number, index, value)
        ranges[key] = f"'{title}'!${letter}$2:${letter}${max(len(values) + 1, 2)}"
    sheet.protection.sheet = True
    return ranges


def _write_instructions(workbook, kind, specs, content, user, year, quarter) -> None:
    sheet = workbook.create_sheet(_("Instructions"))
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 34
    sheet.column_dimensions["C"].width = 60
    sheet.column_dimensions["D"].width = 40
    sheet.column_dimensions["E"].width = 12
    lines = [
        (_("How to fill in: %(template)s") % {"template": kind.title}, Font(bold=True, size=14)),
        (str(kind.description), None),
    ]
    period = []
    if kind.asks_year and year:
        period.append(_("Year: %(year)s") % {"year": year})
    if kind.asks_quarter and quarter:
        period.append(_("Quarter: %(quarter)s") % {"quarter": Quarter(quarter).label})
    period.append(
        _("Made on %(date)s for %(user)s.")
        % {
            "date": timezone.localtime().strftime("%d-%m-%Y %H:%M"),
            "user": user.get_full_name() or user.username,
        }
    )
    lines.append((" · ".join(period), None))
    lines.append(("", None))
    steps = [
        *STEPS,
        _("Files up to %(size)s are accepted.") % {"size": filesizeformat(max_upload_size())},
        *kind.instructions,
    ]
    for number, step in enumerate(steps, start=1):
        lines.append((f"{number}. {step}", None))
    for note in content.notes:
        lines.append((str(note), None))
    lines.append(("", None))
    row = 1
    for text, font in lines:
        cell = _cell(sheet, row, 1, text)
        if font:
            cell.font = font
        row += 1
    headers = (_("Sheet"), _("Column"), _("What to enter"), _("Allowed values"), _("Locked"))
    for index, header in enumerate(headers, start=1):
        cell = _cell(sheet, row, index, header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for spec in specs:
        for column in spec.columns:
            row += 1
            locked = not column.imported or column.identifying
            values = (
                str(spec.title),
                str(column.label),
                str(column.help),
                allowed_values(column),
                _("yes") if locked else _("no"),
            )
            for index, value in enumerate(values, start=1):
                cell = _cell(sheet, row, index, value)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.protection.sheet = True


def _write_marker(workbook, kind, user, year, quarter) -> None:
    sheet = workbook.create_sheet(MARKER_SHEET)
    rows = (
        ("kind", kind.slug),
        ("version", kind.version),
        ("year", year or ""),
        ("quarter", quarter or ""),
        ("created", timezone.localtime().isoformat(timespec="seconds")),
        ("user", user.username),
    )
    for number, (key, value) in enumerate(rows, start=1):
        _cell(sheet, number, 1, key)
        _cell(sheet, number, 2, value)
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True
