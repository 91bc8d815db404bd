"""Village data (data desa): one row per desa/kelurahan and year, kept by the camat."""

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bartim import access
from bartim.models import Village
from spreadsheets.kinds.base import (
    CHANGED,
    NEW,
    UNCHANGED,
    TemplateContent,
    TemplateKind,
    TemplateRow,
    status_refusal,
)
from spreadsheets.layout import REQUIRED, Column, SheetSpec, text, whole, year_column
from villages.models import VillageData
from villages.services import BulkSaveError, VillageDataEntry, village_data_save_many

REQUIRED_FIELDS = (
    "population",
    "households",
    "poor_households",
    "poor_people",
    "extremely_poor_people",
)
OPTIONAL_FIELDS = (
    "uninhabitable_houses",
    "households_without_clean_water",
    "households_without_latrine",
    "stunted_children",
    "children_out_of_school",
    "unemployed",
)
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS


def _count_column(name: str) -> Column:
    required = name in REQUIRED_FIELDS
    return Column(
        key=name,
        label=capfirst(VillageData._meta.get_field(name).verbose_name),
        parse=whole(0),
        blank=REQUIRED if required else 0,
        help=(gettext_lazy("Required.") if required else gettext_lazy("A blank cell counts as 0.")),
        width=16,
        number_format="#,##0",
        validation={"type": "whole", "min": 0},
    )


SHEET = SheetSpec(
    key="village_data",
    title=gettext_lazy("Village data"),
    columns=(
        Column(
            key="village_code",
            label=gettext_lazy("Village code"),
            parse=text(13),
            identifying=True,
            blank=REQUIRED,
            width=16,
            number_format="@",
            help=gettext_lazy("Kemendagri code of the desa or kelurahan, e.g. 62.13.01.2003."),
        ),
        Column(
            key="village_name",
            label=gettext_lazy("Village"),
            width=24,
            help=gettext_lazy("For reading only; the code identifies the village."),
        ),
        Column(
            key="district_name",
            label=gettext_lazy("District (kecamatan)"),
            width=18,
            help=gettext_lazy("For reading only."),
        ),
        year_column(identifying=True, help=gettext_lazy("Year the data describe.")),
        *(_count_column(name) for name in FIELDS),
    ),
    allow_new_rows=True,
    skip_rows_without_values=True,
)


def villages_kept_by(user):
    """The villages whose data `user` keeps; pre-fills the template. The services decide
    what may really be written."""
    return access.choices_for(user, VillageData, Village.objects.all())


class VillageDataKind(TemplateKind):
    slug = "village-data"
    title = gettext_lazy("Village data")
    description = gettext_lazy(
        "Population, poverty and living conditions of each desa and kelurahan for a year."
    )
    sheets = (SHEET,)
    instructions = (
        gettext_lazy(
            "One row per village and year. A row whose number cells are all blank is left out."
        ),
        gettext_lazy(
            "To import other years, add rows below with the village code and the year. "
            "Village data that has been submitted or approved is not in the template and "
            "cannot be changed by an import."
        ),
    )

    def allowed(self, user) -> bool:
        return access.may_write(user, VillageData)

    def content(self, user, *, year, quarter) -> TemplateContent:
        records = {
            record.village_id: record
            for record in access.reported(user, VillageData.objects.all()).filter(year=year)
        }
        editable = set(
            access.editable(user, VillageData.objects.all())
            .filter(pk__in=[r.pk for r in records.values()])
            .values_list("pk", flat=True)
        )
        rows = []
        for village in villages_kept_by(user).select_related("district").order_by("code"):
            record = records.get(village.pk)
            if record is not None and record.pk not in editable:
                continue
            values = {
                "village_code": village.code,
                "village_name": village.name,
                "district_name": village.district.name,
                "year": year,
            }
            if record is not None:
                values |= {name: getattr(record, name) for name in FIELDS}
            rows.append(TemplateRow(values))
        return TemplateContent(rows={SHEET.key: rows})

    def run(self, run) -> None:
        sheet = run.sheets.get(SHEET.key)
        if sheet is None:
            return
        rows = [row for row in sheet.rows if row.ok("village_code", "year")]
        codes = {row.values["village_code"] for row in rows}
        years = {row.values["year"] for row in rows}
        villages = {
            village.code: village
            for village in Village.objects.filter(code__in=codes).select_related("district")
        }
        records = {
            (record.village_id, record.year): record
            for record in run.locked(
                VillageData.objects.filter(village__code__in=codes, year__in=years)
            )
        }
        ids = [record.pk for record in records.values()]
        reported = set(
            access.reported(run.actor, VillageData.objects.all())
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        editable = set(
            access.editable(run.actor, VillageData.objects.all())
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        seen, without_values, entries, pending = {}, [], [], []
        for row in rows:
            code, year = row.values["village_code"], row.values["year"]
            village = villages.get(code)
            if village is None:
                run.error(
                    sheet,
                    row,
                    "village_code",
                    _("No village has the code %(code)s.") % {"code": code},
                )
                continue
            label = f"{village.code} {village.name} · {year}"
            key = (village.pk, year)
            if key in seen:
                run.error(
                    sheet,
                    row,
                    "village_code",
                    _("%(record)s is already in row %(row)d of this file.")
                    % {"record": label, "row": seen[key]},
                )
                continue
            seen[key] = row.number
            record = records.get(key)
            if record is not None and record.pk not in reported:
                run.error(
                    sheet,
                    row,
                    "village_code",
                    _("You may only keep the data of villages in your own district."),
                )
                continue
            if row.without_values:
                without_values.append(row.number)
                continue
            if not row.ok():
                continue
            if record is None and not run.has_columns_for_new(sheet, row, "village_code"):
                continue
            current = None if record is None else {n: getattr(record, n) for n in FIELDS}
            changes = run.diff(sheet, row, current)
            if not changes:
                run.result(sheet, row, label, UNCHANGED)
                continue
            if record is not None and record.pk not in editable:
                run.error(sheet, row, None, status_refusal(label, record.status))
                continue
            fields = {
                name: row.values[name]
                for name in FIELDS
                if name in sheet.present and (current is None or current[name] != row.values[name])
            }
            pending.append((row, label, NEW if record is None else CHANGED, changes))
            entries.append(VillageDataEntry(village, year, record, fields))
        # One batch: an administrator's import of every village over twenty years is 2,000
        # rows, too many for a dozen queries each.
        refusals = {}
        try:
            village_data_save_many(
                actor=run.actor, entries=entries, change_reason=run.change_reason
            )
        except BulkSaveError as error:
            refusals = error.errors
        for index, (row, label, action, changes) in enumerate(pending):
            if index in refusals:
                run.refused(
                    sheet, row, refusals[index], model=VillageData, default_key="village_code"
                )
            else:
                run.result(sheet, row, label, action, changes)
        run.skipped_without_values(sheet, without_values)
