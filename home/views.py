"""The home page (/): each role starts from its own work. An agency (OPD) account sees its
programmes of the year with each quarter's state; a camat his kecamatan's villages' data;
an administrator what waits for review, the agencies that have not reported and the locks;
a viewer the dashboard (reports:dashboard, also at /dashboard/ for everyone)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from bartim import access
from bartim.models import Deadline, PeriodLock, Quarter
from helpers import dataversion
from home.work import agency_work, district_work, village_data_year
from programs import periods
from programs.models import Program
from reports import meeting
from reports.views import dashboard
from review.queue import QueueKind, waiting_counts
from villages.deadlines import late_districts, village_data_due_date


def _next_deadline(years, quarters=(1, 2, 3, 4)):
    """The first due date from today on of `quarters` of `years` (bartim.models.Deadline, or
    the default rule where an administrator set none), or None when all have passed."""
    today = timezone.localdate()
    upcoming = [
        due
        for (_year, quarter), due in Deadline.objects.due_dates(years).items()
        if quarter in quarters and due >= today
    ]
    return min(upcoming, default=None)


def home(request):
    # Whom an account reports for is the access policy's answer, as everywhere.
    if access.is_admin(request.user):
        return _admin_home(request)
    if access.owner_id(request.user, access.AGENCY) is not None:
        return _agency_home(request)
    if access.owner_id(request.user, access.DISTRICT) is not None:
        return _district_home(request)
    return dashboard(request)


def _agency_home(request):
    user = request.user
    year = periods.default_year(periods.program_years(Program.objects.filter(agency=user.agency)))
    return render(
        request,
        "home/agency.html",
        {
            "agency": user.agency,
            "year": year,
            "work": agency_work(user.agency_id, year),
            "next_deadline": _next_deadline([year, year + 1]),
        },
    )


def _district_home(request):
    user = request.user
    year = village_data_year()
    return render(
        request,
        "home/district.html",
        {
            "district": user.district,
            "year": year,
            "work": district_work(user.district_id, year),
            "next_deadline": _next_deadline([year], quarters=(4,)),
            "late": any(
                late.district.pk == user.district_id
                for late in late_districts(year, timezone.localdate())
            ),
            "due_date": village_data_due_date(year),
        },
    )


def _admin_home(request):
    year = periods.default_year()
    quarter = periods.default_quarter(year)
    counts = waiting_counts()
    queue = reverse("review:review_queue")
    waiting = [
        (kind.label, counts[kind], f"{queue}?{urlencode({'kind': kind.value})}")
        for kind in QueueKind
    ]
    # Who has not reported is the dashboard's rule (reports.meeting), counting submitted
    # figures too: the administrator chases what is missing, not what is unverified. Cached
    # as the dashboard is, under the data version: an administrator reads everything.
    not_reported = dataversion.cached(
        ("home-not-reported", year, quarter),
        lambda: (
            meeting.meeting_for(
                user=request.user, year=year, quarter=quarter, unverified=True, with_needs=False
            ).agencies_not_reported
        ),
    )
    return render(
        request,
        "home/admin.html",
        {
            "year": year,
            "quarter_label": Quarter(quarter).label,
            "waiting": waiting,
            "waiting_total": sum(counts.values()),
            "not_reported": not_reported,
            "locks": PeriodLock.objects.filter(year=year).order_by("quarter"),
            "late_districts": late_districts(year, timezone.localdate()),
            "village_data_due": village_data_due_date(year),
            "next_deadline": _next_deadline([year, year + 1]),
        },
    )
