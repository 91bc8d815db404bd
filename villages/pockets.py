"""The poverty-pocket rule, in one place (documented in docs/poverty-pockets.md).

A village is a poverty pocket in a year when both hold:
- its poverty rate (poor people / population) is at least the year's threshold: the
  regency's BPS poverty rate of that year, or a fixed rate, as the PocketRule says; when the
  rule asks for the BPS rate and BPS has none for the year, the rate of all that year's
  village data taken together (sum of poor people / sum of population) stands in;
- it has at least the rule's minimum number of poor households.

Everything is computed in SQL as annotations, so a table can filter and sort on the flag and
a page pays the same number of queries for 5 villages as for 5,000.
"""

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    F,
    FloatField,
    Func,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpers.formatting import format_number, format_percent
from villages.models import PocketRule, PovertyStatistic, VillageData

SOURCE_BPS = "bps"
SOURCE_VILLAGE_DATA = "village_data"
SOURCE_FIXED = "fixed"

SOURCE_LABELS = {
    SOURCE_BPS: _("BPS poverty rate of the regency"),
    SOURCE_VILLAGE_DATA: _("poverty rate of all village data of the year (no BPS figure)"),
    SOURCE_FIXED: _("fixed poverty rate set by the administrator"),
}


def rule_sentence(rule: PocketRule, threshold=None, source: str = "") -> str:
    """The rule in the one sentence every page uses: with the year's `threshold` (%) and its
    `source` where a page has them, else with the rule's basis."""
    if threshold is not None:
        rate = f"{format_percent(threshold)} ({source})"
    elif rule.basis == PocketRule.Basis.FIXED_RATE:
        rate = format_percent(rule.fixed_rate)
    else:
        rate = gettext(
            "the regency's BPS rate of the year (without one, the rate of all village data "
            "of the year)"
        )
    return gettext(
        "A village is a poverty pocket when its poverty rate is at least %(rate)s and it has "
        "at least %(households)s poor households (KK)."
    ) % {"rate": rate, "households": format_number(rule.min_poor_households)}


def _percent_of(part, whole):
    # Both sides of the comparison are doubles computed the same way (one correctly rounded
    # division), so a village whose rate equals the threshold exactly compares equal on
    # SQLite and PostgreSQL alike; numeric division on PostgreSQL picks its scale from the
    # operands and could round two equal fractions differently.
    return Cast(part, FloatField()) * Value(100.0) / NullIf(Cast(whole, FloatField()), 0.0)


def _bps_rate():
    return Cast(
        Subquery(
            PovertyStatistic.objects.filter(
                year=OuterRef("year"), poverty_rate__isnull=False
            ).values("poverty_rate")[:1]
        ),
        FloatField(),
    )


class _NotGrouped(Func):
    """The row's own value inside a grouped subquery, kept out of its GROUP BY (Django groups by
    every column a HAVING clause names, and grouping by the outer row would tie the groups to
    the row again)."""

    template = "%(expressions)s"

    def get_group_by_cols(self):
        return []


def _village_data_rate(counted):
    # The rate of every year, grouped once, then the row's year picked out of the groups: the
    # year is compared in HAVING (on the group's own year), not in WHERE, so the aggregate's
    # input does not depend on the row and PostgreSQL rescans the hash table it built for the
    # first row instead of summing the year's village data again for each row (quadratic at
    # a province's scale). The group's year is compared as max(year)
    # because PostgreSQL moves a HAVING condition without an aggregate into WHERE. The rate is
    # the same expression either way.
    return Subquery(
        counted.order_by()
        .values("year")
        .annotate(
            rate=_percent_of(Sum("poor_people"), Sum("population")),
            group_year=Max("year"),
        )
        .filter(group_year=_NotGrouped(OuterRef("year")))
        .values("rate")[:1],
        output_field=FloatField(),
    )


def annotate_pockets(queryset, rule: PocketRule | None = None, *, rate_over=None):
    """Annotate VillageData rows with poverty_rate_pct (a float; None for no population),
    pocket_threshold (%), pocket_threshold_source (one of SOURCE_LABELS) and is_pocket.

    Where the threshold is the regency's rate from village data, it is the rate over
    `rate_over` (every record of the year unless given: the leaders' pages pass the village
    data they count)."""
    rule = rule or PocketRule.current()
    if rate_over is None:
        rate_over = VillageData.objects.all()
    if rule.basis == PocketRule.Basis.FIXED_RATE:
        threshold = Value(float(rule.fixed_rate), output_field=FloatField())
        source = Value(SOURCE_FIXED, output_field=CharField())
    else:
        threshold = Coalesce(_bps_rate(), _village_data_rate(rate_over), output_field=FloatField())
        source = Case(
            When(
                Q(
                    year__in=PovertyStatistic.objects.filter(poverty_rate__isnull=False).values(
                        "year"
                    )
                ),
                then=Value(SOURCE_BPS),
            ),
            default=Value(SOURCE_VILLAGE_DATA),
            output_field=CharField(),
        )
    return queryset.annotate(
        poverty_rate_pct=_percent_of(F("poor_people"), F("population")),
        pocket_threshold=threshold,
        pocket_threshold_source=source,
    ).annotate(
        is_pocket=Case(
            When(
                Q(poverty_rate_pct__gte=F("pocket_threshold"))
                & Q(poor_households__gte=rule.min_poor_households),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
