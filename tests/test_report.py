"""The evaluation meeting report at /reports/<year>/: the whole meeting on one page, print
CSS for A4, and the workbook with one sheet per section."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.views import serve
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpers import dataversion
from tests.csp import assert_csp_clean
from tests.factories import (
    AgencyFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PovertyStatisticFactory,
    ProgramFactory,
    StrategyFactory,
    VillageDataFactory,
)
from tests.meeting_helpers import sheet_rows, table_rows, workbook

pytestmark = pytest.mark.django_db

SHEETS = [
    "Tren BPS",
    "Strategi",
    "Menurut jenis pemilik",
    "Peringkat OPD",
    "Tertinggal",
    "Kendala dan tindak lanjut",
    "Belum melapor",
    "Kantong kemiskinan",
    "Tepat sasaran",
    "Kebutuhan belum dijawab",
    "Keluarga",
]


@pytest.fixture
def strategies(db):
    return [StrategyFactory(number=number) for number in (1, 2, 3)]


def programme(agency, strategy, *, realized, quarter=1, **fields):
    program = ProgramFactory(verified=True, agency=agency, strategy=strategy, year=2024, **fields)
    indicator = IndicatorFactory(program=program, target=Decimal(100))
    if realized is not None:
        IndicatorValueFactory(indicator=indicator, quarter=quarter, realized=Decimal(realized))
    return program


@pytest.fixture
def meeting(agency_a, agency_b, strategies, village_x, village_y):
    PovertyStatisticFactory(year=2023, poor_people=8590, poverty_rate=Decimal("6.63"))
    PovertyStatisticFactory(year=2024, poor_people=8740, poverty_rate=Decimal("6.66"))
    VillageDataFactory(village=village_x, poor_households=30, verified=True)
    VillageDataFactory(village=village_y, poor_households=40, verified=True)
    # Expected by Q I: 25. 10 is 40% (very low), 25 is 100%.
    lagging = programme(
        agency_a,
        strategies[0],
        realized=10,
        name="Program tertinggal",
        budget_ceiling=1_250_000_000,
        budget_realized_q1=250_000_000,
    )
    lagging.target_villages.set([village_x])
    programme(agency_b, strategies[1], realized=25, name="Program baik", budget_ceiling=500_000_000)
    programme(agency_b, strategies[2], realized=None, name="Program belum lapor")
    return {"lagging": lagging}


def url(year=2024):
    return reverse("reports:meeting_report", args=[year])


def test_the_report_shows_the_whole_meeting_on_one_page(viewer_client, meeting, agency_a, agency_b):
    response = viewer_client.get(url(), {"quarter": 1})

    assert response.status_code == 200
    content = response.content.decode()
    assert "Rapat Evaluasi Penanggulangan Kemiskinan 2024" in content
    for section in ("trend", "strategies", "opd-ranking", "pockets", "off-track", "not-reported"):
        assert f'id="{section}"' in content, section
    assert 'id="chart-poor-people"' in content and 'id="chart-strategy-achievement"' in content
    _headers, strategies = table_rows(response, "strategy-table")
    assert [row[1:7] for row in strategies] == [
        ["1", "1", "Rp1.250.000.000", "Rp250.000.000", "20,00%", "40,00%"],
        ["1", "1", "Rp500.000.000", "Rp0", "0,00%", "100,00%"],
        ["1", "1", "Rp100.000.000", "Rp0", "0,00%", "–"],
    ]
    _headers, ranking = table_rows(response, "opd-ranking-table")
    # agency_b: 100% (its unreported programme has no achievement); agency_a: 40%.
    assert [(row[0], row[1], row[6]) for row in ranking] == [
        ("1", agency_b.name, "100,00%"),
        ("2", agency_a.name, "40,00%"),
    ]
    _headers, off_track = table_rows(response, "off-track-table")
    assert [row[0] for row in off_track] == ["Program tertinggal"]
    assert off_track[0][3] == "Rp1.250.000.000" and off_track[0][4] == "20,00%"
    _headers, pockets = table_rows(response, "pocket-table")
    assert {row[0] for row in pockets} == {"Pulau Patai", "Jango"}
    _headers, silent = table_rows(response, "not-reported-table")
    assert [row[0] for row in silent] == [agency_b.name]
    assert_csp_clean(response)


def test_it_defaults_to_the_latest_quarter_with_data(viewer_client, meeting, agency_a, strategies):
    programme(agency_a, strategies[0], realized=50, quarter=2)

    response = viewer_client.get(url())

    assert "kemajuan sampai TW II" in response.content.decode()


def test_print_css_gives_a4_pages_without_navigation(viewer_client, meeting):
    response = viewer_client.get(url())

    content = response.content.decode()
    assert 'href="/static/reports/meeting.css"' in content
    css = Path(finders.find("reports/meeting.css")).read_text(encoding="utf-8")
    assert "size: A4" in css
    assert "@media print" in css
    print_rules = css[css.index("@media print") :]
    assert "nav" in print_rules and "display: none" in print_rules
    assert "break-inside: avoid" in print_rules  # rows are not split across pages
    assert "thead { display: table-header-group; }" in print_rules
    assert 'class="page-break-before"' in content


def test_the_print_button_works_without_inline_script(viewer_client, meeting):
    response = viewer_client.get(url())

    content = response.content.decode()
    assert 'id="print-button"' in content and "data-print" in content
    assert '<script src="/static/reports/print.js"></script>' in content
    script = Path(finders.find("reports/print.js")).read_text(encoding="utf-8")
    assert "window.print()" in script


def test_static_files_are_served_by_the_app(viewer_client, settings):
    settings.DEBUG = True
    for path in ("reports/meeting.css", "reports/print.js"):
        response = serve(RequestFactory().get(f"/static/{path}"), path)
        assert response.status_code == 200


@pytest.mark.parametrize(
    "get",
    [
        lambda client: client.get(url(), {"quarter": 1, "_export": "xlsx"}),
        lambda client: client.get(
            reverse("reports:meeting_report_xlsx", args=[2024]), {"quarter": 1}
        ),
    ],
)
def test_the_workbook_has_one_sheet_per_section_with_numbers(viewer_client, meeting, get):
    response = get(viewer_client)

    assert 'filename="laporan-rapat-evaluasi_2024_tw1.xlsx"' in response["Content-Disposition"]
    book = workbook(response)
    assert book.sheetnames == SHEETS
    trend = sheet_rows(book, "Tren BPS")
    assert [(row["Tahun"], row["Penduduk miskin"]) for row in trend] == [(2023, 8590), (2024, 8740)]
    assert trend[1]["Persentase kemiskinan (%)"] == pytest.approx(6.66)
    strategies = {row["No."]: row for row in sheet_rows(book, "Strategi")}
    assert strategies[1]["Pagu (Rp)"] == 1_250_000_000
    assert strategies[1]["Serapan anggaran (%)"] == pytest.approx(20.0)
    assert strategies[1]["Rata-rata capaian (%)"] == pytest.approx(40.0)
    assert strategies[1]["Kategori"] == "sangat rendah"
    off_track = sheet_rows(book, "Tertinggal")
    assert [row["Program"] for row in off_track] == ["Program tertinggal"]
    silent = sheet_rows(book, "Belum melapor")
    assert [row["Program"] for row in silent] == ["Program belum lapor"]
    pockets = sheet_rows(book, "Kantong kemiskinan")
    assert {row["Desa/kelurahan"]: row["Dijangkau program"] for row in pockets} == {
        "Pulau Patai": "ya",
        "Jango": "tidak",
    }
    targeting = {row["Angka"]: row["Nilai"] for row in sheet_rows(book, "Tepat sasaran")}
    assert targeting["Kantong kemiskinan"] == 2
    assert targeting["Kantong kemiskinan tak terjangkau program"] == 1


def test_the_workbook_neutralises_formulas(viewer_client, agency_a, strategies):
    programme(agency_a, strategies[0], realized=5, name='=HYPERLINK("http://x","klik")')

    book = workbook(viewer_client.get(url(), {"quarter": 1, "_export": "xlsx"}))

    names = [row["Program"] for row in sheet_rows(book, "Tertinggal")]
    assert names == ['\'=HYPERLINK("http://x","klik")']
    assert book["Tertinggal"]["A2"].data_type == "s"


@pytest.mark.parametrize("year", [1999, 0, 99999999999999999999])
def test_an_unknown_year_is_a_clear_404(viewer_client, meeting, year):
    response = viewer_client.get(url(year))

    assert response.status_code == 404
    content = response.content.decode()
    assert f"“{year}” bukan tahun yang memiliki program." in content
    assert f'href="{url(2024)}"' in content


@pytest.mark.parametrize("quarter", ["5", "abc", ""])
def test_a_bad_quarter_gets_a_clear_message(viewer_client, meeting, quarter):
    response = viewer_client.get(url(), {"quarter": quarter, "_export": "xlsx"})

    if quarter == "":
        # An empty quarter is the default one, as on the dashboard.
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert f"“{quarter}” bukan triwulan." in response.content.decode()


def test_an_unknown_export_format_says_so(viewer_client, meeting):
    response = viewer_client.get(url(), {"_export": "pdf"})

    assert response.status_code == 200
    assert "Tidak ada ekspor sebagai “pdf” di halaman ini." in response.content.decode()


def test_the_navigation_opens_the_latest_years_report(viewer_client, meeting):
    response = viewer_client.get(reverse("reports:meeting_report_latest"))

    assert response.status_code == 302
    assert response.url == url(2024)


def test_anonymous_visitor_is_sent_to_login(client, meeting):
    for address in (url(), reverse("reports:meeting_report_xlsx", args=[2024])):
        response = client.get(address)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("export", [{}, {"_export": "xlsx"}])
def test_query_count_is_the_same_for_5_and_50_programmes(
    viewer_client, strategies, village_x, export
):
    PovertyStatisticFactory(year=2024, poor_people=8740, poverty_rate=Decimal("6.66"))
    VillageDataFactory(village=village_x, verified=True)
    counts, made = {}, 0
    for total in (5, 50):
        while made < total:
            program = programme(AgencyFactory(), strategies[made % 3], realized=made % 30)
            program.target_villages.set([village_x])
            made += 1
        dataversion.bump()  # as a write service would: the report is computed afresh
        with CaptureQueriesContext(connection) as queries:
            response = viewer_client.get(url(), {"quarter": 1, **export})
        assert response.status_code == 200
        counts[total] = len(queries)

    assert counts[5] == counts[50]
    # The basic-needs section adds its fixed six (reports/needs.py), the pockets' family
    # columns the latest registry snapshot (reports.targeting.with_families).
    assert counts[50] <= 27


def test_agencies_with_the_same_mean_share_a_rank_and_those_without_data_come_last(
    viewer_client, strategies
):
    named = {}
    for name, realized in [("Dinas A", 20), ("Dinas B", 20), ("Dinas C", 10), ("Dinas D", None)]:
        named[name] = AgencyFactory(name=name)
        programme(named[name], strategies[0], realized=realized)

    response = viewer_client.get(url(), {"quarter": 1})

    _headers, rows = table_rows(response, "opd-ranking-table")
    assert [(row[0], row[1], row[6]) for row in rows] == [
        ("1", "Dinas A", "80,00%"),
        ("1", "Dinas B", "80,00%"),
        ("3", "Dinas C", "40,00%"),
        ("4", "Dinas D", "–"),
    ]


# The family sheet (docs/meeting.md): the families section's figures, and by strategy and agency


@pytest.fixture
def families(meeting, admin_user, agency_a, agency_b, village_x, village_y):
    """Pulau Patai: families 1 and 2 in decile 1; Jango: 3 in decile 1, 4 in decile 5.
    Program tertinggal (strategy 1) helps family 1; Program baik (strategy 2) helps 1, 4 and
    a No. KK outside the registry."""
    from families.services import beneficiary_add
    from programs.models import Program
    from tests.families_helpers import import_registry, kk, registry_row

    snapshot = import_registry(
        admin_user,
        [
            registry_row(1, village_x, 1),
            registry_row(2, village_x, 1),
            registry_row(3, village_y, 1),
            registry_row(4, village_y, 5),
        ],
    )
    good = Program.objects.get(name="Program baik")
    for program, n in ((meeting["lagging"], 1), (good, 1), (good, 4), (good, 9)):
        beneficiary_add(actor=admin_user, program=program, kk=kk(n), quarter=1, kind="cash")
    return snapshot


def _family_sheet(book):
    from families.measures import MEASURE_COLUMNS, PLACE_COLUMNS

    names = [name for name, _label in MEASURE_COLUMNS + PLACE_COLUMNS]
    rows = list(book["Keluarga"].iter_rows(min_row=2, values_only=True))
    return [(row[0], row[1], dict(zip(names, row[2:], strict=False))) for row in rows]


def test_the_family_sheet_has_the_figures_of_the_reports_families_section(viewer_client, families):
    from helpers.formatting import format_number, format_percent

    page = viewer_client.get(url(), {"quarter": 1})
    book = workbook(viewer_client.get(url(), {"quarter": 1, "_export": "xlsx"}))

    sheet = _family_sheet(book)
    assert {row[-1] for row in book["Keluarga"].iter_rows(min_row=2, values_only=True)} == {
        str(families)
    }
    groupings = [grouping for grouping, _name, _figures in sheet]
    # The regency, the strategies and the agencies some beneficiary has, the kecamatan: four
    # blocks, in that order.
    blocks = list(dict.fromkeys(groupings))
    assert len(blocks) == 4 and groupings == sorted(groupings, key=blocks.index)
    groupings = blocks
    (regency,) = [figures for grouping, _n, figures in sheet if grouping == groupings[0]]
    section = page.content.decode()
    section = section[section.index('id="family-regency"') :]
    assert (
        f"{format_number(regency['decile1_unreached'])} / {format_number(regency['decile1'])}"
        in section
    )
    assert (regency["reached"], regency["outside_registry"], regency["decile1_unreached"]) == (
        3,
        1,
        2,
    )
    _headers, page_rows = table_rows(page, "family-districts")
    districts = [(name, figures) for grouping, name, figures in sheet if grouping == groupings[-1]]
    assert [
        [
            name,
            format_number(f["decile1"]),
            format_number(f["decile1_unreached"]),
            format_percent(f["eligible_reached_share"]),
            format_number(f["two_or_more"]),
            format_number(f["strategy1_not_2"]),
        ]
        for name, f in districts
    ] == page_rows
    # Pulau Patai: one of its two decile 1 families reached, under strategies 1 and 2.
    patai = dict(districts)["Dusun Timur"]
    assert (patai["decile1_unreached"], patai["eligible_reached_share"], patai["two_or_more"]) == (
        1,
        50.0,
        1,
    )
    strategies = {name: f for grouping, name, f in sheet if grouping == groupings[1]}
    assert sorted(f["reached"] for f in strategies.values()) == [1, 3]
    # A strategy or an agency has no registry side, and no row has a name.
    assert all(f["decile1"] is None for f in strategies.values())
    assert not any("Keluarga Uji" in str(cell) for row in book["Keluarga"].values for cell in row)


def test_without_a_registry_snapshot_the_family_sheet_says_so(viewer_client, meeting):
    book = workbook(viewer_client.get(url(), {"quarter": 1, "_export": "xlsx"}))

    assert len(list(book["Keluarga"].iter_rows(min_row=2))) == 1


def test_the_pockets_show_their_family_columns_on_the_page_and_in_the_workbook(
    viewer_client, families
):
    page = viewer_client.get(url(), {"quarter": 1})
    book = workbook(viewer_client.get(url(), {"quarter": 1, "_export": "xlsx"}))

    _headers, rows = table_rows(page, "pocket-table")
    by_village = {row[0]: row[-2:] for row in rows}
    # Pulau Patai: of its two eligible (decile 1) families one is reached; Jango: its only
    # eligible family (3) is not, family 4 (decile 5) is not eligible.
    assert by_village == {"Pulau Patai": ["50,00% 1 / 2", "1"], "Jango": ["0,00% 0 / 1", "1"]}
    assert str(families) in page.content.decode().split('id="pocket-family-snapshot"')[1]
    sheet = {
        row[2]: row[-6:]
        for row in book["Kantong kemiskinan"].iter_rows(min_row=2, values_only=True)
    }
    assert sheet["Pulau Patai"] == (2, 1, 50.0, 2, 1, str(families))
    assert sheet["Jango"] == (1, 0, 0.0, 1, 1, str(families))
