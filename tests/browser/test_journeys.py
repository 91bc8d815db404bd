"""The main journeys of each role, in Chromium, through the pages a person would use.

Locators are by role and label on purpose: a field found by its label proves the label is
there and tied to its input, which is what a screen reader needs too."""

import re
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation
from playwright.sync_api import expect

from bartim.models import Agency, ReviewStatus, User, Village
from helpers.formatting import format_rupiah
from indicators.models import IndicatorValue
from programs.models import Program, QuarterReport, Strategy
from review.services import review_transition
from tests.factories import (
    AgencyFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProgramFactory,
    UserFactory,
    VillageDataFactory,
)
from villages.models import VillageData

DUSUN_TIMUR = "62.13.01"
BENUA_LIMA = "62.13.02"


def heading(page):
    return page.get_by_role("heading", level=1)


OPD_WORDS = {
    "id": {
        "new programme": "Program baru",
        "strategy": "Strategi",
        "year": "Tahun anggaran",
        "name": "Nama",
        "description": "Uraian",
        "ceiling": "Pagu anggaran (Rp)",
        "beneficiaries": "Target penerima manfaat",
        "villages": "Desa/kelurahan sasaran",
        "save": "Simpan",
        "saved as draft": "Program disimpan sebagai draf.",
        "add indicator": "Tambah indikator",
        "unit": "Satuan",
        "baseline": "Nilai dasar (baseline)",
        "annual target": "Target tahunan",
        "indicator saved": "Indikator disimpan.",
        "report q1": "Laporkan TW I",
        "budget q": "Realisasi anggaran triwulan ini (Rp)",
        "realised": "{name}: realisasi ({unit})",
        "quarter saved": "Data triwulan disimpan.",
        "budget": "Anggaran",
        "realised q1 row": "Realisasi TW I {amount}",
        "submit": "Ajukan rencana",
        "confirm": "Konfirmasi",
        "submitted": "Diajukan untuk diperiksa.",
    },
    "en": {
        "new programme": "New programme",
        "strategy": "Strategy",
        "year": "Fiscal year",
        "name": "Name",
        "description": "Description",
        "ceiling": "Budget ceiling (pagu, Rp)",
        "beneficiaries": "Target beneficiaries",
        "villages": "Target villages",
        "save": "Save",
        "saved as draft": "Programme saved as a draft.",
        "add indicator": "Add indicator",
        "unit": "Unit",
        "baseline": "Baseline",
        "annual target": "Annual target",
        "indicator saved": "Indicator saved.",
        "report q1": "Report Q I",
        "budget q": "Budget realised this quarter (Rp)",
        "realised": "{name}: realised ({unit})",
        "quarter saved": "Quarter saved.",
        "budget": "Budget",
        "realised q1 row": "Realised Q I {amount}",
        "submit": "Submit the plan",
        "confirm": "Confirm",
        "submitted": "Submitted for review.",
    },
}


def switch_language(page, language_name):
    """Through the language switcher in every page's footer, labelled "Bahasa" in Indonesian."""
    page.get_by_label("Bahasa").select_option(label=language_name)
    page.get_by_role("button", name="Ganti").click()


