"""The targeting check as an Excel workbook: one sheet each for the villages, the programmes
that reach no pocket or name no target village, and the kecamatan summary. Numbers stay
numbers, with a number format, as in every other export (helpers/exports.py, whose formula
neutralisation every text cell goes through)."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from helpers.exports import TWO_DECIMALS, WHOLE, workbook_response, write_sheet
from reports.targeting import DistrictSummary, TargetingCheck


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
        _("Unverified"),
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
            _yes_no(row.unverified),
        ]
        for row in check.villages
    ]
    formats = {5: WHOLE, 6: WHOLE, 7: TWO_DECIMALS}
    add_family_columns(check, check.villages, headers, rows, formats)
    write_sheet(workbook, _("Villages"), headers, rows, formats)


def add_family_columns(check: TargetingCheck, villages, headers, rows, formats) -> None:
    """Add the villages' family columns (reports.targeting.with_families) to a sheet of
    `villages`, one row each, when the check has a registry snapshot."""
    if check.family_snapshot is None:
        return
    first = len(headers) + 1
    headers += _family_headers()
    for village, values in zip(villages, rows, strict=True):
        values += _family_values(village, check.family_snapshot)
    formats.update(dict.fromkeys(range(first, first + 5), WHOLE))
    formats[first + 2] = TWO_DECIMALS


def _family_headers() -> list[str]:
    return [
        _("Eligible families"),
        _("Eligible families reached"),
        _("Eligible families reached (%)"),
        _("Decile 1 families"),
        _("Decile 1 families not reached"),
        _("Registry snapshot"),
    ]


def _family_values(row, snapshot) -> list:
    families = row.families
    return [
        families.eligible,
        families.eligible_reached,
        _rate(families.eligible_reached_share),
        families.decile1,
        families.decile1_unreached,
        str(snapshot),
    ]


def _program_sheet(workbook, check: TargetingCheck):
    headers = [
        _("Agency (OPD)"),
        _("Programme"),
        _("Strategy"),
        _("Budget ceiling (Rp)"),
        _("Target villages"),
        _("Target villages without village data"),
        _("Finding"),
        _("Unverified"),
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
            _yes_no(finding.program.unverified),
        ]
        for finding, _kind, label in findings
    ]
    formats = {4: WHOLE, 5: WHOLE, 6: WHOLE}
    write_sheet(workbook, _("Programmes reaching no pocket"), headers, rows, formats)


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
    formats = dict.fromkeys(range(3, 9), WHOLE)
    formats[9] = TWO_DECIMALS
    formats.update(dict.fromkeys(range(10, 10 + 2 * len(check.strategies)), WHOLE))
    write_sheet(workbook, _("District summary"), headers, rows, formats)


def targeting_xlsx_response(check: TargetingCheck, filename: str) -> HttpResponse:
    def fill(workbook):
        _village_sheet(workbook, check)
        _program_sheet(workbook, check)
        _district_sheet(workbook, check)

    return workbook_response(fill, filename)
