"""/programs/: the programme table with its filters, sorting, pages and exports."""

import datetime
import html
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from bartim.models import ReviewStatus
from indicators.models import Indicator
from programs import periods
from programs.tables import ProgramTable
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

URL = reverse("programs:program_list")
# The budget columns after the needs (docs/budget.md), as the interface's catalogue names them.
with translation.override("id"):
    NEW_BUDGET_HEADERS = [
        gettext("Original budget ceiling (Rp)"),
        gettext("Revised budget ceiling (Rp)"),
        gettext("Funding sources"),
    ]
ROLES = ["admin_user", "opd_a_user", "opd_b_user", "camat_x_user", "camat_y_user", "viewer_user"]


def _with_value(program, realized, *, quarter=1, **indicator):
    indicator = IndicatorFactory(program=program, **indicator)
    IndicatorValueFactory(indicator=indicator, quarter=quarter, realized=Decimal(realized))
    return indicator


@pytest.fixture
def world(agency_a, agency_b, village_x, village_y):
    first, second = StrategyFactory(number=1), StrategyFactory(number=2)
    # 60 of a yearly 100 in TW I: 240% as of TW I (the mean counts it as 100%), 60% as of TW IV.
    ahead = ProgramFactory(
        name="Bantuan Pangan",
        agency=agency_a,
        strategy=first,
        status=ReviewStatus.APPROVED,
        budget_ceiling=1_250_000_000,
        budget_realized_q1=83_250_000,
        target_villages=[village_x],
    )
    _with_value(ahead, "60")
    # A rate reported at 80 of 100: 80% in every quarter.
    steady = ProgramFactory(
        name="Jamban Sehat",
        agency=agency_b,
        strategy=second,
        status=ReviewStatus.SUBMITTED,
        budget_ceiling=400_000_000,
        budget_realized_q1=100_000_000,
        budget_realized_q3=200_000_000,
        target_villages=[village_y],
    )
    _with_value(steady, "80", aggregation=Indicator.Aggregation.LATEST)
    silent = ProgramFactory(
        name="Pelatihan UMKM",
        agency=agency_a,
        strategy=second,
        budget_ceiling=0,
        target_villages=[village_x, village_y],
    )
    IndicatorFactory(program=silent)
    old = ProgramFactory(name="Program Lama", agency=agency_a, strategy=first, year=2023)
    return SimpleNamespace(ahead=ahead, steady=steady, silent=silent, old=old)


