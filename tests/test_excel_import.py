"""Importing filled-in templates: preview, confirmation, and every refusal leaving the
database as it was."""

import time
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from bartim.models import ReviewStatus, Village
from indicators.models import Indicator, IndicatorValue
from programs.models import FundingSource, Program, ProgramFunding, QuarterReport
from review.services import period_lock
from spreadsheets.models import PendingImport
from tests.excel_helpers import (
    columns,
    confirm,
    csv_bytes,
    download,
    errors_of,
    fill,
    find_row,
    rows,
    upload,
    upload_and_preview,
    xlsx_bytes,
)
from tests.factories import (
    IndicatorFactory,
    IndicatorValueFactory,
    PovertyStatisticFactory,
    ProgramFactory,
    StrategyFactory,
    VillageDataFactory,
    VillageFactory,
)
from villages.models import PovertyStatistic, VillageData
from villages.services import village_data_save

pytestmark = pytest.mark.django_db

POPULATION = "Jumlah penduduk (jiwa)"
HOUSEHOLDS = "Keluarga (KK)"
POOR_HOUSEHOLDS = "Keluarga miskin (KK)"
POOR_PEOPLE = "Penduduk miskin (jiwa)"
EXTREMELY_POOR = "Penduduk miskin ekstrem (jiwa)"
VILLAGE_CODE = "Kode desa/kelurahan"
REALIZED = "Realisasi"
QUARTER_TARGET = "Target s.d. triwulan ini (kumulatif)"
BUDGET_REALIZED = "Realisasi anggaran triwulan ini (Rp)"


def changes_of(response) -> list[tuple]:
    """(row, record, action, [(field, old, new)]) of every row the preview lists."""
    return [
        (r.row, r.label, r.action, [(c.field, c.old, c.new) for c in r.changes])
        for r in response.context["report"].rows
    ]


def village_state():
    return sorted(
        VillageData.objects.values_list(
            "village__code", "year", "population", "poor_people", "extremely_poor_people"
        )
    )


@pytest.fixture
def program_a(agency_a):
    return ProgramFactory(
        agency=agency_a,
        year=2024,
        name="Bedah Rumah",
        budget_ceiling=100_000_000,
        budget_realized_q1=20_000_000,
    )


@pytest.fixture
def houses(program_a):
    return IndicatorFactory(program=program_a, name="Rumah direhab", unit="unit", target=40)


@pytest.fixture
def families(program_a):
    return IndicatorFactory(program=program_a, name="KK dibantu", unit="KK", target=500)


@pytest.fixture
def record_x(village_x):
    return VillageDataFactory(
        village=village_x,
        year=2024,
        population=1000,
        households=300,
        poor_households=30,
        poor_people=90,
        extremely_poor_people=10,
    )


@pytest.fixture
def camat_x(client, camat_x_user):
    client.force_login(camat_x_user)
    return client


@pytest.fixture
def opd_a(client, opd_a_user):
    client.force_login(opd_a_user)
    return client


def village_template(client, year=2024):
    workbook = download(client, "village-data", year=year)
    return workbook, workbook["Data desa"]


# Round trips ---------------------------------------------------------------------------------


def test_opd_reports_a_quarter_from_the_template(opd_a, opd_a_user, houses, families, agency_b):
    IndicatorValueFactory(indicator=families, quarter=2, realized=Decimal("100"))
    IndicatorFactory(program=ProgramFactory(agency=agency_b, year=2024, name="Program lain"))
    workbook = download(opd_a, "quarterly", year=2024, quarter=2)
    values, budget = workbook["Indikator"], workbook["Anggaran"]
    assert [(r["Indikator"], r[REALIZED]) for r in rows(values)] == [
        ("Rumah direhab", None),
        ("KK dibantu", 100),
    ]
    assert [(r["Program"], r["Pagu berlaku (Rp)"]) for r in rows(budget)] == [
        ("Bedah Rumah", 100_000_000)
    ]

    fill(values, find_row(values, "ID indikator", houses.pk), **{REALIZED: 12})
    fill(
        values,
        find_row(values, "ID indikator", families.pk),
        **{REALIZED: 150, QUARTER_TARGET: 200},
    )
    fill(budget, 2, **{BUDGET_REALIZED: 30_000_000})
    url, preview = upload_and_preview(opd_a, "quarterly", xlsx_bytes(workbook), "tw2.xlsx")

    assert errors_of(preview) == []
    assert changes_of(preview) == [
        (2, "Bedah Rumah · Rumah direhab · TW II 2024", "new", [("Realisasi", "–", "12")]),
        (
            3,
            "Bedah Rumah · KK dibantu · TW II 2024",
            "changed",
            [("Target s.d. triwulan ini (kumulatif)", "–", "200"), ("Realisasi", "100", "150")],
        ),
        (2, "Bedah Rumah · TW II 2024", "changed", [(BUDGET_REALIZED, "0", "30.000.000")]),
    ]
    assert not IndicatorValue.objects.filter(indicator=houses).exists()

    response = confirm(opd_a, url)

    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator=houses, quarter=2).realized == 12
    value = IndicatorValue.objects.get(indicator=families, quarter=2)
    assert (value.target, value.realized) == (200, 150)
    program = Program.objects.get(name="Bedah Rumah")
    assert (program.budget_realized_q1, program.budget_realized_q2) == (20_000_000, 30_000_000)
    assert not PendingImport.objects.exists()
    messages = [str(m) for m in opd_a.get(response["Location"]).context["messages"]]
    assert messages == ["tw2.xlsx diimpor: 1 baru, 2 berubah, 0 tidak berubah."]


