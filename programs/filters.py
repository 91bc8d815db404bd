"""Filters of the progress tables. The URL parameters are the same on every page, so that a
filtered view can be shared as a link: year, quarter, strategy, opd, owner (the owner's
kind), kecamatan, desa, status, category, q."""

import django_filters
from django.db.models import Exists, IntegerField, OuterRef, Q, Value
from django.utils.translation import gettext_lazy as _

from bartim import access
from bartim.models import Agency, District, Quarter, ReviewStatus, Village
from helpers.filters import LabelledModelChoiceFilter, TableFilterSet
from indicators import progress
from programs import deadlines, periods
from programs import progress as programme_progress
from programs.models import NeedDimension, Program, Strategy

ALL = _("All")
CHOOSE_KECAMATAN_FIRST = _("Choose a kecamatan first")


def _visible_agencies(request):
    programs = access.readable(request.user, Program.objects.all()).filter(agency=OuterRef("pk"))
    return Agency.objects.filter(Exists(programs)).order_by("name")


def strategy_filter(field_name: str, method=None):
    return LabelledModelChoiceFilter(
        field_name=field_name,
        method=method,
        queryset=Strategy.objects.order_by("number"),
        label=_("Strategy"),
        empty_label=ALL,
        error_messages={"invalid_choice": _("There is no strategy “%(value)s”. Choose 1, 2 or 3.")},
    )


def need_filter(**where):
    """Filter by a basic-needs dimension's code (`?need=housing`); `where` is `field_name=`
    or `method=`."""
    return LabelledModelChoiceFilter(
        queryset=NeedDimension.objects.all(),
        to_field_name="code",
        label=_("Basic need"),
        empty_label=ALL,
        error_messages={
            "invalid_choice": _("There is no basic need “%(value)s”. Choose one from the list.")
        },
        **where,
    )


def opd_filter(field_name: str):
    return LabelledModelChoiceFilter(
        field_name=field_name,
        queryset=_visible_agencies,
        label=_("Owner"),
        empty_label=ALL,
        label_from_instance=lambda agency: agency.name,
        error_messages={
            "invalid_choice": _(
                "There is no agency (OPD) with ID “%(value)s” that runs programmes. "
                "Choose one from the list."
            )
        },
    )


def owner_kind_filter(field_name: str):
    """Filter by the kind of the programme's owner (`?owner=village`)."""
    return django_filters.ChoiceFilter(
        field_name=field_name,
        choices=Agency.Kind.choices,
        label=_("Kind of owner"),
        empty_label=ALL,
        error_messages={
            "invalid_choice": _("“%(value)s” is not a kind of owner. Choose one from the list.")
        },
    )


def kecamatan_filter(**where):
    """Filter by a kecamatan's code; `where` is `field_name=` or `method=`."""
    return LabelledModelChoiceFilter(
        queryset=District.objects.order_by("name"),
        to_field_name="code",
        label=_("Kecamatan"),
        empty_label=ALL,
        error_messages={"invalid_choice": _("There is no kecamatan with code “%(value)s”.")},
        **where,
    )


class DesaFilter(LabelledModelChoiceFilter):
    """The villages of the kecamatan the link chooses, as people choose them: kecamatan, then
    desa. Before a kecamatan is chosen it offers none (a province has thousands of villages,
    and writing them all was most of a table page's first visit after a write), but a link's
    `desa` alone still filters and shows that village chosen."""

    def _chosen(self, name):
        value = self.parent.data.get(name, "")
        # The list's query sees the raw value before the form has checked it; PostgreSQL
        # refuses a NUL in text, which the form then reports as an invalid choice.
        return "" if "\x00" in value else value

    def get_queryset(self, request):
        kecamatan, desa = self._chosen("kecamatan"), self._chosen("desa")
        listed = Q(district__code=kecamatan) if kecamatan else Q(pk__in=[])
        if desa:
            # Even from another kecamatan, so that the form shows what the link filters by.
            listed |= Q(code=desa)
        return super().get_queryset(request).filter(listed)

    @property
    def field(self):
        if not self._chosen("kecamatan"):
            self.extra["empty_label"] = CHOOSE_KECAMATAN_FIRST
        return super().field


def desa_filter(**where):
    """Filter by a village's code; `where` is `field_name=` or `method=`."""
    return DesaFilter(
        queryset=Village.objects.select_related("district").order_by("name", "code"),
        to_field_name="code",
        label=_("Village (desa/kelurahan)"),
        empty_label=ALL,
        label_from_instance=lambda village: f"{village.name} ({village.district.name})",
        error_messages={
            "invalid_choice": _("There is no desa or kelurahan with code “%(value)s”.")
        },
        **where,
    )


def status_filter():
    return django_filters.ChoiceFilter(
        choices=ReviewStatus.choices,
        label=_("Status"),
        empty_label=ALL,
        error_messages={
            "invalid_choice": _("“%(value)s” is not a status. Choose one from the list.")
        },
    )


def category_filter(categories):
    return django_filters.ChoiceFilter(
        choices=[(category.value, category.label) for category in categories],
        method="filter_category",
        label=_("Category"),
        empty_label=ALL,
        error_messages={
            "invalid_choice": _("“%(value)s” is not a category. Choose one from the list.")
        },
    )


def search_filter():
    return django_filters.CharFilter(
        method="search",
        label=_("Search"),
        max_length=100,
        error_messages={"max_length": _("Search for at most %(limit_value)d characters.")},
    )


