"""Values far off their peers, which a form saves only once the user confirms them
(helpers.forms.ConfirmUnusualMixin) and an Excel import applies only once the person ticks
that the listed values are right: most are a typing slip, such as a budget ceiling typed
250.000 where 250.000.000 was meant. The thresholds live here and nowhere else; each doubt
says what looks wrong, and the form or the import says how to confirm it."""

from decimal import Decimal

from django.utils.translation import gettext as _

from helpers.formatting import format_quantity, format_rupiah

# A programme's budget ceiling below this many rupiah is almost surely missing digits.
# Zero is not asked about: it means the ceiling is not known yet.
MIN_BUDGET_CEILING = 1_000_000
# A revision (APBD-P) that more than doubles the original ceiling or cuts it below half is
# rare enough to be asked about: a digit too many or too few, or the wrong programme's row.
MAX_REVISION_FACTOR = 2
# A realisation above this many times its target is almost surely a slip (a decimal comma
# read as grouping, a digit too many).
MAX_REALISATION_TIMES_TARGET = 5


def budget_ceiling_doubt(amount) -> str | None:
    if amount and 0 < amount < MIN_BUDGET_CEILING:
        return _(
            "A budget ceiling of %(amount)s is below %(threshold)s. Check the number of digits."
        ) % {"amount": format_rupiah(amount), "threshold": format_rupiah(MIN_BUDGET_CEILING)}
    return None


def revised_ceiling_doubt(revised, original) -> str | None:
    """A revised ceiling below the floor of any ceiling, or more than MAX_REVISION_FACTOR
    times above or below the original one (`original`, unknown when 0)."""
    if revised is None:
        return None
    if 0 < revised < MIN_BUDGET_CEILING:
        return _(
            "A revised budget ceiling of %(amount)s is below %(threshold)s. Check the number "
            "of digits."
        ) % {"amount": format_rupiah(revised), "threshold": format_rupiah(MIN_BUDGET_CEILING)}
    if original and (
        revised > MAX_REVISION_FACTOR * original or revised * MAX_REVISION_FACTOR < original
    ):
        return _(
            "The revision changes the budget ceiling from %(original)s to %(revised)s, by more "
            "than a factor of %(factor)s. Check the number and the programme."
        ) % {
            "original": format_rupiah(original),
            "revised": format_rupiah(revised),
            "factor": MAX_REVISION_FACTOR,
        }
    return None


def realisation_doubt(realized, target) -> str | None:
    """`target`: the quarter's target, or the annual target when the quarter has none."""
    if realized is None or not target or target <= 0:
        return None
    if Decimal(realized) > MAX_REALISATION_TIMES_TARGET * Decimal(target):
        return _(
            "The realisation %(realized)s is more than %(times)s times its target "
            "%(target)s. Check the number."
        ) % {
            "realized": format_quantity(realized),
            "times": MAX_REALISATION_TIMES_TARGET,
            "target": format_quantity(target),
        }
    return None


def program_doubts(
    *, budget_ceiling, budget_ceiling_revised=None, original_ceiling=None
) -> dict[str, str]:
    """Field name -> why its value looks wrong, for a programme's form or import row. A
    caller passes the values that are new or changed: `budget_ceiling_revised` is compared
    with `original_ceiling`, by default `budget_ceiling` (pass it when the original ceiling
    stays as it is and is therefore not asked about)."""
    if original_ceiling is None:
        original_ceiling = budget_ceiling
    doubts = {
        "budget_ceiling": budget_ceiling_doubt(budget_ceiling),
        "budget_ceiling_revised": revised_ceiling_doubt(budget_ceiling_revised, original_ceiling),
    }
    return {name: doubt for name, doubt in doubts.items() if doubt}
