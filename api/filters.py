"""The API's filters, with the tables' parameter names (programs/filters.py): year,
strategy, opd, owner, kecamatan, desa, q. A value out of range or of the wrong kind is a 400 with
the field's message, never an empty list that looks like an answer."""

import django_filters
from django.utils.translation import gettext_lazy as _

from bartim.models import YEAR_MAX, YEAR_MIN
from indicators.models import Indicator
from programs.filters import owner_kind_filter
from programs.models import Program
from villages.models import VillageData

# The largest id a filter takes: beyond it no record exists, and SQLite cannot compare it.
ID_MAX = 2**62


def year_filter(field_name="year"):
    return django_filters.NumberFilter(
        field_name=field_name,
        label=_("Year"),
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        decimal_places=0,
    )


def id_filter(field_name, label):
    return django_filters.NumberFilter(
        field_name=field_name, label=label, min_value=1, max_value=ID_MAX, decimal_places=0
    )


def strategy_filter(field_name):
    return django_filters.NumberFilter(
        field_name=field_name, label=_("Strategy"), min_value=1, max_value=3, decimal_places=0
    )


def text_filter(field_name, label, lookup="exact"):
    return django_filters.CharFilter(
        field_name=field_name, label=label, lookup_expr=lookup, max_length=300
    )


class ProgramFilter(django_filters.FilterSet):
    year = year_filter()
    strategy = strategy_filter("strategy")
    opd = id_filter("agency", _("Agency (OPD)"))
    owner = owner_kind_filter("agency__kind")
    kecamatan = text_filter("target_villages__district__code", _("Kecamatan"))
    desa = text_filter("target_villages__code", _("Village"))
    q = text_filter("name", _("Name"), "icontains")

    class Meta:
        model = Program
        fields = []

    def filter_queryset(self, queryset):
        # A programme reaching several villages of a kecamatan is listed once.
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("kecamatan") or self.form.cleaned_data.get("desa"):
            queryset = queryset.distinct()
        return queryset


class IndicatorFilter(django_filters.FilterSet):
    year = year_filter("program__year")
    strategy = strategy_filter("program__strategy")
    opd = id_filter("program__agency", _("Agency (OPD)"))
    program = id_filter("program", _("Programme"))
    q = text_filter("name", _("Name"), "icontains")

    class Meta:
        model = Indicator
        fields = []


class VillageDataFilter(django_filters.FilterSet):
    year = year_filter()
    kecamatan = text_filter("village__district__code", _("Kecamatan"))
    desa = text_filter("village__code", _("Village"))

    class Meta:
        model = VillageData
        fields = []
