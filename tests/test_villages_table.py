"""/villages/: every village-year of village data with its poverty rate, poverty-pocket flag
and the programmes reaching it; filters, sorting, pages, exports and access."""

from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from bartim.models import ReviewStatus, Village
from programs.models import Program
from tests.factories import (
    PovertyStatisticFactory,
    ProgramFactory,
    VillageDataFactory,
    VillageFactory,
)
from tests.table_helpers import column, csv_rows, html_column, html_table, xlsx_rows
from villages.models import PocketRule, PovertyStatistic, VillageData

pytestmark = pytest.mark.django_db

URL = reverse("villages:village_list")
ROLES = ["admin_user", "opd_a_user", "opd_b_user", "camat_x_user", "camat_y_user", "viewer_user"]
HEADERS = [
    "Desa/kelurahan",
    "Jenis",
    "Kecamatan",
    "Tahun",
    "Jumlah penduduk (jiwa)",
    "Rumah tangga (KK)",
    "Keluarga miskin (KK)",
    "Penduduk miskin",
    "Persentase kemiskinan (%)",
    "Penduduk miskin ekstrem",
    "Kantong kemiskinan",
    "Program yang menjangkau",
    "Status",
]
VILLAGE = "Desa/kelurahan"


@pytest.fixture
def world(district_x, district_y, village_x, village_y):
    PovertyStatisticFactory(year=2024, poverty_rate=Decimal("6.66"))
    tamiang = VillageFactory(
        district=district_x,
        code="62.13.01.1001",
        name="Tamiang Layang",
        kind=Village.Kind.KELURAHAN,
    )
    sarapat = VillageFactory(district=district_y, code="62.13.02.2002", name="Sarapat")
    data = SimpleNamespace(
        # 15% with 60 poor households: a pocket.
        patai=VillageDataFactory(
            village=village_x,
            population=2000,
            households=500,
            poor_households=60,
            poor_people=300,
            extremely_poor_people=40,
            status=ReviewStatus.APPROVED,
        ),
        # 5%: under the regency's 6.66%.
        jango=VillageDataFactory(
            village=village_y,
            population=4000,
            households=1000,
            poor_households=25,
            poor_people=200,
            extremely_poor_people=20,
            status=ReviewStatus.SUBMITTED,
        ),
        # 9%, but one poor household short of the minimum of 20.
        tamiang=VillageDataFactory(
            village=tamiang,
            population=10000,
            households=2500,
            poor_households=19,
            poor_people=900,
            extremely_poor_people=50,
            status=ReviewStatus.DRAFT,
        ),
        # 7% with exactly 20 poor households: a pocket.
        sarapat=VillageDataFactory(
            village=sarapat,
            population=3000,
            households=700,
            poor_households=20,
            poor_people=210,
            extremely_poor_people=5,
            status=ReviewStatus.RETURNED,
        ),
        patai_2023=VillageDataFactory(
            village=village_x,
            year=2023,
            population=1900,
            households=480,
            poor_households=70,
            poor_people=330,
            extremely_poor_people=45,
            status=ReviewStatus.APPROVED,
        ),
    )
    ProgramFactory(name="Bantuan Pangan", target_villages=[village_x, village_y])
    ProgramFactory(name="Jamban Sehat", target_villages=[village_x, sarapat])
    ProgramFactory(name="Air Bersih", target_villages=[village_x])
    ProgramFactory(name="Tanpa Lokasi")
    ProgramFactory(name="Program Lama", year=2023, target_villages=[village_y, tamiang])
    return data


def names(response):
    return html_column(response, VILLAGE)


# What the test expects, computed in Python from the stored rows, not read from the page.


def _rate(record):
    return record.poor_people * 100 / record.population


def _is_pocket(record):
    rule = PocketRule.current()
    if rule.basis == PocketRule.Basis.FIXED_RATE:
        threshold = float(rule.fixed_rate)
    else:
        threshold = float(PovertyStatistic.objects.get(year=record.year).poverty_rate)
    return _rate(record) >= threshold and record.poor_households >= rule.min_poor_households


def _reaching(record):
    return sum(
        record.village in program.target_villages.all()
        for program in Program.objects.filter(year=record.year)
    )