def test_camat_updates_his_villages_from_the_template(camat_x, district_x, record_x, village_y):
    VillageDataFactory(village=village_y, year=2024)
    empty = VillageFactory(district=district_x, code="62.13.01.2004", name="Sumber Garunggung")
    workbook, sheet = village_template(camat_x)
    assert [(r[VILLAGE_CODE], r["Tahun"], r[POPULATION]) for r in rows(sheet)] == [
        ("62.13.01.2003", 2024, 1000),
        ("62.13.01.2004", 2024, None),
    ]

    fill(sheet, 2, **{POPULATION: "1.050", EXTREMELY_POOR: 12})
    fill(
        sheet,
        3,
        **{
            POPULATION: 800,
            HOUSEHOLDS: 200,
            POOR_HOUSEHOLDS: 20,
            POOR_PEOPLE: 70,
            EXTREMELY_POOR: 5,
        },
    )
    url, preview = upload_and_preview(camat_x, "village-data", xlsx_bytes(workbook))

    assert errors_of(preview) == []
    assert changes_of(preview)[0] == (
        2,
        "62.13.01.2003 Pulau Patai · 2024",
        "changed",
        [(POPULATION, "1.000", "1.050"), (EXTREMELY_POOR, "10", "12")],
    )
    assert changes_of(preview)[1][:3] == (3, "62.13.01.2004 Sumber Garunggung · 2024", "new")
    assert VillageData.objects.get(village=record_x.village).population == 1000

    confirm(camat_x, url)

    record_x.refresh_from_db()
    assert (record_x.population, record_x.extremely_poor_people, record_x.poor_people) == (
        1050,
        12,
        90,
    )
    new = VillageData.objects.get(village=empty, year=2024)
    assert (new.population, new.poor_people, new.uninhabitable_houses) == (800, 70, 0)
    assert new.status == ReviewStatus.DRAFT


def test_admin_plans_a_year_of_programmes_and_indicators(
    admin_client, agency_a, agency_b, district_x
):
    StrategyFactory(number=1)
    StrategyFactory(number=2)
    village_1 = VillageFactory(district=district_x, code="62.13.01.2003")
    village_2 = VillageFactory(district=district_x, code="62.13.02.2001")
    existing = ProgramFactory(agency=agency_a, year=2025, name="Bedah Rumah", budget_ceiling=10)
    IndicatorFactory(program=existing, name="Rumah direhab", target=40)
    higher = str(Indicator.Direction.HIGHER_IS_BETTER.label)
    cumulative = str(Indicator.Aggregation.CUMULATIVE.label)
    people = str(Program.BeneficiaryUnit.PEOPLE.label)

    workbook = download(admin_client, "programs", year=2025)
    programs, indicators = workbook["Program"], workbook["Indikator"]
    assert [r["Program"] for r in rows(programs)] == ["Bedah Rumah"]
    fill(programs, 2, **{"Pagu anggaran (Rp)": 150_000_000})
    fill(
        programs,
        3,
        **{
            "Perangkat daerah (OPD)": agency_b.name,
            "Tahun anggaran": 2025,
            "Program": "Pelatihan UMKM",
            "Strategi (1–3)": 2,
            "Pagu anggaran (Rp)": "75.000.000",
            "Satuan penerima manfaat": people,
            "Desa sasaran (kode)": "62.13.01.2003; 62.13.02.2001",
        },
    )
    fill(indicators, 2, **{"Target tahunan": 50})
    fill(
        indicators,
        3,
        **{
            "Perangkat daerah (OPD)": "DINKES",
            "Tahun anggaran": 2025,
            "Program": "Pelatihan UMKM",
            "Indikator": "Peserta pelatihan",
            "Satuan": "jiwa",
            "Arah": higher,
            "Cara menjumlahkan triwulan": cumulative,
            "Target tahunan": 120,
        },
    )
    url, preview = upload_and_preview(admin_client, "programs", xlsx_bytes(workbook))

    assert errors_of(preview) == []
    assert [(row, label, action) for row, label, action, _c in changes_of(preview)] == [
        (2, "Bedah Rumah · DINSOS · 2025", "changed"),
        (3, "Pelatihan UMKM · DINKES · 2025", "new"),
        (2, "Bedah Rumah · Rumah direhab", "changed"),
        (3, "Pelatihan UMKM · Peserta pelatihan", "new"),
    ]
    assert changes_of(preview)[0][3] == [("Pagu anggaran (Rp)", "10", "150.000.000")]

    confirm(admin_client, url)

    existing.refresh_from_db()
    assert existing.budget_ceiling == 150_000_000
    assert existing.indicators.get().target == 50
    new = Program.objects.get(name="Pelatihan UMKM")
    assert (new.agency, new.year, new.strategy_id, new.budget_ceiling) == (
        agency_b,
        2025,
        2,
        75_000_000,
    )
    assert new.beneficiary_unit == Program.BeneficiaryUnit.PEOPLE
    assert set(new.target_villages.all()) == {village_1, village_2}
    indicator = new.indicators.get()
    assert (indicator.name, indicator.unit, indicator.target) == ("Peserta pelatihan", "jiwa", 120)
    assert indicator.aggregation == Indicator.Aggregation.CUMULATIVE


