from django.contrib import admin
from django.db.models import F, FloatField
from django.db.models.functions import Cast, NullIf
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from bartim.admin import OptimisticLockAdminMixin, PolicyAdminMixin, model_fields
from helpers.formatting import format_number, format_percent, format_rupiah
from villages.models import NeedRule, PocketRule, PovertyStatistic, VillageData
from villages.services import (
    need_rule_save,
    pocket_rule_save,
    poverty_statistic_delete,
    poverty_statistic_save,
    village_data_delete,
    village_data_save,
)


@admin.register(VillageData)
class VillageDataAdmin(OptimisticLockAdminMixin, PolicyAdminMixin, SimpleHistoryAdmin):
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

    def save_record(self, request, obj, form, change):
        fields = model_fields(form)
        return village_data_save(
            actor=request.user,
            village=fields.pop("village", obj.village),
            year=fields.pop("year", obj.year),
            record=VillageData.objects.get(pk=obj.pk) if change else None,
            seen_version=self.seen_version(form, change),
            **fields,
        )

    def delete_record(self, request, obj):
        village_data_delete(record=obj, actor=request.user)

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
class PovertyStatisticAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
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

    def save_record(self, request, obj, form, change):
        fields = model_fields(form)
        return poverty_statistic_save(
            actor=request.user,
            year=fields.pop("year"),
            record=PovertyStatistic.objects.get(pk=obj.pk) if change else None,
            **fields,
        )

    def delete_record(self, request, obj):
        poverty_statistic_delete(record=obj, actor=request.user)

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


@admin.register(PocketRule)
class PocketRuleAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    fields = ["basis", "fixed_rate", "min_poor_households"]

    def save_record(self, request, obj, form, change):
        return pocket_rule_save(rule=obj, actor=request.user)

    def changelist_view(self, request, extra_context=None):
        # A list of one row is noise: go straight to the rule itself.
        rule = PocketRule.objects.first()
        if rule is None:
            return super().changelist_view(request, extra_context)
        return redirect(reverse("admin:villages_pocketrule_change", args=[rule.pk]))


@admin.register(NeedRule)
class NeedRuleAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    fields = ["top_share", "min_count"]

    def save_record(self, request, obj, form, change):
        return need_rule_save(rule=obj, actor=request.user)

    def changelist_view(self, request, extra_context=None):
        # A list of one row is noise: go straight to the rule itself.
        rule = NeedRule.objects.first()
        if rule is None:
            return super().changelist_view(request, extra_context)
        return redirect(reverse("admin:villages_needrule_change", args=[rule.pk]))
