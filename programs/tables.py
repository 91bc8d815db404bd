"""The progress tables: what each column shows on screen (Indonesian numbers, category
badges) and what it exports (raw numbers, category labels)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from helpers.formatting import format_rupiah
from helpers.tables import (
    EMPTY,
    BaseTable,
    DecimalColumn,
    LongTextColumn,
    NumberColumn,
    PercentColumn,
    RupiahColumn,
)
from indicators import progress


class CategoryColumn(tables.Column):
    """The category of the achievement in `achievement`, as a coloured badge on screen and
    its label in exports. With `reported` (the realised value's field), a missing
    achievement tells "no data" from "target not measurable". Sorts by the achievement."""

    empty_values = ()

    def __init__(self, achievement: str, reported: str | None = None, **kwargs):
        self.achievement = achievement
        self.reported = reported
        kwargs.setdefault("verbose_name", _("Category"))
        super().__init__(accessor=achievement, order_by=(achievement,), **kwargs)

    def category(self, record) -> progress.Category:
        value = getattr(record, self.achievement)
        if self.reported:
            reported = getattr(record, self.reported) is not None
        else:
            reported = value is not None
        return progress.category_of(value, reported=reported)

    def render(self, record):
        category = self.category(record)
        return format_html(
            '<span class="badge text-bg-{}">{}</span>', category.colour, category.label
        )

    def value(self, record):
        return str(self.category(record).label)


class StrategyNumberColumn(tables.Column):
    """The strategy's number, with its name as a tooltip on screen."""

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", _("Strategy"))
        kwargs.setdefault("attrs", {"th": {"class": "number"}, "td": {"class": "number"}})
        super().__init__(**kwargs)

    def render(self, value):
        return format_html('<span title="{}">{}</span>', value.name, value.number)

    def value(self, value):
        return value.number


class ProgramTable(BaseTable):
    class Meta(BaseTable.Meta):
        pass

    secondary_columns = (
        "program_code",
        "activity_code",
        "sub_activity_code",
        "year",
        "budget_ceiling",
        "budget_realized",
        "absorption",
        "indicator_count",
        "villages_reached",
        "needs",
        "budget_ceiling_original",
        "budget_ceiling_revised",
        "funding",
        "owner_kind",
    )

    name = LongTextColumn(
        linkify=("programs:program_detail", [tables.A("pk")]), verbose_name=_("Programme")
    )
    agency = LongTextColumn(verbose_name=_("Owner"), order_by=("agency__name",), narrow=True)
    strategy = StrategyNumberColumn(order_by=("strategy_id",))
    program_code = tables.Column(verbose_name=_("Programme code"), default=EMPTY)
    activity_code = tables.Column(verbose_name=_("Activity code (kegiatan)"), default=EMPTY)
    sub_activity_code = tables.Column(
        verbose_name=_("Sub-activity code (sub-kegiatan)"), default=EMPTY
    )
    year = tables.Column(verbose_name=_("Year"))
    # The ceiling in force as of the quarter (programs.progress.ceiling_in_force).
    budget_ceiling = RupiahColumn(
        accessor="ceiling_in_force",
        order_by=("ceiling_in_force",),
        verbose_name=_("Budget ceiling (Rp)"),
    )
    budget_realized = RupiahColumn(verbose_name=_("Budget realised (Rp)"))
    absorption = PercentColumn(verbose_name=_("Absorption (%)"))
    indicator_count = NumberColumn(verbose_name=_("Indicators"))
    mean_achievement = PercentColumn(verbose_name=_("Mean achievement (%)"))
    category = CategoryColumn("mean_achievement")
    status = tables.Column(verbose_name=_("Status"))
    villages_reached = NumberColumn(verbose_name=_("Villages reached"))
    # Prefetched by the view: one query a page (or an export), whatever its length.
    needs = tables.Column(verbose_name=_("Basic needs"), orderable=False, empty_values=())
    # Both ceilings as entered, after the one in force (docs/budget.md).
    budget_ceiling_original = RupiahColumn(
        accessor="budget_ceiling", verbose_name=_("Original budget ceiling (Rp)")
    )
    budget_ceiling_revised = RupiahColumn(verbose_name=_("Revised budget ceiling (Rp)"))
    # Prefetched with their sources by the view where the column is shown.
    funding = tables.Column(verbose_name=_("Funding sources"), orderable=False, empty_values=())

    def render_funding(self, record):
        rows = record.funding.all()
        return ", ".join(f"{row.source.name} {format_rupiah(row.amount)}" for row in rows) or EMPTY

    def value_funding(self, record):
        return "; ".join(f"{row.source.name}: {row.amount}" for row in record.funding.all())

    owner_kind = tables.Column(
        accessor="agency__kind", verbose_name=_("Kind of owner"), order_by=("agency__kind",)
    )

    def render_owner_kind(self, record):
        return record.agency.get_kind_display()

    def value_owner_kind(self, record):
        return str(record.agency.get_kind_display())

    def render_needs(self, record):
        return ", ".join(need.name for need in record.needs.all()) or "—"

    def value_needs(self, record):
        return "; ".join(need.name for need in record.needs.all())


class IndicatorTable(BaseTable):
    class Meta(BaseTable.Meta):
        pass

    secondary_columns = (
        "strategy",
        "unit",
        "direction",
        "baseline",
        "target",
        "expected",
    )

    # The indicator is shown, and changed, on its programme's page.
    name = LongTextColumn(
        verbose_name=_("Indicator"),
        linkify=("programs:program_detail", [tables.A("program_id")]),
    )
    program = LongTextColumn(
        accessor="program__name",
        verbose_name=_("Programme"),
        order_by=("program__name",),
        narrow=True,
    )
    agency = LongTextColumn(
        accessor="program__agency",
        verbose_name=_("Agency (OPD)"),
        order_by=("program__agency__name",),
        narrow=True,
    )
    strategy = StrategyNumberColumn(
        accessor="program__strategy", order_by=("program__strategy_id",)
    )
    unit = tables.Column(verbose_name=_("Unit"))
    direction = tables.Column(verbose_name=_("Direction"))
    baseline = DecimalColumn(verbose_name=_("Baseline"))
    target = DecimalColumn(verbose_name=_("Annual target"))
    expected = DecimalColumn(
        verbose_name=_("Target to date (cumulative; the level for a latest value)")
    )
    realized_as_of = DecimalColumn(verbose_name=_("Realised as of the quarter"))
    achievement = PercentColumn(verbose_name=_("Achievement (%)"))
    category = CategoryColumn("achievement", reported="realized_as_of")


class StrategyTable(BaseTable):
    class Meta(BaseTable.Meta):
        pass

    number = tables.Column(
        verbose_name=_("No."), attrs={"th": {"class": "number"}, "td": {"class": "number"}}
    )
    name = tables.Column(verbose_name=_("Strategy"))
    year = tables.Column(verbose_name=_("Year"))
    program_count = NumberColumn(verbose_name=_("Number of programmes"))
    agency_count = NumberColumn(verbose_name=_("Number of agencies (OPD)"))
    budget_ceiling = RupiahColumn(verbose_name=_("Budget ceiling (Rp)"))
    budget_realized = RupiahColumn(verbose_name=_("Budget realised (Rp)"))
    absorption = PercentColumn(verbose_name=_("Absorption (%)"))
    mean_achievement = PercentColumn(verbose_name=_("Mean achievement (%)"))
    category = CategoryColumn("mean_achievement")


class AgencyTable(BaseTable):
    class Meta(BaseTable.Meta):
        order_by = ("rank",)

    secondary_columns = (
        "budget_ceiling",
        "budget_realized",
        "absorption",
        "reported_count",
        "with_evidence_count",
        "kind",
    )

    rank = NumberColumn(verbose_name=_("Rank"), order_by=("rank", "name"))
    name = LongTextColumn(verbose_name=_("Agency (OPD)"))
    program_count = NumberColumn(verbose_name=_("Number of programmes"))
    budget_ceiling = RupiahColumn(verbose_name=_("Budget ceiling (Rp)"))
    budget_realized = RupiahColumn(verbose_name=_("Budget realised (Rp)"))
    absorption = PercentColumn(verbose_name=_("Absorption (%)"))
    mean_achievement = PercentColumn(verbose_name=_("Mean achievement (%)"))
    category = CategoryColumn("mean_achievement")
    reported_count = NumberColumn(verbose_name=_("Programmes that reported the quarter"))
    with_evidence_count = NumberColumn(verbose_name=_("Programmes with evidence files"))
    completeness = PercentColumn(verbose_name=_("Reporting completeness (%)"))
    # Village governments, businesses and communities are ranked beside the OPDs.
    kind = tables.Column(verbose_name=_("Kind of owner"))

    def value_kind(self, record):
        return str(record.get_kind_display())

    def render_completeness(self, value, record):
        # Late (programs.deadlines) is shown with completeness, as on the dashboard; the
        # exports keep the bare number (value_completeness).
        shown = self.columns["completeness"].column.render(value)
        if not getattr(record, "late", False):
            return shown
        return format_html(
            '{}<br><span class="badge text-bg-danger late-badge" title="{}">{}</span>',
            shown,
            _("A quarter report of this agency is not submitted and the deadline has passed."),
            _("Late"),
        )

    def value_completeness(self, value):
        return self.columns["completeness"].column.value(value)
