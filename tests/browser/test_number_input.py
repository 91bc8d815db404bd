"""Numbers typed the way people write them, in Chromium, in both interface languages: the
programme, indicator, quarter and village-data forms read "250.000.000", "Rp 1.250.000", "4,5"
and "1.250,75" (in English "250,000,000", "Rp 1,250,000", "4.5", "1,250.75"), preview the
value beside the input before saving, store exactly those values and show them back."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from bartim.models import User, Village
from helpers.formatting import format_quantity
from helpers.forms import read_typed_number
from programs.models import Program, Strategy
from tests.factories import AgencyFactory, ProgramFactory, UserFactory
from villages.models import VillageData

TYPED = {
    "id": {
        "ceiling": "250.000.000",
        "budget": "Rp 1.250.000",
        "small": "4,5",
        "large": "1.250,75",
        "population": "1.250",
        "read as": "Terbaca:",
        "switch": None,
    },
    "en": {
        "ceiling": "250,000,000",
        "budget": "Rp 1,250,000",
        "small": "4.5",
        "large": "1,250.75",
        "population": "1,250",
        "read as": "Read as:",
        "switch": "English",
    },
}


def switch_to_english(page):
    page.get_by_label("Bahasa").select_option(label="English")
    page.get_by_role("button", name="Ganti").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def preview(page, field_id):
    return page.locator(f"#{field_id}-preview")


def save(page):
    page.locator("form button[type=submit]").filter(has_text=re.compile("Simpan|Save")).click()


@pytest.mark.parametrize("language", ["id", "en"])
def test_numbers_typed_as_people_write_them_are_stored_and_shown_exactly(
    live_server, page, log_in, reference_data, language
):
    typed = TYPED[language]
    agency = AgencyFactory(name="Dinas Perikanan Uji", abbreviation="DISKAN-UJI")
    opd_head = UserFactory(username="kadis_perikanan", role=User.Role.OPD, agency=agency)
    village = Village.objects.order_by("code").first()
    camat = UserFactory(username="camat_uji", role=User.Role.CAMAT, district=village.district)

    page.goto(live_server.url + "/")
    log_in(page, opd_head)
    if typed["switch"]:
        switch_to_english(page)

    page.goto(live_server.url + reverse("programs:program_create"))
    page.locator("#id_strategy").select_option(value="2")
    page.locator("#id_year").fill("2025")
    page.locator("#id_name").fill("Bantuan benih ikan uji")
    page.locator("#id_budget_ceiling").fill(typed["ceiling"])
    page.locator("#id_beneficiary_target").fill("120")
    page.locator("#id_target_villages").select_option(value=[str(village.pk)])
    # The preview shows what the server will read, before anything is saved.
    with translation.override(language):
        expect(preview(page, "id_budget_ceiling")).to_have_text(
            f"{typed['read as']} {typed['ceiling']}"
        )
    assert not Program.objects.exists()
    save(page)

    program = Program.objects.get(name="Bantuan benih ikan uji")
    assert program.budget_ceiling == 250_000_000
    assert program.strategy == Strategy.objects.get(number=2)
    ceiling = "Rp250.000.000" if language == "id" else "Rp250,000,000"
    expect(page.locator("main")).to_contain_text(ceiling)

    page.goto(live_server.url + reverse("programs:indicator_create", args=[program.pk]))
    page.locator("#id_name").fill("Benih ikan tersalurkan")
    page.locator("#id_unit").fill("ton")
    page.locator("#id_baseline").fill(typed["small"])
    page.locator("#id_target").fill(typed["large"])
    expect(preview(page, "id_target")).to_have_text(f"{typed['read as']} {typed['large']}")
    save(page)

    indicator = program.indicators.get()
    assert (indicator.baseline, indicator.target) == (Decimal("4.5"), Decimal("1250.75"))
    row = page.get_by_role("row", name=re.compile("Benih ikan tersalurkan"))
    expect(row).to_contain_text(typed["small"])
    expect(row).to_contain_text(typed["large"])

    page.goto(live_server.url + reverse("programs:program_quarter", args=[program.pk, 1]))
    page.locator("#id_budget_realized").fill(typed["budget"])
    page.locator(f"#id_realized_{indicator.pk}").fill(typed["small"])
    page.locator(f"#id_target_{indicator.pk}").fill(typed["large"])
    grouped_budget = typed["budget"].removeprefix("Rp ")
    expect(preview(page, "id_budget_realized")).to_have_text(f"{typed['read as']} {grouped_budget}")
    save(page)

    program.refresh_from_db()
    assert program.budget_realized_q1 == 1_250_000
    value = indicator.values.get(quarter=1)
    assert (value.realized, value.target) == (Decimal("4.5"), Decimal("1250.75"))
    expect(page.locator("main")).to_contain_text("Rp" + grouped_budget)
    first_quarter = page.locator(f"#indicator-quarters-{indicator.pk} tbody tr").first
    expect(first_quarter.locator("td").nth(1)).to_have_text(typed["large"])  # the target
    expect(first_quarter.locator("td").nth(2)).to_have_text(typed["small"])  # realised

    page.context.clear_cookies()
    page.goto(live_server.url + "/")
    log_in(page, camat)
    if typed["switch"]:
        switch_to_english(page)
    page.goto(live_server.url + reverse("villages:village_data_create"))
    page.locator("#id_village").select_option(value=str(village.pk))
    page.locator("#id_year").fill("2025")
    figures = {
        "population": typed["population"],
        "households": "400",
        "poor_households": "75",
        "poor_people": "250",
        "extremely_poor_people": "20",
    }
    for name, text in figures.items():
        page.locator(f"#id_{name}").fill(text)
    expect(preview(page, "id_population")).to_have_text(f"{typed['read as']} {typed['population']}")
    save(page)

    record = VillageData.objects.get(village=village, year=2025)
    assert record.population == 1250
    expect(page.get_by_role("row", name=re.compile("jiwa|people")).first).to_be_visible()
    expect(page.locator("main")).to_contain_text(typed["population"])


def test_a_budget_ceiling_far_too_small_is_saved_only_once_confirmed(
    live_server, page, log_in, reference_data
):
    agency = AgencyFactory(name="Dinas Perikanan Uji", abbreviation="DISKAN-UJI")
    opd_head = UserFactory(username="kadis_perikanan", role=User.Role.OPD, agency=agency)

    log_in(page, opd_head)
    page.goto(live_server.url + reverse("programs:program_create"))
    page.locator("#id_strategy").select_option(value="1")
    page.locator("#id_year").fill("2025")
    page.locator("#id_name").fill("Program pagu kecil")
    page.locator("#id_budget_ceiling").fill("250.000")
    save(page)

    expect(page.locator("#id_budget_ceiling-errors")).to_contain_text("Rp250.000")
    assert not Program.objects.exists()
    page.get_by_label("Ya, nilainya benar").check()
    save(page)

    assert Program.objects.get(name="Program pagu kecil").budget_ceiling == 250_000


SAMPLES = [
    "250.000.000",
    "Rp 1.250.000",
    "4,5",
    "1.250,75",
    "1.250",
    "0,50",
    "007",
    "-5",
    "12345678901234567890,25",
    "250,000,000",
    "1,250.75",
    "4.5",
    "1.2.3,4,5",
    "0.125",
    "lima",
    "4,",
]


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_preview_reads_what_the_server_reads(
    live_server, page, log_in, reference_data, language
):
    program = ProgramFactory(agency=AgencyFactory(abbreviation="DISKAN-UJI"))
    opd_head = UserFactory(username="kadis_uji", role=User.Role.OPD, agency=program.agency)
    page.goto(live_server.url + "/")
    log_in(page, opd_head)
    if TYPED[language]["switch"]:
        switch_to_english(page)
    page.goto(live_server.url + reverse("programs:indicator_create", args=[program.pk]))

    with translation.override(language):
        for text in SAMPLES:
            page.locator("#id_target").fill(text)
            plain = read_typed_number(text)
            if plain is None:
                expected = gettext("Not a number yet.")
            else:
                number = Decimal(plain)
                places = max(0, -number.as_tuple().exponent)
                expected = f"{gettext('Read as:')} {format_quantity(number, places)}"
            expect(preview(page, "id_target")).to_have_text(expected)
