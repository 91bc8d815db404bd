"""A table page, its row count ("Jumlah baris: N", and the pages it makes) and its years are
kept per version of the data (bartim.dataversion.cached). Whatever way the rows change, the
next page must show it: each test reads the page before (so that it is cached) and after."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator, VillageData
from programs.models import Program

from .factories import (
    IndicatorFactory,
    ProgramFactory,
    StrategyFactory,
    VillageDataFactory,
)

pytestmark = pytest.mark.django_db
PROGRAMS = reverse("program_list")
INDICATORS = reverse("indicator_list")
VILLAGES = reverse("village_list")
YEAR = {"year": 2024}


@pytest.fixture
def programmes(agency_a, agency_b):
    strategy = StrategyFactory(number=1)
    made = [ProgramFactory(agency=agency_a, strategy=strategy, year=2024) for _ in range(3)]
    made.append(ProgramFactory(agency=agency_b, strategy=strategy, year=2024))
    for program in made:
        IndicatorFactory(program=program)
    return made


def rows_shown(client, url, params=YEAR) -> int:
    response = client.get(url, params)
    assert response.status_code == 200
    match = re.search(r"Jumlah baris: ([\d.]+)", response.content.decode())
    assert match, "the page shows no row count"
    return int(match.group(1).replace(".", ""))


def count_queries(client, url, params=YEAR) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    return sum(query["sql"].startswith("SELECT COUNT(*)") for query in queries)


def test_the_count_is_not_run_again_for_another_sort_or_page(viewer_client, programmes):
    assert count_queries(viewer_client, PROGRAMS) == 1
    assert count_queries(viewer_client, PROGRAMS, {**YEAR, "sort": "-absorption"}) == 0
    assert count_queries(viewer_client, PROGRAMS, {**YEAR, "per_page": 2, "page": 2}) == 0


def test_other_filters_are_counted_on_their_own(viewer_client, programmes, agency_a, agency_b):
    assert rows_shown(viewer_client, PROGRAMS) == 4
    assert rows_shown(viewer_client, PROGRAMS, {**YEAR, "opd": agency_a.pk}) == 3
    assert rows_shown(viewer_client, PROGRAMS, {**YEAR, "opd": agency_b.pk}) == 1


def test_a_saved_programme_is_counted(viewer_client, programmes, agency_a):
    assert rows_shown(viewer_client, PROGRAMS) == 4
    ProgramFactory(agency=agency_a, strategy=programmes[0].strategy, year=2024)
    assert rows_shown(viewer_client, PROGRAMS) == 5


def test_a_deleted_programme_is_no_longer_counted(viewer_client, programmes):
    assert rows_shown(viewer_client, PROGRAMS) == 4
    programmes[0].indicators.all().delete()
    programmes[0].delete()
    assert rows_shown(viewer_client, PROGRAMS) == 3


def test_a_programme_moved_to_another_year_by_update_is_counted_there(viewer_client, programmes):
    assert rows_shown(viewer_client, PROGRAMS) == 4
    assert rows_shown(viewer_client, INDICATORS) == 4
    Program.objects.filter(pk=programmes[0].pk).update(year=2023)
    assert rows_shown(viewer_client, PROGRAMS) == 3
    assert rows_shown(viewer_client, INDICATORS) == 3
    assert rows_shown(viewer_client, PROGRAMS, {"year": 2023}) == 1


def test_indicators_added_in_bulk_are_counted(viewer_client, programmes):
    assert rows_shown(viewer_client, INDICATORS) == 4
    Indicator.objects.bulk_create(
        [Indicator(program=programmes[1], name=f"Bulk {n}", unit="KK", target=10) for n in range(2)]
    )
    assert rows_shown(viewer_client, INDICATORS) == 6


def test_village_data_of_a_new_village_year_is_counted(viewer_client, village_x, village_y):
    VillageDataFactory(village=village_x, year=2024)
    assert rows_shown(viewer_client, VILLAGES) == 1
    VillageDataFactory(village=village_y, year=2024)
    assert rows_shown(viewer_client, VILLAGES) == 2
    VillageData.objects.filter(village=village_y).delete()
    assert rows_shown(viewer_client, VILLAGES) == 1


def test_a_programme_in_a_new_year_brings_the_year_and_opens_it(viewer_client, programmes):
    assert rows_shown(viewer_client, PROGRAMS, {}) == 4
    ProgramFactory(agency=programmes[0].agency, strategy=programmes[0].strategy, year=2025)
    response = viewer_client.get(PROGRAMS)
    assert '<option value="2025" selected>' in response.content.decode()
    assert rows_shown(viewer_client, PROGRAMS, {}) == 1
