"""The evaluation meeting report as an Excel workbook, one sheet per section of the page:
the BPS trend, the strategies, the strategies by kind of owner, the OPD ranking, the
programmes off track with their problems and follow-up, the agencies that have not
reported the quarter, and the poverty pockets with the targeting summary. Numbers
stay numbers with a number format; every text cell goes through the formula neutralisation
of helpers/exports.py (in write_sheet)."""

from decimal import Decimal

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from helpers.exports import TWO_DECIMALS, WHOLE, workbook_response, write_sheet
from reports.families_export import family_sheet
from reports.meeting import Meeting
from reports.needs_export import GAP_FORMATS, gap_headers, gap_rows
from reports.targeting_export import _rate, _yes_no, add_family_columns


def _number(value):
    # openpyxl writes Decimal as a number too, but a float keeps the cell type obvious.
    return float(value) if isinstance(value, Decimal) else value


def _trend_sheet(workbook, meeting: Meeting):
    headers = [
        _("Year"),
        _("Poor people"),
        _("Poverty rate (%)"),
        _("Poverty line (Rp/capita/month)"),
        _("Poverty depth index (P1)"),
        _("Poverty severity index (P2)"),
    ]
    rows = [
        [
            s.year,
            s.poor_people,
            _number(s.poverty_rate),
            s.poverty_line,
            _number(s.depth_index),
            _number(s.severity_index),
        ]
        for s in meeting.statistics
    ]
    formats = {1: "0", 2: WHOLE, 3: TWO_DECIMALS, 4: WHOLE, 5: TWO_DECIMALS, 6: TWO_DECIMALS}
    write_sheet(workbook, _("BPS trend"), headers, rows, formats)


def _rollup_columns():
    return [
        _("Number of programmes"),
        _("Budget ceiling (Rp)"),
        _("Budget realised (Rp)"),
        _("Absorption (%)"),
        _("Mean achievement (%)"),
        _("Category"),
    ]


def _rollup_values(row):
    return [
        row.program_count,
        row.budget_ceiling,
        row.budget_realized,
        _number(row.absorption),
        _number(row.mean_achievement),
        str(row.category.label),
    ]


def _scope(meeting: Meeting) -> str:
    if meeting.unverified:
        return _("Including unverified data")
    return _("Verified data only")


def _strategy_sheet(workbook, meeting: Meeting):
    headers = [
        _("No."),
        _("Strategy"),
        _("Number of agencies (OPD)"),
        *_rollup_columns(),
        _("Programmes with unverified figures"),
    ]
    rows = [
        [s.number, s.name, s.agency_count, *_rollup_values(s), s.unverified_count]
        for s in meeting.strategies
    ]
    formats = {1: "0", 3: WHOLE, 4: WHOLE, 5: WHOLE, 6: WHOLE, 7: TWO_DECIMALS, 8: TWO_DECIMALS}
    write_sheet(workbook, _("Strategies"), headers, rows, formats)


def _owner_kind_sheet(workbook, meeting: Meeting):
    """Each strategy's effort and budget by kind of owner (reports.meeting.by_owner_kind)."""
    headers = [
        _("No."),
        _("Kind of owner"),
        _("Number of programmes"),
        _("Budget ceiling (Rp)"),
        _("Budget realised (Rp)"),
        _("Absorption (%)"),
    ]
    rows = [
        [
            row.strategy.number,
            row.kind_label,
            row.figures.program_count,
            row.figures.budget_ceiling,
            row.figures.budget_realized,
            _number(row.figures.absorption),
        ]
        for row in meeting.owner_kinds
    ]
    formats = {1: "0", 3: WHOLE, 4: WHOLE, 5: WHOLE, 6: TWO_DECIMALS}
    write_sheet(workbook, _("By kind of owner"), headers, rows, formats)


def _agency_sheet(workbook, meeting: Meeting):
    headers = [
        _("Rank"),
        _("Agency (OPD)"),
        *_rollup_columns(),
        _("Programmes that reported the quarter"),
        _("Reporting completeness (%)"),
        _("Programmes with unverified figures"),
        _("Late"),
    ]
    rows = [
        [
            a.rank,
            a.name,
            *_rollup_values(a),
            a.reported_count,
            _number(a.completeness),
            a.unverified_count,
            _yes_no(a.late),
        ]
        for a in meeting.agencies
    ]
    formats = {1: "0", 3: WHOLE, 4: WHOLE, 5: WHOLE, 6: TWO_DECIMALS, 7: TWO_DECIMALS, 9: WHOLE}
    formats[10] = TWO_DECIMALS
    write_sheet(workbook, _("OPD ranking"), headers, rows, formats)


