"""Choosing a village on a table as people do: the kecamatan first, then one of its desa
(programs/filters.py DesaFilter), with and without JavaScript."""

import pytest
from playwright.sync_api import expect

from bartim.models import User, Village
from tests.factories import ProgramFactory, UserFactory

DUSUN_TIMUR = "62.13.01"
BENUA_LIMA = "62.13.02"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_viewer_chooses_a_kecamatan_then_one_of_its_villages(
    live_server, new_page, log_in, reference_data, javascript
):
    here, elsewhere = Village.objects.filter(district__code=DUSUN_TIMUR).order_by("code")[:2]
    far = Village.objects.filter(district__code=BENUA_LIMA).order_by("code").first()
    ProgramFactory(name="Air bersih desa", year=2024, target_villages=[here])
    ProgramFactory(name="Jalan usaha tani", year=2024, target_villages=[elsewhere])
    ProgramFactory(name="Rumah layak huni", year=2024, target_villages=[far])
    viewer = UserFactory(username="bupati", role=User.Role.VIEWER)
    page = new_page(java_script_enabled=javascript)
    log_in(page, viewer)
    page.goto(live_server.url + "/programs/")
    desa = page.get_by_label("Desa/kelurahan", exact=True)

    expect(desa.locator("option")).to_have_text(["Pilih kecamatan dahulu"])

    page.get_by_label("Kecamatan", exact=True).select_option(value=DUSUN_TIMUR)
    page.get_by_role("button", name="Terapkan filter").click()
    expect(page.get_by_role("table")).not_to_contain_text("Rumah layak huni")
    desa.select_option(value=here.code)
    page.get_by_role("button", name="Terapkan filter").click()

    table = page.get_by_role("table")
    expect(table).to_contain_text("Air bersih desa")
    expect(table).not_to_contain_text("Jalan usaha tani")
    expect(desa).to_have_value(here.code)
    expect(desa.locator(f'option[value="{far.code}"]')).to_have_count(0)

    page.get_by_label("Kecamatan", exact=True).select_option(value=BENUA_LIMA)
    if javascript:
        # The desa chosen under the old kecamatan is cleared until the filters are applied.
        expect(desa).to_be_disabled()
    page.get_by_role("button", name="Terapkan filter").click()

    expect(desa.locator(f'option[value="{far.code}"]')).to_have_count(1)
    if not javascript:
        # Without the script the old desa is sent along: both filters apply, both are shown
        # and the desa list offers the new kecamatan's villages beside the old one.
        expect(page.locator("#active-filters")).to_contain_text(here.name)
        expect(page.get_by_role("table")).not_to_contain_text("Rumah layak huni")
        desa.select_option(value=far.code)
        page.get_by_role("button", name="Terapkan filter").click()
    expect(page.get_by_role("table")).to_contain_text("Rumah layak huni")
    expect(page.get_by_role("table")).not_to_contain_text("Air bersih desa")
