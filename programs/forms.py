from django import forms
from django.utils.translation import gettext_lazy as _

from bartim import access
from bartim.models import Agency, Village
from helpers.forms import BootstrapMixin, IdsChoiceField, SeenVersionMixin
from indicators.models import Indicator
from programs.models import Program


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


class ProgramForm(LockedPeriodReasonMixin, SeenVersionMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Program
        fields = [
            "agency",
            "strategy",
            "year",
            "name",
            "description",
            "budget_ceiling",
            "beneficiary_target",
            "beneficiary_unit",
            "target_villages",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"target_villages": IdsChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = self.fields["target_villages"]
        villages.queryset = Village.objects.select_related("district").order_by(
            "district__code", "code"
        )
        villages.widget.choices = grouped_village_choices(villages.queryset)
        villages.widget.attrs["size"] = 12
        villages.help_text = _("Hold Ctrl (or Cmd) to choose several villages.")
        if "agency" in access.fixed_fields(user, Program):
            # The service puts an OPD user's programme in his own OPD; no choice to offer.
            del self.fields["agency"]
        else:
            self.fields["agency"].queryset = access.choices_for(
                user, Program, Agency.objects.active()
            )
        if self.instance.pk:
            self.add_seen_version(self.instance.version)
            self.add_reason()


class IndicatorForm(LockedPeriodReasonMixin, SeenVersionMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "unit", "direction", "aggregation", "baseline", "target"]

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        # A changed indicator is checked against its programme's version; adding one is not
        # a conflict with anyone.
        if self.instance.pk:
            self.add_seen_version(program.version)
            self.add_reason()


class QuarterReportForm(SeenVersionMixin, BootstrapMixin, forms.Form):
    """One quarter of a programme: its budget realisation, each indicator's value and the
    quarter report's note."""

    budget_realized = forms.IntegerField(
        label=_("budget realised this quarter (Rp)"), min_value=0, required=False
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

    def __init__(self, *args, program, indicators, values, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_seen_version(program.version)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            value = values.get(indicator.pk)
            self.fields[f"realized_{indicator.pk}"] = forms.DecimalField(
                label=_("%(name)s: realised (%(unit)s)")
                % {"name": indicator.name, "unit": indicator.unit},
                max_digits=18,
                decimal_places=2,
                required=False,
                initial=value.realized if value else None,
            )
            self.fields[f"target_{indicator.pk}"] = forms.DecimalField(
                label=_("%(name)s: quarter target (optional)") % {"name": indicator.name},
                max_digits=18,
                decimal_places=2,
                required=False,
                initial=value.target if value else None,
            )
        self.style_fields()

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
