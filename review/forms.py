from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from bartim.models import Agency, District, Quarter, User
from helpers.forms import BootstrapMixin


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


class DeadlineForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("quarter"), choices=Quarter.choices, coerce=int)
    due_date = forms.DateField(
        label=_("due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class AuditFilterForm(BootstrapMixin, forms.Form):
    """The audit trail's filters; every one optional."""

    kind = forms.ChoiceField(label=_("Kind of record"), required=False)
    user = forms.ModelChoiceField(
        label=_("User"), queryset=User.objects.order_by("username"), required=False,
        empty_label=_("everyone"),
    )  # fmt: skip
    agency = forms.ModelChoiceField(
        label=_("agency"), queryset=Agency.objects.order_by("name"), required=False,
        empty_label=_("every agency"),
    )  # fmt: skip
    district = forms.ModelChoiceField(
        label=_("district"), queryset=District.objects.order_by("name"), required=False,
        empty_label=_("every district"),
    )  # fmt: skip
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("every kind"))] + [
            (key, capfirst(manager.model.instance_type._meta.verbose_name_plural))
            for key, manager in kinds.items()
        ]
        self.fields["date_from"].widget.format = self.fields["date_to"].widget.format = "%Y-%m-%d"

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data
