from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpers.forms import BootstrapMixin


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class IndicatorValueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.indicator.name


class EvidenceUploadForm(BootstrapMixin, forms.Form):
    """The files to attach, and what they are about: the quarter report as a whole or one
    of its indicators' values (`values`: the programme's stored values of the quarter).
    What each file must be is checked by the service (evidence.validation), so the form
    only gathers them."""

    indicator_value = IndicatorValueChoiceField(
        label=gettext_lazy("Evidence of"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("The quarter report as a whole"),
        help_text=gettext_lazy("An indicator is listed once its value of the quarter is saved."),
    )

    files = MultipleFileField(
        label=gettext_lazy("Add evidence files"),
        help_text=gettext_lazy(
            "PDF, JPG, PNG, XLSX or DOCX, at most %(size)s MB each; several at once. "
            "Location data is removed from photos."
        ),
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.xlsx,.docx"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for changing a locked quarter"),
        required=False,
        max_length=500,
    )

    def __init__(self, *args, needs_reason=False, values=None, **kwargs):
        super().__init__(*args, **kwargs)
        if values is None:
            del self.fields["indicator_value"]
        else:
            self.fields["indicator_value"].queryset = values.select_related("indicator")
        self.fields["files"].help_text = self.fields["files"].help_text % {
            "size": f"{settings.EVIDENCE_MAX_UPLOAD_SIZE / 1024 / 1024:g}".replace(".", ",")
        }
        if not needs_reason:
            del self.fields["reason"]

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > settings.EVIDENCE_MAX_FILES:
            raise ValidationError(
                _("At most %(count)s files at once.") % {"count": settings.EVIDENCE_MAX_FILES}
            )
        return files
