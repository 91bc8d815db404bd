from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from bartim import access
from villages.models import VillageData


def get_village_data_for_read(request, pk) -> VillageData:
    return get_object_or_404(
        access.readable(request.user, VillageData.objects.all()).select_related(
            "village__district"
        ),
        pk=pk,
    )


def get_village_data_for_write(request, pk) -> VillageData:
    record = get_village_data_for_read(request, pk)
    if not access.editable(request.user, VillageData.objects.all()).filter(pk=record.pk).exists():
        raise PermissionDenied(_("You may not change this village data now."))
    return record
