"""The targeting check as an Excel workbook: one sheet each for the villages, the programmes
that reach no pocket or name no target village, and the kecamatan summary. Numbers stay
numbers so that the regency's staff can sum and sort them in Excel."""

import re
from io import BytesIO

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .targeting import DistrictSummary, TargetingCheck

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\*?:/\[\]]")


def neutralise(value):
    """Text a spreadsheet would run as a formula (a programme named "=HYPERLINK(...)") is
    written with a leading apostrophe, so it stays text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _sheet(workbook, title, headers, rows, formats=None):
    sheet = workbook.create_sheet(_SHEET_TITLE_FORBIDDEN.sub("-", title)[:31])
    sheet.append([neutralise(str(header)) for header in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([neutralise(value) for value in row])
    for column, number_format in (formats or {}).items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = number_format
    return sheet


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _rate(value):
    return round(value, 2) if value is not None else None


def _flag_text(row) -> str:
    if row.pocket_unreached:
        return _("Pocket reached by no programme")
    if row.pocket_missing_strategies:
        return _("Pocket missing strategy: %(strategies)s") % {
            "strategies": ", ".join(str(s.number) for s in row.missing_strategies)
        }
    if not row.reached:
        return _("Reached by no programme")
    return ""


def _village_sheet(workbook, check: TargetingCheck):
    headers = [
        _("District code"),
        _("District"),
        _("Village code"),
        _("Village"),
        _("Population (people)"),
        _("Poor households (KK)"),
        _("Poverty rate (%)"),
        _("Poverty pocket"),
        *[_("Strategy %(number)s programmes") % {"number": s.number} for s in check.strategies],
        _("Reached by a programme"),
        _("Flag"),
    ]
    rows = [
        [
            row.district_code,
            row.district_name,
            row.code,
            row.name,
            row.population,
            row.poor_households,
            _rate(row.poverty_rate),
            _yes_no(row.is_pocket),
            *[
                "; ".join(f"{ref.name} ({ref.agency_label})" for ref in cell.programs)
                for cell in row.by_strategy
            ],
            _yes_no(row.reached),
            _flag_text(row),
        ]
        for row in check.villages
    ]
    _sheet(workbook, _("Villages"), headers, rows, {5: "#,##0", 6: "#,##0", 7: "0.00"})


def _program_sheet(workbook, check: TargetingCheck):
    headers = [
        _("Agency (OPD)"),
        _("Programme"),
        _("Strategy"),
        _("Budget ceiling (Rp)"),
        _("Target villages"),
        _("Target villages without village data"),
        _("Finding"),
    ]
    findings = [(f, 0, _("Reaches no pocket")) for f in check.programs_without_pocket] + [
        (f, 1, _("No target village")) for f in check.programs_without_target
    ]
    # Grouped by OPD as on the page, so an agency finds all of its own in one place.
    findings.sort(key=lambda item: (item[0].program.agency_label.casefold(), item[1]))
    rows = [
        [
            finding.program.agency_name,
            finding.program.name,
            str(finding.strategy),
            finding.program.budget_ceiling,
            finding.target_villages,
            finding.targets_without_data,
            label,
        ]
        for finding, _kind, label in findings
    ]
    _sheet(workbook, _("Programmes reaching no pocket"), headers, rows, {4: "#,##0"})


def _summary_row(summary: DistrictSummary, code, name):
    row = [
        code,
        name,
        summary.villages_with_data,
        summary.poor_households,
        summary.pockets,
        summary.pockets_reached,
        summary.pockets_unreached,
        summary.uncovered_poor_households,
        _rate(summary.uncovered_share),
    ]
    for totals in summary.by_strategy:
        row += [totals.programs, totals.budget_ceiling]
    return row


def _district_sheet(workbook, check: TargetingCheck):
    headers = [
        _("District code"),
        _("District"),
        _("Villages with data"),
        _("Poor households (KK)"),
        _("Poverty pockets"),
        _("Pockets reached"),
        _("Pockets reached by no programme"),
        _("Poor households in villages no programme reaches"),
        _("Share of poor households in villages no programme reaches (%)"),
    ]
    for strategy in check.strategies:
        headers += [
            _("Strategy %(number)s programmes") % {"number": strategy.number},
            _("Strategy %(number)s budget ceiling (Rp)") % {"number": strategy.number},
        ]
    rows = [_summary_row(s, s.code, s.name) for s in check.districts]
    rows.append(_summary_row(check.total, "", _("Total (each programme counted once)")))
    formats = dict.fromkeys((3, 4, 5, 6, 7, 8), "#,##0")
    formats[9] = "0.00"
    for index in range(len(check.strategies)):
        formats[10 + 2 * index] = "#,##0"
        formats[11 + 2 * index] = "#,##0"
    _sheet(workbook, _("District summary"), headers, rows, formats)


def targeting_workbook(check: TargetingCheck) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    _village_sheet(workbook, check)
    _program_sheet(workbook, check)
    _district_sheet(workbook, check)
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def targeting_xlsx_response(check: TargetingCheck) -> HttpResponse:
    suffix = f"-{check.district.code}" if check.district else ""
    response = HttpResponse(targeting_workbook(check), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="tepat-sasaran-{check.year}{suffix}.xlsx"'
    )
    return response
