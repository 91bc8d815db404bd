from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bartim import access
from bartim.models import Agency, Village
from helpers.forms import (
    BootstrapMixin,
    ConfirmUnusualMixin,
    DecimalNumberField,
    IdsChoiceField,
    SeenVersionMixin,
    WholeNumberField,
    number_formfield,
)
from indicators.models import Indicator, IndicatorValue
from indicators.targets import (
    edited_indicator_errors,
    indicator_target_errors,
    new_errors,
    quarter_target_label,
)
from programs import plausibility
from programs.funding import funding_total_error
from programs.models import FundingSource, Program, ProgramFunding
from programs.owners import default_target_villages, target_village_error


def grouped_village_choices(villages):
    """Target villages grouped by kecamatan: a plain list usable without script and by keyboard."""
    groups = {}
    for village in villages:
        groups.setdefault(village.district.name, []).append(
            (village.pk, f"{village.name} ({village.get_kind_display()})")
        )
    return list(groups.items())


class LockedPeriodReasonMixin:
    """A reason an administrator gives when the change reaches a locked quarter (a programme
    moved to another year, an indicator's target changed); the access policy asks for it."""

    def add_reason(self):
        self.fields["reason"] = forms.CharField(
            label=_("reason for the change"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            help_text=_("Required when the change reaches a locked quarter."),
        )


class ProgramForm(
    ConfirmUnusualMixin, LockedPeriodReasonMixin, SeenVersionMixin, BootstrapMixin, forms.ModelForm
):
    class Meta:
        model = Program
        formfield_callback = number_formfield
        fields = [
            "agency",
            "strategy",
            "year",
            "name",
            "description",
            "program_code",
            "activity_code",
            "sub_activity_code",
            "budget_ceiling",
            "budget_ceiling_revised",
            "budget_revised_on",
            "budget_revision_reason",
            "beneficiary_target",
            "beneficiary_unit",
            "needs",
            "target_villages",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "budget_revised_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "budget_revision_reason": forms.Textarea(attrs={"rows": 2}),
            "needs": forms.CheckboxSelectMultiple,
        }
        field_classes = {"target_villages": IdsChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A post without the funding rows (not from this page) leaves the funding as it is.
        self.funding_given = self.is_bound and "funding-TOTAL_FORMS" in self.data
        self.funding_rows = funding_formset(
            self.data if self.funding_given else None, self.instance
        )
        villages = self.fields["target_villages"]
        villages.queryset = Village.objects.select_related("district").order_by(
            "district__code", "code"
        )
        villages.widget.choices = grouped_village_choices(villages.queryset)
        villages.widget.attrs["size"] = 12
        villages.help_text = _("Hold Ctrl (or Cmd) to choose several villages.")
        # A short list of boxes to tick, not a select box.
        self.fields["needs"].widget.attrs["class"] = "form-check-input"
        own = access.own_owner_id(user, Program)
        self.own_agency = Agency.objects.filter(pk=own).first() if own is not None else None
        if "agency" in access.fixed_fields(user, Program):
            # The service puts an OPD user's programme in his own OPD; no choice to offer.
            del self.fields["agency"]
        else:
            self.fields["agency"].queryset = access.choices_for(
                user, Program, Agency.objects.active()
            )
        if not self.instance.pk and not self.is_bound:
            # A village operator's new programme targets his village (programs/owners.py).
            villages.initial = [v.pk for v in default_target_villages(self.own_agency)]
        if self.instance.pk:
            self.add_seen_version(self.instance.version)
            self.add_reason()

    def clean(self):
        cleaned_data = super().clean()
        owner = (
            cleaned_data.get("agency")
            or self.own_agency
            or (self.instance.agency if self.instance.agency_id else None)
        )
        error = target_village_error(owner, cleaned_data.get("target_villages") or ())
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

    def is_valid(self):
        valid = super().is_valid()
        if not self.funding_given:
            return valid
        rows_valid = self.funding_rows.is_valid()
        if valid and rows_valid:
            # The ceiling as the page sets it; the service checks the saved rows again.
            probe = Program(
                budget_ceiling=self.cleaned_data.get("budget_ceiling") or 0,
                budget_ceiling_revised=self.cleaned_data.get("budget_ceiling_revised"),
                budget_revised_on=self.cleaned_data.get("budget_revised_on"),
            )
            error = funding_total_error(probe, self.funding().values())
            if error:
                self.funding_rows._non_form_errors.append(error)
                return False
        return valid and rows_valid

    def funding(self) -> dict | None:
        """The funding rows as sources to amounts (after is_valid); None when not posted."""
        return self.funding_rows.funding() if self.funding_given else None


class FundingRowForm(BootstrapMixin, forms.Form):
    """One funding source of a programme and its amount, typed as people write it."""

    source = forms.ModelChoiceField(
        label=_("funding source"), queryset=FundingSource.objects.none(), required=False
    )
    amount = WholeNumberField(label=_("amount (Rp)"), min_value=1, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") and cleaned.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Give the amount of this funding source."))
        if cleaned.get("amount") and not cleaned.get("source"):
            self.add_error("source", _("Choose the funding source of this amount."))
        return cleaned


class BaseFundingFormSet(forms.BaseFormSet):
    """A programme's funding rows: each source once; an empty row is ignored."""

    def __init__(self, *args, sources=None, **kwargs):
        self.sources = sources
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.fields["source"].queryset = self.sources
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        form.fields["source"].queryset = self.sources
        return form

    def clean(self):
        seen = set()
        for form in self.forms:
            source = getattr(form, "cleaned_data", {}).get("source")
            if source is None:
                continue
            if source.pk in seen:
                raise forms.ValidationError(
                    _(
                        "%(source)s is listed twice: give each funding source once, with its "
                        "whole amount."
                    )
                    % {"source": source}
                )
            seen.add(source.pk)

    def funding(self) -> dict:
        return {
            form.cleaned_data["source"]: form.cleaned_data["amount"]
            for form in self.forms
            if form.cleaned_data.get("source") and form.cleaned_data.get("amount")
        }


FundingFormSet = forms.formset_factory(
    FundingRowForm, formset=BaseFundingFormSet, extra=3, max_num=20, validate_max=True
)


def funding_formset(data, program: Program):
    """The funding rows of `program`'s form: its listed sources first, then empty rows. The
    active sources are offered, and those the programme lists already."""
    stored = (
        list(ProgramFunding.objects.filter(program=program).select_related("source"))
        if (program.pk)
        else []
    )
    sources = FundingSource.objects.filter(
        Q(active=True) | Q(pk__in=[row.source_id for row in stored])
    )
    return FundingFormSet(
        data,
        prefix="funding",
        sources=sources,
        initial=[{"source": row.source_id, "amount": row.amount} for row in stored],
    )


def add_target_errors(form, field: str, errors: dict) -> None:
    """The quarter-target rules' messages (indicators.targets, by quarter) on `field`."""
    for messages in errors.values():
        for message in messages:
            form.add_error(field, message)


class IndicatorTargetRulesMixin:
    """An indicator's form, in the app or the admin, checks its annual target and
    aggregation against its saved quarter targets (indicators.targets)."""

    def clean(self):
        cleaned = super().clean()
        # The instance still holds the saved fields here (ModelForm sets them later).
        errors = edited_indicator_errors(
            self.instance,
            aggregation=cleaned.get("aggregation"),
            annual_target=cleaned.get("target"),
            q4_target_reason=cleaned.get("q4_target_reason"),
        )
        add_target_errors(self, "target", errors)
        return cleaned


class IndicatorForm(
    IndicatorTargetRulesMixin,
    LockedPeriodReasonMixin,
    SeenVersionMixin,
    BootstrapMixin,
    forms.ModelForm,
):
    class Meta:
        model = Indicator
        fields = [
            "name",
            "unit",
            "direction",
            "aggregation",
            "baseline",
            "target",
            "q4_target_reason",
        ]
        formfield_callback = number_formfield

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        # A changed indicator is checked against its programme's version; adding one is not
        # a conflict with anyone.
        if self.instance.pk:
            self.add_seen_version(program.version)
            self.add_reason()


class QuarterReportForm(ConfirmUnusualMixin, SeenVersionMixin, BootstrapMixin, forms.Form):
    """One quarter of a programme: its budget realisation, each indicator's value and the
    quarter report's physical progress, problems, follow-up and note."""

    budget_realized = WholeNumberField(
        label=_("budget realised this quarter (Rp)"), min_value=0, required=False
    )
    physical_progress = DecimalNumberField(
        label=_("physical progress (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text=_(
            "How far the programme's work stands by the end of the quarter, 0 to 100 "
            "(cumulative, e.g. 62,5)."
        ),
    )
    problems = forms.CharField(
        label=_("problems (kendala/permasalahan)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What held the programme back in this quarter."),
    )
    follow_up = forms.CharField(
        label=_("follow-up (tindak lanjut)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What will be done about the problems, by whom and when."),
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the figures of this quarter rest on, or why a target was missed."),
    )
    reason = forms.CharField(
        label=_("reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the quarter is locked."),
    )

    def __init__(self, *args, program, indicators, values, quarter, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_seen_version(program.version)
        self.quarter = quarter
        self.indicators = list(indicators)
        for indicator in self.indicators:
            value = values.get(indicator.pk)
            self.fields[f"realized_{indicator.pk}"] = DecimalNumberField(
                label=_("%(name)s: realised (%(unit)s)")
                % {"name": indicator.name, "unit": indicator.unit},
                min_value=0,
                max_digits=18,
                decimal_places=2,
                required=False,
                initial=value.realized if value else None,
            )
            self.fields[f"target_{indicator.pk}"] = DecimalNumberField(
                label=_("%(name)s: %(target)s, optional")
                % {
                    "name": indicator.name,
                    "target": quarter_target_label(indicator.aggregation, quarter),
                },
                max_digits=18,
                decimal_places=2,
                required=False,
                initial=value.target if value else None,
            )
        self.style_fields()

    def clean(self):
        cleaned = super().clean()
        saved = {}
        for value in IndicatorValue.objects.filter(indicator__in=self.indicators):
            saved.setdefault(value.indicator_id, {})[value.quarter] = value.target
        for indicator in self.indicators:
            field = f"target_{indicator.pk}"
            if field not in cleaned:
                continue
            targets = saved.get(indicator.pk, {})
            errors = new_errors(
                indicator_target_errors(indicator, targets),
                indicator_target_errors(indicator, {**targets, self.quarter: cleaned[field]}),
            )
            add_target_errors(self, field, errors)
        doubts = {}
        for indicator in self.indicators:
            realized = cleaned.get(f"realized_{indicator.pk}")
            target = cleaned.get(f"target_{indicator.pk}")
            doubt = plausibility.realisation_doubt(
                realized, target if target is not None else indicator.target
            )
            if doubt:
                doubts[f"realized_{indicator.pk}"] = doubt
        self.ask_confirmation(doubts)
        return cleaned

    def clean_budget_realized(self):
        # Left empty means nothing realised this quarter.
        return self.cleaned_data["budget_realized"] or 0

    def indicator_rows(self):
        return [
            (indicator, self[f"realized_{indicator.pk}"], self[f"target_{indicator.pk}"])
            for indicator in self.indicators
        ]

    def realized(self):
        return {i.pk: self.cleaned_data[f"realized_{i.pk}"] for i in self.indicators}

    def targets(self):
        return {i.pk: self.cleaned_data[f"target_{i.pk}"] for i in self.indicators}