def names(response):
    return html_column(response, "Program")


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_every_programme(client, world, request, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(URL, {"quarter": 4})

    assert response.status_code == 200
    assert sorted(names(response)) == ["Bantuan Pangan", "Jamban Sehat", "Pelatihan UMKM"]


def test_default_period_is_the_latest_year_and_its_last_quarter(viewer_client, world, monkeypatch):
    moment = datetime.datetime(2025, 2, 1, tzinfo=datetime.UTC)
    monkeypatch.setattr(periods.timezone, "now", lambda: moment)

    response = viewer_client.get(URL)

    assert "Tahun 2024" in " ".join(response.content.decode().split())
    assert "Sampai triwulan TW IV" in " ".join(response.content.decode().split())
    assert "Program Lama" not in names(response)


def test_row_shows_budget_and_achievement_in_indonesian_format(viewer_client, world):
    headers, rows = html_table(
        viewer_client.get(URL, {"columns": "all", "quarter": 1, "q": "Bantuan"})
    )

    assert dict(zip(headers, rows[0], strict=True)) == {
        "Program": "Bantuan Pangan",
        "Pemilik": "DINSOS",
        "Jenis pemilik": "Perangkat daerah kabupaten (OPD)",
        "Strategi": "1",
        "Kode program": "–",
        "Kode kegiatan": "–",
        "Kode sub kegiatan": "–",
        "Tahun": "2024",
        "Pagu (Rp)": "Rp1.250.000.000",
        "Realisasi anggaran (Rp)": "Rp83.250.000",
        "Serapan anggaran (%)": "6,66%",
        "Indikator": "1",
        "Rata-rata capaian (%)": "100,00%",
        "Kategori": "sangat tinggi",
        "Status": "Disetujui",
        "Desa yang dijangkau": "1",
        "Kebutuhan dasar": "—",
        # Not revised: the original ceiling is the one in force; no funding listed.
        **dict(zip(NEW_BUDGET_HEADERS, ["Rp1.250.000.000", "–", "–"], strict=True)),
    }


def test_budget_realised_counts_the_quarters_up_to_the_one_chosen(viewer_client, world):
    as_of_q2 = viewer_client.get(URL, {"columns": "all", "quarter": 2, "q": "Jamban"})
    as_of_q3 = viewer_client.get(URL, {"columns": "all", "quarter": 3, "q": "Jamban"})

    assert html_column(as_of_q2, "Realisasi anggaran (Rp)") == ["Rp100.000.000"]
    assert html_column(as_of_q3, "Realisasi anggaran (Rp)") == ["Rp300.000.000"]
    assert html_column(as_of_q3, "Serapan anggaran (%)") == ["75,00%"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"year": 2023}, ["Program Lama"]),
        ({"strategy": 2}, ["Jamban Sehat", "Pelatihan UMKM"]),
        ({"status": "approved"}, ["Bantuan Pangan"]),
        ({"q": "jamban"}, ["Jamban Sehat"]),
        ({"q": "dinsos"}, ["Bantuan Pangan", "Pelatihan UMKM"]),
        ({"category": "no_data"}, ["Pelatihan UMKM"]),
        ({"category": "high"}, ["Jamban Sehat"]),
        ({"category": "low"}, ["Bantuan Pangan"]),
        ({"category": "very_high"}, []),
    ],
)
def test_filter_selects_rows(viewer_client, world, params, expected):
    response = viewer_client.get(URL, {"quarter": 4, **params})

    assert sorted(names(response)) == expected


def test_filter_by_opd(viewer_client, world, agency_a):
    response = viewer_client.get(URL, {"opd": agency_a.pk})

    assert sorted(names(response)) == ["Bantuan Pangan", "Pelatihan UMKM"]


def test_filter_by_kecamatan_and_desa_keeps_programmes_targeting_villages_there(
    viewer_client, world, district_x, village_y
):
    by_kecamatan = viewer_client.get(URL, {"kecamatan": district_x.code})
    by_desa = viewer_client.get(URL, {"desa": village_y.code})

    assert sorted(names(by_kecamatan)) == ["Bantuan Pangan", "Pelatihan UMKM"]
    assert sorted(names(by_desa)) == ["Jamban Sehat", "Pelatihan UMKM"]


def test_quarter_changes_achievement_and_category(viewer_client, world):
    as_of_q1 = viewer_client.get(URL, {"quarter": 1, "category": "very_high"})
    as_of_q4 = viewer_client.get(URL, {"quarter": 4, "q": "Bantuan"})

    assert names(as_of_q1) == ["Bantuan Pangan"]
    assert html_column(as_of_q4, "Rata-rata capaian (%)") == ["60,00%"]
    assert html_column(as_of_q4, "Kategori") == ["rendah"]


def test_active_filters_are_shown_with_a_link_that_removes_each(viewer_client, world, agency_a):
    response = viewer_client.get(URL, {"quarter": 4, "opd": agency_a.pk, "status": "approved"})

    chips = {chip["name"]: chip for chip in response.context["active_filters"]}
    assert chips["opd"]["value"] == "Dinas Sosial Uji"
    assert chips["opd"]["remove_url"] == "?quarter=4&status=approved"
    assert chips["status"]["value"] == "Disetujui"
    assert "Pemilik: Dinas Sosial Uji" in response.content.decode()