SORT_KEYS = {
    "village": lambda r: r.village.name,
    "kind": lambda r: r.village.kind,
    "kecamatan": lambda r: r.village.district.name,
    "year": lambda r: r.year,
    "population": lambda r: r.population,
    "households": lambda r: r.households,
    "poor_households": lambda r: r.poor_households,
    "poor_people": lambda r: r.poor_people,
    "poverty_rate": _rate,
    "extremely_poor_people": lambda r: r.extremely_poor_people,
    "pocket": _is_pocket,
    "programmes_reaching": _reaching,
    "status": lambda r: r.status,
}


def expected_order(sort, year=2024):
    """Names in the order of `sort` (a column, "-" for descending), ties by record ID."""
    key = SORT_KEYS[sort.lstrip("-")]
    records = VillageData.objects.filter(year=year).select_related("village__district")
    by_id = sorted(records, key=lambda record: record.pk)
    return [record.village.name for record in sorted(by_id, key=key, reverse=sort.startswith("-"))]


def _percent(value):
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# Access


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_every_village_of_the_year(client, world, request, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(URL)

    assert response.status_code == 200
    assert sorted(names(response)) == ["Jango", "Pulau Patai", "Sarapat", "Tamiang Layang"]


@pytest.mark.parametrize("role", ROLES)
def test_village_names_link_to_records_the_user_may_open(client, world, request, role):
    client.force_login(request.getfixturevalue(role))
    content = client.get(URL).content.decode()

    for record in (world.patai, world.jango, world.tamiang, world.sarapat):
        url = reverse("villages:village_data_detail", args=[record.pk])
        assert f'<a href="{url}"><span class="long-text" title="{record.village.name}">' in content
        assert client.get(url).status_code == 200


def test_nav_links_to_the_villages_table(viewer_client, world):
    content = viewer_client.get(URL).content.decode()

    assert f'href="{URL}">Desa/kelurahan</a>' in content


# What a row shows


def test_row_shows_the_village_data_in_indonesian_format(viewer_client, world):
    headers, rows = html_table(viewer_client.get(URL, {"columns": "all", "q": "patai"}))

    assert headers == HEADERS
    assert dict(zip(headers, rows[0], strict=True)) == {
        "Desa/kelurahan": "Pulau Patai",
        "Jenis": "Desa",
        "Kecamatan": "Dusun Timur",
        "Tahun": "2024",
        "Jumlah penduduk (jiwa)": "2.000",
        "Rumah tangga (KK)": "500",
        "Keluarga miskin (KK)": "60",
        "Penduduk miskin": "300",
        "Persentase kemiskinan (%)": "15,00%",
        "Penduduk miskin ekstrem": "40",
        "Kantong kemiskinan": "Ya",
        "Program yang menjangkau": "3",
        "Status": "Disetujui",
    }


def test_each_row_has_its_rate_pocket_flag_and_programmes(viewer_client, world):
    response = viewer_client.get(URL, {"columns": "all"})

    records = {r.village.name: r for r in VillageData.objects.filter(year=2024)}
    shown = names(response)
    rates = html_column(response, "Persentase kemiskinan (%)")
    pockets = html_column(response, "Kantong kemiskinan")
    reaching = html_column(response, "Program yang menjangkau")
    for name, rate, pocket, count in zip(shown, rates, pockets, reaching, strict=True):
        record = records[name]
        assert rate == f"{_percent(_rate(record))}%".replace(".", ","), name
        assert pocket == ("Ya" if _is_pocket(record) else "Tidak"), name
        assert count == str(_reaching(record)), name
    assert [name for name in shown if _is_pocket(records[name])] == ["Pulau Patai", "Sarapat"]


def test_kelurahan_is_shown_as_such(viewer_client, world):
    response = viewer_client.get(URL, {"columns": "all", "q": "tamiang"})

    assert html_column(response, "Jenis") == ["Kelurahan"]


def test_programmes_reaching_counts_only_the_year_of_the_data(viewer_client, world):
    as_of_2023 = viewer_client.get(URL, {"columns": "all", "year": 2023})
    as_of_2024 = viewer_client.get(URL, {"columns": "all", "q": "jango"})

    # Program Lama (2023) targets Jango, but Jango has no 2023 data; Pulau Patai's 2023
    # row counts no 2024 programme.
    assert names(as_of_2023) == ["Pulau Patai"]
    assert html_column(as_of_2023, "Program yang menjangkau") == ["0"]
    assert html_column(as_of_2024, "Program yang menjangkau") == ["1"]


def test_pocket_flag_follows_the_rule_the_administrator_sets(viewer_client, world):
    PocketRule.objects.update_or_create(
        pk=PocketRule.SINGLETON_ID,
        defaults={"basis": PocketRule.Basis.FIXED_RATE, "fixed_rate": Decimal("8.00"),
                  "min_poor_households": 19},
    )  # fmt: skip

    response = viewer_client.get(URL, {"pocket": "yes"})

    assert sorted(names(response)) == ["Pulau Patai", "Tamiang Layang"]
    assert sorted(names(response)) == sorted(
        r.village.name for r in VillageData.objects.filter(year=2024) if _is_pocket(r)
    )
    assert "paling sedikit 8,00%" in response.content.decode()
    assert "paling sedikit 19 keluarga miskin (KK)" in response.content.decode()


# Filters


def test_default_year_is_the_latest_with_village_data(viewer_client, world):
    ProgramFactory(name="Rencana 2025", year=2025)

    response = viewer_client.get(URL, {"columns": "all"})

    assert response.context["filter"].form.cleaned_data["year"] == 2024
    assert "Pulau Patai" in names(response)
    assert set(html_column(response, "Tahun")) == {"2024"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"year": 2023}, ["Pulau Patai"]),
        ({"kecamatan": "62.13.01"}, ["Pulau Patai", "Tamiang Layang"]),
        ({"kecamatan": "62.13.02"}, ["Jango", "Sarapat"]),
        ({"desa": "62.13.02.2001"}, ["Jango"]),
        ({"status": "approved"}, ["Pulau Patai"]),
        ({"status": "returned"}, ["Sarapat"]),
        ({"pocket": "yes"}, ["Pulau Patai", "Sarapat"]),
        ({"pocket": "no"}, ["Jango", "Tamiang Layang"]),
        ({"q": "LAYANG"}, ["Tamiang Layang"]),
        ({"q": "a"}, ["Jango", "Pulau Patai", "Sarapat", "Tamiang Layang"]),
        ({"kecamatan": "62.13.02", "pocket": "yes"}, ["Sarapat"]),
        ({"year": 2023, "pocket": "no"}, []),
    ],
)
def test_filter_selects_rows(viewer_client, world, params, expected):
    response = viewer_client.get(URL, params)

    assert sorted(names(response)) == expected


