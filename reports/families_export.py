"""The meeting workbook's family sheet (docs/meeting.md): the family-level measures of the
year from the latest confirmed registry snapshot, the one the report's families section
names (families/sections.py), for the regency, each strategy, each agency and each
kecamatan. Aggregates only: no family's name."""

from django.utils.translation import gettext as _

from families.measures import (
    AGENCY,
    DISTRICT,
    GROUPINGS,
    MEASURE_COLUMNS,
    PERCENT_COLUMNS,
    PLACE_COLUMNS,
    PLACES,
    REGENCY,
    STRATEGY,
    family_measures,
)
from families.models import RegistrySnapshot
from helpers.exports import TWO_DECIMALS, WHOLE, write_sheet

# The regency first, then the rows the meeting discusses by strategy, agency and place.
SHEET_GROUPINGS = (REGENCY, STRATEGY, AGENCY, DISTRICT)


def _value(value):
    return round(value, 2) if isinstance(value, float) else value


def family_sheet(workbook, *, year: int, snapshot: RegistrySnapshot | None) -> None:
    """The sheet for `year` from `snapshot`, the latest confirmed one (the meeting's
    targeting check has asked for it: reports.targeting.with_families)."""
    columns = MEASURE_COLUMNS + PLACE_COLUMNS
    headers = [
        _("Grouping"),
        _("Name"),
        *(str(label) for _name, label in columns),
        _("Registry snapshot"),
    ]
    rows = []
    if snapshot is None:
        rows.append([_("No registry snapshot has been imported yet.")])
    else:
        for by in SHEET_GROUPINGS:
            shown = {name for name, _label in MEASURE_COLUMNS}
            if by in PLACES:
                shown |= {name for name, _label in PLACE_COLUMNS}
            for measures in family_measures(snapshot=snapshot, year=year, by=by):
                rows.append(
                    [
                        str(GROUPINGS[by]),
                        measures.label,
                        # A strategy or an agency has no registry side: empty, not zero.
                        *(
                            _value(getattr(measures, name)) if name in shown else None
                            for name, _label in columns
                        ),
                        str(snapshot),
                    ]
                )
    formats = {
        index: TWO_DECIMALS if name in PERCENT_COLUMNS else WHOLE
        for index, (name, _label) in enumerate(columns, start=3)
    }
    write_sheet(workbook, _("Families"), headers, rows, formats)
