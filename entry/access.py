"""Fetching records for a request, with the access rules applied in one place.

A record the user may not see is a 404 (nothing leaks); one he may see but not change is a
403. Pages only for administrators are a 403 for every other role."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from indicators.models import VillageData
from programs.models import Program


def get_program_for_read(request, pk) -> Program:
    return get_object_or_404(
        Program.objects.visible_to(request.user).select_related("agency", "strategy"), pk=pk
    )


def get_program_for_write(request, pk) -> Program:
    program = get_program_for_read(request, pk)
    if not Program.objects.editable_by(request.user).filter(pk=program.pk).exists():
        raise PermissionDenied(_("You may not change this programme now."))
    return program


def get_village_data_for_read(request, pk) -> VillageData:
    return get_object_or_404(
        VillageData.objects.visible_to(request.user).select_related("village__district"), pk=pk
    )


def get_village_data_for_write(request, pk) -> VillageData:
    record = get_village_data_for_read(request, pk)
    if not VillageData.objects.editable_by(request.user).filter(pk=record.pk).exists():
        raise PermissionDenied(_("You may not change this village data now."))
    return record


def admin_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_regency_admin:
            raise PermissionDenied(_("Only an administrator may open this page."))
        return view(request, *args, **kwargs)

    return wrapper


def can_create_programs(user) -> bool:
    return user.is_regency_admin or (user.role == user.Role.OPD and bool(user.agency_id))


def can_keep_village_data(user) -> bool:
    return user.is_regency_admin or (user.role == user.Role.CAMAT and bool(user.district_id))
