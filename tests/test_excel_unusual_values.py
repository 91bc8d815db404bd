"""An Excel import asks, as the forms do, whether values far off their peers are right
(programs/plausibility.py): the preview lists them with row and column, and the import is
applied only once the person ticks that they are right."""

import datetime
from decimal import Decimal

import pytest

from indicators.models import IndicatorValue
from programs.models import Program
from tests.excel_helpers import download, fill, find_row, upload_and_preview, xlsx_bytes
from tests.factories import IndicatorFactory, ProgramFactory

pytestmark = pytest.mark.django_db

CEILING = "Pagu anggaran (Rp)"
REALIZED = "Realisasi"
REVISED = "Pagu perubahan (Rp)"


@pytest.fixture
def program_a(agency_a):
    return ProgramFactory(agency=agency_a, year=2024, name="Bedah Rumah", budget_ceiling=10**8)


@pytest.fixture
def houses(program_a):
    return IndicatorFactory(program=program_a, name="Rumah direhab", unit="unit", target=40)


def doubts_of(response) -> list[tuple]:
    return [(d.sheet, d.row, d.column, d.message) for d in response.context["report"].doubts]


def test_a_budget_ceiling_missing_digits_is_imported_only_once_confirmed(admin_client, program_a):
    workbook = download(admin_client, "programs", year=2024)
    fill(workbook["Program"], 2, **{CEILING: "250.000"})
    url, preview = upload_and_preview(admin_client, "programs", xlsx_bytes(workbook))

    assert doubts_of(preview) == [
        (
            "Program",
            2,
            f"H ({CEILING})",
            "Pagu anggaran Rp250.000 di bawah Rp1.000.000. Periksa jumlah digitnya.",
        )
    ]
    assert "Ya, nilai tidak biasa di atas memang benar" in preview.content.decode()

    refused = admin_client.post(url)
    assert refused.status_code == 200
    assert "Tidak ada yang diimpor: centang kotak" in refused.content.decode()
    program_a.refresh_from_db()
    assert program_a.budget_ceiling == 10**8

    confirmed = admin_client.post(url, {"unusual_confirmed": "1"})
    assert confirmed.status_code == 302
    program_a.refresh_from_db()
    assert program_a.budget_ceiling == 250_000


def test_a_realisation_far_above_its_target_is_listed_and_waits_for_the_tick(
    client, opd_a_user, houses
):
    client.force_login(opd_a_user)
    workbook = download(client, "quarterly", year=2024, quarter=1)
    values = workbook["Indikator"]
    fill(values, find_row(values, "ID indikator", houses.pk), **{REALIZED: "4.500"})
    url, preview = upload_and_preview(client, "quarterly", xlsx_bytes(workbook))

    [(sheet, row, column, message)] = doubts_of(preview)
    assert (sheet, row, column) == ("Indikator", 2, f"K ({REALIZED})")
    assert message.startswith("Realisasi 4.500 lebih dari 5 kali targetnya 40.")

    assert client.post(url).status_code == 200
    assert not IndicatorValue.objects.filter(indicator=houses).exists()

    assert client.post(url, {"unusual_confirmed": "1"}).status_code == 302
    assert IndicatorValue.objects.get(indicator=houses, quarter=1).realized == Decimal(4500)


def test_ordinary_values_import_with_one_click_and_unchanged_ones_are_not_asked_about(
    admin_client, agency_a
):
    # Stored long ago below the threshold: a file that leaves it as it is asks nothing.
    odd = ProgramFactory(agency=agency_a, year=2024, name="Pagu kecil", budget_ceiling=500_000)
    ProgramFactory(agency=agency_a, year=2024, name="Bedah Rumah", budget_ceiling=10**8)
    workbook = download(admin_client, "programs", year=2024)
    sheet = workbook["Program"]
    fill(sheet, find_row(sheet, "Program", "Bedah Rumah"), **{CEILING: "150.000.000"})
    url, preview = upload_and_preview(admin_client, "programs", xlsx_bytes(workbook))

    assert doubts_of(preview) == []
    assert admin_client.post(url).status_code == 302
    assert Program.objects.get(name="Bedah Rumah").budget_ceiling == 150_000_000
    odd.refresh_from_db()
    assert odd.budget_ceiling == 500_000


def test_a_revised_ceiling_far_from_the_original_waits_for_the_tick(admin_client, program_a):
    workbook = download(admin_client, "programs", year=2024)
    fill(
        workbook["Program"],
        2,
        **{
            REVISED: "350.000.000",
            "Tanggal perubahan anggaran": "30-09-2024",
            "Alasan perubahan anggaran": "APBD-P 2024",
        },
    )
    url, preview = upload_and_preview(admin_client, "programs", xlsx_bytes(workbook))

    [(sheet, row, column, message)] = doubts_of(preview)
    assert (sheet, row, column) == ("Program", 2, f"I ({REVISED})")
    assert "Rp100.000.000" in message and "Rp350.000.000" in message

    assert admin_client.post(url).status_code == 200
    program_a.refresh_from_db()
    assert program_a.budget_ceiling_revised is None

    assert admin_client.post(url, {"unusual_confirmed": "1"}).status_code == 302
    program_a.refresh_from_db()
    assert (program_a.budget_ceiling, program_a.budget_ceiling_revised) == (10**8, 350_000_000)
    assert program_a.budget_revised_on == datetime.date(2024, 9, 30)
