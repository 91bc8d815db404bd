from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from bartim import access
from programs.models import Program


def get_program_for_read(request, pk) -> Program:
    return get_object_or_404(
        access.readable(request.user, Program.objects.all()).select_related("agency", "strategy"),
        pk=pk,
    )


def get_program_for_write(request, pk) -> Program:
    program = get_program_for_read(request, pk)
    if not access.editable(request.user, Program.objects.all()).filter(pk=program.pk).exists():
        raise PermissionDenied(_("You may not change this programme now."))
    return program