def test_admin_keeps_the_bps_series_from_the_template(admin_client):
    PovertyStatisticFactory(year=2023, poor_people=8590, poverty_rate=Decimal("6.63"))
    PovertyStatisticFactory(year=2024, poor_people=8740, poverty_rate=Decimal("6.66"))
    workbook = download(admin_client, "bps")
    sheet = workbook.worksheets[0]
    assert sheet.title == "Angka kemiskinan BPS"
    assert [(r["Tahun"], r["Penduduk miskin (jiwa)"]) for r in rows(sheet)] == [
        (2023, 8590),
        (2024, 8740),
    ]
    fill(sheet, 3, **{"Garis kemiskinan (Rp/kapita/bulan)": "600.000"})
    fill(
        sheet,
        4,
        **{
            "Tahun": 2025,
            "Penduduk miskin (jiwa)": "8.600",
            "Persentase penduduk miskin (%)": "6,55",
            "Sumber": "BPS Barito Timur 2025 ",
        },
    )
    url, preview = upload_and_preview(admin_client, "bps", xlsx_bytes(workbook))

    assert errors_of(preview) == []
    assert changes_of(preview) == [
        (2, "2023", "unchanged", []),
        (3, "2024", "changed", [("Garis kemiskinan (Rp/kapita/bulan)", "–", "600.000")]),
        (
            4,
            "2025",
            "new",
            [
                ("Penduduk miskin (jiwa)", "–", "8.600"),
                ("Persentase penduduk miskin (%)", "–", "6,55"),
                ("Sumber", "–", "BPS Barito Timur 2025"),
            ],
        ),
    ]

    confirm(admin_client, url)

    assert PovertyStatistic.objects.get(year=2024).poverty_line == 600_000
    new = PovertyStatistic.objects.get(year=2025)
    assert (new.poor_people, new.poverty_rate, new.source) == (
        8600,
        Decimal("6.55"),
        "BPS Barito Timur 2025",
    )


# Files refused on upload --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
            "laporan.pdf",
            "Ini berkas PDF, bukan lembar kerja.",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "foto.xlsx",
            "Ini berkas PNG, bukan lembar kerja.",
        ),
        (bytes(range(256)) * 4, "data.csv", "Berkas ini bukan lembar kerja."),
        (b"PK\x03\x04 not really a zip", "rusak.xlsx", "Berkas ini bukan lembar kerja."),
        (b"Laporan desa tahun 2024\nsemua baik\n", "catatan.txt", "kolom berkas CSV harus dipisah"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "lama.xls", "Excel 97-2003"),
        (b"", "kosong.csv", "kosong"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(camat_x, record_x, content, name, message):
    before = village_state()

    response = upload(camat_x, "village-data", content, name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PendingImport.objects.exists()
    assert village_state() == before


def test_a_word_document_is_refused(camat_x):
    import zipfile
    from io import BytesIO

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    response = upload(camat_x, "village-data", buffer.getvalue(), "surat.docx")

    assert response.status_code == 400
    assert "Berkas ini bukan lembar kerja." in response.content.decode()


def test_a_template_of_another_kind_is_refused(admin_client, record_x):
    PovertyStatisticFactory(year=2024)
    bps = download(admin_client, "bps")
    before = village_state()

    response = upload(admin_client, "village-data", xlsx_bytes(bps))

    assert response.status_code == 400
    assert (
        "Berkas ini adalah templat &quot;Angka kemiskinan BPS&quot;, padahal di sini Anda "
        "mengimpor &quot;Data desa&quot;." in response.content.decode()
    )
    assert village_state() == before
    assert not PendingImport.objects.exists()


def test_a_csv_of_another_kind_is_recognised_by_its_columns(admin_client):
    content = csv_bytes(
        [
            ["Tahun", "Penduduk miskin (jiwa)", "Persentase penduduk miskin (%)"],
            [2024, 8740, "6,66"],
        ]
    )

    response = upload(admin_client, "village-data", content, "bps.csv")

    assert response.status_code == 400
    assert "tampaknya templat &quot;Angka kemiskinan BPS&quot;" in response.content.decode()


def test_a_csv_without_the_template_columns_is_refused_with_the_columns_expected(camat_x):
    content = csv_bytes([["Nama", "Alamat"], ["Budi", "Tamiang Layang"]])

    response = upload(camat_x, "village-data", content, "alamat.csv")

    assert response.status_code == 400
    assert "Berkas tidak memiliki kolom templat &quot;Data desa&quot;" in response.content.decode()
    assert "(paling sedikit: Kode desa/kelurahan, Tahun)" in response.content.decode()


def test_an_older_version_of_a_template_is_refused(camat_x, record_x):
    workbook, _sheet = village_template(camat_x)
    workbook["_template"]["B2"] = 0

    response = upload(camat_x, "village-data", xlsx_bytes(workbook))

    assert response.status_code == 400
    assert "versi templat yang lama" in response.content.decode()


def test_a_file_over_five_megabytes_is_refused_before_it_is_read(camat_x, record_x):
    before = village_state()
    content = b"Kode desa/kelurahan;Tahun\n" + b"x" * (5 * 1024 * 1024)

    response = upload(camat_x, "village-data", content, "besar.csv")

    assert response.status_code == 400
    assert (
        "Ukuran berkas 5,0\xa0MB; yang diterima paling besar 5,0\xa0MB."
        in response.content.decode()
    )
    assert village_state() == before


# Errors in the preview: the file applies nothing ------------------------------------------------


def preview_errors(client, kind, workbook):
    url, preview = upload_and_preview(client, kind, xlsx_bytes(workbook))
    # Confirming anyway, as a forged request would, applies nothing either.
    confirmed = confirm(client, url)
    assert confirmed.status_code == 200
    assert errors_of(confirmed) == errors_of(preview)
    return errors_of(preview), preview


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (
            {POPULATION: "=B2*2"},
            [
                (
                    "E (Jumlah penduduk (jiwa))",
                    "Sel ini berisi rumus (=B2*2). Gunakan nilai, bukan rumus: salin sel lalu "
                    "tempel sebagai nilai saja (Paste Values).",
                )
            ],
        ),
        (
            {POPULATION: "seribu", HOUSEHOLDS: "8,740"},
            [
                (
                    "E (Jumlah penduduk (jiwa))",
                    '"seribu" bukan angka. Tulis angka saja, misalnya 8.740 atau 6,66.',
                ),
                (
                    "F (Keluarga (KK))",
                    "Seharusnya bilangan bulat, tertulis 8,740. Dalam penulisan Indonesia, koma "
                    "menandai desimal; tulis ribuan sebagai 8.740.",
                ),
            ],
        ),
        (
            {POOR_PEOPLE: -5, HOUSEHOLDS: 12.5},
            [
                ("F (Keluarga (KK))", "Seharusnya bilangan bulat, tertulis 12,5."),
                ("H (Penduduk miskin (jiwa))", "Angka tidak boleh negatif."),
            ],
        ),
        (
            {POPULATION: 100, POOR_PEOPLE: 150},
            [
                (
                    "H (Penduduk miskin (jiwa))",
                    "Penduduk miskin tidak boleh lebih dari jumlah penduduk.",
                )
            ],
        ),
        (
            {POPULATION: None},
            [("E (Jumlah penduduk (jiwa))", "Sel ini wajib diisi.")],
        ),
    ],
    ids=["formula", "not a number", "negative and fraction", "poor above population", "blank"],
)
def test_bad_values_are_listed_with_their_cell_and_nothing_is_saved(
    camat_x, record_x, cells, expected
):
    before = village_state()
    workbook, sheet = village_template(camat_x)
    fill(sheet, 2, **cells)

    errors, preview = preview_errors(camat_x, "village-data", workbook)

    assert [(column, message) for _sheet, _row, column, message in errors] == expected
    assert {(sheet_name, row) for sheet_name, row, _c, _m in errors} == {("Data desa", 2)}
    assert "confirm-import" not in preview.content.decode()
    assert village_state() == before
    assert record_x.history.count() == 1