def test_active_filters_are_shown_with_a_link_that_removes_each(viewer_client, world):
    response = viewer_client.get(URL, {"kecamatan": "62.13.01", "pocket": "yes"})

    chips = {chip["name"]: chip for chip in response.context["active_filters"]}
    assert chips["kecamatan"]["value"] == "Dusun Timur"
    assert chips["kecamatan"]["remove_url"] == "?pocket=yes"
    assert chips["pocket"]["value"] == "Ya"
    assert chips["pocket"]["remove_url"] == "?kecamatan=62.13.01"
    assert "Kantong kemiskinan: Ya" in response.content.decode()


def test_year_dropdown_lists_the_years_with_village_data(viewer_client, world):
    response = viewer_client.get(URL)

    choices = [label for _, label in response.context["filter"].form.fields["year"].choices]
    assert choices == ["2024", "2023"]


# Sorting


@pytest.mark.parametrize("sort", ["poverty_rate", "-poverty_rate"])
def test_sorting_by_poverty_rate(viewer_client, world, sort):
    response = viewer_client.get(URL, {"sort": sort})

    assert names(response) == expected_order(sort)
    ascending = ["Jango", "Sarapat", "Tamiang Layang", "Pulau Patai"]
    assert names(response) == (ascending if sort == "poverty_rate" else ascending[::-1])


@pytest.mark.parametrize("sort", ["pocket", "-pocket"])
def test_sorting_by_pocket_flag_keeps_ties_in_a_stable_order(viewer_client, world, sort):
    response = viewer_client.get(URL, {"sort": sort})

    assert names(response) == expected_order(sort)
    flags = html_column(response, "Kantong kemiskinan")
    assert flags == (["Tidak"] * 2 + ["Ya"] * 2 if sort == "pocket" else ["Ya"] * 2 + ["Tidak"] * 2)