@pytest.mark.parametrize("language", ["id", "en"])
def test_opd_head_adds_a_programme_with_an_indicator_reports_q1_and_submits(
    live_server, page, log_in, reference_data, language
):
    words = OPD_WORDS[language]
    agency = AgencyFactory(name="Dinas Sosial Uji", abbreviation="DINSOS-UJI")
    opd_head = UserFactory(username="kadis_sosial", role=User.Role.OPD, agency=agency)
    strategy = Strategy.objects.get(number=2)
    villages = list(Village.objects.filter(district__code=DUSUN_TIMUR).order_by("code")[:2])

    page.goto(live_server.url + "/")
    log_in(page, opd_head)
    if language == "en":
        switch_language(page, "English")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name=words["new programme"]).click()

    expect(heading(page)).to_have_text(words["new programme"])
    page.get_by_label(words["strategy"]).select_option(label=str(strategy))
    page.get_by_label(words["year"]).fill("2025")
    page.get_by_label(words["name"], exact=True).fill("Pelatihan usaha mikro desa")
    page.get_by_label(words["description"]).fill("Pelatihan dan modal awal bagi keluarga miskin.")
    page.get_by_label(words["ceiling"]).fill("50000000")
    page.get_by_label(words["beneficiaries"]).fill("120")
    page.get_by_label(words["villages"]).select_option(
        value=[str(village.pk) for village in villages]
    )
    page.get_by_role("button", name=words["save"]).click()

    expect(page.get_by_role("alert")).to_have_text(words["saved as draft"])
    expect(heading(page)).to_contain_text("Pelatihan usaha mikro desa")
    for village in villages:
        expect(page.get_by_text(village.name, exact=False).first).to_be_visible()

    page.get_by_role("link", name=words["add indicator"]).click()
    page.get_by_label(words["name"], exact=True).fill("Keluarga miskin yang memulai usaha")
    page.get_by_label(words["unit"]).fill("KK")
    page.get_by_label(words["baseline"]).fill("0")
    page.get_by_label(words["annual target"]).fill("120")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_role("alert")).to_have_text(words["indicator saved"])

    page.get_by_role("link", name=words["report q1"], exact=True).click()
    page.get_by_label(words["budget q"]).fill("12500000")
    realised = words["realised"].format(name="Keluarga miskin yang memulai usaha", unit="KK")
    page.get_by_label(realised).fill("35")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_role("alert")).to_have_text(words["quarter saved"])
    with translation.override(language):
        amount = format_rupiah(12_500_000)
    budget = page.get_by_role("table", name=words["budget"])
    expect(
        budget.get_by_role("row", name=words["realised q1 row"].format(amount=amount))
    ).to_be_visible()

    page.get_by_role("link", name=words["submit"]).click()
    page.get_by_role("button", name=words["confirm"]).click()
    expect(page.get_by_role("alert")).to_have_text(words["submitted"])

    program = Program.objects.get(name="Pelatihan usaha mikro desa")
    assert program.agency == agency
    assert program.strategy == strategy
    assert program.year == 2025
    assert program.status == ReviewStatus.SUBMITTED
    assert program.budget_ceiling == 50_000_000
    assert program.budget_realized_q1 == 12_500_000
    assert set(program.target_villages.all()) == set(villages)
    indicator = program.indicators.get()
    assert (indicator.unit, indicator.target) == ("KK", Decimal("120"))
    assert indicator.values.get(quarter=1).realized == Decimal("35")


