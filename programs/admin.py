"""Data entry for the three strategies and the programmes agencies run under them."""

from django.contrib import admin
from django.db.models import F, FloatField
from django.db.models.functions import Cast, NullIf
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from bartim.db import count_of
from bartim.formatting import format_number, format_percent, format_rupiah

# The one place programs/ reaches into indicators/: the programme page is where an operator
# enters a programme together with its indicators.
from indicators.models import Indicator

from .models import Program, Strategy

_REALIZED_TOTAL = (
    F("budget_realized_q1")
    + F("budget_realized_q2")
    + F("budget_realized_q3")
    + F("budget_realized_q4")
)


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    """The regent set three strategies: their wording may be edited, their number may not."""

    list_display = ("number", "name")
    list_display_links = ("number", "name")
    fields = ("number", "name", "description")
    readonly_fields = ("number",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ("name", "unit", "direction", "aggregation", "baseline", "target")
    extra = 0
    # Quarterly values are entered on the indicator's own page, one click away.
    show_change_link = True


@admin.register(Program)
class ProgramAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "agency",
        "strategy",
        "year",
        "budget_ceiling_rupiah",
        "realized_rupiah",
        "absorption",
        "indicator_count",
        "village_count",
        "status",
    )
    list_filter = ("year", "strategy", ("agency", admin.RelatedOnlyFieldListFilter), "status")
    list_select_related = ("agency", "strategy")
    search_fields = ("name", "agency__name", "agency__abbreviation")
    autocomplete_fields = ("agency", "target_villages")
    readonly_fields = ("created_by", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("agency", "strategy", "year", "name", "description")}),
        (
            _("Budget"),
            {
                "fields": (
                    "budget_ceiling",
                    "budget_realized_q1",
                    "budget_realized_q2",
                    "budget_realized_q3",
                    "budget_realized_q4",
                )
            },
        ),
        (_("Targets"), {"fields": ("target_villages", "beneficiary_target", "beneficiary_unit")}),
        (_("Review"), {"fields": ("status", "created_by", "created_at", "updated_at")}),
    )
    inlines = (IndicatorInline,)
    # Program.get_absolute_url is this very page; "view on site" would lead back here.
    view_on_site = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                indicator_count=count_of(Indicator.objects.all(), "program"),
                village_count=count_of(Program.target_villages.through.objects.all(), "program"),
            )
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("budget ceiling (pagu)"), ordering="budget_ceiling")
    def budget_ceiling_rupiah(self, obj):
        return format_rupiah(obj.budget_ceiling)

    @admin.display(description=_("budget realised"), ordering=_REALIZED_TOTAL)
    def realized_rupiah(self, obj):
        return format_rupiah(obj.budget_realized_total)

    @admin.display(
        description=_("budget absorption (%)"),
        ordering=Cast(_REALIZED_TOTAL, FloatField()) / NullIf(F("budget_ceiling"), 0),
    )
    def absorption(self, obj):
        if not obj.budget_ceiling:
            return format_percent(None)
        return format_percent(obj.budget_realized_total * 100 / obj.budget_ceiling)

    @admin.display(description=_("indicators"), ordering="indicator_count")
    def indicator_count(self, obj):
        return format_number(obj.indicator_count)

    @admin.display(description=_("target villages"), ordering="village_count")
    def village_count(self, obj):
        return format_number(obj.village_count)
