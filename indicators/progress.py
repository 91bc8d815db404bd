"""The progress rules: how far an indicator, a programme, an agency and a strategy are
against their targets and budget as of a quarter. docs/progress.md explains each rule
with worked examples.

Every rule exists twice, side by side in this module: as plain Python (for one record,
the tests, the docs) and as a database expression (for tables of thousands of rows,
which are annotated, filtered and sorted in SQL). tests/test_progress.py proves that
both give the same numbers.

The database computes in double precision and rounds each percentage to two decimals;
Python computes with exact decimals and rounds half away from zero the same way. The
category bands are applied to the rounded percentage, so 90.996% is 91.00% and very high.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import (
    Avg,
    Case,
    DecimalField,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least, NullIf, Round
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator, IndicatorValue

QUARTERS = 4
HUNDREDTH = Decimal("0.01")
# Programme, agency and strategy means count each indicator between 0% and 100%, so
# that one over-achieved indicator cannot hide another that is failing (docs/progress.md).
MEAN_FLOOR = Decimal(0)
MEAN_CAP = Decimal(100)

Aggregation = Indicator.Aggregation
Direction = Indicator.Direction


class Category(models.TextChoices):
    """Achievement categories of Permendagri 86/2017, plus the two states without a number."""

    VERY_HIGH = "very_high", _("very high")
    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")
    VERY_LOW = "very_low", _("very low")
    NOT_MEASURABLE = "not_measurable", _("target not measurable")
    NO_DATA = "no_data", _("no data")

    @property
    def colour(self) -> str:
        """The Bootstrap contextual colour of the category (badges use text-bg-<colour>)."""
        return _CATEGORY_COLOURS[self]

    @property
    def signal(self) -> "Signal":
        return _CATEGORY_SIGNALS[self]

    @classmethod
    def banded(cls) -> list["Category"]:
        return [cls.VERY_HIGH, cls.HIGH, cls.MEDIUM, cls.LOW, cls.VERY_LOW]


class Signal(models.TextChoices):
    """The on-track signal the meeting reads at a glance."""

    ON_TRACK = "on_track", _("on track")
    NEEDS_ATTENTION = "needs_attention", _("needs attention")
    OFF_TRACK = "off_track", _("off track")
    NO_DATA = "no_data", _("no data")

    @property
    def colour(self) -> str:
        return _SIGNAL_COLOURS[self]

    @property
    def categories(self) -> list[Category]:
        return [category for category, signal in _CATEGORY_SIGNALS.items() if signal == self]


# (category, lower bound, bound included): the first band whose bound the rounded
# achievement reaches is its category; below every bound is very low.
BANDS = [
    (Category.VERY_HIGH, Decimal(91), True),
    (Category.HIGH, Decimal(76), True),
    (Category.MEDIUM, Decimal(66), True),
    (Category.LOW, Decimal(50), False),
]

_CATEGORY_COLOURS = {
    Category.VERY_HIGH: "success",
    Category.HIGH: "primary",
    Category.MEDIUM: "warning",
    Category.LOW: "danger",
    Category.VERY_LOW: "dark",
    Category.NOT_MEASURABLE: "light",
    Category.NO_DATA: "secondary",
}
_CATEGORY_SIGNALS = {
    Category.VERY_HIGH: Signal.ON_TRACK,
    Category.HIGH: Signal.ON_TRACK,
    Category.MEDIUM: Signal.NEEDS_ATTENTION,
    Category.LOW: Signal.OFF_TRACK,
    Category.VERY_LOW: Signal.OFF_TRACK,
    Category.NOT_MEASURABLE: Signal.NO_DATA,
    Category.NO_DATA: Signal.NO_DATA,
}
_SIGNAL_COLOURS = {
    Signal.ON_TRACK: "success",
    Signal.NEEDS_ATTENTION: "warning",
    Signal.OFF_TRACK: "danger",
    Signal.NO_DATA: "secondary",
}


# --- Plain Python -------------------------------------------------------------------------


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def round_percent(value) -> Decimal | None:
    value = _decimal(value)
    return None if value is None else value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def realized_as_of(
    aggregation: str, realized_by_quarter: Mapping[int, object], quarter: int
) -> Decimal | None:
    """What was realised by the end of `quarter`: the sum of the quarters reported so far
    for a sum, the latest value reported so far for a running total or a latest value;
    None when nothing was reported up to `quarter`."""
    reported = {
        q: _decimal(value)
        for q, value in realized_by_quarter.items()
        if q <= quarter and value is not None
    }
    if not reported:
        return None
    if aggregation == Aggregation.SUM:
        return sum(reported.values(), Decimal(0))
    return reported[max(reported)]


def expected_at(aggregation: str, annual_target, quarter: int, quarter_target=None) -> Decimal:
    """Where the indicator should be by the end of `quarter`: the quarter's own target
    where one is given (for every aggregation, the value expected by then), else q/4 of the
    annual target for sums and running totals, and the annual target for a latest value."""
    if quarter_target is not None:
        return _decimal(quarter_target)
    annual_target = _decimal(annual_target)
    if aggregation == Aggregation.LATEST:
        return annual_target
    return annual_target * quarter / QUARTERS


def baseline_at(aggregation: str, baseline, quarter: int) -> Decimal | None:
    """The baseline to measure a lower-is-better indicator from at `quarter`.

    A sum or running total counts what happened so far this year, so a whole year's
    baseline is compared pro rata (q/4), like the target; a latest value is a level."""
    baseline = _decimal(baseline)
    if baseline is None or aggregation == Aggregation.LATEST:
        return baseline
    return baseline * quarter / QUARTERS


def achievement(direction: str, realized, expected, baseline=None) -> Decimal | None:
    """Achievement in percent, rounded to two decimals, not capped.

    Higher is better: realised / expected * 100. Lower is better: (baseline - realised) /
    (baseline - expected) * 100, where `baseline` is already the baseline at the quarter.
    None when nothing was realised (no data) and when the target cannot be measured against:
    an expected value of zero or none, or a baseline equal to the expected value."""
    realized, expected, baseline = _decimal(realized), _decimal(expected), _decimal(baseline)
    if realized is None or expected is None:
        return None
    if direction == Direction.HIGHER_IS_BETTER:
        if expected == 0:
            return None
        return round_percent(realized * 100 / expected)
    if baseline is None or baseline == expected:
        return None
    return round_percent((baseline - realized) * 100 / (baseline - expected))


def category_of(value, *, reported: bool = True) -> Category:
    """The category of an achievement percentage. Without a percentage: no data when
    nothing was reported, else target not measurable."""
    value = round_percent(value)
    if value is None:
        return Category.NOT_MEASURABLE if reported else Category.NO_DATA
    for category, bound, included in BANDS:
        if value > bound or (included and value == bound):
            return category
    return Category.VERY_LOW


def signal_of(category) -> Signal:
    return Category(category).signal


def mean_achievement(values: Iterable) -> Decimal | None:
    """The mean of the achievements that are not None, each counted between 0 and 100%."""
    counted = [
        min(max(round_percent(value), MEAN_FLOOR), MEAN_CAP)
        for value in values
        if value is not None
    ]
    if not counted:
        return None
    return round_percent(sum(counted, Decimal(0)) / len(counted))


def budget_realized_as_of(quarterly: Iterable[int], quarter: int) -> int:
    """The budget realised in quarters 1 to `quarter` (the four quarters in order)."""
    return sum(list(quarterly)[:quarter])


def absorption(realized, ceiling) -> Decimal | None:
    """Realised budget as a percentage of the budget ceiling (pagu); None without a pagu."""
    if not ceiling:
        return None
    return round_percent(Decimal(realized) * 100 / Decimal(ceiling))


def completeness(reported: int, total: int, *, must_report: bool = False) -> Decimal | None:
    """Share of programmes that reported the quarter, in percent; None with no programme,
    except for an agency that must report (Agency.must_report): having nothing, it has
    reported nothing, 0%."""
    if not total:
        return Decimal(0) if must_report else None
    return round_percent(Decimal(reported) * 100 / total)


@dataclass(frozen=True)
class Rollup:
    """An agency's or a strategy's figures over its programmes, as _rollup() gives them."""

    program_count: int
    agency_count: int
    budget_ceiling: int
    budget_realized: int
    absorption: Decimal | None
    mean_achievement: Decimal | None
    reported_count: int
    completeness: Decimal | None


def rollup(programs: Iterable) -> Rollup:
    """The figures of a group of programmes already annotated by programs_with_figures()
    and with `reported` (reported_expression): the Python side of _rollup(), for a page
    that has the year's programmes in hand and groups them several ways."""
    programs = list(programs)
    # programs_with_figures annotates each with the ceiling in force as of its quarter.
    ceiling = sum(program.ceiling_in_force for program in programs)
    realized = sum(program.budget_realized for program in programs)
    reported = sum(1 for program in programs if program.reported)
    return Rollup(
        program_count=len(programs),
        agency_count=len({program.agency_id for program in programs}),
        budget_ceiling=ceiling,
        budget_realized=realized,
        absorption=absorption(realized, ceiling),
        mean_achievement=mean_achievement(program.mean_achievement for program in programs),
        reported_count=reported,
        completeness=completeness(reported, len(programs)),
    )


