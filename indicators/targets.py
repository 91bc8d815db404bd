"""What a quarter target is, and the rules quarter targets follow (docs/progress.md).

A quarter target is where the indicator should be by the end of that quarter. For a sum of
quarters and a cumulative total that is a total to date (cumulative), so it never goes down
from one quarter to the next, and for a sum of quarters the target up to Q IV is the annual
target unless the indicator says why not (Indicator.q4_target_reason).

The rules are checked here and only here: the quarter form, the indicator form, the admin's
forms (with the values they are about to save) and the write services (with the values as
saved, inside their transaction) all call quarter_target_errors()."""

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bartim.models import Quarter
from helpers.formatting import format_number
from indicators.models import Indicator, IndicatorValue

Aggregation = Indicator.Aggregation
QUARTERS = (1, 2, 3, 4)
LAST_QUARTER = 4


def is_cumulative(aggregation: str) -> bool:
    """Whether the aggregation's quarter targets are totals to date."""
    return aggregation in (Aggregation.SUM, Aggregation.CUMULATIVE)


def quarter_target_label(aggregation: str, quarter: int) -> str:
    """What the target of `quarter` is, e.g. "Target up to Q II (cumulative)"."""
    label = Quarter(quarter).label
    if is_cumulative(aggregation):
        return _("Target up to %(quarter)s (cumulative)") % {"quarter": label}
    return _("Target at the end of %(quarter)s (level)") % {"quarter": label}


def _quantity(value) -> str:
    value = Decimal(value)
    return format_number(value, 0 if value == value.to_integral_value() else 2)


def quarter_target_errors(
    *, aggregation: str, annual_target, targets: Mapping[int, object], q4_target_reason: str = ""
) -> dict[int, list[str]]:
    """The broken rules, per quarter: {quarter: [message, ...]}; empty when all is well.

    `targets` maps a quarter (1-4) to its target; a missing or empty target is skipped (the
    expected value then follows from the annual target, docs/progress.md)."""
    errors: dict[int, list[str]] = {}
    given = [(q, Decimal(targets[q])) for q in QUARTERS if targets.get(q) is not None]
    if is_cumulative(aggregation):
        for (before, earlier), (quarter, target) in zip(given, given[1:], strict=False):
            if target < earlier:
                errors.setdefault(quarter, []).append(
                    _(
                        "The target up to %(quarter)s (%(target)s) is lower than the target up "
                        "to %(before)s (%(earlier)s). Quarter targets are cumulative: enter the "
                        "total to be reached since the start of the year, not the quarter's own "
                        "share."
                    )
                    % {
                        "quarter": Quarter(quarter).label,
                        "target": _quantity(target),
                        "before": Quarter(before).label,
                        "earlier": _quantity(earlier),
                    }
                )
    last = dict(given).get(LAST_QUARTER)
    if (
        aggregation == Aggregation.SUM
        and last is not None
        and annual_target is not None
        and last != Decimal(annual_target)
        and not (q4_target_reason or "").strip()
    ):
        errors.setdefault(LAST_QUARTER, []).append(
            _(
                "The target up to %(quarter)s (%(target)s) is the whole year's and must equal "
                "the annual target (%(annual)s), unless the indicator gives the reason they "
                "differ."
            )
            % {
                "quarter": Quarter(LAST_QUARTER).label,
                "target": _quantity(last),
                "annual": _quantity(annual_target),
            }
        )
    return errors


def new_errors(before: dict[int, list[str]], after: dict[int, list[str]]):
    """The errors of `after` that `before` did not have. A write is refused only for what it
    breaks: quarter targets saved before these rules (each quarter's own share, say) are
    corrected one quarter at a time, and each step may leave another quarter still wrong."""
    added = {
        quarter: [message for message in messages if message not in before.get(quarter, [])]
        for quarter, messages in after.items()
    }
    return {quarter: messages for quarter, messages in added.items() if messages}


def stored_targets(indicator: Indicator) -> dict[int, Decimal | None]:
    """The indicator's quarter targets as saved."""
    if indicator.pk is None:
        return {}
    return dict(IndicatorValue.objects.filter(indicator=indicator).values_list("quarter", "target"))


def indicator_target_errors(indicator: Indicator, targets=None) -> dict[int, list[str]]:
    """quarter_target_errors of `indicator` as it is in memory, with `targets` or those
    saved."""
    return quarter_target_errors(
        aggregation=indicator.aggregation,
        annual_target=indicator.target,
        targets=stored_targets(indicator) if targets is None else targets,
        q4_target_reason=indicator.q4_target_reason,
    )


def edited_indicator_errors(
    indicator: Indicator, *, aggregation, annual_target, q4_target_reason=""
) -> dict[int, list[str]]:
    """What a form changing the saved `indicator`'s aggregation, annual target or Q IV reason
    to these would break of its saved quarter targets (new_errors); nothing for a new one."""
    if indicator.pk is None or aggregation is None or annual_target is None:
        return {}
    targets = stored_targets(indicator)
    return new_errors(
        indicator_target_errors(indicator, targets),
        quarter_target_errors(
            aggregation=aggregation,
            annual_target=annual_target,
            targets=targets,
            q4_target_reason=q4_target_reason or "",
        ),
    )


def check_quarter_targets(indicator: Indicator, *, before: dict[int, list[str]] | None = None):
    """Raise ValidationError, naming the indicator, when its saved quarter targets break a
    rule that they did not break `before` the write (indicator_target_errors then)."""
    errors = new_errors(before or {}, indicator_target_errors(indicator))
    if errors:
        # Under "target": the indicator form's, the admin's and the Excel sheets' column.
        raise ValidationError(
            {
                "target": [
                    f"{indicator.name}: {message}"
                    for quarter in sorted(errors)
                    for message in errors[quarter]
                ]
            }
        )
