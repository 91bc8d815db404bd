"""The figures shown beside a quarter's entry and on a programme's page, per quarter: what
the targets are to date, what was realised before, and the achievement and budget
absorption an entry produces. Every figure comes from the progress rules
(indicators/progress.py), the same functions the stored figures follow, applied to the
entry held in memory: a preview is what saving would store."""

from dataclasses import dataclass
from decimal import Decimal

from bartim.models import Quarter
from indicators import progress
from indicators.models import Indicator, IndicatorValue
from indicators.targets import quarter_target_label
from programs.models import Program
from programs.progress import ceiling_in_force, stored_mean_field

QUARTERS = tuple(Quarter.values)


def _budget_by_quarter(program: Program) -> list[int]:
    return [getattr(program, f"budget_realized_q{quarter}") for quarter in QUARTERS]


@dataclass(frozen=True)
class EarlierQuarter:
    label: str
    realized: Decimal | None


@dataclass(frozen=True)
class IndicatorEntry:
    indicator: Indicator
    target_label: str
    annual_target: Decimal
    earlier: list[EarlierQuarter]
    progress: progress.Progress


@dataclass(frozen=True)
class BudgetEntry:
    ceiling: int
    realized_before: int
    this_quarter: int
    realized_to_date: int
    remaining: int
    absorption: Decimal | None


@dataclass(frozen=True)
class QuarterEntry:
    quarter_label: str
    indicators: list[IndicatorEntry]
    budget: BudgetEntry
    mean_achievement: Decimal | None
    category: progress.Category
    # True when the figures include what the form holds, False when they are the saved ones.
    from_entry: bool


def quarter_entry(program: Program, quarter: int, form) -> QuarterEntry:
    """The quarter form's context: with the form's valid entry if it has one, else with what
    is saved. `form` is a programs.forms.QuarterReportForm."""
    indicators = list(program.indicators.order_by("pk"))
    values: dict[int, dict[int, IndicatorValue]] = {}
    for value in IndicatorValue.objects.filter(indicator__program=program):
        values.setdefault(value.indicator_id, {})[value.quarter] = value
    budget = _budget_by_quarter(program)
    from_entry = form.is_bound and form.is_valid()
    if from_entry:
        realized, targets = form.realized(), form.targets()
        for indicator in indicators:
            values.setdefault(indicator.pk, {})[quarter] = IndicatorValue(
                indicator=indicator,
                quarter=quarter,
                realized=realized[indicator.pk],
                target=targets[indicator.pk],
            )
        budget[quarter - 1] = form.cleaned_data["budget_realized"]

    entries = []
    for indicator in indicators:
        own = values.get(indicator.pk, {})
        entries.append(
            IndicatorEntry(
                indicator=indicator,
                target_label=quarter_target_label(indicator.aggregation, quarter),
                annual_target=indicator.target,
                earlier=[
                    EarlierQuarter(Quarter(q).label, own[q].realized if q in own else None)
                    for q in QUARTERS
                    if q < quarter
                ],
                progress=progress.indicator_progress(indicator, quarter, own.values()),
            )
        )
    realized_to_date = progress.budget_realized_as_of(budget, quarter)
    mean = progress.mean_achievement(entry.progress.achievement for entry in entries)
    return QuarterEntry(
        quarter_label=Quarter(quarter).label,
        indicators=entries,
        budget=BudgetEntry(
            # The ceiling in force as of the quarter; what remains, of the one in force at
            # the end of the year (programs.progress.ceiling_in_force).
            ceiling=ceiling_in_force(program, quarter),
            realized_before=progress.budget_realized_as_of(budget, quarter - 1),
            this_quarter=budget[quarter - 1],
            realized_to_date=realized_to_date,
            remaining=ceiling_in_force(program) - sum(budget),
            absorption=progress.absorption(realized_to_date, ceiling_in_force(program, quarter)),
        ),
        mean_achievement=mean,
        category=progress.category_of(mean, reported=mean is not None),
        from_entry=from_entry,
    )


@dataclass(frozen=True)
class IndicatorQuarter:
    label: str
    target_label: str
    target: Decimal | None
    realized: Decimal | None
    progress: progress.Progress
    # The value's evidence files not removed (the evidence app's, by their related name).
    evidence: tuple = ()


@dataclass(frozen=True)
class ProgramQuarter:
    label: str
    mean_achievement: Decimal | None
    category: progress.Category
    budget_realized: int
    ceiling: int
    absorption: Decimal | None


def program_quarters(program: Program) -> list[ProgramQuarter]:
    """The programme's mean achievement (as stored) and budget absorption as of each
    quarter."""
    budget = _budget_by_quarter(program)
    rows = []
    for quarter in QUARTERS:
        mean = getattr(program, stored_mean_field(quarter))
        realized = progress.budget_realized_as_of(budget, quarter)
        rows.append(
            ProgramQuarter(
                label=Quarter(quarter).label,
                mean_achievement=mean,
                category=progress.category_of(mean, reported=mean is not None),
                budget_realized=realized,
                ceiling=ceiling_in_force(program, quarter),
                absorption=progress.absorption(realized, ceiling_in_force(program, quarter)),
            )
        )
    return rows


def indicator_quarters(indicator: Indicator) -> list[IndicatorQuarter]:
    """One indicator's target, realised value, achievement and evidence files as of each
    quarter, from its prefetched values and their prefetched `evidence_files`."""
    values = list(indicator.values.all())
    own = {value.quarter: value for value in values}
    return [
        IndicatorQuarter(
            label=Quarter(quarter).label,
            target_label=quarter_target_label(indicator.aggregation, quarter),
            target=own[quarter].target if quarter in own else None,
            realized=own[quarter].realized if quarter in own else None,
            progress=progress.indicator_progress(indicator, quarter, values),
            evidence=tuple(f for f in own[quarter].evidence_files.all() if f.removed_at is None)
            if quarter in own
            else (),
        )
        for quarter in QUARTERS
    ]
