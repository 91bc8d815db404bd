from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from bartim.views import FilteredTableView
from programs.models import Program

from .filters import IndicatorFilterSet, ProgramFilterSet
from .models import Indicator, PovertyStatistic
from .tables import IndicatorTable, ProgramTable


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


class IndicatorListView(FilteredTableView):
    table_class = IndicatorTable
    filterset_class = IndicatorFilterSet
    title = _("Indicators")
    description = _(
        "Every indicator of the year's programmes: what was realised by the end of the quarter "
        "against what was expected by then."
    )
    export_name = _("indicators")

    def get_queryset(self):
        return (
            Indicator.objects.filter(program__in=Program.objects.visible_to(self.request.user))
            .select_related("program__agency", "program__strategy")
            .order_by("program__strategy", "program__name", "program_id", "pk")
        )
