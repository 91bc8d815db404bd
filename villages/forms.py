from django import forms

from bartim.models import Village
from helpers.forms import BootstrapMixin, SeenVersionMixin
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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = Village.objects.select_related("district").order_by("code")
        if not user.is_regency_admin:
            villages = villages.filter(district_id=user.district_id)
        self.fields["village"].queryset = villages
        if self.instance.pk:
            self.add_seen_version(self.instance.version)
