"""The read-only API (/api/v1/, docs/api.md). Every list is what the token's account may
read (bartim.access.readable; a public token: the published years' verified records), and
every request is logged (api.models.ApiRequest) whoever sends it."""

import time

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, viewsets
from rest_framework.exceptions import ValidationError

from api import filters
from api import serializers as api_serializers
from api.models import SystemAccount
from api.services import api_request_log
from bartim import access
from bartim.models import YEAR_MAX, YEAR_MIN
from indicators.models import Indicator, IndicatorValue
from programs.models import Program
from programs.progress import quarter_counted
from reports.targeting import targeting_check
from transparency.selectors import year_figures, years_for
from villages.models import VillageData


class LoggedMixin:
    """Logs every request, answered or refused, with its system account when it had one."""

    def initial(self, request, *args, **kwargs):
        self._started = time.monotonic()
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        started = getattr(self, "_started", None) or time.monotonic()
        system = getattr(request, "_auth", None)
        api_request_log(
            system=system if isinstance(system, SystemAccount) else None,
            method=request.method,
            path=request.path,
            query=request.META.get("QUERY_STRING", ""),
            status=response.status_code,
            duration_ms=(time.monotonic() - started) * 1000,
        )
        return response


class PolicyViewSet(LoggedMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"[0-9]{1,18}"

    @property
    def policy_model(self):
        return self.queryset.model

    def readable(self):
        return access.readable(self.request.user, self.queryset.all())


class ProgramViewSet(PolicyViewSet):
    """Programmes with their plan and each quarter's figures."""

    queryset = Program.objects.all()
    serializer_class = api_serializers.ProgramSerializer
    filterset_class = filters.ProgramFilter

    def get_queryset(self):
        return (
            self.readable()
            .select_related("agency")
            .prefetch_related("target_villages")
            .annotate(**{f"verified_q{q}": quarter_counted(q) for q in (1, 2, 3, 4)})
            .order_by("-year", "strategy", "name", "pk")
        )

    def get_serializer_context(self):
        # The public reads verified figures only; an account reads what its pages show.
        return {
            **super().get_serializer_context(),
            "verified_only": access.is_public(self.request.user),
        }


class IndicatorViewSet(PolicyViewSet):
    """Indicators with their annual target and the quarterly values the reader may read."""

    queryset = Indicator.objects.all()
    serializer_class = api_serializers.IndicatorSerializer
    filterset_class = filters.IndicatorFilter

    def get_queryset(self):
        values = access.readable(self.request.user, IndicatorValue.objects.order_by("quarter"))
        return (
            self.readable()
            .prefetch_related(Prefetch("values", queryset=values, to_attr="readable_values"))
            .order_by("-program__year", "program", "pk")
        )


class VillageDataViewSet(PolicyViewSet):
    """Village data: counts per village and year, no person named."""

    queryset = VillageData.objects.all()
    serializer_class = api_serializers.VillageDataSerializer
    filterset_class = filters.VillageDataFilter

    def get_queryset(self):
        return (
            self.readable()
            .select_related("village__district")
            .order_by("-year", "village__code", "pk")
        )


YEAR_PARAMETER = OpenApiParameter(
    "year",
    OpenApiTypes.INT,
    description="The year; the latest the token reads when not given.",
    required=False,
)


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=YEAR_MIN, max_value=YEAR_MAX)


@extend_schema(parameters=[YEAR_PARAMETER])
class YearSummaryView(LoggedMixin, generics.ListAPIView):
    """A summary of one year (`?year=`, the latest readable by default), as a paginated
    list; a year the token does not read is 404."""

    policy_model = Program
    filter_backends = []

    def year(self) -> int:
        query = YearQuery(data=self.request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        years = years_for(self.request.user)
        year = query.validated_data.get("year", years[0] if years else None)
        if year is None or year not in years:
            raise Http404(_("This year is not published."))
        return year

    def rows(self, year: int) -> list[dict]:
        raise NotImplementedError

    def get_queryset(self):
        # A list computed from the year's figures; pagination slices lists as querysets.
        return self.rows(self.year())


class StrategySummaryView(YearSummaryView):
    """Each strategy's counted programmes with budget, absorption, achievement category and
    the poverty pockets they reach (public.selectors, verified figures)."""

    serializer_class = api_serializers.StrategyFiguresSerializer

    def rows(self, year):
        figures = year_figures(self.request.user, year)
        return [
            {
                **vars(strategy),
                "year": year,
                "as_of_quarter": figures.quarter,
                "pockets": figures.pockets,
            }
            for strategy in figures.strategies
        ]


class PocketListView(YearSummaryView):
    """The poverty pockets of a year (reports.targeting) and the strategies reaching each."""

    serializer_class = api_serializers.PocketSerializer
    policy_model = VillageData

    def rows(self, year):
        check = targeting_check(user=self.request.user, year=year)
        return [
            {
                "year": year,
                "village_code": row.code,
                "village": row.name,
                "kecamatan_code": row.district_code,
                "kecamatan": row.district_name,
                "population": row.population,
                "poor_households": row.poor_households,
                "poverty_rate": row.poverty_rate,
                "reached": row.reached,
                "strategies_reaching": [
                    cell.strategy.number for cell in row.by_strategy if cell.programs
                ],
            }
            for row in check.villages
            if row.is_pocket
        ]


class TargetingView(YearSummaryView):
    """The targeting check's measures per kecamatan and for the regency (the row without a
    kecamatan): aggregates only, no village and no programme listed."""

    serializer_class = api_serializers.TargetingSerializer
    policy_model = VillageData

    def rows(self, year):
        check = targeting_check(user=self.request.user, year=year)
        return [
            {
                "year": year,
                "kecamatan_code": summary.code or None,
                "kecamatan": summary.name or None,
                "villages_with_data": summary.villages_with_data,
                "poor_households": summary.poor_households,
                "uncovered_poor_households": summary.uncovered_poor_households,
                "pockets": summary.pockets,
                "pockets_reached": summary.pockets_reached,
            }
            for summary in [*check.districts, check.total]
        ]
