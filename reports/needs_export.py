"""The basic-needs check as CSV and XLSX: exactly the rows the page shows. The CSV holds the
page's ranking (one row per village and dimension); the workbook holds it too, and the page's
per-village table on a second sheet. Numbers stay numbers (helpers/exports.py, whose formula
neutralisation every text cell goes through)."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from helpers.exports import TWO_DECIMALS, WHOLE, csv_rows_response, workbook_response, write_sheet
from reports.needs import Gap, NeedsCheck


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def flag_text(gap: Gap) -> str:
    """The flag as the page, the exports and the meeting report word it."""
    if gap.flagged:
        return _("High deficit, no programme of this need")
    if gap.high:
        return _("High deficit, answered")
    return ""


def _programmes(gap: Gap) -> str:
    return "; ".join(f"{p.name} ({p.agency_label})" for p in gap.programs)


def _rate(value):
    return round(value, 2) if value is not None else None


def gap_headers() -> list[str]:
    return [
        _("Basic need"),
        _("Rank in the regency"),
        _("District code"),
        _("District"),
        _("Village code"),
        _("Village"),
        _("Households (KK)"),
        _("Deficit"),
        _("Deficit per 100 households"),
        _("Programmes of this need reaching the village"),
        _("Programmes"),
        _("Budget ceiling (Rp)"),
        _("High deficit"),
        _("Flag"),
    ]


GAP_FORMATS = {2: WHOLE, 7: WHOLE, 8: WHOLE, 9: TWO_DECIMALS, 11: WHOLE, 12: WHOLE}


def gap_rows(check: NeedsCheck, *, flagged_only: bool = False) -> list[list]:
    """The page's ranking, one row per village and need; with `flagged_only` the meeting
    report's "basic needs not yet answered"."""
    return [
        [
            gap.dimension.name,
            gap.rank,
            gap.district_code,
            gap.district_name,
            gap.code,
            gap.name,
            gap.households,
            gap.deficit,
            _rate(gap.rate),
            _programmes(gap),
            len(gap.programs),
            gap.budget_ceiling,
            yes_no(gap.high),
            flag_text(gap),
        ]
        for dimension in check.by_dimension
        for gap in (dimension.flagged if flagged_only else dimension.shown)
    ]


def _village_sheet(workbook, check: NeedsCheck):
    dimensions = [d.dimension for d in check.by_dimension]
    headers = [_("District code"), _("District"), _("Village code"), _("Village")]
    headers.append(_("Households (KK)"))
    formats = {5: WHOLE}
    for dimension in dimensions:
        column = len(headers) + 1
        headers += [
            _("%(need)s: deficit") % {"need": dimension.name},
            _("%(need)s: per 100 households") % {"need": dimension.name},
            _("%(need)s: programmes") % {"need": dimension.name},
            _("%(need)s: flag") % {"need": dimension.name},
        ]
        formats.update({column: WHOLE, column + 1: TWO_DECIMALS})
    rows = []
    for village in check.villages:
        row = [
            village.district_code,
            village.district_name,
            village.code,
            village.name,
            village.households,
        ]
        for gap in village.gaps:
            row += [gap.deficit, _rate(gap.rate), _programmes(gap), flag_text(gap)]
        rows.append(row)
    write_sheet(workbook, _("Villages"), headers, rows, formats)


def needs_csv_response(check: NeedsCheck, filename: str):
    return csv_rows_response([gap_headers(), *gap_rows(check)], filename)


def needs_xlsx_response(check: NeedsCheck, filename: str) -> HttpResponse:
    def fill(workbook):
        write_sheet(workbook, _("Basic needs"), gap_headers(), gap_rows(check), GAP_FORMATS)
        _village_sheet(workbook, check)

    return workbook_response(fill, filename)