def test_opd_dropdown_lists_only_agencies_that_run_programmes(viewer_client, world):
    AgencyFactory(name="Badan Tanpa Program")

    response = viewer_client.get(URL)

    choices = [label for _, label in response.context["filter"].form.fields["opd"].choices]
    assert choices == ["Semua", "Dinas Kesehatan Uji", "Dinas Sosial Uji"]


@pytest.mark.parametrize("direction", ["", "-"])
def test_sorting_by_mean_achievement_keeps_programmes_without_data_last(
    viewer_client, world, direction
):
    response = viewer_client.get(URL, {"quarter": 4, "sort": f"{direction}mean_achievement"})

    ranked = ["Bantuan Pangan", "Jamban Sehat"]
    assert names(response) == (ranked if direction == "" else ranked[::-1]) + ["Pelatihan UMKM"]


def test_sorting_by_absorption(viewer_client, world):
    response = viewer_client.get(URL, {"quarter": 4, "sort": "-absorption"})

    assert names(response) == ["Jamban Sehat", "Bantuan Pangan", "Pelatihan UMKM"]


@pytest.fixture
def many(agency_a, agency_b):
    """32 programmes of agency A with achievements 10% to 100% (ties included) and 3 of B."""
    strategy = StrategyFactory(number=1)
    for number in range(32):
        program = ProgramFactory(
            name=f"Program A{number:02d}",
            agency=agency_a,
            strategy=strategy,
            budget_ceiling=1_000_000 * (number + 1),
            budget_realized_q1=10_000 * number,
        )
        _with_value(program, str(10 + (number % 10) * 10), aggregation="latest")
    for number in range(3):
        ProgramFactory(name=f"Program B{number}", agency=agency_b, strategy=strategy)


def _all_pages(client, params):
    first = client.get(URL, params)
    second = client.get(URL, {**params, "page": 2})
    return names(first), names(second)


def test_pages_are_ordered_deterministically_and_cover_every_row_once(
    viewer_client, many, agency_a
):
    params = {"quarter": 4, "opd": agency_a.pk, "sort": "-mean_achievement"}

    first, second = _all_pages(viewer_client, params)

    assert len(first) == 25
    assert len(second) == 7
    assert sorted(first + second) == [f"Program A{number:02d}" for number in range(32)]


def test_csv_export_holds_exactly_the_filtered_rows_of_every_page(viewer_client, many, agency_a):
    params = {"quarter": 4, "opd": agency_a.pk, "sort": "-mean_achievement"}
    first, second = _all_pages(viewer_client, params)

    response = viewer_client.get(URL, {**params, "_export": "csv"})

    rows = csv_rows(response)
    assert rows[0] == [
        "Program",
        "Pemilik",
        "Strategi",
        "Kode program",
        "Kode kegiatan",
        "Kode sub kegiatan",
        "Tahun",
        "Pagu (Rp)",
        "Realisasi anggaran (Rp)",
        "Serapan anggaran (%)",
        "Indikator",
        "Rata-rata capaian (%)",
        "Kategori",
        "Status",
        "Desa yang dijangkau",
        "Kebutuhan dasar",
        *NEW_BUDGET_HEADERS,
        "Jenis pemilik",
    ]
    assert column(rows, "Program") == first + second
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Program A05"][7:13] == [
        "6000000",
        "50000",
        "0,83",
        "1",
        "60,00",
        "rendah",
    ]
    assert response["Content-Disposition"] == (
        f'attachment; filename="program_2024_tw4_opd-{agency_a.pk}.csv"'
    )


