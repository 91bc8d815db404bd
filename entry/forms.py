from django import forms
from django.utils.translation import gettext_lazy as _

from bartim.models import Agency, Quarter, Village
from indicators.models import Indicator, VillageData
from programs.models import Program


class BootstrapMixin:
    """Bootstrap's classes on every widget, and errors tied to their input for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self):
        """Style every field; forms that add fields in __init__ call it again afterwards."""
        for name, field in self.fields.items():
            widget = field.widget
            widget.attrs["class"] = (
                "form-select" if isinstance(widget, forms.Select) else "form-control"
            )
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}-help"

    def full_clean(self):
        # Marking invalid inputs here, not in __init__, leaves subclasses free to narrow their
        # querysets after super().__init__() before anything is validated.
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = attrs.get("class", "form-control") + " is-invalid"
                attrs["aria-describedby"] = f"id_{name}-errors"


def grouped_village_choices(villages):
    """Target villages grouped by kecamatan: a plain list usable without script and by keyboard."""
    groups = {}
    for village in villages:
        groups.setdefault(village.district.name, []).append(
            (village.pk, f"{village.name} ({village.get_kind_display()})")
        )
    return list(groups.items())


class ProgramForm(BootstrapMixin, forms.ModelForm):
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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = self.fields["target_villages"]
        villages.queryset = Village.objects.select_related("district").order_by(
            "district__code", "code"
        )
        villages.widget.choices = grouped_village_choices(villages.queryset)
        villages.widget.attrs["size"] = 12
        villages.help_text = _("Hold Ctrl (or Cmd) to choose several villages.")
        if user.is_regency_admin:
            self.fields["agency"].queryset = Agency.objects.active()
        else:
            # The service puts an OPD user's programme in his own OPD; no choice to offer.
            del self.fields["agency"]


class IndicatorForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "unit", "direction", "aggregation", "baseline", "target"]


class QuarterReportForm(BootstrapMixin, forms.Form):
    """One quarter of a programme: its budget realisation and each indicator's value."""

    budget_realized = forms.IntegerField(
        label=_("budget realised this quarter (Rp)"), min_value=0, required=False
    )
    reason = forms.CharField(
        label=_("reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the quarter is locked."),
    )

    def __init__(self, *args, indicators, values, **kwargs):
        super().__init__(*args, **kwargs)
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

    def indicator_rows(self):
        return [
            (indicator, self[f"realized_{indicator.pk}"], self[f"target_{indicator.pk}"])
            for indicator in self.indicators
        ]

    def realized(self):
        return {i.pk: self.cleaned_data[f"realized_{i.pk}"] for i in self.indicators}

    def targets(self):
        return {i.pk: self.cleaned_data[f"target_{i.pk}"] for i in self.indicators}


VILLAGE_DATA_FIELDS = [
    "population",
    "households",
    "poor_households",
    "poor_people",
    "extremely_poor_people",
    "uninhabitable_houses",
    "households_without_clean_water",
    "households_without_latrine",
    "stunted_children",
    "children_out_of_school",
    "unemployed",
]


class VillageDataForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = VillageData
        fields = ["village", "year", *VILLAGE_DATA_FIELDS]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = Village.objects.select_related("district").order_by("code")
        if not user.is_regency_admin:
            villages = villages.filter(district_id=user.district_id)
        self.fields["village"].queryset = villages


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PeriodLockForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("quarter"), choices=Quarter.choices, coerce=int)
    reason = forms.CharField(
        label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
