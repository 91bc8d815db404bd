"""The programmes, their indicators and quarterly values, and the three strategies in the
admin. Every save and delete goes through programs.services (which raise the programme's
version, so that the app's forms opened before are refused rather than overwrite it), and
a locked quarter's budget or values change only with the reason the forms here ask for."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import F, FloatField, Q
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from bartim import access
from bartim.admin import (
    AdminRefusal,
    KeepsReportsAdminMixin,
    LockReasonFormMixin,
    OptimisticLockAdminMixin,
    PolicyAdminMixin,
    PolicyInlineMixin,
    SeenVersionAdminForm,
    lock_reason_field,
    model_fields,
    refusal_message,
    save_rows,
    with_actor,
)
from bartim.models import Quarter
from helpers.db import count_of
from helpers.formatting import format_number, format_percent, format_quantity, format_rupiah
from helpers.forms import ConfirmUnusualMixin, confirmation_field
from indicators.models import Indicator, IndicatorValue
from indicators.targets import (
    check_quarter_targets,
    indicator_target_errors,
    new_errors,
    stored_targets,
)
from programs import plausibility
from programs.forms import IndicatorTargetRulesMixin, add_target_errors
from programs.funding import funding_total_error
from programs.models import (
    FundingSource,
    NeedDimension,
    Program,
    ProgramFunding,
    QuarterReport,
    Strategy,
)
from programs.owners import target_village_error
from programs.progress import ceiling_in_force
from programs.services import (
    BUDGET_FIELDS,
    QUARTER_REPORT_FIELDS,
    check_funding,
    funding_source_delete,
    funding_source_save,
    indicator_delete,
    indicator_save,
    indicator_value_delete,
    indicator_value_save,
    need_dimension_delete,
    need_dimension_save,
    program_create,
    program_delete,
    program_funding_save,
    program_report_quarter,
    program_update,
    strategy_save,
)


@admin.register(Strategy)
class StrategyAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """The regent set three strategies: their wording may be edited, their number may not."""

    list_display = ("number", "name")
    list_display_links = ("number", "name")
    fields = ("number", "name", "description")
    readonly_fields = ("number",)

    def save_record(self, request, obj, form, change):
        return strategy_save(strategy=obj, actor=request.user)


@admin.register(NeedDimension)
class NeedDimensionAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    """The basic needs programmes answer, each with the village-data figure that counts its
    deficit (reports/needs.py)."""

    list_display = ("name", "code", "figure", "order", "program_count")
    list_display_links = ("name",)
    fields = ("name", "code", "figure", "order")
    search_fields = ("name", "code")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(program_count=count_of(Program.needs.through.objects.all(), "needdimension"))
        )

    @admin.display(description=_("programmes"), ordering="program_count")
    def program_count(self, obj):
        return format_number(obj.program_count)

    def save_record(self, request, obj, form, change):
        return need_dimension_save(record=obj, actor=request.user)

    def delete_record(self, request, obj):
        need_dimension_delete(record=obj, actor=request.user)


class QuarterValueFormSet(forms.BaseInlineFormSet):
    """Offers every quarter not yet reported as a ready row, so an operator only types
    numbers; a row left untouched is not saved. A row that changes or deletes a locked
    quarter's value needs the reason given on the indicator's form (`lock_reason`); the
    policy's refusal is shown above the rows. The inline sets `actor`."""

    actor = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reported = {value.quarter for value in self.get_queryset()}
        self.initial_extra = [
            {"quarter": quarter} for quarter in Quarter.values if quarter not in reported
        ]

    def lock_reason(self) -> str:
        return (self.data.get("lock_reason") or "").strip()

    def touched_quarters(self, form) -> set:
        """The quarters a row's save or deletion changes: the one it held, the one it holds."""
        deleting = self.can_delete and self._should_delete_form(
            form
        )  # deleted_forms needs is_valid
        if not (deleting or form.has_changed()):
            return set()
        quarters = set()
        if form.instance.pk:
            quarters.add(form.initial.get("quarter"))
        if not deleting:
            quarters.add(form.cleaned_data.get("quarter"))
        return quarters - {None}

    def clean(self):
        super().clean()
        for form in self.forms:
            for quarter in sorted(self.touched_quarters(form)):
                probe = IndicatorValue(indicator=self.instance, quarter=quarter)
                refused = access.period_refusal(self.actor, probe, reason=self.lock_reason())
                if refused is not None:
                    raise ValidationError(refusal_message(refused))
        self.check_targets()

    def check_targets(self):
        """The quarter targets as the page will leave them, against the rules
        (indicators/targets.py) with the indicator's fields as the page sets them."""
        saved = stored_targets(self.instance)
        targets = dict(saved)
        for form in self.forms:
            if not form.has_changed() and not self._should_delete_form(form):
                continue
            if form.instance.pk:
                targets.pop(form.initial.get("quarter"), None)
            if not self._should_delete_form(form) and form.cleaned_data.get("quarter"):
                targets[form.cleaned_data["quarter"]] = form.cleaned_data.get("target")
        stored = Indicator.objects.filter(pk=self.instance.pk).first()
        errors = new_errors(
            indicator_target_errors(stored, saved) if stored else {},
            indicator_target_errors(self.instance, targets),
        )
        if errors:
            raise ValidationError(
                [message for quarter in sorted(errors) for message in errors[quarter]]
            )