def test_unknown_village_and_duplicate_rows_are_errors(camat_x, record_x, district_x):
    VillageFactory(district=district_x, code="62.13.01.2004")
    before = village_state()
    workbook, sheet = village_template(camat_x)
    fill(sheet, 2, **{POPULATION: 1100})
    complete = {HOUSEHOLDS: 1, POOR_HOUSEHOLDS: 0, POOR_PEOPLE: 0, EXTREMELY_POOR: 0}
    fill(sheet, 3, **{POPULATION: 10, **complete})
    fill(sheet, 4, **{VILLAGE_CODE: "62.13.99.9999", "Tahun": 2024, POPULATION: 10, **complete})
    fill(sheet, 5, **{VILLAGE_CODE: "62.13.01.2003", "Tahun": 2024, POPULATION: 10, **complete})

    errors, _preview = preview_errors(camat_x, "village-data", workbook)

    assert errors == [
        (
            "Data desa",
            4,
            "A (Kode desa/kelurahan)",
            "Tidak ada desa/kelurahan dengan kode 62.13.99.9999.",
        ),
        (
            "Data desa",
            5,
            "A (Kode desa/kelurahan)",
            "62.13.01.2003 Pulau Patai · 2024 sudah ada di baris 2 berkas ini.",
        ),
    ]
    assert village_state() == before


def test_a_good_row_is_not_saved_when_another_row_has_an_error(camat_x, record_x, district_x):
    other = VillageDataFactory(village=VillageFactory(district=district_x), population=500)
    workbook, sheet = village_template(camat_x)
    fill(sheet, find_row(sheet, VILLAGE_CODE, record_x.village.code), **{POPULATION: 2000})
    fill(sheet, find_row(sheet, VILLAGE_CODE, other.village.code), **{POPULATION: "banyak"})

    errors, preview = preview_errors(camat_x, "village-data", workbook)

    assert len(errors) == 1
    assert preview.context["report"].changed == 1
    record_x.refresh_from_db()
    assert record_x.population == 1000


# Scope, review status and period locks ---------------------------------------------------------


def test_opd_cannot_report_on_another_opds_programme(opd_a, houses, agency_b):
    foreign = IndicatorFactory(program=ProgramFactory(agency=agency_b, year=2024, name="Gizi"))
    workbook = download(opd_a, "quarterly", year=2024, quarter=1)
    values, budget = workbook["Indikator"], workbook["Anggaran"]
    fill(values, 2, **{"ID indikator": foreign.pk, REALIZED: 5})
    fill(budget, 2, **{"ID program": foreign.program.pk, BUDGET_REALIZED: 5})

    errors, _preview = preview_errors(opd_a, "quarterly", workbook)

    assert errors == [
        (
            "Indikator",
            2,
            "A (ID indikator)",
            f"{foreign.name} milik program DINKES, bukan milik perangkat daerah Anda.",
        ),
        (
            "Anggaran",
            2,
            "A (ID program)",
            "Gizi adalah program DINKES, bukan milik perangkat daerah Anda.",
        ),
    ]
    assert not IndicatorValue.objects.exists()
    foreign.program.refresh_from_db()
    assert foreign.program.budget_realized_q1 == 0


def test_camat_cannot_keep_another_kecamatans_village(camat_x, record_x, village_y):
    VillageDataFactory(village=village_y, year=2023, population=700)
    before = village_state()
    workbook, sheet = village_template(camat_x)
    complete = {HOUSEHOLDS: 1, POOR_HOUSEHOLDS: 0, POOR_PEOPLE: 0, EXTREMELY_POOR: 0}
    fill(sheet, 3, **{VILLAGE_CODE: village_y.code, "Tahun": 2024, POPULATION: 10, **complete})
    fill(sheet, 4, **{VILLAGE_CODE: village_y.code, "Tahun": 2023, POPULATION: 700, **complete})

    errors, _preview = preview_errors(camat_x, "village-data", workbook)

    refusal = "Anda hanya boleh mengelola data desa/kelurahan di kecamatan Anda sendiri."
    assert errors == [
        ("Data desa", 3, "A (Kode desa/kelurahan)", refusal),
        ("Data desa", 4, "A (Kode desa/kelurahan)", refusal),
    ]
    assert village_state() == before