def ranks(means: list) -> list[int]:
    """Rank 1 for the highest mean; equal means share a rank and the next rank skips
    (1, 1, 3); those without a mean come last, sharing a rank: agencies_with_progress' rank."""
    order = sorted(means, key=lambda mean: (mean is None, -(mean or 0)))
    first = {}
    for position, mean in enumerate(order, start=1):
        first.setdefault(mean, position)
    return [first[mean] for mean in means]


@dataclass(frozen=True)
class Progress:
    realized: Decimal | None
    expected: Decimal | None
    achievement: Decimal | None
    category: Category


def indicator_progress(indicator: Indicator, quarter: int, values=None) -> Progress:
    """One indicator's progress as of `quarter`; `values` defaults to its stored values."""
    if values is None:
        values = indicator.values.all()
    values = list(values)
    realized = realized_as_of(
        indicator.aggregation, {value.quarter: value.realized for value in values}, quarter
    )
    quarter_target = next((v.target for v in values if v.quarter == quarter), None)
    expected = expected_at(indicator.aggregation, indicator.target, quarter, quarter_target)
    baseline = baseline_at(indicator.aggregation, indicator.baseline, quarter)
    value = achievement(indicator.direction, realized, expected, baseline)
    return Progress(realized, expected, value, category_of(value, reported=realized is not None))