class IndicatorValueInline(PolicyInlineMixin, admin.TabularInline):
    model = IndicatorValue
    formset = QuarterValueFormSet
    fields = ("quarter", "target", "realized")
    extra = len(Quarter.values)
    max_num = len(Quarter.values)

    def get_formset(self, request, obj=None, **kwargs):
        return with_actor(super().get_formset(request, obj, **kwargs), request)


class IndicatorAdminForm(LockReasonFormMixin, forms.ModelForm):
    lock_reason = lock_reason_field()

    def locked_change_refusal(self):
        # The indicator's own fields hold no quarter's data; its values are checked by
        # their rows (QuarterValueFormSet) and a move by the service.
        return None


@admin.register(Indicator)
class IndicatorAdmin(KeepsReportsAdminMixin, PolicyAdminMixin, SimpleHistoryAdmin):
    refused_deletion_hint = _(
        "Quarterly values are reported data and are never deleted with their indicator."
    )
    list_display = ("name", "program", "agency", "unit", "direction", "target_display")
    list_filter = ("program__year", "program__strategy", "direction")
    list_select_related = ("program__agency",)
    search_fields = ("name", "program__name", "program__agency__name")
    autocomplete_fields = ("program",)
    form = IndicatorAdminForm
    fields = (
        "program",
        "name",
        "unit",
        "direction",
        "aggregation",
        "baseline",
        "target",
        "q4_target_reason",
        "lock_reason",
    )
    inlines = (IndicatorValueInline,)

    def get_form(self, request, obj=None, **kwargs):
        return with_actor(super().get_form(request, obj, **kwargs), request)

    def save_record(self, request, obj, form, change):
        fields = model_fields(form)
        stored = Indicator.objects.get(pk=obj.pk) if change else None
        # The quarterly values are saved next; their targets are checked with the indicator's
        # new fields once all are saved (save_related).
        form.known_target_errors = indicator_target_errors(stored) if stored else {}
        return indicator_save(
            program=fields.pop("program"),
            actor=request.user,
            indicator=stored,
            reason=form.lock_reason(),
            check_targets=False,
            **fields,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        try:
            check_quarter_targets(form.instance, before=form.known_target_errors)
        except ValidationError as error:
            raise AdminRefusal(refusal_message(error)) from error

    def delete_record(self, request, obj):
        indicator_delete(indicator=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        save_value_rows(request, form, formset)

    @admin.display(description=_("agency"), ordering="program__agency__name")
    def agency(self, obj):
        return obj.program.agency

    @admin.display(description=_("annual target"), ordering="target")
    def target_display(self, obj):
        return format_quantity(obj.target)


def save_value_rows(request, form, formset):
    """The quarterly value rows of an indicator's page, each through the services with the
    reason given on the page."""
    reason = form.lock_reason()

    def save(row):
        fields = model_fields(row)
        return indicator_value_save(
            actor=request.user,
            indicator=formset.instance,
            quarter=fields["quarter"],
            value=row.instance if row.instance.pk else None,
            reason=reason,
            check_targets=False,
            target=fields.get("target"),
            realized=fields.get("realized"),
        )

    def delete(row):
        indicator_value_delete(value=row.instance, actor=request.user, reason=reason)

    save_rows(formset, save=save, delete=delete)


class IndicatorValueAdminForm(ConfirmUnusualMixin, LockReasonFormMixin, forms.ModelForm):
    lock_reason = lock_reason_field()
    confirm_unusual = confirmation_field()

    def clean(self):
        cleaned = super().clean()
        indicator, quarter = cleaned.get("indicator"), cleaned.get("quarter")
        if indicator is None:
            return cleaned
        target = cleaned.get("target")
        doubt = plausibility.realisation_doubt(
            cleaned.get("realized"), target if target is not None else indicator.target
        )
        self.ask_confirmation({"realized": doubt} if doubt else {})
        if quarter is None:
            return cleaned
        # The instance still holds the saved value here (ModelForm sets it later).
        saved = stored_targets(indicator)
        targets = dict(saved)
        if self.instance.pk and self.instance.indicator_id == indicator.pk:
            targets.pop(self.instance.quarter, None)
        targets[quarter] = target
        errors = new_errors(
            indicator_target_errors(indicator, saved), indicator_target_errors(indicator, targets)
        )
        add_target_errors(self, "target", errors)
        return cleaned

    def locked_change_refusal(self):
        refused = super().locked_change_refusal()
        if refused is None and not self.instance._state.adding and self.has_changed():
            # Moved to another indicator or quarter, the value leaves its former quarter too.
            stored = IndicatorValue.objects.select_related("indicator__program")
            refused = access.period_refusal(
                self.actor, stored.get(pk=self.instance.pk), reason=self.lock_reason()
            )
        return refused


@admin.register(IndicatorValue)
class IndicatorValueAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    list_display = ("indicator", "program", "quarter", "target_display", "realized_display")
    list_filter = ("indicator__program__year", "quarter")
    list_select_related = ("indicator__program",)
    search_fields = ("indicator__name", "indicator__program__name")
    autocomplete_fields = ("indicator",)
    form = IndicatorValueAdminForm
    fields = ("indicator", "quarter", "target", "realized", "confirm_unusual", "lock_reason")

    def get_form(self, request, obj=None, **kwargs):
        return with_actor(super().get_form(request, obj, **kwargs), request)

    def save_record(self, request, obj, form, change):
        if change and not form.has_changed():
            return obj
        fields = model_fields(form)
        return indicator_value_save(
            actor=request.user,
            indicator=fields.pop("indicator"),
            quarter=fields.pop("quarter"),
            value=obj if change else None,
            reason=form.lock_reason(),
            **fields,
        )

    def delete_record(self, request, obj):
        indicator_value_delete(value=obj, actor=request.user)

    @admin.display(description=_("programme"), ordering="indicator__program__name")
    def program(self, obj):
        return obj.indicator.program

    @admin.display(description=_("target to date"), ordering="target")
    def target_display(self, obj):
        return format_quantity(obj.target)

    @admin.display(description=_("realised"), ordering="realized")
    def realized_display(self, obj):
        return format_quantity(obj.realized)


_REALIZED_TOTAL = (
    F("budget_realized_q1")
    + F("budget_realized_q2")
    + F("budget_realized_q3")
    + F("budget_realized_q4")
)


class IndicatorInlineForm(IndicatorTargetRulesMixin, forms.ModelForm):
    """An indicator row of the programme's admin page, under the same target rules."""


class IndicatorInline(PolicyInlineMixin, admin.TabularInline):
    model = Indicator
    form = IndicatorInlineForm
    fields = ("name", "unit", "direction", "aggregation", "baseline", "target", "q4_target_reason")
    extra = 0
    # Quarterly values are entered on the indicator's own page, one click away.
    show_change_link = True


class FundingFormSet(forms.BaseInlineFormSet):
    """A programme's funding rows on its admin page: each source once, the amounts adding up
    to the ceiling the page sets (programs/funding.py), checked before anything is saved.
    Retired sources are offered only where a row lists them already."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        listed = [row.source_id for row in self.get_queryset()]
        for form in self.forms:
            form.fields["source"].queryset = FundingSource.objects.filter(
                Q(active=True) | Q(pk__in=listed)
            )

    def funding(self) -> dict:
        """The rows as the page leaves them: sources to amounts."""
        return {
            form.cleaned_data["source"]: form.cleaned_data["amount"]
            for form in self.forms
            if form.cleaned_data.get("source")
            and form.cleaned_data.get("amount")
            and not self._should_delete_form(form)
        }

    def clean(self):
        super().clean()
        # The programme's own form has set the instance's ceiling fields by now.
        error = funding_total_error(self.instance, self.funding().values())
        if error:
            raise ValidationError(error)


class FundingInline(PolicyInlineMixin, admin.TabularInline):
    model = ProgramFunding
    formset = FundingFormSet
    fields = ("source", "amount")
    extra = 1


class ProgramAdminForm(ConfirmUnusualMixin, LockReasonFormMixin, SeenVersionAdminForm):
    lock_reason = lock_reason_field()
    confirm_unusual = confirmation_field()

    def clean(self):
        cleaned_data = super().clean()
        owner = cleaned_data.get("agency") or (
            self.instance.agency if self.instance.agency_id else None
        )
        if "target_villages" in cleaned_data:
            error = target_village_error(owner, cleaned_data["target_villages"])
            if error:
                self.add_error("target_villages", error)
        self.ask_confirmation(
            plausibility.program_doubts(
                budget_ceiling=cleaned_data.get("budget_ceiling"),
                # A revision is asked about when it, or the ceiling it revises, changes.
                budget_ceiling_revised=(
                    cleaned_data.get("budget_ceiling_revised")
                    if {"budget_ceiling", "budget_ceiling_revised"} & set(self.changed_data)
                    else None
                ),
            )
        )
        return cleaned_data


@admin.register(Program)
class ProgramAdmin(
    KeepsReportsAdminMixin, OptimisticLockAdminMixin, PolicyAdminMixin, SimpleHistoryAdmin
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
    list_filter = (
        "year",
        "strategy",
        "needs",
        ("agency", admin.RelatedOnlyFieldListFilter),
        "agency__kind",
        "status",
    )
    list_select_related = ("agency", "strategy")
    search_fields = (
        "name",
        "agency__name",
        "agency__abbreviation",
        "program_code",
        "activity_code",
        "sub_activity_code",
    )
    autocomplete_fields = ("agency", "target_villages")
    readonly_fields = ("created_by", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("agency", "strategy", "year", "name", "description")}),
        (
            _("Budget nomenclature (Permendagri 90/2019)"),
            {"fields": ("program_code", "activity_code", "sub_activity_code")},
        ),
        (
            _("Budget"),
            {
                "fields": (
                    "budget_ceiling",
                    "confirm_unusual",
                    "budget_ceiling_revised",
                    "budget_revised_on",
                    "budget_revision_reason",
                    "budget_realized_q1",
                    "budget_realized_q2",
                    "budget_realized_q3",
                    "budget_realized_q4",
                    "lock_reason",
                )
            },
        ),
        (
            _("Targets"),
            {"fields": ("needs", "target_villages", "beneficiary_target", "beneficiary_unit")},
        ),
        (_("Review"), {"fields": ("status", "created_by", "created_at", "updated_at")}),
    )
    inlines = (FundingInline, IndicatorInline)

    form = ProgramAdminForm

    def _open_quarter_fields(self, request, obj) -> list[str]:
        """The budget realisation fields of the quarters whose report the user may change
        now, whatever the plan's status (access.may_change with fields)."""
        return [
            name
            for name in BUDGET_FIELDS.values()
            if access.may_change(request.user, obj, fields={name})
        ]

    def has_change_permission(self, request, obj=None):
        # An approved plan is fixed, but its quarters' budget realisation is still reported.
        if obj is None or super().has_change_permission(request, obj):
            return super().has_change_permission(request, obj)
        return bool(self._open_quarter_fields(request, obj))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None or access.may_change(request.user, obj):
            return fields
        # The form's own fields (not the model's) cannot be shown read-only; they stay open.
        open_fields = {*self._open_quarter_fields(request, obj), "lock_reason", "confirm_unusual"}
        shown = [name for _title, options in self.fieldsets for name in options["fields"]]
        return [*fields, *(name for name in shown if name not in open_fields | set(fields))]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                indicator_count=count_of(Indicator.objects.all(), "program"),
                village_count=count_of(Program.target_villages.through.objects.all(), "program"),
            )
        )

    def get_form(self, request, obj=None, **kwargs):
        return with_actor(super().get_form(request, obj, **kwargs), request)

    def save_record(self, request, obj, form, change):
        fields = model_fields(form)
        villages = form.cleaned_data.get("target_villages", ())
        needs = form.cleaned_data.get("needs", ())
        if not change:
            return program_create(
                actor=request.user,
                target_villages=villages,
                needs=needs,
                reason=form.lock_reason(),
                **fields,
            )
        # The funding rows are saved next, and checked against the ceiling then.
        return program_update(
            program=Program.objects.get(pk=obj.pk),
            actor=request.user,
            reason=form.lock_reason(),
            target_villages=villages,
            check_funding_total=False,
            needs=needs,
            seen_version=self.seen_version(form, change),
            **fields,
        )

    def delete_record(self, request, obj):
        program_delete(program=obj, actor=request.user)

    def save_related(self, request, form, formsets, change):
        # The services set the target villages with the programme, in one history row.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model is ProgramFunding:
            if formset.has_changed():
                try:
                    program_funding_save(
                        program=formset.instance, actor=request.user, funding=formset.funding()
                    )
                except ValidationError as error:
                    raise AdminRefusal(refusal_message(error)) from error
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            try:
                check_funding(formset.instance)
            except ValidationError as error:
                raise AdminRefusal(refusal_message(error)) from error
            return
        self.save_indicator_rows(request, formset)

    def save_indicator_rows(self, request, formset):
        def save(row):
            fields = model_fields(row)
            # The inline's own key field: the programme is the page's.
            fields.pop("program", None)
            return indicator_save(
                program=formset.instance,
                actor=request.user,
                indicator=Indicator.objects.get(pk=row.instance.pk) if row.instance.pk else None,
                **fields,
            )

        def delete(row):
            indicator_delete(indicator=row.instance, actor=request.user)

        try:
            save_rows(formset, save=save, delete=delete)
        except ValidationError as error:
            # The rows' forms check what they can; what the services still refuse (the
            # quarter targets changed by someone else meanwhile) rolls the page back.
            raise AdminRefusal(refusal_message(error)) from error

    @admin.display(description=_("budget ceiling in force (pagu)"), ordering="budget_ceiling")
    def budget_ceiling_rupiah(self, obj):
        return format_rupiah(ceiling_in_force(obj))

    @admin.display(description=_("budget realised"), ordering=_REALIZED_TOTAL)
    def realized_rupiah(self, obj):
        return format_rupiah(obj.budget_realized_total)

    @admin.display(
        description=_("budget absorption (%)"),
        ordering=Cast(_REALIZED_TOTAL, FloatField())
        / NullIf(Coalesce("budget_ceiling_revised", "budget_ceiling"), 0),
    )
    def absorption(self, obj):
        # Of the whole year: against the ceiling in force at its end.
        ceiling = ceiling_in_force(obj)
        if not ceiling:
            return format_percent(None)
        return format_percent(obj.budget_realized_total * 100 / ceiling)

    @admin.display(description=_("indicators"), ordering="indicator_count")
    def indicator_count(self, obj):
        return format_number(obj.indicator_count)

    @admin.display(description=_("target villages"), ordering="village_count")
    def village_count(self, obj):
        return format_number(obj.village_count)


