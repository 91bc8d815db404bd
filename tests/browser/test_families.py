"""The registry's pages in Chromium (docs/privacy.md): a camat opens the unreached decile 1
families of his villages from the families page and prints them; an OPD opens its
programme's beneficiaries; the measures page passes axe. Small hand-made data: a registry
of four families in two kecamatan."""

import pytest
from playwright.sync_api import expect

from families.services import beneficiary_add
from tests.browser.conftest import accessibility_violations
from tests.factories import ProgramFactory
from tests.families_helpers import import_registry, kk, name, nik, registry_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# 210 mm less 2 x 12 mm margins, at CSS's 96 px per inch (as the meeting report's print test).
PRINTABLE_WIDTH_PX = round((210 - 24) / 25.4 * 96)


@pytest.fixture
def registry(admin_user, agency_a, agency_b, village_x, village_y):
    """Village X (camat_x): families 1 and 2 in decile 1, 3 in decile 6; village Y: 4 in
    decile 1. Agency A's programme helps family 2; agency B's helps family 4."""
    snapshot = import_registry(
        admin_user,
        [
            registry_row(1, village_x, 1),
            registry_row(2, village_x, 1),
            registry_row(3, village_x, 6),
            registry_row(4, village_y, 1),
        ],
    )
    own = ProgramFactory(agency=agency_a, year=2024, name="Bantuan tunai uji")
    other = ProgramFactory(agency=agency_b, year=2024, name="Program dinas lain")
    beneficiary_add(actor=admin_user, program=own, kk=kk(2), name=name(2), quarter=1, kind="cash")
    beneficiary_add(actor=admin_user, program=own, nik=nik(99), quarter=2, kind="food")
    beneficiary_add(actor=admin_user, program=other, kk=kk(4), quarter=1, kind="cash")
    return {"snapshot": snapshot, "own": own, "other": other}


def test_a_camat_opens_and_prints_the_unreached_decile_1_families_of_his_villages(
    live_server, new_page, log_in, registry, camat_x_user
):
    # As wide as an A4 page's print area, so the screen's width is the paper's.
    page = new_page(viewport={"width": PRINTABLE_WIDTH_PX, "height": 1000})
    log_in(page, camat_x_user)
    page.goto(f"{live_server.url}/families/")
    page.get_by_role("link", name="Keluarga desil 1 belum terjangkau").click()

    table = page.locator("#unreached")
    # Family 1 only: 2 was reached, 3 is in decile 6, 4 lives in another kecamatan.
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text(name(1))
    assert name(4) not in page.content()
    assert not accessibility_violations(page)

    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert not page.get_by_role("link", name="Excel (XLSX)").is_visible()
    assert table.evaluate("t => t.scrollWidth") <= PRINTABLE_WIDTH_PX + 1


def test_an_opd_opens_its_programmes_beneficiaries(live_server, page, log_in, registry, opd_a_user):
    log_in(page, opd_a_user)
    page.goto(f"{live_server.url}/families/")
    page.get_by_role("link", name="Penerima manfaat program").click()

    programmes = page.locator("#programmes")
    expect(programmes).to_contain_text("Bantuan tunai uji")
    expect(programmes).not_to_contain_text("Program dinas lain")
    programmes.get_by_role("link", name="Bantuan tunai uji").click()

    rows = page.locator("#beneficiaries tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(name(2))
    # The NIK shows its last four digits only; the one outside the registry is marked.
    expect(rows.nth(1)).to_contain_text(f"…{nik(99)[-4:]}")
    expect(rows.nth(1)).to_contain_text("tidak ada di DTSEN")
    assert nik(99) not in page.content()
    assert not accessibility_violations(page)


def test_the_measures_page_has_no_serious_accessibility_problem(
    live_server, page, log_in, registry, viewer_user
):
    log_in(page, viewer_user)
    page.goto(f"{live_server.url}/families/measures/?year=2024&by=village")

    expect(page.locator("table").first).to_contain_text("Pulau Patai")
    assert not accessibility_violations(page)
    assert name(1) not in page.content()
