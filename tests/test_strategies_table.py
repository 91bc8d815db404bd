"""/strategies/: the three strategies of a year with their programmes, budget and achievement."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Indicator
from tests.factories import IndicatorFactory, IndicatorValueFactory, ProgramFactory, StrategyFactory
from tests.table_helpers import csv_rows, html_column, html_table, xlsx_rows

pytestmark = pytest.mark.django_db

URL = reverse("programs:strategy_list")
ROLES = ["admin_user", "opd_a_user", "opd_b_user", "camat_x_user", "camat_y_user", "viewer_user"]
HEADERS = [
    "No.",
    "Strategi",
    "Tahun",
    "Jumlah program",
    "Jumlah OPD",
    "Pagu (Rp)",
    "Realisasi anggaran (Rp)",
    "Serapan anggaran (%)",
    "Rata-rata capaian (%)",
    "Kategori",
]


@pytest.fixture
def world(agency_a, agency_b):
    first, second, _ = (StrategyFactory(number=number) for number in (1, 2, 3))
    # Strategy 1: a rate at 80 of 100 since TW I, and 50 of a yearly 100 in TW II
    # (100% as of TW II, 50% as of TW IV).
    rate = ProgramFactory(
        agency=agency_a, strategy=first, budget_ceiling=1000, budget_realized_q1=100
    )
    indicator = IndicatorFactory(program=rate, aggregation=Indicator.Aggregation.LATEST)
    IndicatorValueFactory(indicator=indicator, quarter=1, realized=Decimal("80"))
    total = ProgramFactory(
        agency=agency_b, strategy=first, budget_ceiling=3000, budget_realized_q2=900
    )
    IndicatorValueFactory(indicator=IndicatorFactory(program=total), quarter=2, realized=50)
    # Strategy 2: one programme without indicators; strategy 3: nothing at all.
    ProgramFactory(agency=agency_a, strategy=second, budget_ceiling=500)
    ProgramFactory(agency=agency_a, strategy=first, budget_ceiling=7000, year=2023)


def rows(response):
    headers, body = html_table(response)
    assert headers == HEADERS
    return body


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_strategies(client, world, request, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(URL)

    assert response.status_code == 200
    assert html_column(response, "No.") == ["1", "2", "3"]


def test_each_strategy_adds_up_its_programmes_without_multiplying_rows(viewer_client, world):
    assert rows(viewer_client.get(URL, {"quarter": 2})) == [
        ["1", "Strategi 1", "2024", "2", "2", "Rp4.000", "Rp1.000", "25,00%", "90,00%", "tinggi"],
        ["2", "Strategi 2", "2024", "1", "1", "Rp500", "Rp0", "0,00%", "–", "tidak ada data"],
        ["3", "Strategi 3", "2024", "0", "0", "Rp0", "Rp0", "–", "–", "tidak ada data"],
    ]


def test_quarter_filter_measures_as_of_that_quarter(viewer_client, world):
    first = rows(viewer_client.get(URL, {"quarter": 1}))[0]

    # As of TW I only the rate has data (80%) and only TW I's budget counts.
    assert first[6:] == ["Rp100", "2,50%", "80,00%", "tinggi"]


def test_year_filter(viewer_client, world):
    first = rows(viewer_client.get(URL, {"year": 2023, "quarter": 4}))[0]

    assert first[2:6] == ["2023", "1", "1", "Rp7.000"]


@pytest.mark.parametrize("direction", ["", "-"])
def test_sorting_by_mean_achievement_keeps_strategies_without_data_last(
    viewer_client, world, agency_b, direction
):
    full = ProgramFactory(agency=agency_b, strategy_id=3)
    IndicatorValueFactory(indicator=IndicatorFactory(program=full), quarter=4, realized=100)

    response = viewer_client.get(URL, {"quarter": 4, "sort": f"{direction}mean_achievement"})

    # Strategy 1 at (80 + 50) / 2 = 65%, strategy 3 at 100%, strategy 2 without data.
    assert html_column(response, "No.") == (["1", "3", "2"] if direction == "" else ["3", "1", "2"])


def test_sorting_by_budget_ceiling(viewer_client, world):
    response = viewer_client.get(URL, {"sort": "-budget_ceiling"})

    assert html_column(response, "No.") == ["1", "2", "3"]
    response = viewer_client.get(URL, {"sort": "budget_ceiling"})
    assert html_column(response, "No.") == ["3", "2", "1"]


def test_exports_hold_the_rows_of_the_page_with_raw_numbers(viewer_client, world):
    params = {"quarter": 2, "sort": "-absorption"}
    page = rows(viewer_client.get(URL, params))

    csv_export = csv_rows(viewer_client.get(URL, {**params, "_export": "csv"}))
    xlsx_response = viewer_client.get(URL, {**params, "_export": "xlsx"})
    xlsx_export = xlsx_rows(xlsx_response)

    assert csv_export[0] == xlsx_export[0] == HEADERS
    assert [row[0] for row in csv_export[1:]] == [row[0] for row in page] == ["1", "2", "3"]
    assert csv_export[1] == [
        "1", "Strategi 1", "2024", "2", "2", "4000", "1000", "25,00", "90,00", "tinggi"
    ]  # fmt: skip
    assert xlsx_export[1] == [1, "Strategi 1", 2024, 2, 2, 4000, 1000, 25, 90, "tinggi"]
    assert xlsx_export[3] == [3, "Strategi 3", 2024, 0, 0, 0, 0, None, None, "tidak ada data"]
    assert xlsx_response["Content-Disposition"] == ('attachment; filename="strategi_2024_tw2.xlsx"')


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abc"}, "“abc” bukan tahun yang memiliki program"),
        ({"quarter": "0"}, "“0” bukan triwulan"),
        ({"quarter": "IV"}, "“IV” bukan triwulan"),
    ],
)
def test_invalid_filter_value_shows_a_message_and_no_rows(viewer_client, world, params, message):
    response = viewer_client.get(URL, params)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert html_table(response)[1] == []


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_does_not_grow_with_programmes(
    viewer_client, agency_a, count, django_assert_max_num_queries
):
    strategies = [StrategyFactory(number=number) for number in (1, 2, 3)]
    for number in range(count):
        program = ProgramFactory(agency=agency_a, strategy=strategies[number % 3])
        IndicatorValueFactory(indicator=IndicatorFactory(program=program), quarter=1)

    # Session, user, years, the data version, count, the page.
    with django_assert_max_num_queries(6):
        response = viewer_client.get(URL, {"quarter": 1, "sort": "-mean_achievement"})
    # The same rows sorted otherwise: session, user, the data version, count, the page; the
    # years come from the cache.
    with django_assert_max_num_queries(5):
        viewer_client.get(URL, {"quarter": 1, "sort": "name"})
    with django_assert_max_num_queries(4):
        export = xlsx_rows(viewer_client.get(URL, {"quarter": 1, "_export": "xlsx"}))

    assert sum(int(n) for n in html_column(response, "Jumlah program")) == count
    assert sum(row[3] for row in export[1:]) == count
