"""The targeting check (tepat sasaran): docs/targeting.md works through the same territory.

Barito Timur 2024 in miniature (BPS rate 6,66%, at least 20 poor households for a pocket):

kecamatan X: A pocket (50 KK) reached under all three strategies; B pocket (40 KK) under
             strategy 1 only; C pocket (80 KK) by no programme; D no pocket (30 KK) reached.
kecamatan Y: E pocket (25 KK) under strategy 2 only; F no pocket (20 KK) by no programme;
             H has data for 2023 only.
kecamatan Z: G no pocket (10 KK), reached. Z has no pocket at all.
"""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from helpers import dataversion
from reports.targeting import targeting_check, targeting_summary
from tests.factories import (
    AgencyFactory,
    DistrictFactory,
    PovertyStatisticFactory,
    ProgramFactory,
    StrategyFactory,
    VillageDataFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

MILLION = 1_000_000


def _village(district, code, name, population, poor_people, poor_households, year=2024):
    village = VillageFactory(district=district, code=code, name=name)
    VillageDataFactory(
        verified=True,
        village=village,
        year=year,
        population=population,
        households=max(poor_households, 300),
        poor_people=poor_people,
        poor_households=poor_households,
        extremely_poor_people=0,
    )
    return village


@pytest.fixture
def strategies(db):
    return {n: StrategyFactory(number=n, name=f"Strategi {n}") for n in (1, 2, 3)}


@pytest.fixture
def district_z(db):
    return DistrictFactory(code="62.13.03", name="Paju Epat")


@pytest.fixture
def territory(strategies, district_x, district_y, district_z, agency_a, agency_b):
    PovertyStatisticFactory(year=2024, poverty_rate=Decimal("6.66"))
    v = {
        "A": _village(district_x, "62.13.01.2001", "Ampah", 1000, 200, 50),
        "B": _village(district_x, "62.13.01.2002", "Bentot", 1000, 150, 40),
        "C": _village(district_x, "62.13.01.2004", "Cempaka", 2000, 300, 80),
        "D": _village(district_x, "62.13.01.1001", "Dayu", 10_000, 100, 30),
        "E": _village(district_y, "62.13.02.2002", "Eris", 500, 100, 25),
        "F": _village(district_y, "62.13.02.2003", "Fajar", 5000, 50, 20),
        "G": _village(district_z, "62.13.03.2001", "Gandrung", 3000, 60, 10),
        "H": _village(district_y, "62.13.02.2009", "Haruyan", 400, 100, 40, year=2023),
    }
    agency_c = AgencyFactory(name="Dinas Perumahan Uji", abbreviation="PERKIM")
    s1, s2, s3 = strategies[1], strategies[2], strategies[3]
    programs = {
        "P1": ProgramFactory(
            verified=True,
            name="Bantuan pangan",
            agency=agency_a,
            strategy=s1,
            budget_ceiling=500 * MILLION,
            target_villages=[v["A"], v["B"]],
        ),
        "P2": ProgramFactory(
            verified=True,
            name="Modal usaha",
            agency=agency_b,
            strategy=s2,
            budget_ceiling=300 * MILLION,
            target_villages=[v["A"], v["E"]],
        ),
        "P3": ProgramFactory(
            verified=True,
            name="Bedah rumah",
            agency=agency_c,
            strategy=s3,
            budget_ceiling=200 * MILLION,
            target_villages=[v["A"]],
        ),
        "P4": ProgramFactory(
            verified=True,
            name="Pelatihan kerja",
            agency=agency_b,
            strategy=s2,
            budget_ceiling=100 * MILLION,
            target_villages=[v["D"], v["G"]],
        ),
        "P5": ProgramFactory(
            verified=True,
            name="Sosialisasi",
            agency=agency_a,
            strategy=s1,
            budget_ceiling=50 * MILLION,
        ),
        "P6": ProgramFactory(
            verified=True,
            name="Bantuan lama",
            agency=agency_a,
            strategy=s1,
            year=2023,
            target_villages=[v["C"], v["F"]],
        ),
        "P7": ProgramFactory(
            verified=True,
            name="Jamban sehat",
            agency=agency_c,
            strategy=s3,
            budget_ceiling=80 * MILLION,
            target_villages=[v["H"]],
        ),
        "P8": ProgramFactory(
            verified=True,
            name="Rencana 2025",
            agency=agency_a,
            strategy=s1,
            year=2025,
            target_villages=[v["C"]],
        ),
    }
    return v, programs


def _row(check, name):
    return next(row for row in check.villages if row.name == name)


def _names(refs):
    return [ref.name for ref in refs]


# The selector


def test_villages_are_listed_pockets_first_then_by_poor_households(territory, viewer_user):
    check = targeting_check(user=viewer_user, year=2024)

    assert [row.name for row in check.villages] == [
        "Cempaka",
        "Ampah",
        "Bentot",
        "Eris",
        "Dayu",
        "Fajar",
        "Gandrung",
    ]
    assert [row.is_pocket for row in check.villages] == [True] * 4 + [False] * 3


def test_each_strategy_lists_the_programmes_reaching_the_village(territory, viewer_user):
    check = targeting_check(user=viewer_user, year=2024)

    ampah = _row(check, "Ampah")
    assert [_names(cell.programs) for cell in ampah.by_strategy] == [
        ["Bantuan pangan"],
        ["Modal usaha"],
        ["Bedah rumah"],
    ]
    assert [cell.programs[0].agency_label for cell in ampah.by_strategy] == [
        "DINSOS",
        "DINKES",
        "PERKIM",
    ]
    assert ampah.reached and not ampah.pocket_unreached and not ampah.pocket_missing_strategies
    assert ampah.poor_households == 50
    assert ampah.poverty_rate == pytest.approx(20.0)


def test_a_pocket_reached_under_one_strategy_only_is_missing_the_other_two(territory, viewer_user):
    check = targeting_check(user=viewer_user, year=2024)

    bentot = _row(check, "Bentot")
    assert bentot.pocket_missing_strategies
    assert not bentot.pocket_unreached
    assert [s.number for s in bentot.missing_strategies] == [2, 3]
    assert [s.number for s in _row(check, "Eris").missing_strategies] == [1, 3]
    assert [row.name for row in check.partly_covered_pockets] == ["Bentot", "Eris"]


def test_a_pocket_no_programme_reaches_is_flagged_and_programmes_of_other_years_do_not_count(
    territory, viewer_user
):
    # Bantuan lama (2023) and Rencana 2025 both target Cempaka; neither is of 2024.
    check = targeting_check(user=viewer_user, year=2024)

    cempaka = _row(check, "Cempaka")
    assert cempaka.pocket_unreached
    assert not cempaka.pocket_missing_strategies
    assert [row.name for row in check.uncovered_pockets] == ["Cempaka"]
    fajar = _row(check, "Fajar")
    assert not fajar.reached and not fajar.pocket_unreached


def test_the_uncovered_share_is_over_every_village_with_data_for_the_year(territory, viewer_user):
    check = targeting_check(user=viewer_user, year=2024)

    # Cempaka 80 + Fajar 20 of 50 + 40 + 80 + 30 + 25 + 20 + 10 = 255 poor households.
    assert check.regency_poor_households == 255
    assert check.regency_uncovered_poor_households == 100
    assert check.regency_uncovered_share == pytest.approx(100 * 100 / 255)


def test_programmes_reaching_no_pocket_and_without_target_village(territory, viewer_user):
    check = targeting_check(user=viewer_user, year=2024)

    without_pocket = [
        (f.program.name, f.program.agency_label, f.target_villages, f.targets_without_data)
        for f in check.programs_without_pocket
    ]
    # Jamban sehat's only target village has no data for 2024, so it reaches no pocket.
    assert without_pocket == [("Pelatihan kerja", "DINKES", 2, 0), ("Jamban sehat", "PERKIM", 1, 1)]
    assert [(f.program.name, f.program.agency_label) for f in check.programs_without_target] == [
        ("Sosialisasi", "DINSOS")
    ]


def _summary(check, code):
    return next(s for s in check.districts if s.code == code)


def _per_strategy(summary):
    return [(t.programs, t.budget_ceiling) for t in summary.by_strategy]


def test_the_district_summary_counts_a_programme_once_per_district_with_its_whole_pagu(
    territory, viewer_user
):
    check = targeting_check(user=viewer_user, year=2024)

    x, y, z = (_summary(check, code) for code in ("62.13.01", "62.13.02", "62.13.03"))
    assert (x.villages_with_data, x.poor_households, x.pockets, x.pockets_reached) == (
        4,
        200,
        3,
        2,
    )
    assert (x.uncovered_poor_households, x.uncovered_share) == (80, 40.0)
    # Bantuan pangan reaches two villages of X and counts once there.
    assert _per_strategy(x) == [(1, 500 * MILLION), (2, 400 * MILLION), (1, 200 * MILLION)]
    assert (y.villages_with_data, y.poor_households, y.pockets, y.pockets_reached) == (2, 45, 1, 1)
    assert _per_strategy(y) == [(0, 0), (1, 300 * MILLION), (1, 80 * MILLION)]
    # Z has no pocket; Pelatihan kerja counts with its whole pagu in X and in Z.
    assert (z.pockets, z.pockets_reached, z.uncovered_poor_households) == (0, 0, 0)
    assert _per_strategy(z) == [(0, 0), (1, 100 * MILLION), (0, 0)]
    total = check.total
    assert (total.poor_households, total.pockets, total.pockets_reached) == (255, 4, 3)
    assert _per_strategy(total) == [(1, 500 * MILLION), (2, 400 * MILLION), (2, 280 * MILLION)]


def test_a_district_filter_keeps_its_villages_and_programmes_and_the_regency_share(
    territory, viewer_user, district_x
):
    check = targeting_check(user=viewer_user, year=2024, district=district_x)

    assert [row.name for row in check.villages] == ["Cempaka", "Ampah", "Bentot", "Dayu"]
    assert [f.program.name for f in check.programs_without_pocket] == ["Pelatihan kerja"]
    assert [f.program.name for f in check.programs_without_target] == ["Sosialisasi"]
    assert [s.code for s in check.districts] == ["62.13.01"]
    assert check.total.uncovered_share == 40.0
    assert check.regency_uncovered_share == pytest.approx(100 * 100 / 255)


def test_a_year_without_village_data_judges_no_programme_by_pockets(territory, viewer_user):
    check = targeting_check(user=viewer_user, year=2025)

    assert not check.has_village_data
    assert check.villages == []
    assert check.programs_without_pocket == []
    assert check.regency_uncovered_share is None


def test_targeting_summary_lists_uncovered_pockets_and_the_share(territory, viewer_user):
    summary = targeting_summary(user=viewer_user, year=2024)

    assert summary.has_village_data
    assert summary.pockets == 4
    assert [row.name for row in summary.uncovered_pockets] == ["Cempaka"]
    assert summary.uncovered_pocket_count == 1
    assert summary.partly_covered_pockets == 2
    assert (summary.uncovered_poor_households, summary.poor_households) == (100, 255)
    assert summary.uncovered_share == pytest.approx(39.2157, abs=1e-4)


def test_targeting_summary_limit_keeps_the_largest_uncovered_pockets(
    strategies, district_x, viewer_user
):
    PovertyStatisticFactory(year=2024, poverty_rate=Decimal("6.66"))
    for n, households in enumerate((30, 90, 60)):
        _village(district_x, f"62.13.01.20{n:02d}", f"Desa {households}", 1000, 300, households)

    summary = targeting_summary(user=viewer_user, year=2024, limit=2)

    assert [row.poor_households for row in summary.uncovered_pockets] == [90, 60]
    assert summary.uncovered_pocket_count == 3


def test_the_summary_include_shows_the_uncovered_pockets(territory, viewer_user):
    from django.template.loader import render_to_string

    html = render_to_string(
        "reports/_targeting_summary.html",
        {"targeting": targeting_summary(user=viewer_user, year=2024)},
    )

    assert "Cempaka" in html
    assert "Ampah" not in html
    assert "39,22%" in html
    assert "100 dari 255 KK" in html
    assert "1 dari 4" in html
    assert f"{reverse('reports:targeting')}?year=2024" in html


def test_the_summary_include_says_when_the_year_has_no_village_data(viewer_user):
    from django.template.loader import render_to_string

    html = render_to_string(
        "reports/_targeting_summary.html",
        {"targeting": targeting_summary(user=viewer_user, year=2030)},
    )

    assert "Tidak ada data desa untuk tahun 2030." in html


# The page


def _get(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reports:targeting"), params)


def _row_html(content, code):
    start = content.index(f'id="village-{code}"')
    return content[start : content.index("</tr>", start)]


def test_the_page_defaults_to_the_latest_year_with_village_data(client, territory, viewer_user):
    # 2025 has a programme but no village data; 2023 has village data but is older.
    response = _get(client, viewer_user)

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["check"].year == 2024
    assert '<option value="2024" selected>' in content
    assert f'href="{reverse("reports:targeting")}?year=2024"' in content


def test_the_page_shows_flags_as_text_and_the_headline(client, territory, viewer_user):
    content = _get(client, viewer_user, year=2024).content.decode()

    assert 'id="uncovered-pocket-count">1<' in content
    assert 'id="pocket-count">4<' in content
    assert 'id="partly-covered-pocket-count">2<' in content
    assert 'id="uncovered-share">39,22%<' in content
    assert "100 dari 255" in content
    cempaka = _row_html(content, "62.13.01.2004")
    assert "Kantong kemiskinan tak dijangkau program mana pun" in cempaka
    assert cempaka.count("tidak ada") == 3
    bentot = _row_html(content, "62.13.01.2002")
    assert "Kantong tanpa strategi: 2, 3" in bentot
    assert 'Bantuan pangan <span class="text-muted" title="Dinas Sosial Uji">(DINSOS)' in bentot
    assert "15,00%" in bentot
    fajar = _row_html(content, "62.13.02.2003")
    assert "Tidak dijangkau program mana pun" in fajar
    ampah = _row_html(content, "62.13.01.2001")
    assert "badge text-bg-danger" not in ampah and "badge text-bg-warning" not in ampah


def test_the_page_lists_programmes_without_pocket_or_target_by_agency(
    client, territory, viewer_user
):
    content = _get(client, viewer_user, year=2024).content.decode()

    start = content.index('id="programs-without-pocket"')
    without_pocket = content[start : content.index('id="programs-without-target"')]
    assert "Pelatihan kerja" in without_pocket and "Jamban sehat" in without_pocket
    assert "Bantuan pangan" not in without_pocket
    assert without_pocket.index("Dinas Kesehatan Uji") < without_pocket.index("Dinas Perumahan Uji")
    without_target = content[
        content.index('id="programs-without-target"') : content.index('id="district-summary"')
    ]
    assert "Sosialisasi" in without_target and "Dinas Sosial Uji" in without_target
    assert "Rp50.000.000" in without_target


def test_the_page_shows_the_district_summary_with_a_total(client, territory, viewer_user):
    content = _get(client, viewer_user, year=2024).content.decode()

    summary = content[content.index('id="district-62.13.01"') :]
    first_row = summary[: summary.index("</tr>")]
    assert "Rp400.000.000" in first_row
    assert "80 (40,00%)" in first_row
    total = content[content.index('id="district-total"') :]
    assert "Rp280.000.000" in total[: total.index("</tr>")]


def test_the_district_filter_is_in_the_link_and_narrows_the_page(client, territory, viewer_user):
    response = _get(client, viewer_user, year=2024, kecamatan="62.13.02")

    content = response.content.decode()
    assert [row.name for row in response.context["check"].villages] == ["Eris", "Fajar"]
    assert "Cempaka" not in content
    assert f'href="{reverse("reports:targeting")}?year=2024&amp;kecamatan=62.13.02"' in content
    assert 'id="district-uncovered-share"' in content
    assert "44,44%" in content


def test_a_year_without_village_data_says_so(client, territory, viewer_user):
    response = _get(client, viewer_user, year=2025)

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="no-village-data"' in content
    assert "Tidak ada data desa untuk tahun 2025." in content
    assert 'id="village-table"' not in content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "2019"}, "<strong>Tahun</strong>: “2019” bukan tahun yang memiliki data desa"),
        ({"year": "dua ribu"}, "<strong>Tahun</strong>: “dua ribu” bukan tahun"),
        (
            {"year": "2024", "kecamatan": "99.99.99"},
            "<strong>Kecamatan</strong>: Tidak ada kecamatan dengan kode “99.99.99”.",
        ),
    ],
)
def test_invalid_filters_show_a_message_not_an_empty_table(
    client, territory, viewer_user, params, message
):
    response = _get(client, viewer_user, **params)

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="filter-errors"' in content
    assert message in content
    assert 'id="village-table"' not in content


