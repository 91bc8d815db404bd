from django.utils.translation import gettext_lazy as _

from bartim.models import Agency
from bartim.views import FilteredTableView
from programs.models import Program, Strategy

from .filters import AgencyFilterSet, IndicatorFilterSet, ProgramFilterSet, StrategyFilterSet
from .models import Indicator
from .tables import AgencyTable, IndicatorTable, ProgramTable, StrategyTable


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
            # What the table shows; its computed columns are annotations (ProgramFilterSet).
            .only(
                "name",
                "year",
                "status",
                "budget_ceiling",
                "agency__name",
                "agency__abbreviation",
                "strategy__name",
            )
            # strategy_id is the strategy's number: the same order as "strategy" without a
            # join, and the order of the index program_year_order_idx.
            .order_by("strategy_id", "name", "pk")
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
            Indicator.objects.visible_to(self.request.user)
            .select_related("program__agency", "program__strategy")
            .order_by("program__strategy", "program__name", "program_id", "pk")
        )


class StrategyListView(FilteredTableView):
    table_class = StrategyTable
    filterset_class = StrategyFilterSet
    title = _("Strategies")
    description = _(
        "The regent's three strategies in the year: their programmes, agencies, budget and "
        "the mean achievement of their programmes as of the quarter."
    )
    export_name = _("strategies")

    def get_queryset(self):
        # Strategies are public reference data; their figures come from visible programmes.
        return Strategy.objects.order_by("number")


class AgencyListView(FilteredTableView):
    table_class = AgencyTable
    filterset_class = AgencyFilterSet
    title = _("Agencies (OPD)")
    description = _(
        "Agencies ranked by the mean achievement of their programmes as of the quarter, with "
        "their budget absorption and how many of their programmes reported the quarter."
    )
    export_name = _("opd")

    def get_queryset(self):
        # Agencies are listed when they run a programme the user may see (AgencyFilterSet).
        return Agency.objects.order_by("name", "pk")
