from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from bartim.models import Agency, District, Quarter, ReviewAction, User
from helpers.forms import BootstrapMixin
from programs.models import Program, QuarterReport
from review.queue import AGENCY_KINDS, DISTRICT_KINDS, QUARTER_KINDS, QueueKind
from villages.models import VillageData


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


class OwnerFilterForm(BootstrapMixin, forms.Form):
    """Filters by the agency or the kecamatan a record is reported for, both optional."""

    agency = forms.ModelChoiceField(
        label=_("agency"), queryset=Agency.objects.order_by("name"), required=False,
        empty_label=_("every agency"),
    )  # fmt: skip
    district = forms.ModelChoiceField(
        label=_("district"), queryset=District.objects.order_by("name"), required=False,
        empty_label=_("every district"),
    )  # fmt: skip


class AuditFilterForm(OwnerFilterForm):
    """The audit trail's filters; every one optional."""

    field_order = ["kind", "user", "agency", "district", "date_from", "date_to"]

    kind = forms.ChoiceField(label=_("Kind of record"), required=False)
    user = forms.ModelChoiceField(
        label=_("User"), queryset=User.objects.order_by("username"), required=False,
        empty_label=_("everyone"),
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


class QueueFilterForm(OwnerFilterForm):
    """The review queue's filters (GET), every one optional. A filter applies to the kinds
    that have it (review.queue): choosing a kind that another chosen filter rules out is an
    error, so that an empty list never means a contradiction nobody noticed."""

    field_order = ["kind", "agency", "district", "year", "quarter"]

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=_("quarter"), choices=[("", _("every quarter")), *Quarter.choices], coerce=int,
        required=False, empty_value=None,
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("every kind")), *QueueKind.choices]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if data.get("agency") and data.get("district"):
            raise forms.ValidationError(
                _("Choose an agency (programmes) or a district (village data), not both.")
            )
        if kind:
            for name, kinds, message in (
                ("agency", AGENCY_KINDS, _("Village data has no agency: choose a district.")),
                ("district", DISTRICT_KINDS, _("Only village data is filtered by district.")),
                ("quarter", QUARTER_KINDS, _("Only quarter reports are filtered by quarter.")),
            ):
                if data.get(name) and kind not in kinds:
                    self.add_error(name, message)
        return data


class BulkReviewForm(forms.Form):
    """Approve or return the chosen records of the review queue with one reason. The boxes
    ticked (`program`, `quarter_report`, `village_data`) or, with `all_shown`, every record
    the page showed (`shown_*`, sent as hidden inputs so that only what the administrator
    saw is reviewed, even if the queue changed meanwhile)."""

    KINDS = {"program": Program, "quarter_report": QuarterReport, "village_data": VillageData}

    action = forms.ChoiceField(
        choices=[(ReviewAction.APPROVE, ReviewAction.APPROVE.label),
                 (ReviewAction.RETURN, ReviewAction.RETURN.label)],
        error_messages={"required": _("Choose to approve or to return."),
                        "invalid_choice": _("Choose to approve or to return.")},
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Reason (required to return)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )  # fmt: skip
    all_shown = forms.BooleanField(label=_("Apply to all shown"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        gone = _("A chosen record no longer exists; reload the page and choose again.")
        for name, model in self.KINDS.items():
            for field_name in (name, f"shown_{name}"):
                self.fields[field_name] = forms.ModelMultipleChoiceField(
                    queryset=model.objects.all(),
                    required=False,
                    error_messages={"invalid_choice": gone, "invalid_pk_value": gone},
                )

    def choice_errors(self) -> list[str]:
        """The errors of everything but the reason (shown under its box): the action and
        the chosen records, whose inputs are in the table's rows."""
        return [
            str(error)
            for name, errors in self.errors.items()
            if name != "reason"
            for error in errors
        ]

    def clean_reason(self):
        return self.cleaned_data["reason"].strip()

    def clean(self):
        data = super().clean()
        if data.get("action") == ReviewAction.RETURN and not data.get("reason"):
            self.add_error("reason", _("Give the reason for returning: the reporters read it."))
        if not self.errors and not self.chosen():
            raise forms.ValidationError(
                _("Choose at least one record, or tick “Apply to all shown”.")
            )
        return data

    def chosen(self) -> list:
        """The records to review, in the order the page showed them by kind."""
        prefix = "shown_" if self.cleaned_data.get("all_shown") else ""
        records = []
        for name in self.KINDS:
            records += list(self.cleaned_data.get(prefix + name) or [])
        return records