@pytest.mark.parametrize(
    "user_fixture",
    ["admin_user", "opd_a_user", "opd_b_user", "camat_x_user", "camat_y_user", "viewer_user"],
)
def test_every_role_reads_the_page(client, territory, request, user_fixture):
    response = _get(client, request.getfixturevalue(user_fixture), year=2024)

    assert response.status_code == 200
    assert len(response.context["check"].villages) == 7


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("reports:targeting"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# The export


def _workbook(client, user, **params):
    response = _get(client, user, _export="xlsx", **params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return response, load_workbook(BytesIO(response.content))


def _values(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_xlsx_has_villages_programmes_and_district_sheets_with_numbers(
    client, territory, viewer_user
):
    response, workbook = _workbook(client, viewer_user, year=2024)

    assert 'filename="tepat-sasaran_2024.xlsx"' in response["Content-Disposition"]
    villages, programs, districts = workbook.worksheets
    rows = _values(villages)
    assert len(rows) == 1 + 7
    cempaka = rows[1]
    assert cempaka[:4] == ["62.13.01", "Dusun Timur", "62.13.01.2004", "Cempaka"]
    assert cempaka[4:8] == [2000, 80, 15.0, "ya"]
    assert cempaka[8:11] == [None, None, None]
    bentot = rows[3]
    assert bentot[8] == "Bantuan pangan (DINSOS)"
    assert bentot[-2:] == ["Kantong tanpa strategi: 2, 3", "tidak"]
    program_rows = _values(programs)[1:]
    assert [(r[0], r[1], r[3], r[4], r[5]) for r in program_rows] == [
        ("Dinas Kesehatan Uji", "Pelatihan kerja", 100 * MILLION, 2, 0),
        ("Dinas Sosial Uji", "Sosialisasi", 50 * MILLION, 0, 0),
        ("Dinas Perumahan Uji", "Jamban sehat", 80 * MILLION, 1, 1),
    ]
    district_rows = _values(districts)[1:]
    assert district_rows[0][:9] == ["62.13.01", "Dusun Timur", 4, 200, 3, 2, 1, 80, 40.0]
    assert district_rows[0][9:] == [1, 500 * MILLION, 2, 400 * MILLION, 1, 200 * MILLION]
    assert district_rows[-1][2:9] == [7, 255, 4, 3, 1, 100, 39.22]
    assert district_rows[-1][9:] == [1, 500 * MILLION, 2, 400 * MILLION, 2, 280 * MILLION]


def test_the_xlsx_follows_the_district_filter(client, territory, viewer_user):
    response, workbook = _workbook(client, viewer_user, year=2024, kecamatan="62.13.03")

    assert 'filename="tepat-sasaran_2024_kecamatan-621303.xlsx"' in response["Content-Disposition"]
    assert [row[3] for row in _values(workbook.worksheets[0])[1:]] == ["Gandrung"]
    assert [row[:2] for row in _values(workbook.worksheets[2])[1:]] == [
        ["62.13.03", "Paju Epat"],
        [None, "Jumlah (tiap program dihitung sekali)"],
    ]


def test_the_xlsx_writes_formula_like_names_as_text(
    client, territory, strategies, viewer_user, agency_a
):
    ProgramFactory(
        verified=True, name='=HYPERLINK("http://x","klik")', agency=agency_a, strategy=strategies[1]
    )

    _response, workbook = _workbook(client, viewer_user, year=2024)

    cell = next(
        row[1]
        for row in workbook.worksheets[1].iter_rows(min_row=2)
        if "HYPERLINK" in str(row[1].value)
    )
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://x","klik")'


# Query count


def _territory_of_size(size, strategies, agency_a):
    PovertyStatisticFactory(year=2024, poverty_rate=Decimal("6.66"))
    district = DistrictFactory(code=f"62.13.{size:02d}", name=f"Kecamatan {size}")
    villages = [
        _village(district, f"62.13.77.{size:02d}{n:02d}", f"Desa {n}", 1000, 100 + n, 20 + n)
        for n in range(size)
    ]
    for n in range(size):
        ProgramFactory(
            verified=True,
            name=f"Program {size}-{n}",
            agency=agency_a if n % 2 else AgencyFactory(),
            strategy=strategies[n % 3 + 1],
            target_villages=villages[n : n + 2] if n % 4 else [],
        )


@pytest.mark.parametrize("size", [3, 30])
def test_the_page_query_count_does_not_grow(
    client, strategies, agency_a, viewer_user, size, django_assert_max_num_queries
):
    _territory_of_size(size, strategies, agency_a)
    client.force_login(viewer_user)

    # Session, user, the two year lists, the kecamatan, the data version (the page's cache
    # key), strategies, programmes, links, rule, village data, summary kecamatan, the
    # kecamatan's village names for the map, the kecamatan dropdown and the latest registry
    # snapshot, asked by the family section and by the villages' family columns (none here).
    with django_assert_max_num_queries(16):
        response = client.get(
            reverse("reports:targeting"), {"year": 2024, "kecamatan": f"62.13.{size:02d}"}
        )
    assert len(response.context["check"].villages) == size
    # The export asks for the latest registry snapshot too.
    with django_assert_max_num_queries(13):
        client.get(reverse("reports:targeting"), {"year": 2024, "_export": "xlsx"})


def test_the_page_pays_the_same_queries_for_3_and_30(client, strategies, agency_a, viewer_user):
    client.force_login(viewer_user)
    counts = []
    for size in (3, 30):
        _territory_of_size(size, strategies, agency_a)
        dataversion.bump()  # as a write service would: the check is computed afresh
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("reports:targeting"), {"year": 2024})
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_a_district_without_village_data_says_so(client, territory, viewer_user):
    DistrictFactory(code="62.13.04", name="Awang")

    content = _get(client, viewer_user, year=2024, kecamatan="62.13.04").content.decode()

    assert "Belum ada desa/kelurahan di kecamatan ini yang memiliki data untuk tahun 2024." in (
        content
    )
    assert 'id="village-table"' not in content


def test_an_unknown_export_format_is_refused_with_a_message(client, territory, viewer_user):
    response = _get(client, viewer_user, year=2024, _export="csv")

    assert response["Content-Type"].startswith("text/html")
    assert "Tidak ada ekspor sebagai “csv” di halaman ini." in response.content.decode()


def test_an_export_with_invalid_filters_shows_the_message_not_a_file(
    client, territory, viewer_user
):
    response = _get(client, viewer_user, year=2019, _export="xlsx")

    assert response["Content-Type"].startswith("text/html")
    assert 'id="filter-errors"' in response.content.decode()


def test_the_pocket_rule_reads_the_same_on_every_page(client, territory, viewer_user):
    client.force_login(viewer_user)
    rule = re.compile(r"Desa/kelurahan menjadi kantong kemiskinan bila .*?\(KK\)\.")

    sentences = {
        path: rule.findall(client.get(path, {"year": 2024}).content.decode())
        for path in (
            reverse("reports:targeting"),
            reverse("reports:meeting_report", args=[2024]),
            reverse("villages:village_list"),
        )
    }

    targeting, report, villages = sentences.values()
    assert len(targeting) == 1
    assert report == targeting
    # The village table describes the rule, not one year's threshold: same minimum.
    assert villages and villages[0].endswith(targeting[0].split(" dan ")[-1])


# The villages' family columns (docs/targeting.md, "Families")


@pytest.fixture
def registry(territory, admin_user):
    """Ampah: families 1 and 2 in decile 1, 3 in decile 3; Eris: 4 in decile 1, 5 in decile
    7. Bantuan pangan helps family 1; Modal usaha helps family 3."""
    from families.services import beneficiary_add
    from tests.families_helpers import import_registry, kk, registry_row

    v, programs = territory
    snapshot = import_registry(
        admin_user,
        [
            registry_row(1, v["A"], 1),
            registry_row(2, v["A"], 1),
            registry_row(3, v["A"], 3),
            registry_row(4, v["E"], 1),
            registry_row(5, v["E"], 7),
        ],
    )
    for program, n in ((programs["P1"], 1), (programs["P2"], 3)):
        beneficiary_add(actor=admin_user, program=program, kk=kk(n), quarter=1, kind="cash")
    return snapshot


def _family_cells(row_html):
    return re.findall(r'<td class="number">([^<]*)', row_html)[-3:]


def test_each_village_row_shows_its_eligible_families_reached_and_decile_1_unreached(
    client, registry, viewer_user
):
    content = _get(client, viewer_user, year=2024).content.decode()

    assert str(registry) in content[content.index('id="village-family-snapshot"') :]
    ampah = _row_html(content, "62.13.01.2001")
    # 3 eligible (deciles 1-4), 2 of them reached (66,67%), family 2 of decile 1 is not.
    assert _family_cells(ampah) == ["3", "2", "1"]
    assert "(66,67%)" in ampah
    assert _family_cells(_row_html(content, "62.13.02.2002")) == ["1", "0", "1"]
    # A village without a family in the registry counts none.
    assert _family_cells(_row_html(content, "62.13.01.2004")) == ["0", "0", "0"]
    assert "Keluarga Uji" not in content


def test_the_family_columns_agree_with_the_measures_page_and_the_xlsx(
    client, registry, viewer_user
):
    client.force_login(viewer_user)
    measures = client.get(
        reverse("families:measures"), {"year": 2024, "snapshot": registry.pk, "by": "village"}
    )
    by_name = {row.label: row for row, _cells in measures.context["table"]}

    _response, workbook = _workbook(client, viewer_user, year=2024)

    header, *rows = _values(workbook.worksheets[0])
    # Six family columns after the 14 of a village.
    first = 14
    assert len(header) == first + 6
    for row in rows:
        expected = by_name.get(row[3])
        eligible = expected.eligible if expected else 0
        reached = eligible - expected.eligible_unreached if expected else 0
        unreached = expected.decile1_unreached if expected else 0
        assert (row[first], row[first + 1], row[first + 4]) == (eligible, reached, unreached)
        assert row[first + 5] == str(registry)
    ampah = next(row for row in rows if row[3] == "Ampah")
    assert ampah[first : first + 5] == [3, 2, 66.67, 2, 1]


def test_without_a_registry_snapshot_the_village_rows_have_no_family_columns(
    client, territory, viewer_user
):
    content = _get(client, viewer_user, year=2024).content.decode()
    _response, workbook = _workbook(client, viewer_user, year=2024)

    assert 'id="village-family-snapshot"' not in content
    assert len(_values(workbook.worksheets[0])[0]) == 14


def test_the_family_columns_cost_the_same_queries_for_3_and_30_villages(
    client, strategies, agency_a, viewer_user, admin_user
):
    from bartim.models import Village
    from tests.families_helpers import import_registry, registry_row

    client.force_login(viewer_user)
    counts = []
    for size in (3, 30):
        _territory_of_size(size, strategies, agency_a)
        villages = Village.objects.filter(code__startswith="62.13.77.")
        import_registry(
            admin_user,
            [registry_row(n, village, n % 5 + 1) for n, village in enumerate(villages, 1)],
            label=f"DTSEN {size}",
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("reports:targeting"), {"year": 2024})
        counts.append(len(queries))
        rows = response.context["check"].villages
        assert sum(row.families.eligible for row in rows) > 0

    assert counts[0] == counts[1]
