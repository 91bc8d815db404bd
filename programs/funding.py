"""The rule a programme's funding sources follow, in one place (docs/budget.md): asked by
the programme services inside their transaction, and by the programme form and the admin
page before anything is saved.

- Funding is optional: a programme whose sources are not known yet lists none.
- Once listed, each source appears once, with an amount above 0, and the amounts add up to
  exactly the ceiling in force at the end of the year (programs.progress.ceiling_in_force:
  the revised ceiling when the budget was revised, else the original one). A revision
  changes the ceiling and the amounts together, on one page.
"""

from django.utils.translation import gettext as _

from helpers.formatting import format_rupiah
from programs.progress import ceiling_in_force


def funding_total_error(program, amounts) -> str | None:
    """Why the funding `amounts` (Rupiah, one per source) do not fit `program`'s ceiling as
    it is in memory, or None."""
    amounts = [amount for amount in amounts if amount is not None]
    if not amounts:
        return None
    total, ceiling = sum(amounts), ceiling_in_force(program)
    if total == ceiling:
        return None
    return _(
        "The funding sources add up to %(total)s, but the budget ceiling in force is "
        "%(ceiling)s: the amounts must add up to the ceiling (the revised one once the budget "
        "is revised)."
    ) % {"total": format_rupiah(total), "ceiling": format_rupiah(ceiling)}
