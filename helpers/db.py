"""Query helpers shared by the admin, the tables and the dashboards."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce


def count_of(queryset: QuerySet, outer_field: str) -> Coalesce:
    """The number of rows of `queryset` whose `outer_field` points at the outer row.

    A correlated subquery rather than Count() over a join: two joined counts (or a count
    beside a Sum) on one queryset multiply each other's rows, and distinct=True only hides
    that for counts while the database still builds the product.
    """
    counted = (
        queryset.filter(**{outer_field: OuterRef("pk")})
        .order_by()
        .values(outer_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
