"""Data entry for indicators and their quarterly values, village data and the BPS series."""

from django import forms
from django.contrib import admin
from django.db.models import F, FloatField
from django.db.models.functions import Cast, NullIf
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from bartim.formatting import format_number, format_percent, format_rupiah
from bartim.models import Quarter

from .models import Indicator, IndicatorValue, PovertyStatistic, VillageData


def _quantity(value) -> str:
    """Targets are mostly whole counts (KK, jiwa) and sometimes rates: 120 but 12,50."""
    if value is None:
        return format_number(None)
    decimals = 0 if value == value.to_integral_value() else 2
    return format_number(value, decimals)


class QuarterValueFormSet(forms.BaseInlineFormSet):
    """Offers every quarter not yet reported as a ready row, so an operator only types
    numbers; a row left untouched is not saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reported = {value.quarter for value in self.get_queryset()}
        self.initial_extra = [
            {"quarter": quarter} for quarter in Quarter.values if quarter not in reported
        ]


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    formset = QuarterValueFormSet
    fields = ("quarter", "target", "realized")
    extra = len(Quarter.values)
    max_num = len(Quarter.values)


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ("name", "program", "agency", "unit", "direction", "target_display")
    list_filter = ("program__year", "program__strategy", "direction")
    list_select_related = ("program__agency",)
    search_fields = ("name", "program__name", "program__agency__name")
    autocomplete_fields = ("program",)
    fields = ("program", "name", "unit", "direction", "aggregation", "baseline", "target")
    inlines = (IndicatorValueInline,)

    @admin.display(description=_("agency"), ordering="program__agency__name")
    def agency(self, obj):
        return obj.program.agency

    @admin.display(description=_("annual target"), ordering="target")
    def target_display(self, obj):
        return _quantity(obj.target)


@admin.register(IndicatorValue)
class IndicatorValueAdmin(SimpleHistoryAdmin):
    list_display = ("indicator", "program", "quarter", "target_display", "realized_display")
    list_filter = ("indicator__program__year", "quarter")
    list_select_related = ("indicator__program",)
    search_fields = ("indicator__name", "indicator__program__name")
    autocomplete_fields = ("indicator",)
    fields = ("indicator", "quarter", "target", "realized")

    @admin.display(description=_("programme"), ordering="indicator__program__name")
    def program(self, obj):
        return obj.indicator.program

    @admin.display(description=_("quarter target"), ordering="target")
    def target_display(self, obj):
        return _quantity(obj.target)

    @admin.display(description=_("realised"), ordering="realized")
    def realized_display(self, obj):
        return _quantity(obj.realized)


@admin.register(VillageData)
class VillageDataAdmin(SimpleHistoryAdmin):
    list_display = (
        "village",
        "district",
        "year",
        "population_display",
        "poor_people_display",
        "poverty_rate_display",
        "poor_households_display",
        "status",
    )
    list_filter = ("year", "village__district", "status")
    list_select_related = ("village__district",)
    search_fields = ("village__name", "village__code")
    autocomplete_fields = ("village",)
    fieldsets = (
        (None, {"fields": ("village", "year", "status")}),
        (_("Population"), {"fields": ("population", "households")}),
        (
            _("Poverty"),
            {"fields": ("poor_households", "poor_people", "extremely_poor_people")},
        ),
        (
            _("Living conditions"),
            {
                "fields": (
                    "uninhabitable_houses",
                    "households_without_clean_water",
                    "households_without_latrine",
                    "stunted_children",
                    "children_out_of_school",
                    "unemployed",
                )
            },
        ),
    )

    @admin.display(description=_("district"), ordering="village__district__code")
    def district(self, obj):
        return obj.village.district

    @admin.display(description=_("population (people)"), ordering="population")
    def population_display(self, obj):
        return format_number(obj.population)

    @admin.display(description=_("poor people"), ordering="poor_people")
    def poor_people_display(self, obj):
        return format_number(obj.poor_people)

    @admin.display(
        description=_("poverty rate (%)"),
        # The same ratio as VillageData.poverty_rate, so the column sorts as it reads.
        ordering=Cast("poor_people", FloatField()) / NullIf(F("population"), 0),
    )
    def poverty_rate_display(self, obj):
        return format_percent(obj.poverty_rate)

    @admin.display(description=_("poor households (KK)"), ordering="poor_households")
    def poor_households_display(self, obj):
        return format_number(obj.poor_households)


@admin.register(PovertyStatistic)
class PovertyStatisticAdmin(SimpleHistoryAdmin):
    list_display = (
        "year",
        "poor_people_display",
        "poverty_rate_display",
        "poverty_line_display",
        "depth_index_display",
        "severity_index_display",
        "source",
    )
    ordering = ("year",)

    @admin.display(description=_("poor people"), ordering="poor_people")
    def poor_people_display(self, obj):
        return format_number(obj.poor_people)

    @admin.display(description=_("poverty rate (%)"), ordering="poverty_rate")
    def poverty_rate_display(self, obj):
        return format_percent(obj.poverty_rate)

    @admin.display(description=_("poverty line (Rp/capita/month)"), ordering="poverty_line")
    def poverty_line_display(self, obj):
        return format_rupiah(obj.poverty_line)

    @admin.display(description=_("poverty depth index (P1)"), ordering="depth_index")
    def depth_index_display(self, obj):
        return format_number(obj.depth_index, 2)

    @admin.display(description=_("poverty severity index (P2)"), ordering="severity_index")
    def severity_index_display(self, obj):
        return format_number(obj.severity_index, 2)