def _off_track_sheet(workbook, meeting: Meeting):
    headers = [
        _("Programme"),
        _("Agency (OPD)"),
        _("Strategy"),
        _("Budget ceiling (Rp)"),
        _("Budget realised (Rp)"),
        _("Absorption (%)"),
        _("Mean achievement (%)"),
        _("Category"),
        _("Unverified"),
    ]
    rows = [
        [
            p.name,
            p.agency.name,
            p.strategy.number,
            p.ceiling_in_force,
            p.budget_realized,
            _number(p.absorption),
            _number(p.mean_achievement),
            str(p.category.label),
            _yes_no(p.unverified),
        ]
        for p in meeting.off_track
    ]
    formats = {3: "0", 4: WHOLE, 5: WHOLE, 6: TWO_DECIMALS, 7: TWO_DECIMALS}
    write_sheet(workbook, _("Off track"), headers, rows, formats)


def _problems_sheet(workbook, meeting: Meeting):
    """The report's section "kendala dan tindak lanjut": every programme off track with what
    its quarter report says held it back and what will be done."""
    headers = [
        _("Programme"),
        _("Agency (OPD)"),
        _("Mean achievement (%)"),
        _("Category"),
        _("Physical progress (%)"),
        _("Problems"),
        _("Follow-up"),
    ]
    not_stated = _("Not stated in the quarter report")
    rows = []
    for p in meeting.off_track:
        report = p.quarter_report
        rows.append(
            [
                p.name,
                p.agency.name,
                _number(p.mean_achievement),
                str(p.category.label),
                _number(report.physical_progress) if report else None,
                (report and report.problems) or not_stated,
                (report and report.follow_up) or not_stated,
            ]
        )
    write_sheet(
        workbook, _("Problems and follow-up"), headers, rows, {3: TWO_DECIMALS, 5: TWO_DECIMALS}
    )


def _not_reported_sheet(workbook, meeting: Meeting):
    headers = [_("Agency (OPD)"), _("Programme"), _("Strategy"), _("Unverified"), _("Late")]
    late = {agency.pk for agency in meeting.agencies if agency.late}
    rows = [
        [
            p.agency.name,
            p.name,
            p.strategy.number,
            _yes_no(p.unverified),
            _yes_no(p.agency_id in late),
        ]
        for p in meeting.not_reported
    ]
    rows += [
        [agency.name, agency.without_programmes_note, None, None, _yes_no(agency.late)]
        for agency in meeting.agencies_not_reported
        if not agency.program_count
    ]
    write_sheet(workbook, _("Not reported"), headers, rows, {3: "0"})


def _pocket_sheet(workbook, meeting: Meeting):
    check = meeting.targeting
    headers = [
        _("District"),
        _("Village code"),
        _("Village"),
        _("Population (people)"),
        _("Poor households (KK)"),
        _("Poverty rate (%)"),
        *[_("Strategy %(number)s programmes") % {"number": s.number} for s in check.strategies],
        _("Reached by a programme"),
    ]
    rows = [
        [
            row.district_name,
            row.code,
            row.name,
            row.population,
            row.poor_households,
            _rate(row.poverty_rate),
            *[len(cell.programs) for cell in row.by_strategy],
            _yes_no(row.reached),
        ]
        for row in meeting.pockets
    ]
    formats = {4: WHOLE, 5: WHOLE, 6: TWO_DECIMALS}
    formats.update(dict.fromkeys(range(7, 7 + len(check.strategies)), WHOLE))
    add_family_columns(check, meeting.pockets, headers, rows, formats)
    write_sheet(workbook, _("Poverty pockets"), headers, rows, formats)


def _targeting_sheet(workbook, meeting: Meeting):
    summary = meeting.summary
    rows = [
        [_("Figures counted"), _scope(meeting)],
        [_("Poverty pockets"), summary.pockets],
        [_("Pockets reached by no programme"), summary.uncovered_pocket_count],
        [_("Pockets missing a strategy"), summary.partly_covered_pockets],
        [_("Poor households (KK)"), summary.poor_households],
        [
            _("Poor households in villages no programme reaches"),
            summary.uncovered_poor_households,
        ],
        [
            _("Share of poor households in villages no programme reaches (%)"),
            _rate(summary.uncovered_share),
        ],
    ]
    # One column holds counts and a share: the general format shows each as it is.
    write_sheet(workbook, _("Targeting"), [_("Figure"), _("Value")], rows, {})


def _needs_sheet(workbook, meeting: Meeting):
    rows = gap_rows(meeting.needs, flagged_only=True) if meeting.needs else []
    write_sheet(workbook, _("Unanswered needs"), gap_headers(), rows, GAP_FORMATS)


def meeting_xlsx_response(meeting: Meeting) -> HttpResponse:
    name = slugify(_("meeting report"))
    filename = f"{name}_{meeting.year}_tw{meeting.quarter}.xlsx"

    def fill(workbook):
        for write in (
            _trend_sheet,
            _strategy_sheet,
            _owner_kind_sheet,
            _agency_sheet,
            _off_track_sheet,
            _problems_sheet,
            _not_reported_sheet,
            _pocket_sheet,
            _targeting_sheet,
            _needs_sheet,
        ):
            write(workbook, meeting)
        family_sheet(workbook, year=meeting.year, snapshot=meeting.targeting.family_snapshot)

    return workbook_response(fill, filename)
