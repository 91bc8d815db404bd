"""The figures of village data: which records the leaders' pages count, and for the villages
table (/villages/) each village-year with its poverty rate and poverty-pocket flag (the rule
is in villages/pockets.py) and the number of programmes of that year that list the village
among their target villages."""

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Subquery,
)
from django.db.models.functions import Coalesce

from bartim import access
from bartim.models import ReviewStatus
from programs.models import Program
from programs.progress import UNVERIFIED
from villages.models import PocketRule, VillageData
from villages.pockets import annotate_pockets

# The camat's figures count on the leaders' pages once the administrator approved them; under
# "all submitted" the submitted and returned ones count too, marked, as programmes do.
VERIFIED_VILLAGE_DATA = frozenset({ReviewStatus.APPROVED})


def counted_village_data(queryset, *, unverified: bool = False):
    """The village data of `queryset` that the leaders' pages (pockets, targeting, dashboard,
    meeting report) count. A draft never counts."""
    return queryset.filter(status__in=VERIFIED_VILLAGE_DATA | (UNVERIFIED if unverified else set()))


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
    return annotate_pockets(queryset, rule).annotate(
        programmes_reaching=programmes_reaching(access.readable(user, Program.objects.all()))
    )


def villages_without_data(queryset, year: int):
    """Villages with no village data at all for `year`, whatever its review status."""
    return queryset.filter(~Exists(VillageData.objects.filter(village=OuterRef("pk"), year=year)))
