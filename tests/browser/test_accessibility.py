"""Accessibility and phones: axe-core on every main page at desktop and phone width, the page
never wider than the window, wide tables scrolling in their own box, and a journey done with
the keyboard alone. Pages are filled with the demo year, so the tables are as long and as wide
as a real year makes them."""

import re

import pytest
from playwright.sync_api import expect

from bartim import access
from bartim.models import User
from demo.demo import DEMO_PASSWORD
from programs.models import Program, Strategy
from tests.browser.conftest import PHONE, accessibility_violations, horizontal_overflow
from tests.factories import AgencyFactory, UserFactory
from villages.models import VillageData

DESKTOP = {"width": 1280, "height": 900}


def main_pages(demo_data):
    """(account, path) for every main page, each opened by an account that may see it."""
    admin, opd_head, camat = (
        demo_data["admin"],
        demo_data["opd_sosial"],
        demo_data["camat_dusun_timur"],
    )
    program = Program.objects.filter(agency=opd_head.agency).order_by("pk").first()
    draft = access.editable(opd_head, Program.objects.all()).order_by("pk").first()
    submitted = Program.objects.filter(status="submitted").order_by("pk").first()
    record = access.editable(camat, VillageData.objects.all()).order_by("pk").first()
    # The demo year gives opd_sosial a draft, the queue a submitted programme.
    assert draft and submitted and record
    return [
        (None, "/login/"),
        (demo_data["viewer"], "/"),
        (opd_head, "/"),
        (camat, "/"),
        (admin, "/"),
        (admin, "/review/?kind=plan"),
        (demo_data["viewer"], "/programs/"),
        (demo_data["viewer"], "/indicators/"),
        (demo_data["viewer"], "/strategies/"),
        (demo_data["viewer"], "/opd/"),
        (demo_data["viewer"], "/targeting/"),
        # The village map's other layers (the dashboard shows the rate, the check the reach).
        (demo_data["viewer"], "/dashboard/?map=pockets"),
        # A basic need chosen: its map of the villages.
        (demo_data["viewer"], "/needs/?need=housing"),
        (demo_data["viewer"], "/villages/"),
        (demo_data["viewer"], f"/reports/{program.year}/"),
        (demo_data["viewer"], f"/programs/{program.pk}/"),
        (opd_head, "/programs/new/"),
        (opd_head, f"/programs/{draft.pk}/edit/"),
        (opd_head, f"/programs/{draft.pk}/indicators/new/"),
        (opd_head, f"/programs/{draft.pk}/quarter/1/"),
        (opd_head, f"/programs/{draft.pk}/submit/"),
        (opd_head, "/excel/"),
        (camat, "/village-data/"),
        (camat, f"/village-data/{record.pk}/"),
        (camat, f"/village-data/{record.pk}/edit/"),
        (camat, "/village-data/new/"),
        (admin, "/review/"),
        (admin, f"/programs/{submitted.pk}/return/"),
        (admin, f"/programs/{program.pk}/history/"),
        (admin, "/locks/"),
        (admin, "/deadlines/"),
        (opd_head, "/notifications/"),
        (opd_head, "/my-settings/"),
        (admin, "/audit/"),
        (admin, "/excel/"),
        (admin, "/password/"),
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_main_pages_have_no_serious_accessibility_problem_and_fit_the_window(
    live_server, new_page, log_in, demo_data, viewport
):
    pages = {}
    problems = []
    for account, path in main_pages(demo_data):
        key = account.username if account else "anonymous"
        if key not in pages:
            pages[key] = new_page(viewport=viewport)
            if account:
                log_in(pages[key], account, DEMO_PASSWORD)
        page = pages[key]
        response = page.goto(live_server.url + path)
        if response.status != 200:
            problems.append(f"{path} as {key}: HTTP {response.status}")
            continue
        problems += accessibility_violations(page)
        overflow = horizontal_overflow(page)
        if overflow > 0:
            problems.append(f"{path} as {key}: the page scrolls {overflow} px sideways")

    assert not problems, "\n".join(problems)


def test_on_a_phone_a_wide_table_scrolls_inside_its_box_not_the_page(
    live_server, new_page, log_in, demo_data
):
    page = new_page(viewport=PHONE)
    log_in(page, demo_data["viewer"], DEMO_PASSWORD)
    page.goto(live_server.url + "/programs/")

    box = page.locator(".table-responsive").first
    box_width, table_width = box.evaluate("box => [box.clientWidth, box.scrollWidth]")
    assert box_width <= PHONE["width"] < table_width
    assert horizontal_overflow(page) == 0
    # A keyboard user scrolls it too: the box takes the focus and the arrow keys move it.
    box.focus()
    expect(box).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("box => box.scrollLeft > 0", arg=box.element_handle())


FOCUS_INDICATOR = """element => {
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return {
        outlined: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
        ringed: style.boxShadow !== "none",
        onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
            && box.top < window.innerHeight && box.left < window.innerWidth,
    };
}"""


def tab_to(page, target, limit=60):
    """Presses Tab until `target` has the focus, checking at every step that the focused
    element is on screen and visibly marked (an outline or Bootstrap's focus ring)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        state = focused.evaluate(FOCUS_INDICATOR)
        label = focused.evaluate("e => e.outerHTML.slice(0, 120)")
        assert state["onScreen"], f"the focus is off screen on {label}"
        assert state["outlined"] or state["ringed"], f"no visible focus on {label}"
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} never got the focus in {limit} presses of Tab")


def test_viewer_logs_in_and_filters_the_programmes_with_the_keyboard_alone(
    live_server, page, demo_data
):
    viewer = demo_data["viewer"]
    income = Strategy.objects.get(number=2)
    page.goto(live_server.url + "/login/")

    # The username field has the focus as the page opens.
    expect(page.get_by_label("Nama Pengguna")).to_be_focused()
    page.keyboard.type(viewer.username)
    tab_to(page, page.get_by_label("Sandi"))
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + "/"

    # The first Tab shows the skip link; the navbar's links follow.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Langsung ke isi")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Program", exact=True))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    strategy = page.get_by_label("Strategi", exact=True)
    tab_to(page, strategy)
    # On a closed list, the arrow keys step through the options without opening it.
    for _ in range(Strategy.objects.count()):
        if strategy.input_value() == str(income.pk):
            break
        page.keyboard.press("ArrowDown")
    assert strategy.input_value() == str(income.pk)
    tab_to(page, page.get_by_role("button", name="Terapkan filter"))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert f"strategy={income.pk}" in page.url
    strategies = page.get_by_role("table").locator("tbody tr td:nth-child(3)")
    expected = (
        access.readable(viewer, Program.objects.all()).filter(strategy=income, year=2024).count()
    )
    assert expected > 0
    expect(page.get_by_text(f"Jumlah baris: {expected}")).to_be_visible()
    assert set(strategies.all_inner_texts()) == {str(income.number)}


def test_on_a_phone_the_menu_opens_from_its_button_and_fits(
    live_server, new_page, log_in, demo_data
):
    page = new_page(viewport=PHONE)
    log_in(page, demo_data["admin"], DEMO_PASSWORD)
    review_link = page.get_by_role("link", name="Antrean pemeriksaan")
    expect(review_link).to_be_hidden()

    page.get_by_role("button", name="Buka/tutup navigasi").click()

    expect(review_link).to_be_visible()
    expect(page.get_by_role("button", name="Keluar")).to_be_in_viewport()
    assert horizontal_overflow(page) == 0
    assert accessibility_violations(page) == []
    review_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Antrean pemeriksaan")


def test_a_form_sent_back_with_errors_ties_each_error_to_its_input(
    live_server, page, log_in, reference_data
):
    opd_head = UserFactory(username="kadis", role=User.Role.OPD, agency=AgencyFactory())
    log_in(page, opd_head)
    page.goto(live_server.url + "/programs/new/")
    page.get_by_label("Pagu anggaran (Rp)").fill("-5")

    page.get_by_role("button", name="Simpan").click()

    invalid = page.locator("[aria-invalid=true], .is-invalid")
    expect(invalid.first).to_be_visible()
    for field in invalid.all():
        described_by = field.get_attribute("aria-describedby")
        assert described_by, field.evaluate("e => e.outerHTML")
        # A list of ids: the error first, then (on a number input) the preview of its value.
        for message_id in described_by.split():
            message = page.locator(f"#{message_id}")
            expect(message).to_be_visible()
            assert message.inner_text().strip()
    expect(page.get_by_label("Nama", exact=True)).to_have_accessible_description(re.compile(".+"))
    assert accessibility_violations(page) == []
