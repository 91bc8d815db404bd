from django.contrib import admin
from django.db.models import F, FloatField
from django.db.models.functions import Cast, NullIf
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from bartim.admin import OptimisticLockAdminMixin, ReviewRulesAdminMixin
from helpers.formatting import format_number, format_percent, format_rupiah
from villages.models import PocketRule, PovertyStatistic, VillageData


@admin.register(VillageData)
class VillageDataAdmin(OptimisticLockAdminMixin, ReviewRulesAdminMixin, SimpleHistoryAdmin):
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


@admin.register(PocketRule)
class PocketRuleAdmin(SimpleHistoryAdmin):
    fields = ["basis", "fixed_rate", "min_poor_households"]

    def _is_regency_admin(self, request) -> bool:
        return request.user.is_authenticated and request.user.is_regency_admin

    def has_view_permission(self, request, obj=None):
        return self._is_regency_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_regency_admin(request)

    def has_add_permission(self, request):
        # The migration creates the row; a second one is refused by the database anyway.
        return self._is_regency_admin(request) and not PocketRule.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return self._is_regency_admin(request)

    def changelist_view(self, request, extra_context=None):
        # A list of one row is noise: go straight to the rule itself.
        rule = PocketRule.objects.first()
        if rule is None:
            return super().changelist_view(request, extra_context)
        return redirect(reverse("admin:villages_pocketrule_change", args=[rule.pk]))
