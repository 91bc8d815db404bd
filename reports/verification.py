"""The leaders' pages' switch between verified figures only (the default) and everything
submitted (`?figures=all`), which programs.progress counts; the same parameter on the
dashboard, the meeting report, the targeting check and their exports."""

import django_filters
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

PARAMETER = "figures"
ALL_SUBMITTED = "all"


def counted_filter() -> django_filters.ChoiceFilter:
    """The switch as a field of a page's filter form (named `figures` where it is declared),
    so that applying the other filters keeps it."""
    return django_filters.ChoiceFilter(
        label=_("Figures counted"),
        choices=[(ALL_SUBMITTED, _("All submitted"))],
        empty_label=_("Verified only"),
        method="keep",
    )


def includes_unverified(request) -> bool:
    return request.GET.get(PARAMETER) == ALL_SUBMITTED


def with_verification(query: QueryDict, unverified: bool) -> str:
    """`query` (a copy is changed) with the switch set to `unverified`, urlencoded."""
    query = query.copy()
    query.pop(PARAMETER, None)
    if unverified:
        query[PARAMETER] = ALL_SUBMITTED
    return query.urlencode()


def switch(request) -> dict:
    """What the toggle template (reports/_verification.html) needs."""
    return {
        "unverified": includes_unverified(request),
        "verified_query": with_verification(request.GET, False),
        "all_query": with_verification(request.GET, True),
    }
