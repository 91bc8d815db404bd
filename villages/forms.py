from django import forms

from bartim import access
from bartim.models import Village
from helpers.forms import BootstrapMixin, SeenVersionMixin, number_formfield
from villages.models import VillageData

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
        formfield_callback = number_formfield

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = access.choices_for(
            user, VillageData, Village.objects.select_related("district").order_by("code")
        )
        if self.instance.pk:
            self.add_seen_version(self.instance.version)
            for name in access.fixed_fields(user, VillageData) & set(self.fields):
                # Shown for reference; Django ignores what is posted for a disabled field.
                self.fields[name].disabled = True
                # The record's own village stays valid although it may be outside the list.
                if name == "village":
                    self.fields[name].queryset = Village.objects.filter(pk=self.instance.village_id)
