"""The targeting check page, /targeting/ (the rules are in indicators/targeting.py)."""

import django_filters
from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bartim import access
from bartim.models import District
from families.sections import family_section
from helpers import dataversion, exports
from helpers.filters import LabelledModelChoiceFilter, TableFilterSet
from programs import periods
from programs.models import Program
from reports import maps
from reports.targeting import targeting_check, with_families
from reports.targeting_export import targeting_xlsx_response
from reports.verification import ALL_SUBMITTED, counted_filter, includes_unverified, switch
from villages.models import VillageData


class TargetingFilterSet(TableFilterSet):
    """The page's query language. The selector, not this FilterSet's queryset, does the work:
    the regency-wide share needs every village of the year whatever kecamatan is chosen."""

    year = django_filters.TypedChoiceFilter(
        label=_("Year"),
        coerce=int,
        method="keep",
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a year with village data or programmes. "
                "Choose a year from the list."
            )
        },
    )
    kecamatan = LabelledModelChoiceFilter(
        queryset=District.objects.order_by("name"),
        to_field_name="code",
        method="keep",
        label=_("Kecamatan"),
        empty_label=_("All"),
        error_messages={"invalid_choice": _("There is no kecamatan with code “%(value)s”.")},
    )

    figures = counted_filter()

    fixed = ("year",)

    class Meta:
        model = VillageData
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        user = request.user
        data_years = set(periods.years_of(access.readable(user, VillageData.objects.all())))
        program_years = periods.program_years(access.readable(user, Program.objects.all()))
        # Pockets and poor households come from the village data, so the latest year that has
        # some is the one worth opening; without any, the programmes' default year.
        self.default_year = max(data_years) if data_years else periods.default_year(program_years)
        super().__init__(data, queryset, request=request, prefix=prefix)
        years = sorted({*data_years, *program_years, self.default_year}, reverse=True)
        self.filters["year"].extra["choices"] = [(year, str(year)) for year in years]

    def defaults(self, data):
        return {"year": str(self.default_year)}

    def keep(self, queryset, name, value):
        return queryset


def _link(**params) -> str:
    query = QueryDict(mutable=True)
    query.update({name: value for name, value in params.items() if value is not None})
    return f"{reverse('reports:targeting')}?{query.urlencode()}"


def targeting(request):
    filterset = TargetingFilterSet(
        request.GET, queryset=VillageData.objects.none(), request=request
    )
    context = {
        "filter": filterset,
        "active_filters": filterset.active_filters(),
        "verification": switch(request),
    }
    if not filterset.is_valid():
        return render(request, "reports/targeting.html", context)
    unverified = includes_unverified(request)
    figures = ALL_SUBMITTED if unverified else None

    year = filterset.form.cleaned_data["year"]
    district = filterset.form.cleaned_data["kecamatan"]
    requested = request.GET.get("_export")
    if requested == exports.XLSX:
        check = with_families(
            targeting_check(user=request.user, year=year, district=district, unverified=unverified)
        )
        name = "_".join([slugify(gettext("targeting")), *filterset.filename_parts()])
        return targeting_xlsx_response(check, f"{name}.xlsx")
    if requested:
        messages.warning(
            request,
            gettext("There is no export as “%(format)s” on this page. Choose Excel (XLSX).")
            % {"format": requested[:20]},
        )
    kecamatan = district.code if district else None
    layer, problem = maps.layer_from(request.GET.get("map"), maps.REACH)
    if problem:
        messages.warning(request, problem)

    def render_sections():
        check = with_families(
            targeting_check(user=request.user, year=year, district=district, unverified=unverified)
        )
        village_map = None
        if check.has_village_data:
            village_map = maps.village_map_section(
                check,
                layer,
                url_for=lambda key: (
                    _link(year=year, kecamatan=kecamatan, figures=figures, map=key)
                    + "#village-map-section"
                ),
            )
        return render_to_string(
            "reports/_targeting_check.html", {"check": check, "village_map": village_map}
        )

    # At a province's scale the check is a page of thousands of villages: rendered once per
    # data version, like the dashboard (reports/meeting.py).
    sections = dataversion.cached(
        (
            "targeting",
            *dataversion.visibility_key(request.user),
            year,
            kecamatan,
            unverified,
            layer,
        ),
        render_sections,
    )
    context.update(
        sections=sections,
        family_section=family_section(user=request.user, year=year, district=district),
        period=filterset.period(),
        share_url=_link(
            year=year,
            kecamatan=kecamatan,
            figures=figures,
            map=None if layer == maps.REACH else layer,
        ),
        xlsx_url=_link(year=year, kecamatan=kecamatan, figures=figures, _export=exports.XLSX),
    )
    return render(request, "reports/targeting.html", context)