def test_csv_export_in_english_uses_commas_and_decimal_points(viewer_client, many, agency_a):
    """Excel with English regional settings splits on commas and reads 0.83; with Indonesian
    ones on semicolons and 0,83 (the test above)."""
    viewer_client.post(reverse("set_language"), {"language": "en"})

    response = viewer_client.get(URL, {"quarter": 4, "opd": agency_a.pk, "_export": "csv"})

    rows = csv_rows(response, delimiter=",")
    assert rows[0][:3] == ["Programme", "Owner", "Strategy"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Program A05"][7:10] == ["6000000", "50000", "0.83"]


def test_xlsx_export_holds_the_same_rows_with_numbers_as_numbers(viewer_client, many, agency_a):
    params = {"quarter": 4, "opd": agency_a.pk, "sort": "-mean_achievement"}
    first, second = _all_pages(viewer_client, params)

    response = viewer_client.get(URL, {**params, "_export": "xlsx"})

    rows = xlsx_rows(response)
    assert column(rows, "Program") == first + second
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Program A05"][7:13] == [6_000_000, 50_000, 0.83, 1, 60, "rendah"]
    assert response["Content-Disposition"] == (
        f'attachment; filename="program_2024_tw4_opd-{agency_a.pk}.xlsx"'
    )


def test_exports_neutralise_text_a_spreadsheet_would_run(viewer_client, agency_a):
    for name in ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)"]:
        ProgramFactory(name=name, agency=agency_a)

    csv_names = column(csv_rows(viewer_client.get(URL, {"_export": "csv"})), "Program")
    xlsx_names = column(xlsx_rows(viewer_client.get(URL, {"_export": "xlsx"})), "Program")

    expected = ["'+1", "'-1", '\'=HYPERLINK("http://x")', "'@SUM(A1)"]
    assert sorted(csv_names) == expected
    assert sorted(xlsx_names) == expected


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abc"}, "“abc” bukan tahun yang memiliki program"),
        ({"year": "1999"}, "“1999” bukan tahun yang memiliki program"),
        ({"quarter": "7"}, "“7” bukan triwulan. Pilih 1, 2, 3, atau 4"),
        ({"strategy": "9"}, "Tidak ada strategi “9”"),
        ({"opd": "abc"}, "Tidak ada perangkat daerah (OPD) dengan ID “abc”"),
        ({"kecamatan": "62.99"}, "Tidak ada kecamatan dengan kode “62.99”"),
        ({"desa": "x"}, "Tidak ada desa atau kelurahan dengan kode “x”"),
        ({"status": "done"}, "“done” bukan status"),
        ({"category": "great"}, "“great” bukan kategori"),
        ({"q": "x" * 101}, "Teks pencarian paling banyak 100 karakter"),
    ],
)
@pytest.mark.parametrize("export", [None, "csv"])
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


def test_unknown_export_format_shows_the_page_with_a_warning(viewer_client, world):
    response = viewer_client.get(URL, {"_export": "pdf"})

    assert response.status_code == 200
    assert "Tidak ada ekspor sebagai “pdf”" in response.content.decode()


def test_page_size_can_be_smaller_but_not_larger_than_100(viewer_client, many):
    assert len(names(viewer_client.get(URL, {"per_page": 10}))) == 10
    assert len(names(viewer_client.get(URL, {"per_page": 100000}))) == 35


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_does_not_grow_with_rows(
    viewer_client, agency_a, village_x, count, django_assert_max_num_queries
):
    strategy = StrategyFactory(number=1)
    for number in range(count):
        program = ProgramFactory(
            agency=agency_a, strategy=strategy, name=f"P{number}", target_villages=[village_x]
        )
        _with_value(program, "50")
        _with_value(program, "70")

    # Session, user, the data version, years, count, four dropdowns (no desa list before a
    # kecamatan is chosen), the page, the page's basic needs: none per row.
    with django_assert_max_num_queries(11):
        response = viewer_client.get(URL, {"quarter": 2, "sort": "-mean_achievement"})
    with django_assert_max_num_queries(11):
        viewer_client.get(URL, {"quarter": 2, "sort": "name"})
    # Session, user, the data version, years, the rows, their basic needs.
    with django_assert_max_num_queries(6):
        export = viewer_client.get(URL, {"quarter": 2, "_export": "xlsx"})

    assert len(names(response)) == min(count, 25)
    assert len(xlsx_rows(export)) == count + 1


