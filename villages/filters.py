import django_filters
from django.utils.translation import gettext_lazy as _

from bartim import access
from helpers.filters import TableFilterSet
from programs import periods
from programs.filters import ALL, desa_filter, kecamatan_filter, search_filter, status_filter
from programs.models import Program
from villages.models import VillageData


class VillageFilterSet(TableFilterSet):
    """Filters of /villages/. The year always has a value: the latest year with village data
    when the link gives none (the programmes' default year when there is no village data)."""

    POCKET_YES = "yes"
    POCKET_NO = "no"

    year = django_filters.TypedChoiceFilter(
        label=_("Year"),
        coerce=int,
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a year with village data. Choose a year from the list."
            )
        },
    )
    kecamatan = kecamatan_filter(field_name="village__district")
    desa = desa_filter(field_name="village")
    status = status_filter()
    pocket = django_filters.ChoiceFilter(
        choices=[(POCKET_YES, _("Yes")), (POCKET_NO, _("No"))],
        method="filter_pocket",
        label=_("Poverty pocket"),
        empty_label=ALL,
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a choice for poverty pocket. Choose Yes or No from the list."
            )
        },
    )
    q = search_filter()

    fixed = ("year",)

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        user = request.user
        self.years = periods.years_of(access.readable(user, VillageData.objects.all()))
        if self.years:
            self.default_year = self.years[0]
        else:
            self.default_year = periods.default_year(
                periods.program_years(access.readable(user, Program.objects.all()))
            )
        super().__init__(data, queryset, request=request, prefix=prefix)
        years = sorted({*self.years, self.default_year}, reverse=True)
        self.filters["year"].extra["choices"] = [(year, str(year)) for year in years]

    def defaults(self, data):
        return {"year": str(self.default_year)}

    def filter_pocket(self, queryset, name, value):
        # is_pocket is annotated by the view's queryset (indicators/village_figures.py).
        return queryset.filter(is_pocket=value == self.POCKET_YES)

    def search(self, queryset, name, value):
        return queryset.filter(village__name__icontains=value)
