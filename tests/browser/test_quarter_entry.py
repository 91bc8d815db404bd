"""An OPD operator previews a quarter's entry, sees the achievement and absorption it will
produce, saves it, and finds the same figures per quarter on the programme page."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from indicators.models import Indicator
from tests.factories import IndicatorFactory, IndicatorValueFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_previews_the_quarter_then_saves_it(
    live_server, page, log_in, opd_a_user, agency_a
):
    program = ProgramFactory(agency=agency_a, budget_ceiling=1_000_000, budget_realized_q1=200_000)
    indicator = IndicatorFactory(
        program=program,
        name="Paket bantuan",
        unit="paket",
        aggregation=Indicator.Aggregation.SUM,
        target=Decimal(100),
    )
    IndicatorValueFactory(indicator=indicator, quarter=1, target=Decimal(30), realized=25)
    log_in(page, opd_a_user)

    page.goto(f"{live_server.url}/programs/{program.pk}/quarter/2/")
    page.get_by_label("Paket bantuan: realisasi (paket)").fill("20")
    page.get_by_label("Paket bantuan: Target s.d. TW II (kumulatif), opsional").fill("50")
    page.get_by_label("Realisasi anggaran triwulan ini (Rp)").fill("100000")
    page.get_by_role("button", name="Hitung / Pratinjau").click()

    # (25 + 20) of 50 by the end of Q II; Rp300.000 of Rp1.000.000.
    expect(page.locator("#quarter-context-mean")).to_have_text("90,00%")
    expect(page.locator("#quarter-context-absorption")).to_have_text("30,00%")
    expect(page.locator("#quarter-context-remaining")).to_have_text("Rp700.000")
    page.get_by_role("button", name="Simpan").click()

    row = page.locator("#program-quarters").get_by_role("row", name=re.compile(r"^TW II "))
    expect(row).to_contain_text("90,00%")
    expect(row).to_contain_text("30,00%")