def desa_dropdown(response) -> str:
    content = response.content.decode()
    start = content.index('<select name="desa"')
    return content[start : content.index("</select>", start)]


def test_the_village_dropdown_lists_the_chosen_kecamatans_villages_with_their_kecamatan(
    viewer_client, world, village_x, village_y
):
    villages = desa_dropdown(viewer_client.get(URL, {"kecamatan": village_x.district.code}))

    assert f'<option value="{village_x.code}">Pulau Patai (Dusun Timur)</option>' in villages
    assert village_y.code not in villages
    assert '<option value="" selected>Semua</option>' in villages


def test_before_a_kecamatan_is_chosen_the_village_dropdown_asks_for_one(
    viewer_client, world, village_x, village_y
):
    villages = desa_dropdown(viewer_client.get(URL))

    assert "Pilih kecamatan dahulu" in villages
    assert village_x.code not in villages
    assert village_y.code not in villages


def test_a_link_with_a_village_alone_filters_by_it_and_shows_it_chosen(
    viewer_client, world, village_x, village_y
):
    response = viewer_client.get(URL, {"desa": village_y.code})

    assert f'<option value="{village_y.code}" selected>Jango (Benua Lima)</option>' in (
        desa_dropdown(response)
    )
    assert village_x.code not in desa_dropdown(response)
    assert names(response) == ["Jamban Sehat", "Pelatihan UMKM"]


def test_a_village_chosen_under_another_kecamatan_stays_shown_and_both_filters_apply(
    viewer_client, world, district_x, village_x, village_y
):
    response = viewer_client.get(URL, {"kecamatan": district_x.code, "desa": village_y.code})

    villages = desa_dropdown(response)
    assert f'<option value="{village_y.code}" selected>Jango (Benua Lima)</option>' in villages
    assert f'<option value="{village_x.code}">Pulau Patai (Dusun Timur)</option>' in villages
    assert names(response) == ["Pelatihan UMKM"]


def test_dropdown_text_is_escaped(viewer_client, world, district_x):
    VillageFactory(district=district_x, code="62.13.01.2099", name='<b>"Desa"</b>')

    content = viewer_client.get(URL, {"kecamatan": district_x.code}).content.decode()

    assert "&lt;b&gt;&quot;Desa&quot;&lt;/b&gt; (Dusun Timur)" in content
    assert '<b>"Desa"</b>' not in content


def test_a_deep_page_sorted_by_achievement_is_the_slice_of_the_whole_order(viewer_client, many):
    # Sorted with the primary key last (helpers.tables.StableQuerysetData): no row repeated.
    whole = names(viewer_client.get(URL, {"sort": "-mean_achievement", "per_page": 100}))
    second = names(viewer_client.get(URL, {"sort": "-mean_achievement", "page": 2}))

    assert second == whole[25:50]


@pytest.mark.parametrize("count", [30, 60])
def test_a_deep_page_costs_the_same_queries_at_two_sizes(
    viewer_client, agency_a, count, django_assert_max_num_queries
):
    strategy = StrategyFactory(number=1)
    for number in range(count):
        _with_value(ProgramFactory(agency=agency_a, strategy=strategy, name=f"P{number:02d}"), "50")
    last_page = (count + 24) // 25

    # Session, user, the data version, years, count, four dropdowns, the page, its needs.
    with django_assert_max_num_queries(11):
        response = viewer_client.get(URL, {"page": last_page})

    assert names(response) == [f"P{number:02d}" for number in range(25 * (last_page - 1), count)]