@pytest.mark.parametrize("sort", ["programmes_reaching", "-programmes_reaching"])
def test_sorting_by_programmes_reaching(viewer_client, world, sort):
    response = viewer_client.get(URL, {"sort": sort})

    assert names(response) == expected_order(sort)
    counts = [int(count) for count in html_column(response, "Program yang menjangkau")]
    assert counts == sorted(counts, reverse=sort.startswith("-"))
    assert counts[0] == (0 if sort == "programmes_reaching" else 3)


@pytest.mark.parametrize("direction", ["", "-"])
@pytest.mark.parametrize("name", list(SORT_KEYS))
def test_every_column_sorts(viewer_client, world, name, direction):
    response = viewer_client.get(URL, {"sort": f"{direction}{name}"})

    assert names(response) == expected_order(f"{direction}{name}")


def test_a_village_without_population_has_no_rate_and_sorts_last(viewer_client, world):
    VillageDataFactory(
        village=VillageFactory(name="Desa Kosong"),
        population=0,
        households=0,
        poor_households=0,
        poor_people=0,
        extremely_poor_people=0,
    )

    ascending = viewer_client.get(URL, {"sort": "poverty_rate"})
    descending = viewer_client.get(URL, {"sort": "-poverty_rate"})

    assert names(ascending)[-1] == names(descending)[-1] == "Desa Kosong"
    assert html_column(ascending, "Persentase kemiskinan (%)")[-1] == "–"
    assert html_column(ascending, "Kantong kemiskinan")[-1] == "Tidak"


# Pages and exports


@pytest.fixture
def many(district_x, district_y):
    """32 villages of 2024 in two kecamatan with rates 1% to 16% (ties included), every third
    targeted by a programme; rows of 2023 that no filter of 2024 may leak."""
    PovertyStatisticFactory(year=2024, poverty_rate=Decimal("6.66"))
    targeted = []
    for number in range(32):
        village = VillageFactory(
            district=district_x if number % 2 else district_y, name=f"Desa {number:02d}"
        )
        VillageDataFactory(
            village=village,
            population=1000,
            households=250,
            poor_households=20 + number,
            poor_people=10 * (1 + number % 16),
            extremely_poor_people=number % 10,
        )
        VillageDataFactory(village=village, year=2023)
        if number % 3 == 0:
            targeted.append(village)
    ProgramFactory(target_villages=targeted)
    ProgramFactory(target_villages=targeted[:4])


def _pages(client, params):
    first = names(client.get(URL, params))
    second = names(client.get(URL, {**params, "page": 2}))
    return first, second


@pytest.mark.parametrize("sort", ["-pocket", "poverty_rate", "-programmes_reaching"])
def test_pages_cover_every_row_once_in_order(viewer_client, many, sort):
    first, second = _pages(viewer_client, {"sort": sort})

    assert (len(first), len(second)) == (25, 7)
    assert first + second == expected_order(sort)


def test_csv_export_holds_exactly_the_filtered_rows_of_every_page(viewer_client, many):
    params = {"kecamatan": "62.13.02", "sort": "-poverty_rate"}
    shown = names(viewer_client.get(URL, params))

    response = viewer_client.get(URL, {**params, "_export": "csv"})

    rows = csv_rows(response)
    assert rows[0] == HEADERS
    expected = [name for name in expected_order("-poverty_rate") if int(name.split()[1]) % 2 == 0]
    assert column(rows, VILLAGE) == shown == expected
    record = VillageData.objects.get(year=2024, village__name="Desa 04")
    row = next(row for row in rows[1:] if row[0] == "Desa 04")
    assert row == [
        "Desa 04", "Desa", "Benua Lima", "2024", "1000", "250", str(record.poor_households),
        str(record.poor_people), str(_percent(_rate(record))).replace(".", ","),
        str(record.extremely_poor_people),
        "Ya" if _is_pocket(record) else "Tidak", str(_reaching(record)), "Draf",
    ]  # fmt: skip
    assert response["Content-Disposition"] == (
        'attachment; filename="data-desa_2024_kecamatan-621302.csv"'
    )


