"""The village map in Chromium: reached and followed with the keyboard, on a phone, on paper."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from bartim.models import User, Village
from demo.demo import DEMO_PASSWORD, demo_load
from tests.browser.conftest import PHONE

YEAR = 2024
PRINTABLE_WIDTH_PX = round((210 - 24) / 25.4 * 96)


@pytest.fixture
def viewer(reference_data):
    demo_load(year=YEAR)
    return User.objects.get(username="viewer")


def test_the_keyboard_reaches_a_village_hears_its_value_and_opens_its_page(
    live_server, viewer, new_page, log_in
):
    page = new_page()
    log_in(page, viewer, password=DEMO_PASSWORD)
    page.goto(f"{live_server.url}{reverse('reports:targeting')}?year={YEAR}&map=rate")

    # From the last layer link, Tab goes into the map: the first village, in code order.
    page.get_by_role("navigation", name="Lapisan peta").get_by_role("link").last.focus()
    page.keyboard.press("Tab")

    focused = page.evaluate(
        "() => [document.activeElement.dataset.key, document.activeElement.getAttribute("
        "'aria-label'), getComputedStyle(document.activeElement.querySelector('path'))"
        ".strokeWidth]"
    )
    first = Village.objects.order_by("code").first()
    code, label, stroke = focused
    assert code == first.code
    assert label.startswith(f"{first.name}: ") and "%" in label
    assert stroke == "3px"  # the focus is drawn, not only announced

    page.keyboard.press("Tab")
    second = Village.objects.order_by("code")[1]
    assert page.evaluate("() => document.activeElement.dataset.key") == second.code

    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The villages table, filtered to that village for the year.
    assert f"desa={second.code}" in page.url
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody")).to_contain_text(second.name)


def test_the_map_fits_a_phone(live_server, viewer, new_page, log_in):
    page = new_page(viewport=PHONE)
    log_in(page, viewer, password=DEMO_PASSWORD)
    for path in (reverse("reports:dashboard"), reverse("reports:targeting")):
        page.goto(live_server.url + path)
        box = page.locator("#village-map > svg").bounding_box()
        assert box and 0 < box["width"] <= PHONE["width"]
        assert box["height"] > 200  # still a map one can read, not a stamp
        # Nothing of the map's section (layer links, legend) sticks out of the window.
        right = page.evaluate(
            "() => Math.max(...Array.from(document.querySelectorAll("
            "'#village-map-section, #village-map-section *'))"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert right <= PHONE["width"]


def test_the_printed_report_keeps_the_map_and_hides_the_navigation(
    live_server, viewer, new_page, log_in
):
    page = new_page(viewport={"width": PRINTABLE_WIDTH_PX, "height": 1000})
    log_in(page, viewer, password=DEMO_PASSWORD)
    page.goto(live_server.url + reverse("reports:meeting_report", args=[YEAR]))
    expect(page.locator(".map-layers")).to_be_visible()

    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert not page.locator(".map-layers").is_visible()
    expect(page.locator("#village-map > svg")).to_be_visible()
    expect(page.locator("#village-map .map-legend")).to_be_visible()
    box = page.locator("#village-map > svg").bounding_box()
    assert 0 < box["width"] <= PRINTABLE_WIDTH_PX
    assert page.locator("#village-map [data-key]").count() == Village.objects.count()
