"""/indicators/: every indicator's realisation and achievement as of a quarter."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from indicators.models import Indicator
from tests.factories import IndicatorFactory, IndicatorValueFactory, ProgramFactory, StrategyFactory
from tests.table_helpers import column, csv_rows, html_column, html_table, xlsx_rows

pytestmark = pytest.mark.django_db

URL = reverse("programs:indicator_list")
ROLES = ["admin_user", "opd_a_user", "opd_b_user", "camat_x_user", "camat_y_user", "viewer_user"]
LATEST = Indicator.Aggregation.LATEST


def _indicator(program, name, values, **fields):
    indicator = IndicatorFactory(program=program, name=name, **fields)
    for quarter, realized in values.items():
        IndicatorValueFactory(indicator=indicator, quarter=quarter, realized=Decimal(realized))
    return indicator


@pytest.fixture
def world(agency_a, agency_b):
    first, second = StrategyFactory(number=1), StrategyFactory(number=2)
    food = ProgramFactory(name="Bantuan Pangan", agency=agency_a, strategy=first)
    # 20 + 30 of a yearly 100: 100% as of TW II, 50% as of TW IV.
    _indicator(food, "KK menerima bantuan", {1: "20", 2: "30"})
    _indicator(
        food,
        "Persentase stunting",
        {2: "18"},
        unit="%",
        direction=Indicator.Direction.LOWER_IS_BETTER,
        aggregation=LATEST,
        baseline=Decimal("20"),
        target=Decimal("15"),
    )
    _indicator(food, "Target nol", {1: "5"}, target=Decimal("0"))
    latrines = ProgramFactory(name="Jamban Sehat", agency=agency_b, strategy=second)
    _indicator(latrines, "Rumah tangga berjamban", {1: "70"}, aggregation=LATEST, target=80)
    _indicator(latrines, "Belum dilaporkan", {})
    old = ProgramFactory(name="Program Lama", agency=agency_a, strategy=first, year=2023)
    _indicator(old, "Indikator lama", {1: "10"})
    return SimpleNamespace(food=food, latrines=latrines)


def names(response):
    return html_column(response, "Indikator")


THIS_YEAR = [
    "Belum dilaporkan",
    "KK menerima bantuan",
    "Persentase stunting",
    "Rumah tangga berjamban",
    "Target nol",
]


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_every_indicator(client, world, request, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(URL, {"quarter": 4})

    assert response.status_code == 200
    assert sorted(names(response)) == THIS_YEAR


def test_row_shows_the_progress_of_a_lower_is_better_indicator(viewer_client, world):
    headers, rows = html_table(
        viewer_client.get(URL, {"columns": "all", "quarter": 2, "q": "stunting"})
    )

    assert dict(zip(headers, rows[0], strict=True)) == {
        "Indikator": "Persentase stunting",
        "Program": "Bantuan Pangan",
        "Perangkat daerah (OPD)": "DINSOS",
        "Strategi": "1",
        "Satuan": "%",
        "Arah": "makin rendah makin baik",
        "Kondisi awal": "20",
        "Target tahunan": "15",
        "Target s.d. triwulan ini (kumulatif; tingkatnya untuk nilai terakhir)": "15",
        "Realisasi sampai triwulan": "18",
        "Capaian (%)": "40,00%",
        "Kategori": "sangat rendah",
    }


def test_quarter_moves_realised_expected_and_achievement(viewer_client, world):
    as_of_q1 = viewer_client.get(URL, {"columns": "all", "quarter": 1, "q": "KK menerima"})
    as_of_q4 = viewer_client.get(URL, {"columns": "all", "quarter": 4, "q": "KK menerima"})

    assert html_column(as_of_q1, "Realisasi sampai triwulan") == ["20"]
    assert html_column(
        as_of_q1, "Target s.d. triwulan ini (kumulatif; tingkatnya untuk nilai terakhir)"
    ) == ["25"]
    assert html_column(as_of_q1, "Capaian (%)") == ["80,00%"]
    assert html_column(as_of_q4, "Realisasi sampai triwulan") == ["50"]
    assert html_column(as_of_q4, "Capaian (%)") == ["50,00%"]
    assert html_column(as_of_q4, "Kategori") == ["sangat rendah"]


def test_missing_data_and_unmeasurable_targets_are_named(viewer_client, world):
    response = viewer_client.get(URL, {"quarter": 4})

    categories = dict(zip(names(response), html_column(response, "Kategori"), strict=True))
    assert categories["Belum dilaporkan"] == "tidak ada data"
    assert categories["Target nol"] == "target tidak terukur"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"year": 2023}, ["Indikator lama"]),
        ({"strategy": 2}, ["Belum dilaporkan", "Rumah tangga berjamban"]),
        ({"quarter": 2, "category": "very_high"}, ["KK menerima bantuan"]),
        ({"quarter": 2, "category": "high"}, ["Rumah tangga berjamban"]),
        ({"quarter": 2, "category": "very_low"}, ["Persentase stunting"]),
        ({"category": "not_measurable"}, ["Target nol"]),
        ({"category": "no_data"}, ["Belum dilaporkan"]),
        ({"q": "stunting"}, ["Persentase stunting"]),
        ({"q": "jamban sehat"}, ["Belum dilaporkan", "Rumah tangga berjamban"]),
    ],
)
def test_filter_selects_rows(viewer_client, world, params, expected):
    response = viewer_client.get(URL, {"quarter": 4, **params})

    assert sorted(names(response)) == expected


def test_filter_by_opd(viewer_client, world, agency_b):
    response = viewer_client.get(URL, {"opd": agency_b.pk})

    assert sorted(names(response)) == ["Belum dilaporkan", "Rumah tangga berjamban"]


@pytest.mark.parametrize("direction", ["", "-"])
def test_sorting_by_achievement_keeps_indicators_without_a_percentage_last(
    viewer_client, world, direction
):
    response = viewer_client.get(URL, {"quarter": 2, "sort": f"{direction}achievement"})

    ranked = ["Persentase stunting", "Rumah tangga berjamban", "KK menerima bantuan"]
    if direction == "-":
        ranked.reverse()
    assert names(response)[:3] == ranked
    assert sorted(names(response)[3:]) == ["Belum dilaporkan", "Target nol"]


@pytest.fixture
def many(agency_a, agency_b):
    """31 indicators of agency A with achievements 10% to 100% (ties included), 2 of B."""
    strategy = StrategyFactory(number=1)
    program = ProgramFactory(name="Program A", agency=agency_a, strategy=strategy)
    for number in range(31):
        realized = str(10 + (number % 10) * 10)
        _indicator(program, f"Indikator A{number:02d}", {4: realized}, aggregation=LATEST)
    other = ProgramFactory(name="Program B", agency=agency_b, strategy=strategy)
    _indicator(other, "Indikator B0", {4: "50"})
    _indicator(other, "Indikator B1", {})


def test_exports_hold_exactly_the_filtered_rows_of_every_page(viewer_client, many, agency_a):
    params = {"quarter": 4, "opd": agency_a.pk, "sort": "achievement"}
    first = names(viewer_client.get(URL, params))
    second = names(viewer_client.get(URL, {**params, "page": 2}))

    csv_export = csv_rows(viewer_client.get(URL, {**params, "_export": "csv"}))
    xlsx_export = xlsx_rows(viewer_client.get(URL, {**params, "_export": "xlsx"}))

    assert (len(first), len(second)) == (25, 6)
    assert sorted(first + second) == [f"Indikator A{number:02d}" for number in range(31)]
    assert column(csv_export, "Indikator") == first + second
    assert column(xlsx_export, "Indikator") == first + second
    assert (
        csv_export[0]
        == xlsx_export[0]
        == [
            "Indikator",
            "Program",
            "Perangkat daerah (OPD)",
            "Strategi",
            "Satuan",
            "Arah",
            "Kondisi awal",
            "Target tahunan",
            "Target s.d. triwulan ini (kumulatif; tingkatnya untuk nilai terakhir)",
            "Realisasi sampai triwulan",
            "Capaian (%)",
            "Kategori",
        ]
    )
    csv_row = next(row for row in csv_export if row[0] == "Indikator A06")
    xlsx_row = next(row for row in xlsx_export if row[0] == "Indikator A06")
    assert csv_row[2:] == [
        "DINSOS",
        "1",
        "KK",
        "makin tinggi makin baik",
        # Counts stored in decimal columns are whole numbers; the achievement is a percentage.
        "0",
        "100",
        "100",
        "70",
        "70,00",
        "sedang",
    ]
    assert xlsx_row[2:] == [
        "DINSOS",
        1,
        "KK",
        "makin tinggi makin baik",
        0,
        100,
        100,
        70,
        70,
        "sedang",
    ]


def test_export_file_is_named_after_the_table_and_filters(viewer_client, many):
    response = viewer_client.get(URL, {"quarter": 3, "strategy": 1, "_export": "xlsx"})

    assert response["Content-Disposition"] == (
        'attachment; filename="indikator_2024_tw3_strategy-1.xlsx"'
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abc"}, "“abc” bukan tahun yang memiliki program"),
        ({"quarter": "7"}, "“7” bukan triwulan"),
        ({"strategy": "x"}, "Tidak ada strategi “x”"),
        ({"opd": "999999"}, "Tidak ada perangkat daerah (OPD) dengan ID “999999”"),
        ({"category": "great"}, "“great” bukan kategori"),
    ],
)
def test_invalid_filter_value_shows_a_message_and_no_rows(viewer_client, world, params, message):
    response = viewer_client.get(URL, params)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert html_table(response)[1] == []


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_does_not_grow_with_rows(
    viewer_client, agency_a, count, django_assert_max_num_queries
):
    program = ProgramFactory(agency=agency_a, strategy=StrategyFactory(number=1))
    for number in range(count):
        _indicator(program, f"I{number}", {1: "10", 2: "20"})

    # Session, user, years, count, the data version and two dropdowns (cached from then on:
    # helpers.filters), the page.
    with django_assert_max_num_queries(8):
        response = viewer_client.get(URL, {"quarter": 2, "sort": "-achievement"})
    # The CSV is streamed: its rows are read while the body is consumed.
    with django_assert_max_num_queries(4):
        export = csv_rows(viewer_client.get(URL, {"quarter": 2, "_export": "csv"}))

    assert len(names(response)) == min(count, 25)
    assert len(export) == count + 1
