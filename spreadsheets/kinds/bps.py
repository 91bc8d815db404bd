"""The regency's BPS poverty series: one row per year, kept by the administrator."""

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bartim import access
from spreadsheets.kinds.base import (
    CHANGED,
    NEW,
    UNCHANGED,
    TemplateContent,
    TemplateKind,
    TemplateRow,
)
from spreadsheets.layout import Column, SheetSpec, decimal, text, whole, year_column
from villages.models import PovertyStatistic
from villages.services import poverty_statistic_save


def _label(name):
    return capfirst(PovertyStatistic._meta.get_field(name).verbose_name)


def _whole(name, required=False) -> Column:
    return Column(
        key=name,
        label=_label(name),
        parse=whole(0),
        required=required,
        width=18,
        number_format="#,##0",
        validation={"type": "whole", "min": 0},
        help=gettext_lazy("A whole number; blank if not known."),
    )


def _index(name) -> Column:
    return Column(
        key=name,
        label=_label(name),
        parse=decimal(2, minimum=0),
        width=12,
        number_format="0.00",
        validation={"type": "decimal", "min": 0},
        help=gettext_lazy("Up to 2 decimals; blank if not known."),
    )


SHEET = SheetSpec(
    key="bps",
    title=capfirst(gettext_lazy("BPS poverty figures")),
    columns=(
        year_column(identifying=True, help=gettext_lazy("One row per year.")),
        _whole("poor_people", required=True),
        Column(
            key="poverty_rate",
            label=_label("poverty_rate"),
            parse=decimal(2, minimum=0, maximum=100, percent=True),
            required=True,
            width=14,
            number_format="0.00",
            validation={"type": "decimal", "min": 0, "max": 100},
            help=gettext_lazy("Percent, e.g. 6,66 for 6,66%; blank if not known."),
        ),
        _whole("poverty_line"),
        _index("depth_index"),
        _index("severity_index"),
        Column(
            key="source",
            label=_label("source"),
            parse=text(2000),
            blank="",
            width=60,
            help=gettext_lazy("Where the figures come from (publication, link)."),
        ),
    ),
    allow_new_rows=True,
)
FIELDS = ("poor_people", "poverty_rate", "poverty_line", "depth_index", "severity_index", "source")


class BpsKind(TemplateKind):
    slug = "bps"
    title = capfirst(gettext_lazy("BPS poverty figures"))
    description = gettext_lazy(
        "The regency's poverty series as BPS publishes it, one row per year."
    )
    sheets = (SHEET,)
    asks_year = False
    instructions = (gettext_lazy("Add a new year as a new row. The import never deletes a year."),)

    def allowed(self, user) -> bool:
        return access.may_write(user, PovertyStatistic)

    def content(self, user, *, year, quarter) -> TemplateContent:
        rows = [
            TemplateRow({"year": s.year} | {name: getattr(s, name) for name in FIELDS})
            for s in PovertyStatistic.objects.order_by("year")
        ]
        return TemplateContent(rows={SHEET.key: rows})

    def run(self, run) -> None:
        sheet = run.sheets.get(SHEET.key)
        if sheet is None:
            return
        rows = [row for row in sheet.rows if row.ok("year")]
        existing = {
            s.year: s
            for s in run.locked(
                PovertyStatistic.objects.filter(year__in={r.values["year"] for r in rows})
            )
        }
        seen = {}
        for row in rows:
            year = row.values["year"]
            if year in seen:
                run.error(
                    sheet,
                    row,
                    "year",
                    _("%(record)s is already in row %(row)d of this file.")
                    % {"record": year, "row": seen[year]},
                )
                continue
            seen[year] = row.number
            if not row.ok():
                continue
            record = existing.get(year)
            current = None if record is None else {n: getattr(record, n) for n in FIELDS}
            changes = run.diff(sheet, row, current)
            if not changes:
                run.result(sheet, row, str(year), UNCHANGED)
                continue
            fields = {
                name: row.values[name]
                for name in FIELDS
                if name in sheet.present and (current is None or current[name] != row.values[name])
            }
            saved = run.attempt(
                sheet,
                row,
                lambda year=year, record=record, fields=fields: poverty_statistic_save(
                    actor=run.actor,
                    year=year,
                    record=record,
                    change_reason=run.change_reason,
                    **fields,
                ),
                model=PovertyStatistic,
                default_key="year",
            )
            if saved is not None:
                run.result(sheet, row, str(year), NEW if record is None else CHANGED, changes)
