from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from bartim.concurrency import FORM_OUT_OF_DATE
from bartim.formatting import format_number
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


class SeenVersionMixin:
    """A hidden `seen_version`: the version of the record when the form was opened, sent back
    so that a save after someone else's is refused (bartim.concurrency)."""

    def add_seen_version(self, version: int) -> None:
        self.fields["seen_version"] = forms.IntegerField(
            widget=forms.HiddenInput,
            initial=version,
            min_value=1,
            # The column's range on every database, so a forged number never reaches a query.
            max_value=2_147_483_647,
            error_messages=dict.fromkeys(
                ["required", "invalid", "min_value", "max_value"], FORM_OUT_OF_DATE
            ),
        )

    def show_conflict(self, conflict, current: dict) -> None:
        """Tell who saved the record in between, list the current values that differ from the
        user's input, and arm the form with the current version: the next save, after review,
        goes through. The user's input stays in the form."""
        self.add_error(None, conflict.message)
        mine = self.cleaned_data
        self.conflict_values = [
            (self.fields[name].label, _display(self.fields[name], value))
            for name, value in current.items()
            if name in self.fields and _comparable(value) != _comparable(mine.get(name))
        ]
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_version")] = conflict.current_version


def _comparable(value):
    if hasattr(value, "all") or isinstance(value, list | tuple | set):
        return frozenset(getattr(item, "pk", item) for item in value)
    return getattr(value, "pk", value)


def _display(field, value) -> str:
    if value is None or value == "":
        return "–"
    if hasattr(value, "all") or isinstance(value, list | tuple | set):
        return ", ".join(str(item) for item in value) or "–"
    choices = dict(getattr(field, "choices", None) or ())
    if value in choices and not hasattr(value, "pk"):
        return str(choices[value])
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        integral = value == int(value)
        return format_number(value, 0 if integral else 2)
    return str(value)


def grouped_village_choices(villages):
    """Target villages grouped by kecamatan: a plain list usable without script and by keyboard."""
    groups = {}
    for village in villages:
        groups.setdefault(village.district.name, []).append(
            (village.pk, f"{village.name} ({village.get_kind_display()})")
        )
    return list(groups.items())


class ProgramForm(SeenVersionMixin, BootstrapMixin, forms.ModelForm):
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
        if self.instance.pk:
            self.add_seen_version(self.instance.version)


class IndicatorForm(SeenVersionMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "unit", "direction", "aggregation", "baseline", "target"]

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        # A changed indicator is checked against its programme's version; adding one is not
        # a conflict with anyone.
        if self.instance.pk:
            self.add_seen_version(program.version)


class QuarterReportForm(SeenVersionMixin, BootstrapMixin, forms.Form):
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


class VillageDataForm(SeenVersionMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = VillageData
        fields = ["village", "year", *VILLAGE_DATA_FIELDS]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = Village.objects.select_related("district").order_by("code")
        if not user.is_regency_admin:
            villages = villages.filter(district_id=user.district_id)
        self.fields["village"].queryset = villages
        if self.instance.pk:
            self.add_seen_version(self.instance.version)


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
