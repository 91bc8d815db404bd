"""/opd/: agencies ranked by their programmes' mean achievement, with budget absorption and
reporting completeness for the quarter."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from bartim.models import Agency, Deadline
from indicators.models import Indicator
from programs.models import Strategy
from tests.factories import (
    AgencyFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProgramFactory,
    StrategyFactory,
    VillageFactory,
)
from tests.table_helpers import column, csv_rows, html_column, html_table, xlsx_rows

pytestmark = pytest.mark.django_db

URL = reverse("programs:agency_list")
ROLES = ["admin_user", "opd_a_user", "opd_b_user", "camat_x_user", "camat_y_user", "viewer_user"]
HEADERS = [
    "Peringkat",
    "Perangkat daerah (OPD)",
    "Jumlah program",
    "Pagu (Rp)",
    "Realisasi anggaran (Rp)",
    "Serapan anggaran (%)",
    "Rata-rata capaian (%)",
    "Kategori",
    "Program yang melapor triwulan ini",
    "Program dengan bukti dukung",
    "Kelengkapan laporan (%)",
    "Jenis pemilik",
]
OPD = "Perangkat daerah kabupaten (OPD)"


@pytest.fixture(autouse=True)
def _quarters_not_yet_due(db):
    """The ranking's figures, without lateness: its quarters are not due yet here
    (lateness on this table: tests/test_deadlines.py)."""
    Deadline.objects.bulk_create(
        Deadline(year=year, quarter=quarter, due_date=datetime.date(2100, 1, 1))
        for year in (2023, 2024)
        for quarter in (1, 2, 3, 4)
    )


def _programme(agency, strategy, realized_by_quarter, **fields):
    """A programme with one yearly-rate indicator (target 100) reported as given."""
    program = ProgramFactory(agency=agency, strategy=strategy, **fields)
    indicator = IndicatorFactory(program=program, aggregation=Indicator.Aggregation.LATEST)
    for quarter, realized in realized_by_quarter.items():
        IndicatorValueFactory(indicator=indicator, quarter=quarter, realized=Decimal(realized))
    return program


@pytest.fixture
def world(agency_a, agency_b):
    first, second = StrategyFactory(number=1), StrategyFactory(number=2)
    # DINSOS: 90% and 70% (mean 80%), both reported TW I, one TW II; Rp2.000 of Rp10.000.
    _programme(agency_a, first, {1: "90", 2: "90"}, budget_ceiling=6000, budget_realized_q1=1500)
    _programme(agency_a, second, {1: "70"}, budget_ceiling=4000, budget_realized_q2=500)
    # DINKES: 95%, reported TW I only.
    _programme(agency_b, first, {1: "95"}, budget_ceiling=1000, budget_realized_q1=1000)
    # An agency with programmes but no data, and one with a programme only last year.
    _programme(AgencyFactory(name="Badan Diam", abbreviation="BADAN"), first, {})
    _programme(AgencyFactory(name="Dinas Lama"), first, {1: "10"}, year=2023)


def rows(response):
    headers, body = html_table(response)
    assert headers == HEADERS
    return body


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_ranking(client, world, request, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(URL, {"quarter": 2})

    assert response.status_code == 200
    assert html_column(response, "Perangkat daerah (OPD)") == [
        "Dinas Kesehatan Uji",
        "Dinas Sosial Uji",
        "Badan Diam",
    ]


def test_agencies_are_ranked_by_mean_achievement_with_budget_and_completeness(viewer_client, world):
    assert rows(viewer_client.get(URL, {"columns": "all", "quarter": 2})) == [
        ["1", "Dinas Kesehatan Uji", "1", "Rp1.000", "Rp1.000", "100,00%", "95,00%",
         "sangat tinggi", "0", "0", "0,00%", OPD],
        ["2", "Dinas Sosial Uji", "2", "Rp10.000", "Rp2.000", "20,00%", "80,00%",
         "tinggi", "1", "0", "50,00%", OPD],
        ["3", "Badan Diam", "1", "Rp100.000.000", "Rp0", "0,00%", "–",
         "tidak ada data", "0", "0", "0,00%", OPD],
    ]  # fmt: skip


def test_quarter_filter_changes_budget_and_completeness(viewer_client, world):
    dinsos = rows(viewer_client.get(URL, {"columns": "all", "quarter": 1}))[1]

    assert dinsos[1] == "Dinas Sosial Uji"
    assert dinsos[4:] == ["Rp1.500", "15,00%", "80,00%", "tinggi", "2", "0", "100,00%", OPD]


def test_strategy_filter_measures_each_agency_on_that_strategy_only(viewer_client, world):
    response = viewer_client.get(URL, {"columns": "all", "quarter": 2, "strategy": 2})

    assert rows(response) == [
        ["1", "Dinas Sosial Uji", "1", "Rp4.000", "Rp500", "12,50%", "70,00%", "sedang", "0",
         "0", "0,00%", OPD],
    ]  # fmt: skip


def test_village_governments_are_ranked_beside_the_agencies_and_filtered_by_kind(
    viewer_client, world, district_x
):
    village = VillageFactory(district=district_x, name="Jaar")
    government = AgencyFactory(
        name="Pemerintah Desa Jaar", kind=Agency.Kind.VILLAGE, village=village
    )
    _programme(government, Strategy.objects.get(number=1), {1: "60"})

    everyone = viewer_client.get(URL, {"quarter": 1})
    villages = viewer_client.get(URL, {"columns": "all", "quarter": 1, "owner": "village"})
    wrong = viewer_client.get(URL, {"quarter": 1, "owner": "bank"})

    assert "Pemerintah Desa Jaar" in html_column(everyone, "Perangkat daerah (OPD)")
    assert [(row[1], row[-1]) for row in rows(villages)] == [
        ("Pemerintah Desa Jaar", "Pemerintah desa")
    ]
    assert "bukan jenis pemilik" in wrong.content.decode()


def test_year_filter(viewer_client, world):
    response = viewer_client.get(URL, {"year": 2023, "quarter": 1})

    assert html_column(response, "Perangkat daerah (OPD)") == ["Dinas Lama"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("mean_achievement", ["Dinas Sosial Uji", "Dinas Kesehatan Uji", "Badan Diam"]),
        ("-mean_achievement", ["Dinas Kesehatan Uji", "Dinas Sosial Uji", "Badan Diam"]),
        ("-completeness", ["Dinas Sosial Uji", "Dinas Kesehatan Uji", "Badan Diam"]),
        ("absorption", ["Badan Diam", "Dinas Sosial Uji", "Dinas Kesehatan Uji"]),
        ("-rank", ["Badan Diam", "Dinas Sosial Uji", "Dinas Kesehatan Uji"]),
    ],
)
def test_sorting_by_computed_columns(viewer_client, world, sort, expected):
    response = viewer_client.get(URL, {"quarter": 2, "sort": sort})

    assert html_column(response, "Perangkat daerah (OPD)") == expected


def test_agencies_with_the_same_mean_share_a_rank(viewer_client, agency_a, agency_b):
    strategy = StrategyFactory(number=1)
    _programme(agency_a, strategy, {1: "80"})
    _programme(agency_b, strategy, {1: "80"})
    _programme(AgencyFactory(name="Badan Ketiga"), strategy, {1: "60"})

    response = viewer_client.get(URL, {"quarter": 1})

    assert html_column(response, "Peringkat") == ["1", "1", "3"]


@pytest.fixture
def many():
    """28 agencies with one programme each, at 10% to 100% (ties included)."""
    strategy = StrategyFactory(number=1)
    for number in range(28):
        agency = AgencyFactory(name=f"Dinas {number:02d}")
        _programme(agency, strategy, {4: str(10 + (number % 10) * 10)})


def test_exports_hold_exactly_the_rows_of_every_page(viewer_client, many):
    params = {"quarter": 4}
    first = html_column(viewer_client.get(URL, params), "Perangkat daerah (OPD)")
    second = html_column(viewer_client.get(URL, {**params, "page": 2}), "Perangkat daerah (OPD)")

    csv_export = csv_rows(viewer_client.get(URL, {**params, "_export": "csv"}))
    xlsx_response = viewer_client.get(URL, {**params, "strategy": 1, "_export": "xlsx"})
    xlsx_export = xlsx_rows(xlsx_response)

    assert (len(first), len(second)) == (25, 3)
    assert sorted(first + second) == [f"Dinas {number:02d}" for number in range(28)]
    assert column(csv_export, "Perangkat daerah (OPD)") == first + second
    assert column(xlsx_export, "Perangkat daerah (OPD)") == first + second
    assert csv_export[0] == xlsx_export[0] == HEADERS
    assert csv_export[1] == [
        "1", "Dinas 09", "1", "100000000", "0", "0,00", "100,00", "sangat tinggi", "1", "0",
        "100,00", OPD,
    ]  # fmt: skip
    assert xlsx_export[1] == [
        1, "Dinas 09", 1, 100_000_000, 0, 0, 100, "sangat tinggi", 1, 0, 100, OPD,
    ]  # fmt: skip
    assert xlsx_response["Content-Disposition"] == (
        'attachment; filename="opd_2024_tw4_strategy-1.xlsx"'
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abc"}, "“abc” bukan tahun yang memiliki program"),
        ({"quarter": "7"}, "“7” bukan triwulan"),
        ({"strategy": "4"}, "Tidak ada strategi “4”"),
    ],
)
def test_invalid_filter_value_shows_a_message_and_no_rows(viewer_client, world, params, message):
    response = viewer_client.get(URL, params)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert html_table(response)[1] == []


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_does_not_grow_with_agencies(
    viewer_client, count, django_assert_max_num_queries
):
    strategy = StrategyFactory(number=1)
    for _ in range(count):
        agency = AgencyFactory()
        _programme(agency, strategy, {1: "50", 2: "60"})
        _programme(agency, strategy, {1: "70"})

    # Session, user, years, the data version, count, the strategy dropdown, the page.
    with django_assert_max_num_queries(7):
        response = viewer_client.get(URL, {"quarter": 2, "sort": "-completeness"})
    # The same rows sorted otherwise: session, user, the data version, count, the dropdown,
    # the page; the years come from the cache.
    with django_assert_max_num_queries(6):
        viewer_client.get(URL, {"quarter": 2, "sort": "name"})
    with django_assert_max_num_queries(4):
        export = csv_rows(viewer_client.get(URL, {"quarter": 2, "_export": "csv"}))

    assert len(html_table(response)[1]) == min(count, 25)
    assert len(export) == count + 1