def test_a_locked_quarter_is_refused_to_the_opd(opd_a, houses, admin_user, program_a):
    workbook = download(opd_a, "quarterly", year=2024, quarter=2)
    period_lock(year=2024, quarter=2, actor=admin_user, reason="Rapat evaluasi")
    fill(workbook["Indikator"], 2, **{REALIZED: 10})
    fill(workbook["Anggaran"], 2, **{BUDGET_REALIZED: 1_000})

    errors, _preview = preview_errors(opd_a, "quarterly", workbook)

    locked = "TW II 2024 sudah dikunci; hanya administrator yang dapat mengubahnya."
    assert errors == [
        ("Indikator", 2, "I (Triwulan (1–4))", locked),
        ("Anggaran", 2, "G (Triwulan (1–4))", locked),
    ]
    assert not IndicatorValue.objects.exists()
    program_a.refresh_from_db()
    assert program_a.budget_realized_q2 == 0


def test_an_unchanged_row_of_a_locked_quarter_is_no_error(opd_a, houses, admin_user):
    IndicatorValueFactory(indicator=houses, quarter=3, realized=Decimal("4"))
    workbook = download(opd_a, "quarterly", year=2024, quarter=3)
    period_lock(year=2024, quarter=3, actor=admin_user)

    url, preview = upload_and_preview(opd_a, "quarterly", xlsx_bytes(workbook))

    assert errors_of(preview) == []
    assert [action for _r, _l, action, _c in changes_of(preview)] == ["unchanged", "unchanged"]
    assert "Tidak ada yang diimpor" in preview.content.decode()


def test_an_administrator_changes_a_locked_quarter_with_a_reason(admin_client, admin_user, houses):
    period_lock(year=2024, quarter=2, actor=admin_user, reason="Rapat evaluasi")
    workbook = download(admin_client, "quarterly", year=2024, quarter=2)
    fill(workbook["Indikator"], 2, **{REALIZED: 9})

    _url, without_reason = upload_and_preview(admin_client, "quarterly", xlsx_bytes(workbook))
    url, with_reason = upload_and_preview(
        admin_client, "quarterly", xlsx_bytes(workbook), reason="Data susulan Dinsos"
    )
    confirm(admin_client, url)

    assert [message for *_where, message in errors_of(without_reason)] == [
        "TW II 2024 sudah dikunci: berikan alasan untuk mengubahnya."
    ]
    assert errors_of(with_reason) == []
    value = IndicatorValue.objects.get(indicator=houses, quarter=2)
    assert value.realized == 9
    assert value.history.first().history_change_reason == (
        "Impor Excel: isian.xlsx (Data susulan Dinsos)"
    )


def test_the_opd_cannot_download_a_locked_quarter(opd_a, houses, admin_user):
    period_lock(year=2024, quarter=4, actor=admin_user)

    response = opd_a.get(
        reverse("spreadsheets:template", args=["quarterly"]), {"year": 2024, "quarter": 4}
    )

    assert response.status_code == 400
    assert "TW IV 2024 sudah dikunci" in response.content.decode()


def test_a_submitted_record_is_not_changed(camat_x, record_x):
    workbook, sheet = village_template(camat_x)
    VillageData.objects.filter(pk=record_x.pk).update(status=ReviewStatus.SUBMITTED)
    fill(sheet, 2, **{POPULATION: 1234})

    errors, _preview = preview_errors(camat_x, "village-data", workbook)

    assert errors == [
        (
            "Data desa",
            2,
            "",
            "62.13.01.2003 Pulau Patai · 2024 sudah diajukan untuk diperiksa dan tidak dapat "
            "diubah sampai administrator mengembalikannya.",
        )
    ]
    record_x.refresh_from_db()
    assert record_x.population == 1000


def test_a_verified_quarter_is_not_changed(opd_a, houses, program_a):
    workbook = download(opd_a, "quarterly", year=2024, quarter=1)
    QuarterReport.objects.create(program=program_a, quarter=1, status=ReviewStatus.APPROVED)
    fill(workbook["Indikator"], 2, **{REALIZED: 3})

    errors, _preview = preview_errors(opd_a, "quarterly", workbook)

    assert [message for *_where, message in errors] == [
        "Bedah Rumah · TW I sudah disetujui dan dikunci; administrator harus membukanya kembali "
        "sebelum dapat diubah."
    ]
    assert not IndicatorValue.objects.exists()


def test_an_approved_plan_receives_its_quarterly_report(opd_a, houses, program_a):
    Program.objects.filter(pk=program_a.pk).update(status=ReviewStatus.APPROVED)
    workbook = download(opd_a, "quarterly", year=2024, quarter=3)
    fill(workbook["Indikator"], 2, **{REALIZED: 3})
    url, preview = upload_and_preview(opd_a, "quarterly", xlsx_bytes(workbook))

    assert errors_of(preview) == []
    assert confirm(opd_a, url).status_code == 302
    assert IndicatorValue.objects.get(indicator=houses, quarter=3).realized == 3


def test_submitted_and_approved_records_are_left_out_of_the_template(camat_x, record_x, district_x):
    submitted = VillageDataFactory(
        village=VillageFactory(district=district_x, code="62.13.01.2005"),
        status=ReviewStatus.SUBMITTED,
    )
    approved = VillageDataFactory(
        village=VillageFactory(district=district_x, code="62.13.01.2006"),
        status=ReviewStatus.APPROVED,
    )

    _workbook, sheet = village_template(camat_x)

    codes = [r[VILLAGE_CODE] for r in rows(sheet)]
    assert codes == ["62.13.01.2003"]
    assert submitted.village.code not in codes and approved.village.code not in codes


# The audit trail ------------------------------------------------------------------------------


def test_the_history_shows_the_import_as_the_users(camat_x, camat_x_user, record_x):
    workbook, sheet = village_template(camat_x)
    fill(sheet, 2, **{POPULATION: 1111})
    url, _preview = upload_and_preview(camat_x, "village-data", xlsx_bytes(workbook), "desa.xlsx")

    confirm(camat_x, url)

    latest = record_x.history.first()
    assert latest.history_user == camat_x_user
    assert latest.history_change_reason == "Impor Excel: desa.xlsx"
    assert latest.population == 1111
    assert record_x.history.count() == 2


