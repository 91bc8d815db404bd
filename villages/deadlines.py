"""When a year's village data is due and which kecamatan are late with it.

Village data describes a whole year and the annual evaluation reads it beside the year's
last quarter reports, so it is due with them: on the TW IV deadline (bartim.models.Deadline,
set by the administrator, or 10 January of the next year). A kecamatan is late when that day
has passed and one of its villages has no record for the year submitted or approved."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef

from bartim.models import Deadline, District, Village
from programs.deadlines import SUBMITTED_STATUSES
from villages.models import VillageData

VILLAGE_DATA_QUARTER = 4


def village_data_due_date(year: int) -> datetime.date:
    return Deadline.objects.due_date(year, VILLAGE_DATA_QUARTER)


@dataclass(frozen=True)
class LateDistrict:
    district: District
    # Villages of the kecamatan without village data submitted or approved for the year.
    villages_missing: int


def late_districts(year: int, today: datetime.date) -> list[LateDistrict]:
    """The kecamatan late with `year`'s village data on `today`; none before the due date
    (the due date itself is still on time)."""
    if today <= village_data_due_date(year):
        return []
    submitted = VillageData.objects.filter(
        village=OuterRef("pk"), year=year, status__in=SUBMITTED_STATUSES
    )
    missing = dict(
        Village.objects.filter(~Exists(submitted))
        .order_by()
        .values("district_id")
        .annotate(count=Count("pk"))
        .values_list("district_id", "count")
    )
    districts = District.objects.filter(pk__in=missing).order_by("name")
    return [LateDistrict(district, missing[district.pk]) for district in districts]
