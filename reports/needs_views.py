"""The basic-needs page, /needs/, beside the targeting check (the rules are in
reports/needs.py)."""

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext

from helpers import dataversion, exports
from programs.filters import need_filter
from reports import maps
from reports.meeting import latest_quarter_with_data
from reports.needs import needs_check
from reports.needs_export import needs_csv_response, needs_xlsx_response
from reports.targeting_views import TargetingFilterSet
from reports.verification import ALL_SUBMITTED, includes_unverified, switch
from villages.models import VillageData


class NeedsFilterSet(TargetingFilterSet):
    """The targeting check's year and kecamatan (same parameters, choices and messages), and
    the basic need (`need`, a dimension's code)."""

    need = need_filter(method="keep")


def _link(**params) -> str:
    query = QueryDict(mutable=True)
    query.update({name: value for name, value in params.items() if value is not None})
    return f"{reverse('reports:needs')}?{query.urlencode()}"


def needs(request):
    filterset = NeedsFilterSet(request.GET, queryset=VillageData.objects.none(), request=request)
    context = {
        "filter": filterset,
        "active_filters": filterset.active_filters(),
        "verification": switch(request),
    }
    if not filterset.is_valid():
        return render(request, "reports/needs.html", context)
    unverified = includes_unverified(request)
    year = filterset.form.cleaned_data["year"]
    district = filterset.form.cleaned_data["kecamatan"]
    dimension = filterset.form.cleaned_data["need"]
    # Achievement as of the quarter the meeting discusses: the latest one with data.
    quarter = latest_quarter_with_data(request.user, year)

    def check():
        return needs_check(
            user=request.user,
            year=year,
            quarter=quarter,
            district=district,
            dimension=dimension,
            unverified=unverified,
        )

    requested = request.GET.get("_export")
    name = "_".join([slugify(gettext("basic needs")), *filterset.filename_parts()])
    if requested == exports.CSV:
        return needs_csv_response(check(), f"{name}.csv")
    if requested == exports.XLSX:
        return needs_xlsx_response(check(), f"{name}.xlsx")
    if requested:
        messages.warning(
            request,
            gettext("There is no export as “%(format)s” on this page. Choose CSV or Excel (XLSX).")
            % {"format": requested[:20]},
        )
    params = {
        "year": year,
        "kecamatan": district.code if district else None,
        "need": dimension.code if dimension else None,
        "figures": ALL_SUBMITTED if unverified else None,
    }

    # At a province's scale the page lists thousands of village-need rows: rendered once per
    # data version, like the targeting check.
    def render_sections():
        result = check()
        # One need chosen: its map, each village by deficit and coverage.
        need_map = None
        if dimension is not None and result.by_dimension:
            need_map = maps.need_map(result.by_dimension[0], year=year, district=district)
        return render_to_string(
            "reports/_needs_check.html",
            {"check": result, "ranking_url": _link(**params), "need_map": need_map},
        )

    sections = dataversion.cached(
        ("needs", *dataversion.visibility_key(request.user), *params.values(), quarter),
        render_sections,
    )
    context.update(
        sections=sections,
        period=filterset.period(),
        share_url=_link(**params),
        csv_url=_link(**params, _export=exports.CSV),
        xlsx_url=_link(**params, _export=exports.XLSX),
    )
    return render(request, "reports/needs.html", context)
