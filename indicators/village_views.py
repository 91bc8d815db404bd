"""The villages table, /villages/: every village-year of village data with its poverty rate,
poverty-pocket flag and the programmes reaching it (docs/tables.md)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bartim.formatting import format_number, format_percent
from bartim.views import FilteredTableView

from .filters import VillageFilterSet
from .models import PocketRule, VillageData
from .tables import VillageTable
from .village_figures import village_data_with_figures


class VillageListView(FilteredTableView):
    table_class = VillageTable
    filterset_class = VillageFilterSet
    title = gettext_lazy("Villages")
    export_name = gettext_lazy("village data")

    def get_queryset(self):
        # Every signed-in role reads all village data (VillageData.objects.visible_to); the
        # camat keeps his own kecamatan's on /village-data/.
        self.pocket_rule = PocketRule.current()
        return village_data_with_figures(
            VillageData.objects.visible_to(self.request.user)
            .select_related("village__district")
            .order_by("village__code", "pk"),
            user=self.request.user,
            rule=self.pocket_rule,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["description"] = self.describe(self.pocket_rule)
        return context

    @staticmethod
    def describe(rule: PocketRule) -> str:
        if rule.basis == PocketRule.Basis.FIXED_RATE:
            threshold = _("a poverty rate of at least %(rate)s") % {
                "rate": format_percent(rule.fixed_rate)
            }
        else:
            threshold = _(
                "a poverty rate at least the regency's BPS rate of the year (without one, the "
                "rate of all village data of the year)"
            )
        return _(
            "Each village's data for the year, with the programmes of the year that target "
            "it. A village is a poverty pocket with %(threshold)s and at least %(households)s "
            "poor households, as the administrator set the rule."
        ) % {"threshold": threshold, "households": format_number(rule.min_poor_households)}
