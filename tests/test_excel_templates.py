"""The Excel templates: who may download which, what they are pre-filled with, and how they
guide the person filling them in (locked cells, validation, instructions, kind marker)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from bartim.models import ReviewStatus
from programs.models import FundingSource, Program, ProgramFunding, QuarterReport
from tests.excel_helpers import columns, download, rows, upload, xlsx_bytes
from tests.factories import (
    AgencyFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PovertyStatisticFactory,
    ProgramFactory,
    StrategyFactory,
    VillageDataFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

KINDS = ["quarterly", "village-data", "programs", "bps"]
ALLOWED = {
    "admin_user": set(KINDS),
    "opd_a_user": {"quarterly"},
    "camat_x_user": {"village-data"},
    "viewer_user": set(),
}


def validations(sheet) -> dict[str, tuple]:
    """Header -> (type, operator, formula1, formula2) of the validation on its column."""
    headers = {cell.column_letter: cell.value for cell in sheet[1]}
    found = {}
    for rule in sheet.data_validations.dataValidation:
        for cell_range in rule.sqref.ranges:
            letter = cell_range.coord.split(":")[0].rstrip("0123456789")
            found[headers[letter]] = (rule.type, rule.operator, rule.formula1, rule.formula2)
    return found


def locked(sheet, row) -> dict[str, bool]:
    return {
        sheet.cell(row=1, column=c).value: sheet.cell(row=row, column=c).protection.locked
        for c in range(1, sheet.max_column + 1)
    }


@pytest.mark.parametrize("role", ALLOWED)
@pytest.mark.parametrize("kind", KINDS)
def test_each_role_downloads_only_its_own_templates(client, request, role, kind):
    StrategyFactory()
    client.force_login(request.getfixturevalue(role))

    response = client.get(
        reverse("spreadsheets:template", args=[kind]), {"year": 2024, "quarter": 1}
    )

    assert response.status_code == (200 if kind in ALLOWED[role] else 403)
    upload_response = upload(client, kind, b"Tahun;Penduduk\n2024;1\n", "x.csv")
    assert upload_response.status_code in ((302, 400) if kind in ALLOWED[role] else (403,))


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_visitors_are_sent_to_log_in(client, kind):
    for url in (
        reverse("spreadsheets:index"),
        reverse("spreadsheets:template", args=[kind]),
        reverse("spreadsheets:upload", args=[kind]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_an_unknown_template_is_not_found(admin_client):
    assert admin_client.get(reverse("spreadsheets:template", args=["gaji"])).status_code == 404


@pytest.mark.parametrize(
    ("role", "titles"),
    [
        (
            "admin_user",
            ["Laporan triwulan", "Data desa", "Program dan indikator", "Angka kemiskinan BPS"],
        ),
        ("opd_a_user", ["Laporan triwulan"]),
        ("camat_x_user", ["Data desa"]),
        ("viewer_user", []),
    ],
)
def test_the_excel_page_offers_each_role_its_templates(client, request, role, titles):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("spreadsheets:index"))

    assert response.status_code == 200
    assert [str(card["kind"].title) for card in response.context["cards"]] == titles
    nav_link = '<a class="nav-link" href="/excel/">Excel</a>'
    assert (nav_link in response.content.decode()) == bool(titles)
    if not titles:
        assert "Peran Anda tidak memiliki templat untuk diisi." in response.content.decode()
    # Only an administrator may change a locked quarter, so only he is asked for a reason.
    asks_reason = [
        str(card["kind"].title)
        for card in response.context["cards"]
        if "reason" in card["upload_form"].fields
    ]
    assert asks_reason == (["Laporan triwulan"] if role == "admin_user" else [])


def test_a_year_out_of_range_is_refused_with_the_form_error(admin_client):
    response = admin_client.get(
        reverse("spreadsheets:template", args=["village-data"]), {"year": 1999}
    )

    assert response.status_code == 400
    assert "2000" in response.content.decode()


def test_the_quarterly_template_holds_the_opds_changeable_programmes(
    client, opd_a_user, agency_a, agency_b
):
    draft = ProgramFactory(agency=agency_a, year=2024, name="Bedah Rumah", budget_ceiling=90)
    returned = ProgramFactory(
        agency=agency_a, year=2024, name="Air Bersih", status=ReviewStatus.RETURNED
    )
    # Its plan approved, its Q III report submitted: that quarter is no longer changed.
    submitted = ProgramFactory(
        agency=agency_a, year=2024, name="Diajukan", status=ReviewStatus.APPROVED
    )
    QuarterReport.objects.create(program=submitted, quarter=3, status=ReviewStatus.SUBMITTED)
    ProgramFactory(agency=agency_a, year=2023, name="Tahun lalu")
    ProgramFactory(agency=agency_b, year=2024, name="Milik Dinkes")
    houses = IndicatorFactory(program=draft, name="Rumah direhab", unit="unit", target=40)
    IndicatorValueFactory(indicator=houses, quarter=3, realized=Decimal("12.5"), target=None)
    IndicatorFactory(program=returned, name="Sambungan air", unit="KK", target=100)
    Program.objects.filter(pk=draft.pk).update(budget_realized_q1=20, budget_realized_q3=30)
    client.force_login(opd_a_user)

    response = client.get(
        reverse("spreadsheets:template", args=["quarterly"]), {"year": 2024, "quarter": 3}
    )
    workbook = download(client, "quarterly", year=2024, quarter=3)

    assert (
        response["Content-Disposition"] == 'attachment; filename="laporan-triwulan-2024-tw3.xlsx"'
    )
    assert workbook.sheetnames == ["Indikator", "Anggaran", "Petunjuk", "_template"]
    values, budget = workbook["Indikator"], workbook["Anggaran"]
    assert [
        (r["Program"], r["Indikator"], r["Triwulan (1–4)"], r["Realisasi"]) for r in rows(values)
    ] == [
        ("Air Bersih", "Sambungan air", 3, None),
        ("Bedah Rumah", "Rumah direhab", 3, 12.5),
    ]
    assert [
        (r["Program"], r["Realisasi triwulan lain (Rp)"], r["Realisasi anggaran triwulan ini (Rp)"])
        for r in rows(budget)
    ] == [("Air Bersih", 0, 0), ("Bedah Rumah", 20, 30)]
    assert locked(values, 2) == {
        "ID indikator": True,
        "Perangkat daerah (OPD)": True,
        "Program": True,
        "Indikator": True,
        "Satuan": True,
        "Cara menjumlahkan triwulan": True,
        "Target tahunan": True,
        "Tahun": True,
        "Triwulan (1–4)": True,
        "Target s.d. triwulan ini (kumulatif)": False,
        "Realisasi": False,
    }
    assert validations(budget) == {
        "Realisasi anggaran triwulan ini (Rp)": ("whole", "greaterThanOrEqual", "0", None),
        "Realisasi fisik (%)": ("decimal", "between", "0", "100"),
    }
    assert validations(values)["Realisasi"][0] == "decimal"
    for sheet in (values, budget):
        assert sheet.protection.sheet is True
        assert not sheet.protection.password
    marker = {row[0]: row[1] for row in workbook["_template"].iter_rows(values_only=True)}
    assert workbook["_template"].sheet_state == "veryHidden"
    assert (marker["kind"], marker["version"], marker["year"], marker["quarter"]) == (
        "quarterly",
        1,
        2024,
        3,
    )


def test_the_village_template_holds_every_village_of_the_camats_kecamatan(
    client, camat_x_user, district_x, village_x, village_y
):
    VillageDataFactory(village=village_x, year=2024, population=1234, stunted_children=7)
    VillageFactory(district=district_x, code="62.13.01.1001", name="Tamiang Layang")
    client.force_login(camat_x_user)

    workbook = download(client, "village-data", year=2024)

    sheet = workbook["Data desa"]
    assert list(columns(sheet)) == [
        "Kode desa/kelurahan",
        "Desa/kelurahan",
        "Kecamatan",
        "Tahun",
        "Jumlah penduduk (jiwa)",
        "Keluarga (KK)",
        "Keluarga miskin (KK)",
        "Penduduk miskin (jiwa)",
        "Penduduk miskin ekstrem (jiwa)",
        "Rumah tidak layak huni (RTLH)",
        "Keluarga tanpa air bersih",
        "Keluarga tanpa jamban",
        "Balita stunting",
        "Anak tidak sekolah",
        "Penduduk usia kerja menganggur",
    ]
    assert [
        (
            r["Kode desa/kelurahan"],
            r["Desa/kelurahan"],
            r["Jumlah penduduk (jiwa)"],
            r["Balita stunting"],
        )
        for r in rows(sheet)
    ] == [
        ("62.13.01.1001", "Tamiang Layang", None, None),
        ("62.13.01.2003", "Pulau Patai", 1234, 7),
    ]
    rules = validations(sheet)
    assert rules["Balita stunting"] == ("whole", "greaterThanOrEqual", "0", None)
    assert rules["Tahun"] == ("whole", "between", "2000", "2100")
    assert (
        len([rule for rule in rules.values() if rule[:2] == ("whole", "greaterThanOrEqual")]) == 11
    )
    assert locked(sheet, 2)["Kode desa/kelurahan"] is True
    assert locked(sheet, 2)["Jumlah penduduk (jiwa)"] is False
    # Rows may be added below for other years: the columns' own style is unlocked.
    assert sheet.column_dimensions["A"].protection.locked is False


def test_the_instructions_are_in_indonesian_and_describe_every_column(client, camat_x_user):
    client.force_login(camat_x_user)

    workbook = download(client, "village-data", year=2024)

    lines = [row[0] for row in workbook["Petunjuk"].iter_rows(values_only=True) if row[0]]
    assert lines[0] == "Petunjuk pengisian: Data desa"
    assert "3. Ketik atau tempel nilai saja, tanpa rumus: sel berisi rumus ditolak." in lines
    assert any("Review > Unprotect Sheet" in line for line in lines)
    assert "Ukuran berkas paling besar 5,0\xa0MB." in " ".join(lines)
    table = [
        row for row in workbook["Petunjuk"].iter_rows(values_only=True) if row[0] == "Data desa"
    ]
    assert (
        "Data desa",
        "Balita stunting",
        "Sel kosong dihitung 0.",
        "Bilangan bulat 0 atau lebih.",
        "tidak",
    ) in table
    assert len(table) == 15


def test_the_programmes_template_offers_agencies_and_choices_as_lists(
    admin_client, agency_a, district_x
):
    for number in (1, 2, 3):
        StrategyFactory(number=number)
    AgencyFactory(name="Dinas Lama", is_active=False)
    program = ProgramFactory(agency=agency_a, year=2025, name="Bedah Rumah")
    program.target_villages.set(
        [
            VillageFactory(district=district_x, code="62.13.01.2003"),
            VillageFactory(district=district_x, code="62.13.01.2001"),
        ]
    )
    IndicatorFactory(program=program, name="Rumah direhab")
    ProgramFactory(agency=agency_a, year=2025, name="Sudah disetujui", status=ReviewStatus.APPROVED)

    workbook = download(admin_client, "programs", year=2025)

    assert workbook.sheetnames == ["Program", "Indikator", "Petunjuk", "Daftar", "_template"]
    assert workbook["Daftar"].sheet_state == "hidden"
    assert [r["Program"] for r in rows(workbook["Program"])] == ["Bedah Rumah"]
    assert rows(workbook["Program"])[0]["Desa sasaran (kode)"] == "62.13.01.2001; 62.13.01.2003"
    agencies = [
        row[0] for row in workbook["Daftar"].iter_rows(min_row=2, values_only=True) if row[0]
    ]
    # Only active agencies are offered; the retired one is not.
    assert agencies == ["Dinas Sosial Uji"]
    assert validations(workbook["Program"])["Perangkat daerah (OPD)"][:1] == ("list",)
    assert validations(workbook["Program"])["Perangkat daerah (OPD)"][2].startswith(
        "'Daftar'!$A$2:$A$"
    )
    assert validations(workbook["Indikator"])["Arah"][0] == "list"
    instructions = [row[0] for row in workbook["Petunjuk"].iter_rows(values_only=True) if row[0]]
    assert "Strategi:" in instructions
    assert "2. Strategi 2" in instructions


def test_the_programmes_template_holds_the_codes_the_revision_and_a_column_per_source(
    admin_client, agency_a
):
    apbd, retired, unused = (
        FundingSource.objects.update_or_create(name=name, defaults={"active": active})[0]
        for name, active in (("APBD", True), ("Hibah lama", False), ("Tidak dipakai", False))
    )
    program = ProgramFactory(
        agency=agency_a,
        year=2025,
        name="Bedah Rumah",
        program_code="1.04.02",
        budget_ceiling=250_000_000,
        budget_ceiling_revised=300_000_000,
        budget_revised_on=datetime.date(2025, 9, 30),
        budget_revision_reason="APBD-P",
    )
    ProgramFunding.objects.create(program=program, source=apbd, amount=200_000_000)
    ProgramFunding.objects.create(program=program, source=retired, amount=100_000_000)

    workbook = download(admin_client, "programs", year=2025)
    sheet = workbook["Program"]

    [row] = rows(sheet)
    assert row["Kode program"] == "1.04.02"
    assert row["Pagu perubahan (Rp)"] == 300_000_000
    assert row["Tanggal perubahan anggaran"].date() == datetime.date(2025, 9, 30)
    assert row["Sumber dana: APBD (Rp)"] == 200_000_000
    # A retired source keeps its column while a programme lists it; an unused one has none.
    assert row["Sumber dana: Hibah lama (Rp)"] == 100_000_000
    assert "Sumber dana: Tidak dipakai (Rp)" not in row
    assert validations(sheet)["Sumber dana: APBD (Rp)"][:3] == ("whole", "greaterThanOrEqual", "0")
    assert not locked(sheet, 2)["Sumber dana: APBD (Rp)"]
    # Uploaded as downloaded, the date cell and the amounts read back as they are stored.
    preview = admin_client.get(upload(admin_client, "programs", xlsx_bytes(workbook))["Location"])
    assert [(r.action, r.changes) for r in preview.context["report"].rows] == [("unchanged", [])]


def test_the_bps_template_holds_the_series_by_year(admin_client):
    PovertyStatisticFactory(year=2024, poor_people=8740, poverty_rate=Decimal("6.66"))
    PovertyStatisticFactory(year=2022, poor_people=8420, poverty_rate=Decimal("6.59"))

    workbook = download(admin_client, "bps")

    sheet = workbook["Angka kemiskinan BPS"]
    assert [
        (r["Tahun"], r["Penduduk miskin (jiwa)"], r["Persentase penduduk miskin (%)"])
        for r in rows(sheet)
    ] == [
        (2022, 8420, 6.59),
        (2024, 8740, 6.66),
    ]
    assert validations(sheet)["Persentase penduduk miskin (%)"] == (
        "decimal",
        "between",
        "0",
        "100",
    )