def test_the_history_marks_quarterly_values_and_budgets_as_imported(
    opd_a, opd_a_user, houses, program_a
):
    workbook = download(opd_a, "quarterly", year=2024, quarter=1)
    fill(workbook["Indikator"], 2, **{REALIZED: 7})
    fill(workbook["Anggaran"], 2, **{BUDGET_REALIZED: 25_000_000})
    url, _preview = upload_and_preview(opd_a, "quarterly", xlsx_bytes(workbook), "tw1.xlsx")

    confirm(opd_a, url)

    for record in (IndicatorValue.objects.get(indicator=houses), program_a):
        latest = record.history.first()
        assert (latest.history_user, latest.history_change_reason) == (
            opd_a_user,
            "Impor Excel: tw1.xlsx",
        )
    assert program_a.history.first().budget_realized_q1 == 25_000_000


# Real files: CSV, Indonesian numbers, text cells, columns moved, empty rows ---------------------


def test_a_semicolon_csv_with_indonesian_numbers_imports(camat_x, record_x):
    content = csv_bytes(
        [
            ["Tahun", VILLAGE_CODE, POOR_PEOPLE, POPULATION, HOUSEHOLDS],
            [],
            ["2024", "62.13.01.2003  ", "95", "1.050", "300"],
            ["", "", "", "", ""],
        ],
        delimiter=";",
        encoding="cp1252",
    )
    url, preview = upload_and_preview(camat_x, "village-data", content, "desa.csv")

    assert errors_of(preview) == []
    assert changes_of(preview) == [
        (
            3,
            "62.13.01.2003 Pulau Patai · 2024",
            "changed",
            [(POPULATION, "1.000", "1.050"), (POOR_PEOPLE, "90", "95")],
        )
    ]
    confirm(camat_x, url)
    record_x.refresh_from_db()
    assert (record_x.population, record_x.poor_people, record_x.households) == (1050, 95, 300)


def test_a_comma_csv_with_decimal_points_imports(admin_client):
    content = csv_bytes(
        [
            ["Tahun", "Penduduk miskin (jiwa)", "Persentase penduduk miskin (%)", "Sumber"],
            ["2024", "8740", "6.66", "BPS, 2025"],
        ],
        delimiter=",",
    )
    url, preview = upload_and_preview(admin_client, "bps", content, "bps.csv")
    assert errors_of(preview) == []

    confirm(admin_client, url)

    statistic = PovertyStatistic.objects.get(year=2024)
    assert (statistic.poor_people, statistic.poverty_rate, statistic.source) == (
        8740,
        Decimal("6.66"),
        "BPS, 2025",
    )


def test_text_cells_and_thousands_separators_are_read_the_indonesian_way(opd_a, houses, families):
    workbook = download(opd_a, "quarterly", year=2024, quarter=1)
    values, budget = workbook["Indikator"], workbook["Anggaran"]
    row = find_row(values, "ID indikator", houses.pk)
    fill(values, row, **{REALIZED: "1.250,5", QUARTER_TARGET: " 2.000 "})
    values.cell(row=row, column=columns(values)[REALIZED]).number_format = "@"
    fill(values, find_row(values, "ID indikator", families.pk), **{REALIZED: "Rp 12.345"})
    fill(budget, 2, **{BUDGET_REALIZED: "1.250.000"})
    url, preview = upload_and_preview(opd_a, "quarterly", xlsx_bytes(workbook))
    assert errors_of(preview) == []

    # Rp 12.345 realised of 500 is unusual, and meant.
    confirm(opd_a, url, unusual_confirmed=True)

    value = IndicatorValue.objects.get(indicator=houses)
    assert (value.realized, value.target) == (Decimal("1250.5"), Decimal("2000"))
    assert IndicatorValue.objects.get(indicator=families).realized == 12345
    assert Program.objects.get(pk=houses.program_id).budget_realized_q1 == 1_250_000


def test_a_percentage_cell_is_read_as_the_percentage_shown(admin_client):
    workbook = download(admin_client, "bps")
    sheet = workbook.worksheets[0]
    fill(
        sheet,
        2,
        **{"Tahun": 2024, "Penduduk miskin (jiwa)": 8740, "Persentase penduduk miskin (%)": 0.0666},
    )
    sheet.cell(
        row=2, column=columns(sheet)["Persentase penduduk miskin (%)"]
    ).number_format = "0.00%"
    url, preview = upload_and_preview(admin_client, "bps", xlsx_bytes(workbook))
    assert errors_of(preview) == []

    confirm(admin_client, url)

    assert PovertyStatistic.objects.get(year=2024).poverty_rate == Decimal("6.66")


def test_columns_in_another_order_and_extra_columns_are_matched_by_header(camat_x, record_x):
    workbook, sheet = village_template(camat_x)
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    order = list(reversed(range(len(table[0]))))
    sheet.protection.sheet = False
    for r, values in enumerate(table, start=1):
        for c, source in enumerate(order, start=1):
            sheet.cell(row=r, column=c, value=values[source])
    sheet.cell(row=1, column=len(order) + 1, value="Catatan")
    sheet.cell(row=2, column=len(order) + 1, value="dicek ulang")
    fill(sheet, 2, **{POPULATION: 1200})

    url, preview = upload_and_preview(camat_x, "village-data", xlsx_bytes(workbook))

    assert errors_of(preview) == []
    assert changes_of(preview)[0][3] == [(POPULATION, "1.000", "1.200")]
    assert preview.context["report"].notices == [
        'Lembar "Data desa": kolom berikut bukan bagian templat dan diabaikan: Catatan.'
    ]
    confirm(camat_x, url)
    record_x.refresh_from_db()
    assert record_x.population == 1200


