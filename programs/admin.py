"""The three strategies in the admin. The programme admin lives in indicators/admin.py, where
a programme is entered together with its indicators (dependencies point indicators -> programs)."""

from django import forms
from django.contrib import admin
from django.db.models import F, FloatField
from django.db.models.functions import Cast, NullIf
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from bartim.admin import KeepsReportsAdminMixin, OptimisticLockAdminMixin, ReviewRulesAdminMixin
from bartim.models import PeriodLock, Quarter
from helpers.concurrency import claim_version
from helpers.db import count_of
from helpers.formatting import format_number, format_percent, format_rupiah
from indicators.models import Indicator, IndicatorValue
from programs.models import Program, Strategy
from programs.services import BUDGET_FIELDS


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


class RaisesProgramVersionMixin:
    """An indicator or quarterly value saved here raises its programme's version, so that the
    app's programme and quarter forms opened before are refused rather than overwrite it."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        claim_version(Program, pk=self.program_id_of(obj), seen_version=None, actor=request.user)

    def delete_model(self, request, obj):
        program_id = self.program_id_of(obj)
        super().delete_model(request, obj)
        claim_version(Program, pk=program_id, seen_version=None, actor=request.user)


@admin.register(Indicator)
class IndicatorAdmin(
    KeepsReportsAdminMixin, RaisesProgramVersionMixin, ReviewRulesAdminMixin, SimpleHistoryAdmin
):
    refused_deletion_hint = _(
        "Quarterly values are reported data and are never deleted with their indicator."
    )
    list_display = ("name", "program", "agency", "unit", "direction", "target_display")
    list_filter = ("program__year", "program__strategy", "direction")
    list_select_related = ("program__agency",)
    search_fields = ("name", "program__name", "program__agency__name")
    autocomplete_fields = ("program",)
    fields = ("program", "name", "unit", "direction", "aggregation", "baseline", "target")
    inlines = (IndicatorValueInline,)

    def program_id_of(self, obj):
        return obj.program_id

    @admin.display(description=_("agency"), ordering="program__agency__name")
    def agency(self, obj):
        return obj.program.agency

    @admin.display(description=_("annual target"), ordering="target")
    def target_display(self, obj):
        return _quantity(obj.target)


@admin.register(IndicatorValue)
class IndicatorValueAdmin(RaisesProgramVersionMixin, ReviewRulesAdminMixin, SimpleHistoryAdmin):
    list_display = ("indicator", "program", "quarter", "target_display", "realized_display")
    list_filter = ("indicator__program__year", "quarter")
    list_select_related = ("indicator__program",)
    search_fields = ("indicator__name", "indicator__program__name")
    autocomplete_fields = ("indicator",)
    fields = ("indicator", "quarter", "target", "realized")

    def program_id_of(self, obj):
        return obj.indicator.program_id

    @admin.display(description=_("programme"), ordering="indicator__program__name")
    def program(self, obj):
        return obj.indicator.program

    @admin.display(description=_("quarter target"), ordering="target")
    def target_display(self, obj):
        return _quantity(obj.target)

    @admin.display(description=_("realised"), ordering="realized")
    def realized_display(self, obj):
        return _quantity(obj.realized)


_REALIZED_TOTAL = (
    F("budget_realized_q1")
    + F("budget_realized_q2")
    + F("budget_realized_q3")
    + F("budget_realized_q4")
)


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ("name", "unit", "direction", "aggregation", "baseline", "target")
    extra = 0
    # Quarterly values are entered on the indicator's own page, one click away.
    show_change_link = True


@admin.register(Program)
class ProgramAdmin(
    KeepsReportsAdminMixin, OptimisticLockAdminMixin, ReviewRulesAdminMixin, SimpleHistoryAdmin
):
    refused_deletion_hint = _(
        "Reported data (quarterly values, budget realisation) is never deleted with its "
        "programme. If it was entered by mistake, correct it first; otherwise keep the "
        "programme."
    )
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

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is None:
            return fields
        locked = PeriodLock.objects.locked_quarters(obj.year)
        return [*fields, *(BUDGET_FIELDS[quarter] for quarter in sorted(locked))]

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

    def save_related(self, request, form, formsets, change):
        # The form sets the target villages after the programme's own row is saved; without
        # this, a removal and an addition would each add a history row. Instead one row
        # records the new set, only when it changed.
        program = form.instance
        before = set(program.target_villages.values_list("pk", flat=True))
        program.skip_history_when_saving = True
        try:
            super().save_related(request, form, formsets, change)
        finally:
            del program.skip_history_when_saving
        if set(program.target_villages.values_list("pk", flat=True)) != before:
            program.save(update_fields=["updated_at"])

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


def _quantity(value) -> str:
    """Targets are mostly whole counts (KK, jiwa) and sometimes rates: 120 but 12,50."""
    if value is None:
        return format_number(None)
    decimals = 0 if value == value.to_integral_value() else 2
    return format_number(value, decimals)
