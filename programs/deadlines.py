"""Which programmes' quarter reports are not submitted, and which agencies are late: a
quarter report still a draft or returned (a quarter without one is a draft) after the
quarter's deadline (bartim.models.Deadline, default_due_date). Shown wherever reporting
completeness is (dashboard, meeting report) and used by the reminders (notifications)."""

import datetime

from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.utils import timezone

from bartim.models import Deadline, ReviewStatus, default_due_date
from programs.models import QuarterReport

# A quarter report in one of these has reached the administrator; anything else is not.
SUBMITTED_STATUSES = (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)


def programs_not_submitted(programs: QuerySet, quarter: int) -> QuerySet:
    """The programmes of `programs` whose report of `quarter` is a draft or returned."""
    submitted = QuarterReport.objects.filter(
        program=OuterRef("pk"), quarter=quarter, status__in=SUBMITTED_STATUSES
    )
    return programs.filter(~Exists(submitted))


def is_overdue(year: int, quarter: int, today: datetime.date | None = None) -> bool:
    """Whether the deadline of the quarter has passed (the due date itself is still on time)."""
    today = today or timezone.localdate()
    return today > Deadline.objects.due_date(year, quarter)


def late_agency_ids(
    programs: QuerySet, year: int, quarter: int, today: datetime.date | None = None
) -> set[int]:
    """The agencies with a programme of `year` in `programs` whose report of `quarter` is not
    submitted after the quarter's deadline; empty before it."""
    if not is_overdue(year, quarter, today):
        return set()
    late = programs_not_submitted(programs.filter(year=year), quarter)
    return set(late.order_by().values_list("agency_id", flat=True).distinct())


def late_expression(
    programs: QuerySet, year: int, quarter: int, today: datetime.date | None = None
):
    """An annotation for agencies: late_agency_ids() in SQL, the deadline read in the same
    query (the /opd/ table's queries do not grow by one)."""
    today = today or timezone.localdate()
    set_date = Deadline.objects.filter(year=year, quarter=quarter).values("due_date")[:1]
    due = Coalesce(
        Subquery(set_date), Value(default_due_date(year, quarter)), output_field=DateField()
    )
    own = programs.filter(year=year, agency=OuterRef("pk"))
    overdue = LessThan(due, Value(today, output_field=DateField()))
    return ExpressionWrapper(
        Q(overdue) & Q(Exists(programs_not_submitted(own, quarter))),
        output_field=BooleanField(),
    )