def test_a_workbook_of_ones_own_with_a_title_row_imports(camat_x, record_x):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Rekap"
    sheet.append(["Rekap data desa Kecamatan Dusun Timur 2024"])
    sheet.append([])
    sheet.append([POPULATION, "  Kode Desa/Kelurahan ", "TAHUN"])
    sheet.append([1300, "62.13.01.2003", 2024])
    for _ in range(5):
        sheet.append([None, None, None])

    url, preview = upload_and_preview(camat_x, "village-data", xlsx_bytes(workbook), "rekap.xlsx")

    assert errors_of(preview) == []
    assert changes_of(preview) == [
        (4, "62.13.01.2003 Pulau Patai · 2024", "changed", [(POPULATION, "1.000", "1.300")])
    ]


def test_rows_left_blank_in_the_template_are_skipped_and_said_so(camat_x, record_x, district_x):
    VillageFactory(district=district_x, code="62.13.01.2004")
    VillageFactory(district=district_x, code="62.13.01.2005")

    _url, preview = upload_and_preview(
        camat_x, "village-data", xlsx_bytes(village_template(camat_x)[0])
    )

    assert errors_of(preview) == []
    assert preview.context["report"].notices == [
        'Lembar "Data desa": 2 baris tanpa isi dilewati (baris 3–4).'
    ]
    assert [action for _r, _l, action, _c in changes_of(preview)] == ["unchanged"]


# Between preview and confirmation -------------------------------------------------------------


def test_a_change_made_after_the_preview_is_shown_before_anything_is_applied(
    camat_x, record_x, admin_user
):
    workbook, sheet = village_template(camat_x)
    fill(sheet, 2, **{POPULATION: 1100})
    url, _preview = upload_and_preview(camat_x, "village-data", xlsx_bytes(workbook))
    village_data_save(
        actor=admin_user, village=record_x.village, year=2024, record=record_x, population=1200
    )

    stale = confirm(camat_x, url)

    assert stale.status_code == 200
    assert [str(m) for m in stale.context["messages"]] == [
        "Data di aplikasi berubah sejak pratinjau Anda, jadi tidak ada yang diimpor. Periksa "
        "pratinjau baru di bawah lalu konfirmasi lagi."
    ]
    assert changes_of(stale)[0][3] == [(POPULATION, "1.200", "1.100")]
    record_x.refresh_from_db()
    assert record_x.population == 1200

    confirm(camat_x, url)

    record_x.refresh_from_db()
    assert record_x.population == 1100


def test_an_upload_is_seen_and_confirmed_by_its_uploader_only(
    camat_x, record_x, client, camat_y_user, admin_user
):
    workbook, sheet = village_template(camat_x)
    fill(sheet, 2, **{POPULATION: 1100})
    url = upload_and_preview(camat_x, "village-data", xlsx_bytes(workbook))[0]

    for other in (camat_y_user, admin_user):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    record_x.refresh_from_db()
    assert record_x.population == 1000


def test_an_expired_upload_cannot_be_confirmed(camat_x, record_x):
    workbook, sheet = village_template(camat_x)
    fill(sheet, 2, **{POPULATION: 1100})
    url = upload_and_preview(camat_x, "village-data", xlsx_bytes(workbook))[0]
    PendingImport.objects.update(created_at="2020-01-01T00:00:00Z")

    assert confirm(camat_x, url).status_code == 404
    record_x.refresh_from_db()
    assert record_x.population == 1000


def test_cancelling_discards_the_upload(camat_x, record_x):
    workbook, sheet = village_template(camat_x)
    fill(sheet, 2, **{POPULATION: 1100})
    url = upload_and_preview(camat_x, "village-data", xlsx_bytes(workbook))[0]

    camat_x.post(url + "cancel/")

    assert not PendingImport.objects.exists()
    assert camat_x.post(url).status_code == 404


# Size ------------------------------------------------------------------------------------------


def test_an_administrator_imports_twenty_years_of_every_village(admin_client, reference_data):
    villages = list(Village.objects.order_by("code"))
    workbook, sheet = village_template(admin_client, year=2024)
    assert len(rows(sheet)) == 103
    headers = [cell.value for cell in sheet[1]]
    number = 2
    for year in range(2005, 2025):
        for index, village in enumerate(villages):
            population = 1000 + index * 10 + (year - 2005)
            values = {
                VILLAGE_CODE: village.code,
                "Tahun": year,
                POPULATION: population,
                HOUSEHOLDS: population // 4,
                POOR_HOUSEHOLDS: population // 40,
                POOR_PEOPLE: population // 10,
                EXTREMELY_POOR: population // 100,
            }
            for column, header in enumerate(headers, start=1):
                if header in values:
                    sheet.cell(row=number, column=column, value=values[header])
            number += 1
    content = xlsx_bytes(workbook)
    assert number - 2 == 2060

    started = time.perf_counter()
    response = upload(admin_client, "village-data", content, "desa-2005-2024.xlsx")
    url = response["Location"]
    uploaded = time.perf_counter()
    preview = admin_client.get(url)
    shown = time.perf_counter()
    response = confirm(admin_client, url)
    applied = time.perf_counter()

    assert errors_of(preview) == []
    assert preview.context["report"].new == 2060
    assert response.status_code == 302
    assert VillageData.objects.count() == 2060
    assert VillageData.objects.get(
        village__code="62.13.01.2003", year=2005
    ).population == 1000 + 10 * [v.code for v in villages].index("62.13.01.2003")
    print(
        f"\n2,060 village rows on {connection.vendor}: upload {uploaded - started:.1f}s, "
        f"preview {shown - uploaded:.1f}s, confirm {applied - shown:.1f}s"
    )


