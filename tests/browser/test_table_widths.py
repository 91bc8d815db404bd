"""The main tables on an office screen and on a phone, filled with the demo year: at 1280 px
the columns a table shows by default (its key ones: name, agency, achievement, category,
status) lie within the window and the table within its box, so nothing needs sideways
scrolling; at 375 px no page scrolls sideways and every row's link is on screen."""

from django.utils import translation
from playwright.sync_api import expect

from demo.demo import DEMO_PASSWORD
from programs.tables import AgencyTable, IndicatorTable, ProgramTable
from tests.browser.conftest import PHONE, horizontal_overflow
from villages.tables import VillageTable

OFFICE_SCREEN = {"width": 1280, "height": 800}

# (path, table, the columns the issue names as the ones that matter for that table)
TABLE_PAGES = [
    ("/programs/", ProgramTable, ("name", "agency", "mean_achievement", "category", "status")),
    ("/indicators/", IndicatorTable, ("name", "program", "agency", "achievement", "category")),
    ("/opd/", AgencyTable, ("name", "mean_achievement", "category", "completeness")),
    ("/villages/", VillageTable, ("village", "kecamatan", "poverty_rate", "pocket", "status")),
]

COLUMN_BOXES = """table => {
    const box = table.closest(".table-responsive");
    return {
        tableWidth: table.scrollWidth,
        boxWidth: box.clientWidth,
        headers: Array.from(table.querySelectorAll("thead th")).map(th => {
            const r = th.getBoundingClientRect();
            return {text: th.innerText.trim(), left: r.left, right: r.right};
        }),
    };
}"""


def headers_of(table_class, names):
    with translation.override("id"):
        return [str(table_class.base_columns[name].verbose_name) for name in names]


def assert_fits(page, table, viewport_width):
    measured = table.evaluate(COLUMN_BOXES)
    assert measured["tableWidth"] <= measured["boxWidth"], (page.url, measured)
    outside = [
        header["text"]
        for header in measured["headers"]
        if header["left"] < 0 or header["right"] > viewport_width
    ]
    assert not outside, (page.url, outside)
    assert horizontal_overflow(page) == 0, page.url
    return [header["text"].rstrip(" ▲▼") for header in measured["headers"]]


def test_at_1280_px_every_main_table_shows_its_key_columns_without_sideways_scrolling(
    live_server, new_page, log_in, demo_data
):
    page = new_page(viewport=OFFICE_SCREEN)
    log_in(page, demo_data["viewer"], DEMO_PASSWORD)

    for path, table_class, key_columns in TABLE_PAGES:
        page.goto(live_server.url + path)
        shown = assert_fits(page, page.locator("table").first, OFFICE_SCREEN["width"])
        for header in headers_of(table_class, key_columns):
            assert header in shown, (path, header, shown)
        # The others are one click away, and come back out of sight on the next one.
        page.get_by_role("link", name="Tampilkan semua kolom").click()
        every = headers_of(table_class, table_class.base_columns)
        expect(page.locator("table").first.locator("thead th")).to_have_count(len(every))
        page.get_by_role("link", name="Tampilkan kolom utama saja").click()
        expect(page.locator("table").first.locator("thead th")).to_have_count(len(shown))

    page.goto(live_server.url + "/targeting/")
    shown = assert_fits(page, page.locator("#village-table"), OFFICE_SCREEN["width"])
    assert shown[0] == "Desa/kelurahan"
    assert_fits(page, page.locator("#district-table"), OFFICE_SCREEN["width"])


def test_at_375_px_no_page_scrolls_sideways_and_every_rows_link_is_on_screen(
    live_server, new_page, log_in, demo_data
):
    pages = [(demo_data["viewer"], path) for path, *_ in TABLE_PAGES + [("/targeting/",)]] + [
        (demo_data["camat_dusun_timur"], "/village-data/")
    ]
    checked_links = 0
    for account, path in pages:
        page = new_page(viewport=PHONE)
        log_in(page, account, DEMO_PASSWORD)
        page.goto(live_server.url + path)

        assert horizontal_overflow(page) == 0, path
        for row in page.locator("table").first.locator("tbody tr").all():
            links = row.locator("a")
            if links.count() == 0:
                continue
            box = links.first.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
                path,
                row.inner_text(),
                box,
            )
            checked_links += 1
        page.context.close()
    # Every table page but /opd/ and /targeting/ links its rows.
    assert checked_links > 0