def test_the_page_is_kept_and_follows_a_renamed_village(
    viewer_client, admin_user, world, village_x
):
    kecamatan = {"kecamatan": village_x.district.code}
    with CaptureQueriesContext(connection) as first_visit:
        first = viewer_client.get(URL, kecamatan)
    with CaptureQueriesContext(connection) as second_visit:
        second = viewer_client.get(URL, kecamatan)

    # The second visit reads the filters and the table from the cache (helpers.views).
    assert len(second_visit.captured_queries) < len(first_visit.captured_queries)
    assert desa_dropdown(second) == desa_dropdown(first)
    assert "Pulau Patai (Dusun Timur)</option>" in desa_dropdown(first)

    admin = Client()
    admin.force_login(admin_user)
    response = admin.post(
        reverse("admin:bartim_village_change", args=[village_x.pk]),
        {
            "district": village_x.district_id,
            "code": village_x.code,
            "name": "Pulau Patai Baru",
            "kind": village_x.kind,
        },
    )
    assert response.status_code == 302

    renamed = desa_dropdown(viewer_client.get(URL, kecamatan))
    assert f'<option value="{village_x.code}">Pulau Patai Baru (Dusun Timur)</option>' in renamed
    assert "Pulau Patai (Dusun Timur)" not in renamed


def _link(content, text):
    """The href of the link whose text is `text`."""
    match = re.search(rf'href="([^"]*)"[^>]*>{re.escape(text)}</a>', content)
    assert match, text
    return html.unescape(match.group(1))


def test_the_page_shows_the_key_columns_and_a_link_to_the_others(viewer_client, world):
    key_view = viewer_client.get(URL, {"quarter": 1, "opd": world.ahead.agency_id})
    headers, _ = html_table(key_view)

    assert headers == [
        "Program",
        "Pemilik",
        "Strategi",
        "Rata-rata capaian (%)",
        "Kategori",
        "Status",
    ]
    every_column = viewer_client.get(
        URL + _link(key_view.content.decode(), "Tampilkan semua kolom")
    )
    assert "Pagu (Rp)" in html_table(every_column)[0]
    assert len(html_table(every_column)[0]) == len(ProgramTable.base_columns)
    # The filters stay as they were, and the way back leads to the key columns again.
    assert names(every_column) == ["Bantuan Pangan", "Pelatihan UMKM"]
    back = _link(every_column.content.decode(), "Tampilkan kolom utama saja")
    assert html_table(viewer_client.get(URL + back))[0] == headers


def test_the_choice_of_columns_survives_filtering_sorting_and_paging(viewer_client, many):
    response = viewer_client.get(URL, {"columns": "all"})
    content = response.content.decode()

    assert '<input type="hidden" name="columns" value="all">' in content
    sort_link = _link(content, "Pagu (Rp)")
    assert "columns=all" in sort_link
    assert "columns=all" in _link(content, "2")
    assert "Pagu (Rp)" in html_table(viewer_client.get(URL + sort_link))[0]


def test_sorting_by_a_secondary_column_keeps_it_in_sight(viewer_client, world):
    headers, _ = html_table(viewer_client.get(URL, {"quarter": 4, "sort": "-absorption"}))

    assert "Serapan anggaran (%)" in headers
    assert "Pagu (Rp)" not in headers


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_exports_hold_every_column_whatever_the_page_shows(viewer_client, world, export):
    read = csv_rows if export == "csv" else xlsx_rows
    key_view = read(viewer_client.get(URL, {"quarter": 4, "_export": export}))
    every_column = read(viewer_client.get(URL, {"quarter": 4, "columns": "all", "_export": export}))

    assert key_view == every_column
    assert len(key_view[0]) == len(ProgramTable.base_columns)
    assert "Pagu (Rp)" in key_view[0]


def test_a_long_name_is_cut_on_screen_and_whole_in_its_tooltip_and_text(viewer_client, agency_a):
    name = "Program Peningkatan Kualitas Rumah Tidak Layak Huni bagi Keluarga Miskin di Desa"
    ProgramFactory(name=name, agency=agency_a)

    content = viewer_client.get(URL).content.decode()

    assert f'<span class="long-text" title="{name}">{name}</span>' in content
    assert names(viewer_client.get(URL)) == [name]