class QuarterReportAdminForm(LockReasonFormMixin, forms.ModelForm):
    """A quarter report's texts and physical progress are its quarter's data: a locked
    quarter needs the administrator's reason (bartim.access, Kind.quarter_path)."""

    lock_reason = lock_reason_field()


@admin.register(FundingSource)
class FundingSourceAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    """The funding sources programmes choose from, kept by administrators. A source in use
    cannot be deleted (its rows protect it): retire it by unticking "active"."""

    list_display = ("name", "order", "active")
    search_fields = ("name",)
    fields = ("name", "order", "active")

    def save_record(self, request, obj, form, change):
        return funding_source_save(source=obj, actor=request.user)

    def delete_record(self, request, obj):
        funding_source_delete(source=obj, actor=request.user)


@admin.register(QuarterReport)
class QuarterReportAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    """A quarter's report of a programme: its status, changed by the review steps on the
    app's pages, and its note, kept through the quarter's own service while the report may
    be changed. A report comes with the quarter's first note or review step, so none is
    added or deleted here."""

    list_display = ("program", "quarter", "status", "physical_progress_display")
    list_filter = ("status", "quarter", "program__year")
    list_select_related = ("program",)
    search_fields = ("program__name", "problems", "follow_up")
    form = QuarterReportAdminForm
    fields = ("program", "quarter", "status", *QUARTER_REPORT_FIELDS, "lock_reason")
    readonly_fields = ("program", "quarter", "status")

    def get_form(self, request, obj=None, **kwargs):
        return with_actor(super().get_form(request, obj, **kwargs), request)

    @admin.display(description=_("physical progress (%)"), ordering="physical_progress")
    def physical_progress_display(self, obj):
        return format_percent(obj.physical_progress)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_record(self, request, obj, form, change):
        program_report_quarter(
            program=obj.program,
            quarter=obj.quarter,
            actor=request.user,
            reason=form.lock_reason(),
            **{name: form.cleaned_data[name] for name in QUARTER_REPORT_FIELDS},
        )
        return QuarterReport.objects.get(pk=obj.pk)