# --- The same rules as database expressions -----------------------------------------------

PERCENT_FIELD = DecimalField(max_digits=32, decimal_places=2)
AMOUNT_FIELD = DecimalField(max_digits=24, decimal_places=2)
EXPECTED_FIELD = DecimalField(max_digits=24, decimal_places=4)


def float_expression(expression):
    # Double precision on both databases: SQLite would otherwise divide integer-valued
    # decimals as integers (10 / 4 = 2), and PostgreSQL numerics and SQLite reals would
    # round differently before the final two-decimal rounding.
    return Cast(expression, FloatField())


def percent_expression(expression):
    return Cast(Round(expression, 2), PERCENT_FIELD)


def _share(quarter: int) -> Value:
    return Value(quarter / QUARTERS, output_field=FloatField())


def zero():
    return Value(0.0, output_field=FloatField())


def _indicator_realized(quarter: int):
    reported = IndicatorValue.objects.filter(
        indicator=OuterRef("pk"), quarter__lte=quarter, realized__isnull=False
    ).order_by()
    total = reported.values("indicator").annotate(total=Sum("realized")).values("total")
    latest = reported.order_by("-quarter").values("realized")[:1]
    return Case(
        When(aggregation=Aggregation.SUM, then=Subquery(total, output_field=AMOUNT_FIELD)),
        default=Subquery(latest, output_field=AMOUNT_FIELD),
        output_field=AMOUNT_FIELD,
    )


