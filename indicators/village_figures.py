"""The figures of the villages table (/villages/): each village-year of village data with its
poverty rate and poverty-pocket flag (the rule is in indicators/pockets.py) and the number of
programmes of that year that list the village among their target villages."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from programs.models import Program

from .models import PocketRule


def programmes_reaching(programs):
    """The number of `programs` of the village-year's year that target its village.

    A Subquery rather than a join with Count: the row stays one village-year, so the other
    annotations (the pocket rule's sums) are never multiplied by the programmes."""
    reaching = (
        programs.filter(year=OuterRef("year"), target_villages=OuterRef("village_id"))
        .order_by()
        .values("year")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(reaching), 0)


def village_data_with_figures(queryset, *, user, rule: PocketRule | None = None):
    """VillageData rows annotated with poverty_rate_pct, pocket_threshold,
    pocket_threshold_source, is_pocket and programmes_reaching (programmes `user` may see)."""
    return queryset.with_pocket_flag(rule).annotate(
        programmes_reaching=programmes_reaching(Program.objects.visible_to(user))
    )