class PeriodFilterSet(TableFilterSet):
    """The year and the quarter progress is measured as of; both always have a value
    (periods.default_year and default_quarter when the link gives none)."""

    year = django_filters.TypedChoiceFilter(
        label=_("Year"),
        coerce=int,
        method="keep",
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a year with programmes. Choose a year from the list."
            )
        },
    )
    quarter = django_filters.TypedChoiceFilter(
        label=_("As of quarter"),
        choices=Quarter.choices,
        coerce=int,
        method="keep",
        error_messages={
            "invalid_choice": _("“%(value)s” is not a quarter. Choose 1, 2, 3 or 4 (Q I to Q IV).")
        },
    )

    fixed = ("year", "quarter")

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        self.years = periods.program_years(access.readable(request.user, Program.objects.all()))
        self.default_year = periods.default_year(self.years)
        super().__init__(data, queryset, request=request, prefix=prefix)
        years = sorted({*self.years, self.default_year}, reverse=True)
        self.filters["year"].extra["choices"] = [(year, str(year)) for year in years]

    def defaults(self, data):
        year = data.get("year", "")
        year = int(year) if year.isdigit() and int(year) in self.years else self.default_year
        return {"year": str(self.default_year), "quarter": str(periods.default_quarter(year))}

    @property
    def year_value(self) -> int:
        return self.form.cleaned_data["year"]

    @property
    def quarter_value(self) -> int:
        return self.form.cleaned_data["quarter"]

    def keep(self, queryset, name, value):
        # The period is applied in prepare(), before the filters that need its figures.
        return queryset

    def _filename_value(self, name):
        if name == "quarter":
            return f"tw{self.quarter_value}"
        return super()._filename_value(name)


class ProgramFilterSet(PeriodFilterSet):
    strategy = strategy_filter("strategy")
    need = need_filter(method="filter_need")
    opd = opd_filter("agency")
    owner = owner_kind_filter("agency__kind")
    kecamatan = kecamatan_filter(method="filter_kecamatan")
    desa = desa_filter(method="filter_desa")
    status = status_filter()
    category = category_filter([*progress.Category.banded(), progress.Category.NO_DATA])
    q = search_filter()

    def prepare(self, queryset):
        return programme_progress.programs_with_progress(
            queryset.filter(year=self.year_value), self.quarter_value
        )

    def _targets(self, **lookups):
        villages = Program.target_villages.through.objects.filter(program=OuterRef("pk"), **lookups)
        return Exists(villages)

    def filter_kecamatan(self, queryset, name, value):
        return queryset.filter(self._targets(village__district=value))

    def filter_need(self, queryset, name, value):
        # Exists, not a join: the table's annotations must not see a row twice.
        return queryset.filter(
            Exists(
                Program.needs.through.objects.filter(program=OuterRef("pk"), needdimension=value)
            )
        )

    def filter_desa(self, queryset, name, value):
        return queryset.filter(self._targets(village=value))

    def filter_category(self, queryset, name, value):
        return queryset.filter(progress.category_q(value, "mean_achievement"))

    def search(self, queryset, name, value):
        # A nomenclature code finds its programme and those under it: "1.02.02" every
        # programme, activity and sub-activity of that programme code.
        found = (
            Q(name__icontains=value)
            | Q(agency__name__icontains=value)
            | Q(agency__abbreviation__icontains=value)
        )
        code = value.strip()
        if code:
            found |= (
                Q(program_code__startswith=code)
                | Q(activity_code__startswith=code)
                | Q(sub_activity_code__startswith=code)
            )
        return queryset.filter(found)


class IndicatorFilterSet(PeriodFilterSet):
    strategy = strategy_filter("program__strategy")
    opd = opd_filter("program__agency")
    category = category_filter(list(progress.Category))
    q = search_filter()

    def prepare(self, queryset):
        return progress.indicators_with_progress(
            queryset.filter(program__year=self.year_value), self.quarter_value
        )

    def filter_category(self, queryset, name, value):
        return queryset.filter(progress.category_q(value, "achievement", "realized_as_of"))

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(program__name__icontains=value))


class StrategyFilterSet(PeriodFilterSet):
    def prepare(self, queryset):
        programs = access.readable(self.request.user, Program.objects.all()).filter(
            year=self.year_value
        )
        return programme_progress.strategies_with_progress(
            queryset, programs, self.quarter_value
        ).annotate(year=Value(self.year_value, output_field=IntegerField()))


class AgencyFilterSet(PeriodFilterSet):
    """The strategy narrows the programmes each agency is measured on, not the agencies."""

    strategy = strategy_filter("strategy", method="keep")
    owner = owner_kind_filter("kind")

    def prepare(self, queryset):
        programs = access.readable(self.request.user, Program.objects.all()).filter(
            year=self.year_value
        )
        strategy = self.form.cleaned_data.get("strategy")
        if strategy:
            programs = programs.filter(strategy=strategy)
        # Agencies marked as reporting every year are listed without programmes too, but not
        # under a strategy: marking says nothing about which strategy they report under.
        agencies = programme_progress.agencies_with_progress(
            queryset, programs, self.quarter_value, with_marked=not strategy
        )
        # Lateness is the agency's, whichever strategy its programmes are measured on.
        every_programme = access.readable(self.request.user, Program.objects.all())
        return agencies.annotate(
            late=deadlines.late_expression(every_programme, self.year_value, self.quarter_value)
        )