def _indicator_expected(quarter: int):
    # order_by(): the model's default ordering would join indicators and programmes.
    quarter_target = (
        IndicatorValue.objects.filter(indicator=OuterRef("pk"), quarter=quarter)
        .order_by()
        .values("target")[:1]
    )
    return Coalesce(
        float_expression(Subquery(quarter_target, output_field=AMOUNT_FIELD)),
        Case(
            When(aggregation=Aggregation.LATEST, then=float_expression(F("target"))),
            default=float_expression(F("target")) * _share(quarter),
            output_field=FloatField(),
        ),
        output_field=FloatField(),
    )


def _indicator_baseline(quarter: int):
    return Case(
        When(aggregation=Aggregation.LATEST, then=float_expression(F("baseline"))),
        default=float_expression(F("baseline")) * _share(quarter),
        output_field=FloatField(),
    )


def _indicator_achievement(quarter: int):
    realized = float_expression(_indicator_realized(quarter))
    expected = _indicator_expected(quarter)
    baseline = _indicator_baseline(quarter)
    # NULLIF turns a zero denominator into NULL, which is the "not measurable" state.
    return percent_expression(
        Case(
            When(
                direction=Direction.HIGHER_IS_BETTER,
                then=realized * 100 / NullIf(expected, zero()),
            ),
            default=(baseline - realized) * 100 / NullIf(baseline - expected, zero()),
            output_field=FloatField(),
        )
    )


def indicators_with_progress(queryset, quarter: int):
    """Indicators annotated with realized_as_of, expected and achievement as of `quarter`
    (see category_q for their category)."""
    return queryset.annotate(
        realized_as_of=_indicator_realized(quarter),
        expected=Cast(_indicator_expected(quarter), EXPECTED_FIELD),
        achievement=_indicator_achievement(quarter),
    )


def program_mean(quarter: int):
    """Mean achievement of the programme at OuterRef("pk"), as a subquery."""
    indicators = (
        Indicator.objects.filter(program=OuterRef("pk"))
        .alias(achievement=_indicator_achievement(quarter))
        .filter(achievement__isnull=False)
        .order_by()
        .values("program")
    )
    # NULLs are filtered out above: PostgreSQL's LEAST and GREATEST would turn them into 0.
    clamped = Least(
        Greatest(F("achievement"), Value(MEAN_FLOOR), output_field=PERCENT_FIELD),
        Value(MEAN_CAP),
        output_field=PERCENT_FIELD,
    )
    means = indicators.annotate(mean=Avg(clamped)).values("mean")
    return Subquery(means, output_field=FloatField())


def category_q(category: str, achievement: str, realized: str | None = None) -> Q:
    """The rows whose `achievement` field falls in `category`, from the same bands as
    category_of. `realized` names the field that tells no data from not measurable; without
    it, every missing achievement is no data."""
    category = Category(category)
    if category == Category.NO_DATA:
        return Q(**{f"{realized or achievement}__isnull": True})
    if category == Category.NOT_MEASURABLE:
        if realized is None:
            return Q(pk__in=[])
        return Q(**{f"{achievement}__isnull": True, f"{realized}__isnull": False})
    condition = Q(**{f"{achievement}__isnull": False})
    above = None  # the bound of the band above, which this band stays under
    for band, bound, included in BANDS:
        if band == category:
            condition &= Q(**{f"{achievement}__{'gte' if included else 'gt'}": bound})
            break
        above = (bound, included)
    if above is not None:
        bound, included = above
        condition &= Q(**{f"{achievement}__{'lt' if included else 'lte'}": bound})
    return condition
