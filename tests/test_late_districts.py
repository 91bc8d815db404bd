"""Kecamatan late with their village data (villages/deadlines.py): a year's village data is
due on its TW IV deadline; after it, a kecamatan with a village whose data for the year is
missing, a draft or returned is late, on the administrator's and the camat's home pages."""

import datetime

import pytest
from django.urls import reverse

from bartim.models import Deadline
from review.services import review_transition
from tests.factories import ProgramFactory, VillageDataFactory, VillageFactory
from villages.deadlines import late_districts, village_data_due_date

pytestmark = pytest.mark.django_db

HOME = reverse("home:home")


@pytest.fixture
def year(village_x, village_y, district_x, camat_x_user, camat_y_user):
    """Kecamatan X: one village submitted, one with a draft, one without data. Kecamatan Y:
    its only village submitted."""
    for village, camat in ((village_x, camat_x_user), (village_y, camat_y_user)):
        record = VillageDataFactory(village=village, year=2024)
        review_transition(record=record, action="submit", actor=camat)
    VillageDataFactory(village=VillageFactory(district=district_x, name="Sarapat"), year=2024)
    VillageFactory(district=district_x, name="Lalap")
    return 2024


def test_village_data_is_due_with_the_tw_iv_reports_and_late_only_after_that_day(year, district_x):
    due = village_data_due_date(year)
    assert due == datetime.date(2025, 1, 10)

    assert late_districts(year, due) == []
    [late] = late_districts(year, due + datetime.timedelta(days=1))
    assert (late.district, late.villages_missing) == (district_x, 2)

    Deadline.objects.create(year=year, quarter=4, due_date=datetime.date(2025, 2, 1))
    assert late_districts(year, datetime.date(2025, 1, 20)) == []


def test_a_kecamatan_is_no_longer_late_once_every_village_is_submitted(
    year, district_x, camat_x_user
):
    for village in district_x.villages.all():
        record = village.data.filter(year=year).first() or VillageDataFactory(
            village=village, year=year
        )
        if record.status != "submitted":
            review_transition(record=record, action="submit", actor=camat_x_user)

    assert late_districts(year, datetime.date(2025, 6, 1)) == []


def test_the_administrator_sees_the_late_kecamatan_with_the_villages_missing(
    client, year, admin_user, district_x, district_y, agency_a
):
    ProgramFactory(agency=agency_a, year=year)  # the home opens on the year of programmes
    client.force_login(admin_user)

    content = client.get(HOME).content.decode()

    section = content.split('id="late-districts"')[1].split("</ul>")[0]
    assert district_x.name in section and "2 desa belum diajukan" in section
    assert district_y.name not in section


def test_the_camat_of_a_late_kecamatan_is_told_so_and_the_other_is_not(
    client, year, camat_x_user, camat_y_user
):
    client.force_login(camat_x_user)
    content = client.get(HOME).content.decode()
    assert 'id="village-data-late"' in content
    assert "Data desa 2024 jatuh tempo 10 Januari 2025" in content

    client.force_login(camat_y_user)
    assert 'id="village-data-late"' not in client.get(HOME).content.decode()