def test_admin_returns_a_plan_the_opd_head_fixes_it_then_the_plan_is_fixed_and_quarters_reported(
    live_server, new_page, log_in, reference_data
):
    agency = AgencyFactory(name="Dinas Kesehatan Uji", abbreviation="DINKES-UJI")
    opd_head = UserFactory(username="kadis_kesehatan", role=User.Role.OPD, agency=agency)
    admin = UserFactory(username="tkpk", role=User.Role.ADMIN, is_staff=True)
    program = ProgramFactory(
        agency=agency, strategy=Strategy.objects.get(number=1), name="Posyandu keliling"
    )
    indicator = IndicatorFactory(program=program, name="Balita ditimbang", unit="jiwa")
    IndicatorValueFactory(indicator=indicator, quarter=1, realized=Decimal("400"))
    review_transition(record=program, action="submit", actor=opd_head, reason="")
    reason = "Realisasi TW I melebihi jumlah balita di desa sasaran; periksa lagi."

    admin_page = new_page()
    log_in(admin_page, admin)
    admin_page.get_by_role("link", name="Antrean pemeriksaan").click()
    admin_page.get_by_role("checkbox", name="Pilih Posyandu keliling").check()
    admin_page.get_by_label("Alasan (wajib untuk mengembalikan)").fill(reason)
    admin_page.get_by_role("button", name="Kembalikan yang dipilih").click()
    expect(admin_page.get_by_role("cell", name="Posyandu keliling")).to_have_count(0)

    opd_page = new_page()
    log_in(opd_page, opd_head)
    opd_page.goto(live_server.url + f"/programs/{program.pk}/")
    expect(opd_page.get_by_role("alert")).to_contain_text(reason)
    opd_page.get_by_role("link", name="Laporkan TW I", exact=True).click()
    opd_page.get_by_label("Balita ditimbang: realisasi (jiwa)").fill("40")
    opd_page.get_by_role("button", name="Simpan").click()
    opd_page.get_by_role("link", name="Ajukan rencana").click()
    opd_page.get_by_role("button", name="Konfirmasi").click()
    expect(opd_page.get_by_role("alert")).to_have_text("Diajukan untuk diperiksa.")

    admin_page.reload()
    admin_page.get_by_role("link", name="Posyandu keliling").click()
    expect(admin_page.get_by_role("row", name=re.compile("Balita ditimbang"))).to_contain_text(
        "TW I: 40"
    )
    admin_page.get_by_role("link", name="Setujui").click()
    admin_page.get_by_role("button", name="Konfirmasi").click()
    expect(admin_page.get_by_role("alert")).to_have_text("Disetujui.")

    # The plan is now fixed, but its quarters are still reported and verified one by one.
    opd_page.reload()
    for name in ("Ubah program", "Tambah indikator", "Ajukan rencana"):
        expect(opd_page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    assert opd_page.goto(live_server.url + f"/programs/{program.pk}/edit/").status == 403
    opd_page.goto(live_server.url + f"/programs/{program.pk}/")
    opd_page.get_by_role("link", name="Laporkan TW III", exact=True).click()
    opd_page.get_by_label("Balita ditimbang: realisasi (jiwa)").fill("120")
    opd_page.get_by_role("button", name="Simpan").click()
    expect(opd_page.get_by_role("alert")).to_have_text("Data triwulan disimpan.")
    quarters = opd_page.get_by_role("table", name="Laporan triwulan")
    quarters.get_by_role("row", name=re.compile("TW III")).get_by_role(
        "link", name="Ajukan laporan triwulan"
    ).click()
    opd_page.get_by_role("button", name="Konfirmasi").click()
    expect(opd_page.get_by_role("alert")).to_have_text("Diajukan untuk diperiksa.")

    admin_page.get_by_role("link", name="Antrean pemeriksaan").click()
    admin_page.get_by_role("checkbox", name="Pilih Posyandu keliling (2024) · TW III").check()
    admin_page.get_by_role("button", name="Setujui yang dipilih").click()
    expect(admin_page.get_by_role("alert")).to_contain_text("1 disetujui")

    opd_page.reload()
    expect(opd_page.get_by_role("link", name="Laporkan TW III", exact=True)).to_have_count(0)
    expect(quarters.get_by_role("row", name=re.compile("TW III"))).to_contain_text("Disetujui")
    assert IndicatorValue.objects.get(indicator=indicator, quarter=3).realized == Decimal("120")
    assert QuarterReport.objects.get(program=program, quarter=3).status == ReviewStatus.APPROVED
    program.refresh_from_db()
    assert program.status == ReviewStatus.APPROVED


def test_camat_keeps_his_villages_data_and_cannot_reach_another_kecamatan(
    live_server, page, log_in, reference_data
):
    camat = UserFactory(
        username="camat_dusun_timur",
        role=User.Role.CAMAT,
        district=Village.objects.get(code=DUSUN_TIMUR + ".2003").district,
    )
    own_villages = list(Village.objects.filter(district__code=DUSUN_TIMUR).order_by("code"))
    reported, unreported = own_villages[0], own_villages[1]
    own_record = VillageDataFactory(village=reported, year=2024, population=3000, poor_people=90)
    other_record = VillageDataFactory(
        village=Village.objects.filter(district__code=BENUA_LIMA).first(), year=2024
    )

    log_in(page, camat)
    page.get_by_role("link", name="Data desa", exact=True).click()

    expect(heading(page)).to_have_text("Data desa 2024")
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(len(own_villages))
    assert set(rows.locator("td:nth-child(2)").all_inner_texts()) == {"Dusun Timur"}

    rows.filter(has_text=reported.name).get_by_role("link", name="Buka").click()
    page.get_by_role("link", name="Ubah", exact=True).click()
    page.get_by_label("Penduduk miskin (jiwa)", exact=True).fill("1240")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("alert")).to_have_text("Data desa disimpan.")
    expect(page.get_by_role("row", name="Penduduk miskin (jiwa)")).to_contain_text("1.240")

    page.get_by_role("link", name="Data desa", exact=True).click()
    rows.filter(has_text=unreported.name).get_by_role("link", name="Isi data").click()
    village_choices = page.get_by_label("Desa/kelurahan").locator("option:not([value=''])")
    expect(village_choices).to_have_count(len(own_villages))
    expect(page.get_by_label("Desa/kelurahan")).to_have_value(str(unreported.pk))
    page.get_by_label("Jumlah penduduk (jiwa)").fill("2100")
    page.get_by_label("Keluarga (KK)", exact=True).fill("640")
    page.get_by_label("Keluarga miskin (KK)").fill("75")
    page.get_by_label("Penduduk miskin (jiwa)", exact=True).fill("260")
    page.get_by_label("Penduduk miskin ekstrem (jiwa)").fill("31")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("alert")).to_have_text("Data desa disimpan.")
    page.get_by_role("link", name="Ajukan untuk diperiksa").click()
    page.get_by_role("button", name="Konfirmasi").click()
    expect(page.get_by_role("alert")).to_have_text("Diajukan untuk diperiksa.")

    own_record.refresh_from_db()
    assert own_record.poor_people == 1240
    new_record = VillageData.objects.get(village=unreported, year=2024)
    assert (new_record.population, new_record.poor_people) == (2100, 260)
    assert new_record.status == ReviewStatus.SUBMITTED

    # Every signed-in user may read village data; only its own camat may change it.
    page.goto(live_server.url + f"/village-data/{other_record.pk}/")
    expect(heading(page)).to_contain_text(other_record.village.name)
    expect(page.get_by_role("link", name="Ubah", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Ajukan untuk diperiksa")).to_have_count(0)
    response = page.goto(live_server.url + f"/village-data/{other_record.pk}/edit/")
    assert response.status == 403
    expect(heading(page)).to_have_text("Tidak diizinkan")


VIEWER_WORDS = {
    "id": {
        "programmes": "Program",
        "strategy": "Strategi",
        "agency": "Pemilik",
        "apply": "Terapkan filter",
        "achievement": "Rata-rata capaian (%)",
        "programme": "Program",
        "heading": "Program",
    },
    "en": {
        "programmes": "Programmes",
        "strategy": "Strategy",
        "agency": "Owner",
        "apply": "Apply filters",
        "achievement": "Mean achievement (%)",
        "programme": "Programme",
        "heading": "Programmes",
    },
}


def parse_percent(text: str, language: str) -> Decimal:
    """6,66% (Indonesian) or 6.66% (English) as a number."""
    thousands, decimal = (".", ",") if language == "id" else (",", ".")
    return Decimal(text.rstrip("%").replace(thousands, "").replace(decimal, "."))


@pytest.mark.parametrize("language", ["id", "en"])
def test_viewer_filters_sorts_and_downloads_the_programmes_on_screen(
    live_server, page, log_in, reference_data, language, tmp_path
):
    """In Indonesian, and in English after switching with the language switcher: the same
    pages, found by the labels of the chosen language."""
    words = VIEWER_WORDS[language]
    viewer = UserFactory(username="bupati", role=User.Role.VIEWER)
    social, health = Agency.objects.order_by("name")[:2]
    income, spending = Strategy.objects.get(number=2), Strategy.objects.get(number=1)
    # Three programmes match the filter; their achievements differ only by the realised value
    # against one target, so the ascending order is known without the progress maths.
    realised_in_order = {"Program C (20)": 20, "Program A (50)": 50, "Program B (80)": 80}
    for name, realised in [*realised_in_order.items(), ("Lain strategi", 60), ("Lain OPD", 70)]:
        program = ProgramFactory(
            name=name,
            agency=health if name == "Lain OPD" else social,
            strategy=spending if name == "Lain strategi" else income,
            year=2024,
        )
        indicator = IndicatorFactory(program=program, target=Decimal("100"))
        for quarter in (1, 2, 3, 4):
            IndicatorValueFactory(indicator=indicator, quarter=quarter, realized=realised / 4)

    log_in(page, viewer)
    if language == "en":
        switch_language(page, "English")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name=words["programmes"], exact=True).click()
    expect(heading(page)).to_contain_text(words["heading"])

    page.get_by_label(words["strategy"], exact=True).select_option(label=str(income))
    page.get_by_label(words["agency"], exact=True).select_option(label=social.name)
    page.get_by_role("button", name=words["apply"]).click()
    table = page.get_by_role("table")
    table.get_by_role("link", name=words["achievement"], exact=True).click()

    expect(table.get_by_role("columnheader", name=words["achievement"])).to_have_attribute(
        "aria-sort", "ascending"
    )
    headers = [text.strip(" ▲▼") for text in table.locator("thead th").all_inner_texts()]
    name_column = headers.index(words["programme"])
    achievement_column = headers.index(words["achievement"])
    screen_rows = [row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()]
    assert [row[name_column] for row in screen_rows] == list(realised_in_order)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    sheet = openpyxl.load_workbook(path, read_only=True).active
    file_header, *file_rows = [list(row) for row in sheet.iter_rows(values_only=True)]

    # The file holds every column of the table, those the page shows among them, in order.
    assert [header for header in file_header if header in headers] == headers
    assert len(file_header) > len(headers)
    file_name_column = file_header.index(words["programme"])
    file_achievement_column = file_header.index(words["achievement"])
    assert [row[file_name_column] for row in file_rows] == [row[name_column] for row in screen_rows]
    for file_row, screen_row in zip(file_rows, screen_rows, strict=True):
        on_screen = parse_percent(screen_row[achievement_column], language)
        assert round(Decimal(str(file_row[file_achievement_column])), 2) == on_screen
