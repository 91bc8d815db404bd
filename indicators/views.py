from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from bartim.views import FilteredTableView
from programs.models import Program

from .filters import ProgramFilterSet
from .models import PovertyStatistic
from .tables import ProgramTable


def home(request):
    return render(request, "home.html", {"statistics": PovertyStatistic.objects.all()})


class ProgramListView(FilteredTableView):
    table_class = ProgramTable
    filterset_class = ProgramFilterSet
    title = _("Programmes")
    description = _(
        "Every programme of the year with its budget and its indicators' mean achievement "
        "as of the quarter."
    )
    export_name = _("programmes")

    def get_queryset(self):
        return (
            Program.objects.visible_to(self.request.user)
            .select_related("agency", "strategy")
            .order_by("strategy", "name", "pk")
        )