# Reading a cell ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        (8740, Decimal("8740")),
        (6.66, Decimal("6.66")),
        ("8.740", Decimal("8740")),
        ("1.250.000.000", Decimal("1250000000")),
        ("6,66", Decimal("6.66")),
        ("1.250,5", Decimal("1250.5")),
        (" Rp 1.250.000 ", Decimal("1250000")),
        ("6,66%", Decimal("6.66")),
        ("8\u00a0740", Decimal("8740")),
        ("-5", Decimal("-5")),
        ("6.66", Decimal("6.66")),
        ("0.125", Decimal("0.125")),
        ("1,250,000", Decimal("1250000")),
        ("1,250.50", Decimal("1250.50")),
        ("8,740", Decimal("8.740")),
    ],
)
def test_cells_are_read_the_indonesian_way_and_plain_numbers_as_they_are(cell, number):
    from spreadsheets.cells import parse_number

    assert parse_number(cell) == number


@pytest.mark.parametrize("cell", ["dua", "8.74.0", "1,2,3", "8..740", "Rp", "12-3"])
def test_text_that_is_no_number_is_refused(cell):
    from spreadsheets.cells import CellError, parse_number

    with pytest.raises(CellError, match="bukan angka"):
        parse_number(cell)


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_every_number_the_app_writes_reads_back_the_same(value):
    from helpers.formatting import format_number
    from spreadsheets.cells import parse_decimal

    assert parse_decimal(format_number(value, 2), decimal_places=2) == value


def test_a_csv_of_the_budget_sheet_is_recognised_by_its_headers(opd_a, program_a):
    content = csv_bytes(
        [
            ["ID program", "Tahun", "Triwulan (1–4)", BUDGET_REALIZED],
            [program_a.pk, 2024, 2, "15.000.000"],
        ]
    )
    url, preview = upload_and_preview(opd_a, "quarterly", content, "anggaran.csv")

    assert errors_of(preview) == []
    assert changes_of(preview) == [
        (2, "Bedah Rumah · TW II 2024", "changed", [(BUDGET_REALIZED, "0", "15.000.000")])
    ]
    confirm(opd_a, url)
    program_a.refresh_from_db()
    assert program_a.budget_realized_q2 == 15_000_000


# ---- A programme's nomenclature codes and funding sources (docs/budget.md) ----------------

PROGRAM_CODE, ACTIVITY_CODE, SUB_ACTIVITY_CODE = (
    "Kode program",
    "Kode kegiatan",
    "Kode sub kegiatan",
)


def funding_header(source: str) -> str:
    return f"Sumber dana: {source} (Rp)"


def column_of(sheet, header) -> str:
    return f"{get_column_letter(columns(sheet)[header])} ({header})"


@pytest.fixture
def sources(db):
    # The list comes with the migration; a test that flushes the database empties it.
    return [FundingSource.objects.get_or_create(name=name)[0] for name in ("APBD", "DAK Fisik")]


def test_an_operator_imports_codes_and_two_funding_sources_and_sees_them_on_the_programme_page(
    admin_client, agency_a, sources
):
    program = ProgramFactory(
        agency=agency_a, year=2025, name="Bedah Rumah", budget_ceiling=250_000_000
    )
    workbook = download(admin_client, "programs", year=2025)
    sheet = workbook["Program"]
    fill(
        sheet,
        find_row(sheet, "Program", "Bedah Rumah"),
        **{
            PROGRAM_CODE: "1.04.02",
            ACTIVITY_CODE: "1.04.02.2.01",
            SUB_ACTIVITY_CODE: "1.04.02.2.01.0005",
            funding_header("APBD"): "200.000.000",
            funding_header("DAK Fisik"): "50.000.000",
        },
    )
    url, preview = upload_and_preview(admin_client, "programs", xlsx_bytes(workbook))

    assert errors_of(preview) == []
    [(_row, _label, action, changes)] = changes_of(preview)
    assert action == "changed"
    assert (funding_header("APBD"), "–", "200.000.000") in changes
    assert confirm(admin_client, url).status_code == 302

    program.refresh_from_db()
    assert (program.program_code, program.activity_code, program.sub_activity_code) == (
        "1.04.02",
        "1.04.02.2.01",
        "1.04.02.2.01.0005",
    )
    assert dict(program.funding.values_list("source__name", "amount")) == {
        "APBD": 200_000_000,
        "DAK Fisik": 50_000_000,
    }
    page = admin_client.get(reverse("programs:program_detail", args=[program.pk]))
    text = page.content.decode()
    assert "1.04.02.2.01.0005" in text
    assert "Sumber dana: DAK Fisik" in text and "Rp50.000.000" in text


def test_a_bad_code_or_funding_off_the_ceiling_is_shown_by_row_and_column_and_saves_nothing(
    admin_client, agency_a, sources
):
    for name in ("Bedah Rumah", "Jamban Sehat", "Air Bersih"):
        ProgramFactory(agency=agency_a, year=2025, name=name, budget_ceiling=250_000_000)
    workbook = download(admin_client, "programs", year=2025)
    sheet = workbook["Program"]
    bad_code = find_row(sheet, "Program", "Bedah Rumah")
    off_ceiling = find_row(sheet, "Program", "Jamban Sehat")
    fill(sheet, bad_code, **{PROGRAM_CODE: "1.4.2"})
    fill(sheet, off_ceiling, **{funding_header("APBD"): "240.000.000"})
    fill(sheet, find_row(sheet, "Program", "Air Bersih"), **{PROGRAM_CODE: "1.03.02"})
    url, preview = upload_and_preview(admin_client, "programs", xlsx_bytes(workbook))

    errors = errors_of(preview)
    assert [(row, column) for _sheet, row, column, _message in errors] == [
        (bad_code, column_of(sheet, PROGRAM_CODE)),
        (off_ceiling, column_of(sheet, funding_header("APBD"))),
    ]
    assert "1.4.2" in errors[0][3]
    assert "Rp240.000.000" in errors[1][3] and "Rp250.000.000" in errors[1][3]

    confirm(admin_client, url)
    assert set(Program.objects.values_list("program_code", flat=True)) == {""}
    assert not ProgramFunding.objects.exists()
