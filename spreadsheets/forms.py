from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bartim import access
from bartim.models import YEAR_MAX, YEAR_MIN, Quarter
from spreadsheets.imports import identify
from spreadsheets.reading import UploadRefused, check_size


def _this_quarter() -> int:
    return (timezone.localdate().month - 1) // 3 + 1


class TemplateForm(forms.Form):
    """The period a template is filled for."""

    year = forms.IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=Quarter.choices, coerce=int)

    def __init__(self, *args, kind, **kwargs):
        kwargs.setdefault(
            "initial", {"year": timezone.localdate().year, "quarter": _this_quarter()}
        )
        super().__init__(*args, **kwargs)
        self.kind = kind
        if not kind.asks_year:
            del self.fields["year"]
        if not kind.asks_quarter:
            del self.fields["quarter"]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled-in file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.csv,.txt"}),
    )
    reason = forms.CharField(
        label=_("Reason for changing a locked quarter"),
        required=False,
        max_length=500,
        widget=forms.TextInput,
        help_text=_("Only needed when the file changes a quarter that has been locked."),
    )

    def __init__(self, *args, kind, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        # Only an administrator may change a locked quarter, and only the quarterly
        # template holds quarters.
        if not (kind.asks_quarter and access.may_override_locks(user)):
            del self.fields["reason"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            # The size is known before the file is read, let alone parsed.
            check_size(upload.size)
            content = upload.read()
            self.upload = identify(content, self.kind)
        except UploadRefused as refusal:
            raise ValidationError(refusal.message) from None
        return upload
