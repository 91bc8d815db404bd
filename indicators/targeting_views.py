"""The targeting check page, /targeting/ (the rules are in indicators/targeting.py)."""

import django_filters
from django import forms
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bartim.models import District
from programs.models import Program

from .models import VillageData
from .targeting import targeting_check
from .targeting_export import targeting_xlsx_response


def _years(user) -> tuple[list[int], int]:
    """The years the filter offers (those with village data or programmes) and the default:
    the latest year with village data, else the latest with programmes, else this year."""
    data_years = set(
        VillageData.objects.visible_to(user).order_by().values_list("year", flat=True).distinct()
    )
    program_years = set(
        Program.objects.visible_to(user).order_by().values_list("year", flat=True).distinct()
    )
    default = max(data_years or program_years or {timezone.localdate().year})
    return sorted(data_years | program_years | {default}, reverse=True), default


class TargetingFilter(django_filters.FilterSet):
    """The page's query language; the selector, not this FilterSet's queryset, does the work,
    because the regency-wide share needs every village of the year whatever the filter."""

    year = django_filters.TypedChoiceFilter(
        label=_("Year"),
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    kecamatan = django_filters.ModelChoiceFilter(
        label=_("District (kecamatan)"),
        widget=forms.Select(attrs={"class": "form-select"}),
        field_name="village__district",
        to_field_name="code",
        queryset=District.objects.order_by("code"),
        empty_label=_("All districts"),
    )

    class Meta:
        model = VillageData
        fields = []

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = [(year, str(year)) for year in years]


def _query(year: int, district: District | None, **extra) -> str:
    params = QueryDict(mutable=True)
    params["year"] = str(year)
    if district is not None:
        params["kecamatan"] = district.code
    params.update(extra)
    return params.urlencode()


def targeting(request):
    years, default_year = _years(request.user)
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(default_year)
    filterset = TargetingFilter(
        data, queryset=VillageData.objects.none(), request=request, years=years
    )
    context = {"filter": filterset}
    if not filterset.is_valid():
        return render(request, "indicators/targeting.html", context)

    year = filterset.form.cleaned_data["year"]
    district = filterset.form.cleaned_data["kecamatan"]
    check = targeting_check(user=request.user, year=year, district=district)
    export = request.GET.get("_export")
    if export == "xlsx":
        return targeting_xlsx_response(check)
    path = reverse("targeting")
    context.update(
        check=check,
        unknown_export=export,
        share_url=f"{path}?{_query(year, district)}",
        xlsx_url=f"{path}?{_query(year, district, _export='xlsx')}",
    )
    return render(request, "indicators/targeting.html", context)
