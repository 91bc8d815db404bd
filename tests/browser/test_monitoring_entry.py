"""An OPD operator reports a quarter as monitoring offices ask (physical progress, a problem,
its follow-up) and gives a programme its codes and mixed funding, in the browser."""

import pytest
from playwright.sync_api import expect

from programs.models import FundingSource, QuarterReport
from tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_reports_progress_a_problem_and_its_follow_up(
    live_server, page, log_in, opd_a_user, agency_a
):
    program = ProgramFactory(agency=agency_a, name="Bedah Rumah")
    log_in(page, opd_a_user)

    page.goto(f"{live_server.url}/programs/{program.pk}/quarter/2/")
    page.get_by_label("Realisasi fisik (%)").fill("62,5")
    page.get_by_label("Kendala/permasalahan").fill("Bahan bangunan terlambat dikirim.")
    page.get_by_label("Tindak lanjut").fill("Penyedia ditegur; pengiriman minggu depan.")
    page.get_by_role("button", name="Simpan").click()

    expect(page.locator("#quarter-reports")).to_be_visible()
    expect(page.get_by_text("Bahan bangunan terlambat dikirim.")).to_be_visible()
    expect(page.get_by_text("62,50%")).to_be_visible()
    report = QuarterReport.objects.get(program=program, quarter=2)
    assert report.follow_up == "Penyedia ditegur; pengiriman minggu depan."


def test_an_operator_gives_a_programme_its_codes_and_mixed_funding(
    live_server, page, log_in, opd_a_user, agency_a
):
    program = ProgramFactory(agency=agency_a, name="Jamban Sehat", budget_ceiling=250_000_000)
    dak, _ = FundingSource.objects.get_or_create(name="DAK Fisik")
    apbd, _ = FundingSource.objects.get_or_create(name="APBD")
    log_in(page, opd_a_user)

    page.goto(f"{live_server.url}/programs/{program.pk}/edit/")
    page.get_by_label("Kode program").fill("1.03.05")
    page.get_by_label("Kode kegiatan").fill("1.03.05.2.01")
    page.get_by_label("Kode sub kegiatan").fill("1.03.05.2.01.0012")
    page.get_by_label("Sumber dana 1").select_option(str(dak.pk))
    page.get_by_label("Jumlah 1 (Rp)").fill("150.000.000")
    page.get_by_label("Sumber dana 2").select_option(str(apbd.pk))
    page.get_by_label("Jumlah 2 (Rp)").fill("50.000.000")
    page.get_by_role("button", name="Simpan").click()

    # Rp200.000.000 of a Rp250.000.000 pagu: refused, the rows kept as typed.
    expect(page.get_by_text("Jumlah sumber dana Rp200.000.000")).to_be_visible()
    page.get_by_label("Jumlah 2 (Rp)").fill("100.000.000")
    page.get_by_role("button", name="Simpan").click()

    expect(page.locator("#program-nomenclature")).to_contain_text("1.03.05.2.01.0012")
    expect(page.locator("#program-budget")).to_contain_text("Sumber dana: DAK Fisik")
    assert sorted(program.funding.values_list("amount", flat=True)) == [100_000_000, 150_000_000]