def test_xlsx_export_holds_every_page_with_numbers_as_numbers(viewer_client, many):
    params = {"sort": "-pocket"}
    first, second = _pages(viewer_client, params)

    response = viewer_client.get(URL, {**params, "_export": "xlsx"})

    rows = xlsx_rows(response)
    assert rows[0] == HEADERS
    assert column(rows, VILLAGE) == first + second
    records = {
        r.village.name: r
        for r in VillageData.objects.filter(year=2024).select_related("village__district")
    }
    for row in rows[1:]:
        record = records[row[0]]
        assert row[4:8] == [
            record.population,
            record.households,
            record.poor_households,
            record.poor_people,
        ]
        assert row[8] == pytest.approx(float(_percent(_rate(record))))
        assert isinstance(row[8], float | int)
        assert row[9:12] == [
            record.extremely_poor_people,
            "Ya" if _is_pocket(record) else "Tidak",
            _reaching(record),
        ]
    assert response["Content-Disposition"] == 'attachment; filename="data-desa_2024.xlsx"'


def test_exports_follow_the_filters_and_not_the_page(viewer_client, many):
    params = {"pocket": "yes", "q": "desa 1", "page": 2, "sort": "village"}

    csv_names = column(csv_rows(viewer_client.get(URL, {**params, "_export": "csv"})), VILLAGE)

    assert csv_names == [
        name
        for name in expected_order("village")
        if name.startswith("Desa 1")
        and _is_pocket(VillageData.objects.get(year=2024, village__name=name))
    ]


# Bad input


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abc"}, "“abc” bukan tahun yang memiliki data desa"),
        ({"year": "1999"}, "“1999” bukan tahun yang memiliki data desa"),
        ({"year": "99999999999999999999"}, "bukan tahun yang memiliki data desa"),
        ({"kecamatan": "62.99"}, "Tidak ada kecamatan dengan kode “62.99”"),
        ({"desa": "x"}, "Tidak ada desa atau kelurahan dengan kode “x”"),
        ({"status": "done"}, "“done” bukan status"),
        ({"pocket": "maybe"}, "“maybe” bukan pilihan untuk kantong kemiskinan"),
        ({"pocket": "1"}, "“1” bukan pilihan untuk kantong kemiskinan"),
        ({"q": "x" * 101}, "Teks pencarian paling banyak 100 karakter"),
    ],
)
@pytest.mark.parametrize("export", [None, "csv", "xlsx"])
def test_invalid_filter_value_shows_a_message_and_no_rows(
    viewer_client, world, params, message, export
):
    response = viewer_client.get(URL, {**params, **({"_export": export} if export else {})})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "Ada filter yang tidak valid" in content
    assert message in content
    assert html_table(response)[1] == []


def test_unknown_sort_and_export_are_ignored_with_a_warning(viewer_client, world):
    response = viewer_client.get(URL, {"sort": "password", "_export": "pdf"})

    assert response.status_code == 200
    assert "Tidak ada ekspor sebagai “pdf”" in response.content.decode()
    assert len(names(response)) == 4


@pytest.mark.parametrize(
    ("per_page", "rows"), [("2", 2), ("-1", 4), ("0", 4), ("abc", 4), ("100000", 4)]
)
def test_page_size_outside_its_range_falls_back_to_a_working_size(
    viewer_client, world, per_page, rows
):
    response = viewer_client.get(URL, {"per_page": per_page})

    assert response.status_code == 200
    assert len(names(response)) == rows


def test_a_year_without_village_data_when_there_is_none_at_all(viewer_client):
    response = viewer_client.get(URL)

    assert response.status_code == 200
    assert html_table(response)[1] == [["Tidak ada baris yang cocok dengan filter ini."]]


# Queries


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_does_not_grow_with_rows(
    viewer_client, district_x, count, django_assert_max_num_queries
):
    PovertyStatisticFactory(year=2024)
    villages = []
    for number in range(count):
        village = VillageFactory(district=district_x, name=f"Desa {number:02d}")
        VillageDataFactory(village=village, poor_households=10 + number)
        villages.append(village)
    ProgramFactory(target_villages=villages)
    ProgramFactory(target_villages=villages[::2])

    # Session, user, years, pocket rule, count, the data version, the kecamatan dropdown (no
    # desa list before a kecamatan is chosen), the page: none per row.
    with django_assert_max_num_queries(8):
        response = viewer_client.get(URL, {"sort": "-programmes_reaching"})
    # Session, user, years, pocket rule, the rows.
    with django_assert_max_num_queries(5):
        export = viewer_client.get(URL, {"sort": "-pocket", "_export": "xlsx"})

    assert len(names(response)) == min(count, 25)
    assert len(xlsx_rows(export)) == count + 1
