from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bartim.models import Quarter
from families.measures import GROUPINGS, REGENCY
from families.models import Beneficiary, RegistrySnapshot
from families.services import check_ids
from helpers.forms import BootstrapMixin, DecimalNumberField

MAX_NAME = 200


class RegistryUploadForm(BootstrapMixin, forms.Form):
    label = forms.CharField(
        label=_("Name of the snapshot"),
        max_length=100,
        help_text=_("For example: DTSEN semester I 2025."),
    )
    taken_on = forms.DateField(
        label=_("Registry date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The date of the extract, which the reports name."),
    )
    file = forms.FileField(
        label=_("Registry extract (XLSX or CSV)"),
        help_text=_(
            "Columns: No. KK, NIK, Nama, Kode Desa, Desil, Jumlah Anggota; optional Alamat, "
            "RT, RW, Lansia, Disabilitas, Balita, Kepala Perempuan."
        ),
    )


class EligibleForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = RegistrySnapshot
        fields = ["eligible_up_to"]


class BeneficiaryForm(BootstrapMixin, forms.Form):
    nik = forms.CharField(label=_("NIK"), max_length=30, required=False)
    kk = forms.CharField(label=_("No. KK"), max_length=30, required=False)
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME, required=False)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=Quarter.choices, coerce=int)
    kind = forms.ChoiceField(label=_("Kind of help"), choices=Beneficiary.Kind.choices)
    amount = DecimalNumberField(
        label=_("Amount or quantity"), required=False, max_digits=15, decimal_places=2, min_value=0
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)

    def clean(self):
        data = super().clean()
        try:
            data["nik"], data["kk"] = check_ids(data.get("nik", ""), data.get("kk", ""))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
        return data


class FileForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Beneficiary list (XLSX or CSV)"))


class MeasuresForm(BootstrapMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    snapshot = forms.ModelChoiceField(
        label=_("Registry snapshot"),
        queryset=RegistrySnapshot.objects.confirmed(),
        empty_label=None,
    )
    by = forms.ChoiceField(label=_("Per"), choices=list(GROUPINGS.items()), initial=REGENCY)

    def __init__(self, data, *, years, default_year, default_snapshot):
        data = data.copy()
        data.setdefault("year", str(default_year))
        if default_snapshot:
            data.setdefault("snapshot", str(default_snapshot.pk))
        data.setdefault("by", REGENCY)
        super().__init__(data)
        self.fields["year"].choices = [(year, str(year)) for year in years]


class UnreachedForm(MeasuresForm):
    """The list of families no programme of the year reached: decile 1 or every eligible."""

    scope = forms.ChoiceField(
        label=_("Families"),
        choices=[("1", _("Decile 1")), ("eligible", _("Eligible deciles"))],
        required=False,
    )

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        del self.fields["by"]
